//! The compiled form of a rule set: every expression flattened into one array of
//! nodes that refer to each other by index, every outcome interned so that equal
//! outcomes compare as equal numbers. Evaluation reads fact values in place (borrowed,
//! never cloned) and keeps all its state in a reusable [`Scratch`], so deciding a case
//! allocates nothing once the scratch has grown to the rule set's size.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{Condition, EvalError, Facts, Open, RuleResult, Status, TraceStep, Waiting};
use crate::ruleset::{
    Arith, AtomId, Compare, ConceptId, Expr, FactId, Outcome, RuleId, RuleSet, Sym, Value,
};
use crate::source::Span;

/// A node of the flattened expression; children are indices into [`Program::nodes`].
#[derive(Debug, Clone, Copy)]
enum Node {
    Const(u32),
    Fact(FactId),
    Concept(ConceptId),
    Atom(AtomId, u32),
    Not(u32),
    Compare(Compare, u32, u32),
    /// `value in [consts[start..start + len]]`.
    In {
        negated: bool,
        value: u32,
        start: u32,
        len: u32,
    },
    /// `fact bevat item`, where the fact is a `lijst`: asked of the source of facts,
    /// which may know single members before the whole list.
    ContainsFact {
        negated: bool,
        fact: FactId,
        item: u32,
    },
    Contains {
        negated: bool,
        list: u32,
        item: u32,
    },
    /// The span (an index into [`Program::spans`]) names the operator in errors.
    Arith(Arith, u32, u32, u32),
    Neg(u32),
    /// `fact OP constant`: the most common comparison, fused into one node, with the
    /// atom it is (or [`NO_ATOM`]).
    CompareFact(Compare, FactId, u32, AtomId),
    /// `fact bevat value`, the value written in the rule.
    ContainsSym {
        negated: bool,
        fact: FactId,
        item: Sym,
        atom: AtomId,
    },
    /// `fact in [a, b]` for a `keuze` fact: the values in `syms[start..start + len]`.
    InChoice {
        negated: bool,
        fact: FactId,
        start: u32,
        len: u32,
        atom: AtomId,
    },
    /// A bare `ja/nee` fact as an atom.
    BoolFact(FactId, AtomId),
    /// `a en b en ...` and `a of b of ...`: children in `lists[start..start + len]`.
    /// When no child can fail (no arithmetic below), evaluation without a trace may
    /// stop at the first child that settles the value: nobody can tell the difference.
    All(u32, u32, Settle),
    Any(u32, u32, Settle),
}

/// One rule in evaluation order.
#[derive(Debug, Clone, Copy)]
struct Step {
    rule: RuleId,
    root: u32,
    period: (Option<Date>, Option<Date>),
    /// The rule's exceptions: `exceptions[start..start + len]`.
    exceptions: (u32, u32),
}

/// Whether an n-ary node may stop early when no trace is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settle {
    Early,
    Never,
}

/// The atom of a fused node that is not an atom of its own.
const NO_ATOM: AtomId = AtomId(u32::MAX);

/// The compiled rule set, built once by the checker.
#[derive(Debug, Clone, Default)]
pub struct Program {
    nodes: Vec<Node>,
    /// Children of the n-ary nodes.
    lists: Vec<u32>,
    /// The values of the `in` lists of choices.
    syms: Vec<Sym>,
    consts: Vec<Value>,
    spans: Vec<Span>,
    /// Root node of each rule's condition, by rule id.
    rule_roots: Vec<u32>,
    /// What evaluation needs of each rule, in evaluation order (exceptions first): kept
    /// apart from the [`crate::ruleset::Rule`]s, which are large and cold.
    steps: Vec<Step>,
    /// The exceptions of every rule, one after another; each `Step` names its range.
    exceptions: Vec<RuleId>,
    /// Root node of each concept's expression, by concept id.
    concept_roots: Vec<u32>,
    /// The distinct outcomes; equal outcomes share one index.
    outcomes: Vec<Outcome>,
    /// Index into `outcomes` of each rule's outcome, by rule id.
    rule_outcomes: Vec<u32>,
    fallback: u32,
    conflict: u32,
    /// Per concept: whether its evaluation can fail (it does arithmetic, or uses a
    /// concept that does).
    concept_fails: Vec<bool>,
}

