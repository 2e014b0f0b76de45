//! The write and verify steps of a run: every report's fixed text written
//! atomically (`write::apply`), then with `--verify` the touched packages
//! checked and restored (`write::verify`); and `--write-baseline`, which
//! records the findings instead. Not the decision of what to write (the
//! engine and the filters made it).

use crate::baseline;
use crate::engine::{FileError, FileReport};
use crate::render::RunResult;
use crate::write::apply;
use crate::write::verify::{self, Toolchain, WrittenFile};
use std::path::PathBuf;

/// What `--verify` found after a write: its summary line and the errors of
/// the packages it restored.
pub struct Verified {
    pub summary_line: String,
    pub errors: Vec<FileError>,
}

/// Writes the fixes, then (with a toolchain) verifies the touched packages
/// and restores those that fail.
pub fn write_and_verify(reports: &mut [FileReport], toolchain: Option<&Toolchain>, jobs: usize) -> Option<Verified> {
    let written = write_fixes(reports);
    toolchain.map(|toolchain| {
        let outcome = verify::check_and_restore(toolchain, reports, &written, jobs);
        Verified {
            summary_line: outcome.summary_line(),
            errors: outcome.errors(),
        }
    })
}

/// Writes every report's fixed text (first removing temporary files left in
/// those directories by an interrupted run); a failed write becomes the
/// file's error. Returns what was written, for `--verify`.
fn write_fixes(reports: &mut [FileReport]) -> Vec<WrittenFile> {
    let _timer = crate::profile::timer(crate::profile::Stage::Output);
    let mut dirs: Vec<PathBuf> = reports
        .iter()
        .filter(|r| r.fixed_text.is_some())
        .filter_map(|r| std::fs::canonicalize(&r.path).ok()?.parent().map(PathBuf::from))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        for stale in apply::remove_stale_temp_files(&dir) {
            eprintln!("mapfix: removed {}, left by an interrupted run", stale.display());
        }
    }
    let mut written = Vec::new();
    for report in reports {
        let (Some(source), Some(text)) = (report.source.clone(), report.fixed_text.clone()) else {
            continue;
        };
        match apply::write_file(&source, &text) {
            Ok(()) => {
                report.mark_written();
                written.push(WrittenFile::new(report, &source, &text));
            }
            Err(e) => report.errors.push(FileError {
                path: report.path.clone(),
                message: e.to_string(),
                kind: crate::diagnostic::FileErrorKind::Other,
                span: None,
            }),
        }
    }
    written
}

/// `--write-baseline FILE`: records the findings; exit 0, or 2 on errors.
pub fn write_baseline(path: &std::path::Path, run: RunResult) -> i32 {
    for e in run.all_errors() {
        crate::report::error(e);
    }
    match baseline::write(path, &run.reports) {
        Ok(n) => {
            eprintln!(
                "mapfix: recorded {n} finding{} in {}",
                if n == 1 { "" } else { "s" },
                path.display()
            );
            if run.all_errors().next().is_some() {
                2
            } else {
                0
            }
        }
        Err(e) => crate::report::fail(&e),
    }
}
