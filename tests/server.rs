//! `redis-unify server`: the real binary, spoken to over its standard input
//! and output with LSP messages (framed by lsp-server, as a client would),
//! in real project folders.

mod common;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use common::Project;
use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

/// Only a failsafe against a hung server: no assertion depends on time.
const FAILSAFE: Duration = Duration::from_secs(300);

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Message>,
    backlog: VecDeque<Message>,
    next_id: i32,
    /// The negotiated position encoding.
    encoding: String,
}

impl Server {
    /// Starts the server in `root` and initializes it with `root` as the
    /// workspace folder; `encodings` are the position encodings offered.
    fn start(root: &Path, encodings: &[&str]) -> (Server, Value) {
        Self::start_with_folders(root, &[root], encodings)
    }

    fn start_with_folders(root: &Path, folders: &[&Path], encodings: &[&str]) -> (Server, Value) {
        let mut server = Self::spawn(root);
        let root_uri = uri(root);
        let result = server
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root_uri,
                    "workspaceFolders": folders
                        .iter()
                        .map(|f| json!({"uri": uri(f), "name": f.file_name().unwrap().to_string_lossy()}))
                        .collect::<Vec<_>>(),
                    "capabilities": {
                        "general": {"positionEncodings": encodings},
                        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                    },
                }),
            )
            .unwrap();
        server.encoding = result["capabilities"]["positionEncoding"]
            .as_str()
            .unwrap()
            .to_string();
        server.notify("initialized", json!({}));
        (server, result)
    }

    /// The server process, not initialized yet.
    fn spawn(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
            .arg("server")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_framed(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Server {
            stdin: child.stdin.take(),
            child,
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
            encoding: String::new(),
        }
    }

    fn send(&mut self, message: Message) {
        let stdin = self.stdin.as_mut().unwrap();
        message.write(stdin).unwrap();
        stdin.flush().unwrap();
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method.to_string(), params).into());
    }

    fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Request::new(id.clone(), method.to_string(), params).into());
        id
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, lsp_server::ResponseError> {
        let id = self.send_request(method, params);
        self.response(&id)
    }

    fn response(&mut self, id: &RequestId) -> Result<Value, lsp_server::ResponseError> {
        match self.next_matching(|m| matches!(m, Message::Response(r) if r.id == *id)) {
            Message::Response(Response {
                response_result, ..
            }) => response_result,
            _ => unreachable!(),
        }
    }

    /// The first message (kept back or new) that `wanted` accepts; the
    /// others are kept back, in order.
    fn next_matching(&mut self, wanted: impl Fn(&Message) -> bool) -> Message {
        if let Some(at) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(at).unwrap();
        }
        loop {
            match self.incoming.recv_timeout(FAILSAFE) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.backlog.push_back(message),
                Err(RecvTimeoutError::Timeout) => panic!("the server said nothing more"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the server closed its output; kept back: {:?}",
                        self.backlog
                    )
                }
            }
        }
    }

    fn notification(&mut self, method: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        match self.next_matching(
            |m| matches!(m, Message::Notification(n) if n.method == method && wanted(&n.params)),
        ) {
            Message::Notification(n) => n.params,
            _ => unreachable!(),
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let params = self.notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == version
        });
        params["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn code_actions(&mut self, uri: &str, range: Value, only: Option<&[&str]>) -> Vec<Value> {
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
        )
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
    }

    /// `shutdown`, `exit`, and the exit code.
    fn shutdown(mut self) -> i32 {
        assert_eq!(self.request("shutdown", Value::Null).unwrap(), Value::Null);
        self.notify("exit", Value::Null);
        self.stdin.take();
        self.child.wait().unwrap().code().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server's next message. A response whose `id` lsp-server's `Message`
/// cannot hold (`null`, `1.5`, beyond 32 bits) comes as a notification
/// [`UNUSABLE_ID_RESPONSE`] with the whole response as its params.
fn read_framed(reader: &mut impl BufRead) -> Option<Message> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    let value: Value = serde_json::from_slice(&body).ok()?;
    let unusable = |id: &Value| {
        id.is_null() || id.as_i64().is_none_or(|n| i32::try_from(n).is_err()) && !id.is_string()
    };
    if value.get("method").is_none() && value.get("id").is_some_and(unusable) {
        return Some(Notification::new(UNUSABLE_ID_RESPONSE.to_string(), value).into());
    }
    serde_json::from_value(value).ok()
}

