//! The machine: the value of one node of the compiled program for one source of facts,
//! in three-valued (Kleene) logic, reading fact values in place. It records the atoms
//! of a rule's condition when the scratch is tracing, and remembers each concept's value
//! for the rest of the case.

use rust_decimal::Decimal;

use super::scratch::{Cached, Scratch};
use super::{Condition, EvalError, Facts, RuleResult, Status};
use crate::ruleset::program::{Node, NodeId, Program, Settle, SpanId};
use crate::ruleset::{Arith, AtomId, Compare, ConceptId, DecisionId, DomainId, RuleId, Sym, Value};

/// A value during evaluation, borrowed from the case or the program: copying it never
/// allocates. `None` (in `Option<V>`) is unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum V<'a> {
    Bool(bool),
    Number(Decimal),
    Text(&'a str),
    Choice(Sym),
    List(&'a [Sym]),
}

impl<'a> From<&'a Value> for V<'a> {
    fn from(v: &'a Value) -> V<'a> {
        match v {
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => V::Number(*n),
            Value::Text(t) => V::Text(t),
            Value::Choice(s) => V::Choice(*s),
            Value::List(items) => V::List(items),
        }
    }
}

/// Why a node has no value, before the rule it belongs to is known (kept small: it
/// travels through every return).
#[derive(Debug, Clone, Copy)]
pub(super) enum Fail {
    DivisionByZero(SpanId),
    Overflow(SpanId),
    /// The program refers to a node, constant or concept it does not have: a bug.
    Missing(NodeId),
}

impl Fail {
    pub(super) fn in_rule(self, p: &Program, rule: RuleId) -> EvalError {
        let span = |s: SpanId| p.span(s).unwrap_or_default();
        match self {
            Fail::DivisionByZero(s) => EvalError::DivisionByZero {
                rule,
                span: span(s),
            },
            Fail::Overflow(s) => EvalError::Overflow {
                rule,
                span: span(s),
            },
            Fail::Missing(n) => EvalError::Internal(format!(
                "het gecompileerde programma mist knoop {} (regel {})",
                n.index(),
                rule.index()
            )),
        }
    }
}

/// One evaluation over one source of facts.
pub(super) struct Machine<'a, 's, F> {
    pub p: &'a Program,
    pub facts: &'a F,
    pub s: &'s mut Scratch,
}

impl<'a, F: Facts> Machine<'a, '_, F> {
    fn node(&self, n: NodeId) -> Result<Node, Fail> {
        self.p.node(n).ok_or(Fail::Missing(n))
    }

    /// The value of node `n`.
    pub fn eval(&mut self, n: NodeId) -> Result<Option<V<'a>>, Fail> {
        Ok(match self.node(n)? {
            Node::Const(c) => Some(V::from(self.p.constant(c).ok_or(Fail::Missing(n))?)),
            Node::Fact(f) => self.facts.value(f).map(V::from),
            Node::Concept(c) => return self.concept(c, n),
            Node::Compare(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                match (a, b) {
                    (Some(a), Some(b)) => Some(V::Bool(compare(op, a, b))),
                    _ => None,
                }
            }
            Node::In {
                negated,
                value,
                list,
            } => {
                let list = list.of(&self.p.consts);
                self.eval(value)?
                    .map(|v| V::Bool(list.iter().any(|c| V::from(c) == v) != negated))
            }
            Node::ContainsFact {
                negated,
                fact,
                item,
            } => match self.eval(item)? {
                Some(V::Choice(s)) => self
                    .facts
                    .contains(fact, s)
                    .map(|found| V::Bool(found != negated)),
                _ => None,
            },
            Node::Contains {
                negated,
                list,
                item,
            } => {
                let (list, item) = (self.eval(list)?, self.eval(item)?);
                match (list, item) {
                    (Some(V::List(items)), Some(V::Choice(s))) => {
                        Some(V::Bool(items.contains(&s) != negated))
                    }
                    _ => None,
                }
            }
            Node::Arith(op, a, b, span) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                match (a, b) {
                    (Some(V::Number(a)), Some(V::Number(b))) => {
                        Some(V::Number(arith(op, a, b, span)?))
                    }
                    _ => None,
                }
            }
            Node::Neg(x) => match self.eval(x)? {
                Some(V::Number(n)) => Some(V::Number(-n)),
                _ => None,
            },
            Node::Atom(..)
            | Node::Not(_)
            | Node::All(..)
            | Node::Any(..)
            | Node::BoolFact(..)
            | Node::CompareFact(..)
            | Node::ContainsSym { .. }
            | Node::InChoice { .. }
            | Node::DecisionIs { .. }
            | Node::RuleApplies { .. } => return Ok(self.truth(n)?.map(V::Bool)),
        })
    }

    /// The value of a condition node: the fast path for everything that is true, false
    /// or unknown, which is what rules are made of.
    pub fn truth(&mut self, n: NodeId) -> Result<Option<bool>, Fail> {
        Ok(match self.node(n)? {
            Node::Not(x) => self.truth(x)?.map(|b| !b),
            Node::All(operands, settle) => {
                let early = settle == Settle::Early && !self.s.tracing();
                let mut acc = Some(true);
                for &c in operands.of(&self.p.lists) {
                    acc = kleene_and(acc, self.truth(c)?);
                    if early && acc == Some(false) {
                        break;
                    }
                }
                acc
            }
            Node::Any(operands, settle) => {
                let early = settle == Settle::Early && !self.s.tracing();
                let mut acc = Some(false);
                for &c in operands.of(&self.p.lists) {
                    acc = kleene_or(acc, self.truth(c)?);
                    if early && acc == Some(true) {
                        break;
                    }
                }
                acc
            }
            Node::Atom(atom, x) => {
                let value = self.truth(x)?;
                self.record(Some(atom), value)
            }
            Node::Fact(f) => match self.facts.value(f) {
                Some(Value::Bool(b)) => Some(*b),
                _ => None,
            },
            Node::BoolFact(f, atom) => {
                let value = match self.facts.value(f) {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                };
                self.record(Some(atom), value)
            }
            Node::CompareFact(op, f, c, atom) => {
                let constant = self.p.constant(c).ok_or(Fail::Missing(n))?;
                let value = self
                    .facts
                    .value(f)
                    .map(|a| compare(op, V::from(a), V::from(constant)));
                self.record(atom, value)
            }
            Node::ContainsSym {
                negated,
                fact,
                item,
                atom,
            } => {
                let value = self
                    .facts
                    .contains(fact, item)
                    .map(|found| found != negated);
                self.record(atom, value)
            }
            Node::InChoice {
                negated,
                fact,
                values,
                atom,
            } => {
                let value = match self.facts.value(fact) {
                    Some(Value::Choice(s)) => Some(values.of(&self.p.syms).contains(s) != negated),
                    _ => None,
                };
                self.record(atom, value)
            }
            Node::DecisionIs {
                decision,
                values,
                contains,
                negated,
                atom,
            } => {
                let value = self.decision_is(decision, values.of(&self.p.values), contains);
                self.record(atom, value.map(|v| v != negated))
            }
            Node::RuleApplies {
                rule,
                negated,
                atom,
            } => {
                let value = match self.s.result(rule) {
                    RuleResult::Applies => Some(true),
                    RuleResult::Unknown => None,
                    _ => Some(false),
                };
                self.record(atom, value.map(|v| v != negated))
            }
            _ => as_bool(self.eval(n)?),
        })
    }

    /// Whether an earlier decision's outcome is one of `values` (or, with `contains`,
    /// gives one of them a share); unknown while that decision is incomplete. A decision
    /// that is not needed has no outcome: it is none of its values.
    fn decision_is(
        &self,
        decision: DecisionId,
        values: &[DomainId],
        contains: bool,
    ) -> Option<bool> {
        let settled = self.s.settled(decision)?;
        match settled.status {
            Some(Status::Incomplete) | None => return None,
            Some(Status::NotNeeded) => return Some(false),
            Some(_) => {}
        }
        let outcome = settled.outcome.and_then(|o| self.p.outcome(o))?;
        let shares = outcome.shares();
        Some(if contains {
            shares.iter().any(|(d, _)| values.contains(d))
        } else {
            matches!(shares, [(d, _)] if values.contains(d))
        })
    }

    /// Records an atom's value in the trace (when tracing, and not inside a concept).
    #[inline]
    fn record(&mut self, atom: Option<AtomId>, value: Option<bool>) -> Option<bool> {
        if let Some(atom) = atom {
            self.s.record(Condition { atom, value });
        }
        value
    }

    /// Evaluates `n` without recording atoms (inside a concept, or while looking for
    /// open unknowns).
    pub fn quietly(&mut self, n: NodeId) -> Result<Option<V<'a>>, Fail> {
        self.s.enter_quiet();
        let v = self.eval(n);
        self.s.leave_quiet();
        v
    }

    fn concept(&mut self, c: ConceptId, at: NodeId) -> Result<Option<V<'a>>, Fail> {
        match self.s.cached(c) {
            Some(Cached::Unknown) => return Ok(None),
            Some(Cached::Bool(b)) => return Ok(Some(V::Bool(b))),
            Some(Cached::Number(n)) => return Ok(Some(V::Number(n))),
            Some(Cached::Choice(s)) => return Ok(Some(V::Choice(s))),
            Some(Cached::No) | None => {}
        }
        let root = self.p.concept_root(c).ok_or(Fail::Missing(at))?;
        // Conditions inside a concept are not atoms of the rule: keep them out.
        let v = self.quietly(root)?;
        self.s.remember(
            c,
            match v {
                None => Cached::Unknown,
                Some(V::Bool(b)) => Cached::Bool(b),
                Some(V::Number(n)) => Cached::Number(n),
                Some(V::Choice(s)) => Cached::Choice(s),
                Some(V::Text(_) | V::List(_)) => Cached::No,
            },
        );
        Ok(v)
    }
}

