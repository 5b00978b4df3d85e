//! Decision tables for evaluation without a trace: per fact, a few cells (each value of a
//! `ja/nee` or `keuze` fact; for a number the points and gaps between the constants it is
//! compared with; for a `lijst` member, in or out; and "unknown"), and per cell two
//! bitsets over the rules: the rules whose condition that cell makes false, and those
//! it makes unknown.
//!
//! A rule is in the tables when its condition is a chain of `en` (or one condition)
//! whose every part reads exactly one fact (or one member of a list), through
//! comparisons with constants, `in`, `bevat` a value, `niet`, `of`, `en` and concepts of
//! the same kind, and cannot fail. The value of such a condition for a case is the
//! Kleene `en` of its parts, and each part has one value per cell of its fact, so the
//! whole condition is: false when any fact's cell says false, else unknown when any
//! says unknown, else true. Rules that read several facts in one part, compute,
//! compare facts with each other, read text facts or earlier decisions stay with the
//! interpreter.
//!
//! Each cell's bits are filled by evaluating the parts with the one evaluator on a
//! representative of the cell (see `eval::tables`), so the tables cannot mean anything
//! the interpreter does not. Their size is capped ([`MAX_BYTES`]); a fact whose cells
//! would not fit leaves its rules to the interpreter.

use rust_decimal::Decimal;

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

/// One variable of the tables and how a case's value maps to a cell.
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub fact: FactId,
    pub cells: Cells,
    /// The first word of this variable's rows in [`Tables::rows`]: per cell, the
    /// "false" bitset and then the "unknown" bitset, each [`Tables::words`] long.
    pub row: usize,
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
    pub vars: Vec<Var>,
    pub rows: Vec<u64>,
    /// The rules in the tables, as a bitset.
    pub rules: Vec<u64>,
}

/// The value of a condition node when one fact has a representative value and every
/// other fact is unknown; `Err` when it cannot be evaluated.
pub(crate) type CellEval<'a> =
    dyn FnMut(NodeId, FactId, &Representative) -> Result<Option<bool>, ()> + 'a;

/// One part of a rule's condition on one variable.
struct Part {
    rule: RuleId,
    var: Key,
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
        bit(&self.rules, rule.index())
    }

    /// Builds the tables of a program. `eval` gives the value of a condition node when
    /// only one fact (or member) has the given representative value and all else is
    /// unknown, or `Err` when it cannot be evaluated (the rule then stays with the
    /// interpreter).
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
            let operands: Vec<NodeId> = match p.node(*root) {
                Some(Node::All(slice, _)) => slice.of(&p.lists).to_vec(),
                Some(_) => vec![*root],
                None => continue,
            };
            let mut mine = Vec::new();
            let mut numbers = Vec::new();
            let held = operands.iter().all(|&node| {
                let mut read = Read::default();
                let mut visits = 0;
                let ok = classify(p, facts, node, &mut read, &mut visits) && read.keys.len() == 1;
                if let (true, Some(key)) = (ok, read.keys.first()) {
                    mine.push(Part {
                        rule,
                        var: *key,
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
        // The variables, each with its cells, within the memory cap.
        let mut keys: Vec<Key> = parts.iter().map(|x| x.var).collect();
        keys.sort();
        keys.dedup();
        let mut tables = Tables {
            words,
            vars: Vec::new(),
            rows: Vec::new(),
            rules: vec![0; words],
        };
        let mut var_of: Vec<(Key, usize)> = Vec::new();
        let mut dropped: Vec<Key> = Vec::new();
        for key in keys {
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
                    _ => {
                        dropped.push(key);
                        continue;
                    }
                },
            };
            let size = cells.count() * 2 * words;
            let evals = parts.iter().filter(|x| x.var == key).count() * cells.count();
            if (tables.rows.len() + size) * 8 > MAX_BYTES
                || evals > MAX_EVALS
                || !representatives_apart(&cells)
            {
                dropped.push(key);
                continue;
            }
            var_of.push((key, tables.vars.len()));
            tables.vars.push(Var {
                fact: key_fact(key),
                cells,
                row: tables.rows.len(),
            });
            tables.rows.resize(tables.rows.len() + size, 0);
        }
        // A rule is held when none of its parts is on a dropped variable and every part
        // could be evaluated on every cell.
        let mut held = vec![true; rules];
        for part in &parts {
            if dropped.contains(&part.var) {
                set_false(&mut held, part.rule);
            }
        }
        let mut values: Vec<(usize, usize, RuleId, Option<bool>)> = Vec::new();
        for part in &parts {
            if !held.get(part.rule.index()).copied().unwrap_or(false) {
                continue;
            }
            let Some(&(_, v)) = var_of.iter().find(|(k, _)| *k == part.var) else {
                set_false(&mut held, part.rule);
                continue;
            };
            let Some(var) = tables.vars.get(v) else {
                continue;
            };
            for cell in 0..var.cells.count() {
                let rep = representative(&var.cells, cell);
                match eval(part.node, var.fact, &rep) {
                    Ok(value) => values.push((v, cell, part.rule, value)),
                    Err(()) => set_false(&mut held, part.rule),
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
            set_bit(&mut tables.rows, row, rule.index());
        }
        for (i, h) in held.iter().enumerate() {
            if *h && parts.iter().any(|x| x.rule.index() == i) {
                set_bit(&mut tables.rules, 0, i);
            }
        }
        tables
    }
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

/// Whether bit `i` of a bitset is set.
pub(crate) fn bit(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

fn set_bit(words: &mut [u64], start: usize, i: usize) {
    if let Some(w) = words.get_mut(start + i / 64) {
        *w |= 1 << (i % 64);
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
        Node::Fact(_)
        | Node::ContainsFact { .. }
        | Node::Contains { .. }
        | Node::Arith(..)
        | Node::Neg(_)
        | Node::DecisionIs { .. }
        | Node::RuleApplies { .. } => false,
    }
}
