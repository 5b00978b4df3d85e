//! `wiebetaalt`: who pays for a pupil's support — passend onderwijs, the Jeugdwet or
//! another law — decided by regional agreements written as `.regels` files.
//!
//! The pipeline (see `docs/architecture.md`):
//!
//! ```text
//! text ──syntax──▶ ast ──check──▶ RuleSet ──eval──▶ Decision ──report──▶ text / JSON
//! ```
//!
//! [`load::load_rules`] reads a file with its bases and runs `syntax` and `check`;
//! [`case::parse_case`] validates a case; [`eval::evaluate`] decides it.

pub mod allocation;
pub mod analysis;
pub mod ast;
pub mod batch;
pub mod case;
pub mod check;
pub mod cli;
pub mod costkey;
pub mod diagnostic;
pub mod eval;
pub mod examples;
pub mod format;
pub mod interview;
pub mod load;
pub mod log;
pub mod replay;
pub mod report;
pub mod ruleset;
pub mod serve;
pub mod source;
pub mod syntax;
pub mod text;
