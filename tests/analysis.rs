//! The symbolic analysis against brute force, and the commands built on it: `diff`,
//! `tree`, `ask`, `eval --why-not` and `fmt`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::collections::BTreeSet;

use common::{date, load_files, rules, DATE};
use proptest::prelude::*;
use wiebetaalt::analysis::{diff::diff, lint::lint};
use wiebetaalt::case::Case;
use wiebetaalt::eval::{decide, evaluate, RuleResult, Scratch, Status};
use wiebetaalt::ruleset::{RuleSet, Value};

// ───────────────────────── brute force ─────────────────────────

const HEADER: &str = "regelset \"Willekeurig\"
domein d1
domein d2
feit b1: ja/nee
feit b2: ja/nee
feit k: keuze(a, b, c)
feit n: getal tussen 0 en 10
feit l: lijst(x, y)
";

/// Atoms whose numbers are whole or halves, so that ±0.25 stays inside a cell.
fn atom() -> impl Strategy<Value = String> {
    let c = (0u32..=20).prop_map(|h| format!("{}", f64::from(h) / 2.0));
    prop_oneof![
        Just("b1".to_string()),
        Just("niet b2".to_string()),
        Just("b2".to_string()),
        prop::sample::select(vec!["a", "b", "c"]).prop_map(|v| format!("k is {v}")),
        Just("k in [a, b]".to_string()),
        Just("k niet in [b, c]".to_string()),
        c.clone().prop_map(|c| format!("n < {c}")),
        c.clone().prop_map(|c| format!("n ten minste {c}")),
        c.prop_map(|c| format!("n is {c}")),
        prop::sample::select(vec!["x", "y"]).prop_map(|v| format!("l bevat {v}")),
        Just("l bevat niet y".to_string()),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    (prop::collection::vec(atom(), 1..4), any::<bool>())
        .prop_map(|(atoms, or)| atoms.join(if or { " of " } else { " en " }))
}

fn outcome() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["d1", "d2", "verdeel d1 50%, d2 50%"]).prop_map(String::from)
}

/// An atom of a route's rule: a fact, or the law's outcome, or a law rule.
fn route_atom() -> impl Strategy<Value = String> {
    prop_oneof![
        atom(),
        prop::sample::select(vec!["d1", "d2"]).prop_map(|v| format!("wet is {v}")),
        Just("wet bevat d2".to_string()),
        Just("wet is niet d1".to_string()),
        (0usize..2).prop_map(|r| format!("regel r{r} geldt")),
    ]
}

/// A rule text: each rule may be an exception to an earlier one; with `route`, a second
/// decision `voor d2` (or not) whose rules read the law.
fn rule_set() -> impl Strategy<Value = String> {
    let law = prop::collection::vec(
        (condition(), outcome(), any::<Option<prop::sample::Index>>()),
        2..6,
    );
    let route = prop::option::of((
        any::<bool>(),
        prop::collection::vec(
            (
                prop::collection::vec(route_atom(), 1..3),
                any::<bool>(),
                prop::sample::select(vec!["v1", "v2"]),
            ),
            1..4,
        ),
    ));
    (law, route).prop_map(|(rules, route)| {
        let mut text = HEADER.to_string();
        for (i, (cond, out, exc)) in rules.iter().enumerate() {
            text.push_str(&format!("regel r{i}\n"));
            if let (Some(ix), true) = (exc, i > 0) {
                text.push_str(&format!("  uitzondering op r{}\n", ix.index(i)));
            }
            text.push_str(&format!("  als {cond}\n  dan {out}\n"));
        }
        text.push_str("anders d1\n");
        if let Some((routes, route_rules)) = route {
            text.push_str("beslissing route\n");
            if routes {
                text.push_str("  voor d2\n");
            }
            text.push_str("  waarde v1\n  waarde v2\n");
            for (i, (atoms, or, out)) in route_rules.iter().enumerate() {
                let cond = atoms.join(if *or { " of " } else { " en " });
                text.push_str(&format!("regel q{i}\n  als {cond}\n  dan {out}\n"));
            }
            text.push_str("anders v1\n");
        }
        text
    })
}

