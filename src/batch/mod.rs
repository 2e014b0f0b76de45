//! Batch mode (SPEC §5), entered only by a flag (`cli`'s `BatchFlags::wanted`): many
//! repositories in one run (PATH arguments and `--repos FILE`, optionally
//! one `--shard` of them), a record per repository, and with `--commit` a
//! branch per repository holding the rewrite, then with `--pr` a pull
//! request per branch. Files of every repository share one engine run on
//! `--jobs` threads.

mod commit;
mod engines;
mod git;
mod location;
mod message;
mod output;
mod pr;
mod record;
mod repos;
mod scan;
mod shard;
mod summary;

use crate::baseline::Baseline;
use crate::diff_base::DiffBase;
use crate::engine::{FileError, FileReport};
use crate::pipeline::{self, Filters, OutputFormat, SetupError};
use crate::render::{MarkdownRenderer, RunResult};
use crate::rules::Rule;
use commit::{CommitOutcome, CommitSettings, Rewrite};
use engines::Engines;
pub use git::{branch_arg, Identity};
use git::{Checkout, GitError};
use pr::{PrOutcome, PrRequest};
use repos::Repository;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use shard::Shard;

/// What a batch is asked to do beyond the run (SPEC §5; the flags are `cli`'s).
#[derive(Debug, Default)]
pub struct BatchArgs {
    /// `--repos FILE`: more repository paths, one per line.
    pub repos: Option<PathBuf>,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
    /// `--list-repos`: print the repositories and stop.
    pub list_repos: bool,
    /// `--commit`: a commit per git repository on `branch`.
    pub commit: bool,
    pub branch: Option<String>,
    pub force_branch: bool,
    pub author: Option<Identity>,
    pub push: bool,
    pub pr: bool,
    pub draft: bool,
    pub max_prs: Option<usize>,
}

/// Everything the batch learned about one repository.
pub struct RepoRun {
    pub repo: Repository,
    /// Its engine in `Engines::list` (its own config's).
    pub engine: usize,
    pub run: RunResult,
    pub commit: Option<CommitStatus>,
    pub pr: Option<PrOutcome>,
    /// `--push` without `--pr`: whether the branch was pushed.
    pub pushed: Option<Result<(), GitError>>,
    /// Later entries of the same git repository, committed with this one.
    pub members: Vec<usize>,
    /// Why the repository could not be processed (its config did not load,
    /// its path cannot be read).
    pub failure: Option<String>,
}

/// The `--commit` result of one repository.
pub enum CommitStatus {
    NoChanges,
    NotGit,
    Done(CommitOutcome),
    /// Committed together with an earlier entry of the same git repository.
    SharedWith(String),
    Failed(GitError),
}

/// What a batch run needs of the command line (built by `cli`): the batch
/// flags, and the run each repository goes through.
pub struct Request<'a> {
    pub batch: BatchArgs,
    pub run: &'a pipeline::Request<'a>,
}

/// Runs the batch and returns the exit status (a bad `--config` or rule of
/// the command line stops it before anything runs).
pub fn run(args: &Request) -> i32 {
    match Engines::new(&args.run.settings) {
        Ok(engines) => run_with(args, engines),
        Err(SetupError::Config(e)) => pipeline::config_error(&e, &args.run.output),
        Err(e) => crate::report::fail(&e),
    }
}

fn run_with(args: &Request, mut engines: Engines) -> i32 {
    let b = &args.batch;
    let jobs = args.run.settings.jobs;
    let baseline = match args.run.baseline.map(Baseline::load).transpose() {
        Ok(b) => b,
        Err(e) => return crate::report::fail(&e),
    };
    if let Some(branch) = &b.branch {
        if let Err(e) = git::check_branch_name(branch) {
            return crate::report::fail(&e);
        }
    }
    let mut list = match repos::collect(args.run.paths, b.repos.as_deref()) {
        Ok(list) => list,
        Err(e) => return crate::report::fail(&e),
    };
    if list.is_empty() && b.repos.is_none() {
        list.push(Repository::new(PathBuf::from(".")));
    }
    if let Some(shard) = b.shard {
        let total = list.len();
        list.retain(|r| shard.contains(&r.key));
        eprintln!("mapfix: shard {shard}: {} of {total} repositories", list.len());
    }
    if b.list_repos {
        let mut out = std::io::stdout().lock();
        for r in &list {
            let _ = writeln!(out, "{}", r.path.display());
        }
        return 0;
    }
    if let Some(path) = args.run.write_baseline {
        let runs = match scan::scan(&list, args, &mut engines, None) {
            Ok((runs, _)) => runs,
            Err(e) => return crate::report::fail(&e),
        };
        let run = RunResult {
            reports: runs.into_iter().flat_map(|r| r.run.reports).collect(),
            errors: Vec::new(),
            wrote: false,
            clean_files: 0,
        };
        return pipeline::write_baseline(path, run);
    }
    let diff_base = match args.run.diff_base {
        Some(rev) => {
            let probe = list.first().map_or_else(|| PathBuf::from("."), |r| r.path.clone());
            match DiffBase::new(rev, &probe) {
                Ok(d) => Some(d),
                Err(e) => return crate::report::fail(&e),
            }
        }
        None => None,
    };
    let filters = Filters { baseline, diff_base };
    let mut runs = match scan::scan(&list, args, &mut engines, Some(&filters)) {
        Ok((runs, hidden)) => {
            if args.run.output.format == OutputFormat::Text {
                filters.say(hidden);
            }
            runs
        }
        Err(e) => return crate::report::fail(&e),
    };
    if b.commit {
        commit_all(&mut runs, args, &engines, jobs);
        if b.pr || b.push {
            publish(&mut runs, args, &engines);
        }
    } else if args.run.write {
        for r in &mut runs {
            if let Some(verified) = pipeline::write_and_verify(&mut r.run.reports, args.run.verify.as_ref(), jobs) {
                eprintln!("{}: {}", r.repo.path.display(), verified.summary_line);
                r.run.errors.extend(verified.errors);
            }
        }
    }
    output::render(&runs, args, &engines);
    exit_code(&runs)
}

