//! The checked rule set: what [`crate::check`] builds and [`crate::eval`] runs.
//!
//! Every name is resolved to an id, every expression is typed, every outcome is
//! normalised, and the order in which rules must be evaluated (exceptions first) is
//! fixed. Only `check` can construct a [`RuleSet`]; nothing in it refers to the AST or
//! to pest. Values ([`Value`]) and the conversion of user-given values into them
//! ([`RuleSet::convert`]) live here because both examples (in `check`) and cases (in
//! `case`) need them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::source::Span;

macro_rules! id {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize { self.0 as usize }
            pub(crate) fn from_index(i: usize) -> Self { $name(u32::try_from(i).unwrap_or(u32::MAX)) }
        }
    )*};
}
id!(FactId, ConceptId, RuleId, DomainId, AtomId, Sym, SetId);

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

    /// An outcome given by domain names (as `verdeel` writes it); unknown names are
    /// left out.
    pub fn split(rs: &RuleSet, shares: &[(&str, Decimal)]) -> Outcome {
        Outcome::new(
            shares
                .iter()
                .filter_map(|(name, p)| {
                    let d = rs.domains.iter().position(|d| d.name == *name)?;
                    Some((DomainId::from_index(d), *p))
                })
                .collect(),
        )
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
    pub payer: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub name: String,
    pub ty: Type,
    /// The values of a `keuze` or `lijst`, in declared order.
    pub values: Vec<Sym>,
    /// Inclusive bounds of a `getal tussen A en B`.
    pub bounds: Option<(Decimal, Decimal)>,
    pub question: Option<String>,
    pub explanation: Option<String>,
    pub unit: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Concept {
    pub name: String,
    pub ty: Type,
    pub(crate) expr: Expr,
    pub explanation: Option<String>,
    /// Facts read, directly or through other concepts, in reading order.
    pub reads: Vec<FactId>,
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
    pub outcome: Outcome,
    pub explanation: Option<String>,
    pub source: Option<String>,
    pub period: Period,
    /// The rules this rule is an exception to.
    pub exception_of: Vec<RuleId>,
    /// The rules that are exceptions to this rule (that can override it).
    pub exceptions: Vec<RuleId>,
    /// Facts read by the condition, directly or through concepts, in reading order.
    pub reads: Vec<FactId>,
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
    /// Facts the atom reads, through concepts too, in reading order.
    pub facts: Vec<FactId>,
    pub span: Span,
}

/// What a `voorbeeld` expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    Incomplete,
    Outcome {
        outcome: Outcome,
        decided_by: Vec<RuleId>,
    },
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub given: Vec<(FactId, Value)>,
    pub reference_date: Option<Date>,
    pub expect: Expectation,
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
}

impl Expr {
    /// The direct subexpressions, in reading order (a concept's expression is not one).
    pub(crate) fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Const(_) | Expr::Fact(_) | Expr::Concept(_) => Vec::new(),
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

/// Interned names of choice values.
#[derive(Debug, Clone, Default)]
pub struct Symbols {
    names: Vec<String>,
    index: HashMap<String, Sym>,
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

    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym.index()).map_or("?", String::as_str)
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

/// The checked rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub name: String,
    pub version: Option<String>,
    pub source: Option<String>,
    pub period: Period,
    /// The files read, bases first, as shown to users.
    pub files: Vec<String>,
    /// SHA-256 (hex) over the text of `files`, concatenated in that order.
    pub sha256: String,
    pub domains: Vec<Domain>,
    pub facts: Vec<Fact>,
    pub concepts: Vec<Concept>,
    pub rules: Vec<Rule>,
    pub atoms: Vec<Atom>,
    pub symbols: Symbols,
    /// Rule evaluation order: every exception before the rules it overrides.
    pub(crate) order: Vec<RuleId>,
    pub fallback: Outcome,
    /// Whether `anders` was written (otherwise the fallback is an equal split).
    pub fallback_declared: bool,
    /// Where the fallback is written (the rule set's name when it is not).
    pub fallback_span: Span,
    /// The name in the header of the file that was checked (its file is the own file).
    pub name_span: Span,
    pub conflict: Outcome,
    pub examples: Vec<Example>,
    /// The compiled form that evaluation runs.
    pub(crate) program: crate::eval::Program,
    /// Fact ids by name, for reading cases.
    pub(crate) fact_index: HashMap<String, FactId>,
}

impl RuleSet {
    pub fn fact(&self, id: FactId) -> Option<&Fact> {
        self.facts.get(id.index())
    }

    pub fn rule(&self, id: RuleId) -> Option<&Rule> {
        self.rules.get(id.index())
    }

    pub fn domain(&self, id: DomainId) -> Option<&Domain> {
        self.domains.get(id.index())
    }

    pub fn atom(&self, id: AtomId) -> Option<&Atom> {
        self.atoms.get(id.index())
    }

    pub fn fact_id(&self, name: &str) -> Option<FactId> {
        self.fact_index.get(name).copied()
    }

