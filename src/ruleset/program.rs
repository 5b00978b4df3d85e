//! The compiled form of a rule set: every expression flattened into one array of nodes
//! that refer to each other by [`NodeId`], every outcome interned so that equal outcomes
//! compare as equal numbers, and the rules in evaluation order with their hot data kept
//! apart from the large, cold [`Rule`]s. [`crate::eval`] runs it; this module only
//! builds it, once, when [`super::RuleSet::new`] seals the rule set.
//!
//! The common atoms (a fact against a constant, a choice fact in a list, a list fact
//! containing a value, a bare yes/no fact) become single nodes, and chains of `en`/`of`
//! become one n-ary node.

use jiff::civil::Date;

use super::{
    Arith, AtomId, Compare, ConceptId, DecisionId, DomainId, Expr, FactId, Outcome, Parts, RuleId,
    Sym, Value,
};
use crate::source::Span;

macro_rules! index {
    ($($(#[$doc:meta])* $name:ident),*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub(crate) struct $name(u32);
        impl $name {
            fn new(i: usize) -> Self {
                // INVARIANT: a program is compiled from files far smaller than 4 GiB.
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }
            pub(crate) fn index(self) -> usize { self.0 as usize }
        }
    )*};
}

index!(
    /// A node of [`Program::nodes`].
    NodeId,
    /// A constant of [`Program::consts`].
    ConstId,
    /// An operator's span in [`Program::spans`] (errors name it).
    SpanId,
    /// An outcome of [`Program::outcomes`].
    OutcomeId
);

/// A run of items in one of the program's tables: `start..start + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Slice {
    start: u32,
    len: u32,
}

impl Slice {
    fn new(start: usize, len: usize) -> Slice {
        // INVARIANT: as for the indices, tables stay far below 4 GiB entries.
        Slice {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(len).unwrap_or(0),
        }
    }

    /// The items of `table` in this slice (none when out of range: a bug, which the
    /// evaluator notices because a node it needs is missing).
    pub(crate) fn of<T>(self, table: &[T]) -> &[T] {
        let start = self.start as usize;
        table
            .get(start..start.saturating_add(self.len as usize))
            .unwrap_or_default()
    }
}

/// A node of a flattened expression.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Node {
    Const(ConstId),
    Fact(FactId),
    Concept(ConceptId),
    Atom(AtomId, NodeId),
    Not(NodeId),
    Compare(Compare, NodeId, NodeId),
    /// `value in [consts[list]]`.
    In {
        negated: bool,
        value: NodeId,
        list: Slice,
    },
    /// `fact bevat item`, where the fact is a `lijst`: asked of the source of facts,
    /// which may know single members before the whole list.
    ContainsFact {
        negated: bool,
        fact: FactId,
        item: NodeId,
    },
    Contains {
        negated: bool,
        list: NodeId,
        item: NodeId,
    },
    Arith(Arith, NodeId, NodeId, SpanId),
    Neg(NodeId),
    /// `fact OP constant`: the most common comparison, fused into one node, with the
    /// atom it is (if it is one).
    CompareFact(Compare, FactId, ConstId, Option<AtomId>),
    /// `fact bevat value`, the value written in the rule.
    ContainsSym {
        negated: bool,
        fact: FactId,
        item: Sym,
        atom: Option<AtomId>,
    },
    /// `fact in [a, b]` (or `is a`) for a `keuze` fact: the values in `syms[values]`.
    InChoice {
        negated: bool,
        fact: FactId,
        values: Slice,
        atom: Option<AtomId>,
    },
    /// A bare `ja/nee` fact as an atom.
    BoolFact(FactId, AtomId),
    /// `wet is a` / `wet in [a, b]` (`contains`: `wet bevat a`): the outcome of an
    /// earlier decision against `values` (in [`Program::values`]).
    DecisionIs {
        decision: DecisionId,
        values: Slice,
        contains: bool,
        negated: bool,
        atom: Option<AtomId>,
    },
    /// `regel R geldt`: whether a rule of an earlier decision applies.
    RuleApplies {
        rule: RuleId,
        negated: bool,
        atom: Option<AtomId>,
    },
    /// `a en b en ...` and `a of b of ...`: the operands in `lists[operands]`.
    All(Slice, Settle),
    Any(Slice, Settle),
}

