//! The command line (clap): sub-commands and every setting as a flag with its `PORTICO_*`
//! variable. Values stay raw strings here; `config` layers them over `portico.toml` and the
//! defaults and validates them once, so that every bad value gets the same kind of error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Every setting is read from, in this order: the flag, the PORTICO_* environment variable, the \
config file (--config, else ./portico.toml when it exists; keys are the flag names with `_` for \
`-`, e.g. `database_url = \"postgres://…\"`), then the default.";

#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about = "Portico: an OAuth 2.0 / OpenID Connect server modelled on Salesforce connected apps"
)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the server: migrate the database, bootstrap it when empty, and serve HTTP.
    #[command(after_help = AFTER_HELP)]
    Serve(Box<ServeArgs>),
    /// Apply the database migrations and exit.
    #[command(after_help = AFTER_HELP)]
    Migrate(CommonArgs),
    /// Manage the signing keys published at /id/keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Log in to a Portico server (browser with PKCE, --device, or --token) and store the
    /// session the admin commands use.
    #[command(after_help = LOGIN_HELP)]
    Login(LoginArgs),
    /// Revoke and forget the stored login.
    Logout,
    /// Manage connected apps through the admin API, with the stored login.
    Apps {
        #[command(subcommand)]
        command: AppsCommand,
    },
}

const LOGIN_HELP: &str = "\
The browser login uses the built-in app PorticoCLI and listens on http://localhost:1717/OauthRedirect, \
its registered callback, for the browser to come back. Credentials go to \
$PORTICO_CLI_HOME/credentials.json, else ~/.portico/credentials.json (mode 0600).";

/// Settings of `login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    #[arg(
        long,
        value_name = "URL",
        default_value = crate::commands::DEFAULT_INSTANCE,
        help = "The server's URL (its issuer)"
    )]
    pub(crate) instance: String,

    #[arg(
        long,
        conflicts_with = "token",
        help = "Use the device flow: enter a code in a browser on any device"
    )]
    pub(crate) device: bool,

    #[arg(
        long,
        value_name = "TOKEN",
        help = "Store this access token as is (`-` reads it from standard input); for scripts"
    )]
    pub(crate) token: Option<String>,

    #[arg(
        long,
        conflicts_with_all = ["token", "device"],
        help = "Only print the authorization URL; don't try to open a browser"
    )]
    pub(crate) no_browser: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AppsCommand {
    /// Create a connected app from a JSON file (Metadata API names); prints its consumer key and,
    /// this once, its consumer secret.
    Create {
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// List the org's connected apps.
    List {
        /// Print the JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one connected app.
    Get {
        /// The app's API name (fullName).
        name: String,
        /// Print the Salesforce `.connectedApp-meta.xml` file instead of JSON.
        #[arg(long)]
        xml: bool,
    },
    /// Change a connected app: merge a JSON patch, or replace it whole with --replace.
    Update {
        name: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Replace the app (PUT) rather than merge the file into it (PATCH).
        #[arg(long)]
        replace: bool,
    },
    /// Delete a connected app.
    Delete { name: String },
    /// Generate a new consumer secret and print it.
    RotateSecret { name: String },
    /// Upload every `*.connectedApp-meta.xml` file of DIR as packaged (uninstalled) apps.
    Import { dir: PathBuf },
    /// Write `<fullName>.connectedApp-meta.xml` files into DIR: the named apps, else all.
    Export { dir: PathBuf, names: Vec<String> },
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Add a new signing key (kid = highest + 1). Older keys stay published so tokens they signed
    /// still verify; servers sign with the new key once restarted.
    #[command(after_help = AFTER_HELP)]
    Rotate(CommonArgs),
}

/// Settings every sub-command reads.
#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    #[arg(
        long,
        env = "PORTICO_CONFIG",
        value_name = "PATH",
        help = "Config file (TOML) [default: ./portico.toml when it exists]"
    )]
    pub(crate) config: Option<PathBuf>,

    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true,
        help = "Database: postgres://USER:PASS@HOST/DB, sqlite:PATH or a file path [default: ./portico-data/portico.db]"
    )]
    pub(crate) database_url: Option<String>,

    #[arg(
        long,
        env = "PORTICO_LOG",
        value_name = "FILTER",
        help = "Log filter, in tracing's EnvFilter syntax (e.g. `info,portico_web=debug`); logs go to stderr [default: info]"
    )]
    pub(crate) log: Option<String>,
}

