//! `--format text`: unified diffs for the fixes this run includes, miette
//! diagnostics for findings shown without a fix, and a one-line summary.

use super::{display_path, unified_diff, Renderer, RunResult, Summary};
use crate::engine::FileReport;
use crate::engine::{FileError, Finding};
use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

pub struct TextRenderer {
    pub color: bool,
    /// `--stats`: per-rule counts instead of per-finding output.
    pub stats: bool,
    /// `--unsafe` was given (the summary words unapplied unsafe fixes by it).
    pub unsafe_fixes: bool,
}

impl TextRenderer {
    /// Every error of the run as miette reports (for the machine formats,
    /// whose documents hold the errors too: a CI log still shows them).
    pub fn errors(&self, run: &RunResult, err: &mut dyn Write) -> io::Result<()> {
        for e in run.all_errors() {
            write!(err, "{}", self.report(&ErrorDiag::new(e, source_of(run, e))))?;
        }
        Ok(())
    }
}

/// The text an error's span points into, when the run kept it.
fn source_of<'a>(run: &'a RunResult, e: &FileError) -> Option<&'a str> {
    run.reports
        .iter()
        .find(|r| r.path == e.path)
        .and_then(|r| r.source.as_ref())
        .map(|s| s.text.as_str())
}

impl Renderer for TextRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        let mut stream = self.stream(run.wrote);
        for e in &run.errors {
            stream.error(e, source_of(run, e), err)?;
        }
        for report in &run.reports {
            stream.file(report, out, err)?;
        }
        stream.finish(&run.summary(), out)
    }
}

impl TextRenderer {
    /// Text output one report at a time, for a run that streams its
    /// reports (`wrote`: whether fixes were written).
    pub fn stream(&self, wrote: bool) -> TextStream<'_> {
        TextStream {
            renderer: self,
            wrote,
            diagnostics: Vec::new(),
            rule_counts: BTreeMap::new(),
        }
    }

    fn report(&self, diag: &dyn Diagnostic) -> String {
        crate::report::render(diag, self.color)
    }

    fn write_diff(&self, diff: &str, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(paint_diff(diff, self.color).as_bytes())
    }

    fn paint(&self, style: console::Style, text: &str) -> String {
        if self.color {
            styled(style, text)
        } else {
            text.to_string()
        }
    }
}

/// Text output as reports arrive: a file's errors (stderr) and diff
/// (stdout) at once; the diagnostics of findings shown without a fix are
/// rendered at once too (the file's text is not kept) and written after
/// the last diff, then the summary line, as SPEC §2 orders them.
pub struct TextStream<'r> {
    renderer: &'r TextRenderer,
    wrote: bool,
    diagnostics: Vec<String>,
    /// `--stats`: findings, fixed (or fixable) and unsafe counts per rule.
    rule_counts: BTreeMap<String, [usize; 3]>,
}

impl TextStream<'_> {
    /// An error, with the text its span points into when there is one.
    pub fn error(&mut self, e: &FileError, source: Option<&str>, err: &mut dyn Write) -> io::Result<()> {
        write!(err, "{}", self.renderer.report(&ErrorDiag::new(e, source)))
    }

    pub fn file(&mut self, report: &FileReport, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        let source = report.source.as_ref();
        for e in &report.errors {
            self.error(e, source.map(|s| s.text.as_str()), err)?;
        }
        if self.renderer.stats {
            for f in &report.findings {
                let c = self.rule_counts.entry(f.rule.clone()).or_default();
                c[0] += 1;
                let status = f.fix_status();
                match &f.fix {
                    Some(_) if self.wrote && status.is_applied() => c[1] += 1,
                    Some(_) if !self.wrote && status.is_included() => c[1] += 1,
                    Some(x) if !status.is_included() && x.safety == crate::rules::FixSafety::Unsafe => c[2] += 1,
                    _ => {}
                }
            }
            return Ok(());
        }
        let Some(source) = source else { return Ok(()) };
        if let Some(fixed) = &report.fixed_text {
            let diff = unified_diff(&display_path(&report.path), &source.text, fixed);
            self.renderer.write_diff(&diff, out)?;
        }
        for f in report.findings.iter().filter(|f| !f.fix_status().is_included()) {
            let text = report.text_for(f).unwrap_or(&source.text);
            self.diagnostics.push(self.renderer.report(&FindingDiag::new(f, text)));
        }
        Ok(())
    }

    /// The diagnostics held back (or the `--stats` table) and the summary line.
    pub fn finish(self, summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
        if self.renderer.stats {
            let mut rows: Vec<(&String, &[usize; 3])> = self.rule_counts.iter().collect();
            rows.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then(a.0.cmp(b.0)));
            let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(4).max(4);
            let verb = if self.wrote { "applied" } else { "fixable" };
            let header = format!("{:<width$}  {:>8}  {:>8}  {:>8}", "rule", "findings", verb, "unsafe");
            writeln!(out, "{}", self.renderer.paint(console::Style::new().bold(), &header))?;
            for (rule, [n, fixed, unsafe_left]) in rows {
                writeln!(out, "{rule:<width$}  {n:>8}  {fixed:>8}  {unsafe_left:>8}")?;
            }
        }
        for d in &self.diagnostics {
            out.write_all(d.as_bytes())?;
        }
        writeln!(out, "{}", summary_line(summary, self.wrote, self.renderer.unsafe_fixes))
    }
}

