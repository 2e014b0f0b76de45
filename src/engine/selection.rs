//! Restricting a run to chosen fixes (`--interactive` answers, baseline
//! filtering): fixes are named by path, rule and the byte range of their
//! finding in the file as read. Later fix passes see shifted text, so the
//! ranges still pending are carried across each pass's edits.

use crate::diagnostic::TextEdit;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A fix's name: the finding it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FixKey {
    pub path: PathBuf,
    pub rule: String,
    pub range: Range<usize>,
}

/// The fixes a run may apply; every other fix is left out. Looked up by
/// file, then by (rule, range): constant time per question however many
/// fixes were chosen.
#[derive(Debug, Clone, Default)]
pub struct FixSelection {
    by_path: HashMap<PathBuf, HashSet<(String, Range<usize>)>>,
}

impl FixSelection {
    pub fn new(keys: impl IntoIterator<Item = FixKey>) -> Self {
        let mut by_path: HashMap<PathBuf, HashSet<(String, Range<usize>)>> = HashMap::new();
        for k in keys {
            by_path.entry(k.path).or_default().insert((k.rule, k.range));
        }
        FixSelection { by_path }
    }

    pub fn accepts(&self, path: &Path, rule: &str, range: &Range<usize>) -> bool {
        self.by_path
            .get(path)
            .is_some_and(|set| set.contains(&(rule.to_string(), range.clone())))
    }

    /// The accepted (rule, range) pairs of one file.
    pub fn pending_for(&self, path: &Path) -> Vec<(String, Range<usize>)> {
        let mut out: Vec<_> = self.by_path.get(path).into_iter().flatten().cloned().collect();
        out.sort_by_key(|(rule, r)| (r.start, r.end, rule.clone()));
        out
    }
}

/// After a fix pass: drops the pending fixes it applied (`applied`), then
/// moves the others to where their text now is. A pending range that an edit
/// touched no longer names the same construct and is dropped.
pub fn advance(
    pending: &mut Vec<(String, Range<usize>)>,
    applied: &[(String, Range<usize>)],
    edits: &[TextEdit],
    crlf: bool,
) {
    pending.retain(|p| !applied.contains(p));
    pending.retain_mut(|(_, range)| match shifted(range, edits, crlf) {
        Some(r) => {
            *range = r;
            true
        }
        None => false,
    });
}

/// `range` after `edits` (non-overlapping, in original offsets), or `None` when an edit touches it.
fn shifted(range: &Range<usize>, edits: &[TextEdit], crlf: bool) -> Option<Range<usize>> {
    let mut delta: isize = 0;
    for e in edits {
        let touches = e.range.start < range.end && range.start < e.range.end
            || (e.range.is_empty() && range.start < e.range.start && e.range.start < range.end);
        if touches {
            return None;
        }
        if e.range.end <= range.start {
            delta += inserted_len(&e.replacement, crlf) as isize - e.range.len() as isize;
        }
    }
    let start = (range.start as isize + delta) as usize;
    Some(start..start + range.len())
}

/// Length of a replacement as `plan::apply_edits` writes it (CRLF files get CRLF).
fn inserted_len(text: &str, crlf: bool) -> usize {
    if crlf {
        text.len() - text.matches("\r\n").count() + text.matches('\n').count()
    } else {
        text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, replacement: &str) -> TextEdit {
        TextEdit {
            range,
            replacement: replacement.into(),
        }
    }

    #[test]
    fn ranges_move_past_earlier_edits_and_drop_when_touched() {
        let mut pending = vec![
            ("a".to_string(), 10..20),
            ("b".to_string(), 30..35),
            ("c".to_string(), 50..60),
        ];
        let applied = vec![("a".to_string(), 10..20)];
        // The applied fix rewrote 10..20 into 4 bytes; another edit overlaps c.
        advance(&mut pending, &applied, &[edit(10..20, "xxxx"), edit(55..56, "")], false);
        assert_eq!(pending, vec![("b".to_string(), 24..29)]);
    }

    #[test]
    fn crlf_replacements_count_their_carriage_returns() {
        let mut pending = vec![("b".to_string(), 30..35)];
        advance(&mut pending, &[], &[edit(0..2, "a\nb\n")], true);
        assert_eq!(pending, vec![("b".to_string(), 34..39)]);
    }

    #[test]
    fn insertion_inside_a_range_touches_it() {
        let mut pending = vec![("b".to_string(), 30..35)];
        advance(&mut pending, &[], &[edit(32..32, "x")], false);
        assert!(pending.is_empty());
        let mut at_edge = vec![("b".to_string(), 30..35)];
        advance(&mut at_edge, &[], &[edit(35..35, "x")], false);
        assert_eq!(at_edge, vec![("b".to_string(), 30..35)]);
    }
}
