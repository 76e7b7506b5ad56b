//! The client credentials flow (issue 4; `reference/salesforce-oauth.md` §3.7, §8.7;
//! `reference/security.md` ATK-39): only for apps that enable it, with their secret by body or
//! Basic, acting as the run-as user, never with a refresh token.

use serde_json::json;

use crate::connected_app_flows::{app, assert_invalid_client};
use crate::harness::{self, Server};
use crate::permitted_users::upload_package;
use crate::support::{
    TOKEN, USERINFO, assert_json_signature, create_user, get_bearer, oauth_error, s, token,
};
use crate::web_server_flow::admin_token;

#[tokio::test]
async fn client_credentials_act_as_the_run_as_user_without_a_refresh_token() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let run_as = create_user(&server, &admin, "ccrun@e2e.test", "ApiOnlyUser").await;
    let (key, secret) = app(
        &server,
        &admin,
        "CcApp",
        json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": "ccrun@e2e.test"}),
    )
    .await;
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &key),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
    assert!(s(&body, "id").ends_with(&format!("/{run_as}")), "{body}");
    assert!(
        !s(&body, "scope").split(' ').any(|x| x == "refresh_token"),
        "{body}"
    );
    assert_json_signature(&body, &secret);
    let (status, me) = get_bearer(&server, USERINFO, s(&body, "access_token")).await;
    assert_eq!(
        (status, me["preferred_username"].as_str()),
        (200, Some("ccrun@e2e.test"))
    );

    let res = harness::client()
        .post(server.url(TOKEN))
        .basic_auth(&key, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "Basic");
    let res = harness::client()
        .post(server.url(TOKEN))
        .basic_auth(&key, Some("WrongSecret0004"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    for form in [
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", key.as_str()),
        ],
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", key.as_str()),
            ("client_secret", "WrongSecret0004"),
        ],
    ] {
        let (status, body) = token(&server, &form).await;
        assert_invalid_client(status, &body);
    }

    // Not enabled on the app.
    let (key, secret) = app(&server, &admin, "NoCcApp", json!({})).await;
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &key),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "unsupported_grant_type"),
        "{body}"
    );
}

#[tokio::test]
async fn client_credentials_without_a_run_as_user_are_refused() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let created = upload_package(
        &server,
        &admin,
        "NoRunAs",
        "        <isClientCredentialEnabled>true</isClientCredentialEnabled>\n        <scopes>Api</scopes>",
    )
    .await;
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "NoRunAsKey0001"),
            ("client_secret", s(&created, "consumerSecret")),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        oauth_error(&body),
        ("invalid_grant", "no client credentials user enabled")
    );
}

#[tokio::test]
async fn a_public_client_cannot_use_client_credentials() {
    let server = Server::start();
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "PorticoCLI"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.get("access_token").is_none());
    assert_eq!(
        oauth_error(&body).0,
        "unsupported_grant_type",
        "ATK-39: {body}"
    );
}
