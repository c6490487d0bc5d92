// netbook Table: the one interactive table.  A plain ES module for anywidget.
// State lives in the model's traits; the kernel answers each `query` with one
// page of rows.  Offsets and totals are decimal strings (BigInt here), so a
// source longer than 2**53 rows (an IPv6 /32) pages exactly.

// ---------------------------------------------------------------------------
// Pure logic (tested with node --test in widgets/test/)
// ---------------------------------------------------------------------------

const NUMERIC = new Set(["int", "float"]);

/** Human size of a byte count: 1536 -> "1.5 KiB". */
export function humanSize(n) {
  if (n === null || n === undefined || n === "") return "";
  let v = Number(n);
  if (!Number.isFinite(v)) return String(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v.toLocaleString("en-US")} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Text of one cell, by column kind and format. */
export function formatValue(value, kind, format) {
  if (value === null || value === undefined) return "";
  if (format === "secret") return "••••";
  if (format === "size") return humanSize(value);
  if (format === "id") return String(value);
  if (format === "ms") {
    const v = Number(value);
    return Number.isFinite(v) ? `${v.toLocaleString("en-US", { maximumFractionDigits: 1 })} ms` : String(value);
  }
  if (typeof value === "object" && value.bytes !== undefined) {
    return `${humanSize(value.bytes)}: ${value.preview}`;
  }
  switch (kind) {
    case "bool":
      return value ? "✓" : "✗";
    case "int":
      return typeof value === "number" ? value.toLocaleString("en-US") : String(value);
    case "float":
      if (typeof value !== "number") return String(value);
      return Math.abs(value) >= 1e15 ? value.toExponential(6) : value.toLocaleString("en-US", { maximumSignificantDigits: 7 });
    case "datetime":
      return String(value).replace("T", " ").replace(/(\.\d{3})\d+/, "$1").replace(/\+00:00$/, "Z");
    case "timedelta":
      return `${Number(value).toLocaleString("en-US", { maximumFractionDigits: 6 })} s`;
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

/** Is a column shown right-aligned? */
export function isNumeric(col) {
  return NUMERIC.has(col.kind) || col.format === "size" || col.format === "ms" || col.format === "id";
}

/**
 * The sort after a click on `column`: a plain click sorts by that column
 * alone (ascending, then descending, then unsorted); shift+click adds the
 * column as a further key or flips/removes it in place.
 */
export function nextSort(sort, column, multi) {
  const i = sort.findIndex((s) => s.column === column);
  if (!multi) {
    if (sort.length === 1 && i === 0) {
      return sort[0].ascending ? [{ column, ascending: false }] : [];
    }
    return [{ column, ascending: true }];
  }
  if (i < 0) return [...sort, { column, ascending: true }];
  const out = sort.slice();
  if (out[i].ascending) out[i] = { column, ascending: false };
  else out.splice(i, 1);
  return out;
}

/** Page arithmetic on decimal strings (BigInt-exact). */
export function pageInfo(start, size, total) {
  const s = BigInt(start || "0");
  const n = BigInt(size);
  const t = BigInt(total || "0");
  const pages = t === 0n ? 1n : (t + n - 1n) / n;
  const page = s / n;
  const last = t === 0n ? 0n : (pages - 1n) * n;
  const end = s + n > t ? t : s + n;
  return {
    start: s,
    end,
    total: t,
    page,
    pages,
    first: s === 0n,
    isLast: s + n >= t,
    prev: (s - n < 0n ? 0n : s - n).toString(),
    next: (s + n >= t ? s : s + n).toString(),
    last: last.toString(),
  };
}

/** "1,001–1,025 of 4,294,967,296" (1-based, grouped). */
export function rangeLabel(info) {
  const fmt = (b) => b.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  if (info.total === 0n) return "0 rows";
  return `${fmt(info.start + 1n)}–${fmt(info.end)} of ${fmt(info.total)}`;
}

/** The start offset of the page holding 1-based row `row` (a string). */
export function startForRow(row, size, total) {
  let r;
  try {
    r = BigInt(String(row).replace(/[,_\s]/g, ""));
  } catch {
    return null;
  }
  const t = BigInt(total);
  if (r < 1n) r = 1n;
  if (r > t) r = t;
  if (t === 0n) return "0";
  const n = BigInt(size);
  return (((r - 1n) / n) * n).toString();
}

/** Selection after clicking row `key` (ctrl/meta toggles, shift extends over `pageKeys`). */
export function nextSelection(selected, key, { toggle = false, extend = false, anchor = null, pageKeys = [] } = {}) {
  const same = (a, b) => String(a) === String(b);
  if (extend && anchor !== null) {
    const a = pageKeys.findIndex((k) => same(k, anchor));
    const b = pageKeys.findIndex((k) => same(k, key));
    if (a >= 0 && b >= 0) {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const range = pageKeys.slice(lo, hi + 1);
      const rest = selected.filter((k) => !range.some((r) => same(r, k)));
      return [...rest, ...range];
    }
  }
  if (toggle) {
    return selected.some((k) => same(k, key)) ? selected.filter((k) => !same(k, key)) : [...selected, key];
  }
  return [key];
}

// ---------------------------------------------------------------------------
// The view
// ---------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

function render({ model, el }) {
  let cursor = -1; // index of the keyboard cursor row on the page
  let anchor = null; // selection anchor key (shift-click)
  let pendingQuery = false;
  let textTimer = null;

  const root = h("div", { class: "nb-table", tabindex: "0" });
  const title = h("div", { class: "nb-title" });
  const search = h("input", { class: "nb-search", type: "search", placeholder: "Filter rows…", "aria-label": "filter rows" });
  const info = h("span", { class: "nb-range", "aria-live": "polite" });
  const btn = (label, aria, fn) => h("button", { class: "nb-btn", title: aria, "aria-label": aria, onclick: fn }, label);
  const bFirst = btn("«", "first page", () => go("first"));
  const bPrev = btn("‹", "previous page", () => go("prev"));
  const bNext = btn("›", "next page", () => go("next"));
  const bLast = btn("»", "last page", () => go("last"));
  const gotoBox = h("input", { class: "nb-goto", type: "text", placeholder: "row #", "aria-label": "go to row", size: "8" });
  const bFollow = btn("follow", "follow new rows", () => {
    model.set("follow", !model.get("follow"));
    model.save_changes();
  });
  const spinner = h("span", { class: "nb-spinner", "aria-hidden": "true" });
  const toolbar = h("div", { class: "nb-toolbar" }, search, h("span", { class: "nb-grow" }), spinner, info, bFirst, bPrev, gotoBox, bNext, bLast, bFollow);
  const errorBar = h("div", { class: "nb-error", role: "alert" });
  const table = h("table", { class: "nb-grid" });
  const thead = h("thead");
  const tbody = h("tbody");
  table.append(thead, tbody);
  const scroller = h("div", { class: "nb-scroll" }, table);
  root.append(title, toolbar, errorBar, scroller);
  el.append(root);

  function query() {
    return { start: "0", size: 25, sort: [], text: "", columns: {}, ...(model.get("query") || {}) };
  }

  function send(changes) {
    const q = { ...query(), ...changes };
    pendingQuery = true;
    root.classList.add("nb-loading");
    model.set("query", q);
    model.save_changes();
  }

  function go(where) {
    const q = query();
    const p = pageInfo(model.get("start"), q.size, model.get("total"));
    const start = { first: "0", prev: p.prev, next: p.next, last: p.last }[where];
    if (model.get("follow") && where !== "last") {
      model.set("follow", false);
    }
    cursor = where === "prev" || where === "last" ? Math.max(0, Number(BigInt(q.size) - 1n)) : 0;
    send({ start });
  }

  function buildHead() {
    const cols = model.get("columns") || [];
    const q = query();
    const sortableAll = model.get("sortable");
    const filterable = model.get("filterable");
    thead.replaceChildren();
    const tr = h("tr");
    cols.forEach((col) => {
      const sortable = sortableAll && col.sortable !== false;
      const si = q.sort.findIndex((s) => s.column === col.name);
      const arrow = si < 0 ? "" : q.sort[si].ascending ? " ▲" : " ▼";
      const rank = si >= 0 && q.sort.length > 1 ? String(si + 1) : "";
      const th = h(
        "th",
        {
          class: `${isNumeric(col) ? "nb-num" : ""} ${sortable ? "nb-sortable" : ""}`,
          title: `${col.name} (${col.kind}${col.format ? ", " + col.format : ""})${sortable ? " — click to sort, shift+click to add" : ""}`,
          "data-column": col.name,
          "aria-sort": si < 0 ? "none" : q.sort[si].ascending ? "ascending" : "descending",
        },
        col.name,
        h("span", { class: "nb-arrow" }, arrow),
        rank ? h("sup", {}, rank) : null,
      );
      if (sortable) {
        th.addEventListener("click", (ev) => {
          send({ sort: nextSort(query().sort, col.name, ev.shiftKey), start: "0" });
        });
      }
      tr.append(th);
    });
    thead.append(tr);
    if (filterable && cols.length) {
      const fr = h("tr", { class: "nb-colfilters" });
      cols.forEach((col) => {
        const input = h("input", {
          type: "text",
          size: "4",
          value: (q.columns || {})[col.name] || "",
          placeholder: isNumeric(col) || col.kind === "datetime" ? "> 10, a..b" : "contains",
          "aria-label": `filter ${col.name}`,
          "data-column": col.name,
        });
        input.addEventListener("input", () => {
          clearTimeout(textTimer);
          textTimer = setTimeout(() => {
            const columns = { ...(query().columns || {}) };
            if (input.value.trim()) columns[col.name] = input.value;
            else delete columns[col.name];
            send({ columns, start: "0" });
          }, 300);
        });
        fr.append(h("th", {}, input));
      });
      thead.append(fr);
    }
  }

  function buildBody() {
    const cols = model.get("columns") || [];
    const rows = model.get("rows") || [];
    const keys = model.get("row_keys") || [];
    const selected = (model.get("selected_keys") || []).map(String);
    tbody.replaceChildren();
    if (!rows.length) {
      tbody.append(h("tr", { class: "nb-empty" }, h("td", { colspan: String(Math.max(1, cols.length)) }, "no rows")));
    }
    rows.forEach((row, i) => {
      const key = keys[i];
      const tr = h("tr", {
        "data-key": String(key),
        class: `${selected.includes(String(key)) ? "nb-selected" : ""} ${i === cursor ? "nb-cursor" : ""}`,
        "aria-selected": selected.includes(String(key)) ? "true" : "false",
      });
      row.forEach((v, j) => {
        const col = cols[j] || { kind: "object" };
        const text = formatValue(v, col.kind, col.format);
        const td = h("td", { class: `${isNumeric(col) ? "nb-num" : ""} ${v === null ? "nb-null" : ""} nb-k-${col.kind}` });
        td.textContent = text; // always text: hostile values stay inert
        if (text.length > 40 || col.format === "size") td.title = col.format === "secret" ? "" : typeof v === "object" && v !== null ? text : String(v);
        tr.append(td);
      });
      tr.addEventListener("click", (ev) => {
        cursor = i;
        select(key, { toggle: ev.ctrlKey || ev.metaKey, extend: ev.shiftKey });
      });
      tbody.append(tr);
    });
  }

  function select(key, opts = {}) {
    const next = nextSelection(model.get("selected_keys") || [], key, { ...opts, anchor, pageKeys: model.get("row_keys") || [] });
    if (!opts.extend) anchor = key;
    model.set("selected_keys", next);
    model.save_changes();
  }

  function buildStatus() {
    const q = query();
    const p = pageInfo(model.get("start"), q.size, model.get("total"));
    const length = model.get("length");
    let label = rangeLabel(p);
    if (length !== model.get("total")) label += ` (filtered from ${BigInt(length).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")})`;
    info.textContent = label;
    bFirst.disabled = bPrev.disabled = p.first;
    bNext.disabled = bLast.disabled = p.isLast;
    bFollow.classList.toggle("nb-on", !!model.get("follow"));
    bFollow.style.display = model.get("follow") || model.get("streaming") ? "" : "none";
    const err = model.get("error");
    errorBar.textContent = err || "";
    errorBar.style.display = err ? "" : "none";
    title.textContent = model.get("title") || "";
    title.style.display = model.get("title") ? "" : "none";
    search.style.display = model.get("filterable") ? "" : "none";
    if (document.activeElement !== search) search.value = q.text || "";
    const busy = pendingQuery || model.get("loading");
    root.classList.toggle("nb-loading", !!busy);
    root.setAttribute("aria-busy", busy ? "true" : "false");
  }

  search.addEventListener("input", () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(() => send({ text: search.value, start: "0" }), 300);
  });
  gotoBox.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const start = startForRow(gotoBox.value, query().size, model.get("total"));
      if (start !== null) {
        model.set("follow", false);
        send({ start });
      }
      gotoBox.value = "";
    }
    ev.stopPropagation();
  });

  root.addEventListener("keydown", (ev) => {
    if (ev.target !== root && ev.target.tagName === "INPUT") return;
    const rows = model.get("rows") || [];
    const keys = model.get("row_keys") || [];
    const handled = {
      ArrowDown: () => {
        if (cursor < rows.length - 1) {
          cursor++;
          select(keys[cursor], { extend: ev.shiftKey });
        } else if (!pageInfo(model.get("start"), query().size, model.get("total")).isLast) go("next");
      },
      ArrowUp: () => {
        if (cursor > 0) {
          cursor--;
          select(keys[cursor], { extend: ev.shiftKey });
        } else if (BigInt(model.get("start")) > 0n) go("prev");
      },
      PageDown: () => go("next"),
      PageUp: () => go("prev"),
      Home: () => go("first"),
      End: () => go("last"),
      Escape: () => {
        model.set("selected_keys", []);
        model.save_changes();
      },
    }[ev.key];
    if (handled) {
      ev.preventDefault();
      handled();
    }
  });

  function onPage() {
    pendingQuery = false;
    if (cursor >= (model.get("rows") || []).length) cursor = (model.get("rows") || []).length - 1;
    buildHead();
    buildBody();
    buildStatus();
  }

  model.on("change:page_id", onPage);
  model.on("change:selected_keys", buildBody);
  model.on("change:columns", buildHead);
  model.on("change:error", buildStatus);
  model.on("change:loading", buildStatus);
  model.on("change:follow", buildStatus);
  model.on("change:title", buildStatus);
  onPage();
  return () => clearTimeout(textTimer);
}

export default { render };
