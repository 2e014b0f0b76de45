//! The lock state along one function: which `x.mu` are held at each access
//! of a candidate map field, each call of a package method and each lock
//! taken, statement by statement (branches joined, loops walked twice,
//! `break`/`continue` carried to their targets). When unsure, a lock counts
//! as held: branches join by union, a closure handed to a call or deferred
//! starts with the locks of its site, a stored closure is walked but its
//! accesses never count. A `go` literal starts with no lock.

use super::access::{self, AccessKind, Site};
use super::candidates::Candidates;
use super::locks::{is_wait, join, lock_call, Held, ORDERED};
use crate::go::syntax::{self, code_children, GoNode};
use crate::go::types::PackageScope;
use std::collections::{HashMap, HashSet};

/// Where code runs, as far as locks go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// The function's own body, or a closure run where it is written.
    Body,
    /// A `go` statement's function literal.
    Goroutine,
    /// `sync.Once.Do`'s function: initialisation.
    Construction,
    /// A stored closure: when it runs is unknown.
    Unknown,
}

#[derive(Debug, Clone)]
pub enum EventKind {
    /// An access of candidate map field `field` of type `ty` through `base`
    /// (`alias`: through a local holding the field's map).
    Access {
        base: String,
        ty: String,
        field: String,
        kind: AccessKind,
        alias: bool,
    },
    /// `recv.x = …` on the receiver: the method sets its value's fields.
    SetField,
    /// `base.field = …`: the field itself is replaced.
    Assign { ty: String, field: String },
    /// `base.method(…)` on a value of the package type `ty`.
    Call { base: String, ty: String, method: String },
    /// A package function called by name.
    FuncCall { name: String },
    /// `base.method` used as a value: its callers are unknown.
    MethodValue { ty: String, method: String },
    /// `obj.Lock()`/`RLock()`; `ty` is the type of the lock's owner when known.
    Take { ty: Option<String>, mutex: String },
}

#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    pub held: Held,
    pub ctx: Ctx,
    /// 0 for the function's body; each `go` literal has its own number.
    pub unit: usize,
    /// Whether the function's locks on entry (through its receiver) apply here.
    pub inherits: bool,
    /// The value is one this function created and has not yet shared.
    pub fresh: bool,
    /// The value is a parameter (not the receiver): its callers are not followed.
    pub param: bool,
    /// A plain `<-ch` or `x.Wait()` statement ran before, in this goroutine.
    pub ordered: bool,
    /// Byte offsets of the construct.
    pub start: usize,
    pub end: usize,
}

/// A function's receiver: name, type name, whether a pointer.
pub type Receiver = (String, String, bool);

/// Everything the walk finds in one function declaration.
pub struct FuncWalk {
    pub key: String,
    pub recv: Option<Receiver>,
    pub events: Vec<Event>,
}

/// The key of a function declaration: `T.m` for methods, `f` for functions.
pub fn func_key(func: &GoNode) -> Option<String> {
    let name = func.field("name")?.text().to_string();
    match crate::go::methods::receiver(func) {
        Some((_, ty, _)) => Some(format!("{ty}.{name}")),
        None if func.kind() == "method_declaration" => None,
        None => Some(name),
    }
}

/// Walks a function or method declaration.
pub fn walk_function(func: &GoNode, scope: &PackageScope, cands: &Candidates) -> Option<FuncWalk> {
    let key = func_key(func)?;
    let recv = crate::go::methods::receiver(func).and_then(|(n, t, p)| Some((n?, t, p)));
    let body = func.field("body")?;
    let mut params: HashSet<String> = HashSet::new();
    let lists = std::iter::once(func.clone()).chain(body.dfs().filter(|n| n.kind() == "function_literal"));
    for f in lists {
        if let Some(list) = f.field("parameters") {
            for p in code_children(&list) {
                params.extend(p.field_children("name").map(|n| n.text().to_string()));
            }
        }
    }
    let mut w = Walker {
        scope,
        cands,
        recv: recv.clone(),
        params,
        fresh: HashMap::new(),
        aliases: access::aliases(&body, scope, cands),
        events: Vec::new(),
        units: 0,
        frames: Vec::new(),
    };
    w.fresh = access::fresh_values(&body, cands);
    let cx = Cx {
        ctx: Ctx::Body,
        unit: 0,
        inherits: true,
    };
    w.block(&body, Held::new(), cx);
    Some(FuncWalk {
        key,
        recv,
        events: w.events,
    })
}

#[derive(Debug, Clone, Copy)]
struct Cx {
    ctx: Ctx,
    unit: usize,
    inherits: bool,
}

