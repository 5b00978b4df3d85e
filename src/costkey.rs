//! The cost key (verdeelsleutel): one collective amount — a budget several gemeenten pay
//! together, like School als Wijk in Groningen — divided over payers pro rata to a
//! weight, to the cent ([`crate::allocation::pro_rata`]: the whole cents of each exact
//! share, the cents left to the largest remainders, the earlier payer on a tie).
//!
//! The weights come from a CSV file (`betaler,gewicht`), or are counted: the number of
//! decisions per value of one fact of the case (the woongemeente) in a batch's output or
//! a decision log. A decision without that fact, and an error line of a batch, is not
//! counted, and the summary says how many there were and where.

use rust_decimal::Decimal;
use serde_json::{json, Value as Json};

use crate::diagnostic::{Code, Errors, Problem, Problems};
use crate::ruleset::{RuleSet, Type};
use crate::source::{FileId, Span};

/// One payer and its weight, in the order read.
#[derive(Debug, Clone, PartialEq)]
pub struct Weight {
    pub payer: String,
    pub weight: Decimal,
}

/// Decisions that could not be counted for a payer, by line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uncounted {
    /// Lines of decisions without the fact.
    pub unknown: Vec<usize>,
    /// Error lines of a batch (invalid cases).
    pub errors: Vec<usize>,
}

/// The amount divided: each payer's weight, exact share and amount in euros.
#[derive(Debug, Clone, PartialEq)]
pub struct CostKey {
    pub amount: Decimal,
    pub total_weight: Decimal,
    pub parts: Vec<Part>,
    /// The payers that got one cent more than the whole cents of their share.
    pub rounded_up: Vec<String>,
    pub uncounted: Uncounted,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub payer: String,
    pub weight: Decimal,
    /// The unrounded share in euros.
    pub exact: Decimal,
    /// The share in euros, in whole cents.
    pub amount: Decimal,
}

/// The largest amount: a trillion euros, as for the `kosten` of a case.
const MAX_AMOUNT: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// An amount in euros as written on the command line: `250000`, `250000.50` or
/// `250000,50` (no thousands separators), at least 0, at most two decimals.
///
/// # Errors
/// A Dutch problem that says what to write instead.
pub fn parse_amount(text: &str) -> Result<Decimal, Problem> {
    let expected = "schrijf het bedrag in euro's zonder punten tussen de duizendtallen, met hoogstens twee decimalen: `250000` of `250000,50`";
    let bad = |why: String| Problem::without_span(Code::WrongValue, why).help(expected);
    let normal = text.trim().replace(',', ".");
    if normal.matches('.').count() > 1 {
        return Err(bad(format!("`{text}` is geen bedrag")));
    }
    let amount = Decimal::from_str_exact(&normal)
        .map_err(|_| bad(format!("`{text}` is geen bedrag")))?
        .normalize();
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(bad(format!("het bedrag `{text}` is negatief")));
    }
    if amount.scale() > 2 {
        return Err(bad(format!(
            "het bedrag `{text}` heeft meer dan twee decimalen"
        )));
    }
    if amount > MAX_AMOUNT {
        return Err(bad(format!(
            "het bedrag `{text}` is groter dan 1 biljoen euro"
        )));
    }
    Ok(amount)
}

