//! The meaning of rules (spec section 5), as tables of cases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code
#![allow(clippy::type_complexity)] // tables of cases

mod common;

use common::*;
use wiebetaalt::eval::{EvalError, Status};

const RESULTS: &str = r#"
regelset "Resultaten"
domein a
domein b
feit p: ja/nee
feit q: ja/nee
feit e: ja/nee
regel basis als p dan a
regel uitz uitzondering op basis als e dan b
regel verlopen als q dan a geldig tot 2025-01-01
anders verdeel a 50%, b 50%
"#;

#[test]
fn each_rule_gets_exactly_one_result() {
    let rs = rules(RESULTS);
    let table: &[(&str, &str, &str, &str, &[&str])] = &[
        // case, results, status, outcome, missing
        (
            "{p: ja, e: nee, q: ja}",
            "basis=applies uitz=not_applicable verlopen=not_valid",
            "decided",
            "a",
            &[],
        ),
        (
            "{p: ja, e: ja}",
            "basis=overridden uitz=applies verlopen=not_valid",
            "decided",
            "b",
            &[],
        ),
        (
            "{e: ja}",
            "basis=overridden uitz=applies verlopen=not_valid",
            "decided",
            "b",
            &[],
        ),
        (
            "{p: ja}",
            "basis=unknown uitz=unknown verlopen=not_valid",
            "incomplete",
            "-",
            &["e"],
        ),
        (
            "{p: nee}",
            "basis=not_applicable uitz=unknown verlopen=not_valid",
            "incomplete",
            "-",
            &["e"],
        ),
        (
            "{p: nee, e: nee}",
            "basis=not_applicable uitz=not_applicable verlopen=not_valid",
            "fallback",
            "verdeel a 50%, b 50%",
            &[],
        ),
        (
            "{}",
            "basis=unknown uitz=unknown verlopen=not_valid",
            "incomplete",
            "-",
            &["p", "e"],
        ),
    ];
    for (case, want_results, status, outcome_words, missing) in table {
        let d = decide(&rs, case);
        assert_eq!(results(&rs, &d), *want_results, "results for {case}");
        assert_eq!(d.status.as_str(), *status, "status for {case}");
        assert_eq!(outcome(&rs, &d), *outcome_words, "outcome for {case}");
        assert_eq!(names_of_missing(&rs, &d), *missing, "missing for {case}");
    }
}

const STATUS: &str = r#"
regelset "Status"
domein a
domein b
feit p: ja/nee
feit q: ja/nee
feit s: ja/nee
regel ra als p dan a
regel ra2 als q dan a
regel rb als s dan b
regel rsplit als p en q dan verdeel a 100%
anders b
bij conflict verdeel a 50%, b 50%
"#;

#[test]
fn status_follows_applying_and_unknown_outcomes() {
    let rs = rules(STATUS);
    let table: &[(&str, Status, &str, &[&str], &[&str])] = &[
        // case, status, outcome, decided_by, missing
        (
            "{p: ja, q: ja, s: nee}",
            Status::Decided,
            "a",
            &["ra", "ra2", "rsplit"],
            &[],
        ),
        (
            "{p: ja, q: nee, s: ja}",
            Status::Conflict,
            "verdeel a 50%, b 50%",
            &["ra", "rb"],
            &[],
        ),
        ("{p: ja, s: nee}", Status::Decided, "a", &["ra"], &[]),
        ("{p: ja, q: nee}", Status::Incomplete, "-", &[], &["s"]),
        ("{s: ja}", Status::Incomplete, "-", &[], &["p", "q"]),
        ("{p: nee, q: nee, s: nee}", Status::Fallback, "b", &[], &[]),
    ];
    for (case, status, outcome_words, by, missing) in table {
        let d = decide(&rs, case);
        assert_eq!(d.status, *status, "status for {case}");
        assert_eq!(outcome(&rs, &d), *outcome_words, "outcome for {case}");
        assert_eq!(decided_by(&rs, &d), *by, "decided_by for {case}");
        assert_eq!(names_of_missing(&rs, &d), *missing, "missing for {case}");
    }
}

