//! `--format text`: unified diffs for the fixes this run includes, miette
//! diagnostics for findings shown without a fix, and a one-line summary.
//! Streams: diffs are written as files arrive; diagnostics, which come after
//! every diff, wait in a buffer that spills to a temporary file when large.

use super::{display_path, unified_diff, FileReport, Renderer, RunResult, StreamRenderer, Totals};
use crate::engine::{FileError, Finding};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity, SourceCode};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Seek, Write};

#[derive(Debug, Clone, Copy)]
pub struct TextRenderer {
    pub color: bool,
    /// `--stats`: per-rule counts instead of per-finding output.
    pub stats: bool,
}

impl Renderer for TextRenderer {
    fn render(&self, run: &RunResult, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        super::render_run(&mut self.stream(), run, out, err)
    }
}

/// Diagnostics held back until every diff is out: in memory up to this
/// size, then in an unnamed temporary file.
const DEFERRED_IN_MEMORY: usize = 1 << 20;

/// The text format, streaming.
pub struct TextStream {
    config: TextRenderer,
    deferred: Vec<u8>,
    spilled: Option<std::fs::File>,
    /// `--stats`: rule → (findings, fixable, applied).
    counts: BTreeMap<String, (usize, usize, usize)>,
}

impl StreamRenderer for TextStream {
    fn begin(&mut self, errors: &[FileError], _out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        for e in errors {
            write!(err, "{}", self.config.report(&ErrorDiag::new(e, None)))?;
        }
        Ok(())
    }

    fn file(&mut self, report: FileReport, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<()> {
        let text = report.source.as_ref().map(|s| s.text.as_str());
        for e in &report.errors {
            write!(err, "{}", self.config.report(&ErrorDiag::new(e, text)))?;
        }
        if self.config.stats {
            for f in &report.findings {
                let c = self.counts.entry(f.rule.clone()).or_default();
                c.0 += 1;
                c.1 += usize::from(f.fix.as_ref().is_some_and(|x| x.included));
                c.2 += usize::from(f.fix.as_ref().is_some_and(|x| x.applied));
            }
            return Ok(());
        }
        let Some(source) = &report.source else { return Ok(()) };
        if let Some(fixed) = &report.fixed_text {
            let diff = unified_diff(&display_path(&report.path), &source.text, fixed);
            self.config.write_diff(&diff, out)?;
        }
        for f in report.findings.iter().filter(|f| !f.fix.as_ref().is_some_and(|x| x.included)) {
            let diag = self.config.report(&FindingDiag::new(f, &source.text));
            self.defer(diag.as_bytes())?;
        }
        Ok(())
    }

    fn finish(&mut self, totals: &Totals, out: &mut dyn Write, _err: &mut dyn Write) -> io::Result<()> {
        if self.config.stats {
            let verb = if totals.wrote { "applied" } else { "fixable" };
            writeln!(out, "{:<20} {:>8} {:>8}", "rule", "findings", verb)?;
            for (rule, (n, fixable, applied)) in &self.counts {
                writeln!(out, "{:<20} {:>8} {:>8}", rule, n, if totals.wrote { applied } else { fixable })?;
            }
        } else {
            if let Some(file) = &mut self.spilled {
                file.flush()?;
                file.rewind()?;
                io::copy(&mut io::BufReader::new(&mut *file), out)?;
            }
            out.write_all(&self.deferred)?;
        }
        writeln!(out, "{}", summary_line(totals))
    }
}

impl TextStream {
    /// Holds back diagnostic text; past the in-memory limit, it goes to a temporary file.
    fn defer(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.deferred.extend_from_slice(bytes);
        if self.deferred.len() > DEFERRED_IN_MEMORY {
            if self.spilled.is_none() {
                self.spilled = Some(tempfile::tempfile()?);
            }
            self.spilled.as_mut().expect("spill file").write_all(&self.deferred)?;
            self.deferred.clear();
        }
        Ok(())
    }
}

impl TextRenderer {
    /// A streaming renderer with these settings.
    pub fn stream(&self) -> TextStream {
        TextStream { config: *self, deferred: Vec::new(), spilled: None, counts: BTreeMap::new() }
    }

