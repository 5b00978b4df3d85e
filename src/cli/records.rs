//! The accounting commands: `batch`, `log verify`, `replay`, and `--log` of `eval`.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::Path;

use super::{load_or_report, read_input, Format, Io};
use crate::batch::{self, BatchError, InputFormat, Options};
use crate::case::Case;
use crate::diagnostic::{Code, Problem};
use crate::eval::Decision;
use crate::load::{display, io_reason};
use crate::log::{self, LogWriter};
use crate::replay::{recorded, replay as replay_one};
use crate::report;
use crate::ruleset::RuleSet;
use crate::source::Sources;

/// Appends one decision to the log at `path`; says where it went.
pub(super) fn log_one(
    path: &Path,
    rs: &RuleSet,
    case: &Case,
    decision: &Decision,
) -> Result<String, Problem> {
    let mut log = LogWriter::open(path)?;
    let mut line = Vec::new();
    report::json::write_decision(&mut line, rs, case, decision);
    log.append(&line)?;
    log.flush()?;
    let (seq, hash) = log.head();
    Ok(format!(
        "Vastgelegd in {} als record {seq} (hash {hash})",
        display(path)
    ))
}

pub(super) struct BatchArgs<'a> {
    pub rules: &'a Path,
    pub input: &'a str,
    pub output: Option<&'a Path>,
    pub trace: bool,
    pub input_format: Option<InputFormat>,
    pub peildatum: Option<jiff::civil::Date>,
    pub log: Option<&'a Path>,
    pub threads: Option<usize>,
}

pub(super) fn batch(args: &BatchArgs<'_>, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(args.rules, &mut sources, io) else {
        return 1;
    };
    let fail = |io: &mut Io<'_>, problems: Vec<Problem>| {
        io.problems(problems, &Sources::new());
        1
    };
    let format = match args
        .input_format
        .or_else(|| InputFormat::of_path(args.input))
    {
        Some(f) if args.input != "-" || args.input_format.is_some() => f,
        _ if args.input == "-" => InputFormat::Jsonl,
        _ => {
            return fail(
                io,
                vec![Problem::without_span(
                    Code::Io,
                    format!(
                        "het formaat van `{}` is niet aan de extensie te zien",
                        args.input
                    ),
                )
                .help("gebruik .yaml, .jsonl of .csv, of geef `--input-format yaml|jsonl|csv`")],
            )
        }
    };
    let (input, size): (Box<dyn BufRead + Send>, Option<u64>) = if args.input == "-" {
        (Box::new(BufReader::new(std::io::stdin())), None)
    } else {
        match std::fs::File::open(args.input) {
            Ok(f) => {
                let size = f.metadata().ok().map(|m| m.len());
                (Box::new(BufReader::with_capacity(1 << 16, f)), size)
            }
            Err(e) => {
                return fail(
                    io,
                    vec![Problem::without_span(
                        Code::Io,
                        format!(
                            "kan de casussen `{}` niet lezen: {}",
                            args.input,
                            io_reason(&e)
                        ),
                    )],
                )
            }
        }
    };
    let mut log = match args.log.map(LogWriter::open).transpose() {
        Ok(log) => log,
        Err(p) => return fail(io, vec![p]),
    };
    // Output to a file goes to a temporary file next to it first, so that a batch that
    // fails leaves no half file behind.
    let (mut file_out, temp) = match args.output {
        Some(path) => {
            let temp = path.with_extension(format!(
                "{}.deels",
                path.extension().and_then(|e| e.to_str()).unwrap_or("jsonl")
            ));
            match std::fs::File::create(&temp) {
                Ok(f) => (
                    Some(std::io::BufWriter::with_capacity(1 << 20, f)),
                    Some(temp),
                ),
                Err(e) => {
                    return fail(
                        io,
                        vec![Problem::without_span(
                            Code::Io,
                            format!("kan `{}` niet schrijven: {}", display(path), io_reason(&e)),
                        )],
                    )
                }
            }
        }
        None => (None, None),
    };
    let options = Options {
        trace: args.trace,
        reference_date: args.peildatum.unwrap_or(io.today),
        workers: args.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
    };
    let bar = progress_bar(size);
    let mut on_progress = |cases: u64, bytes: u64| {
        if let Some(bar) = &bar {
            bar.set_position(bytes);
            bar.set_message(format!("{cases} casussen"));
        }
    };
    let result = {
        let mut stdout_buf;
        let out: &mut dyn Write = match &mut file_out {
            Some(f) => f,
            None => {
                stdout_buf = std::io::BufWriter::with_capacity(1 << 20, &mut *io.out);
                &mut stdout_buf
            }
        };
        batch::run(
            &rs,
            input,
            format,
            out,
            log.as_mut(),
            options,
            &mut on_progress,
        )
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let finished = result.and_then(|summary| match file_out {
        Some(f) => f
            .into_inner()
            .map(|_| summary)
            .map_err(|e| BatchError::Write(e.into_error())),
        None => Ok(summary),
    });
    let summary = match finished {
        Ok(summary) => summary,
        Err(e) => {
            if let Some(temp) = &temp {
                let _ = std::fs::remove_file(temp);
            }
            return fail(io, batch_problems(e, args));
        }
    };
    if let (Some(temp), Some(path)) = (&temp, args.output) {
        if let Err(e) = std::fs::rename(temp, path) {
            return fail(
                io,
                vec![Problem::without_span(
                    Code::Io,
                    format!("kan `{}` niet schrijven: {}", display(path), io_reason(&e)),
                )],
            );
        }
    }
    let _ = write!(io.err, "{}", summary.text(&rs));
    if let (Some(log), Some(path)) = (&log, args.log) {
        let (seq, hash) = log.head();
        let _ = writeln!(
            io.err,
            "Logboek {}: laatste record {seq}, hash {hash}",
            display(path)
        );
    }
    u8::from(summary.invalid > 0)
}

