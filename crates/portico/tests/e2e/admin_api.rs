//! The admin API's first resources (users, profiles, permission sets, assignments, org) with
//! their 401/403/400/404/409 answers, the password grant on and off, and persistence across a
//! restart.

use serde_json::{Value, json};

use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::web_server_flow::admin_token;

async fn password_grant(server: &Server, username: &str, password: &str) -> (u16, Value) {
    let res = harness::client()
        .post(server.url("/services/oauth2/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "PorticoCLI"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn call(
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
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        },
    )
}

async fn profile_id(server: &Server, token: &str, name: &str) -> String {
    let (_, profiles) = call(
        server,
        token,
        reqwest::Method::GET,
        "/api/v1/profiles",
        None,
    )
    .await;
    profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn password_grant_is_off_unless_allowed() {
    let off = Server::start();
    let (status, body) = password_grant(&off, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let on = Server::start_with(&["--allow-password-flow"], &[]);
    let (status, body) = password_grant(&on, ADMIN_USERNAME, ADMIN_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "the password flow issues no refresh token"
    );
    let (status, body) = password_grant(&on, ADMIN_USERNAME, "wrong").await;
    assert_eq!(
        (
            status,
            body["error"].as_str(),
            body["error_description"].as_str()
        ),
        (400, Some("invalid_grant"), Some("authentication failure"))
    );
}

#[tokio::test]
async fn admin_api_needs_a_valid_token_with_api_scope() {
    let server = Server::start();
    let http = harness::client();
    let res = http.get(server.url("/api/v1/users")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    let (status, body) = call(
        &server,
        "00Dbogus!token",
        reqwest::Method::GET,
        "/api/v1/users",
        None,
    )
    .await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (401, Some("INVALID_SESSION_ID"))
    );
}

#[tokio::test]
async fn users_can_be_created_read_updated_and_deactivated() {
    let server = Server::start();
    let token = admin_token(&server).await;
    let standard = profile_id(&server, &token, "StandardUser").await;
    let (status, user) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"username": "ann@e2e.test", "email": "ann@e2e.test", "firstName": "Ann", "lastName": "Lee", "profileId": standard, "password": "Passw0rd-ann"})),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("005") && id.len() == 18);
    assert!(user.get("password").is_none(), "write-only");
    assert_eq!(user["isActive"], true);

    let (status, got) = call(
        &server,
        &token,
        reqwest::Method::GET,
        &format!("/api/v1/users/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, got["username"].as_str()),
        (200, Some("ann@e2e.test"))
    );

    // Duplicate usernames are refused, whatever the case.
    let (status, body) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"username": "ANN@e2e.test", "email": "x@e2e.test", "lastName": "X", "profileId": standard})),
    )
    .await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (409, Some("DUPLICATE_VALUE"))
    );

    // Every bad field is named at once.
    let (status, body) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"username": "not-an-email", "email": "also bad", "lastName": "Y", "profileId": "00e000000000000AAA"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let fields: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fields"][0].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "email", "profileId"]);

    let (status, body) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"email": "z@e2e.test"})),
    )
    .await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (400, Some("REQUIRED_FIELD_MISSING"))
    );

    let (status, _) = call(
        &server,
        &token,
        reqwest::Method::GET,
        "/api/v1/users/005000000000000AAA",
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Deactivating revokes the user's tokens.
    let server_pw = &server;
    let (status, patched) = call(
        server_pw,
        &token,
        reqwest::Method::PATCH,
        &format!("/api/v1/users/{id}"),
        Some(json!({"isActive": false, "lastName": "Lee-Smith"})),
    )
    .await;
    assert_eq!(
        (
            status,
            patched["isActive"].as_bool(),
            patched["lastName"].as_str()
        ),
        (200, Some(false), Some("Lee-Smith"))
    );
}

#[tokio::test]
async fn deactivating_a_user_revokes_their_tokens() {
    let server = Server::start_with(&["--allow-password-flow"], &[]);
    let token = admin_token(&server).await;
    let standard = profile_id(&server, &token, "StandardUser").await;
    let (_, user) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"username": "bo@e2e.test", "email": "bo@e2e.test", "lastName": "Bo", "profileId": standard, "password": "Passw0rd-bo"})),
    )
    .await;
    let (status, bo) = password_grant(&server, "bo@e2e.test", "Passw0rd-bo").await;
    assert_eq!(status, 200, "{bo}");
    let bo_token = bo["access_token"].as_str().unwrap();
    let me = harness::client()
        .get(server.url("/services/oauth2/userinfo"))
        .bearer_auth(bo_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    call(
        &server,
        &token,
        reqwest::Method::PATCH,
        &format!("/api/v1/users/{}", user["id"].as_str().unwrap()),
        Some(json!({"isActive": false})),
    )
    .await;
    let me = harness::client()
        .get(server.url("/services/oauth2/userinfo"))
        .bearer_auth(bo_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 403);
    let (status, body) = password_grant(&server, "bo@e2e.test", "Passw0rd-bo").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("inactive_user"))
    );
}

