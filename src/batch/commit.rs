//! `--commit --branch NAME`: puts one repository's rewrite in a commit on
//! NAME, built from HEAD with git plumbing, without writing into the
//! checkout. Refuses (skips the repository) when a file to rewrite has
//! uncommitted changes or changed since the run read it (bytes compared in
//! HEAD, the index and the work tree, no filter run), when NAME is checked
//! out, or when NAME holds other work and `--force-branch` was not given.
//! A branch whose tree already equals the rewrite gets no new commit;
//! without a local branch, the remote-tracking `origin/NAME` counts as the
//! branch (a CI job's fresh clone), so re-runs stay idempotent there too.

use super::git::{Checkout, GitError, Identity, NewBlob, ObjectId, TempIndex};
use std::path::PathBuf;

/// How to commit.
pub struct CommitSettings<'a> {
    pub branch: &'a str,
    pub force_branch: bool,
    pub author: Option<&'a Identity>,
}

/// A file's new content, by the path the run reached it with, and the
/// bytes the run read (the rewrite is committed only onto those).
pub struct Rewrite {
    pub path: PathBuf,
    pub original: Vec<u8>,
    pub bytes: Vec<u8>,
}

/// What happened in one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// NAME did not exist and now points at `commit`.
    Created { commit: ObjectId },
    /// NAME (or `origin/NAME`) existed with other content and was reset (`--force-branch`).
    Reset { commit: ObjectId, previous: ObjectId },
    /// NAME already holds exactly this rewrite: no new commit.
    UpToDate { commit: ObjectId },
    /// The rewrite equals HEAD (line-ending filters undid it): nothing to commit.
    NothingToCommit,
    /// Not committed, for the reason given; the checkout is untouched.
    Skipped { reason: String },
}

impl CommitOutcome {
    /// Whether NAME holds the rewrite after this run.
    pub fn branch_has_rewrite(&self) -> bool {
        matches!(
            self,
            CommitOutcome::Created { .. } | CommitOutcome::Reset { .. } | CommitOutcome::UpToDate { .. }
        )
    }
}

/// Commits `rewrites` on `settings.branch` in `repo`; `message` is the
/// commit message. Errors are failures of git itself.
pub fn commit_rewrites(
    repo: &Checkout,
    rewrites: &[Rewrite],
    message: &str,
    settings: &CommitSettings,
) -> Result<CommitOutcome, GitError> {
    let skip = |reason: String| Ok(CommitOutcome::Skipped { reason });
    let Some(head) = repo.head()? else {
        return skip("the repository has no commits yet".into());
    };
    let paths: Vec<String> = rewrites
        .iter()
        .map(|r| repo.relative(&r.path))
        .collect::<Result<_, _>>()?;
    let index = repo.temp_index(&head)?;
    let blobs = match new_blobs(repo, &index, &paths, rewrites)? {
        Ok(blobs) => blobs,
        Err(reason) => return skip(reason),
    };
    if let Some(worktree) = repo.checked_out_at(settings.branch)? {
        return skip(format!(
            "branch {} is checked out in {}; mapfix does not move a checked-out branch",
            settings.branch,
            worktree.display()
        ));
    }
    let tree = repo.tree_with(&index, &blobs)?;
    if repo.resolve("HEAD^{tree}")?.as_deref() == Some(tree.as_str()) {
        return Ok(CommitOutcome::NothingToCommit);
    }
    // A fresh clone (a CI job) has no local branch yet: the one an earlier
    // run pushed, `origin/NAME`, stands for it.
    let local = repo.resolve(&format!("refs/heads/{}^{{commit}}", settings.branch))?;
    let remote = match &local {
        Some(_) => None,
        None => repo.resolve(&format!("refs/remotes/origin/{}^{{commit}}", settings.branch))?,
    };
    let existing = local.clone().or(remote);
    if let Some(tip) = &existing {
        if repo.resolve(&format!("{tip}^{{tree}}"))?.as_deref() == Some(tree.as_str()) {
            if local.is_none() {
                repo.update_branch(settings.branch, tip, None, "mapfix: branch from origin")?;
            }
            return Ok(CommitOutcome::UpToDate { commit: tip.clone() });
        }
        if !settings.force_branch {
            return skip(format!(
                "branch {}{} already exists with other content; --force-branch resets it to HEAD plus this rewrite",
                settings.branch,
                if local.is_none() { " (on origin)" } else { "" }
            ));
        }
    }
    let commit = repo.commit_tree(&tree, &head, message, settings.author)?;
    let subject = message.lines().next().unwrap_or("mapfix");
    repo.update_branch(settings.branch, &commit, local.as_deref(), subject)?;
    Ok(match existing {
        Some(previous) => CommitOutcome::Reset { commit, previous },
        None => CommitOutcome::Created { commit },
    })
}

/// The blobs of the new commit, or why the repository is skipped: each
/// file must be a regular file in HEAD whose bytes there, in the index and
/// in the work tree are still exactly those the run read. Compared without
/// filters, so a commit made, or an edit saved, since the run read a file
/// skips the repository instead of being reverted on the branch.
fn new_blobs(
    repo: &Checkout,
    head_index: &TempIndex,
    paths: &[String],
    rewrites: &[Rewrite],
) -> Result<Result<Vec<NewBlob>, String>, GitError> {
    let in_head = repo.index_entries(Some(head_index.path()))?;
    let staged = repo.index_entries(None)?;
    let mut dirty = Vec::new();
    let mut blobs = Vec::with_capacity(rewrites.len());
    for (path, rewrite) in paths.iter().zip(rewrites) {
        let Some(head) = in_head.get(path) else {
            if staged.contains_key(path) {
                dirty.push(path.clone());
                continue;
            }
            return Ok(Err(format!(
                "{path} is not committed in this repository (untracked, ignored, or in a nested repository)"
            )));
        };
        if !matches!(head.mode.as_str(), "100644" | "100755") {
            return Ok(Err(format!("{path} is not a regular file in git (mode {})", head.mode)));
        }
        match std::fs::read(&rewrite.path) {
            Ok(now) if now == rewrite.original => {}
            _ => {
                return Ok(Err(format!(
                    "{path} changed since mapfix read it (an edit or a commit during the run); run again"
                )))
            }
        }
        let read = repo.blob_id(&rewrite.original, false)?;
        if read != head.id || staged.get(path) != Some(head) {
            dirty.push(path.clone());
            continue;
        }
        blobs.push(NewBlob {
            path: path.clone(),
            mode: head.mode.clone(),
            bytes: rewrite.bytes.clone(),
        });
    }
    if !dirty.is_empty() {
        return Ok(Err(format!(
            "uncommitted changes in {} that mapfix would rewrite: {}; commit or stash them and run again",
            if dirty.len() == 1 { "a file" } else { "files" },
            dirty.join(", ")
        )));
    }
    Ok(Ok(blobs))
}
