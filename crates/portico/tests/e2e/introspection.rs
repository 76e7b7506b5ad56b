//! Token introspection with Salesforce's privileges (issue 6; RFC 7662 §2;
//! `reference/salesforce-oauth.md` §5.1; `reference/security.md` §3.3, ATK-58 … ATK-60, ATK-63):
//! three apps — one introspecting its own tokens, another whose tokens it may not see, and one
//! with Introspect All Tokens — plus a registrar that sees the tokens of the app it registered,
//! dead and unknown tokens as exactly `{"active": false}`, client authentication by body, Basic
//! and `private_key_jwt` (401 without it), and JWT-based access tokens introspected like opaque
//! ones.

use serde_json::{Value, json};
use sqlx::Connection as _;

use crate::connected_app_flows::{APP_CALLBACK, app, app_code};
use crate::harness::{self, Server};
use crate::jwt_support::{CLIENT_ASSERTION_TYPE, Signer, jwt_app, now_secs};
use crate::support::{REVOKE, admin_browser, post_form, redeem, s, status_json};
use crate::web_server_flow::admin_token;

pub(crate) const INTROSPECT: &str = "/services/oauth2/introspect";

/// Introspects `token` as the client `(key, secret)` (credentials in the body).
pub(crate) async fn introspect(
    server: &Server,
    client: (&str, &str),
    token: &str,
    hint: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![
        ("token", token),
        ("client_id", client.0),
        ("client_secret", client.1),
    ];
    form.extend(hint.map(|h| ("token_type_hint", h)));
    post_form(server, INTROSPECT, &form).await
}

/// Asserts an active answer about a token of `client_id` and returns it.
pub(crate) fn assert_active(status: u16, body: &Value, client_id: &str, token_type: &str) {
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], true, "{body}");
    assert_eq!(body["client_id"], client_id, "{body}");
    assert_eq!(body["token_type"], token_type, "{body}");
}

/// Asserts exactly `{"active": false}`: nothing else that could tell a foreign token from a dead one.
pub(crate) fn assert_inactive(status: u16, body: &Value) {
    assert_eq!((status, body), (200, &json!({"active": false})));
}