const UNUSABLE_ID_RESPONSE: &str = "test/responseWithUnusableId";

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The codes and ranges of diagnostics: `CODE line:col-line:col`.
fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let r = &d["range"];
            format!(
                "{} {}:{}-{}:{}",
                d["code"].as_str().unwrap(),
                r["start"]["line"],
                r["start"]["character"],
                r["end"]["line"],
                r["end"]["character"]
            )
        })
        .collect()
}

/// Applies one action's edits for `uri` to `text` (positions in UTF-8
/// code units, as negotiated by the tests that use it).
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let mut edits: Vec<(usize, usize, String)> = action["edit"]["changes"][uri]
        .as_array()
        .unwrap()
        .iter()
        .map(|edit| {
            let at = |p: &Value| utf8_offset(text, p);
            (
                at(&edit["range"]["start"]),
                at(&edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut text = text.to_string();
    for (start, end, new_text) in edits {
        text.replace_range(start..end, &new_text);
    }
    text
}

fn utf8_offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    line_start + character
}

fn titles(actions: &[Value]) -> Vec<String> {
    actions
        .iter()
        .map(|a| {
            format!(
                "{} [{}]",
                a["title"].as_str().unwrap(),
                a["kind"].as_str().unwrap()
            )
        })
        .collect()
}

const LEGACY: &str = "import aioredis\n\n\nasync def main():\n    r = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n    await r.close()\n";

#[test]
fn initialize_negotiates_the_position_encoding() {
    let project = Project::new();
    let (server, result) = Server::start(project.path(), &["utf-16", "utf-8"]);
    assert_eq!(server.encoding, "utf-8");
    let mut capabilities = result["capabilities"].clone();
    capabilities["positionEncoding"] = json!("[negotiated]");
    insta::assert_snapshot!(
        serde_json::to_string_pretty(&json!({
            "capabilities": capabilities,
            "serverInfo": {"name": result["serverInfo"]["name"]},
        }))
        .unwrap()
    );
    assert_eq!(server.shutdown(), 0);

    let (server, _) = Server::start(project.path(), &[]);
    assert_eq!(server.encoding, "utf-16");
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn diagnostics_come_from_the_unsaved_buffer_not_the_disk() {
    let project = Project::repo(&[("app/clean.py", "x = 1\n"), ("app/legacy.py", LEGACY)]);
    let (mut server, _) = Server::start(project.path(), &["utf-8"]);
    // On disk: clean. In the buffer: aioredis.
    let clean = uri(&project.path().join("app/clean.py"));
    server.open(&clean, "import aioredis\n");
    let found = server.diagnostics(&clean, 1);
    assert_eq!(codes(&found), ["RU100 0:0-0:15"]);
    insta::assert_snapshot!(
        serde_json::to_string_pretty(&found[0])
            .unwrap()
            .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
    );
    // On disk: aioredis. In the buffer, after an edit: nothing.
    let legacy = uri(&project.path().join("app/legacy.py"));
    server.open(&legacy, LEGACY);
    assert_eq!(
        codes(&server.diagnostics(&legacy, 1)),
        ["RU100 0:0-0:15", "RU103 5:4-5:19"]
    );
    server.change(&legacy, 2, "import redis.asyncio as aioredis\n");
    assert_eq!(codes(&server.diagnostics(&legacy, 2)), Vec::<String>::new());
    // An incremental change (a range in the negotiated encoding).
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": legacy, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 7}, "end": {"line": 0, "character": 32}}, "text": "aioredis"}
        ]}),
    );
    assert_eq!(codes(&server.diagnostics(&legacy, 3)), ["RU100 0:0-0:15"]);
    // Saving changes nothing: the buffer is what counts.
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": legacy}}),
    );
    assert_eq!(codes(&server.diagnostics(&legacy, 3)), ["RU100 0:0-0:15"]);
    // Closing clears them.
    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": legacy}}),
    );
    let cleared = server.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == legacy.as_str() && p["version"].is_null()
    });
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn columns_count_utf16_units_or_utf8_bytes_as_negotiated() {
    // `é` is 2 UTF-8 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 units.
    let text = "s = \"é𝄞\"; import aioredis\n";
    let project = Project::new();
    let path = project.write("m.py", text);
    let prefix = &text[..text.find("import").unwrap()];
    let mut columns = Vec::new();
    for offered in [&["utf-8", "utf-16"][..], &["utf-16"][..], &[][..]] {
        let (mut server, _) = Server::start(project.path(), offered);
        server.open(&uri(&path), text);
        let found = server.diagnostics(&uri(&path), 1);
        columns.push((server.encoding.clone(), codes(&found)));
        assert_eq!(server.shutdown(), 0);
    }
    let utf8 = prefix.len();
    let utf16 = prefix.encode_utf16().count();
    assert_eq!((utf8, utf16), (14, 11));
    assert_eq!(
        columns,
        [
            (
                "utf-8".to_string(),
                vec![format!("RU100 0:{utf8}-0:{}", utf8 + 15)]
            ),
            (
                "utf-16".to_string(),
                vec![format!("RU100 0:{utf16}-0:{}", utf16 + 15)]
            ),
            (
                "utf-16".to_string(),
                vec![format!("RU100 0:{utf16}-0:{}", utf16 + 15)]
            ),
        ]
    );
}

