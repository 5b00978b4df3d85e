//! The matrix a workgroup publishes: kinds of support down the side (the values of one
//! `keuze` fact, `soort` by default), who pays and by which route across, and in each
//! cell the conditions under which that kind of support goes to that payer — derived by
//! exploring the rule set, not written by hand. Rendered as HTML and Markdown by
//! [`crate::report::matrix`].

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::space::{Bound, CellKind, Space};
use super::{decide, explore, next_var, regions, Limit, Node, Probe, View, BUDGET};
use crate::eval::{Decision, Status, Waiting};
use crate::ruleset::{DomainId, Payer, RuleId, RuleSet, Type};

/// Who pays by which route: a domain of the law, and the value of the decision that
/// routes it (`None` when no decision routes it, or it was not needed).
pub type ColumnKey = (DomainId, Option<DomainId>);

/// One column: a payer by a route.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: ColumnKey,
    /// The law's domain, by its label (`Jeugdwet`).
    pub law: String,
    /// The route value's label (`Beschikbaarheidsfinanciering, geen beschikking`).
    pub route: Option<String>,
    /// Who pays, as declared: a text, or the fact of the case that names the payer.
    pub payer: String,
}

/// What one part of a row gives one column.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The conditions in plain words (besides the row's own value); empty: always.
    pub conditions: Vec<String>,
    /// `Decided`, `Fallback` (the grey area) or `Conflict`, of the law or of the route.
    pub status: Status,
    /// The column's share when it is less than the whole (`50` in a 50/50 split).
    pub share: Option<Decimal>,
    /// The rules that decide, law first.
    pub rules: Vec<RuleId>,
}

/// One row: a value of the row fact and, per column, the parts of the row it pays.
#[derive(Debug, Clone)]
pub struct Row {
    pub value: String,
    pub label: String,
    /// Per column (same order as [`Matrix::columns`]).
    pub cells: Vec<Vec<Entry>>,
    /// Parts of the row that stay incomplete (a fact outside the space, or the budget).
    pub open: Vec<Vec<String>>,
}

/// The matrix of a rule set at one reference date.
pub struct Matrix<'a> {
    pub rs: &'a RuleSet,
    /// The fact down the side, in words (`soort`).
    pub rows_fact: String,
    pub rows: Vec<Row>,
    pub columns: Vec<Column>,
    pub date: Date,
    /// Whether the whole space fitted in the budget.
    pub complete: bool,
    /// Conditions that combine facts (source text): the matrix leaves their facts out
    /// and may miss combinations of them.
    pub approximate: Vec<String>,
}

/// Why there is no matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatrixError {
    /// The rule set has no `keuze` fact of that name; the names it does have.
    NoSuchChoice { name: String, choices: Vec<String> },
    /// The rule set never reads the fact: every row would be the same.
    Unread(String),
}

/// What one leaf of the exploration gives one column.
#[derive(Clone, PartialEq)]
struct Paid {
    column: ColumnKey,
    share: Decimal,
    status: Status,
    /// The law's deciding rules, and the route's for a routed share.
    rules: Vec<RuleId>,
}

/// One leaf of the exploration: what it gives each column, or that it stays open.
#[derive(Clone, PartialEq)]
struct Leaf {
    paid: Vec<Paid>,
    open: bool,
}

