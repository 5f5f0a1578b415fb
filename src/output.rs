//! Standard output and standard error for a command line tool whose reader
//! may go away (`redis-unify check . | head -n 1`).
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe fails with `EPIPE`, and
//! `println!` panics on it. Here a closed pipe ends what is said on that
//! stream, silently, and the run goes on to its end and its exit code: a
//! `fix` run is never cut between writing files and recording them, and
//! `check … | head` keeps exit code 1 when there are findings (ruff exits 0
//! there; `set -o pipefail` scripts see the run's real result). Any other
//! write error on standard output is still an error (a full disk behind
//! `> file`).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether a write to standard output found its reader gone.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// A writer that treats a closed pipe as the end of output: the write
/// "succeeds", nothing more is written to that stream, other errors pass.
pub struct Quiet<W> {
    inner: W,
    closed: &'static AtomicBool,
}

impl<W: Write> Write for Quiet<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.store(true, Ordering::Relaxed);
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(());
        }
        match self.inner.flush() {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.store(true, Ordering::Relaxed);
                Ok(())
            }
            other => other,
        }
    }
}

/// Standard output, locked, quiet on a closed pipe.
pub fn stdout() -> Quiet<io::StdoutLock<'static>> {
    Quiet {
        inner: io::stdout().lock(),
        closed: &STDOUT_CLOSED,
    }
}

/// Standard error, locked, quiet on a closed pipe.
pub fn stderr() -> Quiet<io::StderrLock<'static>> {
    Quiet {
        inner: io::stderr().lock(),
        closed: &STDERR_CLOSED,
    }
}

/// A line on standard output; a closed pipe is not an error, any other
/// write error is returned as the run's error (`Error::Io` on `<stdout>`).
pub fn println(args: std::fmt::Arguments) -> Result<(), crate::error::Error> {
    let mut out = stdout();
    out.write_fmt(args)
        .and_then(|()| out.write_all(b"\n"))
        .map_err(stdout_error)
}

/// Text on standard output, as [`println`] without the line break.
pub fn print(args: std::fmt::Arguments) -> Result<(), crate::error::Error> {
    stdout().write_fmt(args).map_err(stdout_error)
}

/// The run's error for a failed write to standard output.
pub fn stdout_error(source: io::Error) -> crate::error::Error {
    crate::error::Error::Io {
        path: "<stdout>".into(),
        source,
    }
}

/// `eprintln!` that neither panics nor complains when standard error is a
/// closed pipe (`2>&1 | head`) or cannot be written at all: there is
/// nowhere left to say it.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let mut err = $crate::output::stderr();
        let _ = err
            .write_fmt(::std::format_args!($($arg)*))
            .and_then(|()| err.write_all(b"\n"));
    }};
}

/// [`println`] as a macro: `outln!("{x}")?`.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::println(::std::format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(28)) // ENOSPC
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_output_quietly_and_other_errors_pass() {
        static CLOSED: AtomicBool = AtomicBool::new(false);
        let mut quiet = Quiet {
            inner: Closed,
            closed: &CLOSED,
        };
        assert!(writeln!(quiet, "one").is_ok());
        assert!(CLOSED.load(Ordering::Relaxed));
        assert!(writeln!(quiet, "two").and_then(|()| quiet.flush()).is_ok());
        static FULL: AtomicBool = AtomicBool::new(false);
        let mut full = Quiet {
            inner: Full,
            closed: &FULL,
        };
        assert!(writeln!(full, "one").is_err());
    }
}
