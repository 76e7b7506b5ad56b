//! Router tests of the Setup pages (issue 8), without sockets: a page allows exactly what the
//! admin API allows for the same user (both call the seed's table through the same handlers),
//! forms need the CSRF token, a save reports every bad field on the page, and anyone without a
//! session is sent to the login page.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failing step panics with its cause"
)]

// The admin API's router-test harness; this file uses part of it.
#[allow(dead_code, unreachable_pub)]
#[path = "admin_api/support.rs"]
mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use portico_core::org::Permission;
use portico_core::session::Session;
use support::{Harness, Reply, T0};
use tower::ServiceExt;

const CSRF: &str = "setup-pages-test-csrf-token-0123456789abcdef";

/// A browser session for a new user holding exactly `perms`: (session cookie, API token).
async fn session_with(h: &Harness, perms: &[Permission]) -> (String, String) {
    let name = format!(
        "s{}@acme.test",
        portico_core::secret::random_token()[..10]
            .to_lowercase()
            .replace(['-', '_'], "x")
    );
    let (user, token) = h.user_named(&name, perms).await;
    let (raw, session) = Session::start(user.id, T0, 3600);
    h.store.insert_session(&session).await.unwrap();
    (format!("portico_sid={raw}; portico_csrf={CSRF}"), token)
}

async fn page(
    h: &Harness,
    method: Method,
    path: &str,
    cookie: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    if !cookie.is_empty() {
        req = req.header(header::COOKIE, cookie);
    }
    if !content_type.is_empty() {
        req = req.header(header::CONTENT_TYPE, content_type);
    }
    let res = h
        .router
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get_page(h: &Harness, path: &str, cookie: &str) -> Reply {
    page(h, Method::GET, path, cookie, "", Vec::new()).await
}

/// A multipart body of text fields.
fn multipart(fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----portico-setup-test";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

#[tokio::test]
async fn without_a_session_every_page_sends_the_browser_to_log_in_and_back() {
    let h = Harness::new().await;
    for path in [
        "/setup",
        "/setup/apps?q=a%20b",
        "/setup/users/new",
        "/setup/apps/PorticoCLI/policies",
    ] {
        let res = get_page(&h, path, "").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        let location = res.headers[header::LOCATION].to_str().unwrap();
        let back: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(location, format!("/login?startURL={back}"), "{path}");
    }
}

/// Each page and the admin API request that needs the same permission.
const PAIRS: [(&str, &str); 6] = [
    ("/setup/apps", "/api/v1/connected-apps"),
    (
        "/setup/apps/PorticoCLI",
        "/api/v1/connected-apps/PorticoCLI",
    ),
    ("/setup/certificates", "/api/v1/certificates"),
    ("/setup/users", "/api/v1/users"),
    ("/setup/profiles", "/api/v1/profiles"),
    ("/setup/permission-sets", "/api/v1/permission-sets"),
];

#[tokio::test]
async fn pages_allow_exactly_what_the_admin_api_allows() {
    let h = Harness::new().await;
    let five = [
        Permission::CustomizeApplication,
        Permission::ModifyAllData,
        Permission::ManageConnectedApps,
        Permission::ViewSetup,
        Permission::ManageUsers,
    ];
    for mask in 0u32..32 {
        let perms: Vec<Permission> = five
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, p)| *p)
            .collect();
        let (cookie, token) = session_with(&h, &perms).await;
        for (page_path, api_path) in PAIRS {
            let page_res = get_page(&h, page_path, &cookie).await;
            let api_res = h.get(api_path, &token).await;
            assert!(
                matches!(page_res.status, StatusCode::OK | StatusCode::FORBIDDEN),
                "{page_path} {perms:?}: {}",
                page_res.status
            );
            assert_eq!(
                page_res.status, api_res.status,
                "{page_path} vs {api_path} with {perms:?}"
            );
        }
        let home = get_page(&h, "/setup", &cookie).await;
        let expected = if perms.contains(&Permission::ViewSetup) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(home.status, expected, "/setup with {perms:?}");
    }
}

#[tokio::test]
async fn a_refusal_is_a_page_that_names_what_is_missing() {
    let h = Harness::new().await;
    let (cookie, _) = session_with(
        &h,
        &[Permission::ViewSetup, Permission::CustomizeApplication],
    )
    .await;
    let res = get_page(&h, "/setup/apps/new", &cookie).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let html = res.text();
    assert!(
        html.contains("Insufficient Privileges") && html.contains("Manage Connected Apps"),
        "{html}"
    );
    assert!(
        res.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let h = Harness::new().await;
    let (cookie, _) = session_with(&h, &Permission::ALL).await;
    let (content_type, body) = multipart(&[
        ("label", "X"),
        ("full_name", "X"),
        ("contact_email", "a@b.test"),
    ]);
    let res = page(
        &h,
        Method::POST,
        "/setup/apps/new",
        &cookie,
        &content_type,
        body,
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = page(
        &h,
        Method::POST,
        "/setup/certificates",
        &cookie,
        "application/x-www-form-urlencoded",
        b"csrf_token=wrong&name=C1".to_vec(),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(
        h.store
            .find_certificate_by_name(&h.org.id, "C1")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn saving_a_bad_app_shows_every_error_and_saving_a_good_one_redirects() {
    let h = Harness::new().await;
    let (cookie, _) = session_with(&h, &Permission::ALL).await;
    let bad = [
        ("csrf_token", CSRF),
        ("label", "Acme"),
        ("full_name", "Acme"),
        ("contact_email", "dev@acme.test"),
        ("oauth_enabled", "on"),
        ("callback_url", "http://acme.test/cb"),
        ("scopes", "Api"),
        ("configure_id_token", "on"),
        ("id_token_validity", "721"),
        ("single_logout", "on"),
        ("single_logout_url", "http://acme.test/logout"),
    ];
    let (content_type, body) = multipart(&bad);
    let res = page(
        &h,
        Method::POST,
        "/setup/apps/new",
        &cookie,
        &content_type,
        body,
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let html = res.text();
    for id in [
        "callback_url-error",
        "id_token_validity-error",
        "single_logout_url-error",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
    assert!(html.contains("value=\"721\""), "the typed value is kept");
    assert!(
        h.store
            .find_app_by_name(&h.org.id, "Acme")
            .await
            .unwrap()
            .is_none()
    );

    let mut good = bad.to_vec();
    good.retain(|(k, _)| !["callback_url", "id_token_validity", "single_logout_url"].contains(k));
    good.extend([
        ("callback_url", "https://acme.test/cb"),
        ("id_token_validity", "30"),
        ("single_logout_url", "https://acme.test/logout"),
    ]);
    let (content_type, body) = multipart(&good);
    let res = page(
        &h,
        Method::POST,
        "/setup/apps/new",
        &cookie,
        &content_type,
        body,
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.headers[header::LOCATION], "/setup/apps/Acme");
    let app = h.store_app("Acme").await;
    let oauth = app.oauth().unwrap();
    assert_eq!(
        oauth.id_token_config.as_ref().unwrap().id_token_validity,
        30
    );
    assert_eq!(
        oauth.single_logout_url.as_deref(),
        Some("https://acme.test/logout")
    );
}