#[test]
fn code_actions_fix_one_finding_fix_all_and_add_noqa() {
    let text = "import aioredis  # noqa: E401\nfrom aioredis import Redis\n\n\nasync def main():\n    r = Redis(socket_timeout=5)\n    await r.close()\n";
    let project = Project::repo(&[("app/m.py", "x = 1\n")]);
    let path = project.path().join("app/m.py");
    let doc = uri(&path);
    let (mut server, _) = Server::start(project.path(), &["utf-8"]);
    server.open(&doc, text);
    let found = server.diagnostics(&doc, 1);
    assert_eq!(
        codes(&found),
        ["RU100 0:0-0:15", "RU100 1:0-1:26", "RU103 6:4-6:19"]
    );

    // On the first line: its fix, its noqa, and fix-all.
    let line0 = json!({"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 3}});
    let actions = server.code_actions(&doc, line0.clone(), None);
    insta::assert_snapshot!(titles(&actions).join("\n"));
    let fix = &actions[0];
    assert_eq!(fix["diagnostics"][0]["code"], "RU100");
    assert_eq!(fix["isPreferred"], true);
    let fixed = apply(text, fix, &doc);
    assert!(
        fixed.starts_with(
            "import redis.asyncio as aioredis  # noqa: E401\nfrom aioredis import Redis\n"
        ),
        "{fixed}"
    );

    // noqa: added to the existing list; the finding goes away.
    let noqa = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("noqa"))
        .unwrap();
    let suppressed = apply(text, noqa, &doc);
    assert!(
        suppressed.starts_with("import aioredis  # noqa: E401, RU100\n"),
        "{suppressed}"
    );
    server.change(&doc, 2, &suppressed);
    assert_eq!(
        codes(&server.diagnostics(&doc, 2)),
        ["RU100 1:0-1:26", "RU103 6:4-6:19"]
    );
    // On a line without a comment, one is appended.
    let line1 = json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 26}});
    let actions = server.code_actions(&doc, line1, Some(&["quickfix"]));
    let noqa = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("noqa"))
        .unwrap();
    assert!(
        apply(&suppressed, noqa, &doc).contains("\nfrom aioredis import Redis  # noqa: RU100\n")
    );

    // Fix all (what editors ask for on save): the same text as `fix --stdin-filename`.
    server.change(&doc, 3, text);
    let _ = server.diagnostics(&doc, 3);
    let actions = server.code_actions(&doc, line0, Some(&["source.fixAll"]));
    assert_eq!(
        titles(&actions),
        ["redis-unify: Fix all safe findings in this file [source.fixAll.redis-unify]"]
    );
    let all_fixed = apply(text, &actions[0], &doc);
    let cli = stdin_run(
        project.path(),
        &["fix", "--stdin-filename", "app/m.py"],
        text,
    );
    assert_eq!(all_fixed, cli.stdout);
    assert!(
        all_fixed.contains(
            "import redis.asyncio as aioredis  # noqa: E401\nfrom redis.asyncio import Redis\n"
        ),
        "{all_fixed}"
    );
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn the_configuration_is_reloaded_when_it_changes() {
    let project = Project::repo(&[("app/m.py", LEGACY)]);
    let doc = uri(&project.path().join("app/m.py"));
    let (mut server, _) = Server::start(project.path(), &["utf-8"]);
    server.open(&doc, LEGACY);
    assert_eq!(
        codes(&server.diagnostics(&doc, 1)),
        ["RU100 0:0-0:15", "RU103 5:4-5:19"]
    );

    // Written on disk, reported by the client's file watcher.
    let config = project.write("redis-unify.toml", "ignore = [\"RU100\"]\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 1}]}),
    );
    assert_eq!(codes(&server.diagnostics(&doc, 1)), ["RU103 5:4-5:19"]);

    // Saved from the editor; per-file-ignores apply to the document's path.
    project.write(
        "redis-unify.toml",
        "[per-file-ignores]\n\"app/*\" = [\"RU103\"]\n",
    );
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    assert_eq!(codes(&server.diagnostics(&doc, 1)), ["RU100 0:0-0:15"]);

    // A broken configuration: told once, the defaults apply.
    project.write("redis-unify.toml", "selectt = [\"RU1\"]\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let shown = server.notification("window/showMessage", |_| true);
    assert!(
        shown["message"].as_str().unwrap().contains("selectt"),
        "{shown}"
    );
    assert_eq!(
        codes(&server.diagnostics(&doc, 1)),
        ["RU100 0:0-0:15", "RU103 5:4-5:19"]
    );

    // Excluded paths have no findings.
    project.write("redis-unify.toml", "extend-exclude = [\"app\"]\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert_eq!(codes(&server.diagnostics(&doc, 1)), Vec::<String>::new());
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn manifests_are_checked_and_know_the_project_as_it_changes_on_disk() {
    let project = Project::repo(&[("app/m.py", "x = 1\n")]);
    let requirements = uri(&project.path().join("requirements.txt"));
    let text = "redis<4\naioredis==2.0.1\n";
    let (mut server, _) = Server::start(project.path(), &["utf-8"]);
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": requirements, "languageId": "pip-requirements", "version": 1, "text": text}}),
    );
    // No Python file imports redis.asyncio or aioredis yet: no RU302.
    assert_eq!(
        codes(&server.diagnostics(&requirements, 1)),
        ["RU300 1:0-1:15"]
    );
    // RU300's fix is unsafe, and says so; fix-all (safe only) is not offered.
    let actions = server.code_actions(
        &requirements,
        json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}),
        None,
    );
    assert_eq!(
        titles(&actions),
        [
            "redis-unify (RU300): Remove it: this list already requires `redis` (make sure that requirement admits `>=5.0.1`) (unsafe fix) [quickfix]",
            "redis-unify (RU300): Suppress with `# noqa: RU300` [quickfix]",
        ]
    );
    assert_eq!(apply(text, &actions[0], &requirements), "redis<4\n");
    assert_eq!(
        apply(text, &actions[1], &requirements),
        "redis<4\naioredis==2.0.1  # noqa: RU300\n"
    );
    // A Python file starts importing aioredis on disk: the project's answer is
    // asked again, and the cap below 4.2.0 is reported.
    let module = project.write("app/m.py", "import aioredis\n");
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&module), "type": 2}]}),
    );
    assert_eq!(
        codes(&server.diagnostics(&requirements, 1)),
        ["RU302 0:0-0:7", "RU300 1:0-1:15"]
    );
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn each_workspace_folder_has_its_own_settings() {
    let project = Project::new();
    project.write("api/app/m.py", LEGACY);
    project.write(
        "worker/redis-unify.toml",
        "ignore = [\"RU100\"]\nextend-exclude = [\"gen\"]\n",
    );
    project.write("worker/app/m.py", LEGACY);
    let (api, worker) = (project.path().join("api"), project.path().join("worker"));
    let (mut server, _) = Server::start_with_folders(project.path(), &[&api, &worker], &["utf-8"]);
    let in_api = uri(&api.join("app/m.py"));
    let in_worker = uri(&worker.join("app/m.py"));
    let generated = uri(&worker.join("gen/m.py"));
    server.open(&in_api, LEGACY);
    server.open(&in_worker, LEGACY);
    server.open(&generated, LEGACY);
    assert_eq!(
        codes(&server.diagnostics(&in_api, 1)),
        ["RU100 0:0-0:15", "RU103 5:4-5:19"]
    );
    assert_eq!(
        codes(&server.diagnostics(&in_worker, 1)),
        ["RU103 5:4-5:19"]
    );
    assert_eq!(
        codes(&server.diagnostics(&generated, 1)),
        Vec::<String>::new()
    );
    // A folder added later, with its own configuration.
    let jobs = project.path().join("jobs");
    project.write(
        "jobs/pyproject.toml",
        "[tool.redis-unify]\nselect = [\"RU103\"]\n",
    );
    server.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": uri(&jobs), "name": "jobs"}], "removed": []}}),
    );
    let in_jobs = uri(&jobs.join("m.py"));
    server.open(&in_jobs, LEGACY);
    assert_eq!(codes(&server.diagnostics(&in_jobs, 1)), ["RU103 5:4-5:19"]);
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn hostile_documents_and_messages_never_stop_the_server() {
    let project = Project::repo(&[("m.py", "x = 1\n")]);
    let doc = uri(&project.path().join("m.py"));
    let (mut server, _) = Server::start(project.path(), &["utf-8"]);

    // A document that does not parse: RU001 is an error, other findings stay.
    server.open(&doc, "import aioredis\ndef broken(:\n    pass\n");
    let found = server.diagnostics(&doc, 1);
    let errors: Vec<&Value> = found.iter().filter(|d| d["code"] == "RU001").collect();
    assert!(!errors.is_empty(), "{found:?}");
    assert!(errors.iter().all(|d| d["severity"] == 1));
    assert!(
        found
            .iter()
            .any(|d| d["code"] == "RU100" && d["severity"] == 2)
    );

    // Deeply nested code.
    server.change(
        &doc,
        2,
        &format!("import aioredis\nx = {}1\n", "1 + ".repeat(100_000)),
    );
    assert!(
        codes(&server.diagnostics(&doc, 2))
            .iter()
            .any(|c| c.starts_with("RU001"))
    );

    // Garbage: not a header, not JSON, JSON that is no message, a huge claimed length cut short is last.
    server.send_raw(b"hello there\r\n");
    server.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    server.send_raw(b"Content-Length: 13\r\n\r\n{\"what\": 42}\n");
    let logged = server.notification("window/logMessage", |p| {
        p["message"].as_str().unwrap().contains("not LSP")
    });
    assert_eq!(logged["type"], 1);
    // Requests whose id LSP does not allow: answered with an InvalidRequest
    // error, with the id echoed where JSON-RPC allows it (a number), else null.
    for (id, echoed) in [
        ("null", json!(null)),
        ("{\"a\": 1}", json!(null)),
        ("1.5", json!(1.5)),
        ("99999999999", json!(99999999999u64)),
    ] {
        let body = format!(r#"{{"jsonrpc": "2.0", "id": {id}, "method": "shutdown"}}"#);
        server.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        let answer = server.notification(UNUSABLE_ID_RESPONSE, |_| true);
        assert_eq!(answer["id"], echoed, "{answer}");
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("id is not a 32-bit integer or a string"),
            "{answer}"
        );
    }
    // Requests with bad params, unknown methods, unknown documents.
    let bad = server
        .request("textDocument/codeAction", json!("garbage"))
        .unwrap_err();
    assert_eq!(bad.code, -32602);
    let unknown = server
        .request("redis-unify/nothing", json!({}))
        .unwrap_err();
    assert_eq!(unknown.code, -32601);
    let nobody = uri(&project.path().join("not_open.py"));
    let none = server.code_actions(
        &nobody,
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
        None,
    );
    assert!(none.is_empty());
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": nobody, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    server.notify("textDocument/didOpen", json!({"textDocument": 7}));

    // A request cancelled in the same breath: cancelled, or answered if it was
    // already handled; either way the server goes on.
    let id = server.send_request("textDocument/codeAction", json!({"textDocument": {"uri": doc}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}));
    server.notify("$/cancelRequest", json!({"id": id}));
    match server.response(&id) {
        Ok(actions) => assert!(actions.is_array()),
        Err(error) => assert_eq!(error.code, -32800),
    }

    // A document closed as soon as opened (in one write: the server reads
    // both before checking, or checks first): the last word on it is "none".
    let brief = uri(&project.path().join("brief.py"));
    let mut both = Vec::new();
    Message::from(Notification::new(
        "textDocument/didOpen".to_string(),
        json!({"textDocument": {"uri": brief, "languageId": "python", "version": 1, "text": "import aioredis\n"}}),
    ))
    .write(&mut both)
    .unwrap();
    Message::from(Notification::new(
        "textDocument/didClose".to_string(),
        json!({"textDocument": {"uri": brief}}),
    ))
    .write(&mut both)
    .unwrap();
    server.send_raw(&both);

    // Still working.
    server.change(&doc, 3, "import aioredis\n");
    assert_eq!(codes(&server.diagnostics(&doc, 3)), ["RU100 0:0-0:15"]);
    let published_for_brief: Vec<&Value> = server
        .backlog
        .iter()
        .filter_map(|m| match m {
            Message::Notification(n)
                if n.method == "textDocument/publishDiagnostics"
                    && n.params["uri"] == brief.as_str() =>
            {
                Some(&n.params["diagnostics"])
            }
            _ => None,
        })
        .collect();
    assert_eq!(published_for_brief.last(), Some(&&json!([])));
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn a_25_mb_buffer_is_checked() {
    let project = Project::repo(&[("big.py", "x = 1\n")]);
    let doc = uri(&project.path().join("big.py"));
    let line = "value = compute(alpha, beta, gamma) + [1, 2, 3]  # a comment é\n";
    let mut text = String::from("import aioredis\n");
    while text.len() < 25 * 1024 * 1024 {
        text.push_str(line);
    }
    text.push_str("import aioredis.client\n");
    let last_line = text.lines().count() - 1;
    let (mut server, _) = Server::start(project.path(), &["utf-16"]);
    server.open(&doc, &text);
    assert_eq!(
        codes(&server.diagnostics(&doc, 1)),
        [
            "RU100 0:0-0:15".to_string(),
            format!("RU100 {last_line}:0-{last_line}:22")
        ]
    );
    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc}}),
    );
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn garbage_before_initialize_and_unreadable_initialize_params() {
    let project = Project::new();
    let mut server = Server::spawn(project.path());
    server.send_raw(b"Content-Length: 3\r\n\r\n{{{");
    let early = server
        .request("textDocument/codeAction", json!({}))
        .unwrap_err();
    assert_eq!(early.code, -32002); // ServerNotInitialized
    let result = server
        .request("initialize", json!({"capabilities": 5, "rootUri": 7}))
        .unwrap();
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    server.notify("initialized", json!({}));
    let again = server.request("initialize", json!({})).unwrap_err();
    assert_eq!(again.code, -32600);
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let project = Project::new();
    let (mut server, _) = Server::start(project.path(), &[]);
    server.notify("exit", Value::Null);
    server.stdin.take();
    assert_eq!(server.child.wait().unwrap().code(), Some(1));
}

