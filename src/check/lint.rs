//! Lints: warnings about a rule set that is valid but probably not what was meant.
//!
//! Runs on a checked [`RuleSet`]; never turns a valid rule set into an invalid one.
//! - `no-fallback`: no `anders`, so the grey area is split equally over all domains;
//! - `divisor-may-be-zero`: a divisor whose range (from `tussen` bounds and
//!   constants) includes zero: evaluation would fail on such a case.

use rust_decimal::Decimal;

use crate::ast;
use crate::diagnostic::{Code, Problem, Problems};
use crate::ruleset::{Arith, Expr, RuleSet, Value};

pub(super) fn run(rs: &RuleSet, root: &ast::File, problems: &mut Problems) {
    for def in rs.decisions() {
        if def.fallback.is_declared() {
            continue;
        }
        let split: Vec<String> = def
            .fallback
            .outcome()
            .shares()
            .iter()
            .map(|(d, p)| format!("{} {}%", rs.domain_name(*d), p.normalize()))
            .collect();
        let (message, label, example, what) = if def.name == super::LAW_NAME {
            (
                "deze regelset heeft geen `anders`".to_string(),
                "geen afspraak voor het grijze gebied".to_string(),
                "`anders verdeel onderwijs 50%, jeugdwet 50%`".to_string(),
                "het grijze gebied",
            )
        } else {
            let first = def
                .values
                .first()
                .map_or_else(String::new, |v| rs.domain_name(*v).to_string());
            (
                format!("beslissing `{}` heeft geen `anders`", def.name),
                "geen uitkomst als geen regel geldt".to_string(),
                format!("`anders {first}`"),
                "de uitkomst als geen regel geldt",
            )
        };
        let span = if def.name == super::LAW_NAME {
            root.header.name.span
        } else {
            def.span
        };
        problems.push(
            Problem::warning(Code::NoFallback, span, message)
                .label(label)
                .help(format!(
                    "zonder `anders` wordt {what} gelijk verdeeld: `verdeel {}`; schrijf de afspraak uit, bijvoorbeeld {example}",
                    split.join(", ")
                )),
        );
    }
    rule_periods(rs, problems);
    let mut exprs: Vec<&Expr> = rs.rules().iter().map(|r| &r.condition).collect();
    exprs.extend(rs.concepts().iter().map(|c| &c.expr));
    for e in exprs {
        divisors(rs, e, problems);
    }
}

/// A rule of this file whose `geldig` reaches outside the rule set's own period: the
/// part outside can never apply, since a case outside the rule set's period is refused.
fn rule_periods(rs: &RuleSet, problems: &mut Problems) {
    let own = rs.name_span().file;
    let set = rs.period();
    for r in rs.rules().iter().filter(|r| r.span.file == own) {
        let Some(span) = r.period.span else { continue };
        let starts_before = matches!((r.period.from, set.from), (Some(a), Some(b)) if a < b)
            || (r.period.from.is_none() && set.from.is_some());
        let ends_after = matches!((r.period.until, set.until), (Some(a), Some(b)) if a > b)
            || (r.period.until.is_none() && set.until.is_some());
        let never = matches!((r.period.until, set.from), (Some(a), Some(b)) if a <= b)
            || matches!((r.period.from, set.until), (Some(a), Some(b)) if a >= b);
        let (message, help) = if never {
            (
                format!(
                    "regel `{}` geldt alleen buiten de periode van de regelset ({}) en kan dus nooit gelden",
                    r.name,
                    period_words(set.from, set.until)
                ),
                "pas de `geldig` van de regel aan, of geef de regelset in de kop een eigen `geldig` die deze periode omvat",
            )
        } else if (starts_before && r.period.from.is_some())
            || (ends_after && r.period.until.is_some())
        {
            (
                format!(
                    "regel `{}` geldt {}, maar de regelset {}: daarbuiten wordt een casus geweigerd",
                    r.name,
                    period_words(r.period.from, r.period.until),
                    period_words(set.from, set.until)
                ),
                "geldt de afspraak ook in die tijd, zet dan een eigen `geldig` in de kop van deze regelset (die gaat voor de periode van het basisbestand)",
            )
        } else {
            continue;
        };
        problems.push(
            Problem::warning(Code::PeriodOutsideRuleSet, span, message)
                .label("buiten de periode van de regelset")
                .help(help),
        );
    }
}

