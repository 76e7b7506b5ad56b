//! Flows that honour each connected app's settings (issue 4), with apps made through the admin
//! API (CONTRACT §3): Require Secret for Web Server Flow, `signature`, codes and refresh tokens
//! bound to their client, PKCE downgrade and Require PKCE, and the user-agent flow's refresh token
//! for custom schemes. Permitted users and installation are in `permitted_users.rs`, refresh policies in
//! `refresh_policies.rs`, the client credentials flow in `client_credentials.rs`.

use serde_json::{Value, json};

use crate::browser::{authorize_as_admin, callback_param, location};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{
    TOKEN, app_json, assert_json_signature, assert_signature, authorize_url, cli_tokens,
    create_app, oauth_error, pkce_pair, redeem, s, status_json, token, verify_id_token,
};
use crate::web_server_flow::{CLI_CALLBACK, admin_token};

pub(crate) const APP_CALLBACK: &str = "https://app.test/cb";

/// Creates app `name` (see [`app_json`]) and returns its consumer key and secret.
pub(crate) async fn app(
    server: &Server,
    admin: &str,
    name: &str,
    oauth: Value,
) -> (String, String) {
    let created = create_app(server, admin, app_json(name, oauth)).await;
    let key = created["consumerKey"]
        .as_str()
        .or_else(|| created["oauthConfig"]["consumerKey"].as_str());
    assert_eq!(key, Some(format!("{name}Key0001").as_str()), "{created}");
    (format!("{name}Key0001"), format!("{name}Secret0001"))
}

/// Runs the web server flow for `key` as the administrator in `browser`; returns the code.
pub(crate) async fn app_code(
    server: &Server,
    browser: &reqwest::Client,
    key: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", key),
        ("redirect_uri", APP_CALLBACK),
        ("state", "s1"),
    ];
    params.extend_from_slice(extra);
    let to = authorize_as_admin(server, browser, &authorize_url(server, &params)).await;
    assert!(to.starts_with(&format!("{APP_CALLBACK}?")), "{to}");
    callback_param(&to, "code").unwrap_or_else(|| panic!("no code: {to}"))
}

pub(crate) async fn refresh(server: &Server, rt: &str, creds: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", rt)];
    form.extend_from_slice(creds);
    token(server, &form).await
}

pub(crate) fn assert_invalid_client(status: u16, body: &Value) {
    assert_eq!(
        (status, oauth_error(body).0),
        (400, "invalid_client"),
        "{body}"
    );
}

#[tokio::test]
async fn require_secret_for_web_server_flow_and_the_signature() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (key, secret) = app(&server, &admin, "WebApp", json!({})).await;
    let browser = harness::client();
    let code = app_code(&server, &browser, &key, &[]).await;
    let cb = [("client_id", key.as_str()), ("redirect_uri", APP_CALLBACK)];
    let (status, body) = redeem(&server, &code, &cb).await;
    assert_invalid_client(status, &body);
    let (status, body) = redeem(
        &server,
        &code,
        &[cb[0], cb[1], ("client_secret", "WrongSecret0001")],
    )
    .await;
    assert_invalid_client(status, &body);
    // Failed client authentication did not burn the code (BCP-15).
    let (status, body) = redeem(&server, &code, &[cb[0], cb[1], ("client_secret", &secret)]).await;
    assert_eq!(status, 200, "{body}");
    assert_json_signature(&body, &secret);
    assert!(
        body["refresh_token"].is_string(),
        "no scope asked: all the app's scopes"
    );
    let claims = verify_id_token(&server, s(&body, "id_token"), &key).await;
    assert_eq!(claims["sub"], body["id"]);

    // HTTP Basic works as well as the body.
    let code = app_code(&server, &browser, &key, &[]).await;
    let res = harness::client()
        .post(server.url(TOKEN))
        .basic_auth(&key, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", APP_CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 200, "{body}");

    // Secret optional: none is fine, but a secret that is sent is still checked.
    let (key, secret) = app(
        &server,
        &admin,
        "OptApp",
        json!({"isConsumerSecretOptional": true}),
    )
    .await;
    let code = app_code(&server, &browser, &key, &[]).await;
    let (status, body) = redeem(
        &server,
        &code,
        &[("client_id", &key), ("client_secret", "WrongSecret0002")],
    )
    .await;
    assert_invalid_client(status, &body);
    let (status, body) = redeem(&server, &code, &[("client_id", &key)]).await;
    assert_eq!(status, 200, "{body}");
    assert_json_signature(&body, &secret);
}

