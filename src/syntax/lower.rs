//! Lowering: pest parse tree → AST. One function per grammar rule, in grammar order.
//!
//! Problems that the grammar cannot see (a date that does not exist, a number too large
//! to be exact, an unknown escape, a clause given twice, comparisons chained without
//! `en`/`of`) are collected here, all at once.

use std::str::FromStr;
use std::sync::LazyLock;

use jiff::civil::Date;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::{is_token, Rule};
use crate::ast::*;
use crate::diagnostic::{Code, Errors, Problem, Problems};
use crate::source::{FileId, Span, Spanned};

/// Operator precedence, lowest first (spec section 4).
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_is_not, Assoc::Left)
            | Op::infix(Rule::op_is, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_less, Assoc::Left)
            | Op::infix(Rule::op_at_most, Assoc::Left)
            | Op::infix(Rule::op_more, Assoc::Left)
            | Op::infix(Rule::op_at_least, Assoc::Left)
            | Op::infix(Rule::op_contains_not, Assoc::Left)
            | Op::infix(Rule::op_contains, Assoc::Left)
            | Op::postfix(Rule::op_in)
            | Op::postfix(Rule::op_not_in))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

struct Lower {
    file: FileId,
    problems: Problems,
    /// How many parentheses the expression being lowered is inside.
    nesting: u32,
    /// Where the previous declaration (or the header) starts and ends.
    previous: Option<Previous>,
    /// Line and column where the declaration being lowered starts.
    current: Option<(usize, usize)>,
    lines: Lines,
}

/// Where each line of the file starts, to turn byte offsets into lines and columns
/// without scanning the file each time.
#[derive(Clone, Default)]
struct Lines {
    text: std::sync::Arc<str>,
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            text: text.into(),
            starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(0, |t| t.chars().count());
        (line, column + 1)
    }
}

/// The column where a declaration starts (1-based) and the line where it ends, and
/// whether it ends in an outcome (a rule's `dan`, an example's `verwacht`), which a
/// following `anders` could be mistaken to belong to.
#[derive(Clone, Copy)]
struct Previous {
    column: usize,
    end_line: usize,
    /// "de regel" or "het voorbeeld" when it ends in an outcome.
    ends_in_outcome: Option<&'static str>,
}

/// The most parentheses inside each other that lowering follows (recursion guard).
const MAX_NESTING: u32 = 64;

/// Lowers the `file` pair of one parsed file.
pub(super) fn file(pair: Pair<'_, Rule>, id: FileId) -> Result<File, Errors> {
    let mut lower = Lower {
        file: id,
        problems: Problems::new(),
        nesting: 0,
        previous: None,
        current: None,
        lines: Lines::new(pair.as_span().get_input()),
    };
    let mut header = None;
    let mut decls = Vec::new();
    for p in children(pair) {
        let start = lower.lines.line_col(p.as_span().start());
        // The span may run on over the white space after the declaration: its end is
        // where its last character is.
        let last = p.as_span().start() + p.as_str().trim_end().len().saturating_sub(1);
        let end_line = lower.lines.line_col(last).0;
        lower.current = Some(start);
        let kind = p.as_rule();
        match p.as_rule() {
            Rule::header => header = Some(lower.header(p)),
            Rule::EOI => {}
            _ => {
                if let Some(d) = lower.declaration(p) {
                    decls.push(d);
                }
            }
        }
        lower.previous = Some(Previous {
            column: start.1,
            end_line,
            ends_in_outcome: match kind {
                Rule::rule | Rule::replace => Some("de regel"),
                Rule::example => Some("het voorbeeld"),
                _ => None,
            },
        });
    }
    match header {
        Some(header) if !lower.problems.has_errors() => Ok(File { id, header, decls }),
        _ => Err(lower.problems.into_errors()),
    }
}

/// The children of a pair without keyword tokens.
fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_token(p.as_rule()))
}

