//! `mapfix.toml` (SPEC §4): found as the nearest one upward from each PATH,
//! or named with `--config`. Holds `exclude` globs and `rule_dirs` (both
//! relative to the file), `[rules] enable/disable` and per-rule options.
//! Every mistake (unknown key, rule ID, bad value) is a `ConfigError` that
//! points at its spot in the file; nothing here runs code.

use crate::rules::catalogue;
use crate::rules::{self, Rule, RuleLoadError};
use globset::{GlobSet, GlobSetBuilder};
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The file name looked for upward from each PATH.
pub const FILE_NAME: &str = "mapfix.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    rule_dirs: Vec<Spanned<String>>,
    #[serde(default)]
    rules: RawRules,
}

/// `[rules]`: `enable`, `disable`, and a `[rules.<id>]` table of options
/// per rule, which the rule's module reads (`rules::registry`).
#[derive(Debug, Default)]
struct RawRules {
    enable: Vec<Spanned<String>>,
    disable: Vec<Spanned<String>>,
    /// The other keys, and whether each holds a table.
    tables: Vec<(Spanned<String>, bool)>,
}

impl<'de> Deserialize<'de> for RawRules {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = RawRules;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawRules, A::Error> {
                let mut raw = RawRules::default();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    match key.get_ref().as_str() {
                        "enable" => raw.enable = map.next_value()?,
                        "disable" => raw.disable = map.next_value()?,
                        _ => {
                            let value: toml::Value = map.next_value()?;
                            raw.tables.push((key, value.is_table()));
                        }
                    }
                }
                Ok(raw)
            }
        }
        d.deserialize_map(Keys)
    }
}

/// A loaded `mapfix.toml`.
#[derive(Debug)]
pub struct Config {
    /// The file, as found or named.
    pub path: PathBuf,
    /// Its directory (absolute), which `exclude` and `rule_dirs` are relative to.
    pub dir: PathBuf,
    text: String,
    raw: RawConfig,
    exclude: GlobSet,
    /// The directory `rule_dirs` must stay inside (a batch repository's root).
    confine: Option<PathBuf>,
}

/// A configuration mistake, pointing at its place in the file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{}", headline(.path, .message, .span))]
#[diagnostic(code(mapfix::config))]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
    #[help]
    pub help: Option<String>,
    #[source_code]
    snippet: Option<Arc<NamedSource<String>>>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl ConfigError {
    fn at(config: &Config, span: Range<usize>, message: String, help: Option<String>) -> Self {
        ConfigError::in_text(&config.path, &config.text, Some(span), message, help)
    }

    pub fn in_text(path: &Path, text: &str, span: Option<Range<usize>>, message: String, help: Option<String>) -> Self {
        ConfigError {
            path: path.to_path_buf(),
            message,
            help,
            snippet: Some(Arc::new(NamedSource::new(path.to_string_lossy(), text.to_string()))),
            span: span.map(SourceSpan::from),
        }
    }

    /// The byte span the error points at, if any.
    pub fn span(&self) -> Option<Range<usize>> {
        self.span.map(|s| s.offset()..s.offset() + s.len())
    }
}

impl From<RuleLoadError> for ConfigError {
    /// A rule file's error: its snippet at the spot the YAML parser named,
    /// else the file and the message.
    fn from(e: RuleLoadError) -> Self {
        let span = e.offset.map(|o| o..o + 1);
        let message = match (&e.text, e.offset) {
            (Some(text), Some(o)) => {
                let (line, column) = crate::go::lines::line_col(text, o);
                format!("{}:{line}:{column}: {}", e.path.display(), e.message)
            }
            _ => e.message,
        };
        ConfigError::in_text(&e.path, e.text.as_deref().unwrap_or(""), span, message, None)
    }
}

/// A rule file's error, unless the file is no rule at all (no top-level
/// `id:` and `rule:`: say, credentials kept beside the rules): then only its
/// path is named, and nothing of its text is quoted.
pub fn rule_file_error(e: RuleLoadError) -> RuleLoadError {
    let looks_like_rule = |text: &str| {
        let top = |key: &str| text.lines().any(|l| l.starts_with(key));
        top("id:") && top("rule:")
    };
    match e.text.clone().or_else(|| std::fs::read_to_string(&e.path).ok()) {
        Some(text) if !looks_like_rule(&text) => RuleLoadError {
            path: e.path,
            message: "not a mapfix rule (no top-level `id:` and `rule:`); a rule directory holds only rule files"
                .into(),
            offset: None,
            text: None,
        },
        _ => e,
    }
}

