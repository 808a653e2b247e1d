// Renders a rule's Markdown page (from the wasm build's explain()): SQL
// blocks highlighted with the editor's PostgreSQL grammar; each `sql bad` /
// `sql good` example gets a button that opens it in the editor.
import { PostgreSQL } from '@codemirror/lang-sql';
import { classHighlighter, highlightCode } from '@lezer/highlight';
import { Marked } from 'marked';
import { parseBlock } from './examples.js';

export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Escapes text and shows `backquoted` parts as code. */
export function inlineCode(text) {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** HTML of `code` highlighted as PostgreSQL. */
export function highlightSql(code) {
  const tree = PostgreSQL.language.parser.parse(code);
  let html = '';
  highlightCode(
    code,
    tree,
    classHighlighter,
    (text, classes) => {
      html += classes ? `<span class="${classes}">${escapeHtml(text)}</span>` : escapeHtml(text);
    },
    () => {
      html += '\n';
    },
  );
  return html;
}

/** Renders `markdown`; returns {html, examples} where examples[i] is the
 *  example behind the button with data-example="i". */
export function renderRulePage(markdown) {
  const examples = [];
  const marked = new Marked({
    gfm: true,
    renderer: {
      code({ text, lang }) {
        const info = (lang || '').trim();
        const ex = parseBlock(info, text.endsWith('\n') ? text : text + '\n');
        if (!info.startsWith('sql')) {
          return `<pre class="code"><code>${escapeHtml(text)}</code></pre>\n`;
        }
        if (!ex) return `<pre class="code sql"><code>${highlightSql(text)}</code></pre>\n`;
        const i = examples.push(ex) - 1;
        const kind = ex.good ? 'good' : 'bad';
        const names = ex.files.map((f) => f.name).join(', ');
        return (
          `<figure class="example example-${kind}">` +
          `<figcaption><span class="example-kind">${ex.good ? '✓ Good' : '✗ Bad'}</span>` +
          `<span class="example-files">${escapeHtml(names)}</span>` +
          `<button type="button" class="small open-example" data-example="${i}">Open in editor</button></figcaption>` +
          `<pre class="code sql"><code>${highlightSql(text)}</code></pre></figure>\n`
        );
      },
      heading({ tokens, depth }) {
        // The page's own `# name` becomes the pane's heading (h2): the page
        // has one h1 already.
        const level = Math.min(6, depth + 1);
        return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
      },
    },
  });
  return { html: marked.parse(markdown), examples };
}
