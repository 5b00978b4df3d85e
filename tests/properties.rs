//! Laws that hold for every input, checked on generated inputs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::path::Path;

use proptest::prelude::*;
use rust_decimal::Decimal;
use wiebetaalt::case::{parse_case, Case};
use wiebetaalt::eval::{decide, decide_more, decide_traced, evaluate, Scratch, Status};
use wiebetaalt::load::load_rules;
use wiebetaalt::report;
use wiebetaalt::ruleset::{Fact, RuleSet, Type, Value};
use wiebetaalt::source::Sources;

/// Every shipped rule file, and the example of the specification.
fn shipped_paths() -> Vec<String> {
    let mut files = common::shipped();
    files.push("tests/cases/spec/voorbeeld.regels".to_string());
    files
}

fn shipped(i: usize) -> RuleSet {
    let files = shipped_paths();
    let mut sources = Sources::new();
    load_rules(Path::new(&files[i % files.len()]), &mut sources)
        .unwrap()
        .0
}

/// Any value of a fact's type.
fn value(fact: &Fact) -> BoxedStrategy<Value> {
    match fact.ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => {
            let (low, high) = fact
                .bounds
                .unwrap_or((Decimal::from(-100), Decimal::from(100)));
            let (low, high) = (
                i64::try_from(low.floor()).unwrap() * 2,
                i64::try_from(high.floor()).unwrap() * 2,
            );
            // Halves written with one decimal (`12.5`, `12.0`), and whole numbers as
            // read from JSON (`12`).
            (low..=high, any::<bool>())
                .prop_map(|(halves, whole)| {
                    Value::Number(if whole {
                        Decimal::from(halves / 2)
                    } else {
                        Decimal::new(halves * 5, 1)
                    })
                })
                .boxed()
        }
        Type::Text => "[a-z ]{0,6}".prop_map(|s| Value::Text(s.into())).boxed(),
        Type::Choice(_) => prop::sample::select(fact.values.clone())
            .prop_map(Value::Choice)
            .boxed(),
        Type::List(_) => {
            let n = fact.values.len();
            prop::sample::subsequence(fact.values.clone(), 0..=n)
                .prop_map(|mut v| {
                    v.sort();
                    Value::List(v)
                })
                .boxed()
        }
    }
}

/// For every fact: whether it is known in the first case, a value for it, and whether a
/// second, larger case adds it.
fn facts(rs: &RuleSet) -> impl Strategy<Value = Vec<(bool, Value, bool)>> {
    rs.facts()
        .iter()
        .map(|f| (prop::bool::weighted(0.4), value(f), any::<bool>()))
        .collect::<Vec<_>>()
}

/// The facts known in the first case.
fn known(facts: &[(bool, Value, bool)]) -> Vec<Option<Value>> {
    facts
        .iter()
        .map(|(known, v, _)| known.then(|| v.clone()))
        .collect()
}

fn case(values: Vec<Option<Value>>) -> Case {
    Case {
        id: None,
        reference_date: None,
        costs: None,
        values,
    }
}

