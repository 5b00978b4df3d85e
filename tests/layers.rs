//! The layers of `docs/architecture.md`: a module may use only modules of a lower layer
//! (never the front ends, never a stage above it). Checked over the source text, so a
//! new `crate::` path that climbs a layer fails here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::Path;

/// Every top-level module with its layer; a module may use modules of lower layers.
const LAYERS: &[(&str, u32)] = &[
    ("text", 0),
    ("source", 0),
    ("diagnostic", 1),
    ("ast", 2),
    ("syntax", 3),
    ("format", 4),
    ("ruleset", 4),
    ("check", 5),
    ("case", 5),
    ("eval", 6),
    ("allocation", 7),
    ("examples", 7),
    ("interview", 7),
    ("analysis", 7),
    ("log", 7),
    ("load", 8),
    ("report", 8),
    ("batch", 9),
    ("costkey", 9),
    ("replay", 9),
    ("serve", 10),
    ("cli", 11),
];

fn layer(module: &str) -> u32 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .unwrap_or_else(|| panic!("module `{module}` has no layer in tests/layers.rs"))
        .1
}

/// The top-level module a source file belongs to.
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix("src").unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The modules a text names as `crate::x` or in `crate::{x, y::z}`.
fn used(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_uses_a_layer_above_it() {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    let mut violations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in files {
        let module = module_of(&path);
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Documentation may point anywhere; only code is a dependency.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for other in used(&code) {
            if other == module || other == "self" {
                continue;
            }
            if layer(&other) >= layer(&module) {
                violations
                    .entry(format!("{} ({module})", path.display()))
                    .or_default()
                    .push(other);
            }
        }
    }
    assert!(
        violations.is_empty(),
        "modules that use a module of the same or a higher layer: {violations:#?}"
    );
}

#[test]
fn every_module_has_a_layer() {
    let lib = std::fs::read_to_string("src/lib.rs").unwrap();
    for line in lib.lines() {
        if let Some(name) = line.strip_prefix("pub mod ") {
            layer(name.trim_end_matches(';'));
        }
    }
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let text = "use crate::{ruleset::X, eval};\nlet a = crate::report::render(x);";
    assert_eq!(used(text), ["ruleset", "eval", "report"]);
}
