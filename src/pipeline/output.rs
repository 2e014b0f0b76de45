//! The render step of a run: the output format and its renderer, the
//! document a configuration error still gets in a machine format, and the
//! one-line notes on stderr (errors go through `report`). Not the flags
//! that choose them (`cli`).

use crate::config::ConfigError;
use crate::engine::{FileError, FileReport};
use crate::go::goversion::{GoVersion, VersionSource};
use crate::render::{
    GithubRenderer, JsonRenderer, MarkdownRenderer, PatchRenderer, Renderer, RunResult, SarifRenderer, SarifRule,
    TextRenderer,
};
use crate::rules::Rule;
use std::io::IsTerminal;

/// `--format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Diffs, diagnostics and a summary, for people.
    Text,
    /// The stable, versioned JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One patch of all fixes, for `git apply`.
    Patch,
    /// A pull-request body: summary table, rationale per rule, folded diffs.
    Markdown,
}

/// `--color`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How a run's results are printed: `--format`, `--color`, `--stats`.
#[derive(Copy, Clone, Debug)]
pub struct Output {
    pub format: OutputFormat,
    pub color: ColorChoice,
    pub stats: bool,
    /// `--unsafe`: unsafe fixes left out were declined or could not be
    /// planned, not held back for want of the flag.
    pub unsafe_fixes: bool,
}

/// Says once on stderr when a file's Go version is a guess.
pub fn note_assumed_version<'a>(reports: impl IntoIterator<Item = &'a FileReport>) {
    if let Some(note) = reports.into_iter().find_map(assumed_version_note) {
        eprintln!("{note}");
    }
}

/// The note for a file whose Go version is a guess (no go.mod, no flag).
pub fn assumed_version_note(r: &FileReport) -> Option<String> {
    r.source
        .as_ref()
        .is_some_and(|s| s.version_source == VersionSource::Default)
        .then(|| {
            format!(
                "mapfix: no go.mod above {} and no --go-version: assuming Go {}",
                r.path.display(),
                GoVersion::NEWEST
            )
        })
}

/// `--color`: auto means stdout (or stderr, for what goes there) is a
/// terminal and `NO_COLOR` is unset or empty (no-color.org).
pub fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// The renderer for `--format` (and `--color`, `--stats`).
pub fn text_renderer(out: &Output) -> TextRenderer {
    TextRenderer {
        color: use_color(out.color, std::io::stdout().is_terminal()),
        stats: out.stats,
        unsafe_fixes: out.unsafe_fixes,
    }
}

/// The renderer for `--format`; `rules` are the run's rules, whose docs
/// SARIF and markdown quote.
pub fn renderer_for(out: &Output, rules: &[&Rule]) -> Box<dyn Renderer> {
    match out.format {
        OutputFormat::Text => Box::new(text_renderer(out)),
        OutputFormat::Json => Box::new(JsonRenderer),
        OutputFormat::Sarif => Box::new(SarifRenderer {
            rules: rules.iter().copied().map(SarifRule::from_rule).collect(),
        }),
        OutputFormat::Github => Box::new(GithubRenderer),
        OutputFormat::Patch => Box::new(PatchRenderer),
        OutputFormat::Markdown => Box::new(MarkdownRenderer::new(rules.iter().copied())),
    }
}

/// Renders a finished run on stdout (errors on stderr as the format wants).
pub fn render(run: &RunResult, out: &Output, rules: &[&Rule]) {
    let _timer = crate::profile::timer(crate::profile::Stage::Output);
    let renderer = renderer_for(out, rules);
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let _ = renderer.render(run, &mut w, &mut std::io::stderr());
}

/// A bad config: a miette report on stderr; machine formats also get a
/// document whose `errors` hold it. Returns the exit status.
pub fn config_error(e: &ConfigError, out: &Output) -> i32 {
    crate::report::error(e);
    if !matches!(out.format, OutputFormat::Text | OutputFormat::Patch) {
        let error = FileError {
            path: e.path.clone(),
            message: e.message.clone(),
            kind: crate::diagnostic::FileErrorKind::Other,
            span: e.span(),
        };
        render(
            &RunResult {
                reports: Vec::new(),
                errors: vec![error],
                wrote: false,
                clean_files: 0,
            },
            out,
            &[],
        );
    }
    crate::report::EXIT_ERROR
}
