// A small Markdown renderer for the subset genimg's texts use (How it works, the model cards, the intros): headings,
// paragraphs, "-" and "1." lists, pipe tables, **bold**, *italic*, `code`, $inline$ and $$display$$ math, and the
// two inline tags the cards use (<br>, <small>). Everything else is text: it is escaped, never read as HTML, so a
// card's free text cannot inject markup. Math is handed to `math(tex, display)` (KaTeX on the static site), which
// returns HTML. Pure: no DOM (tests/js/markdown.test.mjs).
//
// Why not a Markdown library: a general one (marked, markdown-it) reads the `_` and `*` inside the LaTeX as
// emphasis unless a math extension runs first, and this subset is all the texts need.
//
//   const math = (tex, display) => katex.renderToString(tex, { displayMode: display });
//   renderMarkdown("**D** wants $D(x) \\to 1$", { math });

const ALLOWED_TAGS = { "&lt;br&gt;": "<br>", "&lt;small&gt;": "<small>", "&lt;/small&gt;": "</small>" };

/** Text -> HTML text: & < > " escaped. */
export function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One line (or a paragraph's lines) of inline Markdown -> HTML. */
export function renderInline(text, math = defaultMath) {
  const kept = []; // code and math, set aside so that their `*` and `_` are not emphasis
  const keep = (html) => `\u0000${kept.push(html) - 1}\u0000`;
  let html = String(text)
    .replace(/`([^`]+)`/g, (_, code) => keep(`<code>${escapeHtml(code)}</code>`))
    .replace(/\$\$([^$]+?)\$\$/g, (_, tex) => keep(math(tex.trim(), true)))
    .replace(/\$([^$]+?)\$/g, (_, tex) => keep(math(tex.trim(), false)));
  html = escapeHtml(html)
    .replace(/&lt;\/?(?:br|small)&gt;/g, (tag) => ALLOWED_TAGS[tag])
    .replace(/\*\*(\S(?:[^*]*?\S)?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*(\S(?:[^*]*?\S)?)\*(?![*\w])/g, "$1<em>$2</em>");
  return html.replace(/\u0000(\d+)\u0000/g, (_, i) => kept[Number(i)]);
}

/** A table row "| a | `b|c` | $x$ |" -> its cells (a pipe inside code or math does not split). */
function cells(line) {
  const out = [""];
  let inside = null; // "`" or "$" while inside code or math
  for (const char of line.trim().replace(/^\|/, "").replace(/\|$/, "")) {
    if (char === "|" && !inside) out.push("");
    else {
      if (char === "`" || char === "$") inside = inside === char ? null : inside || char;
      out[out.length - 1] += char;
    }
  }
  return out.map((cell) => cell.trim());
}

const HEADING = /^(#{1,6})\s+(.*)$/;
const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/** Markdown -> HTML (see the module's comment for what is read). `options.math(tex, display)` -> HTML. */
export function renderMarkdown(text, { math = defaultMath } = {}) {
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  const out = [];
  const inline = (value) => renderInline(value, math);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i += 1; continue; }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1].length;
      out.push(`<h${level}>${inline(heading[2].trim())}</h${level}>`);
      i += 1;
    } else if (line.trim().startsWith("|") && TABLE_RULE.test(lines[i + 1] || "")) {
      const head = cells(line);
      const rows = [];
      for (i += 2; i < lines.length && lines[i].trim().startsWith("|"); i++) rows.push(cells(lines[i]));
      out.push(`<table><thead><tr>${head.map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>` +
               rows.map((row) => `<tr>${row.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("") +
               "</tbody></table>");
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const marker = BULLET.test(line) ? BULLET : NUMBERED;
      const items = [];
      while (i < lines.length && lines[i].trim()) {
        const item = marker.exec(lines[i]);
        if (item) items.push(item[1]);
        else if (HEADING.test(lines[i]) || BULLET.test(lines[i]) || NUMBERED.test(lines[i])) break;
        else items[items.length - 1] += `\n${lines[i].trim()}`; // a continuation line of the item
        i += 1;
      }
      const tag = marker === BULLET ? "ul" : "ol";
      out.push(`<${tag}>${items.map((item) => `<li>${inline(item)}</li>`).join("")}</${tag}>`);
    } else {
      const paragraph = [];
      while (i < lines.length && lines[i].trim() && !HEADING.test(lines[i]) && !BULLET.test(lines[i]) &&
             !NUMBERED.test(lines[i]) && !(lines[i].trim().startsWith("|") && TABLE_RULE.test(lines[i + 1] || ""))) {
        paragraph.push(lines[i].trim());
        i += 1;
      }
      const body = paragraph.join("\n");
      const display = /^\$\$[^$]+\$\$$/.test(body); // a formula on its own: no <p> around the display block
      out.push(display ? inline(body) : `<p>${inline(body)}</p>`);
    }
  }
  return out.join("\n");
}

/** Without a math renderer the TeX stays readable, as code. */
function defaultMath(tex, display) {
  return `<code class="math${display ? " math-display" : ""}">${escapeHtml(tex)}</code>`;
}
