//! Examples: running a rule set's `voorbeeld` blocks (the `test` command), and its bases'
//! examples as they come out in it (`test --base`).
//!
//! Each example is a case with what it expects of one or more decisions; it passes when
//! each of those decisions has the expected outcome (and, with `door`, exactly those
//! deciding rules), or is incomplete when `onvolledig` is expected. Pure: the default
//! reference date is passed in.

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

/// Runs every own example of the rule set. `default_date` is used when an example has
/// no `peildatum`.
pub fn run(rs: &RuleSet, default_date: Date) -> Vec<ExampleRun<'_>> {
    run_all(rs, rs.examples(), default_date)
}

/// Runs the bases' examples in this rule set: each passes when the region decides as
/// the base expected, or — for one marked `vervang voorbeeld` — as the region expects.
pub fn run_base(rs: &RuleSet, default_date: Date) -> Vec<ExampleRun<'_>> {
    run_all(rs, rs.base_examples(), default_date)
}

fn run_all<'a>(rs: &RuleSet, examples: &'a [Example], default_date: Date) -> Vec<ExampleRun<'a>> {
    examples
        .iter()
        .map(|example| {
            let case = Case::with(rs, &example.given);
            let date = example.reference_date.unwrap_or(default_date);
            let decision = evaluate(rs, &case, date);
            let passed = decision
                .as_ref()
                .is_ok_and(|d| example.expect.iter().all(|e| meets(e, d)));
            ExampleRun {
                example,
                case,
                decision,
                passed,
            }
        })
        .collect()
}

/// Whether a decision is what an example expects of one of its decisions.
pub fn meets(expect: &Expectation, d: &Decision) -> bool {
    let Some(view) = d.views().find(|v| v.decision == expect.decision()) else {
        return false;
    };
    match expect {
        Expectation::Incomplete(_) => view.status == Status::Incomplete,
        Expectation::NotNeeded(_) => view.status == Status::NotNeeded,
        Expectation::Outcome {
            outcome,
            decided_by,
            ..
        } => {
            let mut want = decided_by.clone();
            let mut got = view.decided_by.to_vec();
            want.sort();
            got.sort();
            !matches!(view.status, Status::Incomplete | Status::NotNeeded)
                && view.outcome == Some(outcome)
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
                    d.views()
                        .flat_map(|v| v.trace.iter())
                        .any(|s| s.rule == *id && s.result == RuleResult::Applies)
                })
            })
        })
        .collect()
}
