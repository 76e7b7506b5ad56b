//! Metadata files (`?format=xml`, `/api/v1/packages`), org certificates and asset tokens, and the
//! setup audit trail.

use std::io::Write;

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::support::{Harness, app_json, app_xml};

const APPS: &str = "/api/v1/connected-apps";

fn zip(files: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn an_exported_file_imports_as_a_packaged_uninstalled_app_with_every_field() {
    let h = Harness::new().await;
    let mut body = app_json("Exported");
    body["description"] = json!("Ships & <tracks>");
    body["oauthConfig"]["isPkceRequired"] = json!(true);
    body["oauthConfig"]["idTokenConfig"] =
        json!({"idTokenValidity": 30, "idTokenAudience": "https://api.test"});
    body["oauthPolicy"] =
        json!({"ipRelaxation": "BYPASS", "refreshTokenPolicy": "specific_lifetime:3:DAYS"});
    body["attributes"] = json!([{"key": "mail", "formula": "$User.Email"}]);
    assert_eq!(
        h.call(Method::POST, APPS, &h.admin, Some(body))
            .await
            .status,
        StatusCode::CREATED
    );

    let r = h
        .get(&format!("{APPS}/Exported?format=xml"), &h.admin)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    assert!(
        r.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("Exported.connectedApp-meta.xml")
    );
    let xml = r.text();
    assert!(
        xml.contains("<ConnectedApp xmlns=\"http://soap.sforce.com/2006/04/metadata\">"),
        "{xml}"
    );
    assert!(xml.contains("<refreshTokenPolicy>specific_lifetime:3:DAYS</refreshTokenPolicy>"));
    assert!(xml.contains("Ships &amp; &lt;tracks&gt;"));

    // The consumer key is unique server-wide, so import a copy without it under another name.
    let key = h.store_app("Exported").await.consumer_key;
    let copy = xml.replace(&format!("<consumerKey>{key}</consumerKey>"), "");
    let r = h
        .request(
            Method::POST,
            "/api/v1/packages",
            &h.admin,
            "application/zip",
            zip(&[("connectedApps/Imported.connectedApp-meta.xml", &copy)]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let imported = &r.json()[0];
    assert_eq!(
        (
            imported["isPackaged"].clone(),
            imported["isInstalled"].clone()
        ),
        (json!(true), json!(false))
    );
    assert!(imported["consumerSecret"].is_string());

    let original = h.get(&format!("{APPS}/Exported"), &h.admin).await.json();
    let copy = h.get(&format!("{APPS}/Imported"), &h.admin).await.json();
    for field in [
        "label",
        "description",
        "contactEmail",
        "attributes",
        "oauthPolicy",
        "sessionPolicy",
    ] {
        assert_eq!(original[field], copy[field], "{field}");
    }
    let (mut a, mut b) = (original["oauthConfig"].clone(), copy["oauthConfig"].clone());
    a.as_object_mut().unwrap().remove("consumerKey");
    b.as_object_mut().unwrap().remove("consumerKey");
    assert_eq!(a, b);
    let again = h
        .get(&format!("{APPS}/Imported?format=xml"), &h.admin)
        .await
        .text();
    assert_eq!(
        again.replace(imported["consumerKey"].as_str().unwrap(), &key),
        xml,
        "export, import, export: the same file"
    );
}

#[tokio::test]
async fn packages_are_all_or_nothing_and_name_each_bad_file() {
    let h = Harness::new().await;
    let bad = app_xml("Broken").replace(
        "https://vendor.test/callback",
        "http://vendor.test/callback",
    );
    let body = zip(&[
        ("package.xml", "<Package/>"),
        ("connectedApps/Good.connectedApp-meta.xml", &app_xml("Good")),
        ("connectedApps/Broken.connectedApp-meta.xml", &bad),
        ("connectedApps/Junk.connectedApp-meta.xml", "<Profile/>"),
    ]);
    let r = h
        .request(
            Method::POST,
            "/api/v1/packages",
            &h.admin,
            "application/zip",
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let text = r.text();
    assert!(
        text.contains("Broken.connectedApp-meta.xml") && text.contains("oauthConfig.callbackUrl"),
        "{text}"
    );
    assert!(text.contains("Junk.connectedApp-meta.xml"), "{text}");
    assert_eq!(
        h.get(&format!("{APPS}/Good"), &h.admin).await.status,
        StatusCode::NOT_FOUND,
        "nothing was created"
    );

    let body = zip(&[
        ("a/One.connectedApp-meta.xml", &app_xml("One")),
        ("a/Two.connectedApp-meta.xml", &app_xml("Two")),
    ]);
    let r = h
        .request(
            Method::POST,
            "/api/v1/packages",
            &h.admin,
            "application/zip",
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = h
        .request(
            Method::POST,
            "/api/v1/packages",
            &h.admin,
            "application/zip",
            body,
        )
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (StatusCode::CONFLICT, "DUPLICATE_VALUE".to_owned())
    );

    let r = h
        .request(
            Method::POST,
            "/api/v1/packages",
            &h.admin,
            "application/zip",
            zip(&[("package.xml", "<Package/>")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = h
        .request(
            Method::POST,
            "/api/v1/packages",
            &h.admin,
            "application/zip",
            b"not a zip".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn packages_accept_multipart_files() {
    let h = Harness::new().await;
    let boundary = "XyZ";
    let mut body = String::new();
    for name in ["Multi_A", "Multi_B"] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}.connectedApp-meta.xml\"\r\nContent-Type: application/xml\r\n\r\n{}\r\n",
            app_xml(name)
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let r = h
        .request(
            Method::POST,
            "/api/v1/packages",
            &h.admin,
            &format!("multipart/form-data; boundary={boundary}"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        h.get(&format!("{APPS}/Multi_B"), &h.admin).await.json()["label"],
        "Multi_B"
    );
}

#[tokio::test]
async fn certificates_are_created_by_name_and_sign_asset_tokens() {
    let h = Harness::new().await;
    let r = h
        .call(
            Method::POST,
            "/api/v1/certificates",
            &h.admin,
            Some(json!({"name": "Asset_Signer"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let cert = r.json();
    let id = cert["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("0P1"));
    assert!(
        cert["pem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert!(
        cert["subject"]
            .as_str()
            .unwrap()
            .contains("CN=Asset_Signer")
    );
    assert_eq!(
        cert["expiresAt"],
        json!(crate::support::T0.plus_secs(365 * 86_400).0)
    );
    assert!(
        !r.text().contains("PRIVATE"),
        "the private key never leaves the server"
    );
    assert_eq!(
        h.get(&format!("/api/v1/certificates/{id}"), &h.admin)
            .await
            .json()["name"],
        "Asset_Signer"
    );
    assert_eq!(
        h.get("/api/v1/certificates/Asset_Signer", &h.admin)
            .await
            .json()["id"],
        id.as_str()
    );
    assert_eq!(
        h.get("/api/v1/certificates/Nope", &h.admin).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/api/v1/certificates", &h.admin)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = h
        .call(
            Method::POST,
            "/api/v1/certificates",
            &h.admin,
            Some(json!({"name": "Asset_Signer"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = h
        .call(
            Method::POST,
            "/api/v1/certificates",
            &h.admin,
            Some(json!({"name": "bad name"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    for signing in ["Asset_Signer", id.as_str()] {
        let mut body = app_json(&format!("Assets_{}", &signing[..3]));
        body["oauthConfig"]["scopes"] = json!(["Api", "OpenID"]);
        body["oauthConfig"]["assetTokenConfig"] = json!({"assetValidityPeriod": 60, "assetSigningCertId": signing, "assetAudiences": "https://devices.test"});
        let r = h.call(Method::POST, APPS, &h.admin, Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{signing}: {}", r.text());
    }
}

#[tokio::test]
async fn an_uploaded_jwt_certificate_is_described() {
    let h = Harness::new().await;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["jwt.acme.test".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Acme JWT");
    params.not_after = rcgen::date_time_ymd(2035, 1, 1);
    let pem = params.self_signed(&key).unwrap().pem();
    let mut body = app_json("Jwt");
    body["oauthConfig"]["certificate"] = json!(pem);
    let r = h.call(Method::POST, APPS, &h.admin, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let info = &r.json()["certificateInfo"];
    assert_eq!(info["subject"], "CN=Acme JWT");
    assert_eq!(info["keyType"], "EC P-256");
    assert_eq!(info["sha256Fingerprint"].as_str().unwrap().len(), 95);
}

#[tokio::test]
async fn the_audit_trail_says_who_changed_what_and_when() {
    let h = Harness::new().await;
    h.call(Method::POST, APPS, &h.admin, Some(app_json("Tracked")))
        .await;
    h.clock.advance_secs(60);
    h.call(
        Method::PATCH,
        &format!("{APPS}/Tracked"),
        &h.admin,
        Some(json!({"label": "Tracked v2"})),
    )
    .await;
    h.call(Method::DELETE, &format!("{APPS}/Tracked"), &h.admin, None)
        .await;
    let r = h.get("/api/v1/audit-trail?limit=2", &h.admin).await;
    assert_eq!(r.status, StatusCode::OK);
    let entries = r.json();
    assert_eq!(entries.as_array().unwrap().len(), 2);
    assert_eq!(entries[0]["action"], "connectedAppDeleted");
    let changed = &entries[1];
    assert_eq!(changed["action"], "connectedAppChanged");
    assert_eq!(
        changed["createdAt"],
        json!(crate::support::T0.plus_secs(60).0)
    );
    assert_eq!(changed["createdByUsername"], crate::support::ADMIN);
    assert_eq!(
        changed["changes"],
        json!([{"field": "label", "oldValue": "Tracked label", "newValue": "Tracked v2"}])
    );
    assert!(changed["id"].as_str().unwrap().starts_with("0Ym"));
    assert_eq!(
        h.get("/api/v1/audit-trail?limit=0", &h.admin).await.status,
        StatusCode::BAD_REQUEST
    );
    let nobody = h.user_with(&[]).await;
    assert_eq!(
        h.get("/api/v1/audit-trail", &nobody).await.status,
        StatusCode::FORBIDDEN
    );
}
