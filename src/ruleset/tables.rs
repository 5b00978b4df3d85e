//! Decision tables for evaluation without a trace: per fact, a few cells (each value of a
//! `ja/nee` or `keuze` fact; for a number the points and gaps between the constants it is
//! compared with; for a `lijst` member, in or out; and "unknown"), and per cell two
//! bitsets over the rules: the rules whose condition that cell makes false, and those
//! it makes unknown.
//!
//! A rule is in the tables when its condition is a chain of `en` (or one condition;
//! `en` concepts in the chain are opened into their parts) whose every part reads at
//! most [`MAX_KEYS`] facts (or members of a list), through comparisons with constants,
//! `in`, `bevat` a value, `niet`, `of`, `en` and concepts of the same kind, and cannot
//! fail. The value of such a condition for a case is the Kleene `en` of its parts. A
//! part's facts together form one variable, whose cells are the combinations of their
//! cells (`a of b` on two facts: every cell of `a` with every cell of `b`), and the part
//! has one value per cell, so the whole condition is: false when any variable's cell
//! says false, else unknown when any says unknown, else true. Rules that compute,
//! compare facts with each other, read text facts or earlier decisions, or whose
//! variables would have more than [`MAX_CELLS`] cells, stay with the interpreter.
//!
//! Each cell's bits are filled by evaluating the parts with the one evaluator on a
//! representative of the cell (see `eval::tables`), so the tables cannot mean anything
//! the interpreter does not. Their size is capped ([`MAX_BYTES`]); a fact whose cells
//! would not fit leaves its rules to the interpreter. Small variables are then merged
//! into one (its rows the OR of theirs), so that a case looks up fewer rows.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::bits;
use super::program::{Node, NodeId, Program};
use super::{Fact, FactId, RuleId, Sym, Type, Value};

/// The most memory the tables of one rule set take: 32 MiB.
pub const MAX_BYTES: usize = 32 << 20;

/// How many evaluations filling the cells of one variable may take (parts on it times
/// its cells): beyond it, the variable's rules stay with the interpreter.
const MAX_EVALS: usize = 1 << 20;

/// How many nodes the classification of one rule may visit (concepts that share parts
/// are visited again): beyond it, the rule stays with the interpreter.
const MAX_VISITS: usize = 4096;

/// The most facts (or list members) one part of a condition may read to be held.
pub const MAX_KEYS: usize = 4;

/// The most cells one variable may have (the product of its facts' cells).
pub const MAX_CELLS: usize = 4096;

/// The most words of rows a variable made of smaller ones may take (64 KiB, so that a
/// case's rows stay in the processor's cache).
const MERGED_WORDS: usize = 8 << 10;

/// One variable of the tables: the facts one or more parts read, and how a case's
/// values map to a cell (`Σ cell(fact) × stride`).
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub keys: Vec<VarKey>,
    /// The number of cells: the product of the keys' cells.
    pub count: usize,
    /// The first word of this variable's rows in [`Tables::rows`]: per cell, the
    /// "false" bitset and then the "unknown" bitset, each [`Tables::words`] long.
    pub row: usize,
}

/// One fact (or list member) of a variable.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VarKey {
    /// The fact, in [`Tables::keys`].
    pub key: usize,
    /// What one step of this fact's cell adds to the variable's cell.
    pub stride: usize,
}

/// A fact (or list member) the tables read, and its cells.
#[derive(Debug, Clone)]
pub(crate) struct KeyCells {
    pub fact: FactId,
    pub cells: Cells,
    /// For a number whose constants are all whole (and fit an `i64`): those constants,
    /// so that a whole value finds its cell without comparing decimals. Empty otherwise.
    pub whole: Vec<i64>,
}

#[derive(Debug, Clone)]
pub(crate) enum Cells {
    /// `nee`, `ja`, unknown.
    Bool,
    /// The fact's values in declared order, then unknown; `by_sym` maps a symbol's index
    /// to its cell (`u32::MAX`: not a value of the fact).
    Choice { count: u32, by_sym: Vec<u32> },
    /// Sorted distinct constants `k`: cells `2i` the gap below `k[i]`, `2i + 1` the point
    /// `k[i]`, `2n` above the last, `2n + 1` unknown.
    Number(Vec<Decimal>),
    /// One member of a list: out, in, unknown.
    Member(Sym),
}

