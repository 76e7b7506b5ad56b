//! Asset tokens and token exchange (issue 7, RFC 8693, `reference/salesforce-oauth.md` §3.10,
//! §3.11): issuance signed with the app's Asset Signing Certificate and verified against
//! `/id/keys`, the claims switches, key binding from the actor token's `cnf.jwk`, the refusals,
//! the event log, and the general exchange.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::browser::{authorize, callback_param};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{api, app_json, authorize_url, create_app, oauth_error, redeem, s, token};
use crate::web_server_flow::admin_token;

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";

/// A certificate `Asset_Signer` and an asset app `name` with `asset` as its asset config.
async fn asset_app(server: &Server, admin: &str, name: &str, asset: Value) -> Value {
    let (status, _) = api(server, admin, reqwest::Method::GET, "/api/v1/certificates/Asset_Signer", None).await;
    if status == 404 {
        let (status, body) =
            api(server, admin, reqwest::Method::POST, "/api/v1/certificates", Some(json!({"name": "Asset_Signer"}))).await;
        assert_eq!(status, 201, "{body}");
    }
    let mut app = app_json(name, json!({"assetTokenConfig": asset}));
    app["attributes"] = json!([{"key": "mail", "formula": "$User.Email"}]);
    app["customPermissions"] = json!(["Pump_Access"]);
    create_app(server, admin, app).await
}

fn full_config() -> Value {
    json!({
        "assetValidityPeriod": 5, "assetSigningCertId": "Asset_Signer",
        "assetAudiences": "https://devices.test\nhttps://backend.test",
        "assetIncludeAttributes": true, "assetIncludeCustomPerms": true,
    })
}

/// The admin's access token for app `name` (web server flow, `scope`).
pub(crate) async fn user_token(server: &Server, browser: &reqwest::Client, name: &str, scope: &str) -> Value {
    let key = format!("{name}Key0001");
    let url = authorize_url(
        server,
        &[("response_type", "code"), ("client_id", &key), ("redirect_uri", "https://app.test/cb"), ("scope", scope), ("state", "s")],
    );
    let callback = authorize(server, browser, &url, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let code = callback_param(&callback, "code").unwrap_or_else(|| panic!("no code in {callback}"));
    let secret = format!("{name}Secret0001");
    let (status, body) =
        redeem(server, &code, &[("client_id", &key), ("client_secret", &secret), ("redirect_uri", "https://app.test/cb")]).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn exchange(server: &Server, name: &str, subject: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let key = format!("{name}Key0001");
    let secret = format!("{name}Secret0001");
    let mut form = vec![
        ("grant_type", EXCHANGE),
        ("client_id", key.as_str()),
        ("client_secret", secret.as_str()),
        ("subject_token", subject),
        ("subject_token_type", ACCESS_TOKEN),
    ];
    form.extend_from_slice(extra);
    token(server, &form).await
}

/// A device description signed by a new device key, which it carries in `cnf.jwk`.
fn signed_actor_token() -> (String, jsonwebtoken::jwk::Jwk) {
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).unwrap();
    let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::RS256).unwrap();
    let claims = json!({
        "did": "device-42", "Name": "Pump Token",
        "Asset": {"Name": "Pump 7", "SerialNumber": "SN-0007", "Evil": {"nested": true}},
        "cnf": {"jwk": jwk}, "admin": true,
    });
    let jwt = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key).unwrap();
    (jwt, jwk)
}

fn unsigned(claims: &Value) -> String {
    format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#), URL_SAFE_NO_PAD.encode(claims.to_string()))
}

/// Verifies an asset token against `/id/keys` as a device back end would.
async fn verify(server: &Server, jwt: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.kid.as_deref(), Some("Asset_Signer"), "the certificate's name is the kid");
    let jwks: jsonwebtoken::jwk::JwkSet = harness::client().get(server.url("/id/keys")).send().await.unwrap().json().await.unwrap();
    let jwk = jwks.find("Asset_Signer").expect("the certificate key is published");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[server.base_url()]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
    jsonwebtoken::decode::<Value>(jwt, &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap_or_else(|e| panic!("the asset token does not verify: {e}"))
        .claims
}

