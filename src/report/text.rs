//! The decision as a Dutch explanation: outcome and payer first, then why, then the
//! whole trace.

use std::fmt::{self, Write};

use super::outcome_words;
use crate::case::Case;
use crate::eval::{Condition, Decision, DecisionView, RuleResult, Status};
use crate::ruleset::{DomainId, FactId, Payer, Read, RuleId, RuleSet, LAW};
use crate::text::euros;

/// The decision, explained.
pub fn decision(rs: &RuleSet, case: &Case, d: &Decision) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_decision(&mut out, rs, case, d);
    // A case's text (its `id`, text facts) reaches a terminal only as printable text.
    crate::text::printable(&out).into_owned()
}

fn write_decision(out: &mut String, rs: &RuleSet, case: &Case, d: &Decision) -> fmt::Result {
    if let Some(id) = &case.id {
        writeln!(out, "Casus: {id}")?;
    }
    outcome(out, rs, d)?;
    for part in d.views().skip(1) {
        further(out, rs, &part)?;
    }
    payment(out, rs, d)?;
    costs(out, case, d)?;
    writeln!(out, "Status: {}", status_words(d.status))?;
    for step in super::next_steps(rs, d) {
        writeln!(out, "Wat nu: {step}")?;
    }
    writeln!(out)?;
    for view in d.views() {
        why(out, rs, &view)?;
    }
    writeln!(out)?;
    for view in d.views() {
        trace(out, rs, case, d, &view)?;
    }
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
    // With routes or payers from the case, `Betaald door` names the actual payers.
    let payers_follow = rs.has_further_decisions() || rs.has_case_payers();
    for (domain, pct) in o.shares() {
        let dom = rs.domain(*domain);
        let label = dom.label.as_deref().unwrap_or(&dom.name);
        let payer = match &dom.payer {
            _ if payers_follow => String::new(),
            Some(Payer::Text(p)) => format!(", betaald door {p}"),
            Some(Payer::Fact(f)) => format!(", betaald door {} van de leerling", rs.fact_name(*f)),
            None => String::new(),
        };
        writeln!(out, "  {} {}% — {label}{payer}", dom.name, pct.normalize())?;
    }
    Ok(())
}

/// A further decision in one line: `Route (Financieringsroute): budget — label (beslist)`.
fn further(out: &mut String, rs: &RuleSet, v: &DecisionView<'_>) -> fmt::Result {
    let def = rs.decision(v.decision);
    let title = match &def.label {
        Some(l) => format!("{} ({l})", super::decision_title(&def.name)),
        None => super::decision_title(&def.name),
    };
    match (v.status, v.outcome) {
        (Status::NotNeeded, _) => writeln!(out, "{title}: niet nodig"),
        (_, None) => writeln!(out, "{title}: nog geen (onvolledig)"),
        (status, Some(o)) => {
            let labels: Vec<String> = o
                .shares()
                .iter()
                .map(|(d, _)| {
                    let dom = rs.domain(*d);
                    dom.label.clone().unwrap_or_else(|| dom.name.clone())
                })
                .collect();
            writeln!(
                out,
                "{title}: {} — {} ({})",
                outcome_words(rs, o),
                labels.join("; "),
                super::further_status_word(status)
            )
        }
    }
}

/// Who pays, when the rule set has routes or payers from the case.
fn payment(out: &mut String, rs: &RuleSet, d: &Decision) -> fmt::Result {
    if !(rs.has_further_decisions() || rs.has_case_payers()) || d.outcome.is_none() {
        return Ok(());
    }
    match &d.payment.shares {
        Some(shares) => {
            let parts: Vec<String> = shares
                .iter()
                .map(|s| {
                    let via = s
                        .route
                        .map(|r| format!(" via {}", rs.domain_name(r)))
                        .unwrap_or_default();
                    format!(
                        "{} {}% ({}{via})",
                        s.payer,
                        s.percent.normalize(),
                        rs.domain_name(s.domain)
                    )
                })
                .collect();
            writeln!(out, "Betaald door: {}", parts.join(", "))
        }
        None if !d.payment.missing.is_empty() => {
            let names: Vec<&str> = d.payment.missing.iter().map(|f| rs.fact_name(*f)).collect();
            writeln!(
                out,
                "Betaald door: nog niet bekend (ontbreekt: {})",
                names.join(", ")
            )
        }
        None => writeln!(
            out,
            "Betaald door: nog niet bekend (een beslissing is onvolledig)"
        ),
    }
}

