//! The web service over a real socket: `wiebetaalt serve` as users start it, queried
//! over HTTP. The API must give exactly the CLI's decision for the same case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

/// A running `wiebetaalt serve` on a free port; stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &str) -> Server {
        Server::with(dir, &[])
    }

    fn with(dir: &str, extra: &[&str]) -> Server {
        let (child, url) = common::spawn_server(dir, extra, Stdio::null());
        Server { child, url }
    }

    fn get(&self, path: &str) -> (u16, String) {
        answer(ureq::get(&format!("{}{path}", self.url)).call())
    }

    fn post(&self, path: &str, body: &str) -> (u16, String) {
        answer(
            ureq::post(&format!("{}{path}", self.url))
                .set("Content-Type", "application/json")
                .send_string(body),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match r {
        Ok(resp) => (resp.status(), resp.into_string().unwrap()),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `(status, error code, message)` of an error answer, which must have exactly the
/// shape `{"error": {"code", "message"}}`.
fn error(answer: (u16, String)) -> (u16, String, String) {
    let v = json(&answer.1);
    let e = v["error"].as_object().unwrap();
    assert_eq!(e.len(), 2, "{v}");
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
    (
        answer.0,
        e["code"].as_str().unwrap().to_string(),
        e["message"].as_str().unwrap().to_string(),
    )
}

const DECISIONS: &str = "/api/v1/regelsets/landelijk/decisions";

#[test]
fn lists_every_rule_set_with_its_identity() {
    let s = Server::start("rules");
    let (status, body) = s.get("/api/v1/regelsets");
    assert_eq!(status, 200);
    let list = json(&body);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let stems: Vec<String> = common::shipped()
        .iter()
        .map(|f| {
            f.trim_start_matches("rules/")
                .trim_end_matches(".regels")
                .to_string()
        })
        .collect();
    assert_eq!(ids, stems);
    let landelijk = &list[ids.iter().position(|i| *i == "landelijk").unwrap()];
    let keys: Vec<&String> = landelijk.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["id", "name", "version", "sha256", "valid_from", "valid_to"]
    );
    assert_eq!(landelijk["valid_from"], "2025-08-01");
    assert_eq!(landelijk["valid_to"], Value::Null);
    assert_eq!(landelijk["version"], "2025.2");
    assert_eq!(landelijk["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn describes_the_domains_and_facts_of_a_rule_set() {
    let s = Server::start("rules");
    let (status, body) = s.get("/api/v1/regelsets/nijmegen");
    assert_eq!(status, 200);
    let d = json(&body);
    // The law's domains come from the national file; the route is a decision of its own.
    assert!(d["domains"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["name"] != "beschikbaarheidsfinanciering"));
    let route = &d["decisions"][0];
    assert_eq!(route["name"], "route");
    assert_eq!(route["for"], json!(["jeugdwet"]));
    assert_eq!(route["fallback"], json!({"beschikking": 100}));
    let value = |n: &str| {
        route["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(
        value("beschikbaarheidsfinanciering")["payer"],
        json!({"fact": "woongemeente"})
    );
    assert_eq!(value("vrij_toegankelijk")["payer"], "gemeente Nijmegen");
    let facts = d["facts"].as_array().unwrap();
    let find = |n: &str| facts.iter().find(|f| f["name"] == n).unwrap().clone();
    assert_eq!(
        find("zorguren_per_week"),
        json!({"name": "zorguren_per_week", "type": "getal", "values": null, "options": null,
               "question": "Hoeveel uur per week krijgt de leerling deze zorg onder schooltijd?",
               "help": null, "unit": "uur per week", "bounds": {"min": 0, "max": 40}})
    );
    assert_eq!(find("wlz_indicatie")["type"], "ja/nee");
    assert_eq!(find("soort")["type"], "keuze");
    assert_eq!(find("soort")["values"][0], "onderwijsondersteuning");
    assert_eq!(
        find("soort")["options"][0],
        json!({"value": "onderwijsondersteuning", "label": "ondersteuning bij het onderwijs"})
    );
    assert_eq!(
        find("soort")["options"][1],
        json!({"value": "begeleiding", "label": null})
    );
    assert_eq!(find("problematiek")["type"], "lijst");
    assert!(find("gericht_op")["help"].is_string());
    let rule = d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "zorg_in_onderwijstijd")
        .unwrap();
    assert_eq!(
        rule["outcome"],
        json!({"beschikbaarheidsfinanciering": 100})
    );
    assert_eq!(rule["decision"], "route");
    let woongemeente = find("woongemeente");
    assert_eq!(
        woongemeente["options"][0],
        json!({"value": "nijmegen", "label": "gemeente Nijmegen"})
    );
    assert!(rule["source"].is_string());
}

/// Every case in `examples/` and every corpus case, to every rule set it fits: the
/// API's body is byte for byte what `eval --format json` prints.
#[test]
fn decisions_are_exactly_the_cli_output() {
    let s = Server::start("rules");
    let dir = common::temp_dir("api");
    let cases = [
        (
            "landelijk",
            json!({"soort": "verpleging", "leeftijd": 10, "wlz_indicatie": false}),
        ),
        (
            "landelijk",
            json!({"id": "a-1", "soort": "behandeling", "problematiek": ["angst_depressie"]}),
        ),
        (
            "kop-van-noord-holland",
            json!({"soort": "hulpmiddel", "gebruikt_thuis": true}),
        ),
        (
            "nijmegen",
            json!({"soort": "persoonlijke_verzorging", "verbonden_met_verpleging": false,
                   "leeftijd": 9, "wlz_indicatie": false, "onder_schooltijd": true,
                   "zorguren_per_week": 6.5, "woongemeente": "wijchen"}),
        ),
        (
            "nijmegen",
            json!({"soort": "behandeling", "problematiek": ["angst_depressie"], "leeftijd": 14,
                   "wlz_indicatie": false, "onder_schooltijd": true, "woongemeente": "andere"}),
        ),
        (
            "einstein-class",
            json!({"einstein_arrangement": true, "soort": "begeleiding",
                   "problematiek": ["hoogbegaafdheid", "autisme"], "lesuren_per_week": 25,
                   "uren_reguliere_klas": 5, "uren_einsteinklas": 20,
                   "gebiedsteam_betrokken": false}),
        ),
        (
            "einstein-class",
            json!({"einstein_arrangement": true, "soort": "begeleiding",
                   "problematiek": ["hoogbegaafdheid", "autisme"], "lesuren_per_week": 20,
                   "uren_reguliere_klas": 12, "uren_einsteinklas": 7, "woongemeente": "andere",
                   "andere_woongemeente": "Harlingen"}),
        ),
    ];
    for (i, (id, case)) in cases.into_iter().enumerate() {
        let mut case = case;
        case["peildatum"] = json!("2025-09-01");
        let text = serde_json::to_string(&case).unwrap();
        let path = dir.join(format!("case-{i}.json"));
        std::fs::write(&path, &text).unwrap();
        let cli = Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
            .args([
                "eval",
                "--rules",
                &format!("rules/{id}.regels"),
                "--format",
                "json",
                path.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(cli.status.code(), Some(0));
        let (status, body) = s.post(&format!("/api/v1/regelsets/{id}/decisions"), &text);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, String::from_utf8(cli.stdout).unwrap(), "{id} {text}");
    }
}

#[test]
fn an_incomplete_decision_names_what_to_ask_next() {
    let s = Server::start("rules");
    let (status, body) = s.post(
        DECISIONS,
        r#"{"soort": "behandeling", "peildatum": "2025-09-01"}"#,
    );
    assert_eq!(status, 200);
    let d = json(&body);
    assert_eq!(d["status"], "incomplete");
    assert_eq!(d["outcome"], Value::Null);
    assert_eq!(d["missing"][0], "leeftijd");
}

/// The questions that can still change the outcome: never more than `missing`, and a
/// fact read only in a decided part of a condition is not among them.
#[test]
fn questions_name_only_what_can_change_the_outcome() {
    let s = Server::start("rules");
    let case = r#"{"soort": "persoonlijke_verzorging", "wlz_indicatie": false,
                   "verbonden_met_verpleging": false, "leeftijd": 9, "onder_schooltijd": true,
                   "peildatum": "2025-09-01"}"#;
    let (status, body) = s.post("/api/v1/regelsets/nijmegen/questions", case);
    assert_eq!(status, 200, "{body}");
    let q = json(&body);
    // The law is decided (Jeugdwet); the route still waits for the gemeente and the
    // hours, and the payer is the gemeente.
    assert_eq!(q["status"], "decided");
    assert_eq!(q["complete"], false);
    assert_eq!(q["next"], "woongemeente");
    let open: Vec<&str> = q["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(open, ["woongemeente", "zorguren_per_week"]);
    // `ook_buiten_school_nodig` is read only next to `soort is begeleiding`, which is
    // already false: the decision's `missing` names it, the questions do not.
    let case = r#"{"soort": "persoonlijke_verzorging", "wlz_indicatie": false,
                   "verbonden_met_verpleging": false, "onder_schooltijd": true,
                   "peildatum": "2025-09-01"}"#;
    let (_, body) = s.post(DECISIONS, case);
    assert_eq!(
        json(&body)["missing"],
        json!(["leeftijd", "ook_buiten_school_nodig"])
    );
    let (_, body) = s.post("/api/v1/regelsets/landelijk/questions", case);
    assert_eq!(
        json(&body),
        json!({"status": "incomplete", "complete": false, "next": "leeftijd", "open": ["leeftijd"]})
    );
    let (_, body) = s.post(
        "/api/v1/regelsets/landelijk/questions",
        r#"{"soort": "paramedische_therapie"}"#,
    );
    assert_eq!(
        json(&body),
        json!({"status": "decided", "complete": true, "next": null, "open": []})
    );
    assert_eq!(
        error(s.post("/api/v1/regelsets/landelijk/questions", "{")).0,
        400
    );
}

#[test]
fn errors_have_one_shape_and_the_right_status() {
    let s = Server::start("rules");
    let (status, code, message) = error(s.post("/api/v1/regelsets/rotterdam/decisions", "{}"));
    assert_eq!((status, code.as_str()), (404, "not-found"));
    assert!(message.contains("rotterdam") && message.contains("landelijk"));

    assert_eq!(error(s.get("/api/v1/regelsets/rotterdam")).0, 404);
    assert_eq!(error(s.get("/bestaat-niet")).0, 404);

    let (status, code, message) = error(s.post(DECISIONS, r#"{"soort": "#));
    assert_eq!((status, code.as_str()), (400, "case-syntax"));
    assert!(message.contains("kolom 11"), "{message}");

    let (status, code, message) = error(s.post(DECISIONS, r#"{"leeftijd": 31}"#));
    assert_eq!((status, code.as_str()), (422, "out-of-bounds"));
    assert!(message.contains("`leeftijd`"), "{message}");

    let (_, _, message) = error(s.post(DECISIONS, r#"{"naam": "Piet"}"#));
    assert!(message.contains("`naam`"), "{message}");
    let (_, _, message) = error(s.post(DECISIONS, r#"{"soort": "verplegin"}"#));
    assert!(message.contains("`verpleging`"), "{message}");
    assert_eq!(error(s.post(DECISIONS, "[1, 2]")).0, 400);

    let (status, code, _) = error(s.post(
        DECISIONS,
        r#"{"soort": "verpleging", "peildatum": "2020-01-01"}"#,
    ));
    assert_eq!((status, code.as_str()), (422, "not-valid"));

    let (status, code, _) = error(answer(
        ureq::request("DELETE", &format!("{}/api/v1/regelsets", s.url)).call(),
    ));
    assert_eq!((status, code.as_str()), (405, "bad-request"));

    // The service is still there after all that.
    assert_eq!(s.get("/health").0, 200);
}

#[test]
fn health_and_the_openapi_description() {
    let s = Server::start("rules");
    let (status, body) = s.get("/health");
    assert_eq!(status, 200);
    assert_eq!(
        json(&body),
        json!({"status": "ok", "regelsets": common::shipped().len()})
    );
    let (status, body) = s.get("/api/v1/openapi.json");
    assert_eq!(status, 200);
    let doc = json(&body);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/health",
        "/api/v1/regelsets",
        "/api/v1/regelsets/{id}",
        "/api/v1/regelsets/{id}/decisions",
        "/api/v1/regelsets/{id}/questions",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not described");
    }
    let codes = doc["paths"]["/api/v1/regelsets/{id}/decisions"]["post"]["responses"]
        .as_object()
        .unwrap();
    for code in ["200", "400", "404", "413", "422"] {
        assert!(codes.contains_key(code), "{code}");
    }
}

#[test]
fn the_page_is_dutch_and_needs_nothing_from_outside() {
    let s = Server::start("rules");
    let (status, html) = s.get("/");
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="nl">"#));
    assert!(html.contains(r#"<label for="regelset">"#));
    for asset in ["/", "/app.js", "/style.css"] {
        let (status, text) = s.get(asset);
        assert_eq!(status, 200, "{asset}");
        assert!(
            !text.contains("http://") && !text.contains("https://") && !text.contains("//cdn"),
            "{asset} refers to something outside the service"
        );
    }
}

#[test]
fn refuses_to_start_when_a_rule_file_has_errors() {
    let dir = common::temp_dir("serve");
    std::fs::write(
        dir.join("kapot.regels"),
        "regelset \"X\"\nregel r als p dan q\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args([
            "serve",
            "--rules",
            dir.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("kapot.regels:2:"), "{err}");

    let o = Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args(["serve", "--rules", "bestaat/niet", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bestaat/niet"));
}

#[cfg(unix)]
#[test]
fn stops_cleanly_on_sigterm_and_never_logs_the_case() {
    let (child, url) = common::spawn_server("rules", &[], Stdio::piped());
    let url = url.as_str();
    let (status, _) = answer(
        ureq::post(&format!("{url}{DECISIONS}"))
            .set("Content-Type", "application/json")
            .send_string(r#"{"id": "dossier-Jansen", "soort": "verpleging", "leeftijd": 10}"#),
    );
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "a clean exit after SIGTERM");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("regelset=landelijk") && log.contains("status=incomplete"),
        "{log}"
    );
    assert!(
        !log.contains("Jansen") && !log.contains("verpleging"),
        "{log}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-50i64..600).prop_map(Value::from),
            (-1e3f64..1e3).prop_map(Value::from),
            "[a-z_]{0,12}".prop_map(Value::from),
            prop::collection::vec("[a-z_]{0,12}".prop_map(Value::from), 0..4).prop_map(Value::from),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "soort",
                "leeftijd",
                "problematiek",
                "wlz_indicatie",
                "afstand_km",
                "gericht_op",
                "id",
                "peildatum",
                "kosten",
                "zorguren_per_week",
            ])
            .prop_map(String::from),
            "[a-z_]{1,10}",
        ]
    }

    fn runner() -> TestRunner {
        TestRunner::new(Config::with_cases(64))
    }

    /// Any JSON object gets a decision or a 422 with the error shape, never a crash.
    #[test]
    fn any_object_gets_a_decision_or_a_clear_refusal() {
        let s = Server::start("rules");
        let cases = (
            prop::collection::vec((key(), value()), 0..8),
            prop::sample::select(vec!["landelijk", "nijmegen", "einstein-class"]),
        );
        runner()
            .run(&cases, |(entries, set)| {
                let body = Value::Object(entries.into_iter().collect()).to_string();
                let (status, text) = s.post(&format!("/api/v1/regelsets/{set}/decisions"), &body);
                let v = json(&text);
                match status {
                    200 => prop_assert!(v["status"].is_string()),
                    422 => prop_assert!(v["error"]["message"].is_string()),
                    other => prop_assert!(false, "status {other} for {body}: {text}"),
                }
                Ok(())
            })
            .unwrap();
    }

    /// Any text at all: 200, 400 or 422, always JSON.
    #[test]
    fn any_text_is_answered_in_json() {
        let s = Server::start("rules");
        runner()
            .run(&".{0,200}", |body| {
                let (status, text) = s.post(DECISIONS, &body);
                prop_assert!(matches!(status, 200 | 400 | 422), "{status}: {text}");
                json(&text);
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn with_a_log_every_decision_is_recorded_before_it_is_answered() {
    let dir = common::temp_dir("serve-log");
    let log = dir.join("beslissingen.log");
    let _ = std::fs::remove_file(&log);
    let log = log.to_str().unwrap().to_string();
    let server = Server::with("rules", &["--log", &log]);
    let path = "/api/v1/regelsets/kop-van-noord-holland/decisions";
    let answers: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let server = &server;
                s.spawn(move || {
                    (0..10)
                        .map(|i| {
                            let body = format!(
                                r#"{{"id": "{t}-{i}", "kosten": {i}.5, "soort": "vervoer", "afstand_km": {}, "peildatum": "2025-09-01"}}"#,
                                i * 3
                            );
                            let (status, text) = server.post(path, &body);
                            assert_eq!(status, 200, "{text}");
                            json(&text)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(answers.len(), 40);
    // Questions are no decisions: not logged.
    let (status, _) = server.post(
        "/api/v1/regelsets/kop-van-noord-holland/questions",
        r#"{"soort": "vervoer"}"#,
    );
    assert_eq!(status, 200);
    // Another writer takes its turn between the service's groups.
    let case = dir.join("casus.yaml");
    std::fs::write(&case, "soort: vervoer\nafstand_km: 2\n").unwrap();
    let out = common::run(
        &[
            "eval",
            "--rules",
            "rules/kop-van-noord-holland.regels",
            "--log",
            &log,
            case.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(common::verified(&log).contains("41 records"));
    // Each answer is in the log, exactly as answered.
    let text = std::fs::read_to_string(&log).unwrap();
    let logged: Vec<Value> = text.lines().map(|l| json(l)["decision"].clone()).collect();
    for a in &answers {
        assert!(logged.contains(a), "not logged: {}", a["case"]["id"]);
    }
    let out = common::run(
        &[
            "replay",
            "--rules",
            "rules/kop-van-noord-holland.regels",
            &log,
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_log_that_does_not_check_out_stops_the_start() {
    let dir = common::temp_dir("serve-log-broken");
    let log = dir.join("kapot.log");
    std::fs::write(&log, "{\"seq\":1,\"prev\":\"x\"").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args([
            "serve",
            "--rules",
            "rules",
            "--addr",
            "127.0.0.1:0",
            "--log",
            log.to_str().unwrap(),
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("afgebroken"));
}

/// Only the decisions the caller wants on record go into the log: `record=false` (the
/// page's intermediate answers) leaves it out; an unknown parameter is refused.
#[test]
fn the_log_records_only_what_the_caller_records() {
    let dir = common::temp_dir("api-record");
    let log = dir.join("log.jsonl");
    let s = Server::with("rules", &["--log", log.to_str().unwrap()]);
    let case = r#"{"soort": "verpleging", "leeftijd": 10, "wlz_indicatie": false, "peildatum": "2025-09-01"}"#;
    for _ in 0..3 {
        assert_eq!(s.post(&format!("{DECISIONS}?record=false"), case).0, 200);
    }
    let (status, code, message) = error(s.post(&format!("{DECISIONS}?vastleggen=ja"), case));
    assert_eq!((status, code.as_str()), (400, "bad-request"));
    assert!(message.contains("record=false"), "{message}");
    assert_eq!(s.post(DECISIONS, case).0, 200);
    assert_eq!(s.post(&format!("{DECISIONS}?record=true"), case).0, 200);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
}

/// Served from an absolute path, the rule files are still named by the directory's own
/// name: no path of the server reaches a client.
#[test]
fn no_server_path_reaches_a_client() {
    let abs = std::fs::canonicalize("rules").unwrap();
    let s = Server::start(abs.to_str().unwrap());
    let (_, body) = s.post(
        DECISIONS,
        r#"{"soort": "verpleging", "leeftijd": 10, "wlz_indicatie": false}"#,
    );
    assert_eq!(
        json(&body)["ruleset"]["files"],
        json!(["rules/landelijk.regels"])
    );
    let root = abs.parent().unwrap().to_str().unwrap().to_string();
    for path in [
        "/api/v1/regelsets",
        "/api/v1/regelsets/nijmegen",
        "/api/v1/regelsets/onbekend",
    ] {
        let (_, body) = s.get(path);
        assert!(!body.contains(&root), "{path} shows {root}: {body}");
    }
    let (_, body) = s.get("/api/v1/regelsets/nijmegen");
    let d = json(&body);
    let jeugdwet = d["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "jeugdwet")
        .unwrap();
    assert!(jeugdwet["next"].as_str().unwrap().contains("wijkteam"));
    assert!(d["decisions"][0]["values"][0]["next"].is_string());
}

/// The API reads a body as every other channel does: a key twice is refused at the
/// second, a byte-order mark is fine, numbers are exact, and deep nesting is refused
/// with the place, without reading on.
#[test]
fn api_bodies_are_read_like_every_other_case() {
    let s = Server::start("rules");
    let (status, code, message) = error(s.post(
        DECISIONS,
        r#"{"wlz_indicatie": true, "wlz_indicatie": false}"#,
    ));
    assert_eq!((status, code.as_str()), (422, "duplicate-name"));
    assert!(
        message.contains("`wlz_indicatie` staat twee keer"),
        "{message}"
    );
    let (status, body) = s.post(
        DECISIONS,
        "\u{feff}{\"soort\": \"behandeling\", \"problematiek\": [], \"leeftijd\": 17.999999999999999999, \"peildatum\": \"2025-09-01\"}",
    );
    assert_eq!(status, 200, "{body}");
    let d = json(&body);
    assert_eq!(
        d["case"]["facts"]["leeftijd"].to_string(),
        "17.999999999999999999"
    );
    assert_eq!(d["outcome"], json!({"jeugdwet": 100}));
    let deep = format!("{{\"a\": {}", "[".repeat(120_000));
    let (status, code, message) = error(s.post(DECISIONS, &deep));
    assert_eq!((status, code.as_str()), (400, "too-deep"));
    assert!(message.contains("kolom"), "{message}");
    let (status, code, _) =
        error(s.post(DECISIONS, r#"{"kosten": "2.500", "soort": "verpleging"}"#));
    assert_eq!((status, code.as_str()), (422, "wrong-value"));
}

/// A decision sent again under the same `Idempotency-Key` (a retry after a timeout, a
/// reload, a second tab) is answered with the decision that was recorded and is not
/// recorded twice, also when both requests run at once; the same key with another case
/// is refused, and a key that is not one short visible ASCII value too.
#[test]
fn a_decision_sent_again_under_its_key_is_recorded_once() {
    let dir = common::temp_dir("serve-idempotent");
    let log = dir.join("beslissingen.log");
    let _ = std::fs::remove_file(&log);
    let server = Server::with("rules", &["--log", log.to_str().unwrap()]);
    let url = format!("{}{DECISIONS}", server.url);
    let send = |key: &str, body: &str| {
        let r = ureq::post(&url)
            .set("Content-Type", "application/json")
            .set("Idempotency-Key", key)
            .send_string(body);
        match r {
            Ok(resp) => (
                resp.status(),
                resp.header("idempotent-replayed").map(str::to_string),
                resp.into_string().unwrap(),
            ),
            Err(ureq::Error::Status(code, resp)) => (code, None, resp.into_string().unwrap()),
            Err(e) => panic!("{e}"),
        }
    };
    let case = r#"{"id": "D-1", "soort": "verpleging", "peildatum": "2025-09-01"}"#;
    let records = || std::fs::read_to_string(&log).unwrap().lines().count();
    let (status, replayed, first) = send("wb1-0001", case);
    assert_eq!((status, replayed), (200, None), "{first}");
    let (status, replayed, again) = send("wb1-0001", case);
    assert_eq!((status, replayed.as_deref()), (200, Some("true")));
    assert_eq!(
        again, first,
        "the decision that was recorded, byte for byte"
    );
    assert_eq!(records(), 1);
    // At once: one records, the other waits for it and gets the same answer.
    let both: Vec<(u16, Option<String>, String)> = std::thread::scope(|s| {
        let a = s.spawn(|| send("wb1-0002", case));
        let b = s.spawn(|| send("wb1-0002", case));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    assert!(both.iter().all(|(status, _, _)| *status == 200), "{both:?}");
    assert_eq!(both[0].2, both[1].2);
    assert_eq!(both.iter().filter(|(_, r, _)| r.is_some()).count(), 1);
    assert_eq!(records(), 2);
    // The same key for another case: refused, nothing recorded.
    let other = r#"{"id": "D-2", "soort": "verpleging", "peildatum": "2025-09-01"}"#;
    let (status, _, text) = send("wb1-0001", other);
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("Idempotency-Key"), "{text}");
    for bad in ["", "met spatie", &"x".repeat(201)] {
        let (status, _, text) = send(bad, case);
        assert_eq!(status, 400, "{bad:?}: {text}");
    }
    assert_eq!(records(), 2);
    // Intermediate answers (`record=false`) are never recorded, key or not.
    let r = ureq::post(&format!("{url}?record=false"))
        .set("Content-Type", "application/json")
        .set("Idempotency-Key", "wb1-0003")
        .send_string(case)
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(records(), 2);
    let out = common::run(&["log", "verify", log.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
}