/// Runs the binary in `dir` with `input` on standard input.
fn stdin_run(dir: &Path, args: &[&str], input: &str) -> common::Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-unify"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("REDIS_UNIFY_OUTPUT_FORMAT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    common::Run::from(output)
}

/// An `untitled:` Python buffer is checked as a file at the root of the first
/// workspace folder, with that folder's configuration (said in the log); an
/// open requirements file's unsaved text is what `target-redis-version`
/// defaults from until it is closed.
#[test]
fn untitled_buffers_and_unsaved_manifests() {
    let project = Project::repo(&[
        ("requirements.txt", "redis>=5.0.1\n"),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.redis-unify]\nextend-select = [\"RU207\"]\n",
        ),
        (
            "app/c.py",
            "import redis.asyncio\nclient = redis.asyncio.Redis(host='h')\n",
        ),
    ]);
    let root = project.path().canonicalize().unwrap();
    let (mut server, _) = Server::start(&root, &["utf-8"]);

    let untitled = "untitled:Untitled-1";
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": untitled, "languageId": "python", "version": 1,
            "text": "import aioredis\nr = aioredis.StrictRedis(host='h', socket_timeout=5)\n"}}),
    );
    // RU207 is off by default: the folder's configuration applies.
    assert_eq!(
        codes(&server.diagnostics(untitled, 1)),
        vec!["RU100 0:0-0:15", "RU207 1:4-1:24"]
    );
    let expected = format!(
        "untitled:Untitled-1 is checked as {}",
        root.join("Untitled-1.py").display()
    );
    server.notification("window/logMessage", |p| {
        p["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&expected)
    });
    // Another language in an untitled buffer is not checked.
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "untitled:notes", "languageId": "markdown", "version": 1,
            "text": "import aioredis\n"}}),
    );
    assert!(server.diagnostics("untitled:notes", 1).is_empty());

    let app = uri(&root.join("app/c.py"));
    server.open(
        &app,
        "import redis.asyncio\nclient = redis.asyncio.Redis(host='h')\n",
    );
    assert_eq!(codes(&server.diagnostics(&app, 1)), vec!["RU201 1:9-1:28"]);
    // redis >= 8 has a default socket timeout: RU201 goes as soon as the
    // requirement says so in the buffer, before it is saved...
    let requirements = uri(&root.join("requirements.txt"));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": requirements, "languageId": "pip-requirements",
            "version": 1, "text": "redis>=5.0.1\n"}}),
    );
    server.change(&requirements, 2, "redis>=8.0\n");
    loop {
        if server.diagnostics(&app, 1).is_empty() {
            break;
        }
    }
    // ... and comes back when the buffer is closed unsaved: the disk counts again.
    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": requirements}}),
    );
    loop {
        if codes(&server.diagnostics(&app, 1)) == vec!["RU201 1:9-1:28"] {
            break;
        }
    }
    assert_eq!(server.shutdown(), 0);
}

