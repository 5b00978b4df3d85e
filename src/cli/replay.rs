//! `wiebetaalt replay DECISION --rules FILE`: decide recorded cases again and compare.

use std::path::Path;

use super::{exit, load_or_report, read_input, Format, Io};
use crate::replay::{recorded, replay as replay_one};
use crate::source::Sources;

pub(super) fn run(input: &str, rules: &Path, format: Format, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return exit::FAILED;
    };
    let (_, text) = match read_input(input, "de beslissing", io) {
        Ok(read) => read,
        Err(p) => {
            io.problems(vec![p], &sources);
            return exit::FAILED;
        }
    };
    let (decisions, skipped) = match recorded(crate::source::without_bom(&text)) {
        Ok(r) => (r.decisions, r.skipped),
        Err(p) => {
            io.problems(vec![p], &sources);
            return exit::FAILED;
        }
    };
    let mut all_same = true;
    let mut out = String::new();
    let mut json = Vec::new();
    for (line, decision) in &decisions {
        match replay_one(&rs, decision) {
            Ok(r) => {
                all_same &= r.same_decision() && r.same_ruleset();
                if decisions.len() > 1 {
                    out.push_str(&format!("── regel {line}\n"));
                }
                let version = decision.pointer("/engine/version").and_then(|v| v.as_str());
                out.push_str(&r.text(version));
                json.push(r.json());
            }
            Err(problems) => {
                let mut problems = problems.sorted();
                for p in &mut problems {
                    p.message = format!("regel {line}: {}", p.message);
                }
                io.problems(problems, &sources);
                return exit::FAILED;
            }
        }
    }
    if !skipped.is_empty() {
        let lines: Vec<String> = skipped.iter().map(u64::to_string).collect();
        out.push_str(&format!(
            "Overgeslagen: {} foutregel(s) van ongeldige casussen (regel {})\n",
            skipped.len(),
            lines.join(", ")
        ));
    }
    let shown = match format {
        Format::Text => out,
        Format::Json => {
            let value = match json.len() {
                1 => json.pop().unwrap_or_default(),
                _ => serde_json::Value::Array(json),
            };
            let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    io.output(&shown);
    if all_same {
        exit::OK
    } else {
        exit::FINDING
    }
}
