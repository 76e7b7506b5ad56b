//! The command line itself: help, bad configuration (exit 2, setting named, nothing written),
//! `migrate` and `keys rotate`.

use std::process::Output;

use serde_json::Value;

use crate::harness::{self, Database, Server};

fn run(dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    harness::portico(dir)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_lists_the_commands_and_every_serve_setting() {
    let dir = tempfile::tempdir().unwrap();
    let top = run(dir.path(), &["--help"], &[]);
    assert!(top.status.success());
    for command in ["serve", "migrate", "keys"] {
        assert!(text(&top.stdout).contains(command), "{command}");
    }
    let serve = run(dir.path(), &["serve", "--help"], &[]);
    assert!(serve.status.success());
    let help = text(&serve.stdout);
    for setting in [
        "config",
        "database-url",
        "log",
        "listen",
        "issuer",
        "instance-url",
        "allow-password-flow",
        "jwt-audiences",
        "data-key",
        "lockout-threshold",
        "lockout-minutes",
        "access-token-minutes",
        "session-minutes",
        "org-edition",
        "admin-username",
        "admin-password",
        "rate-limit-per-minute",
    ] {
        assert!(
            help.contains(&format!("--{setting}")),
            "--{setting} missing from\n{help}"
        );
        let env = format!("PORTICO_{}", setting.replace('-', "_").to_uppercase());
        assert!(help.contains(&env), "{env} missing from\n{help}");
    }
}

#[test]
fn bad_configuration_exits_2_naming_the_setting_and_writes_nothing() {
    // (serve arguments, environment, expected start of the first stderr line)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case<'_>] = &[
        (
            &["--listen", "abc"],
            &[],
            "error: invalid --listen / PORTICO_LISTEN \"abc\": expected HOST:PORT",
        ),
        (
            &[],
            &[("PORTICO_LISTEN", "127.0.0.1:http")],
            "error: invalid --listen / PORTICO_LISTEN",
        ),
        (
            &["--database-url", "mysql://localhost/portico"],
            &[],
            "error: invalid --database-url / PORTICO_DATABASE_URL",
        ),
        (
            &["--database-url", "postgres://localhost:port/db"],
            &[],
            "error: invalid --database-url",
        ),
        (
            &["--data-key", "dG9vIHNob3J0"],
            &[],
            "error: invalid --data-key / PORTICO_DATA_KEY",
        ),
        (
            &[],
            &[("PORTICO_DATA_KEY", "not base64!")],
            "error: invalid --data-key / PORTICO_DATA_KEY",
        ),
        (
            &["--issuer", "not a url"],
            &[],
            "error: invalid --issuer / PORTICO_ISSUER",
        ),
        (
            &[],
            &[("PORTICO_ORG_EDITION", "Free")],
            "error: invalid --org-edition / PORTICO_ORG_EDITION \"Free\"",
        ),
        (
            &["--lockout-threshold", "-1"],
            &[],
            "error: invalid --lockout-threshold",
        ),
        (
            &["--config", "missing.toml"],
            &[],
            "error: invalid --config / PORTICO_CONFIG",
        ),
    ];
    for (args, envs, first_line) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = run(dir.path(), &[&["serve"], *args].concat(), envs);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {envs:?}: {stderr}");
        assert!(
            stderr.lines().next().unwrap_or("").starts_with(first_line),
            "{args:?} {envs:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{args:?}: something was written"
        );
    }
}

#[test]
fn an_unknown_key_in_portico_toml_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("portico.toml"),
        "listen = \"127.0.0.1:0\"\nlisten_adress = \"x\"\n",
    )
    .unwrap();
    let out = run(dir.path(), &["serve"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: unknown setting \"listen_adress\" in ./portico.toml"),
        "{stderr}"
    );
    assert!(!dir.path().join("portico-data").exists());
}

#[test]
fn a_usage_error_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run(dir.path(), &["serve", "--no-such-flag"], &[])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(dir.path(), &["frobnicate"], &[]).status.code(), Some(2));
}

#[test]
fn migrate_exits_0_and_is_repeatable() {
    let database = Database::fresh();
    for _ in 0..2 {
        let out = run(
            database.dir(),
            &["migrate", "--database-url", database.url()],
            &[],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

#[test]
fn migrate_defaults_to_sqlite_under_portico_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["migrate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("portico-data/portico.db").is_file());
}

#[tokio::test]
async fn keys_rotate_adds_a_key_and_keeps_the_old_one_published() {
    let mut server = Server::start();
    let database = server.database().clone();
    let out = run(
        database.dir(),
        &["keys", "rotate"],
        &[("PORTICO_DATABASE_URL", database.url())],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("added signing key 2"),
        "{}",
        text(&out.stdout)
    );

    server.restart();
    let jwks: Value = harness::client()
        .get(server.url("/id/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    kids.sort_unstable();
    assert_eq!(kids, ["1", "2"]);
}
