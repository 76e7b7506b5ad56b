//! Dynamic client registration end to end (issue 6; RFC 7591 §3, RFC 7592 §2;
//! `reference/salesforce-oauth.md` §2.3; `reference/security.md` §3.5): an administrator makes an
//! app a registrar with an initial access token; a registration creates a working client owned by
//! it (visible in the admin API, its tokens introspectable by the registrar); public and
//! `private_key_jwt` clients; the initial access token and the per-registrar rate limit (ATK-71).
//! Management with the registration access token (RFC 7592) is in `registration_management.rs`,
//! metadata validation (ATK-64 … ATK-68) in `registration_validation.rs`.

use serde_json::{Value, json};

use crate::browser::{authorize_as_admin, callback_param};
use crate::connected_app_flows::app;
use crate::harness::{self, Server};
use crate::introspection::{INTROSPECT, assert_active, assert_inactive, introspect};
use crate::jwt_support::{CLIENT_ASSERTION_TYPE, Signer, now_secs};
use crate::support::{admin_browser, api, authorize_url, post_form, redeem, s};
use crate::web_server_flow::admin_token;

pub(crate) const REGISTER: &str = "/services/oauth2/register";
pub(crate) const CLIENT_CALLBACK: &str = "https://client.example.com/cb";

/// Makes a new app `name` a registrar; returns its consumer key, secret and initial access token.
pub(crate) async fn registrar(
    server: &Server,
    admin: &str,
    name: &str,
) -> (String, String, String) {
    let (key, secret) = app(server, admin, name, json!({})).await;
    (key, secret, initial_access_token(server, admin, name).await)
}

/// Generates (again) the initial access token of app `name`.
pub(crate) async fn initial_access_token(server: &Server, admin: &str, name: &str) -> String {
    let path = format!("/api/v1/connected-apps/{name}/initial-access-token");
    let (status, body) = api(server, admin, reqwest::Method::POST, &path, None).await;
    assert_eq!(status, 200, "{body}");
    s(&body, "initialAccessToken").to_owned()
}

/// A JSON request with an optional bearer token: `(status, body, WWW-Authenticate)`.
pub(crate) async fn send(
    server: &Server,
    method: reqwest::Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value, Option<String>) {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        server.url(url)
    };
    let mut req = harness::client().request(method, url);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        challenge,
    )
}

