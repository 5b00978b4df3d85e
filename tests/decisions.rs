//! Several decisions in one rule set (`beslissing`), as tables of cases: reading an
//! earlier decision and a rule three-valued, `voor` and `not_needed`, missing facts
//! across decisions, payers from the case, exception groups, and the JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use common::*;
use wiebetaalt::eval::{Decision, Status};
use wiebetaalt::ruleset::RuleSet;

const ROUTE: &str = r#"
regelset "Route"
domein onderwijs betaler "samenwerkingsverband"
domein jeugdwet betaler "gemeente"
feit zorg: ja/nee
feit gedeeld: ja/nee
feit uren: getal tussen 0 en 40
feit gemeente: keuze(a "gemeente A", b "gemeente B")
feit extern: tekst
regel jeugdhulp als zorg dan jeugdwet
regel samen uitzondering op jeugdhulp als zorg en gedeeld dan verdeel onderwijs 50%, jeugdwet 50%
regel leren als niet zorg dan onderwijs
anders onderwijs

beslissing route "Hoe betaalt de gemeente?"
  voor jeugdwet
  waarde budget "Beschikbaarheidsbudget" betaler gemeente
  waarde beschikking "Individuele beschikking" betaler extern
regel weinig_uren als uren minder dan 12 dan budget
anders beschikking
"#;

/// The status and outcome words of a further decision.
fn part(rs: &RuleSet, d: &Decision, name: &str) -> (Status, String) {
    let id = rs.decision_id(name).unwrap();
    let p = d.parts.iter().find(|p| p.decision == id).unwrap();
    let words = p
        .outcome
        .as_ref()
        .map_or("-".to_string(), |o| rs.outcome_words(o));
    (p.status, words)
}

fn names(rs: &RuleSet, facts: &[wiebetaalt::ruleset::FactId]) -> Vec<String> {
    facts.iter().map(|f| rs.fact_name(*f).to_string()).collect()
}

#[test]
fn a_route_is_decided_only_when_the_law_gives_its_domain_a_share() {
    let rs = rules(ROUTE);
    let table: &[(&str, &str, Status, &str, &[&str])] = &[
        // case, law outcome, route status, route outcome, route missing
        ("{zorg: nee}", "onderwijs", Status::NotNeeded, "-", &[]),
        (
            "{zorg: ja, gedeeld: nee, uren: 4}",
            "jeugdwet",
            Status::Decided,
            "budget",
            &[],
        ),
        (
            "{zorg: ja, gedeeld: nee, uren: 20}",
            "jeugdwet",
            Status::Fallback,
            "beschikking",
            &[],
        ),
        (
            "{zorg: ja, gedeeld: ja, uren: 4}",
            "verdeel onderwijs 50%, jeugdwet 50%",
            Status::Decided,
            "budget",
            &[],
        ),
        (
            "{zorg: ja, gedeeld: nee}",
            "jeugdwet",
            Status::Incomplete,
            "-",
            &["uren"],
        ),
        // The law is incomplete: whether the route is needed is not known yet, so it
        // waits for the law's facts (its own rules are settled already).
        (
            "{uren: 4}",
            "-",
            Status::Incomplete,
            "-",
            &["zorg", "gedeeld"],
        ),
        (
            "{}",
            "-",
            Status::Incomplete,
            "-",
            &["zorg", "gedeeld", "uren"],
        ),
    ];
    for (case, law, status, route, missing) in table {
        let d = decide(&rs, case);
        assert_eq!(outcome(&rs, &d), *law, "{case}");
        let (s, o) = part(&rs, &d, "route");
        assert_eq!((s, o.as_str()), (*status, *route), "{case}");
        let p = &d.parts[0];
        assert_eq!(names(&rs, &p.missing), *missing, "{case}");
        if *status == Status::NotNeeded {
            assert!(
                p.trace.is_empty(),
                "a route that is not needed is not evaluated"
            );
            assert!(p.decided_by.is_empty());
        }
    }
}

