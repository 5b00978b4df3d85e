//! Lints that need the whole space of cases: rules that never apply, rules always
//! overridden, possible conflicts, the grey area, unused facts and concepts. Each
//! finding carries the rules involved and an example case that shows it under `eval`.

use std::collections::BTreeSet;

use jiff::civil::Date;
use serde_json::{Map, Value as Json};

use super::{decide, describe, epochs, explore, next_var, regions, Node, Probe, Space};
use crate::diagnostic::{Code, Problem};
use crate::eval::{RuleResult, Status, Waiting};
use crate::ruleset::{ConceptId, Expr, RuleId, RuleSet};

/// How many grey-area regions are listed one by one.
const MAX_REGIONS: usize = 12;
/// How many conflicting pairs are listed one by one.
const MAX_CONFLICTS: usize = 20;
/// How many points each exploration of the lints may visit: lints run on every `check`,
/// so they stay within seconds even for a few hundred rules (and say when they stopped).
const LINT_BUDGET: usize = 20_000;

#[derive(Default, Clone)]
struct RuleSeen {
    /// A case where the condition is true.
    true_example: Option<Json>,
    applies: bool,
    /// A case where the condition is true and the rule is overridden, with the rules
    /// that overrode it.
    overridden: Option<(Json, Vec<RuleId>)>,
}

