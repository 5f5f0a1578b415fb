//! `redis-unify plan [PATHS]`: the migration plan of the tracked files (or of
//! the given files and folders), as Markdown or JSON, and with `--write` into
//! the configuration.

use std::io::Write;
use std::path::Path;

use super::ExitStatus;
use super::inputs::{find_config, resolve_settings};
use crate::cli::{PlanArgs, PlanFormat};
use crate::error::Error;
use crate::lint::is_input_path;
use crate::manifest::ManifestKind;
use crate::plan::{self, Plan};
use crate::settings::{SelectionArgs, Settings};
use crate::shell::shell_word;
use crate::source::paths::Walk;
use crate::source::staged::{default_root, optional_repository, require_repository};
use crate::source::{Origin, SourceFile, relative_to, slash_path};

pub fn run(args: &PlanArgs, cwd: &Path) -> Result<ExitStatus, Error> {
    // A plan of one folder is that project's plan: its repository, its
    // configuration, and `--write` into it, wherever the command runs from.
    let base = match args.paths.as_slice() {
        [folder] if args.config.is_none() => {
            let folder = crate::source::absolute(cwd, folder);
            if folder.is_dir() {
                folder
            } else {
                cwd.to_path_buf()
            }
        }
        _ => cwd.to_path_buf(),
    };
    let base = base.as_path();
    let repository = if args.paths.is_empty() {
        Some(require_repository(
            cwd,
            "without PATHS, plan reads the files git tracks: run it inside a git repository, or name the folder (`redis-unify plan .`)",
        )?)
    } else {
        optional_repository(base)?
    };
    let fallback_root = default_root(repository.as_ref(), base);
    let config = find_config(args.config.as_deref(), base)?;
    let target_configured = config
        .as_ref()
        .is_some_and(|c| c.options.target_redis_version.is_some());
    let settings = resolve_settings(config, &SelectionArgs::default(), &fallback_root)?;
    let files = match (&repository, args.paths.is_empty()) {
        (Some((repo, workdir)), true) => tracked_files(repo, workdir, cwd, &settings)?,
        _ => {
            let walk = Walk {
                cwd,
                settings: &settings,
                force_exclude: false,
            };
            let found = walk.collect(&args.paths)?;
            for (path, reason) in &found.skipped {
                crate::errln!("warning: {path}: {reason}");
            }
            found.files
        }
    };
    let mut files = files;
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    let mut plan = plan::build(&files, &settings, target_configured);
    plan.saved = saved_phases(&plan, &settings, cwd);
    // The printed commands run in the project's root when it is not here.
    let command_folder =
        if settings.project_root.as_path() != cwd && !cwd.starts_with(&settings.project_root) {
            plan.run_from = Some(slash_path(&relative_to(&settings.project_root, cwd)));
            settings.project_root.clone()
        } else {
            cwd.to_path_buf()
        };
    plan.config_target = slash_path(&relative_to(
        &plan::write::target(settings.config_path.as_deref(), &settings.project_root),
        &command_folder,
    ));
    let mut out = crate::output::stdout();
    let io_error = |source| Error::Io {
        path: "<stdout>".into(),
        source,
    };
    match args.output_format {
        PlanFormat::Markdown => plan::markdown::write(&mut out, &plan).map_err(io_error)?,
        PlanFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &plan)
                .map_err(|e| io_error(std::io::Error::other(e)))?;
            writeln!(out).map_err(io_error)?;
        }
    }
    drop(out);
    if args.write {
        let mut rerun = String::from("redis-unify plan");
        for path in &args.paths {
            rerun.push(' ');
            rerun.push_str(&shell_word(&slash_path(path)));
        }
        if let Some(config) = &args.config {
            rerun.push_str(" --config ");
            rerun.push_str(&shell_word(&slash_path(config)));
        }
        rerun.push_str(" --write --force");
        write_phases(&plan, &settings, args.force, &rerun)?;
    }
    Ok(ExitStatus::Success)
}

