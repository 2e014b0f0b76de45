//! A generator of valid, gofmt-clean Go files built from a grammar of map
//! constructs: local maps declared in every supported shape (`var`, `:=`,
//! `make`, literals, a named map type), parameters, struct fields and
//! package variables as map targets; delete-all loops (with comments in
//! awkward places) and near misses (partial deletes, `break`, `continue`,
//! deleting from another map); nil resets (also `a, b = nil, nil`) with and
//! without later writes, nil checks, escapes and early returns; nested
//! loops, closures, goroutines, locked sections, `if`/`switch` blocks and
//! shadowing blocks; pointers to range variables stored in maps.
//!
//! proptest generates a `FilePlan` (a tree of choices, which it can shrink);
//! `FilePlan::render` turns it into Go, tracking scopes so that every target
//! exists where it is used, every local is used, and the text is exactly
//! what gofmt prints.

use proptest::prelude::*;

/// Key types of generated maps: (Go type, a literal key).
const KEYS: [(&str, &str); 6] = [
    ("string", "\"k\""),
    ("int", "1"),
    ("float64", "1.5"),
    ("any", "\"k\""),
    ("key", "key{}"),
    ("[2]int", "[2]int{}"),
];

/// Value types: (Go type, a literal value).
const VALUES: [(&str, &str); 6] = [
    ("int", "1"),
    ("string", "\"v\""),
    ("bool", "true"),
    ("*item", "&item{}"),
    ("[]int", "nil"),
    ("any", "1"),
];

/// A local map's type: indices into `KEYS`/`VALUES`, or the named type `table`.
#[derive(Debug, Clone)]
pub struct TypeChoice {
    key: usize,
    value: usize,
    named: bool,
}

/// One statement (or construct holding statements) of a generated body.
/// `t` picks a map target among those in scope (modulo their number).
#[derive(Debug, Clone)]
pub enum Op {
    /// Declares a new local map (shape 0..8) and uses it.
    Decl {
        ty: TypeChoice,
        shape: u8,
    },
    /// `for k := range M { delete(M, k) }`, key form 0..2, comment place 0..6.
    RangeDelete {
        t: usize,
        form: u8,
        comment: u8,
    },
    /// A loop that deletes only some keys.
    PartialDelete {
        t: usize,
    },
    /// A loop whose body deletes and then breaks.
    DeleteBreak {
        t: usize,
    },
    /// `M = nil`, with a trailing comment or not.
    Reset {
        t: usize,
        comment: bool,
    },
    /// `M[k] = v`.
    Write {
        t: usize,
    },
    /// `M[k]++` (maps of int) or `M[k] += v`-like forms; a plain write otherwise.
    Increment {
        t: usize,
    },
    /// `if M == nil { M = make(...) }`.
    NilCheck {
        t: usize,
    },
    /// `_ = M[k]` or `_ = len(M)`.
    Read {
        t: usize,
        len: bool,
    },
    /// `M = make(...)` or a literal.
    Assign {
        t: usize,
        literal: bool,
    },
    /// `defer func() { M = nil }()`.
    DeferReset {
        t: usize,
    },
    /// `if len(M) == 0 { return }`.
    ReturnIfEmpty {
        t: usize,
    },
    /// `// comment` on its own line.
    Comment,
    /// A loop over M deleting from another map with the same key type.
    DeleteOther {
        t: usize,
        u: usize,
    },
    /// A delete-all loop ending in `continue`.
    DeleteContinue {
        t: usize,
    },
    /// `sink(M)`: the map escapes to a function.
    Pass {
        t: usize,
    },
    /// `A, B = nil, nil`.
    MultiReset {
        t: usize,
        u: usize,
    },
    /// `A[k], B[k] = v, w`.
    MultiWrite {
        t: usize,
        u: usize,
    },
    /// `delete(M, k)` alone.
    Delete {
        t: usize,
    },
    /// `delete(h.fm, k)`: an entry of a long-lived map of pointers dropped.
    DeleteFieldEntry,
    /// A local `map[string]any` used only with string-literal keys.
    InterfaceMap {
        extra: bool,
    },
    /// `for _, v := range items { M[k] = &v }` (maps of `*item`).
    PointerStore {
        t: usize,
    },
    Loop(Vec<Op>),
    RangeOver {
        t: usize,
        body: Vec<Op>,
    },
    Closure(Vec<Op>),
    Goroutine(Vec<Op>),
    IfLen {
        t: usize,
        body: Vec<Op>,
    },
    /// `switch len(M) { case 0: M = nil; default: body }`.
    Switch {
        t: usize,
        body: Vec<Op>,
    },
    /// `mu.Lock()`, body, `mu.Unlock()`.
    Locked(Vec<Op>),
    /// A bare block that redeclares a visible name with another map type.
    Shadow {
        ty: TypeChoice,
        t: usize,
        body: Vec<Op>,
    },
}

