// The fenced `sql bad` / `sql good` examples of a rule page, read exactly the
// way the core's page test reads them (crates/migralint-core/src/rules/
// testing.rs, `examples`): a block's info string may name its file
// (`sql bad file=000002_x.down.sql`); a block may hold several files, each
// introduced by a `-- file: NAME` line. So an example opened in the
// playground is linted as the same files the page test lints.

export const DEFAULT_FILE = '000001_example.up.sql';

/** Parses one block's info string (after "```") and body into an example,
 *  or returns null when the block is not a `sql good`/`sql bad` example. */
export function parseBlock(info, body) {
  const words = info.trim().split(/\s+/);
  if (words[0] !== 'sql') return null;
  const kind = words[1];
  if (kind !== 'good' && kind !== 'bad') return null;
  const named = words.slice(2).find((w) => w.startsWith('file='));
  let current = named ? named.slice('file='.length) : DEFAULT_FILE;
  const files = [];
  let text = '';
  const lines = body.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('-- file: ')) {
      if (text.trim() !== '' || files.length > 0 || current !== DEFAULT_FILE) {
        files.push({ name: current, text });
      }
      text = '';
      current = line.slice('-- file: '.length).trim();
      continue;
    }
    text += line + '\n';
  }
  files.push({ name: current, text });
  return { good: kind === 'good', files };
}

/** Every `sql good`/`sql bad` block of a Markdown page, in page order. */
export function pageExamples(markdown) {
  const out = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith('```sql')) continue;
    const info = line.slice(3);
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].startsWith('```'); j++) body.push(lines[j]);
    const ex = parseBlock(info, body.join('\n') + '\n');
    if (ex) out.push({ ...ex, line: i + 1 });
    i = j;
  }
  return out;
}

/** The examples menu: one entry per bad example of each rule, in registry
 *  order, grouped by category. */
export function examplesMenu(rules, docs) {
  const groups = [];
  for (const rule of rules) {
    const bad = pageExamples(docs[rule.name] || '').filter((e) => !e.good);
    if (!bad.length) continue;
    let group = groups.find((g) => g.category === rule.category);
    if (!group) {
      group = { category: rule.category, items: [] };
      groups.push(group);
    }
    bad.forEach((ex, k) => {
      group.items.push({
        id: `${rule.name}#${k + 1}`,
        rule: rule.name,
        label: bad.length > 1 ? `${rule.name} (${k + 1})` : rule.name,
        files: ex.files,
      });
    });
  }
  return groups;
}

/** Whether a rule runs without configuration. rules() of the wasm API does
 *  not say (the CLI's `rules --format json` has `enabled`): when it is
 *  missing, the rule page's header line says it
 *  (`**Default severity:** warning (off by default)`). */
export function enabledByDefault(rule, markdown) {
  if (typeof rule.enabled === 'boolean') return rule.enabled;
  const line = (markdown || '').split('\n').find((l) => l.includes('**Default severity:**'));
  return !(line && /off by default/i.test(line));
}
