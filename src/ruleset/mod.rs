//! The checked rule set: what [`crate::check`] builds and [`crate::eval`] runs.
//!
//! Every name is resolved to an id, every expression is typed, every outcome is
//! normalised, the order in which rules are evaluated (exceptions first) is fixed, and
//! the conditions are compiled ([`program`]). A [`RuleSet`] is sealed: its one
//! constructor ([`RuleSet::new`], used by `check`) builds the compiled program and the
//! name indexes from the same parts, and nothing can change a part afterwards, so the
//! program can never be stale. Values ([`Value`]) and the conversion of user-given
//! values into them ([`RuleSet::convert`]) live here because examples (in `check`) and
//! cases (in `case`) both need them.
//!
//! This module depends on nothing but [`crate::source`] and [`crate::text`]: the stages
//! that build it and run it depend on it, never the other way round.

pub(crate) mod bits;
mod model;
pub(crate) mod program;
pub(crate) mod tables;

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;

pub use model::*;
pub use program::Program;

/// The law: the decision whose values are the `domein`s, always the first.
pub const LAW: DecisionId = DecisionId(0);

/// The keys of a case that are not facts: its identifier, its reference date and its
/// costs. No fact can have one of these names (a case could never give it).
pub const CASE_KEYS: [&str; 3] = ["id", "peildatum", "kosten"];

use crate::source::Span;

/// What `check` hands to [`RuleSet::new`].
#[derive(Debug, Clone)]
pub struct Parts {
    pub name: String,
    pub version: Option<String>,
    pub source: Option<String>,
    pub period: Period,
    pub files: Vec<String>,
    pub sha256: String,
    /// The law (always first, named `wet`, its values the `domein`s) and every
    /// `beslissing`.
    pub decisions: Vec<DecisionDef>,
    /// Every decision after the decisions it reads (checked acyclic).
    pub decision_order: Vec<DecisionId>,
    /// The values of every decision: the law's `domein`s first.
    pub domains: Vec<Domain>,
    pub facts: Vec<Fact>,
    pub concepts: Vec<Concept>,
    pub rules: Vec<Rule>,
    pub atoms: Vec<Atom>,
    pub symbols: Symbols,
    /// Every exception before the rules it overrides (checked acyclic).
    pub order: Vec<RuleId>,
    /// The name in the header of the file that was checked.
    pub name_span: Span,
    /// The rules removed with `schrap regel`: the name and the place of the `schrap`.
    pub removed: Vec<(String, Span)>,
}

/// The checked rule set. Built once by `check`; read through its getters.
#[derive(Debug, Clone)]
pub struct RuleSet {
    parts: Parts,
    examples: Vec<Example>,
    base_examples: Vec<Example>,
    program: Program,
    /// The decision tables of untraced evaluation, built on first use.
    tables: std::sync::OnceLock<tables::Tables>,
    facts_by_name: HashMap<String, FactId>,
    rules_by_name: HashMap<String, RuleId>,
    domains_by_name: HashMap<String, DomainId>,
    decisions_by_name: HashMap<String, DecisionId>,
}

fn index_by_name<T, I>(
    items: &[T],
    name: impl Fn(&T) -> &str,
    id: impl Fn(usize) -> I,
) -> HashMap<String, I> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| (name(item).to_string(), id(i)))
        .collect()
}

impl RuleSet {
    /// Seals the parts: compiles the conditions and indexes the names.
    pub(crate) fn new(parts: Parts) -> RuleSet {
        let program = Program::compile(&parts);
        let facts_by_name = index_by_name(&parts.facts, |f| &f.name, FactId::from_index);
        let rules_by_name = index_by_name(&parts.rules, |r| &r.name, RuleId::from_index);
        let domains_by_name = index_by_name(&parts.domains, |d| &d.name, DomainId::from_index);
        let decisions_by_name =
            index_by_name(&parts.decisions, |d| &d.name, DecisionId::from_index);
        RuleSet {
            parts,
            examples: Vec::new(),
            base_examples: Vec::new(),
            program,
            tables: std::sync::OnceLock::new(),
            facts_by_name,
            rules_by_name,
            domains_by_name,
            decisions_by_name,
        }
    }

