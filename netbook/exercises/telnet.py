"""07-telnet exercises: what the server offers (WILL) and asks (DO), an IAC
command in bytes, NAWS on the wire (asked of a seeded telnet lab)."""
from __future__ import annotations

import random
from typing import Any

from ..checks import Exercise, NotYet, Sheet, same_set

COMMAND_CODES = {"WILL": 251, "WONT": 252, "DO": 253, "DONT": 254}


def _naws(w: int, h: int) -> str:
    payload = bytes([w >> 8, w & 255, h >> 8, h & 255]).replace(b"\xff", b"\xff\xff")  # IAC doubled in data
    return (bytes([255, 250, 31]) + payload + bytes([255, 240])).hex()


def sheet(seed: int) -> Sheet:
    from ..servers import starter
    from ..telnet import telnet
    from ..telnet.client import _telnetlib
    from ..telnet.iac import OPTIONS

    rnd = random.Random(seed)
    user, password = rnd.choice(["ada", "bob", "cy", "dee"]), f"pw-{rnd.randint(1000, 9999)}"
    options = {"naws": True, "ttype": rnd.random() < 0.6, "linemode": rnd.random() < 0.5}
    srv: Any = starter("telnet")("menu", users={user: password}, options=options, name="exercises-telnet")
    cmd = rnd.choice(list(COMMAND_CODES))
    opt_code = rnd.choice([1, 3, 24, 31, 34])
    w, h = rnd.randint(60, 300), rnd.randint(20, 80)

    def negotiation():
        c = telnet(srv.url)
        try:
            c.read(0.6)
            return [(cmd_, opt) for _, d, cmd_, opt, _ in c.options if d == "server"]
        finally:
            c.close()

    def offers():
        return sorted({opt for cmd_, opt in negotiation() if cmd_ == "WILL"})

    def asks():
        return sorted({opt for cmd_, opt in negotiation() if cmd_ == "DO"})

    def iac_bytes():
        t = _telnetlib()
        return (t.IAC + {"WILL": t.WILL, "WONT": t.WONT, "DO": t.DO, "DONT": t.DONT}[cmd] + bytes([opt_code])).hex()

    def naws():
        want = f"size={w}x{h}"
        if not any(want in str(row[6]) for row in srv.log.snapshot()):
            raise NotYet(f"no session has logged in with a {w}x{h} window yet")
        return _naws(w, h)

    same_hex = lambda g, a: str(g).replace(" ", "").replace("\\x", "").lower().removeprefix("0x") == a  # noqa: E731
    ex = [
        Exercise(1, "Connect to the lab server (no login needed) and watch the negotiation it opens with: which "
                    "options does the server offer to perform itself (IAC WILL ...)? Answer the option names.",
                 offers, same=same_set,
                 hint="nb.telnet(url).options lists every WILL/WONT/DO/DONT with who sent it",
                 how="c = nb.telnet(url); c.read(0.5); c.options.to_frame().query(\"direction == 'server' and command == 'WILL'\")",
                 explain="WILL offers to do something on the sender's side (ECHO: the server echoes what you type)",
                 params={"url": srv.url}),
        Exercise(2, "Which options does the server ask your client to perform (IAC DO ...)? Answer the option names.",
                 asks, same=same_set,
                 hint="the same negotiation: the server's DO commands",
                 how="c.options.to_frame().query(\"direction == 'server' and command == 'DO'\")",
                 explain="DO asks the other side to start an option (NAWS: tell me your window size)",
                 params={"url": srv.url}),
        Exercise(3, f"Write the three bytes of 'IAC {cmd} {OPTIONS.get(opt_code, opt_code)}' in hex (e.g. 'fffb01').",
                 iac_bytes, same=same_hex,
                 hint="IAC is 255; WILL 251, WONT 252, DO 253, DONT 254 (telnetlib has them); options by number (RFC 855 registry)",
                 how="(telnetlib.IAC + telnetlib.DO + bytes([option])).hex()",
                 explain="every telnet command starts with the byte IAC (0xff); a data byte 0xff is sent doubled",
                 params={"command": cmd, "option": opt_code}),
        Exercise(4, f"Log in as {user!r} (password {password!r}) with a terminal window of {w} columns by {h} rows. "
                    "What subnegotiation did your client send for NAWS (IAC SB NAWS ... IAC SE), in hex?",
                 naws, same=same_hex,
                 hint="NAWS sends width and height as two 16-bit big-endian numbers between IAC SB 31 and IAC SE; "
                      "nb.telnet(url, password=..., window=(w, h)); the transcript shows the bytes",
                 how="nb.telnet(url_for(user), password=pw, window=(w, h)).transcript",
                 explain="the client tells its window size once NAWS is agreed, and again when it changes",
                 params={"url": srv.url_for(user), "user": user, "password": password, "window": (w, h)}),
    ]
    return Sheet("telnet", seed, ex, [srv], url=srv.url)
