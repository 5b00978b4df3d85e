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
//!
//! A rule set with further decisions (`beslissing`) decides them one after another,
//! each after the decisions it reads, each by the same rules over its own rules. Reading
//! an earlier decision is three-valued: unknown while it is incomplete, and then its
//! missing facts count as missing facts of the decision that reads it (likewise the
//! absent facts of an unknown rule read with `regel R geldt`). A decision `voor` some
//! domains is `not_needed` when the law's outcome gives none of them a share: its rules
//! are then not evaluated. While the law is incomplete such a decision is incomplete
//! too (it may not be needed at all): its rules are evaluated for the trace, and its
//! missing facts are the law's, then its own.
//!
//! Without a trace, a decision whose every rule is in the decision tables gets its
//! rules' results 64 at a time from the tables' bitsets (`whole_from_tables`); only its
//! rules with exceptions or a validity period are then looked at one by one, in
//! evaluation order. The results are kept as bitsets, so the status is read from the
//! applying and unknown rules alone.

use jiff::civil::Date;

use super::machine::Machine;
use super::scratch::{Scratch, Settled, Tracing, Verdict};
use super::{EvalError, Facts, RuleResult, Status};
use crate::ruleset::program::{DecisionStep, OutcomeId, Program, Step};
use crate::ruleset::tables::Tables;
use crate::ruleset::{DecisionId, FactId, Read, RuleId, RuleSet, LAW};

/// Decides one case into `s`: every decision in order, and the law's verdict.
pub(super) fn run<'r, F: Facts>(
    rs: &'r RuleSet,
    s: &mut Scratch,
    facts: &F,
    date: Date,
    tracing: Tracing,
    known: Option<&[Option<bool>]>,
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
    // Without a trace, the rules in the decision tables are decided from them.
    let tables = match tracing {
        Tracing::Off => {
            Some(super::tables::tables(rs)).filter(|t| super::tables::fill(t, facts, s))
        }
        Tracing::On => None,
    };
    for (k, decision) in p.decisions.iter().enumerate() {
        if not_needed(p, s, decision) {
            for (w, m) in s.results.not_applicable.iter_mut().zip(&decision.mask) {
                *w |= m;
            }
            set(s, decision.decision, Status::NotNeeded, None);
            continue;
        }
        match tables {
            Some(t) if known.is_none() && t.whole.get(k).copied().unwrap_or(false) => {
                whole_from_tables(p, s, date, decision);
            }
            _ => rules(p, s, facts, date, decision, known, tables)?,
        }
        settle(rs, s, facts, decision)?;
    }
    let law = s
        .settled(LAW)
        .ok_or_else(|| EvalError::Internal("de wet is niet beslist".to_string()))?;
    let outcome = match law.outcome {
        Some(o) => Some(p.outcome(o).ok_or_else(|| missing_outcome(o))?),
        None => None,
    };
    Ok(Verdict {
        status: law.status.unwrap_or(Status::Incomplete),
        outcome,
        reference_date: date,
    })
}

/// A decision `voor` some domains is not needed when the law's outcome is known and
/// gives none of them a share.
fn not_needed(p: &Program, s: &Scratch, decision: &DecisionStep) -> bool {
    if decision.routes.is_empty() {
        return false;
    }
    let Some(outcome) = s
        .settled(LAW)
        .and_then(|law| law.outcome)
        .and_then(|o| p.outcome(o))
    else {
        return false;
    };
    !outcome
        .shares()
        .iter()
        .any(|(d, _)| decision.routes.contains(d))
}

/// Rule 1: the result of every rule of one decision.
fn rules<F: Facts>(
    p: &Program,
    s: &mut Scratch,
    facts: &F,
    date: Date,
    decision: &DecisionStep,
    known: Option<&[Option<bool>]>,
    tables: Option<&Tables>,
) -> Result<(), EvalError> {
    for step in decision.steps.of(&p.steps) {
        if !valid_on(step, date) {
            // `not_valid`: the reset left that result in place, with no conditions.
            continue;
        }
        let start = s.atoms_mark();
        // A condition known before facts were added keeps its value (see
        // [`super::decide_more`]); one that can fail is evaluated, to fail as it would.
        let kept = known
            .and_then(|k| k.get(step.rule.index()).copied().flatten())
            .filter(|_| !p.rule_can_fail(step.rule));
        let condition = match kept {
            Some(value) => Some(value),
            None if tables.is_some_and(|t| t.holds(step.rule)) => {
                super::tables::condition(s, step.rule)
            }
            None => Machine {
                p,
                facts,
                s: &mut *s,
            }
            .truth(step.root)
            .map_err(|f| f.in_rule(p, step.rule))?,
        };
        // INVARIANT: `steps` puts every exception before the rules it overrides, so
        // each exception already has its result here.
        let result = result(p, s, step, condition);
        // Each rule is visited once after the reset.
        s.results.add(step.rule, result, condition);
        s.close_rule(step.rule, start);
    }
    Ok(())
}

