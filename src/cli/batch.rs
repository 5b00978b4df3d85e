//! `wiebetaalt batch --rules FILE INPUT`: many cases, one JSON line each.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use super::{exit, load_or_report, Io};
use crate::batch::{self, BatchError, InputFormat, Options};
use crate::diagnostic::{io_reason, Code, Problem};
use crate::log::LogWriter;
use crate::source::Sources;
use crate::text::display;

pub(super) struct Args<'a> {
    pub rules: &'a Path,
    pub input: &'a str,
    pub output: Option<&'a Path>,
    pub trace: bool,
    pub input_format: Option<InputFormat>,
    pub peildatum: Option<jiff::civil::Date>,
    pub log: Option<&'a Path>,
    pub threads: Option<usize>,
}

pub(super) fn run(args: &Args<'_>, io: &mut Io<'_>) -> u8 {
    let mut sources = Sources::new();
    let Some(rs) = load_or_report(args.rules, &mut sources, io) else {
        return exit::FAILED;
    };
    let fail = |io: &mut Io<'_>, problems: Vec<Problem>| {
        io.problems(problems, &Sources::new());
        exit::FAILED
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
    let file_in = if args.input == "-" {
        None
    } else {
        match std::fs::File::open(args.input) {
            Ok(f) => Some(f),
            Err(e) => return fail(io, vec![Problem::unreadable("de casussen", args.input, &e)]),
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
    let size = file_in
        .as_ref()
        .and_then(|f| f.metadata().ok())
        .map(|m| m.len());
    let stdin: &mut (dyn std::io::Read + Send) = &mut *io.stdin;
    let input: Box<dyn BufRead + Send + '_> = match file_in {
        Some(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
        None => Box::new(BufReader::with_capacity(1 << 16, stdin)),
    };
    let options = Options {
        trace: args.trace,
        reference_date: args.peildatum.unwrap_or_else(|| (io.clock)()),
        workers: args.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
    };
    let bar = progress_bar(size.filter(|_| io.stderr_is_terminal));
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
    if summary.invalid > 0 {
        exit::FINDING
    } else {
        exit::OK
    }
}

fn batch_problems(e: BatchError, args: &Args<'_>) -> Vec<Problem> {
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
