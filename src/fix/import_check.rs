//! `fix --verify-imports`: import each changed Python module in a fresh
//! interpreter, the minimal test of a migration step (a module that still
//! imports aioredis fails on Python 3.11 the moment it is imported).
//!
//! A module is named the way Python names it: up its chain of packages
//! (folders with an `__init__.py`), and imported with the folder above the
//! top package first on `sys.path`, so plain, `src/` and side-by-side layouts
//! all import as they do for their own tests. One interpreter per module: a
//! module's import cannot hide another's failure by importing it first.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one module's import may take before it counts as failed.
pub const IMPORT_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of a failed import's traceback shown to the user.
const TRACEBACK_TAIL_LINES: usize = 8;

/// The script each interpreter runs: the folder to put first on `sys.path`,
/// then the module to import.
const IMPORT_SCRIPT: &str =
    "import importlib, sys; sys.path.insert(0, sys.argv[1]); importlib.import_module(sys.argv[2])";

/// A module to import: its dotted name and the folder its top package is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget {
    pub module: String,
    pub search_path: PathBuf,
    /// The file, relative to the project root, for messages.
    pub file: String,
}

/// The failure of one module's import.
#[derive(Debug)]
pub struct ImportFailure {
    pub target: ImportTarget,
    /// Why: the last lines of the traceback, or the timeout.
    pub reason: String,
}

/// The interpreter to import with: `--python`, else the active virtual
/// environment's, else `python3` on `PATH`.
pub fn interpreter(explicit: Option<&Path>) -> PathBuf {
    if let Some(path) = explicit {
        return path.to_path_buf();
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        let python = Path::new(&venv).join("bin").join("python");
        if python.is_file() {
            return python;
        }
    }
    PathBuf::from("python3")
}

/// The import target of a Python file (`relative` to `root`), or `None` for a
/// file Python cannot import by name (a stub, a name that is not an identifier).
pub fn import_target(root: &Path, relative: &Path) -> Option<ImportTarget> {
    if relative.extension().is_none_or(|e| e != "py") {
        return None;
    }
    let stem = relative.file_stem()?.to_str()?;
    let mut parts: Vec<String> = Vec::new();
    if stem != "__init__" {
        parts.push(stem.to_string());
    }
    // Up the package chain, never above the project root's parent.
    let mut folder = root.join(relative);
    folder.pop();
    loop {
        if !folder.join("__init__.py").is_file() {
            break;
        }
        let name = folder.file_name()?.to_str()?.to_string();
        parts.push(name);
        let at_root = folder == root;
        folder.pop();
        if at_root {
            break;
        }
    }
    parts.reverse();
    if parts.is_empty() || !parts.iter().all(|p| is_identifier(p)) {
        return None;
    }
    Some(ImportTarget {
        module: parts.join("."),
        search_path: folder,
        file: crate::source::slash_path(relative),
    })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Imports each target in its own interpreter, from `root`; returns the failures.
/// `Err` when the interpreter cannot be started at all.
pub fn import_all(
    python: &Path,
    root: &Path,
    targets: &[ImportTarget],
    timeout: Duration,
) -> Result<Vec<ImportFailure>, String> {
    let mut failures = Vec::new();
    for target in targets {
        if let Some(reason) = import_one(python, root, target, timeout)? {
            failures.push(ImportFailure {
                target: target.clone(),
                reason,
            });
        }
    }
    Ok(failures)
}

/// `None` when the module imports; else why not.
fn import_one(
    python: &Path,
    root: &Path,
    target: &ImportTarget,
    timeout: Duration,
) -> Result<Option<String>, String> {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(python)
        .arg("-c")
        .arg(IMPORT_SCRIPT)
        .arg(&target.search_path)
        .arg(&target.module)
        .current_dir(root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group, so that a timeout ends whatever it started.
        .process_group(0)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run `{}` to import the changed modules: {e} \
                 (name the interpreter with --python PATH, or activate the project's virtual environment)",
                python.display()
            )
        })?;
    let mut stderr = child.stderr.take();
    // Read stderr on a thread: a module that prints a lot must not block on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_end(&mut text);
        }
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => {
                // SAFETY: signals the child's own process group (its pid is the group id).
                unsafe {
                    libc::kill(-(child.id() as i32), libc::SIGKILL);
                }
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for `{}`: {e}", python.display())),
        }
    };
    let text = reader.join().unwrap_or_default();
    match status {
        Some(status) if status.success() => Ok(None),
        Some(status) => {
            let text = String::from_utf8_lossy(&text);
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(TRACEBACK_TAIL_LINES)..].join("\n");
            let code = status
                .code()
                .map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"));
            Ok(Some(if tail.is_empty() {
                format!("the import failed ({code})")
            } else {
                tail
            }))
        }
        None => Ok(Some(format!(
            "the import did not finish within {} s (does the module run work when imported?)",
            timeout.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn targets_follow_the_package_chain() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "src/app/__init__.py", "");
        touch(root, "src/app/db/__init__.py", "");
        touch(root, "src/app/db/cache.py", "");
        touch(root, "tools/run.py", "");
        touch(root, "my-tool.py", "");
        let cache = import_target(root, Path::new("src/app/db/cache.py")).unwrap();
        assert_eq!(cache.module, "app.db.cache");
        assert_eq!(cache.search_path, root.join("src"));
        let package = import_target(root, Path::new("src/app/__init__.py")).unwrap();
        assert_eq!(package.module, "app");
        assert_eq!(package.search_path, root.join("src"));
        let script = import_target(root, Path::new("tools/run.py")).unwrap();
        assert_eq!(script.module, "run");
        assert_eq!(script.search_path, root.join("tools"));
        assert_eq!(import_target(root, Path::new("my-tool.py")), None);
        assert_eq!(import_target(root, Path::new("x.pyi")), None);
    }

    #[test]
    fn a_root_that_is_a_package_imports_from_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("pkg");
        touch(&root, "__init__.py", "");
        touch(&root, "mod.py", "");
        let target = import_target(&root, Path::new("mod.py")).unwrap();
        assert_eq!(target.module, "pkg.mod");
        assert_eq!(target.search_path, dir.path());
    }

    #[test]
    fn imports_pass_fail_and_time_out() {
        let python = interpreter(None);
        if Command::new(&python)
            .arg("-c")
            .arg("pass")
            .status()
            .is_err()
        {
            crate::errln!("skipped: no python3");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "app/__init__.py", "");
        touch(root, "app/good.py", "from app import other\n");
        touch(root, "app/other.py", "X = 1\n");
        touch(root, "app/bad.py", "import aioredis_that_does_not_exist\n");
        touch(root, "app/slow.py", "import time\ntime.sleep(30)\n");
        let targets: Vec<ImportTarget> = ["app/good.py", "app/bad.py", "app/slow.py"]
            .iter()
            .map(|f| import_target(root, Path::new(f)).unwrap())
            .collect();
        let failures = import_all(&python, root, &targets, Duration::from_secs(2)).unwrap();
        let failed: Vec<&str> = failures.iter().map(|f| f.target.file.as_str()).collect();
        assert_eq!(failed, ["app/bad.py", "app/slow.py"]);
        assert!(
            failures[0]
                .reason
                .contains("ModuleNotFoundError: No module named 'aioredis_that_does_not_exist'"),
            "{}",
            failures[0].reason
        );
        assert!(failures[1].reason.contains("did not finish"));
        let missing = import_all(
            Path::new("/nonexistent/python"),
            root,
            &targets,
            IMPORT_TIMEOUT,
        );
        assert!(missing.unwrap_err().contains("--python"));
    }
}
