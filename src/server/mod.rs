//! `mapfix server`, a Language Server on stdio: handshake, message loop, dispatch.
//! Not for analysis (`workspace.rs`) or converting to LSP types (`protocol.rs`).

mod protocol;
pub mod transport;
mod workspace;

#[cfg(test)]
mod tests;

pub use protocol::FIX_ALL;
pub use workspace::{ServerOptions, Settings};

use crate::diagnostic::FileErrorKind;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability, MessageType,
    PublishDiagnosticsParams, SaveOptions, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use workspace::Workspace;

/// Runs the server until the client says `exit`; the exit status is 0
/// after a `shutdown` request, 1 otherwise (as LSP asks), 2 on bad options.
pub fn run(options: ServerOptions) -> i32 {
    // A `--rules DIR` that cannot be loaded is a mistake on the command line, said at once
    // (in one line: the server's stderr is an editor's log).
    if let Err(e) = crate::pipeline::load_rules(None, &options.rule_dirs) {
        return crate::report::fail(&crate::report::Message(e.to_string()));
    }
    let (connection, writer) = transport::stdio();
    let code = match serve(&connection, options) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mapfix server: {e}");
            1
        }
    };
    drop(connection);
    if writer.join().is_err() {
        eprintln!("mapfix server: the writer thread panicked");
        return 1;
    }
    code
}

/// What the server offers the client.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                include_text: Some(false),
            })),
            ..TextDocumentSyncOptions::default()
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::new(FIX_ALL)]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

fn serve(connection: &Connection, options: ServerOptions) -> Result<i32, Box<dyn std::error::Error>> {
    let (id, params) = connection.initialize_start()?;
    let settings = Settings::from_json(params.get("initializationOptions")).unwrap_or_default();
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "mapfix", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server::new(options, settings);
    let mut shut_down = false;
    loop {
        let Ok(message) = connection.receiver.recv() else {
            // The client went away without `exit`.
            return Ok(1);
        };
        match message {
            Message::Notification(n) if n.method == lsp_types::notification::Exit::METHOD => {
                return Ok(if shut_down { 0 } else { 1 })
            }
            Message::Request(req) if req.method == lsp_types::request::Shutdown::METHOD => {
                shut_down = true;
                connection
                    .sender
                    .send(Message::Response(Response::new_ok(req.id, serde_json::Value::Null)))?;
            }
            // After `shutdown`, requests get an error (LSP), notifications nothing.
            Message::Request(req) if shut_down => {
                connection.sender.send(Message::Response(Response::new_err(
                    req.id,
                    ErrorCode::InvalidRequest as i32,
                    "mapfix server: the server is shutting down".into(),
                )))?;
            }
            _ if shut_down => {}
            message => {
                let request = match &message {
                    Message::Request(r) => Some(r.id.clone()),
                    _ => None,
                };
                for out in guarded(request, || server.handle(message)) {
                    connection.sender.send(out)?;
                }
            }
        }
        // Diagnostics wait until the messages that came meanwhile are handled
        // (a burst of edits is analysed once), one buffer at a time, so that a
        // request arriving meanwhile is answered before the rest.
        while !shut_down && connection.receiver.is_empty() && server.has_pending() {
            for out in guarded(None, || server.flush_one()) {
                connection.sender.send(out)?;
            }
        }
    }
}

/// Runs a handler; a panic (its message is on stderr) ends only this
/// message, answered with an error when it was a request.
fn guarded(request: Option<lsp_server::RequestId>, handler: impl FnOnce() -> Vec<Message>) -> Vec<Message> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(handler)) {
        Ok(out) => out,
        Err(_) => request
            .map(|id| {
                Message::Response(Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    "mapfix server: internal error (see its standard error)".into(),
                ))
            })
            .into_iter()
            .collect(),
    }
}

/// The message handlers, apart from the connection (tests drive them directly).
pub struct Server {
    workspace: Workspace,
    /// Buffers whose diagnostics are to be published.
    dirty: Pending,
}

impl Server {
    pub fn new(options: ServerOptions, settings: Settings) -> Self {
        Server {
            workspace: Workspace::new(options, settings),
            dirty: Pending::default(),
        }
    }

