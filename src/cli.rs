//! The command line (SPEC §1): flags are defined here once, with their docs,
//! which also generate `--help`. `run` wires walk → engine → apply → render.

use crate::engine::{Engine, EngineOptions, FileError, FileReport};
use crate::goversion::{GoVersion, VersionResolver, VersionSource};
use crate::profile::{self, Stage};
use crate::render::{JsonRenderer, StreamRenderer, TextRenderer, Totals};
use crate::rules::{self, Rule};
use crate::{apply, bench, syntax, walk};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Find Go map anti-patterns and rewrite them safely. Dry run by default:
/// prints a unified diff for every fix and a diagnostic for every other finding.
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
    /// List the rule catalogue.
    Rules {
        #[arg(long, value_enum, default_value_t = CatalogueFormat::Text)]
        format: CatalogueFormat,
    },
    /// Show a rule's rationale, a before/after example and its fix safety.
    Explain { rule: String },
    /// Print the syntax tree of a Go file (for rule authors).
    #[command(hide = true)]
    DumpTree { file: PathBuf },
    /// Only read, or read and parse, the Go files a run would process (the
    /// baselines of bench/run.sh).
    #[command(hide = true)]
    BenchParse(bench::BenchArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CatalogueFormat {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Go files or directories to process (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Apply fixes in place.
    #[arg(short = 'w', long)]
    pub write: bool,
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
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Also load the ast-grep YAML rules in DIR (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Report findings in generated files (they are never fixed).
    #[arg(long)]
    pub include_generated: bool,
    /// Per-rule counts instead of per-finding output.
    #[arg(long)]
    pub stats: bool,
    /// Print counters and per-stage thread time on stderr (for benchmarking).
    #[arg(long, hide = true)]
    pub profile: bool,
    /// Parse every file, even those the pre-filter would skip (for checking it).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,
}

/// Parses the command line, runs, and returns the exit status.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Rules { format }) => print_catalogue(format),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::DumpTree { file }) => dump_tree(&file),
        Some(Command::BenchParse(args)) => bench::run(&args),
        None => run_paths(cli.run),
    }
}

fn usage_error(message: &str) -> i32 {
    eprintln!("mapfix: error: {message}");
    2
}

/// Loads built-in and user rules and applies `--rule`/`--skip-rule`.
fn select_rules(args: &RunArgs) -> Result<Vec<Rule>, String> {
    let mut all = rules::builtin_rules();
    for dir in &args.rule_dirs {
        let user = rules::load_rule_dir(dir).map_err(|e| format!("{}: {}", e.path.display(), e.message))?;
        all.extend(user);
    }
    let known: Vec<String> = all.iter().map(|r| r.id.clone()).collect();
    for id in args.rule.iter().chain(&args.skip_rule) {
        if id != "all" && !known.contains(id) {
            return Err(format!("unknown rule {id:?}; known rules: {}", known.join(", ")));
        }
    }
    let everything = args.rule.iter().any(|r| r == "all");
    all.retain(|r| {
        let selected = if everything {
            true
        } else if !args.rule.is_empty() {
            args.rule.contains(&r.id)
        } else {
            !r.opt_in
        };
        selected && !args.skip_rule.contains(&r.id)
    });
    Ok(all)
}

fn run_paths(args: RunArgs) -> i32 {
    let fallback = match &args.go_version {
        Some(v) => match GoVersion::parse(v) {
            Some(v) => Some(v),
            None => return usage_error(&format!("--go-version {v:?} is not a Go version like 1.21")),
        },
        None => None,
    };
    let rules = match select_rules(&args) {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    if args.profile {
        profile::enable();
    }
    let roots = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let (files, walk_errors) = {
        let _timer = profile::timer(Stage::Walk);
        walk::walk_sorted(&roots)
    };
    let options = EngineOptions {
        unsafe_fixes: args.unsafe_fixes,
        include_generated: args.include_generated,
        rule_options: Default::default(),
        skip_prefilter: args.no_prefilter,
    };
    let engine = Engine::new(rules, options, VersionResolver::new(fallback));
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let walk_errors: Vec<FileError> =
        walk_errors.into_iter().map(|e| FileError { path: e.path, message: e.message, span: None }).collect();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut renderer: Box<dyn StreamRenderer> = match args.format {
        OutputFormat::Text => Box::new(TextRenderer { color, stats: args.stats }.stream()),
        OutputFormat::Json => Box::new(JsonRenderer.stream()),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let mut totals = Totals::new(args.write);
    totals.add_errors(walk_errors.len());
    // Output errors (a closed pipe) stop the output, not the run's exit status.
    let mut output_ok = renderer.begin(&walk_errors, &mut out, &mut err).is_ok();
    let mut warned_default_version = false;
    engine.run_walk(files, jobs, |mut report| {
        let _timer = profile::timer(Stage::Output);
        if !warned_default_version
            && report.source.as_ref().is_some_and(|s| s.version_source == VersionSource::Default)
        {
            warned_default_version = true;
            eprintln!(
                "mapfix: no go.mod above {} and no --go-version: assuming Go {}",
                report.path.display(),
                GoVersion::NEWEST
            );
        }
        if args.write {
            write_fixes(&mut report);
        }
        totals.add(&report);
        output_ok = output_ok && renderer.file(report, &mut out, &mut err).is_ok();
    });
    if output_ok {
        let _ = renderer.finish(&totals, &mut out, &mut err);
    }
    drop(out);
    if args.profile {
        eprintln!("{}", profile::report());
    }
    totals.exit_code()
}

/// Writes a file's fixed text and marks its fixes applied, or records why not.
fn write_fixes(report: &mut FileReport) {
    let (Some(source), Some(text)) = (&report.source, &report.fixed_text) else { return };
    match apply::write_file(source, text) {
        Ok(()) => {
            for f in &mut report.findings {
                if let Some(fix) = f.fix.as_mut().filter(|x| x.included) {
                    fix.applied = true;
                }
            }
        }
        Err(message) => report.errors.push(FileError { path: report.path.clone(), message, span: None }),
    }
}

fn print_catalogue(format: CatalogueFormat) -> i32 {
    let rules = rules::builtin_rules();
    match format {
        CatalogueFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "severity": r.severity,
                        "safety": r.safety.as_str(),
                        "min_go": r.min_go.map(|v| v.to_string()),
                        "default": if r.opt_in { "opt-in" } else { "on" },
                        "summary": r.docs.summary,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap());
        }
        CatalogueFormat::Text => {
            for r in &rules {
                let min_go = r.min_go.map(|v| format!("go{v}")).unwrap_or_else(|| "-".into());
                let default = if r.opt_in { "opt-in" } else { "on" };
                println!("{:<18} {:<8} {:<7} {:<7} {:<7} {}", r.id, r.severity, r.safety.as_str(), min_go, default, r.docs.summary);
            }
        }
    }
    0
}

fn explain(id: &str) -> i32 {
    let rules = rules::builtin_rules();
    let Some(r) = rules.iter().find(|r| r.id == id) else {
        let known: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        return usage_error(&format!("unknown rule {id:?}; known rules: {}", known.join(", ")));
    };
    let d = &r.docs;
    println!("{} ({}, fix: {})\n\n{}\n\nWhy is this bad?\n{}\n", r.id, r.severity, r.safety.as_str(), d.summary, d.why.trim());
    println!("Example:\n{}\n\nUse instead:\n{}\n\nFix safety:\n{}", indent(&d.before), indent(&d.after), d.safety.trim());
    0
}

fn indent(code: &str) -> String {
    code.trim_end().lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

fn dump_tree(file: &std::path::Path) -> i32 {
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let tree = syntax::parse(&text);
            let mut out = String::new();
            syntax::dump(&tree.root(), 0, &mut out);
            print!("{out}");
            0
        }
        Err(e) => usage_error(&format!("{}: {e}", file.display())),
    }
}
