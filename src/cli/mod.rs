//! The command line (SPEC §1): `args.rs` defines every flag once, with its
//! docs (which also make `--help`, the man page and the completions);
//! `request.rs` checks the flag combinations and turns a run's flags into a
//! `pipeline::Request`; this file dispatches the subcommands and picks the
//! run: a plain one (`pipeline::run`), a batch (`batch::run`) or `--watch`.

mod args;
mod exit;
mod request;
mod watch;

pub use args::{Cli, Command, RunArgs};

use crate::go::goversion::GoVersion;
use crate::go::syntax;
use crate::pipeline::{self, emit, use_color};
use crate::rules::catalogue::{self, CatalogueFormat};
use crate::rules::Rule;
use args::CatalogueFlags;
use clap::{CommandFactory, Parser};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The most worker threads `-j` gets: more only cost memory, and a
/// thread count the system cannot create must not abort the run.
pub const MAX_JOBS: usize = 256;

/// Parses the command line, runs, and returns the exit status.
pub fn run() -> i32 {
    let cli = Cli::parse();
    crate::report::set_color(use_color(cli.run.color, std::io::stderr().is_terminal()));
    match cli.command {
        Some(Command::Rules { format, out, source }) => match load_catalogue(&source) {
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
            Err(e) => crate::report::fail(&e),
        },
        Some(Command::Explain { rule, source }) => match load_catalogue(&source) {
            Ok(rules) => match catalogue::explain(&rules, &rule) {
                Ok(text) => {
                    emit(&text);
                    0
                }
                Err(e) => crate::report::fail(&e),
            },
            Err(e) => crate::report::fail(&e),
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
        Some(Command::Man) => match exit::man_page(&mut std::io::stdout()) {
            Ok(()) => 0,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(e) => usage_error(&e.to_string()),
        },
        Some(Command::Server(flags)) => match go_version(&flags.go_version) {
            Ok(go_version) => crate::server::run(crate::server::ServerOptions {
                rule_dirs: flags.rule_dirs,
                go_version,
            }),
            Err(code) => code,
        },
        Some(Command::DumpTree { file }) => dump_tree(&file),
        Some(Command::BenchParse(flags)) => crate::bench::run(&crate::bench::BenchArgs {
            mode: flags.mode,
            jobs: flags.jobs,
            paths: flags.paths,
        }),
        None => run_paths(cli.run),
    }
}

/// Why `rules` or `explain` cannot list the rules: the config, or a rule
/// directory (each error names its path).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum CatalogueError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] pipeline::SetupError),
}

/// The rules `rules` and `explain` list: the built-in ones and those of
/// the config's `rule_dirs` and `--rules`, as a run would load them.
fn load_catalogue(flags: &CatalogueFlags) -> Result<Vec<Rule>, CatalogueError> {
    let path = flags
        .config
        .clone()
        .or_else(|| std::env::current_dir().ok().and_then(|d| crate::config::find_for(&d)));
    let config = path.map(|p| crate::config::Config::load(&p)).transpose()?;
    Ok(pipeline::load_rules(config.as_ref(), &flags.rule_dirs)?)
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
        if let Err(code) = request::check_watch(&args) {
            return code;
        }
        return watch::watch(&args, run_once);
    }
    let code = run_once(&args);
    if args.profile {
        eprintln!("{}", crate::profile::report());
    }
    code
}

/// One run: the flags checked and turned into a request, then a batch or
/// a plain run.
fn run_once(args: &RunArgs) -> i32 {
    let roots = match args.paths.is_empty() {
        true => vec![PathBuf::from(".")],
        false => args.paths.clone(),
    };
    let mut req = match request::request(args, &roots) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if args.batch.wanted() {
        // Each repository with its own config and rules (batch::engines).
        return crate::batch::run(&crate::batch::Request {
            batch: args.batch.to_batch(),
            run: &req,
        });
    }
    pipeline::run(&mut req)
}

/// `--go-version`: a usage error (exit 2) unless it is a Go version.
fn go_version(flag: &Option<String>) -> Result<Option<GoVersion>, i32> {
    match flag {
        Some(v) => match GoVersion::parse(v) {
            Some(v) => Ok(Some(v)),
            None => Err(usage_error(&format!(
                "--go-version {v:?} is not a Go version like 1.21"
            ))),
        },
        None => Ok(None),
    }
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