impl Cells {
    /// The number of cells, unknown included.
    pub fn count(&self) -> usize {
        match self {
            Cells::Bool | Cells::Member(_) => 3,
            Cells::Choice { count, .. } => *count as usize + 1,
            Cells::Number(k) => 2 * k.len() + 2,
        }
    }
}

/// What a cell stands for, to evaluate the parts on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Representative {
    Unknown,
    Value(Value),
    /// Whether the list contains the variable's member (the rest of the list unknown).
    Member(Sym, bool),
}

/// The tables of one rule set; see the module documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tables {
    /// Words per bitset over the rules.
    pub words: usize,
    /// Every fact (or list member) the variables read, each once: a case's cell of
    /// each is looked up once.
    pub keys: Vec<KeyCells>,
    pub vars: Vec<Var>,
    pub rows: Vec<u64>,
    /// The rules in the tables, as a bitset.
    pub rules: Vec<u64>,
    /// Per decision of the program (in [`Program::decisions`]' order): whether the
    /// tables hold every one of its rules, so that it is decided 64 rules at a time.
    pub whole: Vec<bool>,
}

/// The value of a condition node when the given facts have the given representative
/// values and every other fact is unknown; `Err` when it cannot be evaluated.
pub(crate) type CellEval<'a> =
    dyn FnMut(NodeId, &[(FactId, Representative)]) -> Result<Option<bool>, ()> + 'a;

/// One part of a rule's condition on one variable (its keys sorted).
struct Part {
    rule: RuleId,
    var: Vec<Key>,
    node: NodeId,
}

/// A variable before it has cells: a fact, or one member of a list fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Fact(FactId),
    Member(FactId, Sym),
}

impl Tables {
    /// Whether `rule` is decided by the tables.
    pub fn holds(&self, rule: RuleId) -> bool {
        bits::get(&self.rules, rule.index())
    }

