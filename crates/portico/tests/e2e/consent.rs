//! The consent page of self-authorize apps (issue 4, "Consent and permitted users";
//! `reference/salesforce-oauth.md` §8.1–§8.2): what it shows, its CSRF protection (BCP-47,
//! ATK-19), Deny, the approval being remembered, `prompt=consent`, `prompt=none` and
//! `immediate=true`.

use crate::browser::{callback_param, csrf, hidden_inputs, location};
use crate::harness::{self, Server};
use crate::support::{AUTHORIZE, admin_browser, cli_code_url, pkce_pair};
use crate::web_server_flow::CLI_CALLBACK;

/// Opens an authorization URL in a logged-in browser and returns the consent page's HTML.
async fn consent_page(browser: &reqwest::Client, url: &str) -> String {
    let res = browser.get(url).send().await.unwrap();
    let status = res.status();
    let page = res.text().await.unwrap();
    assert_eq!(status, 200, "expected the consent page: {page}");
    assert!(page.contains("Allow Access?"), "{page}");
    page
}

/// Answers the consent page with `decision`; returns the response (a 303 when accepted).
async fn answer(
    server: &Server,
    browser: &reqwest::Client,
    page: &str,
    decision: &str,
) -> reqwest::Response {
    let mut form = hidden_inputs(page);
    form.push(("consent_decision".into(), decision.into()));
    browser
        .post(server.url(AUTHORIZE))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// What an authorize request answers when it must not show any page: the callback URL.
async fn redirect_of(browser: &reqwest::Client, url: &str) -> String {
    let res = browser.get(url).send().await.unwrap();
    assert_eq!(res.status(), 302, "{url}");
    location(&res)
}

#[tokio::test]
async fn consent_page_names_the_app_and_the_scopes_in_words() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let (_, challenge) = pkce_pair();
    let url = cli_code_url(&server, "api refresh_token", &challenge, &[]);
    let res = browser.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    let page = res.text().await.unwrap();
    assert!(page.contains("Portico CLI"), "the app's label: {page}");
    assert!(page.contains("Access and manage your data (api)"), "{page}");
    assert!(
        page.contains("Perform requests on your behalf at any time"),
        "{page}"
    );
    assert!(
        !page.contains("(openid)"),
        "only the requested scopes: {page}"
    );
    assert!(page.contains(r#"value="allow">Allow</button>"#), "{page}");
    assert!(
        page.contains(r#"value="deny" class="secondary">Deny</button>"#),
        "{page}"
    );
    assert!(!csrf(&page).is_empty());
}

#[tokio::test]
async fn consent_without_or_with_a_foreign_csrf_token_is_refused_and_records_nothing() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let (_, challenge) = pkce_pair();
    let url = cli_code_url(&server, "api", &challenge, &[]);
    let page = consent_page(&browser, &url).await;
    let form: Vec<(String, String)> = hidden_inputs(&page)
        .into_iter()
        .filter(|(k, _)| k != "csrf_token")
        .chain([("consent_decision".to_owned(), "allow".to_owned())])
        .collect();

    let res = browser
        .post(server.url(AUTHORIZE))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no CSRF token");
    assert!(res.headers().get("location").is_none());

    // A token that is valid in another browser is not valid in this one.
    let other = harness::client();
    let other_page = other
        .get(server.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut forged = form.clone();
    forged.push(("csrf_token".into(), csrf(&other_page)));
    let res = browser
        .post(server.url(AUTHORIZE))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "foreign CSRF token");
    assert!(res.headers().get("location").is_none());

    // Nothing was approved: prompt=none still needs consent, and the page comes back.
    let to = redirect_of(
        &browser,
        &cli_code_url(&server, "api", &challenge, &[("prompt", "none")]),
    )
    .await;
    assert_eq!(
        callback_param(&to, "error").as_deref(),
        Some("consent_required"),
        "{to}"
    );
    assert!(callback_param(&to, "code").is_none());
    consent_page(&browser, &url).await;
}

#[tokio::test]
async fn deny_redirects_access_denied_with_state_and_iss() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let (_, challenge) = pkce_pair();
    let page = consent_page(&browser, &cli_code_url(&server, "api", &challenge, &[])).await;
    let res = answer(&server, &browser, &page, "deny").await;
    assert_eq!(res.status(), 303, "303 after a POST, never 307");
    let to = location(&res);
    assert!(to.starts_with(&format!("{CLI_CALLBACK}?")), "{to}");
    assert_eq!(
        callback_param(&to, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        callback_param(&to, "error_description").as_deref(),
        Some("end-user denied authorization")
    );
    assert_eq!(callback_param(&to, "state").as_deref(), Some("st"));
    assert_eq!(
        callback_param(&to, "iss").as_deref(),
        Some(server.base_url())
    );
    assert!(callback_param(&to, "code").is_none());

    // Denying records no approval.
    let to = redirect_of(
        &browser,
        &cli_code_url(&server, "api", &challenge, &[("prompt", "none")]),
    )
    .await;
    assert_eq!(
        callback_param(&to, "error").as_deref(),
        Some("consent_required")
    );
}

#[tokio::test]
async fn an_approval_is_remembered_until_prompt_consent_or_new_scopes() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let (_, challenge) = pkce_pair();
    let url = cli_code_url(&server, "api", &challenge, &[]);
    let page = consent_page(&browser, &url).await;
    let res = answer(&server, &browser, &page, "allow").await;
    assert_eq!(res.status(), 303);
    assert!(callback_param(&location(&res), "code").is_some());

    // Same browser: straight back with a code.
    let to = redirect_of(&browser, &url).await;
    assert!(
        to.starts_with(CLI_CALLBACK) && callback_param(&to, "code").is_some(),
        "{to}"
    );
    // The approval belongs to the user, not the session: a new login skips consent too, and
    // prompt=none now succeeds.
    let again = admin_browser(&server).await;
    let to = redirect_of(
        &again,
        &cli_code_url(&server, "api", &challenge, &[("prompt", "none")]),
    )
    .await;
    assert!(callback_param(&to, "code").is_some(), "{to}");
    assert_eq!(callback_param(&to, "state").as_deref(), Some("st"));

    // prompt=consent asks again.
    consent_page(
        &again,
        &cli_code_url(&server, "api", &challenge, &[("prompt", "consent")]),
    )
    .await;
    // So does a scope the user has not approved yet.
    consent_page(
        &again,
        &cli_code_url(&server, "api refresh_token", &challenge, &[]),
    )
    .await;
}

#[tokio::test]
async fn prompt_none_and_immediate_never_show_the_consent_page() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let (_, challenge) = pkce_pair();
    let to = redirect_of(
        &browser,
        &cli_code_url(&server, "api", &challenge, &[("prompt", "none")]),
    )
    .await;
    assert!(to.starts_with(CLI_CALLBACK), "{to}");
    assert_eq!(
        callback_param(&to, "error").as_deref(),
        Some("consent_required")
    );
    assert_eq!(callback_param(&to, "state").as_deref(), Some("st"));
    assert_eq!(
        callback_param(&to, "iss").as_deref(),
        Some(server.base_url())
    );

    let to = redirect_of(
        &browser,
        &cli_code_url(&server, "api", &challenge, &[("immediate", "true")]),
    )
    .await;
    assert_eq!(
        callback_param(&to, "error").as_deref(),
        Some("immediate_unsuccessful"),
        "{to}"
    );
    assert_eq!(callback_param(&to, "state").as_deref(), Some("st"));
}