/// A config error's message: the snippet's header names the file when
/// there is a span, else the path leads.
fn headline(path: &Path, message: &str, span: &Option<SourceSpan>) -> String {
    match span {
        Some(_) => message.to_string(),
        None => format!("{}: {message}", path.display()),
    }
}

/// The nearest `mapfix.toml` at or above `path` (a file's own directory, or
/// the directory itself).
pub fn find_for(path: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(path).ok()?;
    let start = if abs.is_dir() { abs.as_path() } else { abs.parent()? };
    let found = start.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())?;
    // Shown relative to the working directory when below it.
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    Some(
        cwd.and_then(|c| found.strip_prefix(c).ok().map(Path::to_path_buf))
            .unwrap_or(found),
    )
}

impl Config {
    /// Reads and checks `path` (rule IDs are checked later, by `select_rules`).
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
            help: None,
            snippet: None,
            span: None,
        })?;
        let raw: RawConfig = toml::from_str(&text)
            .map_err(|e| ConfigError::in_text(path, &text, e.span(), e.message().to_string(), None))?;
        if let Some((key, _)) = raw.rules.tables.iter().find(|(_, table)| !table) {
            let message = format!(
                "unknown field `{}`, expected `enable`, `disable` or a `[rules.<id>]` table",
                key.get_ref()
            );
            return Err(ConfigError::in_text(path, &text, Some(key.span()), message, None));
        }
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut builder = GlobSetBuilder::new();
        for pattern in &raw.exclude {
            let glob = globset::GlobBuilder::new(glob_text(pattern.get_ref()))
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    ConfigError::in_text(
                        path,
                        &text,
                        Some(pattern.span()),
                        format!("bad exclude glob: {e}"),
                        None,
                    )
                })?;
            builder.add(glob);
        }
        let exclude = builder
            .build()
            .map_err(|e| ConfigError::in_text(path, &text, None, e.to_string(), None))?;
        Ok(Config {
            path: path.to_path_buf(),
            dir,
            text,
            raw,
            exclude,
            confine: None,
        })
    }

    /// The config of an untrusted repository rooted at `root`: its
    /// `rule_dirs` must resolve (symlinks followed) inside `root`.
    pub fn confined_to(mut self, root: PathBuf) -> Config {
        self.confine = Some(root);
        self
    }

    /// Whether `file` (a walked file, not one named on the command line) is
    /// excluded. A pattern without `/` matches any file or directory name
    /// below the config's directory; one with `/` (a leading `/` included)
    /// matches the path relative to it, or any directory on that path. `**`
    /// crosses directories, `*` does not.
    pub fn excludes(&self, file: &Path) -> bool {
        if self.raw.exclude.is_empty() {
            return false;
        }
        let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let Ok(rel) = abs.strip_prefix(&self.dir) else {
            return false;
        };
        let mut prefix = PathBuf::new();
        for component in rel.components() {
            prefix.push(component);
            let name = Path::new(component.as_os_str());
            if self.exclude.is_match(&prefix) || self.name_matches(name) {
                return true;
            }
        }
        false
    }

    fn name_matches(&self, name: &Path) -> bool {
        self.exclude
            .matches(name)
            .into_iter()
            .any(|i| !self.raw.exclude[i].get_ref().trim_end_matches('/').contains('/'))
    }

    /// Loads the rules of `rule_dirs`, each relative to the config file
    /// (and, for a confined config, inside its root).
    pub fn load_rule_dirs(&self) -> Result<Vec<Rule>, ConfigError> {
        let mut out = Vec::new();
        for dir in &self.raw.rule_dirs {
            let path = self.dir.join(dir.get_ref());
            if let Some(root) = &self.confine {
                let inside = std::fs::canonicalize(&path)
                    .ok()
                    .zip(std::fs::canonicalize(root).ok())
                    .is_some_and(|(p, r)| p.starts_with(r));
                if !inside {
                    let message = format!(
                        "rule_dirs {:?} is not a directory inside the repository at {}",
                        dir.get_ref(),
                        root.display()
                    );
                    return Err(ConfigError::at(self, dir.span(), message, None));
                }
            }
            let loaded = rules::load_rule_dir(&path).map_err(|e| match rule_file_error(e) {
                e if e.offset.is_some() => ConfigError::from(e),
                e => ConfigError::at(self, dir.span(), e.to_string(), None),
            })?;
            out.extend(loaded);
        }
        Ok(out)
    }

    /// Sets each rule's options from its `[rules.<id>]` table, read by the
    /// rule's module; a table for an unknown rule, or for one without
    /// options, is an error pointing at its name.
    pub fn apply_options(&self, rules: &mut [Rule]) -> Result<(), ConfigError> {
        for (key, _) in self.raw.rules.tables.iter().filter(|(_, table)| *table) {
            let id = key.get_ref();
            let known = || rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
            let Some(rule) = rules.iter().position(|r| r.id == *id) else {
                let message = catalogue::unknown_rule_message(id, &known());
                let help = Some("`mapfix rules` lists every rule".into());
                return Err(ConfigError::at(self, key.span(), message, help));
            };
            let rule = &mut rules[rule];
            let Some(spec) = rule.module.and_then(|m| m.options) else {
                let message = format!("rule {id} has no options");
                return Err(ConfigError::at(
                    self,
                    key.span(),
                    message,
                    Some(format!("`mapfix explain {id}` lists a rule's options")),
                ));
            };
            let values = spec
                .read(&self.text, id, rule)
                .map_err(|e| ConfigError::in_text(&self.path, &self.text, e.span(), e.message().to_string(), None))?;
            rule.options = Some(values);
        }
        Ok(())
    }

    /// Checks `[rules] enable/disable` against the known rule IDs.
    fn check_ids(&self, known: &[String]) -> Result<(), ConfigError> {
        for id in self.raw.rules.enable.iter().chain(&self.raw.rules.disable) {
            let name = id.get_ref();
            if name != "all" && !known.contains(name) {
                let message = catalogue::unknown_rule_message(name, known);
                return Err(ConfigError::at(
                    self,
                    id.span(),
                    message,
                    Some("`mapfix rules` lists every rule".into()),
                ));
            }
        }
        Ok(())
    }
}

