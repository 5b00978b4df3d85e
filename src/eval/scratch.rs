//! The state of one evaluation, kept between cases so that deciding a case allocates
//! nothing once the buffers have grown to the rule set's size.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{Condition, Decision, RuleResult, Status, TraceStep};
use crate::ruleset::{ConceptId, FactId, Outcome, RuleId, RuleSet, Sym};

/// A concept's value as remembered for the rest of the case.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cached {
    /// Not evaluated yet (or of a kind that is cheaper to evaluate again).
    No,
    Unknown,
    Bool(bool),
    Number(Decimal),
    Choice(Sym),
}

/// Whether an evaluation records the trace. Chosen once per evaluation, when the scratch
/// is reset, and remembered: the decision made of the scratch has a trace exactly when
/// the evaluation recorded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Tracing {
    #[default]
    Off,
    On,
}

/// The state of one evaluation, kept between cases so that its buffers are reused.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    pub(super) results: Vec<RuleResult>,
    pub(super) conditions: Vec<Option<bool>>,
    concepts: Vec<Cached>,
    tracing: Tracing,
    /// Inside a concept (or looking for open unknowns): atoms are not the rule's.
    quiet: u32,
    atoms: Vec<Condition>,
    /// Per rule, the start and end in `atoms` of its conditions.
    ranges: Vec<(u32, u32)>,
    pub(super) decided_by: Vec<RuleId>,
    pub(super) missing: Vec<FactId>,
    pub(super) seen: Vec<bool>,
}

/// What a case was decided, without the trace: the status and outcome, at a reference
/// date; the deciding rules and the missing facts are in the [`Scratch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict<'a> {
    pub status: Status,
    /// `None` only when incomplete.
    pub outcome: Option<&'a Outcome>,
    pub reference_date: Date,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// The applying rules of the last decision (the conflicting ones for a conflict).
    pub fn decided_by(&self) -> &[RuleId] {
        &self.decided_by
    }

    /// The absent facts the last decision waits for, in file order of first reading.
    pub fn missing(&self) -> &[FactId] {
        &self.missing
    }

    /// The last decision as a [`Decision`]: with its trace when it was decided with
    /// [`super::decide_traced`], with an empty trace otherwise.
    pub fn decision(&self, rs: &RuleSet, verdict: Verdict<'_>) -> Decision {
        Decision {
            status: verdict.status,
            outcome: verdict.outcome.cloned(),
            decided_by: self.decided_by.clone(),
            missing: self.missing.clone(),
            trace: match self.tracing {
                Tracing::On => self.trace(rs),
                Tracing::Off => Vec::new(),
            },
            reference_date: verdict.reference_date,
        }
    }

    fn trace(&self, rs: &RuleSet) -> Vec<TraceStep> {
        rs.rule_ids()
            .map(|id| {
                let i = id.index();
                let result = self.result(id);
                let overridden_by = if result == RuleResult::Overridden {
                    rs.rule(id)
                        .exceptions
                        .iter()
                        .copied()
                        .filter(|e| self.result(*e) == RuleResult::Applies)
                        .collect()
                } else {
                    Vec::new()
                };
                let (start, end) = self.ranges.get(i).copied().unwrap_or((0, 0));
                TraceStep {
                    rule: id,
                    result,
                    condition: self.conditions.get(i).copied().flatten(),
                    overridden_by,
                    conditions: self
                        .atoms
                        .get(start as usize..end as usize)
                        .unwrap_or_default()
                        .to_vec(),
                }
            })
            .collect()
    }

    /// The result of a rule in the last evaluation (`not_valid` for a rule that was not
    /// evaluated).
    pub(super) fn result(&self, rule: RuleId) -> RuleResult {
        self.results
            .get(rule.index())
            .copied()
            .unwrap_or(RuleResult::NotValid)
    }

    pub(super) fn reset(&mut self, rs: &RuleSet, tracing: Tracing) {
        let n = rs.rules().len();
        self.results.clear();
        self.results.resize(n, RuleResult::NotValid);
        self.conditions.clear();
        self.conditions.resize(n, None);
        self.concepts.clear();
        self.concepts.resize(rs.concepts().len(), Cached::No);
        self.tracing = tracing;
        self.quiet = 0;
        self.atoms.clear();
        self.ranges.clear();
        if tracing == Tracing::On {
            self.ranges.resize(n, (0, 0));
        }
        if self.seen.len() != rs.facts().len() {
            self.seen.clear();
            self.seen.resize(rs.facts().len(), false);
        }
    }

    pub(super) fn tracing(&self) -> bool {
        self.tracing == Tracing::On
    }

    /// Records an atom of the rule being evaluated (when tracing, outside concepts).
    #[inline]
    pub(super) fn record(&mut self, condition: Condition) {
        if self.tracing == Tracing::On && self.quiet == 0 {
            self.atoms.push(condition);
        }
    }

    /// Where the next rule's atoms start.
    pub(super) fn atoms_mark(&self) -> u32 {
        // INVARIANT: at most a few atoms per rule; far below u32::MAX.
        u32::try_from(self.atoms.len()).unwrap_or(u32::MAX)
    }

    /// The atoms recorded since `start` are the conditions of `rule`.
    pub(super) fn close_rule(&mut self, rule: RuleId, start: u32) {
        if self.tracing == Tracing::On {
            let end = self.atoms_mark();
            if let Some(slot) = self.ranges.get_mut(rule.index()) {
                *slot = (start, end);
            }
        }
    }

    pub(super) fn enter_quiet(&mut self) {
        self.quiet += 1;
    }

    pub(super) fn leave_quiet(&mut self) {
        self.quiet = self.quiet.saturating_sub(1);
    }

    pub(super) fn cached(&self, c: ConceptId) -> Option<Cached> {
        self.concepts.get(c.index()).copied()
    }

    pub(super) fn remember(&mut self, c: ConceptId, value: Cached) {
        if let Some(slot) = self.concepts.get_mut(c.index()) {
            *slot = value;
        }
    }
}
