//! The login page: good and bad credentials, one generic error, lockout, inactive users, CSRF,
//! security headers, sessions and logout.

use crate::browser::{csrf, location, login};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::web_server_flow::admin_token;

#[tokio::test]
async fn login_page_has_labelled_inputs_csrf_and_security_headers() {
    let server = Server::start();
    let res = harness::client()
        .get(server.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"<label for="username">Username</label>"#));
    assert!(page.contains(r#"<label for="password">Password</label>"#));
    assert!(page.contains(">Log In</button>"));
    assert!(!csrf(&page).is_empty());
}

#[tokio::test]
async fn good_login_sets_a_hardened_session_cookie() {
    let server = Server::start();
    let client = harness::client();
    let res = login(&server, &client, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("portico_sid="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http issuer: no Secure flag"
    );
    let home = client
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains(ADMIN_USERNAME));

    // Logging out ends the session.
    let out = client
        .get(server.url("/secur/logout.jsp"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    let home = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(location(&home), "/login");
}

#[tokio::test]
async fn bad_password_and_unknown_user_get_the_same_generic_error() {
    let server = Server::start();
    let client = harness::client();
    let wrong = login(&server, &client, ADMIN_USERNAME, "not-the-password").await;
    assert_eq!(wrong.status(), 401);
    let wrong = wrong.text().await.unwrap();
    let unknown = login(&server, &client, "nobody@nowhere.test", "whatever").await;
    assert_eq!(unknown.status(), 401);
    let unknown = unknown.text().await.unwrap();
    let message = |page: &str| {
        page.split("role=\"alert\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(message(&wrong), message(&unknown));
    assert!(message(&wrong).contains("check your username and password"));
}

#[tokio::test]
async fn login_without_the_csrf_token_is_refused() {
    let server = Server::start();
    let client = harness::client();
    let _ = client.get(server.url("/login")).send().await.unwrap();
    let res = client
        .post(server.url("/login"))
        .form(&[("username", ADMIN_USERNAME), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = client
        .post(server.url("/login"))
        .form(&[
            ("username", ADMIN_USERNAME),
            ("password", ADMIN_PASSWORD),
            ("csrf_token", "forged-forged-forged-forged-forged-forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn ten_failures_lock_the_user_out_even_with_the_right_password() {
    let server = Server::start();
    let client = harness::client();
    for _ in 0..10 {
        assert_eq!(
            login(&server, &client, ADMIN_USERNAME, "wrong-password")
                .await
                .status(),
            401
        );
    }
    let res = login(&server, &client, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 401, "locked out");
}

#[tokio::test]
async fn lockout_threshold_is_configurable_and_a_good_login_resets_the_count() {
    let server = Server::start_with(&["--lockout-threshold", "2", "--lockout-minutes", "1"], &[]);
    let client = harness::client();
    assert_eq!(
        login(&server, &client, ADMIN_USERNAME, "wrong")
            .await
            .status(),
        401
    );
    assert_eq!(
        login(&server, &client, ADMIN_USERNAME, ADMIN_PASSWORD)
            .await
            .status(),
        303,
        "one failure is below the threshold"
    );
    for _ in 0..2 {
        login(&server, &client, ADMIN_USERNAME, "wrong").await;
    }
    assert_eq!(
        login(&server, &client, ADMIN_USERNAME, ADMIN_PASSWORD)
            .await
            .status(),
        401,
        "two failures lock"
    );
}

#[tokio::test]
async fn inactive_users_cannot_log_in() {
    let server = Server::start();
    let token = admin_token(&server).await;
    let http = harness::client();
    let profiles: serde_json::Value = http
        .get(server.url("/api/v1/profiles"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let standard = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "StandardUser")
        .unwrap()["id"]
        .clone();
    let created: serde_json::Value = http
        .post(server.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"username": "ina@e2e.test", "email": "ina@e2e.test", "lastName": "Active", "profileId": standard, "password": "Passw0rd-ina"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client = harness::client();
    assert_eq!(
        login(&server, &client, "ina@e2e.test", "Passw0rd-ina")
            .await
            .status(),
        303
    );
    let res = http
        .patch(server.url(&format!(
            "/api/v1/users/{}",
            created["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .json(&serde_json::json!({"isActive": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let client = harness::client();
    assert_eq!(
        login(&server, &client, "ina@e2e.test", "Passw0rd-ina")
            .await
            .status(),
        401
    );
}
