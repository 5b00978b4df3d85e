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

pub mod diff;
pub mod lint;
pub mod space;
pub mod tree;

use std::collections::BTreeSet;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::eval::{evaluate_with, first_open, Decision, EvalError, Status, Waiting};
use crate::ruleset::{Outcome, RuleSet};
pub use space::Space;
use space::{Bound, CellKind};

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

/// The decision of rule set `view` for the current assignment.
pub fn decide(space: &Space<'_>, view: usize, date: Date) -> Result<Decision, EvalError> {
    let (Some(rs), Some(facts)) = (space.sets.get(view), space.views.get(view)) else {
        return Err(EvalError::NotValid {
            reference_date: date,
            period: crate::ruleset::Period::default(),
            name: String::new(),
        });
    };
    evaluate_with(rs, facts, date)
}

/// The first variable of the space that rule set `view` waits for, if any.
pub fn next_var(
    space: &Space<'_>,
    view: usize,
    decision: &Decision,
    waiting: Waiting,
) -> Result<Option<usize>, EvalError> {
    let (Some(rs), Some(facts)) = (space.sets.get(view), space.views.get(view)) else {
        return Ok(None);
    };
    let found = first_open(rs, facts, decision, waiting, &|o| {
        space.var_of(view, o).is_some()
    })?;
    Ok(found.and_then(|o| space.var_of(view, o)))
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

/// A region as a condition in the rule language: `soort is vervoer en afstand_km meer
/// dan 6`; `alle gevallen` when it has no limits.
pub fn describe(space: &Space<'_>, region: &Region) -> String {
    let parts: Vec<String> = region
        .iter()
        .enumerate()
        .filter_map(|(i, cells)| Some(describe_var(space, i, cells.as_ref()?)))
        .collect();
    if parts.is_empty() {
        "alle gevallen".to_string()
    } else {
        parts.join(" en ")
    }
}

/// One variable limited to some of its cells.
pub fn describe_var(space: &Space<'_>, var: usize, cells: &BTreeSet<usize>) -> String {
    let Some(v) = space.vars.get(var) else {
        return String::new();
    };
    let kinds: Vec<&CellKind> = cells
        .iter()
        .filter_map(|c| v.cells.get(*c).map(|c| &c.kind))
        .collect();
    let name = &v.fact;
    match kinds.as_slice() {
        [CellKind::Bool(true)] => name.clone(),
        [CellKind::Bool(false)] => format!("niet {name}"),
        [CellKind::Member(b)] => format!(
            "{name} bevat {}{}",
            if *b { "" } else { "niet " },
            v.member.as_deref().unwrap_or("")
        ),
        _ if kinds.iter().all(|k| matches!(k, CellKind::Choice(_))) => {
            let names: Vec<&str> = kinds
                .iter()
                .flat_map(|k| match k {
                    CellKind::Choice(ns) => ns.iter().map(String::as_str).collect(),
                    _ => Vec::new(),
                })
                .collect();
            match names.as_slice() {
                [one] => format!("{name} is {one}"),
                many => format!("{name} in [{}]", many.join(", ")),
            }
        }
        _ if kinds.iter().all(|k| matches!(k, CellKind::Text(_))) => {
            let named: Vec<String> = kinds
                .iter()
                .filter_map(|k| match k {
                    CellKind::Text(Some(t)) => Some(format!("{name} is {}", quote(t))),
                    _ => None,
                })
                .collect();
            if kinds.iter().any(|k| matches!(k, CellKind::Text(None))) {
                // Any other text: not one of the named ones outside this set.
                let others: Vec<String> = v
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !cells.contains(i))
                    .filter_map(|(_, c)| match &c.kind {
                        CellKind::Text(Some(t)) => Some(format!("{name} is niet {}", quote(t))),
                        _ => None,
                    })
                    .collect();
                others.join(" en ")
            } else {
                format!("({})", named.join(" of "))
            }
        }
        _ => describe_numbers(name, &kinds, v.bounds),
    }
}

