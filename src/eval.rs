//! Evaluation: checked [`RuleSet`] + [`Case`] + reference date → [`Decision`].
//!
//! A pure function (spec section 5): no IO, no clock. Facts may be unknown; logic is
//! three-valued (Kleene). Every atomic condition of every rule in force is evaluated —
//! no short-circuit — so the trace shows each one. Each rule gets exactly one
//! [`RuleResult`]; exceptions are evaluated before the rules they override. The
//! decision's status follows from the outcomes of the applying and the unknown rules.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::case::Case;
use crate::diagnostic::{Code, Problem};
use crate::ruleset::{
    Arith, AtomId, Compare, Expr, FactId, Outcome, Period, RuleId, RuleSet, Sym, Value,
};
use crate::source::Span;

/// The result of one rule for one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleResult {
    Applies,
    NotApplicable,
    Overridden,
    Unknown,
    NotValid,
}

impl RuleResult {
    /// The key used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleResult::Applies => "applies",
            RuleResult::NotApplicable => "not_applicable",
            RuleResult::Overridden => "overridden",
            RuleResult::Unknown => "unknown",
            RuleResult::NotValid => "not_valid",
        }
    }
}

/// The status of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Decided,
    Fallback,
    Conflict,
    Incomplete,
}

impl Status {
    /// The key used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Decided => "decided",
            Status::Fallback => "fallback",
            Status::Conflict => "conflict",
            Status::Incomplete => "incomplete",
        }
    }
}

/// One evaluated atomic condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Condition {
    pub atom: AtomId,
    pub value: Option<bool>,
}

/// What happened to one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceStep {
    pub rule: RuleId,
    pub result: RuleResult,
    /// The value of the rule's whole condition (`None` when unknown, or when the rule
    /// is not valid on the reference date and so was not evaluated).
    pub condition: Option<bool>,
    /// The exceptions that applied and so overrode this rule.
    pub overridden_by: Vec<RuleId>,
    pub conditions: Vec<Condition>,
}

/// The decision for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: Status,
    /// `None` only when incomplete.
    pub outcome: Option<Outcome>,
    pub decided_by: Vec<RuleId>,
    pub missing: Vec<FactId>,
    /// Every rule, in file order.
    pub trace: Vec<TraceStep>,
    pub reference_date: Date,
}

/// Evaluation can fail only through the rule set: a date outside its validity, or
/// arithmetic that has no answer for this case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    NotValid {
        reference_date: Date,
        period: Period,
        name: String,
    },
    DivisionByZero {
        rule: RuleId,
        span: Span,
    },
    Overflow {
        rule: RuleId,
        span: Span,
    },
}

impl EvalError {
    /// The error as a diagnostic in the rule file.
    pub fn problem(&self, rs: &RuleSet) -> Problem {
        match self {
            EvalError::NotValid {
                reference_date,
                period,
                name,
            } => {
                let mut valid = String::new();
                if let Some(f) = period.from {
                    valid.push_str(&format!("vanaf {f}"));
                }
                if let Some(u) = period.until {
                    valid.push_str(&format!(
                        "{}tot {u}",
                        if valid.is_empty() { "" } else { " " }
                    ));
                }
                Problem::error(
                    Code::NotValid,
                    period.span.unwrap_or_default(),
                    format!("de regelset `{name}` geldt niet op de peildatum {reference_date}"),
                )
                .label(format!("geldig {valid}"))
                .help("kies een peildatum binnen de geldigheid (`peildatum` in de casus of `--peildatum`), of gebruik de regelset die toen gold")
            }
            EvalError::DivisionByZero { rule, span } => Problem::error(
                Code::DivisionByZero,
                *span,
                format!("deling door nul in regel `{}`", rs.rule_name(*rule)),
            )
            .label("deze deler is nul voor deze casus")
            .help("geef het feit een ondergrens boven nul met `tussen`"),
            EvalError::Overflow { rule, span } => Problem::error(
                Code::InvalidNumber,
                *span,
                format!(
                    "een berekening in regel `{}` wordt te groot",
                    rs.rule_name(*rule)
                ),
            )
            .label("uitkomst te groot om exact te rekenen")
            .help("begrens de feiten in deze berekening met `tussen`"),
        }
    }
}

/// Arithmetic without an answer, before the rule is known.
enum Fail {
    DivisionByZero(Span),
    Overflow(Span),
}

/// Where evaluation reads fact values: a [`Case`], or the partial assignments of the
/// analysis, which can know single members of a `lijst` before the whole list.
pub trait Facts {
    fn value(&self, fact: FactId) -> Option<&Value>;

