//! `--format json`: the stable, versioned schema of SPEC §2 (version 1).
//! Streams: each finding is written as its file arrives; errors (few and
//! small) are held until the end, where the schema puts them. The bytes are
//! those of `serde_json::to_writer_pretty` on the whole document.

use super::{display_path, FileReport, Renderer, RunResult, StreamRenderer, Totals};
use crate::engine::{FileError, Finding};
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct JsonRenderer;

impl JsonRenderer {
    /// The whole document of a finished run.
    #[allow(dead_code)]
    pub fn document(run: &RunResult) -> Value {
        let findings: Vec<Value> = run.findings().map(finding_value).collect();
        let errors: Vec<Value> = run.all_errors().map(error_value).collect();
        json!({
            "version": 1,
            "findings": findings,
            "errors": errors,
            "summary": summary_value(&run.totals()),
        })
    }

    /// A streaming renderer.
    pub fn stream(&self) -> JsonStream {
        JsonStream { findings: 0, errors: Vec::new() }
    }
}

impl Renderer for JsonRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        super::render_run(&mut self.stream(), run, out, err)
    }
}

fn finding_value(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": f.severity,
        "path": display_path(&f.path),
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "message": f.message,
        "fix": f.fix.as_ref().map(|x| json!({
            "safety": x.safety.as_str(),
            "description": x.description,
            "applied": x.applied,
        })),
    })
}

fn error_value(e: &FileError) -> Value {
    json!({ "path": display_path(&e.path), "message": e.message })
}

fn summary_value(totals: &Totals) -> Value {
    let s = &totals.summary;
    json!({
        "files_scanned": s.files_scanned,
        "findings": s.findings,
        "fixable": s.fixable,
        "applied": s.applied,
    })
}

/// The json format, streaming.
pub struct JsonStream {
    findings: usize,
    errors: Vec<Value>,
}

/// `value` pretty-printed as it appears `depth` levels deep in a document
/// (two spaces a level; JSON strings never hold a raw newline).
fn pretty_at(value: &Value, depth: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    Ok(text.replace('\n', &format!("\n{}", "  ".repeat(depth))))
}

impl StreamRenderer for JsonStream {
    fn begin(&mut self, errors: &[FileError], out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        self.errors.extend(errors.iter().map(error_value));
        out.write_all(b"{\n  \"version\": 1,\n  \"findings\": [")
    }

    fn file(&mut self, report: FileReport, out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        for f in &report.findings {
            let sep = if self.findings == 0 { "" } else { "," };
            write!(out, "{sep}\n    {}", pretty_at(&finding_value(f), 2)?)?;
            self.findings += 1;
        }
        self.errors.extend(report.errors.iter().map(error_value));
        Ok(())
    }

    fn finish(&mut self, totals: &Totals, out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        if self.findings > 0 {
            out.write_all(b"\n  ")?;
        }
        let errors = Value::Array(std::mem::take(&mut self.errors));
        write!(out, "],\n  \"errors\": {},\n  \"summary\": {}\n}}\n", pretty_at(&errors, 1)?, pretty_at(&summary_value(totals), 1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{FileReport, FindingFix};
    use crate::rules::FixSafety;
    use std::path::PathBuf;

    fn finding(path: &str, line: usize, fix: bool) -> Finding {
        Finding {
            rule: "range-delete".into(),
            severity: "warning".into(),
            path: PathBuf::from(path),
            range: 0..1,
            line,
            column: 2,
            end_line: line + 2,
            end_column: 3,
            message: "loop deletes \"every\" key\twith\nnewline".into(),
            note: None,
            fix: fix.then(|| FindingFix {
                safety: FixSafety::Unsafe,
                description: "replace loop with clear(m)".into(),
                included: false,
                applied: false,
                edits: Vec::new(),
                imports: Vec::new(),
            }),
            snippet: String::new(),
        }
    }

    fn report(path: &str, findings: Vec<Finding>, errors: Vec<&str>) -> FileReport {
        FileReport {
            path: PathBuf::from(path),
            source: None,
            findings,
            fixed_text: None,
            errors: errors
                .into_iter()
                .map(|m| FileError { path: PathBuf::from(path), message: m.into(), span: None })
                .collect(),
            scanned: true,
        }
    }

    fn streamed(run: &RunResult) -> String {
        let mut out = Vec::new();
        JsonRenderer.render(run, &mut out, &mut io::sink()).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn whole(run: &RunResult) -> String {
        let mut out = serde_json::to_string_pretty(&JsonRenderer::document(run)).unwrap();
        out.push('\n');
        out
    }

    #[test]
    fn streamed_bytes_equal_the_whole_document() {
        let walk_error = FileError { path: PathBuf::from("gone"), message: "cannot read".into(), span: None };
        let runs = [
            RunResult { reports: Vec::new(), errors: Vec::new(), wrote: false },
            RunResult { reports: vec![report("a.go", Vec::new(), Vec::new())], errors: vec![walk_error.clone()], wrote: false },
            RunResult {
                reports: vec![
                    report("a.go", vec![finding("a.go", 3, true), finding("a.go", 9, false)], Vec::new()),
                    report("b.go", Vec::new(), vec!["syntax error at 1:1"]),
                    report("c/d.go", vec![finding("c/d.go", 1, true)], Vec::new()),
                ],
                errors: vec![walk_error],
                wrote: false,
            },
        ];
        for run in &runs {
            assert_eq!(streamed(run), whole(run));
            serde_json::from_str::<Value>(&streamed(run)).unwrap();
        }
    }
}