/// Every complete case that the cells can tell apart.
fn all_cases(rs: &RuleSet) -> Vec<Case> {
    let sym = |n: &str| rs.symbols().get(n).unwrap();
    let fact = |n: &str| rs.fact_id(n).unwrap();
    let mut numbers: BTreeSet<String> = BTreeSet::new();
    for h in 0..=20 {
        let c = f64::from(h) / 2.0;
        for d in [-0.25, 0.0, 0.25] {
            if (0.0..=10.0).contains(&(c + d)) {
                numbers.insert(format!("{}", c + d));
            }
        }
    }
    let mut out = Vec::new();
    for b1 in [true, false] {
        for b2 in [true, false] {
            for k in ["a", "b", "c"] {
                for n in &numbers {
                    for l in [vec![], vec!["x"], vec!["y"], vec!["x", "y"]] {
                        let mut items: Vec<_> = l.iter().map(|v| sym(v)).collect();
                        items.sort();
                        out.push(Case::with(
                            rs,
                            &[
                                (fact("b1"), Value::Bool(b1)),
                                (fact("b2"), Value::Bool(b2)),
                                (fact("k"), Value::Choice(sym(k))),
                                (fact("n"), Value::Number(n.parse().unwrap())),
                                (fact("l"), Value::List(items)),
                            ],
                        ));
                    }
                }
            }
        }
    }
    out
}

#[derive(Debug, PartialEq, Default)]
struct Findings {
    never: BTreeSet<String>,
    overridden: BTreeSet<String>,
    conflicts: BTreeSet<(String, String)>,
    fallback: bool,
}

fn brute(rs: &RuleSet) -> Findings {
    let n = rs.rules().len();
    let (mut true_ever, mut applies_ever) = (vec![false; n], vec![false; n]);
    let mut f = Findings::default();
    let mut scratch = Scratch::new();
    for case in all_cases(rs) {
        let d = evaluate(rs, &case, date(DATE)).unwrap();
        // Without the trace, evaluation may stop early; it must decide the same.
        let quick = decide(rs, &mut scratch, &case, date(DATE)).unwrap();
        assert_eq!(
            (quick.status, quick.outcome),
            (d.status, d.outcome.as_ref())
        );
        assert_eq!(scratch.decided_by(), &d.decided_by[..]);
        for s in d.views().flat_map(|v| v.trace.iter()) {
            true_ever[s.rule.index()] |= s.condition == Some(true);
            applies_ever[s.rule.index()] |= s.result == RuleResult::Applies;
        }
        for view in d.views().filter(|v| v.status == Status::Conflict) {
            let applying: Vec<_> = view
                .trace
                .iter()
                .filter(|s| s.result == RuleResult::Applies)
                .collect();
            for (i, a) in applying.iter().enumerate() {
                for b in &applying[i + 1..] {
                    let (ra, rb) = (rs.rule(a.rule), rs.rule(b.rule));
                    if ra.outcome != rb.outcome {
                        f.conflicts.insert((ra.name.clone(), rb.name.clone()));
                    }
                }
            }
        }
        f.fallback |= d.status == Status::Fallback;
    }
    for (i, r) in rs.rules().iter().enumerate() {
        if !true_ever[i] {
            f.never.insert(r.name.clone());
        } else if !applies_ever[i] {
            f.overridden.insert(r.name.clone());
        }
    }
    f
}

fn analysed(rs: &RuleSet) -> Findings {
    let mut f = Findings::default();
    for finding in lint(rs, date(DATE)) {
        common::assert_reproduces(rs, &finding);
        let p = &finding;
        match p.problem.code.as_str() {
            "never-applies" => {
                f.never.insert(p.rules[0].clone());
            }
            "always-overridden" => {
                f.overridden.insert(p.rules[0].clone());
            }
            "possible-conflict" => {
                let mut pair = [p.rules[0].clone(), p.rules[1].clone()];
                pair.sort_by_key(|n| n[1..].parse::<usize>().unwrap());
                f.conflicts.insert((pair[0].clone(), pair[1].clone()));
            }
            "reaches-fallback" => f.fallback = true,
            "unused-fact" | "unused-concept" => {}
            other => panic!("unexpected {other}: {}", p.problem.message),
        }
    }
    f
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// With single-fact comparisons the analysis is exact: it finds exactly the dead
    /// rules, the always-overridden rules, the conflicting pairs and the grey area that
    /// trying every case finds, and every example reproduces.
    #[test]
    fn the_analysis_agrees_with_brute_force(text in rule_set()) {
        let rs = rules(&text);
        prop_assert_eq!(analysed(&rs), brute(&rs), "{}", text);
    }
}

