//! The query pipeline after parsing: check (names, types) → typed plan → compile (polars
//! lazy plans) → execute, plus the hints given when a filter matches nothing.

pub mod check;
pub mod compile;
pub mod functions;
pub mod hints;
pub mod typed;
pub mod types;

pub use check::{Catalog, Checker, Place};
pub use types::{Columns, Type};
