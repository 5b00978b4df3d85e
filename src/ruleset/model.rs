//! The parts of a checked rule set: ids, types, values, outcomes, facts, concepts,
//! rules and their typed expressions. [`super::RuleSet`] holds them; nothing here
//! refers to the AST or to pest.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::source::Span;

macro_rules! id {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            pub fn index(self) -> usize { self.0 as usize }
            /// INVARIANT: rule sets are read from files far smaller than 4 GiB, so no
            /// index reaches `u32::MAX`.
            pub(crate) fn from_index(i: usize) -> Self { $name(u32::try_from(i).unwrap_or(u32::MAX)) }
        }
    )*};
}
id!(FactId, ConceptId, RuleId, DomainId, AtomId, Sym, SetId, DecisionId);

/// The type of a fact, a concept or an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    Text,
    /// One value of a set of names.
    Choice(SetId),
    /// A subset of a set of names.
    List(SetId),
}

/// A known value. Unknown values are `None` wherever an `Option<Value>` appears.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Bool(bool),
    Number(Decimal),
    Text(Arc<str>),
    Choice(Sym),
    /// Sorted and without repeats, so equal sets compare equal.
    List(Vec<Sym>),
}

/// A normalised outcome: percentage per domain, sorted by domain, zero shares left out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Outcome(pub(crate) Vec<(DomainId, Decimal)>);

impl Outcome {
    pub fn shares(&self) -> &[(DomainId, Decimal)] {
        &self.0
    }

    /// Normalises shares (sorting, merging, dropping zeros); percentages are kept exact.
    pub(crate) fn new(mut shares: Vec<(DomainId, Decimal)>) -> Outcome {
        shares.retain(|(_, p)| !p.is_zero());
        for (_, p) in &mut shares {
            *p = p.normalize();
        }
        shares.sort_by_key(|(d, _)| *d);
        Outcome(shares)
    }
}

#[derive(Debug, Clone)]
pub struct Domain {
    pub name: String,
    pub label: Option<String>,
    pub payer: Option<Payer>,
    /// `vervolg`: what to do next when this pays (who to contact, what to apply for).
    pub next: Option<String>,
    /// The decision this is a value of (the law for a `domein`).
    pub decision: DecisionId,
    pub span: Span,
}

/// Who pays for a share: a fixed text, or the value of a fact of the case (a `tekst` or
/// `keuze`: its label, else its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payer {
    Text(String),
    Fact(FactId),
}

/// A decision of the rule set: the law (the `domein`s, named `wet`), or a `beslissing`
/// such as the financing route, with its own values, rules, `anders` and `bij conflict`.
#[derive(Debug, Clone)]
pub struct DecisionDef {
    pub name: String,
    pub label: Option<String>,
    pub explanation: Option<String>,
    /// Its outcomes (`domein`s for the law, `waarde`s for a `beslissing`), in order.
    pub values: Vec<DomainId>,
    /// The law's domains whose share this decision routes (`voor`): it is needed only
    /// when the law's outcome gives one of them a share.
    pub routes: Vec<DomainId>,
    pub fallback: Fallback,
    pub conflict: Outcome,
    pub span: Span,
}

/// What a condition reads, in reading order: a fact, the outcome of another decision,
/// or whether a rule of another decision applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Read {
    Fact(FactId),
    Decision(DecisionId),
    Rule(RuleId),
}

/// The facts among reads.
pub fn facts_of(reads: &[Read]) -> impl Iterator<Item = FactId> + '_ {
    reads.iter().filter_map(|r| match r {
        Read::Fact(f) => Some(*f),
        _ => None,
    })
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub name: String,
    pub ty: Type,
    /// The values of a `keuze` or `lijst`, in declared order.
    pub values: Vec<Sym>,
    /// The label of each value (as people read it), by position in `values`.
    pub labels: Vec<Option<String>>,
    /// Inclusive bounds of a `getal tussen A en B`.
    pub bounds: Option<(Decimal, Decimal)>,
    pub question: Option<String>,
    pub explanation: Option<String>,
    pub unit: Option<String>,
    pub span: Span,
}

