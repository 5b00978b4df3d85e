//! Rules: typing each condition and outcome; linking exceptions (named rules, `groep`
//! and `regels met D` expanded); the evaluation order of rules (every exception before
//! the rules it overrides) and of decisions (every decision after the decisions its
//! rules read).

use std::collections::BTreeSet;

use super::expr::Typer;
use super::resolve::Merged;
use super::{Checker, Names};
use crate::ast;
use crate::diagnostic::{did_you_mean, Code, Problem};
use crate::ruleset::{
    Atom, Concept, DecisionDef, DecisionId, Domain, DomainId, Fact, Read, Rule, RuleId,
};
use crate::source::{Sources, Span};

type Typed = (Vec<Concept>, Vec<Atom>, Vec<Rule>);

impl Checker<'_> {
    /// Types every concept and every rule.
    pub(super) fn type_rules(
        &mut self,
        merged: &Merged<'_>,
        sources: &Sources,
        facts: &[Fact],
        domains: &[Domain],
        names: &Names<'_>,
    ) -> Option<Typed> {
        let mut typer = Typer::new(self, sources, facts, domains, &merged.concepts, names);
        typer.check_concepts();
        let rules: Vec<Rule> = merged
            .rules
            .iter()
            .filter_map(|(decl, own)| rule(&mut typer, decl, *own, domains, names))
            .collect();
        let (concepts, atoms) = typer.finish();
        Some((concepts, atoms, rules))
    }

    /// Resolves what each rule is an exception to, and links the other way round.
    pub(super) fn exceptions(
        &mut self,
        rules: &mut [Rule],
        decls: &[(&ast::RuleDecl, bool)],
        names: &Names<'_>,
    ) {
        let mut targets: Vec<Vec<RuleId>> = Vec::with_capacity(rules.len());
        for (i, (decl, _)) in decls.iter().enumerate() {
            let me = RuleId::from_index(i);
            let mut out: Vec<RuleId> = Vec::new();
            for target in &decl.exception_of {
                for t in self.exception_target(target, me, rules, decls, names) {
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
            }
            targets.push(out);
        }
        for (i, out) in targets.into_iter().enumerate() {
            for t in &out {
                if let Some(target) = rules.get_mut(t.index()) {
                    target.exceptions.push(RuleId::from_index(i));
                }
            }
            if let Some(rule) = rules.get_mut(i) {
                rule.exception_of = out;
            }
        }
    }

    /// The rules one `uitzondering op` target names.
    fn exception_target(
        &mut self,
        target: &ast::ExceptionTarget,
        me: RuleId,
        rules: &[Rule],
        decls: &[(&ast::RuleDecl, bool)],
        names: &Names<'_>,
    ) -> Vec<RuleId> {
        let my_decision = rules.get(me.index()).map(|r| r.decision);
        // A rule that names this one as what it is an exception to is not in a group
        // this one overrides: that would make them exceptions to each other.
        let names_me = |other: usize| {
            decls.get(other).is_some_and(|(d, _)| {
                d.exception_of.iter().any(|t| {
                    matches!(t, ast::ExceptionTarget::Rule(n)
                        if rules.get(me.index()).is_some_and(|r| r.name == n.name))
                })
            })
        };
        let candidates = |keep: &dyn Fn(&Rule) -> bool| -> Vec<RuleId> {
            rules
                .iter()
                .enumerate()
                .filter(|(i, r)| {
                    *i != me.index() && Some(r.decision) == my_decision && keep(r) && !names_me(*i)
                })
                .map(|(i, _)| RuleId::from_index(i))
                .collect()
        };
        match target {
            ast::ExceptionTarget::Rule(name) => match self.rule_ref(name, names) {
                Some(id) => {
                    let other = rules.get(id.index()).map(|r| r.decision);
                    if other != my_decision {
                        self.error(
                                Problem::error(
                                    Code::TypeMismatch,
                                    name.span,
                                    format!("regel `{}` geeft een uitkomst van een andere beslissing", name.name),
                                )
                                .label("uitzondering op een andere beslissing")
                                .help("een uitzondering zet een regel van dezelfde beslissing opzij; om een andere beslissing te lezen schrijft u in de voorwaarde `regel NAAM geldt`"),
                            );
                        return Vec::new();
                    }
                    vec![id]
                }
                None => Vec::new(),
            },
            ast::ExceptionTarget::Group(group) => {
                let found = candidates(&|r| r.groups.contains(&group.name));
                if found.is_empty() && !rules.iter().any(|r| r.groups.contains(&group.name)) {
                    let known: BTreeSet<&str> = rules
                        .iter()
                        .flat_map(|r| r.groups.iter().map(String::as_str))
                        .collect();
                    self.error(
                        Problem::error(
                            Code::UnknownName,
                            group.span,
                            format!("er is geen groep `{}`", group.name),
                        )
                        .label("geen regel zit in deze groep")
                        .help(
                            did_you_mean(&group.name, known.iter().copied()).unwrap_or_else(|| {
                                format!(
                                    "zet regels in de groep met `groep {}` onder hun `dan`",
                                    group.name
                                )
                            }),
                        ),
                    );
                }
                found
            }
            ast::ExceptionTarget::Outcome(domain, _) => {
                let Some(d) = names.domains.get(&domain.name) else {
                    self.error(
                        Problem::error(
                            Code::UnknownName,
                            domain.span,
                            format!("er is geen domein of waarde `{}`", domain.name),
                        )
                        .label("onbekende uitkomst")
                        .did_you_mean(&domain.name, names.domains.keys().map(String::as_str)),
                    );
                    return Vec::new();
                };
                let d: DomainId = *d;
                candidates(&|r| r.outcome.shares() == [(d, rust_decimal::Decimal::ONE_HUNDRED)])
            }
        }
    }

    /// A rule by name; a rule removed with `schrap` is not an error here when the
    /// reference is in a base (the exception simply has nothing left to override), and
    /// points at the `schrap` otherwise.
    pub(super) fn rule_ref(&mut self, r: &ast::Ident, names: &Names<'_>) -> Option<RuleId> {
        if let Some(id) = names.rules.get(r.name.as_str()) {
            return Some(*id);
        }
        if let Some(schrap) = names.removed.get(r.name.as_str()) {
            if r.span.file != schrap.file {
                // A base's `uitzondering op` of a removed rule: nothing to override.
                return None;
            }
            self.error(
                Problem::error(
                    Code::UnknownName,
                    r.span,
                    format!("regel `{}` is geschrapt", r.name),
                )
                .label("deze regel bestaat hier niet meer")
                .also(*schrap, "hier geschrapt")
                .help("noem een regel die er nog is, of schrap de regel niet"),
            );
            return None;
        }
        self.error(
            Problem::error(
                Code::UnknownName,
                r.span,
                format!("er is geen regel `{}`", r.name),
            )
            .label("onbekende regel")
            .did_you_mean(&r.name, names.rules.keys().copied()),
        );
        None
    }

    /// The evaluation order of all rules: every exception before the rules it overrides
    /// (Kahn's algorithm, so that long chains of exceptions need no recursion); a cycle
    /// is reported.
    pub(super) fn order(
        &mut self,
        rules: &mut [Rule],
        decls: &[(&ast::RuleDecl, bool)],
    ) -> Option<Vec<RuleId>> {
        let edges: Vec<Vec<usize>> = rules
            .iter()
            .map(|r| r.exception_of.iter().map(|t| t.index()).collect())
            .collect();
        let waits: Vec<usize> = rules.iter().map(|r| r.exceptions.len()).collect();
        match topological(&edges, waits) {
            Ok(order) => Some(order.into_iter().map(RuleId::from_index).collect()),
            Err(left) => {
                let cycle = find_cycle(&left, |i| {
                    rules
                        .get(i)
                        .map(|r| r.exceptions.iter().map(|e| e.index()).collect())
                        .unwrap_or_default()
                })?;
                self.exception_cycle(&cycle, rules, decls);
                None
            }
        }
    }

    fn exception_cycle(
        &mut self,
        cycle: &[usize],
        rules: &[Rule],
        decls: &[(&ast::RuleDecl, bool)],
    ) {
        // `cycle` follows "is overridden by"; show it as "is an exception to".
        let mut cycle = cycle.to_vec();
        cycle.reverse();
        let names: Vec<&str> = cycle
            .iter()
            .filter_map(|c| rules.get(*c))
            .map(|r| r.name.as_str())
            .collect();
        let span = cycle
            .first()
            .and_then(|c| decls.get(*c))
            .and_then(|(d, _)| d.exception_of.first().map(ast::ExceptionTarget::span))
            .unwrap_or_default();
        let message = match names.as_slice() {
            [one] | [one, _] => format!("regel `{one}` is een uitzondering op zichzelf"),
            _ => format!(
                "regels zijn in een kring uitzondering op elkaar: {}",
                names.join(" → ")
            ),
        };
        self.error(
            Problem::error(Code::ExceptionCycle, span, message)
                .label("hier begint de kring")
                .help("een uitzondering moet uiteindelijk bij een regel zonder uitzondering uitkomen; haal één `uitzondering op` weg"),
        );
    }

    /// The order in which decisions are evaluated: each after the decisions its rules
    /// read (`wet is ...`, `regel R geldt`) and, for a decision `voor` a domain, after
    /// the law. A rule that reads its own decision, and decisions that read each other,
    /// are problems.
    pub(super) fn decision_order(
        &mut self,
        decisions: &[DecisionDef],
        rules: &[Rule],
        decls: &[(&ast::RuleDecl, bool)],
    ) -> Option<Vec<DecisionId>> {
        let n = decisions.len();
        // reads[d]: the decisions d's rules read, with where.
        let mut reads: Vec<Vec<(usize, Span)>> = vec![Vec::new(); n];
        for (i, rule) in rules.iter().enumerate() {
            let own = rule.decision.index();
            let at = decls.get(i).map_or(rule.span, |(d, _)| d.condition.span);
            for r in &rule.reads {
                let read = match r {
                    Read::Decision(d) => d.index(),
                    Read::Rule(other) => match rules.get(other.index()) {
                        Some(o) => o.decision.index(),
                        None => continue,
                    },
                    Read::Fact(_) => continue,
                };
                if read == own {
                    self.reads_itself(rule, r, rules, decisions, at);
                    return None;
                }
                if let Some(list) = reads.get_mut(own) {
                    list.push((read, at));
                }
            }
        }
        for (i, d) in decisions.iter().enumerate() {
            if !d.routes.is_empty() {
                if let Some(list) = reads.get_mut(i) {
                    list.push((0, d.span));
                }
            }
        }
        // Edges from a decision to those that read it.
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut waits = vec![0usize; n];
        for (reader, list) in reads.iter().enumerate() {
            let distinct: BTreeSet<usize> = list.iter().map(|(d, _)| *d).collect();
            for d in distinct {
                if let Some(e) = edges.get_mut(d) {
                    e.push(reader);
                }
                if let Some(w) = waits.get_mut(reader) {
                    *w += 1;
                }
            }
        }
        match topological(&edges, waits) {
            Ok(order) => Some(order.into_iter().map(DecisionId::from_index).collect()),
            Err(left) => {
                let cycle = find_cycle(&left, |i| {
                    reads
                        .get(i)
                        .map(|l| l.iter().map(|(d, _)| *d).collect())
                        .unwrap_or_default()
                })?;
                let names: Vec<&str> = cycle
                    .iter()
                    .filter_map(|d| decisions.get(*d))
                    .map(|d| d.name.as_str())
                    .collect();
                let at = cycle
                    .first()
                    .and_then(|d| reads.get(*d))
                    .and_then(|l| l.first())
                    .map_or_else(Span::default, |(_, s)| *s);
                self.error(
                    Problem::error(
                        Code::DecisionCycle,
                        at,
                        format!("beslissingen lezen elkaar in een kring: {}", names.join(" → ")),
                    )
                    .label("hier leest een beslissing een andere")
                    .help("een beslissing kan alleen een eerdere beslissing lezen; haal één van deze verwijzingen weg"),
                );
                None
            }
        }
    }

    fn reads_itself(
        &mut self,
        rule: &Rule,
        read: &Read,
        rules: &[Rule],
        decisions: &[DecisionDef],
        at: Span,
    ) {
        let decision = decisions
            .get(rule.decision.index())
            .map_or("", |d| d.name.as_str());
        let (message, help) = match read {
            Read::Rule(other) => (
                format!(
                    "regel `{}` leest regel `{}` van dezelfde beslissing",
                    rule.name,
                    rules.get(other.index()).map_or("", |r| r.name.as_str())
                ),
                "binnen één beslissing zet een regel een andere opzij met `uitzondering op`; `regel NAAM geldt` leest alleen regels van een eerdere beslissing".to_string(),
            ),
            _ => (
                format!("regel `{}` leest de uitkomst van zijn eigen beslissing `{decision}`", rule.name),
                "een regel kan de beslissing waaraan hij bijdraagt niet lezen; lees een eerdere beslissing, of gebruik `uitzondering op`".to_string(),
            ),
        };
        self.error(
            Problem::error(Code::DecisionCycle, at, message)
                .label("leest de eigen beslissing")
                .help(help),
        );
    }
}

