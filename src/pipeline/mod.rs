//! One run of mapfix, the same for a plain run, each turn of `--watch` and
//! (through `batch`) each repository of a batch:
//!
//! walk → engine (`runner.rs`) → filters (`filters.rs`: baseline, diff-base;
//! suppressions are the engine's), composed once and applied again after
//! every re-run (`rerun.rs`) → selection (interactive review; `--unsafe` is
//! the engine's) → write → verify (`write.rs`) → render (`output.rs`).
//!
//! It gets a `Request` whose flags `cli` has checked; it parses no flag.

mod filters;
mod output;
mod rerun;
mod runner;
mod write;

pub use filters::{Filters, Hidden};
pub use output::{
    assumed_version_note, config_error, note_assumed_version, render, renderer_for, text_renderer, use_color,
    ColorChoice, Output, OutputFormat,
};
pub use rerun::{EngineRerun, Rerun};
pub use runner::{engine_for, load_rules, Runner, Settings, SetupError};
pub use write::{write_and_verify, write_baseline};

use crate::diagnostic::FileReport;
use crate::interactive::{self, AnswerSource};
use crate::progress::Progress;
use crate::render::{RunResult, Summary};
use crate::rules::Rule;
use crate::write::verify::Toolchain;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The exit status of a run interrupted during the interactive review
/// (nothing was written).
pub const EXIT_INTERRUPTED: i32 = 130;

/// A run, as the command line asks for it (every flag combination checked).
pub struct Request<'a> {
    /// The rule and engine settings (`--config`, `--rule`, `--rules`, `-j`, …).
    pub settings: Settings<'a>,
    /// The PATH arguments as given (for messages; `settings.roots` has the default).
    pub paths: &'a [PathBuf],
    /// `--force-exclude`.
    pub force_exclude: bool,
    pub output: Output,
    /// `--write` (the interactive review writes too).
    pub write: bool,
    /// `--interactive`: where the answers come from.
    pub answers: Option<Box<dyn AnswerSource>>,
    /// `--verify`: the toolchain, found before anything is written.
    pub verify: Option<Toolchain>,
    pub baseline: Option<&'a Path>,
    pub diff_base: Option<&'a str>,
    pub write_baseline: Option<&'a Path>,
}

/// Runs the request over its PATHs and returns the exit status.
pub fn run(req: &mut Request) -> i32 {
    let mut runner = match Runner::prepare(&req.settings) {
        Ok(r) => r,
        Err(SetupError::Config(e)) => return config_error(&e, &req.output),
        Err(e) => return crate::report::fail(&e),
    };
    runner.set_force_exclude(req.force_exclude);
    let probe = req.paths.first().map_or(Path::new("."), |p| p);
    let filters = match Filters::load(req.baseline, req.diff_base, probe) {
        Ok(f) => f,
        Err(e) => return crate::report::fail(&e),
    };
    let text = req.output.format == OutputFormat::Text;
    let whole_run = filters.any() || req.write_baseline.is_some() || req.answers.is_some() || req.write;
    if text && !whole_run {
        return stream_text(&runner, req);
    }
    let (mut reports, clean_files) = runner.process(&Progress::new(text));
    say_if_no_go_files(&runner, req.paths);
    note_assumed_version(&reports);
    if let Some(path) = req.write_baseline {
        let run = RunResult {
            reports,
            errors: Vec::new(),
            wrote: false,
            clean_files,
        };
        return write_baseline(path, run);
    }
    match filters.settle(&mut reports, &mut runner) {
        Ok(hidden) if text => filters.say(hidden),
        Ok(_) => {}
        Err(e) => return crate::report::fail(&e),
    }
    let mut write = req.write;
    if let Some(answers) = req.answers.as_mut() {
        let color = use_color(req.output.color, std::io::stderr().is_terminal());
        if let Err(code) = review(&mut reports, answers.as_mut(), color, &filters, &mut runner) {
            return code;
        }
        write = true;
    }
    let mut errors = Vec::new();
    if write {
        if let Some(verified) = write_and_verify(&mut reports, req.verify.as_ref(), req.settings.jobs) {
            eprintln!("{}", verified.summary_line);
            errors.extend(verified.errors);
        }
    }
    let run = RunResult {
        reports,
        errors,
        wrote: write,
        clean_files,
    };
    finish(&run, req, &runner.rules())
}