#[test]
fn payers_come_from_the_route_and_from_the_case() {
    let rs = rules(ROUTE);
    let payers = |case: &str| -> (Option<Vec<(String, String)>>, Vec<String>) {
        let d = decide(&rs, case);
        let shares = d.payment.shares.as_ref().map(|s| {
            s.iter()
                .map(|p| (p.payer.clone(), p.percent.normalize().to_string()))
                .collect()
        });
        (shares, names(&rs, &d.payment.missing))
    };
    let one = |p: &str, pct: &str| vec![(p.to_string(), pct.to_string())];
    // Onderwijs: the domain's payer, no route.
    assert_eq!(
        payers("{zorg: nee}"),
        (Some(one("samenwerkingsverband", "100")), vec![])
    );
    // The budget: the gemeente of the case, by its label.
    assert_eq!(
        payers("{zorg: ja, gedeeld: nee, uren: 4, gemeente: b}"),
        (Some(one("gemeente B", "100")), vec![])
    );
    // A text fact as payer, as written.
    assert_eq!(
        payers("{zorg: ja, gedeeld: nee, uren: 20, extern: \"gemeente Utrecht\"}"),
        (Some(one("gemeente Utrecht", "100")), vec![])
    );
    // A split: each domain's share with its own payer.
    assert_eq!(
        payers("{zorg: ja, gedeeld: ja, uren: 4, gemeente: a}").0,
        Some(vec![
            ("samenwerkingsverband".to_string(), "50".to_string()),
            ("gemeente A".to_string(), "50".to_string()),
        ])
    );
    // The payer's fact is asked only when the payer depends on it.
    assert_eq!(
        payers("{zorg: ja, gedeeld: nee, uren: 4}"),
        (None, vec!["gemeente".to_string()])
    );
    assert_eq!(
        payers("{zorg: ja, gedeeld: nee, uren: 20}"),
        (None, vec!["extern".to_string()])
    );
    // While the law or the route is incomplete, nobody is named yet.
    assert_eq!(payers("{zorg: ja, gedeeld: nee}"), (None, vec![]));
    assert_eq!(payers("{}"), (None, vec![]));
}

const READS: &str = r#"
regelset "Lezen"
domein onderwijs
domein jeugdwet
domein wlz
feit p: ja/nee
feit q: ja/nee
feit r: ja/nee
regel eerst als p dan jeugdwet
regel zorg uitzondering op eerst als q dan wlz
regel anders_onderwijs als niet p dan onderwijs
anders onderwijs

beslissing route
  waarde x
  waarde y
regel is_jeugdwet als wet is jeugdwet en r dan x
regel bevat_niet als wet is niet jeugdwet dan y
regel toegepast als regel zorg geldt dan y
anders x
bij conflict y
"#;

#[test]
fn reading_an_earlier_decision_and_rule_is_three_valued() {
    let rs = rules(READS);
    let table: &[(&str, &str, Status, &str, &[&str])] = &[
        // case, law, route status, route outcome, route missing
        (
            "{p: ja, q: nee, r: ja}",
            "jeugdwet",
            Status::Decided,
            "x",
            &[],
        ),
        (
            "{p: ja, q: nee, r: nee}",
            "jeugdwet",
            Status::Fallback,
            "x",
            &[],
        ),
        ("{p: ja, q: ja}", "wlz", Status::Decided, "y", &[]),
        ("{p: nee, q: nee}", "onderwijs", Status::Decided, "y", &[]),
        // The law waits for q: the route's missing facts start with the law's.
        ("{p: ja, r: ja}", "-", Status::Incomplete, "-", &["q"]),
        // Everything unknown: the law's missing facts, then the route's own.
        ("{}", "-", Status::Incomplete, "-", &["p", "q", "r"]),
    ];
    for (case, law, status, route, missing) in table {
        let d = decide(&rs, case);
        assert_eq!(outcome(&rs, &d), *law, "{case}");
        let (s, o) = part(&rs, &d, "route");
        assert_eq!((s, o.as_str()), (*status, *route), "{case}");
        assert_eq!(names(&rs, &d.parts[0].missing), *missing, "{case}");
    }
}

