//! Batch: many cases in (a YAML list, JSON Lines or CSV), one JSON line per case out,
//! in input order.
//!
//! Streaming and parallel, with flat memory: a reader thread cuts the input into
//! chunks of cases, worker threads (one per core) decide each chunk into its output
//! bytes, and the calling thread writes the chunks in input order. At most
//! [`IN_FLIGHT_PER_WORKER`] chunks per worker exist at any time, so memory does not grow
//! with the input. A case that cannot be read or decided yields an error line in its
//! place; nothing is dropped and nothing stops the batch.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::allocation::allocate;
use crate::case::flat::FlatReader;
use crate::case::{case_from_cells, case_from_json_text, id_of_text, parse_case, Case, RESERVED};
use crate::diagnostic::{Code, Errors, Problem, Problems};
use crate::eval::{decide, decide_traced, Scratch, Status};
use crate::report;
use crate::ruleset::{DecisionId, Outcome, RuleSet};
use crate::source::FileId;
use crate::text::{euros, thousands};

/// Cases per chunk: large enough that passing chunks between threads costs nothing,
/// small enough that a chunk of full traces stays a few megabytes.
const CHUNK: usize = 256;

/// Cases per chunk without trace (lines of about half a kilobyte).
const CHUNK_UNTRACED: usize = 2048;

/// Chunks that may be under way (read, deciding or waiting to be written) per worker.
const IN_FLIGHT_PER_WORKER: usize = 4;

/// How the input is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// A YAML list: each case starts with `- ` at the start of a line.
    Yaml,
    /// One JSON object per line.
    Jsonl,
    /// A header of fact names, then one case per row.
    Csv,
}

impl InputFormat {
    /// The format that a file's extension names.
    pub fn of_path(path: &str) -> Option<InputFormat> {
        let ext = std::path::Path::new(path)
            .extension()?
            .to_str()?
            .to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(InputFormat::Yaml),
            "jsonl" | "ndjson" | "json" => Some(InputFormat::Jsonl),
            "csv" => Some(InputFormat::Csv),
            _ => None,
        }
    }
}

/// How to decide.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Whether each decision carries its trace.
    pub trace: bool,
    /// The reference date of cases without a `peildatum`.
    pub reference_date: Date,
    /// Worker threads (at least one).
    pub workers: usize,
}

/// What went wrong with the batch as a whole (as opposed to one case).
#[derive(Debug)]
pub enum BatchError {
    /// The input cannot be read at all (a CSV header that names no fact, say).
    Input(Errors),
    Read(std::io::Error),
    Write(std::io::Error),
    /// The decisions could not be set aside for the log.
    Stage(std::io::Error),
    Log(Box<Problem>),
}

/// Counts and totals over a batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub cases: u64,
    /// Decisions per status, in the order of [`Status::ALL`].
    pub statuses: [u64; 4],
    /// Cases that could not be read or decided.
    pub invalid: u64,
    /// The law's decisions per outcome, in order of first appearance.
    pub outcomes: Vec<(Outcome, u64)>,
    /// Every further decision per outcome (`None`: not needed or incomplete, with that
    /// status), in order of first appearance.
    pub parts: Vec<(DecisionId, Result<Outcome, Status>, u64)>,
    /// The costs of the decided cases (of every case that was read and had `kosten`).
    pub costs: Decimal,
    /// The costs per payer, in order of first appearance.
    pub payers: Vec<(String, Decimal)>,
    /// Costs of incomplete cases, which cannot be divided yet.
    pub unallocated: Decimal,
    /// The input's last line when it ended without a line end: the file may have been
    /// cut off, and its last case may not be what was meant.
    pub unfinished_line: Option<u64>,
}

impl Summary {
    fn merge(&mut self, other: Summary) {
        self.cases += other.cases;
        for (a, b) in self.statuses.iter_mut().zip(other.statuses) {
            *a += b;
        }
        self.invalid += other.invalid;
        for (o, n) in other.outcomes {
            self.count(&o, n);
        }
        for (d, o, n) in other.parts {
            self.count_part(d, o, n);
        }
        self.costs += other.costs;
        for (p, a) in other.payers {
            self.pay(&p, a);
        }
        self.unallocated += other.unallocated;
    }

    fn count(&mut self, outcome: &Outcome, n: u64) {
        match self.outcomes.iter_mut().find(|(o, _)| o == outcome) {
            Some((_, total)) => *total += n,
            None => self.outcomes.push((outcome.clone(), n)),
        }
    }

    /// Counts a decided case: its status, the law's outcome, and its costs divided
    /// over who pays (`None` while that is not known: the costs stay undivided).
    fn decided(
        &mut self,
        status: Status,
        outcome: Option<&Outcome>,
        costs: Option<Decimal>,
        payment: Option<&crate::eval::Payment>,
    ) {
        if let Some(slot) = self.statuses.get_mut(status as usize) {
            *slot += 1;
        }
        if let Some(o) = outcome {
            self.count(o, 1);
        }
        if let Some(costs) = costs {
            self.costs += costs;
            match payment.and_then(crate::eval::Payment::by_payer) {
                Some(shares) => {
                    for (payer, amount) in allocate(&shares, costs) {
                        self.pay(payer, amount);
                    }
                }
                None => self.unallocated += costs,
            }
        }
    }

