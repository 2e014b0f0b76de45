//! `--format sarif`: a SARIF 2.1.0 log for code-scanning services. One run
//! (a batch: one per repository, URIs relative to its directory);
//! `tool.driver.rules` from the rules' YAML docs; one result per finding
//! with a 1-based region (columns in UTF-16 code units, SARIF's default);
//! each fix as SARIF `fixes` (replacements in the file as read, imports
//! included); file errors as tool execution notifications. The objects'
//! shapes are in `schema`; this module fills them, and never parses SARIF.

mod schema;

use super::{display_path, utf16_position, Renderer, RunResult};
use crate::diagnostic::FixStatus;
use crate::engine::{FileError, FileReport, Finding};
use crate::rules::Severity;
use crate::rules::{Rule, TextEdit};
use schema::{
    ArtifactChange, ArtifactLocation, AutomationDetails, Driver, Fix, FixProperties, Invocation, Location, Log,
    Message, MultiformatMessage, Notification, OriginalUriBaseIds, PartialFingerprints, PhysicalLocation, Region,
    Replacement, ReportingConfiguration, ReportingDescriptor, RuleProperties, Run, SarifResult, Tool,
};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// What SARIF says about a rule (`reportingDescriptor`).
#[derive(Debug, Clone)]
pub struct SarifRule {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
    pub why: String,
    pub before: String,
    pub after: String,
    pub safety_doc: String,
    pub fix_safety: String,
}

impl SarifRule {
    pub fn from_rule(r: &Rule) -> Self {
        let d = &r.docs;
        SarifRule {
            id: r.id.clone(),
            severity: r.severity,
            summary: d.summary.trim().to_string(),
            why: d.why.trim().to_string(),
            before: d.before.trim_end().to_string(),
            after: d.after.trim_end().to_string(),
            safety_doc: d.safety.trim().to_string(),
            fix_safety: d.fix_safety.clone().unwrap_or_else(|| r.safety.as_str().to_string()),
        }
    }

    fn text(&self) -> RuleText<'_> {
        RuleText {
            id: &self.id,
            severity: self.severity,
            summary: &self.summary,
            why: &self.why,
            before: &self.before,
            after: &self.after,
            safety_doc: &self.safety_doc,
            fix_safety: &self.fix_safety,
        }
    }
}

/// A [`SarifRule`], borrowed: a listed rule's, or that of a rule found
/// but not listed (its finding's message as its summary, nothing else).
struct RuleText<'a> {
    id: &'a str,
    severity: Severity,
    summary: &'a str,
    why: &'a str,
    before: &'a str,
    after: &'a str,
    safety_doc: &'a str,
    fix_safety: &'a str,
}

impl<'a> RuleText<'a> {
    fn unlisted(f: &'a Finding) -> Self {
        RuleText {
            id: &f.rule,
            severity: f.severity,
            summary: &f.message,
            why: "",
            before: "",
            after: "",
            safety_doc: "",
            fix_safety: "",
        }
    }

    fn descriptor(self) -> ReportingDescriptor<'a> {
        let why = if self.why.is_empty() { self.summary } else { self.why };
        let mut text = format!("{}\n\n{}", self.summary, why);
        let mut markdown = format!("{}\n\n{}", self.summary, why);
        if !self.before.is_empty() {
            text.push_str(&format!(
                "\n\nExample:\n{}\n\nUse instead:\n{}",
                self.before, self.after
            ));
            markdown.push_str(&format!(
                "\n\n**Example**\n\n```go\n{}\n```\n\n**Use instead**\n\n```go\n{}\n```",
                self.before, self.after
            ));
        }
        if !self.safety_doc.is_empty() {
            text.push_str(&format!("\n\nFix safety: {}", self.safety_doc));
            markdown.push_str(&format!("\n\n**Fix safety**: {}", self.safety_doc));
        }
        ReportingDescriptor {
            id: self.id,
            name: self.id,
            short_description: self.summary.into(),
            full_description: why.into(),
            help: MultiformatMessage { text, markdown },
            default_configuration: ReportingConfiguration {
                level: level(self.severity),
            },
            properties: RuleProperties {
                fix_safety: self.fix_safety,
                tags: ["go", "maps"],
            },
        }
    }
}