/// The matrix of `rs` with the values of the `keuze` fact `rows` down the side, at
/// reference date `date` (see [`super::picture_date`]).
///
/// # Errors
/// [`MatrixError`] when `rows` is no `keuze` fact of the rule set, or no rule reads it.
pub fn build<'a>(rs: &'a RuleSet, rows: &str, date: Date) -> Result<Matrix<'a>, MatrixError> {
    let choices = || {
        rs.facts()
            .iter()
            .filter(|f| matches!(f.ty, Type::Choice(_)))
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
    };
    let fact = rs
        .fact_id(rows)
        .filter(|f| matches!(rs.fact(*f).ty, Type::Choice(_)))
        .ok_or_else(|| MatrixError::NoSuchChoice {
            name: rows.to_string(),
            choices: choices(),
        })?;
    let mut space = Space::of(rs);
    let row_var = space
        .vars
        .iter()
        .position(|v| v.id(View::FIRST) == Some(fact) && v.member.is_none())
        .ok_or_else(|| MatrixError::Unread(rows.to_string()))?;
    let mut budget = BUDGET;
    let node = explore(&mut space, &mut budget, &mut |space, last| {
        if space.assigned.get(row_var).copied().flatten().is_none() && !last {
            return Probe::Branch(row_var);
        }
        let Ok(d) = decide(space, View::FIRST, date) else {
            return Probe::Leaf(Leaf {
                paid: Vec::new(),
                open: true,
            });
        };
        let settled = d.views().all(|v| v.status != Status::Incomplete);
        if !settled && !last {
            if let Ok(Some(var)) = next_var(space, View::FIRST, &d, Waiting::Result) {
                return Probe::Branch(var);
            }
        }
        Probe::Leaf(leaf(rs, &d, settled))
    });
    let columns = columns(rs);
    let vars = space.vars.len();
    let cells_of = |v: usize| space.vars.get(v).map_or(0, |v| v.cells.len());
    // Facts read only in conditions that combine facts (the hours of an arrangement)
    // are left out of the cells: their cells are where the analysis looked, not what the
    // rules say. The titles of the deciding rules say it instead.
    let approximate: Vec<bool> = space.vars.iter().map(|v| v.approximate).collect();
    let mut out_rows = Vec::new();
    let Node::Branch { children, .. } = &node else {
        return Err(MatrixError::Unread(rows.to_string()));
    };
    let row_cells = &space
        .vars
        .get(row_var)
        .map(|v| v.cells.clone())
        .unwrap_or_default();
    for (cell, child) in row_cells.iter().zip(children) {
        let CellKind::Choice(values) = &cell.kind else {
            continue;
        };
        let cells: Vec<Vec<Entry>> = columns
            .iter()
            .map(|col| {
                let found = regions(child, vars, &cells_of, &|l: &Leaf| {
                    let p = l.paid.iter().find(|p| p.column == col.key)?;
                    Some(((p.share, p.status, p.rules.clone()), ()))
                });
                merged(found, &cells_of, &approximate)
                    .into_iter()
                    .map(|(region, (share, status, rules))| Entry {
                        conditions: conditions(rs, &space, &region, row_var),
                        status,
                        share: (share < Decimal::ONE_HUNDRED).then_some(share),
                        rules,
                    })
                    .collect()
            })
            .collect();
        let open: Vec<Vec<String>> = merged(
            regions(child, vars, &cells_of, &|l: &Leaf| {
                l.open.then_some(((), ()))
            }),
            &cells_of,
            &approximate,
        )
        .into_iter()
        .map(|(region, ())| conditions(rs, &space, &region, row_var))
        .collect();
        for value in values {
            let label = rs
                .fact(fact)
                .values
                .iter()
                .find(|s| rs.symbols().name(**s) == value)
                .and_then(|s| rs.label(rs.fact(fact), *s))
                .map_or_else(|| words(value), str::to_string);
            out_rows.push(Row {
                value: value.clone(),
                label,
                cells: cells.clone(),
                open: open.clone(),
            });
        }
    }
    // Columns no row uses are left out.
    let used: Vec<bool> = (0..columns.len())
        .map(|c| {
            out_rows
                .iter()
                .any(|r| r.cells.get(c).is_some_and(|e| !e.is_empty()))
        })
        .collect();
    let keep = |i: &usize| used.get(*i).copied().unwrap_or(false);
    let columns = columns
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep(i))
        .map(|(_, c)| c)
        .collect();
    for row in &mut out_rows {
        row.cells = std::mem::take(&mut row.cells)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep(i))
            .map(|(_, c)| c)
            .collect();
    }
    Ok(Matrix {
        rs,
        rows_fact: words(rows),
        rows: out_rows,
        columns,
        date,
        complete: budget > 0,
        approximate: space.approximate.clone(),
    })
}

/// What a settled decision pays, per column, with the status and rules that decided
/// each share.
fn leaf(rs: &RuleSet, d: &Decision, settled: bool) -> Leaf {
    let mut paid = Vec::new();
    // The rules behind every share: those of the decisions the law builds on (an
    // arrangement), then the law's own.
    let mut base: Vec<RuleId> = Vec::new();
    for view in rs
        .decision_order()
        .iter()
        .filter_map(|id| d.views().find(|v| v.decision == *id))
    {
        let def = rs.decision(view.decision);
        if def.routes.is_empty() && view.status != Status::NotNeeded {
            for r in view.decided_by {
                if !base.contains(r) {
                    base.push(*r);
                }
            }
        }
    }
    if let (true, Some(law)) = (settled, d.outcome.as_ref()) {
        for (domain, percent) in law.shares() {
            let route = d.parts.iter().find(|p| {
                rs.decision(p.decision).routes.contains(domain) && p.status != Status::NotNeeded
            });
            match route.and_then(|p| p.outcome.as_ref().map(|o| (p, o))) {
                Some((part, routed)) => {
                    let mut rules = base.clone();
                    rules.extend(part.decided_by.iter().filter(|r| !base.contains(r)));
                    for (value, share) in routed.shares() {
                        paid.push(Paid {
                            column: (*domain, Some(*value)),
                            share: *percent * *share / Decimal::ONE_HUNDRED,
                            status: worst(d.status, part.status),
                            rules: rules.clone(),
                        });
                    }
                }
                None => paid.push(Paid {
                    column: (*domain, None),
                    share: *percent,
                    status: d.status,
                    rules: base.clone(),
                }),
            }
        }
    }
    Leaf {
        paid,
        open: !settled,
    }
}

