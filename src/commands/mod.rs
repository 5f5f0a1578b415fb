pub mod check;
pub mod fix;
pub mod history;
pub mod hook;
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
}
