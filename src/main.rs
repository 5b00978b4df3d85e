//! The `wiebetaalt` binary: parse the command line, run, exit.

use std::io::IsTerminal;
use std::process::ExitCode;

use wiebetaalt::cli::{dutch, run, Io};

fn main() -> ExitCode {
    let cli = dutch::parse();
    widen_pipe(&std::io::stdout());
    // Not locked for the whole run: the service logs to standard error from its
    // worker threads.
    let (mut out, mut err, mut stdin) = (std::io::stdout(), std::io::stderr(), std::io::stdin());
    let stderr_is_terminal = err.is_terminal();
    let mut io = Io::new(&mut out, &mut err, &mut stdin, || jiff::Zoned::now().date());
    io.stderr_is_terminal = stderr_is_terminal;
    io.color = stderr_is_terminal && std::env::var_os("NO_COLOR").is_none();
    ExitCode::from(run(cli, &mut io))
}

/// When standard output is a pipe, asks for a larger pipe buffer (1 MiB, the usual
/// limit of `/proc/sys/fs/pipe-max-size`): a batch writes about a megabyte per chunk,
/// and with the default 64 KiB the writer waits for the reader sixteen times per chunk.
/// Without permission or on other systems the pipe stays as it is.
#[cfg(target_os = "linux")]
fn widen_pipe(out: &std::io::Stdout) {
    const SIZE: usize = 1 << 20;
    let _ = rustix::pipe::fcntl_setpipe_size(out, SIZE);
}

#[cfg(not(target_os = "linux"))]
fn widen_pipe(_: &std::io::Stdout) {}