/// All findings of the analysis for `rs`, as warnings.
pub fn lint(rs: &RuleSet, today: Date) -> Vec<Problem> {
    let mut problems = unused(rs);
    let mut seen = vec![RuleSeen::default(); rs.rules.len()];
    let mut conflicts: Vec<(RuleId, RuleId, Json)> = Vec::new();
    let mut complete = true;
    let mut grey: Vec<(String, Json)> = Vec::new();
    let mut space = Space::of(rs);
    let dates = epochs(&[rs], today);
    for &date in &dates {
        let mut budget = LINT_BUDGET;
        explore(&mut space, &mut budget, &mut |space, last| {
            let Ok(d) = decide(space, 0, date) else {
                return Probe::Leaf(());
            };
            match next_var(space, 0, &d, Waiting::Condition) {
                Ok(Some(var)) if !last => return Probe::Branch(var),
                Ok(Some(_)) => complete = false,
                _ => {}
            }
            let example = || with_date(space.example(0), date);
            let applying: Vec<&crate::eval::TraceStep> = d
                .trace
                .iter()
                .filter(|s| s.result == RuleResult::Applies)
                .collect();
            for step in &d.trace {
                let Some(s) = seen.get_mut(step.rule.index()) else {
                    continue;
                };
                if step.condition == Some(true) && s.true_example.is_none() {
                    s.true_example = Some(example());
                }
                match step.result {
                    RuleResult::Applies => s.applies = true,
                    RuleResult::Overridden if s.overridden.is_none() => {
                        s.overridden = Some((example(), step.overridden_by.clone()));
                    }
                    _ => {}
                }
            }
            if d.status == Status::Conflict {
                for (i, a) in applying.iter().enumerate() {
                    for b in applying.iter().skip(i + 1) {
                        let differ = rs.rule(a.rule).map(|r| &r.outcome)
                            != rs.rule(b.rule).map(|r| &r.outcome);
                        if differ
                            && !conflicts
                                .iter()
                                .any(|(x, y, _)| (*x, *y) == (a.rule, b.rule))
                        {
                            conflicts.push((a.rule, b.rule, example()));
                        }
                    }
                }
            }
            Probe::Leaf(())
        });
        // The grey area, split only as far as the decision needs.
        let mut budget = LINT_BUDGET;
        let tree: Node<Option<Json>> = explore(&mut space, &mut budget, &mut |space, last| {
            let Ok(d) = decide(space, 0, date) else {
                return Probe::Leaf(None);
            };
            match next_var(space, 0, &d, Waiting::Result) {
                Ok(Some(var)) if !last => Probe::Branch(var),
                _ => Probe::Leaf(
                    (d.status == Status::Fallback).then(|| with_date(space.example(0), date)),
                ),
            }
        });
        complete &= budget > 0;
        let cells = |v: usize| space.vars.get(v).map_or(0, |v| v.cells.len());
        for (region, (), example) in
            regions(&tree, space.vars.len(), &cells, &|l: &Option<Json>| {
                l.clone().map(|x| ((), x))
            })
        {
            let when = describe(&space, &region);
            if !grey.iter().any(|(w, _)| *w == when) {
                grey.push((when, example));
            }
        }
    }

    for (id, s) in seen.iter().enumerate() {
        let Some(rule) = rs.rules.get(id).filter(|r| r.own) else {
            continue;
        };
        let in_force = dates.iter().any(|d| rule.period.contains(*d));
        match (&s.true_example, &s.overridden) {
            (None, _) if complete && space.exact() && in_force => problems.push(
                Problem::warning(
                    Code::NeverApplies,
                    rule.name_span,
                    format!("regel `{}` is op geen enkel geval van toepassing", rule.name),
                )
                .label("aan deze voorwaarde voldoet geen enkel geval")
                .help("controleer de voorwaarde: spreken twee delen elkaar tegen, of valt een grens buiten de `tussen` van een feit?")
                .rules(vec![rule.name.clone()]),
            ),
            (Some(_), Some((example, by))) if !s.applies && complete && space.exact() => {
                let mut names = vec![rule.name.clone()];
                names.extend(by.iter().map(|r| rs.rule_name(*r).to_string()));
                problems.push(
                    Problem::warning(
                        Code::AlwaysOverridden,
                        rule.name_span,
                        format!(
                            "regel `{}` geldt nooit: steeds als de voorwaarde waar is, zet een uitzondering hem opzij",
                            rule.name
                        ),
                    )
                    .label(format!("opzij gezet door {}", quoted(names.get(1..).unwrap_or_default())))
                    .help("schrap de regel, of beperk de uitzondering zodat de regel een eigen geval houdt")
                    .rules(names)
                    .example(example.clone()),
                );
            }
            _ => {}
        }
    }

    conflicts.retain(|(a, b, _)| [a, b].iter().any(|r| rs.rule(**r).is_some_and(|r| r.own)));
    conflicts.sort_by_key(|(a, b, _)| (a.index().min(b.index()), a.index().max(b.index())));
    let more_conflicts = conflicts.len().saturating_sub(MAX_CONFLICTS);
    for (a, b, example) in conflicts.into_iter().take(MAX_CONFLICTS) {
        let (Some(ra), Some(rb)) = (rs.rule(a), rs.rule(b)) else {
            continue;
        };
        let (first, second) = if rb.own && !ra.own {
            (rb, ra)
        } else {
            (ra, rb)
        };
        problems.push(
            Problem::warning(
                Code::PossibleConflict,
                first.name_span,
                format!(
                    "regels `{}` en `{}` kunnen samen gelden met verschillende uitkomsten",
                    first.name, second.name
                ),
            )
            .label(format!(
                "geeft {}",
                crate::report::outcome_words(rs, &first.outcome)
            ))
            .also(
                second.name_span,
                format!("geeft {}", crate::report::outcome_words(rs, &second.outcome)),
            )
            .help(format!(
                "maak van de ene regel een uitzondering op de andere (`uitzondering op {}`), of maak de voorwaarden uitsluitend; nu geldt `bij conflict`",
                second.name
            ))
            .rules(vec![first.name.clone(), second.name.clone()])
            .example(example),
        );
    }

    if more_conflicts > 0 {
        problems.push(
            Problem::warning(
                Code::PossibleConflict,
                rs.name_span,
                format!("en nog {more_conflicts} paren regels die samen kunnen gelden met verschillende uitkomsten"),
            )
            .label("niet alle mogelijke conflicten zijn hierboven genoemd")
            .help("los eerst de genoemde conflicten op en draai `check` opnieuw"),
        );
    }

    let total = grey.len();
    for (i, (when, example)) in grey.into_iter().enumerate().take(MAX_REGIONS) {
        let more = if i + 1 == MAX_REGIONS && total > MAX_REGIONS {
            format!(" (en nog {} gebieden)", total - MAX_REGIONS)
        } else {
            String::new()
        };
        problems.push(
            Problem::warning(
                Code::ReachesFallback,
                rs.fallback_span,
                format!("geen regel geldt als {when}{more}"),
            )
            .label(format!(
                "dan geldt `anders`: {}",
                crate::report::outcome_words(rs, &rs.fallback)
            ))
            .help("is dit het grijze gebied dat de werkgroep bedoelt? Zo niet, schrijf een regel voor deze gevallen")
            .example(example),
        );
    }

    if !complete || !space.approximate.is_empty() {
        let why = if complete {
            format!(
                "deze voorwaarden rekenen met meer dan één feit: {}",
                space
                    .approximate
                    .iter()
                    .take(5)
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            format!("de regelset heeft meer dan {LINT_BUDGET} deelgebieden")
        };
        problems.push(
            Problem::warning(
                Code::ApproximateAnalysis,
                rs.name_span,
                "de analyse van deze regelset is benaderend",
            )
            .label(why)
            .help("de gevonden voorbeelden kloppen, maar er kunnen gevallen ontbreken"),
        );
    }
    problems
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn with_date(mut case: Map<String, Json>, date: Date) -> Json {
    case.insert("peildatum".into(), Json::String(date.to_string()));
    Json::Object(case)
}

/// Facts no rule reads and concepts no rule uses, declared in the checked file.
fn unused(rs: &RuleSet) -> Vec<Problem> {
    let own_file = rs.name_span.file;
    let mut read: BTreeSet<usize> = BTreeSet::new();
    let mut concepts: BTreeSet<usize> = BTreeSet::new();
    for r in &rs.rules {
        read.extend(r.reads.iter().map(|f| f.index()));
        concepts_in(rs, &r.condition, &mut concepts);
    }
    let mut out = Vec::new();
    for (i, f) in rs.facts.iter().enumerate() {
        if f.span.file == own_file && !read.contains(&i) {
            out.push(
                Problem::warning(
                    Code::UnusedFact,
                    f.span,
                    format!("geen regel leest feit `{}`", f.name),
                )
                .label("ongebruikt feit")
                .help("schrap het feit, of gebruik het in een regel; een regelset die hierop voortbouwt kan het ook gebruiken"),
            );
        }
    }
    for (i, c) in rs.concepts.iter().enumerate() {
        if c.span.file == own_file && !concepts.contains(&i) {
            out.push(
                Problem::warning(
                    Code::UnusedConcept,
                    c.span,
                    format!("geen regel gebruikt begrip `{}`", c.name),
                )
                .label("ongebruikt begrip")
                .help("schrap het begrip, of gebruik het in een regel"),
            );
        }
    }
    out
}

fn concepts_in(rs: &RuleSet, e: &Expr, out: &mut BTreeSet<usize>) {
    if let Expr::Concept(ConceptId(c)) = e {
        if out.insert(*c as usize) {
            if let Some(concept) = rs.concepts.get(*c as usize) {
                concepts_in(rs, &concept.expr, out);
            }
        }
    }
    for child in e.children() {
        concepts_in(rs, child, out);
    }
}
