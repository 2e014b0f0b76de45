//! The Go language version of a file (SPEC §3): a `//go:build go1.N`
//! constraint in the file wins, else the nearest `go.mod`'s `go` directive,
//! else `--go-version`, else the newest version mapfix knows.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A Go 1.x language version, by its minor number (`1.21` is `GoVersion(21)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoVersion(pub u32);

impl GoVersion {
    /// The newest language version mapfix knows about.
    pub const NEWEST: GoVersion = GoVersion(27);

    /// Parses `1.21`, `1.21.3`, `go1.21`, `1.21rc1`.
    pub fn parse(s: &str) -> Option<GoVersion> {
        let s = s.trim().trim_start_matches("go");
        let rest = s.strip_prefix("1.")?;
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().ok().map(GoVersion)
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

/// Where a file's version came from (shown in diagnostics about versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSource {
    BuildConstraint,
    GoMod,
    CommandLine,
    Default,
}

/// Directories whose `go.mod` version is remembered; files arrive in path
/// order, so a small cache serves a whole tree and stays small in a huge one.
const CACHED_DIRECTORIES: usize = 1024;

/// Resolves and caches `go.mod` versions by directory.
pub struct VersionResolver {
    fallback: Option<GoVersion>,
    gomod_cache: Mutex<HashMap<PathBuf, Option<GoVersion>>>,
}

impl VersionResolver {
    pub fn new(fallback: Option<GoVersion>) -> Self {
        VersionResolver {
            fallback,
            gomod_cache: Mutex::new(HashMap::new()),
        }
    }

    /// The version for `path` with contents `text`.
    pub fn resolve(&self, path: &Path, text: &str) -> (GoVersion, VersionSource) {
        if let Some(v) = build_constraint_version(text) {
            return (v, VersionSource::BuildConstraint);
        }
        // The walk shows `./p.go` as `p.go`, whose parent is the empty path:
        // the search starts from the file's absolute directory either way.
        let dir = absolute(crate::walk::parent_dir(path));
        if let Some(v) = self.gomod_version(&dir) {
            return (v, VersionSource::GoMod);
        }
        match self.fallback {
            Some(v) => (v, VersionSource::CommandLine),
            None => (GoVersion::NEWEST, VersionSource::Default),
        }
    }

    /// The `go` directive of the nearest `go.mod` at or above `dir`.
    fn gomod_version(&self, dir: &Path) -> Option<GoVersion> {
        if let Some(v) = self.gomod_cache.lock().unwrap().get(dir) {
            return *v;
        }
        let gomod = dir.join("go.mod");
        let found = if gomod.is_file() {
            std::fs::read_to_string(&gomod)
                .ok()
                .and_then(|t| gomod_go_directive(&t))
        } else {
            dir.parent().and_then(|p| self.gomod_version(p))
        };
        let mut cache = self.gomod_cache.lock().unwrap();
        if cache.len() >= CACHED_DIRECTORIES {
            cache.clear();
        }
        cache.insert(dir.to_path_buf(), found);
        found
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The version in a `go.mod`'s `go 1.N` line.
fn gomod_go_directive(gomod: &str) -> Option<GoVersion> {
    gomod.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or("").trim();
        line.strip_prefix("go ")
            .or_else(|| line.strip_prefix("go\t"))
            .and_then(GoVersion::parse)
    })
}

/// The minimum Go version implied by the file's `//go:build` line, as the Go
/// toolchain computes it: `&&` takes the larger bound, `||` the smaller, and
/// a negated `go1.N` implies none.
fn build_constraint_version(text: &str) -> Option<GoVersion> {
    for line in text.lines() {
        let t = line.trim();
        if let Some(expr) = t.strip_prefix("//go:build") {
            if expr.starts_with([' ', '\t']) {
                let tokens = tokenize(expr);
                let mut parser = ConstraintParser {
                    tokens: &tokens,
                    pos: 0,
                };
                return parser.or_expr();
            }
        }
        if t.starts_with("package ") {
            break;
        }
    }
    None
}

fn tokenize(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' | ')' | '!' => {
                out.push(c.to_string());
                chars.next();
            }
            '&' | '|' => {
                chars.next();
                chars.next();
                out.push(format!("{c}{c}"));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' || c == '.' {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if word.is_empty() {
                    chars.next();
                } else {
                    out.push(word);
                }
            }
        }
    }
    out
}

struct ConstraintParser<'a> {
    tokens: &'a [String],
    pos: usize,
}

impl ConstraintParser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }
    fn or_expr(&mut self) -> Option<GoVersion> {
        let mut v = self.and_expr();
        while self.peek() == Some("||") {
            self.pos += 1;
            let r = self.and_expr();
            // Either side may hold: the file is compiled from the smaller bound.
            v = match (v, r) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            };
        }
        v
    }
    fn and_expr(&mut self) -> Option<GoVersion> {
        let mut v = self.not_expr();
        while self.peek() == Some("&&") {
            self.pos += 1;
            let r = self.not_expr();
            v = v.max(r);
        }
        v
    }
    fn not_expr(&mut self) -> Option<GoVersion> {
        match self.peek() {
            Some("!") => {
                self.pos += 1;
                self.not_expr();
                None
            }
            Some("(") => {
                self.pos += 1;
                let v = self.or_expr();
                if self.peek() == Some(")") {
                    self.pos += 1;
                }
                v
            }
            Some(word) => {
                let v = word.strip_prefix("go1.").and_then(|_| GoVersion::parse(word));
                self.pos += 1;
                v
            }
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(GoVersion::parse("1.21"), Some(GoVersion(21)));
        assert_eq!(GoVersion::parse("1.22.3"), Some(GoVersion(22)));
        assert_eq!(GoVersion::parse("go1.9"), Some(GoVersion(9)));
        assert_eq!(GoVersion::parse("2.0"), None);
    }

    #[test]
    fn build_constraints_follow_go_semantics() {
        let v = |s: &str| build_constraint_version(&format!("{s}\n\npackage p\n"));
        assert_eq!(v("//go:build go1.21"), Some(GoVersion(21)));
        assert_eq!(v("//go:build linux && go1.20"), Some(GoVersion(20)));
        assert_eq!(v("//go:build go1.18 && (go1.21 || go1.20)"), Some(GoVersion(20)));
        assert_eq!(v("//go:build !go1.22"), None);
        assert_eq!(v("//go:build linux || go1.20"), None);
        assert_eq!(v("// go:build go1.20"), None);
        assert_eq!(build_constraint_version("package p\n//go:build go1.2\n"), None);
    }

    #[test]
    fn reads_gomod_directive() {
        assert_eq!(gomod_go_directive("module x\n\ngo 1.21.0\n"), Some(GoVersion(21)));
        assert_eq!(gomod_go_directive("module x\n"), None);
    }
}
