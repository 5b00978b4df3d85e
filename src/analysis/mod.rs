//! The symbolic engine: explores every case of a rule set (or of two, side by side) by
//! splitting on one open fact at a time, and hands each settled part of the space to a
//! caller. Lints, `diff`, `tree`, `ask` and `eval --why-not` are all built on it.
//!
//! Exploring starts from the empty case. At each point the evaluator itself
//! ([`crate::eval::evaluate_with`]) decides the partial case, three-valued; when the
//! caller's question is settled there (say, the decision is no longer incomplete) the
//! point is a leaf, and every case that agrees with the assignments so far gets the
//! same answer: a known value never changes when facts are added. Otherwise the engine
//! branches on the first open unknown ([`crate::eval::open`]) over the cells of its
//! variable ([`space`]).
//!
//! - `observe.rs` explores a rule set once and records what it sees (per rule: a case
//!   where its condition is true, whether it applied, a case where it was overridden;
//!   conflicting pairs; the grey area); `lint.rs` judges those observations, one small
//!   function per kind of finding;
//! - `diff.rs` explores two rule sets side by side; `tree.rs` folds the exploration into
//!   a decision diagram. Their rendering (text, JSON, Mermaid, dot) is in
//!   [`crate::report`].

pub mod describe;
pub mod diff;
pub mod lint;
pub mod matrix;
mod observe;
pub mod space;
pub mod tree;

use std::collections::BTreeSet;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::eval::{
    evaluate_with, first_open, first_open_decided, Decision, EvalError, Scratch, Status, Waiting,
};
use crate::ruleset::{Outcome, RuleSet};
pub use describe::{describe, Limit};
pub use space::{Space, View};

/// How many points the exploration visits before it gives up (and says so).
pub const BUDGET: usize = 200_000;

/// The explored space: a leaf per settled part, a branch per variable split on.
#[derive(Debug, Clone)]
pub enum Node<L> {
    Leaf(L),
    Branch { var: usize, children: Vec<Node<L>> },
}

/// What a probe makes of one point of the space.
pub enum Probe<L> {
    Leaf(L),
    Branch(usize),
}

