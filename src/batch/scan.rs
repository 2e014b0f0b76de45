//! The engine runs of a batch: each repository walked with its own config's
//! excludes and run through the pipeline's steps with its own engine
//! (`engines.rs`) — the engine, then the filters (`--baseline`,
//! `--diff-base`), whose re-runs go through that engine too; a repository
//! whose config or rules do not load is reported as failed while the others
//! go on.

use super::engines::Engines;
use super::{RepoRun, Request};
use crate::diff_base::DiffBaseError;
use crate::engine::FileError;
use crate::pipeline::{self, EngineRerun, Filters, Hidden};
use crate::render::RunResult;
use crate::walk::{self, GoFile};
use std::collections::HashSet;

/// Walks every repository and runs it through its engine, then (unless
/// `filters` is `None`) through the filters. Returns the runs and what the
/// filters hid over all of them.
pub fn scan(
    list: &[super::Repository],
    args: &Request,
    engines: &mut Engines,
    filters: Option<&Filters>,
) -> Result<(Vec<RepoRun>, Hidden), DiffBaseError> {
    let settings = &args.run.settings;
    let mut runs: Vec<RepoRun> = list
        .iter()
        .map(|repo| RepoRun::new(repo.clone(), args.run.write))
        .collect();
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
        // A file reached from two entries belongs to the first.
        let files: Vec<GoFile> = found
            .into_iter()
            .filter(|f| !config.is_some_and(|c| !f.explicit && c.excludes(&f.path)))
            .filter(|f| seen.insert(f.path.clone()))
            .collect();
        runs[i].run.reports = engines.list[engine].engine.run(&files, settings.jobs);
    }
    pipeline::note_assumed_version(runs.iter().flat_map(|r| r.run.reports.iter()));
    let mut hidden = Hidden::default();
    if let Some(filters) = filters {
        for r in &mut runs {
            let mut engine = EngineRerun {
                engine: &mut engines.list[r.engine].engine,
                jobs: settings.jobs,
            };
            hidden += filters.settle(&mut r.run.reports, &mut engine)?;
        }
    }
    Ok((runs, hidden))
}

impl RepoRun {
    /// A repository before its run.
    fn new(repo: super::Repository, write: bool) -> RepoRun {
        RepoRun {
            repo,
            engine: 0,
            run: RunResult {
                reports: Vec::new(),
                errors: Vec::new(),
                wrote: write,
                clean_files: 0,
            },
            commit: None,
            pr: None,
            pushed: None,
            members: Vec::new(),
            failure: None,
        }
    }
}
