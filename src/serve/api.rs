//! The JSON the API gives about rule sets (decisions reuse `report::json`).

use serde_json::{json, Value as Json};

use crate::report::json::{number, outcome};
use crate::ruleset::{RuleSet, Type};

/// One entry of `GET /api/v1/regelsets`.
pub fn summary(id: &str, rs: &RuleSet) -> Json {
    json!({
        "id": id,
        "name": rs.name(),
        "version": rs.version(),
        "sha256": rs.sha256(),
        "valid_from": rs.period().from.map(|d| d.to_string()),
        "valid_to": rs.period().until.map(|d| d.to_string()),
    })
}

/// `GET /api/v1/regelsets/{id}`: the summary, its domains, its facts (everything a
/// form needs to ask for them) and its rules (to explain a decision).
pub fn detail(id: &str, rs: &RuleSet) -> Json {
    let mut out = summary(id, rs);
    let domains: Vec<Json> = rs
        .domains()
        .iter()
        .filter(|d| d.decision == crate::ruleset::LAW)
        .map(|d| json!({"name": d.name, "label": d.label, "payer": payer(rs, d.payer.as_ref()), "next": d.next}))
        .collect();
    let facts: Vec<Json> = rs
        .facts()
        .iter()
        .map(|f| {
            let (ty, values) = match f.ty {
                Type::Bool => ("ja/nee", None),
                Type::Number => ("getal", None),
                Type::Text => ("tekst", None),
                Type::Choice(_) => ("keuze", Some(names(rs, &f.values))),
                Type::List(_) => ("lijst", Some(names(rs, &f.values))),
            };
            let options: Option<Vec<Json>> = values.as_ref().map(|_| {
                f.values
                    .iter()
                    .map(|v| {
                        json!({
                            "value": rs.symbols().name(*v),
                            "label": rs.label(f, *v),
                        })
                    })
                    .collect()
            });
            json!({
                "name": f.name,
                "type": ty,
                "values": values,
                "options": options,
                "question": f.question,
                "help": f.explanation,
                "unit": f.unit,
                "bounds": f.bounds.map(|(min, max)| json!({"min": number(min), "max": number(max)})),
            })
        })
        .collect();
    let rules: Vec<Json> = rs
        .rules()
        .iter()
        .map(|r| {
            let mut rule = json!({
                "name": r.name,
                "title": r.title,
                "condition": r.condition_text,
                "outcome": outcome(rs, &r.outcome),
                "explanation": r.explanation,
                "source": r.source,
            });
            if rs.has_further_decisions() {
                if let Some(map) = rule.as_object_mut() {
                    map.insert("decision".into(), json!(rs.decision(r.decision).name));
                }
            }
            rule
        })
        .collect();
    let concepts: Vec<Json> = rs
        .concepts()
        .iter()
        .map(|c| json!({"name": c.name, "explanation": c.explanation}))
        .collect();
    let decisions: Vec<Json> = rs
        .further_decisions()
        .map(|(id, d)| {
            let values: Vec<Json> = rs
                .domains()
                .iter()
                .filter(|v| v.decision == id)
                .map(|v| json!({"name": v.name, "label": v.label, "payer": payer(rs, v.payer.as_ref()), "next": v.next}))
                .collect();
            let routes: Vec<&str> = d.routes.iter().map(|r| rs.domain_name(*r)).collect();
            json!({
                "name": d.name,
                "label": d.label,
                "explanation": d.explanation,
                "for": routes,
                "values": values,
                "fallback": outcome(rs, d.fallback.outcome()),
            })
        })
        .collect();
    if let Some(map) = out.as_object_mut() {
        map.insert("source".into(), json!(rs.source()));
        map.insert("files".into(), json!(rs.files()));
        map.insert("domains".into(), Json::Array(domains));
        map.insert("facts".into(), Json::Array(facts));
        map.insert("rules".into(), Json::Array(rules));
        map.insert("concepts".into(), Json::Array(concepts));
        map.insert("fallback".into(), outcome(rs, rs.fallback().outcome()));
        map.insert("conflict".into(), outcome(rs, rs.conflict()));
        if rs.has_further_decisions() {
            map.insert("decisions".into(), Json::Array(decisions));
        }
    }
    out
}

/// A payer as the API shows it: the text, or `{"fact": NAME}` when it comes from the case.
fn payer(rs: &RuleSet, payer: Option<&crate::ruleset::Payer>) -> Json {
    match payer {
        None => Json::Null,
        Some(crate::ruleset::Payer::Text(t)) => json!(t),
        Some(crate::ruleset::Payer::Fact(f)) => json!({"fact": rs.fact_name(*f)}),
    }
}

fn names(rs: &RuleSet, values: &[crate::ruleset::Sym]) -> Vec<String> {
    values
        .iter()
        .map(|s| rs.symbols().name(*s).to_string())
        .collect()
}
