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

/** Group digits: 1234567 -> "1,234,567" (numbers, BigInts, decimal strings). */
export function grouped(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The query's filter part from the boxes' drafts (empty boxes left out). */
export function filtersFromDrafts(drafts) {
  const columns = {};
  for (const [k, v] of Object.entries(drafts.columns || {})) if (String(v).trim()) columns[k] = v;
  return { text: drafts.text || "", columns };
}

/** Drafts after the query changed from Python: boxes being edited keep their text. */
export function adoptQuery(drafts, query, editing) {
  const out = { text: drafts.text, columns: { ...drafts.columns } };
  if (!editing.has("")) out.text = query.text || "";
  const qc = query.columns || {};
  for (const k of new Set([...Object.keys(out.columns), ...Object.keys(qc)])) {
    if (!editing.has(k)) out.columns[k] = qc[k] || "";
  }
  return out;
}

/** Placeholder and tooltip of a column's filter box. */
export function filterHint(col) {
  if (col.kind === "int" || col.kind === "float" || col.kind === "timedelta") {
    return { placeholder: ">10, a..b", title: "compare: >10  <=5  =5  !=3  range 10..20; or digits to match" };
  }
  if (col.kind === "datetime") {
    return { placeholder: ">date, a..b", title: "compare: >2024-01-31  range 2024-01-01..2024-02-01; or text to match" };
  }
  if (col.kind === "bool") return { placeholder: "true/false", title: "true or false" };
  return { placeholder: "contains", title: "text to match (any case); =x equals, !=x differs" };
}

/** Where the row cursor goes for a key, or null (paging keys are handled apart). */
export function moveCursor(cursor, key, nrows) {
  if (nrows <= 0) return null;
  if (key === "ArrowDown") return cursor < nrows - 1 ? cursor + 1 : "next";
  if (key === "ArrowUp") return cursor > 0 ? cursor - 1 : cursor < 0 ? 0 : "prev";
  return null;
}

/** Bars of a histogram, heights in 0..1 of the largest bin. */
export function histogramBars(hist) {
  if (!hist || !hist.counts || !hist.counts.length) return [];
  const max = Math.max(...hist.counts, 1);
  return hist.counts.map((c, i) => ({ label: (hist.labels || [])[i] ?? "", count: c, height: c / max }));
}

/** The right end of a histogram's axis: the upper edge of its last bin. */
export function axisEnd(hist, bars) {
  const end = hist && hist.edges ? hist.edges[hist.edges.length - 1] : null;
  if (typeof end === "number") return String(Number(end.toPrecision(6)));
  return end !== null && end !== undefined ? String(end) : bars.length ? bars[bars.length - 1].label : "";
}

/** The lines of a column summary panel: [label, value] pairs. */
export function summaryLines(s) {
  const out = [["type", `${s.kind}${s.dtype ? ` (${s.dtype})` : ""}`], ["count", grouped(s.count)], ["nulls", grouped(s.nulls)]];
  if (s.distinct !== null && s.distinct !== undefined) out.push(["distinct", `${s.distinct_approx ? "≈ " : ""}${grouped(s.distinct)}`]);
  if (s.min !== null && s.min !== undefined) out.push(["min", String(s.min)]);
  if (s.max !== null && s.max !== undefined) out.push(["max", String(s.max)]);
  if (s.mean !== null && s.mean !== undefined) out.push(["mean", Number(s.mean).toLocaleString("en-US", { maximumSignificantDigits: 6 })]);
  return out;
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

let serial = 0;

function render({ model, el }) {
  const uid = `nbt${++serial}`;
  let cursor = -1; // index of the keyboard cursor row on the page
  let anchor = null; // selection anchor key (shift-click)
  let pendingQuery = false;
  let sendTimer = null;
  let lastSent = null;
  const editing = new Set(); // filter boxes with typing not yet sent ("" = the text box)
  const q0 = query();
  let drafts = { text: q0.text || "", columns: { ...(q0.columns || {}) } };
  let summaryFor = null; // column whose summary panel is open
  let csvParts = null;

  const root = h("div", { class: "nb-table", tabindex: "0" });
  const title = h("div", { class: "nb-title" });
  const search = h("input", { class: "nb-search", type: "search", placeholder: "Filter rows…  ( / )", "aria-label": "filter rows", title: "text to find in any column; / focuses this box" });
  const info = h("span", { class: "nb-range", "aria-live": "polite" });
  const btn = (label, aria, fn, cls = "") => h("button", { class: `nb-btn ${cls}`, title: aria, "aria-label": aria, onclick: fn }, label);
  const bFirst = btn("«", "first page", () => go("first"));
  const bPrev = btn("‹", "previous page", () => go("prev"));
  const bNext = btn("›", "next page", () => go("next"));
  const bLast = btn("»", "last page", () => go("last"));
  const gotoBox = h("input", { class: "nb-goto", type: "text", placeholder: "row #", "aria-label": "go to row", size: "8" });
  const bFollow = btn("follow", "follow new rows", () => {
    model.set("follow", !model.get("follow"));
    model.save_changes();
  });
  const bCopy = btn("copy", "copy the selected rows (or this page) as TSV", () => copy(), "nb-copy");
  const bCsv = btn("CSV", "download the filtered view as CSV", () => downloadCsv(), "nb-csv");
  const spinner = h("span", { class: "nb-spinner", "aria-hidden": "true" });
  const note = h("span", { class: "nb-note", "aria-live": "polite" });
  const toolbar = h("div", { class: "nb-toolbar" }, search, h("span", { class: "nb-grow" }), note, spinner, info, bFirst, bPrev, gotoBox, bNext, bLast, bFollow, bCopy, bCsv);
  const errorBar = h("div", { class: "nb-error", role: "alert" });
  const table = h("table", { class: "nb-grid", role: "grid", "aria-multiselectable": "true" });
  const thead = h("thead");
  const tbody = h("tbody");
  table.append(thead, tbody);
  const scroller = h("div", { class: "nb-scroll" }, table);
  const more = h("button", { class: "nb-more", type: "button", title: "scroll right to see them" });
  more.addEventListener("click", () => scroller.scrollBy({ left: scroller.clientWidth * 0.8, behavior: "smooth" }));
  const frame = h("div", { class: "nb-frame" }, scroller);
  const panel = h("div", { class: "nb-summary", role: "dialog", "aria-label": "column summary" });
  root.append(title, toolbar, errorBar, panel, frame, more); // the summary opens next to the headers
  el.append(root);
  table.id = `${uid}-grid`;

  function query() {
    return { start: "0", size: 25, sort: [], text: "", columns: {}, ...(model.get("query") || {}) };
  }

  function send(changes) {
    const q = { ...query(), ...changes };
    const json = JSON.stringify(q);
    if (json === JSON.stringify(query())) return; // nothing new: no request, no spinner left on
    pendingQuery = true;
    lastSent = json;
    root.classList.add("nb-loading");
    model.set("query", q);
    model.save_changes();
  }

  function sendFilters() {
    sendTimer = null;
    editing.clear();
    send({ ...filtersFromDrafts(drafts), start: "0" });
  }

  function edited(key, value) {
    if (key === "") drafts.text = value;
    else drafts.columns[key] = value;
    editing.add(key);
    clearTimeout(sendTimer);
    sendTimer = setTimeout(sendFilters, 250);
  }

  function go(where) {
    const q = query();
    const p = pageInfo(model.get("start"), q.size, model.get("total"));
    const start = { first: "0", prev: p.prev, next: p.next, last: p.last }[where];
    if (model.get("follow") && where !== "last") model.set("follow", false);
    cursor = where === "prev" || where === "last" ? Math.max(0, Number(BigInt(q.size) - 1n)) : 0;
    if (start === model.get("start")) {
      buildBody();
      return;
    }
    send({ start });
  }

  // -- header: built once per set of columns; inputs persist (typing is never lost)
  let headKey = null;
  const filterInputs = new Map();
  const filterErrors = new Map();
  const heads = new Map();

  function buildHead() {
    const cols = model.get("columns") || [];
    const key = JSON.stringify(cols) + model.get("sortable") + model.get("filterable");
    if (key !== headKey) {
      headKey = key;
      const sortableAll = model.get("sortable");
      thead.replaceChildren();
      heads.clear();
      filterInputs.clear();
      filterErrors.clear();
      const tr = h("tr", { role: "row", "aria-rowindex": "1" });
      cols.forEach((col, j) => {
        const sortable = sortableAll && col.sortable !== false;
        const sum = h("button", { class: "nb-sumbtn", type: "button", title: `summary of ${col.name}`, "aria-label": `summary of ${col.name}` }, "Σ");
        sum.addEventListener("click", (ev) => {
          ev.stopPropagation();
          openSummary(col.name);
        });
        const th = h(
          "th",
          {
            role: "columnheader",
            "aria-colindex": String(j + 1),
            class: `${isNumeric(col) ? "nb-num" : ""} ${sortable ? "nb-sortable" : ""}`,
            title: `${col.name} (${col.kind}${col.format ? ", " + col.format : ""})${sortable ? " — click to sort, shift+click to add" : ""}`,
            "data-column": col.name,
          },
          h("span", { class: "nb-label" }, col.name),
          h("span", { class: "nb-arrow" }),
          h("sup", {}),
          sum,
        );
        if (sortable) {
          th.addEventListener("click", (ev) => send({ sort: nextSort(query().sort, col.name, ev.shiftKey), start: "0" }));
        }
        heads.set(col.name, th);
        tr.append(th);
      });
      thead.append(tr);
      if (model.get("filterable") && cols.length) {
        const fr = h("tr", { class: "nb-colfilters", role: "row", "aria-rowindex": "2" });
        cols.forEach((col) => {
          const hint = filterHint(col);
          const input = h("input", {
            type: "text",
            size: "4", // the column's content sets its width; CSS keeps room for the hint
            value: drafts.columns[col.name] || "",
            placeholder: hint.placeholder,
            title: hint.title,
            "aria-label": `filter ${col.name}`,
            "data-column": col.name,
            "aria-describedby": `${uid}-ferr-${cols.indexOf(col)}`,
          });
          input.addEventListener("input", () => edited(col.name, input.value));
          input.addEventListener("keydown", (ev) => {
            if (ev.key === "Enter") {
              clearTimeout(sendTimer);
              sendFilters();
            }
          });
          const err = h("div", { class: "nb-ferr", id: `${uid}-ferr-${cols.indexOf(col)}` });
          filterInputs.set(col.name, input);
          filterErrors.set(col.name, err);
          fr.append(h("th", { role: "columnheader" }, input, err));
        });
        thead.append(fr);
      }
    }
    // per page: sort marks, filter values not being edited, errors
    const q = query();
    for (const [name, th] of heads) {
      const si = q.sort.findIndex((s) => s.column === name);
      th.setAttribute("aria-sort", si < 0 ? "none" : q.sort[si].ascending ? "ascending" : "descending");
      th.querySelector(".nb-arrow").textContent = si < 0 ? "" : q.sort[si].ascending ? " ▲" : " ▼";
      th.querySelector("sup").textContent = si >= 0 && q.sort.length > 1 ? String(si + 1) : "";
    }
    const errs = model.get("filter_errors") || {};
    for (const [name, input] of filterInputs) {
      if (document.activeElement !== input && !editing.has(name)) input.value = drafts.columns[name] || "";
      const msg = errs[name] || "";
      input.classList.toggle("nb-invalid", !!msg);
      input.setAttribute("aria-invalid", msg ? "true" : "false");
      filterErrors.get(name).textContent = msg;
    }
  }

  function buildBody() {
    const cols = model.get("columns") || [];
    const rows = model.get("rows") || [];
    const keys = model.get("row_keys") || [];
    const selected = (model.get("selected_keys") || []).map(String);
    const start = BigInt(model.get("start") || "0");
    const headerRows = model.get("filterable") ? 2n : 1n;
    tbody.replaceChildren();
    if (!rows.length) {
      tbody.append(h("tr", { class: "nb-empty", role: "row" }, h("td", { role: "gridcell", colspan: String(Math.max(1, cols.length)) }, "no rows")));
    }
    rows.forEach((row, i) => {
      const key = keys[i];
      const isSel = selected.includes(String(key));
      const tr = h("tr", {
        role: "row",
        id: `${uid}-r${i}`,
        "data-key": String(key),
        "aria-rowindex": String(start + headerRows + BigInt(i) + 1n),
        class: `${isSel ? "nb-selected" : ""} ${i === cursor ? "nb-cursor" : ""}`,
        "aria-selected": isSel ? "true" : "false",
      });
      row.forEach((v, j) => {
        const col = cols[j] || { kind: "object" };
        const text = formatValue(v, col.kind, col.format);
        const td = h("td", { role: "gridcell", class: `${isNumeric(col) ? "nb-num" : ""} ${v === null ? "nb-null" : ""} nb-k-${col.kind}` });
        td.textContent = text; // always text: hostile values stay inert
        if (col.format !== "secret" && (text.length > 16 || col.format === "size")) td.title = typeof v === "object" && v !== null ? text : String(v);
        tr.append(td);
      });
      tr.addEventListener("click", (ev) => {
        cursor = i;
        select(key, { toggle: ev.ctrlKey || ev.metaKey, extend: ev.shiftKey });
      });
      tbody.append(tr);
    });
    if (cursor >= 0 && cursor < rows.length) table.setAttribute("aria-activedescendant", `${uid}-r${cursor}`);
    else table.removeAttribute("aria-activedescendant");
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
    if (length !== model.get("total")) label += ` (filtered from ${grouped(BigInt(length))})`;
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
    if (document.activeElement !== search && !editing.has("")) search.value = drafts.text || "";
    const total = BigInt(model.get("total") || "0");
    table.setAttribute("aria-rowcount", total + 2n < 2n ** 31n ? String(total + (model.get("filterable") ? 2n : 1n)) : "-1");
    table.setAttribute("aria-colcount", String((model.get("columns") || []).length));
    const busy = pendingQuery || model.get("loading");
    root.classList.toggle("nb-loading", !!busy);
    root.setAttribute("aria-busy", busy ? "true" : "false");
    clipHint();
  }

  // -- columns off-screen: say so, and how many
  function clipHint() {
    const ths = [...heads.values()];
    const right = scroller.getBoundingClientRect().right;
    const hidden = ths.filter((th) => th.getBoundingClientRect().right > right + 2).length;
    const clipped = scroller.scrollWidth > scroller.clientWidth + 1;
    frame.classList.toggle("nb-clip-right", clipped && scroller.scrollLeft + scroller.clientWidth < scroller.scrollWidth - 1);
    frame.classList.toggle("nb-clip-left", clipped && scroller.scrollLeft > 0);
    more.style.display = hidden ? "" : "none";
    more.textContent = hidden ? `${hidden} more column${hidden > 1 ? "s" : ""} →` : "";
  }
  scroller.addEventListener("scroll", clipHint);
  const resize = typeof ResizeObserver !== "undefined" ? new ResizeObserver(() => clipHint()) : null;
  if (resize) resize.observe(scroller);

  // -- column summary panel
  function openSummary(name) {
    summaryFor = name;
    panel.replaceChildren(h("div", { class: "nb-sum-head" }, h("b", {}, name), " computing…"));
    panel.style.display = "block";
    model.send({ type: "summary", column: name });
  }

  function closeSummary() {
    summaryFor = null;
    panel.style.display = "none";
    panel.replaceChildren();
  }

  function showSummary(s) {
    const close = h("button", { class: "nb-btn nb-sum-close", "aria-label": "close summary", title: "close (Esc)" }, "×");
    close.addEventListener("click", closeSummary);
    const rows = summaryLines(s).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", { title: v }, v)));
    const parts = [h("div", { class: "nb-sum-head" }, h("b", {}, s.column), ` — ${grouped(s.rows)} rows${s.note ? ` (${s.note})` : ""}, ${Math.round(s.seconds * 1000)} ms `, close), h("table", { class: "nb-sum-stats" }, ...rows)];
    if (s.top && s.top.length) {
      parts.push(h("div", { class: "nb-sum-sub" }, "top values"), h("table", { class: "nb-sum-top" }, ...s.top.map(([v, c]) => h("tr", {}, h("td", { title: String(v) }, String(v)), h("td", { class: "nb-num" }, grouped(c))))));
    }
    const bars = histogramBars(s.histogram);
    if (bars.length) {
      const hist = h("div", { class: "nb-hist", role: "img", "aria-label": `histogram of ${s.column}` });
      for (const b of bars) {
        hist.append(h("div", { class: "nb-bar", title: `${b.label}: ${grouped(b.count)}`, style: `height:${Math.max(1, Math.round(b.height * 48))}px` }));
      }
      parts.push(h("div", { class: "nb-sum-sub" }, "histogram"), hist, h("div", { class: "nb-hist-axis" }, h("span", {}, bars[0].label), h("span", {}, axisEnd(s.histogram, bars))));
    }
    panel.replaceChildren(...parts);
  }

  // -- copy and CSV: Python sends the text (selected rows may lie on other pages)
  function copy() {
    note.textContent = "copying…";
    model.send({ type: "copy" });
  }

  async function toClipboard(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      const ta = h("textarea", { style: "position:fixed;left:-9999px" });
      ta.value = text;
      document.body.append(ta);
      ta.select();
      const ok = document.execCommand("copy");
      ta.remove();
      return ok;
    }
  }

  function downloadCsv() {
    csvParts = [];
    note.textContent = "CSV: starting…";
    model.send({ type: "csv" });
  }

  function onCustom(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "summary") {
      if (msg.error) panel.replaceChildren(h("div", { class: "nb-ferr" }, msg.error));
      else if (msg.column === summaryFor) showSummary(msg.summary);
    } else if (msg.type === "copy") {
      if (msg.error) note.textContent = msg.error;
      else {
        root.dataset.copied = msg.text;
        const n = Math.max(0, msg.text.split("\n").length - 2);
        toClipboard(msg.text).then((ok) => (note.textContent = ok ? `copied ${n} row${n === 1 ? "" : "s"}` : "copy refused by the browser"));
      }
    } else if (msg.type === "csv") {
      if (msg.error) {
        note.textContent = `CSV: ${msg.error}`;
        csvParts = null;
      } else if (!msg.done) {
        if (csvParts) csvParts.push(msg.data);
        note.textContent = `CSV: ${(msg.bytes / 1048576).toFixed(1)} MiB…`;
      } else if (csvParts) {
        const blob = new Blob(csvParts, { type: "text/csv" }); // parts, never one giant string
        csvParts = null;
        const a = h("a", { href: URL.createObjectURL(blob), download: msg.name || "table.csv" });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
        note.textContent = `CSV: ${(msg.bytes / 1048576).toFixed(1)} MiB saved`;
      }
    }
  }
  model.on("msg:custom", onCustom);

  search.addEventListener("input", () => edited("", search.value));
  search.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      clearTimeout(sendTimer);
      sendFilters();
    }
  });
  gotoBox.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const q = query();
      const start = startForRow(gotoBox.value, q.size, model.get("total"));
      if (start !== null) {
        const row = BigInt(String(gotoBox.value).replace(/[,_\s]/g, "") || "1");
        cursor = Number((row < 1n ? 0n : row - 1n) - BigInt(start));
        model.set("follow", false);
        if (start === model.get("start")) buildBody(); // the current page: nothing to fetch
        else send({ start });
      }
      gotoBox.value = "";
    }
    ev.stopPropagation();
  });

  root.addEventListener("keydown", (ev) => {
    if (ev.target !== root && (ev.target.tagName === "INPUT" || ev.target.tagName === "BUTTON")) {
      if (ev.key === "Escape" && ev.target.tagName === "INPUT") root.focus();
      return;
    }
    const rows = model.get("rows") || [];
    const keys = model.get("row_keys") || [];
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      const to = moveCursor(cursor, ev.key, rows.length);
      if (to === "next") {
        if (!pageInfo(model.get("start"), query().size, model.get("total")).isLast) go("next");
      } else if (to === "prev") {
        if (BigInt(model.get("start")) > 0n) go("prev");
      } else if (to !== null) {
        cursor = to;
        if (ev.shiftKey) select(keys[cursor], { extend: true });
        else buildBody();
      }
      return;
    }
    const handled = {
      PageDown: () => go("next"),
      PageUp: () => go("prev"),
      Home: () => go("first"),
      End: () => go("last"),
      Enter: () => cursor >= 0 && cursor < keys.length && select(keys[cursor], { toggle: ev.ctrlKey || ev.metaKey }),
      " ": () => cursor >= 0 && cursor < keys.length && select(keys[cursor], { toggle: true }),
      "/": () => search.focus(),
      c: () => (ev.ctrlKey || ev.metaKey) && copy(),
      Escape: () => {
        if (summaryFor !== null) closeSummary();
        else {
          model.set("selected_keys", []);
          model.save_changes();
        }
      },
    }[ev.key];
    if (handled) {
      if (ev.key !== "c" || ev.ctrlKey || ev.metaKey) ev.preventDefault();
      handled();
    }
  });

  function onQueryChange() {
    // a query set from Python (t.filter(...)): boxes not being edited show it
    const q = query();
    if (JSON.stringify(q) !== lastSent) drafts = adoptQuery(drafts, q, editing);
  }

  function onPage() {
    pendingQuery = false;
    if (cursor >= (model.get("rows") || []).length) cursor = (model.get("rows") || []).length - 1;
    buildHead();
    buildBody();
    buildStatus();
    if (summaryFor !== null && panel.dataset.filter !== JSON.stringify(filtersFromDrafts(query()))) {
      panel.dataset.filter = JSON.stringify(filtersFromDrafts(query()));
      openSummary(summaryFor); // the summary follows the filter
    }
  }

  model.on("change:query", onQueryChange);
  model.on("change:page_id", onPage);
  model.on("change:selected_keys", buildBody);
  model.on("change:columns", buildHead);
  model.on("change:filter_errors", buildHead);
  model.on("change:error", buildStatus);
  model.on("change:loading", buildStatus);
  model.on("change:total", buildStatus);
  model.on("change:follow", buildStatus);
  model.on("change:title", buildStatus);
  panel.dataset.filter = JSON.stringify(filtersFromDrafts(query()));
  onPage();
  return () => {
    clearTimeout(sendTimer);
    if (resize) resize.disconnect();
    model.off("msg:custom", onCustom);
  };
}

export default { render };
