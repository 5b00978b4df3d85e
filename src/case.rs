//! Cases: YAML or JSON text → [`Case`], validated against a [`RuleSet`].
//!
//! A case maps fact names to values; `id`, `peildatum` and `kosten` are reserved. Every
//! key must be a declared fact (this catches typos and keeps personal data out), and
//! every value must fit its fact's type. All problems are reported at once, each at
//! the line of its key; a case with any problem yields no case at all.

use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::diagnostic::{Code, Errors, Problem, Problems};
use crate::ruleset::{FactId, Raw, RuleSet, Type, Value};
use crate::source::{FileId, Span};

/// The largest `kosten` a case may carry: a trillion euros, far above any budget, and
/// far below where exact arithmetic on cents would overflow.
const MAX_COSTS: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// The reserved keys of a case.
pub const RESERVED: [&str; 3] = ["id", "peildatum", "kosten"];

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

/// An exact decimal as a JSON number: whole numbers as integers, others as the
/// shortest float that reads back as the same decimal.
pub fn number_json(d: Decimal) -> serde_json::Value {
    use rust_decimal::prelude::ToPrimitive;
    let d = d.normalize();
    if d.fract().is_zero() {
        if let Some(i) = d.to_i64() {
            return serde_json::Value::from(i);
        }
    }
    d.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
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
        text: text.to_string(),
        iso,
    })
}

