//! The semantic difference of two rule sets for people (Dutch text) and machines (JSON).

use serde_json::{json, Value as Json};

use crate::analysis::diff::Diff;
use crate::analysis::Answer;

/// `{"changes": [{"when", "old": {"status", "outcome"}, "new": {...}, "example"}], "exact"}`.
pub fn json(d: &Diff) -> Json {
    let answer =
        |v: &Answer| json!({"status": v.status.as_str(), "outcome": super::answer_outcome_json(v)});
    json!({
        "changes": d.changes.iter().map(|c| json!({
            "when": c.when,
            "old": answer(&c.old),
            "new": answer(&c.new),
            "example": c.example,
        })).collect::<Vec<_>>(),
        "exact": d.exact,
    })
}

/// For people: one paragraph per change.
pub fn text(d: &Diff, old_name: &str, new_name: &str) -> String {
    let mut s = String::new();
    if d.changes.is_empty() {
        s.push_str("Geen verschil: elk geval krijgt dezelfde uitkomst.\n");
    } else {
        s.push_str(&format!(
            "{} {} anders beslist ({old_name} → {new_name}):\n",
            d.changes.len(),
            if d.changes.len() == 1 {
                "gebied van gevallen wordt"
            } else {
                "gebieden van gevallen worden"
            }
        ));
    }
    for (i, c) in d.changes.iter().enumerate() {
        s.push_str(&format!(
            "\n{}. als {}\n   oud:  {}\n   nieuw: {}\n   voorbeeld: {}\n",
            i + 1,
            c.when,
            super::answer_words(&c.old),
            super::answer_words(&c.new),
            c.example
        ));
    }
    for (label, facts) in [
        ("alleen in de oude", &d.only_old),
        ("alleen in de nieuwe", &d.only_new),
    ] {
        if !facts.is_empty() {
            s.push_str(&format!(
                "\nFeiten {label} regelset (de andere regelset leest ze niet): {}\n",
                facts.join(", ")
            ));
        }
    }
    if !d.incompatible.is_empty() {
        s.push_str(&format!(
            "\nFeiten met een ander soort in de twee regelsets (niet vergeleken): {}\n",
            d.incompatible.join(", ")
        ));
    }
    if !d.exact {
        s.push_str("\nLet op: deze vergelijking is benaderend");
        if !d.approximate.is_empty() {
            s.push_str(&format!(
                " (voorwaarden die met meer dan één feit rekenen: {})",
                d.approximate.join(", ")
            ));
        }
        s.push_str("; er kunnen verschillen ontbreken.\n");
    }
    s
}
