//! The device flow over HTTP (issue 5; RFC 8628; `reference/salesforce-oauth.md` §3.4;
//! `reference/security.md` ATK-51…ATK-56): both ways of starting, both ways of polling, and what
//! every state of an authorization answers.

use serde_json::{Value, json};

use crate::device_support::{
    CONNECT, age_device_codes, answer, approved, error_400, poll, poll_rfc, start, start_rfc,
    start_salesforce,
};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{
    USER_PASSWORD, USERINFO, admin_browser, app_json, create_app, create_user, get_bearer,
    logged_in, s,
};
use crate::web_server_flow::admin_token;

const CLI: &str = "PorticoCLI";
const ALPHABET: &str = "BCDFGHJKLMNPQRSTVWXZ";

fn assert_user_code(code: &str) {
    let (head, tail) = code
        .split_once('-')
        .unwrap_or_else(|| panic!("no dash in {code}"));
    assert!(head.len() == 4 && tail.len() == 4, "{code}");
    assert!(
        head.chars()
            .chain(tail.chars())
            .all(|c| ALPHABET.contains(c)),
        "{code}"
    );
}

fn assert_authorization(server: &Server, body: &Value) {
    let device_code = s(body, "device_code");
    assert!(
        device_code.len() >= 22 && device_code.len() * 6 >= 128,
        "≥ 128 bits: {device_code}"
    );
    let user_code = s(body, "user_code");
    assert_user_code(user_code);
    assert_eq!(s(body, "verification_uri"), server.url(CONNECT));
    assert_eq!(
        s(body, "verification_uri_complete"),
        format!("{}?user_code={user_code}", server.url(CONNECT))
    );
    assert_eq!(body["interval"], 5);
    assert_eq!(body["expires_in"], 600);
}

#[tokio::test]
async fn device_authorization_answers_both_ways_with_rfc_8628_fields() {
    let server = Server::start();
    // ATK-51, Salesforce's way: form and multipart (as @salesforce/core sends it).
    let (status, form) =
        start_salesforce(&server, CLI, &[("scope", "refresh_token web api")]).await;
    assert_eq!(status, 200, "{form}");
    assert_authorization(&server, &form);
    let multipart = reqwest::multipart::Form::new()
        .text("client_id", CLI)
        .text("response_type", "device_code")
        .text("scope", "refresh_token web api");
    let res = harness::client()
        .post(server.url("/services/oauth2/token"))
        .multipart(multipart)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let multipart: Value = res.json().await.unwrap();
    assert_authorization(&server, &multipart);
    assert_ne!(form["device_code"], multipart["device_code"]);
    assert_ne!(form["user_code"], multipart["user_code"]);

    // RFC 8628's endpoint, advertised in discovery.
    let (status, rfc) = start_rfc(&server, CLI, &[("scope", "api openid")]).await;
    assert_eq!(status, 200, "{rfc}");
    assert_authorization(&server, &rfc);
    let doc: Value = harness::client()
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["device_authorization_endpoint"],
        server.url("/services/oauth2/device/authorize")
    );
    let grants = doc["grant_types_supported"].as_array().unwrap();
    assert!(
        grants.contains(&json!("urn:ietf:params:oauth:grant-type:device_code")),
        "{doc}"
    );

    // The `format` parameter applies here too.
    let text = harness::client()
        .post(server.url("/services/oauth2/token"))
        .form(&[
            ("response_type", "device_code"),
            ("client_id", CLI),
            ("format", "urlencoded"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("user_code=") && text.contains("interval=5"),
        "{text}"
    );
}

#[tokio::test]
async fn only_apps_with_device_flow_enabled_may_start_it() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    create_app(&server, &admin, app_json("NoDevice", json!({}))).await;
    for (status, body) in [
        start_salesforce(&server, "NoDeviceKey0001", &[]).await,
        start_rfc(&server, "NoDeviceKey0001", &[]).await,
    ] {
        let (error, description) = error_400(status, &body);
        assert_eq!(error, "invalid_client");
        assert!(
            description.contains("Enable for Device Flow"),
            "{description}"
        );
    }
    let (status, body) = start_salesforce(&server, "NoSuchKey", &[]).await;
    assert_eq!(error_400(status, &body).0, "invalid_client_id");
    let (status, body) = start_salesforce(&server, CLI, &[("scope", "api full")]).await;
    assert_eq!(error_400(status, &body).0, "invalid_scope");
    // A confidential app may leave its secret out (as at Salesforce), but a wrong one fails.
    create_app(
        &server,
        &admin,
        app_json("Tv", json!({"isDeviceFlowEnabled": true})),
    )
    .await;
    assert_eq!(start_salesforce(&server, "TvKey0001", &[]).await.0, 200);
    let (status, body) =
        start_salesforce(&server, "TvKey0001", &[("client_secret", "wrong")]).await;
    assert_eq!(error_400(status, &body).0, "invalid_client");
}

