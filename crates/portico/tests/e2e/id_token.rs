//! ID tokens as each app's "Configure ID Token" settings make them (issue 6; OIDC Core §2,
//! §3.1.3.6, §12.2; `reference/salesforce-oauth.md` §6.1): lifetimes of 1, 2 and 720 minutes,
//! audiences (`azp` with several), the standard claims switch, `nonce` / `at_hash` / `auth_time`
//! (kept across a refresh), no `c_hash` without a hybrid response, and `max_age` with
//! `prompt=none`. Custom attributes and permissions are in `id_token_claims.rs`. Every ID token is
//! verified against `/id/keys` with the `jsonwebtoken` crate.

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;

use crate::browser::{authorize, callback_param, location};
use crate::connected_app_flows::{APP_CALLBACK, app, app_code, refresh};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{admin_browser, api, app_json, authorize_url, redeem, s, verify_id_token};
use crate::web_server_flow::admin_token;

/// The web server flow for app `key` as the administrator in `browser`, redeemed with its
/// secret; returns the token response.
pub(crate) async fn app_tokens(
    server: &Server,
    browser: &reqwest::Client,
    key: &str,
    secret: &str,
    extra: &[(&str, &str)],
) -> Value {
    let code = app_code(server, browser, key, extra).await;
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

fn secs(claims: &Value, name: &str) -> i64 {
    claims[name]
        .as_i64()
        .unwrap_or_else(|| panic!("no numeric {name} in {claims}"))
}

/// `at_hash` for an access token: base64url of the left half of its SHA-256 (OIDC Core §3.1.3.6).
fn at_hash(access_token: &str) -> String {
    let digest = sha2::Sha256::digest(access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[tokio::test]
async fn id_tokens_live_for_the_apps_token_valid_for_minutes() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;
    for (name, oauth, minutes) in [
        ("Ttl1", json!({"idTokenConfig": {"idTokenValidity": 1}}), 1),
        ("TtlDefault", json!({}), 2),
        (
            "Ttl720",
            json!({"idTokenConfig": {"idTokenValidity": 720}}),
            720,
        ),
    ] {
        let (key, secret) = app(&server, &admin, name, oauth).await;
        let body = app_tokens(&server, &browser, &key, &secret, &[]).await;
        let claims = verify_id_token(&server, s(&body, "id_token"), &key).await;
        assert_eq!(
            secs(&claims, "exp") - secs(&claims, "iat"),
            minutes * 60,
            "{name}: {claims}"
        );
    }
    for bad in [0, 721] {
        let (status, body) = api(
            &server,
            &admin,
            reqwest::Method::POST,
            "/api/v1/connected-apps",
            Some(app_json(
                "TtlBad",
                json!({"idTokenConfig": {"idTokenValidity": bad}}),
            )),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(
            body[0]["fields"][0], "oauthConfig.idTokenConfig.idTokenValidity",
            "{body}"
        );
    }
}

#[tokio::test]
async fn audiences_are_the_consumer_key_and_every_configured_one() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;

    let (key, secret) = app(&server, &admin, "OneAud", json!({})).await;
    let claims = verify_id_token(
        &server,
        s(
            &app_tokens(&server, &browser, &key, &secret, &[]).await,
            "id_token",
        ),
        &key,
    )
    .await;
    assert_eq!(claims["aud"], key.as_str(), "one audience is a string");
    assert!(claims.get("azp").is_none(), "{claims}");

    let audiences = "https://rs1.example.com\nhttps://rs2.example.com, urn:rs3";
    let (key, secret) = app(
        &server,
        &admin,
        "ManyAud",
        json!({"idTokenConfig": {"idTokenAudience": audiences}}),
    )
    .await;
    let body = app_tokens(&server, &browser, &key, &secret, &[]).await;
    let claims = verify_id_token(&server, s(&body, "id_token"), &key).await;
    assert_eq!(
        claims["aud"],
        json!([
            key,
            "https://rs1.example.com",
            "https://rs2.example.com",
            "urn:rs3"
        ]),
        "the consumer key first, then every line and comma-separated audience"
    );
    assert_eq!(
        claims["azp"],
        key.as_str(),
        "several audiences name the authorized party"
    );
    // A resource server named as an audience accepts the token too.
    verify_id_token(&server, s(&body, "id_token"), "urn:rs3").await;
}

#[tokio::test]
async fn standard_claims_appear_only_when_the_app_includes_them() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;
    let profile = [
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "nickname",
        "email",
        "email_verified",
        "locale",
        "zoneinfo",
        "updated_at",
        "picture",
        "profile",
    ];

    let (key, secret) = app(
        &server,
        &admin,
        "Plain",
        json!({"idTokenConfig": {"idTokenValidity": 5}}),
    )
    .await;
    let claims = verify_id_token(
        &server,
        s(
            &app_tokens(&server, &browser, &key, &secret, &[]).await,
            "id_token",
        ),
        &key,
    )
    .await;
    for claim in profile
        .iter()
        .chain(&["custom_attributes", "custom_permissions", "c_hash"])
    {
        assert!(
            claims.get(*claim).is_none(),
            "{claim} without the switch: {claims}"
        );
    }

    let config = json!({"idTokenConfig": {"idTokenIncludeStandardClaims": true}});
    let (key, secret) = app(&server, &admin, "Standard", config).await;
    let claims = verify_id_token(
        &server,
        s(
            &app_tokens(&server, &browser, &key, &secret, &[]).await,
            "id_token",
        ),
        &key,
    )
    .await;
    for claim in profile {
        assert!(claims.get(claim).is_some(), "{claim} missing: {claims}");
    }
    assert_eq!(claims["name"], "System Administrator");
    assert_eq!(claims["given_name"], "System");
    assert_eq!(claims["family_name"], "Administrator");
    assert_eq!(claims["preferred_username"], ADMIN_USERNAME);
    assert_eq!(claims["email"], ADMIN_USERNAME);
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["locale"], "en_US");
    assert_eq!(claims["zoneinfo"], "GMT");
    assert!(
        claims["updated_at"].is_i64(),
        "seconds since the epoch (OIDC Core §5.1): {claims}"
    );
    assert!(
        claims.get("phone_number").is_none() && claims.get("address").is_none(),
        "no value, no claim"
    );
}

