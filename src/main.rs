//! The `wiebetaalt` binary: parse the command line, run, exit.

use std::process::ExitCode;

use clap::Parser;
use wiebetaalt::cli::{run, stderr_color, Cli, Io};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Not locked for the whole run: the service logs to standard error from its
    // worker threads.
    let (mut out, mut err, mut stdin) = (std::io::stdout(), std::io::stderr(), std::io::stdin());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        stdin: &mut stdin,
        color: stderr_color(),
        today: jiff::Zoned::now().date(),
    };
    ExitCode::from(run(cli, &mut io))
}
