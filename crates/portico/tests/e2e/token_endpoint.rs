//! Wire rules of `/services/oauth2/token` (`reference/salesforce-oauth.md` §3.0, §12; CONTRACT §2;
//! `reference/security.md` BCP-27, BCP-41, BCP-43, BCP-50, ATK-27–30): body encodings, unknown
//! and duplicate parameters, response formats, client authentication by body or Basic (never
//! both), Salesforce's error texts and no-store caching.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{TOKEN, cli_tokens, oauth_error, s, status_json, token};

async fn refresh_token(server: &Server) -> String {
    let tokens = cli_tokens(server, ADMIN_USERNAME, ADMIN_PASSWORD, "api refresh_token").await;
    s(&tokens, "refresh_token").to_owned()
}

/// A token request's form, the error it gets and, when checked, its description.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, Option<&'a str>);

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

#[tokio::test]
async fn form_multipart_and_bodiless_query_requests_all_work() {
    let server = Server::start();
    let rt = refresh_token(&server).await;
    let http = harness::client();
    let form = reqwest::multipart::Form::new()
        .text("grant_type", "refresh_token")
        .text("refresh_token", rt.clone())
        .text("client_id", "PorticoCLI");
    let (status, body) = status_json(
        http.post(server.url(TOKEN))
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "multipart: {body}");
    assert!(body["access_token"].is_string());

    let res = http
        .post(server.url(TOKEN))
        .query(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("client_id", "PorticoCLI"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "a bodiless POST's query string");

    // Unknown parameters are ignored (Mobile SDK, jsforce and friends send several).
    let (status, body) = token(
        &server,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rt),
            ("client_id", "PorticoCLI"),
            ("device_id", "abc"),
            ("revoke_reason", "none"),
            ("x-unknown", "1"),
            ("code_verifier", &"v".repeat(171)),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn responses_come_in_json_urlencoded_or_xml_by_format_or_accept() {
    let server = Server::start();
    let rt = refresh_token(&server).await;
    let http = harness::client();
    let base = [
        ("grant_type", "refresh_token"),
        ("refresh_token", rt.as_str()),
        ("client_id", "PorticoCLI"),
    ];
    let send = |extra: Vec<(&'static str, &'static str)>, accept: Option<&'static str>| {
        let mut form: Vec<(&str, &str)> = base.to_vec();
        form.extend(extra);
        let mut req = http.post(server.url(TOKEN)).form(&form);
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
            (status, ct, res.text().await.unwrap())
        }
    };
    let (status, ct, body) = send(vec![], None).await;
    assert_eq!(
        (status, ct.as_str()),
        (200, "application/json;charset=UTF-8")
    );
    assert!(serde_json::from_str::<Value>(&body).unwrap()["access_token"].is_string());

    for (extra, accept) in [
        (vec![("format", "urlencoded")], None),
        (vec![], Some("application/x-www-form-urlencoded")),
    ] {
        let (status, ct, body) = send(extra, accept).await;
        assert_eq!(status, 200);
        assert!(ct.starts_with("application/x-www-form-urlencoded"), "{ct}");
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
        for field in [
            "access_token",
            "instance_url",
            "id",
            "token_type",
            "issued_at",
            "scope",
        ] {
            assert!(
                pairs.iter().any(|(k, v)| k == field && !v.is_empty()),
                "{field}: {body}"
            );
        }
    }
    for (extra, accept) in [
        (vec![("format", "xml")], None),
        (vec![], Some("application/xml")),
    ] {
        let (status, ct, body) = send(extra, accept).await;
        assert_eq!(status, 200);
        assert!(ct.starts_with("application/xml"), "{ct}");
        assert!(
            body.starts_with("<?xml") && body.contains("<OAuth><access_token>00D"),
            "{body}"
        );
        assert!(body.contains("<token_type>Bearer</token_type>"), "{body}");
    }
    // `format` wins over Accept.
    let (_, ct, _) = send(vec![("format", "json")], Some("application/xml")).await;
    assert!(ct.starts_with("application/json"), "{ct}");
    // Errors follow the format too.
    let (status, ct, body) = send(vec![("format", "urlencoded"), ("scope", "full")], None).await;
    assert_eq!(status, 400);
    assert!(ct.starts_with("application/x-www-form-urlencoded"), "{ct}");
    assert!(
        body.starts_with("error=invalid_scope&error_description="),
        "{body}"
    );
}

