// The static site's Markdown (genimg/app/web/markdown.js): the subset How it works and the model cards use, math
// handed over untouched, and nothing in the text read as HTML. Node's built-in runner: `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { renderInline, renderMarkdown } from "../../genimg/app/web/markdown.js";

const math = (tex, display) => `[${display ? "D" : "I"}:${tex}]`;

test("emphasis, code and math; the math's * and _ are not emphasis", () => {
  assert.equal(renderInline("**bold** and *it* with `a_b*c` and $x_i * y_i$", math),
               "<strong>bold</strong> and <em>it</em> with <code>a_b*c</code> and [I:x_i * y_i]");
  assert.equal(renderInline("$$\\min_G \\max_D V$$", math), "[D:\\min_G \\max_D V]");
});

test("text is escaped; only <br> and <small> pass as tags", () => {
  assert.equal(renderInline("<script>alert(1)</script> a<br><small>b</small> \"q\" & c", math),
               "&lt;script&gt;alert(1)&lt;/script&gt; a<br><small>b</small> &quot;q&quot; &amp; c");
  assert.equal(renderInline("`<img src=x onerror=1>`", math), "<code>&lt;img src=x onerror=1&gt;</code>");
});

test("headings, paragraphs, lists, a display formula on its own", () => {
  const html = renderMarkdown("# genimg\nA first\nparagraph.\n\n- $D$ wants\n- $G$ wants\n\n1. draw\n2. step\n\n" +
                              "$$L = 1$$\n\n**1. Not a list.** text", { math });
  assert.equal(html, ["<h1>genimg</h1>", "<p>A first\nparagraph.</p>",
                      "<ul><li>[I:D] wants</li><li>[I:G] wants</li></ul>", "<ol><li>draw</li><li>step</li></ol>",
                      "[D:L = 1]", "<p><strong>1. Not a list.</strong> text</p>"].join("\n"));
});

test("a pipe table, with a pipe inside code kept in its cell", () => {
  const markdown = "### GAN · `mnist/gan`\n\n| what | value |\n|---|---|\n| command | `a | b`<br><small>x</small> |";
  const html = renderMarkdown(markdown, { math });
  assert.equal(html, "<h3>GAN · <code>mnist/gan</code></h3>\n" +
               "<table><thead><tr><th>what</th><th>value</th></tr></thead>" +
               "<tbody><tr><td>command</td><td><code>a | b</code><br><small>x</small></td></tr></tbody></table>");
});

test("every How it works text renders with each formula handed to math once", () => {
  for (const language of ["en", "zh"]) {
    const table = JSON.parse(readFileSync(new URL(`../../genimg/app/locales/${language}.json`, import.meta.url)));
    for (const [key, text] of Object.entries(table).filter(([k]) => k.startsWith("how_") && k.endsWith("_md"))) {
      const formulas = [];
      const record = (tex, display) => { formulas.push(tex); return display ? "<D>" : "<I>"; };
      const html = renderMarkdown(text, { math: record });
      const expected = (text.match(/\$\$[^$]+\$\$|\$[^$]+\$/g) || []).length;
      assert.equal(formulas.length, expected, `${language} ${key}`);
      assert.ok(!/\$/.test(html.replace(/<code>[^<]*<\/code>/g, "")), `${language} ${key}: a $ left in the text`);
      assert.ok(!/\*\*/.test(html), `${language} ${key}: a ** left in the text`);
    }
  }
});
