//! The `wiebetaalt` binary: parse the command line, run, exit.

use std::io::IsTerminal;
use std::process::ExitCode;

use wiebetaalt::cli::{dutch, run, Io};

fn main() -> ExitCode {
    let cli = dutch::parse();
    // Not locked for the whole run: the service logs to standard error from its
    // worker threads.
    let (mut out, mut err, mut stdin) = (std::io::stdout(), std::io::stderr(), std::io::stdin());
    let stderr_is_terminal = err.is_terminal();
    let mut io = Io::new(&mut out, &mut err, &mut stdin, || jiff::Zoned::now().date());
    io.stderr_is_terminal = stderr_is_terminal;
    io.color = stderr_is_terminal && std::env::var_os("NO_COLOR").is_none();
    ExitCode::from(run(cli, &mut io))
}
