//! mapfix: find Go map anti-patterns and rewrite them safely.
//! Entry point: parses the command line and hands over to `cli::run`.

mod apply;
mod batch;
mod cli;
mod engine;
mod goversion;
mod load;
mod plan;
mod render;
mod rules;
mod syntax;
mod types;
mod suppress;
mod walk;

fn main() {
    let code = cli::run();
    std::process::exit(code);
}
