//! redis-unify: find and migrate uses of the archived `aioredis` package.
//!
//! The data flows one way: command line and configuration → [`settings`] →
//! [`source`] (which files, from the index or the work tree) → [`lint`] (prefilter,
//! parse, [`checker`] with the [`rules`]) → [`report`] → exit code.

pub mod api;
pub mod catalog;
pub mod checker;
pub mod cli;
pub mod commands;
pub mod constructors;
pub mod diagnostic;
pub mod document;
pub mod error;
pub mod fix;
pub mod lint;
pub mod manifest;
pub mod noqa;
pub mod output;
pub mod plan;
pub mod prefilter;
pub mod project;
pub mod python;
pub mod redis_url;
pub mod report;
pub mod rewrites;
pub mod rules;
pub mod selection;
pub mod server;
pub mod settings;
pub mod shell;
pub mod source;
pub mod version;

use std::any::Any;
use std::path::Path;

use commands::ExitStatus;

/// Runs a parsed command line from `cwd`.
pub fn run(cli: &cli::Cli, cwd: &Path) -> Result<ExitStatus, error::Error> {
    // Deeply nested code makes the parser recurse: give the workers room.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 * 1024 * 1024)
        .build_global();
    match &cli.command {
        cli::Command::Check(args) => commands::check::run(args, cwd),
        cli::Command::Fix(args) => commands::fix::run(args, cwd),
        cli::Command::Rollback(args) => commands::rollback::run(args, cwd),
        cli::Command::History(args) => commands::history::run(args, cwd),
        cli::Command::Hook(args) => commands::hook::run(args, cwd),
        cli::Command::Plan(args) => commands::plan::run(args, cwd),
        cli::Command::Server(_) => server::run(),
        cli::Command::Rule(args) => commands::rule::run(args, &mut output::stdout()),
    }
}

/// The text of a caught panic.
pub fn panic_message(payload: &Box<dyn Any + Send>) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "unknown panic".to_string()
    }
}
