//! The closing table of a batch run: one line per repository (files,
//! findings, fixed, errors, and what `--commit`/`--pr` did), a total, and
//! the repositories `--max-prs` left for the next run.

use super::commit::CommitOutcome;
use super::pr::PrOutcome;
use super::{BatchArgs, CommitStatus, RepoRun};
use std::fmt::Write as _;

/// The table as text, ending with a newline.
pub fn table(runs: &[RepoRun], args: &BatchArgs) -> String {
    let branch = args.branch.as_deref().unwrap_or("");
    let width = runs
        .iter()
        .map(|r| r.repo.key.chars().count())
        .max()
        .unwrap_or(0)
        .max("repository".len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>6}  {:>8}  {:>5}  {:>6}  status",
        "repository", "files", "findings", "fixed", "errors"
    );
    let mut total = [0usize; 4];
    for r in runs {
        let s = r.run.summary();
        let row = [s.files_scanned, s.findings, s.applied, s.errors];
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        let status = status(r, branch);
        let line = format!(
            "{:<width$}  {:>6}  {:>8}  {:>5}  {:>6}  {status}",
            r.repo.key, row[0], row[1], row[2], row[3]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let repos = if runs.len() == 1 {
        "1 repository".to_string()
    } else {
        format!("{} repositories", runs.len())
    };
    let line = format!(
        "{:<width$}  {:>6}  {:>8}  {:>5}  {:>6}  {repos}",
        "total", total[0], total[1], total[2], total[3]
    );
    let _ = writeln!(out, "{line}");
    let left: Vec<&str> = runs
        .iter()
        .filter(|r| r.pr == Some(PrOutcome::LeftForNextRun))
        .map(|r| r.repo.key.as_str())
        .collect();
    if !left.is_empty() {
        let max = args.max_prs.unwrap_or(0);
        let _ = writeln!(
            out,
            "left for the next run (--max-prs {max} reached; their branches are committed): {}",
            left.join(", ")
        );
    }
    out
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// What happened to one repository, in a few words.
fn status(r: &RepoRun, branch: &str) -> String {
    if let Some(failure) = &r.failure {
        return format!("failed: {failure}");
    }
    let mut parts = Vec::new();
    match &r.commit {
        // What the JSON record says: written, changes (dry run), findings, clean.
        None => parts.push(
            super::record::uncommitted_status(r, &r.run.summary())
                .as_str()
                .to_string(),
        ),
        Some(CommitStatus::NoChanges) => parts.push("no changes".into()),
        Some(CommitStatus::NotGit) => parts.push("not a git repository: nothing committed".into()),
        Some(CommitStatus::SharedWith(lead)) => parts.push(format!("same git repository as {lead}: committed with it")),
        Some(CommitStatus::Failed(e)) => parts.push(format!("commit failed: {e}")),
        Some(CommitStatus::Done(outcome)) => parts.push(match outcome {
            CommitOutcome::Created { commit } => format!("committed {} on {branch}", short(commit)),
            CommitOutcome::Reset { commit, previous } => {
                format!("reset {branch} to {} (was {})", short(commit), short(previous))
            }
            CommitOutcome::UpToDate { commit } => format!("{branch} already up to date ({})", short(commit)),
            CommitOutcome::NothingToCommit => "no changes".into(),
            CommitOutcome::Skipped { reason } => format!("skipped: {reason}"),
        }),
    }
    match &r.pushed {
        Some(Ok(())) => parts.push(format!("pushed {branch}")),
        Some(Err(e)) => parts.push(format!("push failed: {e}")),
        None => {}
    }
    match &r.pr {
        None => {}
        Some(PrOutcome::Opened { url }) => parts.push(format!("opened {url}")),
        Some(PrOutcome::Updated { url }) => parts.push(format!("updated {url}")),
        Some(PrOutcome::LeftForNextRun) => parts.push("pull request left for the next run".into()),
        Some(PrOutcome::PushFailed { message }) => parts.push(format!("push failed: {message}")),
        Some(PrOutcome::NoGh { body_file }) => parts.push(format!(
            "gh not found: pull-request body written to {}",
            body_file.display()
        )),
        Some(PrOutcome::Failed { body_file, .. }) => {
            parts.push(format!("pull request failed: body kept in {}", body_file.display()))
        }
    }
    parts.join("; ")
}
