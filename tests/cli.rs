//! The command line as users run it: exit codes, what goes to stdout and stderr, and
//! the JSON contract of spec section 8.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use std::process::Output;

use common::{run, shipped};

use sha2::{Digest, Sha256};

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const SPEC: &str = "tests/cases/spec/voorbeeld.regels";
const KOP: &str = "rules/kop-van-noord-holland.regels";

#[test]
fn help_lists_the_commands() {
    let o = run(&["--help"], None);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(out(&o));
}

/// English that clap would write when left alone; none of it may reach a user.
const CLAP_ENGLISH: [&str; 10] = [
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Print",
    "error:",
    "For more information",
    "[OPTIONS]",
    "default:",
    "possible values",
];

#[test]
fn every_help_page_is_dutch() {
    let top = out(&run(&["--help"], None));
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Opdrachten:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(commands.len() >= 12, "{commands:?}");
    let mut pages = vec![vec!["--help".to_string()], vec!["-h".to_string()]];
    for c in &commands {
        pages.push(vec![c.clone(), "--help".to_string()]);
    }
    pages.push(vec!["log".into(), "verify".into(), "--help".into()]);
    for page in pages {
        let args: Vec<&str> = page.iter().map(String::as_str).collect();
        let o = run(&args, None);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let text = out(&o);
        assert!(text.contains("Gebruik: wiebetaalt"), "{args:?}: {text}");
        for english in CLAP_ENGLISH {
            assert!(
                !text.contains(english),
                "{args:?} says {english:?}:\n{text}"
            );
        }
    }
}