    pub fn rule_id(&self, name: &str) -> Option<RuleId> {
        self.rules
            .iter()
            .position(|r| r.name == name)
            .map(RuleId::from_index)
    }

    pub fn fact_name(&self, id: FactId) -> &str {
        self.fact(id).map_or("?", |f| f.name.as_str())
    }

    pub fn rule_name(&self, id: RuleId) -> &str {
        self.rule(id).map_or("?", |r| r.name.as_str())
    }

    pub fn domain_name(&self, id: DomainId) -> &str {
        self.domain(id).map_or("?", |d| d.name.as_str())
    }

    /// Converts a user-given value into a value of the fact's type, or says (in Dutch)
    /// what was expected.
    pub fn convert(&self, fact: &Fact, raw: &Raw) -> Result<Value, String> {
        let expected = || self.describe_type(fact);
        match (fact.ty, raw) {
            (Type::Bool, Raw::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Bool, Raw::Text(t)) if t == "ja" || t == "nee" => Ok(Value::Bool(t == "ja")),
            (Type::Number, Raw::Number(n)) => match fact.bounds {
                Some((low, high)) if *n < low || *n > high => Err(format!(
                    "{} ligt niet tussen {low} en {high}",
                    n.normalize()
                )),
                _ => Ok(Value::Number(*n)),
            },
            (Type::Text, Raw::Text(t)) => Ok(Value::Text(t.as_str().into())),
            (Type::Choice(_), Raw::Text(t)) => self.value_of(fact, t).map(Value::Choice),
            (Type::List(_), Raw::List(items)) => {
                let mut syms = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Raw::Text(t) => syms.push(self.value_of(fact, t)?),
                        other => {
                            return Err(format!(
                                "{} is geen waarde; verwacht {}",
                                describe_raw(other),
                                expected()
                            ))
                        }
                    }
                }
                syms.sort();
                syms.dedup();
                Ok(Value::List(syms))
            }
            (Type::List(_), Raw::Text(t)) => Err(format!(
                "een lijst schrijf je tussen blokhaken, bijvoorbeeld `[{t}]`; verwacht {}",
                expected()
            )),
            (_, other) => Err(format!(
                "{} past niet; verwacht {}",
                describe_raw(other),
                expected()
            )),
        }
    }

    fn value_of(&self, fact: &Fact, name: &str) -> Result<Sym, String> {
        self.symbols
            .get(name)
            .filter(|s| fact.values.contains(s))
            .ok_or_else(|| {
                let names = fact.values.iter().map(|s| self.symbols.name(*s));
                let guess = crate::check::suggest(name, names)
                    .map(|g| format!("bedoelde je `{g}`? "))
                    .unwrap_or_default();
                format!(
                    "`{name}` is geen waarde van `{}`; {guess}kies uit {}",
                    fact.name,
                    self.value_names(fact)
                )
            })
    }

    /// The values of a choice or list fact, for messages: `a`, `b` of `c`.
    pub fn value_names(&self, fact: &Fact) -> String {
        let names: Vec<String> = fact
            .values
            .iter()
            .map(|s| format!("`{}`", self.symbols.name(*s)))
            .collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} of {last}", init.join(", ")),
        }
    }

    /// A fact's type in words: "ja of nee", "een getal tussen 0 en 30", ...
    pub fn describe_type(&self, fact: &Fact) -> String {
        match fact.ty {
            Type::Bool => "`ja` of `nee`".to_string(),
            Type::Number => match fact.bounds {
                Some((l, h)) => format!("een getal tussen {l} en {h}"),
                None => "een getal".to_string(),
            },
            Type::Text => "een tekst".to_string(),
            Type::Choice(_) => format!("één van {}", self.value_names(fact)),
            Type::List(_) => format!("een lijst met waarden uit {}", self.value_names(fact)),
        }
    }

    /// A value as written in the language: `ja`, `12.5`, `leren`, `[eed, adhd]`, `"tekst"`.
    pub fn show(&self, value: &Value) -> String {
        ShowValue(self, value).to_string()
    }
}

fn describe_raw(raw: &Raw) -> String {
    match raw {
        Raw::Bool(b) => format!("`{}`", if *b { "ja" } else { "nee" }),
        Raw::Number(n) => format!("het getal {}", n.normalize()),
        Raw::Text(t) => format!("`{t}`"),
        Raw::List(_) => "een lijst".to_string(),
    }
}

struct ShowValue<'a>(&'a RuleSet, &'a Value);

impl fmt::Display for ShowValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ShowValue(rs, value) = self;
        match value {
            Value::Bool(true) => f.write_str("ja"),
            Value::Bool(false) => f.write_str("nee"),
            Value::Number(n) => write!(f, "{}", n.normalize()),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Choice(s) => f.write_str(rs.symbols.name(*s)),
            Value::List(items) => {
                let names: Vec<&str> = items.iter().map(|s| rs.symbols.name(*s)).collect();
                write!(f, "[{}]", names.join(", "))
            }
        }
    }
}
