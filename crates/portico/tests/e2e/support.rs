//! Helpers shared by the flow tests: PKCE pairs, authorization URLs, token-endpoint calls,
//! logged-in browsers, a full PorticoCLI login as any user, and fixtures made through the admin
//! API (users, connected apps).

use serde_json::{Value, json};

use crate::browser::{authorize, callback_param, login};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::web_server_flow::CLI_CALLBACK;

pub(crate) const AUTHORIZE: &str = "/services/oauth2/authorize";
pub(crate) const TOKEN: &str = "/services/oauth2/token";
pub(crate) const REVOKE: &str = "/services/oauth2/revoke";
pub(crate) const USERINFO: &str = "/services/oauth2/userinfo";

/// A fresh `(verifier, S256 challenge)`; the verifier is 43 URL-safe characters.
pub(crate) fn pkce_pair() -> (String, String) {
    let verifier = portico_core::secret::random_token();
    let challenge = portico_core::authorize::pkce::s256(&verifier);
    (verifier, challenge)
}

/// The authorization endpoint with these query parameters.
pub(crate) fn authorize_url(server: &Server, params: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("{}?{query}", server.url(AUTHORIZE))
}

/// A PorticoCLI web-server-flow authorization URL with PKCE, `state=st`, and `extra`.
pub(crate) fn cli_code_url(
    server: &Server,
    scope: &str,
    challenge: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", "PorticoCLI"),
        ("redirect_uri", CLI_CALLBACK),
        ("scope", scope),
        ("code_challenge", challenge),
        ("state", "st"),
    ];
    params.extend_from_slice(extra);
    authorize_url(server, &params)
}

