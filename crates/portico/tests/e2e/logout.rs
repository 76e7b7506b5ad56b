//! Logout and single logout (issue 7; OIDC RP-Initiated, Front-Channel and Back-Channel Logout
//! 1.0; `reference/security.md` §3.8): `/secur/logout.jsp` and the end-session endpoint end the
//! session and every access token issued in it, frame each SLO app's Single Logout URL with
//! `iss` and `sid`, POST a verifiable `logout_token` to back-channel receivers, honour
//! `post_logout_redirect_uri` only on an exact callback match, and the admin sessions API.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::sync::mpsc;

use crate::asset_support::user_token;
use crate::browser::{csrf, location, unescape};
use crate::harness::{self, Server};
use crate::support::{api, app_json, create_app, post_form, s};
use crate::web_server_flow::admin_token;

const END_SESSION: &str = "/services/auth/idp/oidc/logout";

/// A tiny HTTP receiver on 127.0.0.1: every request's first line and body go to the channel.
pub(crate) async fn receiver() -> (String, mpsc::UnboundedReceiver<(String, String)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() < end + 4 + length {
                        continue;
                    }
                    let first = text.lines().next().unwrap_or_default().to_owned();
                    let _ = tx.send((first, text[end + 4..end + 4 + length].to_owned()));
                    let _ = sock
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        )
                        .await;
                    return;
                }
            });
        }
    });
    (base, rx)
}

