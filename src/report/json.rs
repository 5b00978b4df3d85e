//! The decision as JSON: exactly the keys of spec section 8 for the law, and — only for
//! a rule set with further decisions or payers from the case — the additive keys of
//! `docs/contract.md` (`payment`, `decisions`).

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use crate::allocation::allocate;
use crate::case::{Case, ValueJson};
use crate::eval::{Decision, Part, Payment, Status, TraceStep};
use crate::ruleset::{FactId, Outcome, Read, RuleId, RuleSet};

/// The decision in the shape of spec section 8, serialised straight from the decision
/// (no intermediate JSON tree), so that a batch can write it without allocating per
/// value. `allocation` and `case.kosten` are there only when the case has costs;
/// `payment` and `decisions` only when the rule set has further decisions or payers
/// from the case.
#[derive(Serialize)]
struct DecisionJson<'a> {
    status: &'static str,
    outcome: Option<OutcomeJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<PaymentJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allocation: Option<Option<AllocationJson<'a>>>,
    decided_by: Names<'a, RuleId>,
    missing: Names<'a, FactId>,
    trace: Trace<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decisions: Option<Parts<'a>>,
    ruleset: RuleSetJson<'a>,
    reference_date: String,
    case: CaseJson<'a>,
    engine: EngineJson,
}

/// `{"payers": [{"payer", "share", "domain", "via"}] | null, "missing": [...]}`.
#[derive(Serialize)]
struct PaymentJson<'a> {
    payers: Option<Vec<PayerJson<'a>>>,
    missing: Names<'a, FactId>,
}

#[derive(Serialize)]
struct PayerJson<'a> {
    payer: &'a str,
    share: Amount,
    domain: &'a str,
    via: Option<&'a str>,
}

/// The further decisions by name, each `{"status", "outcome", "decided_by", "missing",
/// "trace"}`.
struct Parts<'a> {
    ctx: &'a Ctx<'a>,
    parts: &'a [Part],
}

#[derive(Serialize)]
struct PartJson<'a> {
    status: &'static str,
    outcome: Option<OutcomeJson<'a>>,
    decided_by: Names<'a, RuleId>,
    missing: Names<'a, FactId>,
    trace: Trace<'a>,
}

impl Serialize for Parts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        let rs = ctx.rs;
        s.collect_map(self.parts.iter().map(|p| {
            (
                rs.decision(p.decision).name.as_str(),
                PartJson {
                    status: p.status.as_str(),
                    outcome: p.outcome.as_ref().map(|o| OutcomeJson(rs, o)),
                    decided_by: Names {
                        rs,
                        ids: &p.decided_by,
                    },
                    missing: Names {
                        rs,
                        ids: &p.missing,
                    },
                    trace: Trace {
                        ctx,
                        steps: &p.trace,
                    },
                },
            )
        }))
    }
}

fn payment<'a>(rs: &'a RuleSet, p: &'a Payment) -> PaymentJson<'a> {
    PaymentJson {
        payers: p.shares.as_ref().map(|shares| {
            shares
                .iter()
                .map(|s| PayerJson {
                    payer: &s.payer,
                    share: Amount(s.percent),
                    domain: rs.domain_name(s.domain),
                    via: s.route.map(|r| rs.domain_name(r)),
                })
                .collect()
        }),
        missing: Names {
            rs,
            ids: &p.missing,
        },
    }
}

#[derive(Serialize)]
struct StepJson<'a> {
    rule: &'a str,
    result: &'static str,
    overridden_by: Names<'a, RuleId>,
    conditions: Conditions<'a>,
}

#[derive(Serialize)]
struct ConditionJson<'a> {
    text: &'a str,
    value: Option<bool>,
    facts: FactsJson<'a>,
}

#[derive(Serialize)]
struct RuleSetJson<'a> {
    name: &'a str,
    version: Option<&'a str>,
    sha256: &'a str,
    files: &'a [String],
}

#[derive(Serialize)]
struct CaseJson<'a> {
    id: Option<&'a str>,
    facts: FactsJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kosten: Option<Amount>,
}