#[tokio::test]
async fn polls_are_pending_then_slowed_then_answered_once_with_tokens() {
    let server = Server::start();
    let started = start(&server, CLI, "api refresh_token openid").await;
    let code = s(&started, "device_code");
    // ATK-53: pending is exactly 400 + authorization_pending (what @salesforce/core waits on).
    let (status, body) = poll(&server, CLI, code).await;
    assert_eq!(error_400(status, &body).0, "authorization_pending");
    // ATK-52: polling again at once is too fast.
    let (status, body) = poll(&server, CLI, code).await;
    let (error, description) = error_400(status, &body);
    assert_eq!(error, "slow_down");
    assert!(
        description.contains("10 seconds"),
        "the interval grew by 5 s: {description}"
    );

    let browser = admin_browser(&server).await;
    let answered = answer(&server, &browser, s(&started, "user_code"), "allow").await;
    assert_eq!(answered.status, 200, "{}", answered.page);
    let (status, tokens) = poll(&server, CLI, code).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(s(&tokens, "access_token").contains('!'));
    assert!(
        tokens["refresh_token"].is_string() && tokens["id_token"].is_string(),
        "{tokens}"
    );
    assert!(tokens["issued_at"].is_string());
    let mut granted: Vec<&str> = s(&tokens, "scope").split(' ').collect();
    granted.sort_unstable();
    assert_eq!(granted, ["api", "openid", "refresh_token"]);
    let (status, me) = get_bearer(&server, USERINFO, s(&tokens, "access_token")).await;
    assert_eq!(
        (status, s(&me, "preferred_username")),
        (200, ADMIN_USERNAME)
    );
    // Success once, then invalid_grant.
    let (status, again) = poll(&server, CLI, code).await;
    assert_eq!(error_400(status, &again).0, "invalid_grant");
}

#[tokio::test]
async fn the_interval_stays_grown_after_slow_down() {
    let server = Server::start();
    let started = start(&server, CLI, "api").await;
    let code = s(&started, "device_code");
    let (status, body) = poll(&server, CLI, code).await;
    assert_eq!(error_400(status, &body).0, "authorization_pending");
    let (status, body) = poll(&server, CLI, code).await;
    assert_eq!(error_400(status, &body).0, "slow_down");
    // 5.5 s later the original interval has passed, but not the grown one.
    tokio::time::sleep(std::time::Duration::from_millis(5500)).await;
    let (status, body) = poll(&server, CLI, code).await;
    assert_eq!(
        error_400(status, &body).0,
        "slow_down",
        "the interval is 10 s now"
    );
}

#[tokio::test]
async fn rfc_clients_poll_with_device_code_and_get_scoped_tokens() {
    let server = Server::start();
    let (_, started) = start_rfc(&server, CLI, &[("scope", "api")]).await;
    let browser = admin_browser(&server).await;
    let answered = answer(&server, &browser, s(&started, "user_code"), "allow").await;
    assert_eq!(answered.status, 200, "{}", answered.page);
    let (status, tokens) = poll_rfc(&server, CLI, s(&started, "device_code")).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(s(&tokens, "scope"), "api");
    assert!(
        tokens.get("refresh_token").is_none() && tokens.get("id_token").is_none(),
        "{tokens}"
    );
    let (status, again) = poll_rfc(&server, CLI, s(&started, "device_code")).await;
    assert_eq!(error_400(status, &again).0, "invalid_grant");
    let (status, bogus) = poll_rfc(&server, CLI, "not-a-device-code").await;
    assert_eq!(error_400(status, &bogus).0, "invalid_grant");
}

