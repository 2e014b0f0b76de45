//! `--diff-base REV`: keeps only the findings whose construct overlaps a
//! line changed since REV (as golangci-lint's `--new-from-rev`), per git
//! repository, from `git diff --unified=0 REV` and the untracked files.
//! It does not decide fixes: a finding it drops takes its fix with it.

use crate::engine::FileReport;
use std::collections::HashMap;
use std::io;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The changed lines of every repository a run touches, read on first need.
pub struct DiffBase {
    rev: String,
    /// Per repository top level: changed line ranges per absolute file path
    /// (`None`: the whole file is new).
    repos: Mutex<HashMap<PathBuf, Changes>>,
}

type Changes = HashMap<PathBuf, Option<Vec<RangeInclusive<usize>>>>;

/// Why `--diff-base` cannot tell which lines changed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DiffBaseError {
    /// git would read REV as an option.
    #[error("--diff-base {0:?}: a revision cannot start with '-'")]
    OptionLike(String),
    #[error("--diff-base {rev:?}: not a commit in {}", top.display())]
    NotACommit { rev: String, top: PathBuf },
    #[error("{} is not in a git work tree", .0.display())]
    NotInWorkTree(PathBuf),
    /// The top level git names cannot be resolved.
    #[error("{0}")]
    TopLevel(io::Error),
    /// A reported file that cannot be resolved.
    #[error("{}: {error}", path.display())]
    Resolve { path: PathBuf, error: io::Error },
    /// A reported file whose work tree cannot be found.
    #[error("--diff-base: {}: {error}", path.display())]
    File { path: PathBuf, error: Box<DiffBaseError> },
    /// `git diff` failed (`error`: what git said).
    #[error("--diff-base {rev}: git diff failed in {}: {error}", top.display())]
    Diff { rev: String, top: PathBuf, error: String },
    /// `git ls-files` (the untracked files) failed.
    #[error("--diff-base: git ls-files failed in {}: {error}", top.display())]
    Untracked { top: PathBuf, error: String },
}

impl DiffBase {
    /// Checks that REV names a commit in the repository of `probe` (the
    /// first PATH), so that a typo fails before the run.
    pub fn new(rev: &str, probe: &Path) -> Result<Self, DiffBaseError> {
        if rev.starts_with('-') {
            return Err(DiffBaseError::OptionLike(rev.to_string()));
        }
        let base = DiffBase {
            rev: rev.to_string(),
            repos: Mutex::new(HashMap::new()),
        };
        let dir = existing_dir(probe);
        let top = toplevel(&dir)?;
        git(
            &top,
            &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
        )
        .map_err(|_| DiffBaseError::NotACommit {
            rev: rev.to_string(),
            top: top.clone(),
        })?;
        Ok(base)
    }

    /// The revision the changed lines are counted from.
    pub fn rev(&self) -> &str {
        &self.rev
    }

    /// Drops the findings on no changed line; returns how many were dropped
    /// and whether one of them had a fix the run included.
    pub fn filter(&self, reports: &mut [FileReport]) -> Result<(usize, bool), DiffBaseError> {
        let (mut hidden, mut had_fix) = (0, false);
        for report in reports {
            if report.findings.is_empty() {
                continue;
            }
            let lines = self.changed_lines(&report.path)?;
            report.findings.retain(|f| {
                let keep = match &lines {
                    None => false,
                    Some(None) => true,
                    Some(Some(ranges)) => ranges.iter().any(|r| *r.start() <= f.end_line && f.line <= *r.end()),
                };
                if !keep {
                    hidden += 1;
                    had_fix |= f.fix_status().is_included();
                }
                keep
            });
        }
        Ok((hidden, had_fix))
    }

    /// The changed lines of one file: `None` unchanged, `Some(None)` new.
    fn changed_lines(&self, path: &Path) -> Result<Option<Option<Vec<RangeInclusive<usize>>>>, DiffBaseError> {
        let abs = std::fs::canonicalize(path).map_err(|error| DiffBaseError::Resolve {
            path: path.to_path_buf(),
            error,
        })?;
        let dir = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
        let top = toplevel(&dir).map_err(|e| DiffBaseError::File {
            path: path.to_path_buf(),
            error: Box::new(e),
        })?;
        let mut repos = self.repos.lock().expect("diff-base cache");
        if !repos.contains_key(&top) {
            let changes = read_changes(&top, &self.rev)?;
            repos.insert(top.clone(), changes);
        }
        Ok(repos[&top].get(&abs).cloned())
    }
}

