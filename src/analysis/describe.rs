//! Parts of the space in the rule language: a region as a condition (`soort is vervoer
//! en afstand_km meer dan 6`), and the limit on one variable, which `tree` also shows
//! without the fact's name on an edge (`meer dan 6`).

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::space::{Bound, CellKind, Space};
use super::Region;

/// What a region says about one variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// A yes/no fact: true or false.
    Bool(bool),
    /// `lijst` contains (or not) the member.
    Member { member: String, contains: bool },
    /// One of these values of a `keuze`.
    Choices(Vec<String>),
    /// One of these texts; `others` when any other text is allowed too, except the
    /// `except` ones.
    Texts {
        named: Vec<String>,
        others: bool,
        except: Vec<String>,
    },
    /// Numbers in one of these ranges (adjacent cells joined).
    Numbers(Vec<(Bound, Bound)>),
}

impl Limit {
    /// The limit of variable `var` to some of its cells.
    pub fn of(space: &Space<'_>, var: usize, cells: &BTreeSet<usize>) -> Option<Limit> {
        let v = space.vars.get(var)?;
        let kinds: Vec<&CellKind> = cells
            .iter()
            .filter_map(|c| v.cells.get(*c).map(|c| &c.kind))
            .collect();
        Some(match kinds.as_slice() {
            [CellKind::Bool(b)] => Limit::Bool(*b),
            [CellKind::Member(b)] => Limit::Member {
                member: v.member.clone().unwrap_or_default(),
                contains: *b,
            },
            _ if kinds.iter().all(|k| matches!(k, CellKind::Choice(_))) => Limit::Choices(
                kinds
                    .iter()
                    .flat_map(|k| match k {
                        CellKind::Choice(ns) => ns.clone(),
                        _ => Vec::new(),
                    })
                    .collect(),
            ),
            _ if kinds.iter().all(|k| matches!(k, CellKind::Text(_))) => {
                let named = kinds
                    .iter()
                    .filter_map(|k| match k {
                        CellKind::Text(Some(t)) => Some(t.clone()),
                        _ => None,
                    })
                    .collect();
                let others = kinds.iter().any(|k| matches!(k, CellKind::Text(None)));
                let except = v
                    .cells
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !cells.contains(i))
                    .filter_map(|(_, c)| match &c.kind {
                        CellKind::Text(Some(t)) => Some(t.clone()),
                        _ => None,
                    })
                    .collect();
                Limit::Texts {
                    named,
                    others,
                    except,
                }
            }
            _ => Limit::Numbers(ranges(&kinds, v.bounds)),
        })
    }

    /// The limit as a condition on the fact `name`: `leeftijd ten minste 7`.
    pub fn condition(&self, name: &str) -> String {
        match self {
            Limit::Bool(true) => name.to_string(),
            Limit::Bool(false) => format!("niet {name}"),
            Limit::Member { member, contains } => {
                format!(
                    "{name} bevat {}{member}",
                    if *contains { "" } else { "niet " }
                )
            }
            Limit::Choices(names) => match names.as_slice() {
                [one] => format!("{name} is {one}"),
                many => format!("{name} in [{}]", many.join(", ")),
            },
            Limit::Texts {
                named,
                others,
                except,
            } => {
                if *others {
                    // Any other text: not one of the named ones outside this set.
                    let parts: Vec<String> = except
                        .iter()
                        .map(|t| format!("{name} is niet {}", quote(t)))
                        .collect();
                    parts.join(" en ")
                } else {
                    let parts: Vec<String> = named
                        .iter()
                        .map(|t| format!("{name} is {}", quote(t)))
                        .collect();
                    format!("({})", parts.join(" of "))
                }
            }
            Limit::Numbers(ranges) => {
                let parts: Vec<String> = ranges.iter().map(|r| range_words(name, *r)).collect();
                if parts.len() > 1 {
                    format!("({})", parts.join(" of "))
                } else {
                    parts.join("")
                }
            }
        }
    }

    /// The limit on an edge below the question that names the fact: `ja`, `is
    /// vervoer`, `meer dan 6`; the full condition where the fact must be named.
    pub fn edge(&self, name: &str) -> String {
        match self {
            Limit::Bool(true) => "ja".to_string(),
            Limit::Bool(false) => "nee".to_string(),
            Limit::Choices(names) => match names.as_slice() {
                [one] => format!("is {one}"),
                many => format!("in [{}]", many.join(", ")),
            },
            Limit::Numbers(ranges) if ranges.len() == 1 => {
                let full = self.condition(name);
                full.strip_prefix(name)
                    .map(str::trim_start)
                    .filter(|rest| !rest.contains(name))
                    .map_or(full.clone(), str::to_string)
            }
            _ => self.condition(name),
        }
    }
}

