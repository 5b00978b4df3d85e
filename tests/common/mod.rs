//! Helpers shared by the integration tests: load rule text from memory, decide cases,
//! render diagnostics without colour at a fixed width.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use wiebetaalt::case::{parse_case, Case};
use wiebetaalt::diagnostic::{render, Errors, Problems};
use wiebetaalt::eval::{evaluate, Decision, EvalError, RuleResult};
use wiebetaalt::load::{load_rules, load_with};
use wiebetaalt::report;
use wiebetaalt::ruleset::RuleSet;
use wiebetaalt::source::Sources;

pub const DATE: &str = "2025-09-01";

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// Loads rule files held in memory; the first is the one checked.
pub fn load_files(files: &[(&str, &str)]) -> (Result<(RuleSet, Problems), Errors>, Sources) {
    let map: HashMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect();
    let read = |p: &Path| {
        map.get(p)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "niet gevonden"))
    };
    let mut sources = Sources::new();
    let result = load_with(Path::new(files[0].0), &read, &mut sources);
    (result, sources)
}

/// Loads one rule text that must be free of errors.
pub fn rules(text: &str) -> RuleSet {
    let (result, sources) = load_files(&[("test.regels", text)]);
    match result {
        Ok((rs, _)) => rs,
        Err(problems) => panic!(
            "rule text has errors:\n{}",
            render(problems.sorted(), &sources, false, 100)
        ),
    }
}

/// The rendered errors and warnings of a rule text (empty when there are none).
pub fn diagnostics(files: &[(&str, &str)]) -> String {
    let (result, sources) = load_files(files);
    let problems = match result {
        Ok((_, warnings)) => warnings.sorted(),
        Err(errors) => errors.sorted(),
    };
    render(problems, &sources, false, 100)
}

/// Diagnostics of a rule file on disk.
pub fn diagnostics_of_path(path: &Path) -> (bool, String, Vec<String>) {
    let mut sources = Sources::new();
    let (ok, problems) = match load_rules(path, &mut sources) {
        Ok((_, w)) => (true, w.sorted()),
        Err(p) => (false, p.sorted()),
    };
    let codes = problems
        .iter()
        .map(|p| p.code.as_str().to_string())
        .collect();
    (ok, render(problems, &sources, false, 100), codes)
}

pub fn case(rs: &RuleSet, yaml: &str) -> Case {
    let mut sources = Sources::new();
    let id = sources.add("case.yaml", yaml);
    match parse_case(yaml, id, rs) {
        Ok(c) => c,
        Err(p) => panic!(
            "case has errors:\n{}",
            render(p.sorted(), &sources, false, 100)
        ),
    }
}

pub fn try_decide(rs: &RuleSet, yaml: &str) -> Result<Decision, EvalError> {
    let c = case(rs, yaml);
    evaluate(rs, &c, c.reference_date.unwrap_or(date(DATE)))
}

pub fn decide(rs: &RuleSet, yaml: &str) -> Decision {
    try_decide(rs, yaml).unwrap()
}

/// `rule=result` for every rule, in trace order.
pub fn results(rs: &RuleSet, d: &Decision) -> String {
    d.trace
        .iter()
        .map(|s| format!("{}={}", rs.rule_name(s.rule), s.result.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn result_of(rs: &RuleSet, d: &Decision, rule: &str) -> RuleResult {
    d.trace
        .iter()
        .find(|s| rs.rule_name(s.rule) == rule)
        .unwrap()
        .result
}

/// The outcome in the language's words, or `-` when there is none.
pub fn outcome(rs: &RuleSet, d: &Decision) -> String {
    d.outcome
        .as_ref()
        .map_or("-".to_string(), |o| report::outcome_words(rs, o))
}

pub fn names_of_missing(rs: &RuleSet, d: &Decision) -> Vec<String> {
    d.missing
        .iter()
        .map(|f| rs.fact_name(*f).to_string())
        .collect()
}

pub fn decided_by(rs: &RuleSet, d: &Decision) -> Vec<String> {
    d.decided_by
        .iter()
        .map(|r| rs.rule_name(*r).to_string())
        .collect()
}

/// The decision JSON of a case.
pub fn json(rs: &RuleSet, yaml: &str) -> serde_json::Value {
    let c = case(rs, yaml);
    let d = evaluate(rs, &c, c.reference_date.unwrap_or(date(DATE))).unwrap();
    report::json::decision(rs, &c, &d)
}

/// The spec's complete example (section 1).
pub fn spec_example() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/cases/spec/voorbeeld.regels"
    ))
    .unwrap()
}

