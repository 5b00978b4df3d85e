//! A decision diagram drawn as indented text, a Mermaid flowchart or a Graphviz digraph.

use std::fmt::Write as _;

use crate::analysis::tree::{Diagram, NodeKind, Tree};
use crate::analysis::{Answer, Limit};

/// The words of a leaf: `jeugdwet (beslist)`, `grijs gebied: verdeel ... (grijs gebied)`.
fn leaf(v: &Answer) -> String {
    match NodeKind::of(v) {
        NodeKind::Grey => format!("grijs gebied: {}", super::answer_words(v)),
        _ => super::answer_words(v),
    }
}

fn condition(d: &Diagram<'_>, var: usize, cells: &std::collections::BTreeSet<usize>) -> String {
    d.limit(var, cells)
        .map(|(limit, fact)| with_labels(d, fact, &limit, limit.condition(fact)))
        .unwrap_or_default()
}

/// A limit's words with the labels of the values it names, for people.
fn with_labels(d: &Diagram<'_>, fact: &str, limit: &Limit, words: String) -> String {
    let Some(f) = d.rs.fact_id(fact).map(|id| d.rs.fact(id)) else {
        return words;
    };
    let names: Vec<&str> = match limit {
        Limit::Choices(names) => names.iter().map(String::as_str).collect(),
        Limit::Member { member, .. } => vec![member.as_str()],
        _ => Vec::new(),
    };
    let labels: Vec<&str> = names
        .iter()
        .filter_map(|n| d.rs.symbols().get(n).and_then(|s| d.rs.label(f, s)))
        .collect();
    if labels.is_empty() {
        words
    } else {
        format!("{words} ({})", labels.join(", "))
    }
}

/// Indented text.
pub fn text(d: &Diagram<'_>) -> String {
    fn walk(d: &Diagram<'_>, t: &Tree, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        match t {
            Tree::Outcome(v) => {
                let _ = writeln!(out, "{pad}→ {}", leaf(v));
            }
            Tree::Question { var, edges } => {
                let _ = writeln!(out, "{pad}{}", d.question(*var));
                for (cells, child) in edges {
                    let when = condition(d, *var, cells);
                    match child {
                        Tree::Outcome(v) => {
                            let _ = writeln!(out, "{pad}  [{when}] → {}", leaf(v));
                        }
                        _ => {
                            let _ = writeln!(out, "{pad}  [{when}]");
                            walk(d, child, depth + 2, out);
                        }
                    }
                }
            }
        }
    }
    let mut out = String::new();
    walk(d, &d.tree, 0, &mut out);
    out
}

/// Nodes and edges, shared by the Mermaid and Graphviz output.
struct Graph {
    nodes: Vec<(usize, String, NodeKind)>,
    edges: Vec<(usize, usize, String)>,
}

fn graph(d: &Diagram<'_>) -> Graph {
    fn walk(d: &Diagram<'_>, t: &Tree, g: &mut Graph) -> usize {
        let id = g.nodes.len();
        match t {
            Tree::Outcome(v) => g.nodes.push((id, leaf(v), NodeKind::of(v))),
            Tree::Question { var, edges } => {
                g.nodes.push((id, d.question(*var), NodeKind::Question));
                for (cells, child) in edges {
                    let to = walk(d, child, g);
                    let label = d
                        .limit(*var, cells)
                        .map(|(limit, fact)| with_labels(d, fact, &limit, limit.edge(fact)))
                        .unwrap_or_default();
                    g.edges.push((id, to, label));
                }
            }
        }
        id
    }
    let mut g = Graph {
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    walk(d, &d.tree, &mut g);
    g
}

/// The Mermaid class of a node kind (questions have their own shape instead).
fn class(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Question | NodeKind::Outcome => "outcome",
        NodeKind::Grey => "grey",
        NodeKind::Conflict => "conflict",
        NodeKind::Open => "open",
    }
}

/// A Mermaid flowchart.
pub fn mermaid(d: &Diagram<'_>) -> String {
    let g = graph(d);
    let esc = |s: &str| s.replace('"', "#quot;");
    let mut out = String::from("flowchart TD\n");
    for (id, label, kind) in &g.nodes {
        if *kind == NodeKind::Question {
            let _ = writeln!(out, "  n{id}{{\"{}\"}}", esc(label));
        } else {
            let _ = writeln!(out, "  n{id}[\"{}\"]", esc(label));
            let _ = writeln!(out, "  class n{id} {}", class(*kind));
        }
    }
    for (from, to, label) in &g.edges {
        let _ = writeln!(out, "  n{from} -->|\"{}\"| n{to}", esc(label));
    }
    out.push_str("  classDef outcome fill:#e3f1e6,stroke:#145c2e\n");
    out.push_str("  classDef grey fill:#d9d9d9,stroke:#555555\n");
    out.push_str("  classDef conflict fill:#f6d6d6,stroke:#a4000f\n");
    out.push_str("  classDef open fill:#fff4cc,stroke:#6b4e00\n");
    out
}

/// A Graphviz digraph.
pub fn dot(d: &Diagram<'_>) -> String {
    let g = graph(d);
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!(
        "digraph wiebetaalt {{\n  label=\"{}\";\n  labelloc=t;\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
        esc(d.rs.name())
    );
    for (id, label, kind) in &g.nodes {
        let style = match kind {
            NodeKind::Question => "shape=box, style=\"rounded\", color=\"#0b4f8a\"",
            NodeKind::Grey => "shape=box, style=\"filled\", fillcolor=\"#d9d9d9\"",
            NodeKind::Conflict => "shape=box, style=\"filled\", fillcolor=\"#f6d6d6\"",
            NodeKind::Open => "shape=box, style=\"filled\", fillcolor=\"#fff4cc\"",
            NodeKind::Outcome => "shape=box, style=\"filled\", fillcolor=\"#e3f1e6\"",
        };
        let _ = writeln!(out, "  n{id} [label=\"{}\", {style}];", esc(label));
    }
    for (from, to, label) in &g.edges {
        let _ = writeln!(out, "  n{from} -> n{to} [label=\"{}\"];", esc(label));
    }
    out.push_str("}\n");
    out
}