#[test]
fn filling_every_missing_fact_ends_incompleteness_in_every_decision() {
    let rs = rules(READS);
    let values = ["p: ja", "q: nee", "r: ja"];
    for mask in 0..8u32 {
        let given: Vec<&str> = values
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, v)| *v)
            .collect();
        let case = format!("{{{}}}", given.join(", "));
        let d = decide(&rs, &case);
        for view in d.views().filter(|v| v.status == Status::Incomplete) {
            let mut more = given.clone();
            for f in view.missing {
                let name = rs.fact_name(*f);
                more.push(values.iter().find(|v| v.starts_with(name)).unwrap());
            }
            let filled = decide(&rs, &format!("{{{}}}", more.join(", ")));
            let again = filled
                .views()
                .find(|v| v.decision == view.decision)
                .unwrap();
            assert_ne!(again.status, Status::Incomplete, "{case} + missing");
        }
    }
}

#[test]
fn deciding_without_the_trace_decides_every_decision_alike() {
    use wiebetaalt::eval::{decide as quick, Scratch};
    for text in [ROUTE, READS] {
        let rs = rules(text);
        let mut scratch = Scratch::new();
        for case in [
            "{}",
            "{zorg: ja, uren: 3}",
            "{p: ja, r: ja}",
            "{p: nee, q: ja}",
        ] {
            let Ok(c) = std::panic::catch_unwind(|| common::case(&rs, case)) else {
                continue;
            };
            let full = wiebetaalt::eval::evaluate(&rs, &c, date(DATE)).unwrap();
            let verdict = quick(&rs, &mut scratch, &c, date(DATE)).unwrap();
            let d = scratch.decision(&rs, verdict, &c);
            assert_eq!((d.status, &d.outcome), (full.status, &full.outcome));
            assert_eq!(d.payment, full.payment);
            for (a, b) in d.parts.iter().zip(&full.parts) {
                assert_eq!(
                    (a.status, &a.outcome, &a.decided_by, &a.missing),
                    (b.status, &b.outcome, &b.decided_by, &b.missing)
                );
            }
        }
    }
}

#[test]
fn exceptions_to_a_group_and_to_rules_with_an_outcome() {
    let rs = rules(
        r#"regelset "Groepen"
domein onderwijs
domein jeugdwet
feit p: ja/nee
feit q: ja/nee
regel a als p dan jeugdwet
  groep zorg
regel b als p dan onderwijs
  groep zorg
regel c als p dan jeugdwet
regel voor_groep uitzondering op groep zorg als q dan onderwijs
regel voor_jeugdwet uitzondering op regels met jeugdwet als q dan onderwijs
anders onderwijs
"#,
    );
    let exceptions = |name: &str| -> Vec<String> {
        let id = rs.rule_id(name).unwrap();
        rs.rule(id)
            .exception_of
            .iter()
            .map(|r| rs.rule_name(*r).to_string())
            .collect()
    };
    assert_eq!(exceptions("voor_groep"), ["a", "b"]);
    assert_eq!(exceptions("voor_jeugdwet"), ["a", "c"]);
    let d = decide(&rs, "{p: ja, q: ja}");
    assert_eq!(
        results(&rs, &d),
        "a=overridden b=overridden c=overridden voor_groep=applies voor_jeugdwet=applies"
    );
    assert_eq!(d.status, Status::Decided);
}

#[test]
fn a_file_with_only_the_law_has_exactly_the_json_of_the_spec() {
    let rs = rules(&spec_example());
    let json = json(
        &rs,
        "{doel: leren, plaats: school, onder_schooltijd: ja, kenmerken: [eed]}",
    );
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "status",
            "outcome",
            "decided_by",
            "missing",
            "trace",
            "ruleset",
            "reference_date",
            "case",
            "engine"
        ]
    );
}

#[test]
fn further_decisions_and_the_payment_are_additive_keys() {
    let rs = rules(ROUTE);
    let json = json(&rs, "{zorg: ja, gedeeld: nee, uren: 4, gemeente: a}");
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "status",
            "outcome",
            "payment",
            "decided_by",
            "missing",
            "trace",
            "decisions",
            "ruleset",
            "reference_date",
            "case",
            "engine"
        ]
    );
    assert_eq!(json["decisions"]["route"]["status"], "decided");
    assert_eq!(json["decisions"]["route"]["outcome"]["budget"], 100);
    assert_eq!(json["payment"]["payers"][0]["payer"], "gemeente A");
    assert_eq!(json["payment"]["payers"][0]["via"], "budget");
    let not_needed = json_of(&rs, "{zorg: nee}");
    assert_eq!(not_needed["decisions"]["route"]["status"], "not_needed");
    assert!(not_needed["decisions"]["route"]["outcome"].is_null());
}

