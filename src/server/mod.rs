//! `redis-unify server`: a language server over standard input and output,
//! on lsp-server and lsp-types (the crates rust-analyzer uses).
//!
//! | file | job |
//! |---|---|
//! | `connection.rs` | stdio transport that survives malformed messages |
//! | `session.rs` | the message loop: batches, cancellation, dispatch, publishing |
//! | `documents.rs` | open buffers: text, version, findings; applying changes |
//! | `encoding.rs` | byte offsets ↔ positions in UTF-8 / UTF-16 / UTF-32 |
//! | `diagnostics.rs` | findings → LSP diagnostics (code, documentation link, severity) |
//! | `code_actions.rs` | quick fixes, fix all, `# noqa` |
//! | `workspace.rs` | settings per workspace folder, reloaded on change |
//! | `project.rs` | whole-project knowledge (the seam for issue 14) |

mod code_actions;
mod connection;
mod diagnostics;
mod documents;
mod encoding;
mod project;
mod session;
mod workspace;

use std::path::PathBuf;

use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, InitializeParams,
    InitializeResult, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

pub use connection::{ReadError, read_message};
pub use encoding::PositionEncoding;

use crate::commands::ExitStatus;
use crate::error::Error;
use session::{Ended, Session};

/// Runs the server until the client says `exit` (or closes its end).
pub fn run() -> Result<ExitStatus, Error> {
    // The checks run on this thread: give it the stack the CLI's workers have
    // (deeply nested code makes the parser and the checker recurse).
    let server = std::thread::Builder::new()
        .name("redis-unify-server".to_string())
        .stack_size(64 * 1024 * 1024)
        .spawn(serve)
        .map_err(|source| Error::Io {
            path: "<thread>".into(),
            source,
        })?;
    server.join().unwrap_or_else(|payload| {
        crate::errln!(
            "error: the language server stopped: {}. This is a bug in redis-unify; please report it",
            crate::panic_message(&payload)
        );
        Ok(ExitStatus::Error)
    })
}

fn serve() -> Result<ExitStatus, Error> {
    let (connection, io_threads) = connection::stdio();
    let (id, params) = match connection.initialize_start() {
        Ok(started) => started,
        Err(error) => {
            crate::errln!("error: the client did not initialize the language server: {error}");
            return Ok(ExitStatus::Error);
        }
    };
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_else(|error| {
        crate::errln!("warning: initialize params not understood ({error}); using the defaults");
        InitializeParams::default()
    });
    let encoding = PositionEncoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref()),
    );
    let watch_files = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "redis-unify".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let _ = connection
        .sender
        .send(lsp_server::Response::new_ok(id, result).into());
    let session = Session::new(
        connection,
        encoding,
        workspace_folders(&params),
        watch_files,
    );
    let ended = session.run(); // drops the connection: the writer flushes and ends
    io_threads.join_writer();
    Ok(match ended {
        Ended::Clean => ExitStatus::Success,
        Ended::Abrupt => ExitStatus::Failure,
    })
}

fn capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
                code_actions::fix_all_kind(),
            ]),
            ..CodeActionOptions::default()
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp_types::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

/// The workspace folders, else the root URI, as paths.
fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|f| f.uri.to_file_path().ok())
            .collect();
    }
    #[allow(deprecated)]
    let root = params.root_uri.as_ref();
    root.and_then(|uri| uri.to_file_path().ok())
        .into_iter()
        .collect()
}
