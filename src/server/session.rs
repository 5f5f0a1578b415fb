//! The message loop: documents in, diagnostics and code actions out.
//!
//! Messages are handled on one thread, in order, a batch at a time: everything
//! the client has sent is read before the documents it changed are checked,
//! so a burst of edits is checked once, a `$/cancelRequest` that arrives with
//! its request cancels it, and a document closed in the same batch is not
//! checked at all. Every handler runs under `catch_unwind`: a bug shows up as
//! a log message the client displays, never as a dead server.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles,
    DidChangeWorkspaceFolders, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileSystemWatcher, GlobPattern, LogMessageParams, MessageType, PublishDiagnosticsParams,
    Registration, RegistrationParams, Url,
};

use super::code_actions::{Target, code_actions};
use super::connection::MALFORMED;
use super::diagnostics::to_lsp;
use super::documents::Documents;
use super::encoding::{PositionEncoding, TextLines};
use super::project::ProjectKnowledge;
use super::workspace::{Workspaces, affects_settings};
use crate::diagnostic::Diagnostic;
use crate::document::{DocumentPath, lint_document_in};

/// JSON-RPC's "request cancelled" (LSP's `RequestCancelled`).
const REQUEST_CANCELLED: i32 = -32800;

pub struct Session {
    connection: Connection,
    encoding: PositionEncoding,
    documents: Documents,
    workspaces: Workspaces,
    project: ProjectKnowledge,
    /// Documents whose diagnostics must be published again.
    dirty: BTreeSet<Url>,
    /// The client can be asked to watch files for us.
    watch_files: bool,
    shutdown: bool,
    next_id: i32,
    /// A large document was closed in this batch.
    closed_large: bool,
    /// Configuration warnings shown since the settings were last read (each once).
    told: std::collections::HashSet<String>,
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the input closed.
    Abrupt,
}

impl Session {
    pub fn new(
        connection: Connection,
        encoding: PositionEncoding,
        folders: Vec<PathBuf>,
        watch_files: bool,
    ) -> Self {
        Session {
            connection,
            encoding,
            documents: Documents::default(),
            workspaces: Workspaces::new(folders),
            project: ProjectKnowledge::default(),
            dirty: BTreeSet::new(),
            watch_files,
            shutdown: false,
            next_id: 0,
            told: Default::default(),
            closed_large: false,
        }
    }

    pub fn run(mut self) -> Ended {
        loop {
            let Ok(first) = self.connection.receiver.recv() else {
                return Ended::Abrupt;
            };
            let mut batch = vec![first];
            batch.extend(self.connection.receiver.try_iter());
            let cancelled: Vec<RequestId> = batch.iter().filter_map(cancelled_id).collect();
            for message in batch {
                match message {
                    Message::Request(request) if cancelled.contains(&request.id) => {
                        self.respond(Response::new_err(
                            request.id,
                            REQUEST_CANCELLED,
                            "cancelled".to_string(),
                        ));
                    }
                    Message::Request(request) => self.guarded_request(request),
                    Message::Notification(notification) if notification.method == "exit" => {
                        return if self.shutdown {
                            Ended::Clean
                        } else {
                            Ended::Abrupt
                        };
                    }
                    Message::Notification(notification) => {
                        let method = notification.method.clone();
                        if let Err(payload) =
                            catch_unwind(AssertUnwindSafe(|| self.on_notification(notification)))
                        {
                            self.log(
                                MessageType::ERROR,
                                format!(
                                    "internal error while handling {method}: {}. This is a bug in redis-unify; please report it",
                                    crate::panic_message(&payload)
                                ),
                            );
                        }
                    }
                    // Answers to our own requests (registerCapability): nothing to do.
                    Message::Response(_) => {}
                }
            }
            let large = self.publish_dirty() || self.closed_large;
            self.closed_large = false;
            if large {
                return_freed_memory();
            }
        }
    }

