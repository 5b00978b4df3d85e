//! `wiebetaalt tree --rules FILE`: the rule set as a decision diagram.

use std::path::Path;

use jiff::civil::Date;

use super::{exit, load_or_report, Io, TreeFormat};
use crate::report;
use crate::source::Sources;

pub(super) fn run(
    rules: &Path,
    format: TreeFormat,
    peildatum: Option<Date>,
    io: &mut Io<'_>,
) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return exit::FAILED;
    };
    let date = crate::analysis::picture_date(&rs, peildatum, io.today());
    let diagram = crate::analysis::tree::build(&rs, date);
    let shown = match format {
        TreeFormat::Text => report::tree::text(&diagram),
        TreeFormat::Mermaid => report::tree::mermaid(&diagram),
        TreeFormat::Dot => report::tree::dot(&diagram),
    };
    io.output(&shown);
    if !diagram.complete {
        io.note("let op: de boom is afgekapt; de regelset heeft te veel deelgebieden\n");
    }
    exit::OK
}
