//! The state of one evaluation, kept between cases so that deciding a case allocates
//! nothing once the buffers have grown to the rule set's size.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{Condition, Decision, Facts, Part, RuleResult, Status, TraceStep};
use crate::ruleset::bits::{get as bit, ones};
use crate::ruleset::program::OutcomeId;
use crate::ruleset::{ConceptId, DecisionId, FactId, Outcome, RuleId, RuleSet, Sym, LAW};

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

/// What one decision came to.
#[derive(Debug, Clone, Default)]
pub(super) struct Settled {
    /// `None` until the decision has been evaluated.
    pub status: Option<Status>,
    pub outcome: Option<OutcomeId>,
    pub decided_by: Vec<RuleId>,
    pub missing: Vec<FactId>,
}

/// The state of one evaluation, kept between cases so that its buffers are reused.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// Each rule's result, as bitsets over the rule ids (`not_valid`: in none of them).
    pub(super) results: Results,
    concepts: Vec<Cached>,
    tracing: Tracing,
    /// Inside a concept (or looking for open unknowns): atoms are not the rule's.
    quiet: u32,
    atoms: Vec<Condition>,
    /// Per rule, the start and end in `atoms` of its conditions.
    ranges: Vec<(u32, u32)>,
    /// Per decision (by id), what it came to.
    pub(super) settled: Vec<Settled>,
    /// Per fact, whether it is already in the `missing` being built.
    pub(super) seen: Vec<bool>,
    /// The rules the decision tables make false for this case, as a bitset.
    pub(super) table_false: Vec<u64>,
    /// The rules they make unknown.
    pub(super) table_unknown: Vec<u64>,
    /// The case's cell of each fact the tables read.
    pub(super) table_cells: Vec<usize>,
}

/// Each rule's result and the value of its condition in the last evaluation, as
/// bitsets over the rule ids, so that the rules held in the decision tables get theirs
/// 64 at a time. A rule is in at most one of the four result sets (in none: `not_valid`)
/// and in at most one of the two condition sets (in neither: unknown or not evaluated).
#[derive(Debug, Clone, Default)]
pub(super) struct Results {
    pub applies: Vec<u64>,
    pub not_applicable: Vec<u64>,
    pub overridden: Vec<u64>,
    pub unknown: Vec<u64>,
    pub condition_true: Vec<u64>,
    pub condition_false: Vec<u64>,
}

impl Results {
    fn reset(&mut self, words: usize) {
        for set in self.sets_mut() {
            set.clear();
            set.resize(words, 0);
        }
    }

    fn sets_mut(&mut self) -> [&mut Vec<u64>; 6] {
        [
            &mut self.applies,
            &mut self.not_applicable,
            &mut self.overridden,
            &mut self.unknown,
            &mut self.condition_true,
            &mut self.condition_false,
        ]
    }

    pub fn result(&self, rule: RuleId) -> RuleResult {
        let i = rule.index();
        if bit(&self.applies, i) {
            RuleResult::Applies
        } else if bit(&self.not_applicable, i) {
            RuleResult::NotApplicable
        } else if bit(&self.unknown, i) {
            RuleResult::Unknown
        } else if bit(&self.overridden, i) {
            RuleResult::Overridden
        } else {
            RuleResult::NotValid
        }
    }

    pub fn condition(&self, rule: RuleId) -> Option<bool> {
        let i = rule.index();
        if bit(&self.condition_true, i) {
            Some(true)
        } else if bit(&self.condition_false, i) {
            Some(false)
        } else {
            None
        }
    }

    /// Adds the result and condition of a rule that has none yet (since the reset):
    /// only its own bits are set.
    pub fn add(&mut self, rule: RuleId, result: RuleResult, condition: Option<bool>) {
        let result = match result {
            RuleResult::Applies => Some(&mut self.applies),
            RuleResult::NotApplicable => Some(&mut self.not_applicable),
            RuleResult::Overridden => Some(&mut self.overridden),
            RuleResult::Unknown => Some(&mut self.unknown),
            RuleResult::NotValid => None,
        };
        if let Some(set) = result {
            crate::ruleset::bits::set(set, rule.index());
        }
        let condition = match condition {
            Some(true) => Some(&mut self.condition_true),
            Some(false) => Some(&mut self.condition_false),
            None => None,
        };
        if let Some(set) = condition {
            crate::ruleset::bits::set(set, rule.index());
        }
    }

    /// Takes every result and condition from a rule: `not_valid`.
    pub fn clear(&mut self, rule: RuleId) {
        let (word, bit) = (rule.index() / 64, 1u64 << (rule.index() % 64));
        for set in self.sets_mut() {
            if let Some(w) = set.get_mut(word) {
                *w &= !bit;
            }
        }
    }
}

/// The rules in a bitset, by id.
fn ids(words: &[u64]) -> impl Iterator<Item = RuleId> + '_ {
    ones(words.iter().copied()).map(RuleId::from_index)
}

