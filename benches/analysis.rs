//! The analysis behind `wiebetaalt check`: all lints of a rule set (each period explored
//! twice: every rule settled, and the grey area), on generated rule sets of 40, 300 and
//! 1,000 rules and on the shipped national and Utrecht files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // benchmark code

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion};

use wiebetaalt::analysis::lint::lint;
use wiebetaalt::load::{load_rules, load_with};
use wiebetaalt::ruleset::RuleSet;
use wiebetaalt::source::Sources;

mod common;
use common::generated;

fn from_text(text: &str) -> RuleSet {
    let mut sources = Sources::new();
    let read = |_: &Path| Ok(text.to_string());
    load_with(Path::new("gegenereerd.regels"), &read, &mut sources)
        .unwrap()
        .0
}

fn from_file(path: &str) -> RuleSet {
    let mut sources = Sources::new();
    load_rules(Path::new(path), &mut sources).unwrap().0
}

fn lints(c: &mut Criterion) {
    let today = "2025-09-01".parse().unwrap();
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    let sets = [
        ("generated-40", from_text(&generated(40))),
        ("generated-300", from_text(&generated(300))),
        ("generated-1000", from_text(&generated(1000))),
        ("landelijk", from_file("rules/landelijk.regels")),
        ("utrecht", from_file("rules/utrecht.regels")),
    ];
    for (name, rs) in &sets {
        group.bench_function(*name, |b| b.iter(|| black_box(lint(rs, today))));
    }
    group.finish();
}

criterion_group!(benches, lints);
criterion_main!(benches);