    fn count_part(&mut self, decision: DecisionId, outcome: Result<Outcome, Status>, n: u64) {
        match self
            .parts
            .iter_mut()
            .find(|(d, o, _)| *d == decision && *o == outcome)
        {
            Some((_, _, total)) => *total += n,
            None => self.parts.push((decision, outcome, n)),
        }
    }

    fn pay(&mut self, payer: &str, amount: Decimal) {
        match self.payers.iter_mut().find(|(p, _)| p == payer) {
            Some((_, total)) => *total += amount,
            None => self.payers.push((payer.to_string(), amount)),
        }
    }

    /// The summary in Dutch, for standard error.
    pub fn text(&self, rs: &RuleSet) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        if let Some(line) = self.unfinished_line {
            let _ = writeln!(
                out,
                "Let op: de laatste regel ({line}) eindigt zonder regeleinde; controleer of het bestand volledig is (de casus op die regel is gelezen zoals hij er staat)."
            );
        }
        let words = Status::ALL
            .iter()
            .zip(self.statuses)
            .map(|(s, n)| format!("{} {}", thousands(n), report::status_word(*s)))
            .chain(std::iter::once(format!(
                "{} ongeldig",
                thousands(self.invalid)
            )))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "{} casussen: {words}", thousands(self.cases));
        if !self.outcomes.is_empty() {
            let _ = writeln!(out, "Per uitkomst:");
            for (o, n) in &self.outcomes {
                let _ = writeln!(
                    out,
                    "  {:>12}  {}",
                    thousands(*n),
                    report::outcome_words(rs, o)
                );
            }
        }
        for (id, def) in rs.further_decisions() {
            let mine: Vec<&(DecisionId, Result<Outcome, Status>, u64)> =
                self.parts.iter().filter(|(d, _, _)| *d == id).collect();
            if mine.is_empty() {
                continue;
            }
            let _ = writeln!(out, "Per {}:", def.name);
            for (_, o, n) in mine {
                let words = match o {
                    Ok(o) => report::outcome_words(rs, o),
                    Err(status) => report::status_word(*status).to_string(),
                };
                let _ = writeln!(out, "  {:>12}  {words}", thousands(*n));
            }
        }
        if !self.costs.is_zero() || !self.payers.is_empty() {
            let _ = writeln!(out, "Kosten: {} in totaal", euros(self.costs));
            for (p, a) in &self.payers {
                let _ = writeln!(out, "  {:>18}  {p}", euros(*a));
            }
            if !self.unallocated.is_zero() {
                let _ = writeln!(
                    out,
                    "  {:>18}  nog niet verdeeld (onvolledige casussen of onbekende betaler)",
                    euros(self.unallocated)
                );
            }
        }
        out
    }
}

/// One case as read, before it is validated.
#[derive(Debug)]
struct Item {
    /// The line where the case starts (1-based).
    line: u64,
    raw: Raw,
}

#[derive(Debug)]
enum Raw {
    /// A JSON case: where its text is in the chunk's text.
    Json(std::ops::Range<usize>),
    Yaml(String),
    Csv(Vec<String>),
    /// Input that is not a case at all (a broken CSV row, bytes that are not UTF-8).
    Broken(Box<Problem>),
}

/// A chunk of cases as read: the items, and the text of the JSON ones, one after the
/// other (so that a line is not a text of its own).
#[derive(Debug, Default)]
struct Chunk {
    items: Vec<Item>,
    text: String,
}

/// Buffers of chunks done with, to be filled again: so that a chunk does not allocate
/// (and fault in) its memory anew.
#[derive(Default)]
struct Spare {
    chunks: Mutex<Vec<Chunk>>,
    bytes: Mutex<Vec<Vec<u8>>>,
}

impl Spare {
    fn chunk(&self) -> Chunk {
        self.chunks
            .lock()
            .ok()
            .and_then(|mut c| c.pop())
            .unwrap_or_default()
    }

    fn put_chunk(&self, mut chunk: Chunk) {
        chunk.items.clear();
        chunk.text.clear();
        if let Ok(mut chunks) = self.chunks.lock() {
            chunks.push(chunk);
        }
    }

    fn bytes(&self, capacity: usize) -> Vec<u8> {
        self.bytes
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_else(|| Vec::with_capacity(capacity))
    }

    fn put_bytes(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        if let Ok(mut spare) = self.bytes.lock() {
            spare.push(bytes);
        }
    }
}

/// A chunk of decided cases: the output lines, where each decision is in them (for
/// the log), and the chunk's counts.
struct Done {
    seq: u64,
    bytes: Vec<u8>,
    decisions: Vec<(usize, usize)>,
    summary: Summary,
}

