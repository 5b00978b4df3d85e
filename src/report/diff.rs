//! The semantic difference of two rule sets for people (Dutch text) and machines (JSON).

use serde_json::{json, Value as Json};

use crate::analysis::diff::Diff;
use crate::analysis::Answer;

/// `{"changes": [{"when", "old": {"status", "outcome"}, "new": {...}, "example"}], "exact"}`;
/// a side with further decisions adds `"decisions": {name: {"status", "outcome"}}`.
pub fn json(d: &Diff) -> Json {
    let answer = |v: &Answer| {
        let mut out =
            json!({"status": v.status.as_str(), "outcome": super::answer_outcome_json(v)});
        if !v.further.is_empty() {
            let decisions: serde_json::Map<String, Json> = v
                .further
                .iter()
                .map(|(name, status, outcome)| {
                    let outcome = outcome.as_ref().map_or(Json::Null, |shares| {
                        shares
                            .iter()
                            .map(|(n, p)| (n.clone(), crate::case::number_json(*p)))
                            .collect::<serde_json::Map<_, _>>()
                            .into()
                    });
                    (
                        name.clone(),
                        json!({"status": status.as_str(), "outcome": outcome}),
                    )
                })
                .collect();
            if let Some(map) = out.as_object_mut() {
                map.insert("decisions".into(), Json::Object(decisions));
            }
        }
        out
    };
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
    text_limited(d, old_name, new_name, usize::MAX)
}

/// [`text`] with at most `limit` changes shown of each kind (where the law changes,
/// where only a further decision does), and how many more there are.
pub fn text_limited(d: &Diff, old_name: &str, new_name: &str, limit: usize) -> String {
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
    // Where the law changes comes first; then where only a decision that builds on the
    // law (a route) changes, so that a new route does not hide a change of the law.
    let (law, further): (Vec<_>, Vec<_>) = d.changes.iter().partition(|c| !c.old.same_law(&c.new));
    let both = !law.is_empty() && !further.is_empty();
    for (i, c) in law.iter().chain(&further).enumerate() {
        if both && i == 0 {
            s.push_str(&format!("\nDe wet verandert ({}):\n", law.len()));
        }
        if both && i == law.len() {
            s.push_str(&format!(
                "\nDe wet blijft gelijk, een beslissing die erop voortbouwt verandert ({}):\n",
                further.len()
            ));
        }
        let (nth, of) = if i < law.len() {
            (i, law.len())
        } else {
            (i - law.len(), further.len())
        };
        if nth >= limit {
            if nth == limit {
                s.push_str(&format!(
                    "\n... en nog {} (alle: `wiebetaalt diff {old_name} {new_name}`)\n",
                    of - limit
                ));
            }
            continue;
        }
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