/// The interactive review: asks about each fix, then runs the files with
/// fixes again with the accepted ones (and the filters after). `Err` is the
/// exit status of a run that stops here (nothing written).
fn review(
    reports: &mut [FileReport],
    answers: &mut dyn AnswerSource,
    color: bool,
    filters: &Filters,
    engine: &mut dyn Rerun,
) -> Result<(), i32> {
    let choice = match interactive::choose(reports, answers, &mut std::io::stderr(), color) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            eprintln!("mapfix: interrupted; nothing written");
            return Err(EXIT_INTERRUPTED);
        }
        Err(e) => {
            let message = crate::report::Message(format!("cannot read an answer: {e}"));
            return Err(crate::report::fail(&message));
        }
    };
    eprintln!(
        "mapfix: {} of {} fix{} accepted",
        choice.accepted,
        choice.offered,
        if choice.offered == 1 { "" } else { "es" }
    );
    filters
        .reselect(reports, engine, choice.selection)
        .map_err(|e| crate::report::fail(&e))
}

/// Renders the finished run and returns its exit status.
fn finish(run: &RunResult, req: &Request, rules: &[&Rule]) -> i32 {
    let text = req.output.format == OutputFormat::Text;
    if req.answers.is_some() && text {
        // Every diff was shown while asking: only errors and the summary remain.
        for e in run.all_errors() {
            crate::report::error(e);
        }
        let line = crate::render::summary_line(&run.summary(), run.wrote, req.output.unsafe_fixes);
        emit(&format!("{line}\n"));
        return run.exit_code();
    }
    if !text {
        // SPEC §1: errors go to stderr in every format, and also into the document.
        let _ = text_renderer(&req.output).errors(run, &mut std::io::stderr());
    }
    render(run, &req.output, rules);
    run.exit_code()
}

/// A run over PATHs holding no Go file says so on stderr (exit status as
/// for a clean run), as ruff and golangci-lint do.
fn say_if_no_go_files(runner: &Runner, paths: &[PathBuf]) {
    if runner.files_found() == 0 {
        let paths: Vec<String> = if paths.is_empty() {
            vec![".".into()]
        } else {
            paths.iter().map(|p| p.display().to_string()).collect()
        };
        eprintln!(
            "mapfix: warning: no Go files found in {} (vendor, testdata, hidden and _ directories are skipped)",
            paths.join(", ")
        );
    }
}

/// A plain text dry run, streamed: each file's diff is printed as soon as
/// it and the files before it are done, and only the counts and the
/// diagnostics still to print are kept, so memory does not grow with the
/// tree. (Filters, interactive review and writing need the whole run.)
fn stream_text(runner: &Runner, req: &Request) -> i32 {
    use std::io::Write;
    let renderer = text_renderer(&req.output);
    let mut stream = renderer.stream(false);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut err = std::io::stderr();
    let mut summary = Summary::default();
    let mut noted_version = false;
    let progress = Progress::new(true);
    runner.stream(&progress, |_, report| {
        summary.add(&report);
        if report.is_clean() {
            return;
        }
        progress.suspend(|| {
            let _timer = crate::profile::timer(crate::profile::Stage::Output);
            if !noted_version {
                if let Some(note) = assumed_version_note(&report) {
                    let _ = writeln!(err, "{note}");
                    noted_version = true;
                }
            }
            let _ = stream.file(&report, &mut out, &mut err);
            let _ = out.flush();
        });
    });
    say_if_no_go_files(runner, req.paths);
    let _timer = crate::profile::timer(crate::profile::Stage::Output);
    let _ = stream.finish(&summary, &mut out);
    let _ = out.flush();
    summary.exit_code(false)
}

/// Writes to stdout; a closed pipe ends output quietly.
pub fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