/// The `# noqa` action places its comment as `check --add-noqa` does (never
/// where `#` would be text), and RU002, when selected, offers its fix to
/// remove a `# noqa` that suppresses nothing.
#[test]
fn noqa_actions_follow_add_noqa_and_unused_noqa_is_fixable() {
    let project = Project::repo(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.redis-unify]\nextend-select = [\"RU002\"]\n",
    )]);
    let root = project.path().canonicalize().unwrap();
    let doc = uri(&root.join("app/m.py"));
    let text = "import aioredis  # noqa: RU100\nx = f'''{aioredis.create_redis}\n'''\nimport os  # noqa: RU101, F401\n";
    let (mut server, _) = Server::start(&root, &["utf-8"]);
    server.open(&doc, text);
    let found = server.diagnostics(&doc, 1);
    assert_eq!(codes(&found), ["RU101 1:9-1:30", "RU002 3:11-3:30"]);

    // RU101 starts on a line that ends inside a multi-line f-string: no `# noqa`.
    let line1 = json!({"start": {"line": 1, "character": 12}, "end": {"line": 1, "character": 12}});
    let titles1 = titles(&server.code_actions(&doc, line1, Some(&["quickfix"])));
    assert!(titles1.iter().all(|t| !t.contains("noqa")), "{titles1:?}");

    // RU002's fix keeps the other tool's code.
    let line3 = json!({"start": {"line": 3, "character": 14}, "end": {"line": 3, "character": 14}});
    let actions = server.code_actions(&doc, line3, Some(&["quickfix"]));
    let fix = actions
        .iter()
        .find(|a| {
            a["title"] == "redis-unify (RU002): Remove the unused codes from the `noqa` directive"
        })
        .unwrap_or_else(|| panic!("{:?}", titles(&actions)));
    let fixed = apply(text, fix, &doc);
    assert!(fixed.ends_with("import os  # noqa: F401\n"), "{fixed}");
    server.change(&doc, 2, &fixed);
    assert_eq!(codes(&server.diagnostics(&doc, 2)), ["RU101 1:9-1:30"]);
    assert_eq!(server.shutdown(), 0);
}