fn date() -> jiff::civil::Date {
    common::date(common::DATE)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_any_rule_text(text in "\\PC{0,200}") {
        let _ = common::load_files(&[("x.regels", &text)]);
    }

    #[test]
    fn no_panic_on_edited_rule_files(
        file in 0usize..12,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..12, prop::sample::select(vec![
            "", " ", "\n", "\"", "(", ")", "[", "]", ",", "%", "=", "/", "0", "-", "als", "dan", "regel",
            "uitzondering op", "en", "of", "niet", "is", "bevat", "verdeel", "x", "#", "vervang", "schrap",
        ])), 1..4),
    ) {
        let files = shipped_paths();
        let mut text = std::fs::read_to_string(&files[file]).unwrap();
        for (at, cut, insert) in edits {
            let mut start = at.index(text.len().max(1));
            while !text.is_char_boundary(start) { start -= 1; }
            let mut end = (start + cut).min(text.len());
            while !text.is_char_boundary(end) { end += 1; }
            text.replace_range(start..end, insert);
        }
        // Bases are read from disk next to the original.
        let dir = Path::new(&files[file]).parent().unwrap();
        let name = dir.join("bewerkt.regels");
        let read = |p: &Path| if p == name { Ok(text.clone()) } else { std::fs::read_to_string(p) };
        let mut sources = Sources::new();
        let _ = wiebetaalt::load::load_with(&name, &read, &mut sources);
    }

    #[test]
    fn no_panic_on_any_case_text(file in 0usize..4, text in "\\PC{0,120}") {
        let rs = shipped(file);
        let mut sources = Sources::new();
        let id = sources.add("case.yaml", text.as_str());
        if let Ok(c) = parse_case(&text, id, &rs) {
            let _ = evaluate(&rs, &c, c.reference_date.unwrap_or(date()));
        }
    }

    #[test]
    fn no_panic_on_cases_with_any_keys(file in 0usize..4, entries in prop::collection::vec(("[a-z_]{1,12}", "[a-z0-9\\[\\], ]{0,12}"), 0..6)) {
        let rs = shipped(file);
        let text: String = entries.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
        let mut sources = Sources::new();
        let id = sources.add("case.yaml", text.as_str());
        let _ = parse_case(&text, id, &rs);
    }
}

/// Runs a property over random cases of every shipped rule set.
fn for_cases(check: impl Fn(&RuleSet, Vec<(bool, Value, bool)>) -> Result<(), TestCaseError>) {
    for (i, path) in shipped_paths().iter().enumerate() {
        let rs = shipped(i);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 300,
            ..ProptestConfig::default()
        });
        runner
            .run(&facts(&rs), |facts| check(&rs, facts))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

#[test]
fn a_decision_does_not_depend_on_the_order_of_the_facts_in_the_case() {
    for_cases(|rs, facts| {
        let values = known(&facts);
        let entries: Vec<String> = rs
            .fact_ids()
            .filter_map(|f| {
                let v = values[f.index()].as_ref()?;
                Some(format!(
                    "{}: {}",
                    rs.fact_name(f),
                    wiebetaalt::case::value_json(rs, v)
                ))
            })
            .collect();
        let reversed: Vec<String> = entries.iter().rev().cloned().collect();
        let decide_text = |lines: &[String]| {
            let text = format!("peildatum: 2025-09-01\n{}\n", lines.join("\n"));
            let mut sources = Sources::new();
            let id = sources.add("case.yaml", text.as_str());
            let c = parse_case(&text, id, rs).unwrap();
            let d = evaluate(rs, &c, date()).unwrap();
            report::json::decision(rs, &c, &d)
        };
        prop_assert_eq!(decide_text(&entries), decide_text(&reversed));
        Ok(())
    });
}

#[test]
fn giving_every_missing_fact_a_value_ends_incompleteness() {
    let incomplete = std::sync::atomic::AtomicUsize::new(0);
    for_cases(|rs, facts| {
        let mut values = known(&facts);
        let d = evaluate(rs, &case(values.clone()), date()).unwrap();
        if d.status != Status::Incomplete {
            prop_assert!(d.missing.is_empty());
            return Ok(());
        }
        incomplete.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        prop_assert!(
            !d.missing.is_empty(),
            "an incomplete decision names what is missing"
        );
        for f in &d.missing {
            prop_assert!(values[f.index()].is_none(), "only absent facts are missing");
            values[f.index()] = Some(facts[f.index()].1.clone());
        }
        let after = evaluate(rs, &case(values), date()).unwrap();
        prop_assert_ne!(after.status, Status::Incomplete);
        Ok(())
    });
    assert!(
        incomplete.into_inner() > 100,
        "the generator must produce incomplete cases"
    );
}

