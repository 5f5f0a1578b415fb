use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;

use clap::Parser;
use redis_unify::cli::Cli;
use redis_unify::commands::ExitStatus;

// Many small allocations on every worker thread (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Panics are caught and reported as internal errors naming the file; the
    // default hook would print a Rust backtrace to the user first.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version exit 0; usage errors exit 2, as ruff.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => {
            redis_unify::errln!("error: cannot read the current folder: {error}");
            return ExitCode::from(2);
        }
    };
    match catch_unwind(AssertUnwindSafe(|| redis_unify::run(&cli, &cwd))) {
        Ok(Ok(status)) => ExitCode::from(status as u8),
        Ok(Err(error)) => {
            redis_unify::errln!("error: {error}");
            ExitCode::from(ExitStatus::Error as u8)
        }
        Err(payload) => {
            redis_unify::errln!(
                "error: internal error: {}\nThis is a bug in redis-unify. Please report it.",
                redis_unify::panic_message(&payload)
            );
            ExitCode::from(ExitStatus::Error as u8)
        }
    }
}
