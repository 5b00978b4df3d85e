//! What each fuzz target does with its input, shared by the targets in
//! `fuzz/fuzz_targets/` and by `tests/fuzz.rs`, which replays every input the fuzzers
//! ever found a fault with (`tests/fuzz/<target>/`).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::sync::OnceLock;

use wiebetaalt::batch::{run, InputFormat, Options};
use wiebetaalt::ruleset::RuleSet;

fn date() -> jiff::civil::Date {
    jiff::civil::date(2025, 9, 1)
}

fn shipped(name: &str) -> RuleSet {
    let path = format!("{}/rules/{name}.regels", root());
    let mut sources = wiebetaalt::source::Sources::new();
    wiebetaalt::load::load_rules(Path::new(&path), &mut sources)
        .map(|(rs, _)| rs)
        .unwrap_or_else(|_| panic!("{path} does not check"))
}

/// The repository root, from the fuzz crate or from the main crate.
fn root() -> &'static str {
    let dir = env!("CARGO_MANIFEST_DIR");
    dir.strip_suffix("/fuzz").unwrap_or(dir)
}

fn rule_sets() -> &'static Vec<RuleSet> {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        [
            "landelijk",
            "kop-van-noord-holland",
            "nijmegen",
            "einstein-class",
        ]
        .iter()
        .map(|n| shipped(n))
        .collect()
    })
}

/// Rule text: parse, resolve a base, type-check, run the examples and lint. The text is
/// checked as a file that may be based on the national rule set (`landelijk.regels`),
/// so that `vervang`/`schrap` meet a real base.
pub fn rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let national = include_str!("../rules/landelijk.regels");
    let read = |p: &Path| match p.to_str() {
        Some("fuzz.regels") => Ok(text.to_string()),
        Some("landelijk.regels") => Ok(national.to_string()),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "niet gevonden",
        )),
    };
    let mut sources = wiebetaalt::source::Sources::new();
    if let Ok((rs, _)) = wiebetaalt::load::load_with(Path::new("fuzz.regels"), &read, &mut sources)
    {
        let _ = wiebetaalt::examples::run(&rs, date());
        // The analysis is bounded by its budgets; small rule sets keep runs quick.
        if rs.rules().len() <= 8 {
            let _ = wiebetaalt::analysis::lint::lint(&rs, date());
        }
    }
}

/// Case input: any text as a case (YAML or JSON) for a shipped rule set chosen by the
/// first byte, then its decision as JSON and as text.
pub fn case(data: &[u8]) {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let sets = rule_sets();
    let rs = &sets[usize::from(*first) % sets.len()];
    let mut sources = wiebetaalt::source::Sources::new();
    let file = sources.add("fuzz.yaml", text);
    let Ok(case) = wiebetaalt::case::parse_case(text, file, rs) else {
        return;
    };
    let date = case.reference_date.unwrap_or(date());
    if let Ok(d) = wiebetaalt::eval::evaluate(rs, &case, date) {
        let mut line = Vec::new();
        wiebetaalt::report::json::write_decision(&mut line, rs, &case, &d);
        let _ = wiebetaalt::report::text::decision(rs, &case, &d);
    }
}

/// Batch input: any bytes as a YAML list, JSON Lines or CSV (chosen by the first byte)
/// through the whole batch; every case read yields exactly one line of UTF-8 JSON.
pub fn batch(data: &[u8]) {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let format = match first % 3 {
        0 => InputFormat::Yaml,
        1 => InputFormat::Jsonl,
        _ => InputFormat::Csv,
    };
    let options = Options {
        trace: first & 4 != 0,
        reference_date: date(),
        workers: 1,
    };
    let kop = &rule_sets()[1];
    let mut out = Vec::new();
    let input = Box::new(std::io::Cursor::new(rest.to_vec()));
    if let Ok(summary) = run(kop, input, format, &mut out, None, options, &mut |_, _| {}) {
        let lines = out.iter().filter(|b| **b == b'\n').count() as u64;
        assert_eq!(lines, summary.cases, "one line per case");
        for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let _: serde_json::Value = serde_json::from_slice(line).expect("each line is JSON");
        }
    }
}
