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
    pub description: String,
    pub edits: Vec<TextEdit>,
    /// Import paths the fixed code needs (added in one place by the planner).
    pub imports: Vec<String>,
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
