//! Cases: YAML or JSON text → [`Case`], validated against a [`RuleSet`].
//!
//! A case maps fact names to values; `id`, `peildatum` and `kosten` are reserved. Every
//! key must be a declared fact (this catches typos and keeps personal data out), and
//! every value must fit its fact's type. All problems are reported at once, each at
//! the line of its key; a case with any problem yields no case at all.

use std::str::FromStr;

pub mod flat;
pub mod json;
mod node;
mod yaml;

use node::{Entry, Node};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::diagnostic::{Code, Errors, Problem, Problems};
use crate::ruleset::{FactId, Raw, RuleSet, Type, Value};
use crate::source::{FileId, Span};

/// The largest `kosten` a case may carry: a trillion euros, far above any budget, and
/// far below where exact arithmetic on cents would overflow.
const MAX_COSTS: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// The reserved keys of a case.
pub use crate::ruleset::CASE_KEYS as RESERVED;

/// One validated case: a value (or nothing: unknown) for every fact, by fact id.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: Option<String>,
    pub reference_date: Option<Date>,
    /// Costs in euros, for allocation between payers.
    pub costs: Option<Decimal>,
    pub values: Vec<Option<Value>>,
}

impl Case {
    /// A case in which every fact is unknown.
    pub fn empty(rs: &RuleSet) -> Case {
        Case {
            id: None,
            reference_date: None,
            costs: None,
            values: vec![None; rs.facts().len()],
        }
    }

    /// A case with the given facts known.
    pub fn with(rs: &RuleSet, given: &[(FactId, Value)]) -> Case {
        let mut case = Case::empty(rs);
        for (f, v) in given {
            if let Some(slot) = case.values.get_mut(f.index()) {
                *slot = Some(v.clone());
            }
        }
        case
    }

    pub fn value(&self, fact: FactId) -> Option<&Value> {
        self.values.get(fact.index()).and_then(Option::as_ref)
    }

    /// Gives a fact a value.
    pub fn set(&mut self, fact: FactId, value: Value) {
        if let Some(slot) = self.values.get_mut(fact.index()) {
            *slot = Some(value);
        }
    }
}

/// A value of a case as JSON, as a case file writes it and the decision's `case.facts`
/// shows it: `true`, `12.5`, `"leren"`, `["eed"]`.
pub fn value_json(rs: &RuleSet, v: &Value) -> serde_json::Value {
    serde_json::to_value(ValueJson(rs, v)).unwrap_or(serde_json::Value::Null)
}

/// A value of a case, serialised without a JSON tree.
pub struct ValueJson<'a>(pub &'a RuleSet, pub &'a Value);

impl serde::Serialize for ValueJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ValueJson(rs, v) = self;
        match v {
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => number_json(*n).serialize(s),
            Value::Text(t) => s.serialize_str(t),
            Value::Choice(sym) => s.serialize_str(rs.symbols().name(*sym)),
            Value::List(items) => s.collect_seq(items.iter().map(|i| rs.symbols().name(*i))),
        }
    }
}

/// An exact decimal as a JSON number, written exactly (never through a float): `100`,
/// `12.5`, `6.99999999999999999`. So a recorded decision replays with the same facts.
pub fn number_json(d: Decimal) -> serde_json::Value {
    let text = d.normalize().to_string();
    text.parse::<serde_json::Number>()
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError {
    text: String,
    /// The date in `JJJJ-MM-DD` when the text is a Dutch date (`1-9-2025`).
    iso: Option<String>,
}

impl DateError {
    /// In Dutch, with the fix.
    pub fn message(&self) -> String {
        match &self.iso {
            Some(iso) => format!(
                "`{}` staat in de volgorde dag-maand-jaar; schrijf de datum als JJJJ-MM-DD: `{iso}`",
                self.text
            ),
            None => format!(
                "`{}` is geen bestaande datum; schrijf een datum als JJJJ-MM-DD, bijvoorbeeld `2025-09-01`",
                self.text
            ),
        }
    }
}

/// A date as the project writes it, `JJJJ-MM-DD`. A Dutch date (`1-9-2025`,
/// `01-09-2025`, `01/09/2025`, `1.9.2025`) is refused with its ISO form as the fix, so
/// that day and month are never swapped silently.
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let text = text.trim();
    if let Ok(d) = Date::from_str(text) {
        if text.len() == 10 {
            return Ok(d);
        }
    }
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    let iso = match parts.as_slice() {
        [d, m, y]
            if y.len() == 4
                && (1..=2).contains(&d.len())
                && (1..=2).contains(&m.len())
                && [d, m, y]
                    .iter()
                    .all(|p| p.chars().all(|c| c.is_ascii_digit())) =>
        {
            let iso = format!("{y}-{m:0>2}-{d:0>2}");
            Date::from_str(&iso).ok().map(|_| iso)
        }
        _ => None,
    };
    Err(DateError {
        text: crate::text::excerpt(text).into_owned(),
        iso,
    })
}