    /// Builds the tables of a program. `eval` gives the value of a condition node when
    /// only the given facts (or members) have the given representative values and all
    /// else is unknown, or `Err` when it cannot be evaluated (the rule then stays with
    /// the interpreter).
    pub fn build(p: &Program, facts: &[Fact], eval: &mut CellEval<'_>) -> Tables {
        let rules = p.rule_roots.len();
        let words = rules.div_ceil(64);
        // The parts of every rule that can be held, with the constants of each number.
        let mut parts: Vec<Part> = Vec::new();
        let mut constants: Vec<(FactId, Decimal)> = Vec::new();
        for (i, root) in p.rule_roots.iter().enumerate() {
            let rule = RuleId::from_index(i);
            if p.rule_can_fail(rule) {
                continue;
            }
            let mut operands = Vec::new();
            let mut visits = 0;
            if !conjuncts(p, *root, &mut operands, &mut visits) {
                continue;
            }
            let mut mine = Vec::new();
            let mut numbers = Vec::new();
            let held = operands.iter().all(|&node| {
                let mut read = Read::default();
                let mut visits = 0;
                let ok = classify(p, facts, node, &mut read, &mut visits)
                    && (1..=MAX_KEYS).contains(&read.keys.len());
                if ok {
                    read.keys.sort();
                    mine.push(Part {
                        rule,
                        var: read.keys,
                        node,
                    });
                    numbers.extend(read.numbers);
                }
                ok
            });
            if held {
                parts.extend(mine);
                constants.extend(numbers);
            }
        }
        // The cells of each fact read, once.
        let mut keys: Vec<Key> = parts.iter().flat_map(|x| x.var.iter().copied()).collect();
        keys.sort();
        keys.dedup();
        let cells_of: BTreeMap<Key, Option<Cells>> = keys
            .into_iter()
            .map(|key| (key, key_cells(key, facts, &constants)))
            .collect();
        // The variables, each with its cells, within the memory cap. A part whose facts
        // are all in a larger variable is put in that one (its value does not depend on
        // the other facts), so that a case looks up fewer cells.
        let mut sets: BTreeMap<Vec<Key>, usize> = BTreeMap::new();
        for part in &parts {
            *sets.entry(part.var.clone()).or_default() += 1;
        }
        let mut sets: Vec<(Vec<Key>, usize)> = sets.into_iter().collect();
        sets.sort_by_key(|(set, _)| std::cmp::Reverse(set.len()));
        let mut tables = Tables {
            words,
            keys: Vec::new(),
            vars: Vec::new(),
            rows: Vec::new(),
            rules: vec![0; words],
            whole: Vec::new(),
        };
        // Per variable: its facts and how many evaluations filling it takes.
        let mut made: Vec<(Vec<Key>, usize)> = Vec::new();
        let mut key_index: BTreeMap<Key, usize> = BTreeMap::new();
        let mut var_of: BTreeMap<Vec<Key>, usize> = BTreeMap::new();
        for (set, n) in sets {
            let host = made.iter().position(|(keys, evals)| {
                set.iter().all(|k| keys.contains(k))
                    && evals.saturating_add(n.saturating_mul(count_of(keys, &cells_of)))
                        <= MAX_EVALS
            });
            if let Some(v) = host {
                if let Some((keys, evals)) = made.get_mut(v) {
                    *evals += n * count_of(keys, &cells_of);
                }
                var_of.insert(set, v);
                continue;
            }
            let count = count_of(&set, &cells_of);
            let size = count.saturating_mul(2 * words);
            if set
                .iter()
                .any(|k| !matches!(cells_of.get(k), Some(Some(_))))
                || count > MAX_CELLS
                || (tables.rows.len().saturating_add(size)).saturating_mul(8) > MAX_BYTES
                || n.saturating_mul(count) > MAX_EVALS
            {
                continue;
            }
            let mut var_keys = Vec::new();
            let mut stride = 1;
            for key in &set {
                let Some(Some(cells)) = cells_of.get(key) else {
                    continue;
                };
                let next = tables.keys.len();
                let index = *key_index.entry(*key).or_insert(next);
                if index == next {
                    tables.keys.push(KeyCells {
                        fact: key_fact(*key),
                        cells: cells.clone(),
                        whole: whole(cells),
                    });
                }
                var_keys.push(VarKey { key: index, stride });
                stride *= cells.count();
            }
            var_of.insert(set.clone(), tables.vars.len());
            made.push((set, n * count));
            tables.vars.push(Var {
                keys: var_keys,
                count,
                row: tables.rows.len(),
            });
            tables.rows.resize(tables.rows.len() + size, 0);
        }
        // A rule is held when none of its parts is on a dropped variable and every part
        // could be evaluated on every cell.
        let mut held = vec![true; rules];
        for part in &parts {
            if !var_of.contains_key(&part.var) {
                set_false(&mut held, part.rule);
            }
        }
        let mut values: Vec<(usize, usize, RuleId, Option<bool>)> = Vec::new();
        let mut given: Vec<(FactId, Representative)> = Vec::new();
        for part in &parts {
            if !held.get(part.rule.index()).copied().unwrap_or(false) {
                continue;
            }
            let Some(&v) = var_of.get(&part.var) else {
                set_false(&mut held, part.rule);
                continue;
            };
            let Some(var) = tables.vars.get(v) else {
                continue;
            };
            for cell in 0..var.count {
                given.clear();
                given.extend(var.keys.iter().filter_map(|k| {
                    let key = tables.keys.get(k.key)?;
                    let own = (cell / k.stride) % key.cells.count();
                    Some((key.fact, representative(&key.cells, own)))
                }));
                match eval(part.node, &given) {
                    Ok(value) => values.push((v, cell, part.rule, value)),
                    Err(()) => {
                        set_false(&mut held, part.rule);
                        break;
                    }
                }
            }
        }
        for (v, cell, rule, value) in values {
            if !held.get(rule.index()).copied().unwrap_or(false) {
                continue;
            }
            let Some(var) = tables.vars.get(v) else {
                continue;
            };
            let false_row = var.row + cell * 2 * words;
            let row = match value {
                Some(true) => continue,
                Some(false) => false_row,
                None => false_row + words,
            };
            if let Some(words) = tables.rows.get_mut(row..) {
                bits::set(words, rule.index());
            }
        }
        let mut has_parts = vec![false; rules];
        for part in &parts {
            if let Some(h) = has_parts.get_mut(part.rule.index()) {
                *h = true;
            }
        }
        for (i, (h, has)) in held.iter().zip(has_parts).enumerate() {
            if *h && has {
                bits::set(&mut tables.rules, i);
            }
        }
        merge_small(&mut tables);
        tables.whole = p
            .decisions
            .iter()
            .map(|d| {
                d.steps
                    .of(&p.steps)
                    .iter()
                    .all(|step| bits::get(&tables.rules, step.rule.index()))
            })
            .collect();
        tables
    }
}

