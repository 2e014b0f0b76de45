//! Loading rules: YAML documents (built-in, embedded at build time, or a
//! user's `--rules`/`rule_dirs`) into `Rule`s, with errors that name the
//! file, line and column; mapfix's `metadata` keys read strictly for
//! built-in rules and leniently for user rules. Not matching or checking.

use super::*;
use ast_grep_config::{from_multiple, GlobalRules, SerializableRuleConfig};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Metadata {
    safety: Option<FixSafety>,
    min_go: Option<String>,
    before_go: Option<String>,
    fixer: Option<String>,
    #[serde(default)]
    opt_in: bool,
    #[serde(default)]
    prefilter: Vec<String>,
    #[serde(default)]
    prefilter_scope: PrefilterScope,
    docs: Option<RuleDocs>,
}

/// A rule file that could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct RuleLoadError {
    pub path: PathBuf,
    pub message: String,
    /// The byte offset in the file the YAML parser points at, if it gave one.
    pub offset: Option<usize>,
    /// The file's text (for a snippet), when it was read.
    pub text: Option<String>,
}

impl RuleLoadError {
    fn new(path: &Path, message: String) -> Self {
        RuleLoadError {
            path: path.to_path_buf(),
            message,
            offset: None,
            text: None,
        }
    }
}

/// Parses one YAML rule file (which may hold several documents).
pub fn parse_rules(path: &Path, yaml: &str, builtin: bool) -> Result<Vec<Rule>, RuleLoadError> {
    let err = |message: String| RuleLoadError::new(path, message);
    if let Some(message) = too_deep(yaml) {
        return Err(err(message));
    }
    if let Some(message) = unknown_kind(yaml) {
        return Err(err(message));
    }
    // Parsed once: the YAML parser's error keeps the spot it points at;
    // ast-grep's conversion of each document follows.
    let documents = match from_multiple::<SerializableRuleConfig<Go>>(yaml) {
        Ok(documents) => documents,
        Err(e) => {
            let text = e.without_snippet().to_string();
            // "error: line 4 column 11: unknown variant …" → the part after the position.
            let message = match text
                .find(" column ")
                .and_then(|i| text[i..].find(": ").map(|j| i + j + 2))
            {
                Some(start) if text.starts_with("error: line ") => text[start..].to_string(),
                _ => text,
            };
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            let offset = e.location().and_then(|l| {
                let line_start = yaml
                    .split_inclusive('\n')
                    .take((l.line() as usize).saturating_sub(1))
                    .map(str::len)
                    .sum::<usize>();
                let column = (l.column() as usize).saturating_sub(1);
                let rest = &yaml[line_start.min(yaml.len())..];
                let within: usize = rest.chars().take(column).map(char::len_utf8).sum();
                (line_start < yaml.len()).then_some(line_start + within)
            });
            return Err(RuleLoadError {
                offset,
                text: Some(yaml.to_string()),
                ..err(format!("invalid rule: {}", message.trim_end()))
            });
        }
    };
    let globals = GlobalRules::default();
    let configs = documents
        .into_iter()
        .map(|d| RuleConfig::try_from(d, &globals))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            // ast-grep's top-level message is generic; its causes say what is wrong.
            let mut message = format!("invalid ast-grep rule: {e}");
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                message.push_str(&format!(": {c}"));
                cause = c.source();
            }
            err(message)
        })?;
    let mut rules = Vec::new();
    for config in configs {
        let meta: Metadata = match &config.metadata {
            Some(m) => {
                let mut value = serde_json::to_value(m).map_err(|e| err(e.to_string()))?;
                if !builtin {
                    user_metadata(&mut value);
                }
                serde_json::from_value(value).map_err(|e| err(format!("rule {}: bad metadata: {e}", config.id)))?
            }
            None => Metadata::default(),
        };
        let module = match &meta.fixer {
            Some(name) => Some(
                registry::module_named(name)
                    .ok_or_else(|| err(format!("rule {}: unknown metadata.fixer {name:?}", config.id)))?,
            ),
            None => None,
        };
        let before_go = match &meta.before_go {
            Some(v) => Some(
                GoVersion::parse(v).ok_or_else(|| err(format!("rule {}: bad metadata.before_go {v:?}", config.id)))?,
            ),
            None => None,
        };
        let min_go = match &meta.min_go {
            Some(v) => {
                Some(GoVersion::parse(v).ok_or_else(|| err(format!("rule {}: bad metadata.min_go {v:?}", config.id)))?)
            }
            None => None,
        };
        let severity = Severity::of(&config.severity);
        rules.push(Rule {
            id: config.id.clone(),
            severity,
            message: config.message.clone(),
            // A user rule's fix is unsafe unless it says otherwise.
            safety: meta
                .safety
                .unwrap_or(if builtin { FixSafety::Safe } else { FixSafety::Unsafe }),
            offers_fix: if builtin {
                meta.safety.is_some()
            } else {
                module.is_some() || !config.fixer.is_empty()
            },
            min_go,
            before_go,
            opt_in: meta.opt_in,
            prefilter: meta.prefilter,
            prefilter_scope: meta.prefilter_scope,
            docs: meta.docs.unwrap_or_else(|| RuleDocs {
                summary: config.message.clone(),
                ..Default::default()
            }),
            precondition: module.and_then(|m| m.precondition),
            package_precondition: module.and_then(|m| m.package_precondition),
            module,
            options: module.and_then(|m| m.options).map(|o| o.default_values()),
            config,
            source: if builtin { None } else { Some(path.to_path_buf()) },
        });
    }
    Ok(rules)
}

