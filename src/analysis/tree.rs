//! The rule set as a decision diagram: the questions in asking order, the outcomes at
//! the leaves. Answers that lead to the same subtree share one edge. Drawn as text,
//! Mermaid or Graphviz by [`crate::report::tree`].

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::{decide, explore, next_var, Answer, Limit, Node, Probe, Space, View, BUDGET};
use crate::eval::{Status, Waiting};
use crate::ruleset::RuleSet;

/// A node of the diagram.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    Outcome(Answer),
    Question {
        var: usize,
        /// Groups of cells that lead to the same subtree.
        edges: Vec<(BTreeSet<usize>, Tree)>,
    },
}

/// What a node of the drawn diagram is, which decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Question,
    /// A decided outcome.
    Outcome,
    /// The grey area (the fallback).
    Grey,
    Conflict,
    /// Still incomplete (the budget ran out, or the rule set cannot be decided here).
    Open,
}

impl NodeKind {
    pub fn of(answer: &Answer) -> NodeKind {
        match answer.status {
            Status::Decided => NodeKind::Outcome,
            Status::Fallback => NodeKind::Grey,
            Status::Conflict => NodeKind::Conflict,
            Status::Incomplete | Status::NotNeeded => NodeKind::Open,
        }
    }
}

/// A decision diagram with what its labels need.
pub struct Diagram<'a> {
    pub rs: &'a RuleSet,
    pub space: Space<'a>,
    pub tree: Tree,
    /// Whether the whole space fitted in the budget.
    pub complete: bool,
}

impl Diagram<'_> {
    /// The question of a variable: the fact's `vraag`, or its name; for a member of a
    /// `lijst`, the member too.
    pub fn question(&self, var: usize) -> String {
        let Some(v) = self.space.vars.get(var) else {
            return String::new();
        };
        let q = v
            .id(View::FIRST)
            .and_then(|id| self.rs.fact(id).question.clone())
            .unwrap_or_else(|| format!("{}?", v.fact));
        match &v.member {
            Some(m) => format!("{q} — {m}?"),
            None => q,
        }
    }

    /// The limit an edge puts on its question's variable.
    pub fn limit(&self, var: usize, cells: &BTreeSet<usize>) -> Option<(Limit, &str)> {
        let v = self.space.vars.get(var)?;
        Some((Limit::of(&self.space, var, cells)?, v.fact.as_str()))
    }
}

/// The diagram at reference date `date` (see [`super::picture_date`]).
pub fn build(rs: &RuleSet, date: Date) -> Diagram<'_> {
    let mut space = Space::of(rs);
    let mut budget = BUDGET;
    let node = explore(&mut space, &mut budget, &mut |space, last| {
        let Ok(d) = decide(space, View::FIRST, date) else {
            return Probe::Leaf(Answer {
                valid: true,
                status: Status::Incomplete,
                outcome: None,
                further: Vec::new(),
            });
        };
        match next_var(space, View::FIRST, &d, Waiting::Result) {
            Ok(Some(var)) if !last => Probe::Branch(var),
            _ => Probe::Leaf(Answer::of(rs, &d)),
        }
    });
    Diagram {
        rs,
        space,
        tree: fold(node),
        complete: budget > 0,
    }
}

fn fold(node: Node<Answer>) -> Tree {
    match node {
        Node::Leaf(v) => Tree::Outcome(v),
        Node::Branch { var, children } => {
            let mut edges: Vec<(BTreeSet<usize>, Tree)> = Vec::new();
            for (cell, child) in children.into_iter().enumerate() {
                let child = fold(child);
                match edges.iter_mut().find(|(_, t)| *t == child) {
                    Some((cells, _)) => {
                        cells.insert(cell);
                    }
                    None => edges.push((BTreeSet::from([cell]), child)),
                }
            }
            match edges.as_slice() {
                [(_, only)] => only.clone(),
                _ => Tree::Question { var, edges },
            }
        }
    }
}
