//! What `check` and `fix` share: resolving the settings and choosing the files.

use std::path::{Path, PathBuf};

use ruff_source_file::LineIndex;

use super::super::cli::CommonArgs;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::project::{AsyncioUse, included_requirements, required_redis_version};
use crate::report::root_relative;
use crate::settings::{self, SelectionArgs, Settings};
use crate::source::SourceFile;
use crate::source::changed::{self, AddedLines, Against, Changes};
use crate::source::paths::Walk;
use crate::source::staged::{
    default_root, open_repository, optional_repository, require_repository, staged_files,
};

pub struct Inputs {
    pub settings: Settings,
    pub files: Vec<SourceFile>,
    /// The repository's git folder, when inside one.
    pub git_dir: Option<PathBuf>,
    /// The work tree root (the repository's, else the project root).
    pub tree_root: PathBuf,
    /// Files came from the index (staged mode).
    pub staged: bool,
    /// With --new-only: the lines that count.
    pub new_lines: Option<NewLines>,
    /// Where repository-relative paths start (see [`report_roots`]).
    pub report_roots: Vec<PathBuf>,
    /// Whether the code around a manifest imports `redis.asyncio` (RU302).
    pub asyncio: AsyncioUse,
}

pub fn gather(args: &CommonArgs, cwd: &Path) -> Result<Inputs, Error> {
    gather_in(args, cwd, Scope::Default)
}

/// Which files a command without PATHS reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The staged files (inside git), as `check` and `fix` do.
    Default,
    /// The whole project (`fix --phase N`: a phase is a set of project files,
    /// staged or not), walked from the project root.
    Project,
}

pub fn gather_in(args: &CommonArgs, cwd: &Path, scope: Scope) -> Result<Inputs, Error> {
    let config = find_config(args.config.as_deref(), cwd)?;
    let whole_project =
        scope == Scope::Project && args.paths.is_empty() && args.changed_since.is_none();
    let staged_mode = args.paths.is_empty() && args.changed_since.is_none() && !whole_project;
    let under_pre_commit = std::env::var_os("PRE_COMMIT").is_some_and(|v| v == "1");
    let needs_history = args.changed_since.is_some() || args.new_only;
    // Staged mode and the history flags need a repository; with paths, one is
    // used when present (for the fix journal).
    let repository = if staged_mode {
        Some(open_repository(cwd)?)
    } else if needs_history {
        Some(require_repository(
            cwd,
            "--changed-since and --new-only compare with git history: run them inside a git repository",
        )?)
    } else {
        optional_repository(cwd)?
    };
    let fallback_root = default_root(repository.as_ref(), cwd);
    let selection = SelectionArgs {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
    };
    let settings = resolve_settings(config, &selection, &fallback_root)?;
    let git_dir = repository
        .as_ref()
        .map(|(repo, _)| repo.path().to_path_buf());
    let tree_root = repository
        .as_ref()
        .map(|(_, workdir)| workdir.clone())
        .unwrap_or_else(|| settings.project_root.clone());

    let mut new_lines = None;
    let mut files: Vec<SourceFile> = match (&repository, &args.changed_since) {
        (Some((repo, workdir)), Some(reference)) => {
            let base = changed::merge_base_tree(repo, reference)?;
            let changes = changed::changes(repo, Some(&base), Against::WorkTree, args.new_only)?;
            let mut files = changed::changed_files(&changes, workdir, cwd, &settings.project_root);
            files.retain(|file| !settings.is_excluded(&file.relative));
            if !args.paths.is_empty() {
                let prefixes = existing_paths(cwd, &args.paths)?;
                files.retain(|file| prefixes.iter().any(|p| file.abs_path.starts_with(p)));
            }
            if args.new_only {
                new_lines = Some(NewLines::new(workdir, changes));
            }
            files
        }
        (Some((repo, workdir)), None) if staged_mode => {
            let files: Vec<SourceFile> = staged_files(
                repo,
                workdir,
                cwd,
                &settings.project_root,
                !under_pre_commit,
            )?
            .into_iter()
            .filter(|file| !settings.is_excluded(&file.relative))
            .collect();
            if args.new_only {
                let head = changed::head_tree(repo)?;
                let changes = changed::changes(repo, head.as_ref(), Against::Index { cwd }, true)?;
                new_lines = Some(NewLines::new(workdir, changes));
            }
            files
        }
        _ => {
            let walk = Walk {
                cwd,
                settings: &settings,
                force_exclude: args.force_exclude,
            };
            let roots = if whole_project {
                vec![settings.project_root.clone()]
            } else {
                args.paths.clone()
            };
            let found = walk.collect(&roots)?;
            for (path, reason) in &found.skipped {
                crate::errln!("warning: {path}: {reason}");
            }
            if let (true, Some((repo, workdir))) = (args.new_only, &repository) {
                // --new-only on named paths: new since HEAD, in the work tree.
                let head = changed::head_tree(repo)?;
                let changes = changed::changes(repo, head.as_ref(), Against::WorkTree, true)?;
                new_lines = Some(NewLines::new(workdir, changes));
            }
            found.files
        }
    };
    if !staged_mode && args.changed_since.is_none() {
        // A requirements file is read with the files it includes (`-r`).
        let included = included_requirements(&files, cwd, &settings.project_root);
        files.extend(
            included
                .into_iter()
                .filter(|f| !settings.is_excluded(&f.relative)),
        );
    }
    if let Some(new_lines) = &new_lines {
        // A file without a new line cannot have a new finding: not even read.
        files.retain(|file| new_lines.has_new_lines(&file.abs_path));
    }
    let report_roots = report_roots(
        cwd,
        repository.as_ref().map(|(_, workdir)| workdir.as_path()),
    );
    // Output order is the order of the files: by path, whatever the walk gave.
    files.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(Inputs {
        asyncio: AsyncioUse::new(&settings),
        settings,
        files,
        git_dir,
        tree_root,
        staged: staged_mode && !under_pre_commit,
        new_lines,
        report_roots,
    })
}