/// Types one rule: its condition, outcome (which names its decision) and groups.
fn rule(
    typer: &mut Typer<'_, '_, '_>,
    decl: &ast::RuleDecl,
    own: bool,
    domains: &[Domain],
    names: &Names<'_>,
) -> Option<Rule> {
    let condition = typer.condition(&decl.condition);
    let condition_text = typer.snippet(decl.condition.span);
    let outcome = typer
        .checker
        .outcome(&decl.outcome, &names.domains, domains);
    let ((condition, reads), (decision, outcome)) = (condition?, outcome?);
    Some(Rule {
        name: decl.name.name.clone(),
        title: decl.title.as_ref().map(|t| t.value.clone()),
        condition,
        condition_text,
        outcome,
        explanation: decl.explanation.as_ref().map(|t| t.value.clone()),
        source: decl.source.as_ref().map(|t| t.value.clone()),
        period: super::period(decl.period.as_ref()),
        exception_of: Vec::new(),
        exception_groups: decl
            .exception_of
            .iter()
            .filter_map(|t| match t {
                ast::ExceptionTarget::Rule(_) => None,
                ast::ExceptionTarget::Group(g) => Some(format!("groep {}", g.name)),
                ast::ExceptionTarget::Outcome(d, _) => Some(format!("regels met {}", d.name)),
            })
            .collect(),
        exceptions: Vec::new(),
        reads,
        decision,
        groups: decl.groups.iter().map(|g| g.name.clone()).collect(),
        own,
        span: decl.span,
        name_span: decl.name.span,
    })
}