#[tokio::test]
async fn an_asset_token_is_signed_by_the_certificate_bound_to_the_device_and_recorded() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    asset_app(&server, &admin, "Pumps", full_config()).await;
    let subject = user_token(&server, &harness::client(), "Pumps", "api openid").await;
    let (actor, device_key) = signed_actor_token();
    let (status, body) =
        exchange(&server, "Pumps", s(&subject, "access_token"), &[("actor_token", &actor), ("actor_token_type", JWT)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((s(&body, "issued_token_type"), s(&body, "token_type")), (JWT, "Bearer"));
    assert_eq!(body["expires_in"], 300);
    let claims = verify(&server, s(&body, "access_token"), "https://backend.test").await;
    assert_eq!(claims["aud"], json!(["https://devices.test", "https://backend.test"]));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 300);
    assert_eq!(claims["nbf"], claims["iat"]);
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 20));
    assert_eq!(claims["sub"], subject["id"], "the subject is the user's identity URL");
    assert_eq!((&claims["did"], &claims["Name"]), (&json!("device-42"), &json!("Pump Token")));
    assert_eq!(claims["Asset"], json!({"Name": "Pump 7", "SerialNumber": "SN-0007"}), "only string members are copied");
    assert!(claims.get("admin").is_none(), "unknown actor claims are never signed");
    assert_eq!(claims["cnf"]["jwk"]["n"], serde_json::to_value(&device_key).unwrap()["n"]);
    assert_eq!(claims["custom_attributes"], json!({"mail": ADMIN_USERNAME}));
    assert!(claims["custom_permissions"]["Pump_Access"].is_boolean());

    let (status, events) = api(&server, &admin, reqwest::Method::GET, "/api/v1/asset-token-events", None).await;
    assert_eq!(status, 200, "{events}");
    let event = &events[0];
    assert_eq!((s(event, "id"), s(event, "deviceId")), (claims["jti"].as_str().unwrap(), "device-42"));
    assert_eq!((s(event, "assetName"), s(event, "assetSerialNumber"), s(event, "name")), ("Pump 7", "SN-0007", "Pump Token"));
    assert_eq!(event["expiration"].as_i64().unwrap() / 1000, claims["exp"].as_i64().unwrap());
    assert_eq!(s(event, "userId"), subject["id"].as_str().unwrap().rsplit('/').next().unwrap());
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
    let (status, body) =
        exchange(&server, "Meters", s(&subject, "access_token"), &[("actor_token", &actor), ("actor_token_type", JWT)]).await;
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
    assert!(verify(&server, s(&body, "access_token"), "https://only.test").await.get("did").is_none());
    // An unsigned token cannot bind a key: the device would not have proved it holds it.
    let (_, jwk) = signed_actor_token();
    let bad = unsigned(&json!({"did": "x", "cnf": {"jwk": jwk}}));
    let (status, body) = exchange(&server, "Meters", s(&subject, "access_token"), &[("actor_token", &bad), ("actor_token_type", JWT)]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "invalid_request"), "{body}");
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
    let (status, body) = exchange(&server, "Plain", s(&plain, "access_token"), &[("actor_token", &unsigned(&json!({}))), ("actor_token_type", JWT)]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "unauthorized_client"), "{body}");
    let (status, body) = exchange(&server, "Plain", s(&plain, "access_token"), &[]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "unauthorized_client"), "{body}");
    // Another app's token as the subject.
    let (status, body) = exchange(&server, "Pumps", s(&plain, "access_token"), &[]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "invalid_request"), "{body}");
    // A token without openid.
    let api_only = user_token(&server, &browser, "Pumps", "api").await;
    let (status, body) = exchange(&server, "Pumps", s(&api_only, "access_token"), &[]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "invalid_scope"), "{body}");
    // A wrong secret, a missing subject.
    let (status, _) = token(&server, &[("grant_type", EXCHANGE), ("client_id", "PumpsKey0001"), ("client_secret", "nope"),
        ("subject_token", &subject), ("subject_token_type", ACCESS_TOKEN)]).await;
    assert!(matches!(status, 400 | 401), "{status}");
    let (status, body) = token(&server, &[("grant_type", EXCHANGE), ("client_id", "PumpsKey0001"), ("client_secret", "PumpsSecret0001"),
        ("subject_token_type", ACCESS_TOKEN)]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "invalid_request"), "{body}");
    // A revoked token.
    let res = harness::client().post(server.url("/services/oauth2/revoke")).form(&[("token", subject.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (status, body) = exchange(&server, "Pumps", &subject, &[]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "invalid_request"), "{body}");
    let (_, events) = api(&server, &admin, reqwest::Method::GET, "/api/v1/asset-token-events", None).await;
    assert_eq!(events, json!([]), "refusals record nothing");
}

#[tokio::test]
async fn token_exchange_issues_a_normal_token_for_an_access_or_id_token_of_the_same_app() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    create_app(&server, &admin, app_json("Bridge", json!({"isTokenExchangeEnabled": true}))).await;
    let subject = user_token(&server, &harness::client(), "Bridge", "api openid").await;
    let (status, body) = exchange(&server, "Bridge", s(&subject, "access_token"), &[("scope", "api")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s(&body, "issued_token_type"), ACCESS_TOKEN);
    assert_eq!(s(&body, "scope"), "api");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(body["id"], subject["id"]);
    let (status, _) = crate::support::get_bearer(&server, "/services/data/v62.0", s(&body, "access_token")).await;
    assert_eq!(status, 200, "the new token is accepted");
    // A scope the subject does not hold is refused.
    let (status, body) = exchange(&server, "Bridge", s(&subject, "access_token"), &[("scope", "web")]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "invalid_scope"), "{body}");
    // An ID token of this server issued to this app.
    let (status, body) = token(&server, &[("grant_type", EXCHANGE), ("client_id", "BridgeKey0001"), ("client_secret", "BridgeSecret0001"),
        ("subject_token", s(&subject, "id_token")), ("subject_token_type", "urn:ietf:params:oauth:token-type:id_token")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], subject["id"]);
    let forged = format!("{}x", s(&subject, "id_token"));
    let (status, body) = token(&server, &[("grant_type", EXCHANGE), ("client_id", "BridgeKey0001"), ("client_secret", "BridgeSecret0001"),
        ("subject_token", &forged), ("subject_token_type", "urn:ietf:params:oauth:token-type:id_token")]).await;
    assert_eq!((status, oauth_error(&body).0), (400, "invalid_request"), "{body}");
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
        ("PORTICO_ASSET_CLIENT_SECRET", "SensorsSecret0001".to_owned()),
        ("PORTICO_ASSET_SUBJECT_TOKEN", s(&sensors, "access_token").to_owned()),
        ("PORTICO_ASSET_PLAIN_CLIENT_ID", "PlainsKey0001".to_owned()),
        ("PORTICO_ASSET_PLAIN_CLIENT_SECRET", "PlainsSecret0001".to_owned()),
        ("PORTICO_ASSET_PLAIN_SUBJECT_TOKEN", s(&plains, "access_token").to_owned()),
    ];
    crate::device_interop::node_tests(&server, &["asset.test.mjs"], 2, &envs).await;
}
