//! mapfix as a library: the pipeline modules (walk → load → parse → match →
//! plan → render → apply → verify) behind the `mapfix` binary, exposed so
//! that tests can drive the engine in-process.

pub mod apply;
pub mod baseline;
pub mod batch;
pub mod bench;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod diff_base;
pub mod engine;
pub mod fix;
pub mod goversion;
pub mod hash;
pub mod interactive;
pub mod lang;
pub mod lex;
pub mod lines;
pub mod load;
pub mod memory;
pub mod methods;
pub mod ordered;
pub mod plan;
pub mod prefilter;
pub mod profile;
pub mod progress;
pub mod render;
pub mod report;
pub mod rules;
pub mod runner;
pub mod selection;
pub mod server;
pub mod session;
pub mod skim;
pub mod stdlib_types;
pub mod suppress;
pub mod syntax;
#[cfg(test)]
mod testing;
pub mod types;
pub mod verify;
pub mod walk;