/// Rule 1 for a decision whose every rule is in the decision tables: the results of
/// its rules 64 at a time from the bitsets [`super::tables::fill`] made, then those
/// with exceptions or a validity period one by one, in evaluation order (as [`rules`]
/// would give them).
fn whole_from_tables(p: &Program, s: &mut Scratch, date: Date, decision: &DecisionStep) {
    let r = &mut s.results;
    let words = decision
        .mask
        .iter()
        .zip(&decision.excepted)
        .zip(s.table_false.iter().zip(&s.table_unknown));
    for (w, ((&mask, &excepted), (&tf, &tu))) in words.enumerate() {
        let f = tf & mask;
        let u = tu & mask & !f;
        let t = mask & !f & !u;
        let plain = !excepted;
        let sets = [
            (&mut r.condition_false, f),
            (&mut r.condition_true, t),
            (&mut r.not_applicable, f),
            (&mut r.applies, t & plain),
            (&mut r.unknown, u & plain),
        ];
        for (set, bits) in sets {
            if let Some(word) = set.get_mut(w) {
                *word |= bits;
            }
        }
    }
    for step in decision.special.iter().filter_map(|&i| p.steps.get(i)) {
        if !valid_on(step, date) {
            s.results.clear(step.rule);
            continue;
        }
        let condition = s.results.condition(step.rule);
        if step.exceptions.of(&p.exceptions).is_empty() || condition == Some(false) {
            // Its result is already the one of its condition.
            continue;
        }
        // INVARIANT: `special` is in evaluation order, which puts every exception
        // before the rules it overrides, so each exception has its result here. The
        // words above gave this rule (one with exceptions) its condition only.
        let result = result(p, s, step, condition);
        s.results.add(step.rule, result, None);
    }
}

/// Whether a rule's `geldig` period contains the reference date.
fn valid_on(step: &Step, date: Date) -> bool {
    !(step.from.is_some_and(|f| date < f) || step.until.is_some_and(|u| date >= u))
}

/// Rule 1 for a rule in force with this condition, its exceptions already decided.
fn result(p: &Program, s: &Scratch, step: &Step, condition: Option<bool>) -> RuleResult {
    let (mut overridden, mut open) = (false, false);
    for e in step.exceptions.of(&p.exceptions) {
        match s.result(*e) {
            RuleResult::Applies => overridden = true,
            RuleResult::Unknown => open = true,
            _ => {}
        }
    }
    match condition {
        Some(false) => RuleResult::NotApplicable,
        _ if overridden => RuleResult::Overridden,
        Some(true) if !open => RuleResult::Applies,
        _ => RuleResult::Unknown,
    }
}

/// The rules of `decision` in `set` (one of the result bitsets), in file order.
fn rules_in<'a>(decision: &'a DecisionStep, set: &'a [u64]) -> impl Iterator<Item = RuleId> + 'a {
    let words = decision.mask.iter().zip(set).map(|(mask, set)| mask & set);
    crate::ruleset::bits::ones(words).map(RuleId::from_index)
}

