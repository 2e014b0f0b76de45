//! The engine runs of a batch: each repository walked with its own config's
//! excludes and run with its own engine (`engines.rs`), a repository whose
//! config or rules do not load reported as failed while the others go on;
//! and `--baseline`/`--diff-base` filters, which re-run the files whose
//! fixes they leave out, each with its repository's engine.

use super::engines::Engines;
use super::{RepoRun, Request};
use crate::diff_base::DiffBaseError;
use crate::engine::{FileError, FileReport};
use crate::render::RunResult;
use crate::runner::{self, Settings};
use crate::session;
use crate::walk::{self, GoFile};
use std::collections::HashSet;

/// Walks every repository and runs each engine once over the files of the
/// repositories that use it.
pub fn scan(list: &[super::Repository], args: &Request, settings: &Settings, engines: &mut Engines) -> Vec<RepoRun> {
    let jobs = settings.jobs;
    let mut runs: Vec<RepoRun> = list
        .iter()
        .map(|repo| RepoRun {
            repo: repo.clone(),
            engine: 0,
            run: RunResult {
                reports: Vec::new(),
                errors: Vec::new(),
                wrote: args.write,
                clean_files: 0,
            },
            commit: None,
            pr: None,
            pushed: None,
            members: Vec::new(),
            failure: None,
        })
        .collect();
    // Files per engine, each with the repository it belongs to.
    let mut files: Vec<Vec<(GoFile, usize)>> = Vec::new();
    let mut seen = HashSet::new();
    for (i, repo) in list.iter().enumerate() {
        // A config or rule that does not load stops that repository (nothing
        // excluded by mistake is rewritten); the others go on.
        let engine = match engines.for_repo(&repo.path, settings) {
            Ok(e) => e,
            Err(e) => {
                let message = match e.span() {
                    Some(_) => e.message.clone(),
                    None => format!("{}: {}", e.path.display(), e.message),
                };
                runs[i].failure = Some(message.clone());
                runs[i].run.errors.push(FileError {
                    path: e.path.clone(),
                    message,
                    kind: crate::diagnostic::FileErrorKind::Other,
                    span: e.span(),
                });
                continue;
            }
        };
        runs[i].engine = engine;
        let config = engines.list[engine].config.as_ref();
        let (found, errors) = walk::go_files(std::slice::from_ref(&repo.path));
        if let Some(e) = errors.iter().find(|e| e.path == repo.path) {
            runs[i].failure = Some(e.message.clone());
        }
        runs[i].run.errors = errors
            .into_iter()
            .map(|e| FileError {
                path: e.path,
                message: e.message,
                kind: crate::diagnostic::FileErrorKind::Other,
                span: None,
            })
            .collect();
        if files.len() <= engine {
            files.resize_with(engine + 1, Vec::new);
        }
        for f in found {
            if config.is_some_and(|c| !f.explicit && c.excludes(&f.path)) {
                continue;
            }
            if seen.insert(f.path.clone()) {
                files[engine].push((f, i));
            }
        }
    }
    let mut all = Vec::new();
    for (engine, group) in files.into_iter().enumerate() {
        let (group, owners): (Vec<GoFile>, Vec<usize>) = group.into_iter().unzip();
        let reports = engines.list[engine].engine.run(&group, jobs);
        all.extend(reports.into_iter().zip(owners));
    }
    let (reports, owners): (Vec<FileReport>, Vec<usize>) = all.into_iter().unzip();
    session::note_assumed_version(&reports);
    for (report, i) in reports.into_iter().zip(owners) {
        runs[i].run.reports.push(report);
    }
    runs
}

/// A report filter: how many findings it hid, and whether one had a fix.
pub type ReportFilter<'a> = dyn Fn(&mut [FileReport]) -> Result<(usize, bool), DiffBaseError> + 'a;

/// `--baseline`, `--diff-base`: hides findings of every repository, and
/// leaves their fixes out (the files that had one are run again, by their
/// repository's engine, with only the fixes of the findings still shown).
/// Returns how many were hidden.
pub fn apply_filter(
    filter: &ReportFilter,
    runs: &mut [RepoRun],
    engines: &mut Engines,
    jobs: usize,
) -> Result<usize, DiffBaseError> {
    let mut hidden = 0;
    let mut had_fix = false;
    for r in runs.iter_mut() {
        let (h, f) = filter(&mut r.run.reports)?;
        hidden += h;
        had_fix |= f;
    }
    if had_fix {
        let keep = std::sync::Arc::new(runner::included_fixes(runs.iter().flat_map(|r| r.run.reports.iter())));
        for loaded in &mut engines.list {
            loaded.engine.options.selection = Some(keep.clone());
        }
        for r in runs.iter_mut() {
            let redo: Vec<GoFile> = r
                .run
                .reports
                .iter()
                .filter(|x| x.fixed_text.is_some())
                .map(|x| GoFile {
                    path: x.path.clone(),
                    explicit: true,
                })
                .collect();
            for new in engines.list[r.engine].engine.run(&redo, jobs) {
                if let Some(old) = r.run.reports.iter_mut().find(|x| x.path == new.path) {
                    *old = new;
                }
            }
            filter(&mut r.run.reports)?;
        }
        for loaded in &mut engines.list {
            loaded.engine.options.selection = None;
        }
    }
    Ok(hidden)
}
