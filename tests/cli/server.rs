//! `mapfix server` as an editor runs it: the built binary driven over stdio
//! with Content-Length framed JSON-RPC, from `initialize` to `exit`.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How long any one message may take to arrive before the test fails.
const TIMEOUT: Duration = Duration::from_secs(30);

struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
}

impl Session {
    fn start(args: &[&str], dir: &std::path::Path) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mapfix"))
            .arg("server")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn mapfix server");
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Session {
            stdin: child.stdin.take(),
            child,
            incoming,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (other messages are skipped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none());
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The next message satisfying `wanted`, within the timeout.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(_) => continue,
                Err(e) => panic!("no expected message from the server within {TIMEOUT:?}: {e}"),
            }
        }
    }

    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// Waits for the process to end, within the timeout.
    fn exit_status(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("mapfix server did not exit within {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Reads one Content-Length framed message; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
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
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The `file://` URI an editor sends for `path`: every byte but the
/// unreserved ones and `/` percent-encoded (RFC 3986).
fn file_uri(path: &std::path::Path) -> String {
    let mut uri = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(b as char),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri
}

/// Applies LSP text edits (UTF-16 positions; ASCII text here) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["character"].as_u64().unwrap() as usize;
        text.split_inclusive('\n').take(line).map(str::len).sum::<usize>() + col
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

const BUFFER: &str = "package p\n\nfunc reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";

#[test]
fn a_session_publishes_diagnostics_for_a_buffer_and_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module example.com/p\n\ngo 1.22\n").unwrap();
    // On disk the file has nothing to find; only the unsaved buffer has the loop.
    let path = dir.path().join("p.go");
    std::fs::write(&path, "package p\n").unwrap();
    let uri = file_uri(&path);

    let mut s = Session::start(&[], dir.path());
    let init = s.request(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(dir.path()), "capabilities": {}}),
    );
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["change"], 1,
        "full sync: {init}"
    );
    assert!(init["capabilities"]["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap()
        .contains(&json!("source.fixAll.mapfix")));
    s.notify("initialized", json!({}));
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": BUFFER}}),
    );
    let diagnostics = s.diagnostics_for(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "range-delete");
    assert_eq!(d["source"], "mapfix");
    assert_eq!(d["severity"], 2, "warning");
    assert_eq!(d["range"]["start"], json!({"line": 3, "character": 1}));
    assert_eq!(d["range"]["end"], json!({"line": 5, "character": 2}));

    let actions = s.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 3, "character": 5}, "end": {"line": 3, "character": 5}},
            "context": {"diagnostics": [d]},
        }),
    );
    let actions = actions.as_array().unwrap();
    let quick = actions.iter().find(|a| a["kind"] == "quickfix").expect("a quick fix");
    assert_eq!(quick["title"], "mapfix: replace loop with clear(m)");
    let edits = quick["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply(BUFFER, edits);
    assert_eq!(fixed, "package p\n\nfunc reset(m map[string]int) {\n\tclear(m)\n}\n");
    assert!(actions.iter().any(|a| a["kind"] == "source.fixAll.mapfix"));

    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 3}}),
    );
    assert!(
        hover["contents"]["value"].as_str().unwrap().starts_with("range-delete"),
        "{hover}"
    );

    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert!(s.diagnostics_for(&uri).is_empty(), "the fixed buffer has no finding");
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    assert!(s.diagnostics_for(&uri).is_empty());

    assert_eq!(s.request("shutdown", Value::Null), Value::Null);
    s.notify("exit", Value::Null);
    let status = s.exit_status();
    assert_eq!(status.code(), Some(0), "exit after shutdown is status 0");
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::start(&[], dir.path());
    s.request("initialize", json!({"processId": null, "capabilities": {}}));
    s.notify("initialized", json!({}));
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_status().code(), Some(1));
}

#[test]
fn an_unreadable_rules_dir_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = Session::start(&["--rules", "no-such-dir"], dir.path());
    assert_eq!(s.exit_status().code(), Some(2));
}

impl Session {
    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn initialize(&mut self, dir: &std::path::Path) {
        self.request(
            "initialize",
            json!({"processId": null, "rootUri": file_uri(dir), "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
    }
}

/// A well-framed body that is not JSON, one that is JSON but not JSON-RPC,
/// and a Content-Length no memory holds: each gets a JSON-RPC error and the
/// session goes on. After `shutdown` a request gets an error, and `exit`
/// ends the server with status 0.
#[test]
fn hostile_framing_and_requests_after_shutdown_are_answered() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module example.com/p\n\ngo 1.22\n").unwrap();
    let path = dir.path().join("p.go");
    std::fs::write(&path, "package p\n").unwrap();
    let uri = file_uri(&path);
    let mut s = Session::start(&[], dir.path());
    s.initialize(dir.path());

    s.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let e = s.wait_for(|m| m.get("error").is_some());
    assert_eq!(e["error"]["code"], -32700, "{e}");
    assert_eq!(e["id"], Value::Null);
    s.send_raw(b"Content-Length: 24\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":5}");
    let e = s.wait_for(|m| m.get("error").is_some());
    assert_eq!(
        (e["id"].clone(), e["error"]["code"].clone()),
        (json!(5), json!(-32600)),
        "{e}"
    );
    // A length no one can allocate, with (here) no body: skipped, answered, and
    // then the input ends, so it is the last thing this session sends.
    let mut big = Session::start(&[], dir.path());
    big.initialize(dir.path());
    big.send_raw(b"Content-Length: 99999999999\r\n\r\n{}");
    drop(big.stdin.take());
    assert!(big.exit_status().code().is_some(), "the server must end, not abort");

    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": BUFFER}}),
    );
    assert_eq!(s.diagnostics_for(&uri).len(), 1, "the session went on");

    assert_eq!(s.request("shutdown", Value::Null), Value::Null);
    s.send(json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}}));
    let e = s.wait_for(|m| m.get("id") == Some(&json!(99)));
    assert_eq!(e["error"]["code"], -32600, "{e}");
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_status().code(), Some(0));
}

/// Many open files of one package: opening them does not re-analyse the
/// others each time, and a hover sent after the burst is answered promptly.
#[test]
fn many_open_files_of_one_package_are_analysed_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module example.com/p\n\ngo 1.22\n").unwrap();
    let mut uris = Vec::new();
    for i in 0..150 {
        let path = dir.path().join(format!("f{i:03}.go"));
        let text = BUFFER.replace("func reset", &format!("func reset{i}"));
        std::fs::write(&path, &text).unwrap();
        uris.push((file_uri(&path), text));
    }
    let mut s = Session::start(&[], dir.path());
    s.initialize(dir.path());
    let start = std::time::Instant::now();
    for (uri, text) in &uris {
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}}),
        );
    }
    s.send(json!({"jsonrpc": "2.0", "id": 500, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uris[0].0}, "position": {"line": 3, "character": 2}}}));
    let (mut published, mut hover) = (0, None);
    while published < uris.len() || hover.is_none() {
        let m = s.wait_for(|_| true);
        if m["method"] == "textDocument/publishDiagnostics" {
            published += 1;
        } else if m["id"] == 500 {
            hover = Some(m["result"].clone());
        }
    }
    assert!(hover.unwrap().to_string().contains("range-delete"));
    assert!(start.elapsed() < Duration::from_secs(20), "took {:?}", start.elapsed());
    // Nothing more: each file was published once.
    assert!(
        s.incoming.recv_timeout(Duration::from_millis(500)).is_err(),
        "a file was analysed twice"
    );
}
