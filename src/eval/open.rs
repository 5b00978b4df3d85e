//! Open unknowns: the facts (or single members of a `lijst`) that an undecided condition
//! still depends on, skipping every part whose value is already known. The interview
//! asks these, and the analysis branches on them.

use super::machine::{Machine, V};
use super::scratch::{Scratch, Tracing};
use jiff::civil::Date;

use super::{EvalError, Facts, Open, RuleResult, Status, Waiting};
use crate::ruleset::program::{Node, NodeId};
use crate::ruleset::{RuleId, RuleSet};

use super::machine::Fail;

/// A walk over the nodes of undecided conditions.
struct Walk<'a, 's, F> {
    m: Machine<'a, 's, F>,
    /// Concepts already walked: walking one again adds nothing (`out` keeps the first
    /// appearance of each unknown), and skipping it keeps the walk linear when concepts
    /// build on each other.
    walked: Vec<bool>,
}

impl<F: Facts> Walk<'_, '_, F> {
    /// Adds to `out` the unknowns that the value of node `n` depends on.
    fn live(&mut self, n: NodeId, out: &mut Vec<Open>) -> Result<(), Fail> {
        if self.m.quietly(n)?.is_some() {
            return Ok(());
        }
        let mut push = |o: Open| {
            if !out.contains(&o) {
                out.push(o);
            }
        };
        let node = self.m.p.node(n).ok_or(Fail::Missing(n))?;
        match node {
            // An earlier decision's unknowns are found by walking its own rules.
            Node::Const(_) | Node::DecisionIs { .. } | Node::RuleApplies { .. } => {}
            Node::Fact(f)
            | Node::BoolFact(f, _)
            | Node::CompareFact(_, f, _, _)
            | Node::InChoice { fact: f, .. } => push(Open::Fact(f)),
            Node::ContainsSym { fact, item, .. } => push(Open::Member(fact, item)),
            Node::All(operands, _) | Node::Any(operands, _) => {
                for &c in operands.of(&self.m.p.lists) {
                    self.live(c, out)?;
                }
            }
            Node::ContainsFact { fact, item, .. } => match self.m.quietly(item)? {
                Some(V::Choice(s)) => push(Open::Member(fact, s)),
                _ => {
                    if self.m.facts.value(fact).is_none() {
                        push(Open::Fact(fact));
                    }
                    self.live(item, out)?;
                }
            },
            Node::Concept(c) => {
                match self.walked.get_mut(c.index()) {
                    Some(seen) if *seen => return Ok(()),
                    Some(seen) => *seen = true,
                    None => {}
                }
                let root = self.m.p.concept_root(c).ok_or(Fail::Missing(n))?;
                self.live(root, out)?;
            }
            Node::Atom(_, x) | Node::Not(x) | Node::Neg(x) | Node::In { value: x, .. } => {
                self.live(x, out)?;
            }
            Node::Compare(_, a, b)
            | Node::Arith(_, a, b, _)
            | Node::Contains {
                list: a, item: b, ..
            } => {
                self.live(a, out)?;
                self.live(b, out)?;
            }
        }
        Ok(())
    }
}

/// The unknowns that the conditions of the rules that wait still depend on, decision by
/// decision in evaluation order and rule by rule in file order, up to the first that
/// `wanted` accepts (see [`super::open`]). The case is decided again (without a trace)
/// so that every part of a condition reads what the decision read.
pub(super) fn open_until<F: Facts>(
    rs: &RuleSet,
    facts: &F,
    date: Date,
    waiting: Waiting,
    out: &mut Vec<Open>,
    wanted: &dyn Fn(Open) -> bool,
) -> Result<Option<Open>, EvalError> {
    let mut s = Scratch::new();
    super::status::run(rs, &mut s, facts, date, Tracing::Off, None)?;
    open_in(rs, &mut s, facts, waiting, out, wanted)
}

/// [`open_until`] for a case already decided (without a trace) into `s`.
pub(super) fn open_in<F: Facts>(
    rs: &RuleSet,
    s: &mut Scratch,
    facts: &F,
    waiting: Waiting,
    out: &mut Vec<Open>,
    wanted: &dyn Fn(Open) -> bool,
) -> Result<Option<Open>, EvalError> {
    let p = rs.program();
    let waits: Vec<RuleId> = p
        .decisions
        .iter()
        .filter(|d| s.settled(d.decision).and_then(|x| x.status) != Some(Status::NotNeeded))
        .flat_map(|d| d.rules.of(&p.decision_rules).iter().copied())
        .filter(|r| {
            let condition_unknown = s.condition(*r).is_none();
            let result = s.result(*r);
            condition_unknown
                && match waiting {
                    Waiting::Result => result == RuleResult::Unknown,
                    Waiting::Condition => result != RuleResult::NotValid,
                }
        })
        .collect();
    let mut walk = Walk {
        m: Machine { p, facts, s },
        walked: vec![false; rs.concepts().len()],
    };
    for rule in waits {
        let root = p.rule_root(rule).ok_or_else(|| {
            EvalError::Internal(format!("regel {} ontbreekt in het programma", rule.index()))
        })?;
        walk.live(root, out).map_err(|f| f.in_rule(p, rule))?;
        if let Some(o) = out.iter().copied().find(|o| wanted(*o)) {
            return Ok(Some(o));
        }
    }
    Ok(None)
}
