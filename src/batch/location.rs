//! Where a repository's git data may live (SPEC §5): a `.git` file, a
//! symlinked `.git` or `core.worktree` must not make mapfix commit in
//! another repository. Accepted: a git directory inside the top level; a
//! submodule's (`A/.git/modules/…` of a directory `A` above the top level);
//! a linked worktree's (`…/.git/worktrees/NAME`) whose `gitdir` file points
//! back at this top level. The top level must hold the directory asked for.

use super::git::{Checkout, GitError};
use std::path::{Path, PathBuf};

/// Refuses a checkout whose git directory (or common directory) lies
/// outside the repository reached from `dir`.
pub fn check(dir: &Path, checkout: &Checkout, common: &Path) -> Result<(), GitError> {
    let refuse = |reason: String| GitError::GitDirOutside {
        dir: dir.to_path_buf(),
        reason,
    };
    let canonical = |p: &Path| {
        std::fs::canonicalize(p).map_err(|error| GitError::Path {
            path: p.to_path_buf(),
            error,
        })
    };
    let top = canonical(&checkout.toplevel)?;
    let asked = canonical(dir)?;
    if !asked.starts_with(&top) {
        return Err(refuse(format!(
            "its work tree is configured at {} (core.worktree)",
            top.display()
        )));
    }
    let git_dir = canonical(&checkout.git_dir)?;
    let common = canonical(common)?;
    if git_dir.starts_with(&top) && common.starts_with(&top) {
        return Ok(());
    }
    if let Some(owner) = submodule_owner(&git_dir) {
        if top.starts_with(&owner) && common.starts_with(owner.join(".git")) {
            return Ok(());
        }
    }
    if is_worktree_of(&git_dir, &common, &top) {
        return Ok(());
    }
    Err(refuse(format!(
        "its git directory {} is outside the repository",
        if git_dir.starts_with(&top) { &common } else { &git_dir }.display()
    )))
}

/// `A` when `git_dir` is `A/.git/modules/…`.
fn submodule_owner(git_dir: &Path) -> Option<PathBuf> {
    let mut dir = git_dir;
    while let Some(parent) = dir.parent() {
        if dir.file_name()? == "modules" && parent.file_name()? == ".git" {
            return parent.parent().map(Path::to_path_buf);
        }
        dir = parent;
    }
    None
}

/// Whether `git_dir` is `COMMON/worktrees/NAME` and its `gitdir` file
/// names `top/.git` (the link git keeps from the repository to the worktree).
fn is_worktree_of(git_dir: &Path, common: &Path, top: &Path) -> bool {
    if git_dir
        .parent()
        .map(|p| p.file_name() == Some("worktrees".as_ref()) && p.parent() == Some(common))
        != Some(true)
    {
        return false;
    }
    let Ok(back) = std::fs::read_to_string(git_dir.join("gitdir")) else {
        return false;
    };
    std::fs::canonicalize(back.trim_end_matches('\n')).is_ok_and(|p| p == top.join(".git"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_submodules_git_dir_names_its_owner() {
        assert_eq!(
            submodule_owner(Path::new("/r/.git/modules/a/b")),
            Some(PathBuf::from("/r"))
        );
        assert_eq!(submodule_owner(Path::new("/r/.git")), None);
        assert_eq!(submodule_owner(Path::new("/r/modules/a")), None);
    }
}
