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
    absolute_git_environment(&cwd);
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

/// git reads `GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE` and
/// `GIT_COMMON_DIR` relative to the folder it runs in; redis-unify runs git in
/// the work tree's root, so relative values are made absolute here, against
/// the folder the user ran in.
fn absolute_git_environment(cwd: &std::path::Path) {
    for name in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
    ] {
        if let Some(value) = std::env::var_os(name).filter(|v| !v.is_empty()) {
            let path = std::path::Path::new(&value);
            if path.is_relative() {
                // SAFETY: at start-up, before any thread is spawned.
                unsafe { std::env::set_var(name, cwd.join(path)) };
            }
        }
    }
}