impl Program {
    pub(crate) fn new(rs: &RuleSet) -> Program {
        let mut p = Program::default();
        p.concept_fails = rs
            .concepts
            .iter()
            .map(|c| fails_through_concepts(rs, &c.expr))
            .collect();
        p.concept_roots = rs.concepts.iter().map(|c| p.compile(&c.expr)).collect();
        p.rule_roots = rs.rules.iter().map(|r| p.compile(&r.condition)).collect();
        p.rule_outcomes = rs.rules.iter().map(|r| p.intern(&r.outcome)).collect();
        for &id in &rs.order {
            let Some(rule) = rs.rule(id) else { continue };
            let start = index(p.exceptions.len());
            p.exceptions.extend(&rule.exceptions);
            p.steps.push(Step {
                rule: id,
                root: p.rule_roots.get(id.index()).copied().unwrap_or(u32::MAX),
                period: (rule.period.from, rule.period.until),
                exceptions: (start, index(rule.exceptions.len())),
            });
        }
        p.fallback = p.intern(&rs.fallback);
        p.conflict = p.intern(&rs.conflict);
        p
    }

    fn intern(&mut self, outcome: &Outcome) -> u32 {
        let i = match self.outcomes.iter().position(|o| o == outcome) {
            Some(i) => i,
            None => {
                self.outcomes.push(outcome.clone());
                self.outcomes.len() - 1
            }
        };
        index(i)
    }

    fn push(&mut self, node: Node) -> u32 {
        self.nodes.push(node);
        index(self.nodes.len() - 1)
    }

    fn constant(&mut self, value: &Value) -> u32 {
        self.consts.push(value.clone());
        index(self.consts.len() - 1)
    }

    fn compile(&mut self, e: &Expr) -> u32 {
        if let Some(node) = self.leaf(e, NO_ATOM) {
            return self.push(node);
        }
        let node = match e {
            Expr::Const(v) => Node::Const(self.constant(v)),
            Expr::Fact(f) => Node::Fact(*f),
            Expr::Concept(c) => Node::Concept(*c),
            Expr::Atom(a, x) => match self.leaf(x, *a) {
                Some(node) => node,
                None => Node::Atom(*a, self.compile(x)),
            },
            Expr::Not(x) => Node::Not(self.compile(x)),
            Expr::Neg(x) => Node::Neg(self.compile(x)),
            Expr::And(..) => {
                let (start, len) = self.flatten(e, true);
                Node::All(start, len, self.settle(e))
            }
            Expr::Or(..) => {
                let (start, len) = self.flatten(e, false);
                Node::Any(start, len, self.settle(e))
            }
            Expr::Compare(op, a, b) => Node::Compare(*op, self.compile(a), self.compile(b)),
            Expr::In {
                negated,
                value,
                list,
            } => {
                let value = self.compile(value);
                let start = index(self.consts.len());
                for v in list {
                    self.constant(v);
                }
                Node::In {
                    negated: *negated,
                    value,
                    start,
                    len: index(list.len()),
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
                    item: self.compile(item),
                },
                _ => Node::Contains {
                    negated: *negated,
                    list: self.compile(list),
                    item: self.compile(item),
                },
            },
            Expr::Arith(op, a, b, span) => {
                let (a, b) = (self.compile(a), self.compile(b));
                self.spans.push(*span);
                Node::Arith(*op, a, b, index(self.spans.len() - 1))
            }
        };
        self.push(node)
    }

