//! The refresh token flow with PorticoCLI (`reference/salesforce-oauth.md` §3.6, §8.3;
//! `reference/security.md` BCP-33, BCP-38, ATK-35, ATK-36): a new access token and ID token,
//! scope narrowing only, revoked and unknown tokens, and the five-approvals cap. Policies,
//! rotation, Require Secret and other clients' tokens are in `connected_app_flows.rs`.

use serde_json::Value;

use crate::harness::{ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{
    REVOKE, USER_PASSWORD, USERINFO, admin_browser, cli_tokens, cli_tokens_in, create_user,
    get_bearer, oauth_error, post_form, s, token, verify_id_token,
};
use crate::web_server_flow::{CLI_CALLBACK, admin_token};

async fn refresh(server: &Server, refresh_token: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", "PorticoCLI"),
    ];
    form.extend_from_slice(extra);
    token(server, &form).await
}

fn expired(status: u16, body: &Value) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        oauth_error(body),
        ("invalid_grant", "expired access/refresh token")
    );
}

#[tokio::test]
async fn refresh_issues_a_new_access_token_and_a_new_id_token() {
    let server = Server::start();
    let first = cli_tokens(
        &server,
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
        "api refresh_token openid",
    )
    .await;
    let rt = s(&first, "refresh_token");
    let first_claims = verify_id_token(&server, s(&first, "id_token"), "PorticoCLI").await;
    // jsforce sends code_verifier and redirect_uri on every token request: ignored here.
    let (status, body) = refresh(
        &server,
        rt,
        &[
            ("code_verifier", "x".repeat(171).as_str()),
            ("redirect_uri", CLI_CALLBACK),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let access = s(&body, "access_token");
    assert_ne!(access, s(&first, "access_token"));
    assert!(
        access.starts_with(&s(&first, "access_token")[..15]),
        "same org prefix"
    );
    assert!(
        body.get("refresh_token").is_none(),
        "no rotation: the refresh token stays"
    );
    assert_eq!(body["id"], first["id"]);
    assert_eq!(body["instance_url"], server.base_url());
    assert_eq!(body["token_type"], "Bearer");
    assert!(s(&body, "issued_at").parse::<u64>().is_ok());
    let mut scopes: Vec<&str> = s(&body, "scope").split(' ').collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["api", "openid", "refresh_token"]);

    // A fresh ID token with the same identity (OIDC Core §12.2).
    let claims = verify_id_token(&server, s(&body, "id_token"), "PorticoCLI").await;
    for claim in ["iss", "sub", "aud"] {
        assert_eq!(claims[claim], first_claims[claim], "{claim}");
    }
    assert_eq!(claims["sub"], body["id"]);
    assert!(claims["iat"].as_i64() >= first_claims["iat"].as_i64());

    let (status, me) = get_bearer(&server, USERINFO, access).await;
    assert_eq!((status, &me["sub"]), (200, &body["id"]));
    // The same refresh token works again.
    assert_eq!(refresh(&server, rt, &[]).await.0, 200);
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scopes_but_never_widen_them() {
    let server = Server::start();
    let tokens = cli_tokens(
        &server,
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
        "api refresh_token openid",
    )
    .await;
    let rt = s(&tokens, "refresh_token");
    let (status, body) = refresh(&server, rt, &[("scope", "api")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "api");
    assert!(body.get("id_token").is_none(), "openid was narrowed away");

    for wider in ["api web", "full", "api bogus"] {
        let (status, body) = refresh(&server, rt, &[("scope", wider)]).await;
        assert_eq!(
            (status, oauth_error(&body).0),
            (400, "invalid_scope"),
            "{wider}: {body}"
        );
    }
    // The failed attempts changed nothing.
    let (status, body) = refresh(&server, rt, &[]).await;
    assert_eq!(status, 200);
    assert!(body.get("id_token").is_some());
}

#[tokio::test]
async fn revoked_unknown_and_tampered_refresh_tokens_are_expired() {
    let server = Server::start();
    let tokens = cli_tokens(&server, ADMIN_USERNAME, ADMIN_PASSWORD, "api refresh_token").await;
    let rt = s(&tokens, "refresh_token").to_owned();

    let mut flipped = rt.clone().into_bytes();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for bad in [
        flipped.as_str(),
        "5Aep861not.a.real.token",
        &format!("{rt}x"),
    ] {
        let (status, body) = refresh(&server, bad, &[]).await;
        expired(status, &body);
    }
    // A refresh token is no code and no access token, and vice versa.
    let (status, body) = refresh(&server, s(&tokens, "access_token"), &[]).await;
    expired(status, &body);

    let (status, _) = post_form(&server, REVOKE, &[("token", &rt)]).await;
    assert_eq!(status, 200);
    let (status, body) = refresh(&server, &rt, &[]).await;
    expired(status, &body);
}

#[tokio::test]
async fn a_refresh_without_a_client_id_or_with_an_unknown_one_is_refused() {
    let server = Server::start();
    let tokens = cli_tokens(&server, ADMIN_USERNAME, ADMIN_PASSWORD, "api refresh_token").await;
    let rt = s(&tokens, "refresh_token");
    let (status, body) = token(
        &server,
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_client_id"),
        "{body}"
    );
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "NoSuchApp"),
        ],
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body)),
        (400, ("invalid_client_id", "client identifier invalid"))
    );
    let (status, body) = refresh(&server, rt, &[]).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_sixth_approval_silently_revokes_the_oldest() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let mut approvals = Vec::new();
    for _ in 0..6 {
        approvals.push(
            cli_tokens_in(
                &server,
                &browser,
                ADMIN_USERNAME,
                ADMIN_PASSWORD,
                "api refresh_token",
            )
            .await,
        );
    }
    let oldest = &approvals[0];
    let (status, body) = refresh(&server, s(oldest, "refresh_token"), &[]).await;
    expired(status, &body);
    let (status, _) = get_bearer(&server, USERINFO, s(oldest, "access_token")).await;
    assert_eq!(
        status, 403,
        "the evicted approval's access tokens die with it"
    );
    for (i, later) in approvals.iter().enumerate().skip(1) {
        let (status, body) = refresh(&server, s(later, "refresh_token"), &[]).await;
        assert_eq!(status, 200, "approval {i}: {body}");
    }

    // The cap counts per user: another user's approval leaves the administrator's alone.
    let admin = admin_token(&server).await; // the seventh: evicts approvals[1]
    create_user(&server, &admin, "cap@e2e.test", "StandardUser").await;
    let other = cli_tokens(&server, "cap@e2e.test", USER_PASSWORD, "api refresh_token").await;
    assert_eq!(
        refresh(&server, s(&other, "refresh_token"), &[]).await.0,
        200
    );
    let (status, body) = refresh(&server, s(&approvals[1], "refresh_token"), &[]).await;
    expired(status, &body);
    for later in &approvals[2..] {
        assert_eq!(
            refresh(&server, s(later, "refresh_token"), &[]).await.0,
            200
        );
    }
}
