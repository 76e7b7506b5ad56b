//! Start-up and shutdown: health, readiness, the published key, the bound port and issuer,
//! configuration layering as the server sees it, and graceful stop on SIGTERM.

use serde_json::Value;

use crate::harness::{self, Database, Server};

async fn get_json(url: &str) -> Value {
    let res = harness::client().get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {url}");
    res.json().await.unwrap()
}

async fn issuer_of(server: &Server) -> String {
    let doc = get_json(&server.url("/.well-known/openid-configuration")).await;
    doc["issuer"]
        .as_str()
        .expect("discovery has an issuer")
        .to_owned()
}

#[tokio::test]
async fn a_fresh_server_is_healthy_ready_and_publishes_a_key() {
    let server = Server::start();
    let client = harness::client();
    for path in ["/healthz", "/readyz"] {
        let res = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    let jwks = get_json(&server.url("/id/keys")).await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{jwks}");
    assert_eq!(keys[0]["kid"], "1");
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["alg"], "RS256");
}

#[tokio::test]
async fn port_zero_prints_the_real_port_and_the_issuer_uses_it() {
    let server = Server::start_with(
        &[
            "--jwt-audiences",
            "https://login.salesforce.com,https://test.salesforce.com",
        ],
        &[("PORTICO_ALLOW_PASSWORD_FLOW", "true")],
    );
    let url = reqwest::Url::parse(server.base_url()).unwrap();
    assert_eq!(url.scheme(), "http");
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    assert_ne!(url.port(), Some(0));
    assert!(url.port().is_some());
    assert_eq!(
        server.stdout().last().unwrap(),
        &format!("listening on {}", server.base_url())
    );
    assert_eq!(issuer_of(&server).await, server.base_url());
}

#[tokio::test]
async fn settings_come_from_flags_then_variables_then_the_file() {
    let database = Database::fresh();
    std::fs::write(
        database.dir().join("portico.toml"),
        "issuer = \"https://file.example.com\"\ninstance_url = \"https://file-instance.example.com\"\n",
    )
    .unwrap();
    let server = Server::builder().database(database.clone()).start();
    assert_eq!(issuer_of(&server).await, "https://file.example.com");
    drop(server);

    let server = Server::builder()
        .database(database.clone())
        .env("PORTICO_ISSUER", "https://env.example.com/")
        .start();
    assert_eq!(issuer_of(&server).await, "https://env.example.com");
    drop(server);

    let server = Server::builder()
        .database(database)
        .env("PORTICO_ISSUER", "https://env.example.com")
        .arg("--issuer")
        .arg("https://flag.example.com")
        .start();
    assert_eq!(issuer_of(&server).await, "https://flag.example.com");
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let mut server = Server::start();
    // An idle keep-alive connection must not hold the shutdown up.
    let client = harness::client();
    assert_eq!(
        client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let status = server.stop();
    assert!(
        status.success(),
        "exit status {status}\n{}",
        server.stderr()
    );
    assert!(
        client.get(server.url("/healthz")).send().await.is_err(),
        "still answering after stop"
    );
    assert!(
        server.stderr().contains("shutting down"),
        "{}",
        server.stderr()
    );
}