fn as_bool(v: Option<V<'_>>) -> Option<bool> {
    match v {
        Some(V::Bool(b)) => Some(b),
        _ => None,
    }
}

/// `onwaar en onbekend = onwaar`; otherwise unknown propagates.
pub(super) fn kleene_and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// `waar of onbekend = waar`; otherwise unknown propagates.
pub(super) fn kleene_or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn compare(op: Compare, a: V<'_>, b: V<'_>) -> bool {
    match op {
        Compare::Eq => a == b,
        Compare::Ne => a != b,
        _ => match (a, b) {
            (V::Number(a), V::Number(b)) => match op {
                Compare::Lt => a < b,
                Compare::Le => a <= b,
                Compare::Gt => a > b,
                _ => a >= b,
            },
            // INVARIANT: the checker only allows ordering comparisons on numbers.
            _ => false,
        },
    }
}

fn arith(op: Arith, a: Decimal, b: Decimal, span: SpanId) -> Result<Decimal, Fail> {
    let r = match op {
        Arith::Add => a.checked_add(b),
        Arith::Sub => a.checked_sub(b),
        Arith::Mul => a.checked_mul(b),
        Arith::Div => {
            if b.is_zero() {
                return Err(Fail::DivisionByZero(span));
            }
            a.checked_div(b)
        }
    };
    r.ok_or(Fail::Overflow(span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kleene_tables() {
        let (t, f, u) = (Some(true), Some(false), None);
        assert_eq!(kleene_and(f, u), f);
        assert_eq!(kleene_and(u, f), f);
        assert_eq!(kleene_and(t, u), u);
        assert_eq!(kleene_and(t, t), t);
        assert_eq!(kleene_or(t, u), t);
        assert_eq!(kleene_or(u, t), t);
        assert_eq!(kleene_or(f, u), u);
        assert_eq!(kleene_or(f, f), f);
    }

    #[test]
    fn equal_numbers_compare_equal_whatever_their_scale() {
        let a = V::Number(Decimal::new(10, 1));
        let b = V::Number(Decimal::ONE);
        assert!(compare(Compare::Eq, a, b));
    }
}
