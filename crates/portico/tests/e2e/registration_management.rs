//! Client management with the registration access token (issue 6; RFC 7592 §2): read returns
//! what registration did; an update is validated again (ATK-70) and rotates the token; what an
//! administrator changes shows through; delete removes the client, its registration and its
//! tokens.

use serde_json::json;

use crate::harness::Server;
use crate::introspection::{INTROSPECT, assert_inactive, introspect};
use crate::registration::{CLIENT_CALLBACK, demo_metadata, register, registrar, send};
use crate::support::{api, post_form, s};
use crate::web_server_flow::admin_token;

#[tokio::test]
async fn the_client_reads_updates_and_deletes_itself_with_its_registration_access_token() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (reg_key, reg_secret, iat) = registrar(&server, &admin, "Gateway").await;
    let client = register(&server, &iat, &demo_metadata()).await;
    let (uri, rat) = (
        s(&client, "registration_client_uri"),
        s(&client, "registration_access_token"),
    );
    let client_id = s(&client, "client_id");
    let get = reqwest::Method::GET;

    let (status, read, _) = send(&server, get.clone(), uri, Some(rat), None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        read, client,
        "RFC 7592 §2.1: the same information, the same token"
    );
    for (token, challenge) in [
        (None, "Bearer"),
        (Some(iat.as_str()), "Bearer error=\"invalid_token\""),
        (Some("nope"), "Bearer error=\"invalid_token\""),
    ] {
        let (status, body, header) = send(&server, get.clone(), uri, token, None).await;
        assert_eq!(
            (status, header.as_deref()),
            (401, Some(challenge)),
            "{body}"
        );
        assert_eq!(body["error"], "invalid_token");
    }

    // An update replaces the metadata, is validated again, and rotates the token.
    let mut update = demo_metadata();
    update["client_id"] = json!(client_id);
    // RFC 7592 §2.2: a client_secret sent along must be the current one.
    update["client_secret"] = client["client_secret"].clone();
    update["redirect_uris"] = json!(["https://client.example.com/cb2"]);
    update["client_name"] = json!("Renamed Client");
    update["token_endpoint_auth_method"] = json!("client_secret_basic");
    let put = reqwest::Method::PUT;
    let (status, updated, _) = send(&server, put.clone(), uri, Some(rat), Some(&update)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["client_id"], client_id);
    assert_eq!(
        updated["client_secret"], client["client_secret"],
        "the secret stays"
    );
    assert_eq!(
        updated["redirect_uris"],
        json!(["https://client.example.com/cb2"])
    );
    assert_eq!(updated["client_name"], "Renamed Client");
    assert_eq!(updated["token_endpoint_auth_method"], "client_secret_basic");
    let new_rat = s(&updated, "registration_access_token");
    assert_ne!(new_rat, rat);
    let (status, _, _) = send(&server, get.clone(), uri, Some(rat), None).await;
    assert_eq!(status, 401, "the old registration access token is dead");
    let (status, read, _) = send(&server, get.clone(), uri, Some(new_rat), None).await;
    assert_eq!(
        (status, &read["client_name"]),
        (200, &json!("Renamed Client"))
    );

    let bad_updates = [
        (
            json!({"redirect_uris": [CLIENT_CALLBACK]}),
            "invalid_client_metadata",
            "client_id",
        ),
        (
            json!({"client_id": client_id, "client_secret": "Wrong", "redirect_uris": [CLIENT_CALLBACK]}),
            "invalid_client_metadata",
            "client_secret",
        ),
        (
            json!({"client_id": client_id, "redirect_uris": ["http://example.test/cb"]}),
            "invalid_redirect_uri",
            "redirect_uris",
        ),
        // ATK-70: a public client may not take the client credentials flow.
        (
            json!({"client_id": client_id, "token_endpoint_auth_method": "none", "grant_types": ["client_credentials"], "response_types": []}),
            "invalid_client_metadata",
            "token_endpoint_auth_method",
        ),
        (
            json!({"client_id": client_id, "token_endpoint_auth_method": "none", "redirect_uris": [CLIENT_CALLBACK]}),
            "invalid_client_metadata",
            "token_endpoint_auth_method",
        ),
    ];
    for (body, error, field) in bad_updates {
        let (status, answer, _) = send(&server, put.clone(), uri, Some(new_rat), Some(&body)).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(error)),
            "{body}: {answer}"
        );
        assert!(
            s(&answer, "error_description").starts_with(field),
            "{answer}"
        );
    }

    // What an administrator changes shows in the client's information.
    let (_, apps) = api(&server, &admin, get.clone(), "/api/v1/connected-apps", None).await;
    let full_name = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["consumerKey"] == client_id)
        .map(|a| s(a, "fullName").to_owned())
        .unwrap();
    let path = format!("/api/v1/connected-apps/{full_name}");
    let (status, body) = api(
        &server,
        &admin,
        reqwest::Method::PATCH,
        &path,
        Some(json!({"label": "Set by Admin"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, read, _) = send(&server, get.clone(), uri, Some(new_rat), None).await;
    assert_eq!(read["client_name"], "Set by Admin");

    // Delete: the client, its registration and its tokens are gone.
    let (status, _) = post_form(
        &server,
        INTROSPECT,
        &[
            ("token", "x"),
            ("client_id", client_id),
            ("client_secret", s(&client, "client_secret")),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = send(&server, reqwest::Method::DELETE, uri, Some(new_rat), None).await;
    assert_eq!(status, 204);
    let (status, _, _) = send(&server, get, uri, Some(new_rat), None).await;
    assert_eq!(status, 401);
    let (status, _) = api(&server, &admin, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 404);
    let (status, _) = post_form(
        &server,
        INTROSPECT,
        &[
            ("token", "x"),
            ("client_id", client_id),
            ("client_secret", s(&client, "client_secret")),
        ],
    )
    .await;
    assert_eq!(status, 401, "a deleted client cannot authenticate");
    let (status, body) = introspect(&server, (&reg_key, &reg_secret), "x", None).await;
    assert_inactive(status, &body);
}
