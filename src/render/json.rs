//! `--format json`: the stable, versioned schema of SPEC §2 (version 1).

use super::{display_path, Renderer, RunResult};
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct JsonRenderer;

impl JsonRenderer {
    pub fn document(run: &RunResult) -> Value {
        let findings: Vec<Value> = run
            .findings()
            .map(|f| {
                json!({
                    "rule": f.rule,
                    "severity": f.severity,
                    "path": display_path(&f.path),
                    "line": f.line,
                    "column": f.column,
                    "end_line": f.end_line,
                    "end_column": f.end_column,
                    "message": f.message,
                    "note": f.note,
                    "fix": f.fix.as_ref().map(|x| json!({
                        "safety": x.safety.as_str(),
                        "description": x.description,
                        "applied": f.fix_status().is_applied(),
                    })),
                })
            })
            .collect();
        let errors: Vec<Value> = run
            .all_errors()
            .map(|e| json!({ "path": display_path(&e.path), "message": e.message }))
            .collect();
        let s = run.summary();
        json!({
            "version": 1,
            "findings": findings,
            "errors": errors,
            "summary": {
                "files_scanned": s.files_scanned,
                "findings": s.findings,
                "fixable": s.fixable,
                "applied": s.applied,
            },
        })
    }
}

impl Renderer for JsonRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &Self::document(run))?;
        writeln!(out)
    }
}