/// Explores `space` depth first. `probe` gets the space with the current assignment
/// and `last` = true when the budget is spent (it must then return a leaf).
pub fn explore<L>(
    space: &mut Space<'_>,
    budget: &mut usize,
    probe: &mut dyn FnMut(&Space<'_>, bool) -> Probe<L>,
) -> Node<L> {
    *budget = budget.saturating_sub(1);
    match probe(space, *budget == 0) {
        Probe::Leaf(l) => Node::Leaf(l),
        Probe::Branch(var) => {
            let cells = space.vars.get(var).map_or(0, |v| v.cells.len());
            let mut children = Vec::with_capacity(cells);
            for cell in 0..cells {
                space.assign(var, cell);
                children.push(explore(space, budget, probe));
                space.unassign(var);
            }
            Node::Branch { var, children }
        }
    }
}

/// The decision of rule set `view` for the current assignment (which must be a valid
/// case for it: see [`space::Side::valid`]).
pub fn decide(space: &Space<'_>, view: View, date: Date) -> Result<Decision, EvalError> {
    let side = space
        .side(view)
        .ok_or_else(|| EvalError::Internal(format!("de analyse heeft geen regelset {}", view.0)))?;
    evaluate_with(side.rs, &side.facts, date)
}

/// What rule set `view` decides for the current assignment, by name; an invalid case
/// decides nothing.
pub fn answer(
    space: &Space<'_>,
    view: View,
    date: Date,
) -> Result<(Answer, Option<Decision>), EvalError> {
    let side = space
        .side(view)
        .ok_or_else(|| EvalError::Internal(format!("de analyse heeft geen regelset {}", view.0)))?;
    if !side.valid() {
        return Ok((Answer::invalid(), None));
    }
    let d = evaluate_with(side.rs, &side.facts, date)?;
    Ok((Answer::of(side.rs, &d), Some(d)))
}

/// The first variable of the space that rule set `view` waits for, if any.
pub fn next_var(
    space: &Space<'_>,
    view: View,
    decision: &Decision,
    waiting: Waiting,
) -> Result<Option<usize>, EvalError> {
    let Some(side) = space.side(view) else {
        return Ok(None);
    };
    let found = first_open(
        side.rs,
        &side.facts,
        decision.reference_date,
        waiting,
        &|o| space.var_of(view, o).is_some(),
    )?;
    Ok(found.and_then(|o| space.var_of(view, o)))
}

/// [`next_var`] for the point just decided into `scratch` by [`Quick::decide`].
pub fn next_var_in(
    space: &Space<'_>,
    view: View,
    scratch: &mut Scratch,
    waiting: Waiting,
) -> Result<Option<usize>, EvalError> {
    let Some(side) = space.side(view) else {
        return Ok(None);
    };
    let found = first_open_decided(side.rs, scratch, &side.facts, waiting, &|o| {
        space.var_of(view, o).is_some()
    })?;
    Ok(found.and_then(|o| space.var_of(view, o)))
}

/// Decides the points of one exploration without a trace, each from what its parent
/// point knew: the exploration visits points depth first, each adding one fact to its
/// parent, so only the conditions the parent left unknown are evaluated again
/// ([`crate::eval::decide_more`]). This keeps exploring a rule set of many rules
/// cheap: most conditions are settled a few facts into the space.
#[derive(Default)]
pub struct Quick {
    pub scratch: Scratch,
    /// The conditions at each depth of the current path (by number of facts assigned).
    known: Vec<Vec<Option<bool>>>,
}

impl Quick {
    /// Decides the current point of `space` for rule set `view` into [`Quick::scratch`].
    pub fn decide(&mut self, space: &Space<'_>, view: View, date: Date) -> Result<(), EvalError> {
        let side = space.side(view).ok_or_else(|| {
            EvalError::Internal(format!("de analyse heeft geen regelset {}", view.0))
        })?;
        let depth = space.assigned.iter().filter(|a| a.is_some()).count();
        self.known.truncate(depth + 1);
        match depth.checked_sub(1).and_then(|d| self.known.get(d)) {
            Some(known) => {
                crate::eval::decide_more(side.rs, &mut self.scratch, &side.facts, date, known)?;
            }
            None => {
                crate::eval::decide(side.rs, &mut self.scratch, &side.facts, date)?;
            }
        }
        self.known.resize_with(depth + 1, Vec::new);
        if let Some(slot) = self.known.get_mut(depth) {
            slot.clear();
            slot.extend(self.scratch.conditions(side.rs));
        }
        Ok(())
    }
}

/// A part of the space: per variable, the cells it is limited to (`None`: any).
pub type Region = Vec<Option<BTreeSet<usize>>>;

/// The regions of the leaves that `label` gives a label, merged: siblings with the
/// same label and the same limits below are joined, and a variable whose cells are all
/// covered drops out. The first example of each merged region is kept.
pub fn regions<L, K: PartialEq + Clone, X: Clone>(
    node: &Node<L>,
    vars: usize,
    cells: &dyn Fn(usize) -> usize,
    label: &dyn Fn(&L) -> Option<(K, X)>,
) -> Vec<(Region, K, X)> {
    match node {
        Node::Leaf(l) => label(l)
            .map(|(k, x)| vec![(vec![None; vars], k, x)])
            .unwrap_or_default(),
        Node::Branch { var, children } => {
            let mut out: Vec<(Region, K, X)> = Vec::new();
            for (cell, child) in children.iter().enumerate() {
                for (mut region, k, x) in regions(child, vars, cells, label) {
                    let same = out.iter_mut().find(|(r, k2, _)| {
                        *k2 == k
                            && r.iter()
                                .enumerate()
                                .all(|(i, c)| i == *var || Some(c) == region.get(i))
                    });
                    match same {
                        Some((r, _, _)) => {
                            if let Some(Some(set)) = r.get_mut(*var) {
                                set.insert(cell);
                            }
                        }
                        None => {
                            if let Some(slot) = region.get_mut(*var) {
                                *slot = Some(BTreeSet::from([cell]));
                            }
                            out.push((region, k, x));
                        }
                    }
                }
            }
            for (r, _, _) in &mut out {
                if let Some(slot) = r.get_mut(*var) {
                    if slot.as_ref().is_some_and(|s| s.len() == cells(*var)) {
                        *slot = None;
                    }
                }
            }
            out
        }
    }
}

/// An outcome by domain name, for comparing rule sets: `[("jeugdwet", 100)]`.
pub type Shares = Vec<(String, Decimal)>;

/// What a rule set decides for a point of the space, by name (so that decisions of
/// different rule sets compare): the law's status and outcome, and each further decision
/// that was needed.
#[derive(Debug, Clone)]
pub struct Answer {
    /// False when the point is no valid case for the rule set (a value it does not
    /// allow): then it decides nothing.
    pub valid: bool,
    pub status: Status,
    pub outcome: Option<Shares>,
    /// Each further decision that was needed: its name, status and outcome.
    pub further: Vec<(String, Status, Option<Shares>)>,
}

impl PartialEq for Answer {
    fn eq(&self, other: &Answer) -> bool {
        let sorted = |o: &Option<Shares>| {
            o.clone().map(|mut v| {
                v.sort();
                v
            })
        };
        let further = |a: &Answer| {
            let mut f: Vec<_> = a
                .further
                .iter()
                .map(|(n, s, o)| (n.clone(), *s, sorted(o)))
                .collect();
            f.sort_by(|x, y| x.0.cmp(&y.0));
            f
        };
        self.valid == other.valid
            && (!self.valid
                || (self.status == other.status
                    && sorted(&self.outcome) == sorted(&other.outcome)
                    && further(self) == further(other)))
    }
}

impl Eq for Answer {}

impl Answer {
    pub fn of(rs: &RuleSet, d: &Decision) -> Answer {
        Answer {
            valid: true,
            status: d.status,
            outcome: d.outcome.as_ref().map(|o| named(rs, o)),
            further: d
                .views()
                .skip(1)
                .filter(|v| v.status != Status::NotNeeded)
                .map(|v| {
                    (
                        rs.decision(v.decision).name.clone(),
                        v.status,
                        v.outcome.map(|o| named(rs, o)),
                    )
                })
                .collect(),
        }
    }

    /// Whether the law's status and outcome are the same in both answers (the further
    /// decisions may differ).
    pub fn same_law(&self, other: &Answer) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        a.further.clear();
        b.further.clear();
        a == b
    }

    /// The answer for a point that is no valid case for the rule set.
    pub fn invalid() -> Answer {
        Answer {
            valid: false,
            status: Status::Incomplete,
            outcome: None,
            further: Vec::new(),
        }
    }
}