fn quote(t: &str) -> String {
    format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Adjacent numeric cells joined into ranges: `leeftijd minder dan 7 of leeftijd ten
/// minste 13`.
fn describe_numbers(name: &str, kinds: &[&CellKind], bounds: Option<(Decimal, Decimal)>) -> String {
    let mut ranges: Vec<(Bound, Bound)> = Vec::new();
    for k in kinds {
        let CellKind::Number(lo, hi) = k else {
            continue;
        };
        match ranges.last_mut() {
            Some((_, end)) if touches(*end, *lo) => *end = *hi,
            _ => ranges.push((*lo, *hi)),
        }
    }
    let parts: Vec<String> = ranges
        .iter()
        .map(|(lo, hi)| match (lo, hi) {
            (Bound::Inclusive(a), Bound::Inclusive(b)) if a == b => {
                format!("{name} is {}", show(*a))
            }
            (Bound::Unbounded, Bound::Unbounded) => format!("{name} is een getal"),
            (lo, hi) => {
                // A limit that is the fact's own bound says nothing.
                let lo = match (lo, bounds) {
                    (Bound::Inclusive(a), Some((b, _))) if *a == b => &Bound::Unbounded,
                    _ => lo,
                };
                let hi = match (hi, bounds) {
                    (Bound::Inclusive(a), Some((_, b))) if *a == b => &Bound::Unbounded,
                    _ => hi,
                };
                let mut p = Vec::new();
                match lo {
                    Bound::Inclusive(a) => p.push(format!("{name} ten minste {}", show(*a))),
                    Bound::Exclusive(a) => p.push(format!("{name} meer dan {}", show(*a))),
                    Bound::Unbounded => {}
                }
                match hi {
                    Bound::Inclusive(b) => p.push(format!("{name} ten hoogste {}", show(*b))),
                    Bound::Exclusive(b) => p.push(format!("{name} minder dan {}", show(*b))),
                    Bound::Unbounded => {}
                }
                if p.is_empty() {
                    format!("{name} is een getal")
                } else {
                    p.join(" en ")
                }
            }
        })
        .collect();
    if parts.len() > 1 {
        format!("({})", parts.join(" of "))
    } else {
        parts.join("")
    }
}

/// Whether a range ending at `end` continues with one starting at `start`.
fn touches(end: Bound, start: Bound) -> bool {
    match (end, start) {
        (Bound::Inclusive(a), Bound::Exclusive(b)) | (Bound::Exclusive(a), Bound::Inclusive(b)) => {
            a == b
        }
        _ => false,
    }
}

fn show(d: Decimal) -> String {
    d.normalize().to_string()
}

/// `decided`/`fallback`/`conflict`/`incomplete` and the outcome by domain name (in the
/// rule set's order), so that decisions of different rule sets compare.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub status: Status,
    pub outcome: Option<Vec<(String, Decimal)>>,
}

impl PartialEq for Verdict {
    fn eq(&self, other: &Verdict) -> bool {
        let sorted = |o: &Option<Vec<(String, Decimal)>>| {
            o.clone().map(|mut v| {
                v.sort();
                v
            })
        };
        self.status == other.status && sorted(&self.outcome) == sorted(&other.outcome)
    }
}

impl Eq for Verdict {}

impl Verdict {
    pub fn of(rs: &RuleSet, d: &Decision) -> Verdict {
        Verdict {
            status: d.status,
            outcome: d.outcome.as_ref().map(|o| named(rs, o)),
        }
    }

    /// `jeugdwet (beslist)`, `verdeel onderwijs 50%, jeugdwet 50% (grijs gebied)`.
    pub fn words(&self) -> String {
        let status = crate::report::status_word(self.status);
        match &self.outcome {
            Some(shares) => format!("{} ({status})", crate::report::shares_words(shares)),
            None => status.to_string(),
        }
    }

    /// The outcome as JSON, as in a decision (`null` when incomplete).
    pub fn outcome_json(&self) -> serde_json::Value {
        match &self.outcome {
            None => serde_json::Value::Null,
            Some(shares) => serde_json::Value::Object(
                shares
                    .iter()
                    .map(|(d, p)| (d.clone(), crate::report::json::number(*p)))
                    .collect(),
            ),
        }
    }
}

fn named(rs: &RuleSet, o: &Outcome) -> Vec<(String, Decimal)> {
    o.shares()
        .iter()
        .map(|(d, p)| (rs.domain_name(*d).to_string(), p.normalize()))
        .collect()
}

/// The reference dates at which the rules in force change, within the rule set's own
/// period: the analysis looks at each of these periods separately.
pub fn epochs(sets: &[&RuleSet], today: Date) -> Vec<Date> {
    let mut dates: BTreeSet<Date> = BTreeSet::new();
    let mut from: Option<Date> = None;
    let mut until: Option<Date> = None;
    for rs in sets {
        from = from.max(rs.period.from);
        until = match (until, rs.period.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let start = from.unwrap_or(today);
    dates.insert(start);
    for rs in sets {
        for r in &rs.rules {
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
