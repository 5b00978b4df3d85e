//! `wiebetaalt check FILE...`: parse, resolve bases, type-check, lint.

use std::path::PathBuf;

use jiff::civil::Date;

use super::{date_or_today, exit, Format, Io};
use crate::load::load_rules;
use crate::report;
use crate::source::Sources;
use crate::text::display;

pub(super) fn run(
    files: &[PathBuf],
    format: Format,
    peildatum: Option<Date>,
    io: &mut Io<'_>,
) -> u8 {
    let today = date_or_today(peildatum, io);
    let mut failed = false;
    let mut json = Vec::new();
    let mut exceptions = Vec::new();
    for path in files {
        let mut sources = Sources::new();
        match load_rules(path, &mut sources) {
            Ok((rs, warnings)) => {
                let warnings = warnings.warnings();
                let mut findings = crate::analysis::lint::lint(&rs, today);
                if rs.files().len() > 1 {
                    if let Some(base) = crate::load::load_base(path) {
                        crate::analysis::lint::blame_overrides(&mut findings, &rs, &base);
                    }
                }
                match format {
                    Format::Text => {
                        use crate::text::counted;
                        io.output(&format!(
                            "in orde: {} ({}, {}, {})\n",
                            display(path),
                            counted(rs.rules().len(), "regel", "regels"),
                            counted(rs.facts().len(), "feit", "feiten"),
                            counted(rs.examples().len(), "voorbeeld", "voorbeelden")
                        ));
                        io.output(&overrides(&rs));
                        let mut all = warnings;
                        all.extend(findings.into_iter().map(|f| f.problem));
                        io.problems(all, &sources);
                    }
                    Format::Json => {
                        json.extend(warnings.iter().map(|p| report::json::problem(p, &sources)));
                        json.extend(findings.iter().map(|f| report::json::finding(f, &sources)));
                        exceptions.extend(overrides_json(&rs));
                    }
                }
            }
            Err(errors) => {
                failed = true;
                let problems = errors.sorted();
                match format {
                    Format::Text => io.problems(problems, &sources),
                    Format::Json => {
                        json.extend(problems.iter().map(|p| report::json::problem(p, &sources)))
                    }
                }
            }
        }
    }
    if format == Format::Json {
        let doc = serde_json::json!({ "diagnostics": json, "exceptions": exceptions });
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        io.output(&text);
    }
    if failed {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// The own rules that are exceptions to a group, with the rules that stands for: a group
/// hides which rules it overrides, so `check` says it.
fn overrides(rs: &crate::ruleset::RuleSet) -> String {
    let mut out = String::new();
    for r in rs
        .rules()
        .iter()
        .filter(|r| r.own && !r.exception_groups.is_empty())
    {
        let names: Vec<&str> = r.exception_of.iter().map(|x| rs.rule_name(*x)).collect();
        out.push_str(&format!(
            "  regel `{}` is een uitzondering op {}: {}\n",
            r.name,
            crate::text::enumerate(&r.exception_groups, "en"),
            if names.is_empty() {
                "(geen regels)".to_string()
            } else {
                names.join(", ")
            }
        ));
    }
    out
}

fn overrides_json(rs: &crate::ruleset::RuleSet) -> Vec<serde_json::Value> {
    rs.rules()
        .iter()
        .filter(|r| r.own && !r.exception_groups.is_empty())
        .map(|r| {
            let names: Vec<&str> = r.exception_of.iter().map(|x| rs.rule_name(*x)).collect();
            serde_json::json!({"rule": r.name, "groups": r.exception_groups, "overrides": names})
        })
        .collect()
}