/// Regions with the same label joined as far as they go: two that differ in one
/// variable only become one (the union of its cells; the variable drops out when that
/// covers all of them), and a region inside another with the same label is dropped.
/// What the exploration split for other columns does not show in this one.
fn merged<K: PartialEq + Clone>(
    found: Vec<(super::Region, K, ())>,
    cells_of: &dyn Fn(usize) -> usize,
    left_out: &[bool],
) -> Vec<(super::Region, K)> {
    let mut out: Vec<(super::Region, K)> = found
        .into_iter()
        .map(|(mut r, k, ())| {
            for (slot, out) in r.iter_mut().zip(left_out) {
                if *out {
                    *slot = None;
                }
            }
            (r, k)
        })
        .collect();
    while let Some(step) = next_merge(&out, cells_of) {
        match step {
            Merge::Drop(j) => {
                out.remove(j);
            }
            Merge::Join(i, j, joined) => {
                if let Some(slot) = out.get_mut(i) {
                    slot.0 = joined;
                }
                out.remove(j);
            }
        }
    }
    out
}

/// One step of [`merged`].
enum Merge {
    /// Region `j` lies inside another with the same label.
    Drop(usize),
    /// Regions `i` and `j` become one (kept at `i`).
    Join(usize, usize, super::Region),
}

fn next_merge<K: PartialEq>(
    out: &[(super::Region, K)],
    cells_of: &dyn Fn(usize) -> usize,
) -> Option<Merge> {
    for (i, (a, ka)) in out.iter().enumerate() {
        for (j, (b, kb)) in out.iter().enumerate() {
            if i == j || ka != kb {
                continue;
            }
            if within(b, a) {
                return Some(Merge::Drop(j));
            }
            if let Some(joined) = join(a, b, cells_of) {
                return Some(Merge::Join(i, j, joined));
            }
        }
    }
    None
}

/// Whether every case of region `a` is in region `b`.
fn within(a: &super::Region, b: &super::Region) -> bool {
    a.iter().zip(b).all(|(x, y)| match (x, y) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(x), Some(y)) => x.is_subset(y),
    })
}

/// Two regions that agree on every variable but one, as one region.
fn join(
    a: &super::Region,
    b: &super::Region,
    cells_of: &dyn Fn(usize) -> usize,
) -> Option<super::Region> {
    let differ: Vec<usize> = (0..a.len()).filter(|i| a.get(*i) != b.get(*i)).collect();
    let [var] = differ.as_slice() else {
        return None;
    };
    let (Some(Some(x)), Some(Some(y))) = (a.get(*var), b.get(*var)) else {
        return None;
    };
    let union: std::collections::BTreeSet<usize> = x.union(y).copied().collect();
    let mut out = a.clone();
    if let Some(slot) = out.get_mut(*var) {
        *slot = (union.len() < cells_of(*var)).then_some(union);
    }
    Some(out)
}

/// The status a reader should see for a share: a conflict or grey area anywhere on its
/// way is what they need to know.
fn worst(law: Status, route: Status) -> Status {
    match (law, route) {
        (Status::Conflict, _) | (_, Status::Conflict) => Status::Conflict,
        (Status::Fallback, _) => Status::Fallback,
        (_, s) => s,
    }
}

/// Every payer by route the rule set can give: the law's domains in declaration order,
/// each routed domain once per value of the decision that routes it.
fn columns(rs: &RuleSet) -> Vec<Column> {
    let mut out = Vec::new();
    for (i, domain) in rs.domains().iter().enumerate() {
        let id = DomainId::from_index(i);
        if domain.decision != crate::ruleset::LAW {
            continue;
        }
        let law = domain.label.clone().unwrap_or_else(|| words(&domain.name));
        let routes: Vec<DomainId> = rs
            .further_decisions()
            .filter(|(_, d)| d.routes.contains(&id))
            .flat_map(|(_, d)| d.values.clone())
            .collect();
        out.push(Column {
            key: (id, None),
            law: law.clone(),
            route: None,
            payer: payer_words(rs, domain.payer.as_ref(), &domain.name),
        });
        for value in routes {
            let v = rs.domain(value);
            out.push(Column {
                key: (id, Some(value)),
                law: law.clone(),
                route: Some(v.label.clone().unwrap_or_else(|| words(&v.name))),
                payer: payer_words(rs, v.payer.as_ref().or(domain.payer.as_ref()), &domain.name),
            });
        }
    }
    out
}

