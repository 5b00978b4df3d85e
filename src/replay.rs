//! Replay: decide a recorded case again, at its recorded reference date, and compare.
//!
//! The input is what `eval --format json` or `batch` wrote, or lines of a decision log.
//! The case is rebuilt from the decision's `case` (its facts, `id` and `kosten`); the
//! new decision is compared key by key with the recorded one — status, outcome,
//! allocation, deciding rules, missing facts and, when the recorded decision has one,
//! the trace rule by rule — and the rule set's hash with the recorded hash.

use std::io::{BufRead, Read};

use serde_json::{Map, Value as Json};

use crate::case::case_from_json;
use crate::diagnostic::{Code, Problem, Problems};
use crate::eval::evaluate;
use crate::report;
use crate::ruleset::RuleSet;
use crate::source::FileId;

/// The longest line read as one recorded decision (as a log record): 64 MiB.
const MAX_LINE: u64 = 64 << 20;

/// The longest file read as one pretty-printed decision: 64 MiB.
const MAX_DOCUMENT: u64 = 64 << 20;

fn not_a_decision(line: u64, why: &str) -> Problem {
    Problem::without_span(Code::NotADecision, format!("regel {line}: {why}"))
        .help("geef een beslissing van `eval --format json` of `batch`, of een regel uit een logboek (`--log`)")
}

/// The decision in a recorded value: the value itself, or the `decision` of a log
/// record.
fn unwrap_decision(line: u64, v: Json) -> Result<Json, Problem> {
    let v = match v {
        Json::Object(mut m) if m.contains_key("seq") && m.contains_key("decision") => {
            m.remove("decision").unwrap_or(Json::Null)
        }
        other => other,
    };
    let is_decision = v
        .as_object()
        .is_some_and(|m| m.contains_key("status") && m.contains_key("case"));
    if is_decision {
        Ok(v)
    } else if v.get("error").is_some() {
        Err(not_a_decision(
            line,
            "dit is de foutregel van een ongeldige casus, geen beslissing",
        ))
    } else {
        Err(not_a_decision(
            line,
            "dit is geen beslissing (er ontbreken `status` en `case`)",
        ))
    }
}

/// Reads the decisions of a file one at a time, giving each to `on` with its line
/// (1-based), so that a log of any length is replayed in bounded memory: one JSON
/// document (a decision, also pretty-printed, or a log record), or JSON Lines of them.
/// In JSON Lines, the error lines of a batch are skipped; their lines are returned.
///
/// Errors: `not-a-decision` for a line (or document) that is no decision, a file
/// without any, and a line over 64 MiB; `io` when the input cannot be read; and
/// whatever `on` returns, which stops the reading.
pub fn each_recorded(
    input: &mut dyn BufRead,
    on: &mut dyn FnMut(u64, Json) -> Result<(), Problem>,
) -> Result<Vec<u64>, Problem> {
    let unreadable = |e: std::io::Error| {
        Problem::without_span(
            Code::Io,
            format!(
                "kan de beslissingen niet lezen: {}",
                crate::diagnostic::io_reason(&e)
            ),
        )
    };
    let mut skipped = Vec::new();
    let mut decisions = 0u64;
    let mut line = Vec::new();
    let mut before = Vec::new();
    let mut n = 0u64;
    loop {
        line.clear();
        let read = (&mut *input)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .map_err(unreadable)?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.len() as u64 > MAX_LINE {
            return Err(not_a_decision(n, "deze regel is langer dan 64 MiB"));
        }
        let text = if n == 1 {
            crate::source::without_bom_bytes(&line)
        } else {
            &line[..]
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            before.extend_from_slice(text);
            continue;
        }
        let v = match serde_json::from_slice::<Json>(text) {
            Ok(v) => v,
            Err(_) if decisions == 0 && skipped.is_empty() => {
                // Not one JSON value per line: the whole file may be one document.
                before.extend_from_slice(text);
                (&mut *input)
                    .take(MAX_DOCUMENT)
                    .read_to_end(&mut before)
                    .map_err(unreadable)?;
                let v = serde_json::from_slice::<Json>(&before)
                    .map_err(|_| not_a_decision(n, "deze regel is geen JSON"))?;
                on(1, unwrap_decision(1, v)?)?;
                return Ok(Vec::new());
            }
            Err(_) => return Err(not_a_decision(n, "deze regel is geen JSON")),
        };
        if v.get("error").is_some() && v.get("line").is_some() {
            skipped.push(n);
            continue;
        }
        decisions += 1;
        on(n, unwrap_decision(n, v)?)?;
    }
    if decisions == 0 {
        return Err(not_a_decision(1, "er staat geen enkele beslissing in"));
    }
    Ok(skipped)
}

