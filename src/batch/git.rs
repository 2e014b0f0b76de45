//! Git plumbing for `--commit`: every call is an argv (`std::process::Command`,
//! never a shell), isolated from the repository's config (`gitenv`). Commits
//! are built without touching the checkout and without running a filter:
//! blobs of exact bytes with `hash-object -w --no-filters`, a tree from a
//! temporary index (`GIT_INDEX_FILE`, `read-tree`, `update-index -z`,
//! `write-tree`), then `commit-tree` and `update-ref`. Paths are read
//! NUL-separated and never rewritten. The user's index, working tree and
//! current branch are never written.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

/// A git (or other) command that failed, or a path the checkout cannot place.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    /// The program could not be started (`command`: the argv, quoted).
    #[error("cannot run {command}: {error}")]
    Spawn { command: String, error: io::Error },
    #[error("{command}: cannot write its input: {error}")]
    Input { command: String, error: io::Error },
    #[error("{command}: {error}")]
    Wait { command: String, error: io::Error },
    /// It ran and failed; `stderr` is what it said.
    #[error("{command} failed ({status}): {stderr}")]
    Failed {
        command: String,
        status: ExitStatus,
        stderr: String,
    },
    /// `git rev-parse` could not be started to resolve a revision.
    #[error("cannot run git: {0}")]
    Resolve(io::Error),
    #[error("{}: unexpected `git rev-parse` output {output:?}", dir.display())]
    RevParse { dir: PathBuf, output: String },
    /// A path that cannot be canonicalised.
    #[error("{}: {error}", path.display())]
    Path { path: PathBuf, error: io::Error },
    #[error("{} is outside the repository at {}", file.display(), top.display())]
    Outside { file: PathBuf, top: PathBuf },
    #[error("cannot create a temporary index directory: {0}")]
    TempIndex(io::Error),
    #[error("--branch {0:?} is not a valid git branch name")]
    BranchName(String),
    #[error("{}: the file name is not UTF-8; mapfix does not commit it", .0.display())]
    NotUtf8(PathBuf),
    /// The repository's git directory lies outside it (SPEC §5: refused).
    #[error("{}: {reason}; mapfix does not commit there", dir.display())]
    GitDirOutside { dir: PathBuf, reason: String },
}

/// The 40 (or 64) hex digits of an object.
pub type ObjectId = String;

/// `Name <email>` for `--author`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl std::str::FromStr for Identity {
    type Err = String;

    fn from_str(s: &str) -> Result<Identity, String> {
        let bad = || format!("{s:?} is not an identity like \"Name <email>\"");
        let s = s.trim();
        let open = s.rfind('<').ok_or_else(bad)?;
        let email = s[open + 1..].strip_suffix('>').ok_or_else(bad)?.trim();
        let name = s[..open].trim();
        if name.is_empty() || email.is_empty() || email.contains(['<', '>']) || name.contains(['<', '>']) {
            return Err(bad());
        }
        Ok(Identity {
            name: name.into(),
            email: email.into(),
        })
    }
}

/// A git working tree, addressed by its top-level directory.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub toplevel: PathBuf,
    pub git_dir: PathBuf,
}

/// One entry of an index (`git ls-files --stage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    pub mode: String,
    pub id: ObjectId,
    /// Stage 0 (not a merge conflict).
    pub merged: bool,
}

