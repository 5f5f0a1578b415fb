//! Running a fix run's `--verify` command so that an interrupted verify can be
//! undone: the command runs in its own process group, and SIGINT, SIGTERM or
//! SIGHUP sent to redis-unify (a Ctrl-C reaches only redis-unify's group) is
//! forwarded to that whole group; a second one kills the group. Once the
//! command has ended (and, after an interruption, anything it left in its
//! group is killed) the caller rolls the run back.

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use super::journal::{VerifyOutcome, VerifyResult};

/// The signals that interrupt a verify.
const INTERRUPTS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Catches SIGINT/SIGTERM/SIGHUP from when it is made (before the files are
/// written, so that no signal ends the process between writing and
/// verifying) until dropped.
pub struct Interrupts {
    signals: Signals,
    /// The signals caught: those this process did not inherit as ignored
    /// (`nohup` ignores SIGHUP, a shell's background job SIGINT: kept so).
    caught: Vec<i32>,
    received: Option<i32>,
}

impl Interrupts {
    pub fn catch() -> std::io::Result<Interrupts> {
        let caught: Vec<i32> = INTERRUPTS
            .into_iter()
            .filter(|&signal| !is_ignored(signal))
            .collect();
        Ok(Interrupts {
            signals: Signals::new(&caught)?,
            caught,
            received: None,
        })
    }

    /// A signal that arrived so far, without waiting.
    pub fn pending(&mut self) -> Option<i32> {
        if self.received.is_none() {
            self.received = self.signals.pending().next();
        }
        self.received
    }

    /// The signal that interrupted the verify (SIGINT when none did).
    pub fn interrupted_by(&self) -> i32 {
        self.received.unwrap_or(SIGINT)
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.signals.handle().close();
        // signal-hook leaves its handler installed (doing nothing) once the
        // last action is gone; give the signals their default action back so
        // that Ctrl-C ends the rest of the run as usual. (Made once per process.)
        for &signal in &self.caught {
            // SAFETY: restoring the default disposition of a signal.
            unsafe { libc::signal(signal, libc::SIG_DFL) };
        }
    }
}

/// Whether `signal`'s disposition is SIG_IGN.
fn is_ignored(signal: i32) -> bool {
    // SAFETY: sigaction with a null new action only reads the current one
    // into a zeroed struct.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_IGN
    }
}

/// How much of a verify command's output is kept (its end).
const OUTPUT_KEPT: usize = 1 << 20;

/// How a verify command ended, and the last lines of its output.
pub struct Verification {
    pub result: VerifyResult,
    /// Its stdout and stderr, interleaved as written.
    pub output: String,
    /// Why it could not be started.
    pub error: Option<String>,
}

/// The name of an interrupting signal.
pub fn signal_name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT".to_string(),
        SIGTERM => "SIGTERM".to_string(),
        SIGHUP => "SIGHUP".to_string(),
        other => format!("signal {other}"),
    }
}

/// Runs `command` with `sh -c` in `root`, in a new process group, forwarding
/// the interrupts caught by `interrupts`.
pub fn run_verify(command: &str, root: &Path, interrupts: &mut Interrupts) -> Verification {
    let started = Instant::now();
    let elapsed = |started: Instant| started.elapsed().as_millis() as u64;
    if let Some(signal) = interrupts.pending() {
        // Interrupted while the files were written: not even started.
        return Verification {
            result: VerifyResult {
                outcome: VerifyOutcome::Interrupted,
                exit_code: None,
                signal: None,
                interrupted_by: Some(signal_name(signal)),
                duration_ms: 0,
            },
            output: String::new(),
            error: None,
        };
    }
    let not_run = |error: String| Verification {
        result: VerifyResult {
            outcome: VerifyOutcome::NotRun,
            exit_code: None,
            signal: None,
            interrupted_by: None,
            duration_ms: elapsed(started),
        },
        output: String::new(),
        error: Some(error),
    };
    let (mut reader, writer) = match std::io::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return not_run(format!("cannot create a pipe: {e}")),
    };
    let stderr_writer = match writer.try_clone() {
        Ok(writer) => writer,
        Err(e) => return not_run(format!("cannot create a pipe: {e}")),
    };
    let mut child = {
        let mut process = Command::new("sh");
        process
            .arg("-c")
            .arg(command)
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(stderr_writer)
            // Its own group: the whole command (and what it starts) gets the
            // forwarded signal, and a terminal's Ctrl-C reaches only us.
            .process_group(0);
        match process.spawn() {
            Ok(child) => child,
            Err(e) => return not_run(format!("cannot run `sh -c`: {e}")),
        }
        // `process` (and its copies of the pipe's write end) dropped here.
    };
    let group = child.id() as libc::pid_t;
    let collector = std::thread::spawn(move || {
        // Only the end is shown: keep at most OUTPUT_KEPT bytes of it.
        let mut bytes = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(read) => {
                    bytes.extend_from_slice(&chunk[..read]);
                    if bytes.len() > 2 * OUTPUT_KEPT {
                        bytes.drain(..bytes.len() - OUTPUT_KEPT);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        bytes
    });
    let handle = interrupts.signals.handle();
    let received = std::thread::scope(|scope| {
        let forwarder = scope.spawn(|| {
            let mut first = None;
            for signal in interrupts.signals.forever() {
                // The group leader is not reaped before this thread ends, so
                // `group` cannot name another process group here.
                let forwarded = if first.is_none() {
                    first = Some(signal);
                    signal
                } else {
                    libc::SIGKILL
                };
                // SAFETY: kill(2) on our own child's process group.
                unsafe { libc::kill(-group, forwarded) };
            }
            first
        });
        wait_without_reaping(group);
        handle.close();
        forwarder.join().unwrap_or(None)
    });
    interrupts.received = received;
    if received.is_some() {
        // Whatever the command started and left running in its group.
        // SAFETY: the leader is still unreaped: the group id is still ours.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    }
    let status = child.wait();
    let duration_ms = elapsed(started);
    let output = collector.join().unwrap_or_default();
    let output = String::from_utf8_lossy(&output).into_owned();
    let status = match status {
        Ok(status) => status,
        Err(e) => return not_run(format!("cannot wait for `sh -c`: {e}")),
    };
    let outcome = match (received, status.success()) {
        (Some(_), _) => VerifyOutcome::Interrupted,
        (None, true) => VerifyOutcome::Passed,
        (None, false) => VerifyOutcome::Failed,
    };
    Verification {
        result: VerifyResult {
            outcome,
            exit_code: status.code(),
            signal: status.signal(),
            interrupted_by: received.map(signal_name),
            duration_ms,
        },
        output,
        error: None,
    }
}

/// Waits until the child `pid` has exited, leaving it a zombie (so its pid and
/// process group id are not reused until it is reaped).
fn wait_without_reaping(pid: libc::pid_t) {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-parameter for waitid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waitid on our own child with a valid out-pointer.
        let result = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if result == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}
