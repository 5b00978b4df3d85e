//! The command line (spec section 7): `check`, `eval` and `test`, the analysis
//! commands, `serve`, and the accounting commands `batch`, `log verify` and `replay`
//! (in [`records`]).
//!
//! Each subcommand is one function that reads its files, calls the library, writes
//! to the given output and error streams, and returns the exit code. Nothing is
//! written to the output stream after an error.

mod records;

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
        /// Uitvoer van de meldingen: leesbare tekst (standaardfout) of JSON (standaarduitvoer).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Peildatum voor de analyse als de regelset geen begindatum heeft; anders vandaag.
        #[arg(long)]
        peildatum: Option<Date>,
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
        /// Leg ook uit waarom dit domein het niet (alleen) werd: per regel die het geeft.
        #[arg(long, value_name = "DOMEIN")]
        why_not: Option<String>,
        /// Leg de beslissing ook vast in dit logboek (een hashketen, JSON Lines).
        #[arg(long, value_name = "BESTAND")]
        log: Option<PathBuf>,
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
    /// Vergelijk twee regelsets: welke gevallen krijgen een andere uitkomst?
    Diff {
        /// De oude regelset.
        old: PathBuf,
        /// De nieuwe regelset.
        new: PathBuf,
        /// Uitvoer: leesbare tekst of JSON.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Peildatum als de regelsets geen begindatum hebben; anders vandaag.
        #[arg(long)]
        peildatum: Option<Date>,
    },
    /// Toon een regelset als beslisboom: de vragen in volgorde, de uitkomsten als bladeren.
    Tree {
        /// Het regelbestand.
        #[arg(long)]
        rules: PathBuf,
        /// Uitvoer: tekst, Mermaid of Graphviz (dot).
        #[arg(long, value_enum, default_value_t = TreeFormat::Text)]
        format: TreeFormat,
        /// Peildatum als de regelset geen begindatum heeft; anders vandaag.
        #[arg(long)]
        peildatum: Option<Date>,
    },
    /// Stel alleen de vragen die de uitkomst nog kunnen veranderen, en beslis dan.
    ///
    /// Leest de antwoorden regel voor regel van standaardinvoer; de vragen gaan naar
    /// standaardfout, de beslissing naar standaarduitvoer.
    Ask {
        /// Het regelbestand.
        #[arg(long)]
        rules: PathBuf,
        /// Uitvoer van de beslissing: leesbare tekst of JSON.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Peildatum (JJJJ-MM-DD); anders vandaag.
        #[arg(long)]
        peildatum: Option<Date>,
    },
    /// Maak regelbestanden op in de vaste vorm (in het bestand zelf).
    Fmt {
        /// De `.regels`-bestanden.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Verander niets; meld alleen welke bestanden niet in de vaste vorm staan (exit 1).
        #[arg(long)]
        check: bool,
    },
    /// Beslis veel casussen tegelijk: één JSON-regel per casus, in de volgorde van de invoer.
    ///
    /// De invoer is een YAML-lijst, JSON Lines of CSV (kop = feitnamen, lijstwaarden
    /// gescheiden door `;`). Een ongeldige casus geeft een foutregel en stopt de rest niet
    /// (exit 1 aan het eind). Een samenvatting gaat naar standaardfout.
    Batch {
        /// Het regelbestand.
        #[arg(long)]
        rules: PathBuf,
        /// De casussen: een bestand, of `-` voor standaardinvoer.
        input: String,
        /// Schrijf de beslissingen naar dit bestand in plaats van naar standaarduitvoer.
        #[arg(short = 'o', long = "output", value_name = "BESTAND")]
        output: Option<PathBuf>,
        /// Met of zonder spoor per beslissing.
        #[arg(long, value_enum, default_value_t = Trace::Full)]
        trace: Trace,
        /// Het formaat van de invoer; anders volgt het uit de extensie (.yaml, .jsonl, .csv).
        #[arg(long, value_enum)]
        input_format: Option<crate::batch::InputFormat>,
        /// Peildatum voor casussen zonder `peildatum`; anders vandaag.
        #[arg(long)]
        peildatum: Option<Date>,
        /// Leg elke beslissing ook vast in dit logboek (een hashketen, JSON Lines).
        #[arg(long, value_name = "BESTAND")]
        log: Option<PathBuf>,
        /// Aantal rekenthreads; standaard één per kern.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Werk met een beslissingslogboek.
    Log {
        #[command(subcommand)]
        command: LogCommand,
    },
    /// Beslis een vastgelegde casus opnieuw en vergelijk met wat er toen is beslist.
    Replay {
        /// De vastgelegde beslissing (JSON van `eval` of `batch`), of regels uit een logboek;
        /// `-` voor standaardinvoer.
        decision: String,
        /// Het regelbestand waarmee opnieuw wordt beslist.
        #[arg(long)]
        rules: PathBuf,
        /// Uitvoer: leesbare tekst of JSON.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Start de webservice en de pagina voor consulenten met de regelsets van een map.
    Serve {
        /// De map met `.regels`-bestanden; elk bestand is een regelset (id = bestandsnaam).
        #[arg(long)]
        rules: PathBuf,
        /// Adres en poort (poort 0 kiest een vrije poort).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Leg elke beslissing ook vast in dit logboek (een hashketen, JSON Lines).
        #[arg(long, value_name = "BESTAND")]
        log: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Controleer de hashketen; meldt het eerste veranderde, verwijderde of verschoven record.
    Verify {
        /// Het logboek.
        file: PathBuf,
        /// De hash die het laatste record moet hebben (elders bewaard): vangt ook
        /// records die aan het eind zijn weggeknipt.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Trace {
    Full,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TreeFormat {
    Text,
    Mermaid,
    Dot,
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
        Command::Check {
            files,
            format,
            peildatum,
        } => check(&files, format, peildatum, io),
        Command::Diff {
            old,
            new,
            format,
            peildatum,
        } => diff(&old, &new, format, peildatum, io),
        Command::Tree {
            rules,
            format,
            peildatum,
        } => tree(&rules, format, peildatum, io),
        Command::Eval {
            rules,
            format,
            peildatum,
            why_not,
            log,
            case,
        } => eval(
            &rules,
            format,
            peildatum,
            why_not.as_deref(),
            log.as_deref(),
            &case,
            io,
        ),
        Command::Batch {
            rules,
            input,
            output,
            trace,
            input_format,
            peildatum,
            log,
            threads,
        } => records::batch(
            &records::BatchArgs {
                rules: &rules,
                input: &input,
                output: output.as_deref(),
                trace: trace == Trace::Full,
                input_format,
                peildatum,
                log: log.as_deref(),
                threads,
            },
            io,
        ),
        Command::Log {
            command: LogCommand::Verify { file, head },
        } => records::verify(&file, head.as_deref(), io),
        Command::Replay {
            decision,
            rules,
            format,
        } => records::replay(&decision, &rules, format, io),
        Command::Test { files, peildatum } => test(&files, peildatum, io),
        Command::Serve { rules, addr, log } => serve(&rules, addr, log.as_deref(), io),
        Command::Ask {
            rules,
            format,
            peildatum,
        } => ask(&rules, format, peildatum, io),
        Command::Fmt { files, check } => fmt(&files, check, io),
    }
}

/// Whether diagnostics on standard error may use colour.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn check(files: &[PathBuf], format: Format, peildatum: Option<Date>, io: &mut Io<'_>) -> u8 {
    let today = peildatum.unwrap_or(io.today);
    let mut failed = false;
    let mut json = Vec::new();
    for path in files {
        let mut sources = Sources::new();
        let problems = match load_rules(path, &mut sources) {
            Ok((rs, warnings)) => {
                let mut problems = warnings.warnings();
                problems.extend(crate::analysis::lint::lint(&rs, today));
                if format == Format::Text {
                    let _ = writeln!(
                        io.out,
                        "in orde: {} ({} regels, {} feiten, {} voorbeelden)",
                        display(path),
                        rs.rules.len(),
                        rs.facts.len(),
                        rs.examples.len()
                    );
                }
                problems
            }
            Err(problems) => {
                failed = true;
                problems.sorted()
            }
        };
        match format {
            Format::Text => io.problems(problems, &sources),
            Format::Json => {
                json.extend(problems.iter().map(|p| report::json::problem(p, &sources)))
            }
        }
    }
    if format == Format::Json {
        let doc = serde_json::json!({ "diagnostics": json });
        let _ = writeln!(
            io.out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    }
    u8::from(failed)
}

fn diff(old: &Path, new: &Path, format: Format, peildatum: Option<Date>, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(a) = load_or_report(old, &mut sources, io) else {
        return 1;
    };
    let Some(b) = load_or_report(new, &mut sources, io) else {
        return 1;
    };
    let d = crate::analysis::diff::diff(&a, &b, peildatum.unwrap_or(io.today));
    let shown = match format {
        Format::Text => d.text(&display(old), &display(new)),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&d.json()).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let _ = io.out.write_all(shown.as_bytes());
    0
}

fn tree(rules: &Path, format: TreeFormat, peildatum: Option<Date>, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return 1;
    };
    use crate::analysis::tree;
    let (space, t, complete) = tree::build(&rs, peildatum.unwrap_or(io.today));
    let shown = match format {
        TreeFormat::Text => tree::text(&rs, &space, &t),
        TreeFormat::Mermaid => tree::mermaid(&rs, &space, &t),
        TreeFormat::Dot => tree::dot(&rs, &space, &t),
    };
    let _ = io.out.write_all(shown.as_bytes());
    if !complete {
        let _ = writeln!(
            io.err,
            "let op: de boom is afgekapt; de regelset heeft te veel deelgebieden"
        );
    }
    0
}

fn serve(dir: &Path, addr: std::net::SocketAddr, log: Option<&Path>, io: &mut Io<'_>) -> u8 {
    // Logs go to standard error; `RUST_LOG` can change the level.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(io.color)
        .try_init();
    match crate::serve::run(dir, addr, io.color, log, io.out) {
        Ok(()) => 0,
        Err(message) => {
            let _ = writeln!(io.err, "{message}");
            1
        }
    }
}

fn fmt(files: &[PathBuf], check_only: bool, io: &mut Io<'_>) -> u8 {
    let mut failed = false;
    for path in files {
        let mut sources = Sources::new();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                let message = format!("kan `{}` niet lezen: {}", display(path), io_reason(&e));
                io.problems(vec![Problem::without_span(Code::Io, message)], &sources);
                failed = true;
                continue;
            }
        };
        let body = without_bom(&text);
        let file = sources.add(display(path), body);
        if let Err(problems) = crate::syntax::parse(file, body) {
            io.problems(problems.sorted(), &sources);
            failed = true;
            continue;
        }
        let formatted = crate::format::format(body);
        let check_file = sources.add(display(path), formatted.as_str());
        if crate::syntax::parse(check_file, &formatted).is_err() {
            let message = format!(
                "`{}` kan niet veilig worden opgemaakt; het bestand blijft ongewijzigd",
                display(path)
            );
            io.problems(vec![Problem::without_span(Code::Io, message)], &sources);
            failed = true;
            continue;
        }
        if formatted == text {
            continue;
        }
        if check_only {
            let _ = writeln!(io.out, "niet in de vaste vorm: {}", display(path));
            failed = true;
        } else if let Err(e) = std::fs::write(path, &formatted) {
            let message = format!("kan `{}` niet schrijven: {}", display(path), io_reason(&e));
            io.problems(vec![Problem::without_span(Code::Io, message)], &sources);
            failed = true;
        } else {
            let _ = writeln!(io.out, "opgemaakt: {}", display(path));
        }
    }
    u8::from(failed)
}

