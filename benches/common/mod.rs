#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    dead_code
)] // benchmark code
//! A generated rule set shared by the benchmarks (the same file the tests use).

#[path = "../../tests/common/generated.rs"]
pub mod generated;
pub use generated::generated;