#[test]
fn conflict_defaults_to_the_fallback_and_fallback_to_an_equal_split() {
    let rs = rules("regelset \"X\" domein a domein b domein c feit p: ja/nee regel r1 als p dan a regel r2 als p dan b");
    let d = decide(&rs, "{p: ja}");
    assert_eq!(d.status, Status::Conflict);
    assert_eq!(outcome(&rs, &d), "verdeel a 33.34%, b 33.33%, c 33.33%");
    let d = decide(&rs, "{p: nee}");
    assert_eq!(d.status, Status::Fallback);
    assert_eq!(outcome(&rs, &d), "verdeel a 33.34%, b 33.33%, c 33.33%");
}

#[test]
fn outcomes_are_equal_when_every_domain_gets_the_same_share() {
    let rs = rules(
        "regelset \"X\" domein a domein b feit p: ja/nee
         regel r1 als p dan verdeel a 50%, b 50%
         regel r2 als p dan verdeel b 50.0%, a 50%
         regel r3 als p dan verdeel a 100%, b 0%
         regel r4 als p dan a
         anders b",
    );
    let d = decide(&rs, "{p: ja}");
    assert_eq!(d.status, Status::Conflict, "50/50 differs from 100/0");
    assert_eq!(decided_by(&rs, &d), ["r1", "r2", "r3", "r4"]);
    let two = rules(
        "regelset \"X\" domein a domein b feit p: ja/nee
         regel r1 als p dan verdeel a 50%, b 50%
         regel r2 als p dan verdeel b 50.0%, a 50%
         anders b",
    );
    assert_eq!(decide(&two, "{p: ja}").status, Status::Decided);
    let three = rules(
        "regelset \"X\" domein a domein b feit p: ja/nee
         regel r3 als p dan verdeel a 100%, b 0%
         regel r4 als p dan a
         anders b",
    );
    assert_eq!(decide(&three, "{p: ja}").status, Status::Decided);
}

#[test]
fn exceptions_nest() {
    let rs = rules(
        "regelset \"X\" domein a domein b feit p: ja/nee
         regel A als p dan a
         regel B uitzondering op A als p dan b
         regel C uitzondering op B als p dan a
         anders b",
    );
    let d = decide(&rs, "{p: ja}");
    assert_eq!(results(&rs, &d), "A=applies B=overridden C=applies");
    assert_eq!(d.status, Status::Decided);
    assert_eq!(decided_by(&rs, &d), ["A", "C"]);
    let overridden = d
        .trace
        .iter()
        .find(|s| rs.rule_name(s.rule) == "B")
        .unwrap();
    assert_eq!(
        overridden
            .overridden_by
            .iter()
            .map(|r| rs.rule_name(*r))
            .collect::<Vec<_>>(),
        ["C"]
    );
}

#[test]
fn three_valued_logic_and_no_short_circuit() {
    let rs = rules(
        "regelset \"X\" domein a feit p: ja/nee feit q: ja/nee
         regel en_regel als p en q dan a
         regel of_regel als p of q dan a
         regel niet_regel als niet p dan a
         anders a",
    );
    let table: &[(&str, &str)] = &[
        (
            "{p: nee}",
            "en_regel=not_applicable of_regel=unknown niet_regel=applies",
        ),
        (
            "{p: ja}",
            "en_regel=unknown of_regel=applies niet_regel=not_applicable",
        ),
        (
            "{q: nee}",
            "en_regel=not_applicable of_regel=unknown niet_regel=unknown",
        ),
        (
            "{q: ja}",
            "en_regel=unknown of_regel=applies niet_regel=unknown",
        ),
        ("{}", "en_regel=unknown of_regel=unknown niet_regel=unknown"),
    ];
    for (case, want) in table {
        let d = decide(&rs, case);
        assert_eq!(results(&rs, &d), *want, "{case}");
        for step in &d.trace {
            let atoms = if rs.rule_name(step.rule) == "niet_regel" {
                1
            } else {
                2
            };
            assert_eq!(
                step.conditions.len(),
                atoms,
                "every atom is evaluated in {case}"
            );
        }
    }
}