fn ask(rules: &Path, format: Format, peildatum: Option<Date>, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return 1;
    };
    let date = peildatum.unwrap_or(io.today);
    let mut case = Case::empty(&rs);
    case.reference_date = Some(date);
    let mut input = std::io::BufReader::new(&mut *io.stdin);
    loop {
        let decision = match evaluate(&rs, &case, date) {
            Ok(d) => d,
            Err(e) => {
                io.problems(vec![e.problem(&rs)], &sources);
                return 1;
            }
        };
        if decision.status != crate::eval::Status::Incomplete {
            let _ = io
                .out
                .write_all(show(&rs, &case, &decision, format).as_bytes());
            return 0;
        }
        let next = crate::eval::open(&rs, &case, &decision, crate::eval::Waiting::Result)
            .ok()
            .and_then(|open| open.first().copied())
            .map(|o| match o {
                crate::eval::Open::Fact(f) | crate::eval::Open::Member(f, _) => f,
            })
            .or_else(|| decision.missing.first().copied());
        let Some(fact_id) = next else {
            let _ = io
                .out
                .write_all(show(&rs, &case, &decision, format).as_bytes());
            return 0;
        };
        let Some(fact) = rs.fact(fact_id) else {
            return 1;
        };
        let question = fact
            .question
            .clone()
            .unwrap_or_else(|| format!("Wat is {}?", fact.name));
        let _ = writeln!(io.err, "\n{question}");
        let _ = writeln!(
            io.err,
            "  ({}{})",
            interview::hint(&rs, fact),
            if fact.explanation.is_some() {
                "; `?` geeft een toelichting"
            } else {
                ""
            }
        );
        loop {
            let _ = write!(io.err, "> ");
            let _ = io.err.flush();
            let mut line = String::new();
            match std::io::BufRead::read_line(&mut input, &mut line) {
                Ok(0) | Err(_) => {
                    let _ = writeln!(
                        io.err,
                        "\nde invoer houdt op voordat er een beslissing is (nog nodig: {})",
                        fact.name
                    );
                    return 1;
                }
                Ok(_) => {}
            }
            let answer = line.trim();
            if answer == "?" {
                let help = fact
                    .explanation
                    .as_deref()
                    .unwrap_or("er is geen toelichting bij deze vraag");
                let _ = writeln!(io.err, "  {help}");
                continue;
            }
            match interview::parse(&rs, fact, answer) {
                Ok(value) => {
                    if let Some(slot) = case.values.get_mut(fact_id.index()) {
                        *slot = Some(value);
                    }
                    break;
                }
                Err(message) => {
                    let _ = writeln!(io.err, "  dat kan niet: {message}");
                }
            }
        }
    }
}

