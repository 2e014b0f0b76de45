//! How mapfix shows an error on stderr: `error` (and `write_error`, for a
//! renderer's error stream) is the one place an error is formatted. An
//! error that is only a message is the line `mapfix: error: MESSAGE`; one
//! with more to show (a code, help, the text it points into) is a miette
//! report. Uses nothing else of the crate, so every module can report.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// The exit status of a run that an error stops (SPEC §1).
pub const EXIT_ERROR: i32 = 2;

/// Whether miette reports on stderr are coloured (`--color`).
static COLOR: AtomicBool = AtomicBool::new(false);

/// An error that is nothing but its message (a mistake the command line
/// finds in its flags).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{0}")]
pub struct Message(pub String);

/// Sets whether reports on stderr are coloured; the command line decides
/// once (`--color`, a terminal, `NO_COLOR`).
pub fn set_color(on: bool) {
    COLOR.store(on, Ordering::Relaxed);
}

/// Prints `diag` on stderr.
pub fn error(diag: &dyn Diagnostic) {
    let _ = write_error(&mut io::stderr().lock(), diag);
}

/// Prints `diag` on stderr and returns the exit status of the run it stops.
pub fn fail(diag: &dyn Diagnostic) -> i32 {
    error(diag);
    EXIT_ERROR
}

/// Writes `diag` to `w` as an error: one line when it is only a message,
/// else a miette report.
pub fn write_error(w: &mut dyn Write, diag: &dyn Diagnostic) -> io::Result<()> {
    if only_a_message(diag) {
        writeln!(w, "mapfix: error: {diag}")
    } else {
        w.write_all(render(diag, COLOR.load(Ordering::Relaxed)).as_bytes())
    }
}

/// Whether a diagnostic has nothing to show beyond its message (labels
/// need source text to show).
fn only_a_message(d: &dyn Diagnostic) -> bool {
    d.code().is_none()
        && d.help().is_none()
        && d.url().is_none()
        && d.source_code().is_none()
        && d.related().is_none()
        && d.diagnostic_source().is_none()
        && d.source().is_none()
}

/// The longest source line a report shows: miette cannot draw a label past
/// column 65,535 (it panics), and a longer line is no use on a terminal.
const MAX_SHOWN_LINE: usize = 4096;

/// A diagnostic whose labels sit on a line too long to show: drawn without
/// its source snippet, its message saying where it points.
struct WithoutSnippet<'a> {
    diag: &'a dyn Diagnostic,
    at: String,
}

impl std::fmt::Debug for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.diag, f)
    }
}

impl std::fmt::Display for WithoutSnippet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.diag, self.at)
    }
}

impl std::error::Error for WithoutSnippet<'_> {}

impl Diagnostic for WithoutSnippet<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diag.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.diag.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diag.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.diag.url()
    }
}

/// Where the first label of `diag` points ("line L, column C"), when a line
/// it points into is too long to show.
fn too_long_to_show(diag: &dyn Diagnostic) -> Option<String> {
    let source = diag.source_code()?;
    for label in diag.labels()? {
        let Ok(contents) = source.read_span(label.inner(), 0, 0) else {
            continue;
        };
        let longest = contents
            .data()
            .split(|&b| b == b'\n')
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        if longest + contents.column() > MAX_SHOWN_LINE {
            let name = contents.name().map(|n| format!("{n}:")).unwrap_or_default();
            return Some(format!(
                "at {name}{}:{}; the line is too long to show",
                contents.line() + 1,
                contents.column() + 1
            ));
        }
    }
    None
}

/// A diagnostic as miette draws it (source snippet, labels, help), 100
/// columns wide, followed by a blank line.
pub fn render(diag: &dyn Diagnostic, color: bool) -> String {
    if let Some(at) = too_long_to_show(diag) {
        return render(&WithoutSnippet { diag, at }, color);
    }
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut s = String::new();
    let _ = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .render_report(&mut s, diag);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::NamedSource;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("bad value")]
    #[diagnostic(code(mapfix::test))]
    struct Located {
        #[source_code]
        text: NamedSource<String>,
        #[label("here")]
        span: (usize, usize),
    }

    fn written(diag: &dyn Diagnostic) -> String {
        let mut out = Vec::new();
        write_error(&mut out, diag).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_message_is_one_line() {
        assert_eq!(
            written(&Message("no such rule".into())),
            "mapfix: error: no such rule\n"
        );
    }

    #[test]
    fn an_error_with_more_to_show_is_a_report() {
        let e = Located {
            text: NamedSource::new("a.toml", "x = 1\n".to_string()),
            span: (0, 1),
        };
        let out = written(&e);
        assert!(out.starts_with("mapfix::test\n\n  × bad value\n"), "{out}");
        assert!(out.contains("╭─[a.toml:1:1]") && out.contains("╰── here"), "{out}");
    }
}
