"""Regenerate the pictures the README shows (docs/img/*.svg) from real lab
conversations: python scripts/diagram_images.py"""
from __future__ import annotations

import pathlib
import time

import netbook as nb

OUT = pathlib.Path(__file__).resolve().parent.parent / "docs" / "img"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    lab = nb.lab("mail", users={"alice": "alice-pw", "bob": "bob-pw"}, name="readme-mail")
    try:
        r = nb.mail.send(to=["alice@netbook.lab", "nobody@netbook.lab"], from_="bob@netbook.lab", subject="Lab 3",
                         body="Hi Alice,\nthe lab starts at ten.\n", url=lab.smtp, user="bob", password="bob-pw",
                         headers={"Date": "Mon, 02 Mar 2026 09:00:00 +0000", "Message-ID": "<lab3@netbook.lab>"})
        d = r.transcript.diagram()
        d.ladder.title = "nb.mail.send(..., user='bob', password=...) — SMTP with AUTH"
        d.save(OUT / "smtp-ladder.svg")
    finally:
        lab.stop()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":
            time.sleep(0.12)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello " * 200]

    with nb.serve.wsgi(app, name="readme-wsgi") as a, nb.serve.wsgi(app, name="readme-wsgi-2") as b:
        urls = [s.url + p for s in (a, b) for p in ("", "slow", "a", "b", "slow", "c")]
        df = nb.fetch_many(urls, concurrency=4, per_host=2, show=False)
        nb.http.waterfall(df, title="nb.fetch_many(urls, concurrency=4, per_host=2)").save(OUT / "fetch-many-waterfall.svg")


if __name__ == "__main__":
    main()
