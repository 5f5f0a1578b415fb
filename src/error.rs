//! Errors that stop a run. Each becomes exit code 2 with a message that says
//! what went wrong and what to do next.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// Bad flags or values.
    Usage(String),
    /// A configuration file that cannot be used.
    Config { path: PathBuf, message: String },
    /// A file or folder that cannot be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Staged mode outside a git repository.
    NotARepository,
    /// Anything git reports.
    Git(String),
    /// A panic caught while checking a file: a bug in redis-unify.
    Internal { path: String, message: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => write!(f, "{message}"),
            Error::Config { path, message } => write!(f, "{}: {message}", path.display()),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::NotARepository => write!(
                f,
                "not inside a git repository, so there are no staged files to check; \
                 to check the files of a folder, run `redis-unify check .`"
            ),
            Error::Git(message) => write!(f, "git: {message}"),
            Error::Internal { path, message } => write!(
                f,
                "internal error while checking {path}: {message}\n\
                 This is a bug in redis-unify. Please report it, with the file if you can."
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<git2::Error> for Error {
    fn from(error: git2::Error) -> Self {
        Error::Git(error.message().to_string())
    }
}
