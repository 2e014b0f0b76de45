//! What a plain run and a batch share once the engine has run: writing the
//! fixes, the output format and its renderer, recording a baseline, and the
//! one-line notes on stderr (errors go through `report`). Not the command
//! line (`cli`), not batch policy (`batch`).

use crate::engine::{FileError, FileReport};
use crate::go::goversion::{GoVersion, VersionSource};
use crate::render::{
    GithubRenderer, JsonRenderer, MarkdownRenderer, PatchRenderer, Renderer, RunResult, SarifRenderer, SarifRule,
    TextRenderer,
};
use crate::rules::Rule;
use crate::write::verify::WrittenFile;
use crate::{baseline, write::apply};
use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
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

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
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
pub fn note_assumed_version(reports: &[FileReport]) {
    if let Some(note) = reports.iter().find_map(assumed_version_note) {
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

/// Writes every report's fixed text (first removing temporary files left in
/// those directories by an interrupted run); a failed write becomes the
/// file's error. Returns what was written, for `--verify`.
pub fn write_fixes(reports: &mut [FileReport]) -> Vec<WrittenFile> {
    let _timer = crate::profile::timer(crate::profile::Stage::Output);
    let mut dirs: Vec<PathBuf> = reports
        .iter()
        .filter(|r| r.fixed_text.is_some())
        .filter_map(|r| std::fs::canonicalize(&r.path).ok()?.parent().map(PathBuf::from))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        for stale in apply::remove_stale_temp_files(&dir) {
            eprintln!("mapfix: removed {}, left by an interrupted run", stale.display());
        }
    }
    let mut written = Vec::new();
    for report in reports {
        let (Some(source), Some(text)) = (report.source.clone(), report.fixed_text.clone()) else {
            continue;
        };
        match apply::write_file(&source, &text) {
            Ok(()) => {
                report.mark_written();
                written.push(WrittenFile::new(report, &source, &text));
            }
            Err(e) => report.errors.push(FileError {
                path: report.path.clone(),
                message: e.to_string(),
                kind: crate::diagnostic::FileErrorKind::Other,
                span: None,
            }),
        }
    }
    written
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

/// `--write-baseline FILE`: records the findings; exit 0, or 2 on errors.
pub fn write_baseline(path: &std::path::Path, run: RunResult) -> i32 {
    for e in run.all_errors() {
        crate::report::error(e);
    }
    match baseline::write(path, &run.reports) {
        Ok(n) => {
            eprintln!(
                "mapfix: recorded {n} finding{} in {}",
                if n == 1 { "" } else { "s" },
                path.display()
            );
            if run.all_errors().next().is_some() {
                2
            } else {
                0
            }
        }
        Err(e) => crate::report::fail(&e),
    }
}