impl Fact {
    /// Whether the number `n` lies within the bounds of a `getal tussen A en B` (always,
    /// for a number without bounds).
    pub fn admits(&self, n: Decimal) -> bool {
        self.bounds.is_none_or(|(low, high)| low <= n && n <= high)
    }
}

#[derive(Debug, Clone)]
pub struct Concept {
    pub name: String,
    pub ty: Type,
    pub(crate) expr: Expr,
    pub explanation: Option<String>,
    /// What it reads, directly or through other concepts, in reading order.
    pub reads: Vec<Read>,
    pub span: Span,
}

/// A validity period: `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub span: Option<Span>,
}

impl Period {
    pub fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date < u)
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub title: Option<String>,
    pub(crate) condition: Expr,
    /// The condition as written (comments left out, white space folded), for a trace
    /// that shows the whole condition above its atoms.
    pub condition_text: String,
    pub outcome: Outcome,
    pub explanation: Option<String>,
    pub source: Option<String>,
    pub period: Period,
    /// The rules this rule is an exception to (groups expanded).
    pub exception_of: Vec<RuleId>,
    /// The groups it is an exception to as written (`groep zorg`, `regels met
    /// jeugdwet`), shown by `check` with the rules they stand for.
    pub exception_groups: Vec<String>,
    /// The rules that are exceptions to this rule (that can override it).
    pub exceptions: Vec<RuleId>,
    /// What the condition reads, directly or through concepts, in reading order.
    pub reads: Vec<Read>,
    /// The decision whose outcome this rule gives.
    pub decision: DecisionId,
    /// The groups it belongs to (`groep`).
    pub groups: Vec<String>,
    /// Whether the rule is declared (or replaced) in the file that was checked, as
    /// opposed to one of its bases.
    pub own: bool,
    pub span: Span,
    /// The rule's name where it is declared.
    pub name_span: Span,
}

/// An atomic condition: a comparison or a bare `ja/nee` fact or concept, as it is
/// shown in a trace.
#[derive(Debug, Clone)]
pub struct Atom {
    pub text: String,
    /// What the atom reads, through concepts too, in reading order.
    pub reads: Vec<Read>,
    pub span: Span,
}

/// What a `voorbeeld` expects of one decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    Incomplete(DecisionId),
    /// `verwacht route niet nodig`.
    NotNeeded(DecisionId),
    Outcome {
        decision: DecisionId,
        outcome: Outcome,
        decided_by: Vec<RuleId>,
    },
}

impl Expectation {
    pub fn decision(&self) -> DecisionId {
        match self {
            Expectation::Incomplete(d)
            | Expectation::NotNeeded(d)
            | Expectation::Outcome { decision: d, .. } => *d,
        }
    }
}

/// Where an example comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleOrigin {
    /// Written in the checked file.
    Own,
    /// A base's example, run as it is (`test --base`).
    Base { file: String },
    /// A base's example that this file marks as changed (`vervang voorbeeld`);
    /// `same_outcome` when only its facts change and it expects what the base expects.
    Changed { file: String, same_outcome: bool },
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub given: Vec<(FactId, Value)>,
    pub reference_date: Option<Date>,
    /// One per decision checked.
    pub expect: Vec<Expectation>,
    pub origin: ExampleOrigin,
    pub span: Span,
}

