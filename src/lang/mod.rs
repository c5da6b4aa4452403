//! The front end of the query language: syntax tree, lexer, parser and pretty-printer.
//! Nothing here depends on polars.

pub mod ast;
pub mod lexer;
pub mod suggest;

pub use lexer::{tokens, Token, TokenKind};
pub use suggest::{closest, edit_distance};
