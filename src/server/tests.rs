//! The server's handlers driven in-process: messages in, messages out.
//! Not for the stdio transport, which `tests/cli/server.rs` drives through the binary.

use super::protocol::{path_to_uri, UNSAFE_MARK};
use super::*;
use lsp_server::RequestId;
use serde_json::{json, Value};
use std::path::PathBuf;

struct Fixture {
    dir: tempfile::TempDir,
    server: Server,
    next_id: i32,
}

impl Fixture {
    /// A module with `go 1.22`, and a server with `settings`.
    fn new(settings: Settings) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module example.com/p\n\ngo 1.22\n").unwrap();
        Fixture {
            dir,
            server: Server::new(ServerOptions::default(), settings),
            next_id: 1,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn uri(&self, name: &str) -> Uri {
        path_to_uri(&self.path(name)).unwrap()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) -> Vec<Message> {
        let mut out = self
            .server
            .handle(Message::Notification(Notification::new(method.into(), params)));
        // Every changed buffer's diagnostics, as the message loop sends them
        // while no message waits.
        while self.server.has_pending() {
            out.extend(self.server.flush_one());
        }
        out
    }

    fn open(&mut self, name: &str, text: &str) -> Vec<Message> {
        let uri = self.uri(name);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "go", "version": 1, "text": text}}),
        )
    }

    fn change(&mut self, name: &str, version: i32, text: &str) -> Vec<Message> {
        let uri = self.uri(name);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        )
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        let out = self
            .server
            .handle(Message::Request(Request::new(id, method.into(), params)));
        let [Message::Response(r)] = &out[..] else {
            panic!("one response expected: {out:?}")
        };
        r.response_result.clone().expect("a result")
    }

    /// The code actions for the whole of `name`'s buffer (`only`: kinds asked for).
    fn actions(&mut self, name: &str, only: Option<&[&str]>) -> Vec<Value> {
        let uri = self.uri(name);
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let result = self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}},
                "context": context,
            }),
        );
        result.as_array().cloned().unwrap_or_default()
    }
}

/// The diagnostics published for `uri` among `out` (the last publication).
fn published(out: &[Message], uri: &Uri) -> Option<Vec<Value>> {
    out.iter().rev().find_map(|m| match m {
        Message::Notification(n)
            if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == json!(uri.as_str()) =>
        {
            Some(n.params["diagnostics"].as_array().unwrap().clone())
        }
        _ => None,
    })
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

/// LSP edits applied to `text` (positions through the server's own line map).
fn apply(text: &str, edits: &Value) -> String {
    let map = protocol::LineMap::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let range: lsp_types::Range = serde_json::from_value(e["range"].clone()).unwrap();
            (
                map.offset(range.start),
                map.offset(range.end),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

fn edits_of<'a>(action: &'a Value, uri: &Uri) -> &'a Value {
    &action["edit"]["changes"][uri.as_str()]
}

const LOOP: &str = "package p\n\nfunc reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
const CLEARED: &str = "package p\n\nfunc reset(m map[string]int) {\n\tclear(m)\n}\n";
/// A float key: `clear` also deletes NaN keys, so the fix is unsafe.
const FLOAT_LOOP: &str =
    "package p\n\nfunc drop(f map[float64]int) {\n\tfor k := range f {\n\t\tdelete(f, k)\n\t}\n}\n";

#[test]
fn diagnostics_come_from_the_buffer_not_the_disk() {
    let mut fx = Fixture::new(Settings::default());
    fx.write("a.go", "package p\n");
    fx.write("b.go", LOOP);
    let out = fx.open("a.go", LOOP);
    let diagnostics = published(&out, &fx.uri("a.go")).expect("published on open");
    assert_eq!(codes(&diagnostics), ["range-delete"]);
    assert_eq!(diagnostics[0]["source"], "mapfix");
    assert_eq!(diagnostics[0]["severity"], 2);
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 3, "character": 1}, "end": {"line": 5, "character": 2}})
    );
    let out = fx.open("b.go", "package p\n");
    assert_eq!(
        published(&out, &fx.uri("b.go")),
        Some(vec![]),
        "b.go's buffer has no loop"
    );
    let out = fx.change("a.go", 2, CLEARED);
    assert_eq!(published(&out, &fx.uri("a.go")), Some(vec![]));
    let out = fx.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": fx.uri("a.go")}}),
    );
    assert_eq!(published(&out, &fx.uri("a.go")), Some(vec![]), "closing clears");
}

