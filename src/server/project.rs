//! Whole-project knowledge, kept up to date as files change.
//!
//! Two answers about other files:
//!
//! - RU302's "does this project's Python code import `redis.asyncio`?",
//!   scanned from the disk and cached per project (`crate::project::AsyncioUse`);
//!   it is dropped whenever a Python file is saved, changes on disk, or a
//!   buffer changes, so the next manifest check scans again.
//! - The project index (issue 14, `python/index.rs`): what each module offers
//!   the others (1.x objects, factories, classes, fixtures, aioredis names).
//!   It is built per project root the first time a Python document is
//!   checked, as `check .` builds it (`commands::index::build_with_texts`),
//!   with the text of every open buffer counting instead of its file on disk.
//!   A buffer's change makes it stale only when other modules can see the
//!   change: its summary (a function of its text, its module name and the
//!   summaries of what it imports) is computed again against the current
//!   index and compared with the one the index holds; a module the index did
//!   not summarize counts when its new text can offer something (it spells
//!   `aioredis` or an offered name, or is a test module). A file changed on
//!   disk drops the project's file list and index. When the index is dropped,
//!   every open Python document is checked again (the session asks).
//!
//! Unsaved buffers win over the disk: `changed(path, Some(text))` takes
//! precedence over the file for as long as the document is open (`closed`
//! hands the file back to the disk).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::workspace::Workspaces;
use crate::python::index::{ProjectIndex, is_package_file, meets_needles};
use crate::settings::Settings;
use crate::source::{SourceFile, relative_to, slash_path};

#[derive(Default)]
pub struct ProjectKnowledge {
    /// The text of every open Python buffer, by absolute path.
    buffers: HashMap<PathBuf, String>,
    /// Per project root.
    projects: HashMap<PathBuf, Project>,
}

#[derive(Default)]
struct Project {
    /// The project's files (a walk of its root), until a file changes on disk.
    files: Option<Rc<Vec<SourceFile>>>,
    /// The index, until a change others can see.
    index: Option<Rc<ProjectIndex>>,
}

impl ProjectKnowledge {
    /// A buffer was opened or changed (its text is what counts while open);
    /// `None`: closed. Whether the project index changed (every open Python
    /// document is to be checked again).
    pub fn changed(&mut self, path: &Path, text: Option<&str>, workspaces: &Workspaces) -> bool {
        if !crate::lint::is_python_file(path) {
            return false;
        }
        workspaces.forget_project_answers();
        match text {
            Some(text) => {
                if self.buffers.get(path).is_some_and(|old| old == text) {
                    return false;
                }
                self.buffers.insert(path.to_path_buf(), text.to_string());
            }
            None => {
                self.buffers.remove(path);
            }
        }
        let mut changed = false;
        for (root, project) in &mut self.projects {
            if !path.starts_with(root) {
                continue;
            }
            let Some(index) = &project.index else {
                continue;
            };
            let relative = slash_path(&relative_to(path, root));
            let seen = match text {
                Some(text) => sees_a_change(index, &relative, path, text),
                // The file on disk counts again: it may differ from the buffer.
                None => true,
            };
            if seen {
                project.index = None;
                changed = true;
            }
        }
        changed
    }

    /// A buffer was closed: the file on disk counts again.
    pub fn closed(&mut self, path: &Path, workspaces: &Workspaces) -> bool {
        self.changed(path, None, workspaces)
    }

    /// A file changed on disk (saved, created, deleted, or changed by another
    /// program): the projects around it list their files and index again
    /// (not for an open buffer saved: its text counts already). Whether an
    /// index was dropped.
    pub fn on_disk(&mut self, path: &Path, workspaces: &Workspaces) -> bool {
        if !crate::lint::is_python_file(path) {
            return false;
        }
        workspaces.forget_project_answers();
        // An open buffer saved: its text already counts, and no file came or went.
        if self.buffers.contains_key(path) && path.is_file() {
            return false;
        }
        let mut changed = false;
        for (root, project) in &mut self.projects {
            if path.starts_with(root) {
                project.files = None;
                changed |= project.index.take().is_some();
            }
        }
        changed
    }

    /// The settings changed: every index is built again.
    pub fn forget(&mut self) {
        self.projects.clear();
    }

    /// The index of the project `settings` describe (built when missing).
    pub fn index_for(&mut self, settings: &Settings) -> Rc<ProjectIndex> {
        let root = settings.project_root.clone();
        let project = self.projects.entry(root.clone()).or_default();
        if let Some(index) = &project.index {
            return index.clone();
        }
        let files = match &project.files {
            Some(files) => files.clone(),
            None => {
                let walk = crate::source::paths::Walk {
                    cwd: &root,
                    settings,
                    force_exclude: false,
                };
                let files = Rc::new(
                    walk.collect(std::slice::from_ref(&root))
                        .map(|found| found.files)
                        .unwrap_or_default(),
                );
                project.files = Some(files.clone());
                files
            }
        };
        let mut texts = crate::commands::index::Texts::new();
        for (path, text) in &self.buffers {
            if path.starts_with(&root) {
                texts.insert(slash_path(&relative_to(path, &root)), text.clone());
            }
        }
        let index = if crate::commands::index::wants_index(settings.any_file_rules()) {
            crate::commands::index::build_with_texts(&files, settings, texts)
        } else {
            ProjectIndex::default()
        };
        let index = Rc::new(index);
        project.index = Some(index.clone());
        index
    }
}

/// Whether the new `text` of the module at `relative` changes what other
/// modules see in `index`.
fn sees_a_change(index: &ProjectIndex, relative: &str, path: &Path, text: &str) -> bool {
    let summarized = index
        .module_of(relative)
        .and_then(|module| index.summary(module))
        .filter(|summary| summary.relative == relative);
    let Some(old) = summarized else {
        // Not summarized: it counts when it can offer something now.
        let name = relative.rsplit('/').next().unwrap_or(relative);
        return text.contains("aioredis")
            || meets_needles(text.as_bytes(), &index.needles())
            || name == "conftest.py"
            || (name.ends_with(".py")
                && (name.starts_with("test_") || name.ends_with("_test.py")))
            || is_package_file(relative);
    };
    let Some(context) = index.context(relative) else {
        return true;
    };
    let display = slash_path(path);
    let new = crate::lint::summarize(
        text,
        crate::lint::source_type_of(&display),
        context,
        crate::source::FilePath {
            abs_path: path,
            display: &old.display,
            relative,
            manifest: None,
        },
    );
    new.as_ref() != Some(old)
}
