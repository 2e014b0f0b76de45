//! Walking PATH arguments to the list of Go files to process, the way the
//! `go` tool and ripgrep would: `.gitignore`/`.ignore` honoured, symlinks not
//! followed, `vendor/`, `testdata/` and `_`/`.`-prefixed directories skipped.

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
            Err(e) => errors.push(WalkError { path: root.clone(), message: format!("cannot read: {e}") }),
            Ok(meta) if meta.is_dir() => walk_dir(root, &mut files, &mut errors),
            Ok(_) => files.push(GoFile { path: root.clone(), explicit: true }),
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
    let walker = WalkBuilder::new(root)
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
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let name = entry.file_name().to_string_lossy();
                if is_file && name.ends_with(".go") && !name.starts_with(['.', '_']) {
                    files.push(GoFile { path: clean(entry.path()), explicit: false });
                }
            }
            Err(e) => errors.push(WalkError {
                path: error_path(&e).unwrap_or_else(|| root.to_path_buf()),
                message: e.to_string(),
            }),
        }
    }
}

/// Directories the `go` tool ignores.
fn skipped_dir_name(name: &str) -> bool {
    name == "vendor" || name == "testdata" || name.starts_with('.') || name.starts_with('_')
}

fn clean(path: &Path) -> PathBuf {
    path.strip_prefix("./").map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_go_tool_ignored_dirs() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["a.go", "vendor/v.go", "testdata/t.go", "_x/x.go", ".h/h.go", "sub/s.go", "sub/_y.go", "n.txt"] {
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
        assert_eq!(files, [GoFile { path: p, explicit: true }]);
    }

    #[test]
    fn explicit_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vendor/v.go");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "package p\n").unwrap();
        let (files, _) = go_files(std::slice::from_ref(&p));
        assert_eq!(files, [GoFile { path: p, explicit: true }]);
    }
}
