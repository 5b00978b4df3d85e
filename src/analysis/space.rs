//! The space of cases of one or more rule sets, cut into finitely many cells.
//!
//! Each fact becomes a variable with cells: `ja`/`nee`; every value of a `keuze` that a
//! condition names, plus one cell for all the values no condition names; every text a
//! condition names plus "another text"; for a number the points and open intervals
//! between the constants it is compared with (and its `tussen` bounds). A `lijst` fact
//! becomes one yes/no variable per member that a condition asks about. Within a cell
//! every condition of the form `fact op constant` has one value, so exploring one
//! representative per cell is exact; comparisons that combine facts (arithmetic, or a
//! fact against a fact) make it approximate, and [`Space::approximate`] names them.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};

use crate::case::value_json;
use crate::eval::{Facts, Open};
use crate::ruleset::{Compare, Expr, FactId, RuleSet, Sym, Type, Value};

/// One side of a numeric interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Unbounded,
    Inclusive(Decimal),
    Exclusive(Decimal),
}

/// What a cell stands for, by name (the same in every rule set of the space).
#[derive(Debug, Clone, PartialEq)]
pub enum CellKind {
    Bool(bool),
    /// One named value, or a group of values no condition tells apart.
    Choice(Vec<String>),
    /// A named text, or (`None`) any other text.
    Text(Option<String>),
    Number(Bound, Bound),
    /// Whether the list contains the variable's member.
    Member(bool),
}

/// One of the rule sets of a space (a space has one, or two side by side for `diff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View(pub usize);

impl View {
    /// The first (for `diff`: the old) rule set.
    pub const FIRST: View = View(0);
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub kind: CellKind,
    /// The representative value in each rule set of the space, by [`View`].
    values: Vec<Option<Value>>,
}

impl Cell {
    /// The representative value for one rule set.
    pub fn value(&self, view: View) -> Option<&Value> {
        self.values.get(view.0).and_then(Option::as_ref)
    }
}

#[derive(Debug, Clone)]
pub struct Var {
    /// The fact's name.
    pub fact: String,
    /// For a `lijst` member: the member's name.
    pub member: Option<String>,
    pub cells: Vec<Cell>,
    /// The fact in each rule set of the space, by [`View`].
    ids: Vec<FactId>,
    /// The fact's `tussen` bounds.
    pub bounds: Option<(Decimal, Decimal)>,
}

impl Var {
    /// The fact of this variable in one rule set.
    pub fn id(&self, view: View) -> Option<FactId> {
        self.ids.get(view.0).copied()
    }
}

/// One rule set of a space with its current assignment.
pub struct Side<'a> {
    pub rs: &'a RuleSet,
    pub facts: Assignment,
}

/// The fact values of one rule set while exploring: whole values, and single members of
/// lists whose other members are not settled yet.
#[derive(Debug, Clone)]
pub struct Assignment {
    values: Vec<Option<Value>>,
    members: Vec<Vec<(Sym, bool)>>,
    /// How many member variables each list fact has.
    member_vars: Vec<usize>,
}

impl Facts for Assignment {
    fn value(&self, fact: FactId) -> Option<&Value> {
        self.values.get(fact.index()).and_then(Option::as_ref)
    }

    fn contains(&self, fact: FactId, item: Sym) -> Option<bool> {
        if let Some(Value::List(items)) = self.value(fact) {
            return Some(items.contains(&item));
        }
        self.members
            .get(fact.index())?
            .iter()
            .find(|(s, _)| *s == item)
            .map(|(_, b)| *b)
    }
}

/// The variables of a space, the current assignment, and whether exploring it is exact.
pub struct Space<'a> {
    /// The rule sets, by [`View`], each with its current assignment.
    sides: Vec<Side<'a>>,
    pub vars: Vec<Var>,
    /// Cell per variable, when assigned.
    pub assigned: Vec<Option<usize>>,
    /// Conditions that combine facts (source text), which make the analysis approximate.
    pub approximate: Vec<String>,
}

/// What the conditions of a rule set say about one fact.
#[derive(Default, Clone)]
struct Usage {
    numbers: BTreeSet<Decimal>,
    names: BTreeSet<String>,
    texts: BTreeSet<String>,
    members: Vec<String>,
    /// Compared with something other than a constant: keep every value apart.
    all_values: bool,
}