/// Registers `metadata` with `iat`, asserting a 201; returns the client information response.
pub(crate) async fn register(server: &Server, iat: &str, metadata: &Value) -> Value {
    let (status, body, _) = send(
        server,
        reqwest::Method::POST,
        REGISTER,
        Some(iat),
        Some(metadata),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

pub(crate) fn demo_metadata() -> Value {
    json!({
        "client_id": "ChosenByTheClient", "client_secret": "AlsoChosen",
        "redirect_uris": [CLIENT_CALLBACK], "client_name": "Demo Client",
        "contacts": ["ops@client.example.com"], "scope": "openid api",
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_post",
        "logo_uri": "https://client.example.com/logo.png", "software_id": "demo-1",
    })
}

#[tokio::test]
async fn a_registration_creates_a_working_client_owned_by_the_registrar() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (reg_key, reg_secret, iat) = registrar(&server, &admin, "Gateway").await;
    let res = harness::client()
        .post(server.url(REGISTER))
        .bearer_auth(&iat)
        .json(&demo_metadata())
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.status(), 201);
    let client: Value = res.json().await.unwrap();
    let client_id = s(&client, "client_id");
    assert_ne!(
        client_id, "ChosenByTheClient",
        "the server assigns client_id (ATK-69)"
    );
    assert!(client_id.starts_with("3MVG9"), "{client_id}");
    let secret = s(&client, "client_secret");
    assert_ne!(secret, "AlsoChosen");
    assert_eq!(client["client_secret_expires_at"], 0);
    assert!(
        (client["client_id_issued_at"].as_i64().unwrap() - now_secs()).abs() < 60,
        "{client}"
    );
    assert_eq!(
        client["registration_client_uri"],
        format!("{}{REGISTER}/{client_id}", server.base_url())
    );
    assert!(
        s(&client, "registration_access_token").len() >= 43,
        "≥ 256 bits"
    );
    for (field, value) in [
        ("redirect_uris", json!([CLIENT_CALLBACK])),
        ("client_name", json!("Demo Client")),
        ("contacts", json!(["ops@client.example.com"])),
        (
            "grant_types",
            json!(["authorization_code", "refresh_token"]),
        ),
        ("response_types", json!(["code"])),
        ("token_endpoint_auth_method", json!("client_secret_post")),
        ("logo_uri", json!("https://client.example.com/logo.png")),
        ("software_id", json!("demo-1")),
        ("scope", json!("api openid refresh_token")),
    ] {
        assert_eq!(client[field], value, "{field}: {client}");
    }

    // It is a connected app like any other, owned by the registrar.
    let (_, gateway) = api(
        &server,
        &admin,
        reqwest::Method::GET,
        "/api/v1/connected-apps/Gateway",
        None,
    )
    .await;
    let (status, apps) = api(
        &server,
        &admin,
        reqwest::Method::GET,
        "/api/v1/connected-apps",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let registered = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["consumerKey"] == client_id)
        .unwrap_or_else(|| panic!("{apps}"));
    assert_eq!(registered["registeredBy"], gateway["id"], "{registered}");
    assert_eq!(registered["label"], "Demo Client");
    assert_eq!(registered["contactEmail"], "ops@client.example.com");
    assert_eq!(registered["oauthConfig"]["callbackUrl"], CLIENT_CALLBACK);
    // The admin API's read-modify-write round trip accepts the read-only registeredBy.
    let path = format!("/api/v1/connected-apps/{}", s(registered, "fullName"));
    let (status, body) = api(
        &server,
        &admin,
        reqwest::Method::PUT,
        &path,
        Some(registered.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The client runs the web server flow with its secret in the body.
    let browser = admin_browser(&server).await;
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CLIENT_CALLBACK),
        ],
    );
    let callback = authorize_as_admin(&server, &browser, &url).await;
    let code = callback_param(&callback, "code").unwrap_or_else(|| panic!("{callback}"));
    let (status, tokens) = redeem(
        &server,
        &code,
        &[
            ("client_id", client_id),
            ("client_secret", secret),
            ("redirect_uri", CLIENT_CALLBACK),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");

    // The registrar may introspect the tokens of the apps it registered; an unrelated app may not.
    let (other_key, other_secret) = app(&server, &admin, "Unrelated", json!({})).await;
    for (token, kind) in [
        (s(&tokens, "access_token"), "access_token"),
        (s(&tokens, "refresh_token"), "refresh_token"),
    ] {
        let (status, body) = introspect(&server, (&reg_key, &reg_secret), token, None).await;
        assert_active(status, &body, client_id, kind);
        let (status, body) = introspect(&server, (client_id, secret), token, None).await;
        assert_active(status, &body, client_id, kind);
        let (status, body) = introspect(&server, (&other_key, &other_secret), token, None).await;
        assert_inactive(status, &body);
    }
    // Not the other way round: the registered client does not see its registrar's tokens.
    let (status, body) = introspect(&server, (client_id, secret), &admin, None).await;
    assert_inactive(status, &body);
}

#[tokio::test]
async fn an_initial_access_token_is_required_and_regenerating_invalidates_the_old_one() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (_, _, first) = registrar(&server, &admin, "Gateway").await;
    let minimal = json!({"redirect_uris": [CLIENT_CALLBACK]});
    // ATK-71: no initial access token, no registration.
    for (token, challenge) in [
        (None, "Bearer"),
        (Some("not-a-token"), "Bearer error=\"invalid_token\""),
        (Some(admin.as_str()), "Bearer error=\"invalid_token\""),
    ] {
        let (status, body, header) = send(
            &server,
            reqwest::Method::POST,
            REGISTER,
            token,
            Some(&minimal),
        )
        .await;
        assert_eq!(
            (status, header.as_deref()),
            (401, Some(challenge)),
            "{body}"
        );
        assert_eq!(body["error"], "invalid_token", "{body}");
    }
    register(&server, &first, &minimal).await;
    let second = initial_access_token(&server, &admin, "Gateway").await;
    assert_ne!(first, second);
    let (status, body, _) = send(
        &server,
        reqwest::Method::POST,
        REGISTER,
        Some(&first),
        Some(&minimal),
    )
    .await;
    assert_eq!(
        status, 401,
        "the regenerated token replaced the first: {body}"
    );
    let client = register(&server, &second, &minimal).await;
    assert_eq!(
        client["token_endpoint_auth_method"], "client_secret_basic",
        "RFC 7591's default, never none"
    );
    assert_eq!(client["grant_types"], json!(["authorization_code"]));
    assert!(client["client_secret"].is_string());
    let (status, _) = api(
        &server,
        &admin,
        reqwest::Method::POST,
        "/api/v1/connected-apps/Nope/initial-access-token",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn registrations_are_rate_limited_per_registrar() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (_, _, busy) = registrar(&server, &admin, "Busy").await;
    let (_, _, calm) = registrar(&server, &admin, "Calm").await;
    let minimal = json!({"redirect_uris": [CLIENT_CALLBACK]});
    for _ in 0..10 {
        register(&server, &busy, &minimal).await;
    }
    // ATK-71: the 11th registration within the hour is refused; another registrar is unaffected.
    let (status, body, _) = send(
        &server,
        reqwest::Method::POST,
        REGISTER,
        Some(&busy),
        Some(&minimal),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("rate_limit_exceeded")),
        "{body}"
    );
    register(&server, &calm, &minimal).await;
}

