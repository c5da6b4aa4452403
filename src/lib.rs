//! planq: a government work plan as queryable tables, and a small query language over them.
//!
//! The stages, each in its own module (see ARCHITECTURE.md):
//! plan extraction ([`plan`]) → frames ([`frames`], [`progress`], [`shortfall`]) →
//! parse ([`lang`]) → check → compile → execute → render ([`render`]).

#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod corpus;
pub mod dataset;
pub mod diagnostics;
pub mod engine;
pub mod error;
pub mod frames;
pub mod lang;
pub mod plan;
pub mod progress;
pub mod query;
pub mod render;
#[cfg(feature = "cli")]
pub mod repl;
pub mod shortfall;
pub mod tables;

/// The polars planq builds on, so that embedders use the same version for the frames
/// planq returns (`planq::polars::prelude::DataFrame`).
pub use polars;

pub use dataset::Dataset;
pub use engine::{Engine, Limits, Value};
pub use error::{Code, Error, ErrorKind, Result};

/// README.md's Rust examples, compiled and run as doc tests so the README never rots.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