    /// The rule set with its `voorbeeld` blocks and its bases' examples, which are
    /// checked against the sealed rule set (they name its facts, values and rules).
    pub(crate) fn with_examples(mut self, own: Vec<Example>, base: Vec<Example>) -> RuleSet {
        self.examples = own;
        self.base_examples = base;
        self
    }

    pub fn name(&self) -> &str {
        &self.parts.name
    }

    /// The rules of the bases removed with `schrap regel`, each with the place of its
    /// `schrap` (in the checked file or a base between).
    pub fn removed(&self) -> &[(String, Span)] {
        &self.parts.removed
    }

    pub fn version(&self) -> Option<&str> {
        self.parts.version.as_deref()
    }

    /// The header's `bron`.
    pub fn source(&self) -> Option<&str> {
        self.parts.source.as_deref()
    }

    /// When the rule set is in force.
    pub fn period(&self) -> Period {
        self.parts.period
    }

    /// The files read, bases first, as shown to users.
    pub fn files(&self) -> &[String] {
        &self.parts.files
    }

    /// SHA-256 (hex) over the text of [`RuleSet::files`], concatenated in that order.
    pub fn sha256(&self) -> &str {
        &self.parts.sha256
    }

    pub fn domains(&self) -> &[Domain] {
        &self.parts.domains
    }

    pub fn facts(&self) -> &[Fact] {
        &self.parts.facts
    }

    pub fn concepts(&self) -> &[Concept] {
        &self.parts.concepts
    }

    /// Every rule, in file order (bases first).
    pub fn rules(&self) -> &[Rule] {
        &self.parts.rules
    }

    /// The atomic conditions, as the trace shows them.
    pub fn atoms(&self) -> &[Atom] {
        &self.parts.atoms
    }

    pub fn symbols(&self) -> &Symbols {
        &self.parts.symbols
    }

    /// The checked file's own `voorbeeld` blocks.
    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// The bases' examples as they run in this rule set (`test --base`), with the ones
    /// this file marks as changed.
    pub fn base_examples(&self) -> &[Example] {
        &self.base_examples
    }

    /// The law's fallback (the grey area).
    pub fn fallback(&self) -> &Fallback {
        &self.law().fallback
    }

    /// The law's outcome when applying rules disagree.
    pub fn conflict(&self) -> &Outcome {
        &self.law().conflict
    }

    /// The decision whose values are the `domein`s: the law (spec section 8's
    /// decision).
    pub fn law(&self) -> &DecisionDef {
        self.decision(LAW)
    }

    /// Every decision: the law first, then each `beslissing` in order.
    pub fn decisions(&self) -> &[DecisionDef] {
        &self.parts.decisions
    }

