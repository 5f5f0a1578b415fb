//! What `check` and `fix` share: resolving the settings and choosing the files.

use std::path::{Path, PathBuf};

use super::super::cli::CommonArgs;
use crate::error::Error;
use crate::settings::{self, SelectionArgs, Settings};
use crate::source::SourceFile;
use crate::source::paths::Walk;
use crate::source::staged::{open_repository, staged_files};

pub struct Inputs {
    pub settings: Settings,
    pub files: Vec<SourceFile>,
    /// The repository's git folder, when inside one.
    pub git_dir: Option<PathBuf>,
    /// The work tree root (the repository's, else the project root).
    pub tree_root: PathBuf,
    /// Files came from the index (staged mode).
    pub staged: bool,
}

pub fn gather(args: &CommonArgs, cwd: &Path) -> Result<Inputs, Error> {
    let config = match &args.config {
        Some(path) => {
            let path = crate::source::absolute(cwd, path);
            let options = settings::load(&path)?.ok_or_else(|| Error::Config {
                path: path.clone(),
                message: "has no [tool.redis-unify] section".to_string(),
            })?;
            Some(settings::ConfigFile { path, options })
        }
        None => settings::discover(cwd)?,
    };
    let staged_mode = args.paths.is_empty();
    let under_pre_commit = std::env::var_os("PRE_COMMIT").is_some_and(|v| v == "1");
    // Staged mode needs a repository; with paths, one is used when present (journal).
    let repository = if staged_mode {
        Some(open_repository(cwd)?)
    } else {
        open_repository(cwd).ok()
    };
    let fallback_root = repository
        .as_ref()
        .map(|(_, workdir)| workdir.clone())
        .unwrap_or_else(|| cwd.to_path_buf());
    let selection = SelectionArgs {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
    };
    let settings = Settings::resolve(config, &selection, &fallback_root)?;
    let git_dir = repository
        .as_ref()
        .map(|(repo, _)| repo.path().to_path_buf());
    let tree_root = repository
        .as_ref()
        .map(|(_, workdir)| workdir.clone())
        .unwrap_or_else(|| settings.project_root.clone());

    let files: Vec<SourceFile> = match (&repository, staged_mode) {
        (Some((repo, workdir)), true) => staged_files(
            repo,
            workdir,
            cwd,
            &settings.project_root,
            !under_pre_commit,
        )?
        .into_iter()
        .filter(|file| !settings.is_excluded(&file.relative))
        .collect(),
        _ => {
            let walk = Walk {
                cwd,
                settings: &settings,
                force_exclude: args.force_exclude,
            };
            let found = walk.collect(&args.paths)?;
            for (path, reason) in &found.skipped {
                eprintln!("warning: {path}: {reason}");
            }
            found.files
        }
    };
    let mut files = files;
    // Output order is the order of the files: by path, whatever the walk gave.
    files.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(Inputs {
        settings,
        files,
        git_dir,
        tree_root,
        staged: staged_mode && !under_pre_commit,
    })
}
