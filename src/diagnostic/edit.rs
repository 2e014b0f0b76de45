//! A text edit: the replacement of a byte range of a file's text, the unit
//! every fix, import and quick fix is made of.

use std::ops::Range;

/// A replacement of a byte range of the file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub replacement: String,
}