// ───────────────────────── diff ─────────────────────────

fn load(path: &str) -> RuleSet {
    let mut sources = wiebetaalt::source::Sources::new();
    wiebetaalt::load::load_rules(std::path::Path::new(path), &mut sources)
        .unwrap()
        .0
}

/// A shipped file and the files it is based on, in memory, the first one formatted.
fn formatted_with_bases(path: &str) -> Vec<(String, String)> {
    let rs = load(path);
    let mut files: Vec<(String, String)> = rs
        .files()
        .iter()
        .map(|f| (f.clone(), std::fs::read_to_string(f).unwrap()))
        .collect();
    files.reverse(); // the checked file first
    files[0].1 = wiebetaalt::format::format(&files[0].1);
    files
}

#[test]
fn every_rule_file_keeps_its_meaning_when_formatted() {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "regels") {
                out.push(p.display().to_string());
            }
        }
    }
    let mut paths: Vec<String> = Vec::new();
    walk(std::path::Path::new("rules"), &mut paths);
    walk(std::path::Path::new("tests/cases"), &mut paths);
    assert!(paths.len() > 50, "{paths:?}");
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let body = wiebetaalt::source::without_bom(&text);
        if wiebetaalt::syntax::parse(wiebetaalt::source::FileId(0), body).is_err() {
            continue; // `fmt` leaves files with syntax errors alone
        }
        let once = wiebetaalt::format::format(body);
        assert!(
            wiebetaalt::syntax::parse(wiebetaalt::source::FileId(0), &once).is_ok(),
            "{path}: the formatted text does not parse"
        );
        assert_eq!(
            wiebetaalt::format::format(&once),
            once,
            "{path}: not idempotent"
        );
        let mut sources = wiebetaalt::source::Sources::new();
        let Ok((original, _)) =
            wiebetaalt::load::load_rules(std::path::Path::new(&path), &mut sources)
        else {
            continue;
        };
        let files = formatted_with_bases(&path);
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (result, _) = load_files(&borrowed);
        let (formatted, _) = result.unwrap_or_else(|_| panic!("{path}: formatted text has errors"));
        let d = diff(&original, &formatted, date(DATE));
        assert!(
            d.changes.is_empty(),
            "{path}: {}",
            wiebetaalt::report::diff::text(&d, "oud", "nieuw")
        );
        assert_eq!(original.rules().len(), formatted.rules().len());
        assert_eq!(original.examples().len(), formatted.examples().len());
    }
}

#[test]
fn a_file_differs_from_itself_in_nothing() {
    let rs = load("rules/kop-van-noord-holland.regels");
    let d = diff(&rs, &rs, date(DATE));
    assert!(d.changes.is_empty());
    assert!(d.exact);
}

/// Renaming a concept and reordering rules changes nothing either.
#[test]
fn layout_order_and_concept_names_are_not_differences() {
    let a = rules(
        "regelset \"A\" domein x domein y feit p: ja/nee feit n: getal
         begrip groot = n meer dan 5
         regel r1 als p en groot dan x
         regel r2 als niet p dan y
         anders y",
    );
    let b = rules(
        "regelset \"B\" domein x domein y feit p: ja/nee feit n: getal
         regel r2 als niet p dan y
         begrip flink = n > 5
         regel r1 als flink en p dan x
         anders y",
    );
    assert!(diff(&a, &b, date(DATE)).changes.is_empty());
}

