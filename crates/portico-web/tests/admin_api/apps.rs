//! Creating, reading, replacing, merging and deleting apps; validation errors; the consumer
//! secret; install rules; the built-in PorticoCLI app.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{Harness, app_json};

const APPS: &str = "/api/v1/connected-apps";

#[tokio::test]
async fn create_returns_the_key_and_the_secret_once() {
    let h = Harness::new().await;
    let r = h
        .call(Method::POST, APPS, &h.admin, Some(app_json("Billing")))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created = r.json();
    let key = created["consumerKey"].as_str().unwrap().to_owned();
    let secret = created["consumerSecret"].as_str().unwrap().to_owned();
    assert!(key.starts_with("3MVG9") && key.len() == 85, "{key}");
    assert_eq!(secret.len(), 64);
    assert_eq!(created["oauthConfig"]["consumerKey"], key.as_str());
    assert_eq!(
        created["isInstalled"], true,
        "apps created in the org are installed"
    );
    assert_eq!(created["isPackaged"], false);
    assert!(created["id"].as_str().unwrap().starts_with("0H4"));
    assert_eq!(
        created["oauthConfig"]["scopes"],
        json!(["Api", "RefreshToken"])
    );

    let got = h.get(&format!("{APPS}/Billing"), &h.admin).await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.json().get("consumerSecret").is_none());
    assert!(
        !got.text().contains(&secret),
        "the secret is never returned by GET"
    );
    let listed = h.get(APPS, &h.admin).await.text();
    assert!(!listed.contains(&secret));

    // The stored secret is sealed, not plain.
    let stored = h.store_app("Billing").await;
    assert!(
        !stored
            .consumer_secret_sealed
            .as_deref()
            .unwrap()
            .contains(&secret)
    );
}

#[tokio::test]
async fn a_chosen_key_and_secret_are_kept_and_must_be_unique() {
    let h = Harness::new().await;
    let mut body = app_json("Chosen");
    body["oauthConfig"]["consumerKey"] = json!("MyOwnKey123");
    body["oauthConfig"]["consumerSecret"] = json!("MyOwnSecret123");
    let r = h
        .call(Method::POST, APPS, &h.admin, Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["consumerKey"], "MyOwnKey123");
    assert_eq!(r.json()["consumerSecret"], "MyOwnSecret123");
    body["fullName"] = json!("Chosen2");
    let r = h
        .call(Method::POST, APPS, &h.admin, Some(body.clone()))
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::CONFLICT, "DUPLICATE_VALUE".to_owned()),
        "{}",
        r.text()
    );
    body["oauthConfig"]["consumerKey"] = json!("AnotherKey123");
    let r = h.call(Method::POST, APPS, &h.admin, Some(body)).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "secrets are unique in the org: {}",
        r.text()
    );
    let r = h
        .call(Method::POST, APPS, &h.admin, Some(app_json("Chosen")))
        .await;
    assert_eq!(
        (r.status, r.error_fields()),
        (StatusCode::CONFLICT, vec!["fullName".to_owned()])
    );
}

