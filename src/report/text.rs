//! The decision as a Dutch explanation: outcome and payer first, then why, then the
//! whole trace.

use std::fmt::{self, Write};

use super::outcome_words;
use crate::case::Case;
use crate::eval::{Condition, Decision, RuleResult, Status};
use crate::ruleset::{DomainId, FactId, RuleId, RuleSet};
use crate::text::euros;

/// The decision, explained.
pub fn decision(rs: &RuleSet, case: &Case, d: &Decision) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_decision(&mut out, rs, case, d);
    out
}

fn write_decision(out: &mut String, rs: &RuleSet, case: &Case, d: &Decision) -> fmt::Result {
    if let Some(id) = &case.id {
        writeln!(out, "Casus: {id}")?;
    }
    outcome(out, rs, d)?;
    costs(out, rs, case, d)?;
    writeln!(out, "Status: {}", status_words(d.status))?;
    writeln!(out)?;
    why(out, rs, d)?;
    writeln!(out)?;
    trace(out, rs, case, d)?;
    writeln!(out)?;
    let version = rs
        .version()
        .map(|v| format!(", versie {v}"))
        .unwrap_or_default();
    writeln!(
        out,
        "Regelset: {}{version} ({})",
        rs.name(),
        rs.files().join(", ")
    )?;
    writeln!(out, "sha256: {}", rs.sha256())?;
    writeln!(out, "Peildatum: {}", d.reference_date)
}

fn outcome(out: &mut String, rs: &RuleSet, d: &Decision) -> fmt::Result {
    let Some(o) = &d.outcome else {
        return writeln!(out, "Uitkomst: nog geen (onvolledig)");
    };
    writeln!(out, "Uitkomst: {}", outcome_words(rs, o))?;
    for (domain, pct) in o.shares() {
        let dom = rs.domain(*domain);
        let label = dom.label.as_deref().unwrap_or(&dom.name);
        let payer = dom
            .payer
            .as_deref()
            .map(|p| format!(", betaald door {p}"))
            .unwrap_or_default();
        writeln!(out, "  {} {}% — {label}{payer}", dom.name, pct.normalize())?;
    }
    Ok(())
}

/// The costs and, when there is an outcome, how they are divided between the payers.
fn costs(out: &mut String, rs: &RuleSet, case: &Case, d: &Decision) -> fmt::Result {
    let Some(costs) = case.costs else {
        return Ok(());
    };
    match &d.outcome {
        None => writeln!(
            out,
            "Kosten: {} (nog niet te verdelen zolang de casus onvolledig is)",
            euros(costs)
        ),
        Some(o) => {
            let parts: Vec<String> = crate::allocation::allocate(rs, o, costs)
                .into_iter()
                .map(|(payer, amount)| format!("{payer} {}", euros(amount)))
                .collect();
            writeln!(
                out,
                "Kosten: {}, te betalen door {}",
                euros(costs),
                parts.join(", ")
            )
        }
    }
}

fn status_words(status: Status) -> &'static str {
    match status {
        Status::Decided => "beslist",
        Status::Fallback => "grijs gebied (geen regel is van toepassing)",
        Status::Conflict => "conflict (regels geven verschillende uitkomsten)",
        Status::Incomplete => "onvolledig (er ontbreken gegevens)",
    }
}

fn rule_label(rs: &RuleSet, id: RuleId) -> String {
    let r = rs.rule(id);
    match &r.title {
        Some(t) => format!("`{}` ({t})", r.name),
        None => format!("`{}`", r.name),
    }
}

fn why(out: &mut String, rs: &RuleSet, d: &Decision) -> fmt::Result {
    writeln!(out, "Waarom")?;
    match d.status {
        Status::Decided => {
            for id in &d.decided_by {
                writeln!(out, "  Regel {} is van toepassing.", rule_label(rs, *id))?;
                let r = rs.rule(*id);
                if let Some(t) = &r.explanation {
                    writeln!(out, "    toelichting: {t}")?;
                }
                if let Some(b) = &r.source {
                    writeln!(out, "    bron: {b}")?;
                }
            }
            for step in d
                .trace
                .iter()
                .filter(|s| s.result == RuleResult::Overridden)
            {
                let by: Vec<String> = step
                    .overridden_by
                    .iter()
                    .map(|r| format!("`{}`", rs.rule_name(*r)))
                    .collect();
                writeln!(
                    out,
                    "  Regel `{}` geldt niet: {} is er een uitzondering op.",
                    rs.rule_name(step.rule),
                    by.join(" en ")
                )?;
            }
        }
        Status::Fallback => {
            let how = if rs.fallback().is_declared() {
                "de afspraak voor het grijze gebied (`anders`)"
            } else {
                "een gelijke verdeling over alle domeinen (er is geen `anders`)"
            };
            writeln!(
                out,
                "  Geen enkele regel is van toepassing, dus geldt {how}."
            )?;
        }
        Status::Conflict => {
            writeln!(
                out,
                "  Deze regels zijn alle van toepassing, maar geven verschillende uitkomsten:"
            )?;
            for id in &d.decided_by {
                writeln!(
                    out,
                    "    {} → {}",
                    rule_label(rs, *id),
                    outcome_words(rs, &rs.rule(*id).outcome)
                )?;
            }
            writeln!(
                out,
                "  Daarom geldt de afspraak bij conflict (`bij conflict`)."
            )?;
        }
        Status::Incomplete => {
            writeln!(
                out,
                "  Er is nog geen uitkomst: deze gegevens ontbreken (vraag ze in deze volgorde):"
            )?;
            for f in &d.missing {
                writeln!(out, "    - {}", question(rs, *f))?;
            }
        }
    }
    Ok(())
}

