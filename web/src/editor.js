// The CodeMirror 6 editor: PostgreSQL highlighting, diagnostics from
// migralint (underlines, hover, gutter markers), keyboard first.
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorState } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';

// Colours come from CSS variables (style.css), so one editor theme serves
// the light and the dark page theme.
const theme = EditorView.theme({
  '&': { height: '100%', backgroundColor: 'var(--editor-bg)', color: 'var(--fg)' },
  '.cm-content': { caretColor: 'var(--fg)', fontFamily: 'var(--mono)' },
  '.cm-gutters': {
    backgroundColor: 'var(--gutter-bg)',
    color: 'var(--muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)', color: 'var(--fg)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--fg)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--selection) !important',
  },
  '.cm-selectionMatch': { backgroundColor: 'var(--selection-match)' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--selection-match)', outline: '1px solid var(--muted)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--panel-bg)',
    color: 'var(--fg)',
    border: '1px solid var(--border)',
    borderRadius: '6px',
    boxShadow: 'var(--shadow)',
  },
  '.cm-tooltip-lint': { maxWidth: 'min(34rem, 90vw)' },
  '.cm-diagnostic': { padding: '6px 10px', borderLeftWidth: '4px' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--error)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warning)' },
  '.cm-diagnosticAction': {
    backgroundColor: 'var(--button-bg)',
    color: 'var(--fg)',
    border: '1px solid var(--border)',
    borderRadius: '4px',
    font: 'inherit',
    fontSize: '0.85em',
    padding: '2px 8px',
    marginTop: '6px',
    marginRight: '6px',
  },
  '.cm-lintRange-error': {
    backgroundImage: 'none',
    textDecoration: 'underline wavy var(--error)',
    textDecorationSkipInk: 'none',
    textUnderlineOffset: '3px',
    backgroundColor: 'var(--error-bg)',
  },
  '.cm-lintRange-warning': {
    backgroundImage: 'none',
    textDecoration: 'underline wavy var(--warning)',
    textDecorationSkipInk: 'none',
    textUnderlineOffset: '3px',
    backgroundColor: 'var(--warning-bg)',
  },
  '.cm-lintPoint-error:after': { borderBottomColor: 'var(--error)' },
  '.cm-lintPoint-warning:after': { borderBottomColor: 'var(--warning)' },
  '.cm-panels': { backgroundColor: 'var(--panel-bg)', color: 'var(--fg)' },
  '.cm-textfield': { backgroundColor: 'var(--input-bg)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-button': { backgroundImage: 'none', backgroundColor: 'var(--button-bg)', color: 'var(--fg)', border: '1px solid var(--border)' },
});

/** Creates an editor in `parent`. `onChange(view)` runs after each document
 *  change, `onCursor(view)` after each selection change. */
export function createEditor({ parent, doc, label, onChange, onCursor }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        EditorState.tabSize.of(4),
        sql({ dialect: PostgreSQL, upperCaseKeywords: true }),
        syntaxHighlighting(classHighlighter),
        lintGutter(),
        EditorView.lineWrapping,
        keymap.of([
          // Escape, then Tab within 2 s, moves the focus out of the editor
          // (CodeMirror does it only when Escape has nothing else to do).
          {
            key: 'Escape',
            run: (view) => {
              view.setTabFocusMode(2000);
              return false;
            },
          },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...searchKeymap,
          ...historyKeymap,
          ...lintKeymap,
          indentWithTab,
        ]),
        EditorView.contentAttributes.of({ 'aria-label': label }),
        theme,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.view);
          else if (update.selectionSet) onCursor(update.view);
        }),
      ],
    }),
  });
  // Make sure the lint state field exists before the first results, so the
  // hover and gutter are ready.
  view.dispatch(setDiagnostics(view.state, []));
  return view;
}

export { setDiagnostics };