/// Parses and validates a case written in YAML or JSON: JSON when the text starts with
/// `{` (after a byte-order mark and white space), else YAML. A flow mapping that is YAML
/// but not JSON (`{leeftijd: 9}`) is read as YAML.
pub fn parse_case(text: &str, file: FileId, rs: &RuleSet) -> Result<Case, Errors> {
    let body = text.trim_start_matches('\u{feff}');
    let node = if body.trim_start().starts_with('{') {
        match json::parse(text) {
            Ok(node) => node,
            // A key twice or too deep is what it is, in any notation.
            Err(e) if e.duplicate || e.too_deep => return Err(read_problem(file, text, &e)),
            Err(e) => yaml::parse(text).map_err(|_| read_problem(file, text, &e))?,
        }
    } else {
        yaml::parse(text).map_err(|e| read_problem(file, text, &e))?
    };
    from_node(node, file, text, rs)
}

/// Parses and validates a case written as one JSON object: an API body, a line of a
/// JSON Lines batch.
///
/// # Errors
/// Where the text is not a JSON object, or the problems of its facts.
pub fn case_from_json_text(text: &str, file: FileId, rs: &RuleSet) -> Result<Case, Errors> {
    let node = json::parse(text).map_err(|e| read_problem(file, text, &e))?;
    from_node(node, file, text, rs)
}

/// The `id` of a case written as JSON or YAML, when it can be read (for an error line).
pub fn id_of_text(text: &str) -> Option<String> {
    let node = json::parse(text).or_else(|_| yaml::parse(text)).ok()?;
    let Node::Map(entries) = node else {
        return None;
    };
    entries
        .into_iter()
        .find(|e| e.key == "id")
        .and_then(|e| match e.value {
            Node::Text(t) | Node::Number(t) => Some(t),
            _ => None,
        })
}

/// A case without any fact is an empty file (or only comments, or an empty YAML
/// document); a written `null` (`~` in YAML) is no case, in every channel.
fn from_node(node: Node, file: FileId, text: &str, rs: &RuleSet) -> Result<Case, Errors> {
    match node {
        Node::Null if !written(text) => Ok(Case::empty(rs)),
        Node::Null => Err(Problem::error(
            Code::CaseNotMapping,
            first_content(file, text),
            "een casus is een lijst van `feit: waarde`-paren, geen `null`",
        )
        .label("geen casus")
        .help("laat het bestand leeg voor een casus zonder feiten, of schrijf de feiten: `leeftijd: 9`; in JSON `{}` of `{\"leeftijd\": 9}`")
        .into()),
        Node::Map(entries) => from_entries(entries, rs, file),
        _ => Err(Problem::error(
            Code::CaseNotMapping,
            first_content(file, text),
            "een casus moet een lijst van `feit: waarde`-paren zijn",
        )
        .label("geen paren")
        .help("schrijf elk feit op een eigen regel, bijvoorbeeld `leeftijd: 9`; in JSON een object `{\"leeftijd\": 9}`")
        .into()),
    }
}

/// A reader's refusal as a problem at its place.
fn read_problem(file: FileId, text: &str, e: &json::JsonError) -> Errors {
    let at = e.at.min(text.len());
    let end = text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    let code = if e.duplicate {
        Code::DuplicateName
    } else if e.too_deep {
        Code::TooDeep
    } else {
        Code::CaseSyntax
    };
    let (line, column) = json::line_col(text, at);
    let place = if text.trim_end().contains('\n') {
        format!("regel {line}, kolom {column}")
    } else {
        format!("kolom {column}")
    };
    let mut p = Problem::error(
        code,
        Span::new(file, at, end),
        format!("{} ({place})", e.message),
    )
    .label("hier");
    if let Some(help) = &e.help {
        p = p.help(help.clone());
    }
    p.into()
}

