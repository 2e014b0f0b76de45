//! Test support for rule checkers: runs one built-in rule over a source
//! text at a given Go version, without touching the file system.

use super::{builtin_rules, RuleContext};
use crate::go::goversion::{GoVersion, VersionSource};
use crate::go::load::SourceFile;
use crate::go::syntax;
use crate::go::types::{PackageCache, PackageScope};
use std::path::PathBuf;

/// One detection, reduced to what tests compare.
#[derive(Debug)]
pub struct Outcome {
    /// 1-based line of the detection's start.
    pub line: usize,
    /// The finding's own message (empty when it has the rule's).
    pub message: String,
    /// The whole text with the fix applied, or the note when there is no fix.
    pub fixed: Result<String, String>,
}

/// Runs rule `id` over `src` as a file of Go 1.`minor`.
pub fn run_rule(id: &str, src: &str, minor: u32) -> Vec<Outcome> {
    let rules = builtin_rules();
    let rule = rules
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"));
    let file = SourceFile {
        path: PathBuf::from("/nonexistent/x.go"),
        original: src.as_bytes().to_vec(),
        text: src.to_string(),
        has_bom: false,
        crlf: false,
        generated: false,
        go_version: GoVersion(minor),
        version_source: VersionSource::GoMod,
    };
    let tree = syntax::parse(src);
    let cache = PackageCache::default();
    let scope = PackageScope::new(&tree.root(), &file.path, &cache);
    let ctx = RuleContext::new(&file, src, &scope, &[]);
    rule.check(&ctx, &tree.root())
        .into_iter()
        .map(|d| Outcome {
            line: crate::go::lines::line_col(src, d.range.start).0,
            message: d.message.unwrap_or_default(),
            fixed: match d.fix {
                Some(fix) => Ok(crate::plan::apply_edits(src, &fix.edits, false)),
                None => Err(d.note.unwrap_or_default()),
            },
        })
        .collect()
}