#[derive(Serialize)]
struct EngineJson {
    name: &'static str,
    version: &'static str,
}

/// This engine and its version.
const ENGINE: EngineJson = EngineJson {
    name: env!("CARGO_PKG_NAME"),
    version: env!("CARGO_PKG_VERSION"),
};

impl<'a> RuleSetJson<'a> {
    fn of(rs: &'a RuleSet) -> RuleSetJson<'a> {
        RuleSetJson {
            name: rs.name(),
            version: rs.version(),
            sha256: rs.sha256(),
            files: rs.files(),
        }
    }
}

/// Whether a decision's JSON has the additive keys `payment` and `decisions`: only for a
/// rule set with further decisions or payers from the case.
fn extended(rs: &RuleSet) -> bool {
    rs.has_further_decisions() || rs.has_case_payers()
}

/// What serialising one decision needs besides the decision itself: the rule set, the
/// case, and (for atoms that read earlier decisions) each decision's outcome and each
/// rule's result.
struct Ctx<'a> {
    rs: &'a RuleSet,
    case: &'a Case,
    /// The outcome of each decision, by id (empty for a rule set with only the law).
    decisions: Vec<Option<&'a Outcome>>,
    /// The result of each rule, by id (empty for a rule set with only the law).
    results: Vec<Option<&'static str>>,
}

impl<'a> Ctx<'a> {
    fn new(rs: &'a RuleSet, case: &'a Case, d: &'a Decision) -> Ctx<'a> {
        let mut ctx = Ctx {
            rs,
            case,
            decisions: Vec::new(),
            results: Vec::new(),
        };
        if rs.has_further_decisions() {
            ctx.decisions = vec![None; rs.decisions().len()];
            if let Some(slot) = ctx.decisions.get_mut(crate::ruleset::LAW.index()) {
                *slot = d.outcome.as_ref();
            }
            for p in &d.parts {
                if let Some(slot) = ctx.decisions.get_mut(p.decision.index()) {
                    *slot = p.outcome.as_ref();
                }
            }
            ctx.results = vec![None; rs.rules().len()];
            let steps = d
                .trace
                .iter()
                .chain(d.parts.iter().flat_map(|p| p.trace.iter()));
            for step in steps {
                if let Some(slot) = ctx.results.get_mut(step.rule.index()) {
                    *slot = Some(step.result.as_str());
                }
            }
        }
        ctx
    }
}

/// Names of rules or facts, serialised as a list of strings.
struct Names<'a, T> {
    rs: &'a RuleSet,
    ids: &'a [T],
}

impl Serialize for Names<'_, RuleId> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ids.iter().map(|r| self.rs.rule_name(*r)))
    }
}

impl Serialize for Names<'_, FactId> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.ids.iter().map(|f| self.rs.fact_name(*f)))
    }
}

/// Facts with their values in the case.
struct FactsJson<'a> {
    ctx: &'a Ctx<'a>,
    which: Which<'a>,
}

enum Which<'a> {
    /// What an atom read: facts (unknown ones as `null`), earlier decisions (their
    /// outcome), rules of earlier decisions (`regel NAAM`: its result).
    Read(&'a [Read]),
    /// Every known fact of the case.
    Known,
}

/// One value an atom read.
enum ReadJson<'a> {
    Fact(Option<ValueJson<'a>>),
    Decision(Option<OutcomeJson<'a>>),
    Rule(Option<&'static str>),
}

impl Serialize for ReadJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ReadJson::Fact(v) => v.serialize(s),
            ReadJson::Decision(o) => o.serialize(s),
            ReadJson::Rule(r) => r.serialize(s),
        }
    }
}

