//! The front end of the query language: syntax tree, lexer, parser and pretty-printer.
//! Nothing here depends on polars.

pub mod ast;
pub mod suggest;
