//! `wiebetaalt log verify LOG`, and `--log` of `eval`.

use std::path::Path;

use super::{exit, Io};
use crate::case::Case;
use crate::diagnostic::{Code, Problem};
use crate::eval::Decision;
use crate::log::{self, Expect, LogWriter, VerifyError, Wait};
use crate::report;
use crate::ruleset::RuleSet;
use crate::source::Sources;
use crate::text::display;

/// Appends one decision to an open log; says where it went.
pub(super) fn append_one(
    mut log: LogWriter,
    path: &Path,
    rs: &RuleSet,
    case: &Case,
    decision: &Decision,
) -> Result<String, Problem> {
    let mut line = Vec::new();
    report::json::write_decision(&mut line, rs, case, decision);
    let head = log.append(&[&line], Wait::Always)?;
    Ok(format!(
        "Vastgelegd in {} als record {} (ijkpunt {head})",
        display(path),
        head.seq
    ))
}

pub(super) fn verify(path: &Path, expect: Option<&Expect>, io: &mut Io<'_>) -> u8 {
    let name = display(path);
    match log::verify_file(path, expect) {
        Ok(v) => {
            io.output(&format!(
                "Logboek {name} is in orde: {} records; ijkpunt {}\n",
                v.records, v.head
            ));
            exit::OK
        }
        Err(VerifyError::Open(e)) => {
            let p = Problem::unreadable("het logboek", &name, &e);
            io.problems(vec![p], &Sources::new());
            exit::FAILED
        }
        Err(VerifyError::Broken(b)) => {
            let p = Problem::without_span(
                Code::LogBroken,
                format!("{name}:{}: {}", b.line, b.what),
            )
            .help("alles vóór deze regel is in orde; vergelijk vanaf hier met een kopie of met de oorspronkelijke uitvoer");
            io.problems(vec![p], &Sources::new());
            exit::FINDING
        }
    }
}
