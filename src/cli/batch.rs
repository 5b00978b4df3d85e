//! `wiebetaalt batch --rules FILE INPUT`: many cases, one JSON line each.

use std::io::{BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};

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
    // The log is checked before anything is decided; the decisions are set aside
    // beside it and added only when the whole batch has been decided and written.
    let mut log = match args.log.map(LogWriter::open).transpose() {
        Ok(log) => log,
        Err(p) => return fail(io, vec![p]),
    };
    let mut staged = match args.log.map(stage).transpose() {
        Ok(staged) => staged,
        Err(p) => return fail(io, vec![p]),
    };
    if let Some(p) = args
        .output
        .and_then(|out| overwrites_an_input(out, args, &rs))
    {
        return fail(io, vec![p]);
    }
    let mut target = match args.output.map(Target::open).transpose() {
        Ok(t) => t,
        Err(p) => return fail(io, vec![p]),
    };
    let size = file_in
        .as_ref()
        .and_then(|f| f.metadata().ok())
        .map(|m| m.len());
    let stdin: &mut (dyn std::io::Read + Send) = &mut *io.stdin;
    let input: Box<dyn BufRead + Send + '_> = match file_in {
        Some(f) => Box::new(BufReader::with_capacity(IN_BUFFER, f)),
        None => Box::new(BufReader::with_capacity(IN_BUFFER, stdin)),
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
        let out: &mut dyn Write = match &mut target {
            Some(t) => t.writer(),
            None => {
                stdout_buf = std::io::BufWriter::with_capacity(OUT_BUFFER, &mut *io.out);
                &mut stdout_buf
            }
        };
        batch::run(
            &rs,
            input,
            format,
            out,
            staged.as_mut().map(|s| s as &mut dyn Write),
            options,
            &mut on_progress,
        )
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let finished = match (result, target) {
        (Ok(summary), Some(t)) => t.finish().map(|()| summary),
        (Ok(summary), None) => Ok(summary),
        (Err(e), t) => {
            if let Some(t) = t {
                t.abandon();
            }
            Err(e)
        }
    };
    let summary = match finished {
        Ok(summary) => summary,
        Err(e) => return fail(io, batch_problems(e, args)),
    };
    let _ = write!(io.err, "{}", crate::text::printable(&summary.text(&rs)));
    if let (Some(log), Some(staged), Some(path)) = (&mut log, staged, args.log) {
        let decided = summary.statuses.iter().sum();
        let committed = staged
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|mut file| file.rewind().map(|()| file))
            .map_err(|e| {
                Problem::without_span(
                    Code::LogFailed,
                    format!(
                        "kan de beslissingen niet in het logboek zetten: {}",
                        io_reason(&e)
                    ),
                )
            })
            .and_then(|file| log.commit(&mut BufReader::with_capacity(1 << 20, file), decided));
        match committed {
            Ok(head) => {
                let _ = writeln!(
                    io.err,
                    "Logboek {}: {decided} beslissingen vastgelegd; ijkpunt {head}",
                    display(path)
                );
            }
            Err(p) => {
                let _ = writeln!(
                    io.err,
                    "de beslissingen hierboven zijn geschreven, maar niet (alle) vastgelegd"
                );
                return fail(io, vec![p]);
            }
        }
    }
    if summary.invalid > 0 || summary.unfinished_line.is_some() {
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
        BatchError::Stage(e) => vec![Problem::without_span(
            Code::LogFailed,
            format!(
                "kan de beslissingen niet klaarzetten voor het logboek: {}",
                io_reason(&e)
            ),
        )
        .help("er is niets vastgelegd; maak ruimte naast het logboek en draai de batch opnieuw")],
        BatchError::Log(p) => vec![*p],
    }
}

/// The buffer after the input: the lines whole in it are read there, without a copy
/// (about 12,000 flat cases per read at 1 MiB).
const IN_BUFFER: usize = 1 << 20;

/// The buffer before the output. A batch writes a chunk of decisions at a time (about a
/// megabyte without a trace); a write at least this large goes straight through instead
/// of being copied into the buffer first.
const OUT_BUFFER: usize = 1 << 16;