#[tokio::test]
async fn a_denial_is_final_even_after_back_and_allow() {
    let server = Server::start();
    let started = start(&server, CLI, "api").await;
    let browser = admin_browser(&server).await;
    // Keep the consent page, deny, then press Allow on the kept page (ATK-55).
    let entered =
        crate::device_support::enter_code(&server, &browser, s(&started, "user_code")).await;
    assert!(entered.page.contains("Allow Access?"), "{}", entered.page);
    let mut deny = crate::browser::hidden_inputs(&entered.page);
    let mut allow = deny.clone();
    deny.push(("consent_decision".into(), "deny".into()));
    allow.push(("consent_decision".into(), "allow".into()));
    let denied = crate::device_support::submit(&server, &browser, &deny).await;
    assert_eq!(denied.status, 200);
    assert!(denied.page.contains("Access denied"), "{}", denied.page);
    let late = crate::device_support::submit(&server, &browser, &allow).await;
    assert_eq!(late.status, 400);
    assert!(
        late.page.contains("expired or was already used"),
        "{}",
        late.page
    );
    for _ in 0..2 {
        let (status, body) = poll(&server, CLI, s(&started, "device_code")).await;
        let (error, description) = error_400(status, &body);
        assert_eq!(
            (error.as_str(), description.as_str()),
            ("access_denied", "end-user denied authorization")
        );
    }
}

#[tokio::test]
async fn expired_codes_get_expired_token_and_cannot_be_approved() {
    let server = Server::start();
    let started = start(&server, CLI, "api").await;
    let approved_late = start(&server, CLI, "api").await;
    let browser = admin_browser(&server).await;
    assert_eq!(
        answer(&server, &browser, s(&approved_late, "user_code"), "allow")
            .await
            .status,
        200
    );
    age_device_codes(&server).await;
    for code in [s(&started, "device_code"), s(&approved_late, "device_code")] {
        let (status, body) = poll(&server, CLI, code).await;
        assert_eq!(error_400(status, &body).0, "expired_token");
    }
    let late = answer(&server, &browser, s(&started, "user_code"), "allow").await;
    assert_eq!(late.status, 400);
    assert!(
        late.page.contains("expired or was already used"),
        "{}",
        late.page
    );
}

#[tokio::test]
async fn another_clients_device_code_is_an_invalid_grant() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    create_app(
        &server,
        &admin,
        app_json("OtherTv", json!({"isDeviceFlowEnabled": true})),
    )
    .await;
    let browser = admin_browser(&server).await;
    let code = approved(&server, &browser, CLI, "api").await;
    // ATK-56: the other app polls for PorticoCLI's approved code.
    let (status, body) = poll(&server, "OtherTvKey0001", &code).await;
    let (error, description) = error_400(status, &body);
    assert_eq!(error, "invalid_grant");
    assert!(description.contains("another client"), "{description}");
    // The rightful client still gets its tokens.
    assert_eq!(poll(&server, CLI, &code).await.0, 200);
}

#[tokio::test]
async fn admin_approved_apps_skip_consent_and_admit_only_assigned_users() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let mut app = app_json(
        "Kiosk",
        json!({"isDeviceFlowEnabled": true, "isAdminApproved": true}),
    );
    app["profileName"] = json!(["SystemAdministrator"]);
    create_app(&server, &admin, app).await;
    create_user(&server, &admin, "viewer@e2e.portico.test", "StandardUser").await;

    // The assigned administrator is connected as soon as the code is entered.
    let started = start(&server, "KioskKey0001", "api").await;
    let browser = logged_in(&server, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let entered =
        crate::device_support::enter_code(&server, &browser, s(&started, "user_code")).await;
    assert_eq!(entered.status, 200);
    assert!(
        !entered.page.contains("Allow Access?"),
        "no consent page: {}",
        entered.page
    );
    assert!(
        entered.page.contains("is now connected to your account"),
        "{}",
        entered.page
    );
    assert_eq!(
        poll(&server, "KioskKey0001", s(&started, "device_code"))
            .await
            .0,
        200
    );

    // An unassigned user is refused and the code stays pending for someone who may approve it.
    let other = start(&server, "KioskKey0001", "api").await;
    let viewer = logged_in(&server, "viewer@e2e.portico.test", USER_PASSWORD).await;
    let refused = answer(&server, &viewer, s(&other, "user_code"), "allow").await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.page.contains("invalid_app_access"),
        "{}",
        refused.page
    );
    let (status, body) = poll(&server, "KioskKey0001", s(&other, "device_code")).await;
    assert_eq!(error_400(status, &body).0, "authorization_pending");
}

#[tokio::test]
async fn a_user_deactivated_after_approving_gets_no_tokens() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let id = create_user(&server, &admin, "leaver@e2e.portico.test", "StandardUser").await;
    let browser = logged_in(&server, "leaver@e2e.portico.test", USER_PASSWORD).await;
    let code = approved(&server, &browser, CLI, "api").await;
    let path = format!("/api/v1/users/{id}");
    let (status, _) = crate::support::api(
        &server,
        &admin,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"isActive": false})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = poll(&server, CLI, &code).await;
    assert_eq!(error_400(status, &body).0, "inactive_user");
}
