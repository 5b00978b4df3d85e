//! `wiebetaalt log verify LOG`, and `--log` of `eval`.

use std::io::BufReader;
use std::path::Path;

use super::{exit, Io};
use crate::case::Case;
use crate::diagnostic::{Code, Problem};
use crate::eval::Decision;
use crate::log::{self, LogWriter};
use crate::report;
use crate::ruleset::RuleSet;
use crate::source::Sources;
use crate::text::display;

/// Appends one decision to an open log (whose lock is held); says where it went.
pub(super) fn append_one(
    mut log: LogWriter,
    path: &Path,
    rs: &RuleSet,
    case: &Case,
    decision: &Decision,
) -> Result<String, Problem> {
    let mut line = Vec::new();
    report::json::write_decision(&mut line, rs, case, decision);
    log.append(&line)?;
    log.flush()?;
    let (seq, hash) = log.head();
    Ok(format!(
        "Vastgelegd in {} als record {seq} (hash {hash})",
        display(path)
    ))
}

pub(super) fn verify(path: &Path, head: Option<&str>, io: &mut Io<'_>) -> u8 {
    let name = display(path);
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let p = Problem::unreadable("het logboek", &name, &e);
            io.problems(vec![p], &Sources::new());
            return exit::FAILED;
        }
    };
    match log::verify(BufReader::with_capacity(1 << 20, file), head) {
        Ok(v) => {
            io.output(&format!(
                "Logboek {name} is in orde: {} records, laatste hash {}\n",
                v.records, v.head
            ));
            exit::OK
        }
        Err(b) => {
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
