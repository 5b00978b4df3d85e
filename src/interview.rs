//! The consultant's interview: which questions can still change the outcome of a case,
//! in asking order, and reading an answer typed by a person. `ask` on the terminal and
//! the page (through the service's `/questions`) ask the same questions in the same
//! order, because both come here.

use rust_decimal::Decimal;

use crate::case::Case;
use crate::eval::{open, Decision, EvalError, Open, Status, Waiting};
use crate::ruleset::{Fact, FactId, Raw, RuleSet, Type, Value};

/// The facts that can still change the outcome of `case`, in asking order: first what
/// the decisions still wait for (the law's, then each further decision's, in the order
/// they are evaluated), then the facts that name a payer once the outcome needs them.
/// Empty once every decision is complete and every payer known.
///
/// The decisions' questions are the open unknowns of the rules that wait ([`open`]):
/// unlike a decision's `missing` (spec section 5), a fact read only in a part of a
/// condition that is already decided is left out, because no answer to it can change
/// anything. Should the open unknowns ever come out empty while a decision is
/// incomplete, its missing facts are asked instead, so the interview always ends.
pub fn questions(rs: &RuleSet, case: &Case, decision: &Decision) -> Result<Vec<FactId>, EvalError> {
    let incomplete: Vec<_> = decision
        .views()
        .filter(|v| v.status == Status::Incomplete)
        .collect();
    let mut facts: Vec<FactId> = Vec::new();
    if !incomplete.is_empty() {
        for o in open(rs, case, decision, Waiting::Result)? {
            let (Open::Fact(f) | Open::Member(f, _)) = o;
            if !facts.contains(&f) {
                facts.push(f);
            }
        }
        if facts.is_empty() {
            facts = incomplete
                .iter()
                .flat_map(|v| v.missing.iter().copied())
                .collect();
        }
    }
    if facts.is_empty() {
        facts = decision.payment.missing.clone();
    }
    Ok(facts)
}

/// The first of [`questions`].
pub fn next_question(
    rs: &RuleSet,
    case: &Case,
    decision: &Decision,
) -> Result<Option<FactId>, EvalError> {
    Ok(questions(rs, case, decision)?.first().copied())
}

/// How a value of a `keuze` or `lijst` is shown to people: its label, else its name.
pub fn label(rs: &RuleSet, fact: &Fact, value: crate::ruleset::Sym) -> String {
    rs.label(fact, value)
        .map_or_else(|| rs.symbols().name(value).to_string(), str::to_string)
}

/// The answers allowed, in words, for a prompt.
pub fn hint(rs: &RuleSet, fact: &Fact) -> String {
    match fact.ty {
        Type::Bool => "ja of nee".to_string(),
        Type::Choice(_) => format!("kies: {}", numbered(rs, fact)),
        Type::List(_) => format!(
            "kies nul of meer, met komma's ertussen, of `geen`: {}",
            numbered(rs, fact)
        ),
        Type::Number => match fact.bounds {
            Some((lo, hi)) => format!(
                "een getal tussen {} en {}",
                crate::text::number(lo),
                crate::text::number(hi)
            ),
            None => "een getal".to_string(),
        },
        Type::Text => "een tekst".to_string(),
    }
}

/// `1 basisonderwijs (po), 2 ...`: each value by number, with its label when it has one.
fn numbered(rs: &RuleSet, fact: &Fact) -> String {
    fact.values
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let name = rs.symbols().name(*s);
            let shown = label(rs, fact, *s);
            if shown == name {
                format!("{} {name}", i + 1)
            } else {
                format!("{} {shown} [{name}]", i + 1)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One value: a name, its label (in any case), or its number in the list of the hint.
fn value_name(rs: &RuleSet, fact: &Fact, word: &str) -> String {
    if let Some(s) = word
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| fact.values.get(i))
    {
        return rs.symbols().name(*s).to_string();
    }
    fact.values
        .iter()
        .zip(&fact.labels)
        .find(|(_, l)| l.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(word)))
        .map_or_else(
            || word.to_string(),
            |(s, _)| rs.symbols().name(*s).to_string(),
        )
}

/// An answer as a value of the fact, or why it is not one (Dutch). Numbers may use a
/// decimal comma (`5,5`) or point (`5.5`); yes/no may be `ja`, `j`, `nee`, `n` in any
/// case; a choice its name or its number; a list its names or numbers separated by
/// commas, or `geen`.
pub fn parse_answer(rs: &RuleSet, fact: &Fact, answer: &str) -> Result<Value, String> {
    let answer = answer.trim();
    if answer.is_empty() {
        return Err("geef een antwoord".to_string());
    }
    let raw = match fact.ty {
        Type::Bool => match answer.to_lowercase().as_str() {
            "ja" | "j" => Raw::Bool(true),
            "nee" | "n" => Raw::Bool(false),
            _ => return Err("antwoord `ja` of `nee`".to_string()),
        },
        Type::Number => Raw::Number(number(answer)?),
        Type::Text => Raw::Text(answer.to_string()),
        Type::Choice(_) => Raw::Text(value_name(rs, fact, answer)),
        Type::List(_) => {
            let items = answer.trim_start_matches('[').trim_end_matches(']').trim();
            if items.is_empty() || items.eq_ignore_ascii_case("geen") {
                Raw::List(Vec::new())
            } else {
                Raw::List(
                    items
                        .split(',')
                        .map(|w| Raw::Text(value_name(rs, fact, w.trim())))
                        .collect(),
                )
            }
        }
    };
    rs.convert(fact, &raw)
}

/// A number typed by a person: a decimal comma or point, no thousands separators.
fn number(answer: &str) -> Result<Decimal, String> {
    let has_comma = answer.contains(',');
    let has_point = answer.contains('.');
    if has_comma && has_point {
        return Err(format!(
            "`{answer}` heeft een punt én een komma; schrijf het getal zonder scheidingsteken voor duizendtallen, met een komma voor de decimalen, bijvoorbeeld `{}`",
            answer.replace('.', "")
        ));
    }
    let text = answer.replace(',', ".");
    Decimal::from_str_exact(&text).map_err(|_| format!("`{answer}` is geen getal"))
}
