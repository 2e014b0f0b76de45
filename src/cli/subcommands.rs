//! The subcommands that are not a run: where `rules` and `explain` find
//! user rules, and the man page. Not the flags of a run (`cli`).

use super::Cli;
use crate::runner;
use clap::{Args, CommandFactory};
use std::path::PathBuf;

/// Where `rules` and `explain` find user rules, as a run would.
#[derive(Args, Debug)]
pub struct CatalogueSource {
    /// Also load the ast-grep YAML rules in DIR (repeatable)
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    /// Config file whose `rule_dirs` to load (default: the nearest mapfix.toml upward from the current directory)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl CatalogueSource {
    pub fn load(&self) -> Result<Vec<crate::rules::Rule>, i32> {
        let path = self
            .config
            .clone()
            .or_else(|| std::env::current_dir().ok().and_then(|d| crate::config::find_for(&d)));
        let config = match path.map(|p| crate::config::Config::load(&p)).transpose() {
            Ok(c) => c,
            Err(e) => return Err(crate::report::fail(&e)),
        };
        runner::load_rules(config.as_ref(), &self.rule_dirs).map_err(|e| crate::report::fail(&e))
    }
}

/// The man page: clap's sections, then EXIT STATUS (as the README's
/// usage section states it), then VERSION.
pub fn man_page(w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(Cli::command());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    man.render_subcommands_section(w)?;
    w.write_all(
        b".SH \"EXIT STATUS\"\n\
.TP\n0\nNothing found (dry run), or every finding fixed (\\fB--write\\fR).\n\
.TP\n1\nFindings or diffs reported (dry run), or findings left unfixed (\\fB--write\\fR).\n\
.TP\n2\nA usage or configuration error, or a file that could not be read, parsed or fixed \
(the other files are still processed).\n\
.TP\n130\nInterrupted during \\fB--interactive\\fR; nothing was written.\n",
    )?;
    man.render_version_section(w)
}
