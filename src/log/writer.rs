//! Appending to the decision log.
//!
//! A writer opens the log once and remembers where it ended: its length, its last
//! record and (on Unix) which file it is. Every append takes the log's exclusive lock,
//! checks that the record it saw last is still there and that whatever was appended
//! since (by another writer, which is allowed) continues the chain from it, writes the
//! group in one write, waits for the disk (`fsync`) and lets go of the lock. A log that
//! was cut short, replaced, moved away or changed behind the writer's back is refused:
//! nothing is added to it. A write that fails (a full disk) is cut off again, so it
//! leaves no torn line behind.
//!
//! A batch adds its decisions with [`LogWriter::commit`], in groups, letting go of the
//! lock between groups so that a service on the same log keeps deciding. While it does,
//! a marker file beside the log (`LOG.vastleggen`, locked by the batch) says after which
//! record it started and how many decisions it adds. A batch that is stopped halfway
//! leaves the marker unlocked; every writer then refuses the log and `log verify` names
//! the records that may be part of that batch, until someone has looked and removed the
//! marker.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{follow, hash, verify, Break, Head, MAX_RECORD};
use crate::diagnostic::{io_reason, Code, Problem};
use crate::text::display;

/// The marker of a batch that is adding its decisions: `LOG` + this suffix.
pub const MARKER_SUFFIX: &str = ".vastleggen";

/// The bytes of records a batch writes under one hold of the lock (4 MiB: a few
/// milliseconds of writing), so that a service on the same log waits at most that long.
const GROUP_BYTES: usize = 4 << 20;

/// Appends decisions to a log; see the module documentation for what it guarantees.
#[derive(Debug)]
pub struct LogWriter {
    path: PathBuf,
    name: String,
    /// Which file the log was when it was opened (device and inode).
    identity: Option<(u64, u64)>,
    /// The log's length after the last record this writer saw.
    end: u64,
    /// That record.
    head: Head,
}

/// What the marker of a batch says; see [`LogWriter::commit`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Marker {
    /// The head of the log before the batch's first record (`seq:hash`).
    after: String,
    /// How many decisions the batch adds.
    decisions: u64,
}

/// A batch that was stopped while it added its decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Interrupted {
    pub after: Head,
    pub decisions: u64,
    marker: String,
}

impl Interrupted {
    /// In Dutch: what happened and which records it concerns.
    pub(super) fn describe(&self) -> String {
        format!(
            "een batch is gestopt terwijl hij {} beslissingen in het logboek zette: de records na record {} kunnen een deel daarvan zijn (tussen records van anderen), de rest ontbreekt. Zoek uit welke dat zijn (de uitvoer van die batch noemt ze), en verwijder daarna `{}`; tot dan wordt er niets aan het logboek toegevoegd",
            self.decisions, self.after.seq, self.marker
        )
    }
}

/// The marker path of the log at `path`.
fn marker_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(MARKER_SUFFIX);
    PathBuf::from(name)
}

/// The batch that was stopped while adding to the log at `path`, if any: a marker that
/// no running batch holds.
pub(super) fn interrupted(path: &Path) -> Option<Interrupted> {
    let marker = marker_path(path);
    let mut file = File::open(&marker).ok()?;
    match file.try_lock_shared() {
        Ok(()) => {}
        // A batch is adding its decisions right now.
        Err(TryLockError::WouldBlock) => return None,
        Err(TryLockError::Error(_)) => {}
    }
    let mut text = String::new();
    let _ = Read::by_ref(&mut file).take(4096).read_to_string(&mut text);
    let parsed: Option<Marker> = serde_json::from_str(&text).ok();
    let after = parsed
        .as_ref()
        .and_then(|m| m.after.parse::<super::Expect>().ok())
        .and_then(|e| match e {
            super::Expect::At(h) => Some(h),
            super::Expect::Last(_) => None,
        })
        .unwrap_or_else(Head::genesis);
    Some(Interrupted {
        after,
        decisions: parsed.map_or(0, |m| m.decisions),
        marker: display(&marker),
    })
}

