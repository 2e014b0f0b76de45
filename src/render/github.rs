//! `--format github`: GitHub Actions workflow commands, one annotation per
//! finding (`::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`)
//! and per file error, escaped as the Actions runner expects. Columns count
//! UTF-16 code units, as the web page showing them does.

use super::{display_path, utf16_position, Renderer, RunResult};
use crate::diagnostic::{FixSafety, FixState};
use crate::engine::Finding;
use std::io::{self, Write};

pub struct GithubRenderer;

impl Renderer for GithubRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        for report in &run.reports {
            let Some(source) = &report.source else { continue };
            for f in &report.findings {
                writeln!(out, "{}", annotation(f, report.text_for(f).unwrap_or(&source.text)))?;
            }
        }
        for e in run.all_errors() {
            let mut at = format!("file={}", escape_property(&display_path(&e.path)));
            let source = run
                .reports
                .iter()
                .find(|r| r.path == e.path)
                .and_then(|r| r.source.as_ref());
            if let (Some(span), Some(source)) = (&e.span, source) {
                let (line, col) = utf16_position(&source.text, span.start);
                at.push_str(&format!(",line={line},col={col}"));
            }
            writeln!(out, "::error {at},title=mapfix::{}", escape_data(&e.message))?;
        }
        Ok(())
    }
}

fn annotation(f: &Finding, text: &str) -> String {
    let command = match f.severity {
        crate::rules::Severity::Error => "error",
        crate::rules::Severity::Warning => "warning",
        _ => "notice",
    };
    let mut message = f.message.clone();
    let state = f.fix_state();
    if let Some(phrase) = state.phrase() {
        message.push_str(&format!("\n{phrase}"));
        if let FixState::Shown(fix) = state {
            message.push_str(match fix.safety {
                FixSafety::Safe => "; run mapfix -w",
                FixSafety::Unsafe => "; run mapfix -w --unsafe",
            });
        }
    }
    if let (FixState::NoFix | FixState::LeftOut(_), Some(note)) = (state, &f.note) {
        message.push_str(&format!("\n{note}"));
    }
    for r in &f.related {
        message.push_str(&format!(
            "\n{}:{}:{}: {}",
            display_path(&r.path),
            r.line,
            r.column,
            r.message
        ));
    }
    let (line, col) = utf16_position(text, f.range.start);
    let (end_line, end_col) = utf16_position(text, f.range.end);
    // The runner drops columns when `line != endLine`: give them only for
    // one-line spans.
    let mut properties = vec![("file", display_path(&f.path)), ("line", line.to_string())];
    if line == end_line {
        properties.push(("col", col.to_string()));
        properties.push(("endLine", end_line.to_string()));
        properties.push(("endColumn", end_col.to_string()));
    } else {
        properties.push(("endLine", end_line.to_string()));
    }
    properties.push(("title", format!("mapfix/{}", f.rule)));
    let properties: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!("::{command} {}::{}", properties.join(","), escape_data(&message))
}

/// Escaping of a command's message (GitHub's `escapeData`).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping of a command's property value (GitHub's `escapeProperty`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(escape_data("50% done\r\nnext: a,b"), "50%25 done%0D%0Anext: a,b");
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}
