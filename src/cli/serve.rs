//! `wiebetaalt serve --rules DIR`: the API and the page, until SIGTERM.

use std::path::Path;

use super::{exit, Io};

pub(super) fn run(
    dir: &Path,
    addr: std::net::SocketAddr,
    log: Option<&Path>,
    timeout: std::time::Duration,
    hosts: &[String],
    io: &mut Io<'_>,
) -> u8 {
    // Logs go to standard error; `RUST_LOG` can change the level.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Written by a thread of its own: a request log that is read slowly (or not at all)
    // drops lines rather than holding up the answers.
    let (writer, _flush) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .finish(Quiet(std::io::stderr()));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(io.color)
        .try_init();
    let options = crate::serve::Options {
        dir,
        addr,
        color: io.color,
        log,
        clock: io.clock,
        timeout,
        hosts: hosts.to_vec(),
    };
    match crate::serve::run(&options, io.out) {
        Ok(()) => exit::OK,
        Err(message) => {
            io.note(&format!("{message}\n"));
            exit::FAILED
        }
    }
}

/// Standard error for the request log, where a failed write is dropped: a full disk or
/// a closed pipe on standard error must not stop the service from answering (a decision
/// is recorded before its log line is written).
struct Quiet(std::io::Stderr);

impl std::io::Write for Quiet {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = self.0.flush();
        Ok(())
    }
}
