//! Revocation at `/services/oauth2/revoke` (`reference/salesforce-oauth.md` §5.2,
//! `reference/security.md` §3.4, ATK-61–63): POST form, `GET ?token=`, JSONP; a refresh token
//! takes its approval's access tokens with it, an access token goes alone; unknown tokens and
//! bad hints are 400s; revocation is durable.

use serde_json::Value;

use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{REVOKE, USERINFO, cli_tokens, get_bearer, oauth_error, post_form, s, token};

async fn tokens(server: &Server) -> Value {
    cli_tokens(server, ADMIN_USERNAME, ADMIN_PASSWORD, "api refresh_token").await
}

/// A new access token from the refresh token.
async fn refreshed(server: &Server, rt: &str) -> String {
    let (status, body) = token(
        server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "PorticoCLI"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    s(&body, "access_token").to_owned()
}

async fn alive(server: &Server, access_token: &str) -> bool {
    let (status, _) = get_bearer(server, USERINFO, access_token).await;
    assert!(status == 200 || status == 403, "{status}");
    let (rest, _) = get_bearer(server, "/services/data/v62.0", access_token).await;
    assert_eq!(
        rest == 200,
        status == 200,
        "userinfo and the REST API agree"
    );
    status == 200
}

#[tokio::test]
async fn post_get_and_jsonp_revoke_with_salesforce_answers() {
    let server = Server::start();
    let first = tokens(&server).await;
    let rt = s(&first, "refresh_token");
    let (a, b, c) = (
        refreshed(&server, rt).await,
        refreshed(&server, rt).await,
        refreshed(&server, rt).await,
    );
    let http = harness::client();

    let res = http
        .post(server.url(REVOKE))
        .form(&[("token", a.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "", "success has an empty body");
    assert!(!alive(&server, &a).await);

    let res = http
        .get(server.url(REVOKE))
        .query(&[("token", b.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "");
    assert!(!alive(&server, &b).await);

    let res = http
        .get(server.url(REVOKE))
        .query(&[("token", c.as_str()), ("callback", "portico.done")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/javascript")
    );
    let body = res.text().await.unwrap();
    assert!(body.contains("portico.done({})"), "{body}");
    assert!(!alive(&server, &c).await);

    // JSONP reports failure in the payload.
    let res = http
        .get(server.url(REVOKE))
        .query(&[("token", c.as_str()), ("callback", "cb")])
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains(r#"cb({"error":"invalid_token""#), "{body}");
    // A callback that is not a plain identifier is refused, never echoed.
    let res = http
        .get(server.url(REVOKE))
        .query(&[("token", rt), ("callback", "alert(1)//")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(!res.text().await.unwrap().contains("alert(1)"));
    assert!(
        alive(&server, &refreshed(&server, rt).await).await,
        "the refresh token survived"
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_every_access_token_of_its_approval_only() {
    let server = Server::start();
    let one = tokens(&server).await;
    let other = tokens(&server).await;
    let rt = s(&one, "refresh_token");
    let later = refreshed(&server, rt).await;
    assert!(alive(&server, &later).await);

    let (status, body) = post_form(&server, REVOKE, &[("token", rt)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(!alive(&server, s(&one, "access_token")).await);
    assert!(!alive(&server, &later).await);
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "PorticoCLI"),
        ],
    )
    .await;
    assert_eq!(
        oauth_error(&body),
        ("invalid_grant", "expired access/refresh token"),
        "{status}"
    );

    // The user's other approval is untouched.
    assert!(alive(&server, s(&other, "access_token")).await);
    assert!(
        alive(
            &server,
            &refreshed(&server, s(&other, "refresh_token")).await
        )
        .await
    );
}

#[tokio::test]
async fn revoking_an_access_token_revokes_only_that_token() {
    let server = Server::start();
    let first = tokens(&server).await;
    let rt = s(&first, "refresh_token");
    let sibling = refreshed(&server, rt).await;
    // The hint is only a hint (ATK-63): an access token named a refresh token is still revoked.
    let (status, _) = post_form(
        &server,
        REVOKE,
        &[
            ("token", s(&first, "access_token")),
            ("token_type_hint", "refresh_token"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(!alive(&server, s(&first, "access_token")).await);
    assert!(alive(&server, &sibling).await);
    assert!(
        alive(&server, &refreshed(&server, rt).await).await,
        "the refresh token still works"
    );
}

#[tokio::test]
async fn unknown_tokens_and_unsupported_hints_are_400s() {
    let server = Server::start();
    let first = tokens(&server).await;
    let at = s(&first, "access_token");
    for unknown in ["00D000000000001!nope", "not-a-token"] {
        let (status, body) = post_form(&server, REVOKE, &[("token", unknown)]).await;
        assert_eq!(
            (status, oauth_error(&body).0),
            (400, "invalid_token"),
            "{body}"
        );
    }
    let (status, body) = post_form(
        &server,
        REVOKE,
        &[("token", at), ("token_type_hint", "id_token")],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "unsupported_token_type"),
        "{body}"
    );
    assert!(
        alive(&server, at).await,
        "a refused request revokes nothing"
    );
    let (status, body) = post_form(&server, REVOKE, &[]).await;
    assert_eq!(status, 400, "{body}");

    // Revoking twice: the second time the token is no longer valid.
    assert_eq!(post_form(&server, REVOKE, &[("token", at)]).await.0, 200);
    let (status, body) = post_form(&server, REVOKE, &[("token", at)]).await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_token"),
        "{body}"
    );
}

#[tokio::test]
async fn revocation_survives_a_restart() {
    let mut server = Server::start();
    let first = tokens(&server).await;
    let rt = s(&first, "refresh_token").to_owned();
    let at = s(&first, "access_token").to_owned();
    assert_eq!(post_form(&server, REVOKE, &[("token", &rt)]).await.0, 200);
    server.restart();
    assert!(!alive(&server, &at).await);
    let (_, body) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("client_id", "PorticoCLI"),
        ],
    )
    .await;
    assert_eq!(oauth_error(&body).1, "expired access/refresh token");
}