const FACTORY_1X: &str = "import aioredis\n\n\nasync def create_pool(address):\n    return await aioredis.create_redis_pool(address)\n";
const FACTORY_REDIS_PY: &str = "import redis.asyncio as aioredis\n\n\nasync def create_pool(address):\n    return aioredis.from_url(address, socket_timeout=5)\n";
const VIEWS: &str = "from app.db import create_pool\n\n\nasync def view():\n    redis = await create_pool(\"redis://localhost\")\n    await redis.wait_closed()\n";

/// Whether a publishDiagnostics for `uri` is kept back.
fn published_for(server: &Server, uri: &str) -> bool {
    server.backlog.iter().any(|m| {
        matches!(m, Message::Notification(n)
            if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
    })
}

/// The project index in the server (issue 14): b.py's finding comes from
/// a.py's definition (another module), follows a.py's unsaved buffer as it
/// changes, and a change of a.py that no other module can see (a comment at
/// the end) checks nothing else again.
#[test]
fn findings_from_another_module_follow_its_open_buffer() {
    let project = Project::repo(&[
        ("app/__init__.py", ""),
        ("app/db.py", FACTORY_1X),
        ("app/views.py", VIEWS),
    ]);
    let (mut server, _) = Server::start(project.path(), &["utf-8"]);
    let views = uri(&project.path().join("app/views.py"));
    let db = uri(&project.path().join("app/db.py"));
    server.open(&views, VIEWS);
    let found = server.diagnostics(&views, 1);
    assert_eq!(codes(&found), ["RU101 5:16-5:27"]);
    // The related location: where the factory is defined, in the other module.
    let related = &found[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], db.as_str());
    assert_eq!(related["location"]["range"]["start"]["line"], 3);

    // a.py's buffer now builds a redis-py client: b.py has nothing left.
    server.open(&db, FACTORY_REDIS_PY);
    assert_eq!(codes(&server.diagnostics(&db, 1)), Vec::<String>::new());
    assert_eq!(codes(&server.diagnostics(&views, 1)), Vec::<String>::new());

    // Back to 1.x in the buffer (the disk never changed): the finding returns.
    server.change(&db, 2, FACTORY_1X);
    assert_eq!(
        codes(&server.diagnostics(&db, 2)),
        ["RU100 0:0-0:15", "RU101 4:17-4:43"]
    );
    assert_eq!(codes(&server.diagnostics(&views, 1)), ["RU101 5:16-5:27"]);

    // A line above the factory moves where it is defined: b.py's related
    // location follows.
    server.change(&db, 3, &format!("# the pool\n{FACTORY_1X}"));
    assert_eq!(
        codes(&server.diagnostics(&db, 3)),
        ["RU100 1:0-1:15", "RU101 5:17-5:43"]
    );
    let found = server.diagnostics(&views, 1);
    assert_eq!(
        found[0]["relatedInformation"][0]["location"]["range"]["start"]["line"],
        4
    );
    // A comment at the end changes nothing another module sees: b.py is not
    // checked again (the answer to a later request comes after any publish).
    server.change(&db, 4, &format!("# the pool\n{FACTORY_1X}# end\n"));
    assert_eq!(
        codes(&server.diagnostics(&db, 4)),
        ["RU100 1:0-1:15", "RU101 5:17-5:43"]
    );
    let _ = server.code_actions(
        &views,
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
        None,
    );
    assert!(!published_for(&server, &views), "{:?}", server.backlog);

    // Closing a.py hands it back to the disk (1.x): b.py keeps its finding.
    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": db}}),
    );
    assert_eq!(codes(&server.diagnostics(&views, 1)), ["RU101 5:16-5:27"]);
    assert_eq!(server.shutdown(), 0);
}

