//! The matrix of a rule set ([`crate::analysis::matrix`]) as a self-contained HTML page
//! that prints on A4 landscape, and as Markdown. Both show the same cells and the same
//! numbered sources.

use std::fmt::Write as _;

use crate::analysis::matrix::{Column, Entry, Matrix};
use crate::eval::Status;
use crate::ruleset::RuleId;

/// The sources of the rules, numbered in order of first use (row by row, column by
/// column); a rule without `bron` has no number.
struct Sources {
    /// Each source text with the rules that cite it.
    list: Vec<(String, Vec<RuleId>)>,
}

impl Sources {
    fn of(m: &Matrix<'_>) -> Sources {
        let mut list: Vec<(String, Vec<RuleId>)> = Vec::new();
        for entry in m.rows.iter().flat_map(|r| r.cells.iter().flatten()) {
            for rule in &entry.rules {
                let Some(source) = m.rs.rule(*rule).source.clone() else {
                    continue;
                };
                match list.iter_mut().find(|(s, _)| *s == source) {
                    Some((_, rules)) if !rules.contains(rule) => rules.push(*rule),
                    Some(_) => {}
                    None => list.push((source, vec![*rule])),
                }
            }
        }
        Sources { list }
    }

    /// The numbers (from 1) of an entry's sources.
    fn numbers(&self, entry: &Entry) -> Vec<usize> {
        let mut out: Vec<usize> = entry
            .rules
            .iter()
            .filter_map(|r| self.list.iter().position(|(_, rules)| rules.contains(r)))
            .map(|i| i + 1)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// What an entry says in words: the titles of the rules that decide (or `grijs gebied`),
/// its share when it is part of a split, its conditions (or `altijd`), and whether it is
/// the grey area or a conflict.
fn entry_words(m: &Matrix<'_>, e: &Entry) -> (String, String, Option<&'static str>) {
    let titles: Vec<String> = e
        .rules
        .iter()
        .map(|r| {
            let rule = m.rs.rule(*r);
            rule.title
                .clone()
                .unwrap_or_else(|| rule.name.replace('_', " "))
        })
        .collect();
    let mut lead = match (titles.is_empty(), e.status) {
        (true, Status::Fallback) => "Geen regel".to_string(),
        (true, _) => String::new(),
        (false, _) => titles.join(" + "),
    };
    if let Some(share) = e.share {
        lead = format!("{}% — {lead}", share.normalize());
    }
    let text = if e.conditions.is_empty() {
        "altijd".to_string()
    } else {
        e.conditions.join("; ")
    };
    let mark = match e.status {
        Status::Fallback => Some("grijs gebied"),
        Status::Conflict => Some("conflict"),
        _ => None,
    };
    (lead, text, mark)
}

fn column_title(c: &Column) -> (String, String) {
    let head = match &c.route {
        Some(route) => format!("{} — {route}", c.law),
        None => c.law.clone(),
    };
    (head, format!("betaald door {}", c.payer))
}

fn heading(m: &Matrix<'_>) -> (String, String) {
    let version =
        m.rs.version()
            .map(|v| format!("versie {v} · "))
            .unwrap_or_default();
    (
        format!("Wie betaalt wat: {}", m.rs.name()),
        format!(
            "{version}peildatum {} · bestanden {} · sha256 {}",
            m.date,
            m.rs.files().join(", "),
            m.rs.sha256()
        ),
    )
}

const LEGEND: &str = "Elke cel noemt de voorwaarden waaronder deze soort ondersteuning door deze betaler en langs deze route wordt betaald. Een percentage staat erbij als de kosten worden gedeeld. Grijs gebied: geen regel beslist, de afgesproken verdeling geldt. Conflict: regels spreken elkaar tegen, de afspraak bij een conflict geldt. De nummers verwijzen naar de bronnen onderaan.";

/// The matrix as one HTML page with its own style, for the screen and for A4 landscape.
pub fn html(m: &Matrix<'_>) -> String {
    let sources = Sources::of(m);
    let (title, meta) = heading(m);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n<p class=\"legenda\">{LEGEND}</p>\n<table>\n<thead>\n<tr><th scope=\"col\">{}</th>",
        esc(&title),
        esc(&title),
        esc(&meta),
        esc(&crate::text::capitalised(&m.rows_fact)),
    );
    for c in &m.columns {
        let (head, payer) = column_title(c);
        let _ = write!(
            out,
            "<th scope=\"col\">{}<span class=\"betaler\">{}</span></th>",
            esc(&head),
            esc(&payer)
        );
    }
    let open = m.rows.iter().any(|r| !r.open.is_empty());
    if open {
        out.push_str("<th scope=\"col\">Nog niet te beslissen</th>");
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &m.rows {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(&row.label));
        for cell in &row.cells {
            let grey = !cell.is_empty() && cell.iter().all(|e| e.status == Status::Fallback);
            out.push_str(if grey { "<td class=\"grijs\">" } else { "<td>" });
            if !cell.is_empty() {
                out.push_str("<ul>");
                for e in cell {
                    let (lead, text, mark) = entry_words(m, e);
                    let class = match e.status {
                        Status::Fallback => " class=\"grijs\"",
                        Status::Conflict => " class=\"conflict\"",
                        _ => "",
                    };
                    let _ = write!(out, "<li{class}><strong>{}</strong>", esc(&lead));
                    let _ = write!(out, "<span class=\"als\">{}</span>", esc(&text));
                    if let Some(mark) = mark {
                        let _ = write!(out, " <em>({mark})</em>");
                    }
                    let numbers = sources.numbers(e);
                    if !numbers.is_empty() {
                        let links: Vec<String> = numbers
                            .iter()
                            .map(|n| format!("<a href=\"#bron-{n}\">{n}</a>"))
                            .collect();
                        let _ = write!(out, "<sup>{}</sup>", links.join(","));
                    }
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
            }
            out.push_str("</td>");
        }
        if open {
            out.push_str("<td>");
            let parts: Vec<String> = row.open.iter().map(|c| esc(&open_words(c))).collect();
            out.push_str(&parts.join("<br>"));
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if !sources.list.is_empty() {
        out.push_str("<h2>Bronnen</h2>\n<ol class=\"bronnen\">\n");
        for (i, (source, rules)) in sources.list.iter().enumerate() {
            let _ = writeln!(
                out,
                "<li id=\"bron-{}\">{} <span class=\"regels\">({})</span></li>",
                i + 1,
                esc(source),
                esc(&rule_names(m, rules))
            );
        }
        out.push_str("</ol>\n");
    }
    for note in notes(m) {
        let _ = writeln!(out, "<p class=\"let-op\">{}</p>", esc(&note));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// The matrix as a Markdown table with numbered sources.
pub fn markdown(m: &Matrix<'_>) -> String {
    let sources = Sources::of(m);
    let (title, meta) = heading(m);
    let mut out = format!("# {title}\n\n{meta}\n\n{LEGEND}\n\n");
    let open = m.rows.iter().any(|r| !r.open.is_empty());
    let mut head = vec![crate::text::capitalised(&m.rows_fact)];
    for c in &m.columns {
        let (h, payer) = column_title(c);
        head.push(format!("{h} ({payer})"));
    }
    if open {
        head.push("Nog niet te beslissen".to_string());
    }
    let cells: Vec<String> = head.iter().map(|h| md(h)).collect();
    let _ = writeln!(out, "| {} |", cells.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for row in &m.rows {
        let mut cells = vec![md(&row.label)];
        for cell in &row.cells {
            let parts: Vec<String> = cell
                .iter()
                .map(|e| {
                    let (lead, text, mark) = entry_words(m, e);
                    let mut s = format!("**{}**: {}", md(&lead), md(&text));
                    if let Some(mark) = mark {
                        s.push_str(&format!(" *({mark})*"));
                    }
                    let numbers = sources.numbers(e);
                    if !numbers.is_empty() {
                        let n: Vec<String> = numbers.iter().map(ToString::to_string).collect();
                        s.push_str(&format!(" [{}]", n.join(",")));
                    }
                    s
                })
                .collect();
            cells.push(parts.join("<br>"));
        }
        if open {
            let parts: Vec<String> = row.open.iter().map(|c| md(&open_words(c))).collect();
            cells.push(parts.join("<br>"));
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if !sources.list.is_empty() {
        out.push_str("\n## Bronnen\n\n");
        for (i, (source, rules)) in sources.list.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} ({})",
                i + 1,
                md(source),
                md(&rule_names(m, rules))
            );
        }
    }
    for note in notes(m) {
        let _ = write!(out, "\n{}\n", md(&note));
    }
    out
}

/// What a reader must know about how far the matrix goes.
fn notes(m: &Matrix<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if !m.approximate.is_empty() {
        out.push(format!(
            "Let op: een deel van de regels rekent met meer dan één feit ({}). Die feiten staan niet in de cellen; de titels van de regels zeggen wat ze betekenen. De matrix kan daar combinaties missen: de regels zelf beslissen.",
            m.approximate.join(", ")
        ));
    }
    if !m.complete {
        out.push(
            "Let op: de regelset is te groot om helemaal te verkennen; de matrix is onvolledig."
                .to_string(),
        );
    }
    out
}

fn open_words(conditions: &[String]) -> String {
    if conditions.is_empty() {
        "altijd".to_string()
    } else {
        conditions.join("; ")
    }
}

fn rule_names(m: &Matrix<'_>, rules: &[RuleId]) -> String {
    let names: Vec<String> = rules
        .iter()
        .map(|r| format!("regel {}", m.rs.rule_name(*r)))
        .collect();
    names.join(", ")
}

/// Text for HTML: `&`, `<`, `>` and `"` escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text for a Markdown table cell: `|` and a leading character that starts markup
/// escaped, line breaks as spaces.
fn md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('*', "\\*")
        .replace('_', "\\_")
        .replace(['\n', '\r'], " ")
}

const STYLE: &str = "\
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: #1a1a1a; margin: 1.5rem; line-height: 1.35; }
h1 { font-size: 1.4rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
.meta, .legenda, .regels { color: #4a4a4a; font-size: 0.85rem; }
.meta { overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { border: 1px solid #8a8a8a; padding: 0.3rem 0.4rem; vertical-align: top; text-align: left; }
thead th { background: #e8eef5; }
thead th .betaler { display: block; font-weight: normal; font-size: 0.8rem; color: #333; }
tbody th { background: #f4f4f4; white-space: nowrap; }
td ul { margin: 0; padding-left: 1rem; }
td li + li { margin-top: 0.35rem; }
td li .als { display: block; color: #333; }
.grijs { background: #e3e3e3; }
li.conflict { outline: 2px solid #a61b1b; }
sup a { color: #0b4f8a; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; font-size: 8pt; }
  table { font-size: 7.5pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
";
