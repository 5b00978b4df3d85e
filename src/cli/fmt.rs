//! `wiebetaalt fmt [--check] FILE...`: the canonical layout, in place.

use std::path::PathBuf;

use super::{exit, Io};
use crate::diagnostic::{io_reason, Code, Problem};
use crate::source::{without_bom, Sources};
use crate::text::display;

pub(super) fn run(files: &[PathBuf], check_only: bool, io: &mut Io<'_>) -> u8 {
    let mut failed = false;
    let mut unformatted = false;
    for path in files {
        let mut sources = Sources::new();
        let shown = display(path);
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                io.problems(
                    vec![Problem::unreadable("het regelbestand", &shown, &e)],
                    &sources,
                );
                failed = true;
                continue;
            }
        };
        let body = without_bom(&text);
        let file = sources.add(shown.clone(), body);
        if let Err(errors) = crate::syntax::parse(file, body) {
            io.problems(errors.sorted(), &sources);
            failed = true;
            continue;
        }
        let formatted = crate::format::format(body);
        let check_file = sources.add(shown.clone(), formatted.as_str());
        if crate::syntax::parse(check_file, &formatted).is_err() {
            let message = format!(
                "`{shown}` kan niet veilig worden opgemaakt; het bestand blijft ongewijzigd"
            );
            io.problems(vec![Problem::internal(message)], &sources);
            failed = true;
            continue;
        }
        if formatted == text {
            continue;
        }
        if check_only {
            io.output(&format!("niet in de vaste vorm: {shown}\n"));
            unformatted = true;
        } else if let Err(e) = std::fs::write(path, &formatted) {
            let message = format!("kan `{shown}` niet schrijven: {}", io_reason(&e));
            io.problems(vec![Problem::without_span(Code::Io, message)], &sources);
            failed = true;
        } else {
            io.output(&format!("opgemaakt: {shown}\n"));
        }
    }
    if failed {
        exit::FAILED
    } else if unformatted {
        exit::FINDING
    } else {
        exit::OK
    }
}
