//! Check: parsed files (bases first) → [`RuleSet`], or every static problem at once.
//!
//! Resolves `gebaseerd op` overrides (`resolve.rs`), declares domains, facts and
//! concepts, type-checks every expression (`expr.rs`), checks outcomes, exceptions and
//! examples, fixes the evaluation order, and runs the lints (`lint.rs`). It never
//! evaluates a case and never reads files: the loader hands it parsed files.

mod expr;
mod lint;
mod resolve;

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::ast;
use crate::diagnostic::{did_you_mean, Code, Errors, Problem, Problems};
use crate::ruleset::{
    Domain, DomainId, Example, Expectation, Fact, FactId, Fallback, Outcome, Parts, Period, Raw,
    Rule, RuleId, RuleSet, SetId, Symbols, Type,
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
            lint::run(&rs, &merged, root, &mut problems);
            Ok((rs, problems))
        }
        _ => Err(problems.into_errors()),
    }
}

/// A name in expressions: facts and concepts share one namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    Fact(FactId),
    Concept(usize),
}

struct Checker<'p> {
    problems: &'p mut Problems,
    symbols: Symbols,
}

impl<'p> Checker<'p> {
    fn new(problems: &'p mut Problems) -> Self {
        Checker {
            problems,
            symbols: Symbols::default(),
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
        let domains = self.domains(merged, root);
        let facts: Vec<Fact> = merged.facts.iter().map(|f| self.fact(f)).collect();
        let bindings = self.bindings(&facts, &merged.concepts);
        let domain_index: HashMap<String, DomainId> = domains
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), DomainId::from_index(i)))
            .collect();
        let rule_index: HashMap<&str, RuleId> = merged
            .rules
            .iter()
            .enumerate()
            .map(|(i, (r, _))| (r.name.name.as_str(), RuleId::from_index(i)))
            .collect();

        let mut typer = expr::Typer::new(self, sources, &facts, &merged.concepts, &bindings);
        typer.check_concepts();
        let mut rules: Vec<Rule> = merged
            .rules
            .iter()
            .filter_map(|(decl, own)| rule(&mut typer, decl, *own, &domain_index, &rule_index))
            .collect();
        let (concepts, atoms) = typer.finish();
        let fallback = match merged.fallback {
            Some(o) => self
                .outcome(o, &domain_index)
                .map(|outcome| Fallback::Declared {
                    outcome,
                    span: o.span(),
                }),
            None => Some(Fallback::EqualSplit(equal_split(domains.len()))),
        };
        let conflict = match merged.conflict {
            Some(o) => self.outcome(o, &domain_index),
            None => fallback.as_ref().map(|f| f.outcome().clone()),
        };
        if rules.len() != merged.rules.len() || self.problems.has_errors() {
            // Typing failed somewhere; examples would only repeat those errors.
            return None;
        }
        let order = self.exceptions(&mut rules, &merged.rules)?;
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
            domains,
            facts,
            concepts,
            rules,
            atoms,
            symbols: std::mem::take(&mut self.symbols),
            order,
            fallback: fallback?,
            name_span: root.header.name.span,
            conflict: conflict?,
        });
        let examples = merged
            .examples
            .iter()
            .filter_map(|e| self.example(e, &rs, &domain_index, &rule_index))
            .collect();
        Some(rs.with_examples(examples))
    }

    fn domains(&mut self, merged: &Merged<'_>, root: &ast::File) -> Vec<Domain> {
        let domains: Vec<Domain> = merged
            .domains
            .iter()
            .map(|d| Domain {
                name: d.name.name.clone(),
                label: d.label.as_ref().map(|l| l.value.clone()),
                payer: d.payer.as_ref().map(|l| l.value.clone()),
                span: d.span,
            })
            .collect();
        if domains.is_empty() {
            self.error(
                Problem::error(Code::NoDomains, root.header.name.span, "deze regelset declareert geen enkel domein")
                    .label("regelset zonder domeinen")
                    .help("declareer de uitkomsten, bijvoorbeeld `domein jeugdwet \"Jeugdwet\" betaler \"gemeente\"`"),
            );
        }
        domains
    }

    fn fact(&mut self, f: &ast::FactDecl) -> Fact {
        let (ty, values, bounds) = match &f.ty {
            ast::TypeExpr::Bool(_) => (Type::Bool, Vec::new(), None),
            ast::TypeExpr::Text(_) => (Type::Text, Vec::new(), None),
            ast::TypeExpr::Number { bounds, .. } => (
                Type::Number,
                Vec::new(),
                bounds.as_ref().map(|(l, h)| (l.value, h.value)),
            ),
            ast::TypeExpr::Choice(names, _) => {
                let (set, values) = self.value_set(names, &f.name.name);
                (Type::Choice(set), values, None)
            }
            ast::TypeExpr::List(names, _) => {
                let (set, values) = self.value_set(names, &f.name.name);
                (Type::List(set), values, None)
            }
        };
        Fact {
            name: f.name.name.clone(),
            ty,
            values,
            bounds,
            question: f.question.as_ref().map(|s| s.value.clone()),
            explanation: f.explanation.as_ref().map(|s| s.value.clone()),
            unit: f.unit.as_ref().map(|s| s.value.clone()),
            span: f.span,
        }
    }

    fn value_set(&mut self, names: &[ast::Ident], fact: &str) -> (SetId, Vec<crate::ruleset::Sym>) {
        let mut values = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for n in names {
            if let Some(first) = seen.get(n.name.as_str()) {
                let p = Problem::error(
                    Code::DuplicateValue,
                    n.span,
                    format!("de waarde `{}` staat twee keer in `{fact}`", n.name),
                )
                .label("tweede keer")
                .also(*first, "eerste keer")
                .help("laat één van beide weg");
                self.error(p);
                continue;
            }
            seen.insert(&n.name, n.span);
            values.push(self.symbols.intern(&n.name));
        }
        (self.symbols.set(&values), values)
    }

    fn bindings(
        &mut self,
        facts: &[Fact],
        concepts: &[&ast::ConceptDecl],
    ) -> HashMap<String, Binding> {
        let mut bindings = HashMap::new();
        for (i, f) in facts.iter().enumerate() {
            bindings.insert(f.name.clone(), Binding::Fact(FactId::from_index(i)));
        }
        for (i, c) in concepts.iter().enumerate() {
            if let Some(Binding::Fact(f)) = bindings.get(&c.name.name) {
                let fact_span = facts.get(f.index()).map(|f| f.span);
                let mut p = Problem::error(
                    Code::DuplicateName,
                    c.name.span,
                    format!("er is al een feit met de naam `{}`", c.name.name),
                )
                .label("begrip met dezelfde naam")
                .help("feiten en begrippen delen hun namen; geef het begrip een andere naam");
                if let Some(s) = fact_span {
                    p = p.also(s, "het feit");
                }
                self.error(p);
                continue;
            }
            bindings.insert(c.name.name.clone(), Binding::Concept(i));
        }
        bindings
    }

    /// Checks and normalises an outcome.
    fn outcome(
        &mut self,
        o: &ast::Outcome,
        domains: &HashMap<String, DomainId>,
    ) -> Option<Outcome> {
        match o {
            ast::Outcome::Domain(d) => Some(Outcome::new(vec![(
                self.domain_ref(d, domains)?,
                Decimal::ONE_HUNDRED,
            )])),
            ast::Outcome::Split(shares, span) => {
                let mut seen: HashMap<DomainId, Span> = HashMap::new();
                let mut out = Vec::new();
                let mut total = Decimal::ZERO;
                let mut ok = true;
                for share in shares {
                    total = total
                        .checked_add(share.percent.value)
                        .unwrap_or(Decimal::MAX);
                    let Some(d) = self.domain_ref(&share.domain, domains) else {
                        ok = false;
                        continue;
                    };
                    if let Some(first) = seen.insert(d, share.domain.span) {
                        self.error(
                            Problem::error(
                                Code::DuplicateShare,
                                share.domain.span,
                                format!(
                                    "`{}` krijgt hier voor de tweede keer een deel",
                                    share.domain.name
                                ),
                            )
                            .label("tweede keer")
                            .also(first, "eerste keer")
                            .help("noem elk domein één keer en tel de percentages op"),
                        );
                        ok = false;
                    }
                    out.push((d, share.percent.value));
                }
                if total != Decimal::ONE_HUNDRED {
                    self.error(
                        Problem::error(
                            Code::SplitNot100,
                            *span,
                            format!(
                                "de percentages tellen op tot {}% in plaats van 100%",
                                total.normalize()
                            ),
                        )
                        .label(format!("samen {}%", total.normalize()))
                        .help("pas de percentages aan zodat ze samen precies 100% zijn"),
                    );
                    ok = false;
                }
                ok.then(|| Outcome::new(out))
            }
        }
    }

    fn domain_ref(
        &mut self,
        d: &ast::Ident,
        domains: &HashMap<String, DomainId>,
    ) -> Option<DomainId> {
        if let Some(id) = domains.get(d.name.as_str()) {
            return Some(*id);
        }
        let help = did_you_mean(&d.name, domains.keys().map(String::as_str)).unwrap_or_else(|| {
            format!(
                "declareer het domein: `domein {} \"...\" betaler \"...\"`",
                d.name
            )
        });
        self.error(
            Problem::error(
                Code::UnknownName,
                d.span,
                format!("er is geen domein `{}`", d.name),
            )
            .label("onbekend domein")
            .help(help),
        );
        None
    }

    fn rule_ref(&mut self, r: &ast::Ident, rules: &HashMap<&str, RuleId>) -> Option<RuleId> {
        if let Some(id) = rules.get(r.name.as_str()) {
            return Some(*id);
        }
        self.error(
            Problem::error(
                Code::UnknownName,
                r.span,
                format!("er is geen regel `{}`", r.name),
            )
            .label("onbekende regel")
            .did_you_mean(&r.name, rules.keys().copied()),
        );
        None
    }

    /// Links exceptions to the rules they override, rejects cycles and returns the
    /// evaluation order: every exception before the rules it overrides (Kahn's
    /// algorithm, so that long chains of exceptions need no recursion).
    fn exceptions(
        &mut self,
        rules: &mut [Rule],
        decls: &[(&ast::RuleDecl, bool)],
    ) -> Option<Vec<RuleId>> {
        for i in 0..rules.len() {
            let targets = rules
                .get(i)
                .map(|r| r.exception_of.clone())
                .unwrap_or_default();
            for t in targets {
                if let Some(target) = rules.get_mut(t.index()) {
                    target.exceptions.push(RuleId::from_index(i));
                }
            }
        }
        // A rule is ready once all its exceptions are ordered.
        let mut waiting: Vec<usize> = rules.iter().map(|r| r.exceptions.len()).collect();
        let mut ready: Vec<usize> = (0..rules.len())
            .filter(|i| waiting.get(*i) == Some(&0))
            .collect();
        ready.reverse();
        let mut order = Vec::with_capacity(rules.len());
        while let Some(i) = ready.pop() {
            order.push(RuleId::from_index(i));
            for t in rules
                .get(i)
                .map(|r| r.exception_of.as_slice())
                .unwrap_or_default()
            {
                if let Some(w) = waiting.get_mut(t.index()) {
                    *w -= 1;
                    if *w == 0 {
                        ready.push(t.index());
                    }
                }
            }
        }
        if order.len() == rules.len() {
            return Some(order);
        }
        // Every rule left waits for an exception that is also left: walk those until a
        // rule repeats, and report that cycle.
        let left = |i: usize| waiting.get(i).is_some_and(|w| *w > 0);
        let mut path: Vec<usize> = Vec::new();
        let mut at = (0..rules.len()).find(|i| left(*i))?;
        while !path.contains(&at) {
            path.push(at);
            at = rules
                .get(at)?
                .exceptions
                .iter()
                .map(|e| e.index())
                .find(|e| left(*e))?;
        }
        let start = path.iter().position(|p| *p == at).unwrap_or(0);
        let mut cycle: Vec<usize> = path.get(start..).unwrap_or_default().to_vec();
        cycle.push(at);
        // `cycle` follows "is overridden by"; show it as "is an exception to".
        cycle.reverse();
        let names: Vec<&str> = cycle
            .iter()
            .filter_map(|c| rules.get(*c))
            .map(|r| r.name.as_str())
            .collect();
        let span = cycle
            .first()
            .and_then(|c| decls.get(*c))
            .and_then(|(d, _)| d.exception_of.first().map(|e| e.span))
            .unwrap_or_default();
        let message = if names.len() <= 2 {
            format!(
                "regel `{}` is een uitzondering op zichzelf",
                names.first().copied().unwrap_or("?")
            )
        } else {
            format!(
                "regels zijn in een kring uitzondering op elkaar: {}",
                names.join(" → ")
            )
        };
        self.error(
            Problem::error(Code::ExceptionCycle, span, message)
                .label("hier begint de kring")
                .help("een uitzondering moet uiteindelijk bij een regel zonder uitzondering uitkomen; haal één `uitzondering op` weg"),
        );
        None
    }

    fn example(
        &mut self,
        e: &ast::ExampleDecl,
        rs: &RuleSet,
        domains: &HashMap<String, DomainId>,
        rules: &HashMap<&str, RuleId>,
    ) -> Option<Example> {
        let mut given: Vec<(FactId, crate::ruleset::Value)> = Vec::new();
        let mut seen: HashMap<FactId, Span> = HashMap::new();
        let mut ok = true;
        for a in &e.given {
            let Some(id) = rs.fact_id(&a.fact.name) else {
                self.error(
                    Problem::error(
                        Code::UnknownName,
                        a.fact.span,
                        format!("er is geen feit `{}`", a.fact.name),
                    )
                    .label("onbekend feit")
                    .did_you_mean(&a.fact.name, rs.facts().iter().map(|f| f.name.as_str())),
                );
                ok = false;
                continue;
            };
            if let Some(first) = seen.insert(id, a.fact.span) {
                self.error(
                    Problem::error(
                        Code::DuplicateName,
                        a.fact.span,
                        format!("`{}` krijgt twee keer een waarde", a.fact.name),
                    )
                    .label("tweede keer")
                    .also(first, "eerste keer")
                    .help("geef elk feit één waarde"),
                );
                ok = false;
                continue;
            }
            let fact = rs.fact(id);
            match rs.convert(fact, &raw(&a.value)) {
                Ok(v) => given.push((id, v)),
                Err(why) => {
                    let code = if matches!(fact.ty, Type::Number)
                        && matches!(a.value, ast::Literal::Number(..))
                    {
                        Code::OutOfBounds
                    } else {
                        Code::TypeMismatch
                    };
                    self.error(
                        Problem::error(
                            code,
                            a.value.span(),
                            format!("verkeerde waarde voor `{}`: {why}", fact.name),
                        )
                        .label(format!("verwacht {}", rs.describe_type(fact))),
                    );
                    ok = false;
                }
            }
        }
        let expect = match &e.expect {
            ast::Expectation::Incomplete(_) => Some(Expectation::Incomplete),
            ast::Expectation::Outcome {
                outcome,
                decided_by,
            } => {
                let outcome = self.outcome(outcome, domains);
                let decided_by: Vec<Option<RuleId>> =
                    decided_by.iter().map(|r| self.rule_ref(r, rules)).collect();
                match (outcome, decided_by.into_iter().collect::<Option<Vec<_>>>()) {
                    (Some(outcome), Some(decided_by)) => Some(Expectation::Outcome {
                        outcome,
                        decided_by,
                    }),
                    _ => None,
                }
            }
        };
        given.sort_by_key(|(f, _)| *f);
        Some(Example {
            name: e.name.value.clone(),
            given,
            reference_date: e.reference_date.as_ref().map(|d| d.value),
            expect: expect.filter(|_| ok)?,
            span: e.span,
        })
    }
}

