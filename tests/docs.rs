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

/// `docs/regios.md` shows every shipped rule file with the right counts, and every
/// example of it as a table row with the outcome the example expects.
#[test]
fn every_shipped_example_is_in_the_regions_doc() {
    use wiebetaalt::ruleset::Expectation;
    let doc = std::fs::read_to_string("docs/regios.md").unwrap();
    let files = common::shipped();
    assert!(files.len() >= 5);
    for shown in files {
        let path = std::path::Path::new(&shown);
        let (rs, _) = wiebetaalt::load::load_rules(path, &mut wiebetaalt::source::Sources::new())
            .unwrap_or_else(|_| panic!("{shown} has errors"));
        let counts = format!("| `{shown}` |",);
        let row = doc
            .lines()
            .find(|l| l.starts_with(&counts))
            .unwrap_or_else(|| panic!("docs/regios.md has no summary row for {shown}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert!(
            cells[3].starts_with(&rs.rules().len().to_string()),
            "{shown}: {} rules, the doc says {}",
            rs.rules().len(),
            cells[3]
        );
        assert_eq!(
            cells[4],
            rs.examples().len().to_string(),
            "{shown}: examples"
        );
        assert!(
            doc.contains(&format!("(`{shown}`)")),
            "no section for {shown}"
        );
        for example in rs.examples() {
            let words: Vec<String> = example
                .expect
                .iter()
                .map(|e| match e {
                    Expectation::Incomplete(_) => "onvolledig".to_string(),
                    Expectation::Outcome { outcome, .. } => {
                        let words = wiebetaalt::report::outcome_words(&rs, outcome);
                        words.trim_start_matches("verdeel ").to_string()
                    }
                })
                .collect();
            let outcome = words.join(" / ");
            let row = format!("| {} | {outcome} |", example.name);
            assert!(doc.contains(&row), "docs/regios.md lacks the row {row}");
        }
    }
}

/// `docs/regios.md` shows the current `wiebetaalt diff` of each regional file, and a
/// decision diagram of every shipped file is in `docs/bomen/`.
#[test]
fn the_regions_doc_shows_the_current_diffs_and_diagrams() {
    let doc = std::fs::read_to_string("docs/regios.md").unwrap();
    let load = |p: &str| {
        let mut sources = wiebetaalt::source::Sources::new();
        wiebetaalt::load::load_rules(std::path::Path::new(p), &mut sources)
            .unwrap()
            .0
    };
    let today: jiff::civil::Date = "2025-09-01".parse().unwrap();
    for (old, new) in [
        ("landelijk", "foodvalley"),
        ("foodvalley", "kop-van-noord-holland"),
        ("landelijk", "nijmegen"),
        ("landelijk", "einstein-class"),
    ] {
        let (a, b) = (format!("rules/{old}.regels"), format!("rules/{new}.regels"));
        let d = wiebetaalt::analysis::diff::diff(&load(&a), &load(&b), today);
        assert!(
            doc.contains(&wiebetaalt::report::diff::text(&d, &a, &b)),
            "docs/regios.md lacks the current `wiebetaalt diff {a} {b}`"
        );
    }
    for file in common::shipped() {
        let stem = file
            .trim_start_matches("rules/")
            .trim_end_matches(".regels");
        let svg = format!("docs/bomen/{stem}.svg");
        assert!(std::path::Path::new(&svg).exists(), "{svg} is missing");
        assert!(
            doc.contains(&format!("(bomen/{stem}.svg)")),
            "{svg} is not linked"
        );
    }
}
