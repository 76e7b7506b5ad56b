//! Who may use a connected app (issue 4, "Consent and permitted users";
//! `reference/salesforce-oauth.md` §8.1, §3.7–§3.8): admin-approved apps admit only assigned
//! users and never ask for consent, uninstalled packaged apps need Approve Uninstalled Connected
//! Apps, and the username-password flow with an app.

use serde_json::{Value, json};

use crate::browser::{authorize, callback_param, location, login};
use crate::connected_app_flows::{APP_CALLBACK, app};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{
    USER_PASSWORD, api, assert_json_signature, authorize_url, create_user, logged_in, oauth_error,
    redeem, s, status_json,
};
use crate::web_server_flow::admin_token;

fn code_url(server: &Server, key: &str) -> String {
    authorize_url(
        server,
        &[
            ("response_type", "code"),
            ("client_id", key),
            ("redirect_uri", APP_CALLBACK),
            ("state", "pu"),
        ],
    )
}

/// Opens the authorization URL in a logged-in browser and returns `(status, Location, body)`.
async fn open(browser: &reqwest::Client, url: &str) -> (u16, Option<String>, String) {
    let res = browser.get(url).send().await.unwrap();
    let status = res.status().as_u16();
    let to = res.headers().get("location").map(|_| location(&res));
    (status, to, res.text().await.unwrap())
}

/// A permission set with `permissions`, assigned to `user_id`; returns its API name.
async fn grant_permission_set(
    server: &Server,
    admin: &str,
    user_id: &str,
    name: &str,
    permissions: &[&str],
) -> String {
    let (status, set) = api(
        server,
        admin,
        reqwest::Method::POST,
        "/api/v1/permission-sets",
        Some(json!({"name": name, "label": name, "permissions": permissions})),
    )
    .await;
    assert_eq!(status, 201, "{set}");
    let (status, body) = api(
        server,
        admin,
        reqwest::Method::POST,
        &format!("/api/v1/users/{user_id}/permission-set-assignments"),
        Some(json!({"permissionSetId": s(&set, "id")})),
    )
    .await;
    assert!(status == 200 || status == 201, "{body}");
    name.to_owned()
}