pub struct SarifRenderer {
    /// The rules of the run, listed in `tool.driver.rules`.
    pub rules: Vec<SarifRule>,
}

/// One repository of a batch run, for a SARIF log with a run per repository.
pub struct SarifRepository<'a> {
    /// The repository's name (its normalised path), the run's `automationDetails.id`.
    pub name: &'a str,
    /// The directory the repository's paths start with (as reached).
    pub root: &'a Path,
    pub run: &'a RunResult,
}

/// The base of a run's artifact URIs: `%SRCROOT%`, the repository's directory.
struct UriBase<'a> {
    root: &'a Path,
    uri: String,
}

/// The `originalUriBaseIds` key of a batch run's repository directory.
pub const SRCROOT: &str = "%SRCROOT%";

impl SarifRenderer {
    /// A log with one run.
    pub fn document<'a>(&'a self, run: &'a RunResult) -> Log<'a> {
        log(vec![self.run_object(run, None)])
    }

    /// One log for a batch: a run per repository, its artifact URIs relative
    /// to the repository's directory (`uriBaseId` `%SRCROOT%`, given in the
    /// run's `originalUriBaseIds`).
    pub fn batch_document<'a>(&'a self, repos: &[SarifRepository<'a>]) -> Log<'a> {
        let runs = repos
            .iter()
            .map(|r| {
                let base = std::fs::canonicalize(r.root).ok().map(|abs| UriBase {
                    root: r.root,
                    uri: format!("file://{}/", percent_encode(display_path(&abs).trim_end_matches('/'))),
                });
                let mut run = self.run_object(r.run, base.as_ref());
                run.original_uri_base_ids = base.map(|base| OriginalUriBaseIds {
                    src_root: ArtifactLocation {
                        uri: base.uri,
                        uri_base_id: None,
                    },
                });
                run.automation_details = Some(AutomationDetails {
                    id: format!("mapfix/{}/", r.name),
                });
                run
            })
            .collect();
        log(runs)
    }

    fn run_object<'a>(&'a self, run: &'a RunResult, base: Option<&UriBase>) -> Run<'a> {
        let mut rules: Vec<ReportingDescriptor> = self.rules.iter().map(|r| r.text().descriptor()).collect();
        for f in run.findings() {
            if !rules.iter().any(|r| r.id == f.rule) {
                rules.push(RuleText::unlisted(f).descriptor());
            }
        }
        let mut results = Vec::new();
        for report in &run.reports {
            let Some(source) = &report.source else { continue };
            for f in &report.findings {
                let index = rules.iter().position(|r| r.id == f.rule).unwrap_or(0);
                let text = report.text_for(f).unwrap_or(&source.text);
                results.push(result(report, f, index, text, source.crlf, base));
            }
        }
        let notifications: Vec<Notification> = run.all_errors().map(|e| notification(e, base)).collect();
        Run {
            tool: Tool {
                driver: Driver {
                    name: "mapfix",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "utf16CodeUnits",
            invocations: [Invocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
            results,
            original_uri_base_ids: None,
            automation_details: None,
        }
    }
}

fn log(runs: Vec<Run>) -> Log {
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs,
    }
}

impl Renderer for SarifRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.document(run))?;
        writeln!(out)
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Info | Severity::Hint | Severity::Off => "note",
        Severity::Warning => "warning",
    }
}

fn result<'a>(
    report: &FileReport,
    f: &'a Finding,
    rule_index: usize,
    text: &str,
    crlf: bool,
    base: Option<&UriBase>,
) -> SarifResult<'a> {
    let location = artifact_location(&f.path, base);
    // The help JSON's `note` carries: the note, or an unsafe fix's state.
    let message = match f.help() {
        Some(help) => Message::from(format!("{}\n{help}", f.message)),
        None => Message::from(f.message.as_str()),
    };
    let fixes = f.fix.as_ref().map(|fix| {
        let edits = report.standalone_edits(f);
        [sarif_fix(fix, f.fix_status(), &edits, &location, text, crlf)]
    });
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        level: level(f.severity),
        message,
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: location,
                region: Some(region(text, f.range.start, f.range.end)),
            },
        }],
        related_locations: f
            .related
            .iter()
            .enumerate()
            .map(|(id, r)| schema::RelatedLocation {
                id,
                physical_location: PhysicalLocation {
                    artifact_location: artifact_location(&r.path, base),
                    region: Some(Region {
                        start_line: r.line,
                        start_column: r.utf16_column,
                        end_line: r.end_line,
                        end_column: r.utf16_end_column,
                    }),
                },
                message: Message::from(r.message.as_str()),
            })
            .collect(),
        partial_fingerprints: PartialFingerprints {
            snippet: crate::baseline::fingerprint(&f.snippet),
        },
        fixes,
    }
}

