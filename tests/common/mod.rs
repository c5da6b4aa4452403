//! Helpers shared by integration tests.

pub mod pty;
pub mod scratch;
