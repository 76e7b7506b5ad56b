//! Dynamic client registration as the admin API sees it (issue 6; CONTRACT §3): who may generate
//! an initial access token, that only its hash is kept and the audit trail never shows it, and a
//! registered app in the API with its read-only `registeredBy`.

use axum::http::{Method, StatusCode};
use portico_core::org::Permission;
use portico_core::secret::TokenHash;
use serde_json::json;

use crate::support::{Harness, app_json};

const APPS: &str = "/api/v1/connected-apps";

#[tokio::test]
async fn initial_access_tokens_need_app_admin_permissions_and_are_stored_as_hashes() {
    let h = Harness::new().await;
    assert_eq!(
        h.call(Method::POST, APPS, &h.admin, Some(app_json("Gateway")))
            .await
            .status,
        StatusCode::CREATED
    );
    let path = "/api/v1/connected-apps/Gateway/initial-access-token";

    let r = h.call(Method::POST, path, &h.admin, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let token = r.json()["initialAccessToken"].as_str().unwrap().to_owned();
    let app = h.store_app("Gateway").await;
    let found = h
        .store
        .find_initial_access_token_app(&TokenHash::of(&token))
        .await
        .unwrap();
    assert_eq!(found, Some(app.id.clone()), "found by its hash");

    let viewer = h.user_with(&[Permission::CustomizeApplication]).await;
    let r = h.call(Method::POST, path, &viewer, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let app_admin = h
        .user_with(&[
            Permission::CustomizeApplication,
            Permission::ManageConnectedApps,
        ])
        .await;
    let r = h.call(Method::POST, path, &app_admin, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let newer = r.json()["initialAccessToken"].as_str().unwrap().to_owned();
    assert_ne!(newer, token);
    let store = &h.store;
    assert_eq!(
        store
            .find_initial_access_token_app(&TokenHash::of(&token))
            .await
            .unwrap(),
        None,
        "replaced"
    );

    let trail = h.get("/api/v1/audit-trail", &h.admin).await;
    assert!(
        trail.text().contains("initialAccessTokenGenerated"),
        "{}",
        trail.text()
    );
    assert!(
        !trail.text().contains(&token) && !trail.text().contains(&newer),
        "never the value"
    );
    assert_eq!(
        h.call(
            Method::POST,
            "/api/v1/connected-apps/Nope/initial-access-token",
            &h.admin,
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_registered_app_is_listed_with_its_registrar_which_cannot_be_changed() {
    let h = Harness::new().await;
    assert_eq!(
        h.call(Method::POST, APPS, &h.admin, Some(app_json("Gateway")))
            .await
            .status,
        StatusCode::CREATED
    );
    let iat = h
        .call(
            Method::POST,
            "/api/v1/connected-apps/Gateway/initial-access-token",
            &h.admin,
            None,
        )
        .await
        .json();
    let r = h
        .call(
            Method::POST,
            "/services/oauth2/register",
            iat["initialAccessToken"].as_str().unwrap(),
            Some(json!({"redirect_uris": ["https://client.acme.test/cb"], "client_name": "Acme Client", "scope": "api"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let client_id = r.json()["client_id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.json()["client_id_issued_at"],
        T0_SECS,
        "the injected clock"
    );

    let gateway = h.store_app("Gateway").await;
    let list = h.get(APPS, &h.admin).await.json();
    let registered = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["consumerKey"] == client_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(registered["registeredBy"], gateway.id.to_string());
    assert_eq!(registered["label"], "Acme Client");
    assert_eq!(registered["oauthConfig"]["scopes"], json!(["Api"]));
    assert!(
        h.get(&format!("{APPS}/Gateway"), &h.admin)
            .await
            .json()
            .get("registeredBy")
            .is_none()
    );

    let path = format!("{APPS}/{}", registered["fullName"].as_str().unwrap());
    let mut changed = registered.clone();
    changed["registeredBy"] = json!(
        h.store_app("Gateway")
            .await
            .id
            .to_string()
            .replace("0H4", "0H5")
    );
    let r = h.call(Method::PUT, &path, &h.admin, Some(changed)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert_eq!(r.error_fields(), ["registeredBy"]);
    let r = h.call(Method::PUT, &path, &h.admin, Some(registered)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "unchanged, it round-trips: {}",
        r.text()
    );
}

const T0_SECS: i64 = crate::support::T0.secs();
