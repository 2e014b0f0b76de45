//! Named types of the standard library mapfix knows without a type checker:
//! the map types (`url.Values`, `http.Header`, …) and a few named integer
//! types used as map keys. Each entry was checked against GOROOT's source.

/// `(import path, type name, underlying type)`.
const TYPES: &[(&str, &str, &str)] = &[
    ("net/url", "Values", "map[string][]string"),
    ("net/http", "Header", "map[string][]string"),
    ("net/textproto", "MIMEHeader", "map[string][]string"),
    ("net/mail", "Header", "map[string][]string"),
    ("text/template", "FuncMap", "map[string]any"),
    ("html/template", "FuncMap", "map[string]any"),
    ("time", "Duration", "int64"),
    ("time", "Month", "int"),
    ("time", "Weekday", "int"),
    ("reflect", "Kind", "uint"),
    ("io/fs", "FileMode", "uint32"),
    ("os", "FileMode", "uint32"),
];

/// The underlying type of `name` in the standard-library package `path`.
pub fn underlying(path: &str, name: &str) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(p, n, _)| *p == path && *n == name)
        .map(|(_, _, t)| *t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_header_types() {
        assert_eq!(super::underlying("net/http", "Header"), Some("map[string][]string"));
        assert_eq!(super::underlying("net/http", "Request"), None);
    }
}