    /// Whether the `lijst` fact contains `item`, when that is known.
    fn contains(&self, fact: FactId, item: Sym) -> Option<bool> {
        match self.value(fact) {
            Some(Value::List(items)) => Some(items.contains(&item)),
            _ => None,
        }
    }
}

impl Facts for Case {
    fn value(&self, fact: FactId) -> Option<&Value> {
        Case::value(self, fact)
    }
}

struct Evaluator<'a, F> {
    rs: &'a RuleSet,
    case: &'a F,
    concepts: Vec<Option<Option<Value>>>,
    conditions: Vec<Condition>,
}

/// Decides one case at one reference date.
pub fn evaluate(rs: &RuleSet, case: &Case, reference_date: Date) -> Result<Decision, EvalError> {
    evaluate_with(rs, case, reference_date)
}

/// [`evaluate`] over any source of fact values.
pub fn evaluate_with<F: Facts>(
    rs: &RuleSet,
    case: &F,
    reference_date: Date,
) -> Result<Decision, EvalError> {
    if !rs.period.contains(reference_date) {
        return Err(EvalError::NotValid {
            reference_date,
            period: rs.period,
            name: rs.name.clone(),
        });
    }
    let mut ev = Evaluator {
        rs,
        case,
        concepts: vec![None; rs.concepts.len()],
        conditions: Vec::new(),
    };
    let mut steps: Vec<Option<TraceStep>> = vec![None; rs.rules.len()];
    for &id in &rs.order {
        let step = ev.rule(id, reference_date, &steps)?;
        if let Some(slot) = steps.get_mut(id.index()) {
            *slot = Some(step);
        }
    }
    let trace: Vec<TraceStep> = steps.into_iter().flatten().collect();
    Ok(decide(rs, case, trace, reference_date))
}

impl<F: Facts> Evaluator<'_, F> {
    fn rule(
        &mut self,
        id: RuleId,
        date: Date,
        done: &[Option<TraceStep>],
    ) -> Result<TraceStep, EvalError> {
        let step = |result, condition, overridden_by, conditions| TraceStep {
            rule: id,
            result,
            condition,
            overridden_by,
            conditions,
        };
        let Some(rule) = self.rs.rule(id) else {
            return Ok(step(RuleResult::NotValid, None, Vec::new(), Vec::new()));
        };
        if !rule.period.contains(date) {
            return Ok(step(RuleResult::NotValid, None, Vec::new(), Vec::new()));
        }
        self.conditions.clear();
        let value = self.eval(&rule.condition).map_err(|f| match f {
            Fail::DivisionByZero(span) => EvalError::DivisionByZero { rule: id, span },
            Fail::Overflow(span) => EvalError::Overflow { rule: id, span },
        })?;
        let conditions = std::mem::take(&mut self.conditions);
        let condition = as_bool(value.as_ref());
        // INVARIANT: `order` puts every exception before the rules it overrides.
        let result_of = |e: &RuleId| {
            done.get(e.index())
                .and_then(Option::as_ref)
                .map(|s| s.result)
        };
        let overriders: Vec<RuleId> = rule
            .exceptions
            .iter()
            .copied()
            .filter(|e| result_of(e) == Some(RuleResult::Applies))
            .collect();
        let result = if condition == Some(false) {
            RuleResult::NotApplicable
        } else if !overriders.is_empty() {
            RuleResult::Overridden
        } else if condition == Some(true)
            && rule.exceptions.iter().all(|e| {
                !matches!(
                    result_of(e),
                    Some(RuleResult::Applies | RuleResult::Unknown)
                )
            })
        {
            RuleResult::Applies
        } else {
            RuleResult::Unknown
        };
        let overridden_by = if result == RuleResult::Overridden {
            overriders
        } else {
            Vec::new()
        };
        Ok(step(result, condition, overridden_by, conditions))
    }

    fn eval(&mut self, e: &Expr) -> Result<Option<Value>, Fail> {
        Ok(match e {
            Expr::Const(v) => Some(v.clone()),
            Expr::Fact(f) => self.case.value(*f).cloned(),
            Expr::Contains {
                negated,
                list,
                item,
            } if matches!(**list, Expr::Fact(_)) => {
                let item = self.eval(item)?;
                match (&**list, item) {
                    (Expr::Fact(f), Some(Value::Choice(s))) => self
                        .case
                        .contains(*f, s)
                        .map(|found| Value::Bool(found != *negated)),
                    _ => None,
                }
            }
            Expr::Concept(c) => {
                if let Some(Some(v)) = self.concepts.get(c.index()) {
                    return Ok(v.clone());
                }
                let Some(concept) = self.rs.concepts.get(c.index()) else {
                    return Ok(None);
                };
                // Conditions inside a concept are not atoms of the rule: keep them out.
                let saved = std::mem::take(&mut self.conditions);
                let v = self.eval(&concept.expr);
                self.conditions = saved;
                let v = v?;
                if let Some(slot) = self.concepts.get_mut(c.index()) {
                    *slot = Some(v.clone());
                }
                v
            }
            Expr::Atom(id, x) => {
                let v = self.eval(x)?;
                self.conditions.push(Condition {
                    atom: *id,
                    value: as_bool(v.as_ref()),
                });
                v
            }
            Expr::Not(x) => as_bool(self.eval(x)?.as_ref()).map(|b| Value::Bool(!b)),
            Expr::And(a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                kleene_and(as_bool(a.as_ref()), as_bool(b.as_ref())).map(Value::Bool)
            }
            Expr::Or(a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                kleene_or(as_bool(a.as_ref()), as_bool(b.as_ref())).map(Value::Bool)
            }
            Expr::Compare(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                match (a, b) {
                    (Some(a), Some(b)) => Some(Value::Bool(compare(*op, &a, &b))),
                    _ => None,
                }
            }
            Expr::In {
                negated,
                value,
                list,
            } => self
                .eval(value)?
                .map(|v| Value::Bool(list.contains(&v) != *negated)),
            Expr::Contains {
                negated,
                list,
                item,
            } => {
                let (list, item) = (self.eval(list)?, self.eval(item)?);
                match (list, item) {
                    (Some(Value::List(items)), Some(Value::Choice(s))) => {
                        Some(Value::Bool(items.contains(&s) != *negated))
                    }
                    _ => None,
                }
            }
            Expr::Arith(op, a, b, span) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                match (a, b) {
                    (Some(Value::Number(a)), Some(Value::Number(b))) => {
                        Some(Value::Number(arith(*op, a, b, *span)?))
                    }
                    _ => None,
                }
            }
            Expr::Neg(x) => match self.eval(x)? {
                Some(Value::Number(n)) => Some(Value::Number(-n)),
                _ => None,
            },
        })
    }
}

