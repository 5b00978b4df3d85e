//! The decision as JSON, exactly the keys of spec section 8.

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use crate::allocation::allocate;
use crate::case::{Case, ValueJson};
use crate::eval::Decision;
use crate::ruleset::{FactId, Outcome, RuleId, RuleSet};

/// The decision in the shape of spec section 8, serialised straight from the decision
/// (no intermediate JSON tree), so that a batch can write it without allocating per
/// value. `allocation` and `case.kosten` are there only when the case has costs.
#[derive(Serialize)]
struct DecisionJson<'a> {
    status: &'static str,
    outcome: Option<OutcomeJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allocation: Option<Option<AllocationJson<'a>>>,
    decided_by: Names<'a, RuleId>,
    missing: Names<'a, FactId>,
    trace: Trace<'a>,
    ruleset: RuleSetJson<'a>,
    reference_date: String,
    case: CaseJson<'a>,
    engine: EngineJson,
}

#[derive(Serialize)]
struct StepJson<'a> {
    rule: &'a str,
    result: &'static str,
    overridden_by: Names<'a, RuleId>,
    conditions: Conditions<'a>,
}

#[derive(Serialize)]
struct ConditionJson<'a> {
    text: &'a str,
    value: Option<bool>,
    facts: FactsJson<'a>,
}

#[derive(Serialize)]
struct RuleSetJson<'a> {
    name: &'a str,
    version: Option<&'a str>,
    sha256: &'a str,
    files: &'a [String],
}

#[derive(Serialize)]
struct CaseJson<'a> {
    id: Option<&'a str>,
    facts: FactsJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kosten: Option<Amount>,
}

#[derive(Serialize)]
struct EngineJson {
    name: &'static str,
    version: &'static str,
}

/// Names of rules or facts, serialised as a list of strings.
struct Names<'a, T> {
    rs: &'a RuleSet,
    ids: &'a [T],
}

impl Serialize for Names<'_, RuleId> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ids.iter().map(|r| self.rs.rule_name(*r)))
    }
}

impl Serialize for Names<'_, FactId> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ids.iter().map(|f| self.rs.fact_name(*f)))
    }
}

/// Facts with their values in the case.
struct FactsJson<'a> {
    rs: &'a RuleSet,
    case: &'a Case,
    which: Which<'a>,
}

enum Which<'a> {
    /// The facts an atom read, unknown ones as `null`.
    Read(&'a [FactId]),
    /// Every known fact of the case.
    Known,
}

impl Serialize for FactsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value = |f: FactId| self.case.value(f).map(|v| ValueJson(self.rs, v));
        match self.which {
            Which::Known => s.collect_map(
                self.rs
                    .fact_ids()
                    .filter_map(|f| Some((self.rs.fact_name(f), value(f)?))),
            ),
            Which::Read(ids) => {
                s.collect_map(ids.iter().map(|f| (self.rs.fact_name(*f), value(*f))))
            }
        }
    }
}

struct Trace<'a> {
    rs: &'a RuleSet,
    case: &'a Case,
    d: &'a Decision,
}

impl Serialize for Trace<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (rs, case) = (self.rs, self.case);
        s.collect_seq(self.d.trace.iter().map(|step| StepJson {
            rule: rs.rule_name(step.rule),
            result: step.result.as_str(),
            overridden_by: Names {
                rs,
                ids: &step.overridden_by,
            },
            conditions: Conditions {
                rs,
                case,
                conditions: &step.conditions,
            },
        }))
    }
}

struct Conditions<'a> {
    rs: &'a RuleSet,
    case: &'a Case,
    conditions: &'a [crate::eval::Condition],
}

impl Serialize for Conditions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (rs, case) = (self.rs, self.case);
        s.collect_seq(self.conditions.iter().map(|c| {
            let atom = rs.atom(c.atom);
            ConditionJson {
                text: &atom.text,
                value: c.value,
                facts: FactsJson {
                    rs,
                    case,
                    which: Which::Read(&atom.facts),
                },
            }
        }))
    }
}

struct OutcomeJson<'a>(&'a RuleSet, &'a Outcome);

