use std::io::Write as _;

use clap::Parser as _;

use super::*;
use crate::cli::{Cli, Command};

fn serve_args(args: &[&str]) -> ServeArgs {
    let cli = Cli::try_parse_from(["portico", "serve"].iter().chain(args)).unwrap();
    let Command::Serve(args) = cli.command else {
        panic!("expected serve")
    };
    *args
}

fn with_file(toml: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(toml.as_bytes()).unwrap();
    file
}

fn error_of(args: &[&str]) -> String {
    serve(&serve_args(args)).unwrap_err().to_string()
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let config = serve(&serve_args(&["--config", "/dev/null"])).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.common.database.as_str(), "./portico-data/portico.db");
    assert_eq!(config.common.log, "info");
    assert_eq!(config.issuer, None);
    assert!(!config.allow_password_flow);
    assert_eq!(config.login.lockout_threshold, 10);
    assert_eq!(config.login.lockout_secs, 15 * 60);
    assert_eq!(config.access_token_secs, 120 * 60);
    assert_eq!(config.session_secs, 120 * 60);
    assert_eq!(config.bootstrap.edition, Edition::Developer);
    assert_eq!(config.bootstrap.admin_username, "admin@portico.local");
    assert!(config.bootstrap.admin_password.is_none());
    assert!(config.data_key.is_none());
}

#[test]
fn the_file_fills_in_and_flags_win() {
    let file = with_file(
        "listen = \"127.0.0.1:9000\"\nallow-password-flow = true\nlockout_threshold = 3\n\
         jwt_audiences = [\"https://login.salesforce.com\", \"https://test.salesforce.com\"]\n\
         issuer = \"https://id.example.com/\"\n",
    );
    let path = file.path().to_str().unwrap();
    let config = serve(&serve_args(&["--config", path, "--lockout-threshold", "4"])).unwrap();
    assert_eq!(config.listen.port(), 9000);
    assert!(config.allow_password_flow);
    assert_eq!(config.login.lockout_threshold, 4);
    assert_eq!(
        config.jwt_audiences,
        [
            "https://login.salesforce.com",
            "https://test.salesforce.com"
        ]
    );
    assert_eq!(config.issuer.as_deref(), Some("https://id.example.com"));
}

#[test]
fn a_bad_flag_is_named_with_its_variable() {
    assert_eq!(
        error_of(&["--listen", "abc"]),
        "invalid --listen / PORTICO_LISTEN \"abc\": expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free port)"
    );
    assert!(
        error_of(&["--allow-password-flow=maybe"])
            .starts_with("invalid --allow-password-flow / PORTICO_ALLOW_PASSWORD_FLOW")
    );
    assert!(error_of(&["--org-edition", "Free"]).contains("Developer"));
    assert!(error_of(&["--session-minutes", "0"]).starts_with("invalid --session-minutes"));
    assert!(error_of(&["--issuer", "ftp://x"]).starts_with("invalid --issuer"));
    assert!(error_of(&["--admin-username", "admin"]).starts_with("invalid --admin-username"));
}

#[test]
fn a_bad_file_value_is_named_with_the_file() {
    let file = with_file("listen = 8080\n");
    let message = error_of(&["--config", file.path().to_str().unwrap()]);
    assert!(
        message.starts_with("invalid listen = \"8080\" in "),
        "{message}"
    );
}

#[test]
fn unknown_keys_and_broken_files_are_refused() {
    let file = with_file("listen = \"127.0.0.1:0\"\nlisten_port = 1\n");
    let message = error_of(&["--config", file.path().to_str().unwrap()]);
    assert!(
        message.starts_with("unknown setting \"listen_port\""),
        "{message}"
    );
    let file = with_file("listen = \n");
    let message = error_of(&["--config", file.path().to_str().unwrap()]);
    assert!(
        message.starts_with("invalid --config / PORTICO_CONFIG"),
        "{message}"
    );
    assert!(message.contains("line 1"), "{message}");
    assert!(!message.contains('\n'));
    let message = error_of(&["--config", "/nonexistent/portico.toml"]);
    assert!(message.contains("cannot read"), "{message}");
}

#[test]
fn secrets_are_never_echoed() {
    let message = error_of(&["--data-key", "c2hvcnQ="]);
    assert!(
        message.starts_with("invalid --data-key / PORTICO_DATA_KEY (hidden): "),
        "{message}"
    );
    assert!(!message.contains("c2hvcnQ"));
    let message = error_of(&["--admin-password", "short"]);
    assert!(!message.contains("short\""), "{message}");
    let message = error_of(&["--database-url", "postgres://u:topsecret@:x/db"]);
    assert!(!message.contains("topsecret"), "{message}");
}

#[test]
fn a_32_byte_data_key_is_accepted() {
    let config = serve(&serve_args(&[
        "--data-key",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    ]))
    .unwrap();
    assert!(config.data_key.is_some());
}

#[test]
fn database_urls_are_checked_and_redacted() {
    for good in [
        "postgres://u:p@localhost/db",
        "postgresql://localhost:5432/db",
        "sqlite:x.db",
        "data/p.db",
    ] {
        assert!(parse::database_url(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "mysql://localhost/db",
        "postgres://localhost:port/db",
        "postgres:///db",
        "sqlite:",
    ] {
        assert!(parse::database_url(bad).is_err(), "{bad}");
    }
    let url = parse::database_url("postgres://u:topsecret@localhost/db").unwrap();
    assert_eq!(format!("{url:?}"), "postgres://u:***@localhost/db");
    assert_eq!(
        parse::redact("postgres://u:p@ss@h:x/db?a=b@c"),
        "postgres://u:***@h:x/db?a=b@c"
    );
    assert_eq!(parse::redact("postgres://u@h/db"), "postgres://u@h/db");
    assert_eq!(parse::redact("./data/p.db"), "./data/p.db");
}

#[test]
fn listen_accepts_ip_addresses_and_localhost() {
    assert_eq!(parse::listen("0.0.0.0:0").unwrap().to_string(), "0.0.0.0:0");
    assert_eq!(
        parse::listen("[::1]:8080").unwrap().to_string(),
        "[::1]:8080"
    );
    assert_eq!(
        parse::listen("localhost:9").unwrap().to_string(),
        "127.0.0.1:9"
    );
    assert!(parse::listen("example.com:80").is_err());
    assert!(parse::listen("127.0.0.1").is_err());
}