/// Decides every case of `input` and writes one line per case to `out`, in input
/// order; with `staged`, also writes every decision there, one per line (what a batch
/// adds to the log once it has finished). `progress` hears the number of
/// cases written and of input bytes read after every chunk.
pub fn run(
    rs: &RuleSet,
    input: Box<dyn BufRead + Send + '_>,
    format: InputFormat,
    out: &mut dyn Write,
    mut staged: Option<&mut dyn Write>,
    options: Options,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary, BatchError> {
    let workers = options.workers.max(1);
    let in_flight = workers * IN_FLIGHT_PER_WORKER;
    let (chunk_tx, chunk_rx) = sync_channel::<(u64, Chunk)>(in_flight);
    let (done_tx, done_rx) = sync_channel::<Done>(in_flight);
    let (token_tx, token_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = token_tx.send(());
    }
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let spare = Spare::default();
    let bytes_read = AtomicU64::new(0);
    // Without a trace, flat JSON cases are read and written directly (see `Direct`).
    let compact = if options.trace {
        None
    } else {
        report::json::CompactLine::new(rs, options.reference_date)
    };
    let header: Mutex<Option<Vec<String>>> = Mutex::new(None);

    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reader = Reader {
                tx: chunk_tx,
                tokens: token_rx,
                chunk: Chunk::default(),
                spare: &spare,
                size: if options.trace { CHUNK } else { CHUNK_UNTRACED },
                seq: 0,
                unfinished: None,
            };
            let result = match format {
                InputFormat::Jsonl => read_jsonl(input, &mut reader, &bytes_read),
                InputFormat::Yaml => read_yaml(input, &mut reader, &bytes_read),
                InputFormat::Csv => read_csv(input, &mut reader, rs, &header, &bytes_read),
            };
            reader.flush();
            result.map(|()| reader.unfinished)
        });
        for _ in 0..workers {
            let rx = Arc::clone(&chunk_rx);
            let tx = done_tx.clone();
            let header = &header;
            let compact = compact.as_ref();
            let spare = &spare;
            scope.spawn(move || work(rs, &rx, &tx, header, options, compact, spare));
        }
        drop(done_tx);

        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0;
        let mut summary = Summary::default();
        let mut failure = None;
        for done in done_rx.iter() {
            pending.insert(done.seq, done);
            while let Some(done) = pending.remove(&next) {
                next += 1;
                if failure.is_none() {
                    failure = write_chunk(
                        &done,
                        out,
                        staged.as_mut().map(|s| &mut **s as &mut dyn Write),
                    )
                    .err();
                }
                summary.merge(done.summary);
                spare.put_bytes(done.bytes);
                let _ = token_tx.send(());
                progress(summary.cases, bytes_read.load(Ordering::Relaxed));
            }
            if failure.is_some() {
                // Stop reading: the output is gone. Dropping the tokens ends the reader.
                break;
            }
        }
        drop(token_tx);
        drop(done_rx);
        let read = reader.join().unwrap_or(Ok(None));
        if let Some(e) = failure {
            return Err(e);
        }
        summary.unfinished_line = read?;
        if let Some(staged) = staged {
            staged.flush().map_err(BatchError::Stage)?;
        }
        out.flush().map_err(BatchError::Write)?;
        Ok(summary)
    })
}

fn write_chunk(
    done: &Done,
    out: &mut dyn Write,
    staged: Option<&mut dyn Write>,
) -> Result<(), BatchError> {
    out.write_all(&done.bytes).map_err(BatchError::Write)?;
    if let Some(staged) = staged {
        for &(start, end) in &done.decisions {
            let decision = done.bytes.get(start..end).unwrap_or_default();
            staged
                .write_all(decision)
                .and_then(|()| staged.write_all(b"\n"))
                .map_err(BatchError::Stage)?;
        }
    }
    Ok(())
}

/// Cuts the items into chunks and hands them to the workers, waiting for a token
/// (a free place) before each chunk.
struct Reader<'s> {
    tx: SyncSender<(u64, Chunk)>,
    tokens: Receiver<()>,
    chunk: Chunk,
    spare: &'s Spare,
    /// Cases per chunk.
    size: usize,
    seq: u64,
    /// The last line, when it ended without a line end.
    unfinished: Option<u64>,
}

impl Reader<'_> {
    /// Adds an item; `false` when the batch has stopped and reading can end.
    fn push(&mut self, item: Item) -> bool {
        self.chunk.items.push(item);
        self.chunk.items.len() < self.size || self.flush()
    }

    /// Adds a JSON case written at `line`.
    fn push_json(&mut self, line: u64, text: &str) -> bool {
        let start = self.chunk.text.len();
        self.chunk.text.push_str(text);
        let raw = Raw::Json(start..self.chunk.text.len());
        self.push(Item { line, raw })
    }

    fn flush(&mut self) -> bool {
        if self.chunk.items.is_empty() {
            return true;
        }
        if self.tokens.recv().is_err() {
            return false;
        }
        let chunk = std::mem::replace(&mut self.chunk, self.spare.chunk());
        let sent = self.tx.send((self.seq, chunk)).is_ok();
        self.seq += 1;
        sent
    }
}

