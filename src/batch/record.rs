//! The per-repository record of a batch run (`repositories[]` in JSON, the
//! repository table in markdown): what happened to each repository, its
//! branch, commit and pull request, and why it fell short when it did. Not
//! the document around the records (output.rs, render::json).

use super::commit::CommitOutcome;
use super::pr::PrOutcome;
use super::{CommitStatus, RepoRun};
use crate::render::{JsonSummary, Summary};
use serde::Serialize;

/// What happened to one repository, in one word (README: "repositories[]").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoStatus {
    /// Dry run: nothing found.
    Clean,
    /// Findings, but no fix to write (or, with `--write`, none written).
    Findings,
    /// Dry run: fixes to write.
    Changes,
    /// `--write`: fixes written in place.
    Written,
    /// `--commit`: a new branch with the rewrite.
    Committed,
    /// `--commit --force-branch`: the existing branch rebuilt with the rewrite.
    Reset,
    /// `--commit`: the branch already held this rewrite; no new commit.
    UpToDate,
    /// `--commit`: nothing to commit.
    NoChanges,
    /// `--commit`: in the same git repository as an earlier entry, committed with it.
    Shared,
    /// `--commit`: left alone for the reason given (uncommitted changes, branch in the way).
    Skipped,
    /// Not processed or not committed: its config did not load, its path could
    /// not be read, it is not a git repository, or git failed.
    Failed,
}

impl RepoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RepoStatus::Clean => "clean",
            RepoStatus::Findings => "findings",
            RepoStatus::Changes => "changes",
            RepoStatus::Written => "written",
            RepoStatus::Committed => "committed",
            RepoStatus::Reset => "reset",
            RepoStatus::UpToDate => "up-to-date",
            RepoStatus::NoChanges => "no-changes",
            RepoStatus::Shared => "shared",
            RepoStatus::Skipped => "skipped",
            RepoStatus::Failed => "failed",
        }
    }
}

/// One repository's record.
#[derive(Debug, Clone)]
pub struct RepoRecord {
    /// The repository's normalised path (as in the closing table).
    pub path: String,
    pub status: RepoStatus,
    /// Why it was skipped or failed, or why its push or pull request did not happen.
    pub reason: Option<String>,
    /// The branch holding the rewrite.
    pub branch: Option<String>,
    /// The branch's commit (full SHA).
    pub commit: Option<String>,
    /// `--pr`: opened, updated, deferred (`--max-prs`), no-gh, push-failed or failed.
    pub pr_status: Option<&'static str>,
    pub pr_url: Option<String>,
    pub summary: Summary,
}

/// A record as JSON (an object of `repositories[]`); absent values are `null`.
#[derive(Debug, Serialize)]
pub struct RepoRecordJson<'a> {
    pub path: &'a str,
    pub status: &'static str,
    pub reason: Option<&'a str>,
    pub branch: Option<&'a str>,
    pub commit: Option<&'a str>,
    pub pr_status: Option<&'static str>,
    pub pr_url: Option<&'a str>,
    pub summary: JsonSummary,
}

impl RepoRecord {
    /// The JSON object of `repositories[]`.
    pub fn to_json(&self) -> RepoRecordJson<'_> {
        RepoRecordJson {
            path: &self.path,
            status: self.status.as_str(),
            reason: self.reason.as_deref(),
            branch: self.branch.as_deref(),
            commit: self.commit.as_deref(),
            pr_status: self.pr_status,
            pr_url: self.pr_url.as_deref(),
            summary: JsonSummary::from(&self.summary),
        }
    }
}

/// The records of every repository, in list order.
pub fn records(runs: &[RepoRun], branch: Option<&str>, max_prs: Option<usize>) -> Vec<RepoRecord> {
    let own: Vec<RepoRecord> = runs.iter().map(|r| record(r, branch, max_prs)).collect();
    // An entry committed with an earlier one shares its branch, commit and pull request.
    runs.iter()
        .zip(&own)
        .map(|(r, rec)| {
            let Some(CommitStatus::SharedWith(lead)) = &r.commit else {
                return rec.clone();
            };
            let mut rec = rec.clone();
            if let Some(l) = own.iter().find(|l| l.path == *lead) {
                if l.branch.is_none() {
                    rec.reason = Some(format!("same git repository as {lead}, whose entry says what happened"));
                }
                rec.branch.clone_from(&l.branch);
                rec.commit.clone_from(&l.commit);
                rec.pr_status = l.pr_status;
                rec.pr_url.clone_from(&l.pr_url);
            }
            rec
        })
        .collect()
}

