//! The command line (spec section 7): `check`, `eval` and `test`, and `serve`.
//!
//! Each subcommand is one function that reads its files, calls the library, writes
//! to the given output and error streams, and returns the exit code. Nothing is
//! written to the output stream after an error.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::case::{parse_case, Case};
use crate::diagnostic::{render, Code, Problem, Problems};
use crate::eval::{evaluate, Decision};
use crate::examples;
use crate::load::{display, io_reason, load_rules};
use crate::report;
use crate::ruleset::{Expectation, RuleSet};
use crate::source::{without_bom, Sources};

/// Wie betaalt? Beslist met regionale afspraken wie de ondersteuning van een leerling
/// betaalt: passend onderwijs, de Jeugdwet of een andere wet.
#[derive(Debug, Parser)]
#[command(name = "wiebetaalt", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Controleer regelbestanden: taal, namen, soorten, uitzonderingen, voorbeelden.
    Check {
        /// De `.regels`-bestanden.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Beslis één casus met een regelset.
    Eval {
        /// Het regelbestand (zijn basisbestanden worden meegelezen).
        #[arg(long)]
        rules: PathBuf,
        /// Uitvoer: leesbare tekst of JSON.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Peildatum (JJJJ-MM-DD) als de casus er geen heeft; anders vandaag.
        #[arg(long)]
        peildatum: Option<Date>,
        /// De casus: een YAML- of JSON-bestand, of `-` voor standaardinvoer.
        case: String,
    },
    /// Draai de voorbeelden van regelbestanden en noem regels zonder voorbeeld.
    Test {
        /// De `.regels`-bestanden.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Peildatum voor voorbeelden zonder `peildatum`; anders vandaag.
        #[arg(long)]
        peildatum: Option<Date>,
    },
    /// Start de webservice en de pagina voor consulenten met de regelsets van een map.
    Serve {
        /// De map met `.regels`-bestanden; elk bestand is een regelset (id = bestandsnaam).
        #[arg(long)]
        rules: PathBuf,
        /// Adres en poort (poort 0 kiest een vrije poort).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Where a command writes.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub stdin: &'a mut dyn Read,
    /// Colours in diagnostics.
    pub color: bool,
    /// Today, for commands that default to it.
    pub today: Date,
}

impl Io<'_> {
    fn problems(&mut self, problems: Vec<Problem>, sources: &Sources) {
        if problems.is_empty() {
            return;
        }
        let _ = write!(self.err, "{}", render(problems, sources, self.color, 100));
    }
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli, io: &mut Io<'_>) -> u8 {
    match cli.command {
        Command::Check { files } => check(&files, io),
        Command::Eval {
            rules,
            format,
            peildatum,
            case,
        } => eval(&rules, format, peildatum, &case, io),
        Command::Test { files, peildatum } => test(&files, peildatum, io),
        Command::Serve { rules, addr } => serve(&rules, addr, io),
    }
}

/// Whether diagnostics on standard error may use colour.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn check(files: &[PathBuf], io: &mut Io<'_>) -> u8 {
    let mut failed = false;
    for path in files {
        let mut sources = Sources::new();
        match load_rules(path, &mut sources) {
            Ok((rs, warnings)) => {
                io.problems(warnings.warnings(), &sources);
                let _ = writeln!(
                    io.out,
                    "in orde: {} ({} regels, {} feiten, {} voorbeelden)",
                    display(path),
                    rs.rules.len(),
                    rs.facts.len(),
                    rs.examples.len()
                );
            }
            Err(problems) => {
                failed = true;
                io.problems(problems.sorted(), &sources);
            }
        }
    }
    u8::from(failed)
}

fn serve(dir: &Path, addr: std::net::SocketAddr, io: &mut Io<'_>) -> u8 {
    // Logs go to standard error; `RUST_LOG` can change the level.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(io.color)
        .try_init();
    match crate::serve::run(dir, addr, io.color, io.out) {
        Ok(()) => 0,
        Err(message) => {
            let _ = writeln!(io.err, "{message}");
            1
        }
    }
}

fn load_or_report(path: &Path, sources: &mut Sources, io: &mut Io<'_>) -> Option<RuleSet> {
    match load_rules(path, sources) {
        Ok((rs, _)) => Some(rs),
        Err(problems) => {
            io.problems(problems.sorted(), sources);
            None
        }
    }
}

