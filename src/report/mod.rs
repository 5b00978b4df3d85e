//! Report: a [`Decision`](crate::eval::Decision) shown to people (Dutch text) or to
//! machines (JSON, spec section 8).
//!
//! Never evaluates and never prints: it turns values into strings and JSON values; the
//! CLI decides where they go.

pub mod json;
pub mod text;

use rust_decimal::Decimal;

use crate::eval::Status;
use crate::ruleset::{Outcome, RuleSet};

/// A status in one Dutch word or two.
pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Decided => "beslist",
        Status::Fallback => "grijs gebied",
        Status::Conflict => "conflict",
        Status::Incomplete => "onvolledig",
    }
}

/// An outcome as written in the language: `jeugdwet` or `verdeel onderwijs 50%, jeugdwet 50%`.
pub fn outcome_words(rs: &RuleSet, outcome: &Outcome) -> String {
    let shares: Vec<(&str, Decimal)> = outcome
        .shares()
        .iter()
        .map(|(d, p)| (rs.domain_name(*d), *p))
        .collect();
    shares_words(&shares)
}

/// [`outcome_words`] for shares given by domain name.
pub fn shares_words<S: AsRef<str>>(shares: &[(S, Decimal)]) -> String {
    match shares {
        [(d, _)] => d.as_ref().to_string(),
        _ => {
            let parts: Vec<String> = shares
                .iter()
                .map(|(d, p)| format!("{} {}%", d.as_ref(), p.normalize()))
                .collect();
            format!("verdeel {}", parts.join(", "))
        }
    }
}
