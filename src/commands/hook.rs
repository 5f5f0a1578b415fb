//! `redis-unify hook install [--fix] [--force]` and `redis-unify hook uninstall`:
//! a plain git pre-commit hook (for teams without the pre-commit framework)
//! that runs `redis-unify check` on the staged content.
//!
//! The hook goes where git looks for it: `core.hooksPath` (relative to the work
//! tree, `~` expanded) or the hooks folder of the common git directory (shared
//! by linked work trees). It carries a marker line, so that a hook written by
//! someone else is never overwritten without `--force` nor ever removed.

use std::io::Write;
use std::path::{Path, PathBuf};

use git2::Repository;

use super::ExitStatus;
use crate::cli::{HookAction, HookArgs};
use crate::error::Error;
use crate::source::staged::open_repository;

/// The line that marks a hook as ours.
pub const MARKER: &str = "# redis-unify: managed hook";

const HOOK_NAME: &str = "pre-commit";

pub fn run(args: &HookArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    let (repo, workdir) = open_repository(cwd)?;
    let hooks_dir = hooks_dir(&repo, &workdir)?;
    let hook = hooks_dir.join(HOOK_NAME);
    let shown = crate::source::slash_path(&crate::source::relative_to(&hook, cwd));
    match args.action {
        HookAction::Install { fix, force } => install(&hook, &shown, fix, force),
        HookAction::Uninstall => uninstall(&hook, &shown),
    }
}

/// The folder git runs hooks from.
pub fn hooks_dir(repo: &Repository, workdir: &Path) -> Result<PathBuf, Error> {
    let config = repo.config()?;
    match config.get_path("core.hooksPath") {
        Ok(path) if !path.as_os_str().is_empty() => {
            Ok(crate::source::absolute(workdir, &expand_home(&path)))
        }
        _ => Ok(repo.commondir().join("hooks")),
    }
}

/// `~/x` as git expands it in path settings (libgit2 leaves a plain `~/` alone
/// when it has no global search path).
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

fn install(hook: &Path, shown: &str, fix: bool, force: bool) -> Result<ExitStatus, Error> {
    let existing = existing_hook(hook)?;
    let mut backup = None;
    match &existing {
        Existing::None | Existing::Ours => {}
        Existing::Foreign if force => backup = Some(keep_backup(hook)?),
        Existing::Foreign => {
            return Err(Error::Usage(format!(
                "{shown} already exists and was not written by redis-unify; left as it is. \
                 Run `redis-unify {}` from it yourself, or replace it with \
                 `redis-unify hook install{} --force` (the old hook is kept as a backup)",
                if fix {
                    "check --fix --exit-non-zero-on-fix"
                } else {
                    "check"
                },
                if fix { " --fix" } else { "" }
            )));
        }
    }
    let binary = std::env::current_exe().ok();
    write_atomically(hook, &script(binary.as_deref(), fix)).map_err(|source| Error::Io {
        path: hook.to_path_buf(),
        source,
    })?;
    let verb = match existing {
        Existing::Ours => "updated",
        _ => "installed",
    };
    let what = if fix { "check --fix" } else { "check" };
    crate::outln!("{verb} the redis-unify pre-commit hook ({what}) in {shown}")?;
    if let Some(backup) = backup {
        crate::outln!("the previous hook is kept as {}", backup.display())?;
    }
    Ok(ExitStatus::Success)
}

fn uninstall(hook: &Path, shown: &str) -> Result<ExitStatus, Error> {
    match existing_hook(hook)? {
        Existing::None => {
            crate::outln!("no pre-commit hook in {shown}; nothing to remove")?;
            Ok(ExitStatus::Success)
        }
        Existing::Foreign => Err(Error::Usage(format!(
            "{shown} was not written by redis-unify; left as it is"
        ))),
        Existing::Ours => {
            std::fs::remove_file(hook).map_err(|source| Error::Io {
                path: hook.to_path_buf(),
                source,
            })?;
            crate::outln!("removed the redis-unify pre-commit hook from {shown}")?;
            // The hook `install --force` replaced comes back (the latest backup).
            if let Some(backup) = latest_backup(hook) {
                std::fs::rename(&backup, hook).map_err(|source| Error::Io {
                    path: backup.clone(),
                    source,
                })?;
                crate::outln!(
                    "restored the hook it had replaced (from {})",
                    backup.file_name().unwrap_or_default().to_string_lossy()
                )?;
            }
            Ok(ExitStatus::Success)
        }
    }
}

enum Existing {
    None,
    Ours,
    Foreign,
}

