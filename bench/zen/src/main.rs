//! `wiebetaalt batch` end to end against GoRules ZEN in process, on the same decision
//! table written both ways, one core each, and prints the ratio.
//!
//! The table is a grid like ZEN's own table benchmark: amount bands, country groups,
//! segments, VIP and age bands; each row one rule. In ZEN a `decisionTableNode` with hit
//! policy `first` and no input schema (its fastest setting: it stops at the first
//! matching row); in `wiebetaalt` a rule set with one rule per row and four domains,
//! every rule evaluated (as always: conflicts must be found). Rows do not overlap, so
//! both find at most one row per case; the first thousand outcomes are compared (no row:
//! ZEN gives nothing, `wiebetaalt` its `anders`, `d0`).
//!
//! ZEN is timed on its evaluations only, precompiled (`Decision::compile`), on core 0:
//! the cases are parsed into its input values before timing. `wiebetaalt` is timed end
//! to end, from start to exit, on core 0 (`taskset -c 0`): `batch --threads 1 --trace
//! none` reading JSON Lines from a file and writing a decision per line to a pipe (read
//! by this process on core 1, as the next program in a pipeline would on its own core),
//! to a file as standard output (`> uit.jsonl`), and to a file with `-o` (written to a
//! temporary file, synced to disk and renamed: it survives a crash). Both files are new:
//! the last round's output is removed, and the disk synced, before the clock starts.
//!
//!   cargo build --release   # the wiebetaalt binary that is measured
//!   cargo run --release --manifest-path bench/zen/Cargo.toml [RULES...]
//!
//! The machine may change speed while it runs (it is shared), so the runs go in rounds
//! (ZEN, then each way of `wiebetaalt`) and each ratio is the median of the ratios within
//! a round; each speed is the median over the rounds.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use zen_engine::model::DecisionContent;
use zen_engine::DecisionEngine;

const COUNTRIES: [&[&str]; 6] = [
    &["US", "CA"],
    &["MX"],
    &["GB", "IE"],
    &["DE", "AT", "CH"],
    &["FR"],
    &["JP"],
];
const ALL_COUNTRIES: [&str; 10] = ["US", "CA", "MX", "GB", "IE", "DE", "AT", "CH", "FR", "JP"];
const SEGMENTS: [&str; 4] = ["retail", "sme", "corporate", "public"];
const AGES: [(u32, u32); 5] = [(18, 25), (25, 35), (35, 50), (50, 65), (65, 120)];

/// One row: amount band, country group, segment, vip, age band, outcome (0..4).
struct Row {
    band: u32,
    country: usize,
    segment: usize,
    vip: bool,
    age: usize,
    outcome: usize,
}

fn rows(n: usize) -> Vec<Row> {
    let mut out = Vec::new();
    'outer: for band in 0.. {
        for country in 0..COUNTRIES.len() {
            for segment in 0..SEGMENTS.len() {
                for vip in [true, false] {
                    for age in 0..AGES.len() {
                        if out.len() >= n {
                            break 'outer;
                        }
                        let outcome = (out.len() * 7 + band as usize) % 4;
                        out.push(Row {
                            band,
                            country,
                            segment,
                            vip,
                            age,
                            outcome,
                        });
                    }
                }
            }
        }
    }
    out
}

fn zen_table(rows: &[Row]) -> DecisionContent {
    let rules: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut m = Map::new();
            let countries: Vec<String> = COUNTRIES[r.country]
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect();
            let (lo, hi) = AGES[r.age];
            m.insert("_id".into(), json!(format!("r{i}")));
            m.insert(
                "a".into(),
                json!(format!(
                    ">= {} and < {}",
                    r.band * 1000,
                    (r.band + 1) * 1000
                )),
            );
            m.insert("c".into(), json!(countries.join(", ")));
            m.insert("s".into(), json!(format!("\"{}\"", SEGMENTS[r.segment])));
            m.insert("v".into(), json!(r.vip.to_string()));
            m.insert("g".into(), json!(format!("[{lo}..{hi})")));
            m.insert("o".into(), json!(format!("\"d{}\"", r.outcome)));
            Value::Object(m)
        })
        .collect();
    serde_json::from_value(json!({
        "nodes": [
            {"id": "in", "name": "request", "type": "inputNode", "content": {}},
            {"id": "dt", "name": "tabel", "type": "decisionTableNode", "content": {
                "hitPolicy": "first",
                "inputs": [
                    {"id": "a", "name": "Amount", "field": "amount"},
                    {"id": "c", "name": "Country", "field": "country"},
                    {"id": "s", "name": "Segment", "field": "segment"},
                    {"id": "v", "name": "VIP", "field": "vip"},
                    {"id": "g", "name": "Age", "field": "age"}
                ],
                "outputs": [{"id": "o", "name": "Outcome", "field": "outcome"}],
                "rules": rules,
                "passThrough": false
            }},
            {"id": "out", "name": "out", "type": "outputNode", "content": {}}
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "dt"},
            {"id": "e2", "sourceId": "dt", "targetId": "out"}
        ]
    }))
    .expect("a valid decision graph")
}