/// A `break`/`continue` target and the states that jumped to it.
struct Frame {
    is_loop: bool,
    breaks: Vec<Held>,
    continues: Vec<Held>,
}

struct Walker<'s> {
    scope: &'s PackageScope<'s>,
    cands: &'s Candidates,
    recv: Option<Receiver>,
    params: HashSet<String>,
    /// Fresh values: name → offset where it stops being fresh.
    fresh: HashMap<String, Vec<(usize, usize)>>,
    aliases: Vec<access::Alias>,
    events: Vec<Event>,
    units: usize,
    frames: Vec<Frame>,
}

impl<'s> Walker<'s> {
    fn push(&mut self, kind: EventKind, node: &GoNode, held: &Held, cx: Cx, base: Option<&str>) {
        let start = node.range().start;
        let fresh = base.is_some_and(|b| self.is_fresh(b, start));
        let root = base.map(|b| b.split('.').next().unwrap_or(b));
        let param = root.is_some_and(|r| self.params.contains(r));
        self.events.push(Event {
            kind,
            held: held.clone(),
            ctx: cx.ctx,
            unit: cx.unit,
            inherits: cx.inherits,
            fresh,
            param,
            ordered: held.contains_key(ORDERED),
            start,
            end: node.range().end,
        });
    }

    fn is_fresh(&self, base: &str, at: usize) -> bool {
        let root = base.split('.').next().unwrap_or(base);
        self.fresh
            .get(root)
            .is_some_and(|spans| spans.iter().any(|&(from, until)| from <= at && at < until))
    }

    fn block(&mut self, list: &GoNode, st: Held, cx: Cx) -> Option<Held> {
        let mut st = Some(st);
        for s in syntax::block_statements(list) {
            let cur = st?;
            st = self.stmt(&s, cur, cx);
        }
        st
    }

    fn stmt(&mut self, s: &GoNode, mut st: Held, cx: Cx) -> Option<Held> {
        match s.kind().as_ref() {
            "block" => self.block(s, st, cx),
            "labeled_statement" => match s.field("statement") {
                Some(inner) => self.stmt(&inner, st, cx),
                None => Some(st),
            },
            "expression_statement" => {
                let e = code_children(s).into_iter().next()?;
                if let Some((obj, op)) = lock_call(&e) {
                    match op {
                        "Lock" | "RLock" => {
                            self.take(&e, &obj, &st, cx);
                            let w = st.entry(obj).or_insert(false);
                            *w |= op == "Lock";
                        }
                        _ => {
                            st.remove(&obj);
                        }
                    }
                    return Some(st);
                }
                self.scan(&e, &st, cx);
                if is_wait(&e) {
                    st.insert(ORDERED.to_string(), true);
                }
                (!syntax::is_terminating(s)).then_some(st)
            }
            "return_statement" | "goto_statement" => {
                self.scan(s, &st, cx);
                None
            }
            "break_statement" | "continue_statement" => {
                let is_break = s.kind() == "break_statement";
                let frame = if is_break {
                    self.frames.last_mut()
                } else {
                    self.frames.iter_mut().rev().find(|f| f.is_loop)
                };
                if let Some(f) = frame {
                    if is_break { &mut f.breaks } else { &mut f.continues }.push(st);
                }
                None
            }
            "go_statement" => {
                self.go_stmt(s, &st, cx);
                Some(st)
            }
            "defer_statement" => {
                if let Some(call) = s.field("call") {
                    if lock_call(&call).is_none() {
                        self.scan(&call, &st, cx);
                    }
                }
                Some(st)
            }
            "if_statement" => self.if_stmt(s, st, cx),
            "for_statement" => self.for_stmt(s, st, cx),
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => self.switch(s, st, cx),
            _ => {
                self.scan(s, &st, cx);
                Some(st)
            }
        }
    }

    fn if_stmt(&mut self, s: &GoNode, st: Held, cx: Cx) -> Option<Held> {
        let mut st = st;
        if let Some(init) = s.field("init_statement") {
            st = self.stmt(&init, st, cx)?;
        }
        let mut then_st = st.clone();
        if let Some(cond) = s.field("condition") {
            self.scan(&cond, &st, cx);
            // `if c.mu.TryLock() {`: held in the body.
            for n in cond.dfs() {
                if let Some((obj, op)) = lock_call(&n) {
                    if matches!(op, "Lock" | "RLock") {
                        then_st.insert(obj, op == "Lock");
                    }
                }
            }
        }
        let then_end = match s.field("body") {
            Some(b) => self.block(&b, then_st, cx),
            None => Some(then_st),
        };
        let else_end = match s.field("else") {
            Some(e) => self.stmt(&e, st, cx),
            None => Some(st),
        };
        join(then_end, else_end)
    }