/// Merges small variables into larger ones, smallest first, as long as a merged
/// variable's rows stay within [`MERGED_WORDS`] (and all rows within [`MAX_BYTES`]), so
/// that a case looks up fewer rows. A cell of the merged variable is a combination of
/// the cells of its keys; its rows are the OR of the rows of the merged variables'
/// cells in that combination, which is what [`Tables`] readers OR together anyway.
fn merge_small(tables: &mut Tables) {
    let words = tables.words;
    let key_count = |k: &VarKey| tables.keys.get(k.key).map_or(1, |key| key.cells.count());
    // Each variable with its own rows, smallest first.
    let mut vars: Vec<(Vec<VarKey>, usize, Vec<u64>)> = tables
        .vars
        .iter()
        .map(|v| {
            let rows = tables
                .rows
                .get(v.row..v.row + v.count * 2 * words)
                .unwrap_or_default()
                .to_vec();
            (v.keys.clone(), v.count, rows)
        })
        .collect();
    vars.sort_by_key(|(_, count, _)| *count);
    let total: usize = vars.iter().map(|(_, _, rows)| rows.len()).sum();
    let mut budget = (MAX_BYTES / 8).saturating_sub(total);
    let mut merged: Vec<(Vec<VarKey>, usize, Vec<u64>)> = Vec::new();
    for var in vars {
        let Some(last) = merged.last_mut() else {
            merged.push(var);
            continue;
        };
        // The keys of both, each once, with the strides of the merged variable.
        let mut keys: Vec<VarKey> = Vec::new();
        let mut count: usize = 1;
        for k in last.0.iter().chain(&var.0) {
            if keys.iter().all(|x| x.key != k.key) {
                keys.push(VarKey {
                    key: k.key,
                    stride: count,
                });
                count = count.saturating_mul(key_count(k));
            }
        }
        let size = count.saturating_mul(2 * words);
        let grows = size.saturating_sub(last.2.len() + var.2.len());
        if count > MAX_CELLS || size > MERGED_WORDS || grows > budget {
            merged.push(var);
            continue;
        }
        budget -= grows;
        // The cell of one of the two variables within a cell of the merged one.
        let cell_in = |own: &[VarKey], cell: usize| -> usize {
            own.iter()
                .map(|k| {
                    let at = keys.iter().find(|x| x.key == k.key);
                    at.map_or(0, |x| (cell / x.stride) % key_count(k)) * k.stride
                })
                .sum()
        };
        let mut rows = vec![0; size];
        for (cell, row) in rows.chunks_mut(2 * words).enumerate() {
            for (own, own_rows) in [(&last.0, &last.2), (&var.0, &var.2)] {
                let start = cell_in(own, cell) * 2 * words;
                for (w, r) in row
                    .iter_mut()
                    .zip(own_rows.get(start..).unwrap_or_default())
                {
                    *w |= r;
                }
            }
        }
        *last = (keys, count, rows);
    }
    tables.rows.clear();
    tables.vars.clear();
    for (keys, count, rows) in merged {
        tables.vars.push(Var {
            keys,
            count,
            row: tables.rows.len(),
        });
        tables.rows.extend(rows);
    }
}

/// The cells of one fact (or member), or `None` when its values cannot be cut into
/// cells (a text, constants too close to tell apart).
fn key_cells(key: Key, facts: &[Fact], constants: &[(FactId, Decimal)]) -> Option<Cells> {
    let cells = match key {
        Key::Member(_, sym) => Cells::Member(sym),
        Key::Fact(f) => match facts.get(f.index()).map(|x| &x.ty) {
            Some(Type::Bool) => Cells::Bool,
            Some(Type::Choice(_)) => {
                let values = facts.get(f.index()).map_or(&[][..], |x| &x.values[..]);
                let size = values.iter().map(|s| s.index() + 1).max().unwrap_or(0);
                let mut by_sym = vec![u32::MAX; size];
                for (cell, s) in values.iter().enumerate() {
                    if let Some(slot) = by_sym.get_mut(s.index()) {
                        *slot = u32::try_from(cell).unwrap_or(u32::MAX);
                    }
                }
                Cells::Choice {
                    count: u32::try_from(values.len()).unwrap_or(u32::MAX),
                    by_sym,
                }
            }
            Some(Type::Number) => {
                let mut k: Vec<Decimal> = constants
                    .iter()
                    .filter(|(g, _)| *g == f)
                    .map(|(_, c)| c.normalize())
                    .collect();
                k.sort();
                k.dedup();
                Cells::Number(k)
            }
            _ => return None,
        },
    };
    representatives_apart(&cells).then_some(cells)
}