/// A parsed YAML/JSON node, independent of the parser.
#[derive(Debug, Clone)]
enum Node {
    Null,
    Bool(bool),
    Number(String),
    Text(String),
    List(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl From<serde_yaml::Value> for Node {
    fn from(v: serde_yaml::Value) -> Node {
        match v {
            serde_yaml::Value::Null => Node::Null,
            serde_yaml::Value::Bool(b) => Node::Bool(b),
            serde_yaml::Value::Number(n) => Node::Number(n.to_string()),
            serde_yaml::Value::String(s) => Node::Text(s),
            serde_yaml::Value::Sequence(items) => {
                Node::List(items.into_iter().map(Node::from).collect())
            }
            serde_yaml::Value::Mapping(m) => Node::Map(
                m.into_iter()
                    .map(|(k, v)| (Node::from(k), Node::from(v)))
                    .collect(),
            ),
            serde_yaml::Value::Tagged(t) => Node::from(t.value),
        }
    }
}

impl From<serde_json::Value> for Node {
    fn from(v: serde_json::Value) -> Node {
        match v {
            serde_json::Value::Null => Node::Null,
            serde_json::Value::Bool(b) => Node::Bool(b),
            serde_json::Value::Number(n) => Node::Number(n.to_string()),
            serde_json::Value::String(s) => Node::Text(s),
            serde_json::Value::Array(items) => {
                Node::List(items.into_iter().map(Node::from).collect())
            }
            serde_json::Value::Object(m) => Node::Map(
                m.into_iter()
                    .map(|(k, v)| (Node::Text(k), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Parses and validates a case written in YAML or JSON.
pub fn parse_case(text: &str, file: FileId, rs: &RuleSet) -> Result<Case, Errors> {
    // JSON is tried first when the text looks like it; YAML (a superset that also
    // reads flow mappings such as `{leeftijd: 9}`) otherwise, or when JSON fails.
    let json = text
        .trim_start()
        .starts_with('{')
        .then(|| serde_json::from_str::<serde_json::Value>(text));
    let node = match json {
        Some(Ok(value)) => Node::from(value),
        Some(Err(json_error)) => match serde_yaml::from_str::<serde_yaml::Value>(text) {
            Ok(value) => Node::from(value),
            Err(_) => {
                let at = offset_of(text, json_error.line(), json_error.column());
                return Err(syntax_problem(file, text, at, &json_error.to_string()));
            }
        },
        None => serde_yaml::from_str::<serde_yaml::Value>(text)
            .map(Node::from)
            .map_err(|e| {
                let at = e.location().map_or(0, |l| l.index());
                syntax_problem(file, text, at, &e.to_string())
            })?,
    };
    let locate = |key: &str| {
        locate_key(text, key).map_or(Span::new(file, 0, 0), |(s, e)| Span::new(file, s, e))
    };
    let entries = match node {
        Node::Null => Vec::new(),
        Node::Map(entries) => entries,
        _ => {
            return Err(Problem::error(
                Code::CaseNotMapping,
                first_content(file, text),
                "een casus moet een lijst van `feit: waarde`-paren zijn",
            )
            .label("geen paren")
            .help("schrijf elk feit op een eigen regel, bijvoorbeeld `leeftijd: 9`")
            .into())
        }
    };
    from_entries(entries, rs, &locate)
}

/// Validates a JSON object as a case; problems are placed at the start of `file`.
pub fn case_from_json(
    value: serde_json::Value,
    file: FileId,
    rs: &RuleSet,
) -> Result<Case, Errors> {
    match Node::from(value) {
        Node::Map(entries) => from_entries(entries, rs, &|_| Span::new(file, 0, 0)),
        _ => Err(Problem::error(
            Code::CaseNotMapping,
            Span::new(file, 0, 0),
            "een casus moet een JSON-object zijn",
        )
        .into()),
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
        let number = || {
            let n = if cell.contains('.') {
                cell.to_string()
            } else {
                cell.replacen(',', ".", 1)
            };
            if Decimal::from_str_exact(&n).is_ok() {
                Node::Number(n)
            } else {
                Node::Text(cell.to_string())
            }
        };
        let ty = rs.fact_id(key).map(|f| rs.fact(f).ty);
        let node = match (key, ty) {
            ("kosten", _) | (_, Some(Type::Number)) => number(),
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
        entries.push((Node::Text(key.to_string()), node));
    }
    from_entries(entries, rs, &|_| Span::new(file, 0, 0))
}

fn from_entries(
    entries: Vec<(Node, Node)>,
    rs: &RuleSet,
    locate: &dyn Fn(&str) -> Span,
) -> Result<Case, Errors> {
    let mut case = Case::empty(rs);
    let mut problems = Problems::new();
    for (key, value) in entries {
        let key = match key {
            Node::Text(k) => k,
            Node::Number(k) => k,
            Node::Bool(b) => if b { "true" } else { "false" }.to_string(),
            _ => String::from("?"),
        };
        let span = locate(&key);
        if let Err(p) = entry(&mut case, &key, value, rs, span) {
            problems.push(p);
        }
    }
    problems.into_result().map(|_| case)
}

fn entry(case: &mut Case, key: &str, value: Node, rs: &RuleSet, span: Span) -> Result<(), Problem> {
    let wrong = |what: String, expected: &str| {
        Problem::error(
            Code::WrongValue,
            span,
            format!("verkeerde waarde voor `{key}`: {what}"),
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
            let expected = "een bedrag in euro's, 0 of meer, in hele centen";
            let amount = match value {
                Node::Number(n) => Decimal::from_str_exact(&n).ok(),
                _ => None,
            }
            .ok_or_else(|| wrong("geen bedrag".into(), expected))?;
            if amount.is_sign_negative() && !amount.is_zero() {
                return Err(wrong(format!("{amount} is negatief"), expected));
            }
            let amount = amount.normalize();
            if amount.scale() > 2 {
                return Err(wrong(
                    format!("{amount} heeft meer dan twee decimalen"),
                    expected,
                )
                .help("kosten zijn in euro's met hoogstens twee decimalen, bijvoorbeeld `1250.75`"));
            }
            if amount > MAX_COSTS {
                return Err(wrong(
                    format!("{amount} is te groot"),
                    "een bedrag tot 1 biljoen euro",
                ));
            }
            case.costs = Some(amount);
            return Ok(());
        }
        _ => {}
    }
    let Some(id) = rs.fact_id(key) else {
        let help = crate::diagnostic::did_you_mean(key, rs.facts().iter().map(|f| f.name.as_str()))
            .unwrap_or_else(|| "een casus bevat alleen feiten van de regelset, en eventueel `id`, `peildatum` en `kosten`".to_string());
        return Err(Problem::error(
            Code::UnknownFact,
            span,
            format!("de regelset kent geen feit `{key}`"),
        )
        .label("onbekend feit")
        .help(help));
    };
    let fact = rs.fact(id);
    let raw = match raw(value) {
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

/// A node as a raw value; `None` for null (the fact stays unknown).
fn raw(node: Node) -> Result<Option<Raw>, String> {
    Ok(Some(match node {
        Node::Null => return Ok(None),
        Node::Bool(b) => Raw::Bool(b),
        Node::Number(n) => Raw::Number(
            Decimal::from_str_exact(&n)
                .map_err(|_| format!("het getal {n} is niet exact te gebruiken"))?,
        ),
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

fn syntax_problem(file: FileId, text: &str, at: usize, detail: &str) -> Errors {
    let at = at.min(text.len());
    let end = text
        .get(at..)
        .and_then(|s| s.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    let detail = detail.split(" at line ").next().unwrap_or(detail);
    Problem::error(
        Code::CaseSyntax,
        Span::new(file, at, end),
        "het casusbestand is geen geldige YAML of JSON",
    )
    .label("hier loopt het mis")
    .help(format!(
        "controleer de opmaak rond deze plek (melding van de lezer: {detail})"
    ))
    .into()
}

/// The first line that is not blank or a comment, for problems about the whole case.
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

/// Byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    line_start + column.saturating_sub(1)
}

/// Where a key of a flat mapping is written (YAML block or flow, or JSON), as a byte range.
fn locate_key(text: &str, key: &str) -> Option<(usize, usize)> {
    if key.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|t| t.find(key)) {
        let start = from + found;
        let end = start + key.len();
        from = end;
        let before = text.get(..start).and_then(|b| b.chars().next_back());
        let boundary_before =
            before.is_none_or(|c| c.is_whitespace() || matches!(c, '{' | ',' | '"' | '\''));
        let after = text.get(end..).unwrap_or_default();
        let after = after.strip_prefix(['"', '\'']).unwrap_or(after);
        if boundary_before && after.trim_start_matches([' ', '\t']).starts_with(':') {
            return Some((start, end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_yaml_and_json() {
        let yaml = "id: x\nleeftijd: 9\nleeftijd_extra: 3\n";
        assert_eq!(locate_key(yaml, "leeftijd"), Some((6, 14)));
        let json = "{\"soort\": \"vervoer\", \"afstand_km\": 14}";
        assert_eq!(locate_key(json, "afstand_km").map(|(s, _)| s), Some(22));
        assert_eq!(locate_key(yaml, "ontbreekt"), None);
    }

    #[test]
    fn numbers_are_integers_when_whole() {
        assert_eq!(number_json(Decimal::new(1000, 1)).to_string(), "100");
        assert_eq!(number_json(Decimal::new(125, 1)).to_string(), "12.5");
        assert_eq!(number_json(Decimal::new(3, 1)).to_string(), "0.3");
    }

    #[test]
    fn offsets_follow_lines_and_columns() {
        assert_eq!(offset_of("ab\ncd\n", 2, 2), 4);
    }
}