async fn introspect_active(server: &Server, app: &str, token: &str) -> bool {
    let (status, body) = post_form(
        server,
        "/services/oauth2/introspect",
        &[
            ("token", token),
            ("client_id", &format!("{app}Key0001")),
            ("client_secret", &format!("{app}Secret0001")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["active"].as_bool().unwrap()
}

async fn jwks(server: &Server) -> jsonwebtoken::jwk::JwkSet {
    harness::client()
        .get(server.url("/id/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Verifies a logout token as an RP would (Back-Channel Logout §2.6).
async fn verify_logout_token(server: &Server, jwt: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    let keys = jwks(server).await;
    let key =
        jsonwebtoken::DecodingKey::from_jwk(keys.find(&header.kid.unwrap()).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[server.base_url()]);
    validation.set_required_spec_claims(&["iat", "aud", "iss", "exp"]);
    let claims = jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(
        claims["events"],
        json!({"http://schemas.openid.net/event/backchannel-logout": {}})
    );
    assert!(claims.get("nonce").is_none());
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    claims
}

/// The `src` of every hidden logout frame on a page.
fn frames(page: &str) -> Vec<String> {
    page.split("<iframe")
        .skip(1)
        .filter_map(|t| t.split("src=\"").nth(1)?.split('"').next().map(unescape))
        .collect()
}

#[tokio::test]
async fn logging_out_revokes_the_session_and_tells_every_slo_app() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let (rp, mut received) = receiver().await;
    create_app(&server, &admin, app_json("Left", json!({"singleLogoutUrl": format!("{rp}/left/slo"), "backchannelLogoutUrl": format!("{rp}/left/bc")}))).await;
    create_app(
        &server,
        &admin,
        app_json(
            "Right",
            json!({"singleLogoutUrl": format!("{rp}/right/slo")}),
        ),
    )
    .await;
    create_app(&server, &admin, app_json("Quiet", json!({}))).await;
    let browser = harness::client();
    let left = user_token(&server, &browser, "Left", "api openid").await;
    let right = user_token(&server, &browser, "Right", "api openid").await;
    let quiet = user_token(&server, &browser, "Quiet", "api openid").await;
    let elsewhere = user_token(&server, &harness::client(), "Left", "api openid").await;
    let sid =
        crate::support::verify_id_token(&server, s(&left, "id_token"), "LeftKey0001").await["sid"]
            .as_str()
            .unwrap()
            .to_owned();

    let res = browser
        .get(server.url("/secur/logout.jsp"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains(&format!("frame-src {rp}")) && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let page = res.text().await.unwrap();
    let mut urls = frames(&page);
    urls.sort();
    let iss =
        url::form_urlencoded::byte_serialize(server.base_url().as_bytes()).collect::<String>();
    assert_eq!(
        urls,
        vec![
            format!("{rp}/left/slo?iss={iss}&sid={sid}"),
            format!("{rp}/right/slo?iss={iss}&sid={sid}")
        ]
    );

    let (line, body) = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(line, "POST /left/bc HTTP/1.1");
    let logout_token = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .unwrap()
        .1
        .into_owned();
    let claims = verify_logout_token(&server, &logout_token, "LeftKey0001").await;
    assert_eq!((&claims["sid"], &claims["sub"]), (&json!(sid), &left["id"]));

    for (app, body) in [("Left", &left), ("Right", &right), ("Quiet", &quiet)] {
        assert!(
            !introspect_active(&server, app, s(body, "access_token")).await,
            "{app}'s token of the session is revoked"
        );
    }
    assert!(
        introspect_active(&server, "Left", s(&elsewhere, "access_token")).await,
        "another session's token lives on"
    );
    let res = browser.get(server.url("/")).send().await.unwrap();
    assert_eq!(location(&res), "/login", "the browser is logged out");
}

#[tokio::test]
async fn end_session_redirects_only_to_an_exact_callback_of_the_hinted_app() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    create_app(&server, &admin, app_json("Rp", json!({}))).await;
    let browser = harness::client();
    let tokens = user_token(&server, &browser, "Rp", "api openid").await;
    let hint = s(&tokens, "id_token");
    let url = |redirect: &str| {
        format!(
            "{}?id_token_hint={hint}&post_logout_redirect_uri={}&state=xyz",
            server.url(END_SESSION),
            url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
        )
    };
    // A near miss lands on Portico's page, and logs out all the same.
    let res = browser
        .get(url("https://app.test/cb?foo=bar"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("location").is_none());
    assert!(res.text().await.unwrap().contains("You are logged out"));
    assert!(!introspect_active(&server, "Rp", s(&tokens, "access_token")).await);
    // The exact callback, with state; expired or not, the hint still names the app.
    let res = browser
        .get(url("https://app.test/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{:?}", res.headers());
    assert_eq!(location(&res), "https://app.test/cb?state=xyz");
    // A forged hint is no hint.
    let forged = format!(
        "{}{}",
        &hint[..hint.len() - 4],
        if hint.ends_with("AAAA") {
            "BBBB"
        } else {
            "AAAA"
        }
    );
    let res = harness::client()
        .get(format!(
            "{}?id_token_hint={forged}&post_logout_redirect_uri=https%3A%2F%2Fapp.test%2Fcb",
            server.url(END_SESSION)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("location").is_none());
}

#[tokio::test]
async fn end_session_without_a_hint_asks_first() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    create_app(&server, &admin, app_json("Rp", json!({}))).await;
    let browser = harness::client();
    let tokens = user_token(&server, &browser, "Rp", "api openid").await;
    let page = browser
        .get(server.url(END_SESSION))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Log out of Portico?"), "{page}");
    assert!(
        introspect_active(&server, "Rp", s(&tokens, "access_token")).await,
        "a bare GET (an image tag) logs nobody out"
    );
    let res = browser
        .post(server.url(END_SESSION))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = browser
        .post(server.url(END_SESSION))
        .form(&[("csrf_token", csrf(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("You are logged out"));
    assert!(!introspect_active(&server, "Rp", s(&tokens, "access_token")).await);
}

#[tokio::test]
async fn admins_list_and_end_a_users_sessions() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    create_app(&server, &admin, app_json("Rp", json!({}))).await;
    let user =
        crate::support::create_user(&server, &admin, "sess@e2e.portico.test", "StandardUser").await;
    let path = format!("/api/v1/users/{user}/sessions");
    let (status, sessions) = api(&server, &admin, reqwest::Method::GET, &path, None).await;
    assert_eq!((status, sessions), (200, json!([])));
    let one = crate::support::logged_in(
        &server,
        "sess@e2e.portico.test",
        crate::support::USER_PASSWORD,
    )
    .await;
    let _two = crate::support::logged_in(
        &server,
        "sess@e2e.portico.test",
        crate::support::USER_PASSWORD,
    )
    .await;
    let (status, sessions) = api(&server, &admin, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 200, "{sessions}");
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    assert!(
        sessions[0]["id"].as_str().is_some_and(|id| id.len() == 32)
            && sessions[0]["expiresAt"].is_i64()
    );
    let (status, ended) = api(&server, &admin, reqwest::Method::DELETE, &path, None).await;
    assert_eq!((status, &ended["sessions"]), (200, &json!(2)), "{ended}");
    let (_, sessions) = api(&server, &admin, reqwest::Method::GET, &path, None).await;
    assert_eq!(sessions, json!([]));
    let res = one.get(server.url("/")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
    let (status, _) = api(
        &server,
        &admin,
        reqwest::Method::GET,
        "/api/v1/users/005000000000000AAA/sessions",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

/// `browser-tests/slo.test.mjs` in headless Debian Chromium (playwright-core): the logout page's
/// frames really load each Single Logout URL, and the back channel really gets its token. Needs
/// `npm ci --prefix browser-tests` and `apt-get install -y chromium`; fails rather than skips
/// without them, so CI cannot pass without running it.
#[tokio::test]
async fn single_logout_in_headless_chromium() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../browser-tests");
    assert!(
        dir.join("node_modules").join("playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix browser-tests` (and `apt-get install -y chromium`)"
    );
    let server = Server::start();
    let child = tokio::process::Command::new("node")
        .args(["--test", "slo.test.mjs"])
        .current_dir(&dir)
        .env("PORTICO_URL", server.base_url())
        .env("PORTICO_ADMIN_USERNAME", harness::ADMIN_USERNAME)
        .env("PORTICO_ADMIN_PASSWORD", harness::ADMIN_PASSWORD)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("could not run `node` (Node.js 20+ must be on PATH): {e}"));
    let output = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("# pass 1\n"),
        "`node --test slo.test.mjs` failed ({})\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
