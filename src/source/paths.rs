//! Paths mode: the files and folders named on the command line, from the work
//! tree. Folders are walked honouring `.gitignore`, skipping hidden files and the
//! configured excludes; a file named explicitly is checked even when ignored,
//! unless `--force-exclude`.

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use std::sync::{Mutex, MutexGuard};

use ignore::{WalkBuilder, WalkState};

use super::{Origin, SourceFile, absolute, relative_slash_path};
use crate::error::Error;
use crate::lint::is_input_file;
use crate::settings::Settings;

pub struct Walk<'a> {
    pub cwd: &'a Path,
    pub settings: &'a Settings,
    pub force_exclude: bool,
}

/// What walking found: the files, and the paths skipped with a reason worth telling.
#[derive(Default)]
pub struct Found {
    pub files: Vec<SourceFile>,
    pub skipped: Vec<(String, String)>,
}

impl Walk<'_> {
    pub fn collect(&self, paths: &[PathBuf]) -> Result<Found, Error> {
        let root = &self.settings.project_root;
        // Symlinks are followed only when they point inside the project.
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        let mut found = Found::default();
        for path in paths {
            let abs = absolute(self.cwd, path);
            let metadata = std::fs::symlink_metadata(&abs).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let is_dir = metadata.is_dir()
                || (metadata.file_type().is_symlink() && abs.metadata().is_ok_and(|m| m.is_dir()));
            if is_dir {
                self.walk_folder(&abs, &canonical_root, &mut found);
            } else if is_input_file(&abs) {
                let file = self.source_file(abs);
                if self.force_exclude && self.settings.is_excluded(&file.relative) {
                    continue;
                }
                self.push_if_readable(file, &canonical_root, &mut found);
            }
        }
        // Paths named twice (a folder and a file in it) are checked once. Byte
        // order, not `Path` order, which compares component by component.
        found
            .files
            .sort_unstable_by(|a, b| path_bytes(&a.abs_path).cmp(path_bytes(&b.abs_path)));
        found
            .files
            .dedup_by(|a, b| a.abs_path.as_os_str() == b.abs_path.as_os_str());
        Ok(found)
    }

    /// Walks a folder on all cores (ignore's parallel walker). The file type
    /// comes from the directory listing, so a regular file costs no `stat` here.
    fn walk_folder(&self, folder: &Path, canonical_root: &Path, found: &mut Found) {
        let excludes = self.settings.exclude_matcher();
        let walker = WalkBuilder::new(folder)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .threads(rayon::current_num_threads())
            .filter_entry(move |entry| {
                entry.depth() == 0 || !excludes.is_excluded_entry(entry.path())
            })
            .build_parallel();
        let regular = Mutex::new(Vec::new());
        let others = Mutex::new(Vec::new());
        walker.run(|| {
            Box::new(|entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(error) => {
                        lock(&others).push(Err(error.to_string()));
                        return WalkState::Continue;
                    }
                };
                let Some(file_type) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if file_type.is_dir() || !is_input_file(entry.path()) {
                    return WalkState::Continue;
                }
                if file_type.is_file() {
                    // Its names are made here, on the walker's threads.
                    let file = self.source_file(entry.into_path());
                    lock(&regular).push(file);
                } else {
                    // Symlinks, FIFOs, sockets, devices: judged one by one below.
                    lock(&others).push(Ok(entry.into_path()));
                }
                WalkState::Continue
            })
        });
        found
            .files
            .extend(regular.into_inner().unwrap_or_else(|e| e.into_inner()));
        for other in others.into_inner().unwrap_or_else(|e| e.into_inner()) {
            match other {
                Ok(path) => {
                    let file = self.source_file(path);
                    self.push_if_readable(file, canonical_root, found);
                }
                Err(error) => found.skipped.push((folder.display().to_string(), error)),
            }
        }
    }

    fn source_file(&self, abs_path: PathBuf) -> SourceFile {
        SourceFile {
            manifest: crate::manifest::ManifestKind::of(&abs_path),
            display: relative_slash_path(&abs_path, self.cwd),
            relative: relative_slash_path(&abs_path, &self.settings.project_root),
            abs_path,
            origin: Origin::WorkTree,
        }
    }

    /// Keeps regular files, and symlinks to regular files inside the project;
    /// FIFOs, sockets and devices are never opened.
    fn push_if_readable(&self, file: SourceFile, canonical_root: &Path, found: &mut Found) {
        let Ok(link_metadata) = std::fs::symlink_metadata(&file.abs_path) else {
            return;
        };
        if link_metadata.file_type().is_symlink() {
            let target = file.abs_path.canonicalize();
            match target {
                Ok(target) if target.starts_with(canonical_root) && target.is_file() => {}
                Ok(_) => {
                    found.skipped.push((
                        file.display,
                        "symlink to outside the project or to a non-file; skipped".to_string(),
                    ));
                    return;
                }
                Err(error) => {
                    found
                        .skipped
                        .push((file.display, format!("broken symlink: {error}")));
                    return;
                }
            }
        } else if !link_metadata.is_file() {
            found
                .skipped
                .push((file.display, "not a regular file; skipped".to_string()));
            return;
        }
        found.files.push(file);
    }
}

/// A poisoned lock only means another walker thread panicked: keep its data.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_bytes()
}