#[test]
fn a_quick_fix_per_fix_with_its_safety_and_unsafe_ones_only_when_asked() {
    let mut fx = Fixture::new(Settings::default());
    let text = format!("{LOOP}{}", FLOAT_LOOP.trim_start_matches("package p\n"));
    let out = fx.open("a.go", &text);
    let diagnostics = published(&out, &fx.uri("a.go")).unwrap();
    assert_eq!(codes(&diagnostics), ["range-delete", "range-delete"]);
    assert!(
        diagnostics[1]["message"]
            .as_str()
            .unwrap()
            .contains("unsafe fix available"),
        "{}",
        diagnostics[1]["message"]
    );
    let actions = fx.actions("a.go", Some(&["quickfix"]));
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["mapfix: replace loop with clear(m)"]);
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["diagnostics"][0]["code"], "range-delete");
    let uri = fx.uri("a.go");
    assert!(apply(&text, edits_of(&actions[0], &uri)).starts_with(CLEARED));

    fx.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"mapfix": {"unsafe": true}}}),
    );
    let actions = fx.actions("a.go", Some(&["quickfix"]));
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "mapfix: replace loop with clear(m)".to_string(),
            format!(
                "mapfix: replace loop with clear(f) (key type float64 can hold NaN, which the loop cannot delete){UNSAFE_MARK}"
            )
        ]
    );
    assert_eq!(actions[1]["isPreferred"], false);
}

#[test]
fn a_quick_fix_brings_the_imports_it_needs() {
    let mut fx = Fixture::new(Settings { unsafe_fixes: true });
    let text = "package p\n\nfunc f(names []string) {\n\tresults := make(map[string]int)\n\tfor _, name := range names {\n\t\tgo func() {\n\t\t\tresults[name] = len(name)\n\t\t}()\n\t}\n\tdelete(results, \"go\")\n}\n";
    fx.open("a.go", text);
    let actions = fx.actions("a.go", Some(&["quickfix"]));
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(actions[0]["title"].as_str().unwrap().ends_with(UNSAFE_MARK));
    let fixed = apply(text, edits_of(&actions[0], &fx.uri("a.go")));
    assert!(fixed.starts_with("package p\n\nimport \"sync\"\n\nfunc f"), "{fixed}");
    assert!(fixed.contains("\tvar results sync.Map\n") && fixed.contains("results.Delete(\"go\")"));
}

#[test]
fn fix_all_applies_the_safe_fixes_and_unsafe_ones_when_asked() {
    let mut fx = Fixture::new(Settings::default());
    let text = format!("{LOOP}{}", FLOAT_LOOP.trim_start_matches("package p\n"));
    fx.open("a.go", &text);
    let uri = fx.uri("a.go");
    let actions = fx.actions("a.go", Some(&["source.fixAll"]));
    assert_eq!(actions.len(), 1, "only the fix-all: {actions:?}");
    assert_eq!(actions[0]["kind"], FIX_ALL);
    assert_eq!(actions[0]["title"], "mapfix: apply all safe fixes");
    assert_eq!(edits_of(&actions[0], &uri).as_array().unwrap().len(), 1, "one edit");
    let fixed = apply(&text, edits_of(&actions[0], &uri));
    assert_eq!(
        fixed,
        format!("{CLEARED}{}", FLOAT_LOOP.trim_start_matches("package p\n"))
    );

    fx.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"unsafe": true}}),
    );
    let actions = fx.actions("a.go", Some(&["source"]));
    let fixed = apply(&text, edits_of(&actions[0], &uri));
    assert!(
        fixed.ends_with("func drop(f map[float64]int) {\n\tclear(f)\n}\n"),
        "{fixed}"
    );
    assert!(!fixed.contains("delete("));
    assert!(fx.actions("a.go", Some(&["refactor"])).is_empty());
}

