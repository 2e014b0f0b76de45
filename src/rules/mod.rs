//! The rule catalogue: rules are ast-grep YAML files (`patterns/*.yml`,
//! embedded at build time, plus user `--rules` directories) with mapfix
//! metadata; a rule whose fix needs more than a pattern names a Rust
//! module (`metadata.fixer`), one per rule in this directory, declared in
//! the list below and registered by `build.rs` (see `registry.rs`).

pub mod catalogue;
mod load;
pub mod package_shape;
pub mod registry;
pub mod suppress;
#[cfg(test)]
mod testing;

// The rule modules: one line per `metadata.fixer` of `patterns/*.yml`, in
// name order. `build.rs` checks this list against the YAML (a module
// missing or extra is a build error naming it) and generates `MODULES`.
// rule-modules: begin
mod concurrent_write;
mod interface_map;
mod loopvar_pointer;
mod nil_map_write;
mod nil_reset;
mod pointer_zeroing;
mod range_delete;
mod unknown_suppression;
mod unlocked_map;
// rule-modules: end

include!(concat!(env!("OUT_DIR"), "/rule_modules.rs"));

use crate::go::goversion::GoVersion;
use crate::go::lang::Go;
use crate::go::load::SourceFile;
use crate::go::syntax::GoNode;
use crate::go::types::PackageScope;
use ast_grep_config::RuleConfig;
use ast_grep_core::matcher::MatcherExt;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_core::{Matcher, NodeMatch};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

pub use crate::diagnostic::Severity;

impl Severity {
    fn of(s: &ast_grep_config::Severity) -> Severity {
        match s {
            ast_grep_config::Severity::Error => Severity::Error,
            ast_grep_config::Severity::Warning => Severity::Warning,
            ast_grep_config::Severity::Info => Severity::Info,
            ast_grep_config::Severity::Hint => Severity::Hint,
            ast_grep_config::Severity::Off => Severity::Off,
        }
    }
}

/// What fix a rule offers, as the catalogue shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    /// The rule only reports.
    None,
    Unsafe,
    Safe,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Unsafe => "unsafe",
            FixAvailability::Safe => "safe",
        }
    }
}

pub use crate::diagnostic::{Fix, FixSafety, RelatedLocation, TextEdit};
pub use load::{builtin_rules, check_unique_ids, load_rule_dir, RuleLoadError};

/// Where a rule's `metadata.prefilter` tokens and its preconditions are
/// necessary conditions (`metadata.prefilter_scope`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrefilterScope {
    /// On the file's text.
    #[default]
    File,
    /// On the text of the top-level declaration that holds each finding
    /// (its doc comment included): the engine parses only such declarations
    /// of a file, and every other function as its header.
    Declaration,
    /// On the text of the declaration that holds each finding or of one
    /// that names its function (a handler registered by name, a function
    /// started with `go`): those declarations and the functions of the
    /// file they name are parsed.
    Callees,
}

/// What a rule reports for one matched site.
#[derive(Debug, Clone)]
pub struct Detection {
    /// Byte range of the construct the finding points at.
    pub range: Range<usize>,
    /// Replaces the rule's message when set (e.g. to name the map).
    pub message: Option<String>,
    /// Help shown with the finding, e.g. why no fix is offered.
    pub note: Option<String>,
    /// Other sites the finding names (`RelatedLocation::new`): evidence
    /// such as "`s.mu` held here", in this file or another of the package.
    pub related: Vec<RelatedLocation>,
    pub fix: Option<Fix>,
}

pub use registry::{OptionValues, RuleModule, RuleOptions};

/// Everything a checker may look at for one file.
#[derive(Clone, Copy)]
pub struct RuleContext<'a> {
    pub file: &'a SourceFile,
    pub text: &'a str,
    pub scope: &'a PackageScope<'a>,
    /// IDs of every loaded rule, enabled or not (suppression comments may name any of them).
    pub known_rules: &'a [String],
    /// The checked rule's options (set by `Rule::check_matches`).
    options: Option<&'a (dyn std::any::Any + Send + Sync)>,
}

impl<'a> RuleContext<'a> {
    pub fn new(file: &'a SourceFile, text: &'a str, scope: &'a PackageScope<'a>, known_rules: &'a [String]) -> Self {
        RuleContext {
            file,
            text,
            scope,
            known_rules,
            options: None,
        }
    }

    pub fn go_version(&self) -> GoVersion {
        self.file.go_version
    }

    /// The checked rule's `[rules.<id>]` options, of its module's type.
    pub fn options<T: RuleOptions>(&self) -> &'a T {
        self.options
            .and_then(|o| o.downcast_ref::<T>())
            .expect("a rule's options are of its module's type")
    }
}

/// A Rust checker: validates a YAML match and plans its fix.
pub type Checker = fn(&RuleContext, &NodeMatch<StrDoc<Go>>) -> Vec<Detection>;

/// A necessary condition on a file's text for a checker to find anything
/// (checked before parsing, after the `metadata.prefilter` tokens matched).
pub use crate::go::prefilter::Precondition;