/// The import fix is judged against every module (issue 14's safety hole), in
/// the editor too: app/db.py's `import aioredis` swap is not safe while
/// app/views.py reads `aioredis.exceptions` through it, so "fix all" (safe
/// fixes, what editors run on save) swaps only the function's own import;
/// once views.py's buffer no longer reads it, fix all swaps both.
#[test]
fn fix_all_judges_the_import_fix_against_other_modules() {
    let db_text = "import aioredis\n\nclient = aioredis.from_url(\"redis://localhost\", socket_timeout=5)\n\n\ndef make():\n    import aioredis as local\n\n    return local.from_url(\"redis://localhost\", socket_timeout=5)\n";
    let views_text = "from app.db import aioredis, client\n\n\nasync def view():\n    try:\n        return await client.get(\"k\")\n    except aioredis.exceptions.RedisError:\n        return None\n";
    let project = Project::repo(&[
        ("app/__init__.py", ""),
        ("app/db.py", db_text),
        ("app/views.py", views_text),
    ]);
    let (mut server, _) = Server::start(project.path(), &["utf-8"]);
    let db = uri(&project.path().join("app/db.py"));
    let views = uri(&project.path().join("app/views.py"));
    let line0 = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});
    let fix_all = ["redis-unify: Fix all safe findings in this file [source.fixAll.redis-unify]"];
    server.open(&db, db_text);
    assert_eq!(
        codes(&server.diagnostics(&db, 1)),
        ["RU100 0:0-0:15", "RU100 6:4-6:28"]
    );
    let actions = server.code_actions(&db, line0.clone(), Some(&["source.fixAll"]));
    assert_eq!(titles(&actions), fix_all);
    let fixed = apply(db_text, &actions[0], &db);
    assert!(fixed.starts_with("import aioredis\n"), "{fixed}");
    assert!(
        fixed.contains("    import redis.asyncio as local\n"),
        "{fixed}"
    );
    // Alone (`--stdin-filename`, no index) both swaps look safe: the index holds one.
    let alone = stdin_run(
        project.path(),
        &["fix", "--stdin-filename", "app/db.py"],
        db_text,
    );
    assert!(
        alone.stdout.starts_with("import redis.asyncio as aioredis"),
        "{}",
        alone.stdout
    );

    // views.py's buffer catches another exception: the module-level swap is safe now.
    server.open(
        &views,
        &views_text.replace("aioredis.exceptions.RedisError", "Exception"),
    );
    let _ = server.diagnostics(&views, 1);
    let _ = server.diagnostics(&db, 1);
    let actions = server.code_actions(&db, line0, Some(&["source.fixAll"]));
    assert_eq!(titles(&actions), fix_all);
    let fixed = apply(db_text, &actions[0], &db);
    assert!(
        fixed.starts_with("import redis.asyncio as aioredis\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    import redis.asyncio as local\n"),
        "{fixed}"
    );
    assert_eq!(server.shutdown(), 0);
}
