//! Who pays: each share of the law's outcome goes to the payer of its domain, or — when
//! a decision routes that domain (`beslissing ... voor D`) — to the payer of the route's
//! value; a payer that names a fact of the case (`betaler woongemeente`) is that fact's
//! value (a `keuze`'s label, else its name; a `tekst` as written).

use rust_decimal::Decimal;

use super::{Facts, Part, PayerShare, Payment, Status};
use crate::ruleset::{DomainId, Outcome, Payer, RuleSet, Value};

/// The payment of a decision: `shares` is `None` while the law or a route it needs is
/// incomplete, or while a payer's fact is unknown (then `missing` names those facts).
pub(super) fn payment<F: Facts>(
    rs: &RuleSet,
    law: Option<&Outcome>,
    parts: &[Part],
    facts: &F,
) -> Payment {
    let Some(law) = law else {
        return Payment::default();
    };
    let mut shares = Vec::new();
    let mut missing = Vec::new();
    let mut complete = true;
    for (domain, percent) in law.shares() {
        let route = parts.iter().find(|p| {
            rs.decision(p.decision).routes.contains(domain) && p.status != Status::NotNeeded
        });
        let Some(route) = route else {
            match payer_name(rs, *domain, None, facts) {
                Ok(payer) => shares.push(PayerShare {
                    payer,
                    percent: *percent,
                    domain: *domain,
                    route: None,
                }),
                Err(f) => {
                    complete = false;
                    if let Some(f) = f {
                        missing.push(f);
                    }
                }
            }
            continue;
        };
        let Some(routed) = route.outcome.as_ref() else {
            complete = false;
            continue;
        };
        for (value, part) in routed.shares() {
            match payer_name(rs, *domain, Some(*value), facts) {
                Ok(payer) => shares.push(PayerShare {
                    payer,
                    percent: *percent * *part / Decimal::ONE_HUNDRED,
                    domain: *domain,
                    route: Some(*value),
                }),
                Err(f) => {
                    complete = false;
                    if let Some(f) = f {
                        if !missing.contains(&f) {
                            missing.push(f);
                        }
                    }
                }
            }
        }
    }
    Payment {
        shares: complete.then_some(shares),
        missing,
    }
}

/// The payer of a share: the route value's payer if it has one, else the domain's, else
/// the domain's name. `Err(Some(fact))` when that payer is a fact the case does not give.
fn payer_name<F: Facts>(
    rs: &RuleSet,
    domain: DomainId,
    route: Option<DomainId>,
    facts: &F,
) -> Result<String, Option<crate::ruleset::FactId>> {
    let routed = route.and_then(|v| rs.domain(v).payer.as_ref());
    let d = rs.domain(domain);
    match routed.or(d.payer.as_ref()) {
        None => Ok(d.name.clone()),
        Some(Payer::Text(t)) => Ok(t.clone()),
        Some(Payer::Fact(f)) => match facts.value(*f) {
            Some(Value::Text(t)) => Ok(t.to_string()),
            Some(Value::Choice(s)) => {
                let fact = rs.fact(*f);
                let label = fact
                    .values
                    .iter()
                    .position(|v| v == s)
                    .and_then(|i| fact.labels.get(i).cloned().flatten());
                Ok(label.unwrap_or_else(|| rs.symbols().name(*s).to_string()))
            }
            _ => Err(Some(*f)),
        },
    }
}