#[test]
fn diff_names_each_changed_region_with_an_example_that_shows_it() {
    let old = load("rules/foodvalley.regels");
    let new = load("rules/kop-van-noord-holland.regels");
    let d = diff(&old, &new, date(DATE));
    assert!(d.exact);
    assert!(!d.changes.is_empty());
    for c in &d.changes {
        let yaml = serde_json::to_string(&c.example).unwrap();
        for (rs, v) in [(&old, &c.old), (&new, &c.new)] {
            let decision = common::decide(rs, &yaml);
            assert_eq!(
                wiebetaalt::analysis::Answer::of(rs, &decision),
                *v,
                "{} {yaml}",
                c.when
            );
        }
    }
    // The Kop splits the grey area of Foodvalley's edges: onderwijs became 50/50.
    let edge = d
        .changes
        .iter()
        .find(|c| c.when.contains("problematiek bevat gedrag"))
        .expect("the behaviour edge changes");
    assert_eq!(
        wiebetaalt::report::answer_words(&edge.old),
        "onderwijs (beslist)"
    );
    assert_eq!(
        wiebetaalt::report::answer_words(&edge.new),
        "verdeel onderwijs 50%, jeugdwet 50% (beslist)"
    );
    let json = wiebetaalt::report::diff::json(&d);
    let first = &json["changes"][0];
    for key in ["when", "old", "new", "example"] {
        assert!(!first[key].is_null(), "{key}");
    }
    assert!(first["old"]["status"].is_string());
    assert_eq!(json["exact"], true);
}

// ───────────────────────── the commands ─────────────────────────

/// Exit code, stdout and stderr of the binary.
fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let o = common::run(args, Some(stdin));
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn ask_asks_only_what_can_change_the_outcome() {
    // A 12-year-old's anxiety treatment: three answers, one of them first out of bounds.
    let (code, out, err) = run(
        &[
            "ask",
            "--rules",
            "rules/landelijk.regels",
            "--peildatum",
            DATE,
            "--format",
            "json",
        ],
        "behandeling\n45\n12\n?\nangst_depressie\n",
    );
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["status"], "decided");
    assert_eq!(d["outcome"], serde_json::json!({"jeugdwet": 100}));
    assert_eq!(d["decided_by"], serde_json::json!(["zorg_bij_het_kind"]));
    assert!(err.contains("Wat voor ondersteuning is het?"), "{err}");
    assert!(err.contains("45 ligt niet tussen 0 en 30"), "{err}");
    assert_eq!(
        err.matches("\n> ").count() + usize::from(err.starts_with("> ")),
        5,
        "{err}"
    );
    // Questions that cannot matter for a treatment are never asked.
    for never in ["Wlz-indicatie", "thuis gebruikt", "(km)"] {
        assert!(!err.contains(never), "asked about {never}: {err}");
    }
}