/// `exclude` pattern text as globset reads it: relative, no trailing `/`.
fn glob_text(pattern: &str) -> &str {
    pattern
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/')
}

/// The command line's rule choices.
#[derive(Debug, Clone, Default)]
pub struct RuleChoice<'a> {
    /// `--rule` (restricts the run; `all` also enables opt-in rules).
    pub only: &'a [String],
    /// `--skip-rule`.
    pub skip: &'a [String],
}

/// The rules a run uses: `--rule` when given, else the defaults plus the
/// config's `enable` minus its `disable`; `--skip-rule` always removes.
/// Rule IDs are checked against `all`, on the command line and in the config.
pub fn select_rules(all: Vec<Rule>, choice: &RuleChoice, config: Option<&Config>) -> Result<Vec<Rule>, SelectError> {
    let known: Vec<String> = all.iter().map(|r| r.id.clone()).collect();
    for id in choice.only.iter().chain(choice.skip) {
        if id != "all" && !known.contains(id) {
            return Err(SelectError::CommandLine(catalogue::UnknownRule {
                id: id.clone(),
                known,
            }));
        }
    }
    if let Some(c) = config {
        c.check_ids(&known).map_err(SelectError::Config)?;
    }
    let has = |list: &[Spanned<String>], id: &str| list.iter().any(|s| s.get_ref() == id || s.get_ref() == "all");
    let mut rules: Vec<Rule> = all
        .into_iter()
        .filter(|r| {
            if !choice.only.is_empty() {
                choice.only.iter().any(|x| x == "all" || *x == r.id)
            } else {
                let (enable, disable) = match config {
                    Some(c) => (&c.raw.rules.enable[..], &c.raw.rules.disable[..]),
                    None => (&[][..], &[][..]),
                };
                (!r.opt_in || has(enable, &r.id)) && !has(disable, &r.id)
            }
        })
        .collect();
    rules.retain(|r| !choice.skip.contains(&r.id));
    // `severity: off` disables a rule, as in ast-grep (its id stays known).
    rules.retain(|r| r.severity != crate::rules::Severity::Off);
    Ok(rules)
}

