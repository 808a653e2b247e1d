// migralint reports 1-based line and column, columns counting Unicode code
// points, end exclusive. CodeMirror addresses a document by UTF-16 offsets.

/** UTF-16 index in `text` of code point number `cp` (0-based), clamped to
 *  the end of the text. */
export function codePointToUtf16(text, cp) {
  let i = 0;
  let n = 0;
  while (n < cp && i < text.length) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    n++;
  }
  return i;
}

/** Code-point column (1-based) of UTF-16 index `i` in `text`. */
export function utf16ToColumn(text, i) {
  let n = 0;
  for (let k = 0; k < i && k < text.length; n++) {
    const c = text.charCodeAt(k);
    k += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return n + 1;
}

/** Offset in a CodeMirror `Text` of a 1-based (line, code-point column). */
export function offsetOf(doc, line, column) {
  if (line > doc.lines) return doc.length;
  if (line < 1) return 0;
  const l = doc.line(line);
  return l.from + codePointToUtf16(l.text, Math.max(0, column - 1));
}

/** The CodeMirror range {from, to} of a migralint diagnostic. */
export function rangeOf(doc, d) {
  const from = offsetOf(doc, d.line, d.column);
  const endLine = d.end_line ?? d.line;
  const endColumn = d.end_column ?? d.column;
  const to = Math.max(from, offsetOf(doc, endLine, endColumn));
  return { from, to };
}

/** The one change that turns `old` into `text`: {from, to, insert} over the
 *  part that differs (common start and end kept), or null when equal. */
export function minimalChange(old, text) {
  if (old === text) return null;
  let start = 0;
  const max = Math.min(old.length, text.length);
  while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && old.charCodeAt(old.length - 1 - end) === text.charCodeAt(text.length - 1 - end)) end++;
  // Never split a surrogate pair.
  if (start > 0 && isHigh(old.charCodeAt(start - 1))) start--;
  if (end > 0 && isLow(old.charCodeAt(old.length - end))) end--;
  return { from: start, to: old.length - end, insert: text.slice(start, text.length - end) };
}

const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;