#[tokio::test]
async fn admin_approved_apps_admit_only_assigned_users_and_never_ask_for_consent() {
    let server = Server::start_with(&["--allow-password-flow"], &[]);
    let admin = admin_token(&server).await;
    let user_id = create_user(&server, &admin, "plain@e2e.test", "StandardUser").await;
    let (key, secret) = app(
        &server,
        &admin,
        "AdminApp",
        json!({"isAdminApproved": true}),
    )
    .await;
    let (status, body) = api(
        &server,
        &admin,
        reqwest::Method::PATCH,
        "/api/v1/connected-apps/AdminApp",
        Some(json!({"profileName": ["SystemAdministrator"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // The administrator's profile is assigned: straight to the callback, no consent page.
    let admin_browser = logged_in(&server, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let (status, to, _) = open(&admin_browser, &code_url(&server, &key)).await;
    let to = to.unwrap_or_else(|| panic!("expected a redirect, got {status}"));
    assert!(
        to.starts_with(APP_CALLBACK) && callback_param(&to, "code").is_some(),
        "{to}"
    );

    // A user without the profile or a permission set gets an error page, never a redirect.
    let browser = logged_in(&server, "plain@e2e.test", USER_PASSWORD).await;
    let (status, to, page) = open(&browser, &code_url(&server, &key)).await;
    assert_eq!((status, to), (400, None));
    assert!(
        page.contains("invalid_app_access")
            && page.contains("user is not admin approved to access this app"),
        "{page}"
    );
    let password_grant = |username: &'static str| {
        let form = [
            ("grant_type", "password".to_owned()),
            ("client_id", key.clone()),
            ("client_secret", secret.clone()),
            ("username", username.to_owned()),
            ("password", USER_PASSWORD.to_owned()),
        ];
        let url = server.url("/services/oauth2/token");
        async move {
            status_json(
                harness::client()
                    .post(url)
                    .form(&form)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = password_grant("plain@e2e.test").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        oauth_error(&body),
        (
            "invalid_app_access",
            "user is not admin approved to access this app"
        )
    );

    // Assigning a permission set of the user to the app lets them in, still without consent.
    let set = grant_permission_set(&server, &admin, &user_id, "AdminAppUsers", &[]).await;
    let (status, body) = api(
        &server,
        &admin,
        reqwest::Method::PATCH,
        "/api/v1/connected-apps/AdminApp",
        Some(json!({"permissionSetName": [set]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, to, page) = open(&browser, &code_url(&server, &key)).await;
    let to = to.unwrap_or_else(|| panic!("expected a redirect: {page}"));
    assert!(callback_param(&to, "code").is_some(), "{to}");
    let (status, body) = password_grant("plain@e2e.test").await;
    assert_eq!(status, 200, "{body}");
}

/// Uploads one packaged app (it starts uninstalled) and returns its entry of the response.
pub(crate) async fn upload_package(
    server: &Server,
    admin: &str,
    name: &str,
    oauth_xml: &str,
) -> Value {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>dev@app.test</contactEmail>
    <label>{name}</label>
    <oauthConfig>
        <callbackUrl>{APP_CALLBACK}</callbackUrl>
        <consumerKey>{name}Key0001</consumerKey>
{oauth_xml}
    </oauthConfig>
</ConnectedApp>"#
    );
    let res = harness::client()
        .post(server.url("/api/v1/packages"))
        .query(&[("fullName", name)])
        .bearer_auth(admin)
        .header("content-type", "application/xml")
        .body(xml)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 201, "{body}");
    let created = body[0].clone();
    assert_eq!(created["isInstalled"], false, "{created}");
    created
}

#[tokio::test]
async fn uninstalled_packaged_apps_need_approve_uninstalled_connected_apps() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let user_id = create_user(&server, &admin, "nopkg@e2e.test", "StandardUser").await;
    let created = upload_package(
        &server,
        &admin,
        "PkgApp",
        "        <scopes>Api</scopes>\n        <scopes>RefreshToken</scopes>",
    )
    .await;
    let secret = s(&created, "consumerSecret").to_owned();
    let key = "PkgAppKey0001";

    let browser = logged_in(&server, "nopkg@e2e.test", USER_PASSWORD).await;
    let (status, to, page) = open(&browser, &code_url(&server, key)).await;
    assert_eq!((status, to), (400, None), "{page}");
    assert!(page.contains("OAUTH_APPROVAL_ERROR_GENERIC"), "{page}");

    // The administrator holds Approve Uninstalled Connected Apps.
    let to = authorize(
        &server,
        &harness::client(),
        &code_url(&server, key),
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
    )
    .await;
    let code = callback_param(&to, "code").unwrap_or_else(|| panic!("{to}"));
    let (status, body) = redeem(
        &server,
        &code,
        &[("client_id", key), ("client_secret", &secret)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_json_signature(&body, &secret);

    // So may a user who is given the permission.
    grant_permission_set(
        &server,
        &admin,
        &user_id,
        "ApproveUninstalled",
        &["ApproveUninstalledConnectedApps"],
    )
    .await;
    let to = authorize(
        &server,
        &browser,
        &code_url(&server, key),
        "nopkg@e2e.test",
        USER_PASSWORD,
    )
    .await;
    assert!(callback_param(&to, "code").is_some(), "{to}");
}

#[tokio::test]
async fn username_password_flow_with_a_confidential_app() {
    let server = Server::start_with(&["--allow-password-flow", "--lockout-threshold", "3"], &[]);
    let admin = admin_token(&server).await;
    create_user(&server, &admin, "pw@e2e.test", "StandardUser").await;
    let (key, secret) = app(&server, &admin, "PwApp", json!({})).await;
    let grant = |secret: Option<&str>, password: &str| {
        let mut form = vec![
            ("grant_type", "password".to_owned()),
            ("client_id", key.clone()),
            ("username", "pw@e2e.test".to_owned()),
            ("password", password.to_owned()),
        ];
        if let Some(secret) = secret {
            form.push(("client_secret", secret.to_owned()));
        }
        let url = server.url("/services/oauth2/token");
        async move {
            status_json(
                harness::client()
                    .post(url)
                    .form(&form)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (status, body) = grant(None, USER_PASSWORD).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_client"),
        "a confidential app needs its secret: {body}"
    );
    let (status, body) = grant(Some("WrongSecret0005"), USER_PASSWORD).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_client"),
        "{body}"
    );
    let (status, body) = grant(Some(&secret), USER_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token in the password flow"
    );
    assert_json_signature(&body, &secret);

    // Bad passwords are `authentication failure` and count toward the login lockout.
    for _ in 0..3 {
        let (status, body) = grant(Some(&secret), "not-the-password").await;
        assert_eq!(
            (status, oauth_error(&body)),
            (400, ("invalid_grant", "authentication failure"))
        );
    }
    let (status, body) = grant(Some(&secret), USER_PASSWORD).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_grant"),
        "locked out: {body}"
    );
    let res = login(&server, &harness::client(), "pw@e2e.test", USER_PASSWORD).await;
    assert_eq!(res.status(), 401, "the lockout covers the login page too");
}

#[tokio::test]
async fn an_app_without_oauth_settings_is_an_unknown_client() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (status, created) = api(
        &server,
        &admin,
        reqwest::Method::POST,
        "/api/v1/connected-apps",
        Some(json!({"fullName": "NoOAuth", "label": "No OAuth", "contactEmail": "dev@app.test"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = s(&created, "consumerKey").to_owned();
    let (status, to, page) = open(&harness::client(), &code_url(&server, &key)).await;
    assert_eq!((status, to), (400, None));
    assert!(page.contains("invalid_client_id"), "{page}");
    let (status, body) = status_json(
        harness::client()
            .post(server.url("/services/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", key.as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_client_id"),
        "{body}"
    );
}