#[test]
fn a_complete_decision_stays_when_facts_are_added() {
    for_cases(|rs, facts| {
        let first = known(&facts);
        let more: Vec<Option<Value>> = facts
            .iter()
            .map(|(known, v, add)| (*known || *add).then(|| v.clone()))
            .collect();
        let d1 = evaluate(rs, &case(first), date()).unwrap();
        let d2 = evaluate(rs, &case(more), date()).unwrap();
        if d1.status != Status::Incomplete {
            prop_assert_eq!(d1.status, d2.status);
            prop_assert_eq!(&d1.outcome, &d2.outcome);
        }
        // Once no decision is incomplete, none changes, nor does who pays.
        if d1.views().all(|v| v.status != Status::Incomplete) {
            for (a, b) in d1.views().zip(d2.views()) {
                prop_assert_eq!((a.status, a.outcome), (b.status, b.outcome));
            }
            if d1.payment.shares.is_some() {
                prop_assert_eq!(&d1.payment.shares, &d2.payment.shares);
            }
        }
        Ok(())
    });
}

/// The rule names in trace order, read from the rule files themselves: base first,
/// `vervang regel` in the place of the rule it replaces, `schrap regel` leaving none.
fn rules_in_file_order(rs: &RuleSet) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for file in rs.files() {
        let text = std::fs::read_to_string(file).unwrap();
        let words: Vec<&str> = wiebetaalt::syntax::lexer::tokens(&text)
            .into_iter()
            .filter(|t| t.kind == wiebetaalt::syntax::lexer::TokenKind::Word)
            .map(|t| t.text)
            .collect();
        for (i, w) in words.iter().enumerate() {
            // `regel NAAM geldt` in a condition reads a rule; it declares none.
            if *w != "regel" || i + 1 >= words.len() || words.get(i + 2) == Some(&"geldt") {
                continue;
            }
            let name = words[i + 1].to_string();
            match i.checked_sub(1).map(|j| words[j]) {
                Some("vervang") => assert!(names.contains(&name), "{name} replaces nothing"),
                Some("schrap") => names.retain(|n| *n != name),
                _ => names.push(name),
            }
        }
    }
    names
}

#[test]
fn every_rule_appears_once_in_file_order() {
    for_cases(|rs, facts| {
        let c = case(known(&facts));
        let d = evaluate(rs, &c, date()).unwrap();
        let in_file = rules_in_file_order(rs);
        let mut traced = 0;
        // Each decision's trace holds exactly its own rules, in file order; a decision
        // the case does not need (`voor` a domain without a share) traces nothing.
        for view in d.views() {
            if view.status == Status::NotNeeded {
                prop_assert!(view.trace.is_empty());
                prop_assert!(view.outcome.is_none());
                continue;
            }
            let order: Vec<&str> = view.trace.iter().map(|s| rs.rule_name(s.rule)).collect();
            let own: Vec<&str> = in_file
                .iter()
                .map(String::as_str)
                .filter(|n| rs.rule(rs.rule_id(n).unwrap()).decision == view.decision)
                .collect();
            prop_assert_eq!(order, own);
            traced += view.trace.len();
        }
        let needed: usize = d
            .views()
            .filter(|v| v.status != Status::NotNeeded)
            .map(|v| rs.rules_of(v.decision).count())
            .sum();
        prop_assert_eq!(traced, needed);
        Ok(())
    });
}

#[test]
fn deciding_without_the_trace_gives_the_same_decision() {
    for_cases(|rs, facts| {
        let c = case(known(&facts));
        let full = evaluate(rs, &c, date()).unwrap();
        let mut scratch = Scratch::new();
        // The scratch is reused: a previous case must leave nothing behind.
        let other = case(vec![None; rs.facts().len()]);
        decide_traced(rs, &mut scratch, &other, date()).unwrap();
        let verdict = decide(rs, &mut scratch, &c, date()).unwrap();
        prop_assert_eq!(verdict.status, full.status);
        prop_assert_eq!(verdict.outcome, full.outcome.as_ref());
        prop_assert_eq!(scratch.decided_by(), &full.decided_by[..]);
        prop_assert_eq!(scratch.missing(), &full.missing[..]);
        let again = scratch.decision(rs, verdict, &c);
        prop_assert!(again.trace.is_empty());
        prop_assert_eq!(&again.missing, &full.missing);
        // Every further decision and the payment, too.
        prop_assert_eq!(again.parts.len(), full.parts.len());
        for (a, f) in again.parts.iter().zip(&full.parts) {
            prop_assert!(a.trace.is_empty());
            prop_assert_eq!(
                (a.decision, a.status, &a.outcome, &a.decided_by, &a.missing),
                (f.decision, f.status, &f.outcome, &f.decided_by, &f.missing)
            );
        }
        prop_assert_eq!(&again.payment, &full.payment);
        Ok(())
    });
}

