//! One document's text, linted as a given path with that path's settings:
//! what `check --stdin-filename`, `fix --stdin-filename` and the language
//! server share. No walking, no git origin: the text is given, and the
//! configuration is the one closest to the path's folder (as ruff resolves
//! it for `--stdin-filename` and in its server).

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::fix::FixMode;
use crate::fix::apply::FixOutcome;
use crate::lint::is_input_file;
use crate::manifest::ManifestKind;
use crate::project::{AsyncioUse, fix_file, lint_file};
use crate::settings::{self, SelectionArgs, Settings};
use crate::source::{FilePath, relative_to, slash_path};

/// The settings of a project, and what is learnt about it while linting.
pub struct ProjectSettings {
    pub settings: Settings,
    /// Whether the project imports `redis.asyncio` (RU302), asked lazily.
    pub asyncio: AsyncioUse,
}

impl ProjectSettings {
    /// The settings for `path`: `config` when given, else the configuration
    /// file closest to `path`'s folder, upwards; `fallback_root` is the project
    /// root when there is none. `target-redis-version` defaults as in `check`.
    pub fn for_path(
        path: &Path,
        config: Option<&Path>,
        selection: &SelectionArgs,
        fallback_root: &Path,
    ) -> Result<Self, Error> {
        let folder = path.parent().unwrap_or(Path::new("/"));
        let config = crate::commands::inputs::find_config(config, folder)?;
        Self::from_config(config, selection, fallback_root)
    }

    pub fn from_config(
        config: Option<settings::ConfigFile>,
        selection: &SelectionArgs,
        fallback_root: &Path,
    ) -> Result<Self, Error> {
        let settings = crate::commands::inputs::resolve_settings(config, selection, fallback_root)?;
        Ok(Self {
            asyncio: AsyncioUse::new(&settings),
            settings,
        })
    }

    /// [`ProjectSettings::from_config`], the manifests that
    /// `target-redis-version` defaults from read with `read`: the language
    /// server passes the unsaved text of open manifests, so an edited
    /// `redis` requirement counts before it is saved.
    pub fn from_config_with(
        config: Option<settings::ConfigFile>,
        selection: &SelectionArgs,
        fallback_root: &Path,
        read: &dyn Fn(&Path) -> Option<String>,
    ) -> Result<Self, Error> {
        let settings =
            crate::commands::inputs::resolve_settings_with(config, selection, fallback_root, read)?;
        Ok(Self {
            asyncio: AsyncioUse::new(&settings),
            settings,
        })
    }

    /// The configuration file in use, if any.
    pub fn config_path(&self) -> Option<&Path> {
        self.settings.config_path.as_deref()
    }
}

/// A document's path as linting sees it.
#[derive(Debug, Clone)]
pub struct DocumentPath {
    pub abs_path: PathBuf,
    pub display: String,
    /// Relative to the project root, `/`-separated.
    pub relative: String,
    pub manifest: Option<ManifestKind>,
}

impl DocumentPath {
    /// `abs_path` (absolute) in the project of `settings`.
    pub fn new(abs_path: &Path, settings: &Settings) -> Self {
        DocumentPath {
            abs_path: abs_path.to_path_buf(),
            display: slash_path(abs_path),
            relative: slash_path(&relative_to(abs_path, &settings.project_root)),
            manifest: ManifestKind::of(abs_path),
        }
    }

    fn file_path(&self) -> FilePath<'_> {
        FilePath {
            abs_path: &self.abs_path,
            display: &self.display,
            relative: &self.relative,
            manifest: self.manifest,
        }
    }
}

/// Why a document is not linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// Neither a Python file (`*.py`, `*.pyi`) nor a dependency manifest.
    NotAnInput,
    /// Matched by `exclude` / `extend-exclude`.
    Excluded,
}

/// Whether the document is one redis-unify lints with these settings.
pub fn skipped(path: &DocumentPath, project: &ProjectSettings) -> Option<Skipped> {
    if !is_input_file(&path.abs_path) {
        Some(Skipped::NotAnInput)
    } else if project.settings.is_excluded(&path.relative) {
        Some(Skipped::Excluded)
    } else {
        None
    }
}

/// Lints `text` as the file at `path`, with its per-file-ignores; findings
/// come sorted, with their fixes.
pub fn lint_document(
    path: &DocumentPath,
    text: &str,
    project: &ProjectSettings,
) -> Result<Vec<Diagnostic>, Skipped> {
    if let Some(why) = skipped(path, project) {
        return Err(why);
    }
    Ok(lint_file(
        path.file_path(),
        text,
        &project.settings,
        &project.asyncio,
    ))
}

/// [`lint_document`] with the project index as this module sees it (the
/// language server's; `check --stdin-filename` has none).
pub fn lint_document_in(
    path: &DocumentPath,
    text: &str,
    project: &ProjectSettings,
    context: Option<crate::python::index::ModuleContext<'_>>,
) -> Result<Vec<Diagnostic>, Skipped> {
    if let Some(why) = skipped(path, project) {
        return Err(why);
    }
    Ok(crate::project::lint_file_in(
        path.file_path(),
        text,
        &project.settings,
        &project.asyncio,
        context,
    ))
}

/// [`fix_document`] with the project index as this module sees it.
pub fn fix_document_in(
    path: &DocumentPath,
    text: &str,
    project: &ProjectSettings,
    mode: FixMode,
    context: Option<crate::python::index::ModuleContext<'_>>,
) -> Result<FixOutcome, Skipped> {
    if let Some(why) = skipped(path, project) {
        return Err(why);
    }
    Ok(crate::project::fix_file_in(
        path.file_path(),
        text,
        &project.settings,
        &project.asyncio,
        mode,
        context,
    ))
}

/// Fixes `text` as the file at `path`, to a fixed point.
pub fn fix_document(
    path: &DocumentPath,
    text: &str,
    project: &ProjectSettings,
    mode: FixMode,
) -> Result<FixOutcome, Skipped> {
    if let Some(why) = skipped(path, project) {
        return Err(why);
    }
    Ok(fix_file(
        path.file_path(),
        text,
        &project.settings,
        &project.asyncio,
        mode,
    ))
}
