//! Case input: any text as a case (YAML or JSON) for each shipped rule set, then its
//! decision as JSON and as text. Never a panic; a valid case always gets a decision.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;
use wiebetaalt::ruleset::RuleSet;

fn rule_sets() -> &'static Vec<RuleSet> {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        ["landelijk", "kop-van-noord-holland", "nijmegen", "einstein-class"]
            .iter()
            .map(|name| {
                let path = format!("{}/../rules/{name}.regels", env!("CARGO_MANIFEST_DIR"));
                let mut sources = wiebetaalt::source::Sources::new();
                wiebetaalt::load::load_rules(Path::new(&path), &mut sources)
                    .map(|(rs, _)| rs)
                    .unwrap_or_else(|_| std::process::abort())
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let sets = rule_sets();
    let rs = &sets[usize::from(*first) % sets.len()];
    let mut sources = wiebetaalt::source::Sources::new();
    let file = sources.add("fuzz.yaml", text);
    let Ok(case) = wiebetaalt::case::parse_case(text, file, rs) else { return };
    let date = case.reference_date.unwrap_or(jiff::civil::date(2025, 9, 1));
    if let Ok(d) = wiebetaalt::eval::evaluate(rs, &case, date) {
        let mut line = Vec::new();
        wiebetaalt::report::json::write_decision(&mut line, rs, &case, &d);
        let _ = wiebetaalt::report::text::decision(rs, &case, &d);
    }
});
