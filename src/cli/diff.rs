//! `wiebetaalt diff OLD NEW`: the regions of cases decided differently.

use std::path::Path;

use jiff::civil::Date;

use super::{date_or_today, exit, load_or_report, Format, Io};
use crate::report;
use crate::source::Sources;
use crate::text::display;

pub(super) fn run(
    old: &Path,
    new: &Path,
    format: Format,
    peildatum: Option<Date>,
    io: &mut Io<'_>,
) -> u8 {
    let mut sources = Sources::new();
    let Some(a) = load_or_report(old, &mut sources, io) else {
        return exit::FAILED;
    };
    let Some(b) = load_or_report(new, &mut sources, io) else {
        return exit::FAILED;
    };
    let d = crate::analysis::diff::diff(&a, &b, date_or_today(peildatum, io));
    let shown = match format {
        Format::Text => report::diff::text(&d, &display(old), &display(new)),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report::diff::json(&d)).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    io.output(&shown);
    exit::OK
}
