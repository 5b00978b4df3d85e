//! Examples: running a rule set's `voorbeeld` blocks (the `test` command).
//!
//! Each example is a case with an expected outcome; it passes when the decision has that
//! outcome (and, with `door`, exactly those deciding rules), or is incomplete when
//! `onvolledig` is expected. Pure: the default reference date is passed in.

use jiff::civil::Date;

use crate::case::Case;
use crate::eval::{evaluate, Decision, EvalError, RuleResult, Status};
use crate::ruleset::{Example, Expectation, RuleId, RuleSet};

/// The result of one example.
#[derive(Debug, Clone)]
pub struct ExampleRun<'a> {
    pub example: &'a Example,
    pub case: Case,
    pub decision: Result<Decision, EvalError>,
    pub passed: bool,
}

/// Runs every example of the rule set. `default_date` is used when an example has no
/// `peildatum`.
pub fn run(rs: &RuleSet, default_date: Date) -> Vec<ExampleRun<'_>> {
    rs.examples()
        .iter()
        .map(|example| {
            let case = Case::with(rs, &example.given);
            let date = example.reference_date.unwrap_or(default_date);
            let decision = evaluate(rs, &case, date);
            let passed = decision.as_ref().is_ok_and(|d| meets(&example.expect, d));
            ExampleRun {
                example,
                case,
                decision,
                passed,
            }
        })
        .collect()
}

/// Whether a decision is what an example expects.
pub fn meets(expect: &Expectation, d: &Decision) -> bool {
    match expect {
        Expectation::Incomplete => d.status == Status::Incomplete,
        Expectation::Outcome {
            outcome,
            decided_by,
        } => {
            let mut want = decided_by.clone();
            let mut got = d.decided_by.clone();
            want.sort();
            got.sort();
            d.status != Status::Incomplete
                && d.outcome.as_ref() == Some(outcome)
                && (want.is_empty() || want == got)
        }
    }
}

/// The rules declared in the checked file itself that applied in no example.
pub fn unexercised(rs: &RuleSet, runs: &[ExampleRun<'_>]) -> Vec<RuleId> {
    rs.rule_ids()
        .filter(|id| rs.rule(*id).own)
        .filter(|id| {
            !runs.iter().any(|run| {
                run.decision.as_ref().is_ok_and(|d| {
                    d.trace
                        .iter()
                        .any(|s| s.rule == *id && s.result == RuleResult::Applies)
                })
            })
        })
        .collect()
}
