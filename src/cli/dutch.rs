//! The command line in Dutch: clap's help pages and usage errors, with the same form of
//! address (`u`) as every other message. The commands and options are defined once, in
//! [`super::Cli`]; this module only rewords what clap shows around them.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::Cli;

/// The help page of every command: Dutch headings, no English captions.
const TEMPLATE: &str = "\
{before-help}{about-with-newline}
Gebruik: {usage}

{all-args}{after-help}";

/// The command line with Dutch help on every (sub)command.
pub fn command() -> Command {
    dutch(Cli::command(), true)
}

fn dutch(cmd: Command, top: bool) -> Command {
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Opdrachten")
        .next_help_heading("Opties")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("hulp")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Toon deze hulp"),
        );
    if top {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("versie")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("Toon de versie"),
        );
    }
    // Defaults and possible values in Dutch, after the help of the argument.
    cmd = cmd.subcommand_value_name("OPDRACHT").mut_args(|arg| {
        let arg = if arg.is_positional() || arg.get_help_heading().is_some() {
            arg
        } else {
            arg.help_heading("Opties")
        };
        if !arg.get_action().takes_values() {
            return arg;
        }
        let arg = match arg
            .get_value_names()
            .and_then(|n| n.first())
            .map(|n| n.as_str().to_string())
        {
            Some(name) => match dutch_name(&name) {
                Some(dutch) => arg.value_name(dutch),
                None => arg,
            },
            None => arg,
        };
        let mut extra = Vec::new();
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if !defaults.is_empty() && !arg.is_hide_default_value_set() {
            extra.push(format!("standaard: {}", defaults.join(", ")));
        }
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if !values.is_empty() && !arg.is_hide_possible_values_set() {
            extra.push(format!("mogelijk: {}", values.join(", ")));
        }
        let arg = arg.hide_default_value(true).hide_possible_values(true);
        if extra.is_empty() {
            return arg;
        }
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let tail = format!("[{}]", extra.join("; "));
        arg.help(if help.is_empty() {
            tail
        } else {
            format!("{help} {tail}")
        })
    });
    // Positional arguments under their own Dutch heading.
    let positionals: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.is_positional())
        .map(|a| a.get_id().to_string())
        .collect();
    for id in positionals {
        cmd = cmd.mut_arg(id, |a| a.help_heading("Argumenten"));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| dutch(sub, false));
    }
    cmd
}

/// Placeholders in Dutch: `<REGELS>` instead of `<RULES>`.
fn dutch_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "RULES" => "REGELS",
        "FORMAT" => "VORM",
        "CASE" => "CASUS",
        "FILES" => "BESTANDEN",
        "INPUT" => "INVOER",
        "OLD" => "OUD",
        "NEW" => "NIEUW",
        "DECISION" => "BESLISSING",
        "AMOUNT" => "BEDRAG",
        "ROWS" => "FEIT",
        "ADDR" => "ADRES",
        "THREADS" => "AANTAL",
        "TRACE" => "SPOOR",
        "INPUT_FORMAT" => "VORM",
        "HEAD" => "HASH",
        "LOG" => "LOGBOEK",
        _ => return None,
    })
}

/// Parses the command line; a help page or the version is printed and the program
/// ends (exit 0), a usage error is told in Dutch (exit 2).
pub fn parse() -> Cli {
    let mut cmd = command();
    let matches = match cmd.try_get_matches_from_mut(std::env::args_os()) {
        Ok(m) => m,
        Err(e) => exit(&e),
    };
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => exit(&e),
    }
}

fn exit(e: &clap::Error) -> ! {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // The page or the version itself, with clap's one English placeholder in Dutch.
            print!("{}", dutch_usage(&e.render().to_string()));
            std::process::exit(0);
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // The help page of the command that is missing its subcommand.
            eprint!("{}", dutch_usage(&e.render().to_string()));
            std::process::exit(2);
        }
        _ => {
            eprintln!("{}", message(e));
            std::process::exit(2);
        }
    }
}

/// clap writes `[OPTIONS]` in every usage line; the page says `[OPTIES]`.
fn dutch_usage(text: &str) -> String {
    text.replace("[OPTIONS]", "[OPTIES]")
}

/// A usage error in Dutch: what is wrong, and what to write instead.
pub fn message(e: &clap::Error) -> String {
    let context = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        Some(ContextValue::StyledStrs(v)) => Some(
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let usage = context(ContextKind::Usage)
        .map(|u| {
            dutch_usage(&u.replace("Usage:", "Gebruik:"))
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    let suggestion = context(ContextKind::SuggestedArg)
        .or_else(|| context(ContextKind::SuggestedSubcommand))
        .or_else(|| context(ContextKind::SuggestedValue))
        .map(|s| format!("\nbedoelde u `{s}`?"))
        .unwrap_or_default();
    let invalid = context(ContextKind::InvalidArg).unwrap_or_default();
    let value = context(ContextKind::InvalidValue).unwrap_or_default();
    let what = match e.kind() {
        ErrorKind::UnknownArgument => format!("fout: onbekende optie `{invalid}`"),
        ErrorKind::InvalidSubcommand => {
            format!(
                "fout: onbekende opdracht `{}`",
                context(ContextKind::InvalidSubcommand).unwrap_or_default()
            )
        }
        ErrorKind::MissingRequiredArgument => format!("fout: dit ontbreekt nog: {invalid}"),
        ErrorKind::MissingSubcommand => {
            "fout: geef een opdracht, zoals `eval` of `check`".to_string()
        }
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue)
                .filter(|v| !v.is_empty())
                .map(|v| format!("; mogelijk: {v}"))
                .unwrap_or_default();
            if value.is_empty() {
                format!("fout: na `{invalid}` hoort een waarde{valid}")
            } else {
                format!("fout: `{value}` kan niet bij `{invalid}`{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            // The value parser's own message is Dutch (a date, a format).
            let why = e
                .source()
                .map(ToString::to_string)
                .unwrap_or_else(|| "die waarde kan hier niet".to_string());
            format!("fout: `{value}` na `{invalid}`: {why}")
        }
        ErrorKind::ArgumentConflict => format!(
            "fout: `{invalid}` kan niet samen met `{}`",
            context(ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("fout: te veel of te weinig waarden bij `{invalid}`")
        }
        ErrorKind::InvalidUtf8 => "fout: de opdrachtregel is geen UTF-8-tekst".to_string(),
        _ => "fout: de opdrachtregel klopt niet".to_string(),
    };
    let mut out = what;
    out.push_str(&suggestion);
    if !usage.is_empty() {
        out.push_str("\n\n");
        out.push_str(&usage);
    }
    out.push_str("\n\nMeer uitleg: `wiebetaalt --help`, of `wiebetaalt OPDRACHT --help`.");
    out
}

use std::error::Error as _;