#[test]
fn crlf_and_bom_buffers_get_positions_and_edits_in_their_own_terms() {
    let mut fx = Fixture::new(Settings::default());
    let crlf = |t: &str| {
        format!(
            "\u{feff}{}",
            t.replace('\n', "\r\n").replace("\tfor k", "\t_ = \"é😀\"; for k")
        )
    };
    let text = crlf(LOOP);
    let out = fx.open("a.go", &text);
    let diagnostics = published(&out, &fx.uri("a.go")).unwrap();
    // Before `for`: a tab, `_ = "`, é, 😀 (two UTF-16 units), `"; `.
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 3, "character": 12}, "end": {"line": 5, "character": 2}})
    );
    let actions = fx.actions("a.go", Some(&["quickfix"]));
    let fixed = apply(&text, edits_of(&actions[0], &fx.uri("a.go")));
    let want = format!("\u{feff}{}", LOOP.replace('\n', "\r\n")).replace(
        "\tfor k := range m {\r\n\t\tdelete(m, k)\r\n\t}",
        "\t_ = \"é😀\"; clear(m)",
    );
    assert_eq!(fixed, want);
    let actions = fx.actions("a.go", Some(&[FIX_ALL]));
    assert_eq!(apply(&text, edits_of(&actions[0], &fx.uri("a.go"))), fixed);
}

#[test]
fn config_excludes_disables_and_suppressions_are_honoured() {
    let mut fx = Fixture::new(Settings::default());
    fx.write("mapfix.toml", "exclude = [\"skip_*.go\"]\n");
    let out = fx.open("skip_me.go", LOOP);
    assert_eq!(published(&out, &fx.uri("skip_me.go")), Some(vec![]));
    let suppressed = LOOP.replace("for k := range m {", "for k := range m { //mapfix:ignore range-delete");
    let out = fx.open("quiet.go", &suppressed);
    assert_eq!(published(&out, &fx.uri("quiet.go")), Some(vec![]));
    let out = fx.open("a.go", LOOP);
    assert_eq!(codes(&published(&out, &fx.uri("a.go")).unwrap()), ["range-delete"]);
    // The config is read again when it changes.
    std::thread::sleep(std::time::Duration::from_millis(20));
    fx.write(
        "mapfix.toml",
        "exclude = [\"skip_*.go\"]\n[rules]\ndisable = [\"range-delete\"]\n",
    );
    let out = fx.change("a.go", 2, &format!("{LOOP}\n"));
    assert_eq!(published(&out, &fx.uri("a.go")), Some(vec![]));
    std::thread::sleep(std::time::Duration::from_millis(20));
    fx.write("mapfix.toml", "[rules]\ndisable = [\"range-delet\"]\n");
    let out = fx.change("a.go", 3, LOOP);
    let diagnostics = published(&out, &fx.uri("a.go")).unwrap();
    assert_eq!(codes(&diagnostics), ["config"]);
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains("mapfix.toml:2:") && message.contains("did you mean range-delete"),
        "{message}"
    );
}

#[test]
fn go_version_comes_from_go_mod() {
    let mut fx = Fixture::new(Settings::default());
    fx.write("go.mod", "module example.com/p\n\ngo 1.20\n");
    let out = fx.open("a.go", LOOP);
    let diagnostics = published(&out, &fx.uri("a.go")).unwrap();
    assert_eq!(codes(&diagnostics), ["range-delete"]);
    assert!(fx.actions("a.go", None).is_empty(), "clear needs Go 1.21: no fix");
}

