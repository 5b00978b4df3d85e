//! The semantic difference of two rule sets: the regions of cases, over the facts both
//! declare alike, whose status or outcome changes.

use jiff::civil::Date;
use serde_json::{json, Value as Json};

use super::{decide, describe, epochs, explore, next_var, regions, Probe, Space, Verdict, BUDGET};
use crate::eval::{Status, Waiting};
use crate::ruleset::RuleSet;

/// One region of cases that is decided differently.
#[derive(Debug, Clone)]
pub struct Change {
    /// The region, as a condition in the rule language.
    pub when: String,
    pub old: Verdict,
    pub new: Verdict,
    /// A case in the region (with `peildatum`), valid for both rule sets.
    pub example: Json,
}

#[derive(Debug, Clone)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Whether every change is found (no arithmetic over several facts, budget enough).
    pub exact: bool,
    /// Facts only one of the two declares (or declares with another type): cases do
    /// not give them, so where they matter the decision is incomplete.
    pub only_old: Vec<String>,
    pub only_new: Vec<String>,
    /// The conditions that make the comparison approximate.
    pub approximate: Vec<String>,
}

pub fn diff(old: &RuleSet, new: &RuleSet, today: Date) -> Diff {
    let mut space = Space::shared(&[old, new]);
    let shared: Vec<&str> = space.vars.iter().map(|v| v.fact.as_str()).collect();
    let only = |rs: &RuleSet| -> Vec<String> {
        rs.facts
            .iter()
            .filter(|f| !shared.contains(&f.name.as_str()))
            .map(|f| f.name.clone())
            .collect()
    };
    let (only_old, only_new) = (only(old), only(new));
    let mut changes: Vec<Change> = Vec::new();
    let mut exact = space.exact();
    for date in epochs(&[old, new], today) {
        let mut budget = BUDGET;
        let tree = explore(&mut space, &mut budget, &mut |space, last| {
            let (Ok(a), Ok(b)) = (decide(space, 0, date), decide(space, 1, date)) else {
                return Probe::Leaf(None);
            };
            if !last {
                for (view, d) in [(0, &a), (1, &b)] {
                    if d.status == Status::Incomplete {
                        if let Ok(Some(var)) = next_var(space, view, d, Waiting::Result) {
                            return Probe::Branch(var);
                        }
                    }
                }
            }
            let (va, vb) = (Verdict::of(old, &a), Verdict::of(new, &b));
            Probe::Leaf((va != vb).then(|| {
                let mut case = space.example(0);
                case.insert("peildatum".into(), Json::String(date.to_string()));
                ((va, vb), Json::Object(case))
            }))
        });
        exact &= budget > 0;
        let cells = |v: usize| space.vars.get(v).map_or(0, |v| v.cells.len());
        for (region, (va, vb), example) in regions(&tree, space.vars.len(), &cells, &|l| l.clone())
        {
            changes.push(Change {
                when: describe(&space, &region),
                old: va,
                new: vb,
                example,
            });
        }
    }
    Diff {
        changes,
        exact,
        only_old,
        only_new,
        approximate: space.approximate.clone(),
    }
}

impl Diff {
    /// `{"changes": [{"when", "old": {"status", "outcome"}, "new": {...}, "example"}], "exact"}`.
    pub fn json(&self) -> Json {
        let verdict =
            |v: &Verdict| json!({"status": v.status.as_str(), "outcome": v.outcome_json()});
        json!({
            "changes": self.changes.iter().map(|c| json!({
                "when": c.when,
                "old": verdict(&c.old),
                "new": verdict(&c.new),
                "example": c.example,
            })).collect::<Vec<_>>(),
            "exact": self.exact,
        })
    }

    /// For people: one paragraph per change.
    pub fn text(&self, old_name: &str, new_name: &str) -> String {
        let mut s = String::new();
        if self.changes.is_empty() {
            s.push_str("Geen verschil: elk geval krijgt dezelfde uitkomst.\n");
        } else {
            s.push_str(&format!(
                "{} {} anders beslist ({old_name} → {new_name}):\n",
                self.changes.len(),
                if self.changes.len() == 1 {
                    "gebied van gevallen wordt"
                } else {
                    "gebieden van gevallen worden"
                }
            ));
        }
        for (i, c) in self.changes.iter().enumerate() {
            s.push_str(&format!(
                "\n{}. als {}\n   oud:  {}\n   nieuw: {}\n   voorbeeld: {}\n",
                i + 1,
                c.when,
                c.old.words(),
                c.new.words(),
                c.example
            ));
        }
        for (label, facts) in [
            ("alleen in de oude", &self.only_old),
            ("alleen in de nieuwe", &self.only_new),
        ] {
            if !facts.is_empty() {
                s.push_str(&format!(
                    "\nFeiten {label} regelset (een casus voor beide geeft ze niet): {}\n",
                    facts.join(", ")
                ));
            }
        }
        if !self.exact {
            s.push_str("\nLet op: deze vergelijking is benaderend");
            if !self.approximate.is_empty() {
                s.push_str(&format!(
                    " (voorwaarden die met meer dan één feit rekenen: {})",
                    self.approximate.join(", ")
                ));
            }
            s.push_str("; er kunnen verschillen ontbreken.\n");
        }
        s
    }
}
