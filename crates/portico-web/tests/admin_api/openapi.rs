//! The OpenAPI document at `/api/v1/openapi.json` against its committed snapshot
//! (`tests/snapshots/openapi.json`); `UPDATE_SNAPSHOTS=1` rewrites the snapshot.

use axum::http::StatusCode;

use crate::support::Harness;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot() {
    let h = Harness::new().await;
    let r = h.get("/api/v1/openapi.json", "").await;
    assert_eq!(r.status, StatusCode::OK, "public, no token needed");
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/connected-apps",
        "/api/v1/connected-apps/{fullName}",
        "/api/v1/certificates",
        "/api/v1/users",
        "/api/v1/profiles",
        "/api/v1/permission-sets",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(std::path::Path::new(SNAPSHOT).parent().unwrap()).unwrap();
        std::fs::write(SNAPSHOT, &pretty).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        committed == pretty,
        "the OpenAPI document changed; review it and run UPDATE_SNAPSHOTS=1 cargo test -p portico-web --test admin_api"
    );
}
