//! `wiebetaalt eval --rules FILE CASE`: decide one case.

use std::path::Path;

use jiff::civil::Date;

use super::{exit, load_or_report, read_input, Format, Io};
use crate::case::parse_case;
use crate::diagnostic::Problem;
use crate::eval::evaluate;
use crate::report;
use crate::ruleset::{DomainId, RuleSet};
use crate::source::{without_bom, Sources};

pub(super) struct Args<'a> {
    pub rules: &'a Path,
    pub format: Format,
    pub peildatum: Option<Date>,
    pub why_not: Option<&'a str>,
    pub log: Option<&'a Path>,
    pub case: &'a str,
}

pub(super) fn run(args: &Args<'_>, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(args.rules, &mut sources, io) else {
        return exit::FAILED;
    };
    let why_not = match args.why_not.map(|name| domain_id(&rs, name)) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(problem)) => {
            io.problems(vec![problem], &sources);
            return exit::FAILED;
        }
    };
    let (name, text) = match read_input(args.case, "de casus", io) {
        Ok(read) => read,
        Err(problem) => {
            io.problems(vec![problem], &sources);
            return exit::FAILED;
        }
    };
    let text = without_bom(&text);
    let file = sources.add(name, text);
    let case = match parse_case(text, file, &rs) {
        Ok(case) => case,
        Err(errors) => {
            io.problems(errors.sorted(), &sources);
            return exit::FAILED;
        }
    };
    let date = case
        .reference_date
        .or(args.peildatum)
        .unwrap_or_else(|| io.today());
    let decision = match evaluate(&rs, &case, date) {
        Ok(decision) => decision,
        Err(e) => {
            io.problems(vec![e.problem(&rs)], &sources);
            return exit::FAILED;
        }
    };
    let shown = match (why_not, args.format) {
        (None, format) => report::render(&rs, &case, &decision, format.into()),
        (Some(d), Format::Text) => format!(
            "{}\n{}",
            report::text::decision(&rs, &case, &decision),
            report::text::why_not(&rs, &case, &decision, d)
        ),
        (Some(d), Format::Json) => {
            let mut json = report::json::decision(&rs, &case, &decision);
            if let Some(map) = json.as_object_mut() {
                map.insert(
                    "why_not".into(),
                    serde_json::Value::String(report::text::why_not(&rs, &case, &decision, d)),
                );
            }
            let mut s = serde_json::to_string_pretty(&json).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    // With a log: the log is opened (its lock taken, its end checked) before anything
    // is shown, so a log that does not check out means no decision at all; the decision
    // is appended only once it has been shown (written and flushed), so nothing is
    // recorded that the caller did not get. Should the append itself fail after that,
    // the exit code says so.
    let log = match args.log.map(crate::log::LogWriter::open).transpose() {
        Ok(log) => log,
        Err(problem) => {
            io.problems(vec![problem], &sources);
            return exit::FAILED;
        }
    };
    if !io.output(&shown) || !io.flush_output() {
        return exit::FAILED;
    }
    if let (Some(log), Some(path)) = (log, args.log) {
        match super::log::append_one(log, path, &rs, &case, &decision) {
            Ok(note) => io.note(&format!("{note}\n")),
            Err(problem) => {
                io.problems(vec![problem], &sources);
                io.note("de beslissing hierboven is getoond, maar niet vastgelegd\n");
                return exit::FAILED;
            }
        }
    }
    exit::OK
}

/// A domain by name, or a problem that names the domains there are.
fn domain_id(rs: &RuleSet, name: &str) -> Result<DomainId, Problem> {
    rs.domain_id(name).ok_or_else(|| {
        let names: Vec<&str> = rs.domains().iter().map(|d| d.name.as_str()).collect();
        Problem::without_span(
            crate::diagnostic::Code::UnknownName,
            format!(
                "de regelset kent geen domein `{name}`; wel: {}",
                names.join(", ")
            ),
        )
        .did_you_mean(name, names.iter().copied())
    })
}
