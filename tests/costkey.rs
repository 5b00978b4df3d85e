//! The cost key (`wiebetaalt allocate`): an amount divided pro rata to weights, to the
//! cent — properties that hold for every input, and the command as users run it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use common::run;
use proptest::prelude::*;
use rust_decimal::Decimal;
use wiebetaalt::allocation::pro_rata;

/// An amount in whole cents.
fn cents(d: Decimal) -> Decimal {
    (d * Decimal::ONE_HUNDRED).trunc()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The parts add up to the amount exactly; each is within one cent of its exact
    /// share (and never below its whole cents); a zero weight gets nothing; the same
    /// input always gives the same parts; a larger weight never gets less.
    #[test]
    fn pro_rata_is_exact_fair_and_deterministic(
        amount_cents in 0i64..=100_000_000_000_000i64,
        weights in prop::collection::vec(0u32..5000, 1..40),
    ) {
        let amount = Decimal::new(amount_cents, 2);
        let names: Vec<String> = (0..weights.len()).map(|i| format!("p{i}")).collect();
        let pairs: Vec<(&str, Decimal)> = names
            .iter()
            .zip(&weights)
            .map(|(n, w)| (n.as_str(), Decimal::from(*w)))
            .collect();
        let parts = pro_rata(&pairs, amount);
        prop_assert_eq!(parts.len(), pairs.len());
        let total: Decimal = pairs.iter().map(|(_, w)| *w).sum();
        let sum: Decimal = parts.iter().map(|(_, a)| *a).sum();
        if total.is_zero() {
            prop_assert!(sum.is_zero());
            return Ok(());
        }
        prop_assert_eq!(sum, amount);
        for ((_, w), (_, a)) in pairs.iter().zip(&parts) {
            let exact = Decimal::from(amount_cents) * *w / total;
            let got = cents(*a);
            prop_assert!(got >= exact.floor() && got <= exact.floor() + Decimal::ONE, "{got} for {exact}");
            if w.is_zero() {
                prop_assert!(a.is_zero());
            }
            prop_assert_eq!(a.scale(), 2);
        }
        prop_assert_eq!(pro_rata(&pairs, amount), parts.clone());
        for (i, (_, wi)) in pairs.iter().enumerate() {
            for (j, (_, wj)) in pairs.iter().enumerate() {
                if wi > wj {
                    prop_assert!(parts[i].1 >= parts[j].1, "{i} weighs more than {j}");
                }
            }
        }
    }
}

/// Three payers with equal weights share 100 euro: one cent is left, and it goes to the
/// first (the earlier payer on a tie).
#[test]
fn the_cent_left_goes_to_the_earlier_payer_on_a_tie() {
    let parts = pro_rata(
        &[
            ("a", Decimal::ONE),
            ("b", Decimal::ONE),
            ("c", Decimal::ONE),
        ],
        Decimal::from(100),
    );
    let amounts: Vec<String> = parts.iter().map(|(_, a)| a.to_string()).collect();
    assert_eq!(amounts, ["33.34", "33.33", "33.33"]);
}