impl Lower {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn error(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Stores a clause that may be given once; a second one is a problem.
    fn once<T>(
        &mut self,
        slot: &mut Option<T>,
        value: T,
        span: Span,
        what: &str,
        first: Option<Span>,
    ) {
        if slot.is_some() {
            let mut p = Problem::error(
                Code::DuplicateClause,
                span,
                format!("`{what}` staat hier voor de tweede keer"),
            )
            .label("tweede keer")
            .help(format!("laat één `{what}` staan"));
            if let Some(first) = first {
                p = p.also(first, "eerste keer");
            }
            self.error(p);
        } else {
            *slot = Some(value);
        }
    }

    // ─────────────────────────── header ───────────────────────────

    fn header(&mut self, pair: Pair<'_, Rule>) -> Header {
        let span = self.span(&pair);
        let mut name = Spanned {
            value: String::new(),
            span,
        };
        let (mut version, mut period, mut source, mut based_on) = (None, None, None, None);
        for p in children(pair) {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::string => name = self.string(p),
                Rule::version => {
                    let v = self.version(p);
                    let first = version.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut version, v, pspan, "versie", first);
                }
                Rule::period => {
                    let v = self.period(p);
                    let first = period.as_ref().map(|v: &Period| v.span);
                    self.once(&mut period, v, pspan, "geldig", first);
                }
                Rule::source => {
                    let v = self.source(p);
                    let first = source.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut source, v, pspan, "bron", first);
                }
                Rule::based_on => {
                    let v = self.based_on(p);
                    let first = based_on.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut based_on, v, pspan, "gebaseerd op", first);
                }
                _ => {}
            }
        }
        Header {
            name,
            version,
            period,
            source,
            based_on,
            span,
        }
    }

    fn version(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    fn period(&mut self, pair: Pair<'_, Rule>) -> Period {
        let span = self.span(&pair);
        let (mut from, mut until) = (None, None);
        for p in children(pair) {
            match p.as_rule() {
                Rule::valid_from => from = self.valid_from(p),
                Rule::valid_until => until = self.valid_until(p),
                _ => {}
            }
        }
        if let (Some(f), Some(u)) = (&from, &until) {
            if f.value >= u.value {
                self.error(
                    Problem::error(
                        Code::InvalidPeriod,
                        span,
                        format!(
                            "de periode eindigt op {} en dat is niet na het begin {}",
                            u.value, f.value
                        ),
                    )
                    .label("lege periode")
                    .help(
                        "`tot` is de eerste dag waarop het niet meer geldt; kies een latere datum",
                    ),
                );
            }
        }
        Period { from, until, span }
    }

    fn valid_from(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<Date>> {
        children(pair).next().and_then(|p| self.date(p))
    }

    fn valid_until(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<Date>> {
        children(pair).next().and_then(|p| self.date(p))
    }

    fn source(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    fn based_on(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    // ───────────────────────── declarations ─────────────────────────

    fn declaration(&mut self, pair: Pair<'_, Rule>) -> Option<Decl> {
        Some(match pair.as_rule() {
            Rule::decision => Decl::Decision(self.decision(pair)),
            Rule::domain => Decl::Domain(self.domain(pair)),
            Rule::fact => Decl::Fact(self.fact(pair)),
            Rule::concept => Decl::Concept(self.concept(pair)?),
            Rule::rule => Decl::Rule(self.rule(pair)?),
            Rule::fallback => {
                self.at_margin(&pair, "anders");
                Decl::Fallback(self.fallback(pair)?)
            }
            Rule::conflict => {
                self.at_margin(&pair, "bij conflict");
                Decl::Conflict(self.conflict(pair)?)
            }
            Rule::example => Decl::Example(self.example(pair)?),
            Rule::replace => self.replace(pair)?,
            Rule::remove => self.remove(pair)?,
            _ => return None,
        })
    }

    /// A declaration-level clause (`anders`, `bij conflict`) must stand at the margin of
    /// the declarations: written after a rule's `dan` on the same line, or indented
    /// under it, it looks like part of that rule while it sets the outcome of the whole
    /// rule set.
    fn at_margin(&mut self, pair: &Pair<'_, Rule>, what: &str) {
        let (line, column) = self.lines.line_col(pair.as_span().start());
        let Some(previous) = self.previous else {
            return;
        };
        let Some(owner) = previous.ends_in_outcome else {
            return;
        };
        if line > previous.end_line && column <= previous.column {
            return;
        }
        let span = self.span(pair);
        let keyword = Span::new(self.file, span.start, span.start + what.len());
        let written: String = pair
            .as_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.error(
            Problem::error(
                Code::MisplacedClause,
                keyword,
                format!("`{what}` staat hier alsof het bij {owner} erboven hoort, maar het geldt voor de hele regelset"),
            )
            .label(format!("hoort niet bij {owner}"))
            .help(format!(
                "is `{written}` de afspraak voor alle gevallen waarin geen regel geldt, zet het dan op een eigen regel, zo ver naar links als de regels; een andere uitkomst voor één regel schrijft u als een eigen `regel` met de omgekeerde voorwaarde"
            )),
        );
    }

    /// A clause that also exists in the header (`geldig`, `bron`) written on a line of
    /// its own at the margin of the declarations: it belongs to the declaration above,
    /// which is probably not what was meant.
    fn indented_clause(
        &mut self,
        pair: &Pair<'_, Rule>,
        what: &str,
        owner: &str,
        declaration: (usize, usize),
    ) {
        let (line, column) = self.lines.line_col(pair.as_span().start());
        let (declaration_line, declaration_column) = declaration;
        if line == declaration_line || column > declaration_column {
            return;
        }
        let span = self.span(pair);
        let keyword = Span::new(self.file, span.start, span.start + what.len());
        self.error(
            Problem::error(
                Code::MisplacedClause,
                keyword,
                format!("`{what}` staat helemaal links, maar hoort bij {owner} erboven"),
            )
            .label("een onderdeel van de declaratie erboven")
            .help(format!(
                "hoort het bij {owner}, spring het dan in (twee spaties); hoort het bij de hele regelset, zet het dan in de kop, direct onder `regelset`"
            )),
        );
    }

    fn decision(&mut self, pair: Pair<'_, Rule>) -> DecisionDecl {
        let span = self.span(&pair);
        let mut decl = DecisionDecl {
            name: Ident {
                name: String::new(),
                span,
            },
            label: None,
            routes: Vec::new(),
            values: Vec::new(),
            explanation: None,
            span,
        };
        // The column of the last `waarde` keyword: a `toelichting` indented deeper looks
        // like the value's own, but belongs to the whole decision.
        let mut value_column: Option<usize> = None;
        for p in children(pair) {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::name => decl.name = self.name(p),
                Rule::label => decl.label = Some(self.label(p)),
                Rule::decision_for => decl.routes.extend(self.decision_for(p)),
                Rule::decision_value => {
                    value_column = Some(self.lines.line_col(p.as_span().start()).1);
                    decl.values.push(self.decision_value(p));
                }
                Rule::explanation => {
                    if let Some(column) = value_column {
                        self.not_under_value(&p, column);
                    }
                    let v = self.explanation(p);
                    let first = decl.explanation.as_ref().map(|v| v.span);
                    self.once(&mut decl.explanation, v, pspan, "toelichting", first);
                }
                _ => {}
            }
        }
        decl
    }

    /// A `toelichting` indented under a `waarde` is the decision's, not the value's: a
    /// value has no explanation of its own.
    fn not_under_value(&mut self, pair: &Pair<'_, Rule>, value_column: usize) {
        let (_, column) = self.lines.line_col(pair.as_span().start());
        if column <= value_column {
            return;
        }
        let span = self.span(pair);
        let keyword = Span::new(self.file, span.start, span.start + "toelichting".len());
        self.error(
            Problem::error(
                Code::MisplacedClause,
                keyword,
                "`toelichting` staat ingesprongen onder een `waarde`, maar een waarde heeft geen eigen toelichting: dit zou de toelichting van de hele beslissing worden",
            )
            .label("hoort niet bij de waarde erboven")
            .help("schrijf wat de consulent bij deze waarde moet doen als `vervolg \"...\"` achter de waarde; is het de toelichting van de beslissing, spring hem dan even ver in als `waarde`"),
        );
    }

    fn decision_for(&mut self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        children(pair).map(|p| self.name(p)).collect()
    }

    fn decision_value(&mut self, pair: Pair<'_, Rule>) -> DomainDecl {
        self.domain(pair)
    }

    fn domain(&mut self, pair: Pair<'_, Rule>) -> DomainDecl {
        let span = self.span(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let (mut label, mut payer, mut next) = (None, None, None);
        for p in children(pair) {
            match p.as_rule() {
                Rule::name => name = self.name(p),
                Rule::label => label = Some(self.label(p)),
                Rule::payer => payer = self.payer(p),
                Rule::next_step => next = Some(self.single_string(p)),
                _ => {}
            }
        }
        DomainDecl {
            name,
            label,
            payer,
            next,
            span,
        }
    }

    fn label(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    fn payer(&mut self, pair: Pair<'_, Rule>) -> Option<Payer> {
        let inner = children(pair).next()?;
        Some(match inner.as_rule() {
            Rule::string => Payer::Text(self.string(inner)),
            _ => Payer::Fact(self.name(inner)),
        })
    }

    fn fact(&mut self, pair: Pair<'_, Rule>) -> FactDecl {
        let span = self.span(&pair);
        let mut name = Ident {
            name: String::new(),
            span,
        };
        let mut ty = TypeExpr::Text(span);
        let (mut question, mut explanation, mut unit) = (None, None, None);
        for p in children(pair) {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::name => name = self.name(p),
                Rule::question => {
                    let v = self.question(p);
                    let first = question.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut question, v, pspan, "vraag", first);
                }
                Rule::explanation => {
                    let v = self.explanation(p);
                    let first = explanation.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut explanation, v, pspan, "toelichting", first);
                }
                Rule::unit => {
                    let v = self.unit(p);
                    let first = unit.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut unit, v, pspan, "eenheid", first);
                }
                _ => ty = self.fact_type(p),
            }
        }
        FactDecl {
            name,
            ty,
            question,
            explanation,
            unit,
            span,
        }
    }

    fn question(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    fn explanation(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    fn unit(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    fn fact_type(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::type_bool => TypeExpr::Bool(span),
            Rule::type_number => TypeExpr::Number {
                bounds: children(pair).next().and_then(|b| self.bounds(b)),
                span,
            },
            Rule::type_choice => TypeExpr::Choice(self.value_names_of(pair), span),
            Rule::type_list => TypeExpr::List(self.value_names_of(pair), span),
            _ => TypeExpr::Text(span),
        }
    }

    fn bounds(&mut self, pair: Pair<'_, Rule>) -> Option<(Spanned<Decimal>, Spanned<Decimal>)> {
        let mut numbers = children(pair).filter_map(|p| self.signed_number(p));
        let low = numbers.next()?;
        let high = numbers.next()?;
        if low.value > high.value {
            self.error(
                Problem::error(
                    Code::InvalidBounds,
                    low.span.to(high.span),
                    format!(
                        "de ondergrens {} is groter dan de bovengrens {}",
                        low.value, high.value
                    ),
                )
                .label("omgekeerde grenzen")
                .help(format!("schrijf `tussen {} en {}`", high.value, low.value)),
            );
        }
        Some((low, high))
    }

    fn value_names_of(&mut self, pair: Pair<'_, Rule>) -> Vec<ValueDecl> {
        children(pair)
            .find(|p| p.as_rule() == Rule::value_names)
            .map(|p| self.value_names(p))
            .unwrap_or_default()
    }

    fn value_names(&mut self, pair: Pair<'_, Rule>) -> Vec<ValueDecl> {
        children(pair).filter_map(|p| self.value_name(p)).collect()
    }

    fn value_name(&mut self, pair: Pair<'_, Rule>) -> Option<ValueDecl> {
        let mut inner = children(pair);
        let name = self.name(inner.next()?);
        let label = inner.next().map(|l| self.label(l));
        Some(ValueDecl { name, label })
    }

    fn concept(&mut self, pair: Pair<'_, Rule>) -> Option<ConceptDecl> {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let name = self.name(inner.next()?);
        let expr = self.expr(inner.next()?)?;
        let explanation = inner.next().map(|p| self.explanation(p));
        Some(ConceptDecl {
            name,
            expr,
            explanation,
            span,
        })
    }

    fn rule(&mut self, pair: Pair<'_, Rule>) -> Option<RuleDecl> {
        let span = self.span(&pair);
        let start = self
            .current
            .unwrap_or_else(|| self.lines.line_col(pair.as_span().start()));
        let mut name: Option<Ident> = None;
        let (mut title, mut exception_of, mut condition, mut outcome) =
            (None, Vec::new(), None, None);
        let (mut explanation, mut source, mut period) = (None, None, None);
        let mut groups = Vec::new();
        for p in children(pair) {
            let pspan = self.span(&p);
            if matches!(p.as_rule(), Rule::source | Rule::period) {
                let what = if p.as_rule() == Rule::source {
                    "bron"
                } else {
                    "geldig"
                };
                let owner = match &name {
                    Some(n) => format!("`regel {}`", n.name),
                    None => "de regel".to_string(),
                };
                self.indented_clause(&p, what, &owner, start);
            }
            match p.as_rule() {
                Rule::name => name = Some(self.name(p)),
                Rule::title => title = Some(self.title(p)),
                Rule::exception_of => exception_of = self.exception_of(p),
                Rule::group => groups.extend(self.group(p)),
                Rule::expr => condition = self.expr(p),
                Rule::outcome => outcome = self.outcome(p),
                Rule::explanation => {
                    let v = self.explanation(p);
                    let first = explanation.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut explanation, v, pspan, "toelichting", first);
                }
                Rule::source => {
                    let v = self.source(p);
                    let first = source.as_ref().map(|v: &Spanned<String>| v.span);
                    self.once(&mut source, v, pspan, "bron", first);
                }
                Rule::period => {
                    let v = self.period(p);
                    let first = period.as_ref().map(|v: &Period| v.span);
                    self.once(&mut period, v, pspan, "geldig", first);
                }
                _ => {}
            }
        }
        Some(RuleDecl {
            name: name?,
            title,
            exception_of,
            groups,
            condition: condition?,
            outcome: outcome?,
            explanation,
            source,
            period,
            span,
        })
    }

    fn title(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        self.single_string(pair)
    }

    fn exception_of(&mut self, pair: Pair<'_, Rule>) -> Vec<ExceptionTarget> {
        children(pair)
            .filter_map(|p| match p.as_rule() {
                Rule::exception_group => self.exception_group(p),
                Rule::exception_outcome => self.exception_outcome(p),
                _ => Some(ExceptionTarget::Rule(self.name(p))),
            })
            .collect()
    }

    fn exception_group(&mut self, pair: Pair<'_, Rule>) -> Option<ExceptionTarget> {
        Some(ExceptionTarget::Group(self.name(children(pair).next()?)))
    }

    fn exception_outcome(&mut self, pair: Pair<'_, Rule>) -> Option<ExceptionTarget> {
        let span = self.span(&pair);
        Some(ExceptionTarget::Outcome(
            self.name(children(pair).next()?),
            span,
        ))
    }

    fn group(&mut self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        children(pair).map(|p| self.name(p)).collect()
    }

    fn fallback(&mut self, pair: Pair<'_, Rule>) -> Option<Outcome> {
        self.outcome(children(pair).next()?)
    }

    fn conflict(&mut self, pair: Pair<'_, Rule>) -> Option<Outcome> {
        self.outcome(children(pair).next()?)
    }

    fn outcome(&mut self, pair: Pair<'_, Rule>) -> Option<Outcome> {
        let inner = children(pair).next()?;
        match inner.as_rule() {
            Rule::split => self.split(inner),
            _ => Some(Outcome::Domain(self.name(inner))),
        }
    }

    fn split(&mut self, pair: Pair<'_, Rule>) -> Option<Outcome> {
        let span = self.span(&pair);
        let shares: Option<Vec<Share>> = children(pair).map(|p| self.share(p)).collect();
        Some(Outcome::Split(shares?, span))
    }

    fn share(&mut self, pair: Pair<'_, Rule>) -> Option<Share> {
        let mut inner = children(pair);
        let domain = self.name(inner.next()?);
        let p = inner.next()?;
        let span = self.span(&p);
        let text = p.as_str().trim_end_matches('%');
        let value = self.decimal(text, span)?;
        Some(Share {
            domain,
            percent: Spanned { value, span },
        })
    }

    fn example(&mut self, pair: Pair<'_, Rule>) -> Option<ExampleDecl> {
        let span = self.span(&pair);
        let (name, given, reference_date, expect) = self.example_parts(pair);
        Some(ExampleDecl {
            name: name?,
            given,
            reference_date,
            expect,
            span,
        })
    }

    /// The name, facts, reference date and expectations of a `voorbeeld`.
    #[allow(clippy::type_complexity)]
    fn example_parts(
        &mut self,
        pair: Pair<'_, Rule>,
    ) -> (
        Option<Spanned<String>>,
        Vec<Assignment>,
        Option<Spanned<Date>>,
        Vec<Expectation>,
    ) {
        let mut name = None;
        let (mut given, mut reference_date, mut expect) = (Vec::new(), None, Vec::new());
        for p in children(pair) {
            match p.as_rule() {
                Rule::string => name = Some(self.string(p)),
                Rule::assignment => given.extend(self.assignment(p)),
                Rule::reference_date => reference_date = self.reference_date(p),
                Rule::expectation => expect.extend(self.expectation(p)),
                _ => {}
            }
        }
        (name, given, reference_date, expect)
    }

    fn assignment(&mut self, pair: Pair<'_, Rule>) -> Option<Assignment> {
        let mut inner = children(pair);
        let fact = self.name(inner.next()?);
        let value = self.literal(inner.next()?)?;
        Some(Assignment { fact, value })
    }

    fn reference_date(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<Date>> {
        children(pair).next().and_then(|p| self.date(p))
    }

    fn expectation(&mut self, pair: Pair<'_, Rule>) -> Option<Expectation> {
        let mut outcome = None;
        let mut decided_by = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::incomplete => return Some(Expectation::Incomplete(self.span(&p))),
                Rule::decision_incomplete => return self.decision_incomplete(p),
                Rule::decision_not_needed => {
                    let name = children(p).next()?;
                    return Some(Expectation::DecisionNotNeeded(self.name(name)));
                }
                Rule::outcome => outcome = self.outcome(p),
                Rule::decided_by => decided_by = self.decided_by(p),
                _ => {}
            }
        }
        Some(Expectation::Outcome {
            outcome: outcome?,
            decided_by,
        })
    }

    fn decision_incomplete(&mut self, pair: Pair<'_, Rule>) -> Option<Expectation> {
        Some(Expectation::DecisionIncomplete(
            self.name(children(pair).next()?),
        ))
    }

    fn decided_by(&mut self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        children(pair).map(|p| self.name(p)).collect()
    }

    fn replace(&mut self, pair: Pair<'_, Rule>) -> Option<Decl> {
        let span = self.span(&pair);
        let inner = children(pair).next()?;
        if inner.as_rule() == Rule::example_change {
            return self.example_change(inner, span).map(Decl::ReplaceExample);
        }
        let decl = self.declaration(inner)?;
        Some(Decl::Replace(Box::new(decl), span))
    }

    fn example_change(&mut self, pair: Pair<'_, Rule>, span: Span) -> Option<ExampleChange> {
        let (name, given, reference_date, expect) = self.example_parts(pair);
        Some(ExampleChange {
            name: name?,
            given,
            reference_date,
            expect,
            span,
        })
    }

    fn remove(&mut self, pair: Pair<'_, Rule>) -> Option<Decl> {
        let span = self.span(&pair);
        let name = self.name(children(pair).next()?);
        Some(Decl::Remove(name, span))
    }

    // ───────────────────────── expressions ─────────────────────────

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Option<Expr> {
        let file = self.file;
        let span_of = |p: &Pair<'_, Rule>| Span::new(file, p.as_span().start(), p.as_span().end());
        if let Some(op) = long_prefix_run(&pair) {
            // The Pratt parser recurses once per prefix operator: refuse before it does.
            self.error(too_deep(span_of(&op)));
            return None;
        }
        let problems = std::cell::RefCell::new(Vec::<Problem>::new());
        let checked = |e: Expr| -> Option<Expr> {
            if e.depth > MAX_DEPTH {
                problems.borrow_mut().push(too_deep(e.span));
                return None;
            }
            Some(e)
        };
        let result = PRATT
            .map_primary(|p| self.primary_expr(p, &problems))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = span_of(&op).to(rhs.span);
                let kind = |r| match op.as_rule() {
                    Rule::op_neg => ExprKind::Neg(Box::new(r)),
                    _ => ExprKind::Not(Box::new(r)),
                };
                let depth = rhs.depth + 1;
                checked(Expr {
                    kind: kind(rhs),
                    span,
                    depth,
                })
            })
            .map_postfix(|lhs, op| {
                let lhs = lhs?;
                let span = lhs.span.to(span_of(&op));
                let negated = op.as_rule() == Rule::op_not_in;
                let list_pair = children(op).find(|p| p.as_rule() == Rule::value_list)?;
                let mut list = Vec::new();
                for item in children(list_pair) {
                    list.push(literal_of(item, file, &problems)?);
                }
                let depth = lhs.depth + 1;
                let kind = ExprKind::In {
                    negated,
                    value: Box::new(lhs),
                    list,
                };
                checked(Expr { kind, span, depth })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let bop = binary_op(op.as_rule());
                if bop.is_comparison() && is_comparison(&lhs) {
                    problems.borrow_mut().push(
                        Problem::error(
                            Code::ChainedComparison,
                            span_of(&op),
                            "twee vergelijkingen staan direct achter elkaar",
                        )
                        .label("tweede vergelijking")
                        .also(lhs.span, "eerste vergelijking")
                        .help("verbind ze met `en` of `of`, of zet haakjes om de eerste"),
                    );
                }
                let span = lhs.span.to(rhs.span);
                let depth = lhs.depth.max(rhs.depth) + 1;
                let kind = ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs));
                checked(Expr { kind, span, depth })
            })
            .parse(pair.into_inner());
        for p in problems.into_inner() {
            self.error(p);
        }
        result
    }

    fn primary_expr(
        &self,
        pair: Pair<'_, Rule>,
        problems: &std::cell::RefCell<Vec<Problem>>,
    ) -> Option<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::paren => {
                if self.nesting >= MAX_NESTING {
                    problems.borrow_mut().push(too_deep(span));
                    return None;
                }
                let inner = children(pair).next()?;
                let mut sub = Lower {
                    file: self.file,
                    problems: Problems::new(),
                    nesting: self.nesting + 1,
                    previous: None,
                    current: None,
                    lines: Lines::default(),
                };
                let e = sub.expr(inner);
                problems.borrow_mut().extend(sub.problems.sorted());
                let e = e?;
                let depth = e.depth + 1;
                if depth > MAX_DEPTH {
                    problems.borrow_mut().push(too_deep(span));
                    return None;
                }
                return Some(Expr {
                    kind: ExprKind::Paren(Box::new(e)),
                    span,
                    depth,
                });
            }
            Rule::rule_applies => {
                let mut inner = children(pair);
                let rule = inner.next()?;
                let rule = Ident {
                    name: crate::text::nfc(rule.as_str()),
                    span: self.span(&rule),
                };
                let negated = inner.next().is_some();
                ExprKind::RuleApplies { rule, negated }
            }
            Rule::boolean => ExprKind::Bool(boolean_value(&pair)),
            Rule::percent => {
                let n = decimal_or_problem(pair.as_str().trim_end_matches('%'), span, problems)?;
                ExprKind::Number(n.checked_div(Decimal::ONE_HUNDRED)?)
            }
            Rule::number => ExprKind::Number(decimal_or_problem(pair.as_str(), span, problems)?),
            Rule::string => ExprKind::Text(unescape(&pair, self.file, problems)?.value),
            _ => ExprKind::Name(crate::text::nfc(pair.as_str())),
        };
        Some(Expr::leaf(kind, span))
    }

    // ─────────────────────────── literals ───────────────────────────

    fn literal(&mut self, pair: Pair<'_, Rule>) -> Option<Literal> {
        let problems = std::cell::RefCell::new(Vec::new());
        let lit = literal_of(pair, self.file, &problems);
        for p in problems.into_inner() {
            self.error(p);
        }
        lit
    }

    fn signed_number(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<Decimal>> {
        let span = self.span(&pair);
        let value = self.decimal(pair.as_str(), span)?;
        Some(Spanned { value, span })
    }

    fn decimal(&mut self, text: &str, span: Span) -> Option<Decimal> {
        let problems = std::cell::RefCell::new(Vec::new());
        let d = decimal_or_problem(text, span, &problems);
        for p in problems.into_inner() {
            self.error(p);
        }
        d
    }

    fn date(&mut self, pair: Pair<'_, Rule>) -> Option<Spanned<Date>> {
        let span = self.span(&pair);
        match Date::from_str(pair.as_str()) {
            Ok(value) => Some(Spanned { value, span }),
            Err(_) => {
                self.error(
                    Problem::error(
                        Code::InvalidDate,
                        span,
                        format!("`{}` is geen bestaande datum", pair.as_str()),
                    )
                    .label("deze dag bestaat niet")
                    .help("schrijf een datum als JJJJ-MM-DD, bijvoorbeeld `2025-08-01`"),
                );
                None
            }
        }
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        let problems = std::cell::RefCell::new(Vec::new());
        let s = unescape(&pair, self.file, &problems);
        for p in problems.into_inner() {
            self.error(p);
        }
        s.unwrap_or(Spanned {
            value: String::new(),
            span,
        })
    }

    fn single_string(&mut self, pair: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        match children(pair).find(|p| p.as_rule() == Rule::string) {
            Some(p) => self.string(p),
            None => Spanned {
                value: String::new(),
                span,
            },
        }
    }

    fn name(&mut self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: crate::text::nfc(pair.as_str()),
            span: self.span(&pair),
        }
    }
}

