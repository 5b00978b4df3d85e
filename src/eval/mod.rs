//! Evaluation: checked [`RuleSet`] + facts + reference date → [`Decision`].
//!
//! A pure function (spec section 5): no IO, no clock, no allocation once the
//! [`Scratch`] has grown. Facts may be unknown; logic is three-valued (Kleene). Each
//! rule gets exactly one [`RuleResult`]; exceptions are evaluated before the rules they
//! override; the status follows from the outcomes of the applying and the unknown rules
//! (`status.rs`, the spec's rules in one file).
//!
//! Two entry points fix, once, whether a trace is recorded: [`decide_traced`] (and
//! [`evaluate`], which makes a [`Decision`] of it) evaluates every atomic condition of
//! every rule in force, as the spec asks, so the trace shows each; [`decide`] records
//! nothing and may stop an `en`/`of` chain at the first operand that settles it, when
//! nothing in the chain can fail (no arithmetic): the status, outcome, deciding rules
//! and missing facts are the same either way (a property test checks it).
//!
//! - `machine.rs`: the value of a node of the compiled program;
//! - `status.rs`: rule results, status and `missing` (spec section 5);
//! - `scratch.rs`: the reusable state, and the decision made of it;
//! - `open.rs`: the unknowns an undecided condition still depends on.

mod machine;
mod open;
mod payment;
mod scratch;
mod status;
mod tables;

use jiff::civil::Date;

use crate::case::Case;
use crate::diagnostic::{Code, Problem};
use rust_decimal::Decimal;

use crate::ruleset::{
    AtomId, DecisionId, DomainId, FactId, Outcome, Period, RuleId, RuleSet, Sym, Value,
};
use crate::source::Span;

use scratch::Tracing;
pub use scratch::{Scratch, Verdict};

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
    /// Only for a decision `voor` some domains (a financing route): the law's outcome
    /// gives none of them a share, so it is not needed. Never the law's status.
    NotNeeded,
}

impl Status {
    /// Every status the law can have (spec section 5), in the order of the enum.
    pub const ALL: [Status; 4] = [
        Status::Decided,
        Status::Fallback,
        Status::Conflict,
        Status::Incomplete,
    ];

    /// The key used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Decided => "decided",
            Status::Fallback => "fallback",
            Status::Conflict => "conflict",
            Status::Incomplete => "incomplete",
            Status::NotNeeded => "not_needed",
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

/// The decision for one case: the law's (spec section 8) at the top, the further
/// decisions of the rule set in `parts`, and who pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: Status,
    /// `None` only when incomplete.
    pub outcome: Option<Outcome>,
    pub decided_by: Vec<RuleId>,
    pub missing: Vec<FactId>,
    /// Every rule of the law, in file order (with a trace recorded).
    pub trace: Vec<TraceStep>,
    pub reference_date: Date,
    /// The further decisions (`beslissing`), in declaration order.
    pub parts: Vec<Part>,
    /// Who pays what share.
    pub payment: Payment,
}

/// One decision of a case, the law's or a further one's, seen alike.
#[derive(Debug, Clone, Copy)]
pub struct DecisionView<'a> {
    pub decision: DecisionId,
    pub status: Status,
    pub outcome: Option<&'a Outcome>,
    pub decided_by: &'a [RuleId],
    pub missing: &'a [FactId],
    pub trace: &'a [TraceStep],
}

impl Decision {
    /// The law's decision, then every further decision in declaration order.
    pub fn views(&self) -> impl Iterator<Item = DecisionView<'_>> {
        let law = DecisionView {
            decision: crate::ruleset::LAW,
            status: self.status,
            outcome: self.outcome.as_ref(),
            decided_by: &self.decided_by,
            missing: &self.missing,
            trace: &self.trace,
        };
        std::iter::once(law).chain(self.parts.iter().map(|p| DecisionView {
            decision: p.decision,
            status: p.status,
            outcome: p.outcome.as_ref(),
            decided_by: &p.decided_by,
            missing: &p.missing,
            trace: &p.trace,
        }))
    }
}

/// The result of one further decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub decision: DecisionId,
    pub status: Status,
    /// `None` when incomplete or not needed.
    pub outcome: Option<Outcome>,
    pub decided_by: Vec<RuleId>,
    /// Absent facts this decision waits for (an earlier decision's included).
    pub missing: Vec<FactId>,
    /// Its rules in file order (empty when not needed, or without a trace).
    pub trace: Vec<TraceStep>,
}

/// Who pays: each share of the law's outcome with its payer, after the decision that
/// routes it (`voor`) and the payer's fact, when a payer comes from the case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Payment {
    /// `None` while the law or a route is incomplete or a payer's fact is unknown.
    pub shares: Option<Vec<PayerShare>>,
    /// Absent facts that name a payer (asked once the outcome needs them).
    pub missing: Vec<FactId>,
}

/// One payer's share of the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerShare {
    pub payer: String,
    /// Percent of the whole.
    pub percent: Decimal,
    /// The law's domain this share is of.
    pub domain: DomainId,
    /// The value of the decision that routed it, if one did.
    pub route: Option<DomainId>,
}

