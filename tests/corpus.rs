//! Corpus tests: every file under `tests/cases/` is a test, and its snapshot shows what
//! a user would see (an outline of the checked rule set, a rendered diagnostic, a
//! decision). Error files name their expected code on the first line (`# code: ...`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::diagnostics_of_path;
use wiebetaalt::case::parse_case;
use wiebetaalt::diagnostic::render;
use wiebetaalt::eval::evaluate;
use wiebetaalt::load::load_rules;
use wiebetaalt::report;
use wiebetaalt::ruleset::{RuleSet, Type};
use wiebetaalt::source::Sources;

/// The path relative to the package root (the working directory of tests), so that
/// snapshots do not depend on where the repository lives.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_path_buf()
}

fn expected_code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let first = text.lines().next().unwrap_or_default();
    first
        .strip_prefix("# code: ")
        .unwrap_or_else(|| panic!("{} must start with `# code: ...`", path.display()))
        .trim()
        .to_string()
}

/// A readable summary of a checked rule set.
fn outline(rs: &RuleSet) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "regelset {:?} versie {:?} bestanden {:?}",
        rs.name(),
        rs.version(),
        rs.files()
    )
    .unwrap();
    for d in rs.domains() {
        writeln!(
            s,
            "domein {} label {:?} betaler {:?}",
            d.name, d.label, d.payer
        )
        .unwrap();
    }
    for f in rs.facts() {
        let ty = match f.ty {
            Type::Bool => "ja/nee".to_string(),
            Type::Number => format!("getal {:?}", f.bounds),
            Type::Text => "tekst".to_string(),
            Type::Choice(_) | Type::List(_) => rs.describe_type(f),
        };
        writeln!(s, "feit {}: {ty}", f.name).unwrap();
    }
    for c in rs.concepts() {
        let reads: Vec<&str> = wiebetaalt::ruleset::facts_of(&c.reads)
            .map(|f| rs.fact_name(f))
            .collect();
        writeln!(s, "begrip {} leest {reads:?}", c.name).unwrap();
    }
    for r in rs.rules() {
        let exc: Vec<&str> = r.exception_of.iter().map(|x| rs.rule_name(*x)).collect();
        let reads: Vec<&str> = wiebetaalt::ruleset::facts_of(&r.reads)
            .map(|f| rs.fact_name(f))
            .collect();
        writeln!(
            s,
            "regel {} → {} uitzondering op {exc:?} leest {reads:?} eigen {}",
            r.name,
            report::outcome_words(rs, &r.outcome),
            r.own
        )
        .unwrap();
    }
    for a in rs.atoms() {
        writeln!(s, "voorwaarde {:?}", a.text).unwrap();
    }
    writeln!(
        s,
        "anders {} (geschreven: {})",
        report::outcome_words(rs, rs.fallback().outcome()),
        rs.fallback().is_declared()
    )
    .unwrap();
    writeln!(
        s,
        "bij conflict {}",
        report::outcome_words(rs, rs.conflict())
    )
    .unwrap();
    writeln!(s, "voorbeelden {}", rs.examples().len()).unwrap();
    s
}

#[test]
fn parse_ok() {
    insta::glob!("cases/parse/ok/*.regels", |path| {
        let mut sources = Sources::new();
        let (rs, warnings) = match load_rules(&relative(path), &mut sources) {
            Ok(ok) => ok,
            Err(p) => panic!("{}", render(p.sorted(), &sources, false, 100)),
        };
        let warnings = render(warnings.sorted(), &sources, false, 100);
        insta::assert_snapshot!(format!("{}\n{warnings}", outline(&rs)));
    });
}

/// Checks that a file is refused with its expected code and snapshots the diagnostic.
/// A macro, so that snapshots carry the name of the test that uses it.
macro_rules! assert_fails_with_code {
    ($path:expr) => {{
        let path: &Path = $path;
        let (ok, rendered, codes) = diagnostics_of_path(&relative(path));
        assert!(!ok, "{} must not check", path.display());
        let code = expected_code(path);
        assert!(
            codes.contains(&code),
            "{}: expected code {code}, got {codes:?}\n{rendered}",
            path.display()
        );
        insta::assert_snapshot!(rendered);
    }};
}

