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
use crate::ruleset::{Compare, Expr, Fact, FactId, RuleSet, Sym, Type, Value};

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
    /// The fact in each rule set of the space, by [`View`] (`None` where a rule set does
    /// not declare it).
    ids: Vec<Option<FactId>>,
    /// The fact's `tussen` bounds (over every rule set of the space).
    pub bounds: Option<(Decimal, Decimal)>,
    /// Read in a condition that combines facts (`a + b > c`, `a / b < 30%`): its cells
    /// do not tell what the rules decide, only where the analysis looked.
    pub approximate: bool,
}

impl Var {
    /// The fact of this variable in one rule set.
    pub fn id(&self, view: View) -> Option<FactId> {
        self.ids.get(view.0).copied().flatten()
    }
}

/// One rule set of a space with its current assignment.
pub struct Side<'a> {
    pub rs: &'a RuleSet,
    pub facts: Assignment,
    /// How many assigned variables have a value this rule set does not allow (a value
    /// another rule set added to a `keuze`, a number outside its `tussen`): while any
    /// has, the assignment is no valid case for it.
    invalid: usize,
}

impl Side<'_> {
    /// Whether the current assignment is a valid case for this rule set.
    pub fn valid(&self) -> bool {
        self.invalid == 0
    }
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
    /// Names the rule sets declare with different kinds of type: not compared.
    pub incompatible: Vec<String>,
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
    /// Read in a condition that combines facts.
    approximate: bool,
}