/// The parts of a condition's `en` chain, with the `en` chains of the concepts in it
/// opened (Kleene `en` is associative, so the value is the same); `false` when the walk
/// visits more than [`MAX_VISITS`] nodes.
fn conjuncts(p: &Program, n: NodeId, out: &mut Vec<NodeId>, visits: &mut usize) -> bool {
    *visits += 1;
    if *visits > MAX_VISITS {
        return false;
    }
    match p.node(n) {
        Some(Node::All(slice, _)) => slice
            .of(&p.lists)
            .iter()
            .all(|&c| conjuncts(p, c, out, visits)),
        // A concept, also as an atom of the rule's text.
        Some(Node::Concept(_) | Node::Atom(_, _))
            if concept_all(p, n).is_some_and(|root| conjuncts(p, root, out, visits)) =>
        {
            true
        }
        Some(_) => {
            out.push(n);
            true
        }
        None => false,
    }
}

/// The root of the concept `n` is (or `n` is an atom of) when that root is an `en`.
fn concept_all(p: &Program, n: NodeId) -> Option<NodeId> {
    let c = match p.node(n)? {
        Node::Concept(c) => c,
        Node::Atom(_, x) => match p.node(x)? {
            Node::Concept(c) => c,
            _ => return None,
        },
        _ => return None,
    };
    let root = p.concept_root(c)?;
    matches!(p.node(root)?, Node::All(..)).then_some(root)
}

/// The constants of a number's cells as `i64`s, when they all are whole numbers.
fn whole(cells: &Cells) -> Vec<i64> {
    let Cells::Number(k) = cells else {
        return Vec::new();
    };
    k.iter()
        .map(|c| {
            let c = c.normalize();
            i64::try_from(c.mantissa()).ok().filter(|_| c.scale() == 0)
        })
        .collect::<Option<Vec<i64>>>()
        .unwrap_or_default()
}

/// The number of cells of a variable on `keys` (saturating).
fn count_of(keys: &[Key], cells_of: &BTreeMap<Key, Option<Cells>>) -> usize {
    keys.iter().fold(1, |n: usize, k| {
        n.saturating_mul(
            cells_of
                .get(k)
                .and_then(|c| c.as_ref())
                .map_or(usize::MAX, Cells::count),
        )
    })
}

fn key_fact(key: Key) -> FactId {
    match key {
        Key::Fact(f) | Key::Member(f, _) => f,
    }
}

fn set_false(held: &mut [bool], rule: RuleId) {
    if let Some(h) = held.get_mut(rule.index()) {
        *h = false;
    }
}

/// The representative value of a cell.
fn representative(cells: &Cells, cell: usize) -> Representative {
    let unknown = cell + 1 == cells.count();
    if unknown {
        return Representative::Unknown;
    }
    match cells {
        Cells::Bool => Representative::Value(Value::Bool(cell == 1)),
        Cells::Member(sym) => Representative::Member(*sym, cell == 1),
        Cells::Choice { by_sym, .. } => {
            let sym = by_sym
                .iter()
                .position(|c| *c as usize == cell)
                .map(Sym::from_index);
            sym.map_or(Representative::Unknown, |s| {
                Representative::Value(Value::Choice(s))
            })
        }
        Cells::Number(k) => Representative::Value(Value::Number(number_representative(k, cell))),
    }
}

fn number_representative(k: &[Decimal], cell: usize) -> Decimal {
    let i = cell / 2;
    if cell % 2 == 1 {
        return k.get(i).copied().unwrap_or_default();
    }
    match (i.checked_sub(1).and_then(|j| k.get(j)), k.get(i)) {
        (None, Some(hi)) => hi.checked_sub(Decimal::ONE).unwrap_or(Decimal::MIN),
        (Some(lo), None) => lo.checked_add(Decimal::ONE).unwrap_or(Decimal::MAX),
        (Some(lo), Some(hi)) => ((*lo + *hi) / Decimal::TWO).normalize(),
        (None, None) => Decimal::ZERO,
    }
}

