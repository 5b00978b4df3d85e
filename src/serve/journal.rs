//! The service's decision log: decisions from all requests are appended in groups.
//!
//! One thread owns the appending. It takes every decision that has arrived, opens the
//! log (taking its lock, reading where the chain ends), appends the group, `fsync`s and
//! lets go of the lock; only then do the requests of that group get their answer. One
//! lock and one `fsync` per group keep the service fast, and releasing the lock between
//! groups lets a `batch` or an `eval --log` on the same file take its turn.

use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};

use tokio::sync::oneshot;

use crate::log::LogWriter;

/// Decisions gathered into one group at most.
const GROUP: usize = 4096;

struct Entry {
    decision: Vec<u8>,
    done: oneshot::Sender<Result<u64, String>>,
}

/// A handle to the appending thread; cheap to share.
#[derive(Debug, Clone)]
pub struct Journal {
    tx: Sender<Entry>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").finish_non_exhaustive()
    }
}

impl Journal {
    /// Checks that the log at `path` can be appended to (creating it if needed), then
    /// starts the appending thread. It ends when the last handle is dropped.
    pub fn start(path: &Path) -> Result<Journal, String> {
        drop(LogWriter::open(path).map_err(|p| p.message)?);
        let (tx, rx) = channel();
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name("logboek".into())
            .spawn(move || append_groups(&path, &rx))
            .map_err(|e| format!("kan het logboek niet starten: {e}"))?;
        Ok(Journal { tx })
    }

    /// Appends one decision (compact JSON); answers with its record number once it is
    /// on disk, or why it could not be logged.
    pub async fn append(&self, decision: Vec<u8>) -> Result<u64, String> {
        let (done, answer) = oneshot::channel();
        self.tx
            .send(Entry { decision, done })
            .map_err(|_| "het logboek is gestopt".to_string())?;
        answer
            .await
            .unwrap_or_else(|_| Err("het logboek is gestopt".to_string()))
    }
}

fn append_groups(path: &Path, rx: &Receiver<Entry>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < GROUP {
            match rx.try_recv() {
                Ok(entry) => group.push(entry),
                Err(_) => break,
            }
        }
        let written = LogWriter::open(path).and_then(|mut log| {
            let mut seqs = Vec::with_capacity(group.len());
            for entry in &group {
                log.append(&entry.decision)?;
                seqs.push(log.head().0);
            }
            log.flush()?;
            Ok(seqs)
        });
        match written {
            Ok(seqs) => {
                for (entry, seq) in group.into_iter().zip(seqs) {
                    let _ = entry.done.send(Ok(seq));
                }
            }
            Err(problem) => {
                for entry in group {
                    let _ = entry.done.send(Err(problem.message.clone()));
                }
            }
        }
    }
}
