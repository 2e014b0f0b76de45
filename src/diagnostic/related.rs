//! Related locations: other places a finding points at ("`mu` held here",
//! "written here"), in the finding's file or another file of its package,
//! with their own span and message (go/analysis's `RelatedInformation`).

use crate::go::lines::LineIndex;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Another site a finding names, positioned in the text of its own file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedLocation {
    /// The file: the finding's own or another file of its package.
    pub path: PathBuf,
    /// Byte range in that file's text.
    pub range: Range<usize>,
    /// 1-based line and byte column of the start and end, as for a finding.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The columns counted in UTF-16 code units (SARIF, the language server).
    pub utf16_column: usize,
    pub utf16_end_column: usize,
    /// What is there, e.g. "`s.mu` held here".
    pub message: String,
}

impl RelatedLocation {
    /// The location of `range` of `text`, the text of the file at `path`.
    pub fn new(path: &Path, text: &str, range: Range<usize>, message: impl Into<String>) -> Self {
        let mut related = RelatedLocation {
            path: path.to_path_buf(),
            range: 0..0,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
            utf16_column: 0,
            utf16_end_column: 0,
            message: message.into(),
        };
        related.place(text, &LineIndex::new(text), range);
        related
    }

    /// Moves the location to `range` of `text`, whose line index is `lines`.
    pub fn place(&mut self, text: &str, lines: &LineIndex, range: Range<usize>) {
        let range = range.start.min(text.len())..range.end.min(text.len());
        (self.line, self.column) = lines.line_col(range.start);
        (self.end_line, self.end_column) = lines.line_col(range.end);
        self.utf16_column = utf16_column(text, range.start, self.column);
        self.utf16_end_column = utf16_column(text, range.end, self.end_column);
        self.range = range;
    }
}

/// The 1-based UTF-16 column of `offset`, whose 1-based byte column is `column`.
fn utf16_column(text: &str, offset: usize, column: usize) -> usize {
    text.get(offset + 1 - column..offset)
        .map_or(column, |before| before.encode_utf16().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_bytes_and_utf16_units() {
        let text = "package p\n\nvar s = \"é😀\"; var m map[string]int\n";
        let at = text.find("m map").unwrap();
        let r = RelatedLocation::new(Path::new("p.go"), text, at..at + 1, "here");
        assert_eq!((r.line, r.column, r.end_line, r.end_column), (3, 23, 3, 24));
        // é is one UTF-16 unit in two bytes, 😀 two units in four bytes.
        assert_eq!((r.utf16_column, r.utf16_end_column), (20, 21));
        assert_eq!(r.message, "here");
    }
}
