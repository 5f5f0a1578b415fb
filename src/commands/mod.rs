pub mod check;
pub mod hook;
pub mod rule;

/// How a command ended, as ruff's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing found.
    Success = 0,
    /// Findings.
    Failure = 1,
    /// Usage, configuration or internal error.
    Error = 2,
}
