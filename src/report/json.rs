//! The decision as JSON, exactly the keys of spec section 8.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::case::Case;
use crate::eval::Decision;
use crate::ruleset::{Outcome, RuleSet, Value};

#[derive(Serialize)]
struct DecisionJson<'a> {
    status: &'static str,
    outcome: Option<Json>,
    decided_by: Vec<&'a str>,
    missing: Vec<&'a str>,
    trace: Vec<StepJson<'a>>,
    ruleset: RuleSetJson<'a>,
    reference_date: String,
    case: CaseJson,
    engine: EngineJson,
}

#[derive(Serialize)]
struct StepJson<'a> {
    rule: &'a str,
    result: &'static str,
    overridden_by: Vec<&'a str>,
    conditions: Vec<ConditionJson<'a>>,
}

#[derive(Serialize)]
struct ConditionJson<'a> {
    text: &'a str,
    value: Option<bool>,
    facts: Map<String, Json>,
}

#[derive(Serialize)]
struct RuleSetJson<'a> {
    name: &'a str,
    version: Option<&'a str>,
    sha256: &'a str,
    files: &'a [String],
}

#[derive(Serialize)]
struct CaseJson {
    id: Option<String>,
    facts: Map<String, Json>,
}

#[derive(Serialize)]
struct EngineJson {
    name: &'static str,
    version: &'static str,
}

/// The decision as a JSON value.
pub fn decision(rs: &RuleSet, case: &Case, d: &Decision) -> Json {
    let fact_map = |ids: &mut dyn Iterator<Item = crate::ruleset::FactId>| {
        let mut m = Map::new();
        for f in ids {
            m.insert(
                rs.fact_name(f).to_string(),
                case.value(f).map_or(Json::Null, |v| value(rs, v)),
            );
        }
        m
    };
    let trace = d
        .trace
        .iter()
        .map(|s| StepJson {
            rule: rs.rule_name(s.rule),
            result: s.result.as_str(),
            overridden_by: s.overridden_by.iter().map(|r| rs.rule_name(*r)).collect(),
            conditions: s
                .conditions
                .iter()
                .filter_map(|c| {
                    let atom = rs.atom(c.atom)?;
                    Some(ConditionJson {
                        text: &atom.text,
                        value: c.value,
                        facts: fact_map(&mut atom.facts.iter().copied()),
                    })
                })
                .collect(),
        })
        .collect();
    let known = (0..rs.facts.len())
        .map(crate::ruleset::FactId::from_index)
        .filter(|f| case.value(*f).is_some());
    let json = DecisionJson {
        status: d.status.as_str(),
        outcome: d.outcome.as_ref().map(|o| outcome(rs, o)),
        decided_by: d.decided_by.iter().map(|r| rs.rule_name(*r)).collect(),
        missing: d.missing.iter().map(|f| rs.fact_name(*f)).collect(),
        trace,
        ruleset: RuleSetJson {
            name: &rs.name,
            version: rs.version.as_deref(),
            sha256: &rs.sha256,
            files: &rs.files,
        },
        reference_date: d.reference_date.to_string(),
        case: CaseJson {
            id: case.id.clone(),
            facts: fact_map(&mut known.into_iter()),
        },
        engine: EngineJson {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
    };
    serde_json::to_value(json).unwrap_or(Json::Null)
}

/// A diagnostic for `check --format json`: severity, code, message, place, the rules
/// involved and an example case (or `null`).
pub fn problem(p: &crate::diagnostic::Problem, sources: &crate::source::Sources) -> Json {
    let place = crate::diagnostic::location(p, sources);
    serde_json::json!({
        "severity": if p.is_error() { "error" } else { "warning" },
        "code": p.code.as_str(),
        "message": p.message,
        "file": place.as_ref().map(|(f, _, _)| f.clone()),
        "line": place.as_ref().map(|(_, l, _)| *l),
        "column": place.as_ref().map(|(_, _, c)| *c),
        "rules": p.rules,
        "example": p.example,
    })
}

/// `{"jeugdwet": 100}`: each domain with its percentage.
pub fn outcome(rs: &RuleSet, o: &Outcome) -> Json {
    let mut m = Map::new();
    for (d, p) in o.shares() {
        m.insert(rs.domain_name(*d).to_string(), number(*p));
    }
    Json::Object(m)
}

/// A value as JSON: `true`, `12.5`, `"leren"`, `["eed"]`.
pub fn value(rs: &RuleSet, v: &Value) -> Json {
    match v {
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => number(*n),
        Value::Text(t) => Json::String(t.to_string()),
        Value::Choice(s) => Json::String(rs.symbols.name(*s).to_string()),
        Value::List(items) => Json::Array(
            items
                .iter()
                .map(|s| Json::String(rs.symbols.name(*s).to_string()))
                .collect(),
        ),
    }
}

/// An exact decimal as a JSON number: whole numbers as integers, others as the
/// shortest float that reads back as the same decimal.
pub fn number(d: Decimal) -> Json {
    let d = d.normalize();
    if d.fract().is_zero() {
        if let Some(i) = d.to_i64() {
            return Json::from(i);
        }
    }
    d.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Json::Null, Json::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_integers_when_whole() {
        assert_eq!(number(Decimal::new(1000, 1)).to_string(), "100");
        assert_eq!(number(Decimal::new(125, 1)).to_string(), "12.5");
        assert_eq!(number(Decimal::new(3, 1)).to_string(), "0.3");
    }
}
