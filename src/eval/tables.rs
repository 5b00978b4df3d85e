//! Evaluation without a trace from the decision tables of [`crate::ruleset`]: building
//! them (each cell's bits come from this evaluator, run on a representative of the
//! cell) and reading them for a case. See `ruleset/tables.rs` for what they hold.

use super::machine::Machine;
use super::scratch::{Scratch, Tracing};
use super::Facts;
use crate::ruleset::bits::get as bit;
use crate::ruleset::program::NodeId;
use crate::ruleset::tables::{Cells, KeyCells, Representative, Tables};
use crate::ruleset::{FactId, RuleId, RuleSet, Sym, Value};

/// A few facts with representative values, everything else unknown.
struct Given<'a>(&'a [(FactId, Representative)]);

impl Facts for Given<'_> {
    fn value(&self, fact: FactId) -> Option<&Value> {
        self.0.iter().find_map(|(f, r)| match r {
            Representative::Value(v) if *f == fact => Some(v),
            _ => None,
        })
    }

    fn contains(&self, fact: FactId, item: Sym) -> Option<bool> {
        self.0.iter().find_map(|(f, r)| match r {
            Representative::Member(s, inside) if *f == fact && *s == item => Some(*inside),
            _ => None,
        })
    }
}

/// The tables of `rs`, built on first use.
pub(super) fn tables(rs: &RuleSet) -> &Tables {
    rs.tables_cell().get_or_init(|| {
        let mut s = Scratch::new();
        s.reset(rs, Tracing::Off);
        let p = rs.program();
        Tables::build(p, rs.facts(), &mut |node: NodeId, given| {
            s.forget_concepts();
            Machine {
                p,
                facts: &Given(given),
                s: &mut s,
            }
            .truth(node)
            .map_err(|_| ())
        })
    })
}

/// The cell of a case's value of one fact (or member), or `None` when the value is not
/// one the tables know (the case is then left to the interpreter).
fn key_cell<F: Facts>(var: &KeyCells, facts: &F) -> Option<usize> {
    let unknown = var.cells.count() - 1;
    Some(match &var.cells {
        Cells::Bool => match facts.value(var.fact) {
            Some(Value::Bool(b)) => usize::from(*b),
            None => unknown,
            Some(_) => return None,
        },
        Cells::Member(sym) => facts.contains(var.fact, *sym).map_or(unknown, usize::from),
        Cells::Choice { by_sym, .. } => match facts.value(var.fact) {
            Some(Value::Choice(s)) => match by_sym.get(s.index()) {
                Some(c) if *c != u32::MAX => *c as usize,
                _ => return None,
            },
            None => unknown,
            Some(_) => return None,
        },
        Cells::Number(k) => match facts.value(var.fact) {
            Some(Value::Number(x)) => {
                // A whole value among whole constants: compared as integers.
                let found = match i64::try_from(x.mantissa()) {
                    Ok(n) if x.scale() == 0 && !var.whole.is_empty() => var.whole.binary_search(&n),
                    _ => k.binary_search(x),
                };
                match found {
                    Ok(i) => 2 * i + 1,
                    Err(i) => 2 * i,
                }
            }
            None => unknown,
            Some(_) => return None,
        },
    })
}

/// Fills the scratch's "false" and "unknown" bitsets for a case; false (and the
/// tables left unused) when a value is not one the tables know.
pub(super) fn fill<F: Facts>(t: &Tables, facts: &F, s: &mut Scratch) -> bool {
    let (f, u, cells) = (&mut s.table_false, &mut s.table_unknown, &mut s.table_cells);
    f.clear();
    f.resize(t.words, 0);
    u.clear();
    u.resize(t.words, 0);
    cells.clear();
    for key in &t.keys {
        let Some(cell) = key_cell(key, facts) else {
            return false;
        };
        cells.push(cell);
    }
    for var in &t.vars {
        let cell: usize = var
            .keys
            .iter()
            .map(|k| cells.get(k.key).copied().unwrap_or(0) * k.stride)
            .sum();
        let start = var.row + cell * 2 * t.words;
        let (Some(false_row), Some(unknown_row)) = (
            t.rows.get(start..start + t.words),
            t.rows.get(start + t.words..start + 2 * t.words),
        ) else {
            return false;
        };
        for (w, r) in f.iter_mut().zip(false_row) {
            *w |= r;
        }
        for (w, r) in u.iter_mut().zip(unknown_row) {
            *w |= r;
        }
    }
    true
}

/// The condition of a rule held in the tables, from the bitsets [`fill`] made.
pub(super) fn condition(s: &Scratch, rule: RuleId) -> Option<bool> {
    let i = rule.index();
    if bit(&s.table_false, i) {
        Some(false)
    } else if bit(&s.table_unknown, i) {
        None
    } else {
        Some(true)
    }
}