    /// Handles one message; returns the messages to send (responses, and
    /// `publishDiagnostics` for closed files). Diagnostics of open files
    /// come from `flush_one`.
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(req) => vec![Message::Response(self.request(req))],
            Message::Notification(n) => self.notification(n),
            Message::Response(_) => Vec::new(),
        }
    }

    /// Whether some buffer's diagnostics are still to be published.
    pub fn has_pending(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// `publishDiagnostics` for one changed buffer: the one edited last
    /// first (its analysis supersedes those queued before), then the other
    /// open files of its package.
    pub fn flush_one(&mut self) -> Vec<Message> {
        let mut out = Vec::new();
        let Some(uri) = self.dirty.pop() else {
            return out;
        };
        {
            let Some(analysis) = self.workspace.analysis(&uri) else {
                return out;
            };
            let doc = self.workspace.document(&uri).expect("analysed");
            let unsafe_fixes = self.workspace.settings.unsafe_fixes;
            let diagnostics = protocol::diagnostics(&analysis, &doc.text, unsafe_fixes);
            let errors = analysis.report.iter().flat_map(|r| &r.errors);
            // Syntax errors are the Go tools' to show; other errors (a fix left out) go to the log.
            for e in errors.filter(|e| e.kind != FileErrorKind::Syntax) {
                out.push(log(
                    MessageType::WARNING,
                    format!("{}: {}", e.path.display(), e.message),
                ));
            }
            out.push(publish(uri, diagnostics, Some(doc.version)));
        }
        out
    }

    fn request(&mut self, req: Request) -> Response {
        let result = match req.method.as_str() {
            CodeActionRequest::METHOD => serde_json::from_value(req.params).map(|p| self.code_actions(p)),
            HoverRequest::METHOD => serde_json::from_value(req.params).map(|p| self.hover(p)),
            _ => {
                return Response::new_err(
                    req.id,
                    ErrorCode::MethodNotFound as i32,
                    format!("mapfix server does not handle {}", req.method),
                )
            }
        };
        match result {
            Ok(value) => Response::new_ok(req.id, value),
            Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    fn code_actions(&mut self, p: lsp_types::CodeActionParams) -> serde_json::Value {
        let uri = p.text_document.uri;
        let Some(analysis) = self.workspace.analysis(&uri) else {
            return serde_json::Value::Null;
        };
        let doc = self.workspace.document(&uri).expect("analysed");
        let actions = protocol::code_actions(
            &analysis,
            &uri,
            &doc.text,
            p.range,
            p.context.only.as_deref(),
            self.workspace.settings.unsafe_fixes,
        );
        serde_json::to_value(actions).unwrap_or_default()
    }

    fn hover(&mut self, p: lsp_types::HoverParams) -> serde_json::Value {
        let at = p.text_document_position_params;
        let Some(analysis) = self.workspace.analysis(&at.text_document.uri) else {
            return serde_json::Value::Null;
        };
        let doc = self.workspace.document(&at.text_document.uri).expect("analysed");
        serde_json::to_value(protocol::hover(&analysis, &doc.text, at.position)).unwrap_or_default()
    }

    fn notification(&mut self, n: Notification) -> Vec<Message> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) {
                    let doc = p.text_document;
                    self.changed(doc.uri, doc.text, doc.version);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    let Some(mut text) = self.workspace.document(&uri).map(|d| d.text.clone()) else {
                        return Vec::new();
                    };
                    for change in p.content_changes {
                        match change.range {
                            // Full sync is what the server asks for; a ranged change is applied anyway.
                            Some(range) => {
                                let map = protocol::LineMap::new(&text);
                                let span = map.offset(range.start)..map.offset(range.end).max(map.offset(range.start));
                                text.replace_range(span, &change.text);
                            }
                            None => text = change.text,
                        }
                    }
                    self.changed(uri, text, p.text_document.version);
                }
            }
            DidSaveTextDocument::METHOD => {
                // Files on disk may have changed with it (siblings, go.mod): analyse again.
                self.workspace.invalidate();
                let open: Vec<Uri> = self.workspace.documents().map(|d| d.uri.clone()).collect();
                self.dirty.extend(open);
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    let siblings = self.workspace.same_directory(&uri);
                    self.workspace.close_document(&uri);
                    self.dirty.remove(&uri);
                    for other in siblings.into_iter().filter(|u| *u != uri) {
                        self.workspace.invalidate_one(&other);
                        self.dirty.insert(other);
                    }
                    return vec![publish(uri, Vec::new(), None)];
                }
            }
            DidChangeConfiguration::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidChangeConfigurationParams>(n.params) {
                    if let Some(settings) = Settings::from_json(Some(&p.settings)) {
                        if settings != self.workspace.settings {
                            self.workspace.settings = settings;
                            self.workspace.invalidate();
                            let open: Vec<Uri> = self.workspace.documents().map(|d| d.uri.clone()).collect();
                            self.dirty.extend(open);
                        }
                    }
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// A buffer opened or edited: it is analysed again first, then the open
    /// files of its package (once each, however many edits came meanwhile),
    /// unless the buffer only opened a file as it is on disk, which changes
    /// nothing for them.
    fn changed(&mut self, uri: Uri, text: String, version: i32) {
        let as_on_disk = self.workspace.document(&uri).is_none()
            && protocol::uri_to_path(&uri)
                .and_then(|p| std::fs::read(p).ok())
                .is_some_and(|disk| disk == text.as_bytes());
        self.workspace.set_document(uri.clone(), text, version);
        if !as_on_disk {
            for other in self.workspace.same_directory(&uri) {
                self.workspace.invalidate_one(&other);
                self.dirty.insert(other);
            }
        }
        self.workspace.invalidate_one(&uri);
        self.dirty.urgent(uri);
    }
}

/// Buffers waiting for analysis, the most urgent last.
#[derive(Default)]
struct Pending(Vec<Uri>);

impl Pending {
    /// Queues `uri` behind those waiting, unless it waits already.
    fn insert(&mut self, uri: Uri) {
        if !self.0.contains(&uri) {
            self.0.insert(0, uri);
        }
    }

    /// Puts `uri` first in line.
    fn urgent(&mut self, uri: Uri) {
        self.0.retain(|u| *u != uri);
        self.0.push(uri);
    }

    fn extend(&mut self, uris: impl IntoIterator<Item = Uri>) {
        for uri in uris {
            self.insert(uri);
        }
    }

    fn remove(&mut self, uri: &Uri) {
        self.0.retain(|u| u != uri);
    }

    fn pop(&mut self) -> Option<Uri> {
        self.0.pop()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Message::Notification(Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    ))
}

fn log(typ: MessageType, message: String) -> Message {
    Message::Notification(Notification::new(
        LogMessage::METHOD.to_string(),
        lsp_types::LogMessageParams { typ, message },
    ))
}