/// A file beside the log (same disk, only readable by this user, without a name in the
/// directory, so nothing of it stays behind even when the batch is killed) where the
/// decisions wait until the batch has finished.
fn stage(log: &Path) -> Result<std::io::BufWriter<std::fs::File>, Problem> {
    let dir = match log.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::tempfile_in(dir)
        .map(|f| std::io::BufWriter::with_capacity(1 << 20, f))
        .map_err(|e| {
            Problem::without_span(
                Code::LogFailed,
                format!(
                    "kan naast het logboek `{}` geen werkbestand aanmaken: {}",
                    display(log),
                    io_reason(&e)
                ),
            )
        })
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

/// Where `-o` writes. A regular file (or a new one) is written to a temporary file
/// created exclusively, under an unpredictable name, beside it, and renamed over it only
/// when the batch is done; meanwhile the target is locked, so a second batch to the same
/// file is refused instead of mixing with this one. Something that is not a regular
/// file (a pipe, `/dev/null`) is written directly; a link or a directory is refused.
enum Target {
    Replace {
        path: PathBuf,
        temp: std::io::BufWriter<WrittenBack>,
        /// The target, locked while the batch runs.
        _lock: std::fs::File,
        /// Made empty by the lock: removed again when the batch fails.
        created: bool,
    },
    Direct(std::io::BufWriter<std::fs::File>),
}

impl Target {
    fn open(path: &Path) -> Result<Target, Problem> {
        let refuse = |why: String| {
            Problem::without_span(
                Code::Io,
                format!("kan `{}` niet schrijven: {why}", display(path)),
            )
        };
        let meta = std::fs::symlink_metadata(path);
        match &meta {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse("het is een koppeling".to_string())
                    .help("geef het pad van het bestand zelf, niet van een koppeling ernaar"))
            }
            Ok(m) if m.is_dir() => return Err(refuse("het is een map".to_string())),
            Ok(m) if !m.is_file() => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| refuse(io_reason(&e)))?;
                return Ok(Target::Direct(std::io::BufWriter::with_capacity(
                    OUT_BUFFER, f,
                )));
            }
            _ => {}
        }
        let created = meta.is_err();
        let lock = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| refuse(io_reason(&e)))?;
        if let Err(e) = lock.try_lock() {
            if created {
                let _ = std::fs::remove_file(path);
            }
            return Err(match e {
                std::fs::TryLockError::WouldBlock => {
                    refuse("een andere batch schrijft er nu naar".to_string())
                        .help("wacht tot die klaar is, of kies een ander uitvoerbestand")
                }
                std::fs::TryLockError::Error(e) => refuse(io_reason(&e)),
            });
        }
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".deels")
            .tempfile_in(dir)
            .map_err(|e| {
                if created {
                    let _ = std::fs::remove_file(path);
                }
                refuse(io_reason(&e))
            })?;
        // The output keeps the permissions of the file it replaces (or those a new file
        // gets from the umask), not the private ones of a temporary file.
        if let Ok(m) = lock.metadata() {
            let _ = temp.as_file().set_permissions(m.permissions());
        }
        Ok(Target::Replace {
            path: path.to_path_buf(),
            temp: std::io::BufWriter::with_capacity(OUT_BUFFER, WrittenBack::new(temp)),
            _lock: lock,
            created,
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Target::Replace { temp, .. } => temp,
            Target::Direct(f) => f,
        }
    }

    /// A batch that did not finish: the temporary file goes (it removes itself when
    /// dropped), and so does an empty target that only the lock made.
    fn abandon(self) {
        if let Target::Replace {
            path,
            created: true,
            ..
        } = &self
        {
            let path = path.clone();
            drop(self);
            let _ = std::fs::remove_file(path);
        }
    }

    /// Makes the output final: flushed, on disk, and in place.
    fn finish(self) -> Result<(), BatchError> {
        match self {
            Target::Direct(f) => f
                .into_inner()
                .map(|_| ())
                .map_err(|e| BatchError::Write(e.into_error())),
            Target::Replace {
                path,
                temp,
                _lock,
                created,
            } => {
                let done = temp
                    .into_inner()
                    .map_err(|e| BatchError::Write(e.into_error()))
                    .and_then(|WrittenBack { file: t, .. }| {
                        t.as_file().sync_all().map_err(BatchError::Write)?;
                        t.persist(&path).map_err(|e| BatchError::Write(e.error))
                    });
                if done.is_err() && created {
                    let _ = std::fs::remove_file(&path);
                }
                done.map(|_| ())
            }
        }
    }
}