/// The result of one replay.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    pub id: Option<String>,
    pub recorded_sha256: Option<String>,
    pub sha256: String,
    /// Whether the recorded decision had a trace to compare.
    pub trace_compared: bool,
    /// In Dutch, one line per difference; empty when the decision is the same.
    pub differences: Vec<String>,
    /// The new decision.
    pub decision: Json,
}

impl Replay {
    pub fn same_ruleset(&self) -> bool {
        self.recorded_sha256.as_deref() == Some(self.sha256.as_str())
    }

    pub fn same_decision(&self) -> bool {
        self.differences.is_empty()
    }

    /// The replay in Dutch, printable in a terminal (see [`crate::text::printable`]).
    pub fn text(&self, recorded_version: Option<&str>) -> String {
        crate::text::printable(&self.text_raw(recorded_version)).into_owned()
    }

    fn text_raw(&self, recorded_version: Option<&str>) -> String {
        let mut out = String::new();
        if let Some(id) = &self.id {
            out.push_str(&format!("Casus: {id}\n"));
        }
        let status = self
            .decision
            .get("status")
            .and_then(Json::as_str)
            .unwrap_or("?");
        if self.same_decision() {
            let outcome = self
                .decision
                .get("outcome")
                .map_or("null".into(), Json::to_string);
            out.push_str(&format!(
                "Beslissing: gelijk aan de vastgelegde (status {status}, uitkomst {outcome}{})\n",
                if self.trace_compared {
                    ", spoor regel voor regel gelijk"
                } else {
                    "; er was geen spoor vastgelegd, dus dat is niet vergeleken"
                }
            ));
        } else {
            out.push_str("Beslissing: ANDERS dan vastgelegd\n");
            for d in &self.differences {
                out.push_str(&format!("  {d}\n"));
            }
        }
        match &self.recorded_sha256 {
            Some(r) if *r == self.sha256 => {
                out.push_str(&format!("Regelset: dezelfde als vastgelegd (sha256 {r})\n"));
            }
            Some(r) => out.push_str(&format!(
                "Regelset: ANDERS dan vastgelegd: vastgelegd sha256 {r}, nu {}\n",
                self.sha256
            )),
            None => out.push_str("Regelset: de beslissing noemt geen sha256\n"),
        }
        if let Some(v) = recorded_version.filter(|v| *v != env!("CARGO_PKG_VERSION")) {
            out.push_str(&format!(
                "Let op: vastgelegd met wiebetaalt {v}, herhaald met {}\n",
                env!("CARGO_PKG_VERSION")
            ));
        }
        out
    }

    /// The replay as JSON.
    pub fn json(&self) -> Json {
        serde_json::json!({
            "id": self.id,
            "same_decision": self.same_decision(),
            "same_ruleset": self.same_ruleset(),
            "recorded_sha256": self.recorded_sha256,
            "sha256": self.sha256,
            "trace_compared": self.trace_compared,
            "differences": self.differences,
        })
    }
}

