// Tests of the Table front-end's own logic: node --test widgets/test/
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  adoptQuery, axisEnd, filterHint, filtersFromDrafts, formatValue, grouped, histogramBars, humanSize, isNumeric,
  moveCursor, nextSelection, nextSort, pageInfo, rangeLabel, startForRow, summaryLines,
} from "../table.js";

test("sizes read as KiB/MiB", () => {
  assert.equal(humanSize(512), "512 B");
  assert.equal(humanSize(1536), "1.5 KiB");
  assert.equal(humanSize(5 * 1024 * 1024), "5.0 MiB");
  assert.equal(humanSize(null), "");
});

test("values format by kind and format", () => {
  assert.equal(formatValue(1234567, "int"), "1,234,567");
  assert.equal(formatValue("340282366920938463463374607431768211455", "int"), "340282366920938463463374607431768211455");
  assert.equal(formatValue(true, "bool"), "✓");
  assert.equal(formatValue(false, "bool"), "✗");
  assert.equal(formatValue("2024-01-02T03:04:05+00:00", "datetime"), "2024-01-02 03:04:05Z");
  assert.equal(formatValue("2024-01-02T03:04:05.123456+00:00", "datetime"), "2024-01-02 03:04:05.123Z");
  assert.equal(formatValue(2048, "int", "size"), "2.0 KiB");
  assert.equal(formatValue(12.345, "float", "ms"), "12.3 ms");
  assert.equal(formatValue(4996, "int", "id"), "4996"); // UIDs, ports: no thousands separators
  assert.equal(formatValue("hunter2", "str", "secret"), "••••");
  assert.equal(formatValue(null, "str"), "");
  assert.equal(formatValue({ bytes: 3, preview: "abc" }, "bytes"), "3 B: abc");
  assert.equal(formatValue("<script>x</script>", "str"), "<script>x</script>"); // shown as text by the view
});

test("numbers and sizes are right-aligned", () => {
  assert.ok(isNumeric({ kind: "int" }));
  assert.ok(isNumeric({ kind: "object", format: "size" }));
  assert.ok(!isNumeric({ kind: "str" }));
});

test("click cycles ascending, descending, unsorted", () => {
  let s = nextSort([], "a", false);
  assert.deepEqual(s, [{ column: "a", ascending: true }]);
  s = nextSort(s, "a", false);
  assert.deepEqual(s, [{ column: "a", ascending: false }]);
  s = nextSort(s, "a", false);
  assert.deepEqual(s, []);
  assert.deepEqual(nextSort([{ column: "a", ascending: false }], "b", false), [{ column: "b", ascending: true }]);
});

test("shift+click builds a multi-column sort", () => {
  let s = nextSort([{ column: "a", ascending: true }], "b", true);
  assert.deepEqual(s, [{ column: "a", ascending: true }, { column: "b", ascending: true }]);
  s = nextSort(s, "b", true);
  assert.deepEqual(s[1], { column: "b", ascending: false });
  s = nextSort(s, "b", true);
  assert.deepEqual(s, [{ column: "a", ascending: true }]);
});

test("paging is exact beyond 2**53 rows", () => {
  const total = (2n ** 96n).toString();
  const p = pageInfo("0", 25, total);
  assert.equal(p.first, true);
  assert.equal(p.next, "25");
  assert.equal(p.last, ((2n ** 96n - 1n) / 25n * 25n).toString());
  const q = pageInfo(p.last, 25, total);
  assert.equal(q.isLast, true);
  assert.equal(q.end, 2n ** 96n);
  assert.equal(rangeLabel(pageInfo("25", 25, "60")), "26–50 of 60");
  assert.equal(rangeLabel(pageInfo("50", 25, "60")), "51–60 of 60");
  assert.equal(rangeLabel(pageInfo("0", 25, "0")), "0 rows");
});

test("go to row", () => {
  assert.equal(startForRow("26", 25, "100"), "25");
  assert.equal(startForRow("1,000", 25, "100"), "75");
  assert.equal(startForRow("0", 25, "100"), "0");
  assert.equal(startForRow("abc", 25, "100"), null);
  assert.equal(startForRow("4294967296", 25, (2n ** 32n).toString()), "4294967275");
});

