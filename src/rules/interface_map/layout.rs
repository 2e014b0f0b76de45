//! Spelling and layout of the rewrite: Go names for the struct type and its
//! fields (CamelCase with Go initialisms), the type declaration, and the
//! struct literal that replaces a map literal, aligned in columns exactly
//! as gofmt aligns them (go/printer's exprList and fieldList, measured by
//! text/tabwriter with padding 1).

use crate::go::lines::LineIndex;
use crate::go::syntax::GoNode;
use crate::rules::TextEdit;
use std::collections::HashSet;

/// gofmt aligns trailing comments of consecutive lines in one column:
/// an edit that changes the length of such a line would leave the column
/// ragged. Returns the 1-based line of the first such edit.
pub fn breaks_comment_column(root: &GoNode, text: &str, edits: &[TextEdit]) -> Option<usize> {
    let lines = LineIndex::new(text);
    let line_of = |at: usize| lines.line_col(at).0 - 1;
    let trailing: HashSet<usize> = root
        .dfs()
        .filter(|n| n.kind() == "comment")
        .filter(|c| {
            let start = c.range().start;
            let (_, column) = lines.line_col(start);
            !text[start + 1 - column..start].trim().is_empty()
        })
        .map(|c| line_of(c.range().start))
        .collect();
    edits
        .iter()
        .filter(|e| !e.range.is_empty())
        .map(|e| line_of(e.range.start))
        .find_map(|line| {
            let aligned = trailing.contains(&line)
                && (line > 0 && trailing.contains(&(line - 1)) || trailing.contains(&(line + 1)));
            aligned.then_some(line + 1)
        })
}

/// Initialisms Go style spells in one case (`ID`, `URL`), as golint lists them.
const INITIALISMS: &[&str] = &[
    "ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS", "ID", "IP", "JSON", "LHS",
    "QPS", "RAM", "RHS", "RPC", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS", "TTL", "UDP", "UI", "UID", "UUID", "URI",
    "URL", "UTF8", "VM", "XML", "XMPP", "XSRF", "XSS",
];