/// The certificate of `signer` as a JWK `x5c` entry (base64 DER).
fn x5c(signer: &Signer) -> String {
    signer
        .cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

#[tokio::test]
async fn public_and_private_key_jwt_clients() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (_, _, iat) = registrar(&server, &admin, "Gateway").await;
    let public = register(
        &server,
        &iat,
        &json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none", "application_type": "native"}),
    )
    .await;
    assert!(
        public.get("client_secret").is_none() && public.get("client_secret_expires_at").is_none(),
        "{public}"
    );
    let (_, apps) = api(
        &server,
        &admin,
        reqwest::Method::GET,
        "/api/v1/connected-apps",
        None,
    )
    .await;
    let view = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["consumerKey"] == public["client_id"])
        .unwrap();
    assert_eq!(
        view["oauthConfig"]["isPkceRequired"], true,
        "a public client must use PKCE: {view}"
    );
    let path = format!(
        "/api/v1/connected-apps/{}/consumer-secret",
        s(view, "fullName")
    );
    let (status, _) = api(&server, &admin, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 404, "no secret at all");

    // private_key_jwt: the key's certificate comes in jwks and authenticates the client.
    let signer = Signer::rsa();
    let jwks = json!({"keys": [{"kty": "RSA", "use": "sig", "kid": "k1", "x5c": [x5c(&signer)]}]});
    let signed = register(
        &server,
        &iat,
        &json!({"redirect_uris": [CLIENT_CALLBACK], "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks}),
    )
    .await;
    assert!(signed.get("client_secret").is_none(), "{signed}");
    assert_eq!(signed["jwks"], jwks);
    let key = s(&signed, "client_id");
    let assertion = signer.sign(&json!({"iss": key, "sub": key, "aud": server.url(INTROSPECT), "exp": now_secs() + 120, "jti": "dcr-1"}));
    let (status, body) = post_form(
        &server,
        INTROSPECT,
        &[
            ("token", "x"),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", &assertion),
        ],
    )
    .await;
    assert_inactive(status, &body);
    let (status, _) = post_form(&server, INTROSPECT, &[("token", "x"), ("client_id", key)]).await;
    assert_eq!(status, 401, "its client_id alone proves nothing");
}