/// The longest line of a batch (as the service's largest body): a longer one is a
/// broken case of its own, and reading goes on at the next line.
pub const MAX_LINE: usize = 1024 * 1024;

/// How much of one line is skipped before the input is refused as no batch at all
/// (`/dev/zero`, a binary file).
const MAX_SKIP: u64 = 64 * 1024 * 1024;

/// One physical line of a batch's input.
struct Line<'b> {
    number: u64,
    /// The text (decoded lossily when it is not UTF-8, so that a YAML item start is
    /// still seen), without a byte-order mark.
    text: std::borrow::Cow<'b, str>,
    /// Why the line cannot be a case as it is (not UTF-8, too long).
    problem: Option<Problem>,
}

/// Reads lines as bytes, each at most [`MAX_LINE`] long (the rest of a longer line is
/// skipped without being kept). Returns whether the last line ended without a line end
/// (a file that may have been cut off).
fn lines(
    mut input: Box<dyn BufRead + Send + '_>,
    bytes_read: &AtomicU64,
    mut each: impl FnMut(Line<'_>) -> bool,
) -> Result<Option<u64>, BatchError> {
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        // Most lines are whole in the reader's buffer: read there, without a copy, all
        // of them before the buffer is consumed.
        let whole = input.fill_buf().map_err(BatchError::Read)?;
        // Checked as UTF-8 at once: the buffer up to its last line end (each of its
        // lines is UTF-8 exactly when all of them together are).
        let text = memchr::memrchr(b'\n', whole)
            .and_then(|last| whole.get(..=last))
            .and_then(|lines| std::str::from_utf8(lines).ok());
        let mut done = 0;
        let mut go_on = true;
        for end in memchr::memchr_iter(b'\n', whole) {
            if end - done >= MAX_LINE {
                break;
            }
            number += 1;
            go_on = each(match text.and_then(|t| t.get(done..=end)) {
                Some(text) => valid_line(number, text),
                None => line(number, whole.get(done..=end).unwrap_or_default(), false),
            });
            done = end + 1;
            if !go_on {
                break;
            }
        }
        if done > 0 {
            input.consume(done);
            bytes_read.fetch_add(done as u64, Ordering::Relaxed);
            if !go_on {
                return Ok(None);
            }
            continue;
        }
        buf.clear();
        let mut too_long = false;
        let mut ended = false;
        let mut skipped: u64 = 0;
        // Fill `buf` up to the line end, keeping at most MAX_LINE bytes.
        loop {
            let chunk = input.fill_buf().map_err(BatchError::Read)?;
            if chunk.is_empty() {
                break;
            }
            let (take, found) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let room = MAX_LINE.saturating_sub(buf.len());
            buf.extend_from_slice(chunk.get(..take.min(room)).unwrap_or_default());
            too_long |= take > room;
            skipped += take.saturating_sub(room) as u64;
            input.consume(take);
            bytes_read.fetch_add(take as u64, Ordering::Relaxed);
            if skipped > MAX_SKIP {
                return Err(BatchError::Input(
                    Problem::without_span(
                        Code::TooLarge,
                        format!(
                            "regel {} heeft na {} MiB nog geen regeleinde: dit zijn geen casussen",
                            number + 1,
                            MAX_SKIP / (1024 * 1024)
                        ),
                    )
                    .help("geef een bestand met één casus per regel (JSON Lines), een YAML-lijst of een CSV-bestand")
                    .into(),
                ));
            }
            if found {
                ended = true;
                break;
            }
        }
        if buf.is_empty() && !too_long {
            return Ok(None);
        }
        number += 1;
        if !each(line(number, &buf, too_long)) {
            return Ok(None);
        }
        if !ended {
            return Ok(Some(number));
        }
    }
}

/// Line `number` of the input, read as `bytes` (cut at [`MAX_LINE`] when `too_long`).
fn line(number: u64, bytes: &[u8], too_long: bool) -> Line<'_> {
    let valid = std::str::from_utf8(bytes);
    let problem = if too_long {
        Some(
            Problem::without_span(
                Code::TooLarge,
                format!("regel {number} is langer dan {} MiB", MAX_LINE / (1024 * 1024)),
            )
            .help("een casus staat op één regel van hoogstens 1 MiB; controleer of het bestand wel casussen bevat"),
        )
    } else {
        valid.as_ref().err().map(|_| {
            Problem::without_span(
                Code::CaseSyntax,
                format!("regel {number} is geen geldige UTF-8-tekst"),
            )
            .help("sla het bestand op als UTF-8")
        })
    };
    match valid {
        Ok(text) => Line {
            problem,
            ..valid_line(number, text)
        },
        Err(_) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let text = match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_string(),
                None => text,
            };
            Line {
                number,
                text: std::borrow::Cow::Owned(text),
                problem,
            }
        }
    }
}

