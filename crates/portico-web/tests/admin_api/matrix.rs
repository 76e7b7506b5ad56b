//! The seed's permission table, end to end: users holding each of the 32 combinations of the five
//! permissions try each action and get exactly the seed's answer; the edition rule; Introspect
//! All Tokens needing Modify All Data.

use axum::http::{Method, StatusCode};
use portico_core::org::{Edition, Permission};
use serde_json::json;

use crate::support::{Harness, app_json, app_xml};

use Permission::{
    CustomizeApplication as Ca, DownloadAppExchangePackages as Dap, ManageConnectedApps as Mca,
    ManageProfilesPermissionsets as Mpps, ModifyAllData as Mad,
};

const APPS: &str = "/api/v1/connected-apps";
const FIVE: [Permission; 5] = [Ca, Mad, Mca, Mpps, Dap];

fn expect(allowed: bool, ok: StatusCode, r: &crate::support::Reply, what: &str, mask: usize) {
    if allowed {
        assert_eq!(
            r.status,
            ok,
            "mask {mask:05b}: {what} should be allowed: {}",
            r.text()
        );
    } else {
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "mask {mask:05b}: {what} should be denied: {}",
            r.text()
        );
        assert_eq!(r.error_code(), "INSUFFICIENT_ACCESS");
        assert!(
            r.text().contains("missing"),
            "the 403 names what is missing: {}",
            r.text()
        );
    }
}

#[tokio::test]
async fn every_combination_of_the_five_permissions_gets_the_seeds_answer() {
    let h = Harness::new().await;
    for mask in 0..32usize {
        let held: Vec<Permission> = FIVE
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, p)| *p)
            .collect();
        let has = |p: Permission| held.contains(&p);
        let app_admin = has(Ca) && (has(Mad) || has(Mca));
        let assign = has(Ca) && has(Mad) && has(Mpps);
        let packaged = app_admin && has(Dap);

        // Fixtures made by the administrator: a local admin-approved app and a packaged one.
        let local = format!("Local_{mask}");
        let mut body = app_json(&local);
        body["oauthConfig"]["isAdminApproved"] = json!(true);
        assert_eq!(
            h.call(Method::POST, APPS, &h.admin, Some(body))
                .await
                .status,
            StatusCode::CREATED
        );
        let pkg = format!("Pkg_{mask}");
        let r = h
            .request(
                Method::POST,
                &format!("/api/v1/packages?fullName={pkg}"),
                &h.admin,
                "application/xml",
                app_xml("Vendor").into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

        let token = h.user_with(&held).await;
        let app = format!("{APPS}/{local}");
        expect(
            app_admin,
            StatusCode::OK,
            &h.get(APPS, &token).await,
            "list",
            mask,
        );
        expect(
            app_admin,
            StatusCode::OK,
            &h.get(&app, &token).await,
            "read",
            mask,
        );
        let r = h
            .call(
                Method::POST,
                APPS,
                &token,
                Some(app_json(&format!("Created_{mask}"))),
            )
            .await;
        expect(app_admin, StatusCode::CREATED, &r, "create", mask);
        let r = h
            .call(
                Method::PATCH,
                &app,
                &token,
                Some(json!({"label": "Renamed"})),
            )
            .await;
        expect(app_admin, StatusCode::OK, &r, "update a field", mask);
        let r = h
            .call(
                Method::PATCH,
                &app,
                &token,
                Some(json!({"profileName": ["System Administrator"]})),
            )
            .await;
        expect(assign, StatusCode::OK, &r, "update profiles", mask);
        let r = h
            .call(
                Method::PATCH,
                &app,
                &token,
                Some(json!({"attributes": [{"key": "k", "formula": "$User.Email"}]})),
            )
            .await;
        expect(
            assign,
            StatusCode::OK,
            &r,
            "update SAML (custom) attributes",
            mask,
        );
        expect(
            app_admin,
            StatusCode::OK,
            &h.get(&format!("{app}/consumer-secret"), &token).await,
            "reveal",
            mask,
        );
        expect(
            app_admin,
            StatusCode::OK,
            &h.call(Method::DELETE, &format!("{app}/install"), &token, None)
                .await,
            "uninstall",
            mask,
        );
        expect(
            app_admin,
            StatusCode::OK,
            &h.call(Method::POST, &format!("{app}/install"), &token, None)
                .await,
            "install",
            mask,
        );
        let r = h
            .call(Method::POST, &format!("{APPS}/{pkg}/install"), &token, None)
            .await;
        expect(packaged, StatusCode::OK, &r, "install packaged", mask);
        let r = h
            .call(
                Method::DELETE,
                &format!("{APPS}/{pkg}/install"),
                &token,
                None,
            )
            .await;
        expect(packaged, StatusCode::OK, &r, "uninstall packaged", mask);
        let r = h
            .request(
                Method::POST,
                &format!("/api/v1/packages?fullName=Upload_{mask}"),
                &token,
                "application/xml",
                app_xml("V").into_bytes(),
            )
            .await;
        expect(packaged, StatusCode::CREATED, &r, "upload a package", mask);
        expect(
            app_admin,
            StatusCode::NO_CONTENT,
            &h.call(Method::DELETE, &app, &token, None).await,
            "delete",
            mask,
        );
    }
}