#[test]
fn parse_err() {
    insta::glob!("cases/parse/err/*.regels", |path| assert_fails_with_code!(
        path
    ));
}

#[test]
fn check_err() {
    insta::glob!("cases/check/err/*.regels", |path| assert_fails_with_code!(
        path
    ));
}

/// Diagnostics known to be poor (see `cases/poor/README.md`); none at the moment, and
/// the test keeps the directory honest: every file in it is still refused.
#[test]
fn poor_diagnostics() {
    let poor: Vec<_> = std::fs::read_dir("tests/cases/poor")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "regels"))
        .collect();
    if !poor.is_empty() {
        insta::glob!("cases/poor/*.regels", |path| assert_fails_with_code!(path));
    }
}

#[test]
fn check_warn() {
    insta::glob!("cases/check/warn/*.regels", |path| {
        let (ok, rendered, codes) = diagnostics_of_path(&relative(path));
        assert!(ok, "{} has only warnings", path.display());
        assert!(codes.contains(&expected_code(path)), "{codes:?}");
        insta::assert_snapshot!(rendered);
    });
}

#[derive(serde::Deserialize)]
struct EvalCase {
    rules: PathBuf,
    case: serde_json::Value,
    status: String,
    outcome: serde_json::Value,
}

#[test]
fn eval() {
    insta::glob!("cases/eval/*.yaml", |path| {
        let spec: EvalCase = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let rules = relative(path).parent().unwrap().join(&spec.rules);
        let mut sources = Sources::new();
        let (rs, _) = load_rules(&rules, &mut sources)
            .unwrap_or_else(|p| panic!("{}", render(p.sorted(), &sources, false, 100)));
        let text = serde_json::to_string(&spec.case).unwrap();
        let file = sources.add("case.json", text.as_str());
        let case = parse_case(&text, file, &rs).unwrap();
        let decision = evaluate(&rs, &case, case.reference_date.unwrap()).unwrap();
        let json = report::json::decision(&rs, &case, &decision);
        assert_eq!(json["status"], spec.status, "status");
        assert_eq!(json["outcome"], spec.outcome, "outcome");
        insta::assert_snapshot!(format!(
            "{}\n{}",
            report::text::decision(&rs, &case, &decision),
            serde_json::to_string_pretty(&json).unwrap()
        ));
    });
}

#[test]
fn case_err() {
    insta::glob!("cases/case/err/*.yaml", |path| {
        let mut sources = Sources::new();
        let (rs, _) =
            load_rules(Path::new("tests/cases/spec/voorbeeld.regels"), &mut sources).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let file = sources.add(relative(path).to_string_lossy().to_string(), text.as_str());
        let problems = parse_case(&text, file, &rs).expect_err("the case must be refused");
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        let code = expected_code(path);
        assert!(
            codes.contains(&code.as_str()),
            "expected {code}, got {codes:?}"
        );
        insta::assert_snapshot!(render(problems.sorted(), &sources, false, 100));
    });
}

/// The analysis lints of `check`: each file shows its code, the rendered warnings and
/// the JSON of each finding; every example reproduces under `eval`.
#[test]
fn lint() {
    insta::glob!("cases/lint/*.regels", |path| {
        let mut sources = Sources::new();
        let (rs, _) = load_rules(&relative(path), &mut sources).unwrap();
        let problems = wiebetaalt::analysis::lint::lint(&rs, common::date(common::DATE));
        let code = expected_code(path);
        assert!(
            problems.iter().any(|f| f.problem.code.as_str() == code),
            "{code} not found"
        );
        let mut findings = String::new();
        for p in &problems {
            common::assert_reproduces(&rs, p);
            writeln!(
                findings,
                "{}",
                serde_json::to_string(&report::json::finding(p, &sources)).unwrap()
            )
            .unwrap();
        }
        insta::assert_snapshot!(format!(
            "{}\n{findings}",
            render(
                problems.into_iter().map(|f| f.problem).collect(),
                &sources,
                false,
                100
            )
        ));
    });
}
