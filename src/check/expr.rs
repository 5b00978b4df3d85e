//! Typing of expressions: AST expressions → typed [`Expr`]s.
//!
//! Resolves names (facts, concepts and decisions share one namespace; a bare name next
//! to a `keuze` or `lijst` is one of its values, next to a decision one of its
//! outcomes), checks every operand's type, detects cycles among concepts, and marks the
//! atomic conditions of rules ([`Atom`]) so that the evaluator can trace them. Every
//! problem has the span of the offending part.

use std::collections::HashMap;

use super::{Binding, Checker, Names};
use crate::ast::{self, BinaryOp, ExprKind};
use crate::diagnostic::{did_you_mean, Code, Problem};
use crate::ruleset::{
    Arith, Atom, AtomId, Compare, Concept, DecisionId, Domain, DomainId, Expr, Fact, Read, SetId,
    Sym, Type, Value,
};
use crate::source::{Sources, Span};
use crate::syntax::snippet;

/// A typed expression with what it reads, in reading order.
struct Typed {
    expr: Expr,
    ty: Type,
    reads: Vec<Read>,
}

enum State {
    New,
    Active,
    /// Type, reads, and how deep evaluating the concept recurses.
    Done(Option<(Type, Vec<Read>, u32)>),
}

/// The deepest any evaluation may recurse, through concepts included. Typing follows
/// the same structure, so it checks this bound and both stay within the stack.
const MAX_TOTAL_DEPTH: u32 = 256;

pub(super) struct Typer<'c, 'p, 'a> {
    pub checker: &'c mut Checker<'p>,
    sources: &'a Sources,
    facts: &'a [Fact],
    domains: &'a [Domain],
    decls: &'a [&'a ast::ConceptDecl],
    names: &'a Names<'a>,
    bindings: &'a HashMap<String, Binding>,
    states: Vec<State>,
    concepts: Vec<Option<Concept>>,
    atoms: Vec<Atom>,
    /// Current recursion depth, and the deepest reached (concepts expanded).
    depth: u32,
    peak: u32,
    too_deep_reported: bool,
}

fn merge_reads(mut a: Vec<Read>, b: &[Read]) -> Vec<Read> {
    for f in b {
        if !a.contains(f) {
            a.push(*f);
        }
    }
    a
}

impl<'c, 'p, 'a> Typer<'c, 'p, 'a> {
    /// The text of a span as a trace shows it.
    pub fn snippet(&self, span: Span) -> String {
        snippet(self.sources, span)
    }

