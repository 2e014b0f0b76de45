//! The command line, tried as a user would: each module runs the `mapfix`
//! binary (plain runs, flags, formats, baselines, `--diff-base`,
//! interactive review, `--verify`, writes, bad input, the language server's
//! stdio session, `--watch`, pre-commit hooks, and batch runs with their
//! hostile repositories). One test binary, so that a change to the crate
//! links one binary here, not twenty.

mod batch_support;
#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod baseline;
mod basics;
mod batch;
mod batch_config;
mod batch_output;
mod batch_pr;
mod batch_security;
mod config;
mod diff_base;
mod formats;
mod interactive;
mod patterns;
mod precommit;
mod server;
mod suppress;
mod terminal;
mod verify;
mod watch;
mod write_safety;