/// A typed expression. `Atom` marks the atomic conditions of a rule, whose values the
/// trace records.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Const(Value),
    Fact(FactId),
    Concept(ConceptId),
    Atom(AtomId, Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Compare, Box<Expr>, Box<Expr>),
    In {
        negated: bool,
        value: Box<Expr>,
        list: Vec<Value>,
    },
    Contains {
        negated: bool,
        list: Box<Expr>,
        item: Box<Expr>,
    },
    Arith(Arith, Box<Expr>, Box<Expr>, Span),
    Neg(Box<Expr>),
    /// `wet is jeugdwet` (`contains`: `wet bevat jeugdwet`; several values: `wet in
    /// [a, b]`): the outcome of another decision; unknown while it is incomplete.
    DecisionIs {
        decision: DecisionId,
        values: Vec<DomainId>,
        contains: bool,
        negated: bool,
    },
    /// `regel NAAM geldt`: whether a rule of another decision applies.
    RuleApplies {
        rule: RuleId,
        negated: bool,
    },
}

impl Expr {
    /// The direct subexpressions, in reading order (a concept's expression is not one).
    pub(crate) fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Const(_)
            | Expr::Fact(_)
            | Expr::Concept(_)
            | Expr::DecisionIs { .. }
            | Expr::RuleApplies { .. } => Vec::new(),
            Expr::Atom(_, x) | Expr::Not(x) | Expr::Neg(x) | Expr::In { value: x, .. } => {
                vec![x]
            }
            Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Compare(_, a, b)
            | Expr::Arith(_, a, b, _)
            | Expr::Contains {
                list: a, item: b, ..
            } => vec![a, b],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

/// Interned names of choice values, and the value sets of `keuze` and `lijst` types.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    names: Vec<String>,
    index: HashMap<String, Sym>,
    /// The values of each set, sorted by symbol.
    sets: Vec<Vec<Sym>>,
    set_index: HashMap<Vec<Sym>, SetId>,
}

impl Symbols {
    pub(crate) fn intern(&mut self, name: &str) -> Sym {
        if let Some(s) = self.index.get(name) {
            return *s;
        }
        let s = Sym::from_index(self.names.len());
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), s);
        s
    }

    pub fn get(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied()
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT: a Sym is only made by `intern` of these symbols"
    )]
    pub fn name(&self, sym: Sym) -> &str {
        &self.names[sym.index()]
    }

    /// The set of these values (in any order); equal sets share an id.
    pub(crate) fn set(&mut self, values: &[Sym]) -> SetId {
        let mut key = values.to_vec();
        key.sort();
        let next = SetId::from_index(self.sets.len());
        let set = *self.set_index.entry(key.clone()).or_insert(next);
        if set == next {
            self.sets.push(key);
        }
        set
    }

    /// The values of a set, sorted by symbol.
    pub fn set_values(&self, set: SetId) -> &[Sym] {
        self.sets.get(set.index()).map_or(&[], Vec::as_slice)
    }

    /// A type in words, as in "`x` is een getal": `een ja/nee-waarde`, `een keuze uit
    /// (a, b)`, ...
    pub fn type_words(&self, ty: Type) -> String {
        let values = |set: SetId| {
            self.set_values(set)
                .iter()
                .map(|s| self.name(*s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match ty {
            Type::Bool => "een ja/nee-waarde".to_string(),
            Type::Number => "een getal".to_string(),
            Type::Text => "een tekst".to_string(),
            Type::Choice(set) => format!("een keuze uit ({})", values(set)),
            Type::List(set) => format!("een lijst uit ({})", values(set)),
        }
    }
}

/// A value as a user gave it, before it is checked against a fact's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Bool(bool),
    Number(Decimal),
    /// A string, or a bare name in an example.
    Text(String),
    List(Vec<Raw>),
}

/// What holds when no rule applies (the grey area).
#[derive(Debug, Clone, PartialEq)]
pub enum Fallback {
    /// Written as `anders UITKOMST`, at `span`.
    Declared { outcome: Outcome, span: Span },
    /// No `anders`: an equal split over all domains (spec section 3).
    EqualSplit(Outcome),
}

impl Fallback {
    pub fn outcome(&self) -> &Outcome {
        match self {
            Fallback::Declared { outcome, .. } | Fallback::EqualSplit(outcome) => outcome,
        }
    }

    pub fn is_declared(&self) -> bool {
        matches!(self, Fallback::Declared { .. })
    }
}