/// A temporary index file, removed when dropped.
pub struct TempIndex {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TempIndex {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A file of the new commit: path relative to the top level, mode, bytes.
#[derive(Debug, Clone)]
pub struct NewBlob {
    pub path: String,
    pub mode: String,
    pub bytes: Vec<u8>,
}

/// A `git` command in `dir`, isolated from the repository's config (`gitenv`).
fn git_command(dir: &Path) -> Command {
    crate::gitenv::git(dir)
}

/// Runs `cmd`, feeding `stdin`; stdout on success, a message naming the
/// command and quoting git's stderr otherwise.
pub fn run(mut cmd: Command, stdin: Option<&[u8]>) -> Result<String, GitError> {
    let command = describe(&cmd);
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(error) => return Err(GitError::Spawn { command, error }),
    };
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        if let Err(error) = pipe.write_all(bytes) {
            return Err(GitError::Input { command, error });
        }
    }
    let out = match child.wait_with_output() {
        Ok(out) => out,
        Err(error) => return Err(GitError::Wait { command, error }),
    };
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(GitError::Failed {
            command,
            status: out.status,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

/// The command as messages show it: without the `-c` overrides of `gitenv`.
fn describe(cmd: &Command) -> String {
    let mut args: Vec<String> = Vec::new();
    let mut all = cmd.get_args().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = all.next() {
        if arg == "-c" {
            all.next();
        } else {
            args.push(arg);
        }
    }
    format!("`{} {}`", cmd.get_program().to_string_lossy(), args.join(" "))
}

/// The checkout containing `dir`; `Ok(None)` when `dir` is not inside a git
/// working tree.
pub fn open(dir: &Path) -> Result<Option<Checkout>, GitError> {
    let mut cmd = git_command(dir);
    cmd.args(["rev-parse", "--is-inside-work-tree"]);
    match run(cmd, None) {
        Ok(s) if s.trim() == "true" => {}
        Ok(_) => return Ok(None),
        Err(e @ GitError::Spawn { .. }) => return Err(e),
        Err(_) => return Ok(None),
    }
    let mut cmd = git_command(dir);
    cmd.args([
        "rev-parse",
        "--path-format=absolute",
        "--show-toplevel",
        "--absolute-git-dir",
        "--git-common-dir",
    ]);
    let out = run(cmd, None)?;
    let lines: Vec<&str> = out.lines().collect();
    let [top, git_dir, common] = lines[..] else {
        return Err(GitError::RevParse {
            dir: dir.to_path_buf(),
            output: out,
        });
    };
    let checkout = Checkout {
        toplevel: PathBuf::from(top),
        git_dir: PathBuf::from(git_dir),
    };
    super::location::check(dir, &checkout, Path::new(common))?;
    Ok(Some(checkout))
}

impl Checkout {
    fn git(&self) -> Command {
        git_command(&self.toplevel)
    }

    fn git_run(&self, args: &[&str]) -> Result<String, GitError> {
        let mut cmd = self.git();
        cmd.args(args);
        run(cmd, None)
    }

    /// `file` relative to the top level, with `/` separators.
    pub fn relative(&self, file: &Path) -> Result<String, GitError> {
        let canonical = |path: &Path| {
            std::fs::canonicalize(path).map_err(|error| GitError::Path {
                path: path.to_path_buf(),
                error,
            })
        };
        let abs = canonical(file)?;
        let top = canonical(&self.toplevel)?;
        let rel = abs.strip_prefix(&top).map_err(|_| GitError::Outside {
            file: file.to_path_buf(),
            top: top.clone(),
        })?;
        let Some(rel) = rel.to_str() else {
            return Err(GitError::NotUtf8(file.to_path_buf()));
        };
        // Only Windows separates with `\\`; elsewhere it is part of a file name.
        Ok(if cfg!(windows) {
            rel.replace('\\', "/")
        } else {
            rel.to_string()
        })
    }

    /// The commit HEAD points at; `None` in a repository with no commits.
    pub fn head(&self) -> Result<Option<ObjectId>, GitError> {
        self.resolve("HEAD^{commit}")
    }

    /// The object a revision names, if it exists.
    pub fn resolve(&self, rev: &str) -> Result<Option<ObjectId>, GitError> {
        let mut cmd = self.git();
        cmd.args(["rev-parse", "--verify", "--quiet", "--end-of-options", rev]);
        let out = cmd.output().map_err(GitError::Resolve)?;
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok((out.status.success() && !id.is_empty()).then_some(id))
    }

    /// Every entry of an index: path → (mode, object). The user's index, or
    /// with `index`, another one. Read whole, NUL-separated: no path is
    /// handed to git, so none is parsed as a pathspec.
    pub fn index_entries(&self, index: Option<&Path>) -> Result<HashMap<String, IndexEntry>, GitError> {
        let mut cmd = self.git();
        if let Some(index) = index {
            cmd.env("GIT_INDEX_FILE", index);
        }
        cmd.args(["ls-files", "--stage", "-z"]);
        let mut entries = HashMap::new();
        for entry in run(cmd, None)?.split('\0').filter(|e| !e.is_empty()) {
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            if let (Some(mode), Some(id), Some(stage)) = (meta.next(), meta.next(), meta.next()) {
                let e = IndexEntry {
                    mode: mode.to_string(),
                    id: id.to_string(),
                    merged: stage == "0",
                };
                entries.insert(path.to_string(), e);
            }
        }
        Ok(entries)
    }

    /// The object id of `bytes` as a blob, stored when `write`; exactly
    /// these bytes (`--no-filters`: no clean filter, no line-ending change).
    pub fn blob_id(&self, bytes: &[u8], write: bool) -> Result<ObjectId, GitError> {
        let mut cmd = self.git();
        cmd.args(["hash-object", "--no-filters", "--stdin"]);
        if write {
            cmd.arg("-w");
        }
        Ok(run(cmd, Some(bytes))?.trim().to_string())
    }

    /// A temporary index holding the tree of `base` (removed with the value).
    pub fn temp_index(&self, base: &str) -> Result<TempIndex, GitError> {
        let dir = tempfile::tempdir().map_err(GitError::TempIndex)?;
        let path = dir.path().join("index");
        let mut cmd = self.git();
        cmd.env("GIT_INDEX_FILE", &path).args(["read-tree", base]);
        run(cmd, None)?;
        Ok(TempIndex { _dir: dir, path })
    }

    /// The tree of `index` with `blobs` replaced (their bytes stored as they are).
    pub fn tree_with(&self, index: &TempIndex, blobs: &[NewBlob]) -> Result<ObjectId, GitError> {
        let with_index = |args: &[&str]| {
            let mut cmd = self.git();
            cmd.env("GIT_INDEX_FILE", &index.path).args(args);
            cmd
        };
        let mut info = Vec::new();
        for blob in blobs {
            let id = self.blob_id(&blob.bytes, true)?;
            info.extend_from_slice(format!("{} {id}\t", blob.mode).as_bytes());
            info.extend_from_slice(blob.path.as_bytes());
            info.push(0);
        }
        run(with_index(&["update-index", "-z", "--index-info"]), Some(&info))?;
        Ok(run(with_index(&["write-tree"]), None)?.trim().to_string())
    }

    /// Creates a commit of `tree` on `parent`; the author is `author` or
    /// git's configured identity (which also commits when none is configured
    /// and `author` is given).
    pub fn commit_tree(
        &self,
        tree: &str,
        parent: &str,
        message: &str,
        author: Option<&Identity>,
    ) -> Result<ObjectId, GitError> {
        let mut cmd = self.git();
        cmd.args(["commit-tree", "--no-gpg-sign", tree, "-p", parent, "-F", "-"]);
        if let Some(id) = author {
            cmd.env("GIT_AUTHOR_NAME", &id.name).env("GIT_AUTHOR_EMAIL", &id.email);
            if self.git_run(&["var", "GIT_COMMITTER_IDENT"]).is_err() {
                cmd.env("GIT_COMMITTER_NAME", &id.name)
                    .env("GIT_COMMITTER_EMAIL", &id.email);
            }
        }
        Ok(run(cmd, Some(message.as_bytes()))?.trim().to_string())
    }

    /// Points `refs/heads/NAME` at `new`, only if it still points at `old`
    /// (`None`: only if it does not exist yet).
    pub fn update_branch(&self, name: &str, new: &str, old: Option<&str>, reason: &str) -> Result<(), GitError> {
        let refname = format!("refs/heads/{name}");
        self.git_run(&["update-ref", "-m", reason, &refname, new, old.unwrap_or("")])
            .map(drop)
    }

    /// Working trees (this one or linked ones) that have `name` checked out.
    pub fn checked_out_at(&self, name: &str) -> Result<Option<PathBuf>, GitError> {
        let out = self.git_run(&["worktree", "list", "--porcelain", "-z"])?;
        let wanted = format!("branch refs/heads/{name}");
        let mut current: Option<&str> = None;
        for field in out.split('\0') {
            if let Some(path) = field.strip_prefix("worktree ") {
                current = Some(path);
            } else if field == wanted {
                return Ok(current.map(PathBuf::from));
            }
        }
        Ok(None)
    }

    /// `git push -u origin NAME`; when `force` (NAME was reset), with a lease
    /// on the value `origin/NAME` had when it was last fetched.
    pub fn push(&self, name: &str, force: bool) -> Result<(), GitError> {
        let mut args = vec!["push".to_string(), "--porcelain".into(), "-u".into()];
        if force {
            if let Some(expected) = self.resolve(&format!("refs/remotes/origin/{name}"))? {
                args.push(format!("--force-with-lease=refs/heads/{name}:{expected}"));
            }
        }
        args.extend(["origin".into(), format!("refs/heads/{name}:refs/heads/{name}")]);
        // The repository's credential helpers are emptied (the user's put back).
        let mut cmd = self.git();
        cmd.args(crate::gitenv::driver_overrides(&self.toplevel));
        // `remote.origin.receivepack` cannot be overridden by `-c`: the option can.
        cmd.args([
            "push",
            "--no-verify",
            "--no-recurse-submodules",
            "--receive-pack=git-receive-pack",
        ])
        .args(&args[1..]);
        run(cmd, None).map(drop)
    }

    /// The remote's default branch as recorded by `git clone`
    /// (`refs/remotes/origin/HEAD`), if known.
    pub fn default_branch(&self) -> Option<String> {
        let out = self
            .git_run(&["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"])
            .ok()?;
        out.trim().strip_prefix("origin/").map(str::to_string)
    }
}

/// Whether `name` is a valid branch name (`git check-ref-format --branch`,
/// which must give the name back unchanged: `@{-1}` and the like are refused).
pub fn check_branch_name(name: &str) -> Result<(), GitError> {
    let mut cmd = git_command(&std::env::temp_dir());
    cmd.args(["check-ref-format", "--branch", name]);
    match run(cmd, None) {
        Ok(out) if out.strip_suffix('\n').unwrap_or(&out) == name => Ok(()),
        _ => Err(GitError::BranchName(name.to_string())),
    }
}

/// `--branch`: a full `refs/heads/NAME` is taken as NAME (git would
/// otherwise make `refs/heads/refs/heads/NAME`).
pub fn branch_arg(value: &str) -> Result<String, String> {
    let name = value.strip_prefix("refs/heads/").unwrap_or(value);
    if name.is_empty() {
        return Err(format!("{value:?} is not a branch name"));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_identities() {
        let id: Identity = "Map Bot <bot@example.com>".parse().unwrap();
        assert_eq!(
            id,
            Identity {
                name: "Map Bot".into(),
                email: "bot@example.com".into()
            }
        );
        for bad in [
            "bot@example.com",
            "<bot@example.com>",
            "Bot <>",
            "Bot <a@b",
            "A <b> <c>",
        ] {
            assert!(bad.parse::<Identity>().is_err(), "{bad}");
        }
    }
}