#[tokio::test]
async fn validation_errors_name_every_bad_field() {
    let h = Harness::new().await;
    let body = json!({
        "fullName": "Bad App",
        "label": "x",
        "logoUrl": "http://logo.test/l.png",
        "unknownField": 1,
        "oauthConfig": {
            "callbackUrl": "javascript:alert(1)",
            "scopes": ["api", "not_a_scope"],
            "idTokenConfig": {"idTokenValidity": 721},
            "singleLogoutUrl": "http://rp.test/logout",
            "assetTokenConfig": {"assetValidityPeriod": 5}
        },
        "profileName": ["System Administrator"]
    });
    let r = h.call(Method::POST, APPS, &h.admin, Some(body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let fields = r.error_fields();
    for f in [
        "fullName",
        "contactEmail",
        "logoUrl",
        "unknownField",
        "oauthConfig.callbackUrl",
        "oauthConfig.scopes",
        "oauthConfig.idTokenConfig.idTokenValidity",
        "oauthConfig.singleLogoutUrl",
        "oauthConfig.assetTokenConfig.assetSigningCertId",
        "oauthConfig.assetTokenConfig.assetAudiences",
        "profileName",
    ] {
        assert!(
            fields.iter().any(|x| x == f),
            "{f} not named in {}",
            r.text()
        );
    }
    let codes: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["errorCode"].as_str().unwrap().to_owned())
        .collect();
    for code in [
        "INVALID_FIELD",
        "REQUIRED_FIELD_MISSING",
        "FIELD_INTEGRITY_EXCEPTION",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
    assert!(r.text().contains("not_a_scope"));
}

#[tokio::test]
async fn put_replaces_and_patch_merges() {
    let h = Harness::new().await;
    let mut body = app_json("Editable");
    body["description"] = json!("first");
    body["oauthConfig"]["isPkceRequired"] = json!(true);
    let created = h.call(Method::POST, APPS, &h.admin, Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED);

    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/Editable"),
            &h.admin,
            Some(json!({"label": "New label", "description": null})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["label"], "New label");
    assert!(v.get("description").is_none(), "null removes");
    assert_eq!(
        v["oauthConfig"]["isPkceRequired"], true,
        "absent fields are kept"
    );

    // A fetched app can be sent back as is (read-only fields are ignored).
    let fetched = h.get(&format!("{APPS}/Editable"), &h.admin).await.json();
    let r = h
        .call(
            Method::PUT,
            &format!("{APPS}/Editable"),
            &h.admin,
            Some(fetched),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let r = h
        .call(
            Method::PUT,
            &format!("{APPS}/Editable"),
            &h.admin,
            Some(app_json("Editable")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json()["oauthConfig"]["isPkceRequired"],
        false,
        "PUT replaces: left out = default"
    );
    assert_eq!(
        r.json()["consumerKey"],
        created.json()["consumerKey"],
        "the key survives"
    );

    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/Editable"),
            &h.admin,
            Some(json!({"oauthConfig": {"consumerKey": "ChangedKey1"}})),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (
            StatusCode::BAD_REQUEST,
            "FIELD_INTEGRITY_EXCEPTION".to_owned()
        )
    );

    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/Editable"),
            &h.admin,
            Some(json!({"fullName": "Renamed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        h.get(&format!("{APPS}/Renamed"), &h.admin).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.get(&format!("{APPS}/Editable"), &h.admin).await.status,
        StatusCode::NOT_FOUND
    );

    let r = h
        .call(Method::DELETE, &format!("{APPS}/Renamed"), &h.admin, None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get(&format!("{APPS}/Renamed"), &h.admin).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn device_flow_fills_the_callback_placeholder() {
    let h = Harness::new().await;
    let body = json!({"fullName": "Tv", "label": "TV", "contactEmail": "tv@acme.test",
        "oauthConfig": {"isDeviceFlowEnabled": true, "scopes": ["Api"]}});
    let r = h.call(Method::POST, APPS, &h.admin, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        r.json()["oauthConfig"]["callbackUrl"],
        portico_core::connected_app::DEVICE_FLOW_CALLBACK_PLACEHOLDER
    );
}

#[tokio::test]
async fn the_secret_is_revealed_and_rotated_and_never_audited() {
    let h = Harness::new().await;
    let created = h
        .call(Method::POST, APPS, &h.admin, Some(app_json("Secretive")))
        .await
        .json();
    let first = created["consumerSecret"].as_str().unwrap().to_owned();
    let path = format!("{APPS}/Secretive/consumer-secret");
    let r = h.get(&path, &h.admin).await;
    assert_eq!(
        (r.status, r.json()["consumerSecret"].as_str().unwrap()),
        (StatusCode::OK, first.as_str())
    );
    let r = h.call(Method::POST, &path, &h.admin, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let second = r.json()["consumerSecret"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(
        h.get(&path, &h.admin).await.json()["consumerSecret"],
        second.as_str()
    );

    let trail = h.get("/api/v1/audit-trail", &h.admin).await;
    assert_eq!(trail.status, StatusCode::OK);
    let text = trail.text();
    assert!(
        !text.contains(&first) && !text.contains(&second),
        "secrets are never written to the trail"
    );
    let actions: Vec<String> = trail
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "consumerSecretRevealed",
            "consumerSecretRotated",
            "consumerSecretRevealed",
            "connectedAppCreated"
        ]
    );
    let created_entry = &trail.json()[3];
    assert_eq!(created_entry["createdByUsername"], crate::support::ADMIN);
    assert!(
        created_entry["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "oauthConfig.callbackUrl")
    );
}

#[tokio::test]
async fn the_built_in_cli_app_is_visible_and_protected() {
    let h = Harness::new().await;
    let r = h.get(&format!("{APPS}/PorticoCLI"), &h.admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["consumerKey"], "PorticoCLI");
    assert_eq!(r.json()["oauthConfig"]["isPkceRequired"], true);
    for (method, path) in [
        (Method::DELETE, format!("{APPS}/PorticoCLI")),
        (Method::DELETE, format!("{APPS}/PorticoCLI/install")),
        (Method::POST, format!("{APPS}/PorticoCLI/consumer-secret")),
    ] {
        let r = h.call(method, &path, &h.admin, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text());
    }
    let r = h
        .get(&format!("{APPS}/PorticoCLI/consumer-secret"), &h.admin)
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "a public client has no secret"
    );
}

#[tokio::test]
async fn unknown_apps_are_404_and_no_token_is_401() {
    let h = Harness::new().await;
    assert_eq!(
        h.get(&format!("{APPS}/Nope"), &h.admin).await.status,
        StatusCode::NOT_FOUND
    );
    let r = h.get(APPS, "").await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID".to_owned())
    );
}

#[tokio::test]
async fn install_and_uninstall_local_apps() {
    let h = Harness::new().await;
    h.call(Method::POST, APPS, &h.admin, Some(app_json("Local")))
        .await;
    let path = format!("{APPS}/Local/install");
    let r = h.call(Method::DELETE, &path, &h.admin, None).await;
    assert_eq!(
        (r.status, r.json()["isInstalled"].clone()),
        (StatusCode::OK, json!(false))
    );
    assert!(!h.store_app("Local").await.is_installed);
    let r = h.call(Method::POST, &path, &h.admin, None).await;
    assert_eq!(
        (r.status, r.json()["isInstalled"].clone()),
        (StatusCode::OK, json!(true))
    );
}

#[tokio::test]
async fn read_only_fields_are_refused_when_changed_and_top_level_credentials_count() {
    let h = Harness::new().await;
    let mut body = app_json("ReadOnly");
    body["consumerKey"] = json!("TopLevelKey1");
    body["consumerSecret"] = json!("TopLevelSecret1");
    let r = h.call(Method::POST, APPS, &h.admin, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        (
            r.json()["consumerKey"].clone(),
            r.json()["consumerSecret"].clone()
        ),
        (json!("TopLevelKey1"), json!("TopLevelSecret1"))
    );
    let path = format!("{APPS}/ReadOnly");
    let r = h
        .call(
            Method::PATCH,
            &path,
            &h.admin,
            Some(json!({"isInstalled": false, "isPackaged": true})),
        )
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (
            StatusCode::BAD_REQUEST,
            "FIELD_INTEGRITY_EXCEPTION".to_owned()
        )
    );
    assert_eq!(r.error_fields(), ["isInstalled", "isPackaged"]);
    assert!(r.text().contains("/install"));
    let r = h
        .call(
            Method::PATCH,
            &path,
            &h.admin,
            Some(json!({"isInstalled": true, "label": "Same"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "unchanged read-only values are fine: {}",
        r.text()
    );
}
