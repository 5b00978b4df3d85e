//! The decision log: a JSON Lines file in which every record holds one decision and
//! is chained to the record before it by a SHA-256 hash.
//!
//! A record is `{"seq":N,"prev":"<hex>","decision":{...},"hash":"<hex>"}` on one line.
//! `seq` counts from 1; `prev` is the `hash` of the record before (64 zeros for the
//! first); `hash` is SHA-256 over the 64 ASCII characters of `prev` followed by the
//! exact bytes of `decision` as they stand in the line (the compact JSON the engine
//! writes: keys in the order of the spec, no spaces). Changing any byte of a record,
//! dropping one or swapping two breaks the chain at that place.
//!
//! Appending holds an exclusive lock on the file from reading the last record until
//! the last write, so concurrent writers (two batches, a batch and a service) take
//! turns and never fork the chain. A writer refuses a log whose last line is torn (a
//! crash during a write) or does not check out, rather than chaining onto it.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::diagnostic::io_reason;
use crate::diagnostic::{Code, Problem};
use crate::text::display;
use crate::text::hex;

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Bytes gathered before they are written: one write per chunk of a batch.
const BUFFER: usize = 1 << 20;

/// One record as it stands in the log.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record<'a> {
    pub seq: u64,
    pub prev: String,
    #[serde(borrow)]
    pub decision: &'a RawValue,
    pub hash: String,
}

/// The hash of a record: SHA-256 (hex) over `prev` and the decision's bytes.
pub fn hash(prev: &str, decision: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(decision);
    hex(&h.finalize())
}

/// Appends decisions to a log, holding its lock until dropped.
#[derive(Debug)]
pub struct LogWriter {
    file: File,
    name: String,
    seq: u64,
    prev: String,
    buf: Vec<u8>,
}

impl LogWriter {
    /// Opens (or creates) the log at `path`, waits for its lock and reads where the
    /// chain ends.
    pub fn open(path: &Path) -> Result<LogWriter, Problem> {
        let name = display(path);
        let io = |e: std::io::Error| {
            Problem::without_span(
                Code::Io,
                format!("kan het logboek `{name}` niet openen: {}", io_reason(&e)),
            )
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        let (seq, prev) = match last_line(&mut file).map_err(io)? {
            Tail::Empty => (0, GENESIS.to_string()),
            Tail::Torn => {
                return Err(broken(
                    &name,
                    "de laatste regel is afgebroken (er staat geen regeleinde achter): een schrijfactie is niet afgemaakt",
                ))
            }
            Tail::Line(line) => {
                let record: Record<'_> = serde_json::from_slice(&line).map_err(|_| {
                    broken(&name, "de laatste regel is geen geldig record")
                })?;
                if hash(&record.prev, record.decision.get().as_bytes()) != record.hash {
                    return Err(broken(
                        &name,
                        "de hash van het laatste record klopt niet bij zijn inhoud",
                    ));
                }
                (record.seq, record.hash)
            }
        };
        Ok(LogWriter {
            file,
            name,
            seq,
            prev,
            buf: Vec::new(),
        })
    }

    /// Appends one decision (its compact JSON); written at the latest by [`flush`].
    ///
    /// [`flush`]: LogWriter::flush
    pub fn append(&mut self, decision: &[u8]) -> Result<(), Problem> {
        self.seq += 1;
        let hash = hash(&self.prev, decision);
        self.buf.extend_from_slice(
            format!(
                "{{\"seq\":{},\"prev\":\"{}\",\"decision\":",
                self.seq, self.prev
            )
            .as_bytes(),
        );
        self.buf.extend_from_slice(decision);
        self.buf
            .extend_from_slice(format!(",\"hash\":\"{hash}\"}}\n").as_bytes());
        self.prev = hash;
        if self.buf.len() >= BUFFER {
            self.write()?;
        }
        Ok(())
    }

    /// Writes what is buffered and waits until it is on disk.
    pub fn flush(&mut self) -> Result<(), Problem> {
        self.write()?;
        self.file.sync_data().map_err(|e| self.io(&e))
    }

    fn write(&mut self) -> Result<(), Problem> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let result = self.file.write_all(&self.buf);
        self.buf.clear();
        result.map_err(|e| self.io(&e))
    }

    fn io(&self, e: &std::io::Error) -> Problem {
        Problem::without_span(
            Code::Io,
            format!(
                "kan niet in het logboek `{}` schrijven: {}",
                self.name,
                io_reason(e)
            ),
        )
    }

    /// The last record: its number and hash.
    pub fn head(&self) -> (u64, &str) {
        (self.seq, &self.prev)
    }
}