fn json_of(rs: &RuleSet, case: &str) -> serde_json::Value {
    json(rs, case)
}

#[test]
fn decisions_that_read_each_other_are_refused() {
    let out = diagnostics(&[(
        "test.regels",
        r#"regelset "X"
domein onderwijs
domein jeugdwet
feit p: ja/nee
beslissing route
  waarde x
  waarde y
regel w als route is x dan jeugdwet
regel v als wet is jeugdwet en p dan x
anders onderwijs
anders y
"#,
    )]);
    assert!(out.contains("decision-cycle"), "{out}");
    assert!(out.contains("wet → route → wet"), "{out}");
}

#[test]
fn a_value_belongs_to_one_decision() {
    let out = diagnostics(&[(
        "test.regels",
        r#"regelset "X"
domein onderwijs
domein jeugdwet
feit p: ja/nee
beslissing route
  waarde x
  waarde onderwijs
regel a als p dan verdeel onderwijs 50%, x 50%
anders onderwijs
"#,
    )]);
    assert!(
        out.contains("er is al een domein of waarde met de naam `onderwijs`"),
        "{out}"
    );
    assert!(out.contains("waarde van een andere beslissing"), "{out}");
}

/// `vervolg` says what to do next: the route value's when a decision routes the share,
/// else the domain's; a `toelichting` indented under a `waarde` is refused, since it
/// would silently become the whole decision's.
#[test]
fn what_to_do_next_comes_from_what_pays() {
    let rs = rules(
        r#"
regelset "Vervolg"
domein onderwijs betaler "school"
  vervolg "Vraag de school."
domein jeugdwet betaler "gemeente"
  vervolg "Vraag het wijkteam."
feit zorg: ja/nee
feit uren: getal tussen 0 en 40
regel jeugdhulp als zorg dan jeugdwet
anders onderwijs
beslissing route
  voor jeugdwet
  waarde budget betaler "de regio"
    vervolg "Niets aanvragen."
  waarde beschikking betaler "gemeente"
regel weinig als uren minder dan 12 dan budget
anders beschikking
"#,
    );
    let steps = |case: &str| wiebetaalt::report::next_steps(&rs, &decide(&rs, case));
    assert_eq!(steps("{zorg: nee}"), ["Vraag de school."]);
    assert_eq!(steps("{zorg: ja, uren: 4}"), ["Niets aanvragen."]);
    assert_eq!(steps("{zorg: ja, uren: 20}"), ["Vraag het wijkteam."]);
    assert!(steps("{}").is_empty());
    // The payer of the route comes from the case and is not known yet: the route is
    // decided, so its next step stands, not the law's.
    let from_case = rules(
        r#"
regelset "Vervolg"
domein jeugdwet betaler "gemeente"
  vervolg "Vraag het wijkteam."
domein onderwijs
feit zorg: ja/nee
feit woongemeente: tekst
regel jeugdhulp als zorg dan jeugdwet
anders onderwijs
beslissing route
  voor jeugdwet
  waarde arrangement betaler woongemeente
    vervolg "Niets aanvragen: het arrangement."
  waarde beschikking betaler "gemeente"
regel altijd als zorg dan arrangement
anders beschikking
"#,
    );
    let steps = |case: &str| wiebetaalt::report::next_steps(&from_case, &decide(&from_case, case));
    assert_eq!(steps("{zorg: ja}"), ["Niets aanvragen: het arrangement."]);
    assert_eq!(
        steps("{zorg: ja, woongemeente: Wijchen}"),
        ["Niets aanvragen: het arrangement."]
    );
    let out = diagnostics(&[(
        "x.regels",
        "regelset \"X\"\ndomein a\nbeslissing r\n  waarde v\n    toelichting \"van v\"\nanders a\n",
    )]);
    assert!(out.contains("misplaced-clause"), "{out}");
    assert!(out.contains("`vervolg"), "{out}");
}
