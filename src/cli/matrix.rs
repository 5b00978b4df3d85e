//! `wiebetaalt matrix --rules FILE`: the overview a workgroup publishes, as HTML or
//! Markdown.

use std::path::Path;

use jiff::civil::Date;

use super::{exit, load_or_report, Io, MatrixFormat};
use crate::analysis::matrix::{build, MatrixError};
use crate::diagnostic::{Code, Problem};
use crate::report;
use crate::source::Sources;

pub(super) fn run(
    rules: &Path,
    rows: &str,
    format: MatrixFormat,
    peildatum: Option<Date>,
    io: &mut Io<'_>,
) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return exit::FAILED;
    };
    let date = crate::analysis::picture_date(&rs, peildatum, io.today());
    let matrix = match build(&rs, rows, date) {
        Ok(m) => m,
        Err(e) => {
            io.problems(vec![problem(&e)], &sources);
            return exit::FAILED;
        }
    };
    let shown = match format {
        MatrixFormat::Html => report::matrix::html(&matrix),
        MatrixFormat::Markdown => report::matrix::markdown(&matrix),
    };
    io.output(&shown);
    if !matrix.complete {
        io.note("let op: de matrix is onvolledig; de regelset heeft te veel deelgebieden\n");
    }
    exit::OK
}

fn problem(e: &MatrixError) -> Problem {
    match e {
        MatrixError::NoSuchChoice { name, choices } => Problem::without_span(
            Code::MatrixRows,
            format!("de regelset heeft geen keuzefeit `{name}` om als rijen te tonen"),
        )
        .help(
            crate::diagnostic::did_you_mean(name, choices.iter().map(String::as_str))
                .unwrap_or_else(|| {
                    format!(
                        "kies met `--rows` een van de keuzefeiten: {}",
                        crate::text::quoted_choices(choices)
                    )
                }),
        ),
        MatrixError::Unread(name) => Problem::without_span(
            Code::MatrixRows,
            format!("geen regel leest `{name}`: elke rij zou hetzelfde zijn"),
        )
        .help("kies met `--rows` een keuzefeit dat de regels lezen"),
    }
}