test("selection: click, ctrl toggles, shift extends", () => {
  const keys = [10, 11, 12, 13];
  assert.deepEqual(nextSelection([10], 11), [11]);
  assert.deepEqual(nextSelection([10], 11, { toggle: true }), [10, 11]);
  assert.deepEqual(nextSelection([10, 11], 11, { toggle: true }), [10]);
  assert.deepEqual(nextSelection([10], 13, { extend: true, anchor: 10, pageKeys: keys }), [10, 11, 12, 13]);
});

test("every filter box keeps its own text: drafts make the query", () => {
  // typing "gamma" in the text box and "404" in a column box: both are sent
  const drafts = { text: "gamma", columns: { status: "404", host: "" } };
  assert.deepEqual(filtersFromDrafts(drafts), { text: "gamma", columns: { status: "404" } });
  // clearing three boxes quickly: all three are cleared, none comes back
  const cleared = { text: "", columns: { a: "", b: "", c: "" } };
  assert.deepEqual(filtersFromDrafts(cleared), { text: "", columns: {} });
});

test("a query from Python reaches only the boxes not being edited", () => {
  const drafts = { text: "typing", columns: { a: "x", b: "y" } };
  const q = { text: "from python", columns: { a: "1", c: "2" } };
  const out = adoptQuery(drafts, q, new Set(["", "b"]));
  assert.equal(out.text, "typing");
  assert.deepEqual(out.columns, { a: "1", b: "y", c: "2" });
});

test("filter hints fit their box and the tooltip has the rest", () => {
  for (const kind of ["int", "float", "datetime", "str", "bool"]) {
    const h = filterHint({ kind });
    assert.ok(h.placeholder.length <= 11, `${kind}: ${h.placeholder}`);
    assert.ok(h.title.length > h.placeholder.length);
  }
});

test("arrow keys move the cursor, and past the ends ask for a page", () => {
  assert.equal(moveCursor(-1, "ArrowDown", 25), 0);
  assert.equal(moveCursor(3, "ArrowDown", 25), 4);
  assert.equal(moveCursor(24, "ArrowDown", 25), "next");
  assert.equal(moveCursor(0, "ArrowUp", 25), "prev");
  assert.equal(moveCursor(5, "ArrowUp", 25), 4);
  assert.equal(moveCursor(0, "ArrowDown", 0), null);
  assert.equal(moveCursor(0, "Tab", 5), null);
});

test("summaries read as lines and bars", () => {
  const s = { column: "x", kind: "float", dtype: "float64", rows: 10, count: 9, nulls: 1, distinct: 1234567, distinct_approx: true, min: -1.5, max: 2, mean: 0.25 };
  const lines = Object.fromEntries(summaryLines(s));
  assert.equal(lines.count, "9");
  assert.equal(lines.distinct, "≈ 1,234,567");
  assert.equal(lines.min, "-1.5");
  assert.equal(lines.type, "float (float64)");
  assert.equal(summaryLines({ ...s, distinct: null, min: null, max: null, mean: null }).length, 3);
  const bars = histogramBars({ labels: ["0", "1", "2"], counts: [5, 10, 0] });
  assert.deepEqual(bars.map((b) => b.height), [0.5, 1, 0]);
  assert.deepEqual(histogramBars(null), []);
  assert.equal(grouped(12345678n), "12,345,678");
});

test("a histogram's axis ends at the upper edge of its last bin", () => {
  assert.equal(axisEnd({ edges: [-4.679837, 4.7319576886] }, []), "4.73196");
  assert.equal(axisEnd({ edges: ["2024-01-01 00:00:00", "2024-12-31 00:00:00"] }, []), "2024-12-31 00:00:00");
  assert.equal(axisEnd({ labels: ["10.0.0.0/8"], counts: [3] }, [{ label: "10.0.0.0/8" }]), "10.0.0.0/8");
});