#[tokio::test]
async fn the_403_names_the_missing_permissions() {
    let h = Harness::new().await;
    let token = h.user_with(&[Mca]).await;
    let r = h.get(APPS, &token).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("Customize Application"), "{}", r.text());
    h.call(Method::POST, APPS, &h.admin, Some(app_json("A")))
        .await;
    let token = h.user_with(&[Ca, Mca]).await;
    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/A"),
            &token,
            Some(json!({"profileName": ["x"]})),
        )
        .await;
    // Validation comes first (no admin approval, unknown profile), then permissions.
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/A"),
            &h.admin,
            Some(json!({"oauthConfig": {"isAdminApproved": true}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/A"),
            &token,
            Some(json!({"permissionSetName": []})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "an unchanged assignment needs no extra permission"
    );
    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/A"),
            &token,
            Some(json!({"profileName": ["System Administrator"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.text().contains("Modify All Data")
            && r.text().contains("Manage Profiles and Permission Sets"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn introspect_all_tokens_needs_modify_all_data() {
    let h = Harness::new().await;
    let mut body = app_json("Introspector");
    body["oauthConfig"]["isIntrospectAllTokens"] = json!(true);
    let token = h.user_with(&[Ca, Mca]).await;
    let r = h.call(Method::POST, APPS, &token, Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("Modify All Data"), "{}", r.text());
    let token = h.user_with(&[Ca, Mad]).await;
    assert_eq!(
        h.call(Method::POST, APPS, &token, Some(body)).await.status,
        StatusCode::CREATED
    );
    let token = h.user_with(&[Ca, Mca]).await;
    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/Introspector"),
            &token,
            Some(json!({"label": "Still fine"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "other fields stay editable: {}",
        r.text()
    );
    let r = h
        .call(
            Method::PATCH,
            &format!("{APPS}/Introspector"),
            &token,
            Some(json!({"oauthConfig": {"isIntrospectAllTokens": false}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn apps_are_created_only_in_some_editions_and_installed_in_all() {
    for edition in Edition::ALL {
        let h = Harness::with_edition(edition).await;
        let r = h
            .call(Method::POST, APPS, &h.admin, Some(app_json("E")))
            .await;
        if edition.can_create_connected_apps() {
            assert_eq!(r.status, StatusCode::CREATED, "{edition:?}");
        } else {
            assert_eq!(
                (r.status, r.error_code()),
                (StatusCode::FORBIDDEN, "INSUFFICIENT_ACCESS".to_owned()),
                "{edition:?}"
            );
            assert!(
                r.text().contains(edition.as_str()) && r.text().contains("Developer"),
                "{}",
                r.text()
            );
        }
        let r = h
            .request(
                Method::POST,
                "/api/v1/packages?fullName=Pkg",
                &h.admin,
                "application/xml",
                app_xml("Vendor").into_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{edition:?}: {}", r.text());
        let r = h
            .call(Method::POST, &format!("{APPS}/Pkg/install"), &h.admin, None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{edition:?}: installing works in every edition"
        );
    }
}