/// One generated file.
#[derive(Debug, Clone)]
pub struct FilePlan {
    pub funcs: Vec<Vec<Op>>,
    /// `//go:build go1.20` (no `clear`) above the package clause.
    pub old_go: bool,
    pub doc_comment: bool,
}

fn type_choice() -> impl Strategy<Value = TypeChoice> {
    (0..KEYS.len(), 0..VALUES.len(), prop::bool::weighted(0.15)).prop_map(|(key, value, named)| TypeChoice {
        key,
        value,
        named,
    })
}

fn leaf_op() -> impl Strategy<Value = Op> {
    let t = 0usize..16;
    prop_oneof![
        3 => (type_choice(), 0u8..8).prop_map(|(ty, shape)| Op::Decl { ty, shape }),
        4 => (t.clone(), 0u8..2, 0u8..6).prop_map(|(t, form, comment)| Op::RangeDelete { t, form, comment }),
        1 => t.clone().prop_map(|t| Op::PartialDelete { t }),
        1 => t.clone().prop_map(|t| Op::DeleteBreak { t }),
        4 => (t.clone(), any::<bool>()).prop_map(|(t, comment)| Op::Reset { t, comment }),
        4 => t.clone().prop_map(|t| Op::Write { t }),
        1 => t.clone().prop_map(|t| Op::Increment { t }),
        2 => t.clone().prop_map(|t| Op::NilCheck { t }),
        1 => (t.clone(), any::<bool>()).prop_map(|(t, len)| Op::Read { t, len }),
        1 => (t.clone(), any::<bool>()).prop_map(|(t, literal)| Op::Assign { t, literal }),
        1 => t.clone().prop_map(|t| Op::DeferReset { t }),
        1 => t.clone().prop_map(|t| Op::ReturnIfEmpty { t }),
        1 => Just(Op::Comment),
        1 => (t.clone(), t.clone()).prop_map(|(t, u)| Op::DeleteOther { t, u }),
        1 => t.clone().prop_map(|t| Op::DeleteContinue { t }),
        1 => t.clone().prop_map(|t| Op::Pass { t }),
        1 => (t.clone(), t.clone()).prop_map(|(t, u)| Op::MultiReset { t, u }),
        1 => (t.clone(), t.clone()).prop_map(|(t, u)| Op::MultiWrite { t, u }),
        1 => t.clone().prop_map(|t| Op::Delete { t }),
        1 => Just(Op::DeleteFieldEntry),
        2 => any::<bool>().prop_map(|extra| Op::InterfaceMap { extra }),
        2 => t.clone().prop_map(|t| Op::PointerStore { t }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    leaf_op().prop_recursive(3, 24, 4, |inner| {
        let body = prop::collection::vec(inner, 1..4);
        prop_oneof![
            body.clone().prop_map(Op::Loop),
            (0usize..16, body.clone()).prop_map(|(t, body)| Op::RangeOver { t, body }),
            body.clone().prop_map(Op::Closure),
            body.clone().prop_map(Op::Goroutine),
            (0usize..16, body.clone()).prop_map(|(t, body)| Op::IfLen { t, body }),
            (0usize..16, body.clone()).prop_map(|(t, body)| Op::Switch { t, body }),
            body.clone().prop_map(Op::Locked),
            (type_choice(), 0usize..16, body).prop_map(|(ty, t, body)| Op::Shadow { ty, t, body }),
        ]
    })
}

/// The strategy for whole files.
pub fn file_plan() -> impl Strategy<Value = FilePlan> {
    (
        prop::collection::vec(prop::collection::vec(op(), 1..7), 1..3),
        prop::bool::weighted(0.1),
        any::<bool>(),
    )
        .prop_map(|(funcs, old_go, doc_comment)| FilePlan {
            funcs,
            old_go,
            doc_comment,
        })
}

/// A map expression in scope and its key and value types.
#[derive(Debug, Clone)]
struct Target {
    expr: String,
    key: usize,
    value: usize,
    /// Written as `table` (a named `map[string]int`).
    named: bool,
    /// A local declared in the current function (assignable with `:=` rules in mind).
    local: bool,
}

impl Target {
    fn map_type(&self) -> String {
        if self.named {
            "table".into()
        } else {
            format!("map[{}]{}", KEYS[self.key].0, VALUES[self.value].0)
        }
    }
    fn key_type(&self) -> &'static str {
        KEYS[self.key].0
    }
    fn key_lit(&self) -> &'static str {
        KEYS[self.key].1
    }
    /// The key literal where a composite literal needs parentheses (`if k == (key{}) {`).
    fn key_operand(&self) -> String {
        let lit = self.key_lit();
        if lit.ends_with('}') {
            format!("({lit})")
        } else {
            lit.to_string()
        }
    }
    fn value_lit(&self) -> &'static str {
        VALUES[self.value].1
    }
}

