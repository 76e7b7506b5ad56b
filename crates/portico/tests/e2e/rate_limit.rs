//! Rate limits at the token endpoint (per IP and per client) and the login form answer 429
//! with Salesforce's `rate_limit_exceeded`.

use crate::browser::login;
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};

#[tokio::test]
async fn token_endpoint_answers_429_rate_limit_exceeded_past_the_limit() {
    let server = Server::start_with(&["--rate-limit-per-minute", "5"], &[]);
    let http = harness::client();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let res = http
            .post(server.url("/services/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "PorticoCLI"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
        if res.status() == 429 {
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["error"], "rate_limit_exceeded");
        }
    }
    assert_eq!(&statuses[..5], &[400; 5], "{statuses:?}");
    assert_eq!(&statuses[5..], &[429; 2], "{statuses:?}");
}

#[tokio::test]
async fn login_form_answers_429_past_the_limit_per_ip() {
    let server = Server::start_with(&["--rate-limit-per-minute", "3"], &[]);
    let client = harness::client();
    for _ in 0..3 {
        assert_eq!(
            login(&server, &client, ADMIN_USERNAME, "wrong")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        login(&server, &client, ADMIN_USERNAME, ADMIN_PASSWORD)
            .await
            .status(),
        429
    );
}

#[tokio::test]
async fn default_limits_do_not_bother_a_test_suite() {
    let server = Server::start();
    let http = harness::client();
    for _ in 0..200 {
        let res = http
            .post(server.url("/services/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "PorticoCLI"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
    }
}
