//! Refresh-token settings of connected apps (issue 4, "Refresh token flow";
//! `reference/salesforce-oauth.md` §3.6, §7.2, §8.4; `reference/security.md` ATK-37): Require
//! Secret for Refresh Token Flow, the refresh token policy, rotation with concurrent refreshes,
//! and `full` without a refresh token unless one is asked for.

use serde_json::json;

use crate::connected_app_flows::{app, app_code, assert_invalid_client, refresh};
use crate::harness::{self, Server};
use crate::support::{
    USERINFO, app_json, assert_json_signature, create_app, get_bearer, oauth_error, redeem, s,
};
use crate::web_server_flow::admin_token;

#[tokio::test]
async fn require_secret_for_refresh_token_flow() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = harness::client();
    for (name, required) in [("RtReq", true), ("RtOpt", false)] {
        let (key, secret) = app(
            &server,
            &admin,
            name,
            json!({"isSecretRequiredForRefreshToken": required}),
        )
        .await;
        let code = app_code(&server, &browser, &key, &[("scope", "api refresh_token")]).await;
        let (status, tokens) = redeem(
            &server,
            &code,
            &[("client_id", &key), ("client_secret", &secret)],
        )
        .await;
        assert_eq!(status, 200, "{tokens}");
        let rt = s(&tokens, "refresh_token");
        let (status, body) = refresh(&server, rt, &[("client_id", &key)]).await;
        if required {
            assert_invalid_client(status, &body);
        } else {
            assert_eq!(status, 200, "{name}: {body}");
        }
        let (status, body) = refresh(
            &server,
            rt,
            &[("client_id", &key), ("client_secret", "WrongSecret0003")],
        )
        .await;
        assert_invalid_client(status, &body);
        let (status, body) = refresh(
            &server,
            rt,
            &[("client_id", &key), ("client_secret", &secret)],
        )
        .await;
        assert_eq!(status, 200, "{name}: {body}");
        assert_json_signature(&body, &secret);
        assert!(body.get("refresh_token").is_none());
    }
}

#[tokio::test]
async fn refresh_token_policy_and_rotation() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = harness::client();
    let policy = |p: &str| json!({"ipRelaxation": "ENFORCE", "refreshTokenPolicy": p});

    // `zero`: the refresh token never works, the session's access token does.
    let mut zero = app_json("ZeroApp", json!({}));
    zero["oauthPolicy"] = policy("zero");
    create_app(&server, &admin, zero).await;
    let code = app_code(&server, &browser, "ZeroAppKey0001", &[]).await;
    let creds = [
        ("client_id", "ZeroAppKey0001"),
        ("client_secret", "ZeroAppSecret0001"),
    ];
    let (_, tokens) = redeem(&server, &code, &creds).await;
    let (status, body) = refresh(&server, s(&tokens, "refresh_token"), &creds).await;
    assert_eq!(
        (status, oauth_error(&body).1),
        (400, "expired access/refresh token"),
        "{body}"
    );
    assert_eq!(
        get_bearer(&server, USERINFO, s(&tokens, "access_token"))
            .await
            .0,
        200
    );

    // A lifetime that has not run out.
    let mut lifetime = app_json("LifeApp", json!({}));
    lifetime["oauthPolicy"] = policy("specific_lifetime:1:HOURS");
    create_app(&server, &admin, lifetime).await;
    let code = app_code(&server, &browser, "LifeAppKey0001", &[]).await;
    let creds = [
        ("client_id", "LifeAppKey0001"),
        ("client_secret", "LifeAppSecret0001"),
    ];
    let (_, tokens) = redeem(&server, &code, &creds).await;
    assert_eq!(
        refresh(&server, s(&tokens, "refresh_token"), &creds)
            .await
            .0,
        200
    );

    // Rotation: each refresh returns a new refresh token; two concurrent refreshes with the same
    // token both succeed (ATK-37).
    let (key, secret) = app(
        &server,
        &admin,
        "RotApp",
        json!({"isRefreshTokenRotationEnabled": true}),
    )
    .await;
    let creds = [
        ("client_id", key.as_str()),
        ("client_secret", secret.as_str()),
    ];
    let code = app_code(&server, &browser, &key, &[]).await;
    let (_, tokens) = redeem(&server, &code, &creds).await;
    let rt1 = s(&tokens, "refresh_token");
    let (status, body) = refresh(&server, rt1, &creds).await;
    assert_eq!(status, 200, "{body}");
    let rt2 = s(&body, "refresh_token").to_owned();
    assert_ne!(rt2, rt1);
    let (a, b) = tokio::join!(
        refresh(&server, &rt2, &creds),
        refresh(&server, &rt2, &creds)
    );
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    let (rt3a, rt3b) = (s(&a.1, "refresh_token"), s(&b.1, "refresh_token"));
    assert_ne!(rt3a, rt2);
    assert_ne!(rt3b, rt2);
    for rt in [rt3a, rt3b] {
        assert_eq!(refresh(&server, rt, &creds).await.0, 200);
    }
}

#[tokio::test]
async fn full_never_yields_a_refresh_token_unless_it_is_requested() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (key, secret) = app(
        &server,
        &admin,
        "FullApp",
        json!({"scopes": ["full", "api", "refresh_token"]}),
    )
    .await;
    let browser = harness::client();
    let creds = [
        ("client_id", key.as_str()),
        ("client_secret", secret.as_str()),
    ];
    for (scope, gets_refresh) in [
        (Some("full"), false),
        (Some("full refresh_token"), true),
        (None, true),
    ] {
        let extra: Vec<(&str, &str)> = scope.map(|s| ("scope", s)).into_iter().collect();
        let code = app_code(&server, &browser, &key, &extra).await;
        let (status, body) = redeem(&server, &code, &creds).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body.get("refresh_token").is_some(),
            gets_refresh,
            "{scope:?}: {body}"
        );
    }
}
