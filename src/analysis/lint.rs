//! Lints that need the whole space of cases, judged from one set of observations
//! (`observe.rs`): rules that never apply, rules always overridden, possible conflicts,
//! the grey area, and whether the analysis is exact; and, without exploring, facts and
//! concepts no rule uses. Each finding carries the rules involved and a case that shows
//! it under `eval`. One small function per kind of finding.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::observe::{observe, Observations, LINT_BUDGET};
use crate::diagnostic::{Code, Finding, Problem};
use crate::ruleset::{ConceptId, Expr, Rule, RuleSet};

/// How many grey-area regions are listed one by one.
const MAX_REGIONS: usize = 12;
/// How many conflicting pairs are listed one by one.
const MAX_CONFLICTS: usize = 20;

/// All findings of the analysis for `rs`, as warnings.
pub fn lint(rs: &RuleSet, today: Date) -> Vec<Finding> {
    let o = observe(rs, today);
    let mut findings = unused_facts(rs);
    findings.extend(unused_concepts(rs));
    // Findings about single rules come in the order of the rules.
    let mut per_rule = never_applies(rs, &o);
    per_rule.extend(always_overridden(rs, &o));
    per_rule.sort_by_key(|f| f.problem.span.map(|s| (s.file, s.start)));
    findings.extend(per_rule);
    findings.extend(possible_conflicts(rs, &o));
    findings.extend(reaches_fallback(rs, &o));
    findings.extend(approximate(rs, &o));
    findings
}

/// Grey areas that the checked file made by changing its base: a finding whose example
/// the `base` (the rule set before this file) decides with a rule that this file removed
/// (`schrap regel`) or replaced (`vervang regel`) points at that line, which caused it,
/// instead of at the base's `anders`.
pub fn blame_overrides(findings: &mut [Finding], rs: &RuleSet, base: &RuleSet) {
    let own_file = rs.name_span().file;
    // Each change of the base: the rule's name, the line that made it, and what to say.
    let removed = rs
        .removed()
        .iter()
        .filter(|(_, s)| s.file == own_file)
        .map(|(name, at)| {
            (
                name.as_str(),
                *at,
                format!("door `schrap regel {name}`: de basis besliste dit met die regel"),
                format!("is dit de bedoeling? Zo niet, schrijf in dit bestand een regel voor deze gevallen (of een `vervang regel {name}` in plaats van `schrap`)"),
            )
        });
    let replaced = rs
        .rules()
        .iter()
        .filter(|r| r.own && base.rule_id(&r.name).is_some())
        .map(|r| {
            (
                r.name.as_str(),
                r.name_span,
                format!("door `vervang regel {}`: de basis besliste dit met de regel zoals die daar staat", r.name),
                "is dit de bedoeling? Zo niet, laat de vervangende regel ook deze gevallen dekken, of schrijf er een regel voor".to_string(),
            )
        });
    let changed: Vec<_> = removed.chain(replaced).collect();
    if changed.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        if f.problem.code != Code::ReachesFallback {
            continue;
        }
        let Some(example) = &f.example else { continue };
        let Ok(case) = crate::case::case_from_json(example.clone(), crate::source::FileId(0), base)
        else {
            continue;
        };
        let Some(date) = case.reference_date else {
            continue;
        };
        let Ok(d) = crate::eval::evaluate(base, &case, date) else {
            continue;
        };
        let by = d.decided_by.iter().find_map(|r| {
            changed
                .iter()
                .find(|(name, _, _, _)| *name == base.rule_name(*r))
        });
        let Some((_, at, because, help)) = by else {
            continue;
        };
        let p = &mut f.problem;
        if let Some(fallback) = p.span.take() {
            p.others
                .push((fallback, "de `anders` die dan geldt".to_string()));
        }
        p.span = Some(*at);
        p.label = p.label.replacen("dan geldt", "hierdoor geldt", 1);
        p.message = format!("{} — {because}", p.message);
        p.help = Some(help.clone());
    }
}

/// Whether a claim that something never happens can be trusted: every case was seen.
fn exhaustive(o: &Observations<'_>) -> bool {
    o.complete && o.space.exact()
}

/// The rules of the checked file (findings about a base's rules belong to the base's
/// own `check`), with what was seen of each.
fn own_rules<'r>(
    rs: &'r RuleSet,
    o: &'r Observations<'_>,
) -> impl Iterator<Item = (&'r Rule, &'r super::observe::RuleSeen)> {
    rs.rules().iter().zip(&o.rules).filter(|(r, _)| r.own)
}