/// A user rule's `metadata` is free-form, as in ast-grep: mapfix keeps only
/// its own keys, and its `docs` only when they have mapfix's shape (a
/// `docs: "https://…"` link is someone else's key).
fn user_metadata(value: &mut serde_json::Value) {
    const OWN: &[&str] = &[
        "safety",
        "min_go",
        "before_go",
        "fixer",
        "opt_in",
        "prefilter",
        "prefilter_scope",
        "docs",
    ];
    if let Some(map) = value.as_object_mut() {
        map.retain(|k, _| OWN.contains(&k.as_str()));
        if map.get("docs").is_some_and(|d| RuleDocs::deserialize(d).is_err()) {
            map.remove("docs");
        }
    } else {
        *value = serde_json::Value::Object(Default::default());
    }
}

/// A `kind:` in a rule document that this grammar does not have, as an
/// error message naming the rule and the kind (ast-grep would only say
/// that the rule failed to parse).
/// How deep a rule file may nest (flow brackets, or block indentation in
/// columns): checked on the text before any YAML parser (whose time grows
/// with the square of the depth) sees it. Real rules nest a dozen levels.
const MAX_YAML_NESTING: usize = 256;
const MAX_YAML_INDENT: usize = 1024;

/// Why a rule file nests too deep to be read, if it does.
fn too_deep(yaml: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start_matches([' ', '\t', '-']).len();
        if indent > MAX_YAML_INDENT {
            return Some(format!(
                "the rule file is indented over {MAX_YAML_INDENT} columns deep; not read"
            ));
        }
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_YAML_NESTING {
                        return Some(format!(
                            "the rule file nests over {MAX_YAML_NESTING} levels deep; not read"
                        ));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

fn unknown_kind(yaml: &str) -> Option<String> {
    fn walk(v: &serde_yaml::Value, out: &mut Vec<String>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        (Some("kind"), Some(kind)) => out.push(kind.to_string()),
                        _ => walk(v, out),
                    }
                }
            }
            serde_yaml::Value::Sequence(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    for doc in serde_yaml::Deserializer::from_str(yaml) {
        let Ok(value) = serde_yaml::Value::deserialize(doc) else {
            return None; // the YAML parser's own error is reported instead
        };
        let id = value.get("id").and_then(|i| i.as_str()).unwrap_or("?").to_string();
        let mut kinds = Vec::new();
        for key in ["rule", "constraints", "utils"] {
            if let Some(v) = value.get(key) {
                walk(v, &mut kinds);
            }
        }
        if let Some(kind) = kinds.iter().find(|k| !crate::go::lang::is_known_kind(k)) {
            return Some(format!(
                "rule {id}: unknown node kind `{kind}`: rules name the kinds of the tree-sitter-golang grammar \
                 (`mapfix dump-tree FILE` shows them)"
            ));
        }
    }
    None
}

/// The built-in rules.
pub fn builtin_rules() -> Vec<Rule> {
    BUILTIN_RULES
        .iter()
        .flat_map(|(name, yaml)| {
            parse_rules(Path::new(name), yaml, true).unwrap_or_else(|e| panic!("built-in rule {name}: {}", e.message))
        })
        .collect()
}

/// A user rule may not take the id of a built-in rule or of another user
/// rule: `--rule`, suppressions and config name rules by id.
pub fn check_unique_ids(rules: &[Rule]) -> Result<(), RuleLoadError> {
    for (i, rule) in rules.iter().enumerate() {
        let Some(path) = &rule.source else { continue };
        if let Some(first) = rules[..i].iter().find(|r| r.id == rule.id) {
            let owner = match &first.source {
                None => "a built-in rule".to_string(),
                Some(p) => format!("the rule in {}", p.display()),
            };
            return Err(RuleLoadError::new(
                path,
                format!(
                    "rule id `{}` is already used by {owner}: give this rule another id",
                    rule.id
                ),
            ));
        }
    }
    Ok(())
}

/// Loads every `*.yml` in a user rule directory.
pub fn load_rule_dir(dir: &Path) -> Result<Vec<Rule>, RuleLoadError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| RuleLoadError::new(dir, format!("cannot read rule directory: {e}")))?;
    let mut paths: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    paths.sort();
    let mut rules = Vec::new();
    for p in paths {
        let yaml = std::fs::read_to_string(&p).map_err(|e| RuleLoadError::new(&p, format!("cannot read: {e}")))?;
        rules.extend(parse_rules(&p, &yaml, false)?);
    }
    Ok(rules)
}