/// Line `number` of the input, read as `text` (known to be UTF-8, not too long).
fn valid_line(number: u64, text: &str) -> Line<'_> {
    Line {
        number,
        text: std::borrow::Cow::Borrowed(text.strip_prefix('\u{feff}').unwrap_or(text)),
        problem: None,
    }
}

/// The largest batch given as one JSON array: it is read whole before the first case.
const MAX_ARRAY: u64 = 256 * 1024 * 1024;

fn read_jsonl(
    mut input: Box<dyn BufRead + Send + '_>,
    reader: &mut Reader,
    bytes_read: &AtomicU64,
) -> Result<(), BatchError> {
    let start = json_start(&mut input)?;
    let input: Box<dyn BufRead + Send + '_> = if start.head.is_empty() {
        input
    } else {
        Box::new(std::io::Read::chain(
            std::io::Cursor::new(start.head),
            input,
        ))
    };
    if start.array {
        return read_json_array(input, reader, bytes_read);
    }
    let cut = lines(input, bytes_read, |l| match l.problem {
        // A case starts with `{` (mostly); anything else may be a blank line.
        None if !l.text.starts_with('{') && l.text.trim_start().is_empty() => true,
        None => reader.push_json(l.number, &l.text),
        Some(p) => reader.push(Item {
            line: l.number,
            raw: Raw::Broken(Box::new(p)),
        }),
    })?;
    reader.unfinished = cut;
    Ok(())
}

/// How a JSON input starts: one JSON array of cases (its first character after white
/// space and a byte-order mark is `[`) or JSON Lines; and what was read to find out, to
/// be read again before the rest of the input.
struct JsonStart {
    array: bool,
    head: Vec<u8>,
}

/// Finds out how a JSON input starts, the same however the input arrives in pieces
/// (standard input may give a single space, or half a byte-order mark, per read): the
/// bytes are looked at one by one, going on where the last piece ended, and pieces read
/// before the answer are kept in the head. An input whose first character comes after
/// more than [`MAX_LINE`] bytes of white space is JSON Lines (so the head stays small).
fn json_start(input: &mut dyn BufRead) -> Result<JsonStart, BatchError> {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    let mut start = JsonStart {
        array: false,
        head: Vec::new(),
    };
    // The white space so far, and how much of a byte-order mark follows it.
    let (mut blank, mut bom) = (0, 0);
    loop {
        let buf = input.fill_buf().map_err(BatchError::Read)?;
        if buf.is_empty() {
            return Ok(start);
        }
        let mut answer = None;
        for &b in buf {
            answer = match (bom, b) {
                (1 | 2, b) if BOM.get(bom) == Some(&b) => {
                    bom += 1;
                    None
                }
                // A byte-order mark cut short: its first byte is the first character.
                (1 | 2, _) => Some(false),
                (3, b) => Some(b == b'['),
                (_, b' ' | b'\t' | b'\r' | b'\n') => {
                    blank += 1;
                    (blank > MAX_LINE).then_some(false)
                }
                (_, 0xef) => {
                    bom = 1;
                    None
                }
                (_, b) => Some(b == b'['),
            };
            if answer.is_some() {
                break;
            }
        }
        if let Some(array) = answer {
            start.array = array;
            return Ok(start);
        }
        // Not known yet: the piece joins the head.
        start.head.extend_from_slice(buf);
        let taken = buf.len();
        input.consume(taken);
    }
}

