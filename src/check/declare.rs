//! Declarations: the decisions with their values (the law's `domein`s first), the facts
//! with their value sets and labels, who pays for each value, and the one namespace of
//! facts, concepts and decisions.

use std::collections::HashMap;

use super::resolve::Merged;
use super::{duplicate, Binding, Checker, LAW_NAME};
use crate::ast;
use crate::diagnostic::{did_you_mean, Code, Problem};
use crate::ruleset::{
    DecisionDef, DecisionId, Domain, DomainId, Fact, FactId, Fallback, Outcome, Payer, SetId, Sym,
    Type,
};
use crate::source::Span;

impl Checker<'_> {
    /// The law (decision 0, whose values are the `domein`s) and every `beslissing`, with
    /// the table of all their values. Value names are unique over all decisions, so that
    /// an outcome names its decision.
    pub(super) fn decisions(
        &mut self,
        merged: &Merged<'_>,
        root: &ast::File,
        facts: &[Fact],
    ) -> (Vec<DecisionDef>, Vec<Domain>) {
        let mut domains: Vec<Domain> = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        let law = DecisionId::from_index(0);
        for d in &merged.domains {
            self.value(d, law, facts, &mut seen, &mut domains);
        }
        if domains.is_empty() {
            self.error(
                Problem::error(Code::NoDomains, root.header.name.span, "deze regelset declareert geen enkel domein")
                    .label("regelset zonder domeinen")
                    .help("declareer de uitkomsten, bijvoorbeeld `domein jeugdwet \"Jeugdwet\" betaler \"gemeente\"`"),
            );
        }
        let mut decisions = vec![DecisionDef {
            name: LAW_NAME.to_string(),
            label: None,
            explanation: None,
            values: super::values_of(&domains, law),
            routes: Vec::new(),
            fallback: Fallback::EqualSplit(Outcome::new(Vec::new())),
            conflict: Outcome::new(Vec::new()),
            span: root.header.name.span,
        }];
        let mut routed: HashMap<DomainId, Span> = HashMap::new();
        for (i, decl) in merged.decisions.iter().enumerate() {
            let id = DecisionId::from_index(i + 1);
            if decl.name.name == LAW_NAME {
                self.error(
                    Problem::error(
                        Code::DuplicateName,
                        decl.name.span,
                        "`wet` is de naam van de beslissing over de domeinen",
                    )
                    .label("deze naam is al in gebruik")
                    .help("geef deze beslissing een andere naam, bijvoorbeeld `route`"),
                );
            }
            if decl.values.is_empty() {
                self.error(
                    Problem::error(
                        Code::NoDomains,
                        decl.name.span,
                        format!("beslissing `{}` heeft geen waarden", decl.name.name),
                    )
                    .label("beslissing zonder `waarde`")
                    .help("noem de mogelijke uitkomsten, bijvoorbeeld `waarde beschikking \"Individuele beschikking\"`"),
                );
            }
            for v in &decl.values {
                self.value(v, id, facts, &mut seen, &mut domains);
            }
            let routes = self.routes(decl, &domains, &mut routed);
            decisions.push(DecisionDef {
                name: decl.name.name.clone(),
                label: decl.label.as_ref().map(|l| l.value.clone()),
                explanation: decl.explanation.as_ref().map(|e| e.value.clone()),
                values: super::values_of(&domains, id),
                routes,
                fallback: Fallback::EqualSplit(Outcome::new(Vec::new())),
                conflict: Outcome::new(Vec::new()),
                span: decl.name.span,
            });
        }
        (decisions, domains)
    }

    /// One value of a decision (a `domein` or a `waarde`), added to the table unless its
    /// name is taken.
    fn value(
        &mut self,
        d: &ast::DomainDecl,
        decision: DecisionId,
        facts: &[Fact],
        seen: &mut HashMap<String, Span>,
        domains: &mut Vec<Domain>,
    ) {
        if let Some(first) = seen.get(&d.name.name) {
            self.error(duplicate(
                &d.name.name,
                "een domein of waarde",
                d.name.span,
                *first,
            ));
            return;
        }
        seen.insert(d.name.name.clone(), d.name.span);
        domains.push(Domain {
            name: d.name.name.clone(),
            label: d.label.as_ref().map(|l| l.value.clone()),
            payer: d.payer.as_ref().and_then(|p| self.payer(p, facts)),
            next: d.next.as_ref().map(|n| n.value.clone()),
            decision,
            span: d.span,
        });
    }

    /// `voor D, ...`: law domains that no other decision routes.
    fn routes(
        &mut self,
        decl: &ast::DecisionDecl,
        domains: &[Domain],
        routed: &mut HashMap<DomainId, Span>,
    ) -> Vec<DomainId> {
        let mut out = Vec::new();
        for r in &decl.routes {
            let found = domains
                .iter()
                .position(|d| d.name == r.name && d.decision.index() == 0)
                .map(DomainId::from_index);
            let Some(id) = found else {
                let laws = domains
                    .iter()
                    .filter(|d| d.decision.index() == 0)
                    .map(|d| d.name.as_str());
                self.error(
                    Problem::error(
                        Code::UnknownName,
                        r.span,
                        format!("er is geen domein `{}`", r.name),
                    )
                    .label("`voor` noemt een domein")
                    .did_you_mean(&r.name, laws),
                );
                continue;
            };
            if let Some(first) = routed.insert(id, r.span) {
                self.error(
                    Problem::error(
                        Code::DuplicateName,
                        r.span,
                        format!(
                            "twee beslissingen zeggen hoe het deel van `{}` betaald wordt",
                            r.name
                        ),
                    )
                    .label("tweede beslissing voor dit domein")
                    .also(first, "eerste")
                    .help("één beslissing per domein: voeg de waarden samen in één `beslissing`"),
                );
                continue;
            }
            out.push(id);
        }
        out
    }

    /// Who pays: a text, or a `tekst` or `keuze` fact of the case.
    fn payer(&mut self, payer: &ast::Payer, facts: &[Fact]) -> Option<Payer> {
        match payer {
            ast::Payer::Text(t) => Some(Payer::Text(t.value.clone())),
            ast::Payer::Fact(name) => {
                let Some(i) = facts.iter().position(|f| f.name == name.name) else {
                    self.error(
                        Problem::error(
                            Code::UnknownName,
                            name.span,
                            format!("er is geen feit `{}`", name.name),
                        )
                        .label("de betaler uit de casus")
                        .help(
                            did_you_mean(&name.name, facts.iter().map(|f| f.name.as_str()))
                                .unwrap_or_else(|| format!(
                                    "declareer het feit, bijvoorbeeld `feit {}: tekst`, of schrijf de betaler tussen aanhalingstekens",
                                    name.name
                                )),
                        ),
                    );
                    return None;
                };
                let fact = facts.get(i)?;
                if !matches!(fact.ty, Type::Text | Type::Choice(_)) {
                    self.error(
                        Problem::error(
                            Code::TypeMismatch,
                            name.span,
                            format!(
                                "`{}` is {}, maar een betaler uit de casus is een `tekst` of een `keuze`",
                                name.name,
                                self.symbols.type_words(fact.ty)
                            ),
                        )
                        .label("geen tekst of keuze")
                        .help("gebruik een feit als `feit woongemeente: tekst`, of schrijf de betaler tussen aanhalingstekens"),
                    );
                    return None;
                }
                Some(Payer::Fact(FactId::from_index(i)))
            }
        }
    }

    pub(super) fn fact(&mut self, f: &ast::FactDecl) -> Fact {
        let name = &f.name.name;
        if crate::ruleset::CASE_KEYS.contains(&name.as_str()) {
            let meaning = match name.as_str() {
                "id" => "het kenmerk van de casus",
                "kosten" => "de kosten die over de betalers worden verdeeld",
                _ => "de datum waarop beslist wordt",
            };
            self.error(
                Problem::error(
                    Code::ReservedWord,
                    f.name.span,
                    format!("`{name}` kan geen feit zijn: in een casus is `{name}` {meaning}"),
                )
                .label("gereserveerd in een casus")
                .help(format!(
                    "kies een andere naam voor het feit, bijvoorbeeld `{name}_waarde`; een casus kan een feit `{name}` nooit geven"
                )),
            );
        }
        let (ty, values, labels, bounds) = match &f.ty {
            ast::TypeExpr::Bool(_) => (Type::Bool, Vec::new(), Vec::new(), None),
            ast::TypeExpr::Text(_) => (Type::Text, Vec::new(), Vec::new(), None),
            ast::TypeExpr::Number { bounds, .. } => (
                Type::Number,
                Vec::new(),
                Vec::new(),
                bounds.as_ref().map(|(l, h)| (l.value, h.value)),
            ),
            ast::TypeExpr::Choice(names, _) => {
                let (set, values, labels) = self.value_set(names, &f.name.name);
                (Type::Choice(set), values, labels, None)
            }
            ast::TypeExpr::List(names, _) => {
                let (set, values, labels) = self.value_set(names, &f.name.name);
                (Type::List(set), values, labels, None)
            }
        };
        Fact {
            name: f.name.name.clone(),
            ty,
            values,
            labels,
            bounds,
            question: f.question.as_ref().map(|s| s.value.clone()),
            explanation: f.explanation.as_ref().map(|s| s.value.clone()),
            unit: f.unit.as_ref().map(|s| s.value.clone()),
            span: f.span,
        }
    }

    #[allow(clippy::type_complexity)]
    fn value_set(
        &mut self,
        names: &[ast::ValueDecl],
        fact: &str,
    ) -> (SetId, Vec<Sym>, Vec<Option<String>>) {
        let mut values = Vec::new();
        let mut labels = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for v in names {
            let n = &v.name;
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
            labels.push(v.label.as_ref().map(|l| l.value.clone()));
        }
        (self.symbols.set(&values), values, labels)
    }

    /// Facts, concepts and decisions by name: one namespace.
    pub(super) fn bindings(
        &mut self,
        facts: &[Fact],
        concepts: &[&ast::ConceptDecl],
        decisions: &[DecisionDef],
    ) -> HashMap<String, Binding> {
        let mut bindings = HashMap::new();
        let mut spans: HashMap<String, (Span, &str)> = HashMap::new();
        for (i, f) in facts.iter().enumerate() {
            bindings.insert(f.name.clone(), Binding::Fact(FactId::from_index(i)));
            spans.insert(f.name.clone(), (f.span, "een feit"));
        }
        for (i, c) in concepts.iter().enumerate() {
            if let Some((first, what)) = spans.get(&c.name.name) {
                self.error(
                    duplicate(&c.name.name, what, c.name.span, *first)
                        .help("feiten, begrippen en beslissingen delen hun namen; geef het begrip een andere naam"),
                );
                continue;
            }
            bindings.insert(c.name.name.clone(), Binding::Concept(i));
            spans.insert(c.name.name.clone(), (c.name.span, "een begrip"));
        }
        for (i, d) in decisions.iter().enumerate() {
            if let Some((first, what)) = spans.get(&d.name) {
                let p = if i == 0 {
                    Problem::error(
                        Code::DuplicateName,
                        *first,
                        format!("`{}` is de naam van de beslissing over de domeinen", d.name),
                    )
                    .label(format!("{what} met deze naam"))
                    .help("geef het een andere naam; met `wet is ...` leest een regel de uitkomst van de domeinen")
                } else {
                    duplicate(&d.name, what, d.span, *first).help(
                        "feiten, begrippen en beslissingen delen hun namen; geef de beslissing een andere naam",
                    )
                };
                self.error(p);
                continue;
            }
            bindings.insert(d.name.clone(), Binding::Decision(DecisionId::from_index(i)));
        }
        bindings
    }
}