/// The configuration file: the one named with `--config`, else the closest one.
pub fn find_config(
    config: Option<&Path>,
    cwd: &Path,
) -> Result<Option<settings::ConfigFile>, Error> {
    match config {
        Some(path) => {
            let path = crate::source::absolute(cwd, path);
            let options = settings::load(&path)?.ok_or_else(|| Error::Config {
                path: path.clone(),
                message: "has no [tool.redis-unify] section".to_string(),
            })?;
            Ok(Some(settings::ConfigFile { path, options }))
        }
        None => settings::discover(cwd),
    }
}

/// The settings, with `target-redis-version` defaulting to the lowest redis
/// version the project root's manifests admit.
pub fn resolve_settings(
    config: Option<settings::ConfigFile>,
    selection: &SelectionArgs,
    fallback_root: &Path,
) -> Result<Settings, Error> {
    let mut settings = Settings::resolve(config, selection, fallback_root)?;
    if settings.target_redis_version.is_none() {
        settings.target_redis_version =
            required_redis_version(&settings.project_root).map(|(version, _)| version);
    }
    Ok(settings)
}

/// [`resolve_settings`], the root manifests that `target-redis-version`
/// defaults from read with `read` (the server: open buffers over the disk).
pub fn resolve_settings_with(
    config: Option<settings::ConfigFile>,
    selection: &SelectionArgs,
    fallback_root: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Result<Settings, Error> {
    let mut settings = Settings::resolve(config, selection, fallback_root)?;
    if settings.target_redis_version.is_none() {
        settings.target_redis_version =
            crate::project::required_redis_version_with(&settings.project_root, read)
                .map(|(version, _)| version);
    }
    Ok(settings)
}

/// Where repository-relative paths (for the CI formats) are taken from, first
/// match first: the CI checkout (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`), the git
/// work tree around `cwd`, then `cwd` itself.
pub fn report_roots(cwd: &Path, workdir: Option<&Path>) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    for variable in ["GITHUB_WORKSPACE", "CI_PROJECT_DIR"] {
        if let Some(value) = std::env::var_os(variable).filter(|v| !v.is_empty()) {
            roots.push(crate::source::absolute(cwd, Path::new(&value)));
        }
    }
    match workdir {
        Some(workdir) => roots.push(workdir.to_path_buf()),
        None => {
            if let Ok((_, workdir)) = open_repository(cwd) {
                roots.push(workdir);
            }
        }
    }
    roots.push(cwd.to_path_buf());
    roots
}

/// The added lines of each changed file (--new-only), by work tree path.
pub struct NewLines {
    workdir: PathBuf,
    changes: Changes,
}

impl NewLines {
    fn new(workdir: &Path, changes: Changes) -> Self {
        NewLines {
            workdir: workdir.to_path_buf(),
            changes,
        }
    }

    fn added_lines(&self, abs_path: &Path) -> Option<&AddedLines> {
        let key = root_relative(abs_path, std::slice::from_ref(&self.workdir));
        self.changes.get(&key)
    }

    fn has_new_lines(&self, abs_path: &Path) -> bool {
        self.added_lines(abs_path)
            .is_some_and(|added| *added != AddedLines::Ranges(Vec::new()))
    }

    /// Keeps the findings that touch at least one added line.
    pub fn retain_new(&self, abs_path: &Path, text: &str, diagnostics: &mut Vec<Diagnostic>) {
        let Some(added) = self.added_lines(abs_path) else {
            diagnostics.clear();
            return;
        };
        if *added == AddedLines::All {
            return;
        }
        let index = LineIndex::from_source_text(text);
        diagnostics.retain(|d| {
            let first = index.line_index(d.range.start()).get();
            let last = index.line_index(d.range.end()).get();
            added.intersects(first, last)
        });
    }
}

/// The absolute form of each path named on the command line; each must exist.
fn existing_paths(cwd: &Path, paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    paths
        .iter()
        .map(|path| {
            let abs = crate::source::absolute(cwd, path);
            std::fs::symlink_metadata(&abs)
                .map(|_| abs)
                .map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })
        })
        .collect()
}
