//! `wiebetaalt ask --rules FILE`: the interview on the terminal. Questions go to
//! standard error, answers come line by line from standard input, the decision goes to
//! standard output.

use std::io::BufRead;
use std::path::Path;

use jiff::civil::Date;

use super::{date_or_today, exit, load_or_report, Format, Io};
use crate::case::Case;
use crate::eval::evaluate;
use crate::interview;
use crate::report;
use crate::source::Sources;

pub(super) fn run(rules: &Path, format: Format, peildatum: Option<Date>, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return exit::FAILED;
    };
    let date = date_or_today(peildatum, io);
    let mut case = Case::empty(&rs);
    case.reference_date = Some(date);
    let stdin: &mut (dyn std::io::Read + Send) = &mut *io.stdin;
    let mut input = std::io::BufReader::new(stdin);
    loop {
        let decision = match evaluate(&rs, &case, date) {
            Ok(d) => d,
            Err(e) => {
                let problem = e.problem(&rs);
                let shown = crate::diagnostic::render(vec![problem], &sources, io.color, 100);
                let _ = io.err.write_all(shown.as_bytes());
                return exit::FAILED;
            }
        };
        let next = match interview::next_question(&rs, &case, &decision) {
            Ok(next) => next,
            Err(e) => {
                let shown =
                    crate::diagnostic::render(vec![e.problem(&rs)], &sources, io.color, 100);
                let _ = io.err.write_all(shown.as_bytes());
                return exit::FAILED;
            }
        };
        let Some(fact_id) = next else {
            let shown = report::render(&rs, &case, &decision, format.into());
            let ok = io.out.write_all(shown.as_bytes()).is_ok();
            return if ok { exit::OK } else { exit::FAILED };
        };
        let fact = rs.fact(fact_id);
        let question = fact
            .question
            .clone()
            .unwrap_or_else(|| format!("Wat is {}?", fact.name));
        let more = if fact.explanation.is_some() {
            "; `?` geeft een toelichting"
        } else {
            ""
        };
        let _ = writeln!(
            io.err,
            "\n{question}\n  ({}{more})",
            interview::hint(&rs, fact)
        );
        loop {
            let _ = write!(io.err, "> ");
            let _ = io.err.flush();
            let mut line = String::new();
            match input.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = writeln!(
                        io.err,
                        "\nde invoer houdt op voordat er een beslissing is (nog nodig: {})",
                        fact.name
                    );
                    return exit::FAILED;
                }
                Ok(_) => {}
            }
            let answer = line.trim();
            if answer == "?" {
                let help = fact
                    .explanation
                    .as_deref()
                    .unwrap_or("er is geen toelichting bij deze vraag");
                let _ = writeln!(io.err, "  {help}");
                continue;
            }
            match interview::parse_answer(&rs, fact, answer) {
                Ok(value) => {
                    case.set(fact_id, value);
                    break;
                }
                Err(message) => {
                    let _ = writeln!(io.err, "  dat kan niet: {message}");
                }
            }
        }
    }
}
