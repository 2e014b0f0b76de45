//! mapfix as a library: the pipeline modules (walk → load → parse → match →
//! plan → render → apply → verify) behind the `mapfix` binary. `go/` is the
//! Go side (lexer, parse, versions, types), `rules/` the rules, `engine/`
//! runs them per file, `write/` writes and verifies; ARCHITECTURE.md is the
//! map.
//!
//! Every module is private: an item marked `pub` inside one is visible to
//! the crate only, so the dead-code lint sees it. The public surface is
//! short and chosen on purpose: [`run`] for the binary (`src/main.rs`), and
//! for the integration tests that drive the engine in-process the items of
//! `api.rs`, small types of their own that expose no internal type:
//!
//! - [`Engine`] over chosen [`builtin_rules`], [`Engine::process`] of a file
//!   giving a [`Report`] (`tests/generative.rs`);
//! - [`BuiltinRule`]: each rule's documented example and Go versions
//!   (`tests/rule_docs_examples.rs`);
//! - [`write_file`], the atomic write of `--write`, and [`unified_diff`],
//!   the dry run's diff (`tests/generative.rs`);
//! - [`syntax_error`]: where the one Go parse first fails
//!   (`tests/stdlib_parse.rs`, `tests/generative.rs`).

mod api;
mod baseline;
mod batch;
mod bench;
mod cli;
mod config;
mod diagnostic;
mod diff_base;
mod engine;
mod gitenv;
mod go;
mod hash;
mod interactive;
mod memory;
mod ordered;
mod pipeline;
mod plan;
mod profile;
mod progress;
mod render;
mod report;
mod rules;
mod server;
#[cfg(test)]
mod testing;
mod walk;
mod write;

pub use api::{builtin_rules, syntax_error, write_file, BuiltinRule, Engine, Report};
pub use cli::run;
pub use render::unified_diff;