/// A rule's documentation, written once in its YAML.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDocs {
    /// Imperative phrase for commit subjects and PR titles
    /// ("use clear() for delete-all loops"); optional.
    #[serde(default)]
    pub title: String,
    pub summary: String,
    pub why: String,
    pub before: String,
    pub after: String,
    pub safety: String,
    /// The fix in a few words, for the README's rule table (`none` when the rule only reports).
    #[serde(default)]
    pub fix: String,
    /// The fix safety in a few words for the rule table; default: `metadata.safety`.
    #[serde(default)]
    pub fix_safety: Option<String>,
    /// The rule's `[rules.<id>]` keys in `mapfix.toml`, for its doc page.
    #[serde(default)]
    pub options: Vec<RuleOptionDoc>,
    /// What the rule does not see or does not fix, one item each, for its doc page.
    #[serde(default)]
    pub limitations: Vec<String>,
    /// A complete Go file in which `before` and `after` stand in for the
    /// line `// EXAMPLE` (the declarations the snippets need), so that a
    /// test can run the rule on the example; empty when `before` is a
    /// whole file.
    #[serde(default)]
    pub context: String,
}

/// One `[rules.<id>]` key of `mapfix.toml`, as a rule's doc page lists it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOptionDoc {
    pub key: String,
    /// The values it accepts, as written in TOML (`"clear" | "make"`).
    pub values: String,
    pub default: String,
    pub meaning: String,
}

/// One loaded rule.
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub message: String,
    pub safety: FixSafety,
    /// Whether the rule offers fixes at all: a built-in rule declares a
    /// `metadata.safety` when it does; a user rule does when it has a
    /// `fix:` or a fixer.
    pub offers_fix: bool,
    pub min_go: Option<GoVersion>,
    /// The rule only concerns files below this Go version (checked before parsing).
    pub before_go: Option<GoVersion>,
    pub opt_in: bool,
    /// Byte strings one of which a file must contain for the rule to match it.
    pub prefilter: Vec<String>,
    /// Where the tokens and the precondition hold: the file, or also the
    /// top-level declaration holding each finding.
    pub prefilter_scope: PrefilterScope,
    pub docs: RuleDocs,
    /// The checker's text precondition (see `go/prefilter.rs`).
    pub precondition: Option<Precondition>,
    /// Its package precondition (see `RuleModule::package_precondition`).
    pub package_precondition: Option<registry::PackagePrecondition>,
    /// The module `metadata.fixer` names, if any: its checker validates
    /// each match (a rule without one gives its YAML `fix`).
    pub module: Option<&'static RuleModule>,
    /// The rule's `[rules.<id>]` options (its module's defaults unless a
    /// config sets them).
    pub options: Option<OptionValues>,
    pub config: RuleConfig<Go>,
    /// Where a user rule came from; `None` for built-in rules.
    pub source: Option<PathBuf>,
}

impl Rule {
    /// The fix the rule offers, from its metadata (`offers_fix`, `safety`).
    pub fn fix_availability(&self) -> FixAvailability {
        match (self.offers_fix, self.safety) {
            (false, _) => FixAvailability::None,
            (true, FixSafety::Unsafe) => FixAvailability::Unsafe,
            (true, FixSafety::Safe) => FixAvailability::Safe,
        }
    }

    /// Runs the rule over a parsed file (the one-rule form of `find_matches`
    /// and `check_matches`), for the rules' unit tests.
    #[cfg(test)]
    pub fn check(&self, ctx: &RuleContext, root: &GoNode) -> Vec<Detection> {
        let matches: Vec<_> = root.find_all(&self.config.matcher).collect();
        self.check_matches(ctx, &matches)
    }

    /// Runs the rule's checker (or its YAML fix) on its matches.
    pub fn check_matches(&self, ctx: &RuleContext, matches: &[NodeMatch<StrDoc<Go>>]) -> Vec<Detection> {
        let ctx = RuleContext {
            options: self.options.as_deref(),
            ..*ctx
        };
        let mut out = Vec::new();
        for m in matches {
            if let Some(module) = self.module {
                out.extend((module.check)(&ctx, m));
            } else {
                out.push(self.yaml_detection(m));
            }
        }
        out
    }

    /// A detection for a rule with no checker: its YAML `fix`, if any.
    fn yaml_detection(&self, m: &NodeMatch<StrDoc<Go>>) -> Detection {
        let fix = self
            .config
            .get_fixer()
            .ok()
            .and_then(|f| f.into_iter().next())
            .map(|fixer| {
                let edit = m.make_edit(&self.config.matcher, &fixer);
                let replacement = String::from_utf8_lossy(&edit.inserted_text).into_owned();
                TextEdit {
                    range: edit.position..edit.position + edit.deleted_length,
                    replacement,
                }
            });
        Detection {
            range: m.get_node().range(),
            message: Some(self.config.get_message(m)),
            note: None,
            related: Vec::new(),
            fix: fix.map(|edit| Fix {
                safety: self.safety,
                description: format!("apply the fix of rule {}", self.id),
                unsafe_reason: None,
                edits: vec![edit],
                imports: Vec::new(),
            }),
        }
    }
}