impl Serialize for OutcomeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let OutcomeJson(rs, o) = self;
        s.collect_map(
            o.shares()
                .iter()
                .map(|(d, p)| (rs.domain_name(*d), Amount(*p))),
        )
    }
}

struct AllocationJson<'a>(Vec<(&'a str, Decimal)>);

impl Serialize for AllocationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(p, a)| (p, Amount(*a))))
    }
}

/// An exact decimal as a JSON number (see [`number`]).
struct Amount(Decimal);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        number(self.0).serialize(s)
    }
}

fn view<'a>(rs: &'a RuleSet, case: &'a Case, d: &'a Decision) -> DecisionJson<'a> {
    let allocation = case.costs.map(|costs| {
        d.outcome
            .as_ref()
            .map(|o| AllocationJson(allocate(rs, o, costs)))
    });
    DecisionJson {
        status: d.status.as_str(),
        outcome: d.outcome.as_ref().map(|o| OutcomeJson(rs, o)),
        allocation,
        decided_by: Names {
            rs,
            ids: &d.decided_by,
        },
        missing: Names {
            rs,
            ids: &d.missing,
        },
        trace: Trace { rs, case, d },
        ruleset: RuleSetJson {
            name: rs.name(),
            version: rs.version(),
            sha256: rs.sha256(),
            files: rs.files(),
        },
        reference_date: d.reference_date.to_string(),
        case: CaseJson {
            id: case.id.as_deref(),
            facts: FactsJson {
                rs,
                case,
                which: Which::Known,
            },
            kosten: case.costs.map(Amount),
        },
        engine: EngineJson {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
    }
}

/// The decision as a JSON value.
pub fn decision(rs: &RuleSet, case: &Case, d: &Decision) -> Json {
    serde_json::to_value(view(rs, case, d)).unwrap_or(Json::Null)
}

/// The decision as indented JSON, ending with a newline (what `eval --format json`
/// prints and the service answers).
pub fn pretty(rs: &RuleSet, case: &Case, d: &Decision) -> String {
    let mut out = Vec::with_capacity(16 * 1024);
    // Serialising into memory fails only on non-string map keys, which there are none.
    let _ = serde_json::to_writer_pretty(&mut out, &view(rs, case, d));
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the decision as compact JSON (one line, without the newline) to `out`.
pub fn write_decision(out: &mut Vec<u8>, rs: &RuleSet, case: &Case, d: &Decision) {
    // Serialising into memory fails only on non-string map keys, which there are none.
    let _ = serde_json::to_writer(out, &view(rs, case, d));
}

/// A diagnostic for `check --format json`: severity, code, message, place, the rules
/// involved and an example case (`[]` and `null` for a problem that is no finding).
pub fn problem(p: &crate::diagnostic::Problem, sources: &crate::source::Sources) -> Json {
    finding_with(p, &[], None, sources)
}

/// A finding of the analysis for `check --format json`, as [`problem`].
pub fn finding(f: &crate::diagnostic::Finding, sources: &crate::source::Sources) -> Json {
    finding_with(&f.problem, &f.rules, f.example.as_ref(), sources)
}

fn finding_with(
    p: &crate::diagnostic::Problem,
    rules: &[String],
    example: Option<&Json>,
    sources: &crate::source::Sources,
) -> Json {
    let place = crate::diagnostic::location(p, sources);
    serde_json::json!({
        "severity": if p.is_error() { "error" } else { "warning" },
        "code": p.code.as_str(),
        "message": p.message,
        "file": place.as_ref().map(|(f, _, _)| f.clone()),
        "line": place.as_ref().map(|(_, l, _)| *l),
        "column": place.as_ref().map(|(_, _, c)| *c),
        "rules": rules,
        "example": example,
    })
}

/// `{"jeugdwet": 100}`: each domain with its percentage.
pub fn outcome(rs: &RuleSet, o: &Outcome) -> Json {
    serde_json::to_value(OutcomeJson(rs, o)).unwrap_or(Json::Null)
}

pub use crate::case::{number_json as number, value_json as value};
