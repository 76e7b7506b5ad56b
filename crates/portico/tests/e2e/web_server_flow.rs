//! The web server flow end to end with an independent client (the `oauth2` crate): the built-in
//! `PorticoCLI` app, PKCE S256, exact callback matching, single-use codes, and the error cases
//! of `reference/security.md` §6 that apply.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope,
    TokenResponse as _, TokenUrl,
};

use crate::browser::{authorize_as_admin, callback_param, location};
use crate::harness::{self, Server};

pub(crate) const CLI_CALLBACK: &str = "http://localhost:1717/OauthRedirect";

fn cli_client(
    server: &Server,
) -> oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
> {
    BasicClient::new(ClientId::new("PorticoCLI".into()))
        .set_auth_uri(AuthUrl::new(server.url("/services/oauth2/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(server.url("/services/oauth2/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(CLI_CALLBACK.into()).unwrap())
        .set_auth_type(oauth2::AuthType::RequestBody)
}

/// Logs the admin in through PorticoCLI and returns a token response (JSON) from the real
/// token endpoint. Other tests use it to get an admin API token.
pub(crate) async fn admin_tokens(server: &Server, scope: &str) -> serde_json::Value {
    let browser = harness::client();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = cli_client(server)
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scope.split_whitespace().map(|s| Scope::new(s.into())))
        .set_pkce_challenge(challenge)
        .url();
    let callback = authorize_as_admin(server, &browser, url.as_str()).await;
    assert!(callback.starts_with(CLI_CALLBACK), "{callback}");
    assert_eq!(
        callback_param(&callback, "state").as_deref(),
        Some(state.secret().as_str())
    );
    let code = callback_param(&callback, "code").expect("a code");
    let res = harness::client()
        .post(server.url("/services/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", "PorticoCLI"),
            ("redirect_uri", CLI_CALLBACK),
            ("code_verifier", verifier.secret().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// An admin API access token.
pub(crate) async fn admin_token(server: &Server) -> String {
    admin_tokens(server, "api refresh_token").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn portico_cli_web_server_flow_with_pkce_issues_salesforce_shaped_tokens() {
    let server = Server::start();
    let browser = harness::client();
    let client = cli_client(&server);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("api".into()))
        .add_scope(Scope::new("refresh_token".into()))
        .add_scope(Scope::new("openid".into()))
        .set_pkce_challenge(challenge)
        .url();
    let callback = authorize_as_admin(&server, &browser, url.as_str()).await;
    assert_eq!(
        callback_param(&callback, "state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(
        callback_param(&callback, "iss").as_deref(),
        Some(server.base_url()),
        "RFC 9207 iss"
    );
    let code = callback_param(&callback, "code").unwrap();

    let http = harness::client();
    let verifier_copy = verifier.secret().clone();
    let token = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the code exchanges for tokens");
    let access = token.access_token().secret();
    let org15 = access.split('!').next().unwrap();
    assert!(org15.starts_with("00D") && org15.len() == 15, "{access}");
    assert!(
        access
            .split('!')
            .nth(1)
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    );
    let refresh = token
        .refresh_token()
        .expect("refresh_token was granted")
        .secret();
    assert!(
        refresh
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '='))
    );

    // The same code again fails. A garbage replay (no verifier) changes nothing; a replay that
    // would otherwise have succeeded revokes what the code issued.
    let replay = |verifier: Option<String>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("client_id", "PorticoCLI".to_owned()),
            ("redirect_uri", CLI_CALLBACK.to_owned()),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        http.post(server.url("/services/oauth2/token"))
            .form(&form)
            .send()
    };
    let userinfo_status = || async {
        http.get(server.url("/services/oauth2/userinfo"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status()
    };
    let garbage = replay(None).await.unwrap();
    assert_eq!(garbage.status(), 400);
    assert_eq!(
        garbage.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    assert_eq!(
        userinfo_status().await,
        200,
        "a garbage replay revokes nothing"
    );
    let valid = replay(Some(verifier_copy)).await.unwrap();
    assert_eq!(valid.status(), 400);
    assert_eq!(
        userinfo_status().await,
        403,
        "tokens from a replayed code are revoked"
    );
}

#[tokio::test]
async fn token_response_has_every_salesforce_field() {
    let server = Server::start();
    let body = admin_tokens(&server, "api refresh_token openid").await;
    for field in [
        "access_token",
        "refresh_token",
        "scope",
        "id_token",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    ] {
        assert!(body.get(field).is_some(), "missing {field} in {body}");
    }
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["instance_url"], server.base_url());
    let id = body["id"].as_str().unwrap();
    let parts: Vec<&str> = id.rsplitn(3, '/').collect();
    assert!(parts[0].starts_with("005") && parts[0].len() == 18, "{id}");
    assert!(parts[1].starts_with("00D") && parts[1].len() == 18, "{id}");
    assert!(id.starts_with(&format!("{}/id/", server.base_url())));
    assert!(
        body["issued_at"].as_str().unwrap().parse::<u64>().unwrap() > 1_600_000_000_000,
        "issued_at in ms"
    );
    assert!(
        body.get("signature").is_none(),
        "PorticoCLI has no secret, so no signature"
    );
}

#[tokio::test]
async fn unknown_client_and_bad_callbacks_get_an_error_page_never_a_redirect() {
    let server = Server::start();
    let http = harness::client();
    let authorize = server.url("/services/oauth2/authorize");
    let cases = [
        (
            "client_id=nope&response_type=code&redirect_uri=https%3A%2F%2Fevil.test%2Fcb",
            "invalid_client_id",
        ),
        (
            "response_type=foo&redirect_uri=https%3A%2F%2Fevil.test%2Fcb",
            "invalid_client_id",
        ),
        (
            "client_id=PorticoCLI&response_type=code",
            "redirect_uri_missing",
        ),
        (
            "client_id=PorticoCLI&response_type=code&redirect_uri=https%3A%2F%2Fevil.test%2Fcb",
            "redirect_uri_mismatch",
        ),
        (
            "client_id=PorticoCLI&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect%2F",
            "redirect_uri_mismatch",
        ),
        (
            "client_id=PorticoCLI&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2Foauthredirect",
            "redirect_uri_mismatch",
        ),
        (
            "client_id=PorticoCLI&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirectX",
            "redirect_uri_mismatch",
        ),
        (
            "client_id=PorticoCLI&response_type=code&redirect_uri=http%3A%2F%2Fuser%40localhost%3A1717%2FOauthRedirect",
            "redirect_uri_mismatch",
        ),
    ];
    for (query, error) in cases {
        let res = http
            .get(format!("{authorize}?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{query}");
        assert!(res.headers().get("location").is_none(), "{query}");
        assert_eq!(res.headers().get("x-frame-options").unwrap(), "DENY");
        let page = res.text().await.unwrap();
        assert!(page.contains(error), "{query}: {page}");
    }
}

#[tokio::test]
async fn errors_after_the_callback_is_verified_are_redirected_with_state_and_iss() {
    let server = Server::start();
    let http = harness::client();
    let base = format!(
        "{}?client_id=PorticoCLI&redirect_uri={}&state=s1",
        server.url("/services/oauth2/authorize"),
        url::form_urlencoded::byte_serialize(CLI_CALLBACK.as_bytes()).collect::<String>()
    );
    let cases = [
        ("&response_type=bogus", "unsupported_response_type"),
        (
            "&response_type=code&scope=api%20nope&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "invalid_scope",
        ),
        (
            "&response_type=code&scope=full&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "invalid_scope",
        ),
        ("&response_type=code", "invalid_request"),
        (
            "&response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=plain",
            "invalid_request",
        ),
        (
            "&response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&prompt=none",
            "login_required",
        ),
        (
            "&response_type=code&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&immediate=true",
            "immediate_unsuccessful",
        ),
    ];
    for (extra, error) in cases {
        let res = http.get(format!("{base}{extra}")).send().await.unwrap();
        assert_eq!(res.status(), 302, "{extra}");
        let to = location(&res);
        assert!(to.starts_with(CLI_CALLBACK), "{extra}: {to}");
        assert_eq!(
            callback_param(&to, "error").as_deref(),
            Some(error),
            "{extra}: {to}"
        );
        assert_eq!(callback_param(&to, "state").as_deref(), Some("s1"));
        assert_eq!(
            callback_param(&to, "iss").as_deref(),
            Some(server.base_url())
        );
    }
}

#[tokio::test]
async fn pkce_verifier_is_enforced_and_jsforce_length_verifiers_work() {
    let server = Server::start();
    let browser = harness::client();
    let verifier = "A".repeat(171);
    let challenge = portico_core::authorize::pkce::s256(&verifier);
    // jsforce sends the challenge without a method: it means S256.
    let url = format!(
        "{}?response_type=code&client_id=PorticoCLI&redirect_uri={}&code_challenge={challenge}",
        server.url("/services/oauth2/authorize"),
        url::form_urlencoded::byte_serialize(CLI_CALLBACK.as_bytes()).collect::<String>()
    );
    let http = harness::client();
    let exchange = |code: String, verifier: Option<String>| {
        let http = http.clone();
        let url = server.url("/services/oauth2/token");
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", code),
                ("client_id", "PorticoCLI".to_owned()),
            ];
            if let Some(v) = verifier {
                form.push(("code_verifier", v));
            }
            let res = http.post(url).form(&form).send().await.unwrap();
            (
                res.status().as_u16(),
                res.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let code = callback_param(&authorize_as_admin(&server, &browser, &url).await, "code").unwrap();
    let (status, body) = exchange(code, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "missing verifier"
    );
    let code = callback_param(&authorize_as_admin(&server, &browser, &url).await, "code").unwrap();
    let (status, body) = exchange(code, Some("B".repeat(171))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "wrong verifier"
    );
    let code = callback_param(&authorize_as_admin(&server, &browser, &url).await, "code").unwrap();
    let (status, body) = exchange(code, Some(verifier)).await;
    assert_eq!(status, 200, "{body}");
}
