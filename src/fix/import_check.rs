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

/// The script each interpreter runs, given the file, the module name and the
/// folders to put first on `sys.path`. `sys.argv` is reset to what a plain
/// import sees (a module that parses arguments at import time must not read
/// ours); pytest's `importorskip` skipping the module counts as an import that
/// works (pytest would skip it too); a module that exits while imported does
/// not. The import counts only when the module loaded is that file (not a
/// same-named module loaded before, `stat`, `time`) and the script says so
/// last (an interpreter that is not Python proves nothing by exiting 0).
const IMPORT_SCRIPT: &str = "\
import importlib, os, sys
IMPORTED = '\\nredis-unify: imported\\n'
expected, module, *folders = sys.argv[1:]
sys.argv = [module]
sys.path[:0] = folders
try:
    loaded = importlib.import_module(module)
except SystemExit as error:
    sys.stderr.write(f'the module exited while being imported (SystemExit: {error.code!r})\\n')
    os._exit(3)
except BaseException as error:
    if type(error).__name__ == 'Skipped' and type(error).__module__.startswith('_pytest'):
        sys.stderr.write(IMPORTED)
        os._exit(0)
    raise
found = getattr(loaded, '__file__', None)
if found is None or os.path.realpath(found) != os.path.realpath(expected):
    sys.stderr.write(f'`import {module}` loads {found or \"a module without a file\"}, not {expected}: a module of that name was loaded first (the standard library\\'s?); rename the file, or test it another way\\n')
    os._exit(4)
sys.stderr.write(IMPORTED)
";

/// What the script writes last when the import worked.
const IMPORTED_MARKER: &str = "redis-unify: imported";

/// Files that are not imported as modules: importing them runs a program.
const NOT_IMPORTED: &[&str] = &["setup.py", "__main__.py"];

/// A module to import: its dotted name and the folder its top package is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget {
    pub module: String,
    /// Put first on `sys.path`, in order: the folder above the top package,
    /// then the project root and its `src/`.
    pub search_path: Vec<PathBuf>,
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
    on_path("python3").unwrap_or_else(|| PathBuf::from("python3"))
}