fn named(rs: &RuleSet, o: &Outcome) -> Vec<(String, Decimal)> {
    o.shares()
        .iter()
        .map(|(d, p)| (rs.domain_name(*d).to_string(), p.normalize()))
        .collect()
}

/// The reference date a single picture of a rule set (a tree, a matrix) is drawn at:
/// the given `peildatum`, else the first period of the rule set (its `geldig vanaf`, or
/// `today` when it has none).
pub fn picture_date(rs: &RuleSet, peildatum: Option<Date>, today: Date) -> Date {
    peildatum.unwrap_or_else(|| epochs(&[rs], today).first().copied().unwrap_or(today))
}

/// The reference dates at which the rules in force change, within the rule set's own
/// period: the analysis looks at each of these periods separately.
pub fn epochs(sets: &[&RuleSet], today: Date) -> Vec<Date> {
    let mut dates: BTreeSet<Date> = BTreeSet::new();
    let mut from: Option<Date> = None;
    let mut until: Option<Date> = None;
    for rs in sets {
        from = from.max(rs.period().from);
        until = match (until, rs.period().until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let start = from.unwrap_or(today);
    dates.insert(start);
    for rs in sets {
        for r in rs.rules() {
            for d in [r.period.from, r.period.until].into_iter().flatten() {
                if d > start && until.is_none_or(|u| d < u) {
                    dates.insert(d);
                }
            }
        }
    }
    if until.is_some_and(|u| u <= start) {
        return Vec::new();
    }
    dates.into_iter().collect()
}