/// The costs and, when the payers are known, how they are divided between them.
fn costs(out: &mut String, case: &Case, d: &Decision) -> fmt::Result {
    let Some(costs) = case.costs else {
        return Ok(());
    };
    match d.payment.by_payer() {
        None => writeln!(
            out,
            "Kosten: {} (nog niet te verdelen zolang de casus onvolledig is)",
            euros(costs)
        ),
        Some(shares) => {
            let parts: Vec<String> = crate::allocation::allocate(&shares, costs)
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
        Status::NotNeeded => "niet nodig",
    }
}

/// The heading of a further decision's part of a section.
fn section(out: &mut String, rs: &RuleSet, v: &DecisionView<'_>) -> fmt::Result {
    if v.decision != LAW {
        writeln!(
            out,
            "  {}:",
            super::decision_title(&rs.decision(v.decision).name)
        )?;
    }
    Ok(())
}

fn rule_label(rs: &RuleSet, id: RuleId) -> String {
    let r = rs.rule(id);
    match &r.title {
        Some(t) => format!("`{}` ({t})", r.name),
        None => format!("`{}`", r.name),
    }
}

fn why(out: &mut String, rs: &RuleSet, d: &DecisionView<'_>) -> fmt::Result {
    if d.decision == LAW {
        writeln!(out, "Waarom")?;
    } else {
        section(out, rs, d)?;
    }
    let def = rs.decision(d.decision);
    match d.status {
        Status::Decided => {
            for id in d.decided_by {
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
        Status::NotNeeded => {
            let routes: Vec<&str> = def.routes.iter().map(|r| rs.domain_name(*r)).collect();
            writeln!(
                out,
                "  Niet nodig: de uitkomst geeft {} geen deel.",
                crate::text::enumerate(&routes, "of")
            )?;
        }
        Status::Fallback => {
            let how = match (def.fallback.is_declared(), d.decision == LAW) {
                (true, true) => "de afspraak voor het grijze gebied (`anders`)",
                (true, false) => "wat de regio afsprak voor als geen regel geldt (`anders`)",
                (false, _) => "een gelijke verdeling over alle waarden (er is geen `anders`)",
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
            for id in d.decided_by {
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
            for f in d.missing {
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

fn trace(
    out: &mut String,
    rs: &RuleSet,
    case: &Case,
    d: &Decision,
    view: &DecisionView<'_>,
) -> fmt::Result {
    if view.decision == LAW {
        writeln!(out, "Spoor (alle regels, in volgorde van het bestand)")?;
    } else if !view.trace.is_empty() {
        section(out, rs, view)?;
    }
    for step in view.trace {
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
            writeln!(out, "      {}", condition_line(rs, case, d, c))?;
        }
    }
    Ok(())
}

/// `onwaar: leeftijd minder dan 18  (leeftijd = 20)`.
fn condition_line(rs: &RuleSet, case: &Case, d: &Decision, c: &Condition) -> String {
    let atom = rs.atom(c.atom);
    let value = match c.value {
        Some(true) => "waar",
        Some(false) => "onwaar",
        None => "onbekend",
    };
    let facts: Vec<String> = atom
        .reads
        .iter()
        .map(|r| match r {
            Read::Fact(f) => {
                let v = case.value(*f).map_or_else(
                    || "onbekend".to_string(),
                    |v| rs.show_labelled(rs.fact(*f), v),
                );
                format!("{} = {v}", rs.fact_name(*f))
            }
            Read::Decision(id) => {
                let v = d
                    .views()
                    .find(|v| v.decision == *id)
                    .and_then(|v| v.outcome)
                    .map_or_else(|| "nog onbekend".to_string(), |o| outcome_words(rs, o));
                format!("{} = {v}", rs.decision(*id).name)
            }
            Read::Rule(rule) => {
                let result = d
                    .views()
                    .flat_map(|v| v.trace.iter())
                    .find(|s| s.rule == *rule)
                    .map_or("onbekend", |s| result_words(s.result));
                format!("regel {}: {result}", rs.rule_name(*rule))
            }
        })
        .collect();
    let facts = if facts.is_empty() {
        String::new()
    } else {
        format!("  ({})", facts.join(", "))
    };
    format!("{value}: {}{facts}", atom.text)
}

/// A rule's result in a few words.
fn result_words(r: RuleResult) -> &'static str {
    match r {
        RuleResult::Applies => "van toepassing",
        RuleResult::NotApplicable => "niet van toepassing",
        RuleResult::Overridden => "opzij gezet",
        RuleResult::Unknown => "onbekend",
        RuleResult::NotValid => "niet geldig",
    }
}

/// `eval --why-not DOMAIN`: for every rule that gives `domain` (alone or in a split),
/// why it did not decide this case.
pub fn why_not(rs: &RuleSet, case: &Case, d: &Decision, domain: DomainId) -> String {
    let mut out = String::new();
    let name = rs.domain_name(domain);
    let _ = writeln!(out, "Waarom niet {name}?");
    let gives = |o: &crate::ruleset::Outcome| o.shares().iter().any(|(x, _)| *x == domain);
    let mut any = false;
    let decision = rs.domain(domain).decision;
    let Some(view) = d.views().find(|v| v.decision == decision) else {
        return out;
    };
    for step in view.trace {
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
                    let _ = writeln!(out, "    {}", condition_line(rs, case, d, c));
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
                let missing: Vec<&str> = crate::ruleset::facts_of(&r.reads)
                    .filter(|f| case.value(*f).is_none())
                    .map(|f| rs.fact_name(f))
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
                let also = match view.status {
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