/// The files in the index, read from the work tree (Python files and manifests).
fn tracked_files(
    repo: &git2::Repository,
    workdir: &Path,
    cwd: &Path,
    settings: &Settings,
) -> Result<Vec<SourceFile>, Error> {
    let index = repo.index()?;
    let mut files = Vec::new();
    for entry in index.iter() {
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        if !is_input_path(&path) {
            continue;
        }
        let abs_path = workdir.join(&path);
        if !abs_path.is_file() {
            continue; // deleted in the work tree
        }
        let relative = slash_path(&relative_to(&abs_path, &settings.project_root));
        if settings.is_excluded(&relative) {
            continue;
        }
        files.push(SourceFile {
            display: slash_path(&relative_to(&abs_path, cwd)),
            relative,
            manifest: ManifestKind::of(&abs_path),
            abs_path,
            origin: Origin::WorkTree,
        });
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

/// Whether the configuration `plan --write` would write to holds phases, and
/// whether they are this plan's.
fn saved_phases(plan: &Plan, settings: &Settings, cwd: &Path) -> plan::Saved {
    let path = plan::write::target(settings.config_path.as_deref(), &settings.project_root);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return plan::Saved::Nothing;
    };
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let shown = slash_path(&relative_to(&path, cwd));
    match plan::write::existing_phases(&text, is_pyproject) {
        Ok(Some(existing)) if existing == plan::write::planned_phases(plan) => {
            plan::Saved::Same(shown)
        }
        Ok(Some(_)) => plan::Saved::Different(shown),
        _ => plan::Saved::Nothing,
    }
}

fn write_phases(plan: &Plan, settings: &Settings, force: bool, rerun: &str) -> Result<(), Error> {
    let path = plan::write::target(settings.config_path.as_deref(), &settings.project_root);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(Error::Io { path, source }),
    };
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let config_error = |message| Error::Config {
        path: path.clone(),
        message,
    };
    let existing = plan::write::existing_phases(&text, is_pyproject).map_err(config_error)?;
    let planned = plan::write::planned_phases(plan);
    if let Some(existing) = &existing {
        if *existing == planned {
            crate::errln!(
                "The phases in {} are already this plan's; left as they are.",
                path.display()
            );
            return Ok(());
        }
        if !force {
            let differences = plan::write::differences(existing, &planned);
            let shown: Vec<String> = differences
                .iter()
                .take(10)
                .map(|d| format!("  - {d}"))
                .collect();
            let more = differences.len().saturating_sub(10);
            return Err(Error::Usage(format!(
                "{} already has phases that differ from this plan (edited by hand, or saved \
                 from an earlier plan), so they were kept as they are:\n{}{}\n\
                 `fix --phase N` follows the saved phases. To replace them with this plan \
                 (losing those edits), run `{rerun}`.",
                path.display(),
                shown.join("\n"),
                if more > 0 {
                    format!("\n  - and {more} more")
                } else {
                    String::new()
                }
            )));
        }
    }
    let written =
        plan::write::with_phases(&text, is_pyproject, plan).map_err(|message| Error::Config {
            path: path.clone(),
            message,
        })?;
    if text.is_empty() && !path.exists() {
        std::fs::write(&path, written.as_bytes()).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    } else {
        // As `fix` writes: through an in-project symlink to its file, never over
        // a hard link or a file changed since it was read, keeping its owner,
        // mode and extended attributes.
        let not_written = |reason: String| {
            Error::Usage(format!(
                "{}: the phases were not written: {reason}",
                path.display()
            ))
        };
        let checked =
            crate::fix::write::check_replaceable(&path, &settings.project_root, text.as_bytes())
                .map_err(not_written)?;
        crate::fix::write::replace_checked(&checked, text.as_bytes(), written.as_bytes())
            .map_err(not_written)?;
    }
    crate::errln!(
        "Wrote the phases to {} ({}); `redis-unify fix --phase 1` fixes the first.",
        path.display(),
        if is_pyproject {
            "[[tool.redis-unify.phases]]"
        } else {
            "[[phases]]"
        }
    );
    Ok(())
}