/// An exported CamelCase identifier for a key or name: words split at
/// non-alphanumerics and lower-to-upper case changes, initialisms in upper
/// case (`user_url` → `UserURL`, `Content-Type` → `ContentType`).
/// `None` when the text has no ASCII word or starts with a digit.
pub fn camel(text: &str) -> Option<String> {
    if !text.is_ascii() {
        return None;
    }
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = String::new();
    for w in &words {
        let upper = w.to_ascii_uppercase();
        if INITIALISMS.contains(&upper.as_str()) {
            out.push_str(&upper);
        } else {
            let mut chars = w.chars();
            let first = chars.next()?;
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out.chars().next().filter(|c| c.is_ascii_uppercase()).map(|_| out)
}

/// An unexported lowerCamel identifier: `Cmd_Run` → `cmdRun`, `HTTPServer`
/// → `httpServer`, `serve_http` → `serveHTTP`.
pub fn lower_camel(text: &str) -> Option<String> {
    camel(text).map(|c| lower_first_word(&c))
}

/// `HandleUser` → `handleUser`, `HTTPServer` → `httpServer`, `ID` → `id`.
fn lower_first_word(name: &str) -> String {
    let upper = name.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let next_is_lower = name.chars().nth(upper).is_some_and(|c| c.is_ascii_lowercase());
    let lower = if upper > 1 && next_is_lower { upper - 1 } else { upper };
    let (head, tail) = name.split_at(lower);
    format!("{}{tail}", head.to_ascii_lowercase())
}

/// `handleUserResp` for `resp` in `handleUser`; `serverHandleResp` for a
/// method `(*Server).Handle`; `cmdRunConf` for `conf` in `Cmd_Run`: an
/// unexported lowerCamel name, underscores dropped.
pub fn type_name(top: &GoNode, var: &str) -> Option<String> {
    let func = top.field("name")?.text().to_string();
    let base = if top.kind() == "method_declaration" {
        let recv = top
            .field("receiver")?
            .dfs()
            .find(|n| n.kind() == "type_identifier")?
            .text()
            .to_string();
        format!("{}{}", lower_camel(&recv)?, camel(&func)?)
    } else {
        lower_camel(&func)?
    };
    Some(format!("{base}{}", camel(var)?))
}

/// One field of the generated struct.
pub struct Field {
    pub name: String,
    pub ty: String,
    /// The struct tag, backquotes included, or empty.
    pub tag: String,
}

/// `type NAME struct { … }` with fields in the given order, aligned as gofmt does.
pub fn struct_decl(name: &str, fields: &[Field]) -> String {
    let name_width = fields.iter().map(|f| f.name.chars().count()).max().unwrap_or(0) + 1;
    let tagged = fields.iter().any(|f| !f.tag.is_empty());
    let type_width = fields.iter().map(|f| f.ty.chars().count()).max().unwrap_or(0) + 1;
    let mut out = format!("type {name} struct {{\n");
    for f in fields {
        out.push('\t');
        out.push_str(&pad(&f.name, name_width));
        if tagged {
            out.push_str(&pad(&f.ty, type_width));
            out.push_str(&f.tag);
        } else {
            out.push_str(&f.ty);
        }
        out.push('\n');
    }
    out.push('}');
    out
}

fn pad(cell: &str, width: usize) -> String {
    format!("{cell}{}", " ".repeat(width.saturating_sub(cell.chars().count())))
}

/// One keyed element of a multi-line literal, each on its own line.
pub struct Element {
    /// The new key (a field name).
    pub key: String,
    /// The value's text is on one line.
    pub single_line: bool,
    /// A blank line separates it from the previous element.
    pub blank_before: bool,
}

/// The text to put between each key's end and its value (`":"` plus
/// padding), following go/printer's exprList: consecutive single-line
/// pairs align their values unless the key sizes differ too much.
pub fn keyed_separators(elements: &[Element]) -> Vec<String> {
    // Section index of each element (a section is one tabwriter column block).
    let mut section = vec![0usize; elements.len()];
    let mut size = 0usize;
    let mut log2sum = 0.0f64;
    let mut count = 0usize;
    let mut current = 0usize;
    for (i, e) in elements.iter().enumerate() {
        let prev_size = size;
        size = if e.single_line { e.key.chars().count() } else { 0 };
        let mut use_ff = true;
        if prev_size > 0 && size > 0 {
            const SMALL: usize = 40;
            if count == 0 || prev_size <= SMALL && size <= SMALL {
                use_ff = false;
            } else {
                let geomean = exp2ish(log2sum / count as f64);
                let ratio = size as f64 / geomean;
                use_ff = 2.5 * ratio <= 1.0 || 2.5 <= ratio;
            }
        }
        // A formfeed or a blank line starts a new column block, and the
        // size statistics start again (go/printer: nbreaks > 1).
        if i > 0 && (use_ff || e.blank_before) {
            current += 1;
            log2sum = 0.0;
            count = 0;
        }
        section[i] = current;
        if size > 0 {
            log2sum += log2ish(size as f64);
            count += 1;
        }
    }
    let aligned = elements.len() > 1;
    elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if !e.single_line || !aligned {
                return ": ".to_string();
            }
            let width = elements
                .iter()
                .zip(&section)
                .filter(|(o, s)| **s == section[i] && o.single_line)
                .map(|(o, _)| o.key.chars().count() + 1)
                .max()
                .unwrap_or(0)
                + 1;
            format!(":{}", " ".repeat(width - e.key.chars().count() - 1))
        })
        .collect()
}

/// go/printer's crude log2 (math.go): exponent plus a linear mantissa term.
fn log2ish(x: f64) -> f64 {
    let (f, e) = frexp(x);
    e as f64 + 2.0 * (f - 1.0)
}

/// go/printer's crude 2**x.
fn exp2ish(x: f64) -> f64 {
    let n = x.floor();
    let f = x - n;
    (1.0 + f) * 2f64.powi(n as i32)
}

