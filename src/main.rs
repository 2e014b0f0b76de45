//! mapfix: find Go map anti-patterns and rewrite them safely.
//! Entry point only: the modules live in the library (`src/lib.rs`).

fn main() {
    std::process::exit(mapfix::run());
}
