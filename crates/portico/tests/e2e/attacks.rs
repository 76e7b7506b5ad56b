//! Attack cases of `reference/security.md` §6 at the token side that need no app but PorticoCLI
//! (redirect tricks are in `web_server_flow.rs`, browser-side ones in `page_attacks.rs`,
//! app-bound ones in `connected_app_flows.rs`): concurrent code redemption (ATK-31), code binding
//! (ATK-25, ATK-32), oversized requests (ATK-20).

use crate::browser::callback_param;
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{
    TOKEN, authorize_url, cli_code_url, cli_tokens, oauth_error, pkce_pair, redeem, s, status_json,
    token,
};
use crate::web_server_flow::CLI_CALLBACK;

/// A fresh code for PorticoCLI (the admin has approved it already in `browser`) and its verifier.
async fn code(server: &Server, browser: &reqwest::Client) -> (String, String) {
    let (verifier, challenge) = pkce_pair();
    let to = crate::browser::authorize_as_admin(
        server,
        browser,
        &cli_code_url(server, "api refresh_token", &challenge, &[]),
    )
    .await;
    (callback_param(&to, "code").unwrap(), verifier)
}

fn cli(verifier: &str) -> Vec<(&'static str, String)> {
    vec![
        ("client_id", "PorticoCLI".into()),
        ("redirect_uri", CLI_CALLBACK.into()),
        ("code_verifier", verifier.into()),
    ]
}

async fn redeem_with(
    server: &Server,
    code: &str,
    form: &[(&'static str, String)],
) -> (u16, serde_json::Value) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redeem(server, code, &form).await
}

#[tokio::test]
async fn fifty_parallel_redemptions_of_one_code_yield_exactly_one_token() {
    let server = Server::start();
    let browser = harness::client();
    let (code, verifier) = code(&server, &browser).await;
    let mut form = cli(&verifier);
    form.extend([
        ("grant_type", "authorization_code".to_owned()),
        ("code", code),
    ]);
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (url, form) = (server.url(TOKEN), form.clone());
        attempts.spawn(async move {
            status_json(
                harness::client()
                    .post(url)
                    .form(&form)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        });
    }
    let results = attempts.join_all().await;
    let ok = results.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(ok, 1, "ATK-31: {results:?}");
    for (status, body) in results.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(
            (*status, oauth_error(body).0),
            (400, "invalid_grant"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_code_is_bound_to_its_redirect_uri_and_other_credentials_are_no_code() {
    let server = Server::start();
    let browser = harness::client();
    let (code, verifier) = code(&server, &browser).await;
    let mut form = cli(&verifier);
    form[1].1 = "http://localhost:1717/OauthRedirect/other".into();
    let (status, body) = redeem_with(&server, &code, &form).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "ATK-25: {body}"
    );

    // A refresh token, an access token or garbage submitted as a code (ATK-32).
    let tokens = cli_tokens(&server, ADMIN_USERNAME, ADMIN_PASSWORD, "api refresh_token").await;
    let (_, verifier) = pkce_pair();
    for not_a_code in [
        s(&tokens, "refresh_token"),
        s(&tokens, "access_token"),
        "aPxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ] {
        let (status, body) = redeem_with(&server, not_a_code, &cli(&verifier)).await;
        assert_eq!(
            (status, oauth_error(&body).0),
            (400, "invalid_grant"),
            "{body}"
        );
    }
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "PorticoCLI"),
        ],
    )
    .await;
    assert_eq!(status, 400, "no code at all: {body}");
}

#[tokio::test]
async fn an_oversized_redirect_uri_gets_an_error_page_and_the_server_stays_healthy() {
    let server = Server::start();
    let http = harness::client();
    let long_redirect = format!("https://app.test/{}", "a".repeat(10 * 1024));
    let params = [
        ("client_id", "PorticoCLI"),
        ("response_type", "code"),
        ("redirect_uri", long_redirect.as_str()),
    ];
    let res = http
        .get(authorize_url(&server, &params))
        .send()
        .await
        .unwrap();
    assert!(
        matches!(res.status().as_u16(), 400 | 414 | 431),
        "ATK-20: {}",
        res.status()
    );
    assert!(res.headers().get("location").is_none());
    assert_eq!(
        http.get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn an_oversized_authorization_parameter_is_refused() {
    let server = Server::start();
    let http = harness::client();
    let huge_state = "s".repeat(60 * 1024);
    let (_, challenge) = pkce_pair();
    let url = cli_code_url(&server, "api", &challenge, &[])
        .replace("state=st", &format!("state={huge_state}"));
    let res = http.get(url).send().await.unwrap();
    assert!(
        matches!(res.status().as_u16(), 400 | 414 | 431),
        "ATK-20: {}",
        res.status()
    );
    assert!(res.headers().get("location").is_none());
    assert_eq!(
        http.get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
