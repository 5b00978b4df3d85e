//! The syntax tree of one `.regels` file, as written, with spans.
//!
//! Produced by [`crate::syntax::parse`]; consumed only by [`crate::check`]. Nothing
//! here is resolved or type-checked: names are strings, and a bare name in an
//! expression may turn out to be a fact, a concept or a value of a choice.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::source::{FileId, Span, Spanned};

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub id: FileId,
    pub header: Header,
    pub decls: Vec<Decl>,
}

/// `regelset "Naam"` and its clauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub name: Spanned<String>,
    pub version: Option<Spanned<String>>,
    pub period: Option<Period>,
    pub source: Option<Spanned<String>>,
    pub based_on: Option<Spanned<String>>,
    pub span: Span,
}

/// `geldig vanaf D tot D`: `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub from: Option<Spanned<Date>>,
    pub until: Option<Spanned<Date>>,
    pub span: Span,
}

/// A name as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Decl {
    Decision(DecisionDecl),
    Domain(DomainDecl),
    Fact(FactDecl),
    Concept(ConceptDecl),
    Rule(RuleDecl),
    Fallback(Outcome),
    Conflict(Outcome),
    Example(ExampleDecl),
    /// `vervang ...`: the new declaration, and the span of the whole override.
    Replace(Box<Decl>, Span),
    /// `vervang voorbeeld "Naam" ...`: what a base's example gives here.
    ReplaceExample(ExampleChange),
    /// `schrap regel NAAM`
    Remove(Ident, Span),
}

/// The kind of a named declaration, for messages ("regel", "feit", ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclKind {
    Decision,
    Domain,
    Fact,
    Concept,
    Rule,
}

impl DeclKind {
    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::Decision => "beslissing",
            DeclKind::Domain => "domein",
            DeclKind::Fact => "feit",
            DeclKind::Concept => "begrip",
            DeclKind::Rule => "regel",
        }
    }
}

impl Decl {
    /// Name and kind of a named declaration.
    pub fn named(&self) -> Option<(DeclKind, &Ident)> {
        match self {
            Decl::Decision(d) => Some((DeclKind::Decision, &d.name)),
            Decl::Domain(d) => Some((DeclKind::Domain, &d.name)),
            Decl::Fact(f) => Some((DeclKind::Fact, &f.name)),
            Decl::Concept(c) => Some((DeclKind::Concept, &c.name)),
            Decl::Rule(r) => Some((DeclKind::Rule, &r.name)),
            _ => None,
        }
    }
}

/// `beslissing NAAM ["Label"] [voor D, ...]` and its `waarde` clauses.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionDecl {
    pub name: Ident,
    pub label: Option<Spanned<String>>,
    /// The domains whose share this decision routes.
    pub routes: Vec<Ident>,
    pub values: Vec<DomainDecl>,
    pub explanation: Option<Spanned<String>>,
    pub span: Span,
}

/// `domein NAAM ["Label"] [betaler ...]`, or a `waarde` of a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainDecl {
    pub name: Ident,
    pub label: Option<Spanned<String>>,
    pub payer: Option<Payer>,
    /// `vervolg "..."`: what to do next when this pays.
    pub next: Option<Spanned<String>>,
    pub span: Span,
}

/// Who pays: a fixed text, or the value of a fact of the case (`betaler woongemeente`).
#[derive(Debug, Clone, PartialEq)]
pub enum Payer {
    Text(Spanned<String>),
    Fact(Ident),
}

/// `feit NAAM: TYPE` and its texts.
#[derive(Debug, Clone, PartialEq)]
pub struct FactDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub question: Option<Spanned<String>>,
    pub explanation: Option<Spanned<String>>,
    pub unit: Option<Spanned<String>>,
    pub span: Span,
}

/// A fact's type as written.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    Bool(Span),
    Number {
        bounds: Option<(Spanned<Decimal>, Spanned<Decimal>)>,
        span: Span,
    },
    Text(Span),
    Choice(Vec<ValueDecl>, Span),
    List(Vec<ValueDecl>, Span),
}

/// A value of a `keuze` or `lijst`, with its label for people.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueDecl {
    pub name: Ident,
    pub label: Option<Spanned<String>>,
}