/// A batch given as one JSON array of cases: read whole (up to [`MAX_ARRAY`]), checked,
/// then each case with the line where it starts. An array that is not JSON is refused
/// before any output, at its place.
fn read_json_array(
    input: Box<dyn BufRead + Send + '_>,
    reader: &mut Reader,
    bytes_read: &AtomicU64,
) -> Result<(), BatchError> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    input
        .take(MAX_ARRAY + 1)
        .read_to_end(&mut bytes)
        .map_err(BatchError::Read)?;
    bytes_read.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    let refuse = |message: String| {
        BatchError::Input(Problem::without_span(Code::CaseSyntax, message).into())
    };
    if bytes.len() as u64 > MAX_ARRAY {
        return Err(refuse(format!(
            "een lijst van casussen in één JSON-array mag hoogstens {} MiB zijn; gebruik JSON Lines (één casus per regel) voor meer",
            MAX_ARRAY / (1024 * 1024)
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        refuse(format!(
            "de invoer is geen UTF-8-tekst (na {} bytes)",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let items = crate::case::json::array_items(&text).map_err(|e| {
        let (line, column) = crate::case::json::line_col(&text, e.at);
        refuse(format!(
            "de lijst van casussen is geen geldige JSON (regel {line}, kolom {column}): {}{}",
            e.message,
            e.help.map(|h| format!(" ({h})")).unwrap_or_default()
        ))
    })?;
    for (start, end) in items {
        let line = crate::case::json::line_col(&text, start).0 as u64;
        if !reader.push_json(line, text.get(start..end).unwrap_or_default()) {
            break;
        }
    }
    Ok(())
}

/// A YAML list, read one item at a time: an item starts at a line that begins with
/// `-`; the lines up to the next item are its text, with the dash made a space so that
/// the item is a mapping of its own.
fn read_yaml(
    input: Box<dyn BufRead + Send + '_>,
    reader: &mut Reader,
    bytes_read: &AtomicU64,
) -> Result<(), BatchError> {
    let mut current: Option<Item> = None;
    let mut refused = None;
    let mut go_on = true;
    let cut = lines(input, bytes_read, |l| {
        let line = l.number;
        let text: &str = &l.text;
        let starts = text == "-" || text.starts_with("- ") || text.trim_end() == "-";
        if starts {
            if let Some(item) = current.take() {
                go_on = reader.push(item);
            }
            // A new case starts here, also when this line is broken: that case is the
            // broken one, not the one before.
            let raw = match l.problem {
                Some(p) => Raw::Broken(Box::new(p)),
                None => Raw::Yaml(format!(" {}", text.get(1..).unwrap_or_default())),
            };
            current = Some(Item { line, raw });
            return go_on;
        }
        if let Some(p) = l.problem {
            // The whole case is broken, not just this line.
            let raw = Raw::Broken(Box::new(p));
            match &mut current {
                Some(item) => item.raw = raw,
                None => current = Some(Item { line, raw }),
            }
            return true;
        }
        match &mut current {
            Some(Item {
                raw: Raw::Yaml(body),
                ..
            }) => body.push_str(text),
            Some(Item {
                raw: Raw::Broken(_),
                ..
            }) => {}
            _ => {
                let t = text.trim();
                let outside = t.is_empty() || t.starts_with('#') || t == "---" || t == "...";
                if !outside {
                    refused = Some(line);
                    return false;
                }
            }
        }
        true
    })?;
    if let Some(line) = refused {
        return Err(BatchError::Input(
            Problem::without_span(
                Code::CaseNotMapping,
                format!("regel {line}: een YAML-batch is een lijst van casussen, elk beginnend met `- ` aan het begin van een regel"),
            )
            .help("schrijf `- ` voor het eerste feit van elke casus, of gebruik JSON Lines of CSV")
            .into(),
        ));
    }
    if let Some(item) = current.take() {
        if go_on {
            reader.push(item);
        }
    }
    reader.unfinished = cut;
    Ok(())
}

/// A CSV batch, one case per physical line: a cell cannot span lines, so a quote left
/// open is that line's problem and never swallows the lines after it.
fn read_csv(
    input: Box<dyn BufRead + Send + '_>,
    reader: &mut Reader,
    rs: &RuleSet,
    header: &Mutex<Option<Vec<String>>>,
    bytes_read: &AtomicU64,
) -> Result<(), BatchError> {
    let mut columns: Option<Vec<String>> = None;
    let mut refused: Option<BatchError> = None;
    let cut = lines(input, bytes_read, |l| {
        let line = l.number;
        let cells = match l.problem {
            Some(p) if columns.is_none() => {
                refused = Some(BatchError::Input(p.into()));
                return false;
            }
            Some(p) => Err(p),
            None => csv_cells(&l.text, line),
        };
        let Some(expected) = &columns else {
            let names = match cells {
                Ok(names) => names,
                Err(p) => {
                    refused = Some(BatchError::Input(p.into()));
                    return false;
                }
            };
            if let Err(e) = check_header(&names, rs) {
                refused = Some(e);
                return false;
            }
            if let Ok(mut h) = header.lock() {
                *h = Some(names.clone());
            }
            columns = Some(names);
            return true;
        };
        let raw = match cells {
            Err(p) => Raw::Broken(Box::new(p)),
            Ok(cells) if cells.iter().all(|c| c.trim().is_empty()) => return true,
            Ok(cells) if cells.len() != expected.len() => Raw::Broken(Box::new(
                Problem::without_span(
                    Code::CaseSyntax,
                    format!(
                        "deze rij heeft {} velden, de kop {}",
                        cells.len(),
                        expected.len()
                    ),
                )
                .help("zet elke waarde met een komma erin tussen aanhalingstekens; lijstwaarden scheidt u met `;`"),
            )),
            Ok(cells) => Raw::Csv(cells),
        };
        reader.push(Item { line, raw })
    })?;
    if let Some(e) = refused {
        return Err(e);
    }
    reader.unfinished = cut;
    Ok(())
}

/// The cells of one CSV line (RFC 4180 quoting within the line).
fn csv_cells(text: &str, line: u64) -> Result<Vec<String>, Problem> {
    let bytes = text.trim_end_matches(['\n', '\r']).as_bytes();
    let mut rdr = csv_core::Reader::new();
    let mut out = vec![0u8; bytes.len() + 1];
    let mut ends = vec![0usize; bytes.len() + 2];
    let (mut input, mut written, mut fields) = (bytes, 0, 0);
    loop {
        let (result, read, wrote, ended) = rdr.read_record(
            input,
            out.get_mut(written..).unwrap_or_default(),
            ends.get_mut(fields..).unwrap_or_default(),
        );
        input = input.get(read..).unwrap_or_default();
        written += wrote;
        fields += ended;
        match result {
            csv_core::ReadRecordResult::InputEmpty => {
                if input.is_empty() {
                    // End of the line: finish the record.
                    let (r, _, wrote, ended) = rdr.read_record(
                        &[],
                        out.get_mut(written..).unwrap_or_default(),
                        ends.get_mut(fields..).unwrap_or_default(),
                    );
                    written += wrote;
                    fields += ended;
                    if matches!(
                        r,
                        csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End
                    ) {
                        break;
                    }
                }
            }
            csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {
                return Err(Problem::internal("een CSV-regel past niet in zijn buffer"));
            }
        }
    }
    let quotes = bytes.iter().filter(|b| **b == b'"').count();
    if quotes % 2 == 1 {
        return Err(Problem::without_span(
            Code::CaseSyntax,
            format!("op regel {line} wordt een aanhalingsteken niet gesloten"),
        )
        .help("sluit elke waarde die met `\"` begint op dezelfde regel met `\"`; een aanhalingsteken in een waarde schrijft u als `\"\"`"));
    }
    let mut cells = Vec::with_capacity(fields);
    let mut start = 0;
    for end in ends.get(..fields).unwrap_or_default() {
        let cell = out.get(start..*end).unwrap_or_default();
        let cell = std::str::from_utf8(cell).map_err(|_| {
            Problem::without_span(
                Code::CaseSyntax,
                format!("regel {line} is geen geldige UTF-8-tekst"),
            )
        })?;
        cells.push(crate::text::nfc(cell.trim_start_matches('\u{feff}')));
        start = *end;
    }
    Ok(cells)
}

/// Every column must be a fact of the rule set or a reserved key, once.
fn check_header(names: &[String], rs: &RuleSet) -> Result<(), BatchError> {
    let mut problems = Problems::new();
    for (i, name) in names.iter().enumerate() {
        let column = i + 1;
        if names.get(..i).is_some_and(|before| before.contains(name)) {
            problems.push(Problem::without_span(
                Code::DuplicateName,
                format!("kolom {column} van de kop: `{name}` staat twee keer in de kop"),
            ));
        } else if names.len() == 1 && name.contains(';') {
            problems.push(
                Problem::without_span(
                    Code::CaseSyntax,
                    format!("de kop `{name}` is één kolom met `;` erin: dit bestand gebruikt `;` als scheidingsteken"),
                )
                .help("sla het bestand op als CSV met komma's (in Excel: CSV UTF-8, met het lijstscheidingsteken `,`); waarden van een lijst scheidt u daarna met `;`"),
            );
        } else if rs.fact_id(name).is_none() && !RESERVED.contains(&name.as_str()) {
            let guess = crate::diagnostic::did_you_mean(name, rs.facts().iter().map(|f| f.name.as_str()))
                .unwrap_or_else(|| {
                    "de kop bevat alleen feiten van de regelset, en eventueel `id`, `peildatum` en `kosten`".to_string()
                });
            problems.push(
                Problem::without_span(
                    Code::UnknownFact,
                    format!("kolom {column} van de kop: de regelset kent geen feit `{name}`"),
                )
                .help(guess),
            );
        }
    }
    if problems.has_errors() {
        Err(BatchError::Input(problems.into_errors()))
    } else {
        Ok(())
    }
}

/// A worker: decides chunks until there are none.
fn work(
    rs: &RuleSet,
    rx: &Mutex<Receiver<(u64, Chunk)>>,
    tx: &SyncSender<Done>,
    header: &Mutex<Option<Vec<String>>>,
    options: Options,
    compact: Option<&report::json::CompactLine>,
    spare: &Spare,
) {
    let mut scratch = Scratch::new();
    let mut direct = compact.map(|line| Direct {
        line,
        reader: FlatReader::new(rs),
        case: Case::empty(rs),
    });
    let mut columns: Option<Vec<String>> = None;
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, mut chunk)) = next else {
            return;
        };
        let mut items = std::mem::take(&mut chunk.items);
        if columns.is_none() {
            columns = header.lock().ok().and_then(|h| h.clone());
        }
        let mut done = Done {
            seq,
            bytes: spare.bytes(items.len() * if options.trace { 8192 } else { 768 }),
            decisions: Vec::with_capacity(items.len()),
            summary: Summary::default(),
        };
        for item in items.drain(..) {
            if let Some(d) = &mut direct {
                if d.one(rs, &item, &chunk.text, options, &mut scratch, &mut done) {
                    continue;
                }
            }
            one(
                rs,
                item,
                &chunk.text,
                columns.as_deref(),
                options,
                &mut scratch,
                &mut done,
            );
        }
        chunk.items = items;
        spare.put_chunk(chunk);
        if tx.send(done).is_err() {
            return;
        }
    }
}

/// The direct way for a batch without trace: a case written as a flat JSON object is
/// read into a reused case ([`FlatReader`]) and its line written from the rule set's
/// pre-escaped parts ([`report::json::CompactLine`]). Whatever it declines (another
/// format, an unusual case, a case that cannot be decided) goes the general way, which
/// gives the same line for what both read.
struct Direct<'a> {
    line: &'a report::json::CompactLine,
    reader: FlatReader,
    case: Case,
}

impl Direct<'_> {
    /// Decides `item` into `done`; `false` when it is left to the general way.
    fn one(
        &mut self,
        rs: &RuleSet,
        item: &Item,
        chunk: &str,
        options: Options,
        scratch: &mut Scratch,
        done: &mut Done,
    ) -> bool {
        let Some(text) = json_text(&item.raw, chunk) else {
            return false;
        };
        if !self.reader.read(rs, text, &mut self.case) {
            return false;
        }
        let case = &self.case;
        let date = case.reference_date.unwrap_or(options.reference_date);
        let Ok(verdict) = decide(rs, scratch, case, date) else {
            return false;
        };
        done.summary.cases += 1;
        done.summary.decided(
            verdict.status,
            verdict.outcome,
            case.costs,
            self.line.payment(&verdict, scratch),
        );
        let start = done.bytes.len();
        self.line.write(&mut done.bytes, case, &verdict, scratch);
        done.decisions.push((start, done.bytes.len()));
        done.bytes.push(b'\n');
        true
    }
}