#[tokio::test]
async fn codes_and_refresh_tokens_are_bound_to_their_client() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (key, secret) = app(&server, &admin, "BoundApp", json!({})).await;
    let browser = harness::client();
    let with_secret = [
        ("client_id", key.as_str()),
        ("client_secret", secret.as_str()),
    ];

    // ATK-24: a code redeemed by another client.
    let code = app_code(&server, &browser, &key, &[]).await;
    let (status, body) = redeem(
        &server,
        &code,
        &[("client_id", "PorticoCLI"), ("redirect_uri", APP_CALLBACK)],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "{body}"
    );
    let (verifier, challenge) = pkce_pair();
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "PorticoCLI"),
            ("redirect_uri", CLI_CALLBACK),
            ("code_challenge", &challenge),
        ],
    );
    let cli_code =
        callback_param(&authorize_as_admin(&server, &browser, &url).await, "code").unwrap();
    let (status, body) = redeem(
        &server,
        &cli_code,
        &[with_secret[0], with_secret[1], ("code_verifier", &verifier)],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "{body}"
    );

    // ATK-34: refresh tokens too, both ways; the owners keep theirs.
    let code = app_code(&server, &browser, &key, &[]).await;
    let (_, app_tokens) = redeem(&server, &code, &with_secret).await;
    let cli = cli_tokens(&server, ADMIN_USERNAME, ADMIN_PASSWORD, "api refresh_token").await;
    let (status, body) = refresh(&server, s(&cli, "refresh_token"), &with_secret).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "{body}"
    );
    let (status, body) = refresh(
        &server,
        s(&app_tokens, "refresh_token"),
        &[("client_id", "PorticoCLI")],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "{body}"
    );
    assert_eq!(
        refresh(
            &server,
            s(&cli, "refresh_token"),
            &[("client_id", "PorticoCLI")]
        )
        .await
        .0,
        200
    );
    assert_eq!(
        refresh(&server, s(&app_tokens, "refresh_token"), &with_secret)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn pkce_downgrade_is_refused_and_require_pkce_is_enforced() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (key, secret) = app(&server, &admin, "PkceOff", json!({})).await;
    let browser = harness::client();
    let creds = [
        ("client_id", key.as_str()),
        ("client_secret", secret.as_str()),
    ];
    // ATK-23: no challenge on authorize, a verifier on redemption.
    let code = app_code(&server, &browser, &key, &[]).await;
    let (status, body) = redeem(
        &server,
        &code,
        &[creds[0], creds[1], ("code_verifier", &"v".repeat(43))],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "{body}"
    );
    let code = app_code(&server, &browser, &key, &[]).await;
    assert_eq!(
        redeem(&server, &code, &creds).await.0,
        200,
        "no challenge, no verifier"
    );
    // A challenge that was sent must be answered.
    let (verifier, challenge) = pkce_pair();
    let code = app_code(&server, &browser, &key, &[("code_challenge", &challenge)]).await;
    let (status, body) = redeem(&server, &code, &creds).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "{body}"
    );
    let code = app_code(&server, &browser, &key, &[("code_challenge", &challenge)]).await;
    assert_eq!(
        redeem(
            &server,
            &code,
            &[creds[0], creds[1], ("code_verifier", &verifier)]
        )
        .await
        .0,
        200
    );

    let (key, _) = app(&server, &admin, "PkceOn", json!({"isPkceRequired": true})).await;
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", &key),
            ("redirect_uri", APP_CALLBACK),
            ("state", "p"),
        ],
    );
    let res = browser.get(&url).send().await.unwrap();
    let to = location(&res);
    assert!(to.starts_with(APP_CALLBACK), "{to}");
    assert_eq!(
        callback_param(&to, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(callback_param(&to, "state").as_deref(), Some("p"));
}

#[tokio::test]
async fn user_agent_flow_returns_a_refresh_token_only_to_custom_schemes() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (key, secret) = app(&server, &admin, "UaApp", json!({})).await;
    let browser = harness::client();
    for (callback, gets_refresh) in [("myapp://callback", true), (APP_CALLBACK, false)] {
        let url = authorize_url(
            &server,
            &[
                ("response_type", "token"),
                ("client_id", &key),
                ("redirect_uri", callback),
                ("scope", "api refresh_token"),
                ("state", "u"),
            ],
        );
        let to = authorize_as_admin(&server, &browser, &url).await;
        assert!(to.starts_with(&format!("{callback}#")), "{to}");
        let fragment = url::Url::parse(&to).unwrap().fragment().unwrap().to_owned();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(fragment.as_bytes())
            .into_owned()
            .collect();
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_signature(&borrowed, &secret);
        let refresh_token = pairs.iter().find(|(k, _)| k == "refresh_token");
        assert_eq!(refresh_token.is_some(), gets_refresh, "{to}");
        if let Some((_, rt)) = refresh_token {
            assert_eq!(
                refresh(
                    &server,
                    rt,
                    &[("client_id", &key), ("client_secret", &secret)]
                )
                .await
                .0,
                200
            );
        }
    }
}