fn never_applies(rs: &RuleSet, o: &Observations<'_>) -> Vec<Finding> {
    if !exhaustive(o) {
        return Vec::new();
    }
    own_rules(rs, o)
        .filter(|(rule, seen)| {
            seen.true_example.is_none() && o.dates.iter().any(|d| rule.period.contains(*d))
        })
        .map(|(rule, _)| {
            Finding::new(
                Problem::warning(
                    Code::NeverApplies,
                    rule.name_span,
                    format!("regel `{}` is op geen enkel geval van toepassing", rule.name),
                )
                .label("aan deze voorwaarde voldoet geen enkel geval")
                .help("controleer de voorwaarde: spreken twee delen elkaar tegen, of valt een grens buiten de `tussen` van een feit?"),
            )
            .rules(vec![rule.name.clone()])
        })
        .collect()
}

fn always_overridden(rs: &RuleSet, o: &Observations<'_>) -> Vec<Finding> {
    if !exhaustive(o) {
        return Vec::new();
    }
    own_rules(rs, o)
        .filter_map(|(rule, seen)| {
            let (example, by) = seen.overridden.as_ref()?;
            if seen.true_example.is_none() || seen.applies {
                return None;
            }
            let by: Vec<String> = by.iter().map(|r| rs.rule_name(*r).to_string()).collect();
            let mut names = vec![rule.name.clone()];
            names.extend(by.iter().cloned());
            Some(
                Finding::new(
                    Problem::warning(
                        Code::AlwaysOverridden,
                        rule.name_span,
                        format!(
                            "regel `{}` geldt nooit: steeds als de voorwaarde waar is, zet een uitzondering hem opzij",
                            rule.name
                        ),
                    )
                    .label(format!("opzij gezet door {}", quoted(&by)))
                    .help("schrap de regel, of beperk de uitzondering zodat de regel een eigen geval houdt"),
                )
                .rules(names)
                .example(example.clone()),
            )
        })
        .collect()
}

fn possible_conflicts(rs: &RuleSet, o: &Observations<'_>) -> Vec<Finding> {
    let mut pairs: Vec<_> = o
        .conflicts
        .iter()
        .filter(|(a, b, _)| rs.rule(*a).own || rs.rule(*b).own)
        .collect();
    pairs.sort_by_key(|(a, b, _)| (a.index().min(b.index()), a.index().max(b.index())));
    let more = pairs.len().saturating_sub(MAX_CONFLICTS);
    let mut findings: Vec<Finding> = pairs
        .into_iter()
        .take(MAX_CONFLICTS)
        .map(|(a, b, example)| {
            let (ra, rb) = (rs.rule(*a), rs.rule(*b));
            let (first, second) = if rb.own && !ra.own { (rb, ra) } else { (ra, rb) };
            let words = |r: &Rule| rs.outcome_words(&r.outcome);
            Finding::new(
                Problem::warning(
                    Code::PossibleConflict,
                    first.name_span,
                    format!(
                        "regels `{}` en `{}` kunnen samen gelden met verschillende uitkomsten",
                        first.name, second.name
                    ),
                )
                .label(format!("geeft {}", words(first)))
                .also(second.name_span, format!("geeft {}", words(second)))
                .help(format!(
                    "maak van de ene regel een uitzondering op de andere (`uitzondering op {}`), of maak de voorwaarden uitsluitend; nu geldt `bij conflict`",
                    second.name
                )),
            )
            .rules(vec![first.name.clone(), second.name.clone()])
            .example(example.clone())
        })
        .collect();
    if more > 0 {
        findings.push(Finding::new(
            Problem::warning(
                Code::PossibleConflict,
                rs.name_span(),
                format!("en nog {more} paren regels die samen kunnen gelden met verschillende uitkomsten"),
            )
            .label("niet alle mogelijke conflicten zijn hierboven genoemd")
            .help("los eerst de genoemde conflicten op en draai `check` opnieuw"),
        ));
    }
    findings
}