#[tokio::test]
async fn basic_and_body_credentials_together_are_an_invalid_request() {
    let server = Server::start();
    let rt = refresh_token(&server).await;
    let http = harness::client();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", rt.as_str()),
        ("client_secret", "s3cret"),
    ];
    let (status, body) = status_json(
        http.post(server.url(TOKEN))
            .header("authorization", basic("PorticoCLI", "s3cret"))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_request"),
        "{body}"
    );
    // A body client_id that disagrees with the header is refused too.
    let (status, body) = status_json(
        http.post(server.url(TOKEN))
            .header("authorization", basic("PorticoCLI", ""))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt.as_str()),
                ("client_id", "Other"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, oauth_error(&body).0),
        (400, "invalid_request"),
        "{body}"
    );
    // A wrong secret over Basic: 401 with a challenge (RFC 6749 §5.2, ATK-27).
    let res = http
        .post(server.url(TOKEN))
        .header("authorization", basic("PorticoCLI", "wrong"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(
        res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    let (_, body) = status_json(res).await;
    assert_eq!(oauth_error(&body).0, "invalid_client");
    // Basic alone, with PorticoCLI's empty secret, works.
    let res = http
        .post(server.url(TOKEN))
        .header("authorization", basic("PorticoCLI", ""))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn duplicate_missing_and_unknown_parameters_get_salesforce_errors() {
    let server = Server::start();
    let rt = refresh_token(&server).await;
    let cases: [Case<'_>; 5] = [
        (
            &[
                ("grant_type", "refresh_token"),
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("client_id", "PorticoCLI"),
            ],
            "invalid_request",
            None,
        ),
        (
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &rt),
                ("refresh_token", &rt),
                ("client_id", "PorticoCLI"),
            ],
            "invalid_request",
            None,
        ),
        (
            &[("refresh_token", &rt), ("client_id", "PorticoCLI")],
            "invalid_request",
            Some("grant type is missing"),
        ),
        (
            &[("grant_type", "magic"), ("client_id", "PorticoCLI")],
            "unsupported_grant_type",
            Some("grant type not supported"),
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", "PorticoCLI"),
                ("username", ADMIN_USERNAME),
                ("password", ADMIN_PASSWORD),
            ],
            "unsupported_grant_type",
            None,
        ),
    ];
    for (form, error, description) in cases {
        let (status, body) = token(&server, form).await;
        assert_eq!(
            (status, oauth_error(&body).0),
            (400, error),
            "{form:?}: {body}"
        );
        if let Some(description) = description {
            assert_eq!(oauth_error(&body).1, description);
        }
    }
}

#[tokio::test]
async fn a_json_body_is_not_understood() {
    let server = Server::start();
    let rt = refresh_token(&server).await;
    let res = harness::client()
        .post(server.url(TOKEN))
        .json(&serde_json::json!({"grant_type": "refresh_token", "refresh_token": rt, "client_id": "PorticoCLI"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        oauth_error(&body),
        ("unsupported_grant_type", "grant type not supported")
    );
}

#[tokio::test]
async fn token_responses_are_never_cached_and_the_endpoint_is_post_only() {
    let server = Server::start();
    let rt = refresh_token(&server).await;
    let http = harness::client();
    let ok = http
        .post(server.url(TOKEN))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
            ("client_id", "PorticoCLI"),
        ])
        .send()
        .await
        .unwrap();
    let bad = http
        .post(server.url(TOKEN))
        .form(&[("grant_type", "nope")])
        .send()
        .await
        .unwrap();
    for res in [ok, bad] {
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("no-store")
        );
        assert_eq!(res.headers()["pragma"], "no-cache");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    let res = http
        .get(server.url(TOKEN))
        .query(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt.as_str()),
            ("client_id", "PorticoCLI"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405, "never tokens for a GET (ATK-29)");
}
