//! The input surfaces of planq, as functions that must never panic on any text. Shared
//! by the cargo-fuzz targets (`fuzz_targets/`) and by the bounded proptest run in
//! `cargo test` (`tests/surfaces.rs` includes `surfaces.rs` by path).

pub mod surfaces;
