//! The filters of a run, composed once: `--baseline` (recorded findings)
//! then `--diff-base` (findings on unchanged lines); suppression comments
//! are the engine's. A filter that hides a finding whose fix the run
//! included makes the files with fixes run again with only the fixes still
//! shown, and every re-run (this one, or the interactive review's) is
//! followed by all the filters again, so no re-run brings a hidden finding
//! back.

use super::rerun::{rerun, Rerun};
use crate::baseline::{Baseline, BaselineError};
use crate::diff_base::{DiffBase, DiffBaseError};
use crate::engine::selection::{FixKey, FixSelection};
use crate::engine::FileReport;
use std::path::Path;

/// `--baseline` and `--diff-base`, loaded.
#[derive(Default)]
pub struct Filters {
    pub baseline: Option<Baseline>,
    pub diff_base: Option<DiffBase>,
}

/// How many findings each filter hid.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Hidden {
    pub baseline: usize,
    pub diff_base: usize,
}

impl std::ops::AddAssign for Hidden {
    fn add_assign(&mut self, other: Hidden) {
        self.baseline += other.baseline;
        self.diff_base += other.diff_base;
    }
}

/// Why the filters cannot be loaded.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FilterError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] BaselineError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    DiffBase(#[from] DiffBaseError),
}

impl Filters {
    /// Loads the baseline file and checks that the diff base is a commit in
    /// the repository of `probe` (the first PATH), before the run.
    pub fn load(baseline: Option<&Path>, diff_base: Option<&str>, probe: &Path) -> Result<Filters, FilterError> {
        Ok(Filters {
            baseline: baseline.map(Baseline::load).transpose()?,
            diff_base: diff_base.map(|rev| DiffBase::new(rev, probe)).transpose()?,
        })
    }

    /// Whether a filter is set (the run then keeps every report to the end).
    pub fn any(&self) -> bool {
        self.baseline.is_some() || self.diff_base.is_some()
    }

    /// Hides what every filter hides; returns the counts and whether a
    /// hidden finding had a fix the run included.
    fn apply(&self, reports: &mut [FileReport]) -> Result<(Hidden, bool), DiffBaseError> {
        let mut hidden = Hidden::default();
        let mut had_fix = false;
        if let Some(b) = &self.baseline {
            let (n, fix) = b.filter(reports);
            hidden.baseline = n;
            had_fix |= fix;
        }
        if let Some(d) = &self.diff_base {
            let (n, fix) = d.filter(reports)?;
            hidden.diff_base = n;
            had_fix |= fix;
        }
        Ok((hidden, had_fix))
    }

    /// Applies the filters to an engine's reports; when a hidden finding
    /// had a fix, re-runs the files with fixes keeping only the fixes still
    /// shown, and filters the new reports again.
    pub fn settle(&self, reports: &mut [FileReport], engine: &mut dyn Rerun) -> Result<Hidden, DiffBaseError> {
        let (hidden, had_fix) = self.apply(reports)?;
        if had_fix {
            rerun(engine, reports, included_fixes(reports.iter()));
            self.apply(reports)?;
        }
        Ok(hidden)
    }

    /// Re-runs the files with fixes keeping only `selection`'s fixes (the
    /// interactive review's answers), then filters the new reports again.
    pub fn reselect(
        &self,
        reports: &mut [FileReport],
        engine: &mut dyn Rerun,
        selection: FixSelection,
    ) -> Result<(), DiffBaseError> {
        rerun(engine, reports, selection);
        self.apply(reports).map(|_| ())
    }

    /// The notes on stderr (text output) of what the filters hid.
    pub fn say(&self, hidden: Hidden) {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        if hidden.baseline > 0 {
            eprintln!(
                "mapfix: {} finding{} recorded in the baseline not shown",
                hidden.baseline,
                s(hidden.baseline)
            );
        }
        if let (Some(d), n @ 1..) = (&self.diff_base, hidden.diff_base) {
            eprintln!(
                "mapfix: {n} finding{} on lines not changed since {} not shown",
                s(n),
                d.rev()
            );
        }
    }
}

/// The fixes the reports include now, as a selection (to keep them and no others).
fn included_fixes<'a>(reports: impl IntoIterator<Item = &'a FileReport>) -> FixSelection {
    FixSelection::new(
        reports
            .into_iter()
            .flat_map(|r| r.findings.iter())
            .filter(|f| f.fix_status().is_included())
            .map(|f| FixKey {
                path: f.path.clone(),
                rule: f.rule.clone(),
                range: f.range.clone(),
            }),
    )
}