/// The line for one case: its decision, or what is wrong with it.
fn one(
    rs: &RuleSet,
    item: Item,
    chunk: &str,
    columns: Option<&[String]>,
    options: Options,
    scratch: &mut Scratch,
    done: &mut Done,
) {
    done.summary.cases += 1;
    let (id, case) = read_case(rs, item.raw, chunk, columns);
    let decided = case.and_then(|case| {
        let date = case.reference_date.unwrap_or(options.reference_date);
        let verdict = if options.trace {
            decide_traced(rs, scratch, &case, date)
        } else {
            decide(rs, scratch, &case, date)
        };
        match verdict {
            Ok(verdict) => {
                let decision = scratch.decision(rs, verdict, &case);
                Ok((case, decision))
            }
            Err(e) => Err(e.problem(rs).into()),
        }
    });
    match decided {
        Ok((case, decision)) => {
            let s = &mut done.summary;
            s.decided(
                decision.status,
                decision.outcome.as_ref(),
                case.costs,
                Some(&decision.payment),
            );
            for p in &decision.parts {
                let key = p.outcome.clone().ok_or(p.status);
                s.count_part(p.decision, key, 1);
            }
            let start = done.bytes.len();
            report::json::write_decision(&mut done.bytes, rs, &case, &decision);
            done.decisions.push((start, done.bytes.len()));
        }
        Err(problems) => {
            done.summary.invalid += 1;
            let problems = problems.sorted();
            let code = problems.first().map_or("invalid-case", |p| p.code.as_str());
            let message = Problems::one_line(&problems);
            let line = ErrorLine {
                id,
                line: item.line,
                error: ErrorJson { code, message },
            };
            let _ = serde_json::to_writer(&mut done.bytes, &line);
        }
    }
    done.bytes.push(b'\n');
}

