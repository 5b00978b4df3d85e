//! `wiebetaalt serve --rules DIR`: the API and the page, until SIGTERM.

use std::path::Path;

use super::{exit, Io};

pub(super) fn run(
    dir: &Path,
    addr: std::net::SocketAddr,
    log: Option<&Path>,
    timeout: std::time::Duration,
    io: &mut Io<'_>,
) -> u8 {
    // Logs go to standard error; `RUST_LOG` can change the level.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(io.color)
        .try_init();
    let options = crate::serve::Options {
        dir,
        addr,
        color: io.color,
        log,
        clock: io.clock,
        timeout,
    };
    match crate::serve::run(&options, io.out) {
        Ok(()) => exit::OK,
        Err(message) => {
            io.note(&format!("{message}\n"));
            exit::FAILED
        }
    }
}
