//! Batch, cost allocation, the decision log and replay, through the binary and the
//! library: every case yields one line in input order, costs add up to the cent, the
//! log catches every tampering, replay confirms and reports changes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::io::{Cursor, Write};
use std::path::Path;

use common::{run, temp_dir};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value as Json;
use wiebetaalt::allocation::allocate;
use wiebetaalt::load::load_rules;
use wiebetaalt::log::{self, LogWriter, Wait};
use wiebetaalt::source::Sources;

const KOP: &str = "rules/kop-van-noord-holland.regels";

const JSONL: &str = r#"{"id": "a", "kosten": 1000.01, "soort": "begeleiding", "gericht_op": "ontwikkeling", "problematiek": ["hoogbegaafdheid"], "leeftijd": 10, "ook_buiten_school_nodig": true, "wlz_indicatie": false, "onder_schooltijd": true, "sociale_vaardigheidstraining": false}
{"id": "b", "kosten": 50, "soort": "begeleiding"}

{"id": "c", "leeftijd": "tien"}
geen json
{"id": "d", "naam": "Piet"}
{"id": "e", "soort": "vervoer", "afstand_km": 12, "structurele_beperking": false, "gericht_op": "onderwijsprogramma", "wlz_indicatie": false}
"#;

fn lines(out: &[u8]) -> Vec<Json> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `wiebetaalt batch --rules <Kop> ARGS...`.
fn batch(args: &[&str]) -> std::process::Output {
    run(&[&["batch", "--rules", KOP][..], args].concat(), None)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `eval --format json` of the first case of [`JSONL`].
fn first_decision(dir: &Path) -> Vec<u8> {
    let case = write(dir, "a.json", JSONL.lines().next().unwrap());
    let args = [
        "eval",
        "--format",
        "json",
        "--rules",
        KOP,
        "--peildatum",
        "2025-09-01",
    ];
    let out = run(&[&args[..], &[case.as_str()]].concat(), None);
    assert_eq!(out.status.code(), Some(0));
    out.stdout
}

#[test]
fn every_case_yields_one_line_in_input_order() {
    let dir = temp_dir("batch-order");
    let input = write(&dir, "casussen.jsonl", JSONL);
    let out = batch(&["--peildatum", "2025-09-01", &input]);
    assert_eq!(out.status.code(), Some(3), "invalid cases make exit 3");
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 6, "one line per case; the blank line is no case");
    assert_eq!(got[0]["status"], "decided");
    assert_eq!(got[0]["case"]["id"], "a");
    assert_eq!(got[1]["status"], "incomplete");
    assert_eq!(got[1]["allocation"], Json::Null);
    assert_eq!(
        got[2],
        serde_json::json!({"id": "c", "line": 4, "error": {"code": "wrong-value",
            "message": "verkeerde waarde voor `leeftijd`: `tien` is geen getal; verwacht een getal tussen 0 en 30 (schrijf een getal als `12` of `12,5`)"}})
    );
    assert_eq!(got[3]["line"], 5);
    assert_eq!(got[3]["error"]["code"], "case-syntax");
    assert_eq!(got[4]["id"], "d");
    assert_eq!(got[4]["error"]["code"], "unknown-fact");
    assert_eq!(got[5]["case"]["id"], "e");
    // The same schema as `eval --format json`, trace included.
    let single: Json = serde_json::from_slice(&first_decision(&dir)).unwrap();
    assert_eq!(got[0], single);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains(
            "6 casussen: 2 beslist, 0 grijs gebied, 0 conflict, 1 onvolledig, 3 ongeldig"
        ),
        "{summary}"
    );
    assert!(summary.contains("€ 1.050,01 in totaal"), "{summary}");
    assert!(summary.contains("€ 50,00  nog niet verdeeld"), "{summary}");
}

