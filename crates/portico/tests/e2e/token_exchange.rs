//! General token exchange (issue 7, RFC 8693, `reference/salesforce-oauth.md` §3.10) for apps
//! with Enable Token Exchange, and asset tokens verified by the `jose` npm package against
//! `/id/keys` (`interop/asset.test.mjs`).

use serde_json::json;

use crate::asset_support::{ACCESS_TOKEN, EXCHANGE, asset_app, exchange, full_config, user_token};
use crate::harness::{self, Server};
use crate::support::{app_json, create_app, oauth_error, s, token};
use crate::web_server_flow::admin_token;

#[tokio::test]
async fn token_exchange_issues_a_normal_token_for_an_access_or_id_token_of_the_same_app() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    create_app(
        &server,
        &admin,
        app_json("Bridge", json!({"isTokenExchangeEnabled": true})),
    )
    .await;
    let subject = user_token(&server, &harness::client(), "Bridge", "api openid").await;
    let (status, body) = exchange(
        &server,
        "Bridge",
        s(&subject, "access_token"),
        &[("scope", "api")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s(&body, "issued_token_type"), ACCESS_TOKEN);
    assert_eq!(s(&body, "scope"), "api");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(body["id"], subject["id"]);
    let (status, _) =
        crate::support::get_bearer(&server, "/services/data/v62.0", s(&body, "access_token")).await;
    assert_eq!(status, 200, "the new token is accepted");
    // A scope the subject does not hold is refused.
    let (status, body) = exchange(
        &server,
        "Bridge",
        s(&subject, "access_token"),
        &[("scope", "web")],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_scope"),
        "{body}"
    );
    // An ID token of this server issued to this app.
    let (status, body) = token(
        &server,
        &[
            ("grant_type", EXCHANGE),
            ("client_id", "BridgeKey0001"),
            ("client_secret", "BridgeSecret0001"),
            ("subject_token", s(&subject, "id_token")),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], subject["id"]);
    let forged = format!("{}x", s(&subject, "id_token"));
    let (status, body) = token(
        &server,
        &[
            ("grant_type", EXCHANGE),
            ("client_id", "BridgeKey0001"),
            ("client_secret", "BridgeSecret0001"),
            ("subject_token", &forged),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
        ],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_request"),
        "{body}"
    );
}

#[tokio::test]
async fn jose_verifies_asset_tokens_against_id_keys() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    asset_app(&server, &admin, "Sensors", full_config()).await;
    let mut plain = full_config();
    plain["assetIncludeAttributes"] = json!(false);
    plain["assetIncludeCustomPerms"] = json!(false);
    asset_app(&server, &admin, "Plains", plain).await;
    let browser = harness::client();
    let sensors = user_token(&server, &browser, "Sensors", "api openid").await;
    let plains = user_token(&server, &browser, "Plains", "api openid").await;
    let envs = [
        ("PORTICO_ASSET_CLIENT_ID", "SensorsKey0001".to_owned()),
        (
            "PORTICO_ASSET_CLIENT_SECRET",
            "SensorsSecret0001".to_owned(),
        ),
        (
            "PORTICO_ASSET_SUBJECT_TOKEN",
            s(&sensors, "access_token").to_owned(),
        ),
        ("PORTICO_ASSET_PLAIN_CLIENT_ID", "PlainsKey0001".to_owned()),
        (
            "PORTICO_ASSET_PLAIN_CLIENT_SECRET",
            "PlainsSecret0001".to_owned(),
        ),
        (
            "PORTICO_ASSET_PLAIN_SUBJECT_TOKEN",
            s(&plains, "access_token").to_owned(),
        ),
    ];
    crate::device_interop::node_tests(&server, &["asset.test.mjs"], 2, &envs).await;
}