#[test]
fn open_sibling_buffers_win_over_their_files() {
    let mut fx = Fixture::new(Settings::default());
    // The key type lives in another file: a float key makes the fix unsafe.
    fx.write("types.go", "package p\n\ntype Key string\n");
    let text = "package p\n\nfunc reset(m map[Key]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n";
    fx.open("a.go", text);
    assert_eq!(fx.actions("a.go", Some(&["quickfix"])).len(), 1, "string keys: safe");
    let out = fx.open("types.go", "package p\n\ntype Key float64\n");
    assert!(
        published(&out, &fx.uri("a.go")).is_some(),
        "a sibling's change publishes the package's open files again"
    );
    assert!(
        fx.actions("a.go", Some(&["quickfix"])).is_empty(),
        "the unsaved float key makes the fix unsafe"
    );
    fx.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": fx.uri("types.go")}}),
    );
    assert_eq!(
        fx.actions("a.go", Some(&["quickfix"])).len(),
        1,
        "the file on disk again"
    );
}

#[test]
fn hover_shows_the_rules_explanation() {
    let mut fx = Fixture::new(Settings::default());
    fx.open("a.go", LOOP);
    let uri = fx.uri("a.go");
    let hover = fx.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 2}}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    let explain = crate::rules::catalogue::explain(&crate::rules::builtin_rules(), "range-delete").unwrap();
    assert_eq!(value, explain);
    let outside = fx.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}),
    );
    assert_eq!(outside, Value::Null);
}

#[test]
fn settings_come_from_initialization_options_in_either_shape() {
    let nested = json!({"mapfix": {"unsafe": true}});
    let flat = json!({"unsafe": true});
    assert_eq!(
        Settings::from_json(Some(&nested)),
        Some(Settings { unsafe_fixes: true })
    );
    assert_eq!(Settings::from_json(Some(&flat)), Some(Settings { unsafe_fixes: true }));
    assert_eq!(Settings::from_json(Some(&json!({"other": 1}))), None);
    let empty = json!({"mapfix": {}});
    assert_eq!(
        Settings::from_json(Some(&empty)),
        Some(Settings::default()),
        "a section without it: the default"
    );
    assert_eq!(Settings::from_json(None), None);
}

#[test]
fn unknown_requests_are_answered_with_an_error() {
    let mut fx = Fixture::new(Settings::default());
    let out = fx.server.handle(Message::Request(Request::new(
        RequestId::from(7),
        "textDocument/definition".into(),
        json!({}),
    )));
    let [Message::Response(r)] = &out[..] else { panic!() };
    assert_eq!(
        r.response_result.as_ref().unwrap_err().code,
        ErrorCode::MethodNotFound as i32
    );
}

#[test]
fn a_related_location_becomes_related_information() {
    let mut f = Fixture::new(Settings::default());
    let text = "package p\n\nimport \"sync\"\n\ntype Cache struct {\n\tmu    sync.Mutex\n\titems map[string]int\n}\n\n\
                func (c *Cache) Put(k string, v int) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.items[k] = v\n}\n\n\
                func (c *Cache) Del(k string) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tdelete(c.items, k)\n}\n\n\
                func (c *Cache) Get(k string) int {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\treturn c.items[k]\n}\n\n\
                func (c *Cache) Peek(k string) int {\n\treturn c.items[k]\n}\n";
    f.write("c.go", text);
    let uri = f.uri("c.go");
    let out = f.open("c.go", text);
    let diagnostics = published(&out, &uri).expect("diagnostics");
    assert_eq!(codes(&diagnostics), ["unlocked-map"]);
    let related = diagnostics[0]["relatedInformation"]
        .as_array()
        .expect("related information");
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["message"], "`c.mu` held here");
    assert_eq!(related[0]["location"]["uri"], json!(uri.as_str()));
    // `c.items` of Put, line 13 (0-based 12), after the tab.
    assert_eq!(
        related[0]["location"]["range"],
        json!({"start": {"line": 12, "character": 1}, "end": {"line": 12, "character": 8}})
    );
}

#[test]
fn syntax_errors_are_left_to_the_go_tools_by_their_kind() {
    let mut f = Fixture::new(Settings::default());
    let text = "package p\n\nfunc f(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n\nfunc g( {\n";
    let out = f.open("a.go", text);
    let logged = out
        .iter()
        .any(|m| matches!(m, Message::Notification(n) if n.method == "window/logMessage"));
    assert!(!logged, "{out:?}");
    assert_eq!(published(&out, &f.uri("a.go")), Some(Vec::new()));
}
