//! The command line (SPEC §1): flags are defined here once, with their docs,
//! which also generate `--help`. `run` wires walk → engine → apply → render.

mod subcommands;
mod watch;

use subcommands::man_page;
pub use subcommands::CatalogueSource;

use crate::batch;
use crate::config::{ConfigError, RuleChoice};
use crate::engine::{FileError, FileReport};
use crate::go::goversion::GoVersion;
use crate::progress::Progress;
use crate::render::{RunResult, Summary, TextRenderer};
use crate::rules::catalogue::{self, CatalogueFormat};
use crate::rules::Rule;
use crate::runner::{self, Runner, Settings, SetupError};
use crate::session::{assumed_version_note, note_assumed_version, use_color, write_baseline, write_fixes, Output};
pub use crate::session::{ColorChoice, OutputFormat};
use crate::write::verify::{self, Toolchain, VerifyError};
use crate::{baseline, go::syntax, interactive};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Find Go map anti-patterns and rewrite them safely.
///
/// Dry run by default: prints a unified diff for every fix and a diagnostic
/// for every other finding.
#[derive(Parser, Debug)]
#[command(name = "mapfix", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the rule catalogue (built-in rules and user rules of `rule_dirs` and `--rules`).
    Rules {
        #[arg(long, value_enum, default_value_t = CatalogueFormat::Text)]
        format: CatalogueFormat,
        /// With `--format markdown`: write a page per rule (`DIR/<id>.md`) and an
        /// index (`DIR/README.md`) instead of printing the table
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        source: CatalogueSource,
    },
    /// Show a rule's rationale, a before/after example and its fix safety.
    Explain {
        rule: String,
        #[command(flatten)]
        source: CatalogueSource,
    },
    /// Print a shell completion script (e.g. `mapfix completions bash > /etc/bash_completion.d/mapfix`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output (e.g. `mapfix man > mapfix.1`).
    Man,
    /// Run a Language Server on standard input/output, for editors.
    ///
    /// Diagnostics for open Go buffers and fixes as code actions; see the
    /// README's "Editors (language server)".
    Server(crate::server::ServerArgs),
    /// Print the syntax tree of a Go file (for rule authors).
    DumpTree { file: PathBuf },
    /// Only read, or read and parse, the Go files a run would process (the
    /// baselines of bench/run.sh).
    BenchParse(crate::bench::BenchArgs),
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Go files, directories or package patterns (`./...`, `dir/...`) to process (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Apply fixes in place.
    #[arg(short = 'w', long)]
    pub write: bool,
    /// Ask about each fix (y/n/a/q), then write the accepted ones.
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// With --interactive: read the answers from standard input (one letter per fix) instead of a terminal.
    #[arg(long, requires = "interactive")]
    pub answers_from_stdin: bool,
    /// Also show and apply fixes whose safety is `unsafe`.
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// Run only this rule (repeatable); `all` also enables opt-in rules.
    #[arg(long = "rule", value_name = "ID")]
    pub rule: Vec<String>,
    /// Do not run this rule (repeatable).
    #[arg(long = "skip-rule", value_name = "ID")]
    pub skip_rule: Vec<String>,
    /// Go version for files with no go.mod above them and no //go:build go1.N line.
    #[arg(long, value_name = "1.N")]
    pub go_version: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Colours in text output (auto: only on a terminal, never with NO_COLOR).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads (default: all cores; at most 256).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Also load the ast-grep YAML rules in DIR (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Report findings in generated files (they are never fixed).
    #[arg(long)]
    pub include_generated: bool,
    /// Skip files named as PATHs where config excludes or the walk would skip them (for pre-commit hooks).
    #[arg(long)]
    pub force_exclude: bool,
    /// Per-rule counts instead of per-finding output.
    #[arg(long)]
    pub stats: bool,
    /// Config file (default: the nearest mapfix.toml upward from each PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report (and with --write fix) only findings on lines changed since REV (git diff REV, and untracked files).
    #[arg(long, value_name = "REV")]
    pub diff_base: Option<String>,
    /// Record the current findings in FILE (for --baseline) and exit.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["write", "interactive"])]
    pub write_baseline: Option<PathBuf>,
    /// After writing, check every touched package with gofmt and go vet;
    /// restore every file of a package that fails.
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    pub batch: batch::BatchArgs,
    /// Run again whenever a Go file, go.mod or mapfix.toml under the PATHs changes (Ctrl-C stops)
    #[arg(long, conflicts_with_all = ["interactive", "write_baseline"])]
    pub watch: bool,
    /// Print counters and per-stage thread time on stderr (for benchmarking).
    #[arg(long, help_heading = "Benchmarking")]
    pub profile: bool,
    /// Parse every file, even those the pre-filter would skip (for checking it).
    #[arg(long, help_heading = "Benchmarking")]
    pub no_prefilter: bool,
}

/// Parses the command line, runs, and returns the exit status.
/// The most worker threads `-j` gets: more only cost memory, and a
/// thread count the system cannot create must not abort the run.
pub const MAX_JOBS: usize = 256;

pub fn run() -> i32 {
    let cli = Cli::parse();
    crate::report::set_color(use_color(cli.run.color, std::io::stderr().is_terminal()));
    match cli.command {
        Some(Command::Rules { format, out, source }) => match source.load() {
            Ok(rules) => match out {
                Some(_) if format != CatalogueFormat::Markdown => {
                    usage_error("`mapfix rules --out DIR` writes markdown pages: use it with `--format markdown`")
                }
                Some(dir) => write_rule_pages(&rules, &dir),
                None => {
                    emit(&catalogue::render(&rules, format));
                    0
                }
            },
            Err(code) => code,
        },
        Some(Command::Explain { rule, source }) => match source.load() {
            Ok(rules) => match catalogue::explain(&rules, &rule) {
                Ok(text) => {
                    emit(&text);
                    0
                }
                Err(e) => crate::report::fail(&e),
            },
            Err(code) => code,
        },
        Some(Command::Completions { shell }) => {
            // `--rule` and `--skip-rule` complete built-in rule IDs (any ID is accepted).
            // (clap keeps `&'static str` names; the process ends after printing.)
            let ids: Vec<&'static str> = std::iter::once("all")
                .chain(
                    catalogue::builtin()
                        .into_iter()
                        .map(|r| &*Box::leak(r.id.into_boxed_str())),
                )
                .collect();
            let with_ids = |a: clap::Arg| a.value_parser(clap::builder::PossibleValuesParser::new(ids.clone()));
            let mut command = Cli::command().mut_arg("rule", with_ids).mut_arg("skip_rule", with_ids);
            clap_complete::generate(shell, &mut command, "mapfix", &mut std::io::stdout());
            0
        }
        Some(Command::Man) => match man_page(&mut std::io::stdout()) {
            Ok(()) => 0,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(e) => usage_error(&e.to_string()),
        },
        Some(Command::Server(args)) => crate::server::run(&args),
        Some(Command::DumpTree { file }) => dump_tree(&file),
        Some(Command::BenchParse(args)) => crate::bench::run(&args),
        None => run_paths(cli.run),
    }
}

/// `mapfix rules --format markdown --out DIR`: the rule pages, written
/// into DIR (created if missing); other files in DIR are left alone.
fn write_rule_pages(rules: &[Rule], dir: &Path) -> i32 {
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        catalogue::rule_pages(rules)
            .into_iter()
            .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
    });
    match written {
        Ok(()) => 0,
        Err(e) => usage_error(&format!("{}: {e}", dir.display())),
    }
}

