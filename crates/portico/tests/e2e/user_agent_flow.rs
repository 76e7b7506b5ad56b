//! The user-agent flow (`response_type=token` and `token id_token`,
//! `reference/salesforce-oauth.md` §3.2) with PorticoCLI: tokens and errors in the URL fragment,
//! `state` and `iss` beside them, no refresh token for an http(s) callback, and an ID token that
//! verifies against `/id/keys`. Custom-scheme callbacks are in `connected_app_flows.rs`.

use crate::browser::{callback_param, hidden_inputs, location};
use crate::harness::{self, Server};
use crate::support::{
    AUTHORIZE, USERINFO, admin_browser, authorize_url, get_bearer, verify_id_token,
};
use crate::web_server_flow::CLI_CALLBACK;

fn user_agent_url(
    server: &Server,
    response_type: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut params = vec![
        ("response_type", response_type),
        ("client_id", "PorticoCLI"),
        ("redirect_uri", CLI_CALLBACK),
        ("scope", scope),
        ("state", "ua-state"),
    ];
    params.extend_from_slice(extra);
    authorize_url(server, &params)
}

/// Allows the consent page (if shown) and returns the callback URL.
async fn approve(server: &Server, browser: &reqwest::Client, url: &str) -> String {
    let res = browser.get(url).send().await.unwrap();
    if res.status() == 302 {
        return location(&res);
    }
    assert_eq!(res.status(), 200);
    let mut form = hidden_inputs(&res.text().await.unwrap());
    form.push(("consent_decision".into(), "allow".into()));
    let res = browser
        .post(server.url(AUTHORIZE))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    location(&res)
}

/// The callback's fragment parameters; asserts the query carries nothing.
fn fragment(callback: &str) -> Vec<(String, String)> {
    let parsed = url::Url::parse(callback).unwrap();
    assert_eq!(parsed.query(), None, "nothing in the query: {callback}");
    url::form_urlencoded::parse(parsed.fragment().expect("a fragment").as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn token_response_type_puts_tokens_in_the_fragment_without_a_refresh_token() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let callback = approve(
        &server,
        &browser,
        &user_agent_url(&server, "token", "api refresh_token openid", &[]),
    )
    .await;
    assert!(
        callback.starts_with(&format!("{CLI_CALLBACK}#")),
        "{callback}"
    );
    let params = fragment(&callback);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let access = get("access_token").expect("an access token");
    assert!(
        access.starts_with("00D") && access.contains('!'),
        "{access}"
    );
    assert_eq!(get("token_type"), Some("Bearer"));
    assert_eq!(get("instance_url"), Some(server.base_url()));
    assert!(
        get("id")
            .unwrap()
            .starts_with(&format!("{}/id/00D", server.base_url()))
    );
    assert!(get("issued_at").unwrap().parse::<u64>().is_ok());
    for scope in ["api", "refresh_token", "openid"] {
        assert!(
            get("scope").unwrap().split(' ').any(|s| s == scope),
            "{callback}"
        );
    }
    assert_eq!(get("state"), Some("ua-state"));
    assert_eq!(get("iss"), Some(server.base_url()));
    assert_eq!(
        get("refresh_token"),
        None,
        "http(s) callbacks never get a refresh token"
    );
    assert_eq!(
        get("id_token"),
        None,
        "response_type=token asks for no ID token"
    );
    assert_eq!(get("code"), None);

    let (status, me) = get_bearer(&server, USERINFO, access).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["sub"].as_str(), get("id"));
}

#[tokio::test]
async fn token_id_token_returns_an_id_token_that_verifies_against_the_jwks() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let callback = approve(
        &server,
        &browser,
        &user_agent_url(
            &server,
            "token id_token",
            "openid api",
            &[("nonce", "n-0S6_WzA2Mj")],
        ),
    )
    .await;
    let id_token = callback_param(&callback, "id_token").unwrap_or_else(|| panic!("{callback}"));
    let claims = verify_id_token(&server, &id_token, "PorticoCLI").await;
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(
        claims["sub"].as_str(),
        callback_param(&callback, "id").as_deref()
    );
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
    assert!(callback_param(&callback, "access_token").is_some());
    assert_eq!(
        callback_param(&callback, "state").as_deref(),
        Some("ua-state")
    );

    // The order of the two words does not matter.
    let callback = approve(
        &server,
        &browser,
        &user_agent_url(&server, "id_token token", "openid api", &[]),
    )
    .await;
    assert!(
        callback_param(&callback, "id_token").is_some(),
        "{callback}"
    );
}

#[tokio::test]
async fn user_agent_errors_are_delivered_in_the_fragment() {
    let server = Server::start();
    let http = harness::client();
    // An invalid scope, before any login.
    let res = http
        .get(user_agent_url(&server, "token", "api bogus_scope", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let to = location(&res);
    let params = fragment(&to);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("error"), Some("invalid_scope"), "{to}");
    assert_eq!(get("state"), Some("ua-state"));
    assert_eq!(get("iss"), Some(server.base_url()));

    // prompt=none without a session.
    let res = http
        .get(user_agent_url(
            &server,
            "token",
            "api",
            &[("prompt", "none")],
        ))
        .send()
        .await
        .unwrap();
    let to = location(&res);
    assert_eq!(
        fragment(&to).iter().find(|(k, _)| k == "error").unwrap().1,
        "login_required"
    );

    // The user denies.
    let browser = admin_browser(&server).await;
    let page = browser
        .get(user_agent_url(&server, "token", "api", &[]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form = hidden_inputs(&page);
    form.push(("consent_decision".into(), "deny".into()));
    let res = browser
        .post(server.url(AUTHORIZE))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = location(&res);
    let params = fragment(&to);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("error"), Some("access_denied"), "{to}");
    assert_eq!(
        get("error_description"),
        Some("end-user denied authorization")
    );
    assert_eq!(get("state"), Some("ua-state"));
    assert_eq!(get("access_token"), None);
}
