//! Walking PATH arguments to the list of Go files to process, the way the
//! `go` tool and ripgrep would: `.gitignore`/`.ignore` honoured, symlinks not
//! followed, `vendor/`, `testdata/` and `_`/`.`-prefixed directories skipped.
//! Also: Go package patterns (`./...`) as PATHs, and whether such a walk
//! would skip a file named explicitly (for `--force-exclude`).

use crate::profile::{self, Stage};
use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// A file to process, and whether the user named it explicitly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GoFile {
    pub path: PathBuf,
    pub explicit: bool,
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Expands PATH arguments into Go files, sorted and without duplicates.
pub fn go_files(roots: &[PathBuf]) -> (Vec<GoFile>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in roots {
        match std::fs::symlink_metadata(root) {
            Err(e) => errors.push(WalkError {
                path: root.clone(),
                message: format!("cannot read: {e}"),
            }),
            Ok(meta) if meta.is_dir() || names_a_directory(root, &meta) => walk_dir(root, &mut files, &mut errors),
            Ok(_) => files.push(GoFile {
                path: root.clone(),
                explicit: true,
            }),
        }
    }
    files.sort();
    // A file both named and walked counts as named.
    files.dedup_by(|later, kept| {
        let same = later.path == kept.path;
        kept.explicit |= same && later.explicit;
        same
    });
    (files, errors)
}

fn walk_dir(root: &Path, files: &mut Vec<GoFile>, errors: &mut Vec<WalkError>) {
    for item in walker(root, false).filter_map(|entry| classify(root, entry)) {
        match item {
            WalkItem::File(f) => files.push(f),
            WalkItem::Error(e) => errors.push(e),
        }
    }
}

/// A walk over `root` as the `go` tool would see it (sorted by name when `sorted`).
fn walker(root: &Path, sorted: bool) -> ignore::Walk {
    let mut builder = walk_builder(root);
    if sorted {
        builder.sort_by_file_name(|a, b| a.cmp(b));
    }
    builder.build()
}

fn walk_builder(root: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .ignore(true)
        .require_git(true)
        .follow_links(false)
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && skipped_dir_name(&name))
        });
    builder
}

/// PATH arguments with Go package patterns turned into the directories
/// they name: `./...`, `dir/...` and `...` walk `.`, `dir` and `.`
/// recursively, as `go vet ./...` does (the walk also enters nested
/// modules, each with its own `go.mod`). A path that exists is taken as it
/// is; `...` anywhere but at the end is refused (the error names it).
pub fn expand_patterns(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    paths.iter().map(|p| expand_pattern(p)).collect()
}

fn expand_pattern(path: &Path) -> Result<PathBuf, String> {
    let Some(text) = path.to_str() else {
        return Ok(path.to_path_buf());
    };
    if !text.contains("...") || std::fs::symlink_metadata(path).is_ok() {
        return Ok(path.to_path_buf());
    }
    let dir = if text == "..." {
        "."
    } else {
        match text.strip_suffix("/...").or_else(|| text.strip_suffix("\\...")) {
            Some("") => "/",
            Some(dir) => dir,
            None => "",
        }
    };
    if dir.is_empty() || dir.contains("...") {
        return Err(format!(
            "{text}: mapfix reads PATH patterns of the form DIR/... (a directory and everything below it), \
             not other `...` wildcards"
        ));
    }
    Ok(PathBuf::from(dir))
}