fn period_words(from: Option<jiff::civil::Date>, until: Option<jiff::civil::Date>) -> String {
    match (from, until) {
        (Some(a), Some(b)) => format!("van {a} tot {b}"),
        (Some(a), None) => format!("vanaf {a}"),
        (None, Some(b)) => format!("tot {b}"),
        (None, None) => "altijd".to_string(),
    }
}

fn divisors(rs: &RuleSet, e: &Expr, problems: &mut Problems) {
    match e {
        Expr::Const(_)
        | Expr::Fact(_)
        | Expr::Concept(_)
        | Expr::DecisionIs { .. }
        | Expr::RuleApplies { .. } => {}
        Expr::Atom(_, x) | Expr::Not(x) | Expr::Neg(x) => divisors(rs, x, problems),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) => {
            divisors(rs, a, problems);
            divisors(rs, b, problems);
        }
        Expr::In { value, .. } => divisors(rs, value, problems),
        Expr::Contains { list, item, .. } => {
            divisors(rs, list, problems);
            divisors(rs, item, problems);
        }
        Expr::Arith(op, a, b, span) => {
            divisors(rs, a, problems);
            divisors(rs, b, problems);
            if *op == Arith::Div && range(rs, b).contains_zero() {
                problems.push(
                    Problem::warning(Code::DivisorMayBeZero, *span, "deze deler kan nul zijn")
                        .label("kan nul zijn")
                        .help("een casus waarin dit nul is, geeft een fout; geef het feit een ondergrens boven nul met `tussen`"),
                );
            }
        }
    }
}

/// A closed interval; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy)]
struct Range {
    low: Option<Decimal>,
    high: Option<Decimal>,
}

impl Range {
    const ALL: Range = Range {
        low: None,
        high: None,
    };

    fn contains_zero(self) -> bool {
        self.low.is_none_or(|l| l <= Decimal::ZERO) && self.high.is_none_or(|h| h >= Decimal::ZERO)
    }
}

fn range(rs: &RuleSet, e: &Expr) -> Range {
    let both = |a: Option<Decimal>,
                b: Option<Decimal>,
                f: fn(Decimal, Decimal) -> Option<Decimal>| match (a, b) {
        (Some(a), Some(b)) => f(a, b),
        _ => None,
    };
    match e {
        Expr::Const(Value::Number(n)) => Range {
            low: Some(*n),
            high: Some(*n),
        },
        Expr::Fact(f) => rs.fact(*f).bounds.map_or(Range::ALL, |(l, h)| Range {
            low: Some(l),
            high: Some(h),
        }),
        Expr::Concept(c) => range(rs, &rs.concept(*c).expr),
        Expr::Neg(x) => {
            let r = range(rs, x);
            Range {
                low: r.high.map(|h| -h),
                high: r.low.map(|l| -l),
            }
        }
        Expr::Arith(Arith::Add, a, b, _) => {
            let (a, b) = (range(rs, a), range(rs, b));
            Range {
                low: both(a.low, b.low, Decimal::checked_add),
                high: both(a.high, b.high, Decimal::checked_add),
            }
        }
        Expr::Arith(Arith::Sub, a, b, _) => {
            let (a, b) = (range(rs, a), range(rs, b));
            Range {
                low: both(a.low, b.high, Decimal::checked_sub),
                high: both(a.high, b.low, Decimal::checked_sub),
            }
        }
        Expr::Arith(Arith::Mul, a, b, _) => {
            let (a, b) = (range(rs, a), range(rs, b));
            match (a.low, a.high, b.low, b.high) {
                (Some(al), Some(ah), Some(bl), Some(bh)) => {
                    let products: Option<Vec<Decimal>> = [(al, bl), (al, bh), (ah, bl), (ah, bh)]
                        .iter()
                        .map(|(x, y)| x.checked_mul(*y))
                        .collect();
                    products.map_or(Range::ALL, |p| Range {
                        low: p.iter().min().copied(),
                        high: p.iter().max().copied(),
                    })
                }
                _ => Range::ALL,
            }
        }
        _ => Range::ALL,
    }
}
