//! The Setup pages in a real browser (issue 8, "How it is checked"): starts a Portico server and
//! runs `node --test` in `browser-tests/`, whose tests drive Debian's headless `chromium` with
//! `playwright-core` (pinned in `browser-tests/package-lock.json`) through App Manager, the New
//! Connected App page, the consumer details, policies, users and permission sets, a web server
//! flow with the new app, and the refusals a user without the permissions sees. Screenshots of
//! each page go to `target/ui-screenshots/`.
//!
//! Needs `apt-get install -y chromium` and `npm ci --prefix browser-tests` (CI installs both);
//! without them this test fails with that instruction rather than skip, so CI cannot pass
//! without running the browser.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::harness::{ADMIN_PASSWORD, ADMIN_USERNAME, Server};

/// Longest time the browser suite may take.
const NODE_TIMEOUT: Duration = Duration::from_secs(600);
const CHROMIUM: &str = "/usr/bin/chromium";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check_installed(dir: &Path) {
    assert!(
        dir.join("package-lock.json").is_file(),
        "{} has no package-lock.json",
        dir.display()
    );
    assert!(
        dir.join("node_modules").join("playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix browser-tests` at the repository root \
         (needs Node.js 20+ and the npm registry), then run this test again"
    );
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium`, then run \
         this test again"
    );
}

#[tokio::test]
async fn setup_pages_work_in_headless_chromium() {
    let root = repo_root();
    let dir = root.join("browser-tests");
    check_installed(&dir);
    let screenshots = root.join("target").join("ui-screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    let server = Server::start();
    let child = tokio::process::Command::new("node")
        .arg("--test")
        .current_dir(&dir)
        .env("PORTICO_URL", server.base_url())
        .env("PORTICO_ADMIN_USERNAME", ADMIN_USERNAME)
        .env("PORTICO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("PORTICO_SCREENSHOTS", &screenshots)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("could not run `node` (Node.js 20+ must be on PATH): {e}"));
    let output = tokio::time::timeout(NODE_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| {
            panic!("`node --test` in browser-tests/ took longer than {NODE_TIMEOUT:?}")
        })
        .unwrap();
    assert!(
        output.status.success(),
        "`node --test` in browser-tests/ failed ({}); screenshots are in {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        screenshots.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
