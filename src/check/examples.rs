//! Examples: the checked file's `voorbeeld` blocks, and the bases' examples as they run
//! in this rule set (with the changes this file marks with `vervang voorbeeld`).

use std::collections::HashMap;

use super::resolve::Merged;
use super::{raw, Checker, Names};
use crate::ast;
use crate::diagnostic::{Code, Problem, Problems};
use crate::ruleset::{
    DecisionId, Example, ExampleOrigin, Expectation, FactId, RuleSet, Type, Value, LAW,
};
use crate::source::Span;

impl Checker<'_> {
    /// The own examples, each checked against the sealed rule set (they name its facts,
    /// values, decisions and rules).
    pub(super) fn examples(
        &mut self,
        merged: &Merged<'_>,
        rs: &RuleSet,
        names: &Names<'_>,
    ) -> (Vec<Example>, Vec<Example>) {
        let own = merged
            .examples
            .iter()
            .filter_map(|e| {
                let given = self.given(&e.given, rs)?;
                let expect = self.expectations(&e.expect, rs, names)?;
                Some(Example {
                    name: e.name.value.clone(),
                    given,
                    reference_date: e.reference_date.as_ref().map(|d| d.value),
                    expect,
                    origin: ExampleOrigin::Own,
                    span: e.span,
                })
            })
            .collect();
        let base = merged
            .base_examples
            .iter()
            .filter_map(|(e, file, change)| self.base_example(e, *file, *change, rs, names))
            .collect();
        (own, base)
    }

    /// A base's example in this rule set. Problems with the base's own text stay the
    /// base's (its own `check` reports them); problems with a `vervang voorbeeld` are
    /// this file's.
    fn base_example(
        &mut self,
        e: &ast::ExampleDecl,
        file: usize,
        change: Option<&ast::ExampleChange>,
        rs: &RuleSet,
        names: &Names<'_>,
    ) -> Option<Example> {
        // The merged files and the rule set's files are both in chain order, bases first.
        let path = rs.files().get(file).cloned().unwrap_or_default();
        // The base's example is checked quietly: it is the base's, and a region that
        // replaces a fact may make it unusable here, which `test --base` says.
        let mut quiet = Problems::new();
        let mut base_checker = Checker {
            problems: &mut quiet,
            symbols: Default::default(),
            fact_names: Default::default(),
        };
        let mut given = base_checker.given(&e.given, rs)?;
        let mut expect = base_checker.expectations(&e.expect, rs, names)?;
        let mut reference_date = e.reference_date.as_ref().map(|d| d.value);
        let origin = match change {
            None => ExampleOrigin::Base { file: path },
            Some(c) => {
                for (f, v) in self.given(&c.given, rs)? {
                    given.retain(|(g, _)| *g != f);
                    given.push((f, v));
                }
                given.sort_by_key(|(f, _)| *f);
                let replaced = self.expectations(&c.expect, rs, names)?;
                let same_outcome = replaced == expect;
                expect = replaced;
                if let Some(d) = &c.reference_date {
                    reference_date = Some(d.value);
                }
                ExampleOrigin::Changed {
                    file: path,
                    same_outcome,
                }
            }
        };
        Some(Example {
            name: e.name.value.clone(),
            given,
            reference_date,
            expect,
            origin,
            span: change.map_or(e.span, |c| c.span),
        })
    }

    /// The facts of an example, as typed values.
    fn given(&mut self, given: &[ast::Assignment], rs: &RuleSet) -> Option<Vec<(FactId, Value)>> {
        let mut out: Vec<(FactId, Value)> = Vec::new();
        let mut seen: HashMap<FactId, Span> = HashMap::new();
        let mut ok = true;
        for a in given {
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
                Ok(v) => out.push((id, v)),
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
        out.sort_by_key(|(f, _)| *f);
        ok.then_some(out)
    }

    /// What an example expects: at most one expectation per decision.
    fn expectations(
        &mut self,
        written: &[ast::Expectation],
        rs: &RuleSet,
        names: &Names<'_>,
    ) -> Option<Vec<Expectation>> {
        let mut out: Vec<Expectation> = Vec::new();
        let mut seen: HashMap<DecisionId, Span> = HashMap::new();
        let mut ok = true;
        for e in written {
            let (span, expectation) = match e {
                ast::Expectation::Incomplete(span) => (*span, Some(Expectation::Incomplete(LAW))),
                ast::Expectation::DecisionIncomplete(name) => (
                    name.span,
                    self.decision_ref(name, rs).map(Expectation::Incomplete),
                ),
                ast::Expectation::DecisionNotNeeded(name) => (
                    name.span,
                    self.decision_ref(name, rs).map(Expectation::NotNeeded),
                ),
                ast::Expectation::Outcome {
                    outcome,
                    decided_by,
                } => (
                    outcome.span(),
                    self.expected_outcome(outcome, decided_by, rs, names),
                ),
            };
            let Some(expectation) = expectation else {
                ok = false;
                continue;
            };
            if let Some(first) = seen.insert(expectation.decision(), span) {
                self.error(
                    Problem::error(
                        Code::DuplicateClause,
                        span,
                        "dit voorbeeld verwacht twee keer iets van dezelfde beslissing",
                    )
                    .label("tweede `verwacht`")
                    .also(first, "eerste")
                    .help("schrijf één `verwacht` per beslissing"),
                );
                ok = false;
                continue;
            }
            out.push(expectation);
        }
        ok.then_some(out)
    }

    fn expected_outcome(
        &mut self,
        outcome: &ast::Outcome,
        decided_by: &[ast::Ident],
        rs: &RuleSet,
        names: &Names<'_>,
    ) -> Option<Expectation> {
        // `verwacht route`: the name of a decision where one of its values belongs.
        if let ast::Outcome::Domain(d) = outcome {
            if let Some(id) = rs.decision_id(&d.name) {
                let values: Vec<String> = rs
                    .decision(id)
                    .values
                    .iter()
                    .map(|v| format!("`{}`", rs.domain_name(*v)))
                    .collect();
                self.error(
                    Problem::error(
                        Code::UnknownName,
                        d.span,
                        format!("`{}` is een beslissing, geen uitkomst", d.name),
                    )
                    .label("een beslissing")
                    .help(format!(
                        "verwacht een van haar waarden ({}), of schrijf `verwacht {} onvolledig` of `verwacht {} niet nodig`",
                        crate::text::enumerate(&values, "of"),
                        d.name,
                        d.name
                    )),
                );
                return None;
            }
        }
        let checked = self.outcome(outcome, &names.domains, rs.domains());
        let decision = checked.as_ref().map(|(d, _)| *d);
        let mut rules = Vec::new();
        let mut ok = true;
        for r in decided_by {
            match self.rule_ref(r, names) {
                Some(id) if Some(rs.rule(id).decision) != decision => {
                    self.error(
                        Problem::error(
                            Code::TypeMismatch,
                            r.span,
                            format!("regel `{}` geeft een uitkomst van een andere beslissing", r.name),
                        )
                        .label("hoort niet bij deze uitkomst")
                        .help("noem achter `door` de regels die deze uitkomst geven; verwacht de andere beslissing met een eigen `verwacht`"),
                    );
                    ok = false;
                }
                Some(id) => rules.push(id),
                None => ok = false,
            }
        }
        let (decision, outcome) = checked?;
        ok.then_some(Expectation::Outcome {
            decision,
            outcome,
            decided_by: rules,
        })
    }

    fn decision_ref(&mut self, name: &ast::Ident, rs: &RuleSet) -> Option<DecisionId> {
        if let Some(id) = rs.decision_id(&name.name) {
            return Some(id);
        }
        self.error(
            Problem::error(
                Code::UnknownName,
                name.span,
                format!("er is geen beslissing `{}`", name.name),
            )
            .label("onbekende beslissing")
            .did_you_mean(&name.name, rs.decisions().iter().map(|d| d.name.as_str())),
        );
        None
    }
}
