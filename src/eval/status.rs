//! Spec section 5, in one place: the result of each rule, the status of the decision,
//! and the missing facts. This is the file a domain reviewer reads to check that the
//! engine decides what the contract says.
//!
//! 1. Each rule gets exactly one result, in this order: `not_valid` (its `geldig` period
//!    does not contain the reference date), `not_applicable` (its condition is false),
//!    `overridden` (an exception applies), `applies` (its condition is true and no
//!    exception applies or is unknown), `unknown` (anything else). Rules are evaluated in
//!    the program's order, every exception before the rules it overrides.
//! 2. With T the outcomes of the applying rules and U those of the unknown rules:
//!    two different outcomes in T is a conflict (`bij conflict`); one outcome in T that
//!    every outcome in U equals is decided; T and U both empty is the fallback
//!    (`anders`); anything else is incomplete, with the missing facts.
//! 3. `missing`: the absent facts read by the rules whose result is unknown, rule by
//!    rule in file order and in reading order within each, first appearance wins.

use jiff::civil::Date;

use super::machine::Machine;
use super::scratch::{Scratch, Tracing, Verdict};
use super::{EvalError, Facts, RuleResult, Status};
use crate::ruleset::program::OutcomeId;
use crate::ruleset::{RuleId, RuleSet};

/// Decides one case into `s`: every rule's result, then the status.
pub(super) fn run<'r, F: Facts>(
    rs: &'r RuleSet,
    s: &mut Scratch,
    facts: &F,
    date: Date,
    tracing: Tracing,
) -> Result<Verdict<'r>, EvalError> {
    if !rs.period().contains(date) {
        return Err(EvalError::NotValid {
            reference_date: date,
            period: rs.period(),
            name: rs.name().to_string(),
        });
    }
    let p = rs.program();
    s.reset(rs, tracing);
    for step in &p.steps {
        if step.from.is_some_and(|f| date < f) || step.until.is_some_and(|u| date >= u) {
            // `not_valid`: the reset left that result in place, with no conditions.
            continue;
        }
        let start = s.atoms_mark();
        let condition = Machine {
            p,
            facts,
            s: &mut *s,
        }
        .truth(step.root)
        .map_err(|f| f.in_rule(p, step.rule))?;
        // INVARIANT: `steps` puts every exception before the rules it overrides, so
        // each exception already has its result here.
        let (mut overridden, mut open) = (false, false);
        for e in step.exceptions.of(&p.exceptions) {
            match s.result(*e) {
                RuleResult::Applies => overridden = true,
                RuleResult::Unknown => open = true,
                _ => {}
            }
        }
        let result = match condition {
            Some(false) => RuleResult::NotApplicable,
            _ if overridden => RuleResult::Overridden,
            Some(true) if !open => RuleResult::Applies,
            _ => RuleResult::Unknown,
        };
        let i = step.rule.index();
        if let (Some(r), Some(c)) = (s.results.get_mut(i), s.conditions.get_mut(i)) {
            *r = result;
            *c = condition;
        }
        s.close_rule(step.rule, start);
    }
    settle(rs, s, facts, date)
}

/// The status from the rules' results: conflict, decided, fallback or incomplete.
fn settle<'r, F: Facts>(
    rs: &'r RuleSet,
    s: &mut Scratch,
    facts: &F,
    date: Date,
) -> Result<Verdict<'r>, EvalError> {
    let p = rs.program();
    let outcome_of = |i: usize| {
        p.rule_outcome(RuleId::from_index(i)).ok_or_else(|| {
            EvalError::Internal(format!("regel {i} heeft geen uitkomst in het programma"))
        })
    };
    s.decided_by.clear();
    s.missing.clear();
    let mut first: Option<OutcomeId> = None;
    let mut conflict = false;
    let mut any_unknown = false;
    for (i, r) in s.results.iter().enumerate() {
        match r {
            RuleResult::Applies => {
                s.decided_by.push(RuleId::from_index(i));
                let o = outcome_of(i)?;
                match first {
                    None => first = Some(o),
                    Some(x) if x != o => conflict = true,
                    Some(_) => {}
                }
            }
            RuleResult::Unknown => any_unknown = true,
            _ => {}
        }
    }
    let unknown_agree = |x: OutcomeId| -> Result<bool, EvalError> {
        for (i, r) in s.results.iter().enumerate() {
            if *r == RuleResult::Unknown && outcome_of(i)? != x {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let (status, outcome) = match first {
        _ if conflict => (Status::Conflict, Some(p.conflict)),
        Some(x) if unknown_agree(x)? => (Status::Decided, Some(x)),
        None if !any_unknown => (Status::Fallback, Some(p.fallback)),
        _ => (Status::Incomplete, None),
    };
    if matches!(status, Status::Fallback | Status::Incomplete) {
        s.decided_by.clear();
    }
    if status == Status::Incomplete {
        missing(rs, s, facts);
    }
    let outcome = match outcome {
        Some(o) => Some(p.outcome(o).ok_or_else(|| {
            EvalError::Internal(format!("uitkomst {} ontbreekt in het programma", o.index()))
        })?),
        None => None,
    };
    Ok(Verdict {
        status,
        outcome,
        reference_date: date,
    })
}

/// Absent facts read by the unknown rules, in file order of first appearance.
fn missing<F: Facts>(rs: &RuleSet, s: &mut Scratch, facts: &F) {
    for (rule, r) in rs.rules().iter().zip(&s.results) {
        if *r != RuleResult::Unknown {
            continue;
        }
        for f in &rule.reads {
            if facts.value(*f).is_some() {
                continue;
            }
            if let Some(seen) = s.seen.get_mut(f.index()) {
                if !*seen {
                    *seen = true;
                    s.missing.push(*f);
                }
            }
        }
    }
    for f in &s.missing {
        if let Some(seen) = s.seen.get_mut(f.index()) {
            *seen = false;
        }
    }
}
