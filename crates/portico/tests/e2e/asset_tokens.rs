//! Asset tokens (issue 7, `reference/salesforce-oauth.md` §3.11): issuance signed with the app's
//! Asset Signing Certificate and verified against `/id/keys`, the claims switches, key binding
//! from the actor token's `cnf.jwk`, the refusals, and the event log.

use serde_json::json;

use crate::asset_support::{
    ACCESS_TOKEN, EXCHANGE, JWT, asset_app, exchange, full_config, signed_actor_token, unsigned,
    user_token, verify,
};
use crate::harness::{self, ADMIN_USERNAME, Server};
use crate::support::{api, app_json, create_app, oauth_error, s, token};
use crate::web_server_flow::admin_token;

#[tokio::test]
async fn an_asset_token_is_signed_by_the_certificate_bound_to_the_device_and_recorded() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    asset_app(&server, &admin, "Pumps", full_config()).await;
    let subject = user_token(&server, &harness::client(), "Pumps", "api openid").await;
    let (actor, device_key) = signed_actor_token();
    let (status, body) = exchange(
        &server,
        "Pumps",
        s(&subject, "access_token"),
        &[("actor_token", &actor), ("actor_token_type", JWT)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (s(&body, "issued_token_type"), s(&body, "token_type")),
        (JWT, "Bearer")
    );
    assert_eq!(body["expires_in"], 300);
    let claims = verify(&server, s(&body, "access_token"), "https://backend.test").await;
    assert_eq!(
        claims["aud"],
        json!(["https://devices.test", "https://backend.test"])
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(claims["nbf"], claims["iat"]);
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 20));
    assert_eq!(
        claims["sub"], subject["id"],
        "the subject is the user's identity URL"
    );
    assert_eq!(
        (&claims["did"], &claims["Name"]),
        (&json!("device-42"), &json!("Pump Token"))
    );
    assert_eq!(
        claims["Asset"],
        json!({"Name": "Pump 7", "SerialNumber": "SN-0007"}),
        "only string members are copied"
    );
    assert!(
        claims.get("admin").is_none(),
        "unknown actor claims are never signed"
    );
    assert_eq!(
        claims["cnf"]["jwk"]["n"],
        serde_json::to_value(&device_key).unwrap()["n"]
    );
    assert_eq!(claims["custom_attributes"], json!({"mail": ADMIN_USERNAME}));
    assert!(claims["custom_permissions"]["Pump_Access"].is_boolean());

    let (status, events) = api(
        &server,
        &admin,
        reqwest::Method::GET,
        "/api/v1/asset-token-events",
        None,
    )
    .await;
    assert_eq!(status, 200, "{events}");
    let event = &events[0];
    assert_eq!(
        (s(event, "id"), s(event, "deviceId")),
        (claims["jti"].as_str().unwrap(), "device-42")
    );
    assert_eq!(
        (
            s(event, "assetName"),
            s(event, "assetSerialNumber"),
            s(event, "name")
        ),
        ("Pump 7", "SN-0007", "Pump Token")
    );
    assert_eq!(
        event["expiration"].as_i64().unwrap() / 1000,
        claims["exp"].as_i64().unwrap()
    );
    assert_eq!(
        s(event, "userId"),
        subject["id"].as_str().unwrap().rsplit('/').next().unwrap()
    );
}

#[tokio::test]
async fn the_claims_switches_and_an_unsigned_actor_token() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let mut config = full_config();
    config["assetIncludeAttributes"] = json!(false);
    config["assetIncludeCustomPerms"] = json!(false);
    config["assetAudiences"] = json!("https://only.test");
    asset_app(&server, &admin, "Meters", config).await;
    let subject = user_token(&server, &harness::client(), "Meters", "api openid").await;
    let actor = unsigned(&json!({"did": "meter-1", "Name": "Meter"}));
    let (status, body) = exchange(
        &server,
        "Meters",
        s(&subject, "access_token"),
        &[("actor_token", &actor), ("actor_token_type", JWT)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let claims = verify(&server, s(&body, "access_token"), "https://only.test").await;
    assert_eq!(claims["aud"], json!(["https://only.test"]));
    assert_eq!(claims["did"], "meter-1");
    for absent in ["cnf", "custom_attributes", "custom_permissions"] {
        assert!(claims.get(absent).is_none(), "{absent} in {claims}");
    }
    // Without an actor token the token describes no device.
    let (status, body) = exchange(&server, "Meters", s(&subject, "access_token"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        verify(&server, s(&body, "access_token"), "https://only.test")
            .await
            .get("did")
            .is_none()
    );
    // An unsigned token cannot bind a key: the device would not have proved it holds it.
    let (_, jwk) = signed_actor_token();
    let bad = unsigned(&json!({"did": "x", "cnf": {"jwk": jwk}}));
    let (status, body) = exchange(
        &server,
        "Meters",
        s(&subject, "access_token"),
        &[("actor_token", &bad), ("actor_token_type", JWT)],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_request"),
        "{body}"
    );
}

#[tokio::test]
async fn asset_tokens_are_refused_unless_every_rule_holds() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    asset_app(&server, &admin, "Pumps", full_config()).await;
    create_app(&server, &admin, app_json("Plain", json!({}))).await;
    let browser = harness::client();
    let subject = user_token(&server, &browser, "Pumps", "api openid").await;
    let subject = s(&subject, "access_token").to_owned();

    // An app without asset tokens (and without token exchange).
    let plain = user_token(&server, &browser, "Plain", "api openid").await;
    let (status, body) = exchange(
        &server,
        "Plain",
        s(&plain, "access_token"),
        &[
            ("actor_token", &unsigned(&json!({}))),
            ("actor_token_type", JWT),
        ],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "unauthorized_client"),
        "{body}"
    );
    let (status, body) = exchange(&server, "Plain", s(&plain, "access_token"), &[]).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "unauthorized_client"),
        "{body}"
    );
    // Another app's token as the subject.
    let (status, body) = exchange(&server, "Pumps", s(&plain, "access_token"), &[]).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_request"),
        "{body}"
    );
    // A token without openid.
    let api_only = user_token(&server, &browser, "Pumps", "api").await;
    let (status, body) = exchange(&server, "Pumps", s(&api_only, "access_token"), &[]).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_scope"),
        "{body}"
    );
    // A wrong secret, a missing subject.
    let (status, _) = token(
        &server,
        &[
            ("grant_type", EXCHANGE),
            ("client_id", "PumpsKey0001"),
            ("client_secret", "nope"),
            ("subject_token", &subject),
            ("subject_token_type", ACCESS_TOKEN),
        ],
    )
    .await;
    assert!(matches!(status, 400 | 401), "{status}");
    let (status, body) = token(
        &server,
        &[
            ("grant_type", EXCHANGE),
            ("client_id", "PumpsKey0001"),
            ("client_secret", "PumpsSecret0001"),
            ("subject_token_type", ACCESS_TOKEN),
        ],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_request"),
        "{body}"
    );
    // A revoked token.
    let res = harness::client()
        .post(server.url("/services/oauth2/revoke"))
        .form(&[("token", subject.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (status, body) = exchange(&server, "Pumps", &subject, &[]).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_request"),
        "{body}"
    );
    let (_, events) = api(
        &server,
        &admin,
        reqwest::Method::GET,
        "/api/v1/asset-token-events",
        None,
    )
    .await;
    assert_eq!(events, json!([]), "refusals record nothing");
}
