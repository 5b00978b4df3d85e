//! Outcomes: a value or a `verdeel` over values of one decision, normalised; and the
//! `anders` and `bij conflict` of every decision (each names values of one decision, so
//! it says which decision it is for).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::resolve::Merged;
use super::{Checker, Names};
use crate::ast;
use crate::diagnostic::{did_you_mean, Code, Problem};
use crate::ruleset::{DecisionDef, DecisionId, Domain, DomainId, Fallback, Outcome};
use crate::source::Span;

impl Checker<'_> {
    /// Checks and normalises an outcome; with the decision whose values it names.
    pub(super) fn outcome(
        &mut self,
        o: &ast::Outcome,
        names: &HashMap<String, DomainId>,
        domains: &[Domain],
    ) -> Option<(DecisionId, Outcome)> {
        match o {
            ast::Outcome::Domain(d) => {
                let id = self.domain_ref(d, names, domains)?;
                let decision = domains.get(id.index())?.decision;
                Some((decision, Outcome::new(vec![(id, Decimal::ONE_HUNDRED)])))
            }
            ast::Outcome::Split(shares, span) => self.split(shares, *span, names, domains),
        }
    }

    fn split(
        &mut self,
        shares: &[ast::Share],
        span: Span,
        names: &HashMap<String, DomainId>,
        domains: &[Domain],
    ) -> Option<(DecisionId, Outcome)> {
        let mut seen: HashMap<DomainId, Span> = HashMap::new();
        let mut out = Vec::new();
        let mut total = Decimal::ZERO;
        let mut ok = true;
        let mut decision: Option<(DecisionId, Span)> = None;
        for share in shares {
            total = total
                .checked_add(share.percent.value)
                .unwrap_or(Decimal::MAX);
            let Some(d) = self.domain_ref(&share.domain, names, domains) else {
                ok = false;
                continue;
            };
            let of = domains.get(d.index()).map(|x| x.decision);
            match (decision, of) {
                (None, Some(of)) => decision = Some((of, share.domain.span)),
                (Some((first, first_span)), Some(of)) if first != of => {
                    self.error(
                        Problem::error(
                            Code::TypeMismatch,
                            share.domain.span,
                            format!("`{}` is een waarde van een andere beslissing dan de rest van deze verdeling", share.domain.name),
                        )
                        .label("andere beslissing")
                        .also(first_span, "deze hoort bij een andere beslissing")
                        .help("een `verdeel` verdeelt over de waarden van één beslissing; schrijf voor elke beslissing een eigen regel"),
                    );
                    ok = false;
                }
                _ => {}
            }
            if let Some(first) = seen.insert(d, share.domain.span) {
                self.error(
                    Problem::error(
                        Code::DuplicateShare,
                        share.domain.span,
                        format!(
                            "`{}` krijgt hier voor de tweede keer een deel",
                            share.domain.name
                        ),
                    )
                    .label("tweede keer")
                    .also(first, "eerste keer")
                    .help("noem elk domein één keer en tel de percentages op"),
                );
                ok = false;
            }
            out.push((d, share.percent.value));
        }
        if total != Decimal::ONE_HUNDRED {
            self.error(
                Problem::error(
                    Code::SplitNot100,
                    span,
                    format!(
                        "de percentages tellen op tot {}% in plaats van 100%",
                        total.normalize()
                    ),
                )
                .label(format!("samen {}%", total.normalize()))
                .help("pas de percentages aan zodat ze samen precies 100% zijn"),
            );
            ok = false;
        }
        let (decision, _) = decision?;
        ok.then(|| (decision, Outcome::new(out)))
    }

    fn domain_ref(
        &mut self,
        d: &ast::Ident,
        names: &HashMap<String, DomainId>,
        domains: &[Domain],
    ) -> Option<DomainId> {
        if let Some(id) = names.get(d.name.as_str()) {
            return Some(*id);
        }
        let decisions = domains.iter().any(|x| x.decision.index() != 0);
        let fact = self.fact_names.contains(&d.name).then(|| {
            let mut known: Vec<&str> = names.keys().map(String::as_str).collect();
            known.sort_unstable();
            format!(
                "`{}` is een feit, geen uitkomst: achter `dan` (of in `verdeel`) komt {}; een voorwaarde over het feit hoort achter `als`",
                d.name,
                crate::text::quoted_choices(&known)
            )
        });
        let help = fact
            .or_else(|| did_you_mean(&d.name, names.keys().map(String::as_str)))
            .unwrap_or_else(|| {
                format!(
                    "declareer het domein: `domein {} \"...\" betaler \"...\"`{}",
                    d.name,
                    if decisions {
                        ", of noem een waarde van een `beslissing`"
                    } else {
                        ""
                    }
                )
            });
        let (what, label) = if decisions {
            ("domein of waarde", "onbekende uitkomst")
        } else {
            ("domein", "onbekend domein")
        };
        self.error(
            Problem::error(
                Code::UnknownName,
                d.span,
                format!("er is geen {what} `{}`", d.name),
            )
            .label(label)
            .help(help),
        );
        None
    }

    /// The `anders` and `bij conflict` of every decision: a later file's replaces a
    /// base's; two in one file for the same decision are a problem. Without `anders`
    /// the grey area is an equal split (spec section 3); without `bij conflict`, the
    /// conflict outcome is the fallback's.
    pub(super) fn decision_outcomes(
        &mut self,
        decisions: &mut [DecisionDef],
        domains: &[Domain],
        merged: &Merged<'_>,
        names: &Names<'_>,
    ) {
        let fallbacks = self.clauses(&merged.fallbacks, "anders", &names.domains, domains);
        let conflicts = self.clauses(&merged.conflicts, "bij conflict", &names.domains, domains);
        for (i, d) in decisions.iter_mut().enumerate() {
            let id = DecisionId::from_index(i);
            d.fallback = match fallbacks.get(&id) {
                Some((outcome, span)) => Fallback::Declared {
                    outcome: outcome.clone(),
                    span: *span,
                },
                None => Fallback::EqualSplit(equal_split(&d.values)),
            };
            d.conflict = match conflicts.get(&id) {
                Some((outcome, _)) => outcome.clone(),
                None => d.fallback.outcome().clone(),
            };
        }
    }

    /// One kind of clause (`anders` or `bij conflict`), per decision.
    fn clauses(
        &mut self,
        written: &[(&ast::Outcome, usize)],
        what: &str,
        names: &HashMap<String, DomainId>,
        domains: &[Domain],
    ) -> HashMap<DecisionId, (Outcome, Span)> {
        let mut out: HashMap<DecisionId, (Outcome, Span)> = HashMap::new();
        let mut from: HashMap<DecisionId, (usize, Span)> = HashMap::new();
        for (o, file) in written {
            let Some((decision, outcome)) = self.outcome(o, names, domains) else {
                continue;
            };
            if let Some((first_file, first_span)) = from.get(&decision) {
                if first_file == file {
                    self.error(
                        Problem::error(
                            Code::DuplicateClause,
                            o.span(),
                            format!(
                                "`{what}` staat hier voor de tweede keer voor dezelfde beslissing"
                            ),
                        )
                        .label("tweede keer")
                        .also(*first_span, "eerste keer")
                        .help(format!(
                            "een beslissing heeft één `{what}`; laat er één staan"
                        )),
                    );
                    continue;
                }
            }
            from.insert(decision, (*file, o.span()));
            out.insert(decision, (outcome, o.span()));
        }
        out
    }
}

