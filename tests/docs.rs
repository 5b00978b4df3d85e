//! The documentation keeps up with the code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use wiebetaalt::diagnostic::Code;

#[test]
fn every_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/diagnostics.md").unwrap();
    for code in Code::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.as_str())),
            "docs/diagnostics.md lacks `{code}`"
        );
    }
}

#[test]
fn every_documented_example_exists() {
    let doc = std::fs::read_to_string("docs/diagnostics.md").unwrap();
    for cell in doc
        .split('`')
        .filter(|c| c.ends_with(".regels") || c.ends_with(".yaml"))
    {
        let path = std::path::Path::new("tests/cases").join(cell);
        assert!(path.exists(), "{} does not exist", path.display());
    }
}

/// `docs/regios.md`: hand-written prose around generated blocks. A block starts with
/// `<!-- gegenereerd: KEY -->` and ends with `<!-- einde -->`; its content must be what
/// [`block`] makes of KEY today. `UPDATE_DOCS=1 cargo test --test docs` rewrites the
/// blocks (and the diagrams in `docs/bomen/`, with Graphviz's `dot` when present).
#[test]
fn the_regions_doc_is_generated_from_the_rule_files() {
    let path = "docs/regios.md";
    let doc = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut stale = Vec::new();
    let mut keys = Vec::new();
    let mut rest = doc.as_str();
    while let Some(at) = rest.find(BEGIN) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let line_end = after.find("-->\n").expect("a marker ends with -->") + 4;
        let key = after[BEGIN.len()..line_end - 4].trim().to_string();
        let end = after
            .find(END)
            .unwrap_or_else(|| panic!("block {key} has no end"));
        let current = &after[line_end..end];
        let wanted = block(&key);
        if current != wanted {
            stale.push(key.clone());
        }
        out.push_str(&after[..line_end]);
        out.push_str(&wanted);
        out.push_str(END);
        rest = &after[end + END.len()..];
        keys.push(key);
    }
    out.push_str(rest);
    for file in common::shipped() {
        assert!(
            keys.contains(&format!("voorbeelden {file}")),
            "docs/regios.md has no block `voorbeelden {file}`"
        );
        let rs = load(&file);
        if let Some(base) = rs.files().iter().rev().nth(1) {
            assert!(
                keys.contains(&format!("verschil {base} {file}")),
                "docs/regios.md has no block `verschil {base} {file}`"
            );
        }
    }
    assert!(keys.iter().any(|k| k == "samenvatting"));
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, out).unwrap();
        diagrams(true);
        return;
    }
    assert!(
        stale.is_empty(),
        "docs/regios.md is out of date in {stale:?}; run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}

/// A decision diagram and the matrix of every shipped file are in `docs/bomen/` and
/// `docs/matrix/`: the Graphviz source is today's `wiebetaalt tree --format dot`, the
/// matrix today's `wiebetaalt matrix` (HTML and Markdown), and both are linked from the
/// regions doc.
#[test]
fn every_shipped_file_has_its_current_diagram() {
    if std::env::var_os("UPDATE_DOCS").is_some() {
        return; // written by the test above
    }
    diagrams(false);
}

const BEGIN: &str = "<!-- gegenereerd: ";
const END: &str = "<!-- einde -->";
const DOC_DATE: &str = "2025-09-01";

fn load(file: &str) -> wiebetaalt::ruleset::RuleSet {
    let mut sources = wiebetaalt::source::Sources::new();
    wiebetaalt::load::load_rules(std::path::Path::new(file), &mut sources)
        .unwrap_or_else(|_| panic!("{file} has errors"))
        .0
}

fn diagrams(write: bool) {
    let doc = std::fs::read_to_string("docs/regios.md").unwrap();
    for file in common::shipped() {
        let stem = file
            .trim_start_matches("rules/")
            .trim_end_matches(".regels");
        let rs = load(&file);
        let diagram = wiebetaalt::analysis::tree::build(&rs, DOC_DATE.parse().unwrap());
        let dot = wiebetaalt::report::tree::dot(&diagram);
        let (dot_path, svg) = (
            format!("docs/bomen/{stem}.dot"),
            format!("docs/bomen/{stem}.svg"),
        );
        if write {
            std::fs::write(&dot_path, &dot).unwrap();
            let made = std::process::Command::new("dot")
                .args(["-Tsvg", "-o", &svg, &dot_path])
                .status();
            assert!(
                made.is_ok_and(|s| s.success()),
                "`dot -Tsvg {dot_path}` failed"
            );
        }
        let current = std::fs::read_to_string(&dot_path).unwrap_or_default();
        assert!(
            current == dot,
            "{dot_path} is out of date; run `UPDATE_DOCS=1 cargo test --test docs`"
        );
        assert!(std::path::Path::new(&svg).exists(), "{svg} is missing");
        assert!(
            doc.contains(&format!("(bomen/{stem}.svg)")),
            "{svg} is not linked"
        );
        // The matrix a workgroup publishes, as HTML and as Markdown.
        let matrix = wiebetaalt::analysis::matrix::build(&rs, "soort", DOC_DATE.parse().unwrap())
            .unwrap_or_else(|e| panic!("{file}: no matrix: {e:?}"));
        for (path, text) in [
            (
                format!("docs/matrix/{stem}.html"),
                wiebetaalt::report::matrix::html(&matrix),
            ),
            (
                format!("docs/matrix/{stem}.md"),
                wiebetaalt::report::matrix::markdown(&matrix),
            ),
        ] {
            if write {
                std::fs::create_dir_all("docs/matrix").unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                current == text,
                "{path} is out of date; run `UPDATE_DOCS=1 cargo test --test docs`"
            );
        }
        assert!(
            doc.contains(&format!("(matrix/{stem}.html)")),
            "docs/matrix/{stem}.html is not linked"
        );
    }
}

/// The content of one generated block.
fn block(key: &str) -> String {
    let words: Vec<&str> = key.split(' ').collect();
    match words.as_slice() {
        ["samenvatting"] => summary(),
        ["voorbeelden", file] => examples(file),
        ["verschil", old, new] => {
            let d =
                wiebetaalt::analysis::diff::diff(&load(old), &load(new), DOC_DATE.parse().unwrap());
            format!(
                "```\n{}```\n",
                wiebetaalt::report::diff::text_limited(&d, old, new, 6)
            )
        }
        ["vergelijking"] => comparison(),
        _ => panic!("unknown block `{key}` in docs/regios.md"),
    }
}

/// One row per shipped file: what it builds on, its rules (own), its decisions and
/// its examples.
fn summary() -> String {
    let mut s = String::from(
        "| bestand | gebaseerd op | regels (eigen) | beslissingen | voorbeelden |\n|---|---|---|---|---|\n",
    );
    for file in common::shipped() {
        let rs = load(&file);
        let own_file = rs.name_span().file;
        let base = rs
            .files()
            .iter()
            .rev()
            .nth(1)
            .map_or("—".to_string(), |b| format!("`{b}`"));
        let own = rs
            .rules()
            .iter()
            .filter(|r| r.span.file == own_file)
            .count();
        let decisions: Vec<String> = rs
            .decision_order()
            .iter()
            .map(|d| rs.decision(*d).name.clone())
            .collect();
        s.push_str(&format!(
            "| `{file}` | {base} | {} ({own}) | {} | {} |\n",
            rs.rules().len(),
            decisions.join(", "),
            rs.examples().len()
        ));
    }
    s
}

/// The examples of a file as a table: one column per decision, the rules that decide,
/// then the base's examples the file marks as changed (`vervang voorbeeld`).
fn examples(file: &str) -> String {
    use wiebetaalt::ruleset::{Example, ExampleOrigin, Expectation};
    let rs = load(file);
    let order = rs.decision_order();
    let row = |e: &Example| {
        let mut cells = vec![e.name.clone()];
        let mut by = Vec::new();
        for d in order {
            let cell = match e.expect.iter().find(|x| x.decision() == *d) {
                None => "—".to_string(),
                Some(Expectation::Incomplete(_)) => "onvolledig".to_string(),
                Some(Expectation::NotNeeded(_)) => "niet nodig".to_string(),
                Some(Expectation::Outcome {
                    outcome,
                    decided_by,
                    ..
                }) => {
                    by.extend(decided_by.iter().map(|r| format!("`{}`", rs.rule_name(*r))));
                    rs.outcome_words(outcome)
                        .trim_start_matches("verdeel ")
                        .to_string()
                }
            };
            cells.push(cell);
        }
        cells.push(if by.is_empty() {
            "—".to_string()
        } else {
            by.join(", ")
        });
        format!("| {} |\n", cells.join(" | "))
    };
    let header: Vec<String> = order
        .iter()
        .map(|d| {
            if *d == wiebetaalt::ruleset::LAW {
                "wet".to_string()
            } else {
                rs.decision(*d).name.clone()
            }
        })
        .collect();
    let head = format!(
        "| voorbeeld | {} | door |\n|---|{}---|\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    let mut s = head.clone();
    for e in rs.examples() {
        s.push_str(&row(e));
    }
    let changed: Vec<&Example> = rs
        .base_examples()
        .iter()
        .filter(|e| matches!(e.origin, ExampleOrigin::Changed { .. }))
        .collect();
    if !changed.is_empty() {
        s.push_str(
            "\nVoorbeelden van de basis die hier anders uitkomen (`vervang voorbeeld`):\n\n",
        );
        s.push_str(&head);
        for e in changed {
            s.push_str(&row(e));
        }
    }
    s
}

/// Ten typical cases, in the shared vocabulary only, put to every region.
const TYPICAL: [(&str, &str); 10] = [
    (
        "Remedial teaching in de klas",
        r#"{"soort": "onderwijsondersteuning", "gericht_op": "onderwijsprogramma", "onder_schooltijd": true, "schooltype": "so"}"#,
    ),
    (
        "Begeleiding in de klas bij autisme, ook thuis nodig, 9 jaar",
        r#"{"soort": "begeleiding", "gericht_op": "zelfredzaamheid", "problematiek": ["autisme"], "ook_buiten_school_nodig": true, "leeftijd": 9, "wlz_indicatie": false, "onder_schooltijd": true, "schooltype": "so"}"#,
    ),
    (
        "Hulp bij toiletgang in de klas, 8 jaar",
        r#"{"soort": "persoonlijke_verzorging", "verbonden_met_verpleging": false, "leeftijd": 8, "wlz_indicatie": false, "onder_schooltijd": true, "schooltype": "so"}"#,
    ),
    (
        "Insuline-injecties op school, 10 jaar",
        r#"{"soort": "verpleging", "leeftijd": 10, "wlz_indicatie": false, "onder_schooltijd": true, "schooltype": "po"}"#,
    ),
    (
        "Kinderpsycholoog behandelt angst, na schooltijd",
        r#"{"soort": "behandeling", "gericht_op": "ontwikkeling", "problematiek": ["angst_depressie"], "leeftijd": 11, "wlz_indicatie": false, "onder_schooltijd": false, "schooltype": "po"}"#,
    ),
    (
        "EED-behandeling, po, 9 jaar, resistent",
        r#"{"soort": "behandeling", "problematiek": ["eed"], "schooltype": "po", "leeftijd": 9, "didactisch_resistent": true, "enkelvoudig": true, "wlz_indicatie": false, "onder_schooltijd": false}"#,
    ),
    (
        "Taxi naar een speciale school op 14 km",
        r#"{"soort": "vervoer", "gericht_op": "onderwijsprogramma", "afstand_km": 14, "schooltype": "so"}"#,
    ),
    (
        "Schoolmaatschappelijk werk",
        r#"{"soort": "preventie", "onder_schooltijd": true, "schooltype": "po", "leeftijd": 10}"#,
    ),
    (
        "Vastgelopen hoogbegaafde leerling (grijs gebied)",
        r#"{"soort": "begeleiding", "gericht_op": "ontwikkeling", "problematiek": ["hoogbegaafdheid", "angst_depressie"], "leeftijd": 10, "ook_buiten_school_nodig": false, "wlz_indicatie": false, "onder_schooltijd": true, "schooltype": "po"}"#,
    ),
    (
        "Begeleiding voor een leerling van 19 in het vso",
        r#"{"soort": "begeleiding", "gericht_op": "zelfredzaamheid", "problematiek": ["autisme"], "leeftijd": 19, "ook_buiten_school_nodig": true, "wlz_indicatie": false, "onder_schooltijd": true, "schooltype": "vso"}"#,
    ),
];

/// What every region decides for the typical cases: the law, then each further decision
/// that is needed (its value), or the first question a region still asks.
fn comparison() -> String {
    use wiebetaalt::eval::Status;
    let files = common::shipped();
    let stems: Vec<String> = files
        .iter()
        .map(|f| {
            f.trim_start_matches("rules/")
                .trim_end_matches(".regels")
                .to_string()
        })
        .collect();
    let mut s = format!(
        "| casus | {} |\n|---|{}\n",
        stems.join(" | "),
        "---|".repeat(stems.len())
    );
    let sets: Vec<wiebetaalt::ruleset::RuleSet> = files.iter().map(|f| load(f)).collect();
    for (name, json) in TYPICAL {
        let mut cells = vec![name.to_string()];
        for rs in &sets {
            let mut sources = wiebetaalt::source::Sources::new();
            let file = sources.add("casus.json", json);
            let case = wiebetaalt::case::parse_case(json, file, rs)
                .unwrap_or_else(|_| panic!("{name} is no case for {}", rs.name()));
            let d = wiebetaalt::eval::evaluate(rs, &case, DOC_DATE.parse().unwrap()).unwrap();
            let mut parts = Vec::new();
            for view in d.views() {
                let words = match (view.status, view.outcome) {
                    (Status::NotNeeded, _) => continue,
                    (Status::Incomplete, _) => match view.missing.first() {
                        Some(f) => format!("vraagt `{}`", rs.fact_name(*f)),
                        None => "onvolledig".to_string(),
                    },
                    (_, Some(o)) => rs
                        .outcome_words(o)
                        .trim_start_matches("verdeel ")
                        .to_string(),
                    (_, None) => "—".to_string(),
                };
                if !parts.contains(&words) {
                    parts.push(words);
                }
            }
            cells.push(parts.join(" · "));
        }
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    s
}
