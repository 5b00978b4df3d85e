//! The rule set as a decision diagram: the questions in asking order, the outcomes at
//! the leaves. Answers that lead to the same subtree share one edge.

use std::collections::BTreeSet;

use jiff::civil::Date;

use super::{decide, describe_var, epochs, explore, next_var, Node, Probe, Space, Verdict, BUDGET};
use crate::eval::{Status, Waiting};
use crate::ruleset::RuleSet;

/// A node of the diagram.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    Outcome(Verdict),
    Question {
        var: usize,
        /// Groups of cells that lead to the same subtree.
        edges: Vec<(BTreeSet<usize>, Tree)>,
    },
}

/// The diagram at the rule set's first reference date (or today), and whether it is
/// complete.
pub fn build<'a>(rs: &'a RuleSet, today: Date) -> (Space<'a>, Tree, bool) {
    let mut space = Space::of(rs);
    let date = epochs(&[rs], today).first().copied().unwrap_or(today);
    let mut budget = BUDGET;
    let node = explore(&mut space, &mut budget, &mut |space, last| {
        let Ok(d) = decide(space, 0, date) else {
            return Probe::Leaf(Verdict {
                status: Status::Incomplete,
                outcome: None,
            });
        };
        match next_var(space, 0, &d, Waiting::Result) {
            Ok(Some(var)) if !last => Probe::Branch(var),
            _ => Probe::Leaf(Verdict::of(rs, &d)),
        }
    });
    (space, fold(node), budget > 0)
}

fn fold(node: Node<Verdict>) -> Tree {
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

/// The question of a variable: the fact's `vraag`, or its name.
fn question(rs: &RuleSet, space: &Space<'_>, var: usize) -> String {
    let Some(v) = space.vars.get(var) else {
        return String::new();
    };
    let fact = v.ids.first().and_then(|id| rs.fact(*id));
    let q = fact
        .and_then(|f| f.question.clone())
        .unwrap_or_else(|| format!("{}?", v.fact));
    match &v.member {
        Some(m) => format!("{q} — {m}?"),
        None => q,
    }
}

fn leaf(v: &Verdict) -> String {
    match v.status {
        Status::Fallback => format!("grijs gebied: {}", v.words()),
        _ => v.words(),
    }
}

/// Indented text.
pub fn text(rs: &RuleSet, space: &Space<'_>, tree: &Tree) -> String {
    fn walk(rs: &RuleSet, space: &Space<'_>, t: &Tree, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        match t {
            Tree::Outcome(v) => out.push_str(&format!("{pad}→ {}\n", leaf(v))),
            Tree::Question { var, edges } => {
                out.push_str(&format!("{pad}{}\n", question(rs, space, *var)));
                for (cells, child) in edges {
                    match child {
                        Tree::Outcome(v) => out.push_str(&format!(
                            "{pad}  [{}] → {}\n",
                            describe_var(space, *var, cells),
                            leaf(v)
                        )),
                        _ => {
                            out.push_str(&format!(
                                "{pad}  [{}]\n",
                                describe_var(space, *var, cells)
                            ));
                            walk(rs, space, child, depth + 2, out);
                        }
                    }
                }
            }
        }
    }
    let mut out = String::new();
    walk(rs, space, tree, 0, &mut out);
    out
}

/// Nodes and edges, shared by the Mermaid and Graphviz output.
struct Graph {
    /// (id, label, kind: question / outcome / grey)
    nodes: Vec<(usize, String, &'static str)>,
    edges: Vec<(usize, usize, String)>,
}

fn graph(rs: &RuleSet, space: &Space<'_>, tree: &Tree) -> Graph {
    fn walk(rs: &RuleSet, space: &Space<'_>, t: &Tree, g: &mut Graph) -> usize {
        let id = g.nodes.len();
        match t {
            Tree::Outcome(v) => {
                let kind = match v.status {
                    Status::Fallback => "grey",
                    Status::Conflict => "conflict",
                    Status::Incomplete => "open",
                    Status::Decided => "outcome",
                };
                g.nodes.push((id, leaf(v), kind));
            }
            Tree::Question { var, edges } => {
                g.nodes.push((id, question(rs, space, *var), "question"));
                for (cells, child) in edges {
                    let to = walk(rs, space, child, g);
                    g.edges.push((id, to, edge_label(space, *var, cells)));
                }
            }
        }
        id
    }
    let mut g = Graph {
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    walk(rs, space, tree, &mut g);
    g
}

/// An edge label without the fact's name when it starts with it (`is vervoer`).
fn edge_label(space: &Space<'_>, var: usize, cells: &BTreeSet<usize>) -> String {
    let text = describe_var(space, var, cells);
    let Some(v) = space.vars.get(var) else {
        return text;
    };
    match (&v.member, text.strip_prefix(&format!("{} ", v.fact))) {
        (None, Some(rest)) if !rest.contains(&v.fact) => rest.to_string(),
        _ if text == v.fact => "ja".to_string(),
        _ if text == format!("niet {}", v.fact) => "nee".to_string(),
        _ => text,
    }
}

/// A Mermaid flowchart.
pub fn mermaid(rs: &RuleSet, space: &Space<'_>, tree: &Tree) -> String {
    let g = graph(rs, space, tree);
    let esc = |s: &str| s.replace('"', "#quot;");
    let mut out = String::from("flowchart TD\n");
    for (id, label, kind) in &g.nodes {
        let shape = match *kind {
            "question" => format!("n{id}{{\"{}\"}}", esc(label)),
            _ => format!("n{id}[\"{}\"]", esc(label)),
        };
        out.push_str(&format!("  {shape}\n"));
        if *kind != "question" {
            out.push_str(&format!("  class n{id} {kind}\n"));
        }
    }
    for (from, to, label) in &g.edges {
        out.push_str(&format!("  n{from} -->|\"{}\"| n{to}\n", esc(label)));
    }
    out.push_str("  classDef outcome fill:#e3f1e6,stroke:#145c2e\n");
    out.push_str("  classDef grey fill:#d9d9d9,stroke:#555555\n");
    out.push_str("  classDef conflict fill:#f6d6d6,stroke:#a4000f\n");
    out.push_str("  classDef open fill:#fff4cc,stroke:#6b4e00\n");
    out
}

/// A Graphviz digraph.
pub fn dot(rs: &RuleSet, space: &Space<'_>, tree: &Tree) -> String {
    let g = graph(rs, space, tree);
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!(
        "digraph wiebetaalt {{\n  label=\"{}\";\n  labelloc=t;\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        esc(&rs.name)
    );
    for (id, label, kind) in &g.nodes {
        let style = match *kind {
            "question" => "shape=box, style=\"rounded\", color=\"#0b4f8a\"",
            "grey" => "shape=box, style=\"filled\", fillcolor=\"#d9d9d9\"",
            "conflict" => "shape=box, style=\"filled\", fillcolor=\"#f6d6d6\"",
            "open" => "shape=box, style=\"filled\", fillcolor=\"#fff4cc\"",
            _ => "shape=box, style=\"filled\", fillcolor=\"#e3f1e6\"",
        };
        out.push_str(&format!("  n{id} [label=\"{}\", {style}];\n", esc(label)));
    }
    for (from, to, label) in &g.edges {
        out.push_str(&format!("  n{from} -> n{to} [label=\"{}\"];\n", esc(label)));
    }
    out.push_str("}\n");
    out
}