/// An unknown that an undecided condition still depends on: a fact, or one member of
/// a `lijst` fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Open {
    Fact(FactId),
    Member(FactId, Sym),
}

/// What a rule still waits for, in the order a consultant would be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Rules whose result is `unknown` (what can still change the decision).
    Result,
    /// Rules whose condition is unknown (what the analysis needs to settle every rule).
    Condition,
}

/// The unknowns that can still change the conditions of the rules that wait, in file
/// order of the rules and reading order within each. Unlike `missing`, a fact read only
/// in a part of a condition whose value is already known (say `onwaar en feit`) is not
/// open: no answer to it can change anything.
pub fn open<F: Facts>(
    rs: &RuleSet,
    facts: &F,
    decision: &Decision,
    waiting: Waiting,
) -> Result<Vec<Open>, EvalError> {
    let mut all = Vec::new();
    open_until(rs, facts, decision, waiting, &mut all, &|_| false)?;
    Ok(all)
}

/// The first open unknown that `wanted` accepts, without looking further than needed.
pub fn first_open<F: Facts>(
    rs: &RuleSet,
    facts: &F,
    decision: &Decision,
    waiting: Waiting,
    wanted: &dyn Fn(Open) -> bool,
) -> Result<Option<Open>, EvalError> {
    let mut seen = Vec::new();
    open_until(rs, facts, decision, waiting, &mut seen, wanted)
}

fn open_until<F: Facts>(
    rs: &RuleSet,
    facts: &F,
    decision: &Decision,
    waiting: Waiting,
    out: &mut Vec<Open>,
    wanted: &dyn Fn(Open) -> bool,
) -> Result<Option<Open>, EvalError> {
    let mut ev = Evaluator {
        rs,
        case: facts,
        concepts: vec![None; rs.concepts.len()],
        conditions: Vec::new(),
    };
    for step in &decision.trace {
        let waits = match waiting {
            Waiting::Result => step.result == RuleResult::Unknown && step.condition.is_none(),
            Waiting::Condition => step.result != RuleResult::NotValid && step.condition.is_none(),
        };
        let Some(rule) = rs.rule(step.rule).filter(|_| waits) else {
            continue;
        };
        ev.live(&rule.condition, out).map_err(|f| match f {
            Fail::DivisionByZero(span) => EvalError::DivisionByZero {
                rule: step.rule,
                span,
            },
            Fail::Overflow(span) => EvalError::Overflow {
                rule: step.rule,
                span,
            },
        })?;
        if let Some(o) = out.iter().copied().find(|o| wanted(*o)) {
            return Ok(Some(o));
        }
    }
    Ok(None)
}

