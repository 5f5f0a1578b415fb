//! The connection to the client over standard input and output.
//!
//! The messages, their JSON-RPC shapes and the channels are lsp-server's. Only
//! the reading of standard input is ours: lsp-server's stdio reader stops the
//! whole connection at the first message it cannot parse, and allocates the
//! `Content-Length` a client claims before reading it. Here a malformed
//! message becomes a [`MALFORMED`] notification (the session logs it and goes
//! on), a request whose id LSP does not allow is answered with an error (its
//! id echoed when JSON-RPC allows it, else `null`; lsp-server's ids can be
//! neither, so the writer takes that answer framed), and a body is read as it
//! arrives.

use std::io::{BufRead, Read, Write};
use std::thread::JoinHandle;

use lsp_server::{Connection, Message, Notification};

/// The method of the notification a malformed message becomes; its params are
/// the reason, as a string.
pub const MALFORMED: &str = "$/redis-unify/malformedMessage";

/// The longest header line read before the line is judged garbage.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// Threads copying between the channels and stdio.
pub struct IoThreads {
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Waits until every message sent has been written. (The reader is not
    /// joined: it may be blocked on a standard input the client keeps open.)
    pub fn join_writer(self) {
        let _ = self.writer.join();
    }
}

/// What the writer thread writes: the session's messages, and the answers
/// the reader gives itself to requests the session never sees.
enum Outgoing {
    Message(Message),
    /// Already framed bytes ([`unusable_id_error`]).
    Framed(Vec<u8>),
    /// The session has dropped its sender: everything it sent is written.
    End,
}

/// A connection over the process's standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    let (server, bridge) = Connection::memory();
    let Connection { sender, receiver } = bridge;
    let (outgoing, to_write) = std::sync::mpsc::channel::<Outgoing>();
    let answers = outgoing.clone();
    std::thread::Builder::new()
        .name("lsp-reader".to_string())
        .spawn(move || {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            loop {
                let message = match read_message(&mut input) {
                    Ok(Some(message)) => message,
                    Ok(None) => break,
                    Err(ReadError::Malformed(reason)) => {
                        Message::Notification(Notification::new(MALFORMED.to_string(), reason))
                    }
                    Err(ReadError::UnusableId { id, reason }) => {
                        let _ = answers.send(Outgoing::Framed(unusable_id_error(&id, &reason)));
                        Message::Notification(Notification::new(MALFORMED.to_string(), reason))
                    }
                    Err(ReadError::Io(error)) => {
                        crate::errln!("error: cannot read standard input: {error}");
                        break;
                    }
                };
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if sender.send(message).is_err() || exit {
                    break;
                }
            }
        })
        .expect("cannot start the reader thread");
    // The session's messages, in order, then the end: the reader may hold its
    // sender for ever (blocked on a standard input the client keeps open).
    std::thread::Builder::new()
        .name("lsp-forwarder".to_string())
        .spawn(move || {
            for message in receiver {
                if outgoing.send(Outgoing::Message(message)).is_err() {
                    return;
                }
            }
            let _ = outgoing.send(Outgoing::End);
        })
        .expect("cannot start the forwarder thread");
    let writer = std::thread::Builder::new()
        .name("lsp-writer".to_string())
        .spawn(move || {
            let stdout = std::io::stdout();
            let mut output = stdout.lock();
            for outgoing in to_write {
                let written = match outgoing {
                    Outgoing::Message(message) => message.write(&mut output),
                    Outgoing::Framed(bytes) => output.write_all(&bytes),
                    Outgoing::End => break,
                };
                if written.and_then(|()| output.flush()).is_err() {
                    break; // the client has gone
                }
            }
        })
        .expect("cannot start the writer thread");
    (server, IoThreads { writer })
}

/// Why no message was read.
#[derive(Debug)]
pub enum ReadError {
    /// Input that is not a message; it has been consumed, and the next call
    /// reads what follows.
    Malformed(String),
    /// A request whose `id` LSP does not allow (not a 32-bit integer, not a
    /// string): answered with an InvalidRequest error carrying `id` — the
    /// request's own when it is a number JSON-RPC allows (`1.5`, `2^40`), else
    /// `null`, as JSON-RPC 2.0 asks when the id cannot be told.
    UnusableId {
        id: serde_json::Value,
        reason: String,
    },
    /// Standard input cannot be read any more.
    Io(std::io::Error),
}

