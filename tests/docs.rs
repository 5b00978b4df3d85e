//! The documentation keeps up with the code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

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