    /// The fused node of one of the common atoms (a fact against a constant, a choice
    /// fact in a list or `is` a value, a list fact containing a value, and, as an atom, a
    /// bare yes/no fact), recording itself as `atom`; `None` for anything else.
    fn leaf(&mut self, e: &Expr, atom: AtomId) -> Option<Node> {
        Some(match e {
            Expr::Fact(f) if atom != NO_ATOM => Node::BoolFact(*f, atom),
            Expr::Compare(op, a, b) => match (&**a, &**b) {
                (Expr::Fact(fact), Expr::Const(Value::Choice(sym)))
                    if matches!(op, Compare::Eq | Compare::Ne) =>
                {
                    self.choices(*fact, *op == Compare::Ne, &[*sym], atom)
                }
                (Expr::Fact(f), Expr::Const(c)) => {
                    Node::CompareFact(*op, *f, self.constant(c), atom)
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

    /// `fact in [syms]` (or `niet in`).
    fn choices(&mut self, fact: FactId, negated: bool, syms: &[Sym], atom: AtomId) -> Node {
        let start = index(self.syms.len());
        self.syms.extend_from_slice(syms);
        Node::InChoice {
            negated,
            fact,
            start,
            len: index(syms.len()),
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

    /// The operands of a chain of `en` (or `of`), in reading order, as a list.
    fn flatten(&mut self, e: &Expr, and: bool) -> (u32, u32) {
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
        let children: Vec<u32> = parts.into_iter().map(|x| self.compile(x)).collect();
        let start = index(self.lists.len());
        self.lists.extend(&children);
        (start, index(children.len()))
    }

    fn node(&self, n: u32) -> Option<Node> {
        self.nodes.get(n as usize).copied()
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

/// [`can_fail`], looking into concepts (which have no cycles).
fn fails_through_concepts(rs: &RuleSet, e: &Expr) -> bool {
    can_fail(e, &|c| {
        rs.concepts
            .get(c.index())
            .is_none_or(|c| fails_through_concepts(rs, &c.expr))
    })
}

/// `items[start..start + len]`, or nothing when out of range.
fn range<T>(items: &[T], start: u32, len: u32) -> &[T] {
    items
        .get(start as usize..(start as usize).saturating_add(len as usize))
        .unwrap_or_default()
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// A value during evaluation, borrowed from the case or the program: copying it never
/// allocates. `None` (in `Option<V>`) is unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum V<'a> {
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

/// A concept's value as remembered for the rest of the case.
#[derive(Debug, Clone, Copy)]
enum Cached {
    /// Not evaluated yet (or of a kind that is cheaper to evaluate again).
    No,
    Unknown,
    Bool(bool),
    Number(Decimal),
    Choice(Sym),
}

/// Arithmetic without an answer, before the rule is known; the operator's span is an
/// index into [`Program::spans`] (kept small: it travels through every return).
#[derive(Debug, Clone, Copy)]
enum Fail {
    DivisionByZero(u32),
    Overflow(u32),
}

impl Fail {
    fn in_rule(self, p: &Program, rule: RuleId) -> EvalError {
        let span = |i: u32| p.spans.get(i as usize).copied().unwrap_or_default();
        match self {
            Fail::DivisionByZero(i) => EvalError::DivisionByZero {
                rule,
                span: span(i),
            },
            Fail::Overflow(i) => EvalError::Overflow {
                rule,
                span: span(i),
            },
        }
    }
}

/// The state of one evaluation, kept between cases so that its buffers are reused.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    results: Vec<RuleResult>,
    conditions: Vec<Option<bool>>,
    concepts: Vec<Cached>,
    /// Whether to record the atoms of each rule (the trace).
    trace: bool,
    /// Inside a concept: its atoms are not the rule's.
    quiet: u32,
    atoms: Vec<Condition>,
    /// Per rule, the range of `atoms` that are its conditions.
    ranges: Vec<(u32, u32)>,
    decided_by: Vec<RuleId>,
    missing: Vec<FactId>,
    seen: Vec<bool>,
}

/// What a case was decided, without the trace: the status and outcome; the deciding
/// rules and the missing facts are in the [`Scratch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict<'a> {
    pub status: Status,
    /// `None` only when incomplete.
    pub outcome: Option<&'a Outcome>,
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

    /// The trace of the last decision, which must have been made with `trace` on.
    pub(super) fn trace(&self, rs: &RuleSet) -> Vec<TraceStep> {
        let mut steps = Vec::with_capacity(rs.rules.len());
        for (i, rule) in rs.rules.iter().enumerate() {
            let result = self.results.get(i).copied().unwrap_or(RuleResult::NotValid);
            let overridden_by = if result == RuleResult::Overridden {
                rule.exceptions
                    .iter()
                    .copied()
                    .filter(|e| self.result(*e) == RuleResult::Applies)
                    .collect()
            } else {
                Vec::new()
            };
            let (start, end) = self.ranges.get(i).copied().unwrap_or((0, 0));
            steps.push(TraceStep {
                rule: RuleId::from_index(i),
                result,
                condition: self.conditions.get(i).copied().flatten(),
                overridden_by,
                conditions: self
                    .atoms
                    .get(start as usize..end as usize)
                    .unwrap_or_default()
                    .to_vec(),
            });
        }
        steps
    }

    fn result(&self, rule: RuleId) -> RuleResult {
        self.results
            .get(rule.index())
            .copied()
            .unwrap_or(RuleResult::NotValid)
    }

    fn reset(&mut self, rs: &RuleSet, trace: bool) {
        let n = rs.rules.len();
        self.results.clear();
        self.results.resize(n, RuleResult::NotValid);
        self.conditions.clear();
        self.conditions.resize(n, None);
        self.concepts.clear();
        self.concepts.resize(rs.concepts.len(), Cached::No);
        self.trace = trace;
        self.quiet = 0;
        self.atoms.clear();
        self.ranges.clear();
        if trace {
            self.ranges.resize(n, (0, 0));
        }
        if self.seen.len() != rs.facts.len() {
            self.seen.clear();
            self.seen.resize(rs.facts.len(), false);
        }
    }
}

/// Decides one case: every rule's result, then the status (spec section 5). With
/// `trace` the atoms of each rule are recorded for [`Scratch::trace`].
pub fn run<'r, F: Facts>(
    rs: &'r RuleSet,
    s: &mut Scratch,
    facts: &F,
    date: Date,
    trace: bool,
) -> Result<Verdict<'r>, EvalError> {
    if !rs.period.contains(date) {
        return Err(EvalError::NotValid {
            reference_date: date,
            period: rs.period,
            name: rs.name.clone(),
        });
    }
    let p = &rs.program;
    s.reset(rs, trace);
    for step in &p.steps {
        let id = step.rule;
        let (from, until) = step.period;
        if from.is_some_and(|f| date < f) || until.is_some_and(|u| date >= u) {
            continue;
        }
        let start = index(s.atoms.len());
        let condition = Machine {
            p,
            facts,
            s: &mut *s,
        }
        .truth(step.root)
        .map_err(|f| f.in_rule(p, id))?;
        // INVARIANT: `steps` puts every exception before the rules it overrides.
        let mut overridden = false;
        let mut open = false;
        let (first, len) = step.exceptions;
        for e in range(&p.exceptions, first, len) {
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
        if let Some(slot) = s.results.get_mut(id.index()) {
            *slot = result;
        }
        if let Some(slot) = s.conditions.get_mut(id.index()) {
            *slot = condition;
        }
        if trace {
            let end = index(s.atoms.len());
            if let Some(slot) = s.ranges.get_mut(id.index()) {
                *slot = (start, end);
            }
        }
    }
    Ok(settle(rs, s, facts))
}

/// The status from the rules' results: conflict, decided, fallback or incomplete.
fn settle<'r, F: Facts>(rs: &'r RuleSet, s: &mut Scratch, facts: &F) -> Verdict<'r> {
    let p = &rs.program;
    let outcome_of = |i: usize| p.rule_outcomes.get(i).copied().unwrap_or(u32::MAX);
    s.decided_by.clear();
    s.missing.clear();
    let mut first = None;
    let mut conflict = false;
    let mut any_unknown = false;
    for (i, r) in s.results.iter().enumerate() {
        match r {
            RuleResult::Applies => {
                s.decided_by.push(RuleId::from_index(i));
                match first {
                    None => first = Some(outcome_of(i)),
                    Some(x) if x != outcome_of(i) => conflict = true,
                    Some(_) => {}
                }
            }
            RuleResult::Unknown => any_unknown = true,
            _ => {}
        }
    }
    let unknown_agree = |x: u32| {
        s.results
            .iter()
            .enumerate()
            .all(|(i, r)| *r != RuleResult::Unknown || outcome_of(i) == x)
    };
    let (status, outcome) = match first {
        _ if conflict => (Status::Conflict, Some(p.conflict)),
        Some(x) if unknown_agree(x) => (Status::Decided, Some(x)),
        None if !any_unknown => (Status::Fallback, Some(p.fallback)),
        _ => (Status::Incomplete, None),
    };
    if matches!(status, Status::Fallback | Status::Incomplete) {
        s.decided_by.clear();
    }
    if status == Status::Incomplete {
        missing(rs, s, facts);
    }
    Verdict {
        status,
        outcome: outcome.and_then(|o| p.outcomes.get(o as usize)),
    }
}

/// Absent facts read by the unknown rules, in file order of first appearance.
fn missing<F: Facts>(rs: &RuleSet, s: &mut Scratch, facts: &F) {
    for (rule, r) in rs.rules.iter().zip(&s.results) {
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

/// One evaluation over one source of facts.
struct Machine<'a, 's, F> {
    p: &'a Program,
    facts: &'a F,
    s: &'s mut Scratch,
}

impl<'a, F: Facts> Machine<'a, '_, F> {
    fn eval(&mut self, n: u32) -> Result<Option<V<'a>>, Fail> {
        let Some(node) = self.p.node(n) else {
            return Ok(None);
        };
        Ok(match node {
            Node::Const(c) => self.p.consts.get(c as usize).map(V::from),
            Node::Fact(f) => self.facts.value(f).map(V::from),
            Node::Concept(c) => return self.concept(c),
            Node::Atom(..) | Node::Not(_) | Node::All(..) | Node::Any(..) | Node::BoolFact(..) => {
                return Ok(self.truth(n)?.map(V::Bool))
            }
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
                start,
                len,
            } => {
                let list = range(&self.p.consts, start, len);
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
            Node::CompareFact(..) | Node::ContainsSym { .. } | Node::InChoice { .. } => {
                return Ok(self.truth(n)?.map(V::Bool))
            }
        })
    }

    /// The value of a condition node: the fast path for everything that is true, false
    /// or unknown, which is what rules are made of.
    fn truth(&mut self, n: u32) -> Result<Option<bool>, Fail> {
        let Some(node) = self.p.node(n) else {
            return Ok(None);
        };
        Ok(match node {
            Node::Not(x) => self.truth(x)?.map(|b| !b),
            Node::All(start, len, settle) => {
                let early = settle == Settle::Early && !self.s.trace;
                let mut acc = Some(true);
                for &c in range(&self.p.lists, start, len) {
                    acc = kleene_and(acc, self.truth(c)?);
                    if early && acc == Some(false) {
                        break;
                    }
                }
                acc
            }
            Node::Any(start, len, settle) => {
                let early = settle == Settle::Early && !self.s.trace;
                let mut acc = Some(false);
                for &c in range(&self.p.lists, start, len) {
                    acc = kleene_or(acc, self.truth(c)?);
                    if early && acc == Some(true) {
                        break;
                    }
                }
                acc
            }
            Node::Atom(atom, x) => {
                let value = self.truth(x)?;
                self.record(atom, value)
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
                self.record(atom, value)
            }
            Node::CompareFact(op, f, c, atom) => {
                let value = match (self.facts.value(f), self.p.consts.get(c as usize)) {
                    (Some(a), Some(b)) => Some(compare(op, V::from(a), V::from(b))),
                    _ => None,
                };
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
                start,
                len,
                atom,
            } => {
                let value = match self.facts.value(fact) {
                    Some(Value::Choice(s)) => {
                        Some(range(&self.p.syms, start, len).contains(s) != negated)
                    }
                    _ => None,
                };
                self.record(atom, value)
            }
            _ => as_bool(self.eval(n)?),
        })
    }

    /// Records an atom's value in the trace (when asked, and not inside a concept).
    #[inline]
    fn record(&mut self, atom: AtomId, value: Option<bool>) -> Option<bool> {
        if self.s.trace && self.s.quiet == 0 && atom != NO_ATOM {
            self.s.atoms.push(Condition { atom, value });
        }
        value
    }

    fn concept(&mut self, c: ConceptId) -> Result<Option<V<'a>>, Fail> {
        match self.s.concepts.get(c.index()).copied() {
            Some(Cached::Unknown) => return Ok(None),
            Some(Cached::Bool(b)) => return Ok(Some(V::Bool(b))),
            Some(Cached::Number(n)) => return Ok(Some(V::Number(n))),
            Some(Cached::Choice(s)) => return Ok(Some(V::Choice(s))),
            Some(Cached::No) | None => {}
        }
        let root = self
            .p
            .concept_roots
            .get(c.index())
            .copied()
            .unwrap_or(u32::MAX);
        // Conditions inside a concept are not atoms of the rule: keep them out.
        self.s.quiet += 1;
        let v = self.eval(root);
        self.s.quiet -= 1;
        let v = v?;
        let cached = match v {
            None => Cached::Unknown,
            Some(V::Bool(b)) => Cached::Bool(b),
            Some(V::Number(n)) => Cached::Number(n),
            Some(V::Choice(s)) => Cached::Choice(s),
            Some(V::Text(_) | V::List(_)) => Cached::No,
        };
        if let Some(slot) = self.s.concepts.get_mut(c.index()) {
            *slot = cached;
        }
        Ok(v)
    }

    /// Adds to `out` the unknowns that the value of node `n` depends on, skipping every
    /// part whose value is already known.
    fn live(&mut self, n: u32, out: &mut Vec<Open>) -> Result<(), Fail> {
        let quiet = |m: &mut Self, n| {
            m.s.quiet += 1;
            let v = m.eval(n);
            m.s.quiet -= 1;
            v
        };
        if quiet(self, n)?.is_some() {
            return Ok(());
        }
        let mut push = |o: Open| {
            if !out.contains(&o) {
                out.push(o);
            }
        };
        let Some(node) = self.p.node(n) else {
            return Ok(());
        };
        match node {
            Node::Const(_) => {}
            Node::Fact(f)
            | Node::BoolFact(f, _)
            | Node::CompareFact(_, f, _, _)
            | Node::InChoice { fact: f, .. } => push(Open::Fact(f)),
            Node::ContainsSym { fact, item, .. } => push(Open::Member(fact, item)),
            Node::All(start, len, _) | Node::Any(start, len, _) => {
                for &c in range(&self.p.lists, start, len) {
                    self.live(c, out)?;
                }
            }
            Node::ContainsFact { fact, item, .. } => match quiet(self, item)? {
                Some(V::Choice(s)) => push(Open::Member(fact, s)),
                _ => {
                    if self.facts.value(fact).is_none() {
                        push(Open::Fact(fact));
                    }
                    self.live(item, out)?;
                }
            },
            Node::Concept(c) => {
                let root = self
                    .p
                    .concept_roots
                    .get(c.index())
                    .copied()
                    .unwrap_or(u32::MAX);
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

/// The unknowns that the conditions of the waiting rules of `decision` still depend on,
/// up to the first that `wanted` accepts (see [`super::open`]).
pub(super) fn open_until<F: Facts>(
    rs: &RuleSet,
    facts: &F,
    trace: &[TraceStep],
    waiting: Waiting,
    out: &mut Vec<Open>,
    wanted: &dyn Fn(Open) -> bool,
) -> Result<Option<Open>, EvalError> {
    let mut s = Scratch::new();
    s.reset(rs, false);
    let mut m = Machine {
        p: &rs.program,
        facts,
        s: &mut s,
    };
    for step in trace {
        let waits = match waiting {
            Waiting::Result => step.result == RuleResult::Unknown && step.condition.is_none(),
            Waiting::Condition => step.result != RuleResult::NotValid && step.condition.is_none(),
        };
        let Some(root) = m.p.rule_roots.get(step.rule.index()).filter(|_| waits) else {
            continue;
        };
        m.live(*root, out)
            .map_err(|f| f.in_rule(&rs.program, step.rule))?;
        if let Some(o) = out.iter().copied().find(|o| wanted(*o)) {
            return Ok(Some(o));
        }
    }
    Ok(None)
}

fn as_bool(v: Option<V<'_>>) -> Option<bool> {
    match v {
        Some(V::Bool(b)) => Some(b),
        _ => None,
    }
}

/// `onwaar en onbekend = onwaar`; otherwise unknown propagates.
fn kleene_and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// `waar of onbekend = waar`; otherwise unknown propagates.
fn kleene_or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
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

fn arith(op: Arith, a: Decimal, b: Decimal, span: u32) -> Result<Decimal, Fail> {
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
    fn decimal_arithmetic_is_exact() {
        let s = 0;
        let sum = arith(Arith::Add, Decimal::new(1, 1), Decimal::new(2, 1), s).ok();
        assert_eq!(sum, Some(Decimal::new(3, 1)));
        assert!(matches!(
            arith(Arith::Div, Decimal::ONE, Decimal::ZERO, s),
            Err(Fail::DivisionByZero(_))
        ));
    }

    #[test]
    fn equal_numbers_compare_equal_whatever_their_scale() {
        let a = V::Number(Decimal::new(10, 1));
        let b = V::Number(Decimal::ONE);
        assert!(compare(Compare::Eq, a, b));
    }
}