    pub fn new(
        checker: &'c mut Checker<'p>,
        sources: &'a Sources,
        facts: &'a [Fact],
        domains: &'a [Domain],
        decls: &'a [&'a ast::ConceptDecl],
        names: &'a Names<'a>,
    ) -> Self {
        Typer {
            checker,
            sources,
            facts,
            domains,
            decls,
            names,
            bindings: &names.bindings,
            states: decls.iter().map(|_| State::New).collect(),
            concepts: decls.iter().map(|_| None).collect(),
            atoms: Vec::new(),
            depth: 0,
            peak: 0,
            too_deep_reported: false,
        }
    }

    pub fn check_concepts(&mut self) {
        for i in 0..self.decls.len() {
            self.concept(i, None);
        }
    }

    /// The typed concepts (all of them, when there were no errors) and the atoms.
    pub fn finish(self) -> (Vec<Concept>, Vec<Atom>) {
        (self.concepts.into_iter().flatten().collect(), self.atoms)
    }

    fn error(&mut self, p: Problem) {
        self.checker.error(p);
    }

    /// Types concept `i` (once) and returns its type and reads. `used_at` is the place
    /// that refers to it, for cycle errors.
    fn concept(&mut self, i: usize, used_at: Option<Span>) -> Option<(Type, Vec<Read>)> {
        match self.states.get(i)? {
            State::Done(None) => return None,
            State::Done(Some((ty, reads, own))) => {
                let (ty, reads, reached) = (*ty, reads.clone(), self.depth + own);
                if reached > MAX_TOTAL_DEPTH {
                    let span = used_at.or_else(|| self.decls.get(i).map(|d| d.name.span))?;
                    self.report_too_deep(span);
                    return None;
                }
                self.peak = self.peak.max(reached);
                return Some((ty, reads));
            }
            State::Active => {
                let decl = self.decls.get(i)?;
                self.error(
                    Problem::error(
                        Code::ConceptCycle,
                        used_at.unwrap_or(decl.name.span),
                        format!("begrip `{}` is (via andere begrippen) in zichzelf gedefinieerd", decl.name.name),
                    )
                    .label("hier verwijst het naar zichzelf")
                    .also(decl.name.span, "het begrip")
                    .help("definieer het begrip met feiten en andere begrippen die er niet naar terugverwijzen"),
                );
                if let Some(s) = self.states.get_mut(i) {
                    *s = State::Done(None);
                }
                return None;
            }
            State::New => {}
        }
        if let Some(s) = self.states.get_mut(i) {
            *s = State::Active;
        }
        let decl = *self.decls.get(i)?;
        let (start, outer_peak) = (self.depth, self.peak);
        self.peak = self.depth;
        let typed = self.expr(&decl.expr);
        let own = self.peak - start;
        self.peak = self.peak.max(outer_peak);
        let result = typed.as_ref().map(|t| (t.ty, t.reads.clone()));
        if let Some(State::Done(_)) = self.states.get(i) {
            // A cycle through this concept was reported while typing it.
            return None;
        }
        if let Some(s) = self.states.get_mut(i) {
            *s = State::Done(result.clone().map(|(ty, reads)| (ty, reads, own)));
        }
        if let (Some(t), Some(slot)) = (typed, self.concepts.get_mut(i)) {
            *slot = Some(Concept {
                name: decl.name.name.clone(),
                ty: t.ty,
                expr: t.expr,
                explanation: decl.explanation.as_ref().map(|e| e.value.clone()),
                reads: t.reads,
                span: decl.span,
            });
        }
        result
    }

    /// A rule's condition: `en`, `of`, `niet` and parentheses are structure; every
    /// other part is an atom that must be `ja/nee`.
    pub fn condition(&mut self, e: &ast::Expr) -> Option<(Expr, Vec<Read>)> {
        if !self.enter(e.span) {
            return None;
        }
        let result = self.condition_inner(e);
        self.depth -= 1;
        result
    }

    /// One level deeper; false (after reporting it once) when that is too deep.
    fn enter(&mut self, span: Span) -> bool {
        if self.depth >= MAX_TOTAL_DEPTH {
            self.report_too_deep(span);
            return false;
        }
        self.depth += 1;
        self.peak = self.peak.max(self.depth);
        true
    }

    fn report_too_deep(&mut self, span: Span) {
        if self.too_deep_reported {
            return;
        }
        self.too_deep_reported = true;
        self.error(
            Problem::error(
                Code::TooDeep,
                span,
                "deze voorwaarde is, met haar begrippen, te diep genest",
            )
            .label(format!("meer dan {MAX_TOTAL_DEPTH} niveaus diep"))
            .help("maak de begrippen minder diep in elkaar genest"),
        );
    }

    fn condition_inner(&mut self, e: &ast::Expr) -> Option<(Expr, Vec<Read>)> {
        match &e.kind {
            ExprKind::Paren(inner) => self.condition(inner),
            ExprKind::Not(inner) => {
                let (x, reads) = self.condition(inner)?;
                Some((Expr::Not(Box::new(x)), reads))
            }
            ExprKind::Binary(BinaryOp::Or, _, _) if self.values_after_is(e) => None,
            ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) => {
                let l = self.condition(l);
                let r = self.condition(r);
                let ((l, lr), (r, rr)) = (l?, r?);
                let reads = merge_reads(lr, &rr);
                let x = if *op == BinaryOp::And {
                    Expr::And(Box::new(l), Box::new(r))
                } else {
                    Expr::Or(Box::new(l), Box::new(r))
                };
                Some((x, reads))
            }
            _ => {
                let t = self.expr(e)?;
                if t.ty != Type::Bool {
                    let shown = snippet(self.sources, e.span);
                    self.error(
                        Problem::error(
                            Code::TypeMismatch,
                            e.span,
                            format!(
                                "een voorwaarde moet waar of onwaar zijn, maar `{shown}` is {}",
                                self.type_words(t.ty)
                            ),
                        )
                        .label("geen voorwaarde")
                        .help(match t.ty {
                            Type::Number => {
                                format!("vergelijk het met iets, bijvoorbeeld `{shown} > 0`")
                            }
                            Type::List(_) => {
                                format!("kijk of de lijst een waarde bevat: `{shown} bevat ...`")
                            }
                            _ => format!("vergelijk het met een waarde: `{shown} is ...`"),
                        }),
                    );
                    return None;
                }
                let id = AtomId::from_index(self.atoms.len());
                self.atoms.push(Atom {
                    text: snippet(self.sources, e.span),
                    reads: t.reads.clone(),
                    span: e.span,
                });
                Some((Expr::Atom(id, Box::new(t.expr)), t.reads))
            }
        }
    }

    /// `leeftijd is 4 of 5` reads as `(leeftijd is 4) of 5`, and `5` is no condition:
    /// the author meant one of several values. Reports that once for the whole chain,
    /// with the form that says it (`leeftijd in [4, 5]`); false for any other `of`. The
    /// last value may start an `en` (`leeftijd is 4 of 5 en ...` reads as `... of (5 en
    /// ...)`): the help then covers the part up to that value.
    fn values_after_is(&mut self, e: &ast::Expr) -> bool {
        fn operands<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
            match &e.kind {
                ExprKind::Binary(BinaryOp::Or, l, r) => {
                    operands(l, out);
                    out.push(r);
                }
                _ => out.push(e),
            }
        }
        fn literal(x: &ast::Expr) -> bool {
            matches!(x.kind, ExprKind::Number(_) | ExprKind::Text(_))
        }
        /// The literal an `en` chain starts with.
        fn leading_literal(x: &ast::Expr) -> Option<&ast::Expr> {
            match &x.kind {
                ExprKind::Binary(BinaryOp::And, l, _) => leading_literal(l),
                _ if literal(x) => Some(x),
                _ => None,
            }
        }
        let mut parts = Vec::new();
        operands(e, &mut parts);
        let Some((first, rest)) = parts.split_first() else {
            return false;
        };
        let ExprKind::Binary(BinaryOp::Eq, subject, value) = &first.kind else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return false;
        };
        let last = leading_literal(last);
        if !literal(value) || !middle.iter().all(|x| literal(x)) {
            return false;
        }
        let Some(last) = last else {
            return false;
        };
        let values: Vec<&ast::Expr> = std::iter::once(&**value)
            .chain(middle.iter().copied())
            .chain(std::iter::once(last))
            .collect();
        let span = crate::source::Span::new(first.span.file, first.span.start, last.span.end);
        let text = |x: &ast::Expr| snippet(self.sources, x.span);
        let later: Vec<String> = values.iter().skip(1).map(|x| text(x)).collect();
        let all: Vec<String> = values.iter().map(|x| text(x)).collect();
        self.error(
            Problem::error(
                Code::TypeMismatch,
                span,
                format!(
                    "`{}` leest als `({}) of {}`: een losse waarde achter `of` is geen voorwaarde",
                    snippet(self.sources, span),
                    text(first),
                    later.join(" of ")
                ),
            )
            .label("een van meerdere waarden?")
            .help(format!(
                "schrijf `{} in [{}]`",
                text(subject),
                all.join(", ")
            )),
        );
        true
    }

    fn expr(&mut self, e: &ast::Expr) -> Option<Typed> {
        if !self.enter(e.span) {
            return None;
        }
        let result = self.expr_inner(e);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, e: &ast::Expr) -> Option<Typed> {
        let plain = |expr, ty| {
            Some(Typed {
                expr,
                ty,
                reads: Vec::new(),
            })
        };
        match &e.kind {
            ExprKind::Bool(b) => plain(Expr::Const(Value::Bool(*b)), Type::Bool),
            ExprKind::Number(n) => plain(Expr::Const(Value::Number(*n)), Type::Number),
            ExprKind::Text(t) => plain(Expr::Const(Value::Text(t.as_str().into())), Type::Text),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::RuleApplies { rule, negated } => {
                let id = self.checker.rule_ref(rule, self.names)?;
                Some(Typed {
                    expr: Expr::RuleApplies {
                        rule: id,
                        negated: *negated,
                    },
                    ty: Type::Bool,
                    reads: vec![Read::Rule(id)],
                })
            }
            ExprKind::Not(inner) => {
                let t = self.expect(inner, Type::Bool, "`niet` hoort voor een voorwaarde")?;
                Some(Typed {
                    expr: Expr::Not(Box::new(t.expr)),
                    ..t
                })
            }
            ExprKind::Neg(inner) => {
                let t = self.expect(inner, Type::Number, "een minteken hoort voor een getal")?;
                Some(Typed {
                    expr: Expr::Neg(Box::new(t.expr)),
                    ..t
                })
            }
            ExprKind::In {
                negated,
                value,
                list,
            } => self.membership(*negated, value, list),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
        }
    }

    /// Types `e` and requires type `ty`.
    fn expect(&mut self, e: &ast::Expr, ty: Type, why: &str) -> Option<Typed> {
        let t = self.expr(e)?;
        if t.ty == ty {
            return Some(t);
        }
        let shown = snippet(self.sources, e.span);
        self.error(
            Problem::error(
                Code::TypeMismatch,
                e.span,
                format!(
                    "`{shown}` is {}, maar hier hoort {}",
                    self.type_words(t.ty),
                    self.type_words(ty)
                ),
            )
            .label(why.to_string()),
        );
        None
    }

    fn name(&mut self, n: &str, span: Span) -> Option<Typed> {
        match self.bindings.get(n) {
            Some(Binding::Fact(f)) => Some(Typed {
                expr: Expr::Fact(*f),
                ty: self.facts.get(f.index())?.ty,
                reads: vec![Read::Fact(*f)],
            }),
            Some(Binding::Decision(_)) => {
                self.error(
                    Problem::error(
                        Code::TypeMismatch,
                        span,
                        format!("`{n}` is een beslissing; vergelijk haar uitkomst met een waarde"),
                    )
                    .label("een beslissing")
                    .help(format!(
                        "schrijf `{n} is WAARDE`, `{n} bevat WAARDE` of `{n} in [WAARDE, ...]`"
                    )),
                );
                None
            }
            Some(Binding::Concept(c)) => {
                let (ty, reads) = self.concept(*c, Some(span))?;
                Some(Typed {
                    expr: Expr::Concept(crate::ruleset::ConceptId::from_index(*c)),
                    ty,
                    reads,
                })
            }
            None => {
                let p = self.unknown_name(n, span);
                self.error(p);
                None
            }
        }
    }

    fn unknown_name(&self, n: &str, span: Span) -> Problem {
        let owners: Vec<&str> = self
            .facts
            .iter()
            .filter(|f| f.values.iter().any(|s| self.checker.symbols.name(*s) == n))
            .map(|f| f.name.as_str())
            .collect();
        let lower = n.to_lowercase();
        let help = if matches!(
            lower.as_str(),
            "waar" | "onwaar" | "true" | "false" | "ja" | "nee"
        ) {
            let word = if matches!(lower.as_str(), "waar" | "true" | "ja") {
                "ja"
            } else {
                "nee"
            };
            Some(format!(
                "een ja/nee-feit is zelf al een voorwaarde: schrijf `als FEIT` of `als niet FEIT`; vergelijken kan ook, met `{word}` in kleine letters (`FEIT is {word}`)"
            ))
        } else if self.names.rules.contains_key(n) {
            Some(format!(
                "`{n}` is een regel, geen voorwaarde: moet deze regel voorgaan als `{n}` geldt, schrijf dan `uitzondering op {n}`; of een regel van een eerdere beslissing geldt, leest u als `regel {n} geldt`"
            ))
        } else if let Some(d) = self
            .names
            .domains
            .get(n)
            .and_then(|d| self.domains.get(d.index()))
        {
            let decision = if d.decision.index() == 0 {
                super::LAW_NAME.to_string()
            } else {
                self.bindings
                    .iter()
                    .find(|(_, b)| **b == Binding::Decision(d.decision))
                    .map_or_else(|| super::LAW_NAME.to_string(), |(name, _)| name.clone())
            };
            Some(format!(
                "`{n}` is een uitkomst, geen voorwaarde: noem in `als` een feit of begrip; een beslissing die op de wet voortbouwt leest de uitkomst als `{decision} is {n}`"
            ))
        } else if let Some(owner) = owners.first() {
            let verb = if self
                .facts
                .iter()
                .any(|f| f.name == *owner && matches!(f.ty, Type::List(_)))
            {
                "bevat"
            } else {
                "is"
            };
            Some(format!(
                "`{n}` is een waarde van `{owner}`; schrijf bijvoorbeeld `{owner} {verb} {n}`"
            ))
        } else {
            did_you_mean(n, self.bindings.keys().map(String::as_str))
        };
        Problem::error(
            Code::UnknownName,
            span,
            format!("er is geen feit of begrip `{n}`"),
        )
        .label("onbekende naam")
        .help(
            help.unwrap_or_else(|| format!("declareer het eerst, bijvoorbeeld `feit {n}: ja/nee`")),
        )
    }

    /// A bare name as a value of a choice set, if it is one (or should be one).
    fn value_name(&mut self, e: &ast::Expr, set: SetId, owner: &str) -> Option<Option<Sym>> {
        let ExprKind::Name(n) = &e.kind else {
            return Some(None);
        };
        let values = self.set_values(set);
        if let Some(sym) = values.iter().find(|s| self.checker.symbols.name(**s) == n) {
            return Some(Some(*sym));
        }
        if self.bindings.contains_key(n) {
            return Some(None);
        }
        let p = self.unknown_value(n, e.span, set, owner);
        self.error(p);
        None
    }

    fn set_values(&self, set: SetId) -> Vec<Sym> {
        self.checker.symbols.set_values(set).to_vec()
    }

    fn unknown_value(&self, n: &str, span: Span, set: SetId, owner: &str) -> Problem {
        let values = self.set_values(set);
        let names: Vec<&str> = values
            .iter()
            .map(|s| self.checker.symbols.name(*s))
            .collect();
        let listed = names
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let help = match did_you_mean(n, names.iter().copied()) {
            Some(guess) => format!("{guess} mogelijke waarden: {listed}"),
            None => format!("mogelijke waarden: {listed}"),
        };
        Problem::error(
            Code::UnknownValue,
            span,
            format!("`{n}` is geen waarde van `{owner}`"),
        )
        .label("onbekende waarde")
        .help(help)
    }

    fn binary(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> Option<Typed> {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let l = self.expect(l, Type::Bool, "`en` en `of` verbinden voorwaarden");
                let r = self.expect(r, Type::Bool, "`en` en `of` verbinden voorwaarden");
                let (l, r) = (l?, r?);
                let expr = if op == BinaryOp::And {
                    Expr::And(Box::new(l.expr), Box::new(r.expr))
                } else {
                    Expr::Or(Box::new(l.expr), Box::new(r.expr))
                };
                Some(Typed {
                    expr,
                    ty: Type::Bool,
                    reads: merge_reads(l.reads, &r.reads),
                })
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let why = "rekenen kan alleen met getallen";
                let lt = self.expect(l, Type::Number, why);
                let rt = self.expect(r, Type::Number, why);
                let (lt, rt) = (lt?, rt?);
                let arith = match op {
                    BinaryOp::Add => Arith::Add,
                    BinaryOp::Sub => Arith::Sub,
                    BinaryOp::Mul => Arith::Mul,
                    _ => Arith::Div,
                };
                if arith == Arith::Div
                    && matches!(rt.expr, Expr::Const(Value::Number(n)) if n.is_zero())
                {
                    self.error(
                        Problem::error(Code::DivisionByZero, r.span, "hier wordt door nul gedeeld")
                            .label("deler is nul")
                            .help("delen door nul heeft geen uitkomst; kies een andere deler"),
                    );
                    return None;
                }
                Some(Typed {
                    expr: Expr::Arith(arith, Box::new(lt.expr), Box::new(rt.expr), r.span),
                    ty: Type::Number,
                    reads: merge_reads(lt.reads, &rt.reads),
                })
            }
            BinaryOp::Contains | BinaryOp::NotContains => {
                self.contains(op == BinaryOp::NotContains, l, r)
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => self.compare(op, l, r, span),
        }
    }

    fn compare(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> Option<Typed> {
        let cmp = match op {
            BinaryOp::Eq => Compare::Eq,
            BinaryOp::Ne => Compare::Ne,
            BinaryOp::Lt => Compare::Lt,
            BinaryOp::Le => Compare::Le,
            BinaryOp::Gt => Compare::Gt,
            _ => Compare::Ge,
        };
        if let Some(d) = self.decision_named(l) {
            if !matches!(cmp, Compare::Eq | Compare::Ne) {
                self.error(
                    Problem::error(Code::TypeMismatch, span, "een beslissing is geen getal")
                        .label("groter of kleiner kan niet bij een beslissing")
                        .help("gebruik `is`, `is niet`, `bevat` of `in [...]`"),
                );
                return None;
            }
            return self.decision_read(d, l, &[r], false, cmp == Compare::Ne);
        }
        // `leren is doel`: a value on the left of a choice is allowed too.
        let left_is_loose_name =
            matches!(&l.kind, ExprKind::Name(n) if !self.bindings.contains_key(n));
        let (lt, rt) = if left_is_loose_name {
            let rt = self.loose_left_partner(l, r)?;
            let lt = self.operand(l, &rt, r)?;
            (lt, rt)
        } else {
            let lt = self.expr(l)?;
            let rt = self.operand(r, &lt, l)?;
            (lt, rt)
        };
        let ordered = !matches!(cmp, Compare::Eq | Compare::Ne);
        if ordered && (lt.ty != Type::Number || rt.ty != Type::Number) {
            let bad = if lt.ty != Type::Number { l } else { r };
            let shown = snippet(self.sources, bad.span);
            let ty = if lt.ty != Type::Number { lt.ty } else { rt.ty };
            self.error(
                Problem::error(
                    Code::TypeMismatch,
                    bad.span,
                    format!(
                        "groter of kleiner kan alleen met getallen, maar `{shown}` is {}",
                        self.type_words(ty)
                    ),
                )
                .label("geen getal")
                .help("gebruik `is` of `is niet` om te vergelijken"),
            );
            return None;
        }
        if !self.same_type(lt.ty, rt.ty) {
            let (ls, rs) = (snippet(self.sources, l.span), snippet(self.sources, r.span));
            let mut p = Problem::error(
                Code::TypeMismatch,
                span,
                format!(
                    "`{ls}` is {} en `{rs}` is {}; die kunt u niet vergelijken",
                    self.type_words(lt.ty),
                    self.type_words(rt.ty)
                ),
            )
            .label("verschillende soorten");
            if matches!(lt.ty, Type::List(_)) {
                p = p.help(format!(
                    "om te kijken of een lijst een waarde heeft, schrijf `{ls} bevat {rs}`"
                ));
            } else if matches!((lt.ty, &r.kind), (Type::Choice(_), ExprKind::Text(_))) {
                p = p.help("schrijf de waarde zonder aanhalingstekens");
            }
            self.error(p);
            return None;
        }
        Some(Typed {
            expr: Expr::Compare(cmp, Box::new(lt.expr), Box::new(rt.expr)),
            ty: Type::Bool,
            reads: merge_reads(lt.reads, &rt.reads),
        })
    }

    /// Types the right side of a comparison whose left side is a name that is neither
    /// a fact nor a concept. That name may still be a value of the right side's choice
    /// (`leren is doel`); when the right side cannot have values, the left name is
    /// reported as unknown (not the right side, which is then probably a value).
    fn loose_left_partner(&mut self, l: &ast::Expr, r: &ast::Expr) -> Option<Typed> {
        let right_is_choice_name = matches!(&r.kind, ExprKind::Name(n)
            if matches!(self.bindings.get(n), Some(Binding::Fact(f))
                if matches!(self.facts.get(f.index()).map(|f| f.ty), Some(Type::Choice(_)))));
        if right_is_choice_name {
            return self.expr(r);
        }
        if let ExprKind::Name(n) = &l.kind {
            let mut p = self.unknown_name(n, l.span);
            // `plaats is school`, neither declared: a choice with that value.
            if let ExprKind::Name(v) = &r.kind {
                let typo = did_you_mean(n, self.bindings.keys().map(String::as_str)).is_some();
                if !typo
                    && !self.bindings.contains_key(v)
                    && !self.names.rules.contains_key(n.as_str())
                {
                    p.help = Some(format!(
                        "declareer het feit met de waarden die u gebruikt, bijvoorbeeld `feit {n}: keuze({v}, ...)`"
                    ));
                }
            }
            self.error(p);
        }
        if !matches!(r.kind, ExprKind::Name(_)) {
            // Still look for errors on the right.
            let _ = self.expr(r);
        }
        None
    }

    /// The other side of a comparison, where a bare name may be a value of `known`'s
    /// choice.
    fn operand(&mut self, e: &ast::Expr, known: &Typed, known_expr: &ast::Expr) -> Option<Typed> {
        if let Type::Choice(set) = known.ty {
            let owner = snippet(self.sources, known_expr.span);
            if let Some(sym) = self.value_name(e, set, &owner)? {
                return Some(Typed {
                    expr: Expr::Const(Value::Choice(sym)),
                    ty: known.ty,
                    reads: Vec::new(),
                });
            }
        }
        self.expr(e)
    }

    fn contains(&mut self, negated: bool, l: &ast::Expr, r: &ast::Expr) -> Option<Typed> {
        if let Some(d) = self.decision_named(l) {
            return self.decision_read(d, l, &[r], true, negated);
        }
        let lt = self.expr(l)?;
        let Type::List(set) = lt.ty else {
            let shown = snippet(self.sources, l.span);
            let help = if matches!(lt.ty, Type::Choice(_)) {
                format!(
                    "`{shown}` heeft één waarde; schrijf `{shown} is ...` of `{shown} in [...]`"
                )
            } else {
                "`bevat` werkt op een feit van het soort `lijst(...)`".to_string()
            };
            self.error(
                Problem::error(
                    Code::TypeMismatch,
                    l.span,
                    format!(
                        "`bevat` hoort bij een lijst, maar `{shown}` is {}",
                        self.type_words(lt.ty)
                    ),
                )
                .label("geen lijst")
                .help(help),
            );
            return None;
        };
        let owner = snippet(self.sources, l.span);
        let item = match self.value_name(r, set, &owner)? {
            Some(sym) => Typed {
                expr: Expr::Const(Value::Choice(sym)),
                ty: Type::Choice(set),
                reads: Vec::new(),
            },
            None => self.expr(r)?,
        };
        if !self.same_type(item.ty, Type::Choice(set)) {
            let shown = snippet(self.sources, r.span);
            self.error(
                Problem::error(
                    Code::TypeMismatch,
                    r.span,
                    format!(
                        "`{shown}` is {}, maar `{owner}` bevat alleen waarden uit zijn lijst",
                        self.type_words(item.ty)
                    ),
                )
                .label("geen waarde van de lijst"),
            );
            return None;
        }
        Some(Typed {
            expr: Expr::Contains {
                negated,
                list: Box::new(lt.expr),
                item: Box::new(item.expr),
            },
            ty: Type::Bool,
            reads: merge_reads(lt.reads, &item.reads),
        })
    }

    fn membership(
        &mut self,
        negated: bool,
        value: &ast::Expr,
        list: &[ast::Literal],
    ) -> Option<Typed> {
        if let Some(d) = self.decision_named(value) {
            let names: Vec<ast::Expr> = list
                .iter()
                .map(|lit| match lit {
                    ast::Literal::Name(i) => {
                        ast::Expr::leaf(ExprKind::Name(i.name.clone()), i.span)
                    }
                    other => ast::Expr::leaf(ExprKind::Text(String::new()), other.span()),
                })
                .collect();
            let refs: Vec<&ast::Expr> = names.iter().collect();
            return self.decision_read(d, value, &refs, false, negated);
        }
        let vt = self.expr(value)?;
        let owner = snippet(self.sources, value.span);
        if let Type::List(_) = vt.ty {
            self.error(
                Problem::error(
                    Code::TypeMismatch,
                    value.span,
                    format!("`{owner}` is een lijst; `in` vraagt om één waarde"),
                )
                .label("een lijst")
                .help(format!("schrijf `{owner} bevat ...` voor elke waarde")),
            );
            return None;
        }
        let mut items = Vec::with_capacity(list.len());
        let mut ok = true;
        for lit in list {
            match self.literal_of_type(lit, vt.ty, &owner) {
                Some(v) => items.push(v),
                None => ok = false,
            }
        }
        ok.then_some(Typed {
            expr: Expr::In {
                negated,
                value: Box::new(vt.expr),
                list: items,
            },
            ty: Type::Bool,
            reads: vt.reads,
        })
    }

    fn literal_of_type(&mut self, lit: &ast::Literal, ty: Type, owner: &str) -> Option<Value> {
        let value = match (lit, ty) {
            (ast::Literal::Bool(b, _), Type::Bool) => Value::Bool(*b),
            (ast::Literal::Number(n, _), Type::Number) => Value::Number(*n),
            (ast::Literal::Text(t, _), Type::Text) => Value::Text(t.as_str().into()),
            (ast::Literal::Name(i), Type::Choice(set)) => {
                let e = ast::Expr::leaf(ExprKind::Name(i.name.clone()), i.span);
                match self.value_name(&e, set, owner)? {
                    Some(sym) => Value::Choice(sym),
                    None => {
                        let p = self.unknown_value(&i.name, i.span, set, owner);
                        self.error(p);
                        return None;
                    }
                }
            }
            (other, _) => {
                let shown = snippet(self.sources, other.span());
                self.error(
                    Problem::error(
                        Code::TypeMismatch,
                        other.span(),
                        format!(
                            "`{shown}` past niet bij `{owner}`, dat {} is",
                            self.type_words(ty)
                        ),
                    )
                    .label("verkeerd soort waarde"),
                );
                return None;
            }
        };
        Some(value)
    }

    /// The decision an expression names, when it is just a decision's name.
    fn decision_named(&self, e: &ast::Expr) -> Option<DecisionId> {
        match &e.kind {
            ExprKind::Name(n) => match self.bindings.get(n) {
                Some(Binding::Decision(d)) => Some(*d),
                _ => None,
            },
            ExprKind::Paren(inner) => self.decision_named(inner),
            _ => None,
        }
    }

    /// `wet is jeugdwet` (`is niet`), `wet bevat jeugdwet` (`contains`), `wet in [a, b]`:
    /// the outcome of a decision compared with some of its values.
    fn decision_read(
        &mut self,
        decision: DecisionId,
        subject: &ast::Expr,
        values: &[&ast::Expr],
        contains: bool,
        negated: bool,
    ) -> Option<Typed> {
        let own: Vec<(DomainId, &str)> = self
            .domains
            .iter()
            .enumerate()
            .filter(|(_, d)| d.decision == decision)
            .map(|(i, d)| (DomainId::from_index(i), d.name.as_str()))
            .collect();
        let decision_name = snippet(self.sources, subject.span);
        let mut ids = Vec::new();
        let mut ok = true;
        for v in values {
            let found = match &v.kind {
                ExprKind::Name(n) => own.iter().find(|(_, name)| name == n).map(|(id, _)| *id),
                _ => None,
            };
            match found {
                Some(id) => ids.push(id),
                None => {
                    let shown = snippet(self.sources, v.span);
                    let listed: Vec<String> = own.iter().map(|(_, n)| format!("`{n}`")).collect();
                    let guess = did_you_mean(&shown, own.iter().map(|(_, n)| *n))
                        .map(|g| format!("{g} "))
                        .unwrap_or_default();
                    self.error(
                        Problem::error(
                            Code::UnknownValue,
                            v.span,
                            format!("`{shown}` is geen uitkomst van `{decision_name}`"),
                        )
                        .label("onbekende uitkomst")
                        .help(format!(
                            "{guess}mogelijke uitkomsten: {}",
                            listed.join(", ")
                        )),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(Typed {
            expr: Expr::DecisionIs {
                decision,
                values: ids,
                contains,
                negated,
            },
            ty: Type::Bool,
            reads: vec![Read::Decision(decision)],
        })
    }

    fn same_type(&self, a: Type, b: Type) -> bool {
        a == b
    }

    fn type_words(&self, ty: Type) -> String {
        self.checker.symbols.type_words(ty)
    }
}
