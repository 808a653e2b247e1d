//! Renderers shared by every front end (the CLI adds a miette renderer for
//! terminals). Each takes a `Report` and returns the whole output;
//! [`catalog`] renders the rule registry (`migralint rules`, `explain`).
//!
//! File names, identifiers and SQL excerpts come from the user's files:
//! the text formats (compact, github, and the CLI's pretty one) show their
//! control characters escaped ([`escape_controls`]), so a file name or a
//! quoted identifier cannot move the cursor, recolour or clear a terminal,
//! or reorder the line (bidirectional overrides). JSON and SARIF escape
//! them as JSON does.

use std::borrow::Cow;
use std::fmt::Write;

pub mod catalog;
mod compact;
mod github;
mod json;
mod sarif;

pub use compact::{compact, fix_marker};
pub use github::{escape_data, escape_property, github};
pub use json::json;
pub use sarif::sarif;

/// Whether a character must not reach a terminal as it is: control
/// characters (C0 but newline and tab, DEL, C1) and the invisible
/// bidirectional formatting characters.
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_unsafe_char`] written as an escape: `\r`, `\x1b`
/// (ASCII), `\u{9b}` (others). Newlines and tabs stay.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            c if is_unsafe_char(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped() {
        assert_eq!(
            escape_controls("plain, é and\ttab\n"),
            "plain, é and\ttab\n"
        );
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\rc\u{7f}\u{9b}31m\u{202e}d\0"),
            "a\\x1b[2Jb\\rc\\x7f\\u{9b}31m\\u{202e}d\\x00"
        );
    }
}
