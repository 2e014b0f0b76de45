//! mapfix: find Go map anti-patterns and rewrite them safely.
//! Entry point: parses the command line and hands over to `cli::run`.

mod apply;
mod bench;
mod cli;
mod engine;
mod goversion;
mod load;
mod ordered;
mod package_index;
mod plan;
mod prefilter;
mod profile;
mod render;
mod rules;
mod skim;
mod syntax;
mod types;
mod suppress;
mod walk;

fn main() {
    let code = cli::run();
    std::process::exit(code);
}
