//! Interop with real JavaScript clients (issue 4): starts a Portico server and runs
//! `node --test` in `interop/` (jsforce and openid-client, pinned in `interop/package-lock.json`)
//! against it. The clients must be installed first with `npm ci --prefix interop`; without them
//! this test fails rather than skip, so CI cannot pass without running them.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use crate::harness::{ADMIN_PASSWORD, ADMIN_USERNAME, Server};

/// Longest time the JavaScript suite may take.
const NODE_TIMEOUT: Duration = Duration::from_secs(180);

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../interop")
}

#[tokio::test]
async fn jsforce_and_openid_client_log_in_refresh_and_revoke_against_portico() {
    let dir = interop_dir();
    assert!(
        dir.join("package-lock.json").is_file(),
        "{} has no package-lock.json",
        dir.display()
    );
    assert!(
        dir.join("node_modules").join("jsforce").is_dir()
            && dir.join("node_modules").join("openid-client").is_dir(),
        "the interop clients are not installed: run `npm ci --prefix interop` at the repository \
         root (needs Node.js 20+ and the npm registry), then run this test again"
    );
    let server = Server::start();
    let child = tokio::process::Command::new("node")
        .arg("--test")
        .current_dir(&dir)
        .env("PORTICO_URL", server.base_url())
        .env("PORTICO_ADMIN_USERNAME", ADMIN_USERNAME)
        .env("PORTICO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("could not run `node` (Node.js 20+ must be on PATH): {e}"));
    let output = tokio::time::timeout(NODE_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("`node --test` in interop/ took longer than {NODE_TIMEOUT:?}"))
        .unwrap();
    assert!(
        output.status.success(),
        "`node --test` in interop/ failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