impl<'a> Space<'a> {
    /// The space of one rule set.
    pub fn of(rs: &'a RuleSet) -> Space<'a> {
        Space::shared(&[rs])
    }

    /// The facts of all `sets`: every name any of them declares, once (in the order of
    /// the first that declares it). Where the sets declare a name with the same kind of
    /// type, it is one variable, its cells cut over the values and bounds of all of them
    /// (a value one set does not have is no valid case for it). A fact one set does not
    /// declare cannot change that set's decision. A name declared with different kinds
    /// of type (a `ja/nee` here, a `getal` there) is left out and named in
    /// `incompatible`.
    pub fn shared(sets: &[&'a RuleSet]) -> Space<'a> {
        let mut approximate = Vec::new();
        let usages: Vec<Vec<Usage>> = sets.iter().map(|rs| usage(rs, &mut approximate)).collect();
        approximate.sort();
        approximate.dedup();
        let mut names: Vec<&str> = Vec::new();
        for rs in sets {
            for f in rs.facts() {
                if !names.contains(&f.name.as_str()) {
                    names.push(&f.name);
                }
            }
        }
        let mut vars = Vec::new();
        let mut incompatible = Vec::new();
        for name in names {
            let ids: Vec<Option<FactId>> = sets.iter().map(|rs| rs.fact_id(name)).collect();
            let facts: Vec<Option<&Fact>> = sets
                .iter()
                .zip(&ids)
                .map(|(rs, id)| id.map(|id| rs.fact(id)))
                .collect();
            let kinds: BTreeSet<u8> = facts.iter().flatten().map(|f| kind(f.ty)).collect();
            if kinds.len() > 1 {
                incompatible.push(name.to_string());
                continue;
            }
            let mut u = Usage::default();
            for (view, id) in ids.iter().enumerate() {
                let Some(x) = id.and_then(|id| usages.get(view).and_then(|us| us.get(id.index())))
                else {
                    continue;
                };
                u.numbers.extend(x.numbers.iter().copied());
                u.names.extend(x.names.iter().cloned());
                u.texts.extend(x.texts.iter().cloned());
                for m in &x.members {
                    if !u.members.contains(m) {
                        u.members.push(m.clone());
                    }
                }
                u.all_values |= x.all_values;
                u.approximate |= x.approximate;
            }
            vars.extend(variables(sets, &ids, name, &facts, &u));
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
                    invalid: 0,
                }
            })
            .collect();
        Space {
            sides,
            assigned: vec![None; vars.len()],
            vars,
            approximate,
            incompatible,
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
            if value.is_none() {
                // A value this rule set does not allow: no valid case for it.
                side.invalid += 1;
                continue;
            }
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
        let cell = self.assigned.get(var).copied().flatten();
        for (view, side) in self.sides.iter_mut().enumerate() {
            let Some(id) = v.id(View(view)) else { continue };
            let allowed = cell
                .and_then(|c| v.cells.get(c))
                .is_some_and(|c| c.value(View(view)).is_some());
            if !allowed {
                side.invalid = side.invalid.saturating_sub(1);
                continue;
            }
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

/// The kind of a type, for matching facts of several rule sets by name.
fn kind(ty: Type) -> u8 {
    match ty {
        Type::Bool => 0,
        Type::Number => 1,
        Type::Text => 2,
        Type::Choice(_) => 3,
        Type::List(_) => 4,
    }
}

/// The variables of one fact name over the rule sets of the space (`ids` and `facts` by
/// view, `None` where a set does not declare it).
fn variables(
    sets: &[&RuleSet],
    ids: &[Option<FactId>],
    name: &str,
    facts: &[Option<&Fact>],
    u: &Usage,
) -> Vec<Var> {
    let Some(decl) = facts.iter().flatten().next() else {
        return Vec::new();
    };
    let bounds = union_bounds(facts);
    let var = |member: Option<String>, cells: Vec<Cell>| Var {
        fact: name.to_string(),
        member,
        cells,
        ids: ids.to_vec(),
        bounds,
        approximate: u.approximate,
    };
    // The value in every view that declares the fact, if that view allows it.
    let per_view = |f: &dyn Fn(&RuleSet, &Fact) -> Option<Value>| -> Vec<Option<Value>> {
        sets.iter()
            .zip(facts)
            .map(|(rs, fact)| fact.and_then(|fact| f(rs, fact)))
            .collect()
    };
    match decl.ty {
        Type::Bool => vec![var(
            None,
            [true, false]
                .into_iter()
                .map(|b| Cell {
                    kind: CellKind::Bool(b),
                    values: per_view(&|_, _| Some(Value::Bool(b))),
                })
                .collect(),
        )],
        Type::Choice(_) => vec![var(None, choice_cells(sets, facts, u))],
        Type::List(_) => {
            let members: Vec<String> = if u.all_values {
                value_names(sets, facts)
            } else {
                u.members.clone()
            };
            members
                .into_iter()
                .map(|m| {
                    let cells = [true, false]
                        .into_iter()
                        .map(|b| Cell {
                            kind: CellKind::Member(b),
                            // Containing a value a set's list does not have is no case.
                            values: per_view(&|rs, fact| {
                                let has = rs
                                    .symbols()
                                    .get(&m)
                                    .is_some_and(|s| fact.values.contains(&s));
                                (has || !b).then_some(Value::Bool(b))
                            }),
                        })
                        .collect();
                    var(Some(m), cells)
                })
                .collect()
        }
        Type::Text => {
            let mut cells: Vec<Cell> = u
                .texts
                .iter()
                .map(|t| Cell {
                    kind: CellKind::Text(Some(t.clone())),
                    values: per_view(&|_, _| Some(Value::Text(t.as_str().into()))),
                })
                .collect();
            let mut other = String::from("…");
            while u.texts.contains(&other) {
                other.push('…');
            }
            cells.push(Cell {
                kind: CellKind::Text(None),
                values: per_view(&|_, _| Some(Value::Text(other.as_str().into()))),
            });
            vec![var(None, cells)]
        }
        Type::Number => {
            let mut points = u.numbers.clone();
            for (lo, hi) in facts.iter().flatten().filter_map(|f| f.bounds) {
                points.insert(lo);
                points.insert(hi);
            }
            let cells = number_cells(&points, bounds)
                .into_iter()
                .map(|(kind, rep)| Cell {
                    kind,
                    values: per_view(&|_, fact| {
                        let inside = fact.bounds.is_none_or(|(lo, hi)| rep >= lo && rep <= hi);
                        inside.then_some(Value::Number(rep))
                    }),
                })
                .collect();
            vec![var(None, cells)]
        }
    }
}

/// The widest bounds: a number fact is bounded only where every set that declares it
/// bounds it.
fn union_bounds(facts: &[Option<&Fact>]) -> Option<(Decimal, Decimal)> {
    let mut out: Option<(Decimal, Decimal)> = None;
    for f in facts.iter().flatten() {
        let (lo, hi) = f.bounds?;
        out = Some(match out {
            None => (lo, hi),
            Some((a, b)) => (a.min(lo), b.max(hi)),
        });
    }
    out
}

/// Every value name of a `keuze` or `lijst` over the sets, in order of first appearance.
fn value_names(sets: &[&RuleSet], facts: &[Option<&Fact>]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (rs, fact) in sets.iter().zip(facts) {
        for s in fact.map(|f| f.values.as_slice()).unwrap_or_default() {
            let n = rs.symbols().name(*s).to_string();
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    names
}

/// The cells of a `keuze`: every value a condition names on its own; the others grouped,
/// one group per set of rule sets that allow them (so that a representative is valid for
/// exactly the sets its group is valid for).
fn choice_cells(sets: &[&RuleSet], facts: &[Option<&Fact>], u: &Usage) -> Vec<Cell> {
    let allowed = |name: &str| -> Vec<bool> {
        sets.iter()
            .zip(facts)
            .map(|(rs, fact)| {
                fact.is_some_and(|f| {
                    rs.symbols()
                        .get(name)
                        .is_some_and(|s| f.values.contains(&s))
                })
            })
            .collect()
    };
    let mut groups: Vec<(Vec<String>, Vec<bool>)> = Vec::new();
    let mut rest: Vec<(Vec<String>, Vec<bool>)> = Vec::new();
    for n in value_names(sets, facts) {
        let a = allowed(&n);
        if u.all_values || u.names.contains(&n) {
            groups.push((vec![n], a));
        } else {
            match rest.iter_mut().find(|(_, b)| *b == a) {
                Some((names, _)) => names.push(n),
                None => rest.push((vec![n], a)),
            }
        }
    }
    groups.extend(rest);
    groups
        .into_iter()
        .map(|(group, allowed)| {
            let rep = group.first().cloned().unwrap_or_default();
            let values = sets
                .iter()
                .zip(&allowed)
                .map(|(rs, ok)| {
                    if *ok {
                        rs.symbols().get(&rep).map(Value::Choice)
                    } else {
                        None
                    }
                })
                .collect();
            Cell {
                values,
                kind: CellKind::Choice(group),
            }
        })
        .collect()
}

/// Points and the open intervals between them, within the bounds: each cell with its
/// representative.
fn number_cells(
    points: &BTreeSet<Decimal>,
    bounds: Option<(Decimal, Decimal)>,
) -> Vec<(CellKind, Decimal)> {
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
    let cell = |lo: Bound, hi: Bound, rep: Decimal| (CellKind::Number(lo, hi), rep.normalize());
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
        combining: false,
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
    /// Inside a condition that combines facts: the facts read are approximate.
    combining: bool,
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

    /// Walks the operands of a condition that combines facts, marking every fact they
    /// read (through concepts too) as approximate.
    fn combining(&mut self, operands: &[&Expr]) {
        let saved = std::mem::replace(&mut self.combining, true);
        for e in operands {
            self.expr(e);
        }
        self.combining = saved;
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
            Expr::Fact(f) if self.combining => {
                if let Some(u) = self.usage(*f) {
                    u.approximate = true;
                }
            }
            Expr::Concept(c) if self.combining => {
                let rs = self.rs;
                self.expr(&rs.concept(*c).expr);
            }
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
                        self.approximate_if_numeric_or_text(b);
                    }
                    _ => {
                        self.approximate();
                        self.combining(&[a, b]);
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
                    self.combining(&[value]);
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
                    self.combining(&[list, item]);
                }
            },
            Expr::Arith(_, a, b, _) => {
                self.approximate();
                self.combining(&[a, b]);
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
            self.combining(&[e]);
        }
    }
}
