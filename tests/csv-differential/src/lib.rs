//! planq's progress CSV reader (`src/progress/csv.rs`, compiled here by path) against the
//! `csv` crate: `cargo test --release --manifest-path tests/csv-differential/Cargo.toml`.

/// The one type the reader needs from planq: a byte span (as `planq::lang::ast::Span`).
pub mod lang {
    /// Stand-in for `planq::lang::ast`.
    pub mod ast {
        /// A byte range `start..end`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct Span {
            /// First byte.
            pub start: usize,
            /// One past the last byte.
            pub end: usize,
        }

        impl Span {
            /// A span from `start` to `end`.
            pub fn new(start: usize, end: usize) -> Self {
                Span { start, end }
            }
        }
    }
}

/// planq's reader, unchanged.
#[path = "../../../src/progress/csv.rs"]
pub mod csv;

#[cfg(test)]
mod differential;