fn broken(name: &str, what: &str) -> Problem {
    Problem::without_span(
        Code::LogBroken,
        format!("het logboek `{name}` is niet in orde: {what}"),
    )
    .help(format!(
        "controleer het met `wiebetaalt log verify {name}`; er wordt niets aan toegevoegd"
    ))
}

enum Tail {
    Empty,
    /// The file does not end with a newline.
    Torn,
    Line(Vec<u8>),
}

/// The last line of the file, read backwards in blocks.
fn last_line(file: &mut File) -> std::io::Result<Tail> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok(Tail::Empty);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))?;
    file.read_exact(&mut last)?;
    if last != [b'\n'] {
        return Ok(Tail::Torn);
    }
    let mut line: Vec<u8> = Vec::new();
    let mut end = len - 1;
    while end > 0 {
        let start = end.saturating_sub(8192);
        let mut block = vec![0u8; usize::try_from(end - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut block)?;
        if let Some(i) = block.iter().rposition(|b| *b == b'\n') {
            let mut tail = block.get(i + 1..).unwrap_or_default().to_vec();
            tail.extend_from_slice(&line);
            return Ok(Tail::Line(tail));
        }
        block.extend_from_slice(&line);
        line = block;
        end = start;
    }
    Ok(Tail::Line(line))
}

/// A log that checks out: how many records, and the hash of the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub records: u64,
    pub head: String,
}

/// The first place where a log does not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The line (1-based) of the first record that does not check out; for a log that
    /// ends early, the line after the last.
    pub line: u64,
    /// In Dutch: what is wrong there.
    pub what: String,
}

/// Checks the whole chain; `head`, when given, is the hash the last record must have
/// (kept elsewhere, it also catches records cut off at the end).
pub fn verify(mut input: impl BufRead, head: Option<&str>) -> Result<Verified, Break> {
    let mut line = Vec::new();
    let mut n: u64 = 0;
    let mut prev = GENESIS.to_string();
    loop {
        line.clear();
        let read = input.read_until(b'\n', &mut line).map_err(|e| Break {
            line: n + 1,
            what: format!(
                "het logboek kan niet verder worden gelezen: {}",
                io_reason(&e)
            ),
        })?;
        if read == 0 {
            break;
        }
        n += 1;
        let at = |what: String| Break { line: n, what };
        if line.last() != Some(&b'\n') {
            return Err(at("deze regel is afgebroken (er staat geen regeleinde achter): een schrijfactie is niet afgemaakt, of het einde is afgeknipt".into()));
        }
        let record: Record<'_> = serde_json::from_slice(&line).map_err(|_| {
            at(
                "deze regel is geen geldig record {seq, prev, decision, hash}: hij is veranderd"
                    .into(),
            )
        })?;
        if record.seq != n {
            let what = if record.seq > n {
                format!("verwacht record {n}, gevonden record {}: er is een record verwijderd of de volgorde is veranderd", record.seq)
            } else {
                format!("verwacht record {n}, gevonden record {}: de volgorde is veranderd of een record staat er twee keer", record.seq)
            };
            return Err(at(what));
        }
        if record.prev != prev {
            return Err(at(format!(
                "record {n} verwijst niet naar het record ervoor (prev klopt niet): een record is verwijderd, ingevoegd of verwisseld"
            )));
        }
        let computed = hash(&record.prev, record.decision.get().as_bytes());
        if computed != record.hash {
            return Err(at(format!(
                "de hash van record {n} klopt niet bij zijn inhoud: de beslissing of de hash is veranderd"
            )));
        }
        prev = record.hash;
    }
    if let Some(expected) = head {
        if expected != prev {
            return Err(Break {
                line: n + 1,
                what: format!(
                    "het laatste record ({n}) heeft hash {prev}, verwacht {expected}: er zijn records aan het eind verwijderd of toegevoegd"
                ),
            });
        }
    }
    Ok(Verified {
        records: n,
        head: prev,
    })
}