/// Whether a walk would skip the file `path` although it was named: a
/// `vendor`, `testdata` or `_`/`.`-prefixed directory on its way, a name
/// starting with `_` or `.`, or an ignore file (`.gitignore` in a git
/// repository, `.ignore`) that ignores it. What `--force-exclude` applies
/// to named files. The directories looked at are those below the current
/// directory for a path under it, else those below the nearest directory
/// holding `go.mod` or `.git`.
pub fn walk_skips(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if name.starts_with(['.', '_']) {
        return true;
    }
    let dir = parent_dir(path);
    let walked = walked_part_of(dir);
    let below: Vec<&std::ffi::OsStr> = walked
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    if below.iter().any(|n| skipped_dir_name(&n.to_string_lossy())) {
        return true;
    }
    // Each step from where the walk starts down to the file must be one the
    // walk takes (an ignored directory is never entered).
    let mut at = match dir.ancestors().nth(below.len()) {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    for name in below.iter().copied().chain(path.file_name()) {
        if !walk_lists(&at, name) {
            return true;
        }
        at.push(name);
    }
    false
}

/// Whether a walk of `dir` meets its entry `name` (not ignored).
fn walk_lists(dir: &Path, name: &std::ffi::OsStr) -> bool {
    let mut builder = walk_builder(dir);
    builder.max_depth(Some(1));
    builder
        .build()
        .filter_map(Result::ok)
        .any(|e| e.depth() == 1 && e.file_name() == name)
}

/// The part of directory `dir` a walk from the project would have entered.
fn walked_part_of(dir: &Path) -> PathBuf {
    if dir.is_relative() {
        return dir.to_path_buf();
    }
    if let Some(rel) = std::env::current_dir()
        .ok()
        .and_then(|cwd| dir.strip_prefix(cwd).ok().map(Path::to_path_buf))
    {
        return rel;
    }
    let root = dir
        .ancestors()
        .find(|a| a.join("go.mod").exists() || a.join(".git").exists());
    match root {
        Some(root) => dir.strip_prefix(root).unwrap_or(dir).to_path_buf(),
        None => PathBuf::new(),
    }
}

/// What a walk entry means for a run: a Go file, an error, or nothing.
fn classify(root: &Path, entry: Result<ignore::DirEntry, ignore::Error>) -> Option<WalkItem> {
    match entry {
        Ok(entry) => {
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            let name = entry.file_name().to_string_lossy();
            (is_file && name.ends_with(".go") && !name.starts_with(['.', '_'])).then(|| {
                WalkItem::File(GoFile {
                    path: clean(entry.path()),
                    explicit: false,
                })
            })
        }
        Err(e) => Some(WalkItem::Error(WalkError {
            path: error_path(&e).unwrap_or_else(|| root.to_path_buf()),
            message: e.to_string(),
        })),
    }
}

/// A step of a walk: a Go file, or a path that could not be walked.
#[derive(Debug, Clone)]
pub enum WalkItem {
    File(GoFile),
    Error(WalkError),
}

/// The walk of [`go_files`], in the same path order, but produced as it
/// goes when there is a single directory root, so that memory does not grow
/// with the tree (several roots are collected and sorted first). Errors
/// about the roots themselves come back at once; errors met while walking
/// come in the stream at their place.
pub fn walk_sorted(roots: &[PathBuf]) -> (Box<dyn Iterator<Item = WalkItem> + Send>, Vec<WalkError>) {
    if let [root] = roots {
        if std::fs::symlink_metadata(root).is_ok_and(|m| m.is_dir() || names_a_directory(root, &m)) {
            let root = root.clone();
            let mut walk = walker(&root, true);
            let stream = std::iter::from_fn(move || loop {
                let _timer = profile::timer(Stage::Walk);
                match classify(&root, walk.next()?) {
                    Some(item) => return Some(item),
                    None => continue,
                }
            });
            return (Box::new(stream), Vec::new());
        }
    }
    let (files, errors) = go_files(roots);
    (Box::new(files.into_iter().map(WalkItem::File)), errors)
}

/// Whether a PATH argument is a symlink to a directory: named explicitly,
/// it is walked (symlinks met inside a walk are still not followed).
fn names_a_directory(root: &Path, meta: &std::fs::Metadata) -> bool {
    meta.file_type().is_symlink() && std::fs::metadata(root).is_ok_and(|m| m.is_dir())
}

/// Directories the `go` tool ignores.
fn skipped_dir_name(name: &str) -> bool {
    name == "vendor" || name == "testdata" || name.starts_with('.') || name.starts_with('_')
}

fn clean(path: &Path) -> PathBuf {
    path.strip_prefix("./")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

/// The directory a file path lies in: its parent, or `.` for a bare file
/// name (whose parent is the empty path).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_go_tool_ignored_dirs() {
        let dir = tempfile::tempdir().unwrap();
        for p in [
            "a.go",
            "vendor/v.go",
            "testdata/t.go",
            "_x/x.go",
            ".h/h.go",
            "sub/s.go",
            "sub/_y.go",
            "n.txt",
        ] {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "package p\n").unwrap();
        }
        let (files, errors) = go_files(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let names: Vec<_> = files
            .iter()
            .map(|f| f.path.strip_prefix(dir.path()).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.go", "sub/s.go"]);
    }

    #[test]
    fn a_file_named_and_walked_stays_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "package p\n").unwrap();
        let (files, _) = go_files(&[p.clone(), dir.path().to_path_buf()]);
        assert_eq!(
            files,
            [GoFile {
                path: p,
                explicit: true
            }]
        );
    }

    #[test]
    fn streamed_walk_is_in_the_order_of_the_sorted_one() {
        let dir = tempfile::tempdir().unwrap();
        for p in [
            "b.go",
            "a.go",
            "a/z.go",
            "a-b.go",
            "a/b/c.go",
            "A.go",
            "vendor/v.go",
            "z/_y.go",
            "z/y.go",
            "n.txt",
        ] {
            let p = dir.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "package p\n").unwrap();
        }
        let root = vec![dir.path().to_path_buf()];
        let (sorted, _) = go_files(&root);
        let (stream, errors) = walk_sorted(&root);
        assert!(errors.is_empty());
        let streamed: Vec<GoFile> = stream
            .map(|item| match item {
                WalkItem::File(f) => f,
                WalkItem::Error(e) => panic!("{}", e.message),
            })
            .collect();
        assert_eq!(streamed, sorted);
        assert_eq!(streamed.len(), 7);
    }

    #[test]
    fn explicit_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vendor/v.go");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "package p\n").unwrap();
        let (files, _) = go_files(std::slice::from_ref(&p));
        assert_eq!(
            files,
            [GoFile {
                path: p,
                explicit: true
            }]
        );
    }

    #[test]
    fn package_patterns_name_directories() {
        let paths = ["./...", "...", "internal/...", "../x/...", "a.go", "dir"].map(PathBuf::from);
        let expanded = expand_patterns(&paths).unwrap();
        assert_eq!(
            expanded,
            [".", ".", "internal", "../x", "a.go", "dir"].map(PathBuf::from)
        );
        for bad in ["./.../x", "foo...", "./x.../..."] {
            let e = expand_patterns(&[PathBuf::from(bad)]).unwrap_err();
            assert!(e.starts_with(bad) && e.contains("DIR/..."), "{e}");
        }
    }

    #[test]
    fn walk_skips_what_the_walk_would_not_reach() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join("go.mod"), "module m\n").unwrap();
        std::fs::write(root.join(".gitignore"), "gen/\nignored.go\n").unwrap();
        for p in [
            "a.go",
            "ignored.go",
            "_x.go",
            "gen/g.go",
            "vendor/v.go",
            "sub/testdata/t.go",
            "sub/s.go",
        ] {
            let p = root.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "package p\n").unwrap();
        }
        // Absolute paths (the temporary directory's own name starts with a
        // dot): only what lies below the module root counts.
        let skipped: Vec<&str> = [
            "a.go",
            "ignored.go",
            "_x.go",
            "gen/g.go",
            "vendor/v.go",
            "sub/testdata/t.go",
            "sub/s.go",
        ]
        .into_iter()
        .filter(|p| walk_skips(&root.join(p)))
        .collect();
        assert_eq!(
            skipped,
            ["ignored.go", "_x.go", "gen/g.go", "vendor/v.go", "sub/testdata/t.go"]
        );
        // Relative paths: their directories count.
        assert!(walk_skips(Path::new("vendor/x/a.go")));
        assert!(walk_skips(Path::new("./_tools/a.go")));
        assert!(!walk_skips(Path::new("src/walk.rs")));
    }
}
