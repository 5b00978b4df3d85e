//! Check: parsed files (bases first) → [`RuleSet`], or every static problem at once.
//!
//! Resolves `gebaseerd op` overrides (`resolve.rs`), declares decisions, domains, facts
//! and concepts (`declare.rs`), type-checks every expression (`expr.rs`), checks
//! outcomes and the `anders`/`bij conflict` of each decision (`outcome.rs`), links
//! exceptions and orders rules and decisions (`rules.rs`), checks examples
//! (`examples.rs`), and runs the lints (`lint.rs`). It never evaluates a case and never
//! reads files: the loader hands it parsed files.

mod declare;
mod examples;
mod expr;
mod lint;
mod outcome;
mod resolve;
mod rules;

use std::collections::HashMap;

use crate::ast;
use crate::diagnostic::{Code, Errors, Problem, Problems};
use crate::ruleset::{
    DecisionId, Domain, DomainId, Fact, FactId, Parts, Period, Raw, RuleId, RuleSet, Symbols,
};
use crate::source::{Sources, Span};

use resolve::Merged;

/// Identity of the checked text, computed by the loader.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Paths as shown to users, bases first.
    pub files: Vec<String>,
    pub sha256: String,
}

/// The name of the law decision: the one whose outcomes are the `domein`s.
pub const LAW_NAME: &str = "wet";

/// The checked rule set and its warnings, or all errors (and warnings).
pub fn check(
    files: &[ast::File],
    sources: &Sources,
    provenance: Provenance,
) -> Result<(RuleSet, Problems), Errors> {
    let mut problems = Problems::new();
    let Some(root) = files.last() else {
        return Err(Problem::internal("er is geen bestand om te controleren").into());
    };
    let merged = resolve::merge(files, &mut problems);
    let mut checker = Checker::new(&mut problems);
    let rs = checker.rule_set(root, files, &merged, sources, provenance);
    match rs {
        Some(rs) if !problems.has_errors() => {
            lint::run(&rs, root, &mut problems);
            Ok((rs, problems))
        }
        _ => Err(problems.into_errors()),
    }
}

/// A name in expressions: facts, concepts and decisions share one namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    Fact(FactId),
    Concept(usize),
    Decision(DecisionId),
}

/// The names a rule set declares, for resolving references.
struct Names<'a> {
    /// Domains and the values of every decision, by name.
    domains: HashMap<String, DomainId>,
    /// Rules by name.
    rules: HashMap<&'a str, RuleId>,
    /// Rules removed with `schrap regel`, and where.
    removed: HashMap<&'a str, Span>,
    /// Facts, concepts and decisions by name.
    bindings: HashMap<String, Binding>,
}

struct Checker<'p> {
    problems: &'p mut Problems,
    symbols: Symbols,
    /// The names of the facts, for helps about a fact written where something else
    /// belongs.
    fact_names: std::collections::HashSet<String>,
}

impl<'p> Checker<'p> {
    fn new(problems: &'p mut Problems) -> Self {
        Checker {
            problems,
            symbols: Symbols::default(),
            fact_names: std::collections::HashSet::new(),
        }
    }

    fn error(&mut self, p: Problem) {
        self.problems.push(p);
    }

    fn rule_set(
        &mut self,
        root: &ast::File,
        files: &[ast::File],
        merged: &Merged<'_>,
        sources: &Sources,
        provenance: Provenance,
    ) -> Option<RuleSet> {
        let facts: Vec<Fact> = merged.facts.iter().map(|f| self.fact(f)).collect();
        self.fact_names = facts.iter().map(|f| f.name.clone()).collect();
        let (mut decisions, domains) = self.decisions(merged, root, &facts);
        let names = Names {
            domains: domains
                .iter()
                .enumerate()
                .map(|(i, d)| (d.name.clone(), DomainId::from_index(i)))
                .collect(),
            rules: merged
                .rules
                .iter()
                .enumerate()
                .map(|(i, (r, _))| (r.name.name.as_str(), RuleId::from_index(i)))
                .collect(),
            removed: merged
                .removed
                .iter()
                .map(|(name, span)| (name.name.as_str(), *span))
                .collect(),
            bindings: self.bindings(&facts, &merged.concepts, &decisions),
        };
        let typed = self.type_rules(merged, sources, &facts, &domains, &names);
        self.decision_outcomes(&mut decisions, &domains, merged, &names);
        let (concepts, atoms, mut rules) = typed?;
        if rules.len() != merged.rules.len() || self.problems.has_errors() {
            // Typing failed somewhere; the order and examples would only repeat it.
            return None;
        }
        self.exceptions(&mut rules, &merged.rules, &names);
        let order = self.order(&mut rules, &merged.rules)?;
        let decision_order = self.decision_order(&decisions, &rules, &merged.rules)?;
        let header = &root.header;
        let rs = RuleSet::new(Parts {
            name: header.name.value.clone(),
            version: header.version.as_ref().map(|v| v.value.clone()),
            source: header.source.as_ref().map(|v| v.value.clone()),
            period: period(
                header
                    .period
                    .as_ref()
                    .or_else(|| files.iter().rev().find_map(|f| f.header.period.as_ref())),
            ),
            files: provenance.files,
            sha256: provenance.sha256,
            decisions,
            decision_order,
            domains,
            facts,
            concepts,
            rules,
            atoms,
            symbols: std::mem::take(&mut self.symbols),
            order,
            name_span: root.header.name.span,
            removed: merged
                .removed
                .iter()
                .map(|(name, span)| (name.name.clone(), *span))
                .collect(),
        });
        let (own, base) = self.examples(merged, &rs, &names);
        Some(rs.with_examples(own, base))
    }
}

fn raw(literal: &ast::Literal) -> Raw {
    match literal {
        ast::Literal::Bool(b, _) => Raw::Bool(*b),
        ast::Literal::Number(n, _) => Raw::Number(*n),
        ast::Literal::Text(t, _) => Raw::Text(t.clone()),
        ast::Literal::Name(i) => Raw::Text(i.name.clone()),
        ast::Literal::List(items, _) => Raw::List(items.iter().map(raw).collect()),
    }
}

fn period(p: Option<&ast::Period>) -> Period {
    p.map_or_else(Period::default, |p| Period {
        from: p.from.as_ref().map(|d| d.value),
        until: p.until.as_ref().map(|d| d.value),
        span: Some(p.span),
    })
}

/// The domains of one decision, in the order of the table.
fn values_of(domains: &[Domain], decision: DecisionId) -> Vec<DomainId> {
    domains
        .iter()
        .enumerate()
        .filter(|(_, d)| d.decision == decision)
        .map(|(i, _)| DomainId::from_index(i))
        .collect()
}

/// "bestaat al" problems share this: the second declaration, with the first.
fn duplicate(name: &str, what: &str, at: Span, first: Span) -> Problem {
    Problem::error(
        Code::DuplicateName,
        at,
        format!("er is al {what} met de naam `{name}`"),
    )
    .label("tweede declaratie")
    .also(first, "eerste declaratie")
    .help("geef een van beide een andere naam")
}