/// Whether a hook is there and whose it is. A symlink is never ours (it may
/// point at a shared script), nor is anything that is not a readable file.
fn existing_hook(hook: &Path) -> Result<Existing, Error> {
    let metadata = match std::fs::symlink_metadata(hook) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::None),
        Err(source) => {
            return Err(Error::Io {
                path: hook.to_path_buf(),
                source,
            });
        }
    };
    if !metadata.is_file() {
        return Ok(Existing::Foreign);
    }
    let text = std::fs::read(hook).map_err(|source| Error::Io {
        path: hook.to_path_buf(),
        source,
    })?;
    let ours = String::from_utf8_lossy(&text)
        .lines()
        .any(|line| line.trim_end() == MARKER);
    Ok(if ours {
        Existing::Ours
    } else {
        Existing::Foreign
    })
}

/// Moves a foreign hook aside as `pre-commit.bak` (or `.bak.1`, `.bak.2`, …).
/// The newest backup `keep_backup` made: `NAME.bak.N` with the largest N, else `NAME.bak`.
fn latest_backup(hook: &Path) -> Option<PathBuf> {
    let name = hook.file_name()?.to_string_lossy().into_owned();
    let first = hook.with_file_name(format!("{name}.bak"));
    std::fs::symlink_metadata(&first).ok()?;
    let mut latest = first;
    let mut n = 1;
    loop {
        let next = hook.with_file_name(format!("{name}.bak.{n}"));
        if std::fs::symlink_metadata(&next).is_err() {
            return Some(latest);
        }
        latest = next;
        n += 1;
    }
}

fn keep_backup(hook: &Path) -> Result<PathBuf, Error> {
    let name = hook.file_name().unwrap_or_default().to_string_lossy();
    let mut backup = hook.with_file_name(format!("{name}.bak"));
    let mut n = 1;
    while std::fs::symlink_metadata(&backup).is_ok() {
        backup = hook.with_file_name(format!("{name}.bak.{n}"));
        n += 1;
    }
    std::fs::rename(hook, &backup).map_err(|source| Error::Io {
        path: hook.to_path_buf(),
        source,
    })?;
    Ok(backup)
}

/// The hook: the binary that installed it when it is still there, otherwise
/// `redis-unify` from PATH; a clear message when neither exists.
pub fn script(binary: Option<&Path>, fix: bool) -> String {
    let binary = binary
        .map(|path| shell_quote(&path.to_string_lossy()))
        .unwrap_or_else(|| "redis-unify".to_string());
    let (command, purpose) = if fix {
        (
            "check --fix --exit-non-zero-on-fix",
            "# Fixes what it safely can in the work tree (never the index) and stops the\n\
             # commit when it changed or found anything: review, `git add`, commit again\n\
             # (the index still holds the unfixed code, so the commit must not go on).\n",
        )
    } else {
        (
            "check",
            "# Checks the staged content of the Python files about to be committed (the\n\
             # index, not the work tree) and stops the commit when it finds something.\n",
        )
    };
    format!(
        "#!/bin/sh\n\
         {MARKER}\n\
         # Written by `redis-unify hook install`; `redis-unify hook uninstall` removes it.\n\
         {purpose}\
         # Skip it once with `git commit --no-verify`.\n\
         redis_unify={binary}\n\
         if [ ! -x \"$redis_unify\" ]; then\n\
         \x20   redis_unify=redis-unify\n\
         fi\n\
         if ! command -v \"$redis_unify\" >/dev/null 2>&1; then\n\
         \x20   echo \"redis-unify pre-commit hook: redis-unify is not installed or not on PATH.\" >&2\n\
         \x20   echo \"Install it (cargo install redis-unify), or commit with --no-verify.\" >&2\n\
         \x20   exit 1\n\
         fi\n\
         exec \"$redis_unify\" {command}\n"
    )
}

/// Single-quotes a string for sh.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Writes the hook through a temporary file in the same folder, made
/// executable, then renamed over the old one: git never runs a half-written hook.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = dir.join(format!(".{name}.redis-unify.{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o755);
        }
        let mut file = options.open(&temporary)?;
        file.write_all(text.as_bytes())?;
        #[cfg(unix)]
        {
            // The mode given to open() is narrowed by the umask; hooks must be executable.
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_for_sh() {
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }

    #[test]
    fn the_script_carries_the_marker_and_runs_check() {
        let text = script(Some(Path::new("/opt/bin/redis-unify")), false);
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(text.lines().any(|l| l == MARKER));
        assert!(text.contains("redis_unify='/opt/bin/redis-unify'\n"));
        assert!(text.ends_with("exec \"$redis_unify\" check\n"));
        assert!(
            script(None, true)
                .ends_with("exec \"$redis_unify\" check --fix --exit-non-zero-on-fix\n")
        );
    }
}