/// Whether an n-ary node may stop at the first operand that settles its value when no
/// trace is recorded: only when no operand can fail (no arithmetic below it, also
/// through concepts), so that nobody can tell the difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settle {
    Early,
    Never,
}

/// What evaluation needs of one rule, in evaluation order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub rule: RuleId,
    pub root: NodeId,
    pub from: Option<Date>,
    pub until: Option<Date>,
    /// The rule's exceptions, in [`Program::exceptions`].
    pub exceptions: Slice,
}

/// One decision in evaluation order: its rules, and what it gives when no rule or
/// several different rules apply.
#[derive(Debug, Clone)]
pub(crate) struct DecisionStep {
    pub decision: DecisionId,
    /// Its rules in evaluation order, in [`Program::steps`].
    pub steps: Slice,
    /// Its rules in file order (the order of `decided_by` and `missing`), in
    /// [`Program::decision_rules`].
    pub rules: Slice,
    pub fallback: OutcomeId,
    pub conflict: OutcomeId,
    /// The law's domains it routes: it is needed only when the law gives one of them a
    /// share.
    pub routes: Vec<DomainId>,
    /// Its rules as a bitset over the rule ids. Rule ids follow the file order, so the
    /// bits in ascending order are its rules in file order.
    pub mask: Vec<u64>,
    /// Its rules that have exceptions, as a bitset over the rule ids.
    pub excepted: Vec<u64>,
    /// Its steps (indexes in [`Program::steps`], in evaluation order) whose result is
    /// more than their condition's: those with exceptions or a validity period.
    pub special: Vec<usize>,
}

/// The compiled rule set.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub(crate) nodes: Vec<Node>,
    /// The operands of the n-ary nodes.
    pub(crate) lists: Vec<NodeId>,
    /// The values of the `in` lists of choices.
    pub(crate) syms: Vec<Sym>,
    /// The values that decision reads compare with.
    pub(crate) values: Vec<DomainId>,
    pub(crate) consts: Vec<Value>,
    pub(crate) spans: Vec<Span>,
    /// The root node of each rule's condition, by rule id.
    pub(crate) rule_roots: Vec<NodeId>,
    /// The rules in evaluation order: decision by decision (each after the decisions it
    /// reads), and within a decision every exception first.
    pub(crate) steps: Vec<Step>,
    /// The decisions in evaluation order.
    pub(crate) decisions: Vec<DecisionStep>,
    /// The rules of every decision in file order, one decision after another.
    pub(crate) decision_rules: Vec<RuleId>,
    /// The exceptions of every rule, one after another; each [`Step`] names its slice.
    pub(crate) exceptions: Vec<RuleId>,
    /// The root node of each concept's expression, by concept id.
    pub(crate) concept_roots: Vec<NodeId>,
    /// The distinct outcomes; equal outcomes share one id.
    pub(crate) outcomes: Vec<Outcome>,
    /// The outcome of each rule, by rule id.
    pub(crate) rule_outcomes: Vec<OutcomeId>,
    /// Per concept: whether its evaluation can fail.
    concept_fails: Vec<bool>,
    /// Per rule, by rule id: whether evaluating its condition can fail.
    rule_fails: Vec<bool>,
}

