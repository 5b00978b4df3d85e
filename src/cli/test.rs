//! `wiebetaalt test FILE...`: run the examples of each file.

use std::path::PathBuf;

use jiff::civil::Date;

use super::{date_or_today, exit, load_or_report, Io};
use crate::diagnostic::Problems;
use crate::eval::Decision;
use crate::examples;
use crate::report;
use crate::ruleset::{ExampleOrigin, Expectation, RuleSet};
use crate::source::Sources;
use crate::text::display;

pub(super) fn run(files: &[PathBuf], peildatum: Option<Date>, base: bool, io: &mut Io<'_>) -> u8 {
    let mut failed = false;
    for path in files {
        let mut sources = Sources::new();
        let Some(rs) = load_or_report(path, &mut sources, io) else {
            failed = true;
            continue;
        };
        let date = date_or_today(peildatum, io);
        let runs = examples::run(&rs, date);
        let mut out = format!("{}\n", display(path));
        let mut errors = Problems::new();
        for run in &runs {
            failed |= !show_run(&mut out, &rs, run, &mut errors, "");
        }
        // The file's own `vervang voorbeeld` blocks exercise its rules too.
        let mut exercised = runs.clone();
        exercised.extend(
            examples::run_base(&rs, date)
                .into_iter()
                .filter(|r| matches!(r.example.origin, ExampleOrigin::Changed { .. })),
        );
        let idle = examples::unexercised(&rs, &exercised);
        if !idle.is_empty() {
            let names: Vec<&str> = idle.iter().map(|r| rs.rule_name(*r)).collect();
            out.push_str(&format!(
                "  regels die geen voorbeeld raakt: {}\n",
                names.join(", ")
            ));
        }
        let passed = runs.iter().filter(|r| r.passed).count();
        out.push_str(&format!(
            "  {passed} geslaagd, {} mislukt\n",
            runs.len() - passed
        ));
        if base {
            failed |= !base_examples(&mut out, &rs, date, &mut errors);
        }
        io.output(&out);
        io.problems(errors.sorted(), &sources);
    }
    if failed {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// What an example expects, one decision after another: `jeugdwet door r; route: budget`.
/// One example's line (and, when it fails, what was expected and what came out); true
/// when it passed.
fn show_run(
    out: &mut String,
    rs: &RuleSet,
    run: &examples::ExampleRun<'_>,
    errors: &mut Problems,
    note: &str,
) -> bool {
    let mark = if run.passed { "✓" } else { "✗" };
    out.push_str(&format!("  {mark} {}{note}\n", run.example.name));
    if run.passed {
        return true;
    }
    out.push_str(&format!(
        "      verwacht: {}\n",
        expected_words(rs, &run.example.expect)
    ));
    match &run.decision {
        Ok(d) => out.push_str(&format!("      gekregen: {}\n", got_words(rs, d))),
        Err(e) => {
            out.push_str("      gekregen: een fout (zie hieronder)\n");
            errors.push(e.problem(rs));
        }
    }
    false
}

/// The bases' examples in this rule set: those it changes without saying so fail; those
/// it marks with `vervang voorbeeld` pass when they come out as marked. True when all
/// pass.
fn base_examples(out: &mut String, rs: &RuleSet, date: Date, errors: &mut Problems) -> bool {
    let runs = examples::run_base(rs, date);
    if runs.is_empty() {
        out.push_str("  (de basis heeft geen voorbeelden)\n");
        return true;
    }
    let mut ok = true;
    let mut files: Vec<&str> = Vec::new();
    for run in &runs {
        if let ExampleOrigin::Base { file } | ExampleOrigin::Changed { file, .. } =
            &run.example.origin
        {
            if !files.contains(&file.as_str()) {
                files.push(file);
            }
        }
    }
    out.push_str(&format!(
        "  Voorbeelden van de basis ({}):\n",
        files.join(", ")
    ));
    let (mut same, mut adapted, mut changed) = (0, 0, 0);
    for run in &runs {
        let note = match run.example.origin {
            ExampleOrigin::Changed {
                same_outcome: true, ..
            } => {
                adapted += usize::from(run.passed);
                "  (zelfde uitkomst, met de feiten van deze regelset)"
            }
            ExampleOrigin::Changed { .. } => {
                changed += usize::from(run.passed);
                "  (verandert hier, zoals verwacht)"
            }
            ExampleOrigin::Base { .. } | ExampleOrigin::Own => {
                if run.passed {
                    same += 1;
                    continue;
                }
                ""
            }
        };
        ok &= show_run(out, rs, run, errors, note);
    }
    let unmarked = runs.iter().filter(|r| !r.passed).count();
    out.push_str(&format!(
        "  {same} gelijk, {adapted} gelijk met eigen feiten, {changed} verandert zoals verwacht, {unmarked} anders dan de basis verwacht\n"
    ));
    if unmarked > 0 {
        out.push_str("  (verandert de regelset dit bewust, schrijf dan `vervang voorbeeld \"NAAM\"` met wat het hier wordt)\n");
    }
    ok
}

fn expected_words(rs: &RuleSet, expect: &[Expectation]) -> String {
    let parts: Vec<String> = expect
        .iter()
        .map(|e| {
            let words = match e {
                Expectation::Incomplete(_) => "onvolledig".to_string(),
                Expectation::NotNeeded(_) => "niet nodig".to_string(),
                Expectation::Outcome {
                    outcome,
                    decided_by,
                    ..
                } => with_rules(rs, rs.outcome_words(outcome), decided_by),
            };
            named(rs, e.decision(), words)
        })
        .collect();
    parts.join("; ")
}

/// What the decisions came to, the law first: `jeugdwet door r (beslist); route: budget
/// (beslist)`.
fn got_words(rs: &RuleSet, d: &Decision) -> String {
    let parts: Vec<String> = d
        .views()
        .map(|v| {
            let status = if v.decision == crate::ruleset::LAW {
                report::status_word(v.status)
            } else {
                report::further_status_word(v.status)
            };
            let words = match v.outcome {
                None if v.status == crate::eval::Status::Incomplete => {
                    let missing: Vec<&str> = v.missing.iter().map(|f| rs.fact_name(*f)).collect();
                    format!("onvolledig (ontbreekt: {})", missing.join(", "))
                }
                None => status.to_string(),
                Some(o) => format!(
                    "{} ({status})",
                    with_rules(rs, rs.outcome_words(o), v.decided_by)
                ),
            };
            named(rs, v.decision, words)
        })
        .collect();
    parts.join("; ")
}

/// The law's words as they are; a further decision's with its name before them.
fn named(rs: &RuleSet, decision: crate::ruleset::DecisionId, words: String) -> String {
    if decision == crate::ruleset::LAW {
        words
    } else {
        format!("{}: {words}", rs.decision(decision).name)
    }
}

/// `jeugdwet door a, b`.
fn with_rules(rs: &RuleSet, mut words: String, rules: &[crate::ruleset::RuleId]) -> String {
    if !rules.is_empty() {
        let names: Vec<&str> = rules.iter().map(|r| rs.rule_name(*r)).collect();
        words.push_str(&format!(" door {}", names.join(", ")));
    }
    words
}