fn eval(
    rules: &Path,
    format: Format,
    peildatum: Option<Date>,
    case_path: &str,
    io: &mut Io<'_>,
) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return 1;
    };
    let read = if case_path == "-" {
        let mut text = String::new();
        io.stdin
            .read_to_string(&mut text)
            .map(|_| ("<stdin>".to_string(), text))
            .map_err(|e| {
                format!(
                    "kan de casus niet van standaardinvoer lezen: {}",
                    io_reason(&e)
                )
            })
    } else {
        std::fs::read_to_string(case_path)
            .map(|text| (case_path.to_string(), text))
            .map_err(|e| format!("kan de casus `{case_path}` niet lezen: {}", io_reason(&e)))
    };
    let (name, text) = match read {
        Ok(read) => read,
        Err(message) => {
            io.problems(vec![Problem::without_span(Code::Io, message)], &sources);
            return 1;
        }
    };
    let text = without_bom(&text);
    let file = sources.add(name, text);
    let case = match parse_case(text, file, &rs) {
        Ok(case) => case,
        Err(problems) => {
            io.problems(problems.sorted(), &sources);
            return 1;
        }
    };
    let date = case.reference_date.or(peildatum).unwrap_or(io.today);
    match evaluate(&rs, &case, date) {
        Ok(decision) => {
            let shown = show(&rs, &case, &decision, format);
            let _ = io.out.write_all(shown.as_bytes());
            0
        }
        Err(e) => {
            io.problems(vec![e.problem(&rs)], &sources);
            1
        }
    }
}

/// A decision in the chosen format, ending with a newline.
pub fn show(rs: &RuleSet, case: &Case, decision: &Decision, format: Format) -> String {
    match format {
        Format::Text => report::text::decision(rs, case, decision),
        Format::Json => {
            let json = report::json::decision(rs, case, decision);
            let mut s = serde_json::to_string_pretty(&json).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

fn test(files: &[PathBuf], peildatum: Option<Date>, io: &mut Io<'_>) -> u8 {
    let mut failed = false;
    for path in files {
        let mut sources = Sources::new();
        let Some(rs) = load_or_report(path, &mut sources, io) else {
            failed = true;
            continue;
        };
        let runs = examples::run(&rs, peildatum.unwrap_or(io.today));
        let _ = writeln!(io.out, "{}", display(path));
        let mut errors = Problems::new();
        for run in &runs {
            let mark = if run.passed { "✓" } else { "✗" };
            let _ = writeln!(io.out, "  {mark} {}", run.example.name);
            if run.passed {
                continue;
            }
            failed = true;
            let _ = writeln!(
                io.out,
                "      verwacht: {}",
                expected_words(&rs, &run.example.expect)
            );
            match &run.decision {
                Ok(d) => {
                    let _ = writeln!(io.out, "      gekregen: {}", got_words(&rs, d));
                }
                Err(e) => {
                    let _ = writeln!(io.out, "      gekregen: een fout (zie hieronder)");
                    errors.push(e.problem(&rs));
                }
            }
        }
        let idle = examples::unexercised(&rs, &runs);
        if !idle.is_empty() {
            let names: Vec<&str> = idle.iter().map(|r| rs.rule_name(*r)).collect();
            let _ = writeln!(
                io.out,
                "  regels die geen voorbeeld raakt: {}",
                names.join(", ")
            );
        }
        let passed = runs.iter().filter(|r| r.passed).count();
        let _ = writeln!(
            io.out,
            "  {passed} geslaagd, {} mislukt",
            runs.len() - passed
        );
        io.problems(errors.sorted(), &sources);
    }
    u8::from(failed)
}

fn expected_words(rs: &RuleSet, expect: &Expectation) -> String {
    match expect {
        Expectation::Incomplete => "onvolledig".to_string(),
        Expectation::Outcome {
            outcome,
            decided_by,
        } => {
            let mut s = report::outcome_words(rs, outcome);
            if !decided_by.is_empty() {
                let names: Vec<&str> = decided_by.iter().map(|r| rs.rule_name(*r)).collect();
                s.push_str(&format!(" door {}", names.join(", ")));
            }
            s
        }
    }
}

fn got_words(rs: &RuleSet, d: &Decision) -> String {
    let status = report::status_word(d.status);
    match &d.outcome {
        None => {
            let missing: Vec<&str> = d.missing.iter().map(|f| rs.fact_name(*f)).collect();
            format!("onvolledig (ontbreekt: {})", missing.join(", "))
        }
        Some(o) => {
            let mut s = report::outcome_words(rs, o);
            if !d.decided_by.is_empty() {
                let names: Vec<&str> = d.decided_by.iter().map(|r| rs.rule_name(*r)).collect();
                s.push_str(&format!(" door {}", names.join(", ")));
            }
            format!("{s} ({status})")
        }
    }
}
