//! Helpers for the batch tests: real git repositories in temporary
//! directories (isolated from the user's git configuration), a mapfix runner
//! with a controlled environment, and a fake `gh` that records its calls.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Go file with a range-delete site (fixed at Go ≥ 1.21) and a nil-reset site.
pub const TWO_RULES_GO: &str = "package a

func Reset(m map[string]int) {
\tfor k := range m {
\t\tdelete(m, k)
\t}
}

func Fill() map[string]int {
\tvar m map[string]int
\tm = nil
\tm[\"a\"] = 1
\treturn m
}
";

/// A Go file with only a range-delete site.
pub const RANGE_DELETE_GO: &str = "package b

func Drop(seen map[int]bool) {
\tfor k := range seen {
\t\tdelete(seen, k)
\t}
}
";

/// A Go file with nothing to report.
pub const CLEAN_GO: &str = "package c

func Len(m map[string]int) int { return len(m) }
";

/// A fleet in `root`: `clean` (fixable), `nochange`, `dirty` (fixable, with
/// an uncommitted edit in the file to fix), `plain` (not a repository) and
/// `mono` (modules at Go 1.22 and, nested in `legacy/`, Go 1.20).
pub fn fleet(root: &Path) {
    git_repo(
        &root.join("clean"),
        &[
            ("go.mod", &gomod("clean", "1.22")),
            ("a.go", TWO_RULES_GO),
            ("c.go", CLEAN_GO),
        ],
    );
    git_repo(
        &root.join("nochange"),
        &[("go.mod", &gomod("nochange", "1.22")), ("c.go", CLEAN_GO)],
    );
    let dirty = git_repo(
        &root.join("dirty"),
        &[("go.mod", &gomod("dirty", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    std::fs::write(dirty.join("b.go"), format!("{RANGE_DELETE_GO}\n// work in progress\n")).unwrap();
    write_files(
        &root.join("plain"),
        &[("go.mod", &gomod("plain", "1.22")), ("b.go", RANGE_DELETE_GO)],
    );
    git_repo(
        &root.join("mono"),
        &[
            ("go.mod", &gomod("mono", "1.22")),
            ("b.go", RANGE_DELETE_GO),
            ("legacy/go.mod", &gomod("mono/legacy", "1.20")),
            ("legacy/b.go", RANGE_DELETE_GO),
        ],
    );
    std::fs::write(
        root.join("repos.txt"),
        "# the fleet\nclean\n\nnochange/\n./dirty\nplain\n# mono comes last\nmono\n",
    )
    .unwrap();
}

/// Environment that keeps git away from the user's and system's configuration.
fn isolate(cmd: &mut Command) {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("NO_COLOR", "1");
}

/// Runs git in `dir`; panics on failure; returns trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn git_output(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new("git");
    isolate(&mut cmd);
    cmd.args(args).current_dir(dir).output().expect("run git")
}

/// Whether `rev` names an object in the repository.
pub fn has_rev(dir: &Path, rev: &str) -> bool {
    git_output(dir, &["rev-parse", "--verify", "--quiet", rev])
        .status
        .success()
}

/// Writes files (path, contents) under `dir`, creating directories.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// A git repository on `main` with one commit holding `files`, and a
/// configured identity (`Repo Owner <owner@example.com>`).
pub fn git_repo(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.name", "Repo Owner"]);
    git(dir, &["config", "user.email", "owner@example.com"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
    write_files(dir, files);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "initial"]);
    dir.to_path_buf()
}

/// `go.mod` text for module `name` at Go `version`.
pub fn gomod(name: &str, version: &str) -> String {
    format!("module example.com/{name}\n\ngo {version}\n")
}

/// Every file's bytes under `dir` (the `.git` directory excluded), sorted by path.
pub fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if e.file_name() == ".git" {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push((p.strip_prefix(base).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// What a checkout looks like to its user: files, `git status`, current
/// branch, HEAD and the index file's bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckoutState {
    pub files: Vec<(PathBuf, Vec<u8>)>,
    pub status: String,
    pub branch: String,
    pub head: String,
    pub index: Vec<u8>,
}

pub fn checkout_state(dir: &Path) -> CheckoutState {
    CheckoutState {
        files: snapshot_tree(dir),
        status: git(dir, &["--no-optional-locks", "status", "--porcelain"]),
        branch: git(dir, &["branch", "--show-current"]),
        head: git(dir, &["rev-parse", "HEAD"]),
        index: std::fs::read(dir.join(".git/index")).unwrap(),
    }
}

/// Runs mapfix in `cwd`; `path_prefix` is put first on PATH (the fake gh).
pub fn mapfix_env(cwd: &Path, args: &[&str], path: Option<&std::ffi::OsStr>, env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mapfix"));
    isolate(&mut cmd);
    cmd.args(args).current_dir(cwd);
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run mapfix")
}

pub fn mapfix(cwd: &Path, args: &[&str]) -> Output {
    mapfix_env(cwd, args, None, &[])
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub use crate::common::describe;

/// A fake `gh` in `dir/bin`: it appends each call (cwd's base name, then
/// the arguments, tab-separated) to `dir/calls.log`, copies `--body-file`
/// to `dir/<repo>.body.md`, answers `pr list` with `[]` until `pr create`
/// ran in that repository, and fails `pr create` when `FAKE_GH_FAIL` is set.
pub struct FakeGh {
    pub dir: PathBuf,
}

const FAKE_GH: &str = r#"#!/bin/sh
log="$FAKE_GH_DIR/calls.log"
repo=$(basename "$PWD")
printf '%s' "$repo" >> "$log"
prev=""
for a in "$@"; do
  printf '\t%s' "$a" >> "$log"
  if [ "$prev" = "--body-file" ]; then cp "$a" "$FAKE_GH_DIR/$repo.body.md"; fi
  prev="$a"
done
printf '\n' >> "$log"
case "$1 $2" in
  "pr list")
    if [ -f "$FAKE_GH_DIR/$repo.pr" ]; then
      printf '[{"number":7,"url":"https://github.test/%s/pull/7"}]\n' "$repo"
    else
      echo '[]'
    fi ;;
  "pr create")
    if [ -n "$FAKE_GH_FAIL" ]; then echo "HTTP 422: fake failure" >&2; exit 1; fi
    touch "$FAKE_GH_DIR/$repo.pr"
    echo "https://github.test/$repo/pull/7" ;;
  "pr edit")
    echo "https://github.test/$repo/pull/7" ;;
  *) echo "fake gh: unexpected call: $*" >&2; exit 2 ;;
esac
"#;

impl FakeGh {
    pub fn install(dir: &Path) -> FakeGh {
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let gh = bin.join("gh");
        std::fs::write(&gh, FAKE_GH).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        FakeGh { dir: dir.to_path_buf() }
    }

    /// PATH with the fake first.
    pub fn path(&self) -> std::ffi::OsString {
        let mut dirs = vec![self.dir.join("bin")];
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        std::env::join_paths(dirs).unwrap()
    }

    /// Recorded calls: (repository base name, arguments).
    pub fn calls(&self) -> Vec<(String, Vec<String>)> {
        let log = std::fs::read_to_string(self.dir.join("calls.log")).unwrap_or_default();
        log.lines()
            .map(|l| {
                let mut parts = l.split('\t').map(str::to_string);
                (parts.next().unwrap(), parts.collect())
            })
            .collect()
    }

    pub fn body(&self, repo: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{repo}.body.md"))).unwrap()
    }

    /// Runs mapfix with the fake on PATH.
    pub fn mapfix(&self, cwd: &Path, args: &[&str]) -> Output {
        mapfix_env(cwd, args, Some(&self.path()), &[("FAKE_GH_DIR", &self.dir)])
    }
}

/// The value following `flag` in an argument list.
pub fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// A git repository `svc` with one module and two packages (`api`,
/// `worker`) each holding a delete-all loop.
pub fn two_package_repo(dir: &Path) -> PathBuf {
    git_repo(
        dir,
        &[
            ("go.mod", &gomod("svc", "1.22")),
            ("api/b.go", RANGE_DELETE_GO),
            ("worker/b.go", RANGE_DELETE_GO),
        ],
    )
}