/// The default fallback: an equal split over the values, in hundredths of a percent,
/// with the remainder to the first values so that the shares add up to exactly 100.
pub(super) fn equal_split(values: &[DomainId]) -> Outcome {
    let Ok(n) = i64::try_from(values.len()) else {
        return Outcome::new(Vec::new());
    };
    if n == 0 {
        return Outcome::new(Vec::new());
    }
    let base = 10_000 / n;
    let mut remainder = 10_000 - base * n;
    let shares = values
        .iter()
        .map(|d| {
            let extra = if remainder > 0 {
                remainder -= 1;
                1
            } else {
                0
            };
            (*d, Decimal::new(base + extra, 2))
        })
        .collect();
    Outcome::new(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_split_adds_up_to_exactly_100() {
        for n in 1..=12 {
            let values: Vec<DomainId> = (0..n).map(DomainId::from_index).collect();
            let total: Decimal = equal_split(&values).shares().iter().map(|(_, p)| *p).sum();
            assert_eq!(total, Decimal::ONE_HUNDRED, "{n} domains");
        }
        let values: Vec<DomainId> = (0..3).map(DomainId::from_index).collect();
        let three: Vec<String> = equal_split(&values)
            .shares()
            .iter()
            .map(|(_, p)| p.to_string())
            .collect();
        assert_eq!(three, ["33.34", "33.33", "33.33"]);
    }
}