/// Validates a JSON object as a case (a recorded decision's facts for `replay`);
/// problems are placed at the start of `file`.
pub fn case_from_json(
    value: serde_json::Value,
    file: FileId,
    rs: &RuleSet,
) -> Result<Case, Errors> {
    match node_of(value) {
        Node::Map(entries) => from_entries(entries, rs, file),
        _ => Err(Problem::error(
            Code::CaseNotMapping,
            Span::new(file, 0, 0),
            "een casus moet een JSON-object zijn",
        )
        .into()),
    }
}

/// A JSON value as read (numbers keep their exact text).
fn node_of(v: serde_json::Value) -> Node {
    match v {
        serde_json::Value::Null => Node::Null,
        serde_json::Value::Bool(b) => Node::Bool(b),
        serde_json::Value::Number(n) => Node::Number(n.to_string()),
        serde_json::Value::String(s) => Node::Text(s),
        serde_json::Value::Array(items) => Node::List(items.into_iter().map(node_of).collect()),
        serde_json::Value::Object(m) => Node::Map(
            m.into_iter()
                .map(|(key, v)| Entry {
                    key,
                    at: (0, 0),
                    value: node_of(v),
                })
                .collect(),
        ),
    }
}

/// Validates one row of a table (a CSV batch): `header` names the columns (facts or
/// reserved keys), `cells` holds the values as written. An empty cell is unknown; the
/// values of a `lijst` are separated by `;` (`[]` is the empty list); a number may use a
/// decimal comma. Problems are placed at the start of `file`.
pub fn case_from_cells<S: AsRef<str>>(
    header: &[S],
    cells: &[&str],
    file: FileId,
    rs: &RuleSet,
) -> Result<Case, Errors> {
    let mut entries = Vec::with_capacity(cells.len());
    for (key, cell) in header.iter().zip(cells) {
        let (key, cell) = (key.as_ref(), cell.trim());
        if cell.is_empty() {
            continue;
        }
        let ty = rs.fact_id(key).map(|f| rs.fact(f).ty);
        let node = match (key, ty) {
            ("kosten", _) | (_, Some(Type::Number)) => Node::Number(cell.to_string()),
            (_, Some(Type::Bool)) => match cell {
                "true" | "waar" => Node::Bool(true),
                "false" | "onwaar" => Node::Bool(false),
                _ => Node::Text(cell.to_string()),
            },
            (_, Some(Type::List(_))) => {
                let inner = cell
                    .strip_prefix('[')
                    .and_then(|c| c.strip_suffix(']'))
                    .unwrap_or(cell);
                Node::List(
                    inner
                        .split(';')
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| Node::Text(v.to_string()))
                        .collect(),
                )
            }
            _ => Node::Text(cell.to_string()),
        };
        entries.push(Entry {
            key: key.to_string(),
            at: (0, 0),
            value: node,
        });
    }
    from_entries(entries, rs, file)
}

/// The most problems reported for one case; the rest are counted in one more problem
/// ("nog N problemen"), so that refusing a case of thousands of wrong keys stays
/// linear in its size and its report readable.
pub const MAX_PROBLEMS: usize = 20;

fn from_entries(entries: Vec<Entry>, rs: &RuleSet, file: FileId) -> Result<Case, Errors> {
    let mut case = Case::empty(rs);
    let mut problems = Problems::new();
    let mut reported = 0;
    let mut more: Option<(Problem, usize)> = None;
    for e in entries {
        let key = crate::text::nfc_owned(e.key);
        let span = Span::new(file, e.at.0, e.at.1);
        // Past the cap only the count is needed, not the help of each problem.
        let explain = reported < MAX_PROBLEMS;
        if let Err(p) = entry(&mut case, &key, e.value, rs, span, explain) {
            if reported < MAX_PROBLEMS {
                reported += 1;
                problems.push(p);
            } else {
                more.get_or_insert((p, 0)).1 += 1;
            }
        }
    }
    if let Some((first, count)) = more {
        problems.push(
            Problem::error(
                first.code,
                first.span.unwrap_or(Span::new(file, 0, 0)),
                format!(
                    "en nog {} in deze casus, de eerste hier: {}",
                    crate::text::counted(count, "probleem", "problemen"),
                    first.message
                ),
            )
            .label(first.label)
            .help(format!(
                "los eerst de eerste {MAX_PROBLEMS} problemen op; daarna worden de volgende getoond"
            )),
        );
    }
    problems.into_result().map(|_| case)
}