/// Whether every gap's representative lies strictly inside its gap (constants so close
/// that no decimal lies between them cannot be told apart: the fact stays with the
/// interpreter).
fn representatives_apart(cells: &Cells) -> bool {
    let Cells::Number(k) = cells else {
        return true;
    };
    (0..=k.len()).all(|i| {
        let r = number_representative(k, 2 * i);
        let above = i
            .checked_sub(1)
            .and_then(|j| k.get(j))
            .is_none_or(|lo| r > *lo);
        let below = k.get(i).is_none_or(|hi| r < *hi);
        above && below
    })
}

/// What the part of a condition reads.
#[derive(Default)]
struct Read {
    keys: Vec<Key>,
    numbers: Vec<(FactId, Decimal)>,
}

impl Read {
    fn key(&mut self, key: Key) {
        if !self.keys.contains(&key) {
            self.keys.push(key);
        }
    }
}

/// Whether node `n` can be held in the tables: it reads facts only through comparisons
/// with constants and the like (collected in `read`), computes nothing and reads no
/// earlier decision.
fn classify(p: &Program, facts: &[Fact], n: NodeId, read: &mut Read, visits: &mut usize) -> bool {
    *visits += 1;
    if *visits > MAX_VISITS {
        return false;
    }
    let ty = |f: FactId| facts.get(f.index()).map(|x| &x.ty);
    // A fact compared with a constant of its own type.
    let mut against = |f: FactId, c: Option<&Value>| match (ty(f), c) {
        (Some(Type::Number), Some(Value::Number(d))) => {
            read.key(Key::Fact(f));
            read.numbers.push((f, *d));
            true
        }
        (Some(Type::Bool), Some(Value::Bool(_)))
        | (Some(Type::Choice(_)), Some(Value::Choice(_))) => {
            read.key(Key::Fact(f));
            true
        }
        _ => false,
    };
    let Some(node) = p.node(n) else {
        return false;
    };
    match node {
        Node::Const(_) => true,
        Node::Not(x) | Node::Atom(_, x) => classify(p, facts, x, read, visits),
        Node::All(slice, _) | Node::Any(slice, _) => slice
            .of(&p.lists)
            .iter()
            .all(|&c| classify(p, facts, c, read, visits)),
        Node::Concept(c) => p
            .concept_root(c)
            .is_some_and(|root| classify(p, facts, root, read, visits)),
        Node::BoolFact(f, _) => {
            read.key(Key::Fact(f));
            true
        }
        Node::InChoice { fact, .. } => {
            read.key(Key::Fact(fact));
            matches!(ty(fact), Some(Type::Choice(_)))
        }
        Node::ContainsSym { fact, item, .. } => {
            read.key(Key::Member(fact, item));
            matches!(ty(fact), Some(Type::List(_)))
        }
        Node::CompareFact(_, f, c, _) => against(f, p.constant(c)),
        Node::Compare(_, a, b) => match (p.node(a), p.node(b)) {
            (Some(Node::Fact(f)), Some(Node::Const(c)))
            | (Some(Node::Const(c)), Some(Node::Fact(f))) => against(f, p.constant(c)),
            _ => false,
        },
        Node::In { value, list, .. } => {
            let Some(Node::Fact(f)) = p.node(value) else {
                return false;
            };
            let consts = list.of(&p.consts);
            match ty(f) {
                Some(Type::Number) => {
                    for c in consts {
                        match c {
                            Value::Number(d) => read.numbers.push((f, *d)),
                            _ => return false,
                        }
                    }
                }
                Some(Type::Bool | Type::Choice(_)) => {}
                _ => return false,
            }
            read.key(Key::Fact(f));
            true
        }
        // A `ja/nee` fact in the place of a condition (inside a concept, say).
        Node::Fact(f) if matches!(ty(f), Some(Type::Bool)) => {
            read.key(Key::Fact(f));
            true
        }
        Node::Fact(_)
        | Node::ContainsFact { .. }
        | Node::Contains { .. }
        | Node::Arith(..)
        | Node::Neg(_)
        | Node::DecisionIs { .. }
        | Node::RuleApplies { .. } => false,
    }
}