/// How long to wait for the log's lock.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    /// As long as it takes (the command line).
    Always,
    /// Until then; after that the append is refused with [`Code::Timeout`] and nothing
    /// is written (the service, which must answer).
    Until(Instant),
}

impl LogWriter {
    /// Opens the log at `path` (creating an empty one), checks its last record and
    /// remembers where it ends. Refuses a log whose last line is torn or does not
    /// check out, and one with a batch that was stopped halfway.
    pub fn open(path: &Path) -> Result<LogWriter, Problem> {
        LogWriter::open_with(path, false)
    }

    /// As [`open`](LogWriter::open), and checks the whole chain first (the service at
    /// start: a log broken anywhere is refused).
    pub fn open_verified(path: &Path) -> Result<LogWriter, Problem> {
        LogWriter::open_with(path, true)
    }

    fn open_with(path: &Path, whole: bool) -> Result<LogWriter, Problem> {
        let name = display(path);
        let mut writer = LogWriter {
            path: path.to_path_buf(),
            name,
            identity: None,
            end: 0,
            head: Head::genesis(),
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| writer.cannot_open(&e))?;
        let kind = file.metadata().map_err(|e| writer.cannot_open(&e))?;
        if !kind.is_file() {
            return Err(writer.broken("het is geen gewoon bestand"));
        }
        file.lock().map_err(|e| writer.cannot_open(&e))?;
        if let Some(stopped) = interrupted(path) {
            return Err(writer.broken(&stopped.describe()));
        }
        let meta = file.metadata().map_err(|e| writer.cannot_open(&e))?;
        writer.identity = identity(&meta);
        let len = meta.len();
        if whole {
            file.seek(SeekFrom::Start(0))
                .map_err(|e| writer.cannot_open(&e))?;
            let mut input = std::io::BufReader::with_capacity(1 << 20, (&file).take(len));
            writer.head = verify(&mut input, None)
                .map_err(|b| writer.broken_at(&b))?
                .head;
        } else if len > 0 {
            writer.head = writer.record_ending_at(&mut file, len)?;
        }
        writer.end = len;
        Ok(writer)
    }

    /// The last record this writer wrote or saw.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Appends `decisions` (each the compact JSON of one decision, without a line end)
    /// as one group; answers the head after it once it is on disk. Nothing of the group
    /// is in the log when this fails.
    pub fn append(&mut self, decisions: &[&[u8]], wait: Wait) -> Result<Head, Problem> {
        let mut file = self.lock(wait)?;
        self.catch_up(&mut file)?;
        self.write_group(&mut file, decisions)
    }

    /// Adds the decisions of a batch, one per line of `staged`, `count` in all: in
    /// groups of a few MiB, letting go of the lock between groups; a marker beside the
    /// log says meanwhile that a batch is adding (see the module documentation).
    pub fn commit(&mut self, staged: &mut dyn BufRead, count: u64) -> Result<Head, Problem> {
        if count == 0 {
            return Ok(self.head.clone());
        }
        let marker = marker_path(&self.path);
        let mut marker_file: Option<File> = None;
        let mut line = Vec::new();
        let mut left = count;
        while left > 0 {
            let mut group: Vec<Vec<u8>> = Vec::new();
            let mut bytes = 0;
            while left > 0 && bytes < GROUP_BYTES {
                line.clear();
                let read = staged
                    .read_until(b'\n', &mut line)
                    .map_err(|e| self.cannot_write(&e))?;
                if read == 0 {
                    return Err(
                        self.broken("de beslissingen van de batch zijn niet alle bewaard gebleven")
                    );
                }
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                bytes += line.len();
                group.push(std::mem::take(&mut line));
                left -= 1;
            }
            let mut file = self.lock(Wait::Always)?;
            self.catch_up(&mut file)?;
            if marker_file.is_none() {
                marker_file = Some(self.place_marker(&marker, count)?);
            }
            let slices: Vec<&[u8]> = group.iter().map(Vec::as_slice).collect();
            if let Err(problem) = self.write_group(&mut file, &slices) {
                if left + slices.len() as u64 == count {
                    // Nothing of the batch is in the log: no marker needed.
                    let _ = std::fs::remove_file(&marker);
                }
                return Err(problem);
            }
            if left == 0 {
                // Removed under the log's lock: no other writer sees a marker of a
                // batch that has finished.
                let _ = std::fs::remove_file(&marker);
            }
        }
        drop(marker_file);
        Ok(self.head.clone())
    }

