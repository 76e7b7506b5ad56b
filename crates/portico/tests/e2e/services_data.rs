//! The small protected resource at `/services/data` that Salesforce clients call to finish their
//! login sequence (CONTRACT §2; `reference/salesforce-oauth.md` §12, §13): the version list, a
//! version's `identity`, `sobjects/User/{id}`, `query`, 401 `INVALID_SESSION_ID` for a bad token
//! and 404s, never 500s, for malformed paths.

use serde_json::Value;

use crate::harness::{ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{cli_tokens, get_bearer, s};

async fn admin_tokens(server: &Server) -> Value {
    cli_tokens(
        server,
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
        "api refresh_token openid",
    )
    .await
}

#[tokio::test]
async fn services_data_answers_the_login_sequence_of_salesforce_clients() {
    let server = Server::start();
    let tokens = admin_tokens(&server).await;
    let at = s(&tokens, "access_token");
    let user_id = s(&tokens, "id").rsplit('/').next().unwrap().to_owned();

    let (status, versions) = get_bearer(&server, "/services/data", at).await;
    assert_eq!(status, 200);
    let list = versions.as_array().unwrap();
    for v in 50..=62 {
        let entry = list
            .iter()
            .find(|e| e["version"] == format!("{v}.0"))
            .unwrap_or_else(|| panic!("{v}.0"));
        assert_eq!(entry["url"], format!("/services/data/v{v}.0"));
        assert!(entry["label"].is_string());
    }
    let (status, root) = get_bearer(&server, "/services/data/v62.0", at).await;
    assert_eq!((status, &root["identity"]), (200, &tokens["id"]));
    let (status, user) = get_bearer(
        &server,
        &format!("/services/data/v51.0/sobjects/User/{user_id}"),
        at,
    )
    .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        (s(&user, "Id"), s(&user, "Username")),
        (user_id.as_str(), ADMIN_USERNAME)
    );
    let q = format!(
        "/services/data/v62.0/query?q=SELECT%20Id%2C%20Username%20FROM%20User%20WHERE%20Id%3D%27{user_id}%27"
    );
    let (status, result) = get_bearer(&server, &q, at).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(
        (&result["totalSize"], &result["done"]),
        (&Value::from(1), &Value::Bool(true))
    );
    assert_eq!(result["records"][0]["Id"], user_id.as_str());
    let (status, result) = get_bearer(
        &server,
        "/services/data/v62.0/query?q=SELECT%20Id%20FROM%20Organization",
        at,
    )
    .await;
    assert_eq!((status, &result["totalSize"]), (200, &Value::from(1)));
    let (status, result) = get_bearer(
        &server,
        "/services/data/v62.0/query?q=DELETE%20FROM%20User",
        at,
    )
    .await;
    assert_eq!(
        (status, &result[0]["errorCode"]),
        (400, &Value::from("MALFORMED_QUERY"))
    );

    for path in [
        "/services/data/v62.0".to_owned(),
        format!("/services/data/v62.0/sobjects/User/{user_id}"),
        "/services/data/v62.0/query?q=SELECT%20Id%20FROM%20User".to_owned(),
    ] {
        for bad in ["00Dxx!bogus", ""] {
            let (status, body) = get_bearer(&server, &path, bad).await;
            assert_eq!(status, 401, "{path}");
            assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");
            assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
            assert_eq!(body[0]["message"], "Session expired or invalid");
        }
    }
    for path in [
        "/services/data/v99.0",
        "/services/data/v49.0",
        "/services/data/vabc",
        "/services/data/62.0",
        "/services/data/v62.0/sobjects/User/not-an-id",
        "/services/data/v62.0/sobjects/User/005000000000001AAA",
        "/services/data/v62.0/sobjects/Account/001000000000001AAA",
        "/services/data/v62.0/nothing/here",
    ] {
        let (status, _) = get_bearer(&server, path, at).await;
        assert_eq!(status, 404, "{path}");
    }
}

#[tokio::test]
async fn a_path_segment_that_is_not_utf8_is_a_404() {
    let server = Server::start();
    let tokens = admin_tokens(&server).await;
    let (status, _) = get_bearer(
        &server,
        "/services/data/v62.0/sobjects/User/%00%ff",
        s(&tokens, "access_token"),
    )
    .await;
    assert_eq!(status, 404);
}
