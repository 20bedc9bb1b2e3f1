import type { DatasetSummary } from './summary.js';

/**
 * A self-contained HTML report: the summary as JSON inside the page, drawn into SVG bar
 * charts by a small inline script (no network at view time). Record text is untrusted:
 * it travels as JSON with `<` escaped, so it cannot close the script element, and the
 * script puts it on the page with textContent only. When every chart is drawn the script
 * sets data-charts on <html> (a browser test reads it); a script error sets data-error.
 */
export interface HtmlOptions {
  /** A CSP nonce for the page's own style and script (set when a server sends a policy). */
  nonce?: string;
  /** When served by `view`: the viewer's list of the file; each chart bin links to it, filtered. */
  listLink?: string;
}

export function renderHtml(summary: DatasetSummary, title: string, options: HtmlOptions = {}): string {
  const data = JSON.stringify({ ...summary, listLink: options.listLink ?? null })
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  const nonceAttr = options.nonce ? ` nonce="${escapeHtml(options.nonce)}"` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style${nonceAttr}>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 960px; color: #1d2330; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #d8dce6; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 1rem; }
.chart h3 { font-size: .95rem; margin: .5rem 0; } svg { width: 100%; height: auto; }
.bar { fill: #4c6ef5; } .bar.fail { fill: #e8590c; } text { font-size: 11px; fill: #1d2330; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eef0f4; vertical-align: top; }
.num { text-align: right; font-variant-numeric: tabular-nums; } .muted { color: #6b7385; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p id="overview" class="muted"></p>
<h2>Quality score</h2><div class="grid" id="scores"></div>
<h2>Judge criteria</h2><div class="grid" id="criteria"></div>
<h2>Heuristic rules: pass rate</h2><div id="rules"></div>
<h2>Languages and turns</h2><div class="grid" id="mix"></div>
<h2>Lowest-scoring examples</h2><table id="lowest"></table>
<h2>Highest-scoring examples</h2><table id="highest"></table>
<script type="application/json" id="summary">${data}</script>
<script${nonceAttr}>
"use strict";
window.addEventListener("error", function (e) { document.documentElement.dataset.error = String(e.message); });
(function () {
  var s = JSON.parse(document.getElementById("summary").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var drawn = 0;
  function el(tag, attrs, text) {
    var n = tag === "svg" || tag === "rect" || tag === "text" || tag === "g" || tag === "a" ? document.createElementNS(NS, tag) : document.createElement(tag);
    for (var k in attrs) n.setAttribute(k, attrs[k]);
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function bars(parent, title, labels, counts, options) {
    options = options || {};
    var box = el("div", { "class": "chart" });
    box.appendChild(el("h3", {}, title));
    var w = options.width || 300, rowH = 18, h = Math.max(1, labels.length) * rowH + 4, left = options.left || 90, right = options.right || 40;
    var max = Math.max.apply(null, counts.concat([1]));
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": title, "data-chart": title, style: "max-width: " + w + "px" });
    labels.forEach(function (label, i) {
      var y = 2 + i * rowH, width = Math.round(((w - left - right) * counts[i]) / max);
      // Served by the viewer, a bin links to its records there.
      var query = s.listLink && options.link ? options.link(i) : null;
      var row = query ? el("a", { href: s.listLink + "&" + query, "data-bin": String(label) }) : svg;
      row.appendChild(el("text", { x: left - 4, y: y + 12, "text-anchor": "end" }, String(label)));
      row.appendChild(el("rect", { x: left, y: y + 2, width: Math.max(width, counts[i] > 0 ? 1 : 0), height: rowH - 5, "class": options.fail && options.fail(i) ? "bar fail" : "bar" }));
      row.appendChild(el("text", { x: left + width + 4, y: y + 12 }, options.format ? options.format(i) : String(counts[i])));
      if (row !== svg) svg.appendChild(row);
    });
    box.appendChild(svg);
    parent.appendChild(box);
    drawn++;
  }
  function examples(table, list) {
    var head = el("tr");
    ["id", "score", "first user turn", "last reply"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(head);
    list.forEach(function (x) {
      var row = el("tr");
      row.appendChild(el("td", {}, x.id));
      row.appendChild(el("td", { "class": "num" }, String(x.score)));
      row.appendChild(el("td", {}, x.prompt));
      row.appendChild(el("td", {}, x.reply));
      table.appendChild(row);
    });
    if (list.length === 0) table.appendChild(el("tr")).appendChild(el("td", { "class": "muted" }, "no scored records"));
  }
  document.getElementById("overview").textContent = s.records + " records; " + s.scored + " scored" +
    (s.meanScore === null ? "" : ", mean quality.score " + s.meanScore) +
    (s.rulesPassed.checked ? "; " + s.rulesPassed.passed + " of " + s.rulesPassed.checked + " passed every heuristic rule" : "");
  function q(name, value) { return name + "=" + encodeURIComponent(value); }
  bars(document.getElementById("scores"), "quality.score", s.score.labels, s.score.counts, {
    // Bin i holds [i + 1, i + 2); the last also holds 10.
    link: function (i) { return q("score_min", i + 1) + "&" + (i === 8 ? q("score_max", 10) : q("score_below", i + 2)); },
  });
  Object.keys(s.criteria).forEach(function (name) {
    var c = s.criteria[name];
    bars(document.getElementById("criteria"), name, c.labels, c.counts, { link: function (i) { return q("tag", "judge:" + name + "=" + c.labels[i]); } });
  });
  var rules = Object.keys(s.rules);
  bars(document.getElementById("rules"), "pass rate by rule", rules, rules.map(function (r) { return s.rules[r].passed / s.rules[r].checked; }), {
    width: 760, left: 230, right: 110,
    format: function (i) { var r = s.rules[rules[i]]; return Math.round((100 * r.passed) / r.checked) + "% of " + r.checked; },
    fail: function (i) { var r = s.rules[rules[i]]; return r.passed < r.checked; },
    link: function (i) { var r = s.rules[rules[i]]; return r.passed < r.checked ? q("tag", "rule:" + rules[i]) : null; },
  });
  var languages = Object.keys(s.languages), turns = Object.keys(s.turns);
  bars(document.getElementById("mix"), "languages", languages, Object.values(s.languages), { link: function (i) { return q("lang", languages[i]); } });
  bars(document.getElementById("mix"), "turns per conversation", turns, Object.values(s.turns), { link: function (i) { return turns[i] === "none" ? null : q("tag", "turns:" + turns[i]); } });
  examples(document.getElementById("lowest"), s.lowest);
  examples(document.getElementById("highest"), s.highest);
  document.documentElement.dataset.charts = String(drawn);
})();
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