/// Kahn's algorithm over `edges` (from a node to the nodes that wait for it), with how
/// many each node waits for: the order, smallest ready index first; or the nodes left
/// (in a cycle or behind one).
fn topological(edges: &[Vec<usize>], mut waiting: Vec<usize>) -> Result<Vec<usize>, Vec<usize>> {
    let mut ready: Vec<usize> = (0..waiting.len())
        .filter(|i| waiting.get(*i) == Some(&0))
        .collect();
    ready.reverse();
    let mut order = Vec::with_capacity(waiting.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for t in edges.get(i).map(Vec::as_slice).unwrap_or_default() {
            if let Some(w) = waiting.get_mut(*t) {
                *w -= 1;
                if *w == 0 {
                    ready.push(*t);
                }
            }
        }
    }
    if order.len() == waiting.len() {
        Ok(order)
    } else {
        Err((0..waiting.len())
            .filter(|i| waiting.get(*i).is_some_and(|w| *w > 0))
            .collect())
    }
}

/// A cycle among the nodes `left` (each waits for another of them): walk from the first
/// until a node repeats.
fn find_cycle(left: &[usize], waits_for: impl Fn(usize) -> Vec<usize>) -> Option<Vec<usize>> {
    let mut path: Vec<usize> = Vec::new();
    let mut at = *left.first()?;
    while !path.contains(&at) {
        path.push(at);
        at = waits_for(at).into_iter().find(|e| left.contains(e))?;
    }
    let start = path.iter().position(|p| *p == at).unwrap_or(0);
    let mut cycle: Vec<usize> = path.get(start..).unwrap_or_default().to_vec();
    cycle.push(at);
    Some(cycle)
}