/// Checks that the example of an analysis finding shows what the finding claims under
/// `eval`, and panics with the reason when it does not.
pub fn assert_reproduces(rs: &RuleSet, f: &wiebetaalt::diagnostic::Finding) {
    let Some(example) = &f.example else {
        return;
    };
    let p = &f.problem;
    let yaml = serde_json::to_string(example).unwrap();
    let d = decide(rs, &yaml);
    match p.code.as_str() {
        "possible-conflict" if f.rules.is_empty() => {}
        "possible-conflict" => {
            // The conflict is in the decision of the rules named.
            let decision = rs.rule(rs.rule_id(&f.rules[0]).unwrap()).decision;
            let view = d.views().find(|v| v.decision == decision).unwrap();
            assert_eq!(view.status.as_str(), "conflict", "{} {yaml}", p.message);
            let by: Vec<String> = view
                .decided_by
                .iter()
                .map(|r| rs.rule_name(*r).to_string())
                .collect();
            for r in &f.rules {
                assert!(by.contains(r), "{r} not in {by:?}: {yaml}");
            }
        }
        "reaches-fallback" => assert_eq!(d.status.as_str(), "fallback", "{} {yaml}", p.message),
        "always-overridden" => {
            let step = d
                .views()
                .flat_map(|v| v.trace.iter())
                .find(|s| rs.rule_name(s.rule) == f.rules[0])
                .unwrap();
            assert_eq!(step.result.as_str(), "overridden", "{yaml}");
            for other in &f.rules[1..] {
                assert!(
                    step.overridden_by.iter().any(|r| rs.rule_name(*r) == other),
                    "{other}: {yaml}"
                );
            }
        }
        other => panic!("{other} has an example but no check"),
    }
}

/// Starts `wiebetaalt serve --rules DIR [EXTRA...]` on a free port and returns the
/// process and its address (`http://127.0.0.1:PORT`), read from the line it prints when
/// it listens.
pub fn spawn_server(
    dir: &str,
    extra: &[&str],
    stderr: std::process::Stdio,
) -> (std::process::Child, String) {
    spawn_server_with("", dir, extra, stderr)
}

/// [`spawn_server`] through `sh`, after the shell commands `limits` (such as `ulimit -n
/// 64;`), so that a test can start the service with less than the machine has.
pub fn spawn_server_with(
    limits: &str,
    dir: &str,
    extra: &[&str],
    stderr: std::process::Stdio,
) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{limits} exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args(["serve", "--rules", dir, "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, url)
}

/// A directory of its own for one test's files (`wiebetaalt-TAG-PID` in the temp dir).
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wiebetaalt-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every rule file in `rules/`, sorted.
pub fn shipped() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir("rules")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".regels"))
        .collect();
    files.sort();
    files
}

/// Runs the binary with `args` and `stdin`, without colours.
pub fn run(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The binary may exit (say, on invalid rules) before it reads its input.
    if let Err(e) = input.write_all(stdin.unwrap_or_default().as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// `wiebetaalt log verify LOG`, which must find the log in order; what it says.
pub fn verified(log: &str) -> String {
    let out = run(&["log", "verify", log], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The checkpoint of the last record of a log in order (`seq:hash`), as `log verify`
/// prints it.
pub fn checkpoint(log: &str) -> String {
    verified(log)
        .split_whitespace()
        .last()
        .unwrap()
        .trim_end_matches('.')
        .to_string()
}
pub mod generated;
