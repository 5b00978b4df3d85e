//! The command line (spec section 7): one file per subcommand, each one function that
//! reads its files, calls the library, writes to the given streams and returns the exit
//! code. Nothing is written to the output stream after an error, and a failed write to
//! it makes the exit code 1 (the output is lost; the caller must know).
//!
//! Exit codes (also in the README):
//! - [`exit::OK`] (0): done;
//! - [`exit::FAILED`] (1): could not do it — invalid rules, case or input, a file that
//!   cannot be read or written; for `check` an error, for `test` a failing example;
//! - [`exit::USAGE`] (2): the command line itself is wrong (clap);
//! - [`exit::FINDING`] (3): done, and found what the caller asked about — `replay`: the
//!   decision or the rule set differs; `log verify`: the chain is broken; `batch`: some
//!   cases were invalid (each has its error line); `fmt --check`: a file is not in the
//!   canonical layout.

mod allocate;
mod ask;
mod batch;
mod check;
mod diff;
pub mod dutch;
mod eval;
mod fmt;
mod log;
mod matrix;
mod replay;
mod serve;
mod test;
mod tree;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::diagnostic::{render, Problem};
use crate::load::load_rules;
use crate::ruleset::RuleSet;
use crate::source::Sources;

/// The exit codes of every command.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Could not do it: invalid input, or a file that cannot be read or written.
    pub const FAILED: u8 = 1;
    /// The command line is wrong.
    pub const USAGE: u8 = 2;
    /// Done, with a finding: a difference, a break, invalid cases, an unformatted file.
    pub const FINDING: u8 = 3;
}

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
        #[arg(long, value_parser = parse_date)]
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
        #[arg(long, value_parser = parse_date)]
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
        #[arg(long, value_parser = parse_date)]
        peildatum: Option<Date>,
        /// Draai ook de voorbeelden van de basisbestanden met deze regelset en meld welke
        /// de regelset verandert (een verwachte verandering staat er met `vervang voorbeeld`).
        #[arg(long)]
        base: bool,
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
        #[arg(long, value_parser = parse_date)]
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
        /// De peildatum van de boom; zonder: de begindatum van de regelset (of vandaag).
        #[arg(long, value_parser = parse_date)]
        peildatum: Option<Date>,
    },
    /// Verdeel een gezamenlijk bedrag over betalers naar rato van een gewicht (een
    /// verdeelsleutel), tot op de cent.
    ///
    /// De gewichten komen uit een CSV-bestand met de kolommen `betaler` en `gewicht`, of
    /// worden geteld: het aantal beslissingen per waarde van een feit (zoals de
    /// woongemeente) in de uitvoer van `batch` of in een beslissingslogboek. De centen die
    /// na afronden overblijven, gaan naar de grootste resten.
    Allocate {
        /// Het bedrag in euro's, bijvoorbeeld `250000` of `250000,50`.
        #[arg(allow_hyphen_values = true)]
        amount: String,
        /// Een CSV-bestand met de kolommen `betaler` en `gewicht`.
        #[arg(long, value_name = "BESTAND", conflicts_with_all = ["count", "decisions"], required_unless_present = "count")]
        weights: Option<String>,
        /// Tel de beslissingen per waarde van dit feit (met `--decisions`).
        #[arg(long, value_name = "FEIT", requires = "decisions")]
        count: Option<String>,
        /// De beslissingen om te tellen: uitvoer van `batch` of een logboek (JSON Lines).
        #[arg(long, value_name = "BESTAND", requires = "count")]
        decisions: Option<String>,
        /// Het regelbestand, om waarden van een keuze met hun label te tonen.
        #[arg(long, requires = "count")]
        rules: Option<PathBuf>,
        /// Uitvoer: tekst voor mensen of JSON.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Maak de matrix "wie betaalt wat" van een regelset: soorten ondersteuning onder
    /// elkaar, wie betaalt en langs welke route naast elkaar, de voorwaarden in de cellen.
    ///
    /// Als HTML-pagina (afdrukbaar op A4 liggend) of als Markdown, afgeleid uit de regels.
    Matrix {
        /// Het regelbestand.
        #[arg(long)]
        rules: PathBuf,
        /// Het keuzefeit waarvan de waarden de rijen zijn.
        #[arg(long, default_value = "soort")]
        rows: String,
        /// Uitvoer: een HTML-pagina of Markdown.
        #[arg(long, value_enum, default_value_t = MatrixFormat::Html)]
        format: MatrixFormat,
        /// De peildatum van de matrix; zonder: de begindatum van de regelset (of vandaag).
        #[arg(long, value_parser = parse_date)]
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
        #[arg(long, value_parser = parse_date)]
        peildatum: Option<Date>,
    },
    /// Maak regelbestanden op in de vaste vorm (in het bestand zelf).
    Fmt {
        /// De `.regels`-bestanden.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Verander niets; meld alleen welke bestanden niet in de vaste vorm staan (exit 3).
        #[arg(long)]
        check: bool,
    },
    /// Beslis veel casussen tegelijk: één JSON-regel per casus, in de volgorde van de invoer.
    ///
    /// De invoer is een YAML-lijst, JSON Lines of CSV (kop = feitnamen, lijstwaarden
    /// gescheiden door `;`). Een ongeldige casus geeft een foutregel en stopt de rest niet
    /// (exit 3 aan het eind). Een samenvatting gaat naar standaardfout.
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
        #[arg(long, value_parser = parse_date)]
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
        /// Hoeveel seconden een verzoek mag duren; zo lang mag ook het versturen van de
        /// kop duren en een verbinding stil blijven, en zo lang krijgen lopende verzoeken
        /// bij het stoppen.
        #[arg(long, value_name = "SECONDEN", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: u64,
        /// Een naam waaronder de webservice ook bereikbaar is (in `Host`), bijvoorbeeld
        /// achter een proxy die de naam doorgeeft; IP-adressen en `localhost` kunnen altijd.
        /// Mag vaker.
        #[arg(long = "host", value_name = "NAAM")]
        hosts: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Controleer de hashketen; meldt het eerste veranderde, verwijderde of verschoven record.
    Verify {
        /// Het logboek.
        file: PathBuf,
        /// Een elders bewaard ijkpunt `RECORD:HASH` (zoals `log verify` het toont): dat
        /// record moet die hash nog hebben, ook als het logboek sindsdien is gegroeid.
        /// Alleen een hash: het laatste record moet die hash hebben.
        #[arg(long, value_name = "IJKPUNT")]
        head: Option<crate::log::Expect>,
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

impl From<Format> for crate::report::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => crate::report::Format::Text,
            Format::Json => crate::report::Format::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Html,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TreeFormat {
    Text,
    Mermaid,
    Dot,
}

/// A date on the command line: `JJJJ-MM-DD`, with a Dutch message for anything else
/// (a Dutch date `01-09-2025` gets the ISO form as a suggestion).
fn parse_date(text: &str) -> Result<Date, String> {
    crate::case::parse_date(text).map_err(|why| why.message())
}

/// Where a command reads and writes, and what it may know of the world: the streams,
/// whether they are terminals, and the clock. Commands use nothing else.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub stdin: &'a mut (dyn Read + Send),
    /// Colours in diagnostics.
    pub color: bool,
    /// Whether standard error is a terminal (for a progress bar).
    pub stderr_is_terminal: bool,
    /// Today's date (the default reference date); a clock, because the service runs
    /// for days.
    pub clock: fn() -> Date,
    /// Set when a write to `out` failed: the command's result is lost.
    out_failed: bool,
}

impl<'a> Io<'a> {
    pub fn new(
        out: &'a mut dyn Write,
        err: &'a mut dyn Write,
        stdin: &'a mut (dyn Read + Send),
        clock: fn() -> Date,
    ) -> Io<'a> {
        Io {
            out,
            err,
            stdin,
            color: false,
            stderr_is_terminal: false,
            clock,
            out_failed: false,
        }
    }

    /// Today, by the clock.
    pub fn today(&self) -> Date {
        (self.clock)()
    }

    /// Writes the command's result to standard output; remembers a failure, which makes
    /// the exit code 1.
    fn output(&mut self, text: &str) -> bool {
        let ok = self.out.write_all(text.as_bytes()).is_ok();
        self.out_failed |= !ok;
        ok
    }

    /// [`Io::output`] for a result waiting in a file (a report too large to hold).
    fn output_from(&mut self, result: &mut dyn Read) -> bool {
        let ok = std::io::copy(result, &mut self.out).is_ok();
        self.out_failed |= !ok;
        ok
    }

    /// Writes a message for people to standard error (diagnostics, progress, notes).
    fn note(&mut self, text: &str) {
        let _ = self.err.write_all(text.as_bytes());
    }

    fn problems(&mut self, problems: Vec<Problem>, sources: &Sources) {
        if problems.is_empty() {
            return;
        }
        let shown = render(problems, sources, self.color, 100);
        self.note(&shown);
    }

    /// Flushes standard output now: false when that (or an earlier write) failed.
    fn flush_output(&mut self) -> bool {
        let flushed = self.out.flush().is_ok();
        self.out_failed |= !flushed;
        !self.out_failed
    }

    /// Flushes standard output: false when that (or an earlier write) failed.
    fn finish(&mut self) -> bool {
        let flushed = self.out.flush().is_ok();
        flushed && !self.out_failed
    }
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli, io: &mut Io<'_>) -> u8 {
    let code = match cli.command {
        Command::Check {
            files,
            format,
            peildatum,
        } => check::run(&files, format, peildatum, io),
        Command::Diff {
            old,
            new,
            format,
            peildatum,
        } => diff::run(&old, &new, format, peildatum, io),
        Command::Tree {
            rules,
            format,
            peildatum,
        } => tree::run(&rules, format, peildatum, io),
        Command::Allocate {
            amount,
            weights,
            count,
            decisions,
            rules,
            format,
        } => {
            let source = match (&weights, &count, &decisions) {
                (Some(file), _, _) => allocate::Weights::File(file),
                (None, Some(fact), Some(decisions)) => allocate::Weights::Count {
                    fact,
                    decisions,
                    rules: rules.as_deref(),
                },
                // clap requires one of the two forms.
                _ => return exit::USAGE,
            };
            allocate::run(&amount, &source, format, io)
        }
        Command::Matrix {
            rules,
            rows,
            format,
            peildatum,
        } => matrix::run(&rules, &rows, format, peildatum, io),
        Command::Eval {
            rules,
            format,
            peildatum,
            why_not,
            log,
            case,
        } => eval::run(
            &eval::Args {
                rules: &rules,
                format,
                peildatum,
                why_not: why_not.as_deref(),
                log: log.as_deref(),
                case: &case,
            },
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
        } => batch::run(
            &batch::Args {
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
        } => log::verify(&file, head.as_ref(), io),
        Command::Replay {
            decision,
            rules,
            format,
        } => replay::run(&decision, &rules, format, io),
        Command::Test {
            files,
            peildatum,
            base,
        } => test::run(&files, peildatum, base, io),
        Command::Serve {
            rules,
            addr,
            log,
            timeout,
            hosts,
        } => serve::run(
            &rules,
            addr,
            log.as_deref(),
            std::time::Duration::from_secs(timeout),
            &hosts,
            io,
        ),
        Command::Ask {
            rules,
            format,
            peildatum,
        } => ask::run(&rules, format, peildatum, io),
        Command::Fmt { files, check } => fmt::run(&files, check, io),
    };
    if io.finish() {
        code
    } else {
        let _ = writeln!(
            io.err,
            "kan de uitvoer niet schrijven: de uitkomst is niet volledig doorgegeven"
        );
        exit::FAILED
    }
}

/// Loads a rule file with its bases, or shows why it cannot be used.
fn load_or_report(path: &Path, sources: &mut Sources, io: &mut Io<'_>) -> Option<RuleSet> {
    match load_rules(path, sources) {
        Ok((rs, _)) => Some(rs),
        Err(errors) => {
            io.problems(errors.sorted(), sources);
            None
        }
    }
}

/// The text of a file, or of standard input for `-`, with the name to show for it.
fn read_input(path: &str, what: &str, io: &mut Io<'_>) -> Result<(String, String), Problem> {
    if path == "-" {
        let mut text = String::new();
        io.stdin.read_to_string(&mut text).map_err(|e| {
            Problem::without_span(
                crate::diagnostic::Code::Io,
                format!(
                    "kan {what} niet van standaardinvoer lezen: {}",
                    crate::diagnostic::io_reason(&e)
                ),
            )
        })?;
        Ok(("<stdin>".to_string(), text))
    } else {
        std::fs::read_to_string(path)
            .map(|text| (path.to_string(), text))
            .map_err(|e| Problem::unreadable(what, path, &e))
    }
}

/// The reference date to use when a case has none.
fn date_or_today(peildatum: Option<Date>, io: &Io<'_>) -> Date {
    peildatum.unwrap_or_else(|| io.today())
}
