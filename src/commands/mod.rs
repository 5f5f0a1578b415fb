pub mod check;
pub mod fix;
pub mod history;
pub mod hook;
pub mod index;
pub mod inputs;
pub mod plan;
pub mod rollback;
pub mod rule;
pub mod stdin;

/// How a command ended, as ruff's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing found (or everything fixed).
    Success = 0,
    /// Findings remain, or a fix run's verify command failed.
    Failure = 1,
    /// Usage, configuration or internal error.
    Error = 2,
    /// A fix run's verify command was interrupted by SIGHUP, SIGINT or SIGTERM
    /// (128 + the signal, as a shell reports it); the run was rolled back.
    Hangup = 129,
    Interrupted = 130,
    Terminated = 143,
}

impl ExitStatus {
    /// The exit status for a run stopped by `signal` (SIGINT when unknown).
    pub fn for_signal(signal: i32) -> ExitStatus {
        match signal {
            libc::SIGHUP => ExitStatus::Hangup,
            libc::SIGTERM => ExitStatus::Terminated,
            _ => ExitStatus::Interrupted,
        }
    }
}