pub use crate::text::nfc;

/// Puts one `key: value` into the case, or says why it does not fit; `explain` asks
/// for the costlier helps ("bedoelde u …?").
fn entry(
    case: &mut Case,
    key: &str,
    value: Node,
    rs: &RuleSet,
    span: Span,
    explain: bool,
) -> Result<(), Problem> {
    let wrong = |what: String, expected: &str| {
        Problem::error(
            Code::WrongValue,
            span,
            format!(
                "verkeerde waarde voor `{}`: {what}",
                crate::text::excerpt(key)
            ),
        )
        .label(format!("verwacht {expected}"))
    };
    match key {
        "id" => {
            case.id = match value {
                Node::Null => None,
                Node::Text(t) | Node::Number(t) => Some(t),
                _ => {
                    return Err(wrong(
                        "een `id` is een tekst".into(),
                        "een tekst of een nummer",
                    ))
                }
            };
            return Ok(());
        }
        "peildatum" => {
            let text = match value {
                Node::Text(t) => t,
                _ => return Err(wrong("geen datum".into(), "een datum als JJJJ-MM-DD")),
            };
            case.reference_date = Some(
                parse_date(&text).map_err(|e| wrong(e.message(), "een datum als JJJJ-MM-DD"))?,
            );
            return Ok(());
        }
        "kosten" => {
            let amount = match &value {
                Node::Number(n) | Node::Text(n) => read_costs(n),
                _ => Err(CostsError {
                    message: "geen bedrag".into(),
                    expected: COSTS,
                    help: None,
                }),
            };
            case.costs = Some(amount.map_err(|why| {
                let mut p = wrong(why.message, why.expected);
                if let Some(help) = why.help {
                    p = p.help(help);
                }
                p
            })?);
            return Ok(());
        }
        _ => {}
    }
    let Some(id) = rs.fact_id(key) else {
        let help = explain
            .then(|| crate::diagnostic::did_you_mean(key, rs.facts().iter().map(|f| f.name.as_str())))
            .flatten()
            .unwrap_or_else(|| "een casus bevat alleen feiten van de regelset, en eventueel `id`, `peildatum` en `kosten`".to_string());
        return Err(Problem::error(
            Code::UnknownFact,
            span,
            format!("de regelset kent geen feit `{}`", crate::text::excerpt(key)),
        )
        .label("onbekend feit")
        .help(help));
    };
    let fact = rs.fact(id);
    // A number fact reads every written number the same way, from any channel: exactly,
    // with a decimal comma allowed and a thousands separator refused.
    let value = match (fact.ty, value) {
        (Type::Number, Node::Number(n) | Node::Text(n)) => match read_number(&n) {
            // Read once, exactly, and used as read.
            Ok(d) => Ok(Some(Raw::Number(d))),
            Err(why) => {
                let expected = rs.describe_type(fact);
                let mut p = wrong(format!("{}; verwacht {expected}", why.message), &expected);
                if let Some(help) = why.help {
                    p = p.help(help);
                }
                return Err(p);
            }
        },
        (_, Node::Text(t)) => Ok(Some(Raw::Text(crate::text::nfc_owned(t)))),
        (_, Node::List(items)) => raw(Node::List(
            items
                .into_iter()
                .map(|i| match i {
                    Node::Text(t) => Node::Text(crate::text::nfc_owned(t)),
                    other => other,
                })
                .collect(),
        )),
        (_, other) => raw(other),
    };
    let raw = match value {
        Ok(Some(raw)) => raw,
        Ok(None) => return Ok(()),
        Err(why) => return Err(wrong(why, &rs.describe_type(fact))),
    };
    match rs.convert(fact, &raw) {
        Ok(v) => {
            if let Some(slot) = case.values.get_mut(id.index()) {
                *slot = Some(v);
            }
            Ok(())
        }
        Err(why) => {
            let mut p = wrong(why, &rs.describe_type(fact));
            if fact.ty == Type::Number && matches!(raw, Raw::Number(_)) {
                p.code = Code::OutOfBounds;
            }
            Err(p)
        }
    }
}