    /// The decisions besides the law, with their ids.
    pub fn further_decisions(&self) -> impl Iterator<Item = (DecisionId, &DecisionDef)> {
        self.parts
            .decisions
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, d)| (DecisionId::from_index(i), d))
    }

    /// Every decision after the decisions it reads.
    pub fn decision_order(&self) -> &[DecisionId] {
        &self.parts.decision_order
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT: ids are made by `check` for this rule set's own tables; the law is always there"
    )]
    pub fn decision(&self, id: DecisionId) -> &DecisionDef {
        &self.parts.decisions[id.index()]
    }

    pub fn decision_id(&self, name: &str) -> Option<DecisionId> {
        self.decisions_by_name.get(name).copied()
    }

    /// The rules of one decision, in file order.
    pub fn rules_of(&self, decision: DecisionId) -> impl Iterator<Item = RuleId> + '_ {
        self.rule_ids()
            .filter(move |r| self.rule(*r).decision == decision)
    }

    /// Whether the rule set declares more than the law: its decisions' JSON then has
    /// the additive keys of `docs/contract.md`.
    pub fn has_further_decisions(&self) -> bool {
        self.parts.decisions.len() > 1
    }

    /// Whether a payer depends on the case (a `betaler` that names a fact).
    pub fn has_case_payers(&self) -> bool {
        self.payer_facts().next().is_some()
    }

    /// The facts that payers name (`betaler woongemeente`), once per domain or value
    /// that names them.
    pub fn payer_facts(&self) -> impl Iterator<Item = FactId> + '_ {
        self.parts.domains.iter().filter_map(|d| match d.payer {
            Some(Payer::Fact(f)) => Some(f),
            _ => None,
        })
    }

    /// The name in the header of the checked file (where findings about the whole rule
    /// set are placed).
    pub fn name_span(&self) -> Span {
        self.parts.name_span
    }

    /// Where the grey area is settled: the `anders` clause, or the rule set's name when
    /// there is none.
    pub fn fallback_span(&self) -> Span {
        self.fallback_span_of(LAW)
    }

    /// Where a decision's grey area is settled: its `anders`, or the rule set's name.
    pub fn fallback_span_of(&self, decision: DecisionId) -> Span {
        match &self.decision(decision).fallback {
            Fallback::Declared { span, .. } => *span,
            Fallback::EqualSplit(_) => self.parts.name_span,
        }
    }

    /// Rule evaluation order: every exception before the rules it overrides.
    pub fn order(&self) -> &[RuleId] {
        &self.parts.order
    }

    /// Where the decision tables are kept once built (by `eval`, which can evaluate
    /// the representatives of their cells).
    pub(crate) fn tables_cell(&self) -> &std::sync::OnceLock<tables::Tables> {
        &self.tables
    }

    pub(crate) fn program(&self) -> &Program {
        &self.program
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT: ids are made by `check` for this rule set's own tables"
    )]
    pub fn fact(&self, id: FactId) -> &Fact {
        &self.parts.facts[id.index()]
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT: ids are made by `check` for this rule set's own tables"
    )]
    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.parts.rules[id.index()]
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT: ids are made by `check` for this rule set's own tables"
    )]
    pub fn domain(&self, id: DomainId) -> &Domain {
        &self.parts.domains[id.index()]
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT: ids are made by `check` for this rule set's own tables"
    )]
    pub fn concept(&self, id: ConceptId) -> &Concept {
        &self.parts.concepts[id.index()]
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "INVARIANT: ids are made by `check` for this rule set's own tables"
    )]
    pub fn atom(&self, id: AtomId) -> &Atom {
        &self.parts.atoms[id.index()]
    }

    pub fn fact_id(&self, name: &str) -> Option<FactId> {
        self.facts_by_name.get(name).copied()
    }

    pub fn rule_id(&self, name: &str) -> Option<RuleId> {
        self.rules_by_name.get(name).copied()
    }

    pub fn domain_id(&self, name: &str) -> Option<DomainId> {
        self.domains_by_name.get(name).copied()
    }

    pub fn fact_name(&self, id: FactId) -> &str {
        &self.fact(id).name
    }

    pub fn rule_name(&self, id: RuleId) -> &str {
        &self.rule(id).name
    }

    pub fn domain_name(&self, id: DomainId) -> &str {
        &self.domain(id).name
    }

    /// Every fact id, in declaration order.
    pub fn fact_ids(&self) -> impl Iterator<Item = FactId> {
        (0..self.parts.facts.len()).map(FactId::from_index)
    }

    /// Every rule id, in file order.
    pub fn rule_ids(&self) -> impl Iterator<Item = RuleId> {
        (0..self.parts.rules.len()).map(RuleId::from_index)
    }

    /// The law's decision, then the further decisions, in declaration order.
    pub fn decision_ids(&self) -> impl Iterator<Item = DecisionId> {
        (0..self.parts.decisions.len()).map(DecisionId::from_index)
    }

    /// An outcome given by domain names (as `verdeel` writes it); unknown names are
    /// left out.
    pub fn outcome_of(&self, shares: &[(&str, Decimal)]) -> Outcome {
        Outcome::new(
            shares
                .iter()
                .filter_map(|(name, p)| Some((self.domain_id(name)?, *p)))
                .collect(),
        )
    }

    /// An outcome as written in the language: `jeugdwet` or `verdeel onderwijs 50%,
    /// jeugdwet 50%`.
    pub fn outcome_words(&self, outcome: &Outcome) -> String {
        let shares: Vec<(&str, Decimal)> = outcome
            .shares()
            .iter()
            .map(|(d, p)| (self.domain_name(*d), *p))
            .collect();
        shares_words(&shares)
    }

    /// Converts a user-given value into a value of the fact's type, or says (in Dutch)
    /// what was expected.
    pub fn convert(&self, fact: &Fact, raw: &Raw) -> Result<Value, String> {
        let expected = || self.describe_type(fact);
        match (fact.ty, raw) {
            (Type::Bool, Raw::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Bool, Raw::Text(t)) if t == "ja" || t == "nee" => Ok(Value::Bool(t == "ja")),
            (Type::Number, Raw::Number(n)) => match fact.bounds {
                Some((low, high)) if !fact.admits(*n) => Err(format!(
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
                "een lijst schrijft u tussen blokhaken, bijvoorbeeld `[{}]`; verwacht {}",
                crate::text::excerpt(t),
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
        self.symbols()
            .get(name)
            .filter(|s| fact.values.contains(s))
            .ok_or_else(|| {
                let names = fact.values.iter().map(|s| self.symbols().name(*s));
                let guess = crate::diagnostic::did_you_mean(name, names)
                    .map(|g| format!("{g} "))
                    .unwrap_or_default();
                format!(
                    "`{}` is geen waarde van `{}`; {guess}kies uit {}",
                    crate::text::excerpt(name),
                    fact.name,
                    self.value_names(fact)
                )
            })
    }

    /// The values of a choice or list fact, for messages: `a`, `b` of `c`.
    pub fn value_names(&self, fact: &Fact) -> String {
        let names: Vec<&str> = fact
            .values
            .iter()
            .map(|s| self.symbols().name(*s))
            .collect();
        crate::text::quoted_choices(&names)
    }

    /// What a fact expects, in words: "`ja` of `nee`", "een getal tussen 0 en 30", ...
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

    /// The label of a value of a `keuze` or `lijst` fact, when it has one.
    pub fn label<'f>(&self, fact: &'f Fact, value: Sym) -> Option<&'f str> {
        fact.values
            .iter()
            .position(|v| *v == value)
            .and_then(|i| fact.labels.get(i))
            .and_then(|l| l.as_deref())
    }

    /// A fact's value for people, as written in the language with each value's label:
    /// `po (basisonderwijs)`, `[eed, adhd (ADHD)]`; a label that already names the value
    /// stands alone (`basisonderwijs (po)`).
    pub fn show_labelled(&self, fact: &Fact, value: &Value) -> String {
        let one = |s: Sym| {
            let name = self.symbols().name(s);
            match self.label(fact, s) {
                Some(l)
                    if l.eq_ignore_ascii_case(name)
                        || l.to_lowercase()
                            .contains(&format!("({})", name.to_lowercase())) =>
                {
                    l.to_string()
                }
                Some(l) => format!("{name} ({l})"),
                None => name.to_string(),
            }
        };
        match value {
            Value::Choice(s) => one(*s),
            Value::List(items) => {
                let shown: Vec<String> = items.iter().map(|s| one(*s)).collect();
                format!("[{}]", shown.join(", "))
            }
            _ => self.show(value),
        }
    }
}

/// Shares given by domain name, as written in the language: `jeugdwet`, or `verdeel
/// onderwijs 50%, jeugdwet 50%`.
pub fn shares_words<S: AsRef<str>>(shares: &[(S, Decimal)]) -> String {
    match shares {
        [(d, _)] => d.as_ref().to_string(),
        _ => {
            let parts: Vec<String> = shares
                .iter()
                .map(|(d, p)| format!("{} {}%", d.as_ref(), p.normalize()))
                .collect();
            format!("verdeel {}", parts.join(", "))
        }
    }
}

fn describe_raw(raw: &Raw) -> String {
    match raw {
        Raw::Bool(b) => format!("`{}`", if *b { "ja" } else { "nee" }),
        Raw::Number(n) => format!("het getal {}", n.normalize()),
        Raw::Text(t) => format!("`{}`", crate::text::excerpt(t)),
        Raw::List(_) => "een lijst".to_string(),
    }
}

struct ShowValue<'a>(&'a RuleSet, &'a Value);

impl fmt::Display for ShowValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ShowValue(rs, value) = self;
        let symbols = rs.symbols();
        match value {
            Value::Bool(true) => f.write_str("ja"),
            Value::Bool(false) => f.write_str("nee"),
            Value::Number(n) => write!(f, "{}", n.normalize()),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Choice(s) => f.write_str(symbols.name(*s)),
            Value::List(items) => {
                let names: Vec<&str> = items.iter().map(|s| symbols.name(*s)).collect();
                write!(f, "[{}]", names.join(", "))
            }
        }
    }
}
