//! Helpers of the asset token and token exchange tests (issue 7): an asset app with the org
//! certificate `Asset_Signer`, a user's subject token from the web server flow, the exchange
//! request, device actor tokens, and verifying an asset token against `/id/keys`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::browser::{authorize, callback_param};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{api, app_json, authorize_url, create_app, redeem, token};

pub(crate) const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub(crate) const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
pub(crate) const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";

/// A certificate `Asset_Signer` and an asset app `name` with `asset` as its asset config.
pub(crate) async fn asset_app(server: &Server, admin: &str, name: &str, asset: Value) -> Value {
    let (status, _) = api(
        server,
        admin,
        reqwest::Method::GET,
        "/api/v1/certificates/Asset_Signer",
        None,
    )
    .await;
    if status == 404 {
        let (status, body) = api(
            server,
            admin,
            reqwest::Method::POST,
            "/api/v1/certificates",
            Some(json!({"name": "Asset_Signer"})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let mut app = app_json(name, json!({"assetTokenConfig": asset}));
    app["attributes"] = json!([{"key": "mail", "formula": "$User.Email"}]);
    app["customPermissions"] = json!(["Pump_Access"]);
    create_app(server, admin, app).await
}

pub(crate) fn full_config() -> Value {
    json!({
        "assetValidityPeriod": 5, "assetSigningCertId": "Asset_Signer",
        "assetAudiences": "https://devices.test\nhttps://backend.test",
        "assetIncludeAttributes": true, "assetIncludeCustomPerms": true,
    })
}

/// The admin's access token for app `name` (web server flow, `scope`).
pub(crate) async fn user_token(
    server: &Server,
    browser: &reqwest::Client,
    name: &str,
    scope: &str,
) -> Value {
    let key = format!("{name}Key0001");
    let url = authorize_url(
        server,
        &[
            ("response_type", "code"),
            ("client_id", &key),
            ("redirect_uri", "https://app.test/cb"),
            ("scope", scope),
            ("state", "s"),
        ],
    );
    let callback = authorize(server, browser, &url, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let code = callback_param(&callback, "code").unwrap_or_else(|| panic!("no code in {callback}"));
    let secret = format!("{name}Secret0001");
    let (status, body) = redeem(
        server,
        &code,
        &[
            ("client_id", &key),
            ("client_secret", &secret),
            ("redirect_uri", "https://app.test/cb"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub(crate) async fn exchange(
    server: &Server,
    name: &str,
    subject: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
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
pub(crate) fn signed_actor_token() -> (String, jsonwebtoken::jwk::Jwk) {
    let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes()).unwrap();
    let jwk =
        jsonwebtoken::jwk::Jwk::from_encoding_key(&key, jsonwebtoken::Algorithm::RS256).unwrap();
    let claims = json!({
        "did": "device-42", "Name": "Pump Token",
        "Asset": {"Name": "Pump 7", "SerialNumber": "SN-0007", "Evil": {"nested": true}},
        "cnf": {"jwk": jwk}, "admin": true,
    });
    let jwt = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .unwrap();
    (jwt, jwk)
}

pub(crate) fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// Verifies an asset token against `/id/keys` as a device back end would.
pub(crate) async fn verify(server: &Server, jwt: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(
        header.kid.as_deref(),
        Some("Asset_Signer"),
        "the certificate's name is the kid"
    );
    let jwks: jsonwebtoken::jwk::JwkSet = harness::client()
        .get(server.url("/id/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = jwks
        .find("Asset_Signer")
        .expect("the certificate key is published");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[server.base_url()]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
    jsonwebtoken::decode::<Value>(
        jwt,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap_or_else(|e| panic!("the asset token does not verify: {e}"))
    .claims
}