/// What `kosten` must be.
const COSTS: &str = "een bedrag in euro's, 0 of meer, in hele centen";

/// Why a written `kosten` cannot be used: the message, what is expected, what to write.
struct CostsError {
    message: String,
    expected: &'static str,
    help: Option<String>,
}

/// The `kosten` of a case as written: an amount of 0 or more euros in whole cents, at
/// most [`MAX_COSTS`], normalised.
fn read_costs(text: &str) -> Result<Decimal, CostsError> {
    let refuse = |message: String, expected: &'static str| CostsError {
        message,
        expected,
        help: None,
    };
    let amount = read_number(text).map_err(|why| CostsError {
        message: why.message,
        expected: COSTS,
        help: why.help,
    })?;
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(refuse(format!("{amount} is negatief"), COSTS));
    }
    let amount = amount.normalize();
    if amount.scale() > 2 {
        return Err(CostsError {
            help: Some(
                "kosten zijn in euro's met hoogstens twee decimalen, bijvoorbeeld `1250.75`".into(),
            ),
            ..refuse(format!("{amount} heeft meer dan twee decimalen"), COSTS)
        });
    }
    if amount > MAX_COSTS {
        return Err(refuse(
            format!("{amount} is te groot"),
            "een bedrag tot 1 biljoen euro",
        ));
    }
    Ok(amount)
}

/// Why a written number cannot be used, and what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError {
    pub message: String,
    pub help: Option<String>,
}

/// A number as a person or a program writes it, read exactly: `12`, `-3`, `12.5`, `12,5`
/// (a decimal comma), `1e3`. A dot between groups of three digits (`2.500`, `1.250,50`)
/// is a thousands separator in Dutch and a decimal point elsewhere: it is refused with
/// both readings, never guessed. At most 28 significant digits.
///
/// # Errors
/// What is wrong, in Dutch, with what to write instead.
pub fn read_number(text: &str) -> Result<Decimal, NumberError> {
    let t = text.trim();
    let err = |message: String, help: Option<String>| NumberError { message, help };
    let sign = if t.starts_with('-') { "-" } else { "" };
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int_part, frac_part) = unsigned
        .split_once(',')
        .map_or((unsigned, None), |(a, b)| (a, Some(b)));
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let groups: Vec<&str> = int_part.split('.').collect();
    let thousands = groups.len() > 1
        && groups
            .first()
            .is_some_and(|g| g.len() <= 3 && all_digits(g))
        && groups.iter().skip(1).all(|g| g.len() == 3 && all_digits(g));
    if thousands {
        let digits: String = int_part.chars().filter(|c| *c != '.').collect();
        let help = match frac_part {
            Some(f) => format!(
                "schrijf het getal zonder punten tussen de duizendtallen: `{sign}{digits},{f}`"
            ),
            None if groups.len() == 2 => format!(
                "bedoelt u {sign}{digits}? Schrijf dan `{sign}{digits}`, zonder punt; bedoelt u een kommagetal, schrijf dan `{}`",
                t.replacen('.', ",", 1)
            ),
            None => format!("bedoelt u {sign}{digits}? Schrijf dan `{sign}{digits}`, zonder punten"),
        };
        return Err(err(
            format!("in `{}` staat een punt tussen groepen van drie cijfers: in het Nederlands scheidt die de duizendtallen, elders de decimalen", crate::text::excerpt(t)),
            Some(help),
        ));
    }
    if unsigned.contains(',') && unsigned.contains('.') {
        return Err(err(
            format!("`{}` heeft zowel een punt als een komma", crate::text::excerpt(t)),
            Some("schrijf decimalen met één komma of één punt, zonder scheidingsteken voor duizendtallen: `1250,50`".to_string()),
        ));
    }
    let normal = t.replacen(',', ".", 1);
    let not_a_number = || {
        err(
            format!("`{}` is geen getal", crate::text::excerpt(t)),
            Some("schrijf een getal als `12` of `12,5`".to_string()),
        )
    };
    if normal.contains(',') || normal.is_empty() {
        return Err(not_a_number());
    }
    if normal.contains(['e', 'E']) {
        let numeric = normal
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
        if !numeric {
            return Err(not_a_number());
        }
        return Decimal::from_scientific(&normal).map_err(|_| {
            err(
                format!(
                    "`{}` is te groot of te klein om exact te gebruiken",
                    crate::text::excerpt(t)
                ),
                Some("schrijf het getal voluit, zonder `e`".to_string()),
            )
        });
    }
    Decimal::from_str_exact(&normal).map_err(|_| {
        let numeric = normal
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
        if numeric && normal.bytes().filter(u8::is_ascii_digit).count() > 28 {
            err(
                format!(
                    "`{}` heeft meer cijfers dan exact te gebruiken zijn (ten hoogste 28)",
                    crate::text::excerpt(t)
                ),
                Some("rond het getal af op minder cijfers".to_string()),
            )
        } else {
            not_a_number()
        }
    })
}