#[test]
fn ask_accepts_numbers_for_choices_and_stops_cleanly_at_the_end_of_input() {
    let (code, out, _) = run(
        &[
            "ask",
            "--rules",
            "rules/landelijk.regels",
            "--peildatum",
            DATE,
        ],
        "6\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("Uitkomst: zvw"), "{out}");
    let (code, out, err) = run(
        &[
            "ask",
            "--rules",
            "rules/landelijk.regels",
            "--peildatum",
            DATE,
        ],
        "behandeling\n",
    );
    assert_eq!(code, 1);
    assert_eq!(out, "", "no partial decision");
    assert!(err.contains("de invoer houdt op"), "{err}");
}

#[test]
fn why_not_explains_every_rule_that_gives_the_domain() {
    let dir = common::temp_dir("why");
    let case = dir.join("casus.yaml");
    std::fs::write(
        &case,
        "soort: verpleging\nleeftijd: 10\nwlz_indicatie: ja\npeildatum: 2025-09-01\n",
    )
    .unwrap();
    let (code, out, err) = run(
        &[
            "eval",
            "--rules",
            "rules/landelijk.regels",
            "--why-not",
            "zvw",
            case.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let why = out.split("Waarom niet zvw?").nth(1).unwrap();
    assert!(
        why.contains("`verpleging_zvw`")
            && why.contains("opzij gezet door de uitzondering `wlz_zorg`"),
        "{why}"
    );
    assert!(
        why.contains("`paramedische_therapie`")
            && why.contains("onwaar: soort is paramedische_therapie  (soort = verpleging (verpleegkundige handelingen))"),
        "{why}"
    );
    let (code, _, err) = run(
        &[
            "eval",
            "--rules",
            "rules/landelijk.regels",
            "--why-not",
            "zwv",
            case.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 1);
    assert!(err.contains("zvw"), "{err}");
}

#[test]
fn tree_shows_questions_and_outcomes_in_every_format() {
    let (code, text, _) = run(
        &[
            "tree",
            "--rules",
            "tests/cases/lint/grijs.regels",
            "--peildatum",
            DATE,
        ],
        "",
    );
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "soort?\n  [soort is begeleiding]\n    thuis?\n      [thuis] → grijs gebied: verdeel onderwijs 50%, jeugdwet 50% (grijs gebied)\n      [niet thuis] → onderwijs (beslist)\n  [soort is behandeling] → jeugdwet (beslist)\n  [soort is vervoer]\n    afstand?\n      [afstand ten hoogste 6] → grijs gebied: verdeel onderwijs 50%, jeugdwet 50% (grijs gebied)\n      [afstand meer dan 6] → onderwijs (beslist)\n  [soort is hulpmiddel] → grijs gebied: verdeel onderwijs 50%, jeugdwet 50% (grijs gebied)\n"
    );
    let (_, mermaid, _) = run(
        &[
            "tree",
            "--rules",
            "rules/kop-van-noord-holland.regels",
            "--format",
            "mermaid",
        ],
        "",
    );
    assert!(
        mermaid.starts_with("flowchart TD\n")
            && mermaid.contains("class n")
            && mermaid.contains("grey"),
        "{mermaid}"
    );
    let (_, dot, _) = run(
        &[
            "tree",
            "--rules",
            "rules/kop-van-noord-holland.regels",
            "--format",
            "dot",
        ],
        "",
    );
    assert!(dot.starts_with("digraph") && dot.trim_end().ends_with('}'));
    assert!(dot.contains("Wat voor ondersteuning is het?"));
}

#[test]
fn fmt_rewrites_in_place_and_check_reports_without_writing() {
    let dir = common::temp_dir("fmt");
    let file = dir.join("los.regels");
    std::fs::write(
        &file,
        "regelset \"X\" domein a feit p: ja/nee regel r als p dan a\nanders a",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (code, out, _) = run(&["fmt", "--check", path], "");
    assert_eq!((code, out.contains("niet in de vaste vorm")), (3, true));
    let (code, _, _) = run(&["fmt", path], "");
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "regelset \"X\"\n\ndomein a\n\nfeit p: ja/nee\n\nregel r\n  als p\n  dan a\n\nanders a\n"
    );
    assert_eq!(run(&["fmt", "--check", path], "").0, 0);
    // A file with a syntax error is left alone.
    std::fs::write(&file, "regelset \"X\" regel r als dan").unwrap();
    let (code, _, err) = run(&["fmt", path], "");
    assert_eq!(code, 1);
    assert!(err.contains("los.regels:1:"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "regelset \"X\" regel r als dan"
    );
}

/// A region that only adds a route keeps the law: `diff` says so, apart from changes of
/// the law, and the JSON carries the further decisions of each side.
#[test]
fn diff_tells_a_new_route_from_a_changed_law() {
    let load = |p: &str| {
        let mut sources = wiebetaalt::source::Sources::new();
        wiebetaalt::load::load_rules(std::path::Path::new(p), &mut sources)
            .unwrap()
            .0
    };
    let (old, new) = (
        load("rules/landelijk.regels"),
        load("rules/nijmegen.regels"),
    );
    let d = diff(&old, &new, date(DATE));
    assert!(!d.changes.is_empty());
    assert!(d.changes.iter().all(|c| c.old.same_law(&c.new)));
    let text = wiebetaalt::report::diff::text(&d, "a", "b");
    assert!(!text.contains("De wet verandert"), "{text}");
    let json = wiebetaalt::report::diff::json(&d);
    let first = &json["changes"][0];
    assert!(first["old"].get("decisions").is_none(), "{first}");
    assert!(
        first["new"]["decisions"]["route"]["status"].is_string(),
        "{first}"
    );
    // Einstein changes the law for its arrangements and adds a route: both kinds, law first.
    let d = diff(&old, &load("rules/einstein-class.regels"), date(DATE));
    let text = wiebetaalt::report::diff::text_limited(&d, "a", "b", 2);
    let law = text.find("De wet verandert").unwrap();
    let route = text.find("De wet blijft gelijk").unwrap();
    assert!(law < route, "{text}");
    assert!(text.contains("... en nog"), "{text}");
}
