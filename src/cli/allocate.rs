//! `wiebetaalt allocate AMOUNT`: a collective amount divided over payers by a cost key
//! (verdeelsleutel) — weights from a CSV file, or counted per value of a fact in a
//! batch's decisions.

use std::path::Path;

use super::{exit, load_or_report, read_input, Format, Io};
use crate::costkey;
use crate::source::Sources;

/// Where the weights come from.
pub(super) enum Weights<'a> {
    /// A CSV file `betaler,gewicht`.
    File(&'a str),
    /// The number of decisions per value of a fact, with the rule set for labels.
    Count {
        fact: &'a str,
        decisions: &'a str,
        rules: Option<&'a Path>,
    },
}

pub(super) fn run(amount: &str, weights: &Weights<'_>, format: Format, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let amount = match costkey::parse_amount(amount) {
        Ok(a) => a,
        Err(p) => {
            io.problems(vec![p], &sources);
            return exit::FAILED;
        }
    };
    let read = match weights {
        Weights::File(path) => read_input(path, "de verdeelsleutel", io)
            .map_err(|p| vec![p])
            .and_then(|(name, text)| {
                let file = sources.add(name, text.as_str());
                costkey::read_weights(&text, file)
                    .map(|w| (w, costkey::Uncounted::default()))
                    .map_err(crate::diagnostic::Errors::sorted)
            }),
        Weights::Count {
            fact,
            decisions,
            rules,
        } => {
            let rs = match rules {
                Some(path) => match load_or_report(path, &mut sources, io) {
                    Some(rs) => Some(rs),
                    None => return exit::FAILED,
                },
                None => None,
            };
            read_input(decisions, "de beslissingen", io)
                .map_err(|p| vec![p])
                .and_then(|(name, text)| {
                    let file = sources.add(name, text.as_str());
                    costkey::count(&text, file, fact, rs.as_ref())
                        .map_err(crate::diagnostic::Errors::sorted)
                })
        }
    };
    let (weights, uncounted) = match read {
        Ok(w) => w,
        Err(problems) => {
            io.problems(problems, &sources);
            return exit::FAILED;
        }
    };
    let key = match costkey::split(amount, &weights, uncounted) {
        Ok(k) => k,
        Err(p) => {
            io.problems(vec![p], &sources);
            return exit::FAILED;
        }
    };
    let shown = match format {
        // Payers counted from cases (a typed gemeente) reach the terminal printable.
        Format::Text => crate::text::printable(&costkey::text(&key)).into_owned(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&costkey::json(&key)).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    io.output(&shown);
    exit::OK
}
