//! UserInfo, the identity URL and the small `/services/data` resource
//! (`reference/salesforce-oauth.md` §6.2, §6.3, §12, §13; CONTRACT §2): fields, where the token
//! may come from, formats and JSONP, Salesforce's 403 `Bad_OAuth_Token` and 401
//! `INVALID_SESSION_ID`, and 404s (never 500s) for malformed paths.

use serde_json::Value;

use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{
    REVOKE, USER_PASSWORD, USERINFO, cli_tokens, create_user, get_bearer, post_form, s,
};
use crate::web_server_flow::admin_token;

async fn admin_tokens(server: &Server) -> Value {
    cli_tokens(
        server,
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
        "api refresh_token openid",
    )
    .await
}

/// The path of the identity URL in a token response.
fn id_path(server: &Server, tokens: &Value) -> String {
    s(tokens, "id")
        .strip_prefix(server.base_url())
        .unwrap()
        .to_owned()
}

async fn text(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, res.text().await.unwrap())
}

#[tokio::test]
async fn userinfo_returns_salesforce_fields_for_the_token_user() {
    let server = Server::start();
    let tokens = admin_tokens(&server).await;
    let at = s(&tokens, "access_token");
    let (status, me) = get_bearer(&server, USERINFO, at).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["sub"], tokens["id"]);
    let id = s(&tokens, "id");
    assert!(
        id.ends_with(&format!(
            "/{}/{}",
            s(&me, "organization_id"),
            s(&me, "user_id")
        )),
        "{me}"
    );
    assert!(s(&me, "user_id").starts_with("005") && s(&me, "user_id").len() == 18);
    assert!(s(&me, "organization_id").starts_with("00D") && s(&me, "organization_id").len() == 18);
    assert_eq!(me["preferred_username"], ADMIN_USERNAME);
    assert_eq!(me["active"], true);
    assert_eq!(me["user_type"], "STANDARD");
    for field in [
        "nickname",
        "name",
        "email",
        "email_verified",
        "family_name",
        "zoneinfo",
        "photos",
        "profile",
        "picture",
        "urls",
        "language",
        "locale",
        "utcOffset",
        "updated_at",
        "is_app_installed",
    ] {
        assert!(me.get(field).is_some(), "missing {field}: {me}");
    }

    // POST and the oauth_token parameter work too; `access_token` in the URL does not (BCP-28).
    let http = harness::client();
    let res = http
        .post(server.url(USERINFO))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .get(server.url(USERINFO))
        .query(&[("oauth_token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .get(server.url(USERINFO))
        .query(&[("access_token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a token in access_token is ignored");
}

#[tokio::test]
async fn bad_missing_and_revoked_tokens_get_403_bad_oauth_token_in_plain_text() {
    let server = Server::start();
    let tokens = admin_tokens(&server).await;
    let at = s(&tokens, "access_token");
    let id = id_path(&server, &tokens);
    let http = harness::client();
    for path in [USERINFO, id.as_str()] {
        let (status, content_type, body) = text(
            http.get(server.url(path))
                .bearer_auth("00Dxx!bogus")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((status, body.as_str()), (403, "Bad_OAuth_Token"), "{path}");
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        let (status, _, _) = text(http.get(server.url(path)).send().await.unwrap()).await;
        assert_eq!(status, 403, "{path} without a token");
    }
    assert_eq!(post_form(&server, REVOKE, &[("token", at)]).await.0, 200);
    for path in [USERINFO, id.as_str()] {
        let (status, _, body) = text(
            http.get(server.url(path))
                .bearer_auth(at)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((status, body.as_str()), (403, "Bad_OAuth_Token"), "{path}");
    }
}

#[tokio::test]
async fn identity_url_takes_the_token_from_the_header_the_parameter_or_both_when_equal() {
    let server = Server::start();
    let tokens = admin_tokens(&server).await;
    let other = admin_tokens(&server).await;
    let at = s(&tokens, "access_token");
    let url = server.url(&id_path(&server, &tokens));
    let http = harness::client();

    let (status, body) =
        crate::support::status_json(http.get(&url).bearer_auth(at).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], tokens["id"]);
    assert_eq!(body["username"], ADMIN_USERNAME);
    for field in [
        "user_id",
        "organization_id",
        "display_name",
        "nick_name",
        "email",
        "photos",
        "urls",
        "user_type",
        "language",
        "locale",
        "last_modified_date",
        "active",
    ] {
        assert!(body.get(field).is_some(), "missing {field}: {body}");
    }
    assert!(
        s(&body["urls"], "rest").contains("{version}"),
        "no version asked: {body}"
    );

    // jsforce's Connection.identity(): ?format=json&oauth_token=, plus its Bearer header.
    let res = http
        .get(&url)
        .query(&[("format", "json"), ("oauth_token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .get(&url)
        .query(&[("oauth_token", at)])
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "both, equal");
    let (status, _, body) = text(
        http.get(&url)
            .query(&[("oauth_token", s(&other, "access_token"))])
            .bearer_auth(at)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (403, "Bad_OAuth_Token"),
        "both, different"
    );

    let res = http
        .get(&url)
        .query(&[("version", "latest")])
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(
        s(&body["urls"], "rest").contains("/services/data/v62.0/"),
        "{body}"
    );
}

#[tokio::test]
async fn identity_url_and_userinfo_speak_xml_urlencoded_and_jsonp() {
    let server = Server::start();
    let tokens = admin_tokens(&server).await;
    let at = s(&tokens, "access_token");
    let url = server.url(&id_path(&server, &tokens));
    let user_id = s(&tokens, "id").rsplit('/').next().unwrap().to_owned();
    let http = harness::client();
    for target in [url.clone(), server.url(USERINFO)] {
        let (status, content_type, body) = text(
            http.get(&target)
                .query(&[("format", "xml")])
                .bearer_auth(at)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/xml"),
            "{content_type}"
        );
        assert!(
            body.starts_with("<?xml") && body.contains(&format!("<user_id>{user_id}</user_id>")),
            "{body}"
        );

        let (_, content_type, body) = text(
            http.get(&target)
                .header("accept", "application/xml")
                .bearer_auth(at)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            content_type.starts_with("application/xml") && body.contains("<user_id>"),
            "Accept"
        );

        let (_, content_type, body) = text(
            http.get(&target)
                .query(&[("format", "urlencoded")])
                .bearer_auth(at)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            content_type.starts_with("application/x-www-form-urlencoded"),
            "{content_type}"
        );
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        assert!(
            pairs.contains(&("user_id".to_owned(), user_id.clone())),
            "{body}"
        );

        let (status, content_type, body) = text(
            http.get(&target)
                .query(&[("callback", "handleId")])
                .bearer_auth(at)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/javascript"),
            "{content_type}"
        );
        let json = body
            .split_once("handleId(")
            .unwrap()
            .1
            .trim_end_matches(';')
            .trim_end_matches(')');
        let json: Value = serde_json::from_str(json).unwrap();
        assert_eq!(json["user_id"], user_id.as_str());
    }
}

#[tokio::test]
async fn another_users_identity_needs_api_scope_and_malformed_ids_are_404() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let admin_tokens = admin_tokens(&server).await;
    create_user(&server, &admin, "idreader@e2e.test", "StandardUser").await;
    let reader = cli_tokens(&server, "idreader@e2e.test", USER_PASSWORD, "openid").await;
    let http = harness::client();
    let admin_id = server.url(&id_path(&server, &admin_tokens));
    let own = http
        .get(server.url(&id_path(&server, &reader)))
        .bearer_auth(s(&reader, "access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let res = http
        .get(&admin_id)
        .bearer_auth(s(&reader, "access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        403,
        "openid alone reads only the token's own user"
    );
    let res = http
        .get(&admin_id)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the admin's own identity");

    let org = s(&admin_tokens, "id")
        .rsplit('/')
        .nth(1)
        .unwrap()
        .to_owned();
    for path in [
        format!("/id/{org}/not-an-id"),
        format!(
            "/id/00D000000000001AAA/{}",
            s(&admin_tokens, "id").rsplit('/').next().unwrap()
        ),
        format!("/id/{org}/005000000000001AAA"),
        "/id/x/y".to_owned(),
    ] {
        let res = http
            .get(server.url(&path))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
}