fn question(rs: &RuleSet, f: FactId) -> String {
    let fact = rs.fact(f);
    match &fact.question {
        Some(q) => format!("{} ({}): {q}", fact.name, rs.describe_type(fact)),
        None => format!("{} ({})", fact.name, rs.describe_type(fact)),
    }
}

fn trace(out: &mut String, rs: &RuleSet, case: &Case, d: &Decision) -> fmt::Result {
    writeln!(out, "Spoor (alle regels, in volgorde van het bestand)")?;
    for step in &d.trace {
        let (mark, words) = match step.result {
            RuleResult::Applies => ("✓", "van toepassing".to_string()),
            RuleResult::NotApplicable => ("·", "niet van toepassing".to_string()),
            RuleResult::Overridden => {
                let by: Vec<&str> = step
                    .overridden_by
                    .iter()
                    .map(|r| rs.rule_name(*r))
                    .collect();
                ("✗", format!("opzij gezet door {}", by.join(", ")))
            }
            RuleResult::Unknown => ("?", "onbekend (gegevens ontbreken)".to_string()),
            RuleResult::NotValid => ("–", "niet geldig op de peildatum".to_string()),
        };
        let outcome = outcome_words(rs, &rs.rule(step.rule).outcome);
        writeln!(
            out,
            "  {mark} {} → {outcome}: {words}",
            rs.rule_name(step.rule)
        )?;
        for c in &step.conditions {
            writeln!(out, "      {}", condition_line(rs, case, c))?;
        }
    }
    Ok(())
}

/// `onwaar: leeftijd minder dan 18  (leeftijd = 20)`.
fn condition_line(rs: &RuleSet, case: &Case, c: &Condition) -> String {
    let atom = rs.atom(c.atom);
    let value = match c.value {
        Some(true) => "waar",
        Some(false) => "onwaar",
        None => "onbekend",
    };
    let facts: Vec<String> = atom
        .facts
        .iter()
        .map(|f| {
            let v = case
                .value(*f)
                .map_or_else(|| "onbekend".to_string(), |v| rs.show(v));
            format!("{} = {v}", rs.fact_name(*f))
        })
        .collect();
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!("  ({})", facts.join(", "))
    };
    format!("{value}: {}{facts}", atom.text)
}

/// `eval --why-not DOMAIN`: for every rule that gives `domain` (alone or in a split),
/// why it did not decide this case.
pub fn why_not(rs: &RuleSet, case: &Case, d: &Decision, domain: DomainId) -> String {
    let mut out = String::new();
    let name = rs.domain_name(domain);
    let _ = writeln!(out, "Waarom niet {name}?");
    let gives = |o: &crate::ruleset::Outcome| o.shares().iter().any(|(x, _)| *x == domain);
    let mut any = false;
    for step in &d.trace {
        let r = rs.rule(step.rule);
        if !gives(&r.outcome) {
            continue;
        }
        any = true;
        let label = rule_label(rs, step.rule);
        let _ = match step.result {
            RuleResult::NotApplicable => {
                let _ = writeln!(out, "  Regel {label} geldt niet: de voorwaarde is onwaar.");
                for c in step.conditions.iter().filter(|c| c.value == Some(false)) {
                    let _ = writeln!(out, "    {}", condition_line(rs, case, c));
                }
                Ok(())
            }
            RuleResult::Overridden => {
                let by: Vec<String> = step
                    .overridden_by
                    .iter()
                    .map(|x| rule_label(rs, *x))
                    .collect();
                writeln!(
                    out,
                    "  Regel {label} is opzij gezet door de uitzondering {}.",
                    by.join(" en ")
                )
            }
            RuleResult::Unknown => {
                let missing: Vec<&str> = r
                    .reads
                    .iter()
                    .filter(|f| case.value(**f).is_none())
                    .map(|f| rs.fact_name(*f))
                    .collect();
                if missing.is_empty() {
                    writeln!(
                        out,
                        "  Regel {label} is nog onbekend: een uitzondering erop is nog onbekend."
                    )
                } else {
                    writeln!(
                        out,
                        "  Regel {label} is nog onbekend: deze gegevens ontbreken: {}.",
                        missing.join(", ")
                    )
                }
            }
            RuleResult::NotValid => writeln!(
                out,
                "  Regel {label} geldt niet op de peildatum {}.",
                d.reference_date
            ),
            RuleResult::Applies => {
                let also = match d.status {
                    Status::Conflict => {
                        " (maar hij spreekt een andere regel tegen; daarom geldt `bij conflict`)"
                    }
                    Status::Incomplete => " (maar de uitkomst wacht nog op andere regels)",
                    _ => "",
                };
                writeln!(out, "  Regel {label} is wel van toepassing{also}.")
            }
        };
    }
    if !any {
        let _ = writeln!(out, "  Geen enkele regel geeft {name}.");
    }
    out
}