/// A SARIF `fix`: the fix's edits (and the import it needs) against the file as read.
fn sarif_fix<'a>(
    fix: &'a crate::diagnostic::Fix,
    status: FixStatus,
    edits: &[TextEdit],
    location: &ArtifactLocation,
    text: &str,
    crlf: bool,
) -> Fix<'a> {
    let replacements = edits
        .iter()
        .map(|e| {
            let inserted = if crlf {
                e.replacement.replace("\r\n", "\n").replace('\n', "\r\n")
            } else {
                e.replacement.clone()
            };
            Replacement {
                deleted_region: region(text, e.range.start, e.range.end),
                inserted_content: inserted.into(),
            }
        })
        .collect();
    Fix {
        description: fix.full_description().into(),
        artifact_changes: [ArtifactChange {
            artifact_location: location.clone(),
            replacements,
        }],
        properties: FixProperties {
            safety: fix.safety.as_str(),
            applied: status.is_applied(),
        },
    }
}

/// A text region from byte offsets: 1-based lines, 1-based UTF-16 columns, end exclusive.
fn region(text: &str, start: usize, end: usize) -> Region {
    let (start_line, start_column) = utf16_position(text, start);
    let (end_line, end_column) = utf16_position(text, end);
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

fn notification<'a>(e: &FileError, base: Option<&UriBase>) -> Notification<'a> {
    Notification {
        level: "error",
        message: format!("{}: {}", display_path(&e.path), e.message).into(),
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact_location(&e.path, base),
                region: None,
            },
        }],
    }
}

/// An `artifactLocation`: relative to the run's `%SRCROOT%` when the path
/// lies under it, else the path as reached ([`artifact_uri`]).
fn artifact_location(path: &Path, base: Option<&UriBase>) -> ArtifactLocation {
    match base.and_then(|b| relative_to(path, b.root)) {
        Some(rel) => ArtifactLocation {
            uri: percent_encode(&display_path(&rel)),
            uri_base_id: Some(SRCROOT),
        },
        None => ArtifactLocation {
            uri: artifact_uri(path),
            uri_base_id: None,
        },
    }
}

/// `path` below `root`, comparing components lexically (`./` ignored);
/// `None` when it is not below it, or is `root` itself.
fn relative_to(path: &Path, root: &Path) -> Option<PathBuf> {
    let parts = |p: &Path| -> Vec<std::ffi::OsString> {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .map(|c| c.as_os_str().to_os_string())
            .collect()
    };
    let (path, root) = (parts(path), parts(root));
    let rest = path.strip_prefix(root.as_slice())?;
    (!rest.is_empty()).then(|| rest.iter().collect())
}

/// The path as a URI reference: relative paths stay relative (to the
/// directory mapfix ran in), absolute ones become `file://` URIs.
fn artifact_uri(path: &std::path::Path) -> String {
    let shown = display_path(path);
    let shown = shown.strip_prefix("./").unwrap_or(&shown);
    if path.is_absolute() {
        format!("file://{}", percent_encode(shown))
    } else {
        percent_encode(shown)
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_srcroot_key_is_srcroot() {
        let ids = OriginalUriBaseIds {
            src_root: ArtifactLocation {
                uri: "file:///r/".into(),
                uri_base_id: None,
            },
        };
        let value = serde_json::to_value(&ids).unwrap();
        assert_eq!(value[SRCROOT]["uri"], "file:///r/");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(artifact_uri(std::path::Path::new("./a b/c#d.go")), "a%20b/c%23d.go");
        assert_eq!(artifact_uri(std::path::Path::new("/x/y:z.go")), "file:///x/y%3Az.go");
    }
}
