//! Every flag of the command line, defined once with its docs (which also
//! make `--help`, the man page and the shell completions): clap's
//! low-level arguments, turned into one checked request by `request.rs`.
//! The domain modules know nothing of clap; the value types they own get
//! their `ValueEnum` here.

use crate::batch;
use crate::bench::BenchMode;
use crate::pipeline::{ColorChoice, OutputFormat};
use crate::rules::catalogue::CatalogueFormat;
use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
        source: CatalogueFlags,
    },
    /// Show a rule's rationale, a before/after example and its fix safety.
    Explain {
        rule: String,
        #[command(flatten)]
        source: CatalogueFlags,
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
    Server(ServerFlags),
    /// Print the syntax tree of a Go file (for rule authors).
    DumpTree { file: PathBuf },
    /// Only read, or read and parse, the Go files a run would process (the
    /// baselines of bench/run.sh).
    BenchParse(BenchFlags),
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
    pub batch: BatchFlags,
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

/// Batch and pull-request flags (SPEC §5).
#[derive(clap::Args, Debug, Default)]
#[command(next_help_heading = "Batch and pull requests")]
pub struct BatchFlags {
    /// Treat each PATH as a repository: output grouped per repository, a
    /// closing table, `repositories[]` in JSON. Implied by --repos, --shard,
    /// --list-repos and --commit; without any of them, several PATHs are one
    /// ordinary run.
    #[arg(long)]
    pub batch: bool,
    /// Also process the repositories listed in FILE: one path per line,
    /// relative to FILE's directory; `#` comments and blank lines ignored.
    #[arg(long, value_name = "FILE")]
    pub repos: Option<PathBuf>,
    /// Process only shard K of N of the repository list (1-based, e.g. 2/8);
    /// a repository's shard depends only on its path.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<batch::Shard>,
    /// Print the repositories this run would process (after --shard), one per line, and exit.
    #[arg(long)]
    pub list_repos: bool,
    /// With --write: commit each git repository's rewrite on --branch,
    /// built from HEAD; the checkout, its index and current branch are left as they are.
    #[arg(long, requires_all = ["write", "branch"])]
    pub commit: bool,
    /// The branch --commit creates (or, with --force-branch, resets) from HEAD
    /// (`refs/heads/NAME` is taken as NAME).
    #[arg(long, value_name = "NAME", requires = "commit", value_parser = batch::branch_arg)]
    pub branch: Option<String>,
    /// Reset --branch to HEAD plus the rewrite when it exists with other content.
    #[arg(long, requires = "commit")]
    pub force_branch: bool,
    /// Commit author as "Name <email>" (default: git's configured user.name and user.email).
    #[arg(long, value_name = "IDENTITY", requires = "commit")]
    pub author: Option<batch::Identity>,
    /// Push --branch to origin (`git push -u origin NAME`) after committing.
    #[arg(long, requires = "commit")]
    pub push: bool,
    /// Open (or update) a pull request per committed branch with `gh`; the
    /// markdown body is kept in the repository's git directory.
    #[arg(long, requires = "commit")]
    pub pr: bool,
    /// Open pull requests as drafts.
    #[arg(long, requires = "pr")]
    pub draft: bool,
    /// Open at most N new pull requests; the rest wait for the next run.
    #[arg(long, value_name = "N", requires = "pr")]
    pub max_prs: Option<usize>,
}

impl BatchFlags {
    /// Whether the run is a batch: only when a flag asks for one, never
    /// guessed from the PATHs (several modules are one ordinary run).
    pub fn wanted(&self) -> bool {
        self.batch || self.repos.is_some() || self.shard.is_some() || self.commit || self.list_repos
    }

    /// The flag that made this run a batch, for messages.
    pub fn trigger(&self) -> &'static str {
        if self.commit {
            "--commit"
        } else if self.repos.is_some() {
            "--repos"
        } else if self.shard.is_some() {
            "--shard"
        } else if self.list_repos {
            "--list-repos"
        } else {
            "--batch"
        }
    }

    /// The batch's own settings.
    pub fn to_batch(&self) -> batch::BatchArgs {
        batch::BatchArgs {
            repos: self.repos.clone(),
            shard: self.shard,
            list_repos: self.list_repos,
            commit: self.commit,
            branch: self.branch.clone(),
            force_branch: self.force_branch,
            author: self.author.clone(),
            push: self.push,
            pr: self.pr,
            draft: self.draft,
            max_prs: self.max_prs,
        }
    }
}

/// `mapfix server` flags.
#[derive(clap::Args, Debug)]
pub struct ServerFlags {
    /// Also load the ast-grep YAML rules in DIR (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Go version for files with no go.mod above them and no //go:build go1.N line.
    #[arg(long, value_name = "1.N")]
    pub go_version: Option<String>,
}

/// `mapfix bench-parse` flags.
#[derive(clap::Args, Debug)]
pub struct BenchFlags {
    /// What to do with each file.
    #[arg(long, value_enum, default_value_t = BenchMode::Parse)]
    pub mode: BenchMode,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

/// Where `rules` and `explain` find user rules, as a run would.
#[derive(clap::Args, Debug)]
pub struct CatalogueFlags {
    /// Also load the ast-grep YAML rules in DIR (repeatable)
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Config file whose `rule_dirs` to load (default: the nearest mapfix.toml upward from the current directory)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// A `ValueEnum` for a domain type: its values, each with its name and help.
macro_rules! value_enum {
    ($ty:ty { $($variant:ident => $name:literal $(: $help:literal)?),* $(,)? }) => {
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$(<$ty>::$variant),*]
            }
            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(match self {
                    $(<$ty>::$variant => PossibleValue::new($name)$(.help($help))?,)*
                })
            }
        }
    };
}

value_enum!(OutputFormat {
    Text => "text": "Diffs, diagnostics and a summary, for people",
    Json => "json": "The stable, versioned JSON document",
    Sarif => "sarif": "SARIF 2.1.0, for code scanning",
    Github => "github": "GitHub Actions workflow commands (annotations)",
    Patch => "patch": "One patch of all fixes, for `git apply`",
    Markdown => "markdown": "A pull-request body: summary table, rationale per rule, folded diffs",
});

value_enum!(ColorChoice {
    Auto => "auto",
    Always => "always",
    Never => "never",
});

value_enum!(CatalogueFormat {
    Text => "text": "One aligned row per rule",
    Json => "json": "An array of rule objects",
    Markdown => "markdown": "The README's rule table (the rows between its `rules-table` markers); with `--out DIR`, a page per rule and an index instead",
});

value_enum!(BenchMode {
    Read => "read",
    Parse => "parse",
});
