//! Re-runs: the files whose fixes a filter or the interactive review left
//! out run again through their own engine with a `FixSelection`, and each
//! new report takes the place of the old one, found by path in a hash map.

use crate::engine::selection::FixSelection;
use crate::engine::{Engine, FileReport};
use crate::walk::GoFile;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The engine step of a run, able to run chosen files again.
pub trait Rerun {
    /// Runs `files` again including only `selection`'s fixes; returns their
    /// new reports (in any order).
    fn rerun_files(&mut self, files: &[PathBuf], selection: &Arc<FixSelection>) -> Vec<FileReport>;
}

/// One engine and its worker threads (a batch repository's).
pub struct EngineRerun<'a> {
    pub engine: &'a mut Engine,
    pub jobs: usize,
}

impl Rerun for EngineRerun<'_> {
    fn rerun_files(&mut self, files: &[PathBuf], selection: &Arc<FixSelection>) -> Vec<FileReport> {
        run_selected(self.engine, files, selection, self.jobs)
    }
}

/// Runs `files` (as named files: the walk chose them already) with `selection`.
pub fn run_selected(
    engine: &mut Engine,
    files: &[PathBuf],
    selection: &Arc<FixSelection>,
    jobs: usize,
) -> Vec<FileReport> {
    let files: Vec<GoFile> = files
        .iter()
        .map(|path| GoFile {
            path: path.clone(),
            explicit: true,
        })
        .collect();
    engine.options.selection = Some(selection.clone());
    let reports = engine.run(&files, jobs);
    engine.options.selection = None;
    reports
}

/// Re-runs the reports that had fixes, including only `selection`'s fixes,
/// and puts each new report in place of the old one.
pub fn rerun(engine: &mut dyn Rerun, reports: &mut [FileReport], selection: FixSelection) {
    let redo: Vec<PathBuf> = reports
        .iter()
        .filter(|r| r.fixed_text.is_some())
        .map(|r| r.path.clone())
        .collect();
    if redo.is_empty() {
        return;
    }
    let mut at: HashMap<PathBuf, usize> = HashMap::with_capacity(reports.len());
    for (i, r) in reports.iter().enumerate() {
        at.entry(r.path.clone()).or_insert(i);
    }
    for new in engine.rerun_files(&redo, &Arc::new(selection)) {
        if let Some(&i) = at.get(&new.path) {
            reports[i] = new;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in engine: records what it was asked to run, and returns a
    /// fresh report (scanned, no fix) per file, in reverse order.
    struct Recorder(Vec<PathBuf>);

    impl Rerun for Recorder {
        fn rerun_files(&mut self, files: &[PathBuf], _: &Arc<FixSelection>) -> Vec<FileReport> {
            self.0.extend(files.iter().cloned());
            files
                .iter()
                .rev()
                .map(|p| {
                    let mut r = FileReport::new(p.clone());
                    r.scanned = true;
                    r
                })
                .collect()
        }
    }

    fn report(path: &str, fixed: bool) -> FileReport {
        let mut r = FileReport::new(PathBuf::from(path));
        r.fixed_text = fixed.then(String::new);
        r
    }

    #[test]
    fn only_files_with_fixes_run_again_and_each_new_report_takes_its_place() {
        let mut reports = vec![report("a.go", true), report("b.go", false), report("c.go", true)];
        let mut engine = Recorder(Vec::new());
        rerun(&mut engine, &mut reports, FixSelection::default());
        assert_eq!(engine.0, [PathBuf::from("a.go"), PathBuf::from("c.go")]);
        let paths: Vec<_> = reports.iter().map(|r| r.path.to_str().unwrap()).collect();
        assert_eq!(paths, ["a.go", "b.go", "c.go"]);
        let scanned: Vec<_> = reports.iter().map(|r| r.scanned).collect();
        assert_eq!(scanned, [true, false, true]);
    }
}
