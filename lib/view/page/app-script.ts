// The viewer page's application: list, filters, record page, labels, keyboard.
// Browser JavaScript, kept as text: it has no backticks, no dollar-brace and no backslashes.
export const APP_SCRIPT = `"use strict";
/*
 * The viewer's page: a list of records (filters, sort, paging) and a record page
 * (conversation by role, judge scores, rule values, DPO pairs side by side, labels).
 * State lives in the URL's hash, so a view can be bookmarked, reloaded and linked to
 * (the report's chart bins link here). Record text goes into the DOM as text only.
 */
(function () {
  var el = Markdown.el;
  var main = document.getElementById("main");
  var files = [], rules = {};
  var FILTERS = ["score_min", "score_max", "score_below", "lang", "node", "cause", "kind", "label", "q", "sort"];
  var PAGE = 50;
  var selected = 0, rowsShown = [], lastList = "";
  var current = null;

  window.addEventListener("error", function (e) { document.documentElement.dataset.error = String(e.message); });

  function api(path, init) {
    return fetch(path, init).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body && body.error ? body.error : res.status + " " + res.statusText);
        return body;
      });
    });
  }
  function parseHash() {
    var hash = location.hash.replace(/^#/, "") || "/list";
    var q = hash.indexOf("?");
    return { page: q === -1 ? hash : hash.slice(0, q), params: new URLSearchParams(q === -1 ? "" : hash.slice(q + 1)) };
  }
  function go(page, params) {
    var hash = "#" + page + "?" + params.toString();
    // The same address again (the list changed under it) fires no hashchange: draw it anyway.
    if (location.hash === hash) route();
    else location.hash = hash;
  }
  function listParams(params) {
    var out = new URLSearchParams();
    out.set("file", params.get("file") || "0");
    FILTERS.forEach(function (k) { var v = params.get(k); if (v !== null && v !== "") out.set(k, v); });
    params.getAll("tag").forEach(function (t) { out.append("tag", t); });
    return out;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function done(view) { document.body.dataset.view = view; document.body.dataset.ready = "1"; }
  function fmt(x) { return x === null || x === undefined ? "" : typeof x === "number" ? String(Math.round(x * 1000) / 1000) : String(x); }

  function header(fileNo, params) {
    var bar = el("header");
    bar.appendChild(el("strong", "sygra-stream view"));
    var tabs = bar.appendChild(el("nav"));
    files.forEach(function (f) {
      var a = el("a", f.name + " (" + f.records + ")");
      var p = new URLSearchParams(); p.set("file", String(f.file));
      a.href = "#/list?" + p.toString();
      if (f.file === fileNo) a.className = "current";
      tabs.appendChild(a);
    });
    var report = el("a", "report");
    report.href = "/report?file=" + fileNo;
    report.id = "report-link";
    tabs.appendChild(report);
    var help = el("span", "j/k move · Enter open · [ ] page · / search · a r f label · Esc back", "muted keys");
    bar.appendChild(help);
    return bar;
  }

  function select(name, label, entries, value, format) {
    var box = el("label", label + " ");
    var s = box.appendChild(el("select"));
    s.name = name;
    s.appendChild(el("option", "any")).value = "";
    entries.forEach(function (e) {
      var o = s.appendChild(el("option", (format ? format(e.value) : e.value) + " (" + e.count + ")"));
      o.value = e.value;
    });
    if (value && !entries.some(function (e) { return e.value === value; })) s.appendChild(el("option", value)).value = value;
    s.value = value || "";
    return box;
  }
  function input(name, label, value, type) {
    var box = el("label", label + " ");
    var i = box.appendChild(el("input"));
    i.name = name;
    i.type = type || "text";
    if (type === "number") i.step = "any";
    i.value = value || "";
    return box;
  }

  function filterForm(file, params) {
    var form = el("form");
    form.id = "filters";
    var f = file.filters;
    form.appendChild(input("score_min", "score ≥", params.get("score_min"), "number"));
    form.appendChild(input("score_max", "≤", params.get("score_max"), "number"));
    if (f) {
      var failed = f.tags.filter(function (t) { return t.value.indexOf("rule:") === 0; });
      var rule = params.getAll("tag").filter(function (t) { return t.indexOf("rule:") === 0; })[0] || "";
      form.appendChild(select("rule", "failed rule", failed, rule, function (v) { return v.slice(5); }));
      form.appendChild(select("lang", "language", f.languages, params.get("lang")));
      if (f.nodes.length) form.appendChild(select("node", "node", f.nodes, params.get("node")));
      if (f.causes.length) form.appendChild(select("cause", "cause", f.causes, params.get("cause")));
      var kinds = Object.keys(f.kinds).map(function (k) { return { value: k, count: f.kinds[k] }; });
      if (kinds.length > 1) form.appendChild(select("kind", "kind", kinds, params.get("kind")));
    }
    form.appendChild(select("label", "label", ["accept", "reject", "flag", "none"].map(function (l) { return { value: l, count: l === "none" ? file.records - file.labels.accept - file.labels.reject - file.labels.flag : file.labels[l] }; }), params.get("label")));
    form.appendChild(input("q", "search", params.get("q"), "search"));
    var sort = select("sort", "sort", [], params.get("sort"));
    var s = sort.querySelector("select");
    clear(s);
    [["line", "file order"], ["-score", "score, high first"], ["score", "score, low first"]].forEach(function (o) { s.appendChild(el("option", o[1])).value = o[0]; });
    s.value = params.get("sort") || "line";
    if (!f) s.disabled = true;
    form.appendChild(sort);
    var other = params.getAll("tag").filter(function (t) { return t.indexOf("rule:") !== 0; });
    other.forEach(function (t) {
      var chip = form.appendChild(el("button", t + " ×", "chip"));
      chip.type = "button";
      chip.dataset.tag = t;
      chip.addEventListener("click", function () {
        var p = listParams(params);
        var rest = p.getAll("tag").filter(function (x) { return x !== t; });
        p.delete("tag");
        rest.forEach(function (x) { p.append("tag", x); });
        go("/list", p);
      });
    });
    function apply() {
      var p = new URLSearchParams();
      p.set("file", String(file.file));
      Array.prototype.forEach.call(form.elements, function (e) {
        if (!e.name || e.value === "" || e.name === "rule") return;
        if (e.name === "sort" && e.value === "line") return;
        p.set(e.name, e.value);
      });
      var ruleSel = form.elements.namedItem("rule");
      if (ruleSel && ruleSel.value) p.append("tag", ruleSel.value);
      other.forEach(function (t) { p.append("tag", t); });
      go("/list", p);
    }
    form.addEventListener("change", function (e) { if (e.target.name !== "q") apply(); });
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    return form;
  }

  function showList(params, generation) {
    var fileNo = Number(params.get("file") || 0);
    var file = files[fileNo];
    if (!file) return fail("no file number " + fileNo);
    var offset = Math.max(0, Number(params.get("offset") || 0));
    var query = listParams(params);
    query.set("offset", String(offset));
    query.set("limit", String(PAGE));
    return api("/api/list?" + query.toString()).then(function (page) {
      if (generation !== routes) return;
      clear(main);
      main.appendChild(header(fileNo, params));
      main.appendChild(filterForm(file, params));
      if (!file.filters) main.appendChild(el("p", "Reading the records for filters and sorting… paging and search work now.", "muted pending"));
      var status = main.appendChild(el("p", "", "status"));
      status.id = "status";
      status.textContent = page.total === 0 ? "No records match." : page.total + " records match · " + (offset + 1) + "–" + (offset + page.rows.length);
      var table = main.appendChild(el("table"));
      table.id = "records";
      var head = table.appendChild(el("tr"));
      ["line", "id", "score", "lang", "failed rules", "label", "text"].forEach(function (h) { head.appendChild(el("th", h)); });
      rowsShown = page.rows;
      // Another list starts at its top; back on the same list, the selection stays where it was.
      var key = listParams(params).toString() + "&offset=" + offset;
      if (key !== lastList) selected = 0;
      if (params.get("at") !== null) selected = Number(params.get("at")) - offset;
      lastList = key;
      selected = Math.min(Math.max(0, selected), Math.max(0, rowsShown.length - 1));
      page.rows.forEach(function (r, i) {
        var tr = table.appendChild(el("tr"));
        tr.dataset.n = String(r.n);
        tr.tabIndex = -1;
        tr.appendChild(el("td", String(r.line), "num"));
        tr.appendChild(el("td", r.id === null ? "" : r.id));
        tr.appendChild(el("td", fmt(r.score), "num"));
        tr.appendChild(el("td", r.language));
        tr.appendChild(el("td", r.failed.join(", "), "failed"));
        tr.appendChild(el("td", r.label || "", r.label ? "label " + r.label : ""));
        var text = tr.appendChild(el("td", "", "excerpt"));
        if (r.kind === "rejected" || r.kind === "error") text.appendChild(el("span", r.kind + " at " + r.node + ": " + r.cause + " · ", "cause"));
        text.appendChild(document.createTextNode(r.excerpt));
        tr.addEventListener("click", function () { selected = i; openSelected(params, offset); });
      });
      var pager = main.appendChild(el("div", "", "pager"));
      var prev = pager.appendChild(el("button", "← previous page"));
      prev.disabled = offset === 0;
      prev.id = "prev-page";
      prev.addEventListener("click", function () { page_(params, offset - PAGE); });
      var next = pager.appendChild(el("button", "next page →"));
      next.disabled = offset + PAGE >= page.total;
      next.id = "next-page";
      next.addEventListener("click", function () { page_(params, offset + PAGE); });
      mark();
      current = { view: "list", params: params, offset: offset, total: page.total };
      done("list");
      if (!file.filters) setTimeout(refreshFiles, 1000);
    });
  }
  function page_(params, offset) {
    var p = listParams(params);
    if (offset > 0) p.set("offset", String(offset));
    selected = 0;
    go("/list", p);
  }
  function refreshFiles() {
    return api("/api/files").then(function (list) {
      var before = files.map(function (f) { return !!f.filters; }).join();
      files = list;
      if (files.map(function (f) { return !!f.filters; }).join() !== before) route();
      else if (files.some(function (f) { return !f.filters; })) setTimeout(refreshFiles, 1000);
    });
  }
  function mark() {
    var trs = document.querySelectorAll("#records tr[data-n]");
    Array.prototype.forEach.call(trs, function (tr, i) { tr.classList.toggle("selected", i === selected); });
    if (trs[selected]) trs[selected].scrollIntoView({ block: "nearest" });
  }
  function openSelected(params, offset) {
    var r = rowsShown[selected];
    if (!r) return;
    var p = listParams(params);
    p.set("at", String(offset + selected));
    go("/record", p);
  }

  function turns(parent, list) {
    list.forEach(function (m) {
      if (!m || typeof m !== "object") return;
      var role = String(m.role || m.from || "?");
      var turn = parent.appendChild(el("div", "", "turn role-" + role.replace(/[^a-z_-]/gi, "")));
      turn.appendChild(el("div", role, "role"));
      if (m.reasoning_content || m.reasoning) {
        var d = turn.appendChild(el("details", "", "reasoning"));
        d.appendChild(el("summary", "reasoning"));
        d.appendChild(Markdown.render(String(m.reasoning_content || m.reasoning)));
      }
      var content = m.content !== undefined ? m.content : m.value;
      var body = turn.appendChild(el("div", "", "content"));
      if (typeof content === "string") body.appendChild(Markdown.render(content));
      else if (Array.isArray(content)) content.forEach(function (part) { body.appendChild(typeof part === "object" && part && typeof part.text === "string" ? Markdown.render(part.text) : el("pre", JSON.stringify(part, null, 2))); });
      else if (content !== null && content !== undefined) body.appendChild(el("pre", JSON.stringify(content, null, 2)));
      if (m.tool_calls) body.appendChild(el("pre", JSON.stringify(m.tool_calls, null, 2), "tool-calls"));
    });
  }
  function side(parent, title, value) {
    var col = parent.appendChild(el("div", "", "side"));
    col.appendChild(el("h3", title));
    if (Array.isArray(value)) turns(col, value);
    else if (typeof value === "string") col.appendChild(el("div", "", "content")).appendChild(Markdown.render(value));
    else col.appendChild(el("pre", JSON.stringify(value, null, 2)));
  }
  function conversation(parent, r) {
    var list = Array.isArray(r.messages) ? r.messages : Array.isArray(r.conversation) ? r.conversation : Array.isArray(r.conversations) ? r.conversations : null;
    if (r.chosen !== undefined && r.rejected !== undefined) {
      var prompt = r.prompt;
      if (Array.isArray(prompt)) turns(parent.appendChild(el("section", "", "prompt")), prompt);
      else if (typeof prompt === "string") turns(parent.appendChild(el("section", "", "prompt")), [{ role: "user", content: prompt }]);
      var pair = parent.appendChild(el("div", "", "pair"));
      pair.id = "dpo-pair";
      side(pair, "chosen", r.chosen);
      side(pair, "rejected", r.rejected);
      return;
    }
    if (list) return turns(parent, list);
    var fields = ["system", "instruction", "prompt", "question", "input", "response", "answer", "completion", "output", "text"].filter(function (k) { return typeof r[k] === "string"; });
    turns(parent, fields.map(function (k) { return { role: k, content: r[k] }; }));
  }
  function quality(parent, q) {
    if (!q || typeof q !== "object") return;
    var box = parent.appendChild(el("section", "", "quality"));
    box.appendChild(el("h2", "quality" + (typeof q.score === "number" ? ": score " + fmt(q.score) : "")));
    if (q.judge && typeof q.judge === "object") {
      var t = box.appendChild(el("table"));
      t.id = "judge";
      var h = t.appendChild(el("tr"));
      ["criterion", "score", "rationale"].forEach(function (x) { h.appendChild(el("th", x)); });
      Object.keys(q.judge).forEach(function (k) {
        var c = q.judge[k] || {};
        var tr = t.appendChild(el("tr"));
        tr.appendChild(el("td", k));
        tr.appendChild(el("td", fmt(c.score), "num"));
        tr.appendChild(el("td", c.rationale === undefined ? "" : String(c.rationale)));
      });
    }
    if (q.rules && typeof q.rules === "object") {
      var rt = box.appendChild(el("table"));
      rt.id = "rules";
      var rh = rt.appendChild(el("tr"));
      ["rule", "value", "default bound", ""].forEach(function (x) { rh.appendChild(el("th", x)); });
      // Failed rules first, then the rest in the record's order.
      var order = Object.keys(q.rules);
      var failedFirst = function (k) { return q.rules[k] && q.rules[k].pass === false ? 0 : 1; };
      var names = order.slice().sort(function (a, b) { return failedFirst(a) - failedFirst(b) || order.indexOf(a) - order.indexOf(b); });
      names.forEach(function (k) {
        var v = q.rules[k] || {};
        var def = rules[k];
        var bound = def ? [def.min !== null ? "≥ " + def.min : "", def.max !== null ? "≤ " + def.max : ""].filter(Boolean).join(", ") : "";
        var tr = rt.appendChild(el("tr", "", v.pass === false ? "fail" : ""));
        tr.appendChild(el("td", k));
        tr.appendChild(el("td", typeof v.value === "object" && v.value !== null ? JSON.stringify(v.value) : fmt(v.value), "num"));
        tr.appendChild(el("td", bound));
        tr.appendChild(el("td", v.pass === false ? "fail" : v.pass === true ? "pass" : ""));
      });
    }
  }
  function labelBar(rec) {
    var bar = el("div", "", "labels");
    bar.id = "label-bar";
    [["accept", "a"], ["reject", "r"], ["flag", "f"]].forEach(function (l) {
      var b = bar.appendChild(el("button", l[0] + " (" + l[1] + ")", "label " + l[0]));
      b.type = "button";
      b.dataset.label = l[0];
      b.addEventListener("click", function () { setLabel(rec, l[0]); });
    });
    var clearB = bar.appendChild(el("button", "clear (c)"));
    clearB.type = "button";
    clearB.addEventListener("click", function () { setLabel(rec, null); });
    var note = bar.appendChild(el("input"));
    note.id = "note";
    note.placeholder = "note (optional)";
    note.value = rec.label ? rec.label.note : "";
    var state = bar.appendChild(el("span", rec.label ? "labelled " + rec.label.label : "not labelled", "state"));
    state.id = "label-state";
    return bar;
  }
  function setLabel(rec, label) {
    var note = document.getElementById("note");
    var state = document.getElementById("label-state");
    state.textContent = "saving…";
    return api("/api/label", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ file: rec.file, n: rec.n, label: label, note: note ? note.value : "" }) })
      .then(function (saved) {
        rec.label = saved.label ? saved : null;
        var wanted = current && current.view === "record" ? current.params.get("label") : null;
        if (wanted && current.rec === rec) {
          var left = (saved.label || "none") !== wanted;
          if (left && !current.left) current.total--;
          current.left = left;
        }
        state.textContent = saved.label ? "labelled " + saved.label : "not labelled";
        state.dataset.saved = saved.label || "none";
        var f = files[rec.file];
        return api("/api/files").then(function (list) { files = list; return f; });
      })
      .catch(function (err) { state.textContent = "not saved: " + err.message; });
  }

  function showRecord(params, generation) {
    var fileNo = Number(params.get("file") || 0);
    var at = Number(params.get("at") || 0);
    var around = listParams(params);
    around.set("offset", String(Math.max(0, at - 1)));
    around.set("limit", at > 0 ? "3" : "2");
    // The record is named by its place in the list (at), or by its number (n) when the list cannot say.
    return api("/api/list?" + around.toString()).catch(function () { return null; }).then(function (near) {
      var n = params.get("n");
      if (near) near.rows.forEach(function (r, i) { if (near.offset + i === at && n === null) n = String(r.n); });
      if (n === null) throw new Error("no record at place " + (at + 1) + " of this list");
      return api("/api/record?file=" + fileNo + "&n=" + n).then(function (rec) { return [rec, near]; });
    }).then(function (both) {
      if (generation !== routes) return;
      var rec = both[0], near = both[1];
      clear(main);
      main.appendChild(header(fileNo, params));
      var nav = main.appendChild(el("div", "", "nav"));
      var back = nav.appendChild(el("a", "← list"));
      back.id = "back";
      var listP = listParams(params);
      var pageStart = Math.floor(at / PAGE) * PAGE;
      if (pageStart > 0) listP.set("offset", String(pageStart));
      listP.set("at", String(at));
      back.href = "#/list?" + listP.toString();
      var total = near ? near.total : 1;
      if (near) nav.appendChild(el("span", " record " + (at + 1) + " of " + total + " ", "muted"));
      function link(pos, text, id) {
        var a = nav.appendChild(el("a", text));
        a.id = id;
        if (!near || pos < 0 || pos >= total) { a.className = "disabled"; return; }
        var p = listParams(params); p.set("at", String(pos));
        a.href = "#/record?" + p.toString();
      }
      link(at - 1, "← previous (k)", "prev");
      link(at + 1, "next (j) →", "next");
      var title = main.appendChild(el("h1", files[fileNo].name + ":" + rec.line + (rec.record && rec.record.id !== undefined ? " · id " + String(rec.record.id) : "")));
      title.id = "record-title";
      main.appendChild(labelBar(rec));
      if (rec.kind === "rejected" || rec.kind === "error") {
        var why = main.appendChild(el("p", "", "cause"));
        why.appendChild(el("strong", rec.kind === "rejected" ? "Filtered by " : "Failed in "));
        why.appendChild(document.createTextNode(String(rec.line_value.node) + ": " + String(rec.kind === "rejected" ? rec.line_value.reason : rec.line_value.error)));
      }
      if (rec.invalid) main.appendChild(el("p", "Not JSON: " + rec.invalid, "cause"));
      var body = main.appendChild(el("section", "", "conversation"));
      body.id = "conversation";
      if (rec.record) {
        conversation(body, rec.record);
        var q = rec.record.quality || (rec.record.meta && rec.record.meta.quality);
        quality(main, q);
      } else if (rec.text !== null) body.appendChild(el("pre", rec.text));
      else if (rec.line_value && typeof rec.line_value.input === "string") body.appendChild(el("pre", rec.line_value.input));
      var raw = main.appendChild(el("details", "", "raw"));
      raw.appendChild(el("summary", "JSON"));
      raw.appendChild(el("pre", rec.text !== null ? rec.text : JSON.stringify(rec.line_value, null, 2)));
      current = { view: "record", rec: rec, params: params, at: at, total: near ? total : at + 1, back: back.href };
      done("record");
    });
  }

  function fail(message) {
    clear(main);
    main.appendChild(el("p", message, "cause"));
    done("error");
  }
  // Each route is numbered; an answer that arrives after a newer route began is not drawn.
  var routes = 0;
  function route() {
    document.body.dataset.ready = "0";
    var r = parseHash();
    var generation = ++routes;
    var shown = r.page === "/record" ? showRecord(r.params, generation) : showList(r.params, generation);
    return Promise.resolve(shown).catch(function (err) { fail(err.message); });
  }

  // Moves from record to record; keys pressed before the next record is drawn still count.
  function step(by) {
    // A record labelled out of a list filtered by label has left it: the next one took its place.
    var target = current.at + (current.left && by > 0 ? 0 : by);
    if (target < 0 || target >= current.total) return;
    current.at = target;
    current.left = false;
    var p = listParams(current.params);
    p.set("at", String(target));
    go("/record", p);
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || !current) return;
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
    if (typing) {
      if (e.key === "Escape") t.blur();
      return;
    }
    if (current.view === "list") {
      if (e.key === "j" || e.key === "ArrowDown") { selected = Math.min(rowsShown.length - 1, selected + 1); mark(); }
      else if (e.key === "k" || e.key === "ArrowUp") { selected = Math.max(0, selected - 1); mark(); }
      else if (e.key === "Enter" || e.key === "o") openSelected(current.params, current.offset);
      else if (e.key === "]" && current.offset + PAGE < current.total) page_(current.params, current.offset + PAGE);
      else if (e.key === "[" && current.offset > 0) page_(current.params, current.offset - PAGE);
      else if (e.key === "/") { var q = document.querySelector("input[name=q]"); if (q) q.focus(); }
      else return;
    } else if (current.view === "record") {
      if (e.key === "j" || e.key === "ArrowRight") step(1);
      else if (e.key === "k" || e.key === "ArrowLeft") step(-1);
      else if (e.key === "a") setLabel(current.rec, "accept");
      else if (e.key === "r") setLabel(current.rec, "reject");
      else if (e.key === "f") setLabel(current.rec, "flag");
      else if (e.key === "c") setLabel(current.rec, null);
      else if (e.key === "Escape" || e.key === "u") location.href = current.back;
      else return;
    } else return;
    e.preventDefault();
  });

  window.addEventListener("hashchange", route);
  Promise.all([api("/api/files"), api("/api/rules")]).then(function (both) {
    files = both[0];
    rules = both[1];
    return route();
  }).catch(function (err) { fail(err.message); });
})();
`;