#[test]
fn usage_errors_are_dutch_and_exit_2() {
    let cases: [&[&str]; 9] = [
        &["evl"],
        &["eval", "--rulez", KOP, "x.yaml"],
        &["eval", "x.yaml"],
        &["eval", "--rules", KOP, "--format", "xml", "x.yaml"],
        &["eval", "--rules", KOP, "--peildatum", "morgen", "x.yaml"],
        &["eval", "--rules"],
        &[],
        &["log"],
        &["check", "--format"],
    ];
    for args in cases {
        let o = run(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(out(&o).is_empty(), "{args:?}");
        let text = err(&o);
        for english in CLAP_ENGLISH {
            assert!(
                !text.contains(english),
                "{args:?} says {english:?}:\n{text}"
            );
        }
        assert!(
            text.contains("fout:") || text.contains("Gebruik:"),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn check_passes_on_the_shipped_files() {
    let files = shipped();
    assert!(files.len() >= 5, "{files:?}");
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let o = run(&args, None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o).matches("in orde:").count(), files.len());
    // What the analysis may say about the shipped files: where the grey area is, that
    // the national file declares the shared `onder_schooltijd` without reading it, and
    // that the Einstein Class file computes with several facts. No dead rules, no
    // conflicts.
    let mut args = vec!["check", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let o = run(&args, None);
    assert_eq!(o.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    for d in json["diagnostics"].as_array().unwrap() {
        let code = d["code"].as_str().unwrap();
        assert!(
            matches!(
                code,
                "reaches-fallback" | "unused-fact" | "approximate-analysis"
            ),
            "{d}"
        );
        if code == "unused-fact" {
            assert_eq!(d["file"], "rules/landelijk.regels", "{d}");
        }
    }
}

#[test]
fn the_shipped_files_are_in_canonical_form() {
    let mut args = vec!["fmt", "--check"];
    let files = shipped();
    args.extend(files.iter().map(String::as_str));
    let o = run(&args, None);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
}

#[test]
fn every_example_of_the_shipped_files_passes() {
    let files = shipped();
    let mut args = vec!["test"];
    args.extend(files.iter().map(String::as_str));
    let o = run(&args, None);
    let stdout = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{}", err(&o));
    assert!(!stdout.contains('✗'), "{stdout}");
    assert_eq!(
        stdout.matches(", 0 mislukt").count(),
        files.len(),
        "{stdout}"
    );
}

#[test]
fn check_reports_errors_with_file_line_and_column() {
    let o = run(
        &["check", "tests/cases/check/err/meerdere-fouten.regels"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "");
    let e = err(&o);
    assert!(e.contains("meerdere-fouten.regels:5:21"), "{e}");
    assert!(e.contains("meerdere-fouten.regels:7:26"), "{e}");
    insta::assert_snapshot!(e);
}

#[test]
fn check_warnings_do_not_fail() {
    let o = run(
        &["check", "tests/cases/check/warn/geen-anders.regels"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(err(&o).contains("no-fallback"));
}

#[test]
fn eval_explains_in_dutch() {
    let o = run(
        &["eval", "--rules", KOP, "examples/eed-basisschool.yaml"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    insta::assert_snapshot!(out(&o));
}

#[test]
fn eval_json_follows_the_contract() {
    let o = run(&["eval", "--rules", SPEC, "--format", "json", "-"], Some("doel: leren\nplaats: school\nonder_schooltijd: ja\nkenmerken: [eed]\npeildatum: 2025-09-01\n"));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let json: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "status",
            "outcome",
            "decided_by",
            "missing",
            "trace",
            "ruleset",
            "reference_date",
            "case",
            "engine"
        ]
    );
    assert_eq!(json["status"], "decided");
    assert_eq!(json["outcome"], serde_json::json!({"jeugdwet": 100}));
    assert_eq!(json["decided_by"], serde_json::json!(["eed_behandeling"]));
    assert_eq!(json["missing"], serde_json::json!([]));
    assert_eq!(json["reference_date"], "2025-09-01");
    assert_eq!(json["case"]["id"], serde_json::Value::Null);
    assert_eq!(
        json["case"]["facts"],
        serde_json::json!({"doel": "leren", "plaats": "school", "onder_schooltijd": true, "kenmerken": ["eed"]})
    );
    assert_eq!(
        json["engine"],
        serde_json::json!({"name": "wiebetaalt", "version": env!("CARGO_PKG_VERSION")})
    );
    assert_eq!(json["ruleset"]["name"], "Voorbeeldstad onderwijs-jeugdhulp");
    assert_eq!(json["ruleset"]["version"], "2025.1");
    assert_eq!(json["ruleset"]["files"], serde_json::json!([SPEC]));
    let sha = Sha256::digest(std::fs::read(SPEC).unwrap());
    let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(json["ruleset"]["sha256"], hex);
    let trace = json["trace"].as_array().unwrap();
    let rules: Vec<&str> = trace.iter().map(|s| s["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        [
            "leerondersteuning",
            "eed_behandeling",
            "opvoeding_thuis",
            "hoogbegaafd_vastgelopen"
        ]
    );
    for step in trace {
        let keys: Vec<&str> = step
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["rule", "result", "overridden_by", "conditions"]);
        for c in step["conditions"].as_array().unwrap() {
            let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["text", "value", "facts"]);
        }
    }
    assert_eq!(trace[0]["result"], "overridden");
    assert_eq!(
        trace[0]["overridden_by"],
        serde_json::json!(["eed_behandeling"])
    );
    assert_eq!(
        trace[0]["conditions"][0],
        serde_json::json!({"text": "doel is leren", "value": true, "facts": {"doel": "leren"}})
    );
}

#[test]
fn hash_covers_the_base_files_in_order() {
    let o = run(
        &[
            "eval",
            "--rules",
            KOP,
            "--format",
            "json",
            "examples/hoogbegaafd.yaml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let json: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let files = ["rules/landelijk.regels", "rules/foodvalley.regels", KOP];
    assert_eq!(json["ruleset"]["files"], serde_json::json!(files));
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(std::fs::read(f).unwrap());
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(json["ruleset"]["sha256"], hex);
}

#[test]
fn invalid_case_exits_1_with_nothing_on_stdout() {
    let o = run(
        &["eval", "--rules", SPEC, "-"],
        Some("doel: lezen\nnaam: Jan\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "");
    let e = err(&o);
    assert!(e.contains("`lezen` is geen waarde van `doel`"), "{e}");
    assert!(e.contains("de regelset kent geen feit `naam`"), "{e}");
    assert!(e.contains("<stdin>:2:1"), "{e}");
}

#[test]
fn invalid_rules_exit_1() {
    let o = run(
        &[
            "eval",
            "--rules",
            "tests/cases/check/err/onbekend-feit.regels",
            "-",
        ],
        Some("{}"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "");
    let o = run(&["eval", "--rules", "bestaat/niet.regels", "-"], Some("{}"));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains(
            "kan het regelbestand `bestaat/niet.regels` niet lezen: bestand niet gevonden"
        ),
        "{}",
        err(&o)
    );
    let o = run(&["eval", "--rules", SPEC, "bestaat-niet.yaml"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "");
    assert!(
        err(&o).contains("kan de casus `bestaat-niet.yaml` niet lezen: bestand niet gevonden"),
        "{}",
        err(&o)
    );
}

#[test]
fn reference_date_comes_from_the_case_then_the_flag() {
    let json = |args: &[&str], case: &str| {
        let mut all = vec!["eval", "--rules", SPEC, "--format", "json"];
        all.extend_from_slice(args);
        all.push("-");
        let o = run(&all, Some(case));
        (o.status.code(), out(&o), err(&o))
    };
    let (code, stdout, _) = json(&["--peildatum", "2025-10-01"], "doel: leren\n");
    assert_eq!(code, Some(0));
    assert!(stdout.contains("\"reference_date\": \"2025-10-01\""));
    let (code, stdout, _) = json(
        &["--peildatum", "2025-10-01"],
        "doel: leren\npeildatum: 2025-09-02\n",
    );
    assert_eq!(code, Some(0));
    assert!(stdout.contains("\"reference_date\": \"2025-09-02\""));
    let (code, stdout, stderr) = json(&[], "doel: leren\npeildatum: 2024-01-01\n");
    assert_eq!(code, Some(1), "the rule set is not valid in 2024");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("geldt niet op de peildatum 2024-01-01"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        run(&["eval", "-"], None).status.code(),
        Some(2),
        "--rules is required"
    );
    assert_eq!(
        run(&["eval", "--rules", SPEC, "--format", "xml", "-"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(
            &["eval", "--rules", SPEC, "--peildatum", "morgen", "-"],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(run(&["check"], None).status.code(), Some(2));
    assert_eq!(run(&["onbekend"], None).status.code(), Some(2));
}

#[test]
fn test_runs_the_examples_of_every_file() {
    let o = run(
        &[
            "test",
            "rules/landelijk.regels",
            "rules/foodvalley.regels",
            KOP,
            SPEC,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let stdout = out(&o);
    assert!(!stdout.contains('✗'), "{stdout}");
    assert!(stdout.contains("29 geslaagd, 0 mislukt"), "{stdout}");
    assert!(stdout.contains("regels die geen voorbeeld raakt: leerondersteuning, opvoeding_thuis, hoogbegaafd_vastgelopen"));
}

#[test]
fn a_failing_example_shows_what_was_expected_and_what_came_out() {
    let dir = common::temp_dir("cli");
    let file = dir.join("fout.regels");
    std::fs::write(
        &file,
        "regelset \"X\" domein a domein b feit p: ja/nee
         regel ra als p dan a
         anders b
         voorbeeld \"Verkeerd verwacht\" gegeven p = ja peildatum 2025-09-01 verwacht b door ra
         voorbeeld \"Goed\" gegeven p = ja peildatum 2025-09-01 verwacht a door ra
         voorbeeld \"Onvolledig verwacht\" gegeven p = nee peildatum 2025-09-01 verwacht onvolledig",
    )
    .unwrap();
    let o = run(&["test", file.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    let stdout = out(&o);
    assert!(
        stdout.contains(
            "✗ Verkeerd verwacht\n      verwacht: b door ra\n      gekregen: a door ra (beslist)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("✓ Goed"), "{stdout}");
    assert!(
        stdout.contains(
            "✗ Onvolledig verwacht\n      verwacht: onvolledig\n      gekregen: b (grijs gebied)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("1 geslaagd, 2 mislukt"), "{stdout}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_byte_order_mark_is_not_content() {
    let dir = common::temp_dir("bom");
    let rules = dir.join("bom.regels");
    let text = format!("\u{feff}{}", std::fs::read_to_string(SPEC).unwrap());
    std::fs::write(&rules, &text).unwrap();
    let o = run(
        &["eval", "--rules", rules.to_str().unwrap(), "--format", "json", "-"],
        Some("\u{feff}doel: leren\nplaats: school\nonder_schooltijd: ja\nkenmerken: [eed]\npeildatum: 2025-09-01\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let json: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(json["status"], "decided");
    let hex: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        json["ruleset"]["sha256"], hex,
        "the hash covers the exact bytes"
    );
    let o = run(
        &["eval", "--rules", rules.to_str().unwrap(), "-"],
        Some("\u{feff}doel: leren\nplaats: schoool\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(e.contains("<stdin>:2:1"), "{e}");
    assert!(e.contains("bedoelde u `school`?"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn matrix_names_the_row_fact_it_cannot_use() {
    let o = run(
        &[
            "matrix",
            "--rules",
            "rules/landelijk.regels",
            "--rows",
            "sort",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).is_empty());
    assert!(err(&o).contains("geen keuzefeit `sort`"), "{}", err(&o));
    assert!(err(&o).contains("bedoelde u `soort`?"), "{}", err(&o));
    let o = run(
        &[
            "matrix",
            "--rules",
            "rules/landelijk.regels",
            "--rows",
            "leeftijd",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("`soort`"), "{}", err(&o));
}

/// The HTML page stands on its own (no scripts, no links out), prints on A4 landscape,
/// has a row per kind of support and numbered sources that exist.
#[test]
fn matrix_is_a_page_that_stands_on_its_own() {
    let o = run(&["matrix", "--rules", "rules/landelijk.regels"], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let html = out(&o);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("@page { size: A4 landscape"));
    for outside in ["<script", "src=", "http:", "https:", "<link"] {
        assert!(!html.contains(outside), "the page contains {outside}");
    }
    let rows = html.matches("<th scope=\"row\">").count();
    assert_eq!(rows, 13, "one row per value of `soort`");
    assert!(html.contains("class=\"grijs\""), "the grey area is marked");
    let sources = html.matches("<li id=\"bron-").count();
    for n in 1..=40 {
        let linked = html.contains(&format!("href=\"#bron-{n}\""));
        assert_eq!(linked, n <= sources, "source {n} of {sources}");
    }
    let md = run(
        &[
            "matrix",
            "--rules",
            "rules/landelijk.regels",
            "--format",
            "markdown",
        ],
        None,
    );
    let md = out(&md);
    let table: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(table.len(), 14, "a header and 13 rows");
    let columns = table[0].matches(" | ").count();
    for line in &table {
        assert_eq!(line.matches(" | ").count(), columns, "{line}");
    }
}

/// Every example of every shipped file lands in the matrix: the cell of its kind of
/// support and of each payer and route its decision gives is not empty.
#[test]
fn every_example_has_its_cell_in_the_matrix() {
    use wiebetaalt::analysis::matrix::build;
    use wiebetaalt::case::Case;
    use wiebetaalt::eval::{evaluate, Status};
    for file in shipped() {
        let mut sources = wiebetaalt::source::Sources::new();
        let rs = wiebetaalt::load::load_rules(std::path::Path::new(&file), &mut sources)
            .unwrap()
            .0;
        let date = common::date(common::DATE);
        let soort = rs.fact_id("soort").unwrap();
        for example in rs.examples() {
            // The matrix at the example's own reference date.
            let m = build(&rs, "soort", example.reference_date.unwrap_or(date)).unwrap();
            let mut case = Case::empty(&rs);
            for (f, v) in &example.given {
                case.values[f.index()] = Some(v.clone());
            }
            let Some((_, value)) = example.given.iter().find(|(f, _)| *f == soort) else {
                continue;
            };
            let d = evaluate(&rs, &case, example.reference_date.unwrap_or(date)).unwrap();
            if d.views().any(|v| v.status == Status::Incomplete) {
                continue;
            }
            let value = wiebetaalt::case::value_json(&rs, value);
            let row = m
                .rows
                .iter()
                .find(|r| serde_json::json!(r.value) == value)
                .unwrap();
            for share in d.payment.shares.iter().flatten() {
                let col = m
                    .columns
                    .iter()
                    .position(|c| c.key == (share.domain, share.route))
                    .unwrap_or_else(|| panic!("{file}: no column for \"{}\"", example.name));
                assert!(
                    !row.cells[col].is_empty(),
                    "{file}: \"{}\" is not in its cell",
                    example.name
                );
            }
        }
    }
}

/// A grey area that a region makes by removing (`schrap regel`) or narrowing (`vervang
/// regel`) a rule of its base is shown at that line, which caused it, not at the
/// base's `anders`; the base's own grey areas stay where they are.
#[test]
fn grey_areas_made_by_schrap_or_vervang_point_at_that_line() {
    let dir = std::env::temp_dir().join(format!("wiebetaalt-schrap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("rules/landelijk.regels", dir.join("landelijk.regels")).unwrap();
    let region = dir.join("regio.regels");
    std::fs::write(
        &region,
        "regelset \"Regio\"\n  versie \"1\"\n  gebaseerd op \"landelijk.regels\"\n\nschrap regel zorg_bij_het_kind\n\nvervang regel vervoer_door_ouders \"Vervoer dichtbij\"\n  als soort is vervoer en afstand_km ten hoogste 3 en niet structurele_beperking\n  dan ouders\n",
    )
    .unwrap();
    let grey = |path: &std::path::Path| -> Vec<(String, u64, String)> {
        let o = run(&["check", "--format", "json", path.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let json: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["code"] == "reaches-fallback")
            .map(|p| {
                let file = p["file"].as_str().unwrap();
                let file = file.rsplit('/').next().unwrap().to_string();
                (
                    file,
                    p["line"].as_u64().unwrap(),
                    p["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let base = grey(&dir.join("landelijk.regels"));
    let mine = grey(&region);
    let at = |file: &str, line: u64| {
        mine.iter()
            .filter(|(f, l, _)| f == file && *l == line)
            .count()
    };
    // The base's own grey areas, still at its `anders`.
    assert_eq!(at("landelijk.regels", base[0].1), base.len(), "{mine:#?}");
    // Three made by the `schrap` (personal care, behandeling with and without eed), one by
    // the narrower `vervang` (transport between 3 and 6 km).
    assert_eq!(at("regio.regels", 5), 3, "{mine:#?}");
    assert_eq!(at("regio.regels", 7), 1, "{mine:#?}");
    assert!(mine.iter().filter(|(_, l, _)| *l == 5).all(|(_, _, m)| m
        .ends_with("door `schrap regel zorg_bij_het_kind`: de basis besliste dit met die regel")));
    // Text output names the line too.
    let o = run(&["check", region.to_str().unwrap()], None);
    assert!(err(&o).contains("regio.regels:5:1") || out(&o).contains("regio.regels:5:1"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A case `id` (or text fact) with control characters or direction marks reaches a
/// terminal as escapes in `eval` and `replay`; the JSON keeps it exactly.
#[test]
fn text_output_shows_control_characters_as_escapes() {
    let dir = common::temp_dir("cli-printable");
    let case = dir.join("casus.json");
    std::fs::write(
        &case,
        r#"{"id": "A\u001b[2J\u202eB", "soort": "verpleging", "peildatum": "2025-09-01"}"#,
    )
    .unwrap();
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    let o = run(
        &[
            "eval",
            "--rules",
            "rules/landelijk.regels",
            "--log",
            log.to_str().unwrap(),
            case.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).starts_with("Casus: A\\u{1b}[2J\\u{202e}B\n"),
        "{}",
        out(&o)
    );
    assert!(!out(&o).contains('\u{1b}'));
    let o = run(
        &[
            "replay",
            "--rules",
            "rules/landelijk.regels",
            log.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        !out(&o).contains('\u{1b}') && !out(&o).contains('\u{202e}'),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("A\\u{1b}[2J\\u{202e}B"), "{}", out(&o));
    let o = run(
        &[
            "eval",
            "--rules",
            "rules/landelijk.regels",
            "--format",
            "json",
            case.to_str().unwrap(),
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(json["case"]["id"], "A\u{1b}[2J\u{202e}B");
}

/// `batch -o` never overwrites one of the batch's own inputs: its cases, its rule file
/// (also through another path or a hard link) or its log.
#[test]
fn batch_output_is_never_one_of_its_inputs() {
    let dir = common::temp_dir("cli-batch-self");
    let rules = dir.join("landelijk.regels");
    std::fs::copy("rules/landelijk.regels", &rules).unwrap();
    let link = dir.join("koppeling.regels");
    let _ = std::fs::remove_file(&link);
    std::fs::hard_link(&rules, &link).unwrap();
    let cases = dir.join("casussen.jsonl");
    std::fs::write(&cases, "{\"soort\": \"verpleging\"}\n").unwrap();
    let log = dir.join("log.jsonl");
    let _ = std::fs::remove_file(&log);
    std::fs::write(&log, "").unwrap();
    let before = std::fs::read(&rules).unwrap();
    let r = rules.to_str().unwrap();
    let c = cases.to_str().unwrap();
    let l = log.to_str().unwrap();
    let dotted = format!("{}/./casussen.jsonl", dir.display());
    for (target, what) in [
        (r, "een regelbestand"),
        (link.to_str().unwrap(), "een regelbestand"),
        (c, "het invoerbestand"),
        (dotted.as_str(), "het invoerbestand"),
        (l, "het beslissingslogboek"),
    ] {
        let o = run(&["batch", "--rules", r, c, "--log", l, "-o", target], None);
        assert_eq!(o.status.code(), Some(1), "{target}");
        assert!(err(&o).contains(what), "{}", err(&o));
    }
    assert_eq!(std::fs::read(&rules).unwrap(), before);
    assert_eq!(
        std::fs::read_to_string(&cases).unwrap(),
        "{\"soort\": \"verpleging\"}\n"
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "");
}

/// Control characters in a case reach the terminal nowhere: not in the messages, not
/// in the snippet of the case.
#[test]
fn diagnostics_show_no_control_characters_of_a_case() {
    let dir = common::temp_dir("cli-diagnostics-escapes");
    let case = dir.join("casus.json");
    std::fs::write(
        &case,
        "{\"soort\": \"\\u001b[31mrood\", \"onbekend\\u001b[2J\": 1}",
    )
    .unwrap();
    let yaml = dir.join("casus.yaml");
    std::fs::write(&yaml, "soort: \"x\"\nonbekend\u{1b}[2J: 1\n").unwrap();
    for path in [&case, &yaml] {
        let o = run(
            &[
                "eval",
                "--rules",
                "rules/landelijk.regels",
                path.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(1));
        let text = err(&o);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("wiebetaalt::"), "{text}");
    }
}

/// Cases on standard input from the very file given as `-o` are refused too, and an
/// output that replaces a file keeps that file's permissions.
#[test]
fn batch_output_is_not_its_standard_input_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::temp_dir("cli-batch-stdin");
    let cases = dir.join("casussen.jsonl");
    std::fs::write(&cases, "{\"soort\": \"verpleging\"}\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_wiebetaalt"))
        .args([
            "batch",
            "--rules",
            "rules/landelijk.regels",
            "-",
            "-o",
            cases.to_str().unwrap(),
        ])
        .stdin(std::fs::File::open(&cases).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("het invoerbestand"), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(&cases).unwrap(),
        "{\"soort\": \"verpleging\"}\n"
    );
    let out = dir.join("uit.jsonl");
    std::fs::write(&out, "").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    let o = run(
        &[
            "batch",
            "--rules",
            "rules/landelijk.regels",
            cases.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

/// A payer typed in a case (a text fact) reaches the terminal printable in the summary
/// of `batch` and the table of `allocate`, as in `eval`.
#[test]
fn typed_payers_are_printable_in_summaries() {
    let dir = common::temp_dir("cli-printable-payer");
    let cases = dir.join("casussen.jsonl");
    std::fs::write(
        &cases,
        "{\"schooltype\": \"so\", \"soort\": \"behandeling\", \"problematiek\": [\"autisme\"], \"leeftijd\": 10, \"onder_schooltijd\": false, \"woongemeente\": \"andere\", \"andere_woongemeente\": \"Amstel\\u001b[31mveen\\u0007\", \"kosten\": 100, \"peildatum\": \"2025-09-01\"}\n",
    )
    .unwrap();
    let o = run(
        &[
            "batch",
            "--rules",
            "rules/amsterdam.regels",
            cases.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        !err(&o).contains('\u{1b}') && !err(&o).contains('\u{7}'),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("Amstel\\u{1b}[31mveen"), "{}", err(&o));
    let decisions = dir.join("beslissingen.jsonl");
    std::fs::write(&decisions, out(&o)).unwrap();
    let o = run(
        &[
            "allocate",
            "1000",
            "--count",
            "andere_woongemeente",
            "--decisions",
            decisions.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        !out(&o).contains('\u{1b}') && out(&o).contains("Amstel\\u{1b}[31mveen"),
        "{}",
        out(&o)
    );
}