/// The web server flow for app `key` as the administrator; returns the token response.
async fn tokens(server: &Server, browser: &reqwest::Client, key: &str, secret: &str) -> Value {
    let code = app_code(server, browser, key, &[]).await;
    let (status, body) = redeem(
        server,
        &code,
        &[
            ("client_id", key),
            ("client_secret", secret),
            ("redirect_uri", APP_CALLBACK),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn own_tokens_are_active_others_inactive_and_introspect_all_sees_every_token() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;
    let own = app(&server, &admin, "Own", json!({})).await;
    let other = app(&server, &admin, "Other", json!({})).await;
    let all = app(
        &server,
        &admin,
        "All",
        json!({"isIntrospectAllTokens": true}),
    )
    .await;
    let own_tokens = tokens(&server, &browser, &own.0, &own.1).await;
    let other_tokens = tokens(&server, &browser, &other.0, &other.1).await;
    let (own_at, own_rt) = (
        s(&own_tokens, "access_token"),
        s(&own_tokens, "refresh_token"),
    );
    let own_pair = (own.0.as_str(), own.1.as_str());

    let (status, body) = introspect(&server, own_pair, own_at, Some("access_token")).await;
    assert_active(status, &body, &own.0, "access_token");
    let fields: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "active",
        "client_id",
        "exp",
        "iat",
        "nbf",
        "scope",
        "sub",
        "token_type",
        "username",
    ];
    expected.sort_unstable();
    assert_eq!(fields, expected, "{body}");
    assert_eq!(body["username"], harness::ADMIN_USERNAME);
    assert_eq!(body["sub"], own_tokens["id"], "sub is the identity URL");
    assert_eq!(body["scope"], own_tokens["scope"]);
    assert_eq!(body["nbf"], body["iat"]);
    assert_eq!(
        body["exp"].as_i64().unwrap() - body["iat"].as_i64().unwrap(),
        2 * 3600,
        "the default session length"
    );

    // The hint is only a hint (RFC 7662 §2.1, ATK-63): both kinds are found either way.
    for hint in [None, Some("refresh_token"), Some("bogus")] {
        let (status, body) = introspect(&server, own_pair, own_rt, hint).await;
        assert_active(status, &body, &own.0, "refresh_token");
        let (status, body) = introspect(&server, own_pair, own_at, hint).await;
        assert_active(status, &body, &own.0, "access_token");
    }

    // Another app's tokens are none of this app's business (ATK-60).
    for token in [
        s(&other_tokens, "access_token"),
        s(&other_tokens, "refresh_token"),
    ] {
        let (status, body) = introspect(&server, own_pair, token, None).await;
        assert_inactive(status, &body);
    }

    // Introspect All Tokens: every access and refresh token of the org, whoever holds it.
    let all_pair = (all.0.as_str(), all.1.as_str());
    for (token, owner, kind) in [
        (own_at, own.0.as_str(), "access_token"),
        (own_rt, own.0.as_str(), "refresh_token"),
        (
            s(&other_tokens, "access_token"),
            other.0.as_str(),
            "access_token",
        ),
        (
            s(&other_tokens, "refresh_token"),
            other.0.as_str(),
            "refresh_token",
        ),
        (admin.as_str(), "PorticoCLI", "access_token"),
    ] {
        let (status, body) = introspect(&server, all_pair, token, None).await;
        assert_active(status, &body, owner, kind);
    }

    // Basic authentication works as well as the body.
    let res = harness::client()
        .post(server.url(INTROSPECT))
        .basic_auth(&own.0, Some(&own.1))
        .form(&[("token", own_at)])
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_active(status, &body, &own.0, "access_token");
}

/// Moves every access token of the server's database into the past, as if it had expired.
async fn expire_access_tokens(server: &Server) {
    let sql = "UPDATE access_tokens SET expires_at = issued_at + 1";
    let db = server.database();
    if db.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(db.url()).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.url()))
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

#[tokio::test]
async fn unknown_revoked_and_expired_tokens_are_exactly_inactive() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;
    let own = app(&server, &admin, "Own", json!({})).await;
    let pair = (own.0.as_str(), own.1.as_str());
    for garbage in [
        "garbage",
        "00D000000000001!AAAA.bbbb",
        "5Aep861.xyz==",
        "x".repeat(5000).as_str(),
    ] {
        let (status, body) = introspect(&server, pair, garbage, None).await;
        assert_inactive(status, &body);
    }

    let first = tokens(&server, &browser, &own.0, &own.1).await;
    let (status, _) = post_form(&server, REVOKE, &[("token", s(&first, "access_token"))]).await;
    assert_eq!(status, 200);
    let (status, body) = introspect(&server, pair, s(&first, "access_token"), None).await;
    assert_inactive(status, &body);
    let (status, body) = introspect(&server, pair, s(&first, "refresh_token"), None).await;
    assert_active(status, &body, &own.0, "refresh_token");
    // Revoking the refresh token ends the approval and every access token under it (ATK-62).
    let second = tokens(&server, &browser, &own.0, &own.1).await;
    let (status, _) = post_form(&server, REVOKE, &[("token", s(&second, "refresh_token"))]).await;
    assert_eq!(status, 200);
    for token in [s(&second, "refresh_token"), s(&second, "access_token")] {
        let (status, body) = introspect(&server, pair, token, None).await;
        assert_inactive(status, &body);
    }

    let third = tokens(&server, &browser, &own.0, &own.1).await;
    expire_access_tokens(&server).await;
    let (status, body) = introspect(&server, pair, s(&third, "access_token"), None).await;
    assert_inactive(status, &body);
}