/// The next message: `Ok(None)` at the end of the input.
pub fn read_message(input: &mut impl BufRead) -> Result<Option<Message>, ReadError> {
    use ReadError::Malformed;
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = input
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
            .map_err(ReadError::Io)?;
        if read == 0 {
            return Ok(None);
        }
        if !line.ends_with(b"\n") {
            // The rest of an over-long line goes with it: one report per line.
            input.skip_until(b'\n').map_err(ReadError::Io)?;
            return Err(Malformed(format!(
                "a header line longer than {MAX_HEADER_LINE} bytes, or cut short: {}",
                excerpt(&line)
            )));
        }
        let header = String::from_utf8_lossy(&line);
        let mut header = header.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        // Resynchronise after a body shorter than its Content-Length said (a
        // client counting characters, not bytes): the rest of that body runs
        // into the next header line, which still ends with a real header.
        if let Some(at) = header.to_ascii_lowercase().rfind("content-length:")
            && at > 0
        {
            header = &header[at..];
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(Malformed(format!("not a header: {}", excerpt(&line))));
        };
        if name.trim().eq_ignore_ascii_case("Content-Length") {
            let parsed = value.trim().parse().map_err(|_| {
                Malformed(format!(
                    "Content-Length is not a number: {}",
                    excerpt(&line)
                ))
            })?;
            length = Some(parsed);
        }
    }
    let Some(length) = length else {
        return Err(Malformed("a message without Content-Length".to_string()));
    };
    let mut body = Vec::new();
    input
        .by_ref()
        .take(length as u64)
        .read_to_end(&mut body)
        .map_err(ReadError::Io)?;
    if body.len() < length {
        return Ok(None); // the input ended inside the message
    }
    let unusable_id = |id| ReadError::UnusableId {
        id,
        reason: format!(
            "a request whose id is not a 32-bit integer or a string: {}",
            excerpt(&body)
        ),
    };
    match serde_json::from_slice(&body) {
        // lsp-server reads `{"id": null, "method": ...}` as a notification: it
        // ignores the `id`, which makes it a request all the same.
        Ok(Message::Notification(notification)) => {
            match memchr::memmem::find(&body, b"\"id\"").and_then(|_| unusable_id_of(&body)) {
                Some(id) => Err(unusable_id(id)),
                None => Ok(Some(Message::Notification(notification))),
            }
        }
        Ok(message) => Ok(Some(message)),
        Err(e) => match unusable_id_of(&body) {
            Some(id) => Err(unusable_id(id)),
            None => Err(Malformed(format!(
                "not a JSON-RPC message ({e}): {}",
                excerpt(&body)
            ))),
        },
    }
}

/// When `body` is a request (it has a `method`) with an `id` LSP does not
/// allow (not a 32-bit integer, not a string): the id its answer carries, the
/// request's own when JSON-RPC allows it (a number), else `null`.
fn unusable_id_of(body: &[u8]) -> Option<serde_json::Value> {
    let Ok(serde_json::Value::Object(message)) = serde_json::from_slice(body) else {
        return None;
    };
    if !message
        .get("method")
        .is_some_and(serde_json::Value::is_string)
    {
        return None;
    }
    match message.get("id")? {
        serde_json::Value::String(_) => None,
        serde_json::Value::Number(n) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => {
            None
        }
        number @ serde_json::Value::Number(_) => Some(number.clone()),
        _ => Some(serde_json::Value::Null),
    }
}

/// The answer to a request whose id is unusable ([`ReadError::UnusableId`]),
/// framed.
pub fn unusable_id_error(id: &serde_json::Value, reason: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {
            "code": lsp_server::ErrorCode::InvalidRequest as i32,
            "message": reason,
        },
    })
    .to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The start of some bytes, for a log line.
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(120)]);
    format!("{:?}{}", text, if bytes.len() > 120 { "…" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn garbage_is_reported_and_the_stream_goes_on() {
        let input = format!(
            "{}{}hello\r\n{}{}Content-Length: x\r\n\r\n{}\n{}",
            framed("{not json"),
            framed(r#"{"what": 1}"#),
            framed(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            framed(r#"{"jsonrpc":"2.0","id":null,"method":"shutdown"}"#),
            "x".repeat(100_000),
            framed(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        );
        let mut input = input.as_bytes();
        let mut seen = Vec::new();
        loop {
            match read_message(&mut input) {
                Ok(None) => break,
                Ok(Some(Message::Notification(n))) => seen.push(n.method),
                Ok(Some(other)) => seen.push(format!("{other:?}")),
                Err(ReadError::Malformed(reason)) => {
                    seen.push(format!("error: {}", reason.split(' ').next().unwrap()))
                }
                Err(ReadError::UnusableId { reason, .. }) => seen.push(format!(
                    "unusable id: {}",
                    reason.split(' ').next().unwrap()
                )),
                Err(ReadError::Io(error)) => panic!("{error}"),
            }
        }
        assert_eq!(
            seen,
            [
                "error: not",
                "error: not",
                "error: not",
                "initialized",
                "unusable id: a",
                "error: Content-Length",
                "error: a",
                "error: a",
                "exit"
            ]
        );
    }

    #[test]
    fn a_body_shorter_than_its_length_loses_one_message_not_the_stream() {
        // "é" is 2 bytes: a client counting characters claims one byte too few.
        let short = r#"{"jsonrpc":"2.0","method":"x","params":"é"}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{short}{}",
            short.chars().count(),
            framed(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        );
        let mut input = input.as_bytes();
        let mut exited = false;
        for _ in 0..5 {
            match read_message(&mut input) {
                Ok(Some(Message::Notification(n))) if n.method == "exit" => {
                    exited = true;
                    break;
                }
                Ok(None) => break,
                _ => {}
            }
        }
        assert!(exited, "the next message is read again");
    }

    #[test]
    fn a_claimed_length_is_not_allocated_up_front() {
        let input = "Content-Length: 1000000000000\r\n\r\n{}";
        assert!(matches!(read_message(&mut input.as_bytes()), Ok(None)));
    }
}
