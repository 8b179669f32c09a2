//! `lamina-bench`: what one Invoke costs with lamina, with aws-sdk-lambda, with a plain
//! reqwest client posting a precomputed, unsigned request (the floor), and with that request
//! signed by aws-sigv4 on every call (the signed floor), against the same canned local server.
//!
//! - `drive [--rounds N] [--quick]`: the whole comparison, each measurement in a fresh process,
//!   clients alternating, medians printed as a table and written as JSON;
//! - `serve PORT`: the canned server;
//! - `run CLIENT SCENARIO URL`: one measurement, printed as JSON;
//! - `cold CLIENT URL`: one call from a fresh process (for cold start);
//! - `build`: clean release builds of a minimal invoke program with each client;
//! - `instructions`: instructions per invoke of each client, counted by callgrind.

mod build;
mod clients;
mod drive;
mod instructions;
mod measure;
mod server;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["serve", port] => server::serve(port),
        ["run", client, scenario, url] => measure::run(client, scenario, url),
        ["cold", client, url] => measure::cold(client, url),
        ["drive", options @ ..] => drive::drive(options),
        ["build", options @ ..] => build::build(options),
        ["instructions", options @ ..] => instructions::instructions(options),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lamina-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: lamina-bench drive [--rounds N] [--quick] [--out FILE]
       lamina-bench build [--out FILE]
       lamina-bench instructions [--out FILE]
       lamina-bench serve PORT
       lamina-bench run lamina|sdk|floor|signed-floor seq|seq-short|c64|big URL
       lamina-bench cold lamina|sdk|floor|signed-floor URL";