fn binary_op(r: Rule) -> BinaryOp {
    match r {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_is_not | Rule::op_ne => BinaryOp::Ne,
        Rule::op_le | Rule::op_at_most => BinaryOp::Le,
        Rule::op_ge | Rule::op_at_least => BinaryOp::Ge,
        Rule::op_lt | Rule::op_less => BinaryOp::Lt,
        Rule::op_gt | Rule::op_more => BinaryOp::Gt,
        Rule::op_contains_not => BinaryOp::NotContains,
        Rule::op_contains => BinaryOp::Contains,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        // INVARIANT: the Pratt parser only hands infix rules to `map_infix`.
        _ => BinaryOp::Eq,
    }
}

/// The first prefix operator of a run longer than [`MAX_DEPTH`], if there is one.
fn long_prefix_run<'i>(pair: &Pair<'i, Rule>) -> Option<Pair<'i, Rule>> {
    let mut run = 0;
    let mut first = None;
    for p in pair.clone().into_inner() {
        if matches!(p.as_rule(), Rule::op_not | Rule::op_neg) {
            if run == 0 {
                first = Some(p.clone());
            }
            run += 1;
            if run > MAX_DEPTH {
                return first;
            }
        } else {
            run = 0;
        }
    }
    None
}

fn too_deep(span: Span) -> Problem {
    Problem::error(
        Code::TooDeep,
        span,
        "deze voorwaarde is te diep genest of te lang",
    )
    .label(format!("meer dan {MAX_DEPTH} niveaus diep"))
    .help("geef delen van de voorwaarde een naam met `begrip` en gebruik die naam")
}