    fn report(&self, diag: &dyn Diagnostic) -> String {
        let theme = if self.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let mut s = String::new();
        let _ = GraphicalReportHandler::new_themed(theme).with_width(100).render_report(&mut s, diag);
        s.push('\n');
        s
    }

    fn write_diff(&self, diff: &str, out: &mut dyn Write) -> io::Result<()> {
        if !self.color {
            return out.write_all(diff.as_bytes());
        }
        for line in diff.split_inclusive('\n') {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                "\x1b[1m"
            } else if line.starts_with('+') {
                "\x1b[32m"
            } else if line.starts_with('-') {
                "\x1b[31m"
            } else if line.starts_with("@@") {
                "\x1b[36m"
            } else {
                ""
            };
            if style.is_empty() {
                out.write_all(line.as_bytes())?;
            } else {
                let body = line.trim_end_matches('\n');
                write!(out, "{style}{body}\x1b[0m{}", &line[body.len()..])?;
            }
        }
        Ok(())
    }
}

/// The closing line of text output.
pub fn summary_line(totals: &Totals) -> String {
    let s = &totals.summary;
    let unsafe_left = totals.unsafe_left;
    let shown = totals.fixes_included;
    let mut line = format!(
        "mapfix: {} finding{} in {} file{} scanned",
        s.findings,
        plural(s.findings),
        s.files_scanned,
        plural(s.files_scanned)
    );
    if totals.wrote {
        line.push_str(&format!(", {} fix{} applied", s.applied, if s.applied == 1 { "" } else { "es" }));
    } else if shown > 0 {
        line.push_str(&format!(", {shown} fix{} shown (dry run; -w to apply)", if shown == 1 { "" } else { "es" }));
    }
    if unsafe_left > 0 {
        line.push_str(&format!(", {unsafe_left} unsafe fix{} available with --unsafe", if unsafe_left == 1 { "" } else { "es" }));
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

/// A finding as a miette diagnostic.
#[derive(Debug)]
struct FindingDiag {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<String>,
    span: (usize, usize),
    label: String,
}

impl FindingDiag {
    fn new(f: &Finding, text: &str) -> Self {
        let help = match (&f.fix, &f.note) {
            (Some(fix), _) if !fix.included && fix.safety == crate::rules::FixSafety::Unsafe => {
                Some(format!("unsafe fix available (--unsafe): {}", fix.description))
            }
            (_, Some(note)) => Some(note.clone()),
            _ => None,
        };
        FindingDiag {
            message: f.message.clone(),
            code: format!("mapfix/{}", f.rule),
            severity: match f.severity.as_str() {
                "error" => Severity::Error,
                "info" | "hint" => Severity::Advice,
                _ => Severity::Warning,
            },
            help,
            source: NamedSource::new(display_path(&f.path), text.to_string()),
            span: (f.range.start, first_line_len(text, &f.range)),
            label: f.rule.clone(),
        }
    }
}

fn first_line_len(text: &str, range: &std::ops::Range<usize>) -> usize {
    let s = &text[range.clone()];
    s.find('\n').unwrap_or(s.len())
}

impl fmt::Display for FindingDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for FindingDiag {}

impl Diagnostic for FindingDiag {
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
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new(Some(self.label.clone()), self.span.0, self.span.1))))
    }
}

/// A file error as a miette diagnostic (with the source span when known).
#[derive(Debug)]
struct ErrorDiag {
    message: String,
    source: Option<NamedSource<String>>,
    span: Option<(usize, usize)>,
}

impl ErrorDiag {
    fn new(e: &FileError, text: Option<&str>) -> Self {
        let path = display_path(&e.path);
        match (text, &e.span) {
            (Some(t), Some(span)) => ErrorDiag {
                message: format!("{path}: {}", e.message),
                source: Some(NamedSource::new(path, t.to_string())),
                span: Some((span.start, span.len().min(40))),
            },
            _ => ErrorDiag { message: format!("{path}: {}", e.message), source: None, span: None },
        }
    }
}

impl fmt::Display for ErrorDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ErrorDiag {}

impl Diagnostic for ErrorDiag {
    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.span.map(|(s, l)| Box::new(std::iter::once(LabeledSpan::new(Some("here".into()), s, l))) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
