//! The stdio transport of `mapfix server`: LSP's `Content-Length` framing,
//! read here rather than by `lsp-server`, so that a message that is not
//! JSON-RPC gets a JSON-RPC error reply instead of ending the server, and a
//! message over `MAX_MESSAGE_BYTES` is skipped without being held in memory.
//! Not for dispatch (`mod.rs`).

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, Message};
use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The largest message read: a bigger one is answered with an error and
/// skipped (the largest Go file mapfix reads is 16 MiB; JSON escaping may
/// double it).
const MAX_MESSAGE_BYTES: usize = 40 << 20;

/// The longest header line read.
const MAX_HEADER_LINE: usize = 8 << 10;

/// JSON-RPC's error codes for what cannot be dispatched.
const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

/// The writer thread; joining it flushes every message sent.
pub struct Writer(JoinHandle<()>);

impl Writer {
    pub fn join(self) -> std::thread::Result<()> {
        self.0.join()
    }
}

/// A connection over stdin and stdout. The reader thread stops at the end of
/// input or after `exit`; it is not joined (a client that never closes
/// stdin must not keep the server alive).
pub fn stdio() -> (Connection, Writer) {
    let out = Arc::new(Mutex::new(io::stdout()));
    let (to_client, outgoing) = crossbeam_channel::unbounded::<Message>();
    let (incoming, from_client) = crossbeam_channel::unbounded::<Message>();
    let writer_out = out.clone();
    let writer = std::thread::spawn(move || write_all(&outgoing, &writer_out));
    std::thread::spawn(move || {
        let stdin = io::stdin();
        read_all(&mut stdin.lock(), &incoming, &out);
    });
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        Writer(writer),
    )
}

fn write_all(outgoing: &Receiver<Message>, out: &Mutex<io::Stdout>) {
    for message in outgoing {
        let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
        if message.write(&mut *out).is_err() {
            return;
        }
    }
}

/// Reads messages until the end of input or `exit`, answering those that
/// cannot be read with an error on `out`.
fn read_all(input: &mut impl BufRead, incoming: &Sender<Message>, out: &Mutex<impl Write>) {
    loop {
        let frame = match read_frame(input) {
            Ok(Some(frame)) => frame,
            Ok(None) | Err(_) => return,
        };
        let reply = match frame {
            Frame::Body(bytes) => match serde_json::from_slice::<Message>(&bytes) {
                Ok(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if incoming.send(message).is_err() || exit {
                        return;
                    }
                    continue;
                }
                Err(e) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(value) => error_reply(
                        value.get("id").cloned().filter(valid_id),
                        INVALID_REQUEST,
                        &format!("not a JSON-RPC message: {e}"),
                    ),
                    Err(e) => error_reply(None, PARSE_ERROR, &format!("message is not JSON: {e}")),
                },
            },
            Frame::TooLarge(len) => error_reply(
                None,
                INVALID_REQUEST,
                &format!("message of {len} bytes is over the {MAX_MESSAGE_BYTES}-byte limit; skipped"),
            ),
            Frame::BadHeader(why) => error_reply(None, PARSE_ERROR, &why),
        };
        let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
        if out.write_all(reply.as_bytes()).and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}

fn valid_id(id: &serde_json::Value) -> bool {
    id.is_string() || id.is_i64() || id.is_u64()
}

/// A framed JSON-RPC error response.
fn error_reply(id: Option<serde_json::Value>, code: i32, message: &str) -> String {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(serde_json::Value::Null),
        "error": { "code": code, "message": format!("mapfix server: {message}") },
    })
    .to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

/// One framed message, or why there is none.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Body(Vec<u8>),
    /// A body over the limit, read and dropped.
    TooLarge(u64),
    /// Headers without a usable `Content-Length` (the body, if any, is lost).
    BadHeader(String),
}