#[tokio::test]
async fn nonce_at_hash_and_auth_time_and_a_refresh_keeps_auth_time() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;
    let (key, secret) = app(&server, &admin, "Refresher", json!({})).await;
    let first = app_tokens(
        &server,
        &browser,
        &key,
        &secret,
        &[("nonce", "n-0S6_WzA2Mj")],
    )
    .await;
    let claims = verify_id_token(&server, s(&first, "id_token"), &key).await;
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["at_hash"], at_hash(s(&first, "access_token")));
    assert_eq!(claims["sub"], first["id"], "sub is the identity URL");
    assert_eq!(claims["iss"], server.base_url());
    assert!(
        claims.get("c_hash").is_none(),
        "no code travels with an ID token: no hybrid flow"
    );
    assert!(secs(&claims, "auth_time") <= secs(&claims, "iat"));

    // OIDC Core §12.2: a new iat, the same iss, sub, aud and auth_time, and no nonce.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, body) = refresh(
        &server,
        s(&first, "refresh_token"),
        &[("client_id", &key), ("client_secret", &secret)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let renewed = verify_id_token(&server, s(&body, "id_token"), &key).await;
    for same in ["iss", "sub", "aud", "auth_time"] {
        assert_eq!(renewed[same], claims[same], "{same}");
    }
    assert!(secs(&renewed, "iat") > secs(&claims, "iat"), "{renewed}");
    assert!(renewed.get("nonce").is_none(), "{renewed}");
    assert_eq!(renewed["at_hash"], at_hash(s(&body, "access_token")));

    // The user-agent flow's `token id_token` binds its access token the same way.
    let url = authorize_url(
        &server,
        &[
            ("response_type", "token id_token"),
            ("client_id", &key),
            ("redirect_uri", APP_CALLBACK),
            ("scope", "openid api"),
            ("nonce", "ua-nonce"),
        ],
    );
    let callback = authorize(&server, &browser, &url, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let id_token = callback_param(&callback, "id_token").unwrap_or_else(|| panic!("{callback}"));
    let claims = verify_id_token(&server, &id_token, &key).await;
    assert_eq!(
        claims["at_hash"],
        at_hash(&callback_param(&callback, "access_token").unwrap())
    );
    assert_eq!(claims["nonce"], "ua-nonce");
    assert!(claims.get("c_hash").is_none());
}

#[tokio::test]
async fn max_age_forces_a_new_login_and_prompt_none_then_says_login_required() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let browser = admin_browser(&server).await;
    let (key, secret) = app(&server, &admin, "MaxAge", json!({})).await;
    let first = app_tokens(&server, &browser, &key, &secret, &[]).await;
    let logged_in_at = secs(
        &verify_id_token(&server, s(&first, "id_token"), &key).await,
        "auth_time",
    );

    // A generous max_age is met by the current session: straight back with a code.
    let params = |max_age: &'static str, prompt: Option<&'static str>| {
        let mut p = vec![
            ("response_type", "code"),
            ("client_id", key.as_str()),
            ("redirect_uri", APP_CALLBACK),
            ("state", "ma"),
            ("max_age", max_age),
        ];
        p.extend(prompt.map(|v| ("prompt", v)));
        authorize_url(&server, &p)
    };
    let res = browser.get(params("3600", None)).send().await.unwrap();
    assert_eq!(res.status(), 302);
    assert!(
        callback_param(&location(&res), "code").is_some(),
        "{}",
        location(&res)
    );

    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let res = browser.get(params("1", Some("none"))).send().await.unwrap();
    let to = location(&res);
    assert!(to.starts_with(APP_CALLBACK), "{to}");
    assert_eq!(
        callback_param(&to, "error").as_deref(),
        Some("login_required"),
        "{to}"
    );
    assert_eq!(callback_param(&to, "state").as_deref(), Some("ma"));

    let res = browser.get(params("1", None)).send().await.unwrap();
    assert!(
        location(&res).starts_with("/login"),
        "a session older than max_age logs in again: {}",
        location(&res)
    );
    let callback = authorize(
        &server,
        &browser,
        &params("1", None),
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
    )
    .await;
    let code = callback_param(&callback, "code").unwrap_or_else(|| panic!("{callback}"));
    let (status, body) = redeem(
        &server,
        &code,
        &[
            ("client_id", &key),
            ("client_secret", &secret),
            ("redirect_uri", APP_CALLBACK),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let claims = verify_id_token(&server, s(&body, "id_token"), &key).await;
    assert!(
        secs(&claims, "auth_time") >= logged_in_at + 2,
        "auth_time is the new login: {claims}"
    );

    // A consent the user never gave is consent_required under prompt=none.
    let (other, _) = app(&server, &admin, "NotYet", json!({})).await;
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", &other),
            ("redirect_uri", APP_CALLBACK),
            ("prompt", "none"),
        ],
    );
    let res = harness::client().get(&url).send().await.unwrap();
    assert_eq!(
        callback_param(&location(&res), "error").as_deref(),
        Some("login_required"),
        "no session"
    );
    let res = browser.get(&url).send().await.unwrap();
    assert_eq!(
        callback_param(&location(&res), "error").as_deref(),
        Some("consent_required"),
        "{}",
        location(&res)
    );
}