mod interview {
    //! Reading one answer typed at a prompt.
    use rust_decimal::Decimal;

    use crate::ruleset::{Fact, Raw, RuleSet, Type, Value};

    /// The answers allowed, in words.
    pub fn hint(rs: &RuleSet, fact: &Fact) -> String {
        match fact.ty {
            Type::Bool => "ja of nee".to_string(),
            Type::Choice(_) => format!("kies: {}", numbered(rs, fact)),
            Type::List(_) => format!(
                "kies nul of meer, met komma's ertussen, of `geen`: {}",
                numbered(rs, fact)
            ),
            Type::Number => match fact.bounds {
                Some((lo, hi)) => format!("een getal tussen {lo} en {hi}"),
                None => "een getal".to_string(),
            },
            Type::Text => "een tekst".to_string(),
        }
    }

    fn numbered(rs: &RuleSet, fact: &Fact) -> String {
        fact.values
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{} {}", i + 1, rs.symbols.name(*s)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One value: a name or its number from the list.
    fn name(rs: &RuleSet, fact: &Fact, word: &str) -> String {
        word.parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| fact.values.get(i))
            .map_or_else(|| word.to_string(), |s| rs.symbols.name(*s).to_string())
    }

    /// The answer as a value of the fact, or why it is not one.
    pub fn parse(rs: &RuleSet, fact: &Fact, answer: &str) -> Result<Value, String> {
        if answer.is_empty() {
            return Err("geef een antwoord".to_string());
        }
        let raw = match fact.ty {
            Type::Bool => match answer.to_lowercase().as_str() {
                "ja" | "j" => Raw::Bool(true),
                "nee" | "n" => Raw::Bool(false),
                _ => return Err("antwoord `ja` of `nee`".to_string()),
            },
            Type::Number => {
                if answer.contains(',') {
                    return Err(format!(
                        "schrijf een decimale punt, geen komma: `{}`",
                        answer.replace(',', ".")
                    ));
                }
                let n: Decimal = answer
                    .parse()
                    .map_err(|_| format!("`{answer}` is geen getal"))?;
                Raw::Number(n)
            }
            Type::Text => Raw::Text(answer.to_string()),
            Type::Choice(_) => Raw::Text(name(rs, fact, answer)),
            Type::List(_) => {
                let items = answer.trim_start_matches('[').trim_end_matches(']');
                if items.trim().is_empty() || items.trim() == "geen" {
                    Raw::List(Vec::new())
                } else {
                    Raw::List(
                        items
                            .split(',')
                            .map(|w| Raw::Text(name(rs, fact, w.trim())))
                            .collect(),
                    )
                }
            }
        };
        rs.convert(fact, &raw)
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
    why_not: Option<&str>,
    log: Option<&Path>,
    case_path: &str,
    io: &mut Io<'_>,
) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return 1;
    };
    let why_not = match why_not.map(|name| domain_id(&rs, name)) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(problem)) => {
            io.problems(vec![problem], &sources);
            return 1;
        }
    };
    let (name, text) = match read_input(case_path, "de casus", io) {
        Ok(read) => read,
        Err(problem) => {
            io.problems(vec![problem], &sources);
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
            if let Some(path) = log {
                match records::log_one(path, &rs, &case, &decision) {
                    Ok(note) => {
                        let _ = writeln!(io.err, "{note}");
                    }
                    Err(problem) => {
                        io.problems(vec![problem], &sources);
                        return 1;
                    }
                }
            }
            let shown = match (why_not, format) {
                (None, _) => show(&rs, &case, &decision, format),
                (Some(d), Format::Text) => format!(
                    "{}\n{}",
                    show(&rs, &case, &decision, format),
                    report::text::why_not(&rs, &case, &decision, d)
                ),
                (Some(d), Format::Json) => {
                    let mut json = report::json::decision(&rs, &case, &decision);
                    if let Some(map) = json.as_object_mut() {
                        map.insert(
                            "why_not".into(),
                            serde_json::Value::String(report::text::why_not(
                                &rs, &case, &decision, d,
                            )),
                        );
                    }
                    let mut s = serde_json::to_string_pretty(&json).unwrap_or_default();
                    s.push('\n');
                    s
                }
            };
            let _ = io.out.write_all(shown.as_bytes());
            0
        }
        Err(e) => {
            io.problems(vec![e.problem(&rs)], &sources);
            1
        }
    }
}

