//! One meaning for a case in every channel: the same facts written as a YAML file, a
//! JSON file, a JSON Lines row (also an API body), a CSV row and a recorded decision
//! read back for `replay` give the same case — or the same refusal, for the same key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use proptest::prelude::*;
use wiebetaalt::case::{case_from_cells, case_from_json, case_from_json_text, parse_case, Case};
use wiebetaalt::diagnostic::Errors;
use wiebetaalt::ruleset::RuleSet;
use wiebetaalt::source::FileId;

fn national() -> RuleSet {
    let mut sources = wiebetaalt::source::Sources::new();
    wiebetaalt::load::load_rules(std::path::Path::new("rules/landelijk.regels"), &mut sources)
        .unwrap()
        .0
}

/// One fact as each channel writes it: YAML, JSON, CSV cell.
#[derive(Debug, Clone)]
struct Written {
    key: String,
    yaml: String,
    json: String,
    csv: String,
}

fn fact_value() -> impl Strategy<Value = Written> {
    let w = |key: &str, yaml: &str, json: &str, csv: &str| Written {
        key: key.to_string(),
        yaml: yaml.to_string(),
        json: json.to_string(),
        csv: csv.to_string(),
    };
    prop_oneof![
        // Numbers, written exactly, with a decimal point or comma, or wrongly.
        prop::sample::select(vec![
            "0",
            "9",
            "17",
            "17.999999999999999999",
            "18",
            "6.5",
            "31",
            "-1"
        ])
        .prop_map(move |n| w("leeftijd", n, n, n)),
        Just(w("leeftijd", "\"6,5\"", "\"6,5\"", "6,5")),
        Just(w("leeftijd", "\"2.500\"", "\"2.500\"", "2.500")),
        Just(w("leeftijd", "\"tien\"", "\"tien\"", "tien")),
        prop::sample::select(vec!["0", "6", "6.5", "14", "500"]).prop_map(move |n| w(
            "afstand_km",
            n,
            n,
            n
        )),
        // Yes/no.
        prop::sample::select(vec![
            ("true", "true", "true"),
            ("false", "false", "false"),
            ("ja", "\"ja\"", "ja"),
            ("nee", "\"nee\"", "nee"),
            ("misschien", "\"misschien\"", "misschien")
        ])
        .prop_map(move |(y, j, c)| w("wlz_indicatie", y, j, c)),
        prop::sample::select(vec!["true", "false"]).prop_map(move |b| w(
            "ook_buiten_school_nodig",
            b,
            b,
            b
        )),
        prop::sample::select(vec!["true", "false"]).prop_map(move |b| w(
            "onder_schooltijd",
            b,
            b,
            b
        )),
        // Choices, and one that is not a value.
        prop::sample::select(vec![
            "verpleging",
            "begeleiding",
            "behandeling",
            "vervoer",
            "verplegin"
        ])
        .prop_map(move |v| w("soort", v, &format!("\"{v}\""), v)),
        prop::sample::select(vec!["onderwijsprogramma", "ontwikkeling"]).prop_map(move |v| w(
            "gericht_op",
            v,
            &format!("\"{v}\""),
            v
        )),
        // Lists.
        prop::sample::select(vec![
            ("[]", "[]", "[]"),
            ("[eed]", "[\"eed\"]", "eed"),
            ("[eed, adhd]", "[\"eed\", \"adhd\"]", "eed;adhd"),
            ("[fiets]", "[\"fiets\"]", "fiets"),
        ])
        .prop_map(move |(y, j, c)| w("problematiek", y, j, c)),
        // Reserved keys.
        prop::sample::select(vec!["2025-09-01", "2026-01-15"]).prop_map(move |d| w(
            "peildatum",
            d,
            &format!("\"{d}\""),
            d
        )),
        prop::sample::select(vec!["1250.50", "0", "99.999"])
            .prop_map(move |k| w("kosten", k, k, k)),
        // A key the rule set does not know.
        Just(w("naam", "Piet", "\"Piet\"", "Piet")),
    ]
}