impl Program {
    pub(crate) fn compile(parts: &Parts) -> Program {
        let mut p = Program {
            concept_fails: concepts_that_can_fail(parts),
            ..Program::default()
        };
        p.concept_roots = parts
            .concepts
            .iter()
            .map(|c| p.compile_expr(&c.expr))
            .collect();
        p.rule_roots = parts
            .rules
            .iter()
            .map(|r| p.compile_expr(&r.condition))
            .collect();
        p.rule_outcomes = parts.rules.iter().map(|r| p.intern(&r.outcome)).collect();
        p.rule_fails = parts
            .rules
            .iter()
            .map(|r| p.settle(&r.condition) == Settle::Never)
            .collect();
        for &decision in &parts.decision_order {
            let Some(def) = parts.decisions.get(decision.index()) else {
                continue;
            };
            let first = p.steps.len();
            for &id in &parts.order {
                let Some(rule) = parts
                    .rules
                    .get(id.index())
                    .filter(|r| r.decision == decision)
                else {
                    continue;
                };
                let Some(root) = p.rule_roots.get(id.index()).copied() else {
                    continue;
                };
                let exceptions = Slice::new(p.exceptions.len(), rule.exceptions.len());
                p.exceptions.extend(&rule.exceptions);
                p.steps.push(Step {
                    rule: id,
                    root,
                    from: rule.period.from,
                    until: rule.period.until,
                    exceptions,
                });
            }
            let steps = Slice::new(first, p.steps.len() - first);
            let first_rule = p.decision_rules.len();
            p.decision_rules
                .extend((0..parts.rules.len()).map(RuleId::from_index).filter(|r| {
                    parts
                        .rules
                        .get(r.index())
                        .is_some_and(|r| r.decision == decision)
                }));
            let rules = Slice::new(first_rule, p.decision_rules.len() - first_rule);
            let words = parts.rules.len().div_ceil(64);
            let (mut mask, mut excepted) = (vec![0; words], vec![0; words]);
            let mut special = Vec::new();
            for (i, step) in p.steps.iter().enumerate().skip(first) {
                super::bits::set(&mut mask, step.rule.index());
                if step.exceptions.len > 0 {
                    super::bits::set(&mut excepted, step.rule.index());
                }
                if step.exceptions.len > 0 || step.from.is_some() || step.until.is_some() {
                    special.push(i);
                }
            }
            let fallback = p.intern(def.fallback.outcome());
            let conflict = p.intern(&def.conflict);
            p.decisions.push(DecisionStep {
                decision,
                steps,
                rules,
                fallback,
                conflict,
                routes: def.routes.clone(),
                mask,
                excepted,
                special,
            });
        }
        p
    }

    pub(crate) fn node(&self, n: NodeId) -> Option<Node> {
        self.nodes.get(n.index()).copied()
    }

    pub(crate) fn constant(&self, c: ConstId) -> Option<&Value> {
        self.consts.get(c.index())
    }

    pub(crate) fn span(&self, s: SpanId) -> Option<Span> {
        self.spans.get(s.index()).copied()
    }

    pub(crate) fn outcome(&self, o: OutcomeId) -> Option<&Outcome> {
        self.outcomes.get(o.index())
    }

    pub(crate) fn rule_outcome(&self, rule: RuleId) -> Option<OutcomeId> {
        self.rule_outcomes.get(rule.index()).copied()
    }

    /// Whether evaluating the rule's condition can fail (it does arithmetic, also
    /// through a concept).
    pub(crate) fn rule_can_fail(&self, rule: RuleId) -> bool {
        self.rule_fails.get(rule.index()).copied().unwrap_or(true)
    }

    pub(crate) fn rule_root(&self, rule: RuleId) -> Option<NodeId> {
        self.rule_roots.get(rule.index()).copied()
    }

    pub(crate) fn concept_root(&self, c: ConceptId) -> Option<NodeId> {
        self.concept_roots.get(c.index()).copied()
    }

    fn intern(&mut self, outcome: &Outcome) -> OutcomeId {
        match self.outcomes.iter().position(|o| o == outcome) {
            Some(i) => OutcomeId::new(i),
            None => {
                self.outcomes.push(outcome.clone());
                OutcomeId::new(self.outcomes.len() - 1)
            }
        }
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        NodeId::new(self.nodes.len() - 1)
    }

    fn add_constant(&mut self, value: &Value) -> ConstId {
        self.consts.push(value.clone());
        ConstId::new(self.consts.len() - 1)
    }

