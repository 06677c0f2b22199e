//! The `newsdesk` binary: parse the command line and run it.

use std::process::ExitCode;

use clap::Parser;
use newsdesk::cli::{Cli, run};

fn main() -> ExitCode {
    // Read .env before the logger so RUST_LOG may come from it too.
    dotenvy::dotenv().ok();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("newsdesk: {message}");
            ExitCode::FAILURE
        }
    }
}
