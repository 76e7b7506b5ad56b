//! The JWT bearer flow with real clients (issue 5; RFC 7523 §2.1, §3): @salesforce/core's JWT login
//! and jsforce with a jsonwebtoken assertion (`interop/jwt.test.mjs`), and PyJWT as
//! simple-salesforce uses it (`interop/python/jwt_login.py`). The server accepts
//! `https://login.salesforce.com` as an audience, as those clients send it unmodified; the app is
//! pre-authorized for the admin.

use std::io::Write as _;

use crate::device_interop::{interop_dir, node_tests, run_client};
use crate::harness::{ADMIN_USERNAME, Server};
use crate::jwt_support::{Signer, preauthorized_app};
use crate::web_server_flow::admin_token;

/// A server taking Salesforce's login audience, a pre-authorized app, and the environment the
/// clients read (the private key in a file, as clients load it).
async fn setup() -> (Server, tempfile::NamedTempFile, Vec<(&'static str, String)>) {
    let server = Server::builder()
        .arg("--jwt-audiences")
        .arg("https://login.salesforce.com")
        .start();
    let admin = admin_token(&server).await;
    let signer = Signer::rsa();
    let key = preauthorized_app(&server, &admin, "Interop", &signer).await;
    let mut key_file = tempfile::NamedTempFile::new().unwrap();
    key_file.write_all(signer.private_pem().as_bytes()).unwrap();
    let envs = vec![
        ("PORTICO_JWT_CLIENT_ID", key),
        (
            "PORTICO_JWT_KEY_FILE",
            key_file.path().display().to_string(),
        ),
        ("PORTICO_JWT_USERNAME", ADMIN_USERNAME.to_owned()),
    ];
    (server, key_file, envs)
}

#[tokio::test]
async fn jwt_bearer_with_salesforce_core_and_jsforce() {
    let modules = interop_dir().join("node_modules");
    for package in ["jsforce", "jsonwebtoken", "@salesforce/core"] {
        assert!(
            modules.join(package).is_dir(),
            "{package} is not installed: run `npm ci --prefix interop`"
        );
    }
    let (server, _key_file, envs) = setup().await;
    node_tests(&server, &["jwt.test.mjs"], 2, &envs).await;
}

#[tokio::test]
async fn jwt_bearer_with_pyjwt_as_simple_salesforce_signs() {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import jwt, cryptography"])
        .output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "PyJWT is not installed: run `python3 -m pip install -r interop/python/requirements.txt`"
    );
    let (server, _key_file, envs) = setup().await;
    let mut command = tokio::process::Command::new("python3");
    command.arg("python/jwt_login.py");
    let stdout = run_client(command, &server, &envs).await;
    assert!(stdout.contains("6 passed, 0 failed"), "{stdout}");
}
