//! Settings per workspace folder: each document gets the configuration closest
//! to its folder (as `check` and `--stdin-filename`), with its workspace folder
//! as the project root when there is none. Resolved settings are kept until a
//! configuration file or a root manifest changes ([`Workspaces::reload`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::document::ProjectSettings;
use crate::manifest::ManifestKind;
use crate::settings::{self, SelectionArgs};

/// The file names whose change reloads the settings: the configuration files,
/// and the manifests `target-redis-version` defaults from.
pub fn affects_settings(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    matches!(
        name,
        "pyproject.toml" | "redis-unify.toml" | ".redis-unify.toml"
    ) || ManifestKind::of(path).is_some()
}

#[derive(Default)]
pub struct Workspaces {
    folders: Vec<PathBuf>,
    /// A document folder → the settings that apply there.
    by_folder: HashMap<PathBuf, Arc<ProjectSettings>>,
    /// (configuration file, fallback root) → settings, shared by folders.
    by_config: HashMap<(Option<PathBuf>, PathBuf), Arc<ProjectSettings>>,
    /// The text of open manifest buffers: `target-redis-version` defaults
    /// from it rather than from the disk while they are open.
    unsaved_manifests: HashMap<PathBuf, String>,
}

impl Workspaces {
    pub fn new(folders: Vec<PathBuf>) -> Self {
        Workspaces {
            folders,
            ..Workspaces::default()
        }
    }

    pub fn set_folders(&mut self, added: Vec<PathBuf>, removed: &[PathBuf]) {
        self.folders.retain(|f| !removed.contains(f));
        self.folders.extend(added);
        self.reload();
    }

    /// Forgets every resolved setting: the next document reads them again.
    pub fn reload(&mut self) {
        self.by_folder.clear();
        self.by_config.clear();
    }

    /// An open manifest's text (`None`: closed, the disk counts again).
    /// Whether it may change the settings (the caller then reloads them).
    pub fn set_unsaved_manifest(&mut self, path: &Path, text: Option<&str>) -> bool {
        if ManifestKind::of(path).is_none() {
            return false;
        }
        match text {
            Some(text) => {
                let previous = self
                    .unsaved_manifests
                    .insert(path.to_path_buf(), text.to_string());
                previous.as_deref() != Some(text)
            }
            None => self.unsaved_manifests.remove(path).is_some(),
        }
    }

    /// The first workspace folder: where `untitled:` buffers are checked.
    pub fn first_folder(&self) -> Option<&Path> {
        self.folders.first().map(PathBuf::as_path)
    }

    /// Every project's cached answers (RU302's scan) are dropped.
    pub fn forget_project_answers(&self) {
        for project in self.by_config.values() {
            project.asyncio.forget();
        }
    }

    /// The workspace folder `path` is in (the innermost), if any.
    pub fn folder_of(&self, path: &Path) -> Option<&Path> {
        self.folders
            .iter()
            .filter(|folder| path.starts_with(folder))
            .max_by_key(|folder| folder.as_os_str().len())
            .map(PathBuf::as_path)
    }

    /// The settings for the document at `path`, and a warning when its
    /// configuration cannot be used (the defaults apply then, as in ruff's
    /// server).
    pub fn settings_for(
        &mut self,
        path: &Path,
    ) -> Result<(Arc<ProjectSettings>, Option<String>), String> {
        let folder = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        if let Some(found) = self.by_folder.get(&folder) {
            return Ok((found.clone(), None));
        }
        let fallback_root = self
            .folder_of(path)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| folder.clone());
        let mut warning = None;
        let config = settings::discover(&folder).unwrap_or_else(|error| {
            warning = Some(format!("{error}; using the default settings"));
            None
        });
        let key = (config.as_ref().map(|c| c.path.clone()), fallback_root);
        let project = match self.by_config.get(&key) {
            Some(project) => project.clone(),
            None => {
                let selection = SelectionArgs::default();
                let unsaved = &self.unsaved_manifests;
                let read = |path: &Path| {
                    unsaved
                        .get(path)
                        .cloned()
                        .or_else(|| std::fs::read_to_string(path).ok())
                };
                let project = ProjectSettings::from_config_with(config, &selection, &key.1, &read)
                    .or_else(|error| {
                        warning = Some(format!("{error}; using the default settings"));
                        ProjectSettings::from_config_with(None, &selection, &key.1, &read)
                    });
                let project = Arc::new(project.map_err(|error| error.to_string())?);
                self.by_config.insert(key, project.clone());
                project
            }
        };
        if warning.is_none() {
            // A broken configuration is read (and told) again next time.
            self.by_folder.insert(folder, project.clone());
        }
        Ok((project, warning))
    }
}
