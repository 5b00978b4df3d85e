//! Timings of the pipeline on the shipped rule files: loading and checking (with
//! bases), deciding one case, and deciding with the JSON report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // benchmark code

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use wiebetaalt::case::parse_case;
use wiebetaalt::eval::evaluate;
use wiebetaalt::load::load_rules;
use wiebetaalt::report;
use wiebetaalt::source::Sources;

mod common;
use common::generated;

const KOP: &str = "rules/kop-van-noord-holland.regels";
const CASE: &str = "soort: begeleiding\ngericht_op: ontwikkeling\nproblematiek: [hoogbegaafdheid, angst_depressie]\nleeftijd: 10\nook_buiten_school_nodig: ja\nwlz_indicatie: nee\nonder_schooltijd: ja\nsociale_vaardigheidstraining: nee\n";

fn parse(c: &mut Criterion) {
    let text = std::fs::read_to_string("rules/landelijk.regels").unwrap();
    c.bench_function("parse rules/landelijk.regels", |b| {
        b.iter(|| {
            black_box(wiebetaalt::syntax::parse(wiebetaalt::source::FileId(0), &text).unwrap())
        })
    });
}

fn check(c: &mut Criterion) {
    for file in ["rules/landelijk.regels", KOP] {
        c.bench_function(&format!("check {file}"), |b| {
            b.iter(|| {
                let mut sources = Sources::new();
                black_box(load_rules(Path::new(file), &mut sources).unwrap());
            })
        });
    }
}

fn eval(c: &mut Criterion) {
    let mut sources = Sources::new();
    let (rs, _) = load_rules(Path::new(KOP), &mut sources).unwrap();
    let id = sources.add("case.yaml", CASE);
    let case = parse_case(CASE, id, &rs).unwrap();
    let date = "2025-09-01".parse().unwrap();
    c.bench_function("eval one case (kop)", |b| {
        b.iter(|| black_box(evaluate(&rs, &case, date).unwrap()))
    });
    c.bench_function("parse case + eval + json (kop)", |b| {
        b.iter(|| {
            let case = parse_case(CASE, id, &rs).unwrap();
            let d = evaluate(&rs, &case, date).unwrap();
            black_box(report::json::pretty(&rs, &case, &d))
        })
    });
}

fn analysis(c: &mut Criterion) {
    let today = "2025-09-01".parse().unwrap();
    let mut group = c.benchmark_group("check with all lints");
    group.sample_size(10);
    for file in ["rules/landelijk.regels", KOP, "rules/einstein-class.regels"] {
        let mut sources = Sources::new();
        let (rs, _) = load_rules(Path::new(file), &mut sources).unwrap();
        group.bench_function(file, |b| {
            b.iter(|| black_box(wiebetaalt::analysis::lint::lint(&rs, today)))
        });
    }
    let text = generated(300);
    let dir = std::env::temp_dir().join("wiebetaalt-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gegenereerd.regels");
    std::fs::write(&path, &text).unwrap();
    let mut sources = Sources::new();
    let (rs, _) = load_rules(&path, &mut sources).unwrap();
    group.bench_function("generated: 300 rules, 20 facts", |b| {
        b.iter(|| black_box(wiebetaalt::analysis::lint::lint(&rs, today)))
    });
    group.finish();
}

criterion_group!(benches, parse, check, eval, analysis);
criterion_main!(benches);
