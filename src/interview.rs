//! The consultant's interview: which questions can still change the outcome of a case,
//! in asking order, and reading an answer typed by a person. `ask` on the terminal and
//! the page (through the service's `/questions`) ask the same questions in the same
//! order, because both come here.

use rust_decimal::Decimal;

use crate::case::Case;
use crate::eval::{open, Decision, EvalError, Open, Status, Waiting};
use crate::ruleset::{Fact, FactId, Raw, RuleSet, Type, Value};

/// The facts that can still change the outcome of `case`, in asking order (none once
/// the decision is no longer incomplete).
///
/// These are the open unknowns of the rules that wait ([`open`]): unlike the decision's
/// `missing` (spec section 5), a fact read only in a part of a condition that is already
/// decided is left out, because no answer to it can change anything. Should the open
/// unknowns ever come out empty while the decision is incomplete, the missing facts are
/// asked instead, so the interview always ends in a decision.
pub fn questions(rs: &RuleSet, case: &Case, decision: &Decision) -> Result<Vec<FactId>, EvalError> {
    if decision.status != Status::Incomplete {
        return Ok(Vec::new());
    }
    let mut facts: Vec<FactId> = Vec::new();
    for o in open(rs, case, decision, Waiting::Result)? {
        let (Open::Fact(f) | Open::Member(f, _)) = o;
        if !facts.contains(&f) {
            facts.push(f);
        }
    }
    if facts.is_empty() {
        facts = decision.missing.clone();
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

fn numbered(rs: &RuleSet, fact: &Fact) -> String {
    fact.values
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {}", i + 1, rs.symbols().name(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One value: a name, or its number in the list of the hint.
fn value_name(rs: &RuleSet, fact: &Fact, word: &str) -> String {
    word.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| fact.values.get(i))
        .map_or_else(|| word.to_string(), |s| rs.symbols().name(*s).to_string())
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