/// Rule 2: one decision's status from its rules' results: conflict, decided, fallback
/// or incomplete (with rule 3's missing facts).
fn settle<F: Facts>(
    rs: &RuleSet,
    s: &mut Scratch,
    facts: &F,
    decision: &DecisionStep,
) -> Result<(), EvalError> {
    let p = rs.program();
    let outcome_of = |rule: RuleId| {
        p.rule_outcome(rule).ok_or_else(|| {
            EvalError::Internal(format!(
                "regel {} heeft geen uitkomst in het programma",
                rule.index()
            ))
        })
    };
    // The buffers of the last case are reused.
    let mut decided_by = s
        .settled
        .get_mut(decision.decision.index())
        .map(|x| std::mem::take(&mut x.decided_by))
        .unwrap_or_default();
    decided_by.clear();
    let mut first: Option<OutcomeId> = None;
    let mut conflict = false;
    for rule in rules_in(decision, &s.results.applies) {
        decided_by.push(rule);
        let o = outcome_of(rule)?;
        match first {
            None => first = Some(o),
            Some(x) if x != o => conflict = true,
            Some(_) => {}
        }
    }
    let any_unknown = rules_in(decision, &s.results.unknown).next().is_some();
    let unknown_agree = |x: OutcomeId| -> Result<bool, EvalError> {
        for rule in rules_in(decision, &s.results.unknown) {
            if outcome_of(rule)? != x {
                return Ok(false);
            }
        }
        Ok(true)
    };
    // A decision `voor` some domains waits for the law: until the law is known, it is
    // not known whether the decision is needed at all.
    let law_open = !decision.routes.is_empty()
        && s.settled(LAW).and_then(|l| l.status) == Some(Status::Incomplete);
    let (status, outcome) = match first {
        _ if law_open => (Status::Incomplete, None),
        _ if conflict => (Status::Conflict, Some(decision.conflict)),
        Some(x) if unknown_agree(x)? => (Status::Decided, Some(x)),
        None if !any_unknown => (Status::Fallback, Some(decision.fallback)),
        _ => (Status::Incomplete, None),
    };
    if matches!(status, Status::Fallback | Status::Incomplete) {
        decided_by.clear();
    }
    let missing = if status == Status::Incomplete {
        let mut all: Vec<FactId> = if law_open {
            s.settled(LAW)
                .map(|l| l.missing.clone())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        for f in missing(rs, s, facts, decision) {
            if !all.contains(&f) {
                all.push(f);
            }
        }
        all
    } else {
        Vec::new()
    };
    set(s, decision.decision, status, outcome);
    if let Some(settled) = s.settled.get_mut(decision.decision.index()) {
        settled.decided_by = decided_by;
        settled.missing = missing;
    }
    Ok(())
}

fn set(s: &mut Scratch, decision: DecisionId, status: Status, outcome: Option<OutcomeId>) {
    if let Some(settled) = s.settled.get_mut(decision.index()) {
        settled.status = Some(status);
        settled.outcome = outcome;
    }
}

/// Rule 3: absent facts read by the unknown rules, in file order of first appearance;
/// an incomplete earlier decision read contributes its own missing facts, an unknown
/// rule read contributes what it (and its exceptions) wait for.
fn missing<F: Facts>(
    rs: &RuleSet,
    s: &mut Scratch,
    facts: &F,
    decision: &DecisionStep,
) -> Vec<FactId> {
    let mut out = Vec::new();
    let unknown: Vec<RuleId> = rules_in(decision, &s.results.unknown).collect();
    for rule in unknown {
        reads_of(rs, s, facts, rule, &mut out, 0);
    }
    for f in &out {
        if let Some(seen) = s.seen.get_mut(f.index()) {
            *seen = false;
        }
    }
    out
}

/// Adds the absent facts `rule` reads to `out` (marking them seen).
fn reads_of<F: Facts>(
    rs: &RuleSet,
    s: &mut Scratch,
    facts: &F,
    rule: RuleId,
    out: &mut Vec<FactId>,
    depth: usize,
) {
    // INVARIANT: rules read only earlier decisions, so this follows a finite chain; the
    // depth bound only guards against a bug.
    if depth > rs.rules().len() {
        return;
    }
    for read in &rs.rule(rule).reads {
        match read {
            Read::Fact(f) => push(s, facts, *f, out),
            Read::Decision(d) => {
                let earlier: Vec<FactId> = s
                    .settled(*d)
                    .filter(|e| e.status == Some(Status::Incomplete))
                    .map(|e: &Settled| e.missing.clone())
                    .unwrap_or_default();
                for f in earlier {
                    push(s, facts, f, out);
                }
            }
            Read::Rule(r) => {
                if s.result(*r) == RuleResult::Unknown {
                    reads_of(rs, s, facts, *r, out, depth + 1);
                    let exceptions = rs.rule(*r).exceptions.clone();
                    for e in exceptions {
                        if s.result(e) == RuleResult::Unknown {
                            reads_of(rs, s, facts, e, out, depth + 1);
                        }
                    }
                }
            }
        }
    }
}

fn push<F: Facts>(s: &mut Scratch, facts: &F, f: FactId, out: &mut Vec<FactId>) {
    if facts.value(f).is_some() {
        return;
    }
    if let Some(seen) = s.seen.get_mut(f.index()) {
        if !*seen {
            *seen = true;
            out.push(f);
        }
    }
}

fn missing_outcome(o: OutcomeId) -> EvalError {
    EvalError::Internal(format!("uitkomst {} ontbreekt in het programma", o.index()))
}