impl Serialize for FactsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Ctx { rs, case, .. } = self.ctx;
        let value = |f: FactId| case.value(f).map(|v| ValueJson(rs, v));
        match self.which {
            Which::Known => s.collect_map(
                rs.fact_ids()
                    .filter_map(|f| Some((rs.fact_name(f), value(f)?))),
            ),
            Which::Read(reads) => s.collect_map(reads.iter().map(|r| {
                match r {
                    Read::Fact(f) => (rs.fact_name(*f).to_string(), ReadJson::Fact(value(*f))),
                    Read::Decision(d) => (
                        rs.decision(*d).name.clone(),
                        ReadJson::Decision(
                            self.ctx
                                .decisions
                                .get(d.index())
                                .copied()
                                .flatten()
                                .map(|o| OutcomeJson(rs, o)),
                        ),
                    ),
                    Read::Rule(rule) => (
                        format!("regel {}", rs.rule_name(*rule)),
                        ReadJson::Rule(self.ctx.results.get(rule.index()).copied().flatten()),
                    ),
                }
            })),
        }
    }
}

/// The trace of one decision.
struct Trace<'a> {
    ctx: &'a Ctx<'a>,
    steps: &'a [TraceStep],
}

impl Serialize for Trace<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        let rs = ctx.rs;
        s.collect_seq(self.steps.iter().map(|step| StepJson {
            rule: rs.rule_name(step.rule),
            result: step.result.as_str(),
            overridden_by: Names {
                rs,
                ids: &step.overridden_by,
            },
            conditions: Conditions {
                ctx,
                conditions: &step.conditions,
            },
        }))
    }
}

struct Conditions<'a> {
    ctx: &'a Ctx<'a>,
    conditions: &'a [crate::eval::Condition],
}

impl Serialize for Conditions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        s.collect_seq(self.conditions.iter().map(|c| {
            let atom = ctx.rs.atom(c.atom);
            ConditionJson {
                text: &atom.text,
                value: c.value,
                facts: FactsJson {
                    ctx,
                    which: Which::Read(&atom.reads),
                },
            }
        }))
    }
}

struct OutcomeJson<'a>(&'a RuleSet, &'a Outcome);

impl Serialize for OutcomeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let OutcomeJson(rs, o) = self;
        s.collect_map(
            o.shares()
                .iter()
                .map(|(d, p)| (rs.domain_name(*d), Amount(*p))),
        )
    }
}

struct AllocationJson<'a>(Vec<(&'a str, Decimal)>);

impl Serialize for AllocationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(p, a)| (p, Amount(*a))))
    }
}

/// An exact decimal as a JSON number (see [`number`]).
struct Amount(Decimal);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        number(self.0).serialize(s)
    }
}

/// Serialises the decision of `ctx`.
struct View<'a> {
    ctx: Ctx<'a>,
    d: &'a Decision,
}

impl Serialize for View<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ctx, d) = (&self.ctx, self.d);
        let (rs, case) = (ctx.rs, ctx.case);
        let extended = extended(rs);
        let allocation = case.costs.map(|costs| {
            d.payment
                .by_payer()
                .map(|shares| AllocationJson(allocate(&shares, costs)))
        });
        DecisionJson {
            status: d.status.as_str(),
            outcome: d.outcome.as_ref().map(|o| OutcomeJson(rs, o)),
            payment: extended.then(|| payment(rs, &d.payment)),
            allocation,
            decided_by: Names {
                rs,
                ids: &d.decided_by,
            },
            missing: Names {
                rs,
                ids: &d.missing,
            },
            trace: Trace {
                ctx,
                steps: &d.trace,
            },
            decisions: rs.has_further_decisions().then_some(Parts {
                ctx,
                parts: &d.parts,
            }),
            ruleset: RuleSetJson::of(rs),
            reference_date: d.reference_date.to_string(),
            case: CaseJson {
                id: case.id.as_deref(),
                facts: FactsJson {
                    ctx,
                    which: Which::Known,
                },
                kosten: case.costs.map(Amount),
            },
            engine: ENGINE,
        }
        .serialize(s)
    }
}

fn view<'a>(rs: &'a RuleSet, case: &'a Case, d: &'a Decision) -> View<'a> {
    View {
        ctx: Ctx::new(rs, case, d),
        d,
    }
}

/// The decision as a JSON value.
pub fn decision(rs: &RuleSet, case: &Case, d: &Decision) -> Json {
    serde_json::to_value(view(rs, case, d)).unwrap_or(Json::Null)
}