/// The YAML matches of each rule, found in one walk over the tree: for each
/// rule, what `find_all` would find, in the same order.
pub fn find_matches<'r>(rules: &[&Rule], root: &GoNode<'r>) -> Vec<Vec<NodeMatch<'r, StrDoc<Go>>>> {
    let kinds: Vec<_> = rules.iter().map(|r| r.config.matcher.potential_kinds()).collect();
    let mut out: Vec<Vec<_>> = rules.iter().map(|_| Vec::new()).collect();
    for node in root.dfs() {
        let kind = usize::from(node.kind_id());
        for (i, rule) in rules.iter().enumerate() {
            if kinds[i].as_ref().is_some_and(|k| !k.contains(kind)) {
                continue;
            }
            if let Some(m) = rule.config.matcher.match_node(node.clone()) {
                out[i].push(m);
            }
        }
    }
    out
}

/// Known IDs close to `unknown` (edit distance, or one containing the
/// other), nearest first.
pub fn near_matches<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = unknown.to_ascii_lowercase();
    let limit = (wanted.len() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = known
        .filter_map(|k| {
            let d = strsim::levenshtein(&wanted, k);
            let contains = wanted.len() >= 3 && (k.contains(wanted.as_str()) || wanted.contains(k));
            (d <= limit || contains).then_some((d, k))
        })
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, k)| k.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::load::parse_rules;
    use super::*;

    #[test]
    fn builtin_rules_load_with_docs() {
        let rules = builtin_rules();
        assert!(rules.iter().any(|r| r.id == "range-delete"));
        for r in &rules {
            assert!(!r.docs.why.is_empty(), "{} lacks docs.why", r.id);
            assert!(r.module.is_some(), "{} lacks a checker", r.id);
        }
    }

    #[test]
    fn one_walk_finds_what_find_all_finds() {
        let src = "package p\n\nfunc f(m map[string]int, n map[int]bool) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\tm = nil\n\tfor k := range n {\n\t\tfor j := range m {\n\t\t\tdelete(m, j)\n\t\t}\n\t\tdelete(n, k)\n\t}\n\tn = nil\n}\n";
        let tree = crate::go::syntax::parse(src);
        let root = tree.root();
        let rules = builtin_rules();
        let refs: Vec<&Rule> = rules.iter().collect();
        let together = find_matches(&refs, &root);
        assert!(
            together.iter().filter(|f| !f.is_empty()).count() >= 2,
            "the sample matches range-delete and nil-reset"
        );
        for (rule, found) in refs.iter().zip(&together) {
            let alone: Vec<_> = root
                .find_all(&rule.config.matcher)
                .map(|m| m.get_node().range())
                .collect();
            let found: Vec<_> = found.iter().map(|m| m.get_node().range()).collect();
            assert_eq!(found, alone, "{}", rule.id);
        }
    }

    #[test]
    fn user_rule_fix_defaults_to_unsafe() {
        let yaml = "id: t\nlanguage: go\nmessage: m\nseverity: warning\nrule:\n  pattern: len($A)\nfix: cap($A)\n";
        let rules = parse_rules(Path::new("t.yml"), yaml, false).unwrap();
        assert_eq!(rules[0].safety, FixSafety::Unsafe);
    }

    #[test]
    fn unknown_metadata_is_an_error_in_builtin_rules_only() {
        let yaml = "id: t\nlanguage: go\nmessage: m\nseverity: warning\nrule:\n  pattern: len($A)\nmetadata:\n  colour: red\n  docs: \"https://example.com/t\"\n  safety: safe\n";
        let e = parse_rules(
            Path::new("t.yml"),
            &yaml.replace("  docs: \"https://example.com/t\"\n", ""),
            true,
        )
        .err()
        .unwrap();
        assert!(e.message.contains("colour"), "{}", e.message);
        let user = parse_rules(Path::new("t.yml"), yaml, false).unwrap();
        assert_eq!(user[0].safety, FixSafety::Safe, "mapfix's own keys are still read");
        assert_eq!(user[0].docs.summary, "m", "a docs link is not mapfix's docs");
    }

    #[test]
    fn yaml_errors_point_at_the_line_and_column() {
        let yaml = "id: t\nlanguage: go\nmessage: m\nseverity: warnin\nrule:\n  pattern: len($A)\n";
        let e = parse_rules(Path::new("t.yml"), yaml, false).err().unwrap();
        assert_eq!(e.offset, Some(yaml.find("warnin").unwrap()), "{}", e.message);
        let c = crate::config::ConfigError::from(e);
        assert!(
            c.message
                .starts_with("t.yml:4:11: invalid rule: unknown variant `warnin`"),
            "{}",
            c.message
        );
    }
}