/// Why rule selection failed.
#[derive(Debug)]
pub enum SelectError {
    CommandLine(catalogue::UnknownRule),
    Config(ConfigError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, text).unwrap();
        let c = Config::load(&path);
        std::mem::forget(dir);
        c
    }

    #[test]
    fn unknown_key_points_at_it() {
        let text = "exclude = []\n[rules]\ncolour = 1\n";
        let e = config(text).unwrap_err();
        assert!(e.message.contains("unknown field `colour`"), "{}", e.message);
        assert_eq!(&text[e.span().unwrap()], "colour");
    }

    /// The error of applying `text`'s rule options to the built-in rules.
    fn option_error(text: &str) -> ConfigError {
        config(text)
            .unwrap()
            .apply_options(&mut rules::builtin_rules())
            .unwrap_err()
    }

    #[test]
    fn bad_value_points_at_it() {
        let text = "[rules.range-delete]\nprefer = \"fast\"\n";
        let e = option_error(text);
        assert!(e.message.contains("unknown variant `fast`"), "{}", e.message);
        assert_eq!(&text[e.span().unwrap()], "\"fast\"");
    }

    #[test]
    fn options_of_an_unknown_rule_or_of_one_without_options_point_at_its_name() {
        let text = "[rules.range-delet]\nprefer = \"make\"\n";
        let e = option_error(text);
        assert!(e.message.contains("did you mean range-delete"), "{}", e.message);
        assert_eq!(&text[e.span().unwrap()], "range-delet");
        let text = "[rules.loopvar-pointer]\nstrict = true\n";
        let e = option_error(text);
        assert_eq!(e.message, "rule loopvar-pointer has no options");
        assert_eq!(&text[e.span().unwrap()], "loopvar-pointer");
    }

    #[test]
    fn a_rule_reads_its_own_options() {
        let text = "[rules.nil-reset]\ncross_method = true\n";
        // A file that only resets a field: the write may be in another file.
        let close = "package p\n\nfunc (s *S) Close() { s.m = nil }\n";
        let mut all = rules::builtin_rules();
        let precondition = |all: &[rules::Rule]| all.iter().find(|r| r.id == "nil-reset").unwrap().precondition;
        assert!(!precondition(&all).unwrap()(close));
        config(text).unwrap().apply_options(&mut all).unwrap();
        assert!(
            precondition(&all).unwrap()(close),
            "cross_method widens the precondition"
        );
    }

    #[test]
    fn unknown_rule_id_points_at_it_with_a_suggestion() {
        let text = "[rules]\nenable = [\"nil-reset\", \"rang-delete\"]\n";
        let c = config(text).unwrap();
        let Err(SelectError::Config(e)) = select_rules(rules::builtin_rules(), &RuleChoice::default(), Some(&c)) else {
            panic!("expected a config error")
        };
        assert_eq!(&text[e.span().unwrap()], "\"rang-delete\"");
        assert!(e.message.contains("did you mean range-delete"), "{}", e.message);
    }

    #[test]
    fn excludes_by_name_and_by_relative_path() {
        let c = config("exclude = [\"gen\", \"*_test.go\", \"internal/legacy/**\", \"/top.go\"]\n").unwrap();
        let touch = |rel: &str| {
            let p = c.dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "package p\n").unwrap();
            p
        };
        assert!(c.excludes(&touch("a/gen/x.go")));
        assert!(c.excludes(&touch("a/b/x_test.go")));
        assert!(c.excludes(&touch("internal/legacy/deep/x.go")));
        assert!(c.excludes(&touch("top.go")));
        assert!(!c.excludes(&touch("a/top.go")));
        assert!(!c.excludes(&touch("internal/x.go")));
        assert!(!c.excludes(&touch("a/generated.go")));
    }
}
