// The viewer page's Markdown renderer: builds DOM nodes with textContent, never HTML.
// Browser JavaScript, kept as text (String.raw keeps its backslashes); it has no backticks.
export const MARKDOWN_SCRIPT = String.raw`"use strict";
/*
 * Markdown for record text, built as DOM nodes with textContent only: nothing in a record
 * is ever parsed as HTML. Fenced code, headings, lists, quotes, paragraphs; inline code,
 * bold, italics and links (http and https only; others stay text).
 */
var Markdown = (function () {
  function el(tag, text, cls) {
    var n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    if (cls) n.className = cls;
    return n;
  }
  var INLINE = /(\x60+)([\s\S]*?[^\x60])\1(?!\x60)|\*\*([^*\n]+)\*\*|__([^_\n]+)__|\*([^*\s][^*\n]*)\*|\b_([^_\s][^_\n]*)_\b|\[([^\]\n]+)\]\(([^)\s]+)\)/g;
  function inline(parent, text) {
    // A pattern of its own per call: bold and italics recurse, and a shared lastIndex would be lost.
    var pattern = new RegExp(INLINE.source, "g");
    var last = 0, m;
    while ((m = pattern.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[2] !== undefined) parent.appendChild(el("code", m[2]));
      else if (m[3] !== undefined || m[4] !== undefined) inline(parent.appendChild(el("strong")), m[3] !== undefined ? m[3] : m[4]);
      else if (m[5] !== undefined || m[6] !== undefined) inline(parent.appendChild(el("em")), m[5] !== undefined ? m[5] : m[6]);
      else if (/^https?:\/\//i.test(m[8])) {
        var a = el("a", m[7]);
        a.href = m[8];
        a.rel = "noopener noreferrer nofollow";
        a.target = "_blank";
        parent.appendChild(a);
      } else parent.appendChild(document.createTextNode(m[0]));
      last = pattern.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }
  function lines(parent, list) {
    list.forEach(function (line, i) {
      if (i > 0) parent.appendChild(el("br"));
      inline(parent, line);
    });
  }
  function render(text) {
    var root = document.createDocumentFragment();
    var all = String(text).replace(/\r\n?/g, "\n").split("\n");
    var i = 0;
    while (i < all.length) {
      var line = all[i];
      var fence = /^\s*(\x60\x60\x60+|~~~+)\s*([\w+#.-]*)/.exec(line);
      if (fence) {
        var body = [];
        i++;
        while (i < all.length && all[i].trim().indexOf(fence[1]) !== 0) body.push(all[i++]);
        i++;
        var pre = el("pre"), code = el("code", body.join("\n"));
        if (fence[2]) code.dataset.lang = fence[2];
        pre.appendChild(code);
        root.appendChild(pre);
        continue;
      }
      if (line.trim() === "") { i++; continue; }
      var heading = /^(#{1,6})\s+(.*)$/.exec(line);
      if (heading) {
        inline(root.appendChild(el("h" + Math.min(6, heading[1].length + 2))), heading[2]);
        i++;
        continue;
      }
      var item = /^\s*([-*+]|\d+[.)])\s+/;
      if (item.test(line)) {
        var ordered = /^\s*\d/.test(line);
        var listEl = root.appendChild(el(ordered ? "ol" : "ul"));
        while (i < all.length && item.test(all[i])) {
          var li = listEl.appendChild(el("li"));
          var parts = [all[i].replace(item, "")];
          i++;
          while (i < all.length && /^\s{2,}\S/.test(all[i]) && !item.test(all[i])) parts.push(all[i++].trim());
          lines(li, parts);
        }
        continue;
      }
      if (/^\s*>/.test(line)) {
        var quoted = [];
        while (i < all.length && /^\s*>/.test(all[i])) quoted.push(all[i++].replace(/^\s*>\s?/, ""));
        lines(root.appendChild(el("blockquote")), quoted);
        continue;
      }
      var para = [];
      while (i < all.length && all[i].trim() !== "" && !/^\s*(\x60\x60\x60|~~~)/.test(all[i]) && !/^#{1,6}\s/.test(all[i]) && !item.test(all[i]) && !/^\s*>/.test(all[i])) para.push(all[i++]);
      lines(root.appendChild(el("p")), para);
    }
    return root;
  }
  return { render: render, el: el };
})();
`;
