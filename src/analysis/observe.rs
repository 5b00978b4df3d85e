//! Observing a rule set: one exploration of its space per period, recording what the
//! lints judge afterwards. Nothing here decides whether something is worth a warning.

use std::collections::HashSet;

use jiff::civil::Date;
use serde_json::{Map, Value as Json};

use super::{describe, epochs, explore, next_var_in, regions, Node, Probe, Quick, Space, View};
use crate::eval::{RuleResult, Status, Waiting};
use crate::ruleset::{DecisionId, RuleId, RuleSet};

/// How many points each exploration of the lints may visit: lints run on every `check`,
/// so they stay within seconds even for a few hundred rules (and say when they stopped).
pub const LINT_BUDGET: usize = 20_000;

/// What the exploration saw of one rule.
#[derive(Debug, Default, Clone)]
pub struct RuleSeen {
    /// A case where the condition is true.
    pub true_example: Option<Json>,
    pub applies: bool,
    /// A case where the condition is true and the rule is overridden, with the rules
    /// that overrode it.
    pub overridden: Option<(Json, Vec<RuleId>)>,
}

/// Everything the lints judge.
pub struct Observations<'a> {
    pub space: Space<'a>,
    /// The periods looked at (see [`epochs`]).
    pub dates: Vec<Date>,
    /// Per rule, by rule id.
    pub rules: Vec<RuleSeen>,
    /// Pairs of applying rules with different outcomes, each with a case, in the order
    /// first met.
    pub conflicts: Vec<(RuleId, RuleId, Json)>,
    /// The grey area of each decision: regions where its fallback holds (as a
    /// condition), each with a case.
    pub grey: Vec<(DecisionId, String, Json)>,
    /// Whether the budget sufficed for every exploration.
    pub complete: bool,
}

/// Explores `rs` at each of its periods.
pub fn observe(rs: &RuleSet, today: Date) -> Observations<'_> {
    let mut o = Observations {
        space: Space::of(rs),
        dates: epochs(&[rs], today),
        rules: vec![RuleSeen::default(); rs.rules().len()],
        conflicts: Vec::new(),
        grey: Vec::new(),
        complete: true,
    };
    let mut pairs = Pairs::new(rs.rules().len());
    for date in o.dates.clone() {
        rules_and_conflicts(rs, &mut o, &mut pairs, date);
        grey_area(&mut o, date);
    }
    o
}

/// The conflicting pairs found so far: a bit per pair of rules (each leaf of the
/// exploration asks again about the pairs it shows), or a hash set for a rule set so
/// large that the bits would take more than 8 MiB.
enum Pairs {
    Bits { rules: usize, bits: Vec<u64> },
    Set(HashSet<(RuleId, RuleId)>),
}

impl Pairs {
    fn new(rules: usize) -> Pairs {
        match rules.checked_mul(rules).filter(|n| *n <= 64 << 20) {
            Some(n) => Pairs::Bits {
                rules,
                bits: vec![0; n.div_ceil(64)],
            },
            None => Pairs::Set(HashSet::new()),
        }
    }

    /// Adds a pair; whether it is new.
    fn insert(&mut self, a: RuleId, b: RuleId) -> bool {
        match self {
            Pairs::Bits { rules, bits } => {
                let i = a.index() * *rules + b.index();
                let new = !crate::ruleset::bits::get(bits, i);
                crate::ruleset::bits::set(bits, i);
                new
            }
            Pairs::Set(set) => set.insert((a, b)),
        }
    }
}

/// Every rule settled: record what each did, and the conflicting pairs.
fn rules_and_conflicts(rs: &RuleSet, o: &mut Observations<'_>, pairs: &mut Pairs, date: Date) {
    let mut budget = LINT_BUDGET;
    let mut quick = Quick::default();
    let (seen, conflicts, complete) = (&mut o.rules, &mut o.conflicts, &mut o.complete);
    explore(&mut o.space, &mut budget, &mut |space, last| {
        if quick.decide(space, View::FIRST, date).is_err() {
            return Probe::Leaf(());
        }
        let scratch = &mut quick.scratch;
        match next_var_in(space, View::FIRST, scratch, Waiting::Condition) {
            Ok(Some(var)) if !last => return Probe::Branch(var),
            Ok(Some(_)) => *complete = false,
            _ => {}
        }
        let example = || with_date(space.example(View::FIRST), date);
        for rule in scratch.true_conditions() {
            if let Some(s) = seen.get_mut(rule.index()) {
                if s.true_example.is_none() {
                    s.true_example = Some(example());
                }
            }
        }
        for rule in scratch.applying() {
            if let Some(s) = seen.get_mut(rule.index()) {
                s.applies = true;
            }
        }
        for rule in scratch.overridden() {
            if let Some(s) = seen.get_mut(rule.index()) {
                if s.overridden.is_none() {
                    let by = rs
                        .rule(rule)
                        .exceptions
                        .iter()
                        .copied()
                        .filter(|e| scratch.result(*e) == RuleResult::Applies)
                        .collect();
                    s.overridden = Some((example(), by));
                }
            }
        }
        for decision in rs.decision_ids() {
            if scratch.status(decision) != Status::Conflict {
                continue;
            }
            let applying = scratch.decided_by_of(decision);
            for (i, a) in applying.iter().enumerate() {
                for b in applying.iter().skip(i + 1) {
                    let differ = rs.rule(*a).outcome != rs.rule(*b).outcome;
                    if differ && pairs.insert(*a, *b) {
                        conflicts.push((*a, *b, example()));
                    }
                }
            }
        }
        Probe::Leaf(())
    });
}

/// The grey area of every decision, split only as far as the decisions need.
fn grey_area(o: &mut Observations<'_>, date: Date) {
    let mut budget = LINT_BUDGET;
    let mut quick = Quick::default();
    let decisions: Vec<DecisionId> = o
        .space
        .side(View::FIRST)
        .map(|s| s.rs.decision_ids().collect())
        .unwrap_or_default();
    let tree: Node<Vec<(DecisionId, Json)>> =
        explore(&mut o.space, &mut budget, &mut |space, last| {
            if quick.decide(space, View::FIRST, date).is_err() {
                return Probe::Leaf(Vec::new());
            }
            let scratch = &mut quick.scratch;
            match next_var_in(space, View::FIRST, scratch, Waiting::Result) {
                Ok(Some(var)) if !last => Probe::Branch(var),
                _ => Probe::Leaf(
                    decisions
                        .iter()
                        .filter(|d| scratch.status(**d) == Status::Fallback)
                        .map(|d| (*d, with_date(space.example(View::FIRST), date)))
                        .collect(),
                ),
            }
        });
    o.complete &= budget > 0;
    let space = &o.space;
    let cells = |v: usize| space.vars.get(v).map_or(0, |v| v.cells.len());
    for decision in decisions {
        let label = |l: &Vec<(DecisionId, Json)>| {
            l.iter()
                .find(|(d, _)| *d == decision)
                .map(|(_, x)| ((), x.clone()))
        };
        for (region, (), example) in regions(&tree, space.vars.len(), &cells, &label) {
            let when = describe(space, &region);
            if !o.grey.iter().any(|(d, w, _)| *d == decision && *w == when) {
                o.grey.push((decision, when, example));
            }
        }
    }
}

/// A case with its `peildatum`.
pub fn with_date(mut case: Map<String, Json>, date: Date) -> Json {
    case.insert("peildatum".into(), Json::String(date.to_string()));
    Json::Object(case)
}