#[test]
fn yaml_csv_and_jsonl_give_the_same_decisions() {
    let dir = temp_dir("batch-formats");
    let jsonl = "{\"id\": \"x\", \"soort\": \"begeleiding\", \"gericht_op\": \"ontwikkeling\", \"problematiek\": [\"hoogbegaafdheid\", \"adhd\"], \"leeftijd\": 10.5, \"ook_buiten_school_nodig\": true}\n{\"id\": \"y\", \"soort\": \"vervoer\"}\n";
    let yaml = "# casussen\n- id: x\n  soort: begeleiding\n  gericht_op: ontwikkeling\n  problematiek: [hoogbegaafdheid, adhd]\n  leeftijd: 10.5\n  ook_buiten_school_nodig: ja\n- id: y\n  soort: vervoer\n";
    let csv = "id,soort,gericht_op,problematiek,leeftijd,ook_buiten_school_nodig\nx,begeleiding,ontwikkeling,hoogbegaafdheid;adhd,\"10,5\",ja\ny,vervoer,,,,\n";
    let mut outputs = Vec::new();
    for (name, text) in [("c.jsonl", jsonl), ("c.yaml", yaml), ("c.csv", csv)] {
        let input = write(&dir, name, text);
        let out = batch(&["--trace", "none", "--peildatum", "2025-09-01", &input]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = lines(&out.stdout);
        assert_eq!(got.len(), 2, "{name}");
        assert_eq!(got[0]["trace"], serde_json::json!([]), "--trace none");
        outputs.push(got);
    }
    assert_eq!(outputs[0], outputs[1], "yaml");
    assert_eq!(outputs[0], outputs[2], "csv");
}

#[test]
fn bad_input_as_a_whole_is_refused_before_any_output() {
    let dir = temp_dir("batch-refused");
    let csv = write(&dir, "c.csv", "id,sort\n1,begeleiding\n");
    let out = batch(&[&csv]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("kolom 2 van de kop: de regelset kent geen feit `sort`"),
        "{err}"
    );
    assert!(err.contains("bedoelde u `soort`?"), "{err}");
    let txt = write(&dir, "c.txt", "{}\n");
    let out = batch(&[&txt]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--input-format"));
    let flow = write(&dir, "c.yaml", "[{soort: vervoer}]\n");
    let out = batch(&[&flow]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn output_file_appears_only_when_the_batch_is_done() {
    let dir = temp_dir("batch-output");
    let input = write(&dir, "c.jsonl", "{\"soort\": \"vervoer\"}\n");
    let target = dir.join("uit.jsonl");
    let out = batch(&["-o", target.to_str().unwrap(), "--threads", "1", &input]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&target).unwrap().lines().count(), 1);
    assert!(!dir.join("uit.jsonl.deels").exists());
}

/// Case `i` of a numbered batch on the Kop: a JSON line with id `i`, one of three kinds
/// of support and an age.
fn numbered_case(i: usize) -> String {
    let soort = ["vervoer", "begeleiding", "hulpmiddel"][i % 3];
    format!(
        "{{\"id\": \"{i}\", \"soort\": \"{soort}\", \"leeftijd\": {}}}\n",
        i % 30
    )
}

#[test]
fn a_large_output_file_holds_what_standard_output_gets() {
    // Traced decisions of 1,500 cases: about 12 MB, more than `-o` hands to the disk
    // at a time (8 MiB), so the file is written in parts handed over while it grows.
    let dir = temp_dir("batch-large-output");
    let text: String = (0..1500).map(numbered_case).collect();
    let input = write(&dir, "c.jsonl", &text);
    let target = dir.join("uit.jsonl");
    let to_file = batch(&["-o", target.to_str().unwrap(), &input]);
    assert_eq!(to_file.status.code(), Some(0));
    let to_stdout = batch(&[&input]);
    assert_eq!(to_stdout.status.code(), Some(0));
    let written = std::fs::read(&target).unwrap();
    assert!(written.len() > 9 << 20, "{} bytes", written.len());
    assert!(
        written == to_stdout.stdout,
        "the file differs from standard output"
    );
}

#[test]
fn many_cases_over_many_threads_keep_their_order() {
    let dir = temp_dir("batch-many");
    let mut text = String::new();
    for i in 0..3000 {
        if i % 97 == 0 {
            text.push_str(&format!("{{\"id\": \"{i}\", \"leeftijd\": -1}}\n"));
        } else {
            text.push_str(&numbered_case(i));
        }
    }
    let input = write(&dir, "c.jsonl", &text);
    let out = batch(&["--trace", "none", "--threads", "4", &input]);
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 3000);
    for (i, line) in got.iter().enumerate() {
        let id = line
            .get("id")
            .filter(|_| line.get("error").is_some())
            .or(line.pointer("/case/id"));
        assert_eq!(id, Some(&Json::String(i.to_string())));
        assert_eq!(line.get("error").is_some(), i % 97 == 0, "line {i}");
    }
}

fn kop() -> wiebetaalt::ruleset::RuleSet {
    let mut sources = Sources::new();
    load_rules(Path::new(KOP), &mut sources).unwrap().0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// The parts add up to the costs exactly, each part is within a cent of its exact
    /// share, and the same input is divided the same way.
    #[test]
    fn allocation_adds_up_to_the_cent(cents in 0i64..1_000_000_000_000, split in 1u32..100, three in any::<bool>()) {
        let rs = kop();
        let outcome = if three {
            rs.outcome_of(&[("onderwijs", Decimal::new(3334, 2)), ("jeugdwet", Decimal::new(3333, 2)), ("zvw", Decimal::new(3333, 2))])
        } else {
            rs.outcome_of(&[("onderwijs", Decimal::from(split)), ("jeugdwet", Decimal::from(100 - split))])
        };
        let costs = Decimal::new(cents, 2);
        let shares = payers(&rs, &outcome);
        let parts = allocate(&shares, costs);
        let total: Decimal = parts.iter().map(|(_, a)| *a).sum();
        prop_assert_eq!(total, costs);
        for ((payer, amount), (domain, pct)) in parts.iter().zip(outcome.shares()) {
            prop_assert_eq!(Some(*payer), payer_of(&rs, *domain));
            let exact = costs * pct / Decimal::ONE_HUNDRED;
            prop_assert!((*amount - exact).abs() < Decimal::new(1, 2), "{amount} vs {exact}");
            prop_assert_eq!(amount.scale(), 2);
        }
        prop_assert_eq!(parts.clone(), allocate(&shares, costs));
    }
}

/// The fixed payer of a domain of the Kop.
fn payer_of(rs: &wiebetaalt::ruleset::RuleSet, d: wiebetaalt::ruleset::DomainId) -> Option<&str> {
    match &rs.domain(d).payer {
        Some(wiebetaalt::ruleset::Payer::Text(t)) => Some(t.as_str()),
        _ => None,
    }
}

/// The payers of an outcome of the Kop (fixed payers), merged, as a decision pays them.
fn payers<'r>(
    rs: &'r wiebetaalt::ruleset::RuleSet,
    outcome: &wiebetaalt::ruleset::Outcome,
) -> Vec<(&'r str, Decimal)> {
    let mut out: Vec<(&str, Decimal)> = Vec::new();
    for (d, pct) in outcome.shares() {
        let p = payer_of(rs, *d).unwrap();
        match out.iter_mut().find(|(x, _)| *x == p) {
            Some((_, total)) => *total += *pct,
            None => out.push((p, *pct)),
        }
    }
    out
}

#[test]
fn domains_with_the_same_payer_are_paid_together() {
    let rs = kop();
    let outcome = rs.outcome_of(&[("jeugdwet", Decimal::from(50)), ("wmo", Decimal::from(50))]);
    let parts = allocate(&payers(&rs, &outcome), Decimal::new(1001, 2));
    assert_eq!(parts, vec![("gemeente", Decimal::new(1001, 2))]);
}

#[test]
fn costs_must_be_whole_cents_and_not_negative() {
    for (kosten, why) in [
        ("12.3456", "meer dan twee decimalen"),
        ("12,3456", "meer dan twee decimalen"),
        ("-5", "negatief"),
        ("\"veel\"", "geen getal"),
        ("[1]", "geen bedrag"),
        // Dutch thousands separators are never read as a decimal point.
        ("12.345", "bedoelt u 12345?"),
        ("\"2.500\"", "bedoelt u 2500?"),
        ("\"1.250,50\"", "`1250,50`"),
        ("1e29", "te groot"),
    ] {
        let out = run(
            &["eval", "--rules", KOP, "-"],
            Some(&format!("kosten: {kosten}\nsoort: vervoer\n")),
        );
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(why), "{kosten}: {err}");
    }
}