/// Go's math.Frexp for positive finite x: x = f·2^e with f in [0.5, 1).
fn frexp(x: f64) -> (f64, i32) {
    let mut e = 0;
    let mut f = x;
    while f >= 1.0 {
        f /= 2.0;
        e += 1;
    }
    while f < 0.5 {
        f *= 2.0;
        e -= 1;
    }
    (f, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_cases_keys_with_initialisms() {
        assert_eq!(camel("id").as_deref(), Some("ID"));
        assert_eq!(camel("user_url").as_deref(), Some("UserURL"));
        assert_eq!(camel("http_status").as_deref(), Some("HTTPStatus"));
        assert_eq!(camel("Content-Type").as_deref(), Some("ContentType"));
        assert_eq!(camel("userId").as_deref(), Some("UserID"));
        assert_eq!(camel("resp").as_deref(), Some("Resp"));
        assert_eq!(camel("2fa"), None);
        assert_eq!(camel("--"), None);
        assert_eq!(camel("naïve"), None);
    }

    #[test]
    fn lowers_the_first_word() {
        assert_eq!(lower_first_word("HandleUser"), "handleUser");
        assert_eq!(lower_first_word("HTTPServer"), "httpServer");
        assert_eq!(lower_first_word("ID"), "id");
        assert_eq!(lower_first_word("serveHTTP"), "serveHTTP");
        assert_eq!(lower_first_word("UTF8Decode"), "utf8Decode");
    }

    #[test]
    fn lower_camel_drops_underscores() {
        assert_eq!(lower_camel("Cmd_Run").as_deref(), Some("cmdRun"));
        assert_eq!(lower_camel("Test_parse_config").as_deref(), Some("testParseConfig"));
        assert_eq!(lower_camel("serve_http").as_deref(), Some("serveHTTP"));
        assert_eq!(lower_camel("HTTPServer").as_deref(), Some("httpServer"));
        assert_eq!(lower_camel("handleUser").as_deref(), Some("handleUser"));
        assert_eq!(lower_camel("_"), None);
    }

    #[test]
    fn struct_fields_align_in_columns() {
        let f = |n: &str, t: &str, g: &str| Field {
            name: n.into(),
            ty: t.into(),
            tag: g.into(),
        };
        let tagged = struct_decl(
            "t",
            &[
                f("ID", "int", "`json:\"id\"`"),
                f("UserURL", "string", "`json:\"user_url\"`"),
            ],
        );
        assert_eq!(
            tagged,
            "type t struct {\n\tID      int    `json:\"id\"`\n\tUserURL string `json:\"user_url\"`\n}"
        );
        let plain = struct_decl("t", &[f("A", "int", ""), f("Long", "string", "")]);
        assert_eq!(plain, "type t struct {\n\tA    int\n\tLong string\n}");
    }

    #[test]
    fn keyed_elements_align_like_gofmt() {
        let e = |k: &str, single_line: bool, blank_before: bool| Element {
            key: k.into(),
            single_line,
            blank_before,
        };
        let seps = keyed_separators(&[
            e("A", true, false),
            e("Bcd", true, false),
            e("Multi", false, false),
            e("X", true, false),
        ]);
        assert_eq!(seps, vec![":   ", ": ", ": ", ": "]);
        let seps = keyed_separators(&[e("A", true, false), e("Bcd", true, true)]);
        assert_eq!(seps, vec![": ", ": "]);
        // A long key starts a new block; the statistics restart there, so
        // the short key after it starts another (checked against gofmt).
        let long = "VeryLongKeyNameThatGoesOnAndOnForeverAndMoreStuff";
        let seps = keyed_separators(&[
            e("ZzTop", true, false),
            e("MediumKeyName", true, false),
            e(long, true, false),
            e("UserURL", true, false),
        ]);
        assert_eq!(seps, vec![":         ", ": ", ": ", ": "]);
        assert_eq!(log2ish(8.0), 3.0);
        assert_eq!(log2ish(6.0), 3.0 + 2.0 * (0.75 - 1.0));
        assert_eq!(exp2ish(3.0), 8.0);
    }
}