/// One file's unified diff coloured as `git diff` colours it: file headers
/// bold, hunk headers cyan, removed lines red, added lines green, context plain.
pub fn paint_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_string();
    }
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    let mut in_header = true;
    for line in diff.split_inclusive('\n') {
        let style = if in_header && (line.starts_with("---") || line.starts_with("+++")) {
            Some(console::Style::new().bold())
        } else if line.starts_with("@@") {
            in_header = false;
            Some(console::Style::new().cyan())
        } else if line.starts_with('+') {
            Some(console::Style::new().green())
        } else if line.starts_with('-') {
            Some(console::Style::new().red())
        } else {
            None
        };
        let body = line.trim_end_matches(['\n', '\r']);
        match style {
            Some(style) if !body.is_empty() => {
                out.push_str(&styled(style, body));
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// `text` in `style`, whether or not the stream is a terminal (the caller
/// has decided colour is wanted: `--color`, NO_COLOR).
pub fn styled(style: console::Style, text: &str) -> String {
    style.force_styling(true).apply_to(text).to_string()
}

/// The closing line of text output (`unsafe_fixes`: `--unsafe` was given).
pub fn summary_line(s: &Summary, wrote: bool, unsafe_fixes: bool) -> String {
    let mut line = format!(
        "mapfix: {} finding{} in {} file{} scanned",
        s.findings,
        plural(s.findings),
        s.files_scanned,
        plural(s.files_scanned)
    );
    if wrote {
        line.push_str(&format!(
            ", {} fix{} applied",
            s.applied,
            if s.applied == 1 { "" } else { "es" }
        ));
    } else if s.included > 0 {
        line.push_str(&format!(
            ", {} fix{} shown (dry run; -w to apply)",
            s.included,
            if s.included == 1 { "" } else { "es" }
        ));
    }
    if s.unsafe_left > 0 {
        line.push_str(&format!(
            ", {} unsafe fix{} {}",
            s.unsafe_left,
            if s.unsafe_left == 1 { "" } else { "es" },
            if unsafe_fixes {
                "left out"
            } else {
                "available with --unsafe"
            }
        ));
    }
    if s.errors > 0 {
        line.push_str(&format!(", {} error{}", s.errors, plural(s.errors)));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A finding as a miette diagnostic. (Its `Diagnostic` is written out:
/// miette's derive takes a code and a severity only as constants, and a
/// finding's are its rule's.)
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct FindingDiag<'t> {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    /// The file's text, borrowed: a file with many findings is not copied
    /// once per finding.
    text: Named<'t>,
    span: (usize, usize),
    label: String,
    /// Related locations in the same file: secondary labels.
    secondary: Vec<(usize, usize, String)>,
}

impl<'t> FindingDiag<'t> {
    fn new(f: &Finding, text: &'t str) -> Self {
        let mut help = f.help();
        let mut secondary = Vec::new();
        for r in &f.related {
            if r.path == f.path && r.range.end <= text.len() {
                secondary.push((r.range.start, first_line_len(text, &r.range), r.message.clone()));
            } else {
                let note = format!("note: {}:{}:{}: {}", display_path(&r.path), r.line, r.column, r.message);
                help = Some(match help {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
        }
        FindingDiag {
            message: f.message.clone(),
            code: format!("mapfix/{}", f.rule),
            severity: match f.severity {
                crate::rules::Severity::Error => Severity::Error,
                crate::rules::Severity::Warning => Severity::Warning,
                _ => Severity::Advice,
            },
            help,
            text: Named::new(display_path(&f.path), text),
            span: (f.range.start, first_line_len(text, &f.range)),
            label: f.rule.clone(),
            secondary,
        }
    }
}

fn first_line_len(text: &str, range: &std::ops::Range<usize>) -> usize {
    let s = &text[range.clone()];
    s.find('\n').unwrap_or(s.len())
}

impl Diagnostic for FindingDiag<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.text)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new(Some(self.label.clone()), self.span.0, self.span.1);
        let secondary = self
            .secondary
            .iter()
            .map(|(at, len, message)| LabeledSpan::new(Some(message.clone()), *at, *len));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}

/// A file error as a miette diagnostic (with the source span when known);
/// without one it is only a message, which `report::write_error` prints
/// as one line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(severity(Error))]
pub(super) struct ErrorDiag<'t> {
    message: String,
    #[source_code]
    text: Option<Named<'t>>,
    #[label("here")]
    span: Option<(usize, usize)>,
}

impl<'t> ErrorDiag<'t> {
    pub(super) fn new(e: &FileError, text: Option<&'t str>) -> Self {
        let path = display_path(&e.path);
        match (text, &e.span) {
            (Some(t), Some(span)) => ErrorDiag {
                message: format!("{path}: {}", e.message),
                text: Some(Named::new(path, t)),
                span: Some((span.start, span.len().min(40))),
            },
            _ => ErrorDiag {
                message: format!("{path}: {}", e.message),
                text: None,
                span: None,
            },
        }
    }
}

/// A file's text under its name, borrowed (miette's `NamedSource` owns
/// its text, so each diagnostic would copy the whole file).
#[derive(Debug)]
struct Named<'t> {
    name: String,
    text: &'t str,
}

impl<'t> Named<'t> {
    fn new(name: impl Into<String>, text: &'t str) -> Self {
        Named {
            name: name.into(),
            text,
        }
    }
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}