/// A region as a condition in the rule language: `soort is vervoer en afstand_km meer
/// dan 6`; `alle gevallen` when it has no limits.
pub fn describe(space: &Space<'_>, region: &Region) -> String {
    let parts: Vec<String> = region
        .iter()
        .enumerate()
        .filter_map(|(i, cells)| {
            let limit = Limit::of(space, i, cells.as_ref()?)?;
            Some(limit.condition(&space.vars.get(i)?.fact))
        })
        .collect();
    if parts.is_empty() {
        "alle gevallen".to_string()
    } else {
        parts.join(" en ")
    }
}

fn quote(t: &str) -> String {
    format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Adjacent numeric cells joined into ranges; a limit that is the fact's own bound says
/// nothing and is left out.
fn ranges(kinds: &[&CellKind], bounds: Option<(Decimal, Decimal)>) -> Vec<(Bound, Bound)> {
    let mut out: Vec<(Bound, Bound)> = Vec::new();
    for k in kinds {
        let CellKind::Number(lo, hi) = k else {
            continue;
        };
        match out.last_mut() {
            Some((_, end)) if touches(*end, *lo) => *end = *hi,
            _ => out.push((*lo, *hi)),
        }
    }
    out.into_iter()
        .map(|(lo, hi)| match (lo, hi) {
            (Bound::Inclusive(a), Bound::Inclusive(b)) if a == b => (lo, hi),
            _ => (
                match (lo, bounds) {
                    (Bound::Inclusive(a), Some((b, _))) if a == b => Bound::Unbounded,
                    _ => lo,
                },
                match (hi, bounds) {
                    (Bound::Inclusive(a), Some((_, b))) if a == b => Bound::Unbounded,
                    _ => hi,
                },
            ),
        })
        .collect()
}

/// `leeftijd ten minste 7 en leeftijd minder dan 13`, `afstand_km is 6`.
fn range_words(name: &str, (lo, hi): (Bound, Bound)) -> String {
    if let (Bound::Inclusive(a), Bound::Inclusive(b)) = (lo, hi) {
        if a == b {
            return format!("{name} is {}", show(a));
        }
    }
    let mut p = Vec::new();
    match lo {
        Bound::Inclusive(a) => p.push(format!("{name} ten minste {}", show(a))),
        Bound::Exclusive(a) => p.push(format!("{name} meer dan {}", show(a))),
        Bound::Unbounded => {}
    }
    match hi {
        Bound::Inclusive(b) => p.push(format!("{name} ten hoogste {}", show(b))),
        Bound::Exclusive(b) => p.push(format!("{name} minder dan {}", show(b))),
        Bound::Unbounded => {}
    }
    if p.is_empty() {
        format!("{name} is een getal")
    } else {
        p.join(" en ")
    }
}

/// Whether a range ending at `end` continues with one starting at `start`.
fn touches(end: Bound, start: Bound) -> bool {
    match (end, start) {
        (Bound::Inclusive(a), Bound::Exclusive(b)) | (Bound::Exclusive(a), Bound::Inclusive(b)) => {
            a == b
        }
        _ => false,
    }
}

fn show(d: Decimal) -> String {
    d.normalize().to_string()
}
