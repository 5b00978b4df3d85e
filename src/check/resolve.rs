//! Merging a file with its bases (`gebaseerd op`) into one list of declarations.
//!
//! Files come bases first. A later file may add declarations, replace one of its
//! base (`vervang`), remove a rule (`schrap`), give its own `anders` and `bij conflict`
//! (which decision each is for, `check` finds from the values it names), and say what a
//! base's example gives in it (`vervang voorbeeld`). Replaced declarations keep their
//! place, so the trace order stays the order of the base; new ones come after. The last
//! file's examples are its own; the bases' examples are kept apart (`test --base`).

use std::collections::HashMap;

use crate::ast::{
    ConceptDecl, DecisionDecl, Decl, DeclKind, DomainDecl, ExampleChange, ExampleDecl, FactDecl,
    File, Ident, Outcome, RuleDecl,
};
use crate::diagnostic::{Code, Problem, Problems};
use crate::source::Span;

/// A named declaration.
#[derive(Clone, Copy)]
enum Item<'a> {
    Decision(&'a DecisionDecl),
    Domain(&'a DomainDecl),
    Fact(&'a FactDecl),
    Concept(&'a ConceptDecl),
    Rule(&'a RuleDecl),
}

impl<'a> Item<'a> {
    fn of(decl: &'a Decl) -> Option<Item<'a>> {
        match decl {
            Decl::Decision(d) => Some(Item::Decision(d)),
            Decl::Domain(d) => Some(Item::Domain(d)),
            Decl::Fact(f) => Some(Item::Fact(f)),
            Decl::Concept(c) => Some(Item::Concept(c)),
            Decl::Rule(r) => Some(Item::Rule(r)),
            _ => None,
        }
    }

    fn key(&self) -> (DeclKind, &'a str, Span) {
        match self {
            Item::Decision(d) => (DeclKind::Decision, &d.name.name, d.name.span),
            Item::Domain(d) => (DeclKind::Domain, &d.name.name, d.name.span),
            Item::Fact(f) => (DeclKind::Fact, &f.name.name, f.name.span),
            Item::Concept(c) => (DeclKind::Concept, &c.name.name, c.name.span),
            Item::Rule(r) => (DeclKind::Rule, &r.name.name, r.name.span),
        }
    }
}

/// The merged declarations of a chain of files, by kind, each in order.
pub(super) struct Merged<'a> {
    pub decisions: Vec<&'a DecisionDecl>,
    pub domains: Vec<&'a DomainDecl>,
    pub facts: Vec<&'a FactDecl>,
    pub concepts: Vec<&'a ConceptDecl>,
    /// With whether the rule comes from the last file (rather than a base).
    pub rules: Vec<(&'a RuleDecl, bool)>,
    /// Every `anders`, with the index of its file (a later file's wins).
    pub fallbacks: Vec<(&'a Outcome, usize)>,
    /// Every `bij conflict`, with the index of its file.
    pub conflicts: Vec<(&'a Outcome, usize)>,
    /// The checked file's own examples.
    pub examples: Vec<&'a ExampleDecl>,
    /// The bases' examples, with the file they come from, and the latest `vervang
    /// voorbeeld` of each (from a later file).
    pub base_examples: Vec<(&'a ExampleDecl, usize, Option<&'a ExampleChange>)>,
    /// Rules removed by `schrap regel`, with where: references to them are not errors in
    /// the bases, and point at the `schrap` elsewhere.
    pub removed: Vec<(&'a Ident, Span)>,
}

pub(super) fn merge<'a>(files: &'a [File], problems: &mut Problems) -> Merged<'a> {
    let mut m = Merger {
        slots: Vec::new(),
        index: HashMap::new(),
        problems,
    };
    let last = files.len().saturating_sub(1);
    let (mut fallbacks, mut conflicts, mut examples) = (Vec::new(), Vec::new(), Vec::new());
    let mut base_examples: Vec<(&ExampleDecl, usize, Option<&ExampleChange>)> = Vec::new();
    let mut removed = Vec::new();
    for (i, file) in files.iter().enumerate() {
        for decl in &file.decls {
            match decl {
                Decl::Replace(inner, span) => m.replace(inner, *span, i),
                Decl::Remove(name, span) => {
                    if m.remove(name, *span, i) {
                        removed.push((name, *span));
                    }
                }
                Decl::Fallback(o) => fallbacks.push((o, i)),
                Decl::Conflict(o) => conflicts.push((o, i)),
                Decl::Example(e) if i == last => examples.push(e),
                Decl::Example(e) => base_examples.push((e, i, None)),
                Decl::ReplaceExample(change) => {
                    let base = base_examples
                        .iter_mut()
                        .find(|(e, _, _)| e.name.value == change.name.value);
                    match base {
                        Some((_, _, slot)) => *slot = Some(change),
                        None => m.problems.push(unknown_example(change, i == 0)),
                    }
                }
                other => m.declare(other, i),
            }
        }
    }
    let mut merged = Merged {
        decisions: Vec::new(),
        domains: Vec::new(),
        facts: Vec::new(),
        concepts: Vec::new(),
        rules: Vec::new(),
        fallbacks,
        conflicts,
        examples,
        base_examples,
        removed,
    };
    for (item, file) in m.slots.into_iter().flatten() {
        match item {
            Item::Decision(d) => merged.decisions.push(d),
            Item::Domain(d) => merged.domains.push(d),
            Item::Fact(f) => merged.facts.push(f),
            Item::Concept(c) => merged.concepts.push(c),
            Item::Rule(r) => merged.rules.push((r, file == last)),
        }
    }
    merged
}

/// The declarations merged so far, in order; a removed one leaves an empty slot.
struct Merger<'a, 'p> {
    slots: Vec<Option<(Item<'a>, usize)>>,
    index: HashMap<(DeclKind, &'a str), usize>,
    problems: &'p mut Problems,
}

impl<'a> Merger<'a, '_> {
    /// The slot of a declaration that is still there.
    fn live_slot(&self, kind: DeclKind, name: &str) -> Option<usize> {
        self.index
            .get(&(kind, name))
            .copied()
            .filter(|slot| self.slots.get(*slot).is_some_and(Option::is_some))
    }

    /// `vervang ...`: the new declaration takes the place of the base's.
    fn replace(&mut self, inner: &'a Decl, span: Span, file: usize) {
        let Some(item) = Item::of(inner) else {
            return;
        };
        let (kind, name, name_span) = item.key();
        if file == 0 {
            self.problems
                .push(without_base(span, &format!("vervang {}", kind.keyword())));
            return;
        }
        match self.live_slot(kind, name) {
            Some(slot) => {
                if let Some(s) = self.slots.get_mut(slot) {
                    *s = Some((item, file));
                }
            }
            None => self
                .problems
                .push(unknown_override(kind, name, name_span, &self.index)),
        }
    }

    /// `schrap regel NAAM`: the rule's slot is emptied. True when there was one.
    fn remove(&mut self, name: &'a Ident, span: Span, file: usize) -> bool {
        if file == 0 {
            self.problems.push(without_base(span, "schrap regel"));
            return false;
        }
        match self.live_slot(DeclKind::Rule, &name.name) {
            Some(slot) => {
                if let Some(s) = self.slots.get_mut(slot) {
                    *s = None;
                }
                true
            }
            None => {
                self.problems.push(unknown_override(
                    DeclKind::Rule,
                    &name.name,
                    name.span,
                    &self.index,
                ));
                false
            }
        }
    }

    /// A new declaration; a name that is taken is a problem.
    fn declare(&mut self, decl: &'a Decl, file: usize) {
        let Some(item) = Item::of(decl) else {
            return;
        };
        let (kind, name, name_span) = item.key();
        let existing = self
            .index
            .get(&(kind, name))
            .and_then(|s| self.slots.get(*s))
            .and_then(|s| s.as_ref());
        let Some((existing, from)) = existing else {
            self.index.insert((kind, name), self.slots.len());
            self.slots.push(Some((item, file)));
            return;
        };
        let first = existing.key().2;
        let p = Problem::error(
            Code::DuplicateName,
            name_span,
            format!("er is al een {} met de naam `{name}`", kind.keyword()),
        )
        .label("tweede declaratie");
        let p = if *from == file {
            p.also(first, "eerste declaratie")
                .help("geef een van beide een andere naam")
        } else {
            p.help(format!(
                "het basisbestand heeft al een {0} `{name}`; schrijf `vervang {0} {name}` om die te vervangen",
                kind.keyword()
            ))
        };
        self.problems.push(p);
    }
}

/// `vervang voorbeeld "Naam"` for an example no base has.
fn unknown_example(change: &ExampleChange, first_file: bool) -> Problem {
    if first_file {
        return without_base(change.span, "vervang voorbeeld");
    }
    Problem::error(
        Code::OverrideUnknown,
        change.name.span,
        format!(
            "het basisbestand heeft geen voorbeeld `{}`",
            change.name.value
        ),
    )
    .label("onbekend voorbeeld in het basisbestand")
    .help("schrijf de naam precies zoals in het basisbestand; een nieuw voorbeeld schrijft u als `voorbeeld` zonder `vervang`")
}

fn without_base(span: Span, what: &str) -> Problem {
    Problem::error(
        Code::OverrideWithoutBase,
        span,
        format!("`{what}` kan alleen in een bestand dat `gebaseerd op` een ander bestand is"),
    )
    .label("er is geen basisbestand")
    .help("voeg in de kop `gebaseerd op \"pad/naar/basis.regels\"` toe, of schrijf een gewone declaratie")
}

fn unknown_override(
    kind: DeclKind,
    name: &str,
    span: Span,
    index: &HashMap<(DeclKind, &str), usize>,
) -> Problem {
    let candidates = index.keys().filter(|(k, _)| *k == kind).map(|(_, n)| *n);
    Problem::error(
        Code::OverrideUnknown,
        span,
        format!("het basisbestand heeft geen {} `{name}`", kind.keyword()),
    )
    .label("onbekend in het basisbestand")
    .did_you_mean(name, candidates)
}
