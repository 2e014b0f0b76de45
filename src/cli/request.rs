//! A run's flags → one checked `pipeline::Request`: every rule about which
//! flags go together is here (clap's `requires`/`conflicts_with` in
//! `args.rs` are the others), so the pipeline and batch take what they get.

use super::args::RunArgs;
use super::{go_version, usage_error, MAX_JOBS};
use crate::config::RuleChoice;
use crate::pipeline::{self, OutputFormat, Settings};
use crate::write::verify::{Toolchain, VerifyError};
use clap::ValueEnum;
use std::path::PathBuf;

/// The request of a run over `roots` (the PATHs, or `.`); `Err` is the
/// exit status of a flag mistake, already reported.
pub fn request<'a>(args: &'a RunArgs, roots: &'a [PathBuf]) -> Result<pipeline::Request<'a>, i32> {
    if args.stats && args.format != OutputFormat::Text {
        return Err(usage_error(&format!(
            "--stats is a table of the text output; --format {} has the counts already \
             (json: `summary` and each finding's `rule`)",
            args.format
                .to_possible_value()
                .map_or("?".into(), |v| v.get_name().to_string())
        )));
    }
    let fallback = go_version(&args.go_version)?;
    if args.interactive && args.batch.wanted() {
        return Err(usage_error(&format!(
            "--interactive does not apply to a batch run ({} makes this one): it reviews the fixes of one \
             ordinary run; run `mapfix -i PATH` on the repository, or drop -i",
            args.batch.trigger()
        )));
    }
    let answers = match args.interactive {
        true => Some(crate::interactive::answer_source(args.answers_from_stdin).map_err(|e| crate::report::fail(&e))?),
        false => None,
    };
    let verify = verify_toolchain(args).map_err(|e| crate::report::fail(&e))?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, MAX_JOBS);
    Ok(pipeline::Request {
        settings: Settings {
            roots,
            config: args.config.as_deref(),
            choice: RuleChoice {
                only: &args.rule,
                skip: &args.skip_rule,
            },
            rule_dirs: &args.rule_dirs,
            unsafe_fixes: args.unsafe_fixes,
            include_generated: args.include_generated,
            skip_prefilter: args.no_prefilter,
            go_version: fallback,
            jobs,
        },
        paths: &args.paths,
        force_exclude: args.force_exclude,
        output: pipeline::Output {
            format: args.format,
            color: args.color,
            stats: args.stats,
            unsafe_fixes: args.unsafe_fixes,
        },
        write: args.write,
        answers,
        verify,
        baseline: args.baseline.as_deref(),
        diff_base: args.diff_base.as_deref(),
        write_baseline: args.write_baseline.as_deref(),
    })
}

/// `--watch` runs a plain run again and again: not a batch.
pub fn check_watch(args: &RunArgs) -> Result<(), i32> {
    match args.batch.wanted() {
        true => Err(usage_error(&format!(
            "--watch does not apply to a batch run ({})",
            args.batch.trigger()
        ))),
        false => Ok(()),
    }
}

/// `--verify`: the Go toolchain, found before anything is written.
fn verify_toolchain(args: &RunArgs) -> Result<Option<Toolchain>, VerifyError> {
    if !args.verify {
        return Ok(None);
    }
    if !args.write && !args.interactive {
        return Err(VerifyError::NothingWritten);
    }
    if args.batch.commit {
        return Err(VerifyError::Commit);
    }
    let mut toolchain = Toolchain::find()?;
    // A batch says each repository's outcome in a line instead of a bar.
    toolchain.progress = args.format == OutputFormat::Text && !args.batch.wanted();
    Ok(Some(toolchain))
}