/// A log of `n` records written through the library.
fn log_with(n: usize) -> Vec<u8> {
    let dir = temp_dir("log-prop");
    let path = dir.join(format!("log-{n}-{:?}.jsonl", std::thread::current().id()));
    let _ = std::fs::remove_file(&path);
    let mut log = LogWriter::open(&path).unwrap();
    for i in 0..n {
        log.append(
            &[format!("{{\"status\":\"decided\",\"i\":{i}}}").as_bytes()],
            Wait::Always,
        )
        .unwrap();
    }
    drop(log);
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    bytes
}

fn verify(bytes: &[u8]) -> Result<log::Verified, log::Break> {
    log::verify(Cursor::new(bytes), None)
}

fn records(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_log_detects_any_single_byte_change(n in 1usize..6, at in any::<prop::sample::Index>(), to in any::<u8>()) {
        let bytes = log_with(n);
        prop_assert!(verify(&bytes).is_ok());
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != to);
        let mut changed = bytes.clone();
        changed[i] = to;
        prop_assert!(verify(&changed).is_err(), "byte {} to {:?} went unnoticed", i, to as char);
    }

    #[test]
    fn the_log_detects_a_dropped_record(n in 2usize..8, drop in any::<prop::sample::Index>()) {
        let bytes = log_with(n);
        let head = log::Expect::Last(verify(&bytes).unwrap().head.hash);
        let mut recs = records(&bytes);
        let k = drop.index(recs.len());
        recs.remove(k);
        let changed = recs.concat();
        // Records cut off at the end leave a shorter chain that is whole in itself: the
        // head kept elsewhere is what catches it.
        let found = log::verify(Cursor::new(&changed), Some(&head));
        prop_assert!(found.is_err());
        if k + 1 < n {
            prop_assert_eq!(found.unwrap_err().line, k as u64 + 1);
            prop_assert!(verify(&changed).is_err());
        }
    }

    #[test]
    fn the_log_detects_swapped_records(n in 2usize..8, a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let bytes = log_with(n);
        let mut recs = records(&bytes);
        let (a, b) = (a.index(n), b.index(n));
        prop_assume!(a != b);
        recs.swap(a, b);
        let err = verify(&recs.concat()).unwrap_err();
        prop_assert_eq!(err.line, a.min(b) as u64 + 1);
    }
}