/// The file `name` names on `PATH`, as the shell would find it (recorded in
/// the run, so `history` says which interpreter imported the modules).
fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|folder| folder.join(name))
        .find(|path| {
            std::fs::metadata(path)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The import target of a Python file (`relative` to `root`), or `None` for a
/// file Python cannot import by name (a stub, a name that is not an identifier).
pub fn import_target(root: &Path, relative: &Path) -> Option<ImportTarget> {
    if relative.extension().is_none_or(|e| e != "py")
        || relative
            .file_name()
            .is_some_and(|name| NOT_IMPORTED.iter().any(|n| name == *n))
    {
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
    // A module outside any package that imports relatively lives in a
    // namespace package (PEP 420, no `__init__.py`): named from the project
    // root (or its `src/`), as `python -c "import ns.sub.m"` would.
    if parts.len() == 1
        && folder != root
        && std::fs::read_to_string(root.join(relative)).is_ok_and(|text| {
            text.lines()
                .any(|line| line.trim_start().starts_with("from ."))
        })
    {
        let (base, inside) = match relative.strip_prefix("src") {
            Ok(inside) if root.join("src").is_dir() => (root.join("src"), inside),
            _ => (root.to_path_buf(), relative),
        };
        let mut names: Vec<String> = inside
            .parent()?
            .components()
            .map(|c| c.as_os_str().to_str().map(str::to_string))
            .collect::<Option<_>>()?;
        names.push(stem.to_string());
        if names.iter().all(|p| is_identifier(p)) {
            parts = names;
            folder = base;
        }
    }
    if parts.is_empty() || !parts.iter().all(|p| is_identifier(p)) {
        return None;
    }
    // Then the project root and its `src/`: namespace packages (no
    // `__init__.py`) that the module imports by their full name live there.
    let mut search_path = vec![folder];
    for extra in [root.to_path_buf(), root.join("src")] {
        if extra.is_dir() && !search_path.contains(&extra) {
            search_path.push(extra);
        }
    }
    Some(ImportTarget {
        module: parts.join("."),
        search_path,
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
/// What importing the targets found.
#[derive(Debug, Default)]
pub struct Imported {
    pub failures: Vec<ImportFailure>,
    /// `interrupted` answered yes: the import under way was stopped and the
    /// rest not tried.
    pub interrupted: bool,
}

pub fn import_all(
    python: &Path,
    root: &Path,
    targets: &[ImportTarget],
    timeout: Duration,
    interrupted: &mut dyn FnMut() -> bool,
) -> Result<Imported, String> {
    let mut imported = Imported::default();
    for target in targets {
        match import_one(python, root, target, timeout, interrupted)? {
            Outcome::Imported => {}
            Outcome::Failed(reason) => imported.failures.push(ImportFailure {
                target: target.clone(),
                reason,
            }),
            Outcome::Interrupted => {
                imported.interrupted = true;
                break;
            }
        }
    }
    Ok(imported)
}

enum Outcome {
    Imported,
    Failed(String),
    Interrupted,
}

/// Whether `python` can be started at all: checked before a run writes.
pub fn check_interpreter(python: &Path) -> Result<(), String> {
    let ran = Command::new(python)
        .args([
            "-c",
            "import sys; sys.stdout.write('python %d' % sys.version_info[0])",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match ran {
        Ok(output) if output.status.success() && output.stdout == b"python 3" => Ok(()),
        Ok(_) => Err(format!(
            "`{}` is not a working Python 3 interpreter: name one with --python PATH",
            python.display()
        )),
        Err(e) => Err(format!(
            "cannot run `{}` for --verify-imports: {e} (name the interpreter with --python PATH, \
             or activate the project's virtual environment)",
            python.display()
        )),
    }
}

/// Imports one module in a fresh interpreter, in a process group of its own
/// that is killed when the import ends (a module that starts a background
/// process leaves nothing behind), times out, or is interrupted.
fn import_one(
    python: &Path,
    root: &Path,
    target: &ImportTarget,
    timeout: Duration,
    interrupted: &mut dyn FnMut() -> bool,
) -> Result<Outcome, String> {
    use std::os::unix::process::CommandExt;
    // The traceback goes to a file, not a pipe: a background process the
    // module started would hold a pipe open after the import ended.
    let mut stderr =
        tempfile::tempfile().map_err(|e| format!("cannot create a temporary file: {e}"))?;
    let mut child = Command::new(python)
        .arg("-c")
        .arg(IMPORT_SCRIPT)
        .arg(root.join(&target.file))
        .arg(&target.module)
        .args(&target.search_path)
        .current_dir(root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(
            stderr
                .try_clone()
                .map_err(|e| format!("cannot create a temporary file: {e}"))?,
        )
        .process_group(0)
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run `{}` to import the changed modules: {e} \
                 (name the interpreter with --python PATH, or activate the project's virtual environment)",
                python.display()
            )
        })?;
    let group = child.id() as i32;
    let kill_group = || {
        // SAFETY: signals the child's own process group (its pid is the group id).
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    };
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if interrupted() => {
                kill_group();
                let _ = child.wait();
                return Ok(Outcome::Interrupted);
            }
            Ok(None) if started.elapsed() >= timeout => {
                kill_group();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for `{}`: {e}", python.display())),
        }
    };
    kill_group();
    let mut text = Vec::new();
    use std::io::Seek;
    let _ = stderr.seek(std::io::SeekFrom::Start(0));
    let _ = stderr.read_to_end(&mut text);
    Ok(match status {
        Some(status)
            if status.success()
                && String::from_utf8_lossy(&text)
                    .lines()
                    .last()
                    .is_some_and(|line| line == IMPORTED_MARKER) =>
        {
            Outcome::Imported
        }
        Some(status) if status.success() => Outcome::Failed(format!(
            "`{}` exited without saying the module was imported: is it a Python interpreter?",
            python.display()
        )),
        Some(status) => {
            let text = String::from_utf8_lossy(&text);
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(TRACEBACK_TAIL_LINES)..].join("\n");
            let code = status
                .code()
                .map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"));
            Outcome::Failed(if tail.is_empty() {
                format!("the import failed ({code})")
            } else {
                tail
            })
        }
        None => Outcome::Failed(format!(
            "the import did not finish within {} s (does the module run work when imported?)",
            timeout.as_secs()
        )),
    })
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
        assert_eq!(cache.search_path, [root.join("src"), root.to_path_buf()]);
        let package = import_target(root, Path::new("src/app/__init__.py")).unwrap();
        assert_eq!(package.module, "app");
        let script = import_target(root, Path::new("tools/run.py")).unwrap();
        assert_eq!(script.module, "run");
        assert_eq!(
            script.search_path,
            [root.join("tools"), root.to_path_buf(), root.join("src")]
        );
        assert_eq!(import_target(root, Path::new("setup.py")), None);
        // A namespace package (no `__init__.py`) whose module imports relatively.
        touch(root, "ns/sub/m.py", "from . import helper\n");
        touch(root, "src/space/mod.py", "from .other import x\n");
        let namespaced = import_target(root, Path::new("ns/sub/m.py")).unwrap();
        assert_eq!(namespaced.module, "ns.sub.m");
        assert_eq!(namespaced.search_path[0], root.to_path_buf());
        let in_src = import_target(root, Path::new("src/space/mod.py")).unwrap();
        assert_eq!(in_src.module, "space.mod");
        assert_eq!(in_src.search_path[0], root.join("src"));
        assert_eq!(import_target(root, Path::new("src/app/__main__.py")), None);
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
        assert_eq!(target.search_path[0], dir.path());
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
        // A module that starts a background process holding stderr open, one
        // that parses arguments at import time, one that pytest would skip.
        touch(
            root,
            "app/daemon.py",
            "import subprocess, sys\nsubprocess.Popen(['sleep', '60'], stderr=sys.stderr)\n",
        );
        touch(
            root,
            "app/cli.py",
            "import argparse\nargparse.ArgumentParser().parse_args()\n",
        );
        let targets: Vec<ImportTarget> = [
            "app/good.py",
            "app/bad.py",
            "app/slow.py",
            "app/daemon.py",
            "app/cli.py",
        ]
        .iter()
        .map(|f| import_target(root, Path::new(f)).unwrap())
        .collect();
        let started = Instant::now();
        let imported = import_all(&python, root, &targets, Duration::from_secs(2), &mut || {
            false
        })
        .unwrap();
        // Not a timing assertion: a daemon holding a pipe would hang for 60 s.
        assert!(started.elapsed() < Duration::from_secs(50));
        let failed: Vec<&str> = imported
            .failures
            .iter()
            .map(|f| f.target.file.as_str())
            .collect();
        assert_eq!(failed, ["app/bad.py", "app/slow.py"]);
        let failures = &imported.failures;
        assert!(
            failures[0]
                .reason
                .contains("ModuleNotFoundError: No module named 'aioredis_that_does_not_exist'"),
            "{}",
            failures[0].reason
        );
        assert!(failures[1].reason.contains("did not finish"));
        // Interrupted: the import under way is stopped, the rest not tried.
        let mut asked = 0;
        let imported = import_all(&python, root, &targets[2..], IMPORT_TIMEOUT, &mut || {
            asked += 1;
            asked > 5
        })
        .unwrap();
        assert!(imported.interrupted);
        assert!(imported.failures.is_empty());
        let missing = import_all(
            Path::new("/nonexistent/python"),
            root,
            &targets,
            IMPORT_TIMEOUT,
            &mut || false,
        );
        assert!(missing.unwrap_err().contains("--python"));
        // A same-named module loaded first, an exit at import, an interpreter that is not one.
        touch(root, "stat.py", "import definitely_missing_zz\n");
        touch(
            root,
            "app/quits.py",
            "import sys\nsys.exit(0)\nimport definitely_missing\n",
        );
        let targets: Vec<ImportTarget> = ["stat.py", "app/quits.py"]
            .iter()
            .map(|f| import_target(root, Path::new(f)).unwrap())
            .collect();
        let imported = import_all(&python, root, &targets, IMPORT_TIMEOUT, &mut || false).unwrap();
        assert_eq!(imported.failures.len(), 2, "{:?}", imported.failures);
        assert!(
            imported.failures[0]
                .reason
                .contains("a module of that name was loaded first"),
            "{}",
            imported.failures[0].reason
        );
        assert!(imported.failures[1].reason.contains("SystemExit: 0"));
        let not_python = import_all(
            Path::new("/bin/true"),
            root,
            &targets,
            IMPORT_TIMEOUT,
            &mut || false,
        )
        .unwrap();
        assert_eq!(not_python.failures.len(), 2);
        assert!(
            not_python.failures[0]
                .reason
                .contains("is it a Python interpreter?")
        );
        assert!(check_interpreter(Path::new("/bin/true")).is_err());
        assert!(check_interpreter(Path::new("/nonexistent/python")).is_err());
        assert!(check_interpreter(&python).is_ok());
    }
}