/// The text of a file, or of standard input for `-`, with the name to show for it.
fn read_input(path: &str, what: &str, io: &mut Io<'_>) -> Result<(String, String), Problem> {
    let read = if path == "-" {
        let mut text = String::new();
        io.stdin
            .read_to_string(&mut text)
            .map(|_| ("<stdin>".to_string(), text))
            .map_err(|e| {
                format!(
                    "kan {what} niet van standaardinvoer lezen: {}",
                    io_reason(&e)
                )
            })
    } else {
        std::fs::read_to_string(path)
            .map(|text| (path.to_string(), text))
            .map_err(|e| format!("kan {what} `{path}` niet lezen: {}", io_reason(&e)))
    };
    read.map_err(|message| Problem::without_span(Code::Io, message))
}

/// A domain by name, or a problem that names the domains there are.
fn domain_id(rs: &RuleSet, name: &str) -> Result<crate::ruleset::DomainId, Problem> {
    rs.domains
        .iter()
        .position(|d| d.name == name)
        .map(|i| crate::ruleset::DomainId(u32::try_from(i).unwrap_or(u32::MAX)))
        .ok_or_else(|| {
            let names: Vec<&str> = rs.domains.iter().map(|d| d.name.as_str()).collect();
            Problem::without_span(
                Code::UnknownName,
                format!(
                    "de regelset kent geen domein `{name}`; wel: {}",
                    names.join(", ")
                ),
            )
        })
}

/// A decision in the chosen format, ending with a newline.
pub fn show(rs: &RuleSet, case: &Case, decision: &Decision, format: Format) -> String {
    match format {
        Format::Text => report::text::decision(rs, case, decision),
        Format::Json => report::json::pretty(rs, case, decision),
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
