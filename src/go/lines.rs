//! Byte offsets to 1-based lines and byte columns, one look-up at a time
//! or many through a line index, and the start of an offset's line: the
//! one place that counts lines. UTF-16 columns (`render`, `server`) are
//! counted from the line starts given here.

/// Line starts of a text, for many offset → line/column look-ups.
pub struct LineIndex {
    pub starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and byte column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        (line, offset - self.starts[line - 1] + 1)
    }

    /// The byte offset at which 1-based `line` starts; `None` past the last line.
    pub fn start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }
}

/// 1-based line and byte column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    (line, offset - line_start(text, before.len()) + 1)
}

/// The byte offset at which the line holding byte offset `at` starts.
pub fn line_start(text: &str, at: usize) -> usize {
    memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts() {
        let text = "ab\n\ncd\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            [1, 2, 3, 4, 5].map(|l| idx.start(l)),
            [Some(0), Some(3), Some(4), Some(7), None]
        );
        assert_eq!(idx.start(0), None);
        assert_eq!([0, 2, 3, 4, 6, 7].map(|at| line_start(text, at)), [0, 0, 3, 4, 4, 7]);
    }
}
