//! mapfix as a library: the pipeline modules (walk → load → parse → match →
//! plan → render → apply → verify) behind the `mapfix` binary, exposed so
//! that tests can drive the engine in-process. `go/` is the Go side (lexer,
//! parse, versions, types), `rules/` the rules, `engine/` runs them per
//! file, `write/` writes and verifies; ARCHITECTURE.md is the map.

pub mod baseline;
pub mod batch;
pub mod bench;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod diff_base;
pub mod engine;
pub mod gitenv;
pub mod go;
pub mod hash;
pub mod interactive;
pub mod memory;
pub mod pipeline;
pub mod plan;
pub mod profile;
pub mod progress;
pub mod render;
pub mod report;
pub mod rules;
pub mod server;
#[cfg(test)]
mod testing;
pub mod walk;
pub mod write;