fn regels(rows: &[Row]) -> String {
    let mut t = String::from(
        "regelset \"Vergelijking met ZEN\"\ndomein d0\ndomein d1\ndomein d2\ndomein d3\n",
    );
    t.push_str("feit amount: getal\n");
    let _ = writeln!(t, "feit country: keuze({})", ALL_COUNTRIES.join(", "));
    let _ = writeln!(t, "feit segment: keuze({})", SEGMENTS.join(", "));
    t.push_str("feit vip: ja/nee\nfeit age: getal\n");
    for (i, r) in rows.iter().enumerate() {
        let (lo, hi) = AGES[r.age];
        let _ = writeln!(
            t,
            "regel r{i} als amount ten minste {} en amount minder dan {} en country in [{}] en segment is {} en {}vip en age ten minste {lo} en age minder dan {hi} dan d{}",
            r.band * 1000,
            (r.band + 1) * 1000,
            COUNTRIES[r.country].join(", "),
            SEGMENTS[r.segment],
            if r.vip { "" } else { "niet " },
            r.outcome
        );
    }
    t.push_str("anders d0\n");
    t
}

/// Deterministic cases over the table's range.
fn cases(n: usize, bands: u32) -> Vec<Value> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    (0..n)
        .map(|i| {
            json!({
                "id": format!("c{i}"),
                "amount": next(u64::from(bands) * 1000),
                "country": ALL_COUNTRIES[next(10) as usize],
                "segment": SEGMENTS[next(4) as usize],
                "vip": next(2) == 0,
                "age": 18 + next(100),
            })
        })
        .collect()
}

/// Rounds of the comparison; each figure is the median over them.
const ROUNDS: usize = 11;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// ZEN's decision, compiled, with its inputs parsed before timing.
struct Zen {
    decision: zen_engine::Decision,
    inputs: Vec<zen_engine::Variable>,
    runtime: tokio::runtime::Runtime,
}

impl Zen {
    fn new(rows: &[Row], cases: &[Value]) -> Zen {
        let engine = DecisionEngine::default();
        let mut decision = engine
            .create_decision(zen_table(rows).into())
            .expect("decision");
        // Precompiled, as ZEN's own benchmark does for its fastest figures.
        decision.compile();
        let inputs: Vec<zen_engine::Variable> = cases.iter().map(|c| c.clone().into()).collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let zen = Zen {
            decision,
            inputs,
            runtime,
        };
        // Warm up, and check that ZEN decides.
        zen.runtime.block_on(async {
            for input in zen.inputs.iter().take(1000) {
                zen.decision
                    .evaluate(input.clone())
                    .await
                    .expect("ZEN evaluates");
            }
        });
        zen
    }

    /// Evaluations per second, one core.
    fn run(&self) -> f64 {
        let start = Instant::now();
        self.runtime.block_on(async {
            for input in &self.inputs {
                std::hint::black_box(
                    self.decision
                        .evaluate(input.clone())
                        .await
                        .expect("ZEN evaluates"),
                );
            }
        });
        self.inputs.len() as f64 / start.elapsed().as_secs_f64()
    }
}

