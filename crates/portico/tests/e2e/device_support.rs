//! Helpers for the device flow tests (RFC 8628 §3.1–§3.5): starting an authorization both ways,
//! polling both ways, answering on `/setup/connect` in a logged-in browser, and ageing codes in the
//! database (the server's clock cannot be moved from outside, so ten minutes are simulated there).

use serde_json::Value;
use sqlx::Connection as _;

use crate::browser::{csrf, hidden_inputs};
use crate::harness::Server;
use crate::support::{TOKEN, post_form, s};

pub(crate) const DEVICE_AUTHORIZE: &str = "/services/oauth2/device/authorize";
pub(crate) const CONNECT: &str = "/setup/connect";
pub(crate) const RFC_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Salesforce's device authorization request: `response_type=device_code` on the token endpoint.
pub(crate) async fn start_salesforce(
    server: &Server,
    client_id: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("response_type", "device_code"), ("client_id", client_id)];
    form.extend_from_slice(extra);
    post_form(server, TOKEN, &form).await
}

/// [`start_salesforce`], which must succeed; returns the response.
pub(crate) async fn start(server: &Server, client_id: &str, scope: &str) -> Value {
    let (status, body) = start_salesforce(server, client_id, &[("scope", scope)]).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// RFC 8628's device authorization request.
pub(crate) async fn start_rfc(
    server: &Server,
    client_id: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![("client_id", client_id)];
    form.extend_from_slice(extra);
    post_form(server, DEVICE_AUTHORIZE, &form).await
}

/// Salesforce's poll: `grant_type=device` with `code`.
pub(crate) async fn poll(server: &Server, client_id: &str, device_code: &str) -> (u16, Value) {
    post_form(
        server,
        TOKEN,
        &[
            ("grant_type", "device"),
            ("client_id", client_id),
            ("code", device_code),
        ],
    )
    .await
}

/// RFC 8628's poll: the URN grant type with `device_code`.
pub(crate) async fn poll_rfc(server: &Server, client_id: &str, device_code: &str) -> (u16, Value) {
    post_form(
        server,
        TOKEN,
        &[
            ("grant_type", RFC_GRANT),
            ("client_id", client_id),
            ("device_code", device_code),
        ],
    )
    .await
}

/// What the verification page answered last: status and HTML.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) page: String,
}

/// Enters `typed` on the verification page of a logged-in `browser`, then, if the consent page
/// follows, presses `decision` (`allow` or `deny`).
pub(crate) async fn answer(
    server: &Server,
    browser: &reqwest::Client,
    typed: &str,
    decision: &str,
) -> Answer {
    let entered = enter_code(server, browser, typed).await;
    if entered.status != 200 || !entered.page.contains("Allow Access?") {
        return entered;
    }
    let mut form = hidden_inputs(&entered.page);
    form.push(("consent_decision".into(), decision.into()));
    submit(server, browser, &form).await
}

/// Opens the page and presses Connect with `typed` in the Code field.
pub(crate) async fn enter_code(server: &Server, browser: &reqwest::Client, typed: &str) -> Answer {
    let res = browser.get(server.url(CONNECT)).send().await.unwrap();
    let page = res.text().await.unwrap();
    let form = vec![
        ("csrf_token".to_owned(), csrf(&page)),
        ("user_code".to_owned(), typed.to_owned()),
    ];
    submit(server, browser, &form).await
}

pub(crate) async fn submit(
    server: &Server,
    browser: &reqwest::Client,
    form: &[(String, String)],
) -> Answer {
    let res = browser
        .post(server.url(CONNECT))
        .form(form)
        .send()
        .await
        .unwrap();
    Answer {
        status: res.status().as_u16(),
        page: res.text().await.unwrap(),
    }
}

/// Starts an authorization for `client_id` and approves it as the browser's user: the device
/// code, ready to redeem.
pub(crate) async fn approved(
    server: &Server,
    browser: &reqwest::Client,
    client_id: &str,
    scope: &str,
) -> String {
    let started = start(server, client_id, scope).await;
    let answered = answer(server, browser, s(&started, "user_code"), "allow").await;
    assert_eq!(answered.status, 200, "{}", answered.page);
    assert!(
        answered.page.contains("is now connected to your account"),
        "{}",
        answered.page
    );
    s(&started, "device_code").to_owned()
}

/// Moves every device authorization of the server's database 601 seconds into the past, as if
/// ten minutes had gone by.
pub(crate) async fn age_device_codes(server: &Server) {
    let sql = "UPDATE device_authorizations SET created_at = created_at - 601000, expires_at = expires_at - 601000";
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

/// `(error, error_description)`, asserting a 400.
pub(crate) fn error_400(status: u16, body: &Value) -> (String, String) {
    assert_eq!(status, 400, "{body}");
    (
        body["error"].as_str().unwrap_or_default().to_owned(),
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}
