//! The front end of the query language: syntax tree, lexer, parser and pretty-printer.
//! Nothing here depends on polars.
//!
//! ```
//! use planq::lang::{parse_query, pretty_pipeline};
//! let q = parse_query("owners | where role == 'lead' | count by owner | sort count desc").unwrap();
//! assert_eq!(q.stages.len(), 3);
//! assert_eq!(
//!     pretty_pipeline(&q),
//!     r#"owners | where role == "lead" | count by owner | sort count desc"#
//! );
//! ```

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod pretty;
pub mod suggest;

pub use lexer::{tokens, Token, TokenKind};
pub use parser::{parse, parse_expr, parse_query, parse_script, ParseError};
pub use pretty::{pretty_expr, pretty_pipeline, pretty_script, strip_spans};
pub use suggest::{closest, closest_many, edit_distance};
