//! `wiebetaalt replay DECISION --rules FILE`: decide recorded cases again and compare.
//!
//! A log of any length is replayed in bounded memory: the input is read twice (first
//! to check that every line is a decision, then to replay them one by one; standard
//! input is first copied to an unnamed temporary file), and the report waits in an
//! unnamed temporary file until every decision has been replayed, so an error halfway
//! leaves no partial output.

use std::io::{BufReader, Seek, Write};
use std::path::Path;

use super::{exit, load_or_report, Format, Io};
use crate::diagnostic::{io_reason, Code, Problem};
use crate::replay::{each_recorded, replay as replay_one};
use crate::source::Sources;

pub(super) fn run(input: &str, rules: &Path, format: Format, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return exit::FAILED;
    };
    // Every problem of the case that could not be replayed (the first stops the reading).
    let mut cases: Vec<Problem> = Vec::new();
    let report = open_input(input, io).and_then(|mut file| {
        let mut decisions = 0u64;
        each_recorded(&mut BufReader::new(&file), &mut |_, _| {
            decisions += 1;
            Ok(())
        })?;
        file.rewind()
            .map_err(|e| cannot("de beslissingen niet opnieuw lezen", &e))?;
        let mut out = std::io::BufWriter::new(
            tempfile::tempfile().map_err(|e| cannot("geen werkbestand aanmaken", &e))?,
        );
        let mut all_same = true;
        let mut written = 0u64;
        let mut failed: Option<std::io::Error> = None;
        let mut write = |text: &str| {
            if failed.is_none() {
                if let Err(e) = out.write_all(text.as_bytes()) {
                    failed = Some(e);
                }
            }
        };
        if format == Format::Json && decisions > 1 {
            write("[\n");
        }
        let skipped = each_recorded(&mut BufReader::new(&file), &mut |line, decision| {
            let r = match replay_one(&rs, &decision) {
                Ok(r) => r,
                Err(problems) => {
                    let mut problems = problems.sorted();
                    for p in &mut problems {
                        p.message = format!("regel {line}: {}", p.message);
                    }
                    let first = problems.first().cloned();
                    cases.extend(problems);
                    return Err(first.unwrap_or_else(|| {
                        Problem::without_span(
                            Code::Internal,
                            format!("regel {line}: de beslissing kon niet opnieuw worden genomen"),
                        )
                    }));
                }
            };
            all_same &= r.same_decision() && r.same_ruleset();
            match format {
                Format::Text => {
                    if decisions > 1 {
                        write(&format!("── regel {line}\n"));
                    }
                    let version = decision.pointer("/engine/version").and_then(|v| v.as_str());
                    write(&r.text(version));
                }
                Format::Json => {
                    let pretty = serde_json::to_string_pretty(&r.json()).unwrap_or_default();
                    if decisions > 1 {
                        // As one pretty-printed array: each element indented once more.
                        if written > 0 {
                            write(",\n");
                        }
                        let indented: Vec<String> =
                            pretty.lines().map(|l| format!("  {l}")).collect();
                        write(&indented.join("\n"));
                    } else {
                        write(&pretty);
                    }
                }
            }
            written += 1;
            Ok(())
        })?;
        match format {
            Format::Json if decisions > 1 => write("\n]\n"),
            Format::Json => write("\n"),
            Format::Text if !skipped.is_empty() => {
                let lines: Vec<String> = skipped.iter().map(u64::to_string).collect();
                write(&format!(
                    "Overgeslagen: {} foutregel(s) van ongeldige casussen (regel {})\n",
                    skipped.len(),
                    lines.join(", ")
                ));
            }
            Format::Text => {}
        }
        if let Some(e) = failed {
            return Err(cannot("het verslag niet klaarzetten", &e));
        }
        let mut file = out
            .into_inner()
            .map_err(|e| cannot("het verslag niet klaarzetten", e.error()))?;
        file.rewind()
            .map_err(|e| cannot("het verslag niet lezen", &e))?;
        Ok((file, all_same))
    });
    let (mut file, all_same) = match report {
        Ok(done) => done,
        Err(p) => {
            io.problems(if cases.is_empty() { vec![p] } else { cases }, &sources);
            return exit::FAILED;
        }
    };
    io.output_from(&mut file);
    if all_same {
        exit::OK
    } else {
        exit::FINDING
    }
}

/// The input as a file that can be read twice: the file itself, or standard input
/// copied to an unnamed temporary file.
fn open_input(input: &str, io: &mut Io<'_>) -> Result<std::fs::File, Problem> {
    if input != "-" {
        return std::fs::File::open(input)
            .map_err(|e| Problem::unreadable("de beslissing", input, &e));
    }
    let mut file = tempfile::tempfile().map_err(|e| cannot("geen werkbestand aanmaken", &e))?;
    std::io::copy(io.stdin, &mut file).map_err(|e| {
        Problem::without_span(
            Code::Io,
            format!(
                "kan de beslissing niet van standaardinvoer lezen: {}",
                io_reason(&e)
            ),
        )
    })?;
    file.rewind()
        .map_err(|e| cannot("de beslissingen niet lezen", &e))?;
    Ok(file)
}

fn cannot(what: &str, e: &std::io::Error) -> Problem {
    Problem::without_span(Code::Io, format!("kan {what}: {}", io_reason(e)))
}
