//! The fix model: what a rule's checker proposes for one site (`Fix`, made
//! once by the checker and never changed after). Not how fixes become text
//! (`plan`).

use crate::plan::TextEdit;
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
