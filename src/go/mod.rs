//! The Go side: a file's bytes, its Go version and lexer, one parse and
//! tree helpers, and what is known of types from declarations.
//! Not for rules: nothing here knows a rule or a fix.

pub mod decls;
pub mod goversion;
pub mod lang;
pub mod lex;
pub mod lines;
pub mod load;
pub mod methods;
pub mod prefilter;
pub mod scope;
pub mod skim;
pub mod stdlib_types;
pub mod syntax;
pub mod types;
