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
//! What the chain cannot see by itself is a log that was cut off at the end, or
//! rewritten from some record on with a freshly computed chain: both leave a chain
//! that checks out. A [`Head`] (`seq:hash`) kept outside the log catches both: the
//! record `seq` must still have that hash. Writing is in [`writer`].

mod writer;

pub use writer::{LogWriter, Wait, MARKER_SUFFIX};

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::diagnostic::io_reason;
use crate::text::hex;

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The largest record read (64 MiB): a decision with its trace is far smaller; a longer
/// line is not a record of this engine.
pub const MAX_RECORD: u64 = 64 << 20;

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

impl<'a> Record<'a> {
    /// The record on a line (with or without its line end), if it is one.
    fn parse(line: &'a [u8]) -> Option<Record<'a>> {
        serde_json::from_slice(line).ok()
    }

    /// Whether its `hash` is the hash of its own `prev` and decision (its place in the
    /// chain is another matter).
    fn sealed(&self) -> bool {
        hash(&self.prev, self.decision.get().as_bytes()) == self.hash
    }
}

/// The hash of a record: SHA-256 (hex) over `prev` and the decision's bytes.
pub fn hash(prev: &str, decision: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(decision);
    hex(&h.finalize())
}

/// A place in the chain: record `seq` and its hash, written `seq:hash`. The empty log
/// is `0:` followed by 64 zeros. Kept outside the log (a checkpoint), it lets
/// `log verify --head` prove that the log still holds that record unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl Head {
    /// The head of the empty log.
    pub fn genesis() -> Head {
        Head {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// What `log verify` checks beyond the chain itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// The last record has this hash (nothing was added or cut off since).
    Last(String),
    /// Record `seq` has this hash; the log may have grown since.
    At(Head),
}

impl std::str::FromStr for Expect {
    type Err = String;

    /// `seq:hash` (a checkpoint) or a bare `hash` (the last record).
    fn from_str(s: &str) -> Result<Expect, String> {
        let s = s.trim();
        let is_hash = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        let hint = "schrijf `RECORD:HASH` zoals `log verify` het laat zien (bijvoorbeeld `17:9bc1…`, 64 tekens), of alleen de hash van het laatste record";
        match s.split_once(':') {
            Some((seq, h)) => {
                let seq: u64 = seq
                    .parse()
                    .map_err(|_| format!("`{seq}` is geen recordnummer; {hint}"))?;
                if !is_hash(h) {
                    return Err(format!(
                        "`{h}` is geen hash van 64 tekens 0-9 en a-f; {hint}"
                    ));
                }
                Ok(Expect::At(Head {
                    seq,
                    hash: h.to_ascii_lowercase(),
                }))
            }
            None if is_hash(s) => Ok(Expect::Last(s.to_ascii_lowercase())),
            None => Err(format!(
                "`{s}` is geen hash van 64 tekens 0-9 en a-f; {hint}"
            )),
        }
    }
}

/// A log that checks out: how many records, and the last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub records: u64,
    pub head: Head,
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

/// The chain as it is read, record by record: one place that says what a record must be.
#[derive(Debug, Clone)]
struct Chain {
    head: Head,
}

impl Chain {
    /// Checks the next line (with its line end) against the chain so far and moves on.
    fn next(&mut self, line: &[u8]) -> Result<(), String> {
        let n = self.head.seq + 1;
        if line.last() != Some(&b'\n') {
            return Err("deze regel is afgebroken (er staat geen regeleinde achter): een schrijfactie is niet afgemaakt, of het einde is afgeknipt".into());
        }
        let record = Record::parse(line).ok_or_else(|| {
            "deze regel is geen geldig record {seq, prev, decision, hash}: hij is veranderd"
                .to_string()
        })?;
        if record.seq != n {
            return Err(if record.seq > n {
                format!("verwacht record {n}, gevonden record {}: er is een record verwijderd of de volgorde is veranderd", record.seq)
            } else {
                format!("verwacht record {n}, gevonden record {}: de volgorde is veranderd of een record staat er twee keer", record.seq)
            });
        }
        if record.prev != self.head.hash {
            return Err(format!(
                "record {n} verwijst niet naar het record ervoor (prev klopt niet): een record is verwijderd, ingevoegd of verwisseld"
            ));
        }
        if !record.sealed() {
            return Err(format!(
                "de hash van record {n} klopt niet bij zijn inhoud: de beslissing of de hash is veranderd"
            ));
        }
        self.head = Head {
            seq: n,
            hash: record.hash,
        };
        Ok(())
    }
}

/// Reads the records of `input` on from `head` (the record before the first line),
/// each line at most [`MAX_RECORD`] bytes. `on` hears each record's head.
fn follow(
    input: &mut impl BufRead,
    head: Head,
    on: &mut dyn FnMut(&Head) -> Result<(), String>,
) -> Result<Head, Break> {
    let mut chain = Chain { head };
    let mut line = Vec::new();
    loop {
        line.clear();
        let line_no = chain.head.seq + 1;
        let read = input
            .by_ref()
            .take(MAX_RECORD + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Break {
                line: line_no,
                what: format!(
                    "het logboek kan niet verder worden gelezen: {}",
                    io_reason(&e)
                ),
            })?;
        if read == 0 {
            return Ok(chain.head);
        }
        if line.len() as u64 > MAX_RECORD {
            return Err(Break {
                line: line_no,
                what: format!(
                    "deze regel is langer dan {} MiB: dat is geen record van een beslissing",
                    MAX_RECORD >> 20
                ),
            });
        }
        chain
            .next(&line)
            .and_then(|()| on(&chain.head))
            .map_err(|what| Break {
                line: line_no,
                what,
            })?;
    }
}

/// Checks the whole chain, and with `expect` also a head kept elsewhere.
pub fn verify(mut input: impl BufRead, expect: Option<&Expect>) -> Result<Verified, Break> {
    let mut check = |h: &Head| {
        match expect {
        Some(Expect::At(at)) if at.seq == h.seq && at.hash != h.hash => Err(format!(
            "record {} heeft hash {}, maar het bewaarde ijkpunt zegt {}: het logboek is tot en met dat record veranderd of herschreven",
            h.seq, h.hash, at.hash
        )),
        _ => Ok(()),
    }
    };
    let head = follow(&mut input, Head::genesis(), &mut check)?;
    match expect {
        Some(Expect::Last(expected)) if *expected != head.hash => Err(Break {
            line: head.seq + 1,
            what: format!(
                "het laatste record ({}) heeft hash {}, verwacht {expected}: er zijn records aan het eind verwijderd of toegevoegd",
                head.seq, head.hash
            ),
        }),
        Some(Expect::At(at)) if at.seq > head.seq => Err(Break {
            line: head.seq + 1,
            what: format!(
                "het logboek heeft {} records, maar het bewaarde ijkpunt noemt record {}: er zijn records aan het eind verwijderd",
                head.seq, at.seq
            ),
        }),
        Some(Expect::At(at)) if at.seq == 0 && at.hash != GENESIS => Err(Break {
            line: 1,
            what: "het ijkpunt `0:…` hoort de hash van nullen te hebben".into(),
        }),
        _ => Ok(Verified {
            records: head.seq,
            head,
        }),
    }
}

/// Checks the log at `path` as it stands at one moment: the length is taken under a
/// shared lock, so a writer that is appending (always under an exclusive lock) has
/// finished its records, and what is appended after that moment is not read. A batch
/// that was stopped while it added its decisions is a finding too.
pub fn verify_file(path: &Path, expect: Option<&Expect>) -> Result<Verified, VerifyError> {
    let file = File::open(path).map_err(VerifyError::Open)?;
    file.lock_shared().map_err(VerifyError::Open)?;
    let len = file.metadata().map_err(VerifyError::Open)?.len();
    let interrupted = writer::interrupted(path);
    file.unlock().map_err(VerifyError::Open)?;
    let verified = verify(BufReader::with_capacity(1 << 20, file.take(len)), expect)
        .map_err(VerifyError::Broken)?;
    match interrupted {
        Some(what) => Err(VerifyError::Broken(Break {
            line: what.after.seq + 1,
            what: what.describe(),
        })),
        None => Ok(verified),
    }
}

/// Why a log file does not verify.
#[derive(Debug)]
pub enum VerifyError {
    Open(std::io::Error),
    Broken(Break),
}
