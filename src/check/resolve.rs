//! Merging a file with its bases (`gebaseerd op`) into one list of declarations.
//!
//! Files come bases first. A later file may add declarations, replace one of its
//! base (`vervang`), remove a rule (`schrap`), and give its own `anders` and
//! `bij conflict`. Replaced declarations keep their place, so the trace order stays
//! the order of the base; new ones come after. Only the last file's examples count.

use std::collections::HashMap;

use crate::ast::{
    ConceptDecl, Decl, DeclKind, DomainDecl, ExampleDecl, FactDecl, File, Ident, Outcome, RuleDecl,
};
use crate::diagnostic::{Code, Problem, Problems};
use crate::source::Span;

/// A named declaration.
#[derive(Clone, Copy)]
enum Item<'a> {
    Domain(&'a DomainDecl),
    Fact(&'a FactDecl),
    Concept(&'a ConceptDecl),
    Rule(&'a RuleDecl),
}

impl<'a> Item<'a> {
    fn of(decl: &'a Decl) -> Option<Item<'a>> {
        match decl {
            Decl::Domain(d) => Some(Item::Domain(d)),
            Decl::Fact(f) => Some(Item::Fact(f)),
            Decl::Concept(c) => Some(Item::Concept(c)),
            Decl::Rule(r) => Some(Item::Rule(r)),
            _ => None,
        }
    }

    fn key(&self) -> (DeclKind, &'a str, Span) {
        match self {
            Item::Domain(d) => (DeclKind::Domain, &d.name.name, d.name.span),
            Item::Fact(f) => (DeclKind::Fact, &f.name.name, f.name.span),
            Item::Concept(c) => (DeclKind::Concept, &c.name.name, c.name.span),
            Item::Rule(r) => (DeclKind::Rule, &r.name.name, r.name.span),
        }
    }
}

/// The merged declarations of a chain of files, by kind, each in order.
pub(super) struct Merged<'a> {
    pub domains: Vec<&'a DomainDecl>,
    pub facts: Vec<&'a FactDecl>,
    pub concepts: Vec<&'a ConceptDecl>,
    /// With whether the rule comes from the last file (rather than a base).
    pub rules: Vec<(&'a RuleDecl, bool)>,
    pub fallback: Option<&'a Outcome>,
    pub conflict: Option<&'a Outcome>,
    pub examples: Vec<&'a ExampleDecl>,
}

pub(super) fn merge<'a>(files: &'a [File], problems: &mut Problems) -> Merged<'a> {
    let mut m = Merger {
        slots: Vec::new(),
        index: HashMap::new(),
        fallback: None,
        conflict: None,
        examples: Vec::new(),
        problems,
    };
    let last = files.len().saturating_sub(1);
    for (i, file) in files.iter().enumerate() {
        for decl in &file.decls {
            match decl {
                Decl::Replace(inner, span) => m.replace(inner, *span, i),
                Decl::Remove(name, span) => m.remove(name, *span, i),
                Decl::Fallback(o) => set_clause(&mut m.fallback, o, i, "anders", m.problems),
                Decl::Conflict(o) => set_clause(&mut m.conflict, o, i, "bij conflict", m.problems),
                Decl::Example(e) => {
                    if i == last {
                        m.examples.push(e);
                    }
                }
                other => m.declare(other, i),
            }
        }
    }
    let mut merged = Merged {
        domains: Vec::new(),
        facts: Vec::new(),
        concepts: Vec::new(),
        rules: Vec::new(),
        fallback: m.fallback.map(|(o, _)| o),
        conflict: m.conflict.map(|(o, _)| o),
        examples: m.examples,
    };
    for (item, file) in m.slots.into_iter().flatten() {
        match item {
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
    fallback: Option<(&'a Outcome, usize)>,
    conflict: Option<(&'a Outcome, usize)>,
    examples: Vec<&'a ExampleDecl>,
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

    /// `schrap regel NAAM`: the rule's slot is emptied.
    fn remove(&mut self, name: &'a Ident, span: Span, file: usize) {
        if file == 0 {
            self.problems.push(without_base(span, "schrap regel"));
            return;
        }
        match self.live_slot(DeclKind::Rule, &name.name) {
            Some(slot) => {
                if let Some(s) = self.slots.get_mut(slot) {
                    *s = None;
                }
            }
            None => self.problems.push(unknown_override(
                DeclKind::Rule,
                &name.name,
                name.span,
                &self.index,
            )),
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

fn set_clause<'a>(
    slot: &mut Option<(&'a Outcome, usize)>,
    o: &'a Outcome,
    file: usize,
    what: &str,
    problems: &mut Problems,
) {
    if let Some((first, from)) = slot {
        if *from == file {
            problems.push(
                Problem::error(
                    Code::DuplicateClause,
                    o.span(),
                    format!("`{what}` staat hier voor de tweede keer"),
                )
                .label("tweede keer")
                .also(first.span(), "eerste keer")
                .help(format!(
                    "een regelset heeft één `{what}`; laat er één staan"
                )),
            );
            return;
        }
    }
    *slot = Some((o, file));
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
