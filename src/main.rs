//! mapfix: find Go map anti-patterns and rewrite them safely.
//! Entry point: parses the command line and hands over to `cli::run`.

mod apply;
mod batch;
mod baseline;
mod catalogue;
mod cli;
mod config;
mod engine;
mod goversion;
mod interactive;
mod load;
mod plan;
mod progress;
mod render;
mod rules;
mod runner;
mod selection;
mod syntax;
mod types;
mod suppress;
mod walk;

fn main() {
    let code = cli::run();
    std::process::exit(code);
}