/// Where the batch writes.
#[derive(Clone, Copy)]
enum Out<'p> {
    /// A pipe, read by this process on the other core.
    Pipe,
    /// Standard output redirected to a file (as `> uit.jsonl` does).
    Redirect(&'p Path),
    /// `-o`: a temporary file, synced to disk and renamed over the target.
    Durable(&'p Path),
}

/// `wiebetaalt batch` cases per second, end to end, the batch pinned to core 0.
fn wiebetaalt(binary: &Path, rules: &Path, input: &Path, n: usize, out: Out<'_>) -> f64 {
    if let Out::Redirect(path) | Out::Durable(path) = out {
        // A new file, as for a new batch: freeing the last round's 135 MB (the shell's
        // truncation for `>`, the rename for `-o`) costs the kernel about 45 ms on this
        // disk, and the writes into a just-truncated file take longer too; that is the
        // old file's cost, not the batch's, so it is paid here, before the clock.
        let _ = std::fs::remove_file(path);
        let _ = Command::new("sync").status();
    }
    let start = Instant::now();
    let mut cmd = Command::new("taskset");
    cmd.args(["-c", "0"]).arg(binary);
    cmd.args(["batch", "--rules"]).arg(rules).args([
        "--threads",
        "1",
        "--trace",
        "none",
        "--peildatum",
        "2025-09-01",
    ]);
    match out {
        Out::Pipe => {
            cmd.stdout(Stdio::piped());
        }
        Out::Redirect(path) => {
            cmd.stdout(std::fs::File::create(path).expect("output file"));
        }
        Out::Durable(path) => {
            cmd.arg("-o").arg(path).stdout(Stdio::null());
        }
    }
    let mut child = cmd
        .arg(input)
        .stderr(Stdio::null())
        .spawn()
        .expect("wiebetaalt batch");
    if let Some(mut stdout) = child.stdout.take() {
        // Read as `cat` would (it reads 128 KiB at a time).
        let mut buf = vec![0; 128 << 10];
        while std::io::Read::read(&mut stdout, &mut buf).is_ok_and(|n| n > 0) {}
    }
    let status = child.wait().expect("batch ends");
    let speed = n as f64 / start.elapsed().as_secs_f64();
    assert!(status.success(), "batch failed: {status}");
    if let Out::Redirect(path) = out {
        // Written back now, not during the next measurement.
        let _ = std::fs::File::open(path).and_then(|f| f.sync_all());
    }
    speed
}

/// ZEN and `wiebetaalt` give the same outcome for each of `cases` (the first lines of
/// the batch's output file).
fn same_outcomes(rows: &[Row], cases: &[Value], out: &Path) {
    let engine = DecisionEngine::default();
    let mut decision = engine
        .create_decision(zen_table(rows).into())
        .expect("decision");
    decision.compile();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let ours = std::fs::read_to_string(out).expect("batch output");
    for (case, line) in cases.iter().zip(ours.lines()) {
        let zen = runtime
            .block_on(decision.evaluate(case.clone().into()))
            .expect("ZEN evaluates");
        let zen = serde_json::to_value(&zen.result).expect("ZEN result");
        let zen = zen["outcome"].as_str().unwrap_or("d0").to_string();
        let ours: Value = serde_json::from_str(line).expect("a decision");
        let domain = ours["outcome"]
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_default();
        assert_eq!(zen, domain, "case {}", case["id"]);
    }
}

/// Pins this process to one core (ZEN runs on it; a batch reads its output there).
fn pin(core: u32) {
    let pid = std::process::id().to_string();
    let _ = Command::new("taskset")
        .args(["-cp", &core.to_string(), &pid])
        .stdout(Stdio::null())
        .status();
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![40, 300]
    } else {
        sizes
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let binary = root.join("target/release/wiebetaalt");
    assert!(
        binary.exists(),
        "build wiebetaalt first: cargo build --release"
    );
    let dir = std::env::temp_dir().join(format!("zen-vergelijking-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!(
        "rules | ZEN evals/s | pipe cases/s | ratio | `>` file cases/s | ratio | `-o` cases/s | ratio"
    );
    println!("---|---|---|---|---|---|---|---");
    for n in sizes {
        let rows = rows(n);
        let bands = rows.last().map_or(1, |r| r.band + 1);
        let rules = dir.join(format!("tabel-{n}.regels"));
        std::fs::write(&rules, regels(&rows)).expect("write rules");
        let zen_cases = cases(20_000, bands);
        let our_cases = cases(300_000, bands);
        let input = dir.join(format!("casussen-{n}.jsonl"));
        let mut text = String::new();
        for c in &our_cases {
            let _ = writeln!(text, "{c}");
        }
        std::fs::write(&input, text).expect("write cases");
        let out = dir.join("uit.jsonl");
        pin(0);
        let zen = Zen::new(&rows, &zen_cases);
        // Rounds of one run each, so that a change in the machine's speed (it is shared)
        // falls on both sides of a ratio alike.
        // One round unmeasured: the binary and the input into memory.
        pin(1);
        for out in [Out::Pipe, Out::Redirect(&out), Out::Durable(&out)] {
            wiebetaalt(&binary, &rules, &input, our_cases.len(), out);
        }
        let (mut z, mut ratios) = (Vec::new(), [Vec::new(), Vec::new(), Vec::new()]);
        let mut ours = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..ROUNDS {
            pin(0);
            let zen = zen.run();
            pin(1);
            let n = our_cases.len();
            let runs = [
                wiebetaalt(&binary, &rules, &input, n, Out::Pipe),
                wiebetaalt(&binary, &rules, &input, n, Out::Redirect(&out)),
                wiebetaalt(&binary, &rules, &input, n, Out::Durable(&out)),
            ];
            z.push(zen);
            for (k, r) in runs.into_iter().enumerate() {
                ours[k].push(r);
                ratios[k].push(r / zen);
            }
        }
        same_outcomes(&rows, &zen_cases[..1000], &out);
        let [pipe, redirect, durable] = ours.map(median);
        let [rp, rr, rd] = ratios.map(median);
        println!(
            "{n} | {:.0} | {pipe:.0} | {rp:.1}x | {redirect:.0} | {rr:.1}x | {durable:.0} | {rd:.1}x",
            median(z)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
