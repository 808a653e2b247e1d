//! Byte offsets to LSP positions and back. LSP counts columns in UTF-16
//! code units (the protocol's default encoding, which every client
//! supports); lines end at `\n`, `\r\n` or a lone `\r`, as in the core.

use lsp_types::{Position, Range};

/// Where the lines of a text start.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
        }
        Lines { text, starts }
    }

    /// The position of a byte offset (clamped to the text, moved back to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of a position; a column past the end of its line
    /// clamps to the line's end, a line past the end to the text's end.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = &self.text[start..end];
        let line = line
            .strip_suffix("\r\n")
            .or_else(|| line.strip_suffix('\n'))
            .or_else(|| line.strip_suffix('\r'))
            .unwrap_or(line);
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_both_ways() {
        // 'é' is one UTF-16 unit (2 bytes), '𝄞' two units (4 bytes).
        let text = "ab\r\né𝄞x\ry\n";
        let l = Lines::new(text);
        assert_eq!(l.position(0), Position::new(0, 0));
        assert_eq!(l.position(4), Position::new(1, 0));
        let x = text.find('x').unwrap();
        assert_eq!(l.position(x), Position::new(1, 3));
        assert_eq!(l.offset(Position::new(1, 3)), x);
        assert_eq!(l.position(text.find('y').unwrap()), Position::new(2, 0));
        assert_eq!(l.position(text.len()), Position::new(3, 0));
        // Past the end of a line: its end (before the line break).
        assert_eq!(l.offset(Position::new(0, 99)), 2);
        assert_eq!(l.offset(Position::new(9, 0)), text.len());
        // Inside a character: moved back to its start.
        assert_eq!(l.position(5), Position::new(1, 0));
    }
}