    fn compile_expr(&mut self, e: &Expr) -> NodeId {
        if let Some(node) = self.leaf(e, None) {
            return self.push(node);
        }
        let node = match e {
            Expr::Const(v) => Node::Const(self.add_constant(v)),
            Expr::Fact(f) => Node::Fact(*f),
            Expr::Concept(c) => Node::Concept(*c),
            Expr::Atom(a, x) => match self.leaf(x, Some(*a)) {
                Some(node) => node,
                None => Node::Atom(*a, self.compile_expr(x)),
            },
            Expr::Not(x) => Node::Not(self.compile_expr(x)),
            Expr::Neg(x) => Node::Neg(self.compile_expr(x)),
            Expr::And(..) => Node::All(self.flatten(e, true), self.settle(e)),
            Expr::Or(..) => Node::Any(self.flatten(e, false), self.settle(e)),
            Expr::Compare(op, a, b) => {
                Node::Compare(*op, self.compile_expr(a), self.compile_expr(b))
            }
            Expr::In {
                negated,
                value,
                list,
            } => {
                let value = self.compile_expr(value);
                let start = self.consts.len();
                for v in list {
                    self.add_constant(v);
                }
                Node::In {
                    negated: *negated,
                    value,
                    list: Slice::new(start, list.len()),
                }
            }
            Expr::Contains {
                negated,
                list,
                item,
            } => match &**list {
                Expr::Fact(fact) => Node::ContainsFact {
                    negated: *negated,
                    fact: *fact,
                    item: self.compile_expr(item),
                },
                _ => Node::Contains {
                    negated: *negated,
                    list: self.compile_expr(list),
                    item: self.compile_expr(item),
                },
            },
            Expr::Arith(op, a, b, span) => {
                let (a, b) = (self.compile_expr(a), self.compile_expr(b));
                self.spans.push(*span);
                Node::Arith(*op, a, b, SpanId::new(self.spans.len() - 1))
            }
            Expr::DecisionIs {
                decision,
                values,
                contains,
                negated,
            } => self.decision_is(*decision, values, *contains, *negated, None),
            Expr::RuleApplies { rule, negated } => Node::RuleApplies {
                rule: *rule,
                negated: *negated,
                atom: None,
            },
        };
        self.push(node)
    }

    /// The fused node of one of the common atoms (a fact against a constant, a choice
    /// fact in a list or `is` a value, a list fact containing a value, and, as an atom, a
    /// bare yes/no fact), recording itself as `atom`; `None` for anything else.
    fn leaf(&mut self, e: &Expr, atom: Option<AtomId>) -> Option<Node> {
        Some(match e {
            Expr::Fact(f) => Node::BoolFact(*f, atom?),
            Expr::DecisionIs {
                decision,
                values,
                contains,
                negated,
            } => self.decision_is(*decision, values, *contains, *negated, atom),
            Expr::RuleApplies { rule, negated } => Node::RuleApplies {
                rule: *rule,
                negated: *negated,
                atom,
            },
            Expr::Compare(op, a, b) => match (&**a, &**b) {
                (Expr::Fact(fact), Expr::Const(Value::Choice(sym)))
                    if matches!(op, Compare::Eq | Compare::Ne) =>
                {
                    self.choices(*fact, *op == Compare::Ne, &[*sym], atom)
                }
                (Expr::Fact(f), Expr::Const(c)) => {
                    Node::CompareFact(*op, *f, self.add_constant(c), atom)
                }
                _ => return None,
            },
            Expr::In {
                negated,
                value,
                list,
            } => {
                let Expr::Fact(fact) = **value else {
                    return None;
                };
                let syms: Option<Vec<Sym>> = list
                    .iter()
                    .map(|v| match v {
                        Value::Choice(s) => Some(*s),
                        _ => None,
                    })
                    .collect();
                self.choices(fact, *negated, &syms?, atom)
            }
            Expr::Contains {
                negated,
                list,
                item,
            } => match (&**list, &**item) {
                (Expr::Fact(fact), Expr::Const(Value::Choice(sym))) => Node::ContainsSym {
                    negated: *negated,
                    fact: *fact,
                    item: *sym,
                    atom,
                },
                _ => return None,
            },
            _ => return None,
        })
    }

