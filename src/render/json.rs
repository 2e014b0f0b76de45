//! `--format json`: the stable, versioned document of SPEC §2 (version 1), as typed
//! structs in key order. Not SARIF (sarif.rs) nor a batch's `repositories[]` (batch/record.rs).

use super::{display_path, Renderer, RunResult, Summary};
use crate::engine::{FileError, Finding};
use crate::rules::Severity;
use serde::Serialize;
use std::io::{self, Write};

/// The document: findings, errors and summary (a batch adds `repositories`).
#[derive(Debug, Serialize)]
pub struct JsonDocument<'a> {
    pub version: u32,
    pub findings: Vec<JsonFinding<'a>>,
    pub errors: Vec<JsonError<'a>>,
    pub summary: JsonSummary,
}

/// One finding; `note` and `fix` are `null` when absent.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
    pub note: Option<String>,
    pub fix: Option<JsonFix>,
    /// Other sites the finding names; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated<'a>>,
}

/// A related location of a finding: `"related": [{path, line, column,
/// end_line, end_column, message}]`.
#[derive(Debug, Serialize)]
pub struct JsonRelated<'a> {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
}

/// A finding's fix.
#[derive(Debug, Serialize)]
pub struct JsonFix {
    pub safety: &'static str,
    pub description: String,
    pub applied: bool,
}

/// A file error.
#[derive(Debug, Serialize)]
pub struct JsonError<'a> {
    pub path: String,
    pub message: &'a str,
}

/// The counts of `summary` (also each batch record's `summary`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct JsonSummary {
    pub files_scanned: usize,
    pub findings: usize,
    pub fixable: usize,
    pub applied: usize,
}

impl From<&Summary> for JsonSummary {
    fn from(s: &Summary) -> Self {
        JsonSummary {
            files_scanned: s.files_scanned,
            findings: s.findings,
            fixable: s.fixable,
            applied: s.applied,
        }
    }
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            rule: &f.rule,
            severity: f.severity,
            path: display_path(&f.path),
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            message: &f.message,
            note: f.help(),
            fix: f.fix.as_ref().map(|x| JsonFix {
                safety: x.safety.as_str(),
                description: x.full_description(),
                applied: f.fix_status().is_applied(),
            }),
            related: f
                .related
                .iter()
                .map(|r| JsonRelated {
                    path: display_path(&r.path),
                    line: r.line,
                    column: r.column,
                    end_line: r.end_line,
                    end_column: r.end_column,
                    message: &r.message,
                })
                .collect(),
        }
    }
}

impl<'a> From<&'a FileError> for JsonError<'a> {
    fn from(e: &'a FileError) -> Self {
        JsonError {
            path: display_path(&e.path),
            message: &e.message,
        }
    }
}

pub struct JsonRenderer;

impl JsonRenderer {
    pub fn document(run: &RunResult) -> JsonDocument<'_> {
        JsonDocument {
            version: 1,
            findings: run.findings().map(JsonFinding::from).collect(),
            errors: run.all_errors().map(JsonError::from).collect(),
            summary: JsonSummary::from(&run.summary()),
        }
    }
}

impl Renderer for JsonRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &Self::document(run))?;
        writeln!(out)
    }
}