fn is_comparison(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Binary(op, _, _) => op.is_comparison(),
        ExprKind::In { .. } => true,
        _ => false,
    }
}

fn boolean_value(pair: &Pair<'_, Rule>) -> bool {
    pair.as_str().trim() == "ja"
}

fn literal_of(
    pair: Pair<'_, Rule>,
    file: FileId,
    problems: &std::cell::RefCell<Vec<Problem>>,
) -> Option<Literal> {
    let span = Span::new(file, pair.as_span().start(), pair.as_span().end());
    Some(match pair.as_rule() {
        Rule::list_literal => {
            let mut items = Vec::new();
            for p in children(pair) {
                items.push(literal_of(p, file, problems)?);
            }
            Literal::List(items, span)
        }
        Rule::boolean => Literal::Bool(boolean_value(&pair), span),
        Rule::signed_percent => {
            let n = decimal_or_problem(pair.as_str().trim_end_matches('%'), span, problems)?;
            Literal::Number(n.checked_div(Decimal::ONE_HUNDRED)?, span)
        }
        Rule::signed_number => {
            Literal::Number(decimal_or_problem(pair.as_str(), span, problems)?, span)
        }
        Rule::string => Literal::Text(unescape(&pair, file, problems)?.value, span),
        _ => Literal::Name(Ident {
            name: crate::text::nfc(pair.as_str()),
            span,
        }),
    })
}