#[test]
fn missing_facts_come_in_reading_order_through_concepts() {
    let rs = rules(
        "regelset \"X\" domein d domein e
         feit w: ja/nee feit x: ja/nee feit y: ja/nee feit z: ja/nee
         begrip c = y en x
         regel r1 als z en c dan d
         regel r2 als x en w dan e
         anders d",
    );
    let d = decide(&rs, "{}");
    assert_eq!(d.status, Status::Incomplete);
    assert_eq!(names_of_missing(&rs, &d), ["z", "y", "x", "w"]);
    let d = decide(&rs, "{x: ja}");
    assert_eq!(
        names_of_missing(&rs, &d),
        ["z", "y", "w"],
        "known facts are not missing"
    );
}

fn condition_value(expr: &str, facts: &str, case: &str) -> Option<bool> {
    let text = format!("regelset \"X\" domein a {facts} regel t als {expr} dan a\nanders a");
    let rs = rules(&text);
    let d = decide(&rs, case);
    let step = &d.trace[0];
    assert_eq!(step.conditions.len(), 1, "one atom in `{expr}`");
    step.conditions[0].value
}

#[test]
fn comparisons() {
    let facts = "feit n: getal feit m: getal feit k: keuze(x, y, z) feit l: lijst(u, v, w) feit t: tekst feit b: ja/nee";
    let table: &[(&str, &str, Option<bool>)] = &[
        ("n is 3", "{n: 3}", Some(true)),
        ("n = 3.0", "{n: 3}", Some(true)),
        ("n is niet 3", "{n: 3}", Some(false)),
        ("n != 4", "{n: 3}", Some(true)),
        ("n ≠ 3", "{n: 3}", Some(false)),
        ("n < 4", "{n: 3}", Some(true)),
        ("n <= 3", "{n: 3}", Some(true)),
        ("n ≤ 2", "{n: 3}", Some(false)),
        ("n > 3", "{n: 3}", Some(false)),
        ("n >= 3", "{n: 3}", Some(true)),
        ("n ≥ 4", "{n: 3}", Some(false)),
        ("n minder dan 4", "{n: 3}", Some(true)),
        ("n ten hoogste 3", "{n: 3}", Some(true)),
        ("n meer dan 3", "{n: 3}", Some(false)),
        ("n ten minste 3", "{n: 3}", Some(true)),
        ("n > m", "{n: 3}", None),
        ("0.1 + 0.2 = 0.3", "{}", Some(true)),
        ("n * 0.1 + 0.2 = 0.3", "{n: 1}", Some(true)),
        ("n / 100 >= 50%", "{n: 50}", Some(true)),
        ("n - m * 2 = -1", "{n: 3, m: 2}", Some(true)),
        ("(n - m) * 2 = 2", "{n: 3, m: 2}", Some(true)),
        ("-n < 0", "{n: 3}", Some(true)),
        ("n / 3 * 3 = n", "{n: 1}", Some(false)),
        ("k is x", "{k: x}", Some(true)),
        ("k is niet x", "{k: y}", Some(true)),
        ("x is k", "{k: x}", Some(true)),
        ("k in [x, y]", "{k: z}", Some(false)),
        ("k niet in [x, y]", "{k: z}", Some(true)),
        ("n in [1, 2, 3]", "{n: 2}", Some(true)),
        ("k in [x]", "{}", None),
        ("l bevat u", "{l: [u, w]}", Some(true)),
        ("l bevat v", "{l: [u, w]}", Some(false)),
        ("l bevat niet v", "{l: []}", Some(true)),
        ("l bevat u", "{}", None),
        ("t is \"hallo\"", "{t: hallo}", Some(true)),
        ("t = \"a \\\"b\\\"\"", "{t: 'a \"b\"'}", Some(true)),
        ("b", "{b: ja}", Some(true)),
        ("b is nee", "{b: false}", Some(true)),
        ("b = ja", "{}", None),
    ];
    for (expr, case, want) in table {
        assert_eq!(
            condition_value(expr, facts, case),
            *want,
            "`{expr}` with {case}"
        );
    }
}