/// Settings of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) common: CommonArgs,

    #[arg(
        long,
        env = "PORTICO_LISTEN",
        value_name = "HOST:PORT",
        help = "Address to listen on, HOST:PORT; port 0 picks a free one [default: 127.0.0.1:8080]"
    )]
    pub(crate) listen: Option<String>,

    #[arg(
        long,
        env = "PORTICO_ISSUER",
        value_name = "URL",
        help = "Public base URL: `iss`, identity URLs, discovery [default: http://<bound address>]"
    )]
    pub(crate) issuer: Option<String>,

    #[arg(
        long,
        env = "PORTICO_INSTANCE_URL",
        value_name = "URL",
        help = "`instance_url` in token responses, where /services/data is served [default: the issuer]"
    )]
    pub(crate) instance_url: Option<String>,

    #[arg(long, env = "PORTICO_ALLOW_PASSWORD_FLOW", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", help = "Allow the username-password flow (`--allow-password-flow` or `=true|false`) [default: false]")]
    pub(crate) allow_password_flow: Option<String>,

    #[arg(
        long,
        env = "PORTICO_JWT_AUDIENCES",
        value_name = "LIST",
        help = "Extra audiences a JWT bearer assertion may name besides the issuer, comma-separated (e.g. https://login.salesforce.com,https://test.salesforce.com)"
    )]
    pub(crate) jwt_audiences: Option<String>,

    #[arg(
        long,
        env = "PORTICO_DATA_KEY",
        value_name = "BASE64",
        hide_env_values = true,
        help = "Key that encrypts consumer secrets at rest: base64 of 32 bytes. Without it one is generated on first start and kept in the database [default: generated]"
    )]
    pub(crate) data_key: Option<String>,

    #[arg(
        long,
        env = "PORTICO_LOCKOUT_THRESHOLD",
        value_name = "N",
        allow_negative_numbers = true,
        help = "Failed logins before a user is locked out [default: 10]"
    )]
    pub(crate) lockout_threshold: Option<String>,

    #[arg(
        long,
        env = "PORTICO_LOCKOUT_MINUTES",
        value_name = "MINUTES",
        allow_negative_numbers = true,
        help = "How long a lockout lasts, in minutes [default: 15]"
    )]
    pub(crate) lockout_minutes: Option<String>,

    #[arg(
        long,
        env = "PORTICO_ACCESS_TOKEN_MINUTES",
        value_name = "MINUTES",
        allow_negative_numbers = true,
        help = "Access-token lifetime when the app sets no session timeout, in minutes [default: 120]"
    )]
    pub(crate) access_token_minutes: Option<String>,

    #[arg(
        long,
        env = "PORTICO_SESSION_MINUTES",
        value_name = "MINUTES",
        allow_negative_numbers = true,
        help = "Browser session lifetime, in minutes [default: 120]"
    )]
    pub(crate) session_minutes: Option<String>,

    #[arg(
        long,
        env = "PORTICO_RATE_LIMIT_PER_MINUTE",
        value_name = "N",
        help = "Requests a minute allowed per IP and per client id at the token endpoint and the login form; more get HTTP 429 rate_limit_exceeded [default: 1200]"
    )]
    pub(crate) rate_limit_per_minute: Option<String>,

    #[arg(
        long,
        env = "PORTICO_ORG_EDITION",
        value_name = "EDITION",
        help = "Edition of the org created on first start (Group, Professional, Enterprise, Performance, Unlimited, Developer, Essentials, Starter) [default: Developer]"
    )]
    pub(crate) org_edition: Option<String>,

    #[arg(
        long,
        env = "PORTICO_ADMIN_USERNAME",
        value_name = "USERNAME",
        help = "Username of the System Administrator created on first start [default: admin@portico.local]"
    )]
    pub(crate) admin_username: Option<String>,

    #[arg(
        long,
        env = "PORTICO_ADMIN_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true,
        help = "Password of that administrator; prefer the variable to the flag, which other local users can see [default: generated and printed once]"
    )]
    pub(crate) admin_password: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_bare_boolean_flag_means_true() {
        let cli =
            Cli::try_parse_from(["portico", "serve", "--allow-password-flow", "--listen", "x"])
                .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("expected serve")
        };
        assert_eq!(args.allow_password_flow.as_deref(), Some("true"));
        assert_eq!(args.listen.as_deref(), Some("x"));
    }
}