/// The decision as indented JSON, ending with a newline (what `eval --format json`
/// prints and the service answers).
pub fn pretty(rs: &RuleSet, case: &Case, d: &Decision) -> String {
    let mut out = Vec::with_capacity(16 * 1024);
    // Serialising into memory fails only on non-string map keys, which there are none.
    let _ = serde_json::to_writer_pretty(&mut out, &view(rs, case, d));
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the decision as compact JSON (one line, without the newline) to `out`.
pub fn write_decision(out: &mut Vec<u8>, rs: &RuleSet, case: &Case, d: &Decision) {
    // Serialising into memory fails only on non-string map keys, which there are none.
    let _ = serde_json::to_writer(out, &view(rs, case, d));
}

/// A diagnostic for `check --format json`: severity, code, message, place, the rules
/// involved and an example case (`[]` and `null` for a problem that is no finding).
pub fn problem(p: &crate::diagnostic::Problem, sources: &crate::source::Sources) -> Json {
    finding_with(p, &[], None, sources)
}

/// A finding of the analysis for `check --format json`, as [`problem`].
pub fn finding(f: &crate::diagnostic::Finding, sources: &crate::source::Sources) -> Json {
    finding_with(&f.problem, &f.rules, f.example.as_ref(), sources)
}

fn finding_with(
    p: &crate::diagnostic::Problem,
    rules: &[String],
    example: Option<&Json>,
    sources: &crate::source::Sources,
) -> Json {
    let place = crate::diagnostic::location(p, sources);
    serde_json::json!({
        "severity": if p.is_error() { "error" } else { "warning" },
        "code": p.code.as_str(),
        "message": p.message,
        "file": place.as_ref().map(|(f, _, _)| f.clone()),
        "line": place.as_ref().map(|(_, l, _)| *l),
        "column": place.as_ref().map(|(_, _, c)| *c),
        "rules": rules,
        "example": example,
    })
}

/// `{"jeugdwet": 100}`: each domain with its percentage.
pub fn outcome(rs: &RuleSet, o: &Outcome) -> Json {
    serde_json::to_value(OutcomeJson(rs, o)).unwrap_or(Json::Null)
}

pub use crate::case::{number_json as number, value_json as value};

/// The decision line of a batch without trace, for a rule set that decides only the law
/// and names no payer by a fact of the case (so the line has neither `payment` nor
/// `decisions`): the rule set's constant parts (names, outcomes, the `ruleset` and
/// `engine` objects) escaped once, so that a line is mostly copied. It writes exactly
/// what [`write_decision`] writes for the same decision (a property test checks it).
#[derive(Debug, Clone)]
pub struct CompactLine {
    /// Per status (by `Status as usize`) and outcome (by
    /// [`crate::eval::Scratch::outcome_index`], then `null`): the line up to the list of
    /// deciding rules, `{"status":"…","outcome":…,"decided_by":[`.
    leads: Vec<Vec<u8>>,
    /// Per distinct outcome (by [`crate::eval::Scratch::outcome_index`]): its JSON, and
    /// who pays.
    outcomes: Vec<(Vec<u8>, Payment)>,
    /// Per rule and per fact: a comma and the name as a JSON string (`,"leeftijd"`);
    /// per fact also as a key (`,"leeftijd":`), and for a `ja/nee` or `keuze` fact with
    /// each of its values (`,"wlz":true`). The first of a list is written without its
    /// comma.
    rules: Vec<Vec<u8>>,
    facts: Vec<Vec<u8>>,
    fact_keys: Vec<Vec<u8>>,
    fact_values: Vec<Pieces>,
    /// Per symbol: its name as a JSON string.
    symbols: Vec<Vec<u8>>,
    /// From the end of `missing` to the opening quote of `reference_date`; and the same
    /// from the start of an empty `missing`.
    middle: Vec<u8>,
    no_missing: Vec<u8>,
    /// The batch's reference date, and the line from the start of an empty `missing`
    /// up to the case's id for it (`…,"reference_date":"2025-09-01","case":{"id":`).
    date: jiff::civil::Date,
    dated: Vec<u8>,
    /// `,"engine":{…}}`.
    tail: Vec<u8>,
    /// `}}` and the tail: the end of a line without `kosten`.
    end: Vec<u8>,
}

impl CompactLine {
    /// `None` for a rule set whose lines have `payment` or `decisions`. `date` is the
    /// batch's reference date (a case may give its own).
    pub fn new(rs: &RuleSet, date: jiff::civil::Date) -> Option<CompactLine> {
        if extended(rs) {
            return None;
        }
        let outcomes: Vec<(Vec<u8>, Payment)> = crate::eval::outcomes(rs)
            .iter()
            .map(|o| {
                (
                    json(&OutcomeJson(rs, o)),
                    crate::eval::law_payment(rs, Some(o)),
                )
            })
            .collect();
        // Every status, also a further decision's `not_needed`, at `status as usize`.
        let stride = outcomes.len() + 1;
        let mut leads = vec![Vec::new(); (Status::ALL.len() + 1) * stride];
        for status in Status::ALL.iter().chain(&[Status::NotNeeded]) {
            let jsons = outcomes.iter().map(|(json, _)| json.as_slice());
            for (o, outcome) in jsons.chain([&b"null"[..]]).enumerate() {
                let mut lead = b"{\"status\":".to_vec();
                lead.extend(json(status.as_str()));
                lead.extend(b",\"outcome\":");
                lead.extend(outcome);
                lead.extend(DECIDED_BY);
                if let Some(slot) = leads.get_mut(*status as usize * stride + o) {
                    *slot = lead;
                }
            }
        }
        let listed = |name: &str, after: &[u8]| {
            let mut item = b",".to_vec();
            item.extend(json(name));
            item.extend(after);
            item
        };
        let rules = rs
            .rule_ids()
            .map(|r| listed(rs.rule_name(r), b""))
            .collect();
        let facts = rs
            .fact_ids()
            .map(|f| listed(rs.fact_name(f), b""))
            .collect();
        let fact_keys: Vec<Vec<u8>> = rs
            .fact_ids()
            .map(|f| listed(rs.fact_name(f), b":"))
            .collect();
        let fact_values = rs
            .facts()
            .iter()
            .zip(&fact_keys)
            .map(|(fact, key)| {
                use crate::ruleset::{Type, Value};
                let piece = |v: &Value| {
                    let mut piece = key.clone();
                    piece.extend(json(&ValueJson(rs, v)));
                    piece
                };
                match fact.ty {
                    Type::Bool => {
                        Pieces::Bool([piece(&Value::Bool(false)), piece(&Value::Bool(true))])
                    }
                    Type::Choice(_) => {
                        let indices = fact.values.iter().map(|s| s.index());
                        let (first, last) = (indices.clone().min(), indices.max());
                        let (Some(first), Some(last)) = (first, last) else {
                            return Pieces::None;
                        };
                        if last - first >= MAX_PIECES {
                            return Pieces::None;
                        }
                        let mut pieces = vec![Vec::new(); last - first + 1];
                        for s in &fact.values {
                            if let Some(p) = pieces.get_mut(s.index() - first) {
                                *p = piece(&Value::Choice(*s));
                            }
                        }
                        Pieces::Choice { first, pieces }
                    }
                    _ => Pieces::None,
                }
            })
            .collect();
        let count = rs
            .facts()
            .iter()
            .flat_map(|f| f.values.iter())
            .map(|s| s.index() + 1)
            .max()
            .unwrap_or(0);
        let symbols = (0..count)
            .map(|i| json(rs.symbols().name(crate::ruleset::Sym::from_index(i))))
            .collect();
        let mut middle = b"],\"trace\":[],\"ruleset\":".to_vec();
        middle.extend(json(&RuleSetJson::of(rs)));
        middle.extend(b",\"reference_date\":\"");
        let mut no_missing = b"],\"missing\":[".to_vec();
        no_missing.extend(&middle);
        let mut dated = no_missing.clone();
        write_date(&mut dated, date);
        dated.extend(CASE_ID);
        let mut tail = b",\"engine\":".to_vec();
        tail.extend(json(&ENGINE));
        tail.push(b'}');
        let end = [&b"}}"[..], &tail].concat();
        Some(CompactLine {
            leads,
            outcomes,
            rules,
            facts,
            fact_keys,
            fact_values,
            symbols,
            middle,
            no_missing,
            date,
            dated,
            tail,
            end,
        })
    }

    /// Who pays for the decision just made into `scratch` (`None` while incomplete).
    pub fn payment(
        &self,
        verdict: &crate::eval::Verdict<'_>,
        scratch: &crate::eval::Scratch,
    ) -> Option<&Payment> {
        verdict.outcome?;
        self.outcomes.get(scratch.outcome_index()?).map(|(_, p)| p)
    }

    /// Appends the line (without the newline) of the decision just made into `scratch`
    /// without a trace, with `verdict`, for `case`.
    pub fn write(
        &self,
        out: &mut Vec<u8>,
        case: &Case,
        verdict: &crate::eval::Verdict<'_>,
        scratch: &crate::eval::Scratch,
    ) {
        let outcome = verdict
            .outcome
            .and_then(|_| scratch.outcome_index())
            .filter(|i| *i < self.outcomes.len())
            .unwrap_or(self.outcomes.len());
        let payment = self.payment(verdict, scratch);
        let at = verdict.status as usize * (self.outcomes.len() + 1) + outcome;
        let lead = self.leads.get(at).map_or(&[][..], |lead| lead);
        match case.costs {
            None => out.extend(lead),
            Some(_) => out.extend(
                lead.get(..lead.len().saturating_sub(DECIDED_BY.len()))
                    .unwrap_or_default(),
            ),
        }
        if let Some(costs) = case.costs {
            out.extend(b",\"allocation\":");
            let shares = payment.and_then(Payment::by_payer);
            match shares {
                Some(shares) => {
                    let _ =
                        serde_json::to_writer(&mut *out, &AllocationJson(allocate(&shares, costs)));
                }
                None => out.extend(b"null"),
            }
            out.extend(DECIDED_BY);
        }
        self.names(
            out,
            &self.rules,
            scratch.decided_by().iter().map(|r| r.index()),
        );
        let missing = scratch.missing();
        if missing.is_empty() && verdict.reference_date == self.date {
            out.extend(&self.dated);
        } else {
            if missing.is_empty() {
                out.extend(&self.no_missing);
            } else {
                out.extend(b"],\"missing\":[");
                self.names(out, &self.facts, missing.iter().map(|f| f.index()));
                out.extend(&self.middle);
            }
            write_date(out, verdict.reference_date);
            out.extend(CASE_ID);
        }
        match &case.id {
            Some(id) if crate::text::json_plain_len(id.as_bytes()) == id.len() => {
                out.push(b'"');
                out.extend(id.as_bytes());
                out.extend(b"\",\"facts\":{");
            }
            id => {
                let _ = serde_json::to_writer(&mut *out, id);
                out.extend(b",\"facts\":{");
            }
        }
        let mut first = true;
        for ((name, pieces), value) in self
            .fact_keys
            .iter()
            .zip(&self.fact_values)
            .zip(&case.values)
        {
            let Some(value) = value else { continue };
            let skip = usize::from(std::mem::take(&mut first));
            let piece = match (value, pieces) {
                (crate::ruleset::Value::Bool(b), Pieces::Bool(both)) => both.get(usize::from(*b)),
                (crate::ruleset::Value::Choice(c), Pieces::Choice { first, pieces }) => c
                    .index()
                    .checked_sub(*first)
                    .and_then(|i| pieces.get(i))
                    .filter(|p| !p.is_empty()),
                _ => None,
            };
            match piece {
                Some(piece) => out.extend(piece.get(skip..).unwrap_or_default()),
                None => {
                    out.extend(name.get(skip..).unwrap_or_default());
                    self.value(out, value);
                }
            }
        }
        match case.costs {
            None => out.extend(&self.end),
            Some(costs) => {
                out.extend(b"},\"kosten\":");
                write_number(out, costs);
                out.push(b'}');
                out.extend(&self.tail);
            }
        }
    }

    fn names(&self, out: &mut Vec<u8>, names: &[Vec<u8>], ids: impl Iterator<Item = usize>) {
        for (i, id) in ids.enumerate() {
            let name = names.get(id).map_or(&b",null"[..], |n| n);
            out.extend(name.get(usize::from(i == 0)..).unwrap_or_default());
        }
    }

    fn value(&self, out: &mut Vec<u8>, value: &crate::ruleset::Value) {
        use crate::ruleset::Value;
        let symbol = |s: &crate::ruleset::Sym| self.symbols.get(s.index());
        match value {
            Value::Bool(b) => out.extend(if *b { &b"true"[..] } else { b"false" }),
            Value::Number(n) => write_number(out, *n),
            Value::Choice(s) => match symbol(s) {
                Some(json) => out.extend(json),
                None => out.extend(b"null"),
            },
            Value::List(items) => {
                out.push(b'[');
                for (i, s) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend(symbol(s).map_or(&b"null"[..], |n| n));
                }
                out.push(b']');
            }
            Value::Text(t) => {
                let _ = serde_json::to_writer(&mut *out, &**t);
            }
        }
    }
}