#[derive(Serialize)]
struct ErrorLine {
    id: Option<String>,
    line: u64,
    error: ErrorJson,
}

#[derive(Serialize)]
struct ErrorJson {
    code: &'static str,
    message: String,
}

/// The text of a JSON case in its chunk.
fn json_text<'c>(raw: &Raw, chunk: &'c str) -> Option<&'c str> {
    match raw {
        Raw::Json(range) => chunk.get(range.clone()),
        _ => None,
    }
}

/// The case's `id` (when it can be read) and the validated case.
fn read_case(
    rs: &RuleSet,
    raw: Raw,
    chunk: &str,
    columns: Option<&[String]>,
) -> (Option<String>, Result<Case, Errors>) {
    let file = FileId(0);
    match raw {
        Raw::Broken(p) => (None, Err((*p).into())),
        Raw::Json(range) => match chunk.get(range) {
            Some(text) => match case_from_json_text(text, file, rs) {
                Ok(case) => (case.id.clone(), Ok(case)),
                Err(problems) => (id_of_text(text), Err(problems)),
            },
            // INVARIANT: the reader made the range in this chunk's text.
            None => (
                None,
                Err(Problem::without_span(Code::Internal, "de casus is kwijt in de invoer").into()),
            ),
        },
        Raw::Yaml(text) => match parse_case(&text, file, rs) {
            Ok(case) => (case.id.clone(), Ok(case)),
            Err(problems) => (id_of_text(&text), Err(problems)),
        },
        Raw::Csv(cells) => {
            let columns = columns.unwrap_or_default();
            let id = columns
                .iter()
                .position(|c| c == "id")
                .and_then(|i| cells.get(i))
                .filter(|c| !c.trim().is_empty())
                .map(|c| c.trim().to_string());
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            (id, case_from_cells(columns, &cells, file, rs))
        }
    }
}
