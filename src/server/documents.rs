//! The open documents: the text the client has (not the file on disk), its
//! version, and the findings computed for that text.

use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use lsp_types::{TextDocumentContentChangeEvent, Url};
use ruff_text_size::TextRange;

use super::encoding::{PositionEncoding, TextLines};
use crate::diagnostic::Diagnostic;

pub struct Document {
    pub version: i32,
    pub text: String,
    /// The file the buffer is (or will be) saved to; `None` for other URIs
    /// (an unsaved `untitled:` buffer).
    pub path: Option<PathBuf>,
    /// An `untitled:` buffer in Python: checked as a file of that name at the
    /// root of the first workspace folder, with that folder's settings.
    pub untitled_python: bool,
    /// The findings on `text` with the current settings, once computed.
    pub findings: Option<Rc<Vec<Diagnostic>>>,
    /// The fix-all edit for `text` (byte range, replacement), once computed.
    pub fix_all: Option<Option<(TextRange, String)>>,
}

#[derive(Default)]
pub struct Documents {
    open: HashMap<Url, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Url, version: i32, text: String, language_id: &str) {
        let path = if uri.scheme() == "file" {
            uri.to_file_path().ok()
        } else {
            None
        };
        let untitled_python = uri.scheme() == "untitled" && language_id == "python";
        self.open.insert(
            uri,
            Document {
                version,
                text,
                path,
                untitled_python,
                findings: None,
                fix_all: None,
            },
        );
    }

    pub fn close(&mut self, uri: &Url) -> Option<Document> {
        self.open.remove(uri)
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Url) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    pub fn uris(&self) -> Vec<Url> {
        let mut uris: Vec<Url> = self.open.keys().cloned().collect();
        uris.sort();
        uris
    }

    /// Forgets every document's findings (the settings changed).
    pub fn forget_findings(&mut self) {
        for document in self.open.values_mut() {
            document.findings = None;
            document.fix_all = None;
        }
    }

    /// Applies a `didChange`: whole-text replacements, or ranges in the
    /// negotiated encoding. `Err` when the document is not open.
    pub fn change(
        &mut self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
    ) -> Result<(), String> {
        let document = self
            .open
            .get_mut(uri)
            .ok_or_else(|| format!("a change to {uri}, which is not open; ignored"))?;
        for change in changes {
            match change.range {
                None => document.text = change.text,
                Some(range) => {
                    let range = TextLines::new(&document.text).text_range(range, encoding);
                    document.text.replace_range(
                        range.start().to_usize()..range.end().to_usize(),
                        &change.text,
                    );
                }
            }
        }
        document.version = version;
        document.findings = None;
        document.fix_all = None;
        Ok(())
    }
}