/// `--commit`: one commit per git repository, on `jobs` threads. Entries
/// that lie in the same git repository are committed together.
fn commit_all(runs: &mut [RepoRun], args: &Request, engines: &Engines, jobs: usize) {
    let b = &args.batch;
    let settings = CommitSettings {
        branch: b
            .branch
            .as_deref()
            .expect("the command line requires --branch with --commit"),
        force_branch: b.force_branch,
        author: b.author.as_ref(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .expect("thread pool");
    // Only entries with changes are looked at as git repositories.
    let checkouts: Vec<Option<Result<Option<Checkout>, GitError>>> = pool.install(|| {
        use rayon::prelude::*;
        runs.par_iter()
            .map(|r| {
                r.run
                    .reports
                    .iter()
                    .any(|x| x.fixed_text.is_some())
                    .then(|| git::open(existing_dir(&r.repo.path)))
            })
            .collect()
    });
    // Group entries by git top level (first entry leads).
    let mut units: Vec<(Checkout, Vec<usize>)> = Vec::new();
    for (i, checkout) in checkouts.into_iter().enumerate() {
        let Some(checkout) = checkout else {
            runs[i].commit = Some(CommitStatus::NoChanges);
            continue;
        };
        match checkout {
            Err(e) => runs[i].commit = Some(CommitStatus::Failed(e)),
            Ok(None) => runs[i].commit = Some(CommitStatus::NotGit),
            Ok(Some(c)) => match units.iter_mut().find(|(u, _)| same_dir(&u.toplevel, &c.toplevel)) {
                Some((_, members)) => {
                    runs[i].commit = Some(CommitStatus::SharedWith(runs[members[0]].repo.key.clone()));
                    members.push(i);
                }
                None => units.push((c, vec![i])),
            },
        }
    }
    let outcomes: Vec<Result<CommitOutcome, GitError>> = pool.install(|| {
        use rayon::prelude::*;
        units
            .par_iter()
            .map(|(checkout, members)| {
                let reports = members.iter().flat_map(|&i| runs[i].run.reports.iter());
                let rules = &engines.list[runs[members[0]].engine].engine.rules;
                commit_unit(checkout, reports, rules, &settings)
            })
            .collect()
    });
    for ((_, members), outcome) in units.iter().zip(outcomes) {
        let status = match outcome {
            Ok(CommitOutcome::NothingToCommit) => CommitStatus::NoChanges,
            Ok(o) => CommitStatus::Done(o),
            Err(e) => CommitStatus::Failed(e),
        };
        if matches!(&status, CommitStatus::Done(o) if o.branch_has_rewrite()) {
            for &i in members {
                runs[i].run.reports.iter_mut().for_each(FileReport::mark_written);
            }
        }
        runs[members[0]].commit = Some(status);
        runs[members[0]].members = members[1..].to_vec();
    }
    for r in runs.iter_mut() {
        let message = match &r.commit {
            Some(CommitStatus::NotGit) => {
                "not a git repository: its fixes were not committed (nor written)".to_string()
            }
            Some(CommitStatus::Failed(e)) => format!("commit failed: {e}"),
            _ => continue,
        };
        r.run.errors.push(FileError {
            path: r.repo.path.clone(),
            message,
            kind: crate::diagnostic::FileErrorKind::Other,
            span: None,
        });
    }
}

/// Commits the fixed files of `reports` in one checkout.
fn commit_unit<'a>(
    checkout: &Checkout,
    reports: impl Iterator<Item = &'a FileReport> + Clone,
    rules: &[Rule],
    settings: &CommitSettings,
) -> Result<CommitOutcome, GitError> {
    let rewrites: Vec<Rewrite> = reports
        .clone()
        .filter_map(|r| {
            let (source, text) = (r.source.as_ref()?, r.fixed_text.as_ref()?);
            Some(Rewrite {
                path: r.path.clone(),
                original: source.original.clone(),
                bytes: source.encode(text),
            })
        })
        .collect();
    if rewrites.is_empty() {
        return Ok(CommitOutcome::NothingToCommit);
    }
    let changes = message::rule_changes(reports.flat_map(|r| r.findings.iter()), rules);
    commit::commit_rewrites(checkout, &rewrites, &message::commit_message(&changes), settings)
}

/// `--push` and `--pr`, in list order, for every branch holding a rewrite.
fn publish(runs: &mut [RepoRun], args: &Request, engines: &Engines) {
    let b = &args.batch;
    let branch = b
        .branch
        .as_deref()
        .expect("the command line requires --branch with --commit");
    let mut opened = 0usize;
    for lead in 0..runs.len() {
        let Some(CommitStatus::Done(outcome)) = &runs[lead].commit else {
            continue;
        };
        let reset = matches!(outcome, CommitOutcome::Reset { .. });
        if !outcome.branch_has_rewrite() {
            continue;
        }
        let checkout = match git::open(existing_dir(&runs[lead].repo.path)) {
            Ok(Some(c)) => c,
            _ => continue,
        };
        let mut push = || if b.push { checkout.push(branch, reset) } else { Ok(()) };
        if !b.pr {
            let pushed = push();
            if let Err(e) = &pushed {
                let r = &mut runs[lead];
                r.run.errors.push(FileError {
                    path: r.repo.path.clone(),
                    message: format!("push failed: {e}"),
                    kind: crate::diagnostic::FileErrorKind::Other,
                    span: None,
                });
            }
            runs[lead].pushed = Some(pushed);
            continue;
        }
        let entries: Vec<usize> = std::iter::once(lead)
            .chain(runs[lead].members.iter().copied())
            .collect();
        let combined = RunResult {
            reports: entries
                .iter()
                .flat_map(|&i| runs[i].run.reports.iter().cloned())
                .collect(),
            errors: Vec::new(),
            wrote: true,
            clean_files: 0,
        };
        let rules = &engines.list[runs[lead].engine].engine.rules;
        let body = MarkdownRenderer::new(rules).body(&relative_to(&combined, &checkout));
        let title = message::subject(&message::rule_changes(combined.findings(), rules));
        let may_open = b.max_prs.is_none_or(|max| opened < max);
        let request = PrRequest {
            branch,
            title: &title,
            body: &body,
            draft: b.draft,
        };
        let outcome = pr::ensure_pr(&checkout, &request, may_open, &mut push);
        let r = &mut runs[lead];
        let error = match &outcome {
            PrOutcome::Opened { .. } => {
                opened += 1;
                None
            }
            PrOutcome::PushFailed { message } => Some(format!("push failed: {message}")),
            PrOutcome::Failed { message, body_file } => Some(format!(
                "pull request not opened: {message}; its body is in {}",
                body_file.display()
            )),
            _ => None,
        };
        if let Some(message) = error {
            r.run.errors.push(FileError {
                path: r.repo.path.clone(),
                message,
                kind: crate::diagnostic::FileErrorKind::Other,
                span: None,
            });
        }
        r.pr = Some(outcome);
    }
}

/// A copy of `run` whose paths are relative to the checkout's top level
/// (how the pull request's reader sees them).
fn relative_to(run: &RunResult, checkout: &Checkout) -> RunResult {
    let rel = |p: &Path| {
        checkout
            .relative(p)
            .map(PathBuf::from)
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let reports = run
        .reports
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.path = rel(&r.path);
            r.findings.iter_mut().for_each(|f| f.path = rel(&f.path));
            r.errors.iter_mut().for_each(|e| e.path = rel(&e.path));
            r
        })
        .collect();
    RunResult {
        reports,
        errors: run.errors.clone(),
        wrote: run.wrote,
        clean_files: run.clean_files,
    }
}

/// The directory of a repository entry (a named file's parent).
pub(super) fn existing_dir(path: &Path) -> &Path {
    if path.is_file() {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    } else {
        path
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// 2 on any error, 1 on findings left unfixed (or, in a dry run, any
/// finding), else 0 — over every repository.
fn exit_code(runs: &[RepoRun]) -> i32 {
    runs.iter().map(|r| r.run.exit_code()).max().unwrap_or(0)
}
