//! `lamina`: invoke AWS Lambda functions from the command line.
//!
//! Exit codes: 0 success, 1 the call failed, 2 bad usage or input (nothing was sent),
//! 3 the function ran and reported an error.

mod invoke;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Invoke AWS Lambda functions, with typed errors and readable output.
#[derive(Debug, Parser)]
#[command(name = "lamina", version, about, long_about = None)]
struct Cli {
    /// Log what the client does to standard error (-v for debug, -vv for trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Invoke a function and print its result.
    #[command(after_help = invoke::EXAMPLES)]
    Invoke(invoke::InvokeArgs),
}

/// What went wrong, mapped to the documented exit codes.
#[derive(Debug)]
pub(crate) enum Exit {
    /// The call failed (exit code 1).
    CallFailed,
    /// Bad usage or input; nothing was sent (exit code 2).
    BadInput(String),
    /// The function ran and reported an error (exit code 3).
    FunctionError,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.verbose);

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
    let result = runtime.block_on(async {
        match cli.command {
            Command::Invoke(args) => invoke::run(args).await,
        }
    });

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Exit::CallFailed) => ExitCode::from(1),
        Err(Exit::BadInput(message)) => {
            eprintln!("lamina: {message}");
            ExitCode::from(2)
        }
        Err(Exit::FunctionError) => ExitCode::from(3),
    }
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
        .with_writer(std::io::stderr)
        .try_init();
}
