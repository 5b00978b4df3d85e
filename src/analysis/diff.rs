//! The semantic difference of two rule sets: the regions of cases, over the facts both
//! declare alike, whose status or outcome changes.

use jiff::civil::Date;
use serde_json::Value as Json;

use super::{
    decide, describe, epochs, explore, next_var, regions, Answer, Probe, Space, View, BUDGET,
};
use crate::eval::{Status, Waiting};
use crate::ruleset::RuleSet;

/// One region of cases that is decided differently.
#[derive(Debug, Clone)]
pub struct Change {
    /// The region, as a condition in the rule language.
    pub when: String,
    pub old: Answer,
    pub new: Answer,
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
        rs.facts()
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
            let (Ok(a), Ok(b)) = (decide(space, View(0), date), decide(space, View(1), date))
            else {
                return Probe::Leaf(None);
            };
            if !last {
                for (view, d) in [(View(0), &a), (View(1), &b)] {
                    if d.status == Status::Incomplete {
                        if let Ok(Some(var)) = next_var(space, view, d, Waiting::Result) {
                            return Probe::Branch(var);
                        }
                    }
                }
            }
            let (va, vb) = (Answer::of(old, &a), Answer::of(new, &b));
            Probe::Leaf((va != vb).then(|| {
                let mut case = space.example(View(0));
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