fn target_of(expr: &str, ty: &TypeChoice, local: bool) -> Target {
    if ty.named {
        Target {
            expr: expr.into(),
            key: 0,
            value: 0,
            named: true,
            local,
        }
    } else {
        Target {
            expr: expr.into(),
            key: ty.key,
            value: ty.value,
            named: false,
            local,
        }
    }
}

struct Renderer {
    out: String,
    depth: usize,
    /// The previous line ended in a comment (gofmt would align two in a row).
    trailing: bool,
    scopes: Vec<Vec<Target>>,
    next_local: usize,
    uses_sync: bool,
}

impl Renderer {
    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push('\t');
        }
        self.out.push_str(text);
        self.out.push('\n');
        self.trailing = false;
    }

    /// A line with a trailing comment, unless the previous line had one.
    fn line_commented(&mut self, text: &str, comment: &str) {
        if self.trailing {
            self.line(text);
        } else {
            self.line(&format!("{text} // {comment}"));
            self.trailing = true;
        }
    }

    fn open(&mut self, text: &str) {
        self.line(text);
        self.depth += 1;
        self.scopes.push(Vec::new());
    }

    fn close(&mut self, text: &str) {
        self.scopes.pop();
        self.depth -= 1;
        self.line(text);
    }

    fn visible(&self) -> Vec<Target> {
        // Innermost declaration of a name wins.
        let mut seen: Vec<Target> = Vec::new();
        for t in self.scopes.iter().rev().flatten() {
            if !seen.iter().any(|s| s.expr == t.expr) {
                seen.push(t.clone());
            }
        }
        seen.reverse();
        seen
    }

    fn pick(&self, t: usize) -> Target {
        let all = self.visible();
        all[t % all.len()].clone()
    }

    fn declare(&mut self, name: &str, ty: &TypeChoice, shape: u8) {
        let target = target_of(name, ty, true);
        let mt = target.map_type();
        let text = match shape {
            0 => format!("var {name} {mt}"),
            1 => format!("var {name} = {mt}{{}}"),
            2 => format!("{name} := make({mt})"),
            3 => format!("{name} := make({mt}, 8)"),
            4 => format!("{name} := {mt}{{}}"),
            5 => format!("{name} := {mt}{{{}: {}}}", target.key_lit(), target.value_lit()),
            6 => format!("var {name} {mt} = make({mt})"),
            _ => format!("{name} := {mt}(nil)"),
        };
        self.line(&text);
        self.line(&format!("_ = {name}"));
        self.scopes.last_mut().expect("a scope").push(target);
    }

    fn body(&mut self, ops: &[Op]) {
        for op in ops {
            self.op(op);
        }
    }

    fn op(&mut self, op: &Op) {
        match op {
            Op::Decl { ty, shape } => {
                let name = format!("m{}", self.next_local);
                self.next_local += 1;
                self.declare(&name, ty, *shape);
            }
            Op::RangeDelete { t, form, comment } => {
                let m = self.pick(*t).expr;
                let head = if *form == 0 {
                    format!("for k := range {m} {{")
                } else {
                    format!("for k, _ := range {m} {{")
                };
                let del = format!("delete({m}, k)");
                match comment {
                    1 => {
                        self.open(&head);
                        self.line("// Drop every entry.");
                        self.line(&del);
                    }
                    2 => {
                        self.open(&head);
                        self.line(&del);
                        self.line("// All gone.");
                    }
                    3 => {
                        self.open(&head);
                        self.line_commented(&del, "drop");
                    }
                    4 => {
                        self.line_commented(&head, "clear it");
                        self.depth += 1;
                        self.scopes.push(Vec::new());
                        self.line(&del);
                    }
                    5 => {
                        self.open(&head);
                        self.line(&format!("delete({m}, k /* key */)"));
                    }
                    _ => {
                        self.open(&head);
                        self.line(&del);
                    }
                }
                self.close("}");
            }
            Op::PartialDelete { t } => {
                let target = self.pick(*t);
                self.open(&format!("for k := range {} {{", target.expr));
                self.open(&format!("if k == {} {{", target.key_operand()));
                self.line(&format!("delete({}, k)", target.expr));
                self.close("}");
                self.close("}");
            }
            Op::DeleteBreak { t } => {
                let m = self.pick(*t).expr;
                self.open(&format!("for k := range {m} {{"));
                self.line(&format!("delete({m}, k)"));
                self.line("break");
                self.close("}");
            }
            Op::Reset { t, comment } => {
                let m = self.pick(*t).expr;
                if *comment {
                    self.line_commented(&format!("{m} = nil"), "start over");
                } else {
                    self.line(&format!("{m} = nil"));
                }
            }
            Op::Write { t } => {
                let target = self.pick(*t);
                self.line(&format!(
                    "{}[{}] = {}",
                    target.expr,
                    target.key_lit(),
                    target.value_lit()
                ));
            }
            Op::Increment { t } => {
                let target = self.pick(*t);
                let (m, k) = (&target.expr, target.key_lit());
                match VALUES[target.value].0 {
                    "int" => self.line(&format!("{m}[{k}]++")),
                    "string" => self.line(&format!("{m}[{k}] += \"x\"")),
                    _ => self.line(&format!("{m}[{k}] = {}", target.value_lit())),
                }
            }
            Op::NilCheck { t } => {
                let target = self.pick(*t);
                self.open(&format!("if {} == nil {{", target.expr));
                self.line(&format!("{} = make({})", target.expr, target.map_type()));
                self.close("}");
            }
            Op::Read { t, len } => {
                let target = self.pick(*t);
                if *len {
                    self.line(&format!("_ = len({})", target.expr));
                } else {
                    self.line(&format!("_ = {}[{}]", target.expr, target.key_lit()));
                }
            }
            Op::Assign { t, literal } => {
                let target = self.pick(*t);
                let value = if *literal {
                    format!("{}{{}}", target.map_type())
                } else {
                    format!("make({})", target.map_type())
                };
                self.line(&format!("{} = {value}", target.expr));
            }
            Op::DeferReset { t } => {
                let m = self.pick(*t).expr;
                self.open("defer func() {");
                self.line(&format!("{m} = nil"));
                self.close("}()");
            }
            Op::ReturnIfEmpty { t } => {
                let m = self.pick(*t).expr;
                self.open(&format!("if len({m}) == 0 {{"));
                self.line("return");
                self.close("}");
            }
            Op::Comment => self.line("// A note between statements."),
            Op::DeleteOther { t, u } => {
                let target = self.pick(*t);
                let other = self.pick(*u);
                if other.expr == target.expr || other.key_type() != target.key_type() {
                    self.line(&format!("_ = len({})", target.expr));
                } else {
                    self.open(&format!("for k := range {} {{", target.expr));
                    self.line(&format!("delete({}, k)", other.expr));
                    self.close("}");
                }
            }
            Op::DeleteContinue { t } => {
                let m = self.pick(*t).expr;
                self.open(&format!("for k := range {m} {{"));
                self.line(&format!("delete({m}, k)"));
                self.line("continue");
                self.close("}");
            }
            Op::Pass { t } => {
                let m = self.pick(*t).expr;
                self.line(&format!("sink({m})"));
            }
            Op::MultiReset { t, u } => {
                let (a, b) = (self.pick(*t).expr, self.pick(*u).expr);
                if a == b {
                    self.line(&format!("{a} = nil"));
                } else {
                    self.line(&format!("{a}, {b} = nil, nil"));
                }
            }
            Op::MultiWrite { t, u } => {
                let (a, b) = (self.pick(*t), self.pick(*u));
                self.line(&format!(
                    "{}[{}], {}[{}] = {}, {}",
                    a.expr,
                    a.key_lit(),
                    b.expr,
                    b.key_lit(),
                    a.value_lit(),
                    b.value_lit()
                ));
            }
            Op::Delete { t } => {
                let target = self.pick(*t);
                self.line(&format!("delete({}, {})", target.expr, target.key_lit()));
            }
            Op::DeleteFieldEntry => self.line("delete(h.fm, 1)"),
            Op::InterfaceMap { extra } => {
                let name = format!("m{}", self.next_local);
                self.next_local += 1;
                self.line(&format!("{name} := map[string]any{{\"id\": 1, \"name\": \"x\"}}"));
                self.line(&format!("{name}[\"ok\"] = true"));
                if *extra {
                    self.line(&format!("_ = len({name})"));
                }
                self.line(&format!("_ = {name}[\"id\"]"));
            }
            Op::PointerStore { t } => {
                let target = self.pick(*t);
                if VALUES[target.value].0 == "*item" {
                    self.open("for _, v := range []item{{n: 1}, {n: 2}} {");
                    self.line(&format!("{}[{}] = &v", target.expr, target.key_lit()));
                    self.close("}");
                } else {
                    self.line(&format!(
                        "{}[{}] = {}",
                        target.expr,
                        target.key_lit(),
                        target.value_lit()
                    ));
                }
            }
            Op::Locked(body) => {
                self.uses_sync = true;
                self.line("mu.Lock()");
                self.body(body);
                self.line("mu.Unlock()");
            }
            Op::Switch { t, body } => {
                let m = self.pick(*t).expr;
                self.line(&format!("switch len({m}) {{"));
                self.line("case 0:");
                self.depth += 1;
                self.scopes.push(Vec::new());
                self.line(&format!("{m} = nil"));
                self.scopes.pop();
                self.depth -= 1;
                self.line("default:");
                self.depth += 1;
                self.scopes.push(Vec::new());
                self.body(body);
                self.close("}");
            }
            Op::Loop(body) => {
                self.open("for i := 0; i < 2; i++ {");
                self.body(body);
                self.close("}");
            }
            Op::RangeOver { t, body } => {
                let m = self.pick(*t).expr;
                self.open(&format!("for range {m} {{"));
                self.body(body);
                self.close("}");
            }
            Op::Closure(body) => {
                self.open("func() {");
                self.body(body);
                self.close("}()");
            }
            Op::Goroutine(body) => {
                self.uses_sync = true;
                self.line("wg.Add(1)");
                self.open("go func() {");
                self.line("defer wg.Done()");
                self.body(body);
                self.close("}()");
            }
            Op::IfLen { t, body } => {
                let m = self.pick(*t).expr;
                self.open(&format!("if len({m}) > 1 {{"));
                self.body(body);
                self.close("}");
            }
            Op::Shadow { ty, t, body } => {
                let locals: Vec<Target> = self.visible().into_iter().filter(|x| x.local).collect();
                let name = match locals.len() {
                    0 => {
                        self.next_local += 1;
                        format!("m{}", self.next_local - 1)
                    }
                    n => locals[t % n].expr.clone(),
                };
                self.open("{");
                self.declare(&name, ty, 2);
                self.body(body);
                self.close("}");
            }
        }
    }
}

