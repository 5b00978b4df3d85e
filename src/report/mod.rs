//! Report: what the engine found, shown to people (Dutch text) or to machines (JSON,
//! spec section 8): decisions, the analysis' findings, diffs and decision diagrams.
//!
//! Never evaluates and never prints: it turns values into strings and JSON values; the
//! CLI and the service decide where they go. [`render`] is the one way every surface
//! shows a decision.

pub mod diff;
pub mod json;
pub mod matrix;
pub mod text;
pub mod tree;

use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::analysis::Answer;
use crate::case::Case;
use crate::eval::{Decision, Status};
use crate::ruleset::{Outcome, RuleSet};

/// How a decision is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Dutch text for people.
    Text,
    /// The JSON of spec section 8, indented.
    Json,
}

/// A decision in the chosen format, ending with a newline: what `eval` prints and the
/// service answers.
pub fn render(rs: &RuleSet, case: &Case, decision: &Decision, format: Format) -> String {
    match format {
        Format::Text => text::decision(rs, case, decision),
        Format::Json => json::pretty(rs, case, decision),
    }
}

/// What to do next, from the `vervolg` of what pays: for each share the route value's
/// (when a decision routes it), else the domain's; each text once, in the order of the
/// shares. Empty while the law is incomplete.
pub fn next_steps(rs: &RuleSet, d: &Decision) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |text: Option<&String>| {
        if let Some(t) = text {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
    };
    match (&d.payment.shares, &d.outcome) {
        (Some(shares), _) => {
            for s in shares {
                let routed = s.route.and_then(|r| rs.domain(r).next.as_ref());
                add(routed.or(rs.domain(s.domain).next.as_ref()));
            }
        }
        // Who pays is not known yet (a payer from the case is missing): the route that
        // is decided for a share still says what to do next.
        (None, Some(o)) => {
            for (domain, _) in o.shares() {
                let routed = d
                    .parts
                    .iter()
                    .filter(|p| {
                        rs.decisions()
                            .get(p.decision.index())
                            .is_some_and(|x| x.routes.contains(domain))
                    })
                    .filter_map(|p| p.outcome.as_ref())
                    .flat_map(|o| o.shares())
                    .find_map(|(value, _)| rs.domain(*value).next.as_ref());
                add(routed.or(rs.domain(*domain).next.as_ref()));
            }
        }
        (None, None) => {}
    }
    out
}

/// The status of a decision beyond the law (a route) in one word or two: its `anders` is
/// the agreed default, not a grey area.
pub fn further_status_word(status: Status) -> &'static str {
    match status {
        Status::Fallback => "anders",
        other => status_word(other),
    }
}

/// A decision's name for people: `wlz_route` → `Wlz route`.
pub fn decision_title(name: &str) -> String {
    crate::text::capitalised(&name.replace('_', " "))
}

/// A status in one Dutch word or two.
pub fn status_word(status: Status) -> &'static str {
    match status {
        Status::Decided => "beslist",
        Status::Fallback => "grijs gebied",
        Status::Conflict => "conflict",
        Status::Incomplete => "onvolledig",
        Status::NotNeeded => "niet nodig",
    }
}

/// An outcome as written in the language: `jeugdwet` or `verdeel onderwijs 50%, jeugdwet 50%`.
pub fn outcome_words(rs: &RuleSet, outcome: &Outcome) -> String {
    rs.outcome_words(outcome)
}

/// `jeugdwet (beslist)`, `verdeel onderwijs 50%, jeugdwet 50% (grijs gebied)`, with
/// each further decision: `jeugdwet (beslist); route: budget (beslist)`.
pub fn answer_words(a: &Answer) -> String {
    if !a.valid {
        return "geen geldige casus (een waarde die deze regelset niet kent)".to_string();
    }
    let one = |status: &str, outcome: &Option<Vec<(String, Decimal)>>| match outcome {
        Some(shares) => format!("{} ({status})", crate::ruleset::shares_words(shares)),
        None => status.to_string(),
    };
    let mut words = one(status_word(a.status), &a.outcome);
    for (name, status, outcome) in &a.further {
        words.push_str(&format!(
            "; {name}: {}",
            one(further_status_word(*status), outcome)
        ));
    }
    words
}

/// The outcome of an answer as JSON, as in a decision (`null` when incomplete or
/// invalid).
pub fn answer_outcome_json(a: &Answer) -> Json {
    if !a.valid {
        return Json::Null;
    }
    match &a.outcome {
        None => Json::Null,
        Some(shares) => Json::Object(
            shares
                .iter()
                .map(|(d, p): &(String, Decimal)| (d.clone(), json::number(*p)))
                .collect(),
        ),
    }
}
