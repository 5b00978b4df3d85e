//! The service's decision log: decisions from all requests are appended in groups.
//!
//! One thread owns the appending and one [`LogWriter`], opened (and the whole chain
//! checked) at start. It takes every decision that has arrived, appends them as one
//! group (one lock, one write, one `fsync`) and only then answers the requests of
//! that group. A request answers its client only after that answer, so a decision the
//! client receives is on disk, and a decision that is refused (the log changed behind
//! the service's back, the disk is full, the lock stayed taken past the deadline) is not
//! in the log at all. A request whose client has gone before its group is written is
//! left out.

use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Instant;

use tokio::sync::oneshot;

use crate::diagnostic::{Code, Problem};
use crate::log::{LogWriter, Wait};

/// Decisions gathered into one group at most.
const GROUP: usize = 4096;

struct Entry {
    decision: Vec<u8>,
    /// Until when the request waits for the log's lock.
    deadline: Instant,
    done: oneshot::Sender<Result<u64, Problem>>,
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
    /// Opens the log at `path` (creating it if needed) and checks its whole chain, then
    /// starts the appending thread. It ends when the last handle is dropped.
    pub fn start(path: &Path) -> Result<Journal, Problem> {
        let writer = LogWriter::open_verified(path)?;
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("logboek".into())
            .spawn(move || append_groups(writer, &rx))
            .map_err(|e| {
                Problem::without_span(Code::Io, format!("kan het logboek niet starten: {e}"))
            })?;
        Ok(Journal { tx })
    }

    /// Appends one decision (compact JSON); answers with its record number once it is
    /// on disk, or why it is not in the log. Waits for the log's lock until `deadline`.
    pub async fn append(&self, decision: Vec<u8>, deadline: Instant) -> Result<u64, Problem> {
        let stopped = || Problem::without_span(Code::LogFailed, "het logboek is gestopt");
        let (done, answer) = oneshot::channel();
        self.tx
            .send(Entry {
                decision,
                deadline,
                done,
            })
            .map_err(|_| stopped())?;
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }
}

fn append_groups(mut writer: LogWriter, rx: &Receiver<Entry>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < GROUP {
            match rx.try_recv() {
                Ok(entry) => group.push(entry),
                Err(_) => break,
            }
        }
        append_group(&mut writer, group);
    }
}

/// Appends one group. While the log's lock is held by another program, the group waits
/// until its earliest deadline; the requests whose deadline has then passed are refused
/// and the rest wait on, each until its own deadline (a request is never refused before
/// its own time). Any other failure refuses the whole group: nothing of it is written.
fn append_group(writer: &mut LogWriter, mut group: Vec<Entry>) {
    loop {
        // A client that has gone gets no record.
        group.retain(|e| !e.done.is_closed());
        let Some(deadline) = group.iter().map(|e| e.deadline).min() else {
            return;
        };
        let decisions: Vec<&[u8]> = group.iter().map(|e| e.decision.as_slice()).collect();
        match writer.append(&decisions, Wait::Until(deadline)) {
            Ok(head) => {
                let first = head.seq + 1 - group.len() as u64;
                for (i, entry) in group.into_iter().enumerate() {
                    let _ = entry.done.send(Ok(first + i as u64));
                }
                return;
            }
            Err(problem) if problem.code == Code::Timeout => {
                let now = Instant::now();
                let (late, waiting): (Vec<Entry>, Vec<Entry>) =
                    group.into_iter().partition(|e| e.deadline <= now);
                for entry in late {
                    let _ = entry.done.send(Err(problem.clone()));
                }
                group = waiting;
            }
            Err(problem) => {
                for entry in group {
                    let _ = entry.done.send(Err(problem.clone()));
                }
                return;
            }
        }
    }
}
