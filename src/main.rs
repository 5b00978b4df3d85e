//! The `wiebetaalt` binary: parse the command line, run, exit.

use std::process::ExitCode;

use clap::Parser;
use wiebetaalt::cli::{run, stderr_color, Cli, Io};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (mut out, mut err, mut stdin) = (
        std::io::stdout().lock(),
        std::io::stderr().lock(),
        std::io::stdin().lock(),
    );
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        stdin: &mut stdin,
        color: stderr_color(),
        today: jiff::Zoned::now().date(),
    };
    ExitCode::from(run(cli, &mut io))
}