/// The weights of a CSV file with the columns `betaler` and `gewicht` (in any order);
/// empty rows are skipped.
///
/// # Errors
/// Every problem at its line: another column, a missing payer, a weight that is no
/// number or negative, a payer named twice.
pub fn read_weights(text: &str, file: FileId) -> Result<Vec<Weight>, Errors> {
    let mut problems = Problems::new();
    let mut out: Vec<(Weight, Span)> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut columns: Option<(usize, usize)> = None;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let at = e
                    .position()
                    .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
                problems.push(Problem::error(
                    Code::CaseSyntax,
                    line_span(text, file, at),
                    "deze CSV-regel is niet te lezen (geen UTF-8, of een aanhalingsteken dat niet sluit)",
                ));
                continue;
            }
        };
        let at = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        let span = line_span(text, file, at);
        let cells: Vec<&str> = record
            .iter()
            .map(|c| c.trim_start_matches('\u{feff}').trim())
            .collect();
        let Some((payer_col, weight_col)) = columns else {
            match header(&cells) {
                Ok(c) => columns = Some(c),
                Err(why) => {
                    problems.push(
                        Problem::error(Code::CaseSyntax, span, why)
                            .label("de kop")
                            .help("de eerste regel is de kop `betaler,gewicht`; daarna één betaler per regel, bijvoorbeeld `gemeente Groningen,2150`"),
                    );
                    return Err(problems.into_errors());
                }
            }
            continue;
        };
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if cells.len() != 2 {
            problems.push(
                Problem::error(
                    Code::CaseSyntax,
                    span,
                    format!("deze regel heeft {} velden, de kop 2", cells.len()),
                )
                .help("zet een betaler met een komma in de naam tussen aanhalingstekens: `\"Gemeente X, Y\",12`"),
            );
            continue;
        }
        let payer = cells.get(payer_col).copied().unwrap_or_default();
        let weight = cells.get(weight_col).copied().unwrap_or_default();
        if payer.is_empty() {
            problems.push(
                Problem::error(Code::WrongValue, span, "deze regel noemt geen betaler")
                    .help("schrijf de naam van de betaler in de kolom `betaler`"),
            );
            continue;
        }
        let Some(weight) = Decimal::from_str_exact(&weight.replace(',', "."))
            .ok()
            .filter(|w| !w.is_sign_negative() || w.is_zero())
        else {
            problems.push(
                Problem::error(
                    Code::WrongValue,
                    span,
                    format!("het gewicht van `{payer}` is `{weight}`, geen getal van 0 of meer"),
                )
                .help("een gewicht is een getal van 0 of meer, bijvoorbeeld het aantal leerlingen: `2150` of `12,5`"),
            );
            continue;
        };
        if let Some((_, first)) = out.iter().find(|(w, _)| w.payer == payer) {
            problems.push(
                Problem::error(
                    Code::DuplicateName,
                    span,
                    format!("`{payer}` staat twee keer in de verdeelsleutel"),
                )
                .also(*first, "hier staat de betaler al")
                .help("tel de gewichten bij elkaar op in één regel"),
            );
            continue;
        }
        out.push((
            Weight {
                payer: payer.to_string(),
                weight: weight.normalize(),
            },
            span,
        ));
    }
    if columns.is_none() {
        problems.push(
            Problem::error(
                Code::CaseSyntax,
                Span::new(file, 0, 0),
                "de verdeelsleutel is leeg",
            )
            .help("de eerste regel is de kop `betaler,gewicht`; daarna één betaler per regel"),
        );
    }
    problems.into_result()?;
    Ok(out.into_iter().map(|(w, _)| w).collect())
}

/// Where the columns `betaler` and `gewicht` are; why not, in Dutch.
fn header(cells: &[&str]) -> Result<(usize, usize), String> {
    let find = |name: &str| cells.iter().position(|c| c.eq_ignore_ascii_case(name));
    if let Some(other) = cells
        .iter()
        .find(|c| !c.eq_ignore_ascii_case("betaler") && !c.eq_ignore_ascii_case("gewicht"))
    {
        return Err(format!(
            "de kop noemt de kolom `{other}`; een verdeelsleutel heeft alleen `betaler` en `gewicht`"
        ));
    }
    match (find("betaler"), find("gewicht")) {
        (Some(p), Some(w)) if cells.len() == 2 => Ok((p, w)),
        _ => Err("de kop moet de kolommen `betaler` en `gewicht` noemen, elk één keer".to_string()),
    }
}

/// The line of `text` around byte `at`, as a span.
fn line_span(text: &str, file: FileId, at: usize) -> Span {
    let at = at.min(text.len());
    let start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| at + i);
    Span::new(file, start.min(at), end.max(at))
}