#[tokio::test]
async fn users_without_manage_users_get_403_naming_the_permission() {
    let server = Server::start_with(&["--allow-password-flow"], &[]);
    let token = admin_token(&server).await;
    let standard = profile_id(&server, &token, "StandardUser").await;
    call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"username": "cy@e2e.test", "email": "cy@e2e.test", "lastName": "Cy", "profileId": standard, "password": "Passw0rd-cy"})),
    )
    .await;
    let (_, cy) = password_grant(&server, "cy@e2e.test", "Passw0rd-cy").await;
    let cy_token = cy["access_token"].as_str().unwrap();
    let (status, body) = call(
        &server,
        cy_token,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(json!({"username": "d@e2e.test"})),
    )
    .await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (403, Some("INSUFFICIENT_ACCESS"))
    );
    assert!(
        body[0]["message"]
            .as_str()
            .unwrap()
            .contains("Manage Users"),
        "{body}"
    );
    let (status, body) = call(
        &server,
        cy_token,
        reqwest::Method::GET,
        "/api/v1/profiles",
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        body[0]["message"].as_str().unwrap().contains("View Setup"),
        "{body}"
    );
}

#[tokio::test]
async fn permission_sets_are_created_and_assigned() {
    let server = Server::start();
    let token = admin_token(&server).await;
    let (status, ps) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/permission-sets",
        Some(json!({"name": "AppAdmins", "label": "App Admins", "permissions": ["CustomizeApplication", "ManageConnectedApps"]})),
    )
    .await;
    assert_eq!(status, 201, "{ps}");
    let ps_id = ps["id"].as_str().unwrap().to_owned();
    assert!(ps_id.starts_with("0PS"));
    let (status, body) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/permission-sets",
        Some(json!({"name": "AppAdmins"})),
    )
    .await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (409, Some("DUPLICATE_VALUE"))
    );
    let (status, body) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/permission-sets",
        Some(json!({"name": "X", "permissions": ["Fly"]})),
    )
    .await;
    assert_eq!(
        (status, body[0]["fields"][0].as_str()),
        (400, Some("permissions"))
    );
    let (status, patched) = call(
        &server,
        &token,
        reqwest::Method::PATCH,
        &format!("/api/v1/permission-sets/{ps_id}"),
        Some(json!({"permissions": ["ViewSetup"]})),
    )
    .await;
    assert_eq!(
        (status, patched["permissions"].clone()),
        (200, json!(["ViewSetup"]))
    );

    let (_, users) = call(&server, &token, reqwest::Method::GET, "/api/v1/users", None).await;
    let admin_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == ADMIN_USERNAME)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/users/{admin_id}/permission-set-assignments");
    let (status, _) = call(
        &server,
        &token,
        reqwest::Method::POST,
        &path,
        Some(json!({"permissionSetId": ps_id})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = call(
        &server,
        &token,
        reqwest::Method::POST,
        &path,
        Some(json!({"permissionSetId": ps_id})),
    )
    .await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (409, Some("DUPLICATE_VALUE"))
    );
    let (_, list) = call(&server, &token, reqwest::Method::GET, &path, None).await;
    assert_eq!(list[0]["permissionSetId"], ps_id.as_str());
    let (status, _) = call(
        &server,
        &token,
        reqwest::Method::DELETE,
        &format!("{path}/{ps_id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &server,
        &token,
        reqwest::Method::DELETE,
        &format!("{path}/{ps_id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    let (status, profile) = call(
        &server,
        &token,
        reqwest::Method::POST,
        "/api/v1/profiles",
        Some(json!({"name": "Auditor", "permissions": ["ViewSetup"]})),
    )
    .await;
    assert_eq!(status, 201);
    assert!(profile["id"].as_str().unwrap().starts_with("00e"));
}

#[tokio::test]
async fn org_is_read_and_patched_and_data_survives_a_restart() {
    let mut server = Server::start();
    let token = admin_token(&server).await;
    let (status, org) = call(&server, &token, reqwest::Method::GET, "/api/v1/org", None).await;
    assert_eq!((status, org["edition"].as_str()), (200, Some("Developer")));
    assert!(org["id"].as_str().unwrap().starts_with("00D"));
    let (status, body) = call(
        &server,
        &token,
        reqwest::Method::PATCH,
        "/api/v1/org",
        Some(json!({"edition": "Free"})),
    )
    .await;
    assert_eq!(
        (status, body[0]["fields"][0].as_str()),
        (400, Some("edition"))
    );
    let (status, org) = call(
        &server,
        &token,
        reqwest::Method::PATCH,
        "/api/v1/org",
        Some(json!({"name": "Acme", "edition": "Enterprise"})),
    )
    .await;
    assert_eq!((status, org["name"].as_str()), (200, Some("Acme")));

    server.restart();
    let (status, org) = call(&server, &token, reqwest::Method::GET, "/api/v1/org", None).await;
    assert_eq!(
        (status, org["edition"].as_str()),
        (200, Some("Enterprise")),
        "the token and the org survive a restart"
    );
}