impl<'a> Space<'a> {
    /// The space of one rule set.
    pub fn of(rs: &'a RuleSet) -> Space<'a> {
        Space::shared(&[rs])
    }

    /// The facts that all `sets` declare with the same name and type.
    pub fn shared(sets: &[&'a RuleSet]) -> Space<'a> {
        let mut approximate = Vec::new();
        let usages: Vec<Vec<Usage>> = sets.iter().map(|rs| usage(rs, &mut approximate)).collect();
        approximate.sort();
        approximate.dedup();
        let mut vars = Vec::new();
        let Some(first) = sets.first() else {
            return Space {
                sides: Vec::new(),
                vars,
                assigned: Vec::new(),
                approximate,
            };
        };
        for fact in first.facts() {
            let ids: Option<Vec<FactId>> = sets
                .iter()
                .map(|rs| {
                    rs.fact_id(&fact.name)
                        .filter(|id| same_type(first, fact, rs, *id))
                })
                .collect();
            let Some(ids) = ids else { continue };
            let mut u = Usage::default();
            for (view, id) in ids.iter().enumerate() {
                if let Some(x) = usages.get(view).and_then(|us| us.get(id.index())) {
                    u.numbers.extend(x.numbers.iter().copied());
                    u.names.extend(x.names.iter().cloned());
                    u.texts.extend(x.texts.iter().cloned());
                    for m in &x.members {
                        if !u.members.contains(m) {
                            u.members.push(m.clone());
                        }
                    }
                    u.all_values |= x.all_values;
                }
            }
            vars.extend(variables(sets, &ids, fact, &u));
        }
        let sides = sets
            .iter()
            .enumerate()
            .map(|(view, rs)| {
                let facts = rs.facts().len();
                let mut member_vars = vec![0; facts];
                for v in vars.iter().filter(|v| v.member.is_some()) {
                    if let Some(n) = v
                        .id(View(view))
                        .and_then(|id| member_vars.get_mut(id.index()))
                    {
                        *n += 1;
                    }
                }
                Side {
                    rs,
                    facts: Assignment {
                        values: vec![None; facts],
                        members: vec![Vec::new(); facts],
                        member_vars,
                    },
                }
            })
            .collect();
        Space {
            sides,
            assigned: vec![None; vars.len()],
            vars,
            approximate,
        }
    }

    /// One rule set of the space with its current assignment.
    pub fn side(&self, view: View) -> Option<&Side<'a>> {
        self.sides.get(view.0)
    }

    /// The rule sets of the space, each with its [`View`].
    pub fn views(&self) -> impl Iterator<Item = View> {
        (0..self.sides.len()).map(View)
    }

    pub fn exact(&self) -> bool {
        self.approximate.is_empty()
    }

    /// Gives variable `var` the representative of cell `cell`.
    pub fn assign(&mut self, var: usize, cell: usize) {
        let Some(v) = self.vars.get(var) else { return };
        let Some(c) = v.cells.get(cell) else { return };
        for (view, side) in self.sides.iter_mut().enumerate() {
            let (Some(id), Some(value)) = (v.id(View(view)), c.values.get(view)) else {
                continue;
            };
            let i = id.index();
            let a = &mut side.facts;
            match (&v.member, value) {
                (Some(member), Some(Value::Bool(b))) => {
                    let Some(sym) = side.rs.symbols().get(member) else {
                        continue;
                    };
                    if let Some(ms) = a.members.get_mut(i) {
                        ms.push((sym, *b));
                        if ms.len() == a.member_vars.get(i).copied().unwrap_or(0) {
                            let mut items: Vec<Sym> =
                                ms.iter().filter(|(_, b)| *b).map(|(s, _)| *s).collect();
                            items.sort();
                            if let Some(slot) = a.values.get_mut(i) {
                                *slot = Some(Value::List(items));
                            }
                        }
                    }
                }
                _ => {
                    if let Some(slot) = a.values.get_mut(i) {
                        slot.clone_from(value);
                    }
                }
            }
        }
        if let Some(slot) = self.assigned.get_mut(var) {
            *slot = Some(cell);
        }
    }

    /// Takes the value of `var` back (the reverse of the last [`Space::assign`] of it).
    pub fn unassign(&mut self, var: usize) {
        let Some(v) = self.vars.get(var) else { return };
        for (view, side) in self.sides.iter_mut().enumerate() {
            let Some(id) = v.id(View(view)) else { continue };
            let i = id.index();
            let a = &mut side.facts;
            if v.member.is_some() {
                if let Some(ms) = a.members.get_mut(i) {
                    ms.pop();
                }
            }
            if let Some(slot) = a.values.get_mut(i) {
                *slot = None;
            }
        }
        if let Some(slot) = self.assigned.get_mut(var) {
            *slot = None;
        }
    }

    /// The variable to branch on for an open unknown of rule set `view`, if it is in
    /// the space and not assigned yet.
    pub fn var_of(&self, view: View, open: Open) -> Option<usize> {
        let rs = self.side(view)?.rs;
        let (fact, member) = match open {
            Open::Fact(f) => (f, None),
            Open::Member(f, s) => (f, Some(rs.symbols().name(s))),
        };
        self.vars.iter().enumerate().position(|(i, v)| {
            v.id(view) == Some(fact)
                && self.assigned.get(i) == Some(&None)
                && match (member, &v.member) {
                    (Some(m), Some(vm)) => m == vm,
                    (None, _) => true,
                    (Some(_), None) => false,
                }
        })
    }

    /// The assigned facts as a case (JSON object) for rule set `view`: the example of a
    /// finding. Lists hold the members assigned `ja`.
    pub fn example(&self, view: View) -> Map<String, Json> {
        let mut out = Map::new();
        let Some(rs) = self.side(view).map(|s| s.rs) else {
            return out;
        };
        for (v, cell) in self.vars.iter().zip(&self.assigned) {
            let Some(cell) = cell.and_then(|c| v.cells.get(c)) else {
                continue;
            };
            match (&v.member, &cell.kind) {
                (Some(m), CellKind::Member(b)) => {
                    let entry = out
                        .entry(v.fact.clone())
                        .or_insert_with(|| Json::Array(Vec::new()));
                    if let (true, Json::Array(items)) = (*b, entry) {
                        items.push(Json::String(m.clone()));
                    }
                }
                _ => {
                    if let Some(value) = cell.value(view) {
                        out.insert(v.fact.clone(), value_json(rs, value));
                    }
                }
            }
        }
        out
    }
}

fn same_type(a: &RuleSet, fa: &crate::ruleset::Fact, b: &RuleSet, id: FactId) -> bool {
    let fb = b.fact(id);
    let names = |rs: &RuleSet, f: &crate::ruleset::Fact| -> Vec<String> {
        f.values
            .iter()
            .map(|s| rs.symbols().name(*s).to_string())
            .collect()
    };
    std::mem::discriminant(&fa.ty) == std::mem::discriminant(&fb.ty)
        && names(a, fa) == names(b, fb)
        && fa.bounds == fb.bounds
}

/// The variables of one fact.
fn variables(
    sets: &[&RuleSet],
    ids: &[FactId],
    fact: &crate::ruleset::Fact,
    u: &Usage,
) -> Vec<Var> {
    let var = |member: Option<String>, cells: Vec<Cell>| Var {
        fact: fact.name.clone(),
        member,
        cells,
        ids: ids.to_vec(),
        bounds: fact.bounds,
    };
    let same = |value: Value| vec![Some(value); sets.len()];
    let per_view = |f: &dyn Fn(&RuleSet) -> Option<Value>| -> Vec<Option<Value>> {
        sets.iter().map(|rs| f(rs)).collect()
    };
    let first = sets.first().copied();
    let names: Vec<String> = first
        .map(|rs| {
            fact.values
                .iter()
                .map(|s| rs.symbols().name(*s).to_string())
                .collect()
        })
        .unwrap_or_default();
    match fact.ty {
        Type::Bool => vec![var(
            None,
            [true, false]
                .into_iter()
                .map(|b| Cell {
                    kind: CellKind::Bool(b),
                    values: same(Value::Bool(b)),
                })
                .collect(),
        )],
        Type::Choice(_) => {
            let mut cells = Vec::new();
            let mut rest = Vec::new();
            for n in &names {
                if u.all_values || u.names.contains(n) {
                    cells.push(vec![n.clone()]);
                } else {
                    rest.push(n.clone());
                }
            }
            if !rest.is_empty() {
                cells.push(rest);
            }
            let cells = cells
                .into_iter()
                .map(|group| {
                    let rep = group.first().cloned().unwrap_or_default();
                    Cell {
                        values: per_view(&|rs| rs.symbols().get(&rep).map(Value::Choice)),
                        kind: CellKind::Choice(group),
                    }
                })
                .collect();
            vec![var(None, cells)]
        }
        Type::List(_) => {
            let members: Vec<String> = if u.all_values {
                names.clone()
            } else {
                u.members.clone()
            };
            members
                .into_iter()
                .map(|m| {
                    var(
                        Some(m),
                        [true, false]
                            .into_iter()
                            .map(|b| Cell {
                                kind: CellKind::Member(b),
                                values: same(Value::Bool(b)),
                            })
                            .collect(),
                    )
                })
                .collect()
        }
        Type::Text => {
            let mut cells: Vec<Cell> = u
                .texts
                .iter()
                .map(|t| Cell {
                    kind: CellKind::Text(Some(t.clone())),
                    values: same(Value::Text(t.as_str().into())),
                })
                .collect();
            let mut other = String::from("…");
            while u.texts.contains(&other) {
                other.push('…');
            }
            cells.push(Cell {
                kind: CellKind::Text(None),
                values: same(Value::Text(other.as_str().into())),
            });
            vec![var(None, cells)]
        }
        Type::Number => vec![var(None, number_cells(&u.numbers, fact.bounds, sets.len()))],
    }
}

/// Points and the open intervals between them, within the bounds.
fn number_cells(
    points: &BTreeSet<Decimal>,
    bounds: Option<(Decimal, Decimal)>,
    views: usize,
) -> Vec<Cell> {
    let mut ps: Vec<Decimal> = points
        .iter()
        .copied()
        .filter(|p| bounds.is_none_or(|(lo, hi)| *p >= lo && *p <= hi))
        .collect();
    if let Some((lo, hi)) = bounds {
        ps.push(lo);
        ps.push(hi);
    }
    ps.sort();
    ps.dedup();
    let cell = |lo: Bound, hi: Bound, rep: Decimal| Cell {
        kind: CellKind::Number(lo, hi),
        values: vec![Some(Value::Number(rep.normalize())); views],
    };
    let mut cells = Vec::new();
    let (Some(first), Some(last)) = (ps.first().copied(), ps.last().copied()) else {
        return vec![cell(Bound::Unbounded, Bound::Unbounded, Decimal::ZERO)];
    };
    if bounds.is_none() {
        cells.push(cell(
            Bound::Unbounded,
            Bound::Exclusive(first),
            first - Decimal::ONE,
        ));
    }
    for (i, p) in ps.iter().enumerate() {
        cells.push(cell(Bound::Inclusive(*p), Bound::Inclusive(*p), *p));
        if let Some(next) = ps.get(i + 1) {
            cells.push(cell(
                Bound::Exclusive(*p),
                Bound::Exclusive(*next),
                (*p + *next) / Decimal::TWO,
            ));
        }
    }
    if bounds.is_none() {
        cells.push(cell(
            Bound::Exclusive(last),
            Bound::Unbounded,
            last + Decimal::ONE,
        ));
    }
    cells
}

/// Walks every condition and concept of `rs` and records how each fact is compared.
fn usage(rs: &RuleSet, approximate: &mut Vec<String>) -> Vec<Usage> {
    let mut us = vec![Usage::default(); rs.facts().len()];
    let mut walk = Walk {
        rs,
        us: &mut us,
        approximate,
        atom: None,
    };
    for c in rs.concepts() {
        walk.expr(&c.expr);
    }
    for r in rs.rules() {
        walk.expr(&r.condition);
    }
    us
}

struct Walk<'a, 'b> {
    rs: &'a RuleSet,
    us: &'b mut Vec<Usage>,
    approximate: &'b mut Vec<String>,
    /// The text of the atom being walked, for the approximation notes.
    atom: Option<String>,
}

impl Walk<'_, '_> {
    fn usage(&mut self, f: FactId) -> Option<&mut Usage> {
        self.us.get_mut(f.index())
    }

    fn approximate(&mut self) {
        if let Some(a) = &self.atom {
            self.approximate.push(a.clone());
        }
    }

    /// A fact, or a concept that is just a fact.
    fn fact_of(&self, e: &Expr) -> Option<FactId> {
        match e {
            Expr::Fact(f) => Some(*f),
            Expr::Concept(c) => self.fact_of(&self.rs.concept(*c).expr),
            Expr::Atom(_, x) => self.fact_of(x),
            _ => None,
        }
    }

    fn constant(e: &Expr) -> Option<Value> {
        match e {
            Expr::Const(v) => Some(v.clone()),
            Expr::Neg(x) => match Self::constant(x)? {
                Value::Number(d) => Some(Value::Number(-d)),
                _ => None,
            },
            _ => None,
        }
    }

    fn record(&mut self, f: FactId, v: &Value) {
        let name = |s: &Sym| self.rs.symbols().name(*s).to_string();
        let n = match v {
            Value::Choice(s) => Some(name(s)),
            _ => None,
        };
        let Some(u) = self.usage(f) else { return };
        match v {
            Value::Number(d) => {
                u.numbers.insert(*d);
            }
            Value::Text(t) => {
                u.texts.insert(t.to_string());
            }
            Value::Choice(_) => {
                if let Some(n) = n {
                    u.names.insert(n);
                }
            }
            Value::Bool(_) | Value::List(_) => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Const(_)
            | Expr::Fact(_)
            | Expr::Concept(_)
            | Expr::DecisionIs { .. }
            | Expr::RuleApplies { .. } => {}
            Expr::Atom(id, x) => {
                let saved = self.atom.replace(self.rs.atom(*id).text.clone());
                self.expr(x);
                self.atom = saved;
            }
            Expr::Not(x) | Expr::Neg(x) => self.expr(x),
            Expr::And(a, b) | Expr::Or(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            Expr::Compare(op, a, b) => {
                let facts = (self.fact_of(a), self.fact_of(b));
                let consts = (Self::constant(a), Self::constant(b));
                match (facts, consts) {
                    ((Some(f), _), (_, Some(c))) | ((_, Some(f)), (Some(c), _)) => {
                        self.record(f, &c);
                    }
                    ((Some(_), Some(_)), _) if matches!(op, Compare::Eq | Compare::Ne) => {
                        for f in [facts.0, facts.1].into_iter().flatten() {
                            if let Some(u) = self.usage(f) {
                                u.all_values = true;
                            }
                        }
                        self.approximate_if_numeric_or_text(a);
                    }
                    _ => {
                        self.approximate();
                        self.expr(a);
                        self.expr(b);
                    }
                }
            }
            Expr::In { value, list, .. } => match self.fact_of(value) {
                Some(f) => {
                    for v in list {
                        self.record(f, v);
                    }
                }
                None => {
                    self.approximate();
                    self.expr(value);
                }
            },
            Expr::Contains { list, item, .. } => match (self.fact_of(list), Self::constant(item)) {
                (Some(f), Some(Value::Choice(s))) => {
                    let m = self.rs.symbols().name(s).to_string();
                    if let Some(u) = self.usage(f) {
                        if !u.members.contains(&m) {
                            u.members.push(m);
                        }
                    }
                }
                (Some(f), _) => {
                    if let Some(u) = self.usage(f) {
                        u.all_values = true;
                    }
                    self.expr(item);
                }
                _ => {
                    self.approximate();
                    self.expr(list);
                    self.expr(item);
                }
            },
            Expr::Arith(_, a, b, _) => {
                self.approximate();
                self.expr(a);
                self.expr(b);
            }
        }
    }

    /// Two facts compared for equality are exact for choices and yes/no (every value is
    /// its own cell), not for numbers and texts.
    fn approximate_if_numeric_or_text(&mut self, e: &Expr) {
        let numeric_or_text = self
            .fact_of(e)
            .is_some_and(|f| matches!(self.rs.fact(f).ty, Type::Number | Type::Text));
        if numeric_or_text {
            self.approximate();
        }
    }
}
