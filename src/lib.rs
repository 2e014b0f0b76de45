//! mapfix as a library: the pipeline modules (walk → load → parse → match →
//! plan → render → apply → verify) behind the `mapfix` binary, exposed so
//! that tests can drive the engine in-process.

pub mod apply;
pub mod cli;
pub mod engine;
pub mod goversion;
pub mod load;
pub mod plan;
pub mod render;
pub mod rules;
pub mod suppress;
pub mod syntax;
pub mod types;
pub mod verify;
pub mod walk;