impl Payment {
    /// The shares merged by payer (a payer that pays for two domains once), in order of
    /// first appearance.
    pub fn by_payer(&self) -> Option<Vec<(&str, Decimal)>> {
        let shares = self.shares.as_ref()?;
        let mut out: Vec<(&str, Decimal)> = Vec::new();
        for s in shares {
            match out.iter_mut().find(|(p, _)| *p == s.payer) {
                Some((_, total)) => *total += s.percent,
                None => out.push((&s.payer, s.percent)),
            }
        }
        Some(out)
    }
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
    /// The compiled program does not hold what it should: a bug, reported rather than
    /// guessed around.
    Internal(String),
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
                let message =
                    format!("de regelset `{name}` geldt niet op de peildatum {reference_date}");
                match period.span {
                    Some(span) => Problem::error(Code::NotValid, span, message)
                        .label(format!("geldig {valid}")),
                    None => Problem::without_span(Code::NotValid, message),
                }
                .help("kies een peildatum binnen de geldigheid (`peildatum` in de casus of `--peildatum`), of gebruik de regelset die toen gold")
            }
            EvalError::Internal(what) => Problem::internal(what.clone()),
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

/// Decides one case at one reference date, with the full trace.
pub fn evaluate(rs: &RuleSet, case: &Case, reference_date: Date) -> Result<Decision, EvalError> {
    evaluate_with(rs, case, reference_date)
}

/// [`evaluate`] over any source of fact values.
pub fn evaluate_with<F: Facts>(
    rs: &RuleSet,
    facts: &F,
    reference_date: Date,
) -> Result<Decision, EvalError> {
    let mut scratch = Scratch::new();
    let verdict = decide_traced(rs, &mut scratch, facts, reference_date)?;
    Ok(scratch.decision(rs, verdict, facts))
}

/// Decides one case into `scratch` without recording a trace: once the scratch has grown
/// to the rule set, nothing is allocated. The deciding rules and the missing facts are
/// then in the scratch ([`Scratch::decided_by`], [`Scratch::missing`]);
/// [`Scratch::decision`] makes a [`Decision`] of it, with an empty trace.
pub fn decide<'r, F: Facts>(
    rs: &'r RuleSet,
    scratch: &mut Scratch,
    facts: &F,
    reference_date: Date,
) -> Result<Verdict<'r>, EvalError> {
    status::run(rs, scratch, facts, reference_date, Tracing::Off, None)
}

/// [`decide`] for a case that only adds facts to an earlier one, given the conditions
/// of that earlier decision (`known`, by rule id: [`Scratch::conditions`]). A condition
/// that was known there keeps its value (a known value never changes when facts are
/// added), so only the others are evaluated again; a condition that can fail is always
/// evaluated, so that the same errors are raised as by [`decide`]. The result is
/// exactly [`decide`]'s. The analysis explores cases by adding one fact at a time.
pub fn decide_more<'r, F: Facts>(
    rs: &'r RuleSet,
    scratch: &mut Scratch,
    facts: &F,
    reference_date: Date,
    known: &[Option<bool>],
) -> Result<Verdict<'r>, EvalError> {
    status::run(
        rs,
        scratch,
        facts,
        reference_date,
        Tracing::Off,
        Some(known),
    )
}

/// Who pays for `outcome` in a rule set that decides only the law and names no payer
/// by a fact of the case (see [`RuleSet::has_further_decisions`] and
/// [`RuleSet::has_case_payers`]): then the payment depends on the outcome alone.
pub fn law_payment(rs: &RuleSet, outcome: Option<&Outcome>) -> Payment {
    payment::payment(rs, outcome, &[], &Case::empty(rs))
}

/// The distinct outcomes of `rs`, by the index [`Scratch::outcome_index`] gives.
pub fn outcomes(rs: &RuleSet) -> &[Outcome] {
    &rs.program().outcomes
}

/// How many rules of `rs` an untraced decision takes from the decision tables instead
/// of evaluating their conditions node by node (see `ruleset/tables.rs`); the tables are
/// built on first use.
pub fn rules_in_tables(rs: &RuleSet) -> usize {
    let t = tables::tables(rs);
    rs.rule_ids().filter(|r| t.holds(*r)).count()
}

/// [`decide`], recording the trace: every atomic condition of every rule in force.
pub fn decide_traced<'r, F: Facts>(
    rs: &'r RuleSet,
    scratch: &mut Scratch,
    facts: &F,
    reference_date: Date,
) -> Result<Verdict<'r>, EvalError> {
    status::run(rs, scratch, facts, reference_date, Tracing::On, None)
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
    open::open_until(
        rs,
        facts,
        decision.reference_date,
        waiting,
        &mut all,
        &|_| false,
    )?;
    Ok(all)
}

/// [`first_open`] for the case just decided into `scratch` (with [`decide`] or
/// [`decide_more`]), without deciding it again.
pub fn first_open_decided<F: Facts>(
    rs: &RuleSet,
    scratch: &mut Scratch,
    facts: &F,
    waiting: Waiting,
    wanted: &dyn Fn(Open) -> bool,
) -> Result<Option<Open>, EvalError> {
    let mut seen = Vec::new();
    open::open_in(rs, scratch, facts, waiting, &mut seen, wanted)
}

/// The first open unknown that `wanted` accepts, without looking further than needed.
pub fn first_open<F: Facts>(
    rs: &RuleSet,
    facts: &F,
    reference_date: Date,
    waiting: Waiting,
    wanted: &dyn Fn(Open) -> bool,
) -> Result<Option<Open>, EvalError> {
    let mut seen = Vec::new();
    open::open_until(rs, facts, reference_date, waiting, &mut seen, wanted)
}