fn write(name: &str, text: &str) -> String {
    let dir = common::temp_dir("costkey");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn allocate_divides_by_a_csv_cost_key_and_says_how_it_rounded() {
    let key = write(
        "sleutel.csv",
        "betaler,gewicht\ngemeente Groningen,2150\ngemeente Eemsdelta,410\n\n\"Pekela, gemeente\",1\n",
    );
    let o = run(&["allocate", "1000", "--weights", &key], None);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("€ 1.000,00 over 3 betalers"), "{out}");
    assert!(out.contains("gemeente Groningen"), "{out}");
    assert!(out.contains("Pekela, gemeente"), "{out}");
    assert!(out.contains("totaal"), "{out}");
    assert!(out.contains("Afgerond op centen"), "{out}");
    let o = run(
        &["allocate", "1000", "--weights", &key, "--format", "json"],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let amounts: Vec<f64> = json["payers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["amount"].as_f64().unwrap())
        .collect();
    assert_eq!(amounts, [839.52, 160.09, 0.39]);
    assert_eq!(json["total_weight"], 2561);
}

#[test]
fn allocate_counts_decisions_per_gemeente_with_their_labels() {
    let cases = write(
        "casussen.jsonl",
        concat!(
            r#"{"id": "1", "peildatum": "2025-09-01", "soort": "persoonlijke_verzorging", "woongemeente": "wijchen"}"#,
            "\n",
            r#"{"id": "2", "peildatum": "2025-09-01", "soort": "persoonlijke_verzorging", "woongemeente": "wijchen"}"#,
            "\n",
            r#"{"id": "3", "peildatum": "2025-09-01", "soort": "persoonlijke_verzorging", "woongemeente": "cuijk"}"#,
            "\n",
            r#"{"id": "4", "peildatum": "2025-09-01", "soort": "persoonlijke_verzorging"}"#,
            "\n",
            r#"{"id": "5", "peildatum": "2025-09-01", "soort": "fietsen"}"#,
            "\n",
        ),
    );
    let dir = common::temp_dir("costkey-batch");
    let out = dir.join("uit.jsonl");
    let b = run(
        &[
            "batch",
            "--rules",
            "rules/nijmegen.regels",
            &cases,
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(b.status.code(), Some(3), "one case is invalid");
    let o = run(
        &[
            "allocate",
            "300",
            "--count",
            "woongemeente",
            "--decisions",
            out.to_str().unwrap(),
            "--rules",
            "rules/nijmegen.regels",
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("gemeente Wijchen"), "{text}");
    assert!(text.contains("€ 200,00"), "{text}");
    assert!(text.contains("gemeente Cuijk"), "{text}");
    assert!(text.contains("€ 100,00"), "{text}");
    assert!(
        text.contains("Niet meegeteld: 1 beslissing zonder dit feit (regel 4)"),
        "{text}"
    );
    assert!(
        text.contains("Niet meegeteld: 1 foutregel van ongeldige casussen (regel 5)"),
        "{text}"
    );
}

/// Each kind of bad cost key gets its own Dutch problem at its line, and nothing is
/// printed on standard output.
#[test]
fn a_bad_cost_key_names_every_line_and_prints_nothing() {
    let table: &[(&str, &str)] = &[
        ("betaler,gewicht\na,1\na,2\n", "`a` staat twee keer"),
        ("betaler,gewicht\na,-1\n", "geen getal van 0 of meer"),
        ("betaler,gewicht\na,veel\n", "`veel`, geen getal"),
        ("betaler,gewicht\n,3\n", "noemt geen betaler"),
        ("betaler,gewicht\na,1,2\n", "3 velden"),
        ("naam,gewicht\na,1\n", "de kolom `naam`"),
        ("betaler\na\n", "`betaler` en `gewicht`"),
        ("", "de verdeelsleutel is leeg"),
        ("betaler,gewicht\na,0\nb,0\n", "geen gewicht groter dan 0"),
    ];
    for (text, expected) in table {
        let key = write("fout.csv", text);
        let o = run(&["allocate", "100", "--weights", &key], None);
        assert_eq!(o.status.code(), Some(1), "{text}");
        assert!(o.stdout.is_empty(), "{text}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains(expected), "{text}: {err}");
    }
    let key = write("goed.csv", "betaler,gewicht\na,1\n");
    for (amount, expected) in [
        ("-5", "negatief"),
        ("1.2.3", "geen bedrag"),
        ("10,555", "meer dan twee decimalen"),
        ("1000000000001", "groter dan 1 biljoen"),
        ("tien", "geen bedrag"),
    ] {
        let o = run(&["allocate", amount, "--weights", &key], None);
        assert_eq!(o.status.code(), Some(1), "{amount}");
        assert!(
            String::from_utf8(o.stderr).unwrap().contains(expected),
            "{amount}"
        );
    }
}
