//! The interactive `portico login`s against a real server: the web server flow with PKCE, whose
//! browser comes back to the CLI's loopback listener on `localhost:1717` (a fixed port, so those
//! tests take [`CALLBACK_PORT`] in turn), and the device flow (RFC 8628) approved or denied on
//! `/setup/connect`. Also the CLI's help.

use std::io::{BufRead as _, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::browser::authorize_as_admin;
use crate::cli_apps::{Cli, text};
use crate::harness::{self, ADMIN_USERNAME, Server};
use crate::web_server_flow::CLI_CALLBACK;

/// Only one test may listen on the fixed callback port at a time.
static CALLBACK_PORT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Reads the child's stdout lines on a thread; the receiver times out instead of hanging.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

fn wait_for_line(rx: &mpsc::Receiver<String>, pred: impl Fn(&str) -> bool) -> String {
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the CLI printed no such line");
        if pred(&line) {
            return line;
        }
    }
}

#[tokio::test]
async fn browser_login_through_the_loopback_listener() {
    let _port = CALLBACK_PORT.lock().await;
    let server = Server::start();
    let cli = Cli::new();
    let mut child = cli
        .command(&["login", "--instance", server.base_url(), "--no-browser"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let url = wait_for_line(&lines, |l| l.contains("/services/oauth2/authorize"));
    let url = url.trim();
    assert!(
        url.starts_with(&server.url("/services/oauth2/authorize?")),
        "{url}"
    );
    assert!(url.contains("code_challenge_method=S256") && url.contains("client_id=PorticoCLI"));

    // A wrong path is answered and ignored; the browser then brings the code back.
    let plain = reqwest::Client::new();
    let stray = plain
        .get("http://localhost:1717/favicon.ico")
        .send()
        .await
        .unwrap();
    assert_eq!(stray.status(), 404);
    let callback = authorize_as_admin(&server, &harness::client(), url).await;
    assert!(callback.starts_with(CLI_CALLBACK), "{callback}");
    let page = plain.get(&callback).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Logged in"));

    let done = wait_for_line(&lines, |l| l.starts_with("Logged in to "));
    assert!(done.contains(ADMIN_USERNAME), "{done}");
    let status = child.wait().unwrap();
    assert!(status.success(), "portico login exited with {status}");
    let stored = cli.stored();
    assert_eq!(stored["instance_url"], server.base_url());
    assert!(
        stored["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(cli.ok(&["apps", "list"]).contains("PorticoCLI"));

    // Logout revokes the session: the old tokens no longer work.
    cli.ok(&["logout"]);
    let (status, _) = crate::support::get_bearer(
        &server,
        "/api/v1/connected-apps",
        stored["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_state_mismatch_fails_the_browser_login() {
    let _port = CALLBACK_PORT.lock().await;
    let server = Server::start();
    let cli = Cli::new();
    let mut child = cli
        .command(&["login", "--instance", server.base_url(), "--no-browser"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    wait_for_line(&lines, |l| l.contains("/services/oauth2/authorize"));
    let res = reqwest::Client::new()
        .get(format!("{CLI_CALLBACK}?code=forged&state=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("state"), "{}", text(&out.stderr));
    assert!(!cli.credentials().exists());
}

#[test]
fn help_lists_the_admin_commands() {
    let cli = Cli::new();
    let top = cli.ok(&["--help"]);
    for command in ["login", "logout", "apps"] {
        assert!(top.contains(command), "{command}:\n{top}");
    }
    let apps = cli.ok(&["apps", "--help"]);
    for command in [
        "create",
        "list",
        "get",
        "update",
        "delete",
        "rotate-secret",
        "import",
        "export",
    ] {
        assert!(apps.contains(command), "{command}:\n{apps}");
    }
    let login = cli.ok(&["login", "--help"]);
    for flag in [
        "--instance",
        "--device",
        "--token",
        "localhost:1717",
        "PORTICO_CLI_HOME",
    ] {
        assert!(login.contains(flag), "{flag}:\n{login}");
    }
}

/// Starts `portico login --device` and returns it with its verification URL and user code.
fn start_device_login(
    cli: &Cli,
    server: &Server,
) -> (std::process::Child, mpsc::Receiver<String>, String, String) {
    let mut child = cli
        .command(&["login", "--device", "--instance", server.base_url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let url = wait_for_line(&lines, |l| l.contains("/setup/connect?user_code="));
    let code = wait_for_line(&lines, |l| l.starts_with("and confirm the code: "));
    let code = code.trim_start_matches("and confirm the code: ").to_owned();
    (child, lines, url.trim().to_owned(), code)
}

/// Answers a device code on `/setup/connect` as the admin: Connect, then Allow or Deny.
async fn answer_device_code(server: &Server, url: &str, code: &str, decision: &str) -> String {
    let browser = crate::support::admin_browser(server).await;
    let page = browser.get(url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(code), "the code is pre-filled: {page}");
    let mut form = crate::browser::hidden_inputs(&page);
    form.push(("user_code".into(), code.into()));
    let res = browser
        .post(server.url("/setup/connect"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let page = res.text().await.unwrap();
    assert!(page.contains("Allow"), "expected the consent stage: {page}");
    let mut form = crate::browser::hidden_inputs(&page);
    form.push(("consent_decision".into(), decision.into()));
    let res = browser
        .post(server.url("/setup/connect"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn device_login_polls_until_approved() {
    let server = Server::start();
    let cli = Cli::new();
    let (mut child, lines, url, code) = start_device_login(&cli, &server);
    assert!(
        url.starts_with(&server.url("/setup/connect?user_code=")),
        "{url}"
    );
    let page = answer_device_code(&server, &url, &code, "allow").await;
    assert!(page.contains("is now connected to your account"), "{page}");
    let done = wait_for_line(&lines, |l| l.starts_with("Logged in to "));
    assert!(done.contains(ADMIN_USERNAME), "{done}");
    assert!(child.wait().unwrap().success());
    assert!(
        cli.stored()["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert!(cli.ok(&["apps", "list"]).contains("PorticoCLI"));
}

#[tokio::test]
async fn a_denied_device_login_fails_and_stores_nothing() {
    let server = Server::start();
    let cli = Cli::new();
    let (child, _lines, url, code) = start_device_login(&cli, &server);
    let page = answer_device_code(&server, &url, &code, "deny").await;
    assert!(page.contains("Access denied"), "{page}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("access_denied"),
        "{}",
        text(&out.stderr)
    );
    assert!(!cli.credentials().exists());
}