#[tokio::test]
async fn introspection_needs_client_authentication() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let own = app(&server, &admin, "Own", json!({})).await;
    let unauthorized = |status: u16, body: &Value| {
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "invalid_client", "{body}");
        assert!(body.get("active").is_none(), "{body}");
    };
    // ATK-58: no client at all, a bare client_id, a wrong secret, an unknown client.
    for form in [
        vec![("token", admin.as_str())],
        vec![("token", admin.as_str()), ("client_id", own.0.as_str())],
        vec![
            ("token", admin.as_str()),
            ("client_id", own.0.as_str()),
            ("client_secret", "WrongSecret0001"),
        ],
        vec![
            ("token", admin.as_str()),
            ("client_id", "NoSuchClient"),
            ("client_secret", "x"),
        ],
        // A public client has no secret to prove who it is.
        vec![("token", admin.as_str()), ("client_id", "PorticoCLI")],
    ] {
        let (status, body) = post_form(&server, INTROSPECT, &form).await;
        unauthorized(status, &body);
    }
    let res = harness::client()
        .post(server.url(INTROSPECT))
        .basic_auth(&own.0, Some("WrongSecret0001"))
        .form(&[("token", admin.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("www-authenticate").is_some());
    let (status, body) = status_json(res).await;
    unauthorized(status, &body);
    let res = harness::client()
        .get(server.url(INTROSPECT))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405, "POST only");
}

#[tokio::test]
async fn jwt_access_tokens_and_private_key_jwt_clients() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;
    let jwt = app(
        &server,
        &admin,
        "JwtTokens",
        json!({"isNamedUserJwtEnabled": true}),
    )
    .await;
    let other = app(&server, &admin, "Other", json!({})).await;
    let issued = tokens(&server, &browser, &jwt.0, &jwt.1).await;
    let at = s(&issued, "access_token");
    assert_eq!(at.split('.').count(), 3, "a JWT: {at}");
    let (status, body) = introspect(&server, (&jwt.0, &jwt.1), at, None).await;
    assert_active(status, &body, &jwt.0, "access_token");
    assert_eq!(body["username"], harness::ADMIN_USERNAME);
    assert_eq!(body["scope"], issued["scope"]);
    let (status, body) = introspect(&server, (&other.0, &other.1), at, None).await;
    assert_inactive(status, &body);
    let (status, _) = post_form(&server, REVOKE, &[("token", at)]).await;
    assert_eq!(status, 200);
    let (status, body) = introspect(&server, (&jwt.0, &jwt.1), at, None).await;
    assert_inactive(status, &body);

    // private_key_jwt: a client assertion signed with the app certificate's key.
    let signer = Signer::rsa();
    let key = jwt_app(
        &server,
        &admin,
        "Signed",
        &signer,
        json!({"isIntrospectAllTokens": true}),
        &[],
    )
    .await;
    let assertion = |jti: &str| {
        signer.sign(&json!({
            "iss": key, "sub": key, "aud": server.url(INTROSPECT), "exp": now_secs() + 120, "jti": jti,
        }))
    };
    let form = |assertion: &str| {
        vec![
            ("token".to_owned(), admin.clone()),
            (
                "client_assertion_type".to_owned(),
                CLIENT_ASSERTION_TYPE.to_owned(),
            ),
            ("client_assertion".to_owned(), assertion.to_owned()),
        ]
    };
    let first = assertion("introspect-1");
    let res = harness::client()
        .post(server.url(INTROSPECT))
        .form(&form(&first))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_active(status, &body, "PorticoCLI", "access_token");
    // The same assertion again is a replay (ATK-49).
    let res = harness::client()
        .post(server.url(INTROSPECT))
        .form(&form(&first))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let forged = Signer::rsa().sign(&json!({
        "iss": key, "sub": key, "aud": server.url(INTROSPECT), "exp": now_secs() + 120, "jti": "introspect-2",
    }));
    let res = harness::client()
        .post(server.url(INTROSPECT))
        .form(&form(&forged))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "signed with another key");
}
