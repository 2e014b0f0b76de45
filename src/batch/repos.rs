//! The repository list of a batch run: PATH arguments plus the lines of
//! `--repos FILE` (relative to FILE's directory; `#` comments and blank lines
//! ignored), each with a normalised key that identifies it for sharding and
//! de-duplication.

use std::path::{Component, Path, PathBuf};

/// One repository (or directory) the run processes as a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The path as given, or joined to the list file's directory.
    pub path: PathBuf,
    /// `path` lexically normalised with `/` separators: `./a/`, `a//` and
    /// `b/../a` are all `a`. Hashed by `--shard`.
    pub key: String,
}

impl Repository {
    pub fn new(path: PathBuf) -> Repository {
        let key = normalise(&path);
        Repository { path, key }
    }
}

/// A `--repos` file that cannot be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("--repos {}: cannot read: {error}", path.display())]
pub struct RepoListError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

/// PATH arguments, then the entries of `list`, without duplicates (first wins).
pub fn collect(paths: &[PathBuf], list: Option<&Path>) -> Result<Vec<Repository>, RepoListError> {
    let mut repos: Vec<Repository> = paths.iter().cloned().map(Repository::new).collect();
    if let Some(file) = list {
        let text = std::fs::read_to_string(file).map_err(|error| RepoListError {
            path: file.to_path_buf(),
            error,
        })?;
        let base = file.parent().unwrap_or(Path::new(""));
        repos.extend(
            parse_list(&text)
                .into_iter()
                .map(|entry| Repository::new(base.join(entry))),
        );
    }
    let mut seen = std::collections::HashSet::new();
    repos.retain(|r| seen.insert(r.key.clone()));
    Ok(repos)
}

/// The entries of a repository list file.
fn parse_list(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Lexical normalisation: no `.` components, `..` folded where possible,
/// `/` separators, no trailing slash; the empty path is `.`.
fn normalise(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rooted = String::new();
    for c in path.components() {
        match c {
            Component::Prefix(p) => rooted = p.as_os_str().to_string_lossy().replace('\\', "/"),
            Component::RootDir => rooted.push('/'),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else if rooted.is_empty() {
                    parts.push("..".into());
                }
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    match (rooted.is_empty(), joined.is_empty()) {
        (true, true) => ".".into(),
        (true, false) => joined,
        (false, _) => format!("{rooted}{joined}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_lexically() {
        for (input, want) in [
            ("a", "a"),
            ("./a/", "a"),
            ("a//b/./c", "a/b/c"),
            ("b/../a", "a"),
            ("../x", "../x"),
            ("../../x/..", "../.."),
            ("/r/a/../b", "/r/b"),
            ("/..", "/"),
            ("", "."),
            (".", "."),
        ] {
            assert_eq!(normalise(Path::new(input)), want, "{input:?}");
        }
    }

    #[test]
    fn list_file_skips_comments_and_blanks_and_is_relative_to_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("repos.txt");
        std::fs::write(&list, "# fleet\n\nsvc/a\n  svc/b  \n# svc/c\nsvc/a/\n").unwrap();
        let repos = collect(&[PathBuf::from("x")], Some(&list)).unwrap();
        let paths: Vec<_> = repos.iter().map(|r| r.path.clone()).collect();
        assert_eq!(
            paths,
            [PathBuf::from("x"), dir.path().join("svc/a"), dir.path().join("svc/b")]
        );
    }

    #[test]
    fn missing_list_file_is_an_error() {
        let e = collect(&[], Some(Path::new("/nonexistent/repos.txt"))).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/repos.txt"), "{e}");
    }
}