    /// A decision read against its values.
    fn decision_is(
        &mut self,
        decision: DecisionId,
        values: &[DomainId],
        contains: bool,
        negated: bool,
        atom: Option<AtomId>,
    ) -> Node {
        let slice = Slice::new(self.values.len(), values.len());
        self.values.extend_from_slice(values);
        Node::DecisionIs {
            decision,
            values: slice,
            contains,
            negated,
            atom,
        }
    }

    /// `fact in [syms]` (or `niet in`).
    fn choices(&mut self, fact: FactId, negated: bool, syms: &[Sym], atom: Option<AtomId>) -> Node {
        let values = Slice::new(self.syms.len(), syms.len());
        self.syms.extend_from_slice(syms);
        Node::InChoice {
            negated,
            fact,
            values,
            atom,
        }
    }

    fn settle(&self, e: &Expr) -> Settle {
        let fails = |c: ConceptId| self.concept_fails.get(c.index()).copied().unwrap_or(true);
        if can_fail(e, &fails) {
            Settle::Never
        } else {
            Settle::Early
        }
    }

    /// The operands of a chain of `en` (or `of`), in reading order, as a slice.
    fn flatten(&mut self, e: &Expr, and: bool) -> Slice {
        fn operands<'e>(e: &'e Expr, and: bool, out: &mut Vec<&'e Expr>) {
            match e {
                Expr::And(a, b) if and => {
                    operands(a, and, out);
                    operands(b, and, out);
                }
                Expr::Or(a, b) if !and => {
                    operands(a, and, out);
                    operands(b, and, out);
                }
                _ => out.push(e),
            }
        }
        let mut parts = Vec::new();
        operands(e, and, &mut parts);
        let children: Vec<NodeId> = parts.into_iter().map(|x| self.compile_expr(x)).collect();
        let slice = Slice::new(self.lists.len(), children.len());
        self.lists.extend(&children);
        slice
    }
}

/// Whether evaluating `e` can fail (division by zero, overflow): it does arithmetic, or
/// uses a concept that `concept` says can fail.
fn can_fail(e: &Expr, concept: &dyn Fn(ConceptId) -> bool) -> bool {
    match e {
        Expr::Arith(..) => true,
        Expr::Concept(c) => concept(*c),
        _ => e.children().into_iter().any(|x| can_fail(x, concept)),
    }
}

/// Per concept, whether evaluating it can fail: each concept is looked at once (concepts
/// form a DAG, so a concept used by many others is not walked again for each of them).
fn concepts_that_can_fail(parts: &Parts) -> Vec<bool> {
    // A concept only uses concepts declared anywhere, but never itself (checked), so a
    // walk from every concept with memory terminates; `None` marks "not known yet".
    fn fails(parts: &Parts, memo: &mut Vec<Option<bool>>, c: ConceptId, depth: u32) -> bool {
        if let Some(Some(known)) = memo.get(c.index()) {
            return *known;
        }
        // INVARIANT: typing bounds concept nesting (`MAX_TOTAL_DEPTH`), so this recursion
        // is bounded too; a missing concept is treated as one that can fail.
        let Some(concept) = parts.concepts.get(c.index()).filter(|_| depth < 512) else {
            return true;
        };
        let mut used = Vec::new();
        concepts_used(&concept.expr, &mut used);
        let result = has_arithmetic(&concept.expr)
            || used.into_iter().any(|u| fails(parts, memo, u, depth + 1));
        if let Some(slot) = memo.get_mut(c.index()) {
            *slot = Some(result);
        }
        result
    }
    let mut memo = vec![None; parts.concepts.len()];
    (0..parts.concepts.len())
        .map(|i| fails(parts, &mut memo, ConceptId::from_index(i), 0))
        .collect()
}

fn has_arithmetic(e: &Expr) -> bool {
    matches!(e, Expr::Arith(..)) || e.children().into_iter().any(has_arithmetic)
}

fn concepts_used(e: &Expr, out: &mut Vec<ConceptId>) {
    if let Expr::Concept(c) = e {
        out.push(*c);
    }
    for x in e.children() {
        concepts_used(x, out);
    }
}