#[test]
fn precedence_of_connectives() {
    // `niet` binds tighter than `en`, `en` tighter than `of`.
    let facts = "feit p: ja/nee feit q: ja/nee feit r: ja/nee";
    let rs = rules(&format!(
        "regelset \"X\" domein a {facts} regel t als niet p en q of r dan a\nanders a"
    ));
    let table: &[(&str, bool)] = &[
        ("{p: ja, q: ja, r: nee}", false),
        ("{p: nee, q: ja, r: nee}", true),
        ("{p: ja, q: nee, r: ja}", true),
        ("{p: nee, q: nee, r: nee}", false),
    ];
    for (case, applies) in table {
        let d = decide(&rs, case);
        assert_eq!(d.trace[0].result.as_str() == "applies", *applies, "{case}");
    }
    let rs = rules(&format!(
        "regelset \"X\" domein a {facts} regel t als niet (p en q) dan a\nanders a"
    ));
    assert_eq!(
        decide(&rs, "{p: ja, q: nee}").trace[0].result.as_str(),
        "applies"
    );
}

#[test]
fn division_by_zero_is_an_error_naming_the_rule() {
    let rs =
        rules("regelset \"X\" domein a feit n: getal regel deel als 10 / n > 1 dan a\nanders a");
    match try_decide(&rs, "{n: 0}") {
        Err(e @ EvalError::DivisionByZero { .. }) => {
            assert!(e.problem(&rs).message.contains("`deel`"));
        }
        other => panic!("expected a division error, got {other:?}"),
    }
    assert!(try_decide(&rs, "{n: 5}").is_ok());
}

#[test]
fn validity_of_rules_and_of_the_rule_set() {
    let rs = rules(
        "regelset \"X\" geldig vanaf 2025-08-01 tot 2026-08-01 domein a feit p: ja/nee
         regel oud als p dan a geldig tot 2025-09-01
         regel nieuw als p dan a geldig vanaf 2025-09-01
         anders a",
    );
    let d = decide(&rs, "{p: ja, peildatum: 2025-08-31}");
    assert_eq!(results(&rs, &d), "oud=applies nieuw=not_valid");
    assert!(
        d.trace[1].conditions.is_empty(),
        "a rule not in force is not evaluated"
    );
    let d = decide(&rs, "{p: ja, peildatum: 2025-09-01}");
    assert_eq!(results(&rs, &d), "oud=not_valid nieuw=applies");
    assert!(
        matches!(
            try_decide(&rs, "{peildatum: 2026-08-01}"),
            Err(EvalError::NotValid { .. })
        ),
        "`tot` is exclusive"
    );
    assert!(matches!(
        try_decide(&rs, "{peildatum: 2025-07-31}"),
        Err(EvalError::NotValid { .. })
    ));
}

#[test]
fn spec_example_decides_as_the_spec_says() {
    let rs = rules(&spec_example());
    let d = decide(&rs, "{doel: leren, plaats: school, onder_schooltijd: ja, kenmerken: [eed], peildatum: 2025-09-01}");
    assert_eq!(d.status, Status::Decided);
    assert_eq!(outcome(&rs, &d), "jeugdwet");
    assert_eq!(decided_by(&rs, &d), ["eed_behandeling"]);
    assert_eq!(
        results(&rs, &d),
        "leerondersteuning=overridden eed_behandeling=applies opvoeding_thuis=not_applicable hoogbegaafd_vastgelopen=not_applicable"
    );
    let d = decide(
        &rs,
        "{doel: verzorging, plaats: thuis, onder_schooltijd: nee, kenmerken: []}",
    );
    assert_eq!(d.status, Status::Fallback);
    assert_eq!(outcome(&rs, &d), "verdeel onderwijs 50%, jeugdwet 50%");
    assert!(d.decided_by.is_empty());
}