/// The number of decisions per value of `fact` in decisions written one per line: the
/// output of `batch` or `eval --format json`, or a decision log. A `keuze` value is shown
/// by its label when `rs` is given and has one. Weights are in order of first
/// appearance.
///
/// # Errors
/// A line that is no JSON object, or no decision (not even an error line of a batch).
pub fn count(
    text: &str,
    file: FileId,
    fact: &str,
    rs: Option<&RuleSet>,
) -> Result<(Vec<Weight>, Uncounted), Errors> {
    let mut problems = Problems::new();
    let mut weights: Vec<Weight> = Vec::new();
    let mut uncounted = Uncounted::default();
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let number = i + 1;
        let span = Span::new(file, offset, offset + line.trim_end().len());
        offset += line.len();
        if line.trim().is_empty() {
            continue;
        }
        let Ok(Json::Object(record)) = serde_json::from_str::<Json>(line) else {
            problems.push(
                Problem::error(Code::NotADecision, span, "deze regel is geen JSON-object")
                    .help("geef de uitvoer van `wiebetaalt batch` of een beslissingslogboek: één beslissing per regel"),
            );
            continue;
        };
        // A log record holds the decision under `decision`.
        let decision = match record.get("decision") {
            Some(Json::Object(d)) => d,
            _ => &record,
        };
        if decision.contains_key("error") {
            uncounted.errors.push(number);
            continue;
        }
        let Some(facts) = decision
            .get("case")
            .and_then(|c| c.get("facts"))
            .and_then(Json::as_object)
        else {
            problems.push(
                Problem::error(Code::NotADecision, span, "deze regel is geen beslissing (er is geen `case.facts`)")
                    .help("geef de uitvoer van `wiebetaalt batch` of een beslissingslogboek: één beslissing per regel"),
            );
            continue;
        };
        let payer = match facts.get(fact) {
            Some(Json::String(v)) => label(rs, fact, v),
            Some(Json::Number(n)) => n.to_string(),
            Some(Json::Bool(b)) => if *b { "ja" } else { "nee" }.to_string(),
            _ => {
                uncounted.unknown.push(number);
                continue;
            }
        };
        match weights.iter_mut().find(|w| w.payer == payer) {
            Some(w) => w.weight += Decimal::ONE,
            None => weights.push(Weight {
                payer,
                weight: Decimal::ONE,
            }),
        }
    }
    problems.into_result()?;
    Ok((weights, uncounted))
}

fn label(rs: Option<&RuleSet>, fact: &str, value: &str) -> String {
    let found = rs.and_then(|rs| {
        let f = rs.fact(rs.fact_id(fact)?);
        if !matches!(f.ty, Type::Choice(_)) {
            return None;
        }
        let sym = f.values.iter().find(|s| rs.symbols().name(**s) == value)?;
        rs.label(f, *sym).map(str::to_string)
    });
    found.unwrap_or_else(|| value.to_string())
}

/// Divides `amount` pro rata to the weights.
///
/// # Errors
/// No weights, or all of them zero: nobody to divide over.
pub fn split(
    amount: Decimal,
    weights: &[Weight],
    uncounted: Uncounted,
) -> Result<CostKey, Problem> {
    let total: Decimal = weights.iter().map(|w| w.weight).sum();
    if total.is_zero() {
        return Err(Problem::without_span(
            Code::WrongValue,
            "de verdeelsleutel heeft geen gewicht groter dan 0: er is niemand om over te verdelen",
        )
        .help("geef ten minste één betaler een gewicht groter dan 0"));
    }
    let pairs: Vec<(&str, Decimal)> = weights
        .iter()
        .map(|w| (w.payer.as_str(), w.weight))
        .collect();
    let amounts = crate::allocation::pro_rata(&pairs, amount);
    let mut rounded_up = Vec::new();
    let parts = weights
        .iter()
        .zip(amounts)
        .map(|(w, (_, a))| {
            let exact = amount * w.weight / total;
            let cents = Decimal::ONE_HUNDRED;
            if a * cents > (exact * cents).floor() {
                rounded_up.push(w.payer.clone());
            }
            Part {
                payer: w.payer.clone(),
                weight: w.weight,
                exact,
                amount: a,
            }
        })
        .collect();
    Ok(CostKey {
        amount,
        total_weight: total,
        parts,
        rounded_up,
        uncounted,
    })
}