#[test]
fn a_torn_last_line_is_found_and_not_appended_to() {
    let dir = temp_dir("log-torn");
    let path = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&path);
    let bytes = log_with(3);
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let err = LogWriter::open(&path).unwrap_err();
    assert!(err.message.contains("afgebroken"), "{}", err.message);
    let out = run(&["log", "verify", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(3), "a broken chain is a finding");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":3: deze regel is afgebroken"), "{stderr}");
}

#[test]
fn concurrent_writers_take_turns_and_keep_one_chain() {
    let dir = temp_dir("log-concurrent");
    let path = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&path);
    std::thread::scope(|s| {
        for t in 0..4 {
            let path = &path;
            s.spawn(move || {
                for i in 0..25 {
                    let mut log = LogWriter::open(path).unwrap();
                    log.append(
                        &[format!("{{\"t\":{t},\"i\":{i}}}").as_bytes()],
                        Wait::Always,
                    )
                    .unwrap();
                }
            });
        }
    });
    let v = verify(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v.records, 100);
}

#[test]
fn eval_and_batch_append_to_one_log_that_verifies_and_replays() {
    let dir = temp_dir("log-cli");
    let log_path = dir.join("beslissingen.log");
    let _ = std::fs::remove_file(&log_path);
    let log_arg = log_path.to_str().unwrap();
    let input = write(&dir, "c.jsonl", JSONL);
    let out = batch(&["--peildatum", "2025-09-01", "--log", log_arg, &input]);
    assert_eq!(out.status.code(), Some(3));
    let case = write(
        &dir,
        "a.yaml",
        "soort: vervoer\nafstand_km: 3\nstructurele_beperking: nee\n",
    );
    let out = run(
        &[
            "eval",
            "--rules",
            KOP,
            "--peildatum",
            "2025-09-01",
            "--log",
            log_arg,
            &case,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("als record 4"));
    assert!(common::verified(log_arg).contains("4 records"));
    // Every logged decision replays to the same decision with the same rule set.
    let out = run(&["replay", "--rules", KOP, log_arg], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // One changed byte in the middle is found at its line.
    let mut bytes = std::fs::read(&log_path).unwrap();
    let second = bytes.iter().position(|b| *b == b'\n').unwrap() + 40;
    bytes[second] ^= 1;
    std::fs::write(&log_path, &bytes).unwrap();
    let out = run(&["log", "verify", log_arg], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("beslissingen.log:2:"));
    // Appending to a log that does not check out at its end is refused.
    let mut bytes = std::fs::read(&log_path).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 1;
    std::fs::write(&log_path, &bytes).unwrap();
    let out = run(&["eval", "--rules", KOP, "--log", log_arg, &case], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "no decision when it cannot be logged"
    );
}

#[test]
fn replay_confirms_and_reports_a_changed_rule_set() {
    let dir = temp_dir("replay");
    let decision = write(
        &dir,
        "beslissing.json",
        &String::from_utf8_lossy(&first_decision(&dir)),
    );
    let same = run(&["replay", "--rules", KOP, &decision], None);
    assert_eq!(same.status.code(), Some(0));
    let text = String::from_utf8_lossy(&same.stdout);
    assert!(text.contains("gelijk aan de vastgelegde"), "{text}");
    assert!(text.contains("spoor regel voor regel gelijk"), "{text}");
    assert!(text.contains("Regelset: dezelfde als vastgelegd"), "{text}");
    // A copy of the rule files with one split changed.
    for f in ["landelijk.regels", "foodvalley.regels"] {
        std::fs::copy(Path::new("rules").join(f), dir.join(f)).unwrap();
    }
    let kop = std::fs::read_to_string(KOP).unwrap();
    let at = kop.find("regel hoogbegaafd_vastgelopen").unwrap();
    let changed = format!(
        "{}{}",
        &kop[..at],
        kop[at..].replacen(
            "onderwijs 50%, jeugdwet 50%",
            "onderwijs 60%, jeugdwet 40%",
            1
        )
    );
    let changed_rules = write(&dir, "kop.regels", &changed);
    let other = run(
        &[
            "replay",
            "--rules",
            &changed_rules,
            "--format",
            "json",
            &decision,
        ],
        None,
    );
    assert_eq!(
        other.status.code(),
        Some(3),
        "a changed rule set is a finding"
    );
    let report: Json = serde_json::from_slice(&other.stdout).unwrap();
    assert_eq!(report["same_decision"], false);
    assert_eq!(report["same_ruleset"], false);
    let diffs = report["differences"].to_string();
    assert!(diffs.contains("outcome: vastgelegd"), "{diffs}");
    assert!(diffs.contains("allocation"), "{diffs}");
    // Only a comment changed: the same decision, but not the same rule set.
    let commented = write(&dir, "kop.regels", &format!("{kop}# opmerking\n"));
    let out = run(&["replay", "--rules", &commented, &decision], None);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("gelijk aan de vastgelegde"), "{text}");
    assert!(text.contains("Regelset: ANDERS dan vastgelegd"), "{text}");
    let junk = write(&dir, "junk.json", "{\"a\": 1}");
    let out = run(&["replay", "--rules", KOP, &junk], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("geen beslissing"));
}

#[test]
fn a_line_that_is_not_utf8_breaks_only_its_own_case() {
    let dir = temp_dir("batch-utf8");
    let mut yaml = b"- id: a\n  soort: vervoer\n  toelichting_intern: ".to_vec();
    yaml.extend_from_slice(&[0xff, 0xfe, b'\n']);
    yaml.extend_from_slice(b"- id: b\n  soort: vervoer\n");
    let path = dir.join("c.yaml");
    std::fs::write(&path, &yaml).unwrap();
    let out = batch(&["--trace", "none", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "an invalid case is a finding");
    let got = lines(&out.stdout);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["line"], 1);
    assert_eq!(got[0]["error"]["code"], "case-syntax");
    assert!(got[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("regel 3"));
    assert_eq!(got[1]["case"]["id"], "b");
}

#[test]
fn replay_of_a_batch_output_skips_its_error_lines() {
    let dir = temp_dir("replay-batch");
    let input = write(&dir, "c.jsonl", JSONL);
    let out = batch(&["--peildatum", "2025-09-01", &input]);
    let output = write(&dir, "uit.jsonl", &String::from_utf8_lossy(&out.stdout));
    let replayed = run(&["replay", "--rules", KOP, &output], None);
    assert_eq!(replayed.status.code(), Some(0));
    let text = String::from_utf8_lossy(&replayed.stdout);
    assert_eq!(
        text.matches("gelijk aan de vastgelegde").count(),
        3,
        "{text}"
    );
    assert!(
        text.contains("Overgeslagen: 3 foutregel(s) van ongeldige casussen (regel 3, 4, 5)"),
        "{text}"
    );
}

/// A `.json` batch holding one JSON array of cases is read as such: each case with the
/// line it starts on; an array that is no JSON is refused before any output.
#[test]
fn a_json_array_is_a_list_of_cases() {
    let dir = temp_dir("json-array");
    let input = write(
        &dir,
        "casussen.json",
        "[\n  {\"id\": \"a\", \"soort\": \"verpleging\", \"leeftijd\": 10, \"wlz_indicatie\": false},\n  {\"id\": \"b\", \"leeftijd\": 99}\n]\n",
    );
    let out = batch(&["--peildatum", "2025-09-01", &input]);
    assert_eq!(out.status.code(), Some(3));
    let lines = lines(&out.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["outcome"], serde_json::json!({"zvw": 100}));
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["error"]["code"], "out-of-bounds");
    let broken = write(&dir, "kapot.json", "[{\"a\": 1},\n {\"b\": 2,}]");
    let out = batch(&[&broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("regel 2") && err.contains("komma te veel"),
        "{err}"
    );
}

/// `-o` writes safely: a link is refused and left alone, a planted link at any
/// predictable temporary name does not matter, a pipe or `/dev/null` is written
/// directly (and stays what it is), and a second batch to the same file while the first
/// runs is refused instead of mixing with it. The directory holds no temporary file
/// afterwards.
#[cfg(unix)]
#[test]
fn output_files_are_written_safely() {
    use std::os::unix::fs::FileTypeExt;
    let dir = temp_dir("batch-safe");
    let mut many = String::new();
    for i in 0..20_000 {
        many.push_str(&format!("{{\"id\": \"{i}\", \"soort\": \"vervoer\"}}\n"));
    }
    let input = write(&dir, "c.jsonl", &many);
    let small = write(&dir, "k.jsonl", "{\"soort\": \"vervoer\"}\n");
    // A link as target: refused, the link and what it points at untouched.
    let precious = write(&dir, "kostbaar.txt", "niet overschrijven\n");
    let link = dir.join("link.jsonl");
    std::os::unix::fs::symlink(&precious, &link).unwrap();
    let out = batch(&["-o", link.to_str().unwrap(), &small]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("koppeling"));
    assert_eq!(
        std::fs::read_to_string(&precious).unwrap(),
        "niet overschrijven\n"
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // A link planted where the old temporary name was: not followed.
    let target = dir.join("uit.jsonl");
    std::os::unix::fs::symlink(&precious, dir.join("uit.jsonl.deels")).unwrap();
    let out = batch(&["-o", target.to_str().unwrap(), &small]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&precious).unwrap(),
        "niet overschrijven\n"
    );
    // /dev/null stays a device.
    let out = batch(&["-o", "/dev/null", &small]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    // A pipe is written directly.
    let fifo = dir.join("pijp.jsonl");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = batch(&["-o", fifo.to_str().unwrap(), &small]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(reader.join().unwrap().lines().count(), 1);
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    // Two batches to one file: one is refused while the other runs, and the file holds
    // exactly one complete output.
    let shared = dir.join("samen.jsonl");
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
            .args([
                "batch",
                "--rules",
                KOP,
                "--threads",
                "1",
                "-o",
                shared.to_str().unwrap(),
                &input,
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let second = spawn().wait_with_output().unwrap();
    let first = first.wait_with_output().unwrap();
    let codes = [first.status.code(), second.status.code()];
    assert!(codes.contains(&Some(0)), "{codes:?}");
    if codes.contains(&Some(1)) {
        let refused = if first.status.code() == Some(1) {
            &first
        } else {
            &second
        };
        assert!(String::from_utf8_lossy(&refused.stderr).contains("een andere batch"));
    }
    assert_eq!(
        std::fs::read_to_string(&shared).unwrap().lines().count(),
        20_000
    );
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".deels") && n != "uit.jsonl.deels")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Input cannot lose a case unnoticed: a quote left open is its own row's problem and
/// the rows after it are read; a last line without a line end is said (exit 3); a
/// `;`-separated CSV gets a hint about the separator; a YAML item whose first line is no
/// UTF-8 is still an item, the broken one; an input without line ends is refused.
#[test]
fn input_cannot_lose_a_case_unnoticed() {
    let dir = temp_dir("batch-input");
    let csv = write(
        &dir,
        "open.csv",
        "id,soort,afstand_km\nr1,vervoer,14\nr2,\"vervoer,14\nr3,vervoer,2\nr4,vervoer,20\n",
    );
    let out = batch(&["--peildatum", "2025-09-01", "--trace", "none", &csv]);
    assert_eq!(out.status.code(), Some(3));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 4, "every row has its line");
    assert_eq!(l[1]["line"], 3);
    assert!(l[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("aanhalingsteken"));
    assert_eq!(l[3]["case"]["id"], "r4");

    let cut = write(
        &dir,
        "cut.jsonl",
        "{\"soort\": \"vervoer\", \"afstand_km\": 1",
    );
    let out = batch(&["--peildatum", "2025-09-01", &cut]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zonder regeleinde"));

    let semi = write(&dir, "semi.csv", "id;soort\n1;vervoer\n");
    let out = batch(&[&semi]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`;` als scheidingsteken"));

    let mut yaml =
        b"- id: a\n  soort: vervoer\n- id: b\xff\n  soort: vervoer\n- id: c\n  soort: vervoer\n"
            .to_vec();
    let path = dir.join("kapot.yaml");
    std::fs::write(&path, &mut yaml).unwrap();
    let out = batch(&[
        "--peildatum",
        "2025-09-01",
        "--trace",
        "none",
        path.to_str().unwrap(),
    ]);
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 3, "three items, three lines");
    assert_eq!(l[0]["case"]["id"], "a");
    assert_eq!(l[1]["line"], 3);
    assert!(l[1]["error"]["message"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(l[2]["case"]["id"], "c");

    let long = write(&dir, "lang.jsonl", &"x".repeat(2 * 1024 * 1024));
    let out = batch(&[&long]);
    let l = lines(&out.stdout);
    assert_eq!(l[0]["error"]["code"], "too-large");
}

/// `batch --log LOG INPUT` on the Kop van Noord-Holland, running while the test goes on
/// (standard input piped, output discarded).
fn batch_in_background(log: &str, input: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args([
            "batch",
            "--rules",
            KOP,
            "--peildatum",
            "2025-09-01",
            "--log",
            log,
            input,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// A checkpoint kept elsewhere accepts a log that grew since, and finds one that was
/// cut, or cut and then grown again to the same length or longer.
#[test]
fn a_checkpoint_tells_growth_from_rewriting() {
    let dir = temp_dir("log-checkpoint");
    let path = dir.join("log.jsonl");
    let log = path.to_str().unwrap();
    let bytes = log_with(5);
    let recs = records(&bytes);
    std::fs::write(&path, recs[..3].concat()).unwrap();
    let three = common::checkpoint(log);
    assert!(three.starts_with("3:"), "{three}");
    let verify_at = |head: &str| run(&["log", "verify", "--head", head, log], None);

    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(verify_at(&three).status.code(), Some(0), "grown is fine");
    let five = common::checkpoint(log);
    let hash = five.split_once(':').unwrap().1.to_string();
    assert_eq!(
        verify_at(&hash).status.code(),
        Some(0),
        "a bare hash is the last"
    );

    // Cut.
    std::fs::write(&path, recs[..2].concat()).unwrap();
    let out = verify_at(&three);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("verwijderd"));
    // Cut, then appended to again: the chain is whole, the checkpoint is not in it.
    let mut writer = LogWriter::open(&path).unwrap();
    for i in 0..3 {
        writer
            .append(&[format!("{{\"anders\":{i}}}").as_bytes()], Wait::Always)
            .unwrap();
    }
    drop(writer);
    assert_eq!(run(&["log", "verify", log], None).status.code(), Some(0));
    let out = verify_at(&three);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("herschreven"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A checkpoint that is not one is refused as such.
    let out = verify_at("3:abc");
    assert_eq!(out.status.code(), Some(2));
}

/// A batch killed before it has decided every case adds nothing to the log, and leaves
/// nothing of the cases behind; run again, each case is in the log once.
#[test]
fn a_batch_killed_before_the_end_adds_nothing() {
    let dir = temp_dir("log-killed");
    let path = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&path);
    let log = path.to_str().unwrap();
    let case = write(&dir, "a.yaml", "soort: vervoer\nafstand_km: 3\n");
    assert_eq!(
        run(&["eval", "--rules", KOP, "--log", log, &case], None)
            .status
            .code(),
        Some(0)
    );
    let before = std::fs::read(&path).unwrap();
    let mut child = batch_in_background(log, "-");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(JSONL.as_bytes()).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(std::fs::read(&path).unwrap(), before, "the log changed");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "left behind: {left:?}");
    let input = write(&dir, "c.jsonl", JSONL);
    let out = batch(&["--peildatum", "2025-09-01", "--log", log, &input]);
    assert_eq!(out.status.code(), Some(3));
    assert!(common::verified(log).contains("4 records"));
}

/// A batch stopped while it added its decisions leaves its marker: every writer refuses
/// the log, `log verify` names the records concerned, until the marker is removed.
#[test]
fn a_batch_stopped_while_recording_stops_every_writer() {
    let dir = temp_dir("log-marker");
    let path = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&path);
    let log = path.to_str().unwrap();
    let case = write(&dir, "a.yaml", "soort: vervoer\nafstand_km: 3\n");
    let eval = || run(&["eval", "--rules", KOP, "--log", log, &case], None);
    assert_eq!(eval().status.code(), Some(0));
    let head = common::checkpoint(log);
    let marker = format!("{log}.vastleggen");
    std::fs::write(
        &marker,
        format!("{{\"after\":\"{head}\",\"decisions\":1000}}"),
    )
    .unwrap();
    let out = eval();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("na record 1") && err.contains("vastleggen"),
        "{err}"
    );
    let out = batch(&[
        "--peildatum",
        "2025-09-01",
        "--log",
        log,
        &write(&dir, "c.jsonl", JSONL),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let out = run(&["log", "verify", log], None);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1000"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args([
            "serve",
            "--rules",
            "rules",
            "--addr",
            "127.0.0.1:0",
            "--log",
            log,
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_file(&marker).unwrap();
    assert_eq!(eval().status.code(), Some(0));
    assert!(common::verified(log).contains("2 records"));
}

/// `log verify` while a batch is adding its decisions sees a whole log each time.
#[test]
fn verify_during_a_batch_sees_a_whole_log() {
    let dir = temp_dir("log-during");
    let path = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&path);
    let log = path.to_str().unwrap();
    let cases: String = (0..20_000)
        .map(|i| {
            format!(
                "{{\"id\":\"c{i}\",\"soort\":\"vervoer\",\"afstand_km\":{}}}\n",
                i % 30
            )
        })
        .collect();
    let input = write(&dir, "veel.jsonl", &cases);
    let mut child = batch_in_background(log, &input);
    let mut checks = 0;
    while child.try_wait().unwrap().is_none() {
        if path.exists() {
            let out = run(&["log", "verify", log], None);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            checks += 1;
        }
    }
    assert!(matches!(child.wait().unwrap().code(), Some(0 | 3)));
    assert!(checks > 0);
    assert!(common::verified(log).contains("20000 records"));
}

/// `replay` reads a log one record at a time; a line that is no decision halfway is
/// reported at its line with nothing printed before it, also from standard input.
#[test]
fn replay_reports_a_bad_line_halfway_without_partial_output() {
    let dir = temp_dir("replay-stream");
    let path = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&path);
    let log = path.to_str().unwrap();
    let input = write(&dir, "c.jsonl", JSONL);
    batch(&["--peildatum", "2025-09-01", "--log", log, &input]);
    let text = std::fs::read_to_string(&path).unwrap();
    let whole = run(&["replay", "--rules", KOP, "-"], Some(&text));
    assert_eq!(whole.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&whole.stdout)
            .matches("── regel")
            .count(),
        3
    );
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(2, "{\"niet\": \"een beslissing\"}");
    let broken = lines.join("\n");
    for out in [
        run(&["replay", "--rules", KOP, "-"], Some(&broken)),
        run(
            &[
                "replay",
                "--rules",
                KOP,
                &write(&dir, "kapot.jsonl", &broken),
            ],
            None,
        ),
    ] {
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "partial output");
        assert!(String::from_utf8_lossy(&out.stderr).contains("regel 3: dit is geen beslissing"));
    }
}