    fn place_marker(&self, marker: &Path, count: u64) -> Result<File, Problem> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(marker)
            .map_err(|e| {
                Problem::without_span(
                    Code::Io,
                    format!(
                        "kan `{}` niet aanmaken: {}",
                        display(marker),
                        io_reason(&e)
                    ),
                )
                .help("staat dat bestand er nog van een gestopte batch, controleer dan eerst het logboek met `wiebetaalt log verify`")
            })?;
        let text = serde_json::to_string(&Marker {
            after: self.head.to_string(),
            decisions: count,
        })
        .unwrap_or_default();
        file.lock()
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_all())
            .map_err(|e| self.cannot_write(&e))?;
        Ok(file)
    }

    /// Opens the log again and takes its exclusive lock; refuses a log that is gone or
    /// is another file than the one this writer opened.
    fn lock(&self, wait: Wait) -> Result<File, Problem> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    self.broken("het bestand is verdwenen of verplaatst sinds het werd geopend")
                } else {
                    self.cannot_open(&e)
                }
            })?;
        match wait {
            Wait::Always => file.lock().map_err(|e| self.cannot_open(&e))?,
            Wait::Until(deadline) => loop {
                match file.try_lock() {
                    Ok(()) => break,
                    Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(TryLockError::WouldBlock) => {
                        return Err(Problem::without_span(
                            Code::Timeout,
                            format!(
                                "het logboek `{}` is te lang bezet door een ander programma; de beslissing is niet vastgelegd",
                                self.name
                            ),
                        ))
                    }
                    Err(TryLockError::Error(e)) => return Err(self.cannot_open(&e)),
                }
            },
        }
        let meta = file.metadata().map_err(|e| self.cannot_open(&e))?;
        if identity(&meta) != self.identity {
            return Err(self.broken(
                "het is een ander bestand dan toen het werd geopend (vervangen of verplaatst)",
            ));
        }
        // A batch stopped while adding its decisions since this writer opened the log:
        // nobody adds to it any more (a running batch holds its marker, and is no
        // stop).
        if let Some(stopped) = interrupted(&self.path) {
            return Err(self.broken(&stopped.describe()));
        }
        Ok(file)
    }

    /// Checks that the record this writer saw last is still where it was, and follows
    /// the chain through what other writers appended since.
    fn catch_up(&mut self, file: &mut File) -> Result<(), Problem> {
        let len = file.metadata().map_err(|e| self.cannot_open(&e))?.len();
        if len < self.end {
            return Err(self.broken(&format!(
                "het is korter geworden: het eindigde bij record {}, nu is het afgeknipt",
                self.head.seq
            )));
        }
        if self.end > 0 {
            let seen = self.record_ending_at(file, self.end)?;
            if seen != self.head {
                return Err(self.broken(&format!(
                    "record {} is niet meer het record dat hier stond: het logboek is veranderd",
                    self.head.seq
                )));
            }
        }
        if len > self.end {
            file.seek(SeekFrom::Start(self.end))
                .map_err(|e| self.cannot_open(&e))?;
            let mut input =
                std::io::BufReader::with_capacity(1 << 16, (&*file).take(len - self.end));
            self.head = follow(&mut input, self.head.clone(), &mut |_| Ok(())).map_err(|b| {
                self.broken(&format!(
                    "wat er na record {} bij kwam, klopt niet: {}",
                    self.head.seq, b.what
                ))
            })?;
            self.end = len;
        }
        Ok(())
    }

    /// Writes the records of `decisions` in one write and waits for the disk; on any
    /// failure the file is cut back to where it was.
    fn write_group(&mut self, file: &mut File, decisions: &[&[u8]]) -> Result<Head, Problem> {
        let mut buf = Vec::with_capacity(decisions.iter().map(|d| d.len() + 180).sum());
        let mut head = self.head.clone();
        for decision in decisions {
            let seq = head.seq + 1;
            let hash = hash(&head.hash, decision);
            buf.extend_from_slice(
                format!("{{\"seq\":{seq},\"prev\":\"{}\",\"decision\":", head.hash).as_bytes(),
            );
            buf.extend_from_slice(decision);
            buf.extend_from_slice(format!(",\"hash\":\"{hash}\"}}\n").as_bytes());
            head = Head { seq, hash };
        }
        let written = file.write_all(&buf).and_then(|()| file.sync_data());
        if let Err(e) = written {
            // Take back what may have reached the file, so no torn line stays behind.
            let _ = file.set_len(self.end).and_then(|()| file.sync_data());
            return Err(self.cannot_write(&e));
        }
        self.end += buf.len() as u64;
        self.head = head;
        Ok(self.head.clone())
    }

    /// The record whose line ends at byte `end` (which must be a line end).
    fn record_ending_at(&self, file: &mut File, end: u64) -> Result<Head, Problem> {
        let line = match line_ending_at(file, end).map_err(|e| self.cannot_open(&e))? {
            Tail::Torn => {
                return Err(self.broken(
                    "de laatste regel is afgebroken (er staat geen regeleinde achter): een schrijfactie is niet afgemaakt",
                ))
            }
            Tail::TooLong => {
                return Err(self.broken(&format!(
                    "de laatste regel is langer dan {} MiB: dat is geen record",
                    MAX_RECORD >> 20
                )))
            }
            Tail::Line(line) => line,
        };
        let record = super::Record::parse(&line)
            .ok_or_else(|| self.broken("de laatste regel is geen geldig record"))?;
        if !record.sealed() {
            return Err(self.broken("de hash van het laatste record klopt niet bij zijn inhoud"));
        }
        Ok(Head {
            seq: record.seq,
            hash: record.hash,
        })
    }

    fn cannot_open(&self, e: &std::io::Error) -> Problem {
        Problem::without_span(
            Code::Io,
            format!(
                "kan het logboek `{}` niet openen: {}",
                self.name,
                io_reason(e)
            ),
        )
    }

    fn cannot_write(&self, e: &std::io::Error) -> Problem {
        Problem::without_span(
            Code::LogFailed,
            format!(
                "kan niet in het logboek `{}` schrijven: {}; er is niets half geschreven",
                self.name,
                io_reason(e)
            ),
        )
    }

    fn broken(&self, what: &str) -> Problem {
        Problem::without_span(
            Code::LogBroken,
            format!("het logboek `{}` is niet in orde: {what}", self.name),
        )
        .help(format!(
            "controleer het met `wiebetaalt log verify {}`; er wordt niets aan toegevoegd",
            self.name
        ))
    }

    fn broken_at(&self, b: &Break) -> Problem {
        self.broken(&format!("regel {}: {}", b.line, b.what))
    }
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

enum Tail {
    /// The byte before `end` is not a line end.
    Torn,
    /// The line is longer than [`MAX_RECORD`].
    TooLong,
    Line(Vec<u8>),
}

/// The line that ends at byte `end` (without its line end), read backwards in blocks:
/// linear in the line's length.
fn line_ending_at(file: &mut File, end: u64) -> std::io::Result<Tail> {
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(end - 1))?;
    file.read_exact(&mut last)?;
    if last != [b'\n'] {
        return Ok(Tail::Torn);
    }
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    let mut at = end - 1;
    let mut length = 0u64;
    while at > 0 {
        let start = at.saturating_sub(1 << 16);
        let mut block = vec![0u8; usize::try_from(at - start).unwrap_or(0)];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut block)?;
        if let Some(i) = block.iter().rposition(|b| *b == b'\n') {
            block.drain(..=i);
            blocks.push(block);
            break;
        }
        length += block.len() as u64;
        if length > MAX_RECORD {
            return Ok(Tail::TooLong);
        }
        blocks.push(block);
        at = start;
    }
    Ok(Tail::Line(blocks.into_iter().rev().flatten().collect()))
}
