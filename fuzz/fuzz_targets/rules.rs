//! Rule text: parse, resolve a base, type-check, run the examples and lint. Any input
//! must give a result or diagnostics, never a panic. The text is checked alone and as a
//! file based on the national rule set, so that `vervang`/`schrap` meet real bases.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let national = include_str!("../../rules/landelijk.regels");
    let read = |p: &Path| match p.to_str() {
        Some("fuzz.regels") => Ok(text.to_string()),
        Some("landelijk.regels") => Ok(national.to_string()),
        _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "niet gevonden")),
    };
    let mut sources = wiebetaalt::source::Sources::new();
    if let Ok((rs, _)) = wiebetaalt::load::load_with(Path::new("fuzz.regels"), &read, &mut sources) {
        let today = jiff::civil::date(2025, 9, 1);
        let _ = wiebetaalt::examples::run(&rs, today);
        // The analysis is bounded by its budgets; keep inputs small enough to be quick.
        if rs.rules.len() <= 8 {
            let _ = wiebetaalt::analysis::lint::lint(&rs, today);
        }
    }
});