    fn for_stmt(&mut self, s: &GoNode, st: Held, cx: Cx) -> Option<Held> {
        for c in code_children(s) {
            if c.kind() != "block" {
                self.scan(&c, &st, cx);
            }
        }
        let Some(body) = s.field("body") else {
            return Some(st);
        };
        // Twice: the second time from the state a first iteration may leave.
        let (mark, units) = (self.events.len(), self.units);
        self.frames.push(Frame {
            is_loop: true,
            breaks: Vec::new(),
            continues: Vec::new(),
        });
        let first = self.block(&body, st.clone(), cx);
        let frame = self.frames.pop().expect("pushed above");
        let mut again = join(Some(st.clone()), first);
        for c in frame.continues {
            again = join(again, Some(c));
        }
        self.events.truncate(mark);
        self.units = units;
        self.frames.push(Frame {
            is_loop: true,
            breaks: Vec::new(),
            continues: Vec::new(),
        });
        let second = self.block(&body, again.clone().unwrap_or_default(), cx);
        let frame = self.frames.pop().expect("pushed above");
        let mut out = join(again, second);
        for b in frame.breaks.into_iter().chain(frame.continues) {
            out = join(out, Some(b));
        }
        out
    }

    fn switch(&mut self, s: &GoNode, st: Held, cx: Cx) -> Option<Held> {
        let mut st = st;
        if let Some(init) = s.field("init_statement") {
            st = self.stmt(&init, st, cx)?;
        }
        for f in ["value", "operand"] {
            if let Some(v) = s.field(f) {
                self.scan(&v, &st, cx);
            }
        }
        self.frames.push(Frame {
            is_loop: false,
            breaks: Vec::new(),
            continues: Vec::new(),
        });
        let mut out = None;
        let mut has_default = false;
        for clause in code_children(s) {
            let header = match clause.kind().as_ref() {
                "expression_case_clause" => "value",
                "type_case_clause" => "type",
                "communication_clause" => "communication",
                _ => continue,
            };
            let mut cst = st.clone();
            match clause.field(header) {
                Some(h) if header == "communication" => cst = self.stmt(&h, cst, cx).unwrap_or_default(),
                Some(h) => self.scan(&h, &st, cx),
                None => has_default = true,
            }
            out = join(out, self.block(&clause, cst, cx));
        }
        let frame = self.frames.pop().expect("pushed above");
        for b in frame.breaks {
            out = join(out, Some(b));
        }
        if !has_default {
            out = join(out, Some(st));
        }
        out
    }

    fn go_stmt(&mut self, s: &GoNode, st: &Held, cx: Cx) {
        let Some(call) = s.field("call") else {
            return;
        };
        if let Some(args) = call.field("arguments") {
            self.scan(&args, st, cx);
        }
        let Some(f) = call.field("function") else {
            return;
        };
        let go_cx = Cx {
            ctx: if cx.ctx == Ctx::Body { Ctx::Goroutine } else { cx.ctx },
            unit: {
                self.units += 1;
                self.units
            },
            inherits: false,
        };
        if f.kind() == "function_literal" {
            if let Some(body) = f.field("body") {
                self.block(&body, Held::new(), go_cx);
            }
        } else {
            self.call(&call, &Held::new(), go_cx);
            if let Some(op) = f.field("operand") {
                self.scan(&op, st, cx);
            }
        }
    }

    fn take(&mut self, call: &GoNode, obj: &str, st: &Held, cx: Cx) {
        let (base, mutex) = match obj.rsplit_once('.') {
            Some((b, m)) if self.cands.is_mutex_name(m) => (b.to_string(), m.to_string()),
            _ => (obj.to_string(), String::new()),
        };
        let ty = call
            .field("function")
            .and_then(|f| f.field("operand"))
            .and_then(|o| if mutex.is_empty() { Some(o) } else { o.field("operand") })
            .and_then(|o| access::named_type(&o, self.scope));
        self.push(EventKind::Take { ty, mutex }, call, st, cx, Some(&base));
    }

    /// Records what an expression does, closures included.
    fn scan(&mut self, n: &GoNode, st: &Held, cx: Cx) {
        match n.kind().as_ref() {
            "function_literal" => return self.literal(n, st, cx),
            "selector_expression" => self.selector(n, st, cx),
            "identifier" => self.alias_use(n, st, cx),
            "call_expression" => {
                if let Some((obj, op)) = lock_call(n) {
                    if matches!(op, "Lock" | "RLock") {
                        self.take(n, &obj, st, cx);
                    }
                }
                self.call(n, st, cx);
            }
            _ => {}
        }
        for c in n.named_children() {
            self.scan(&c, st, cx);
        }
    }

