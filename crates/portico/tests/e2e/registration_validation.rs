//! Client metadata validation at registration (issue 6; RFC 7591 §2, §3.2.2;
//! `reference/security.md` §3.5, ATK-64 … ATK-68): each bad field is a 400
//! `invalid_redirect_uri` or `invalid_client_metadata` whose description starts with the field,
//! nothing is created, and no URL in the metadata is ever contacted. The cases are spread over two
//! registrars, as each may register ten times an hour (ATK-71).

use std::net::TcpListener;

use serde_json::{Value, json};

use crate::harness::Server;
use crate::registration::{REGISTER, registrar, send};
use crate::support::api;
use crate::web_server_flow::admin_token;

const CB: &str = "https://client.example.com/cb";

#[tokio::test]
async fn bad_metadata_is_refused_naming_the_field_and_no_url_is_fetched() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (_, _, first) = registrar(&server, &admin, "FirstRegistrar").await;
    let (_, _, second) = registrar(&server, &admin, "SecondRegistrar").await;
    let (first, second) = (first.as_str(), second.as_str());
    // A local port that would see any connection Portico made to the URLs below.
    let trap = TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let port = trap.local_addr().unwrap().port();
    let local = |path: &str| format!("https://127.0.0.1:{port}{path}");
    let jwks = json!({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]});

    let redirect = "invalid_redirect_uri";
    let metadata = "invalid_client_metadata";
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        // ATK-64, ATK-65: plain http on a real host, a fragment, a script scheme.
        (
            first,
            json!({"redirect_uris": ["http://example.test/cb"]}),
            redirect,
            "redirect_uris",
        ),
        (
            first,
            json!({"redirect_uris": ["https://x.example.com/cb#frag"]}),
            redirect,
            "redirect_uris",
        ),
        (
            first,
            json!({"redirect_uris": ["JavaScript:alert(1)"]}),
            redirect,
            "redirect_uris",
        ),
        (
            first,
            json!({"client_name": "No callback"}),
            redirect,
            "redirect_uris",
        ),
        (
            first,
            json!({"redirect_uris": CB}),
            redirect,
            "redirect_uris",
        ),
        // ATK-66: key URLs that point inside — refused without a connection.
        (
            first,
            json!({"redirect_uris": [CB], "jwks_uri": "http://169.254.169.254/latest"}),
            metadata,
            "jwks_uri",
        ),
        (
            first,
            json!({"redirect_uris": [CB], "jwks_uri": local("/jwks")}),
            metadata,
            "jwks_uri",
        ),
        // ATK-67: nothing is fetched, so a sector identifier document cannot be checked.
        (
            first,
            json!({"redirect_uris": [CB], "sector_identifier_uri": local("/sector")}),
            metadata,
            "sector_identifier_uri",
        ),
        // ATK-68: jwks and jwks_uri together.
        (
            first,
            json!({"redirect_uris": [CB], "jwks": jwks, "jwks_uri": "https://keys.example.com/jwks"}),
            metadata,
            "jwks",
        ),
        (
            first,
            json!({"redirect_uris": [CB], "grant_types": ["client_credentials"]}),
            metadata,
            "grant_types",
        ),
        // Grant and response types must agree (RFC 7591 §2.1).
        (
            second,
            json!({"redirect_uris": [CB], "grant_types": ["implicit"], "response_types": ["code"]}),
            metadata,
            "grant_types",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "response_types": ["code id_token"]}),
            metadata,
            "response_types",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "token_endpoint_auth_method": "client_secret_jwt"}),
            metadata,
            "token_endpoint_auth_method",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks}),
            metadata,
            "jwks",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "scope": "openid full"}),
            metadata,
            "scope",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "contacts": ["not-an-email"]}),
            metadata,
            "contacts[0]",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "client_name": "x".repeat(300)}),
            metadata,
            "client_name",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "id_token_signed_response_alg": "none"}),
            metadata,
            "id_token_signed_response_alg",
        ),
        (
            second,
            json!({"redirect_uris": [CB], "token_endpoint_auth_method": "none", "grant_types": ["implicit"], "response_types": ["token"]}),
            metadata,
            "token_endpoint_auth_method",
        ),
        (
            second,
            json!(["not", "an", "object"]),
            metadata,
            "the request body",
        ),
    ];
    for (iat, body, error, field) in &cases {
        let (status, answer, _) = send(
            &server,
            reqwest::Method::POST,
            REGISTER,
            Some(iat),
            Some(body),
        )
        .await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(*error)),
            "{body}: {answer}"
        );
        let description = answer["error_description"].as_str().unwrap_or_default();
        assert!(description.starts_with(field), "{body}: {description}");
    }
    assert!(
        matches!(trap.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "Portico connected to a URL from client metadata"
    );
    let (_, apps) = api(
        &server,
        &admin,
        reqwest::Method::GET,
        "/api/v1/connected-apps",
        None,
    )
    .await;
    let names: Vec<&str> = apps
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["fullName"].as_str())
        .collect();
    assert_eq!(names.len(), 3, "nothing was registered: {names:?}");
}
