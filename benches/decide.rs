//! Decisions per second: the compiled rule set deciding cases with and without the
//! trace, on the shipped Kop van Noord-Holland rule set and on a generated 500-rule
//! set. Each iteration decides one case of a fixed mix (the rule set's own examples, or
//! generated cases), so the figures are per decision. And a batch of a million JSON
//! Lines cases end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // benchmark code

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rust_decimal::prelude::ToPrimitive;

use wiebetaalt::case::Case;
use wiebetaalt::eval::{decide, decide_traced, Scratch};
use wiebetaalt::load::load_rules;
use wiebetaalt::ruleset::{FactId, RuleSet, Type, Value};
use wiebetaalt::source::Sources;

mod common;
use common::generated;
use common::generated::numbers;

fn load(path: &Path) -> RuleSet {
    let mut sources = Sources::new();
    load_rules(path, &mut sources).unwrap().0
}

/// Cases from the rule set's examples.
fn example_cases(rs: &RuleSet) -> Vec<Case> {
    rs.examples()
        .iter()
        .map(|e| Case::with(rs, &e.given))
        .collect()
}

/// Deterministic cases with every fact known.
fn generated_cases(rs: &RuleSet, n: usize) -> Vec<Case> {
    let mut next = numbers(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| {
            let given: Vec<(FactId, Value)> = rs
                .fact_ids()
                .zip(rs.facts())
                .map(|(id, f)| {
                    let v = match f.ty {
                        Type::Bool => Value::Bool(next(2) == 0),
                        // Within the fact's bounds, so that the cases are valid.
                        Type::Number => {
                            let (low, high) = f
                                .bounds
                                .map(|(l, h)| (l.to_i64().unwrap(), h.to_i64().unwrap()))
                                .unwrap_or((0, 99));
                            Value::Number((low + next((high - low + 1) as u64) as i64).into())
                        }
                        Type::Choice(_) => {
                            Value::Choice(f.values[next(f.values.len() as u64) as usize])
                        }
                        Type::List(_) => {
                            let mut items: Vec<_> =
                                f.values.iter().copied().filter(|_| next(3) == 0).collect();
                            items.sort();
                            Value::List(items)
                        }
                        Type::Text => Value::Text("x".into()),
                    };
                    (id, v)
                })
                .collect();
            Case::with(rs, &given)
        })
        .collect()
}

fn bench_set(c: &mut Criterion, name: &str, rs: &RuleSet, cases: &[Case]) {
    let date = "2025-09-01".parse().unwrap();
    let mut group = c.benchmark_group(format!("decide {name}"));
    group.throughput(Throughput::Elements(1));
    for trace in [false, true] {
        let label = if trace { "with trace" } else { "without trace" };
        let mut scratch = Scratch::new();
        let mut i = 0;
        group.bench_function(label, |b| {
            b.iter(|| {
                i = (i + 1) % cases.len();
                let v = if trace {
                    decide_traced(rs, &mut scratch, &cases[i], date)
                } else {
                    decide(rs, &mut scratch, &cases[i], date)
                }
                .unwrap();
                black_box(v.status);
            })
        });
    }
    group.finish();
}

fn decisions(c: &mut Criterion) {
    let kop = load(Path::new("rules/kop-van-noord-holland.regels"));
    bench_set(c, "kop-van-noord-holland", &kop, &example_cases(&kop));
    let dir = std::env::temp_dir().join("wiebetaalt-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gegenereerd-500.regels");
    std::fs::write(&path, generated(500)).unwrap();
    let big = load(&path);
    bench_set(c, "generated 500 rules", &big, &generated_cases(&big, 1000));
}

/// JSON Lines of `n` cases: the generated cases (a tenth of the facts unknown, costs on
/// each) in turn, every thousandth case invalid.
fn jsonl(rs: &RuleSet, n: usize) -> Vec<u8> {
    let cases = generated_cases(rs, 997);
    let mut out = Vec::with_capacity(n * 450);
    for i in 0..n {
        let case = &cases[i % cases.len()];
        let mut m = serde_json::Map::new();
        m.insert("id".into(), format!("c{i}").into());
        m.insert(
            "kosten".into(),
            serde_json::json!((i % 500_000) as f64 / 100.0),
        );
        for (f, v) in case.values.iter().enumerate() {
            if let Some(v) = v.as_ref().filter(|_| (i + f) % 10 != 0) {
                m.insert(
                    rs.facts()[f].name.clone(),
                    wiebetaalt::report::json::value(rs, v),
                );
            }
        }
        if i % 1000 == 999 {
            m.insert("naam".into(), "Piet".into());
        }
        serde_json::to_writer(&mut out, &m).unwrap();
        out.push(b'\n');
    }
    out
}

/// A batch of 1,000,000 JSON Lines cases end to end (read, validate, decide, allocate,
/// write), without trace, on every core.
fn batch(c: &mut Criterion) {
    use wiebetaalt::batch::{run, InputFormat, Options};
    let kop = load(Path::new("rules/kop-van-noord-holland.regels"));
    let n = 1_000_000;
    let input = jsonl(&kop, n);
    let options = Options {
        trace: false,
        reference_date: "2025-09-01".parse().unwrap(),
        workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(
        "1M JSON Lines cases, kop-van-noord-holland, no trace",
        |b| {
            b.iter(|| {
                let reader = Box::new(std::io::Cursor::new(&input[..]));
                let summary = run(
                    &kop,
                    reader,
                    InputFormat::Jsonl,
                    &mut std::io::sink(),
                    None,
                    options,
                    &mut |_, _| {},
                )
                .unwrap();
                assert_eq!(summary.cases, n as u64);
                black_box(summary)
            })
        },
    );
    group.finish();
}

criterion_group!(benches, decisions, batch);
criterion_main!(benches);
