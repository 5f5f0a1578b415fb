//! Whole-project knowledge, kept up to date as files change.
//!
//! Today the only answer about other files is RU302's "does this project's
//! Python code import `redis.asyncio`?", scanned from the disk and cached per
//! project (`crate::project::AsyncioUse`); it is dropped whenever a Python
//! file is saved, changes on disk, or a buffer changes, so the next manifest
//! check scans again.
//!
//! This is the seam for issue 14 (the client model across modules): every
//! event the server sees about files arrives here, with the buffer's text
//! when there is one. A cross-module model belongs in [`ProjectKnowledge`],
//! fed by these calls; unsaved buffers must win over the disk, so
//! `changed(path, Some(text))` takes precedence over `on_disk(path)` for as
//! long as the document is open (`closed` hands the file back to the disk).
//! What linting reads about the project travels in
//! `crate::document::ProjectSettings` (today: `settings` and `asyncio`), which
//! `lint_document` receives for every document, from the CLI's
//! `--stdin-filename` and from the server alike: a project model would be one
//! more field there, kept current from here.

use std::path::Path;

use super::workspace::Workspaces;

#[derive(Default)]
pub struct ProjectKnowledge;

impl ProjectKnowledge {
    /// A buffer was opened or changed (its text is what counts while open).
    pub fn changed(&mut self, path: &Path, _text: Option<&str>, workspaces: &Workspaces) {
        if crate::lint::is_python_file(path) {
            workspaces.forget_project_answers();
        }
    }

    /// A buffer was closed: the file on disk counts again.
    pub fn closed(&mut self, path: &Path, workspaces: &Workspaces) {
        self.changed(path, None, workspaces);
    }

    /// A file changed on disk (saved, or changed by another program).
    pub fn on_disk(&mut self, path: &Path, workspaces: &Workspaces) {
        self.changed(path, None, workspaces);
    }
}
