//! `lamina`: call AWS Lambda from the command line.
//!
//! `lamina invoke` is written by hand for the richest output; every other operation of the
//! model, and every waiter, is a subcommand generated from the model (`generated/`).
//!
//! Exit codes: 0 success, 1 the call failed, 2 bad usage or input (nothing was sent),
//! 3 the function ran and reported an error.

#[rustfmt::skip]
mod generated;
mod invoke;
mod output;
mod paging;
mod parse;
mod settings;
mod spinner;
mod stream;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

/// What went wrong, mapped to the documented exit codes.
#[derive(Debug)]
pub(crate) enum Exit {
    /// The call failed; its error was printed (exit code 1).
    CallFailed,
    /// The call failed for a reason not printed yet (exit code 1).
    Failed(String),
    /// Bad usage or input; nothing was sent (exit code 2).
    BadInput(String),
    /// The function ran and reported an error (exit code 3).
    FunctionError,
}

fn cli() -> Command {
    let invoke = invoke::InvokeArgs::augment_args(Command::new("invoke"))
        .about("Invoke a function and print its result")
        .long_about(None)
        .after_help(invoke::EXAMPLES);
    let stream = stream::StreamArgs::augment_args(Command::new("invoke-with-response-stream"))
        .about("Invoke a function and write its answer to standard output as it streams")
        .long_about(None)
        .after_help(stream::EXAMPLES);
    let command = Command::new("lamina")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Call AWS Lambda: every operation of the model, with typed errors")
        .subcommand_required(true)
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .action(ArgAction::Count)
                .global(true)
                .help("Log what the client does to standard error (-v debug, -vv trace)"),
        );
    settings::flags(command)
        .subcommand(invoke)
        .subcommand(stream)
        .subcommand(
            Command::new("resolve-endpoint")
                .about("Print the URL calls would go to, or the endpoint rules' error")
                .after_help(
                    "Examples:\n  lamina resolve-endpoint --region eu-west-1\n  \
                     lamina resolve-endpoint --region us-gov-west-1 --use-fips --use-dual-stack",
                ),
        )
        .subcommands(generated::commands())
        .subcommand(generated::wait_command())
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script for lamina")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell)),
                )
                .after_help(
                    "Examples:\n  \
                     lamina completions bash > /etc/bash_completion.d/lamina\n  \
                     lamina completions zsh > ~/.zfunc/_lamina\n  \
                     lamina completions fish > ~/.config/fish/completions/lamina.fish",
                ),
        )
}

fn main() -> ExitCode {
    let matches = match cli().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(matches.get_count("verbose"));

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lamina: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };

    match runtime.block_on(run(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Exit::CallFailed) => ExitCode::from(1),
        Err(Exit::Failed(message)) => {
            eprintln!("lamina: {message}");
            ExitCode::from(1)
        }
        Err(Exit::BadInput(message)) => {
            eprintln!("lamina: {message}");
            ExitCode::from(2)
        }
        Err(Exit::FunctionError) => ExitCode::from(3),
    }
}

async fn run(matches: &ArgMatches) -> Result<(), Exit> {
    let Some((name, args)) = matches.subcommand() else {
        return Err(Exit::BadInput(
            "a subcommand is required; see --help".into(),
        ));
    };
    if name == "completions" {
        let mut script = Vec::new();
        if let Some(shell) = args.get_one::<clap_complete::Shell>("shell") {
            clap_complete::generate(*shell, &mut cli(), "lamina", &mut script);
        }
        use std::io::Write as _;
        return std::io::stdout()
            .write_all(&script)
            .map_err(|e| Exit::Failed(format!("could not write the completion script: {e}")));
    }
    let client = settings::client(args);

    if name == "resolve-endpoint" {
        let config = client.config();
        let rules = lamina::SERVICE
            .endpoint_rules
            .map(lamina::runtime::endpoint::rules::RuleSet::parse)
            .transpose()
            .map_err(|e| Exit::Failed(e.to_string()))?;
        let url = lamina::runtime::endpoint::resolve(config, &lamina::SERVICE, rules.as_ref())
            .map_err(|e| Exit::Failed(e.to_string()))?;
        println!("{url}");
        return Ok(());
    }
    if name == "invoke-with-response-stream" {
        let stream_args = stream::StreamArgs::from_arg_matches(args)
            .map_err(|e| Exit::BadInput(e.to_string()))?;
        return stream::run(&client, stream_args).await;
    }
    if name == "invoke" {
        let invoke_args = invoke::InvokeArgs::from_arg_matches(args)
            .map_err(|e| Exit::BadInput(e.to_string()))?;
        return invoke::run(&client, invoke_args).await;
    }
    let output = if name == "wait" {
        let Some((waiter, args)) = args.subcommand() else {
            return Err(Exit::BadInput(
                "wait needs a waiter; see lamina wait --help".into(),
            ));
        };
        generated::wait(&client, waiter, args).await?
    } else {
        match generated::run(&client, name, args).await {
            Some(result) => result?,
            None => return Err(Exit::BadInput(format!("unknown command {name}"))),
        }
    };
    println!("{output}");
    Ok(())
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "lamina_runtime=debug,lamina=debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::new(level);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        super::cli().debug_assert();
    }
}
