//! Loading: a rule file path → its chain of files (`gebaseerd op`) → checked [`RuleSet`].
//!
//! The only library module that reads from disk. It follows `gebaseerd op` relative to
//! the file that says it, rejects missing files and cycles, parses every file, hashes
//! the text (bases first), and hands the parsed files to [`crate::check`].

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::check::{self, Provenance};
use crate::diagnostic::{io_reason, Code, Errors, Problem, Problems};
use crate::ruleset::RuleSet;
use crate::source::{without_bom, Sources};
use crate::syntax;
use crate::text::display;

/// At most this many files in one `gebaseerd op` chain (a guard against loops through
/// links that the path alone cannot show).
const MAX_CHAIN: usize = 64;

/// The largest rule file read: far above any real rule set, far below what could
/// exhaust memory.
pub const MAX_RULE_FILE: u64 = 4 * 1024 * 1024;

/// Reads a rule file from disk: a regular `.regels` file (not a link, a device, a pipe
/// or a directory) of at most [`MAX_RULE_FILE`] bytes. So a path that names something
/// else is refused before a byte of it is read, and nothing of it is ever shown.
///
/// # Errors
/// The file cannot be read, or is no such file (with the reason in Dutch).
pub fn read_rule_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let refuse = |why: &str| Err(std::io::Error::other(why.to_string()));
    if path.extension().is_none_or(|e| e != "regels") {
        return refuse("dit is geen `.regels`-bestand");
    }
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        return Err(std::io::Error::from(std::io::ErrorKind::IsADirectory));
    }
    if !meta.is_file() {
        return refuse("dit is geen gewoon bestand (een koppeling, apparaat of pijp)");
    }
    if meta.len() > MAX_RULE_FILE {
        return refuse("het bestand is groter dan 4 MiB");
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_RULE_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_RULE_FILE {
        return refuse("het bestand is groter dan 4 MiB");
    }
    String::from_utf8(bytes).map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))
}

/// Reads, parses and checks a rule file with its bases. On success, the rule set and
/// its warnings; otherwise every problem found.
pub fn load_rules(path: &Path, sources: &mut Sources) -> Result<(RuleSet, Problems), Errors> {
    load_with(path, &read_rule_file, sources)
}

/// [`load_rules`] with another way of reading files (for tests and services that hold
/// rule files in memory).
pub fn load_with(
    path: &Path,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    sources: &mut Sources,
) -> Result<(RuleSet, Problems), Errors> {
    let mut files = Vec::new();
    let mut problems = Problems::new();
    let mut texts = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some((normalize(path), None));
    // Bases stay inside the directory of the root file (and the directories below it).
    let root_dir = normalize(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    while let Some((path, asked_at)) = next.take() {
        let shown = display(&path);
        let text = match read(&path) {
            Ok(text) => text,
            Err(e) => {
                let problem = match asked_at {
                    Some(span) => Problem::error(
                        Code::BaseNotFound,
                        span,
                        format!("het basisbestand `{shown}` kan niet worden gelezen"),
                    )
                    .label(io_reason(&e))
                    .help("het pad is relatief ten opzichte van dit bestand; controleer de naam en de map"),
                    None => Problem::unreadable("het regelbestand", &shown, &e),
                };
                problems.push(problem);
                break;
            }
        };
        let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(identity) || seen.len() > MAX_CHAIN {
            if let Some(span) = asked_at {
                let mut chain: Vec<&str> = texts
                    .iter()
                    .map(|(p, _): &(String, String)| p.as_str())
                    .collect();
                chain.push(&shown);
                problems.push(
                    Problem::error(
                        Code::BaseCycle,
                        span,
                        format!("de bestanden zijn in een kring op elkaar gebaseerd: {}", chain.join(" → ")),
                    )
                    .label("dit sluit de kring")
                    .help("een basisbestand mag niet (via andere bestanden) gebaseerd zijn op een bestand dat erop voortbouwt"),
                );
            }
            break;
        }
        // The hash covers the file's exact bytes, a byte-order mark included.
        let body = without_bom(&text);
        let id = sources.add(shown.clone(), body);
        match syntax::parse(id, body) {
            Ok(file) => {
                if let Some(base) = &file.header.based_on {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    let base_path = normalize(&dir.join(&base.value));
                    if inside(&root_dir, &base_path) {
                        next = Some((base_path, Some(base.span)));
                    } else {
                        problems.push(
                            Problem::error(
                                Code::BaseNotFound,
                                base.span,
                                format!(
                                    "het basisbestand `{}` ligt buiten de map van het regelbestand",
                                    base.value
                                ),
                            )
                            .label("buiten de map")
                            .help("zet het basisbestand in dezelfde map als het regelbestand (of een map daaronder) en noem het met een pad daarin, bijvoorbeeld `\"landelijk.regels\"`"),
                        );
                    }
                }
                files.push(file);
            }
            Err(p) => problems.extend(p.into()),
        }
        texts.push((shown, text));
    }
    if problems.has_errors() {
        return Err(problems.into_errors());
    }
    files.reverse();
    texts.reverse();
    let mut hasher = Sha256::new();
    for (_, text) in &texts {
        hasher.update(text.as_bytes());
    }
    let provenance = Provenance {
        files: texts.into_iter().map(|(p, _)| p).collect(),
        sha256: crate::text::hex(&hasher.finalize()),
    };
    check::check(&files, sources, provenance)
}

/// The rule set of the file that `path` is based on (`gebaseerd op`), with its own
/// bases: what the rules were before this file's `vervang` and `schrap`. `None` when the
/// file has no base or cannot be read; the base's problems belong to its own `check`.
pub fn load_base(path: &Path) -> Option<RuleSet> {
    let text = read_rule_file(path).ok()?;
    let mut scratch = Sources::new();
    let id = scratch.add(display(path), without_bom(&text));
    let file = syntax::parse(id, without_bom(&text)).ok()?;
    let base = file.header.based_on?;
    let dir = normalize(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let base_path = normalize(&dir.join(&base.value));
    if !inside(&dir, &base_path) {
        return None;
    }
    load_rules(&base_path, &mut Sources::new())
        .ok()
        .map(|(rs, _)| rs)
}

/// Whether `path` lies in `dir` or below it (both normalised lexically).
fn inside(dir: &Path, path: &Path) -> bool {
    path.strip_prefix(dir).is_ok_and(|rest| {
        !rest
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    })
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
