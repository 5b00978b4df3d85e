//! The semantic difference of two rule sets: the regions of cases whose status or
//! outcome (of any decision) changes. The cases range over the facts of both rule sets:
//! a fact one side does not declare cannot change that side's decision, and a value one
//! side does not allow (a `keuze` the other widened, a number outside its `tussen`) is
//! no valid case for that side, which then decides nothing there.

use jiff::civil::Date;
use serde_json::Value as Json;

use super::{
    answer, describe, epochs, explore, next_var, regions, Answer, Probe, Space, View, BUDGET,
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
    /// A case in the region (with `peildatum`), with the facts of both rule sets (valid
    /// for each side that decides it).
    pub example: Json,
}

#[derive(Debug, Clone)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Whether every change is found (no arithmetic over several facts, budget enough).
    pub exact: bool,
    /// Facts only one of the two declares: they change only that side's decisions.
    pub only_old: Vec<String>,
    pub only_new: Vec<String>,
    /// Facts the two declare with different kinds of type: not compared.
    pub incompatible: Vec<String>,
    /// The conditions that make the comparison approximate.
    pub approximate: Vec<String>,
}

pub fn diff(old: &RuleSet, new: &RuleSet, today: Date) -> Diff {
    let mut space = Space::shared(&[old, new]);
    let only = |rs: &RuleSet, other: &RuleSet| -> Vec<String> {
        rs.facts()
            .iter()
            .filter(|f| other.fact_id(&f.name).is_none())
            .map(|f| f.name.clone())
            .collect()
    };
    let (only_old, only_new) = (only(old, new), only(new, old));
    let mut changes: Vec<Change> = Vec::new();
    let mut exact = space.exact();
    for date in epochs(&[old, new], today) {
        let mut budget = BUDGET;
        let tree = explore(&mut space, &mut budget, &mut |space, last| {
            let (Ok((va, da)), Ok((vb, db))) =
                (answer(space, View(0), date), answer(space, View(1), date))
            else {
                return Probe::Leaf(None);
            };
            if !last {
                for (view, d) in [(View(0), &da), (View(1), &db)] {
                    let Some(d) = d else { continue };
                    if d.views().any(|v| v.status == Status::Incomplete) {
                        if let Ok(Some(var)) = next_var(space, view, d, Waiting::Result) {
                            return Probe::Branch(var);
                        }
                    }
                }
            }
            Probe::Leaf((va != vb).then(|| {
                let mut case = space.example(View(0));
                for (k, v) in space.example(View(1)) {
                    case.entry(k).or_insert(v);
                }
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
        incompatible: space.incompatible.clone(),
        approximate: space.approximate.clone(),
    }
}