fn decimal_or_problem(
    text: &str,
    span: Span,
    problems: &std::cell::RefCell<Vec<Problem>>,
) -> Option<Decimal> {
    match Decimal::from_str_exact(text) {
        Ok(d) => Some(d),
        Err(_) => {
            problems.borrow_mut().push(
                Problem::error(
                    Code::InvalidNumber,
                    span,
                    format!("het getal `{text}` is te groot of te precies"),
                )
                .label("niet exact te rekenen")
                .help("gebruik hoogstens 28 cijfers"),
            );
            None
        }
    }
}

/// The text of a `string` pair without quotes, with `\"` and `\\` resolved.
fn unescape(
    pair: &Pair<'_, Rule>,
    file: FileId,
    problems: &std::cell::RefCell<Vec<Problem>>,
) -> Option<Spanned<String>> {
    let span = Span::new(file, pair.as_span().start(), pair.as_span().end());
    let raw = pair.as_str();
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(raw);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    let mut ok = true;
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            other => {
                ok = false;
                let at = span.start + 1 + i;
                let len = 1 + other.map_or(0, |(_, c)| c.len_utf8());
                problems.borrow_mut().push(
                    Problem::error(
                        Code::InvalidEscape,
                        Span::new(file, at, at + len),
                        "onbekende escape in een tekst",
                    )
                    .label("alleen `\\\"` en `\\\\` zijn toegestaan")
                    .help("schrijf `\\\\` voor een backslash"),
                );
            }
        }
    }
    ok.then_some(Spanned { value: out, span })
}