fn existing_dir(path: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if abs.is_dir() {
        abs
    } else {
        abs.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}

/// The top level of the git work tree holding `dir`.
fn toplevel(dir: &Path) -> Result<PathBuf, DiffBaseError> {
    let out =
        git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| DiffBaseError::NotInWorkTree(dir.to_path_buf()))?;
    std::fs::canonicalize(out.trim()).map_err(DiffBaseError::TopLevel)
}

/// Runs git in `dir` (argv only, isolated from the repository's config:
/// `gitenv`) and returns its stdout, or what it said on stderr (or why it
/// could not run).
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    git_with(dir, &[], args)
}

/// `git` with `config` (`-c` arguments) before the command.
fn git_with(dir: &Path, config: &[String], args: &[&str]) -> Result<String, String> {
    let out = crate::gitenv::git(dir)
        .args(["-c", "core.quotepath=off"])
        .args(config)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// The lines of each file changed between REV and the work tree, and the
/// untracked files (new as a whole).
fn read_changes(top: &Path, rev: &str) -> Result<Changes, DiffBaseError> {
    // Comparing with the work tree would run the repository's clean
    // filters: every filter and diff driver it defines is emptied.
    let diff = git_with(
        top,
        &crate::gitenv::driver_overrides(top),
        &[
            "diff",
            "--no-ext-diff",
            "--no-color",
            "--no-textconv",
            "--unified=0",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ],
    )
    .map_err(|error| DiffBaseError::Diff {
        rev: rev.to_string(),
        top: top.to_path_buf(),
        error,
    })?;
    let mut changes = parse_diff(top, &diff);
    let untracked =
        git(top, &["ls-files", "--others", "--exclude-standard", "-z"]).map_err(|error| DiffBaseError::Untracked {
            top: top.to_path_buf(),
            error,
        })?;
    for name in untracked.split('\0').filter(|n| !n.is_empty()) {
        changes.insert(top.join(name), None);
    }
    Ok(changes)
}

/// Changed line ranges per file from a `--unified=0` diff.
fn parse_diff(top: &Path, diff: &str) -> Changes {
    let mut changes: Changes = HashMap::new();
    let mut current: Option<PathBuf> = None;
    for line in diff.lines() {
        if let Some(name) = line.strip_prefix("+++ ") {
            current = name.strip_prefix("b/").map(|n| top.join(unquote(n)));
            if let Some(p) = &current {
                changes.entry(p.clone()).or_insert_with(|| Some(Vec::new()));
            }
        } else if let (Some(hunk), Some(p)) = (line.strip_prefix("@@ "), &current) {
            // @@ -a[,b] +c[,d] @@
            let new = hunk.split_whitespace().find_map(|w| w.strip_prefix('+'));
            let Some(new) = new else { continue };
            let (start, count) = match new.split_once(',') {
                Some((s, c)) => (s.parse().unwrap_or(0), c.parse().unwrap_or(0)),
                None => (new.parse().unwrap_or(0), 1),
            };
            if count > 0 {
                if let Some(Some(ranges)) = changes.get_mut(p) {
                    ranges.push(start..=start + count - 1);
                }
            }
        }
    }
    changes
}

/// A path as git prints it: C-quoted when it holds special characters.
fn unquote(name: &str) -> String {
    let Some(inner) = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) else {
        return name.to_string();
    };
    let mut out = Vec::new();
    let mut bytes = inner.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let rest: Vec<u8> = bytes.by_ref().take(2).collect();
                let digits = std::iter::once(d).chain(rest).map(|c| (c - b'0') as u32);
                out.push(digits.fold(0, |n, x| n * 8 + x) as u8);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_new_side_line_ranges() {
        let diff = "diff --git a/p.go b/p.go\n--- a/p.go\n+++ b/p.go\n@@ -3,0 +4,2 @@ func f() {\n+a\n+b\n@@ -10 +12 @@\n-x\n+y\n@@ -20,3 +22,0 @@\n-gone\ndiff --git a/old.go b/old.go\n--- a/old.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n";
        let c = parse_diff(Path::new("/r"), diff);
        assert_eq!(c[Path::new("/r/p.go")], Some(vec![4..=5, 12..=12]));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn quoted_paths_are_unquoted() {
        assert_eq!(unquote("\"a\\tb\\303\\251.go\""), "a\tbé.go");
        assert_eq!(unquote("plain.go"), "plain.go");
    }
}