/// The cost key for people: a table that adds up, and how the cents were rounded.
pub fn text(k: &CostKey) -> String {
    use crate::text::euros;
    let mut rows: Vec<[String; 4]> = k
        .parts
        .iter()
        .map(|p| {
            [
                p.payer.clone(),
                grouped_number(p.weight),
                percent(p.weight, k.total_weight),
                euros(p.amount),
            ]
        })
        .collect();
    let sum: Decimal = k.parts.iter().map(|p| p.amount).sum();
    rows.push([
        "totaal".to_string(),
        grouped_number(k.total_weight),
        "100%".to_string(),
        euros(sum),
    ]);
    let head = ["betaler", "gewicht", "aandeel", "bedrag"];
    let width = |c: usize| {
        rows.iter()
            .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
            .chain([head.get(c).map_or(0, |h| h.chars().count())])
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2), width(3)];
    let line = |r: &[String; 4]| {
        format!(
            "  {:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}\n",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    let mut out = format!(
        "Verdeelsleutel: {} over {} betaler{}, naar rato van het gewicht\n\n",
        euros(k.amount),
        k.parts.len(),
        if k.parts.len() == 1 { "" } else { "s" }
    );
    out.push_str(&line(&head.map(str::to_string)));
    for r in &rows {
        out.push_str(&line(r));
    }
    out.push('\n');
    if k.rounded_up.is_empty() {
        out.push_str("Afgerond op centen: elk deel was al een heel aantal centen.\n");
    } else {
        out.push_str(&format!(
            "Afgerond op centen: iedere betaler krijgt de hele centen van zijn deel; de {} cent{} die overblijven gaan naar de grootste resten: {}.\n",
            k.rounded_up.len(),
            if k.rounded_up.len() == 1 { "" } else { "en" },
            crate::text::enumerate(&k.rounded_up, "en")
        ));
    }
    let Uncounted { unknown, errors } = &k.uncounted;
    if !unknown.is_empty() {
        out.push_str(&format!(
            "Niet meegeteld: {} beslissing{} zonder dit feit (regel {}).\n",
            unknown.len(),
            if unknown.len() == 1 { "" } else { "en" },
            lines(unknown)
        ));
    }
    if !errors.is_empty() {
        out.push_str(&format!(
            "Niet meegeteld: {} foutregel{} van ongeldige casussen (regel {}).\n",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            lines(errors)
        ));
    }
    out
}

/// The cost key as JSON: `{"amount", "total_weight", "payers": [{"payer", "weight",
/// "share", "amount"}], "rounded_up", "uncounted": {"unknown", "errors"}}` (amounts in
/// euros, `share` in percent of the whole, lines from 1).
pub fn json(k: &CostKey) -> Json {
    let num = crate::case::number_json;
    json!({
        "amount": num(k.amount),
        "total_weight": num(k.total_weight),
        "payers": k.parts.iter().map(|p| json!({
            "payer": p.payer,
            "weight": num(p.weight),
            "share": num((p.weight * Decimal::ONE_HUNDRED / k.total_weight).round_dp(6).normalize()),
            "amount": num(p.amount),
        })).collect::<Vec<_>>(),
        "rounded_up": k.rounded_up,
        "uncounted": {"unknown": k.uncounted.unknown, "errors": k.uncounted.errors},
    })
}

fn lines(numbers: &[usize]) -> String {
    let shown: Vec<String> = numbers.iter().take(10).map(ToString::to_string).collect();
    if numbers.len() > 10 {
        format!("{} en {} meer", shown.join(", "), numbers.len() - 10)
    } else {
        crate::text::enumerate(&shown, "en")
    }
}

fn grouped_number(d: Decimal) -> String {
    let text = crate::text::number(d.normalize());
    let (whole, fraction) = text
        .split_once(',')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let grouped = crate::text::grouped(whole);
    match fraction {
        Some(f) => format!("{grouped},{f}"),
        None => grouped,
    }
}

fn percent(weight: Decimal, total: Decimal) -> String {
    let p = (weight * Decimal::ONE_HUNDRED / total)
        .round_dp(2)
        .normalize();
    format!("{}%", crate::text::number(p))
}
