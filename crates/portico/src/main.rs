//! The `portico` binary: parses the command line, validates the configuration before anything
//! is written (exit 2 on a bad setting), sets up logging to stderr, and runs the sub-command
//! (exit 1 when it fails).

mod cli;
mod commands;
mod config;
mod serve;
mod signing_keys;

use std::future::Future;
use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command, KeysCommand};
use crate::config::{ConfigError, EXIT_BAD_CONFIG};

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => run(config::serve(&args), |c| &c.common.log, serve::serve),
        Command::Migrate(args) => run(config::common(&args), |c| &c.log, serve::migrate),
        Command::Keys {
            command: KeysCommand::Rotate(args),
        } => run(config::common(&args), |c| &c.log, serve::rotate_keys),
        Command::Login(args) => commands::run(commands::login::login(args)),
        Command::Logout => commands::run(commands::login::logout()),
        Command::Apps { command } => commands::run(commands::apps::run(command)),
    }
}

fn run<C, F>(
    config: Result<C, ConfigError>,
    log_filter: impl FnOnce(&C) -> &String,
    job: impl FnOnce(C) -> F,
) -> ExitCode
where
    F: Future<Output = anyhow::Result<()>>,
{
    let config = match config {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    init_logging(log_filter(&config));
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(job(config)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, keeping stdout for what the operator must read (the listening line, a
/// generated password).
fn init_logging(filter: &str) {
    // The filter was checked while loading the configuration.
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