fn record(r: &RepoRun, branch: Option<&str>, max_prs: Option<usize>) -> RepoRecord {
    let summary = r.run.summary();
    let mut rec = RepoRecord {
        path: r.repo.key.clone(),
        status: RepoStatus::Clean,
        reason: None,
        branch: None,
        commit: None,
        pr_status: None,
        pr_url: None,
        summary,
    };
    if let Some(failure) = &r.failure {
        rec.status = RepoStatus::Failed;
        rec.reason = Some(failure.clone());
        return rec;
    }
    let on_branch = |rec: &mut RepoRecord, status, commit: &str| {
        rec.status = status;
        rec.branch = branch.map(str::to_string);
        rec.commit = Some(commit.to_string());
    };
    match &r.commit {
        None => rec.status = uncommitted_status(r, &rec.summary),
        Some(CommitStatus::NoChanges) | Some(CommitStatus::Done(CommitOutcome::NothingToCommit)) => {
            rec.status = RepoStatus::NoChanges
        }
        Some(CommitStatus::NotGit) => {
            rec.status = RepoStatus::Failed;
            rec.reason = Some("not a git repository: its fixes were not committed (nor written)".into());
        }
        Some(CommitStatus::Failed(e)) => {
            rec.status = RepoStatus::Failed;
            rec.reason = Some(format!("commit failed: {e}"));
        }
        Some(CommitStatus::SharedWith(lead)) => {
            rec.status = RepoStatus::Shared;
            rec.reason = Some(format!("same git repository as {lead}: committed with it"));
        }
        Some(CommitStatus::Done(outcome)) => match outcome {
            CommitOutcome::Created { commit } => on_branch(&mut rec, RepoStatus::Committed, commit),
            CommitOutcome::Reset { commit, .. } => on_branch(&mut rec, RepoStatus::Reset, commit),
            CommitOutcome::UpToDate { commit } => on_branch(&mut rec, RepoStatus::UpToDate, commit),
            CommitOutcome::Skipped { reason } => {
                rec.status = RepoStatus::Skipped;
                rec.reason = Some(reason.clone());
            }
            CommitOutcome::NothingToCommit => unreachable!("matched above"),
        },
    }
    if let Some(Err(e)) = &r.pushed {
        rec.reason = Some(format!("push failed: {e}"));
    }
    if let Some(pr) = &r.pr {
        let (state, url, reason) = match pr {
            PrOutcome::Opened { url } => ("opened", Some(url.clone()), None),
            PrOutcome::Updated { url } => ("updated", Some(url.clone()), None),
            PrOutcome::LeftForNextRun => (
                "deferred",
                None,
                Some(format!(
                    "--max-prs {} reached: the branch is committed; the next run opens its pull request",
                    max_prs.unwrap_or(0)
                )),
            ),
            PrOutcome::NoGh { body_file } => (
                "no-gh",
                None,
                Some(format!(
                    "gh not found: pull-request body written to {}",
                    body_file.display()
                )),
            ),
            PrOutcome::PushFailed { message } => ("push-failed", None, Some(format!("push failed: {message}"))),
            PrOutcome::Failed { message, body_file } => (
                "failed",
                None,
                Some(format!(
                    "pull request not opened: {message}; its body is in {}",
                    body_file.display()
                )),
            ),
        };
        rec.pr_status = Some(state);
        rec.pr_url = url;
        if reason.is_some() {
            rec.reason = reason;
        }
    }
    rec
}

/// Without `--commit`: what the run did (or would do) to the files.
pub(super) fn uncommitted_status(r: &RepoRun, s: &Summary) -> RepoStatus {
    if r.run.wrote && s.applied > 0 {
        RepoStatus::Written
    } else if !r.run.wrote && s.changed_files > 0 {
        RepoStatus::Changes
    } else if s.findings > 0 {
        RepoStatus::Findings
    } else {
        RepoStatus::Clean
    }
}
