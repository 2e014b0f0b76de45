//! The fix model: what a rule's checker proposes for one site (`Fix`, made
//! once by the checker and never changed after) and what a run does with it
//! (`FixStatus`, held beside the fix in the engine's `Finding`). Not how
//! fixes become text (`plan`) or who decides the status (`engine`).

use super::TextEdit;
use serde::{Deserialize, Serialize};

/// Whether applying a fix can change what a program observably does (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixSafety {
    Safe,
    Unsafe,
}

impl FixSafety {
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
        }
    }
}

/// A fix a rule proposes for one site: edits of the file as read.
#[derive(Debug, Clone)]
pub struct Fix {
    pub safety: FixSafety,
    /// What the fix does ("replace loop with clear(m)").
    pub description: String,
    /// Why this site's fix is unsafe when the checker lowered it (a rule's
    /// usual reason is its `docs.safety`): "key type float64 can hold NaN".
    pub unsafe_reason: Option<String>,
    pub edits: Vec<TextEdit>,
    /// Import paths the fixed code needs (added in one place by the planner).
    pub imports: Vec<String>,
}

impl Fix {
    /// The description with the site's unsafe reason, as the machine
    /// formats and diagnostics show it: "what it does (why it is unsafe)".
    pub fn full_description(&self) -> String {
        match &self.unsafe_reason {
            Some(reason) => format!("{} ({reason})", self.description),
            None => self.description.clone(),
        }
    }
}

/// What a run does with a finding's fix. The engine decides `LeftOut` or
/// `Included` when it plans the file; afterwards only the report's
/// `mark_written` (→ `Applied`) and `mark_restored` (→ `Included`) change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixStatus {
    /// Neither shown nor applied: an unsafe fix without `--unsafe`, a fix
    /// the selection (interactive answers, baseline, `--diff-base`) does not
    /// take, one the planner left out (it would not parse, or its import
    /// has no place), or the finding has no fix.
    LeftOut,
    /// Part of the run's fixed text: shown in the diff of a dry run, or meant
    /// for `--write` but not on disk (the write failed, or `--verify`
    /// restored the file).
    Included,
    /// Written to disk (`--write`) or committed (`--commit`).
    Applied,
}

impl FixStatus {
    /// Included in the run's fixed text, whether or not it was written.
    pub fn is_included(self) -> bool {
        self != FixStatus::LeftOut
    }

    pub fn is_applied(self) -> bool {
        self == FixStatus::Applied
    }
}

/// A finding's fix as its reader sees it, from the fix's safety and the
/// run's `FixStatus`: the one place a fix's state is worded
/// (`FixState::phrase`), for every output format.
#[derive(Debug, Clone, Copy)]
pub enum FixState<'a> {
    /// The rule has no fix for this site.
    NoFix,
    /// An unsafe fix, not in this run: it needs `--unsafe`.
    NeedsUnsafe(&'a Fix),
    /// A safe fix this run leaves out (a selection did not take it, or the
    /// planner could not place it).
    LeftOut(&'a Fix),
    /// In the run's fixed text (the diff of a dry run), not written.
    Shown(&'a Fix),
    /// Written to disk or committed.
    Applied(&'a Fix),
}

impl<'a> FixState<'a> {
    pub fn of(fix: Option<&'a Fix>, status: FixStatus) -> Self {
        match (fix, status) {
            (None, _) => FixState::NoFix,
            (Some(fix), FixStatus::Applied) => FixState::Applied(fix),
            (Some(fix), FixStatus::Included) => FixState::Shown(fix),
            (Some(fix), FixStatus::LeftOut) if fix.safety == FixSafety::Unsafe => FixState::NeedsUnsafe(fix),
            (Some(fix), FixStatus::LeftOut) => FixState::LeftOut(fix),
        }
    }

    /// The state in words, the same in every format: "unsafe fix available
    /// (--unsafe): …", "unsafe fix: …", "fix: …", "fixed: …", "fix left
    /// out: …"; `None` without a fix.
    pub fn phrase(self) -> Option<String> {
        let (label, fix) = match self {
            FixState::NoFix => return None,
            FixState::NeedsUnsafe(fix) => ("unsafe fix available (--unsafe)", fix),
            FixState::LeftOut(fix) => ("fix left out", fix),
            FixState::Shown(fix) if fix.safety == FixSafety::Unsafe => ("unsafe fix", fix),
            FixState::Shown(fix) => ("fix", fix),
            FixState::Applied(fix) => ("fixed", fix),
        };
        Some(format!("{label}: {}", fix.full_description()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(safety: FixSafety, reason: Option<&str>) -> Fix {
        Fix {
            safety,
            description: "replace loop with clear(m)".into(),
            unsafe_reason: reason.map(String::from),
            edits: Vec::new(),
            imports: Vec::new(),
        }
    }

    #[test]
    fn every_state_is_worded_once_with_the_reason_as_data() {
        let unsafe_fix = fix(FixSafety::Unsafe, Some("key type float64 can hold NaN"));
        let safe_fix = fix(FixSafety::Safe, None);
        let phrase = |fix: &Fix, status| FixState::of(Some(fix), status).phrase();
        assert_eq!(
            phrase(&unsafe_fix, FixStatus::LeftOut).as_deref(),
            Some("unsafe fix available (--unsafe): replace loop with clear(m) (key type float64 can hold NaN)")
        );
        assert_eq!(
            phrase(&unsafe_fix, FixStatus::Included).as_deref(),
            Some("unsafe fix: replace loop with clear(m) (key type float64 can hold NaN)")
        );
        assert_eq!(
            phrase(&safe_fix, FixStatus::Included).as_deref(),
            Some("fix: replace loop with clear(m)")
        );
        assert_eq!(
            phrase(&safe_fix, FixStatus::Applied).as_deref(),
            Some("fixed: replace loop with clear(m)")
        );
        assert_eq!(
            phrase(&safe_fix, FixStatus::LeftOut).as_deref(),
            Some("fix left out: replace loop with clear(m)")
        );
        assert!(FixState::of(None, FixStatus::LeftOut).phrase().is_none());
        assert_eq!(unsafe_fix.description, "replace loop with clear(m)");
    }
}