fn run_paths(mut args: RunArgs) -> i32 {
    match crate::walk::expand_patterns(&args.paths) {
        Ok(paths) => args.paths = paths,
        Err(e) => return usage_error(&e),
    }
    if args.profile {
        crate::profile::enable();
    }
    if args.watch {
        return watch::watch(&args, run_paths_inner);
    }
    let code = run_paths_inner(&args);
    if args.profile {
        eprintln!("{}", crate::profile::report());
    }
    code
}

fn run_paths_inner(args: &RunArgs) -> i32 {
    if args.stats && args.format != OutputFormat::Text {
        return usage_error(&format!(
            "--stats is a table of the text output; --format {} has the counts already \
             (json: `summary` and each finding's `rule`)",
            args.format
                .to_possible_value()
                .map_or("?".into(), |v| v.get_name().to_string())
        ));
    }
    let fallback = match &args.go_version {
        Some(v) => match GoVersion::parse(v) {
            Some(v) => Some(v),
            None => return usage_error(&format!("--go-version {v:?} is not a Go version like 1.21")),
        },
        None => None,
    };
    if args.interactive && args.batch.wanted() {
        return usage_error(&format!(
            "--interactive does not apply to a batch run ({} makes this one): it reviews the fixes of one \
             ordinary run; run `mapfix -i PATH` on the repository, or drop -i",
            args.batch.trigger()
        ));
    }
    let answers = match args.interactive {
        true => match interactive::answer_source(args.answers_from_stdin) {
            Ok(a) => Some(a),
            Err(e) => return crate::report::fail(&e),
        },
        false => None,
    };
    let toolchain = match verify_toolchain(args) {
        Ok(t) => t,
        Err(e) => return crate::report::fail(&e),
    };
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, MAX_JOBS);
    let settings = Settings {
        roots: &roots,
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
    };
    if args.batch.wanted() {
        // Each repository with its own config and rules (batch::engines).
        return match batch::run(&batch_request(args, &settings)) {
            Ok(code) => code,
            Err(SetupError::Config(e)) => config_error(&e, args),
            Err(e) => crate::report::fail(&e),
        };
    }
    let mut runner = match Runner::prepare(&settings) {
        Ok(r) => r,
        Err(SetupError::Config(e)) => return config_error(&e, args),
        Err(e) => return crate::report::fail(&e),
    };
    runner.set_force_exclude(args.force_exclude);
    let baseline = match &args.baseline {
        Some(path) => match baseline::Baseline::load(path) {
            Ok(b) => Some(b),
            Err(e) => return crate::report::fail(&e),
        },
        None => None,
    };
    let diff_base = match &args.diff_base {
        Some(rev) => match crate::diff_base::DiffBase::new(rev, args.paths.first().map_or(Path::new("."), |p| p)) {
            Ok(d) => Some(d),
            Err(e) => return crate::report::fail(&e),
        },
        None => None,
    };
    let whole_run =
        baseline.is_some() || diff_base.is_some() || args.write_baseline.is_some() || args.interactive || args.write;
    if args.format == OutputFormat::Text && !whole_run {
        return stream_text(&runner, args);
    }
    let progress = Progress::new(args.format == OutputFormat::Text);
    let (mut reports, clean_files) = runner.process(&progress);
    say_if_no_go_files(&runner, args);
    note_assumed_version(&reports);
    if let Some(path) = &args.write_baseline {
        return write_baseline(
            path,
            RunResult {
                reports,
                errors: Vec::new(),
                wrote: false,
                clean_files,
            },
        );
    }
    if let Some(b) = &baseline {
        let (hidden, had_fix) = b.filter(&mut reports);
        if had_fix {
            // Fixes of recorded findings are left out too.
            let keep = runner::included_fixes(&reports);
            runner.rerun(&mut reports, keep);
            b.filter(&mut reports);
        }
        if hidden > 0 && args.format == OutputFormat::Text {
            eprintln!(
                "mapfix: {hidden} finding{} recorded in the baseline not shown",
                if hidden == 1 { "" } else { "s" }
            );
        }
    }
    if let Some(d) = &diff_base {
        let filter = |reports: &mut [FileReport]| d.filter(reports);
        let (hidden, had_fix) = match filter(&mut reports) {
            Ok(x) => x,
            Err(e) => return crate::report::fail(&e),
        };
        if had_fix {
            // Fixes of findings on unchanged lines are left out too.
            let keep = runner::included_fixes(&reports);
            runner.rerun(&mut reports, keep);
            if let Err(e) = filter(&mut reports) {
                return crate::report::fail(&e);
            }
        }
        if hidden > 0 && args.format == OutputFormat::Text {
            eprintln!(
                "mapfix: {hidden} finding{} on lines not changed since {} not shown",
                if hidden == 1 { "" } else { "s" },
                args.diff_base.as_deref().unwrap_or_default()
            );
        }
    }
    let mut write = args.write;
    if let Some(mut answers) = answers {
        let choice = match interactive::choose(
            &reports,
            answers.as_mut(),
            &mut std::io::stderr(),
            use_color(args.color, std::io::stderr().is_terminal()),
        ) {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                eprintln!("mapfix: interrupted; nothing written");
                return 130;
            }
            Err(e) => return usage_error(&format!("cannot read an answer: {e}")),
        };
        eprintln!(
            "mapfix: {} of {} fix{} accepted",
            choice.accepted,
            choice.offered,
            if choice.offered == 1 { "" } else { "es" }
        );
        runner.rerun(&mut reports, choice.selection);
        if let Some(b) = &baseline {
            b.filter(&mut reports);
        }
        write = true;
    }
    let mut errors = Vec::new();
    if write {
        let written = write_fixes(&mut reports);
        if let Some(toolchain) = &toolchain {
            let outcome = verify::check_and_restore(toolchain, &mut reports, &written, jobs);
            eprintln!("{}", outcome.summary_line());
            errors.extend(outcome.errors());
        }
    }
    let run = RunResult {
        reports,
        errors,
        wrote: write,
        clean_files,
    };
    if args.interactive && args.format == OutputFormat::Text {
        // Every diff was shown while asking: only errors and the summary remain.
        for e in run.all_errors() {
            crate::report::error(e);
        }
        emit(&format!(
            "{}\n",
            crate::render::summary_line(&run.summary(), run.wrote, args.unsafe_fixes)
        ));
        return run.exit_code();
    }
    if args.format != OutputFormat::Text {
        // SPEC §1: errors go to stderr in every format, and also into the document.
        let _ = text_renderer(args).errors(&run, &mut std::io::stderr());
    }
    render(&run, args, &runner.rules());
    run.exit_code()
}