/// The grey area of the law, and of a further decision without its own `anders` (with
/// one, that `anders` is the route the decision takes unless a rule says otherwise).
fn reaches_fallback(rs: &RuleSet, o: &Observations<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, def) in rs.decisions().iter().enumerate() {
        let id = crate::ruleset::DecisionId::from_index(id);
        if id != crate::ruleset::LAW && def.fallback.is_declared() {
            continue;
        }
        let mine: Vec<&(crate::ruleset::DecisionId, String, serde_json::Value)> =
            o.grey.iter().filter(|(d, _, _)| *d == id).collect();
        let total = mine.len();
        let which = if id == crate::ruleset::LAW {
            String::new()
        } else {
            format!(" van beslissing `{}`", def.name)
        };
        for (i, (_, when, example)) in mine.into_iter().enumerate().take(MAX_REGIONS) {
            let more = if i + 1 == MAX_REGIONS && total > MAX_REGIONS {
                format!(" (en nog {} gebieden)", total - MAX_REGIONS)
            } else {
                String::new()
            };
            out.push(
                Finding::new(
                    Problem::warning(
                        Code::ReachesFallback,
                        rs.fallback_span_of(id),
                        format!("geen regel{which} geldt als {when}{more}"),
                    )
                    .label(format!(
                        "dan geldt `anders`: {}",
                        rs.outcome_words(def.fallback.outcome())
                    ))
                    .help("is dit het grijze gebied dat de werkgroep bedoelt? Zo niet, schrijf een regel voor deze gevallen"),
                )
                .example(example.clone()),
            );
        }
    }
    out
}

fn approximate(rs: &RuleSet, o: &Observations<'_>) -> Option<Finding> {
    if exhaustive(o) {
        return None;
    }
    let why = if o.complete {
        let shown: Vec<String> = o
            .space
            .approximate
            .iter()
            .take(5)
            .map(|a| format!("`{a}`"))
            .collect();
        format!(
            "deze voorwaarden rekenen met meer dan één feit: {}",
            shown.join(", ")
        )
    } else {
        format!("de regelset heeft meer dan {LINT_BUDGET} deelgebieden")
    };
    Some(Finding::new(
        Problem::warning(
            Code::ApproximateAnalysis,
            rs.name_span(),
            "de analyse van deze regelset is benaderend",
        )
        .label(why)
        .help("de gevonden voorbeelden kloppen, maar er kunnen gevallen ontbreken"),
    ))
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Facts of the checked file that no rule reads and no payer names.
fn unused_facts(rs: &RuleSet) -> Vec<Finding> {
    let own_file = rs.name_span().file;
    let read: BTreeSet<usize> = rs
        .rules()
        .iter()
        .flat_map(|r| crate::ruleset::facts_of(&r.reads))
        .chain(rs.payer_facts())
        .map(|f| f.index())
        .collect();
    rs.facts()
        .iter()
        .enumerate()
        .filter(|(i, f)| f.span.file == own_file && !read.contains(i))
        .map(|(_, f)| {
            Finding::new(
                Problem::warning(
                    Code::UnusedFact,
                    f.span,
                    format!("geen regel of betaler leest feit `{}`", f.name),
                )
                .label("ongebruikt feit")
                .help("schrap het feit, of gebruik het in een regel; een regelset die hierop voortbouwt kan het ook gebruiken"),
            )
        })
        .collect()
}

/// Concepts of the checked file that no rule uses (directly or through other concepts).
fn unused_concepts(rs: &RuleSet) -> Vec<Finding> {
    let own_file = rs.name_span().file;
    let mut used: BTreeSet<usize> = BTreeSet::new();
    for r in rs.rules() {
        concepts_in(rs, &r.condition, &mut used);
    }
    rs.concepts()
        .iter()
        .enumerate()
        .filter(|(i, c)| c.span.file == own_file && !used.contains(i))
        .map(|(_, c)| {
            Finding::new(
                Problem::warning(
                    Code::UnusedConcept,
                    c.span,
                    format!("geen regel gebruikt begrip `{}`", c.name),
                )
                .label("ongebruikt begrip")
                .help("schrap het begrip, of gebruik het in een regel"),
            )
        })
        .collect()
}

/// The concepts `e` uses, each walked once.
fn concepts_in(rs: &RuleSet, e: &Expr, out: &mut BTreeSet<usize>) {
    if let Expr::Concept(c @ ConceptId(_)) = e {
        if out.insert(c.index()) {
            concepts_in(rs, &rs.concept(*c).expr, out);
        }
    }
    for child in e.children() {
        concepts_in(rs, child, out);
    }
}