impl<F: Facts> Evaluator<'_, F> {
    /// Value of `e` without recording atoms.
    fn quiet(&mut self, e: &Expr) -> Result<Option<Value>, Fail> {
        let saved = std::mem::take(&mut self.conditions);
        let v = self.eval(e);
        self.conditions = saved;
        v
    }

    /// Adds to `out` the unknowns that the value of `e` depends on, skipping every part
    /// whose value is already known.
    fn live(&mut self, e: &Expr, out: &mut Vec<Open>) -> Result<(), Fail> {
        if self.quiet(e)?.is_some() {
            return Ok(());
        }
        let mut push = |o: Open| {
            if !out.contains(&o) {
                out.push(o);
            }
        };
        match e {
            Expr::Const(_) => {}
            Expr::Fact(f) => push(Open::Fact(*f)),
            Expr::Contains { list, item, .. } if matches!(**list, Expr::Fact(_)) => {
                match (&**list, self.quiet(item)?) {
                    (Expr::Fact(f), Some(Value::Choice(s))) => push(Open::Member(*f, s)),
                    _ => {
                        self.live(list, out)?;
                        self.live(item, out)?;
                    }
                }
            }
            Expr::Concept(c) => {
                if let Some(concept) = self.rs.concepts.get(c.index()) {
                    self.live(&concept.expr, out)?;
                }
            }
            _ => {
                for child in e.children() {
                    self.live(child, out)?;
                }
            }
        }
        Ok(())
    }
}

fn as_bool(v: Option<&Value>) -> Option<bool> {
    match v {
        Some(Value::Bool(b)) => Some(*b),
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

fn compare(op: Compare, a: &Value, b: &Value) -> bool {
    match op {
        Compare::Eq => a == b,
        Compare::Ne => a != b,
        _ => match (a, b) {
            (Value::Number(a), Value::Number(b)) => match op {
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

fn arith(op: Arith, a: Decimal, b: Decimal, span: Span) -> Result<Decimal, Fail> {
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

fn decide<F: Facts>(
    rs: &RuleSet,
    case: &F,
    trace: Vec<TraceStep>,
    reference_date: Date,
) -> Decision {
    let outcome_of = |s: &TraceStep| rs.rule(s.rule).map(|r| &r.outcome);
    let applying: Vec<&TraceStep> = trace
        .iter()
        .filter(|s| s.result == RuleResult::Applies)
        .collect();
    let unknown: Vec<&TraceStep> = trace
        .iter()
        .filter(|s| s.result == RuleResult::Unknown)
        .collect();
    let mut distinct: Vec<&Outcome> = Vec::new();
    for o in applying.iter().filter_map(|s| outcome_of(s)) {
        if !distinct.contains(&o) {
            distinct.push(o);
        }
    }
    let decided_by: Vec<RuleId> = applying.iter().map(|s| s.rule).collect();
    let (status, outcome, decided_by) = match distinct.as_slice() {
        [_, _, ..] => (Status::Conflict, Some(rs.conflict.clone()), decided_by),
        [x] if unknown.iter().all(|s| outcome_of(s) == Some(*x)) => {
            (Status::Decided, Some((*x).clone()), decided_by)
        }
        [] if unknown.is_empty() => (Status::Fallback, Some(rs.fallback.clone()), Vec::new()),
        _ => (Status::Incomplete, None, Vec::new()),
    };
    let missing = if status == Status::Incomplete {
        missing(rs, case, &unknown)
    } else {
        Vec::new()
    };
    Decision {
        status,
        outcome,
        decided_by,
        missing,
        trace,
        reference_date,
    }
}

/// Absent facts read by the unknown rules, in file order of first appearance.
fn missing<F: Facts>(rs: &RuleSet, case: &F, unknown: &[&TraceStep]) -> Vec<FactId> {
    let mut out = Vec::new();
    for step in unknown {
        let Some(rule) = rs.rule(step.rule) else {
            continue;
        };
        for f in &rule.reads {
            if case.value(*f).is_none() && !out.contains(f) {
                out.push(*f);
            }
        }
    }
    out
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
        let s = Span::default();
        let sum = arith(Arith::Add, Decimal::new(1, 1), Decimal::new(2, 1), s).ok();
        assert_eq!(sum, Some(Decimal::new(3, 1)));
        assert!(matches!(
            arith(Arith::Div, Decimal::ONE, Decimal::ZERO, s),
            Err(Fail::DivisionByZero(_))
        ));
    }
}