/// Types one rule: its condition, outcome and the rules it is an exception to.
fn rule(
    typer: &mut expr::Typer<'_, '_, '_>,
    decl: &ast::RuleDecl,
    own: bool,
    domains: &HashMap<String, DomainId>,
    rules: &HashMap<&str, RuleId>,
) -> Option<Rule> {
    let condition = typer.condition(&decl.condition);
    let outcome = typer.checker.outcome(&decl.outcome, domains);
    let exception_of = decl
        .exception_of
        .iter()
        .filter_map(|i| typer.checker.rule_ref(i, rules))
        .collect();
    let ((condition, reads), outcome) = (condition?, outcome?);
    Some(Rule {
        name: decl.name.name.clone(),
        title: decl.title.as_ref().map(|t| t.value.clone()),
        condition,
        outcome,
        explanation: decl.explanation.as_ref().map(|t| t.value.clone()),
        source: decl.source.as_ref().map(|t| t.value.clone()),
        period: period(decl.period.as_ref()),
        exception_of,
        exceptions: Vec::new(),
        reads,
        own,
        span: decl.span,
        name_span: decl.name.span,
    })
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

/// The default fallback: an equal split over all domains, in hundredths of a percent,
/// with the remainder to the first domains so that the shares add up to exactly 100.
fn equal_split(domains: usize) -> Outcome {
    let Ok(n) = i64::try_from(domains) else {
        return Outcome::new(Vec::new());
    };
    if n == 0 {
        return Outcome::new(Vec::new());
    }
    let base = 10_000 / n;
    let mut remainder = 10_000 - base * n;
    let shares = (0..domains)
        .map(|i| {
            let extra = if remainder > 0 {
                remainder -= 1;
                1
            } else {
                0
            };
            (DomainId::from_index(i), Decimal::new(base + extra, 2))
        })
        .collect();
    Outcome::new(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_split_adds_up_to_exactly_100() {
        for n in 1..=12 {
            let total: Decimal = equal_split(n).shares().iter().map(|(_, p)| *p).sum();
            assert_eq!(total, Decimal::ONE_HUNDRED, "{n} domains");
        }
        let three: Vec<String> = equal_split(3)
            .shares()
            .iter()
            .map(|(_, p)| p.to_string())
            .collect();
        assert_eq!(three, ["33.34", "33.33", "33.33"]);
    }
}