/// A run over PATHs holding no Go file says so on stderr (exit status as
/// for a clean run), as ruff and golangci-lint do.
fn say_if_no_go_files(runner: &Runner, args: &RunArgs) {
    if runner.files_found() == 0 {
        let paths: Vec<String> = if args.paths.is_empty() {
            vec![".".into()]
        } else {
            args.paths.iter().map(|p| p.display().to_string()).collect()
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
/// tree. (Baselines, interactive review and writing need the whole run.)
fn stream_text(runner: &Runner, args: &RunArgs) -> i32 {
    use std::io::Write;
    let renderer = text_renderer(args);
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
    say_if_no_go_files(runner, args);
    let _timer = crate::profile::timer(crate::profile::Stage::Output);
    let _ = stream.finish(&summary, &mut out);
    let _ = out.flush();
    summary.exit_code(false)
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
    toolchain.progress = args.format == OutputFormat::Text;
    Ok(Some(toolchain))
}

fn render(run: &RunResult, args: &RunArgs, rules: &[&Rule]) {
    let _timer = crate::profile::timer(crate::profile::Stage::Output);
    let renderer = crate::session::renderer_for(&args.output(), rules);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let _ = renderer.render(run, &mut out, &mut std::io::stderr());
}

/// A bad config: a miette report on stderr; machine formats also get a
/// document whose `errors` hold it.
fn config_error(e: &ConfigError, args: &RunArgs) -> i32 {
    crate::report::error(e);
    if !matches!(args.format, OutputFormat::Text | OutputFormat::Patch) {
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
            args,
            &[],
        );
    }
    2
}

fn dump_tree(file: &std::path::Path) -> i32 {
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let tree = syntax::parse(&text);
            let mut out = String::new();
            syntax::dump(&tree.root(), 0, &mut out);
            emit(&out);
            0
        }
        Err(e) => usage_error(&format!("{}: {e}", file.display())),
    }
}

/// A mistake in the flags (or a subcommand's file that cannot be used): reported, exit 2.
fn usage_error(message: &str) -> i32 {
    crate::report::fail(&crate::report::Message(message.to_string()))
}

/// Writes to stdout; a closed pipe (`mapfix rules | head`) ends output quietly.
fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

impl RunArgs {
    /// `--format`, `--color`, `--stats`.
    pub fn output(&self) -> Output {
        Output {
            format: self.format,
            color: self.color,
            stats: self.stats,
            unsafe_fixes: self.unsafe_fixes,
        }
    }
}

fn text_renderer(args: &RunArgs) -> TextRenderer {
    crate::session::text_renderer(&args.output())
}

/// What a batch run needs of the command line.
fn batch_request<'a>(args: &'a RunArgs, settings: &'a Settings<'a>) -> batch::Request<'a> {
    batch::Request {
        batch: &args.batch,
        paths: &args.paths,
        output: args.output(),
        write: args.write,
        verify: args.verify,
        settings,
        baseline: args.baseline.as_deref(),
        write_baseline: args.write_baseline.as_deref(),
        diff_base: args.diff_base.as_deref(),
    }
}