/// Deciding a larger case from what a smaller one knew ([`decide_more`], as the analysis
/// does) gives exactly what deciding it afresh gives: every rule's condition and result,
/// every decision, the missing facts and the payment.
#[test]
fn deciding_from_a_smaller_case_gives_the_same_decision() {
    for_cases(|rs, facts| {
        let first = case(known(&facts));
        let more = case(
            facts
                .iter()
                .map(|(known, v, add)| (*known || *add).then(|| v.clone()))
                .collect(),
        );
        let mut fresh = Scratch::new();
        let expected = decide(rs, &mut fresh, &more, date()).unwrap();
        let mut scratch = Scratch::new();
        decide(rs, &mut scratch, &first, date()).unwrap();
        let known: Vec<Option<bool>> = scratch.conditions(rs).collect();
        let verdict = decide_more(rs, &mut scratch, &more, date(), &known).unwrap();
        prop_assert_eq!(verdict, expected);
        prop_assert!(scratch.conditions(rs).eq(fresh.conditions(rs)));
        for r in rs.rule_ids() {
            prop_assert_eq!(scratch.result(r), fresh.result(r));
        }
        prop_assert_eq!(
            scratch.decision(rs, verdict, &more),
            fresh.decision(rs, expected, &more)
        );
        Ok(())
    });
}

/// Every rule's condition and result, untraced (from the decision tables where they
/// hold the rule) and traced (node by node), for one case.
fn same_rule_by_rule(rs: &RuleSet, c: &Case) -> Result<(), TestCaseError> {
    let mut tables = Scratch::new();
    let mut nodes = Scratch::new();
    let a = decide(rs, &mut tables, c, date()).unwrap();
    let b = decide_traced(rs, &mut nodes, c, date()).unwrap();
    prop_assert_eq!(a, b);
    for r in rs.rule_ids() {
        prop_assert_eq!(
            (tables.condition(r), tables.result(r)),
            (nodes.condition(r), nodes.result(r)),
            "rule {}",
            rs.rule(r).name
        );
    }
    Ok(())
}

/// The decision tables decide every rule they hold exactly as the interpreter does: on
/// generated rule sets (every condition of the kinds the tables hold, exceptions among
/// them) and on every shipped rule set; and they do hold rules, so this tests them.
#[test]
fn the_decision_tables_decide_as_the_interpreter() {
    let sets = [40, 300].into_iter().flat_map(|n| {
        [
            common::generated::generated(n),
            common::generated::generated_mixed(n),
        ]
        .map(|text| (n, text))
    });
    for (n, text) in sets {
        let rs = common::rules(&text);
        assert_eq!(wiebetaalt::eval::rules_in_tables(&rs), n);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 500,
            ..ProptestConfig::default()
        });
        runner
            .run(&facts(&rs), |facts| {
                same_rule_by_rule(&rs, &case(known(&facts)))
            })
            .unwrap();
    }
    let national = shipped(
        shipped_paths()
            .iter()
            .position(|p| p.ends_with("landelijk.regels"))
            .unwrap(),
    );
    assert!(wiebetaalt::eval::rules_in_tables(&national) > 10);
    // Every rule of these files only compares facts with constants (also through
    // concepts, and `of` between facts): the tables hold all of them.
    for (i, path) in shipped_paths().iter().enumerate() {
        let whole = ["landelijk", "foodvalley", "kop-van-noord-holland", "hoorn"];
        if whole.iter().any(|w| path.ends_with(&format!("{w}.regels"))) {
            let rs = shipped(i);
            assert_eq!(
                wiebetaalt::eval::rules_in_tables(&rs),
                rs.rules().len(),
                "{path}"
            );
        }
    }
    for_cases(|rs, facts| same_rule_by_rule(rs, &case(known(&facts))));
}