/// What a case was decided, without the trace: the law's status and outcome at a
/// reference date; its deciding rules, missing facts and the further decisions are in
/// the [`Scratch`].
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

    /// The law's applying rules in the last decision (the conflicting ones for a
    /// conflict).
    pub fn decided_by(&self) -> &[RuleId] {
        self.settled
            .get(LAW.index())
            .map_or(&[], |s| s.decided_by.as_slice())
    }

    /// The law's outcome in the last decision, as its index among the rule set's
    /// distinct outcomes (the same index for equal outcomes; `None` when incomplete).
    pub fn outcome_index(&self) -> Option<usize> {
        self.settled(LAW)?.outcome.map(|o| o.index())
    }

    /// The absent facts the law waits for, in file order of first reading.
    pub fn missing(&self) -> &[FactId] {
        self.settled
            .get(LAW.index())
            .map_or(&[], |s| s.missing.as_slice())
    }

    /// The last decision as a [`Decision`]: with its trace when it was decided with
    /// [`super::decide_traced`], with empty traces otherwise. `facts` are the case's
    /// (for payers that come from it).
    pub fn decision<F: Facts>(&self, rs: &RuleSet, verdict: Verdict<'_>, facts: &F) -> Decision {
        let parts: Vec<Part> = rs
            .further_decisions()
            .map(|(id, _)| self.part(rs, id))
            .collect();
        let payment = super::payment::payment(rs, verdict.outcome, &parts, facts);
        Decision {
            status: verdict.status,
            outcome: verdict.outcome.cloned(),
            decided_by: self.decided_by().to_vec(),
            missing: self.missing().to_vec(),
            trace: self.trace(rs, LAW),
            reference_date: verdict.reference_date,
            parts,
            payment,
        }
    }

    /// A further decision's result.
    fn part(&self, rs: &RuleSet, id: DecisionId) -> Part {
        let settled = self.settled.get(id.index()).cloned().unwrap_or_default();
        let status = settled.status.unwrap_or(Status::Incomplete);
        Part {
            decision: id,
            status,
            outcome: settled
                .outcome
                .and_then(|o| rs.program().outcome(o))
                .cloned(),
            decided_by: settled.decided_by,
            missing: settled.missing,
            trace: if status == Status::NotNeeded {
                Vec::new()
            } else {
                self.trace(rs, id)
            },
        }
    }

    /// The trace of one decision's rules, in file order (empty without tracing).
    fn trace(&self, rs: &RuleSet, decision: DecisionId) -> Vec<TraceStep> {
        if self.tracing == Tracing::Off {
            return Vec::new();
        }
        rs.rules_of(decision)
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
                    condition: self.results.condition(id),
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
    pub fn result(&self, rule: RuleId) -> RuleResult {
        self.results.result(rule)
    }

    /// Forgets the remembered concept values (another source of facts follows).
    pub(super) fn forget_concepts(&mut self) {
        self.concepts.fill(Cached::No);
    }

    pub(super) fn reset(&mut self, rs: &RuleSet, tracing: Tracing) {
        let n = rs.rules().len();
        self.results.reset(n.div_ceil(64));
        self.concepts.clear();
        self.concepts.resize(rs.concepts().len(), Cached::No);
        self.tracing = tracing;
        self.quiet = 0;
        self.atoms.clear();
        self.ranges.clear();
        if tracing == Tracing::On {
            self.ranges.resize(n, (0, 0));
        }
        let decisions = rs.decisions().len();
        self.settled.resize_with(decisions, Settled::default);
        for s in &mut self.settled {
            s.status = None;
            s.outcome = None;
            s.decided_by.clear();
            s.missing.clear();
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

    /// What a decision came to so far (`None` before it is evaluated).
    /// The value of a rule's whole condition in the last evaluation (`None` when
    /// unknown or not evaluated), as the trace would say.
    pub fn condition(&self, rule: RuleId) -> Option<bool> {
        self.results.condition(rule)
    }

    /// The value of every rule's condition in the last evaluation, by rule id (for
    /// [`super::decide_more`]).
    pub fn conditions<'a>(&'a self, rs: &'a RuleSet) -> impl Iterator<Item = Option<bool>> + 'a {
        rs.rule_ids().map(|r| self.results.condition(r))
    }

    /// The rules whose condition was true in the last evaluation, by id.
    pub fn true_conditions(&self) -> impl Iterator<Item = RuleId> + '_ {
        ids(&self.results.condition_true)
    }

    /// The rules that applied in the last evaluation, by id.
    pub fn applying(&self) -> impl Iterator<Item = RuleId> + '_ {
        ids(&self.results.applies)
    }

    /// The rules that were overridden in the last evaluation, by id.
    pub fn overridden(&self) -> impl Iterator<Item = RuleId> + '_ {
        ids(&self.results.overridden)
    }

    /// The status of one decision in the last evaluation (incomplete when it was not
    /// reached).
    pub fn status(&self, d: DecisionId) -> Status {
        self.settled(d)
            .and_then(|s| s.status)
            .unwrap_or(Status::Incomplete)
    }

    /// The applying rules of one decision in the last evaluation (the conflicting ones
    /// for a conflict).
    pub fn decided_by_of(&self, d: DecisionId) -> &[RuleId] {
        self.settled(d).map_or(&[], |s| s.decided_by.as_slice())
    }

    pub(super) fn settled(&self, d: DecisionId) -> Option<&Settled> {
        self.settled.get(d.index()).filter(|s| s.status.is_some())
    }
}