    fn guarded_request(&mut self, request: Request) {
        let id = request.id.clone();
        let method = request.method.clone();
        match catch_unwind(AssertUnwindSafe(|| self.on_request(request))) {
            Ok(response) => self.respond(response),
            Err(payload) => {
                let message = format!(
                    "internal error while handling {method}: {}. This is a bug in redis-unify; please report it",
                    crate::panic_message(&payload)
                );
                self.log(MessageType::ERROR, message.clone());
                self.respond(Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    message,
                ));
            }
        }
    }

    fn on_request(&mut self, request: Request) -> Response {
        if self.shutdown {
            return Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_string(),
            );
        }
        match request.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Response::new_ok(request.id, ())
            }
            "initialize" => Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is already initialized".to_string(),
            ),
            CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => self.code_actions(request.id, params),
                    Err(error) => invalid_params(request.id, &request.method, &error),
                }
            }
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("redis-unify does not handle {}", request.method),
            ),
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        let method = notification.method.as_str();
        match method {
            DidOpenTextDocument::METHOD => {
                let Some(params) = self.params::<DidOpenTextDocumentParams>(notification) else {
                    return;
                };
                let document = params.text_document;
                let mut manifest_changed = false;
                if document.uri.scheme() == "file"
                    && let Ok(path) = document.uri.to_file_path()
                {
                    if self
                        .project
                        .changed(&path, Some(&document.text), &self.workspaces)
                    {
                        self.index_changed();
                    }
                    manifest_changed = self
                        .workspaces
                        .set_unsaved_manifest(&path, Some(&document.text));
                }
                self.dirty.insert(document.uri.clone());
                self.documents.open(
                    document.uri,
                    document.version,
                    document.text,
                    &document.language_id,
                );
                if manifest_changed {
                    // `target-redis-version` defaults from the open buffer now.
                    self.settings_changed();
                }
            }
            DidChangeTextDocument::METHOD => {
                let Some(params) = self.params::<DidChangeTextDocumentParams>(notification) else {
                    return;
                };
                let uri = params.text_document.uri;
                match self.documents.change(
                    &uri,
                    params.text_document.version,
                    params.content_changes,
                    self.encoding,
                ) {
                    Ok(()) => {
                        let mut manifest_changed = false;
                        if let Some(document) = self.documents.get(&uri)
                            && let Some(path) = &document.path
                        {
                            let path = path.clone();
                            let text = document.text.clone();
                            if self.project.changed(&path, Some(&text), &self.workspaces) {
                                self.index_changed();
                            }
                            manifest_changed =
                                self.workspaces.set_unsaved_manifest(&path, Some(&text));
                        }
                        self.dirty.insert(uri);
                        if manifest_changed {
                            self.settings_changed();
                        }
                    }
                    Err(message) => self.log(MessageType::WARNING, message),
                }
            }
            DidSaveTextDocument::METHOD => {
                let Some(params) = self.params::<DidSaveTextDocumentParams>(notification) else {
                    return;
                };
                if let Ok(path) = params.text_document.uri.to_file_path() {
                    self.on_disk_change(&path);
                }
                self.dirty.insert(params.text_document.uri);
            }
            DidCloseTextDocument::METHOD => {
                let Some(params) = self.params::<DidCloseTextDocumentParams>(notification) else {
                    return;
                };
                let uri = params.text_document.uri;
                if let Some(document) = self.documents.close(&uri) {
                    self.closed_large |= document.text.len() >= LARGE_TEXT;
                    let mut manifest_changed = false;
                    if let Some(path) = &document.path {
                        if self.project.closed(path, &self.workspaces) {
                            self.index_changed();
                        }
                        manifest_changed = self.workspaces.set_unsaved_manifest(path, None);
                    }
                    if manifest_changed {
                        // The file on disk counts again.
                        self.settings_changed();
                    }
                    self.dirty.remove(&uri);
                    self.publish(uri, Vec::new(), None);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Some(params) = self.params::<DidChangeWatchedFilesParams>(notification) else {
                    return;
                };
                for change in params.changes {
                    if let Ok(path) = change.uri.to_file_path() {
                        self.on_disk_change(&path);
                    }
                }
            }
            DidChangeWorkspaceFolders::METHOD => {
                let Some(params) = self.params::<DidChangeWorkspaceFoldersParams>(notification)
                else {
                    return;
                };
                let paths = |folders: Vec<lsp_types::WorkspaceFolder>| {
                    folders
                        .into_iter()
                        .filter_map(|f| f.uri.to_file_path().ok())
                        .collect::<Vec<_>>()
                };
                let removed = paths(params.event.removed);
                self.workspaces
                    .set_folders(paths(params.event.added), &removed);
                self.settings_changed();
            }
            DidChangeConfiguration::METHOD => self.settings_changed(),
            "initialized" => self.register_watchers(),
            MALFORMED => {
                let reason = notification.params.as_str().unwrap_or_default().to_string();
                self.log(
                    MessageType::ERROR,
                    format!("ignored a message that is not LSP: {reason}"),
                );
            }
            // `$/cancelRequest` is handled with its batch; other `$/` ones may be ignored.
            _ if method.starts_with("$/") => {}
            _ => self.log(
                MessageType::LOG,
                format!("redis-unify does not handle the notification {method}; ignored"),
            ),
        }
    }

    /// A file changed on disk (saved, or reported by the client's watcher).
    fn on_disk_change(&mut self, path: &Path) {
        if affects_settings(path) {
            self.settings_changed();
        }
        if self.project.on_disk(path, &self.workspaces) {
            self.index_changed();
        }
        if crate::lint::is_python_file(path) {
            // RU302 in open manifests depends on the project's Python files.
            for uri in self.documents.uris() {
                if let Some(document) = self.documents.get_mut(&uri)
                    && document
                        .path
                        .as_deref()
                        .is_some_and(|p| crate::manifest::ManifestKind::of(p).is_some())
                {
                    document.findings = None;
                    document.fix_all = None;
                    self.dirty.insert(uri);
                }
            }
        }
    }

    /// The project index changed: every open Python document is checked again.
    fn index_changed(&mut self) {
        for uri in self.documents.uris() {
            if let Some(document) = self.documents.get_mut(&uri)
                && (document.untitled_python
                    || document
                        .path
                        .as_deref()
                        .is_some_and(crate::lint::is_python_file))
            {
                document.findings = None;
                document.fix_all = None;
                self.dirty.insert(uri);
            }
        }
    }

    /// Reads the configuration again and checks every open document.
    fn settings_changed(&mut self) {
        self.project.forget();
        self.workspaces.reload();
        self.told.clear();
        self.documents.forget_findings();
        self.dirty.extend(self.documents.uris());
    }

    fn params<P: serde::de::DeserializeOwned>(&mut self, notification: Notification) -> Option<P> {
        match serde_json::from_value(notification.params) {
            Ok(params) => Some(params),
            Err(error) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "ignored {}: its params are not valid ({error})",
                        notification.method
                    ),
                );
                None
            }
        }
    }

    /// The findings of an open document (computed once per text and settings);
    /// `None` when it is not one redis-unify checks.
    fn findings(&mut self, uri: &Url) -> Option<(Rc<Vec<Diagnostic>>, DocumentPath)> {
        let document = self.documents.get(uri)?;
        let path = match &document.path {
            Some(path) => path.clone(),
            None if document.untitled_python => self.untitled_path(uri)?,
            None => return None,
        };
        let (project, warning) = match self.workspaces.settings_for(&path) {
            Ok(found) => found,
            Err(message) => {
                self.log(MessageType::ERROR, message);
                return None;
            }
        };
        if let Some(warning) = warning
            && self.told.insert(warning.clone())
        {
            self.show(MessageType::WARNING, warning);
        }
        let document_path = DocumentPath::new(&path, &project.settings);
        if let Some(findings) = &self.documents.get(uri)?.findings {
            return Some((findings.clone(), document_path));
        }
        // The project index, with the open buffers' text (Python documents only).
        let index = if crate::lint::is_python_file(&path) {
            let built = catch_unwind(AssertUnwindSafe(|| {
                self.project.index_for(&project.settings)
            }));
            match built {
                Ok(index) => Some(index),
                Err(payload) => {
                    self.log(
                        MessageType::ERROR,
                        format!(
                            "internal error while indexing the project of {}: {}. This is a bug in redis-unify; please report it",
                            path.display(),
                            crate::panic_message(&payload)
                        ),
                    );
                    None
                }
            }
        } else {
            None
        };
        let context = index
            .as_deref()
            .and_then(|index| index.context(&document_path.relative));
        let document = self.documents.get(uri)?;
        let text = &document.text;
        let linted = catch_unwind(AssertUnwindSafe(|| {
            lint_document_in(&document_path, text, &project, context)
        }));
        let findings = match linted {
            Ok(Ok(findings)) => Rc::new(findings),
            Ok(Err(_skipped)) => Rc::new(Vec::new()),
            Err(payload) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "internal error while checking {}: {}. This is a bug in redis-unify; please report it",
                        path.display(),
                        crate::panic_message(&payload)
                    ),
                );
                Rc::new(Vec::new())
            }
        };
        if let Some(document) = self.documents.get_mut(uri) {
            document.findings = Some(findings.clone());
        }
        Some((findings, document_path))
    }

    /// Where an `untitled:` Python buffer is checked: a file named after it
    /// at the root of the first workspace folder, with that folder's settings
    /// (its configuration, per-file-ignores and excludes, as if saved there).
    /// Told once in the log; without a workspace folder it is not checked,
    /// and the log says so.
    fn untitled_path(&mut self, uri: &Url) -> Option<PathBuf> {
        let Some(folder) = self.workspaces.first_folder().map(Path::to_path_buf) else {
            let message = format!(
                "{uri} is not checked: an untitled buffer is checked with the settings of the                  first workspace folder, and there is none; save it to check it"
            );
            if self.told.insert(message.clone()) {
                self.log(MessageType::INFO, message);
            }
            return None;
        };
        let name: String = uri
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = name.trim_start_matches('.');
        let name = if name.is_empty() { "untitled" } else { name };
        let name = if name.ends_with(".py") || name.ends_with(".pyi") {
            name.to_string()
        } else {
            format!("{name}.py")
        };
        let path = folder.join(name);
        let message = format!(
            "{uri} is checked as {} (the settings of the workspace folder {})",
            path.display(),
            folder.display()
        );
        if self.told.insert(message.clone()) {
            self.log(MessageType::INFO, message);
        }
        Some(path)
    }

    /// Publishes the diagnostics of the documents that changed; whether one
    /// of them was large.
    fn publish_dirty(&mut self) -> bool {
        let mut large = false;
        for uri in std::mem::take(&mut self.dirty) {
            let Some(version) = self.documents.get(&uri).map(|d| d.version) else {
                continue; // closed since
            };
            large |= self
                .documents
                .get(&uri)
                .is_some_and(|d| d.text.len() >= LARGE_TEXT);
            let converted = catch_unwind(AssertUnwindSafe(|| {
                let (findings, _) = self.findings(&uri)?;
                let document = self.documents.get(&uri)?;
                let lines = TextLines::new(&document.text);
                Some(
                    findings
                        .iter()
                        .map(|f| to_lsp(f, &lines, self.encoding))
                        .collect::<Vec<_>>(),
                )
            }));
            let diagnostics = match converted {
                Ok(diagnostics) => diagnostics.unwrap_or_default(),
                Err(payload) => {
                    self.log(
                        MessageType::ERROR,
                        format!(
                            "internal error while publishing the diagnostics of {uri}: {}. This is a bug in redis-unify; please report it",
                            crate::panic_message(&payload)
                        ),
                    );
                    Vec::new()
                }
            };
            self.publish(uri, diagnostics, Some(version));
        }
        large
    }

    fn code_actions(&mut self, id: RequestId, params: CodeActionParams) -> Response {
        let uri = params.text_document.uri;
        if self.documents.get(&uri).is_none() {
            self.log(
                MessageType::WARNING,
                format!("code actions asked for {uri}, which is not open; none given"),
            );
            return Response::new_ok(id, Vec::<lsp_types::CodeActionOrCommand>::new());
        }
        let Some((findings, path)) = self.findings(&uri) else {
            return Response::new_ok(id, Vec::<lsp_types::CodeActionOrCommand>::new());
        };
        let Some(document) = self.documents.get(&uri) else {
            return Response::new_ok(id, Vec::<lsp_types::CodeActionOrCommand>::new());
        };
        let Some(file) = document.path.clone() else {
            return Response::new_ok(id, Vec::<lsp_types::CodeActionOrCommand>::new());
        };
        let project = match self.workspaces.settings_for(&file) {
            Ok((project, _)) => project,
            Err(_) => return Response::new_ok(id, Vec::<lsp_types::CodeActionOrCommand>::new()),
        };
        // The index the findings were made with (fix all and noqa judge with it too).
        let index = crate::lint::is_python_file(&file).then(|| {
            catch_unwind(AssertUnwindSafe(|| {
                self.project.index_for(&project.settings)
            }))
            .ok()
        });
        let context = index
            .as_ref()
            .and_then(|index| index.as_deref())
            .and_then(|index| index.context(&path.relative));
        let Some(document) = self.documents.get(&uri) else {
            return Response::new_ok(id, Vec::<lsp_types::CodeActionOrCommand>::new());
        };
        let range = TextLines::new(&document.text).text_range(params.range, self.encoding);
        let target = Target {
            uri: &uri,
            text: &document.text,
            path: &path,
            project: &project,
            findings: &findings,
            context,
            encoding: self.encoding,
            fix_all: document.fix_all.clone().map(Into::into).unwrap_or_default(),
        };
        let actions = code_actions(&target, range, params.context.only.as_deref());
        let fix_all = target.fix_all.into_inner();
        if let Some(document) = self.documents.get_mut(&uri)
            && fix_all.is_some()
        {
            document.fix_all = fix_all;
        }
        Response::new_ok(id, actions)
    }

    /// Asks the client to tell us when a configuration file, a manifest or a
    /// Python file changes on disk (when it can watch files for servers).
    fn register_watchers(&mut self) {
        if !self.watch_files {
            return;
        }
        let patterns = [
            "**/pyproject.toml",
            "**/redis-unify.toml",
            "**/.redis-unify.toml",
            "**/requirements*.txt",
            "**/requirements/*.txt",
            "**/setup.cfg",
            "**/setup.py",
            "**/Pipfile",
            "**/*.py",
        ];
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: patterns
                .iter()
                .map(|pattern| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(pattern.to_string()),
                    kind: None,
                })
                .collect(),
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "redis-unify-watched-files".to_string(),
                method: DidChangeWatchedFiles::METHOD.to_string(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        let request = Request::new(
            RequestId::from(format!("redis-unify-{}", self.next_id)),
            RegisterCapability::METHOD.to_string(),
            params,
        );
        let _ = self.connection.sender.send(request.into());
    }

    fn publish(&self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.notify(
            PublishDiagnostics::METHOD,
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify(LogMessage::METHOD, LogMessageParams { typ, message });
    }

    /// A message the user should act on (a broken configuration).
    fn show(&self, typ: MessageType, message: String) {
        self.log(typ, message.clone());
        self.notify(
            lsp_types::notification::ShowMessage::METHOD,
            lsp_types::ShowMessageParams { typ, message },
        );
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let notification = Notification::new(method.to_string(), params);
        let _ = self.connection.sender.send(notification.into());
    }

    fn respond(&self, response: Response) {
        let _ = self.connection.sender.send(response.into());
    }
}

/// A text from which on the memory its check used is handed back to the
/// system right away: its syntax tree takes some twenty times its size.
const LARGE_TEXT: usize = 1 << 20;

/// Hands the memory freed on this thread back to the system: mimalloc keeps
/// freed pages for reuse, and a server that checked a 25 MB buffer would
/// otherwise hold on to half a gigabyte while idle.
fn return_freed_memory() {
    // SAFETY: `mi_collect` only walks mimalloc's own heaps; it is a no-op
    // when mimalloc is not the allocator in use (its heaps are then empty).
    unsafe { libmimalloc_sys::mi_collect(true) };
}

fn cancelled_id(message: &Message) -> Option<RequestId> {
    let Message::Notification(notification) = message else {
        return None;
    };
    if notification.method != "$/cancelRequest" {
        return None;
    }
    match notification.params.get("id")? {
        serde_json::Value::Number(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(RequestId::from),
        serde_json::Value::String(s) => Some(RequestId::from(s.clone())),
        _ => None,
    }
}

fn invalid_params(id: RequestId, method: &str, error: &serde_json::Error) -> Response {
    Response::new_err(
        id,
        ErrorCode::InvalidParams as i32,
        format!("{method}: invalid params ({error})"),
    )
}