/// A node as a raw value; `None` for null (the fact stays unknown).
fn raw(node: Node) -> Result<Option<Raw>, String> {
    Ok(Some(match node {
        Node::Null => return Ok(None),
        Node::Bool(b) => Raw::Bool(b),
        Node::Number(n) => Raw::Number(Decimal::from_str_exact(&n).map_err(|_| {
            format!(
                "het getal {} is niet exact te gebruiken",
                crate::text::excerpt(&n)
            )
        })?),
        Node::Text(t) => Raw::Text(t),
        Node::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match raw(item)? {
                    Some(r) => out.push(r),
                    None => return Err("een lijst bevat een lege waarde".to_string()),
                }
            }
            Raw::List(out)
        }
        Node::Map(_) => return Err("een geneste structuur".to_string()),
    }))
}

/// The first line that is not blank or a comment, for problems about the whole case.
/// Whether the text holds more than white space, comments and YAML document markers.
fn written(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').lines().any(|line| {
        let t = line.trim();
        !t.is_empty() && !t.starts_with('#') && t != "---" && t != "..."
    })
}

fn first_content(file: FileId, text: &str) -> Span {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Span::new(file, at, at + line.trim_end().len());
        }
        at += line.len();
    }
    Span::new(file, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_exactly() {
        assert_eq!(number_json(Decimal::new(1000, 1)).to_string(), "100");
        assert_eq!(number_json(Decimal::new(125, 1)).to_string(), "12.5");
        assert_eq!(number_json(Decimal::new(3, 1)).to_string(), "0.3");
        let d = Decimal::from_str_exact("6.99999999999999999").unwrap();
        assert_eq!(number_json(d).to_string(), "6.99999999999999999");
    }

    #[test]
    fn numbers_are_read_the_same_way_everywhere() {
        let ok: &[(&str, &str)] = &[
            ("12", "12"),
            ("-3", "-3"),
            ("12.5", "12.5"),
            ("12,5", "12.5"),
            ("1250,50", "1250.50"),
            ("1e3", "1000"),
            ("6.99999999999999999", "6.99999999999999999"),
            (" 7 ", "7"),
        ];
        for (text, want) in ok {
            assert_eq!(read_number(text).unwrap().to_string(), *want, "{text}");
        }
        let refused: &[(&str, &str)] = &[
            ("2.500", "bedoelt u 2500?"),
            ("1.250,50", "`1250,50`"),
            ("1.250.000", "bedoelt u 1250000?"),
            ("1,250.50", "zowel een punt als een komma"),
            ("1e29", "voluit"),
            ("12a", "geen getal"),
            ("1,2,3", "geen getal"),
            ("1234567890123456789012345678901234567890", "ten hoogste 28"),
        ];
        for (text, want) in refused {
            let e = read_number(text).unwrap_err();
            let all = format!("{} {}", e.message, e.help.unwrap_or_default());
            assert!(all.contains(want), "{text}: {all}");
        }
    }
}
