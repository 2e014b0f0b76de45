//! The library's public surface, for the integration tests that drive the
//! engine in-process: small types of its own that wrap the crate's, so that
//! no internal type is reachable from outside and the dead-code lint keeps
//! seeing every item of the crate. Not a stable API for other crates.

use std::path::Path;

use crate::engine::{self, EngineOptions};
use crate::go::goversion::VersionResolver;
use crate::go::load::SourceFile;
use crate::rules::{self, FixAvailability};
use crate::walk::GoFile;

/// A built-in rule as its documentation describes it (the catalogue
/// `mapfix rules` lists).
#[derive(Debug, Clone)]
pub struct BuiltinRule {
    /// The rule's id (`range-delete`).
    pub id: String,
    /// `docs.context`: a Go file with a `// EXAMPLE` line where the
    /// example goes (empty when the example is a whole file).
    pub context: String,
    /// `docs.before`: code the rule reports.
    pub before: String,
    /// `docs.after`: the code after its fix, which the rule no longer reports.
    pub after: String,
    /// The minor Go version (`N` of `1.N`) from which on the rule no longer
    /// applies (`metadata.before_go`).
    pub before_go: Option<u32>,
    /// The minor Go version the fix needs (`metadata.min_go`).
    pub min_go: Option<u32>,
    /// Whether the rule offers a fix (safe or unsafe).
    pub has_fix: bool,
}

/// Every built-in rule, in catalogue order.
pub fn builtin_rules() -> Vec<BuiltinRule> {
    rules::builtin_rules()
        .into_iter()
        .map(|r| BuiltinRule {
            has_fix: r.fix_availability() != FixAvailability::None,
            before_go: r.before_go.map(|v| v.0),
            min_go: r.min_go.map(|v| v.0),
            context: r.docs.context,
            before: r.docs.before,
            after: r.docs.after,
            id: r.id,
        })
        .collect()
}

/// The engine of a run, over chosen built-in rules: each file's Go version
/// read from its `go.mod` and build constraints, as a run reads it.
pub struct Engine(engine::Engine);

impl Engine {
    /// An engine running the built-in rules whose ids are in `ids`, with
    /// the fixes `--unsafe` allows when `unsafe_fixes`.
    pub fn new<S: AsRef<str>>(ids: &[S], unsafe_fixes: bool) -> Engine {
        let wanted = |id: &str| ids.iter().any(|w| w.as_ref() == id);
        let rules = rules::builtin_rules().into_iter().filter(|r| wanted(&r.id)).collect();
        let options = EngineOptions {
            unsafe_fixes,
            ..Default::default()
        };
        Engine(engine::Engine::new(rules, options, VersionResolver::new(None)))
    }

    /// Runs the rules over the file at `path`, as a file named on the
    /// command line.
    pub fn process(&self, path: &Path) -> Report {
        let report = self.0.process(&GoFile {
            path: path.to_path_buf(),
            explicit: true,
        });
        Report {
            rules: report.findings.iter().map(|f| f.rule.clone()).collect(),
            fixed_text: report.fixed_text,
            errors: report.errors.into_iter().map(|e| e.message).collect(),
        }
    }
}

/// What the engine found in one file.
#[derive(Debug, Clone)]
pub struct Report {
    /// The rule of each finding, in the order of the findings.
    pub rules: Vec<String>,
    /// The file's text after every fix, when some fix applied.
    pub fixed_text: Option<String>,
    /// The messages of the errors that stopped the file's analysis.
    pub errors: Vec<String>,
}

/// Writes `text` over the file at `path` as `--write` does: atomically, its
/// byte order mark kept. The error names the path.
pub fn write_file(path: &Path, text: &str) -> Result<(), String> {
    let source = SourceFile::load(path, &VersionResolver::new(None))
        .map_err(|e| format!("{}: {}", e.path.display(), e.message))?;
    crate::write::apply::write_file(&source, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The byte offset in `text` of its first syntax error, where `gofmt -e`
/// reports it; `None` when the text parses.
pub fn syntax_error(text: &str) -> Option<usize> {
    let tree = crate::go::syntax::parse(text);
    let err = crate::go::syntax::first_error(&tree.root())?;
    Some(crate::go::syntax::error_offset(text, &err))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOP: &str = "package p\n\nfunc f(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";

    fn module(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module example.com/p\n\ngo 1.22\n").unwrap();
        let path = dir.path().join("p.go");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn an_engine_runs_only_the_rules_named() {
        let (_dir, path) = module(LOOP);
        let report = Engine::new(&["range-delete"], false).process(&path);
        assert_eq!(report.rules, ["range-delete"]);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(report.fixed_text.unwrap().contains("\tclear(m)\n"));
        let other = Engine::new(&["nil-reset"], false).process(&path);
        assert!(other.rules.is_empty() && other.fixed_text.is_none());
    }

    #[test]
    fn builtin_rules_carry_their_examples() {
        let rules = builtin_rules();
        let r = rules.iter().find(|r| r.id == "range-delete").unwrap();
        assert!(r.has_fix && r.before.contains("delete(") && r.after.contains("clear("));
    }

    #[test]
    fn write_file_replaces_the_text_and_names_the_path_when_it_cannot() {
        let (dir, path) = module(LOOP);
        write_file(&path, "package p\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "package p\n");
        let missing = dir.path().join("missing.go");
        let err = write_file(&missing, "package p\n").unwrap_err();
        assert!(err.contains(&missing.display().to_string()), "{err}");
    }

    #[test]
    fn syntax_error_is_on_the_line_gofmt_reports() {
        assert_eq!(syntax_error(LOOP), None);
        let text = "package p\n\nfunc f() {\n\tx := )\n}\n";
        // gofmt -e: 4:7: expected operand, found ')'
        let at = syntax_error(text).unwrap();
        assert_eq!(text[..at].matches('\n').count() + 1, 4, "{at}");
    }
}