/// Reads one message: headers up to a blank line, then `Content-Length`
/// bytes. `None` at the end of input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<u64, String>> = None;
    let mut any_header = false;
    loop {
        let Some(line) = read_line(input)? else {
            return Ok(None);
        };
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !any_header {
                // Blank lines between messages.
                continue;
            }
            break;
        }
        any_header = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| format!("bad Content-Length {:?}", value.trim())),
                );
            }
        }
    }
    let len = match length {
        None => return Ok(Some(Frame::BadHeader("a message without Content-Length".into()))),
        Some(Err(why)) => return Ok(Some(Frame::BadHeader(why))),
        Some(Ok(len)) => len,
    };
    if len > MAX_MESSAGE_BYTES as u64 {
        let skipped = io::copy(&mut input.by_ref().take(len), &mut io::sink())?;
        if skipped < len {
            return Ok(None);
        }
        return Ok(Some(Frame::TooLarge(len)));
    }
    let mut body = Vec::new();
    input.by_ref().take(len).read_to_end(&mut body)?;
    if (body.len() as u64) < len {
        return Ok(None);
    }
    Ok(Some(Frame::Body(body)))
}

/// A header line (with its newline), at most `MAX_HEADER_LINE` bytes kept.
fn read_line(input: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = input
        .by_ref()
        .take(MAX_HEADER_LINE as u64)
        .read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") && n == MAX_HEADER_LINE {
        // Drop the rest of an overlong line.
        let mut rest = Vec::new();
        input.read_until(b'\n', &mut rest)?;
    }
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// The messages passed on and the replies written, for an input.
    fn run(input: &[u8]) -> (Vec<Message>, String) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let out = Mutex::new(Vec::new());
        read_all(&mut io::Cursor::new(input), &tx, &out);
        drop(tx);
        (
            rx.iter().collect(),
            String::from_utf8(out.into_inner().unwrap()).unwrap(),
        )
    }

    #[test]
    fn bad_messages_get_errors_and_the_rest_goes_on() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}"#;
        let input = [
            frame("{not json"),
            frame(r#"{"jsonrpc":"2.0","id":7,"bogus":true}"#),
            "Content-Length: 99999999999\r\n\r\n".to_string(),
        ]
        .concat();
        let (messages, replies) = run(input.as_bytes());
        assert!(messages.is_empty());
        assert!(
            replies.contains(r#""id":null"#) && replies.contains("-32700"),
            "{replies}"
        );
        assert!(replies.contains(r#""id":7"#) && replies.contains("-32600"), "{replies}");

        let input = [
            frame("[1, 2"),
            "Content-Type: x\r\n\r\n".to_string(),
            "Content-Length: abc\r\n\r\n".to_string(),
            frame(ok),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(ok),
        ]
        .concat();
        let (messages, replies) = run(input.as_bytes());
        assert_eq!(messages.len(), 2, "the request, then exit; nothing read after exit");
        assert_eq!(replies.matches("\"jsonrpc\"").count(), 3, "{replies}");
    }

    #[test]
    fn an_oversized_body_is_skipped_not_held() {
        let big = format!(
            "Content-Length: {}\r\n\r\n{}",
            MAX_MESSAGE_BYTES + 1,
            " ".repeat(MAX_MESSAGE_BYTES + 1)
        );
        let input = [big, frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#)].concat();
        let (messages, replies) = run(input.as_bytes());
        assert_eq!(messages.len(), 1);
        assert!(replies.contains("over the"), "{replies}");
    }

    /// Random bytes, truncated frames and garbage headers: the reader ends
    /// or goes on, never panics.
    #[test]
    fn fuzzed_framing_never_panics() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let pieces: [&[u8]; 9] = [
            b"Content-Length: ",
            b"12",
            b"\r\n",
            b"\r\n\r\n",
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}",
            b"99999999999999999999",
            b"\xff\xfe",
            b":",
            b"{",
        ];
        for _ in 0..2000 {
            let mut input = Vec::new();
            for _ in 0..(next() % 12) {
                input.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let _ = run(&input);
        }
    }
}