/// `begrip NAAM = EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct ConceptDecl {
    pub name: Ident,
    pub expr: Expr,
    pub explanation: Option<Spanned<String>>,
    pub span: Span,
}

/// `regel NAAM ...`
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDecl {
    pub name: Ident,
    pub title: Option<Spanned<String>>,
    pub exception_of: Vec<ExceptionTarget>,
    /// `groep a, b`
    pub groups: Vec<Ident>,
    pub condition: Expr,
    pub outcome: Outcome,
    pub explanation: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub period: Option<Period>,
    pub span: Span,
}

/// What a rule is an exception to.
#[derive(Debug, Clone, PartialEq)]
pub enum ExceptionTarget {
    /// One rule, by name.
    Rule(Ident),
    /// `groep NAAM`: every rule in the group.
    Group(Ident),
    /// `regels met D`: every rule whose outcome is D (the span covers the whole target).
    Outcome(Ident, Span),
}

impl ExceptionTarget {
    pub fn span(&self) -> Span {
        match self {
            ExceptionTarget::Rule(i) | ExceptionTarget::Group(i) => i.span,
            ExceptionTarget::Outcome(_, span) => *span,
        }
    }
}

/// A domain, or a split over domains.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Domain(Ident),
    Split(Vec<Share>, Span),
}

impl Outcome {
    pub fn span(&self) -> Span {
        match self {
            Outcome::Domain(d) => d.span,
            Outcome::Split(_, span) => *span,
        }
    }
}

/// `onderwijs 50%` inside `verdeel`: the percentage as written (50, not 0.5).
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub domain: Ident,
    pub percent: Spanned<Decimal>,
}

/// `voorbeeld "Naam" gegeven ... verwacht ...`
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleDecl {
    pub name: Spanned<String>,
    pub given: Vec<Assignment>,
    pub reference_date: Option<Spanned<Date>>,
    /// One per decision it checks (the law's first, when it has one).
    pub expect: Vec<Expectation>,
    pub span: Span,
}

/// `vervang voorbeeld "Naam" [gegeven ...] [peildatum D] verwacht ...`: a base's example
/// as it runs in this rule set.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleChange {
    pub name: Spanned<String>,
    /// Facts added to (or changed in) the base example's.
    pub given: Vec<Assignment>,
    pub reference_date: Option<Spanned<Date>>,
    pub expect: Vec<Expectation>,
    pub span: Span,
}

/// `feit = waarde`
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub fact: Ident,
    pub value: Literal,
}

/// A constant value as written in an example or a membership list.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool, Span),
    Number(Decimal, Span),
    Text(String, Span),
    Name(Ident),
    List(Vec<Literal>, Span),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Bool(_, s)
            | Literal::Number(_, s)
            | Literal::Text(_, s)
            | Literal::List(_, s) => *s,
            Literal::Name(i) => i.span,
        }
    }
}

/// What an example expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// `verwacht onvolledig`: the law is still incomplete.
    Incomplete(Span),
    /// `verwacht route onvolledig`: that decision is still incomplete.
    DecisionIncomplete(Ident),
    /// `verwacht route niet nodig`: the law gives none of that decision's domains a share.
    DecisionNotNeeded(Ident),
    Outcome {
        outcome: Outcome,
        decided_by: Vec<Ident>,
    },
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// Nesting depth: 1 for a leaf. Lowering refuses expressions deeper than
    /// [`MAX_DEPTH`], so that every later pass can recurse over them safely.
    pub depth: u32,
}

/// The deepest expression the language accepts (a chain of 100 `en` is 100 deep).
pub const MAX_DEPTH: u32 = 128;

impl Expr {
    /// A leaf expression.
    pub fn leaf(kind: ExprKind, span: Span) -> Expr {
        Expr {
            kind,
            span,
            depth: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    /// A number; `50%` is already 0.5 here.
    Number(Decimal),
    Text(String),
    Name(String),
    Paren(Box<Expr>),
    /// `regel NAAM geldt` (`negated`: `geldt niet`).
    RuleApplies {
        rule: Ident,
        negated: bool,
    },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a in [..]` / `a niet in [..]`
    In {
        negated: bool,
        value: Box<Expr>,
        list: Vec<Literal>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    NotContains,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    /// Comparisons (as opposed to connectives and arithmetic).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::Contains
                | BinaryOp::NotContains
        )
    }
}
