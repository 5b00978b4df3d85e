//! Batch input: any bytes as a YAML list, JSON Lines or CSV (chosen by the first byte)
//! through the whole batch. Never a panic, and every case read yields exactly one
//! output line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;
use wiebetaalt::batch::{run, InputFormat, Options};
use wiebetaalt::ruleset::RuleSet;

fn kop() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/kop-van-noord-holland.regels");
        let mut sources = wiebetaalt::source::Sources::new();
        wiebetaalt::load::load_rules(Path::new(path), &mut sources)
            .map(|(rs, _)| rs)
            .unwrap_or_else(|_| std::process::abort())
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let format = match first % 3 {
        0 => InputFormat::Yaml,
        1 => InputFormat::Jsonl,
        _ => InputFormat::Csv,
    };
    let options = Options {
        trace: first & 4 != 0,
        reference_date: jiff::civil::date(2025, 9, 1),
        workers: 1,
    };
    let mut out = Vec::new();
    let input = Box::new(std::io::Cursor::new(rest.to_vec()));
    if let Ok(summary) = run(kop(), input, format, &mut out, None, options, &mut |_, _| {}) {
        let lines = out.iter().filter(|b| **b == b'\n').count() as u64;
        assert_eq!(lines, summary.cases, "one line per case");
        for line in out.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            assert!(std::str::from_utf8(line).is_ok());
        }
    }
});