/// A fact's key with each of its values (`,"wlz":true`), for a `ja/nee` or `keuze` fact.
#[derive(Debug, Clone)]
enum Pieces {
    None,
    /// For `false` and `true`.
    Bool([Vec<u8>; 2]),
    /// By symbol index from `first` on (empty for a symbol that is not a value).
    Choice {
        first: usize,
        pieces: Vec<Vec<u8>>,
    },
}

/// The most symbol indices the values of one `keuze` fact may span to be written from
/// [`Pieces`] (its values are mostly named together, so their indices are close).
const MAX_PIECES: usize = 1024;

/// Between the outcome (or allocation) and the deciding rules.
const DECIDED_BY: &[u8] = b",\"decided_by\":[";

/// Between the reference date and the case's id.
const CASE_ID: &[u8] = b"\",\"case\":{\"id\":";

/// A date as its `Display` writes it: `JJJJ-MM-DD` for the years 0 to 9999 directly.
fn write_date(out: &mut Vec<u8>, date: jiff::civil::Date) {
    use std::io::Write as _;
    let (y, m, d) = (date.year(), date.month(), date.day());
    match u16::try_from(y).ok().filter(|y| *y <= 9999) {
        Some(y) => {
            let digit = |n: u16| b'0' + (n % 10) as u8;
            let (m, d) = (m.unsigned_abs() as u16, d.unsigned_abs() as u16);
            out.extend([
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                b'-',
                digit(m / 10),
                digit(m),
                b'-',
                digit(d / 10),
                digit(d),
            ]);
        }
        None => {
            let _ = write!(out, "{date}");
        }
    }
}

/// An exact decimal as [`number`] writes it: a whole number directly, any other through
/// it.
fn write_number(out: &mut Vec<u8>, n: Decimal) {
    // A whole number read as such is already in normal form.
    let n = if n.scale() == 0 { n } else { n.normalize() };
    match i64::try_from(n.mantissa()) {
        Ok(whole) if n.scale() == 0 && !(n.is_zero() && n.is_sign_negative()) => {
            out.extend(itoa::Buffer::new().format(whole).as_bytes());
        }
        _ => {
            let _ = serde_json::to_writer(&mut *out, &number(n));
        }
    }
}

/// A part of the line as JSON, made once when the rule set is read.
fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_date_is_written_as_its_display() {
        for (y, m, d) in [
            (0, 1, 1),
            (7, 2, 28),
            (999, 12, 31),
            (2025, 9, 1),
            (9999, 12, 31),
            (-1, 3, 4),
        ] {
            let date = jiff::civil::date(y, m, d);
            let mut out = Vec::new();
            super::write_date(&mut out, date);
            assert_eq!(String::from_utf8(out).unwrap_or_default(), date.to_string());
        }
    }
}