fn payer_words(rs: &RuleSet, payer: Option<&Payer>, domain: &str) -> String {
    match payer {
        Some(Payer::Text(t)) => t.clone(),
        Some(Payer::Fact(f)) => format!("{} (uit de casus)", words(rs.fact_name(*f))),
        None => words(domain),
    }
}

/// A region's limits in plain words, one per fact, leaving out the row's own fact:
/// `leeftijd: minder dan 18 jaar`, `gericht op: ontwikkeling of opvoeding`,
/// `problematiek: wel eed, geen dyscalculie`.
fn conditions(
    rs: &RuleSet,
    space: &Space<'_>,
    region: &super::Region,
    row_var: usize,
) -> Vec<String> {
    let mut parts: Vec<(String, String)> = Vec::new();
    for (i, cells) in region.iter().enumerate() {
        let (Some(cells), Some(var)) = (cells.as_ref(), space.vars.get(i)) else {
            continue;
        };
        let Some(limit) = Limit::of(space, i, cells).filter(|_| i != row_var) else {
            continue;
        };
        let fact = var.id(View::FIRST).map(|f| rs.fact(f));
        let label = |v: &str| {
            fact.and_then(|f| {
                f.values
                    .iter()
                    .find(|s| rs.symbols().name(**s) == v)
                    .and_then(|s| rs.label(f, *s))
            })
            .map_or_else(|| words(v), str::to_string)
        };
        let text = match &limit {
            Limit::Bool(b) => (if *b { "ja" } else { "nee" }).to_string(),
            Limit::Member { member, contains } => {
                format!(
                    "{} {}",
                    if *contains { "wel" } else { "geen" },
                    label(member)
                )
            }
            Limit::Choices(values) => {
                // Most values: name the few that are left out.
                let all: Vec<String> = var
                    .cells
                    .iter()
                    .flat_map(|c| match &c.kind {
                        CellKind::Choice(names) => names.clone(),
                        _ => Vec::new(),
                    })
                    .collect();
                let others: Vec<String> = all
                    .iter()
                    .filter(|v| !values.contains(v))
                    .map(|v| label(v))
                    .collect();
                if values.len() > 2 && others.len() * 2 < all.len() {
                    format!("niet {}", crate::text::enumerate(&others, "of"))
                } else {
                    let labels: Vec<String> = values.iter().map(|v| label(v)).collect();
                    crate::text::enumerate(&labels, "of")
                }
            }
            Limit::Numbers(ranges) => {
                let unit = fact
                    .and_then(|f| f.unit.as_deref())
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                let each: Vec<String> = ranges.iter().map(|r| range(*r)).collect();
                format!("{}{unit}", each.join(" of "))
            }
            Limit::Texts { .. } => limit.condition(&var.fact),
        };
        let name = words(&var.fact);
        match parts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => {
                t.push_str(", ");
                t.push_str(&text);
            }
            None => parts.push((name, text)),
        }
    }
    parts
        .into_iter()
        .map(|(name, text)| format!("{name}: {text}"))
        .collect()
}

/// A numeric range in words: `ten minste 7 en minder dan 13`, `6`, `meer dan 6`.
fn range((lo, hi): (Bound, Bound)) -> String {
    let show = |d: Decimal| crate::text::number(d);
    if let (Bound::Inclusive(a), Bound::Inclusive(b)) = (lo, hi) {
        if a == b {
            return show(a);
        }
    }
    let mut p = Vec::new();
    match lo {
        Bound::Inclusive(a) => p.push(format!("ten minste {}", show(a))),
        Bound::Exclusive(a) => p.push(format!("meer dan {}", show(a))),
        Bound::Unbounded => {}
    }
    match hi {
        Bound::Inclusive(b) => p.push(format!("ten hoogste {}", show(b))),
        Bound::Exclusive(b) => p.push(format!("minder dan {}", show(b))),
        Bound::Unbounded => {}
    }
    if p.is_empty() {
        "elk getal".to_string()
    } else {
        p.join(" en ")
    }
}

/// `persoonlijke_verzorging` → `persoonlijke verzorging`.
fn words(name: &str) -> String {
    name.replace('_', " ")
}