/// The temporary file of `-o`, handed to the disk while it grows: every
/// [`WRITE_BACK_STEP`] bytes, the kernel is told that the batch will not read what it
/// wrote again (`posix_fadvise(POSIX_FADV_DONTNEED)`), upon which Linux starts writing
/// that part to disk without waiting for it. The final `fsync` then waits for the last
/// part only, instead of for the whole output after the last decision (135 MB: about
/// 65 ms on a fast disk). Elsewhere than on Linux, and where the advice is not
/// supported, it changes nothing.
struct WrittenBack {
    file: tempfile::NamedTempFile,
    /// Bytes written so far.
    written: u64,
    /// Bytes handed to the disk so far.
    handed: u64,
}

/// How much of `-o`'s output is handed to the disk at a time: 8 MiB.
const WRITE_BACK_STEP: u64 = 8 << 20;

impl WrittenBack {
    fn new(file: tempfile::NamedTempFile) -> WrittenBack {
        WrittenBack {
            file,
            written: 0,
            handed: 0,
        }
    }
}

impl Write for WrittenBack {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if let Some(len) = std::num::NonZeroU64::new(self.written - self.handed)
            .filter(|len| len.get() >= WRITE_BACK_STEP)
        {
            hand_to_disk(self.file.as_file(), self.handed, len);
            self.handed = self.written;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Starts writing `len` bytes of `file` from `offset` on to disk (see [`WrittenBack`]).
#[cfg(target_os = "linux")]
fn hand_to_disk(file: &std::fs::File, offset: u64, len: std::num::NonZeroU64) {
    let advice = rustix::fs::Advice::DontNeed;
    let _ = rustix::fs::fadvise(file, offset, Some(len), advice);
}

/// Elsewhere the final `fsync` writes it all.
#[cfg(not(target_os = "linux"))]
fn hand_to_disk(_: &std::fs::File, _: u64, _: std::num::NonZeroU64) {}

/// Refuses an output file that is one of the batch's own inputs: its cases, its rule
/// files (with their bases) or its log would be overwritten by decisions.
fn overwrites_an_input(
    output: &Path,
    args: &Args<'_>,
    rs: &crate::ruleset::RuleSet,
) -> Option<Problem> {
    use std::os::unix::fs::MetadataExt;
    // The same file, also through a hard link or another path to it.
    let id = |m: std::fs::Metadata| (m.dev(), m.ino());
    let target = std::fs::metadata(output).ok().map(id)?;
    let same = |path: &Path| std::fs::metadata(path).is_ok_and(|m| id(m) == target);
    // Cases on standard input may come from the very file (`< casussen.jsonl`).
    let input = if args.input == "-" {
        Path::new("/dev/stdin")
    } else {
        Path::new(args.input)
    };
    let what = if same(input) {
        "het invoerbestand met de casussen"
    } else if same(args.rules) || rs.files().iter().any(|f| same(Path::new(f))) {
        "een regelbestand"
    } else if args.log.is_some_and(same) {
        "het beslissingslogboek"
    } else {
        return None;
    };
    Some(
        Problem::without_span(
            Code::Io,
            format!(
                "`-o {}` is {what} van deze batch; dat wordt niet overschreven",
                display(output)
            ),
        )
        .help(
            "schrijf de beslissingen naar een ander bestand, bijvoorbeeld `-o beslissingen.jsonl`",
        ),
    )
}