/// Reads a response as `(status, JSON)`; an empty or non-JSON body reads as `Value::Null`.
pub(crate) async fn status_json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A form POST to `path`, read as `(status, JSON)`.
pub(crate) async fn post_form(server: &Server, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let res = harness::client()
        .post(server.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

/// A token-endpoint call with a form body.
pub(crate) async fn token(server: &Server, form: &[(&str, &str)]) -> (u16, Value) {
    post_form(server, TOKEN, form).await
}

/// `(error, error_description)` of an OAuth error body.
pub(crate) fn oauth_error(body: &Value) -> (&str, &str) {
    (
        body["error"].as_str().unwrap_or_default(),
        body["error_description"].as_str().unwrap_or_default(),
    )
}

/// A GET with a bearer token, read as `(status, JSON)`.
pub(crate) async fn get_bearer(server: &Server, path: &str, token: &str) -> (u16, Value) {
    let res = harness::client()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

/// A browser logged in as `username`.
pub(crate) async fn logged_in(server: &Server, username: &str, password: &str) -> reqwest::Client {
    let browser = harness::client();
    let res = login(server, &browser, username, password).await;
    assert_eq!(res.status(), 303, "{username} should be able to log in");
    browser
}

/// A browser logged in as the administrator.
pub(crate) async fn admin_browser(server: &Server) -> reqwest::Client {
    logged_in(server, ADMIN_USERNAME, ADMIN_PASSWORD).await
}

/// Exchanges a code with `form` added to `grant_type=authorization_code&code=…`.
pub(crate) async fn redeem(server: &Server, code: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let mut all = vec![("grant_type", "authorization_code"), ("code", code)];
    all.extend_from_slice(form);
    token(server, &all).await
}

/// Runs PorticoCLI's web server flow in `browser` as `username` (logging in and allowing
/// consent if asked) and returns the token response.
pub(crate) async fn cli_tokens_in(
    server: &Server,
    browser: &reqwest::Client,
    username: &str,
    password: &str,
    scope: &str,
) -> Value {
    let (verifier, challenge) = pkce_pair();
    let url = cli_code_url(server, scope, &challenge, &[]);
    let callback = authorize(server, browser, &url, username, password).await;
    let code = callback_param(&callback, "code").unwrap_or_else(|| panic!("no code in {callback}"));
    let (status, body) = redeem(
        server,
        &code,
        &[
            ("client_id", "PorticoCLI"),
            ("redirect_uri", CLI_CALLBACK),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// [`cli_tokens_in`] with a new browser.
pub(crate) async fn cli_tokens(
    server: &Server,
    username: &str,
    password: &str,
    scope: &str,
) -> Value {
    cli_tokens_in(server, &harness::client(), username, password, scope).await
}

/// A string field of a JSON value.
pub(crate) fn s<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field} in {value}"))
}

/// An admin API call, read as `(status, JSON)`.
pub(crate) async fn api(
    server: &Server,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = harness::client()
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    status_json(req.send().await.unwrap()).await
}

/// The id of a profile by API name (`StandardUser`, `ApiOnlyUser`, `SystemAdministrator`).
pub(crate) async fn profile_id(server: &Server, admin: &str, name: &str) -> String {
    let (status, profiles) = api(
        server,
        admin,
        reqwest::Method::GET,
        "/api/v1/profiles",
        None,
    )
    .await;
    assert_eq!(status, 200, "{profiles}");
    profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| s(p, "id").to_owned())
        .unwrap_or_else(|| panic!("no profile {name} in {profiles}"))
}

/// Creates an active user with `profile` and returns their id. The password is
/// [`USER_PASSWORD`].
pub(crate) async fn create_user(
    server: &Server,
    admin: &str,
    username: &str,
    profile: &str,
) -> String {
    let profile_id = profile_id(server, admin, profile).await;
    let (status, user) = api(
        server,
        admin,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({
            "username": username, "email": username, "firstName": "Test", "lastName": "User",
            "profileId": profile_id, "password": USER_PASSWORD,
        })),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    s(&user, "id").to_owned()
}

pub(crate) const USER_PASSWORD: &str = "Passw0rd-e2e-User";

/// Creates a connected app (CONTRACT §3) and returns the response, which holds `consumerKey`
/// and, once, `consumerSecret`. Panics unless the API answers 201.
pub(crate) async fn create_app(server: &Server, admin: &str, app: Value) -> Value {
    let (status, body) = api(
        server,
        admin,
        reqwest::Method::POST,
        "/api/v1/connected-apps",
        Some(app),
    )
    .await;
    assert_eq!(status, 201, "creating a connected app: {body}");
    body
}

/// A confidential self-authorize app `name` with consumer key `<name>Key0001` and secret
/// `<name>Secret0001`, callback `https://app.test/cb`, and `oauth` merged into its
/// `oauthConfig` (e.g. `{"isPkceRequired": true}`).
pub(crate) fn app_json(name: &str, oauth: Value) -> Value {
    let mut config = json!({
        "callbackUrl": "https://app.test/cb\nmyapp://callback",
        "consumerKey": format!("{name}Key0001"),
        "consumerSecret": format!("{name}Secret0001"),
        "scopes": ["api", "id", "openid", "refresh_token", "web"],
    });
    if let (Some(config), Value::Object(extra)) = (config.as_object_mut(), oauth) {
        config.extend(extra);
    }
    json!({
        "fullName": name,
        "label": format!("{name} Label"),
        "contactEmail": "dev@app.test",
        "oauthConfig": config,
    })
}

/// Verifies an ID token against `/id/keys` (RS256, `kid`, `iss` = the issuer, `aud` contains
/// `audience`, `exp`, `iat`, `sub`) with the `jsonwebtoken` crate and returns its claims.
pub(crate) async fn verify_id_token(server: &Server, id_token: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let kid = header.kid.expect("the ID token names its key");
    let jwks: jsonwebtoken::jwk::JwkSet = harness::client()
        .get(server.url("/id/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = jwks
        .find(&kid)
        .unwrap_or_else(|| panic!("kid {kid} is not in /id/keys"));
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[server.base_url()]);
    validation.set_required_spec_claims(&["exp", "iat", "sub", "aud", "iss"]);
    jsonwebtoken::decode::<Value>(id_token, &key, &validation)
        .unwrap_or_else(|e| panic!("the ID token does not verify: {e}"))
        .claims
}

/// Checks a token response's `signature`: standard Base64 of HMAC-SHA256 keyed with the consumer
/// secret over `id` + `issued_at` (`reference/salesforce-oauth.md` §4.2), computed here with the
/// `hmac` crate.
pub(crate) fn assert_signature(pairs: &[(&str, &str)], consumer_secret: &str) {
    use base64::Engine as _;
    use hmac::Mac as _;
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no {name} in {pairs:?}"))
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(consumer_secret.as_bytes()).unwrap();
    mac.update(format!("{}{}", get("id"), get("issued_at")).as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(
        get("signature"),
        expected,
        "signature = Base64(HMAC-SHA256(secret, id + issued_at))"
    );
}

/// [`assert_signature`] for a JSON token response.
pub(crate) fn assert_json_signature(body: &Value, consumer_secret: &str) {
    assert_signature(
        &[
            ("id", s(body, "id")),
            ("issued_at", s(body, "issued_at")),
            ("signature", s(body, "signature")),
        ],
        consumer_secret,
    );
}