fn batch_problems(e: BatchError, args: &BatchArgs<'_>) -> Vec<Problem> {
    match e {
        BatchError::Input(problems) => problems.sorted(),
        BatchError::Read(e) => vec![Problem::without_span(
            Code::Io,
            format!(
                "kan de casussen `{}` niet verder lezen: {}",
                args.input,
                io_reason(&e)
            ),
        )],
        BatchError::Write(e) => vec![Problem::without_span(
            Code::Io,
            format!("kan de beslissingen niet schrijven: {}", io_reason(&e)),
        )],
        BatchError::Log(p) => vec![*p],
    }
}

/// A progress bar on standard error, for a file of known size on a terminal.
fn progress_bar(size: Option<u64>) -> Option<indicatif::ProgressBar> {
    let size = size.filter(|s| *s > 1 << 20)?;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(size),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style =
        indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}%  {msg}  (nog {eta})")
            .ok()?;
    bar.set_style(style);
    Some(bar)
}

pub(super) fn verify(path: &Path, head: Option<&str>, io: &mut Io<'_>) -> u8 {
    let name = display(path);
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let p = Problem::without_span(
                Code::Io,
                format!("kan het logboek `{name}` niet lezen: {}", io_reason(&e)),
            );
            io.problems(vec![p], &Sources::new());
            return 1;
        }
    };
    match log::verify(BufReader::with_capacity(1 << 20, file), head) {
        Ok(v) => {
            let _ = writeln!(
                io.out,
                "Logboek {name} is in orde: {} records, laatste hash {}",
                v.records, v.head
            );
            0
        }
        Err(b) => {
            let p = Problem::without_span(
                Code::LogBroken,
                format!("{name}:{}: {}", b.line, b.what),
            )
            .help("alles vóór deze regel is in orde; vergelijk vanaf hier met een kopie of met de oorspronkelijke uitvoer");
            io.problems(vec![p], &Sources::new());
            1
        }
    }
}

pub(super) fn replay(input: &str, rules: &Path, format: Format, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(rules, &mut sources, io) else {
        return 1;
    };
    let (_, text) = match read_input(input, "de beslissing", io) {
        Ok(read) => read,
        Err(p) => {
            io.problems(vec![p], &sources);
            return 1;
        }
    };
    let (decisions, skipped) = match recorded(crate::source::without_bom(&text)) {
        Ok(r) => (r.decisions, r.skipped),
        Err(p) => {
            io.problems(vec![p], &sources);
            return 1;
        }
    };
    let mut all_same = true;
    let mut out = String::new();
    let mut json = Vec::new();
    for (line, decision) in &decisions {
        match replay_one(&rs, decision) {
            Ok(r) => {
                all_same &= r.same_decision() && r.same_ruleset();
                if decisions.len() > 1 {
                    out.push_str(&format!("── regel {line}\n"));
                }
                let version = decision.pointer("/engine/version").and_then(|v| v.as_str());
                out.push_str(&r.text(version));
                json.push(r.json());
            }
            Err(problems) => {
                let mut problems = problems.sorted();
                for p in &mut problems {
                    p.message = format!("regel {line}: {}", p.message);
                }
                io.problems(problems, &sources);
                return 1;
            }
        }
    }
    if !skipped.is_empty() {
        let lines: Vec<String> = skipped.iter().map(u64::to_string).collect();
        out.push_str(&format!(
            "Overgeslagen: {} foutregel(s) van ongeldige casussen (regel {})\n",
            skipped.len(),
            lines.join(", ")
        ));
    }
    let shown = match format {
        Format::Text => out,
        Format::Json => {
            let value = match json.len() {
                1 => json.pop().unwrap_or_default(),
                _ => serde_json::Value::Array(json),
            };
            let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let _ = io.out.write_all(shown.as_bytes());
    u8::from(!all_same)
}
