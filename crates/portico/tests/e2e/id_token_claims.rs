//! Custom attributes and custom permissions (issue 6; `reference/salesforce-oauth.md` §6.1–§6.3):
//! in ID tokens when the app includes them, and in UserInfo and the identity URL for the
//! `custom_permissions` scope or when the app includes them in ID tokens. A user holds a custom
//! permission through their profile or a permission set (`customPermissions` in the admin API).

use serde_json::json;

use crate::harness::Server;
use crate::id_token::app_tokens;
use crate::support::{
    USERINFO, admin_browser, api, app_json, create_app, get_bearer, s, verify_id_token,
};

/// Grants custom permissions: `ViewReports` through the admin's profile, `ApproveSpend` through
/// a permission set assigned to the admin. Returns the admin's user id.
async fn grant_custom_permissions(server: &Server, admin: &str, identity_url: &str) -> String {
    let user_id = identity_url.rsplit('/').next().unwrap().to_owned();
    let (status, profiles) = api(
        server,
        admin,
        reqwest::Method::GET,
        "/api/v1/profiles",
        None,
    )
    .await;
    assert_eq!(status, 200, "{profiles}");
    let profile = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "SystemAdministrator")
        .unwrap();
    let path = format!("/api/v1/profiles/{}", s(profile, "id"));
    let (status, patched) = api(
        server,
        admin,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"customPermissions": ["ViewReports"]})),
    )
    .await;
    assert_eq!(
        (status, &patched["customPermissions"]),
        (200, &json!(["ViewReports"])),
        "{patched}"
    );
    let (status, bad) = api(
        server,
        admin,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"customPermissions": ["Bad Name"]})),
    )
    .await;
    assert_eq!(
        (status, &bad[0]["fields"][0]),
        (400, &json!("customPermissions")),
        "{bad}"
    );
    let (status, set) = api(
        server,
        admin,
        reqwest::Method::POST,
        "/api/v1/permission-sets",
        Some(json!({"name": "Approvers", "label": "Approvers", "customPermissions": ["ApproveSpend"]})),
    )
    .await;
    assert_eq!(status, 201, "{set}");
    let assign = format!("/api/v1/users/{user_id}/permission-set-assignments");
    let (status, body) = api(
        server,
        admin,
        reqwest::Method::POST,
        &assign,
        Some(json!({"permissionSetId": s(&set, "id")})),
    )
    .await;
    assert!(status == 200 || status == 201, "{body}");
    user_id
}

#[tokio::test]
async fn custom_attributes_and_permissions_in_id_tokens_userinfo_and_identity() {
    let server = Server::start();
    let tokens = crate::web_server_flow::admin_tokens(&server, "api refresh_token").await;
    let admin = s(&tokens, "access_token").to_owned();
    grant_custom_permissions(&server, &admin, s(&tokens, "id")).await;
    let mut app = app_json(
        "Custom",
        json!({
            "scopes": ["api", "id", "openid", "custom_permissions"],
            "idTokenConfig": {"idTokenIncludeAttributes": true, "idTokenIncludeCustomPerms": true},
        }),
    );
    app["attributes"] = json!([
        {"key": "greeting", "formula": "\"Hello, \" & $User.FirstName"},
        {"key": "org", "formula": "$Organization.Id"},
    ]);
    app["customPermissions"] = json!(["ViewReports", "ApproveSpend", "DeleteEverything"]);
    create_app(&server, &admin, app).await;
    let browser = admin_browser(&server).await;
    let body = app_tokens(
        &server,
        &browser,
        "CustomKey0001",
        "CustomSecret0001",
        &[("scope", "openid api")],
    )
    .await;
    let claims = verify_id_token(&server, s(&body, "id_token"), "CustomKey0001").await;
    let org_id = s(&body, "id").rsplit('/').nth(1).unwrap().to_owned();
    let attributes = json!({"greeting": "Hello, System", "org": org_id});
    let permissions = json!({"ViewReports": true, "ApproveSpend": true, "DeleteEverything": false});
    assert_eq!(claims["custom_attributes"], attributes, "{claims}");
    assert_eq!(claims["custom_permissions"], permissions, "{claims}");
    assert!(claims.get("name").is_none(), "standard claims stay off");

    // The app puts them in ID tokens, so UserInfo and the identity URL carry them too.
    let access = s(&body, "access_token");
    for path in [
        USERINFO.to_owned(),
        body["id"].as_str().unwrap().replace(server.base_url(), ""),
    ] {
        let (status, me) = get_bearer(&server, &path, access).await;
        assert_eq!(status, 200, "{path}: {me}");
        assert_eq!(me["custom_attributes"], attributes, "{path}: {me}");
        assert_eq!(me["custom_permissions"], permissions, "{path}: {me}");
    }

    // An app whose ID tokens leave them out returns them for the custom_permissions scope only.
    let mut quiet = app_json(
        "Quiet",
        json!({"scopes": ["api", "id", "openid", "custom_permissions"]}),
    );
    quiet["customPermissions"] = json!(["ViewReports"]);
    quiet["attributes"] = json!([{"key": "greeting", "formula": "'Hi'"}]);
    create_app(&server, &admin, quiet).await;
    for (scope, expected) in [
        ("openid api", false),
        ("openid api custom_permissions", true),
    ] {
        let body = app_tokens(
            &server,
            &browser,
            "QuietKey0001",
            "QuietSecret0001",
            &[("scope", scope)],
        )
        .await;
        let claims = verify_id_token(&server, s(&body, "id_token"), "QuietKey0001").await;
        assert!(
            claims.get("custom_permissions").is_none() && claims.get("custom_attributes").is_none(),
            "{claims}"
        );
        let (status, me) = get_bearer(&server, USERINFO, s(&body, "access_token")).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(
            me.get("custom_permissions").is_some(),
            expected,
            "{scope}: {me}"
        );
        if expected {
            assert_eq!(me["custom_permissions"], json!({"ViewReports": true}));
            assert_eq!(me["custom_attributes"], json!({"greeting": "Hi"}));
        }
    }
}