/// The outcome of a channel: the case, or the codes of the problems with the keys they
/// name (a refusal must be the same refusal).
fn outcome(r: Result<Case, Errors>) -> Result<Case, Vec<String>> {
    r.map_err(|e| {
        let mut codes: Vec<String> = e
            .sorted()
            .iter()
            .map(|p| {
                let key = p.message.split('`').nth(1).unwrap_or_default().to_string();
                format!("{}:{key}", p.code.as_str())
            })
            .collect();
        codes.sort();
        codes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_channel_reads_the_same_case(facts in prop::collection::vec(fact_value(), 0..8)) {
        let rs = national();
        // One value per key (a key twice is its own test).
        let mut seen = std::collections::HashSet::new();
        let facts: Vec<Written> = facts.into_iter().filter(|f| seen.insert(f.key.clone())).collect();
        let yaml: String = facts.iter().map(|f| format!("{}: {}\n", f.key, f.yaml)).collect();
        let json = format!(
            "{{{}}}",
            facts.iter().map(|f| format!("\"{}\": {}", f.key, f.json)).collect::<Vec<_>>().join(", ")
        );
        let header: Vec<&str> = facts.iter().map(|f| f.key.as_str()).collect();
        let cells: Vec<&str> = facts.iter().map(|f| f.csv.as_str()).collect();
        let file = FileId(0);
        let from_yaml = outcome(parse_case(&yaml, file, &rs));
        let from_json = outcome(parse_case(&json, file, &rs));
        let from_jsonl = outcome(case_from_json_text(&json, file, &rs));
        let from_csv = outcome(case_from_cells(&header, &cells, file, &rs));
        prop_assert_eq!(&from_yaml, &from_json, "yaml {} json {}", yaml, json);
        prop_assert_eq!(&from_json, &from_jsonl);
        prop_assert_eq!(&from_json, &from_csv, "csv {:?}", cells);
        // A recorded decision replays with exactly the facts that were decided.
        if let Ok(case) = from_json {
            let date = case.reference_date.unwrap_or(common::date(common::DATE));
            if let Ok(d) = wiebetaalt::eval::evaluate(&rs, &case, date) {
                let recorded = wiebetaalt::report::json::decision(&rs, &case, &d);
                let text = serde_json::to_string(&recorded).unwrap();
                let back: serde_json::Value = serde_json::from_str(&text).unwrap();
                let mut input = back["case"]["facts"].as_object().unwrap().clone();
                for key in ["id", "kosten"] {
                    if let Some(v) = back["case"].get(key).filter(|v| !v.is_null()) {
                        input.insert(key.to_string(), v.clone());
                    }
                }
                let again = case_from_json(serde_json::Value::Object(input), file, &rs).unwrap();
                prop_assert_eq!(again.values, case.values);
                prop_assert_eq!(again.costs, case.costs);
            }
        }
    }
}

/// A key written twice is refused in every channel that can write it twice, at the
/// second.
#[test]
fn a_key_twice_is_refused_everywhere() {
    let rs = national();
    let file = FileId(0);
    let yaml = "wlz_indicatie: true\nsoort: verpleging\nwlz_indicatie: false\n";
    let json = r#"{"wlz_indicatie": true, "soort": "verpleging", "wlz_indicatie": false}"#;
    for r in [
        parse_case(yaml, file, &rs),
        parse_case(json, file, &rs),
        case_from_json_text(json, file, &rs),
    ] {
        let e = r.unwrap_err().sorted();
        assert_eq!(e[0].code.as_str(), "duplicate-name", "{:?}", e[0]);
        assert!(e[0].message.contains("`wlz_indicatie` staat twee keer"));
    }
}

/// A name typed with a combining accent is the same name as with the accented letter:
/// in a case key, in a value, and in a rule file (where the two spellings declared side
/// by side are a duplicate).
#[test]
fn unicode_names_are_one_name() {
    let composed = "geïndiceerd";
    let decomposed = "gei\u{308}ndiceerd";
    assert_ne!(composed, decomposed);
    let text = format!(
        "regelset \"U\"\ndomein a\ndomein b\nfeit {composed}: ja/nee\nfeit soort: keuze(café, thuis)\nregel r als {decomposed} dan a\nanders b\n"
    );
    let rs = common::rules(&text);
    let file = FileId(0);
    let case = parse_case(
        &format!("{decomposed}: true\nsoort: cafe\u{301}\n"),
        file,
        &rs,
    )
    .unwrap();
    let d = wiebetaalt::eval::evaluate(&rs, &case, common::date(common::DATE)).unwrap();
    assert_eq!(common::outcome(&rs, &d), "a");
    let twice = format!(
        "regelset \"U\"\ndomein a\nfeit {composed}: ja/nee\nfeit {decomposed}: ja/nee\nanders a\n"
    );
    let out = common::diagnostics(&[("x.regels", &twice)]);
    assert!(
        out.contains("duplicate-name") || out.contains("al een"),
        "{out}"
    );
}

/// A byte-order mark at the start is accepted in every channel.
#[test]
fn a_byte_order_mark_is_accepted_everywhere() {
    let rs = national();
    let file = FileId(0);
    let a = parse_case("\u{feff}soort: verpleging\n", file, &rs).unwrap();
    let b = parse_case("\u{feff}{\"soort\": \"verpleging\"}", file, &rs).unwrap();
    let c = case_from_json_text("\u{feff}{\"soort\": \"verpleging\"}", file, &rs).unwrap();
    assert_eq!(a.values, b.values);
    assert_eq!(b.values, c.values);
}

/// A case of tens of thousands of keys the rule set does not know is refused in time
/// linear in its size, in every way it can be written: 20 problems are reported, and
/// one more names how many were left out and where the first of those is. (Each
/// problem used to cost a pass over the text: a minute for 60,000 keys.)
#[test]
fn many_wrong_keys_are_refused_in_linear_time_with_a_count() {
    let rs = national();
    let file = FileId(0);
    let n = 60_000;
    let keys: Vec<String> = (0..n).map(|i| format!("onbekend_{i}")).collect();
    let one_line = format!(
        "{{{}}}",
        keys.iter()
            .map(|k| format!("\"{k}\": true"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let lines = format!(
        "{{\n{}\n}}\n",
        keys.iter()
            .map(|k| format!("  \"{k}\": true"))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let block: String = keys.iter().map(|k| format!("{k}: ja\n")).collect();
    let flow = format!(
        "{{{}}}\n",
        keys.iter()
            .map(|k| format!("{k}: ja"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let cells = vec!["ja"; n];
    let start = std::time::Instant::now();
    let refusals = [
        parse_case(&one_line, file, &rs),
        parse_case(&lines, file, &rs),
        parse_case(&block, file, &rs),
        parse_case(&flow, file, &rs),
        case_from_json_text(&one_line, file, &rs),
        case_from_cells(&keys, &cells, file, &rs),
    ];
    // Generous: linear takes a fraction of a second, quadratic took minutes.
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    for r in refusals {
        let problems = r.unwrap_err().sorted();
        assert_eq!(problems.len(), 21);
        assert!(problems.iter().all(|p| p.code.as_str() == "unknown-fact"));
        let more: Vec<_> = problems
            .iter()
            .filter(|p| p.message.starts_with("en nog"))
            .collect();
        assert_eq!(more.len(), 1, "{problems:?}");
        let last = more[0];
        assert_eq!(
            last.message,
            "en nog 59.980 problemen in deze casus, de eerste hier: de regelset kent geen feit `onbekend_20`"
        );
        assert!(last
            .help
            .as_deref()
            .unwrap()
            .contains("eerste 20 problemen"));
    }
}

/// A problem far into a long line (a JSON case written on one line, a rule file with a
/// line of 70,000 characters) is shown as an excerpt around its place, with its
/// column in characters, instead of stopping the program.
#[test]
fn a_problem_far_into_a_long_line_is_shown_as_an_excerpt() {
    let rs = national();
    let mut sources = wiebetaalt::source::Sources::new();
    let text = format!("{{\"id\": \"{}\", \"onbekend\": true}}", "é".repeat(70_000));
    let file = sources.add("lang.json", text.as_str());
    let problems = parse_case(&text, file, &rs).unwrap_err().sorted();
    let out = wiebetaalt::diagnostic::render(problems, &sources, false, 100);
    assert!(out.contains("[lang.json:1:70013]"), "{out}");
    assert!(out.contains("\"onbekend\": true}"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");

    let rule_file = format!(
        "regelset \"x\"\n# {}\ndomein a\nregel r \"t\"{} als onbekend_ding dan a\n",
        "é".repeat(70_000),
        " ".repeat(70_000)
    );
    let out = common::diagnostics(&[("lang.regels", &rule_file)]);
    assert!(out.contains("[lang.regels:4:70017]"), "{out}");
    assert!(out.contains("onbekend_ding dan a"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
}

/// A written `null` is no case in any channel; an empty file (or only comments, or an
/// empty YAML document) is a case without facts.
#[test]
fn null_is_no_case_and_empty_is_an_empty_case() {
    let rs = national();
    let file = FileId(0);
    for text in ["null", "~\n", "# opmerking\nnull\n", "---\nnull\n"] {
        let e = parse_case(text, file, &rs).unwrap_err().sorted();
        assert_eq!(e[0].code.as_str(), "case-not-mapping", "{text:?}");
    }
    let e = case_from_json_text("null", file, &rs).unwrap_err().sorted();
    assert_eq!(e[0].code.as_str(), "case-not-mapping");
    for text in ["", "\n", "# alleen een opmerking\n", "---\n", "\u{feff}"] {
        let case = parse_case(text, file, &rs).unwrap();
        assert!(case.values.iter().all(Option::is_none), "{text:?}");
    }
}

/// A value or key of a megabyte is refused at once (no "bedoelde u" computed against it)
/// and repeated in the message only in part.
#[test]
fn very_long_texts_are_refused_at_once_and_not_repeated_whole() {
    let rs = national();
    let file = FileId(0);
    let long = "x".repeat(1 << 20);
    let start = std::time::Instant::now();
    for text in [
        format!(r#"{{"soort": "{long}"}}"#),
        format!(r#"{{"{long}": 1}}"#),
        format!(r#"{{"problematiek": ["{long}"]}}"#),
        format!(r#"{{"leeftijd": {}}}"#, "9".repeat(1 << 20)),
        format!(r#"{{"{long}": 1, "{long}": 2}}"#),
        format!(r#"{{"peildatum": "2025-01-01{long}"}}"#),
    ] {
        let problems = case_from_json_text(&text, file, &rs).unwrap_err().sorted();
        for p in &problems {
            assert!(p.message.len() < 1000, "{}", &p.message[..200]);
            assert!(p.help.as_ref().is_none_or(|h| h.len() < 1000));
        }
    }
    // Generous: comparing a megabyte against every value took about a second each.
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(wiebetaalt::text::excerpt("kort"), "kort");
    assert_eq!(
        wiebetaalt::text::excerpt(&"é".repeat(70)),
        format!("{}…", "é".repeat(60))
    );
}