    fn literal(&mut self, lit: &GoNode, st: &Held, cx: Cx) {
        let Some(body) = lit.field("body") else {
            return;
        };
        let parent = access::parent_skipping_parens(lit);
        let (ctx, start) = match parent.as_ref().map(|p| p.kind().to_string()).as_deref() {
            Some("call_expression") => (cx.ctx, st.clone()),
            Some("arguments") => {
                let once = parent
                    .as_ref()
                    .and_then(|a| a.parent())
                    .and_then(|c| c.field("function"))
                    .is_some_and(|f| f.kind() == "selector_expression" && f.text().ends_with(".Do"));
                if once {
                    (Ctx::Construction, st.clone())
                } else {
                    (cx.ctx, st.clone())
                }
            }
            _ => (Ctx::Unknown, Held::new()),
        };
        let inner = Cx {
            ctx: match ctx {
                Ctx::Unknown | Ctx::Construction => ctx,
                _ => cx.ctx,
            },
            unit: cx.unit,
            inherits: cx.inherits && ctx != Ctx::Unknown,
        };
        let saved = std::mem::take(&mut self.frames);
        self.block(&body, start, inner);
        self.frames = saved;
    }

    fn selector(&mut self, sel: &GoNode, st: &Held, cx: Cx) {
        let Some(field) = sel.field("field").map(|f| f.text().to_string()) else {
            return;
        };
        let Some(operand) = sel.field("operand") else {
            return;
        };
        if let Some((recv, _, _)) = &self.recv {
            if operand.kind() == "identifier"
                && operand.text() == recv.as_str()
                && access::classify(sel) == Some(Site::Assign)
            {
                let recv = recv.clone();
                self.push(EventKind::SetField, sel, st, cx, Some(&recv));
            }
        }
        let is_field = self.cands.is_map_field_name(&field);
        let is_method = self.cands.is_method_name(&field);
        if !is_field && !is_method {
            return;
        }
        let Some(ty) = access::named_type(&operand, self.scope) else {
            return;
        };
        let base = operand.text().to_string();
        if is_field && self.cands.is_map_field(&ty, &field) {
            match access::classify(sel) {
                Some(Site::Access(kind)) => self.push(
                    EventKind::Access {
                        base: base.clone(),
                        ty,
                        field,
                        kind,
                        alias: false,
                    },
                    sel,
                    st,
                    cx,
                    Some(&base),
                ),
                Some(Site::Assign) => self.push(EventKind::Assign { ty, field }, sel, st, cx, Some(&base)),
                None => {}
            }
        } else if is_method && self.cands.has_method(&ty, &field) {
            let called = sel.parent().is_some_and(|p| {
                p.kind() == "call_expression" && p.field("function").is_some_and(|f| f.range() == sel.range())
            });
            if !called {
                self.push(EventKind::MethodValue { ty, method: field }, sel, st, cx, None);
            }
        }
    }

    fn call(&mut self, call: &GoNode, st: &Held, cx: Cx) {
        let Some(f) = call.field("function") else {
            return;
        };
        match f.kind().as_ref() {
            "identifier" if self.cands.is_func(&f.text()) => self.push(
                EventKind::FuncCall {
                    name: f.text().to_string(),
                },
                call,
                st,
                cx,
                None,
            ),
            "selector_expression" => {
                let (Some(op), Some(m)) = (f.field("operand"), f.field("field")) else {
                    return;
                };
                let method = m.text().to_string();
                if !self.cands.is_method_name(&method) {
                    return;
                }
                let Some(ty) = access::named_type(&op, self.scope) else {
                    return;
                };
                if self.cands.has_method(&ty, &method) {
                    let base = op.text().to_string();
                    self.push(
                        EventKind::Call {
                            base: base.clone(),
                            ty,
                            method,
                        },
                        call,
                        st,
                        cx,
                        Some(&base),
                    );
                }
            }
            _ => {}
        }
    }

    /// A use of a local that holds a candidate field's map (`m := c.m`).
    fn alias_use(&mut self, id: &GoNode, st: &Held, cx: Cx) {
        let at = id.range().start;
        let name = id.text();
        let Some(alias) = self
            .aliases
            .iter()
            .find(|a| a.name == name && a.from <= at && at < a.until)
        else {
            return;
        };
        let (base, ty, field) = (alias.base.clone(), alias.ty.clone(), alias.field.clone());
        if let Some(Site::Access(kind)) = access::classify(id) {
            let access = EventKind::Access {
                base: base.clone(),
                ty,
                field,
                kind,
                alias: true,
            };
            self.push(access, id, st, cx, Some(&base));
        }
    }
}