/// Decides the recorded case again with `rs` and compares.
pub fn replay(rs: &RuleSet, recorded: &Json) -> Result<Replay, Problems> {
    let not = |why: String| -> Problems { Problem::without_span(Code::NotADecision, why).into() };
    let case_json = recorded
        .get("case")
        .ok_or_else(|| not("de beslissing heeft geen `case`".into()))?;
    let mut input = Map::new();
    if let Some(Json::Object(facts)) = case_json.get("facts") {
        input.extend(facts.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for key in ["id", "kosten"] {
        if let Some(v) = case_json.get(key).filter(|v| !v.is_null()) {
            input.insert(key.to_string(), v.clone());
        }
    }
    let date = recorded
        .get("reference_date")
        .and_then(Json::as_str)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .ok_or_else(|| not("de beslissing heeft geen geldige `reference_date`".into()))?;
    let case = case_from_json(Json::Object(input), FileId(0), rs)?;
    let decision = evaluate(rs, &case, date).map_err(|e| Problems::from(e.problem(rs)))?;
    let new = report::json::decision(rs, &case, &decision);
    let recorded_trace = recorded
        .get("trace")
        .and_then(Json::as_array)
        .is_some_and(|t| !t.is_empty());
    let mut differences = Vec::new();
    compare_keys(
        "",
        recorded,
        &new,
        &[
            "status",
            "outcome",
            "payment",
            "allocation",
            "decided_by",
            "missing",
        ],
        &mut differences,
    );
    if recorded_trace {
        differences.extend(trace_differences(
            recorded.get("trace").unwrap_or(&Json::Null),
            new.get("trace").unwrap_or(&Json::Null),
        ));
    }
    // The further decisions, each like the law.
    let empty = Map::new();
    let (was, now) = (
        recorded
            .get("decisions")
            .and_then(Json::as_object)
            .unwrap_or(&empty),
        new.get("decisions")
            .and_then(Json::as_object)
            .unwrap_or(&empty),
    );
    for name in was
        .keys()
        .chain(now.keys().filter(|k| !was.contains_key(*k)))
    {
        let (a, b) = (was.get(name), now.get(name));
        let (Some(a), Some(b)) = (a, b) else {
            differences.push(format!(
                "beslissing {name}: {}",
                if a.is_some() {
                    "staat niet meer in de regelset"
                } else {
                    "is nieuw in de regelset"
                }
            ));
            continue;
        };
        compare_keys(
            &format!("{name}."),
            a,
            b,
            &["status", "outcome", "decided_by", "missing"],
            &mut differences,
        );
        if recorded_trace {
            differences.extend(trace_differences(
                a.get("trace").unwrap_or(&Json::Null),
                b.get("trace").unwrap_or(&Json::Null),
            ));
        }
    }
    Ok(Replay {
        id: case.id.clone(),
        recorded_sha256: recorded
            .pointer("/ruleset/sha256")
            .and_then(Json::as_str)
            .map(str::to_string),
        sha256: rs.sha256().to_string(),
        trace_compared: recorded_trace,
        differences,
        decision: new,
    })
}

/// One line per key whose value differs between the recorded and the new decision.
fn compare_keys(prefix: &str, was: &Json, now: &Json, keys: &[&str], out: &mut Vec<String>) {
    for key in keys {
        let (a, b) = (was.get(*key), now.get(*key));
        if a != b {
            out.push(format!(
                "{prefix}{key}: vastgelegd {}, nu {}",
                a.map_or("(niets)".into(), Json::to_string),
                b.map_or("(niets)".into(), Json::to_string)
            ));
        }
    }
}

/// The rules whose trace entry differs, was added or is gone.
fn trace_differences(was: &Json, now: &Json) -> Vec<String> {
    let entries = |t: &Json| -> Vec<(String, Json)> {
        t.as_array()
            .map(|steps| {
                steps
                    .iter()
                    .map(|s| {
                        let rule = s.get("rule").and_then(Json::as_str).unwrap_or("?");
                        (rule.to_string(), s.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (was, now) = (entries(was), entries(now));
    let mut out = Vec::new();
    for (rule, old) in &was {
        match now.iter().find(|(r, _)| r == rule) {
            None => out.push(format!("regel {rule}: staat niet meer in de regelset")),
            Some((_, new)) if new != old => {
                let result = |s: &Json| {
                    s.get("result")
                        .and_then(Json::as_str)
                        .unwrap_or("?")
                        .to_string()
                };
                if result(old) == result(new) {
                    out.push(format!(
                        "regel {rule}: uitkomst {} gelijk, maar de voorwaarden of uitzonderingen zijn anders",
                        result(new)
                    ));
                } else {
                    out.push(format!(
                        "regel {rule}: vastgelegd {}, nu {}",
                        result(old),
                        result(new)
                    ));
                }
            }
            Some(_) => {}
        }
    }
    for (rule, _) in &now {
        if !was.iter().any(|(r, _)| r == rule) {
            out.push(format!("regel {rule}: is nieuw in de regelset"));
        }
    }
    let order = |t: &[(String, Json)]| t.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>();
    if out.is_empty() && order(&was) != order(&now) {
        out.push("de volgorde van de regels in het spoor is anders".to_string());
    }
    out
}