impl FilePlan {
    /// The Go source of the plan.
    pub fn render(&self) -> String {
        let mut r = Renderer {
            out: String::new(),
            depth: 0,
            trailing: false,
            scopes: Vec::new(),
            next_local: 0,
            uses_sync: false,
        };
        let mut funcs = String::new();
        for (i, ops) in self.funcs.iter().enumerate() {
            r.out.clear();
            r.next_local = 0;
            r.uses_sync = false;
            r.scopes = vec![vec![
                Target {
                    expr: "pm".into(),
                    key: 0,
                    value: 0,
                    named: false,
                    local: false,
                },
                Target {
                    expr: "nm".into(),
                    key: 0,
                    value: 0,
                    named: true,
                    local: false,
                },
                Target {
                    expr: "h.fm".into(),
                    key: 1,
                    value: 3,
                    named: false,
                    local: false,
                },
                Target {
                    expr: "gm".into(),
                    key: 4,
                    value: 2,
                    named: false,
                    local: false,
                },
                Target {
                    expr: "fm".into(),
                    key: 2,
                    value: 0,
                    named: false,
                    local: false,
                },
            ]];
            r.depth = 1;
            r.body(ops);
            let mut body = std::mem::take(&mut r.out);
            if r.uses_sync {
                body = format!("\tvar wg sync.WaitGroup\n\tvar mu sync.Mutex\n{body}\twg.Wait()\n\t_ = &mu\n");
            }
            funcs.push_str(&format!(
                "\nfunc f{i}(pm map[string]int, nm table, h *holder) {{\n{body}}}\n"
            ));
        }
        let uses_sync = funcs.contains("var wg sync.WaitGroup");
        let mut out = String::new();
        if self.old_go {
            out.push_str("//go:build go1.20\n\n");
        }
        if self.doc_comment {
            out.push_str("// Package p is generated.\n");
        }
        out.push_str("package p\n\n");
        if uses_sync {
            out.push_str("import \"sync\"\n\n");
        }
        out.push_str(PRELUDE);
        out.push_str(&funcs);
        out
    }
}

/// Package-level declarations every generated file uses.
const PRELUDE: &str = "type key struct {\n\ta, b int\n}\n\ntype item struct {\n\tn   int\n\tbuf []byte\n}\n\n\
type table map[string]int\n\ntype holder struct {\n\tfm map[int]*item\n}\n\n\
var gm = map[key]bool{}\n\nvar fm map[float64]int\n\nfunc sink(any) {}\n";
