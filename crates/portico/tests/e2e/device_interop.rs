//! Issue 5's interop with real clients (RFC 8628 device flow, RFC 7523 JWT bearer), run from here
//! so that each gets a server set up for it: `node --test` on chosen files of `interop/`
//! (openid-client, @salesforce/core, jsforce, jsonwebtoken, playwright-core with Debian's
//! Chromium), and Python with PyJWT. The clients must be installed (`npm ci --prefix interop`,
//! `python3 -m pip install -r interop/python/requirements.txt`, `apt-get install -y chromium`);
//! without them these tests fail rather than skip, so CI cannot pass without running them.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::harness::{ADMIN_PASSWORD, ADMIN_USERNAME, Server};

/// Longest time one client suite may take (device polls wait 5 s each).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(180);

pub(crate) fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop")
}

fn assert_installed(packages: &[&str]) {
    let modules = interop_dir().join("node_modules");
    for package in packages {
        assert!(
            modules.join(package).is_dir(),
            "{package} is not installed: run `npm ci --prefix interop` at the repository root (needs Node.js 20+), \
             then run this test again"
        );
    }
}

/// Runs a client command against `server` and asserts it succeeded; returns its stdout.
pub(crate) async fn run_client(
    mut command: tokio::process::Command,
    server: &Server,
    envs: &[(&str, String)],
) -> String {
    command
        .current_dir(interop_dir())
        .env("PORTICO_URL", server.base_url())
        .env("PORTICO_ADMIN_USERNAME", ADMIN_USERNAME)
        .env("PORTICO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("PORTICO_ISSUE5_INTEROP", "1")
        .env("NO_COLOR", "1")
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let shown = format!("{command:?}");
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("could not run {shown}: {e}"));
    let output = tokio::time::timeout(CLIENT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{shown} took longer than {CLIENT_TIMEOUT:?}"))
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{shown} failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// `node --test` on `files`, which must all pass with none skipped.
pub(crate) async fn node_tests(
    server: &Server,
    files: &[&str],
    tests: usize,
    envs: &[(&str, String)],
) {
    let mut command = tokio::process::Command::new("node");
    command.arg("--test").args(files);
    let stdout = run_client(command, server, envs).await;
    assert!(
        stdout.contains(&format!("# pass {tests}\n")),
        "expected {tests} passing tests:\n{stdout}"
    );
    assert!(
        stdout.contains("# skipped 0\n"),
        "no test may be skipped:\n{stdout}"
    );
}

#[tokio::test]
async fn device_flow_with_openid_client_and_salesforce_core() {
    assert_installed(&["openid-client", "@salesforce/core"]);
    let server = Server::start();
    node_tests(&server, &["device.test.mjs"], 3, &[]).await;
}

#[tokio::test]
async fn device_verification_page_in_headless_chromium() {
    assert_installed(&["playwright-core"]);
    let chromium =
        std::env::var("PORTICO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "{chromium} is missing: install Debian's Chromium (`apt-get install -y chromium`) or set PORTICO_CHROMIUM"
    );
    let server = Server::start();
    node_tests(
        &server,
        &["device-browser.test.mjs"],
        1,
        &[("PORTICO_CHROMIUM", chromium)],
    )
    .await;
}
