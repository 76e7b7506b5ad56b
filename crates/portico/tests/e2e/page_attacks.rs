//! Attack cases of `reference/security.md` §6 on the browser side (BCP-10–12, BCP-46, BCP-49,
//! BCP-50; ATK-11, ATK-12, ATK-16–18): hostile parameters escaped on pages and returned intact,
//! no open redirect after login, no CORS and no framing at the authorization endpoint, duplicate
//! and unknown parameters, `prompt=login`.

use crate::browser::{absolute, callback_param, csrf, hidden_inputs, location, unescape};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{AUTHORIZE, admin_browser, authorize_url, cli_code_url, pkce_pair};
use crate::web_server_flow::CLI_CALLBACK;

#[tokio::test]
async fn hostile_state_and_login_hint_are_escaped_on_every_page_and_returned_intact() {
    let server = Server::start();
    let browser = harness::client();
    let state = r#""><script>alert(1)</script>&x=1"#;
    let hint = r#""><img src=x onerror=alert(2)>"#;
    let (_, challenge) = pkce_pair();
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", "PorticoCLI"),
            ("redirect_uri", CLI_CALLBACK),
            ("code_challenge", &challenge),
            ("state", state),
            ("login_hint", hint),
        ],
    );
    let res = browser.get(&url).send().await.unwrap();
    let login = absolute(&server, &location(&res));
    let page = browser
        .get(&login)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("<script>alert(1)") && !page.contains("<img src=x"),
        "{page}"
    );
    let form = hidden_inputs(&page);
    let start = &form.iter().find(|(k, _)| k == "startURL").unwrap().1;
    assert!(start.starts_with(AUTHORIZE), "{start}");
    let username_input = page
        .split("<input")
        .find(|tag| tag.contains(r#"name="username""#))
        .unwrap();
    let value = username_input
        .split(r#"value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(
        unescape(value),
        hint,
        "login_hint pre-fills the username, escaped"
    );

    let mut form = form;
    form.push(("username".into(), ADMIN_USERNAME.into()));
    form.push(("password".into(), ADMIN_PASSWORD.into()));
    let res = browser
        .post(server.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let consent = browser
        .get(absolute(&server, &location(&res)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        consent.contains("Allow Access?") && !consent.contains("<script>alert(1)"),
        "{consent}"
    );
    let mut form = hidden_inputs(&consent);
    form.push(("consent_decision".into(), "allow".into()));
    let res = browser
        .post(server.url(AUTHORIZE))
        .form(&form)
        .send()
        .await
        .unwrap();
    let to = location(&res);
    assert!(to.starts_with(&format!("{CLI_CALLBACK}?")), "{to}");
    assert_eq!(
        callback_param(&to, "state").as_deref(),
        Some(state),
        "state comes back byte for byte"
    );

    // Error pages never echo raw markup either.
    for query in [
        "client_id=%3Cscript%3Ealert(3)%3C%2Fscript%3E&response_type=code&redirect_uri=https%3A%2F%2Fevil.test",
        "client_id=PorticoCLI&response_type=code&redirect_uri=javascript%3A%3Cscript%3Ealert(4)%3C%2Fscript%3E",
    ] {
        let res = browser
            .get(format!("{}?{query}", server.url(AUTHORIZE)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert!(
            !res.text().await.unwrap().contains("<script>alert("),
            "{query}"
        );
    }
}

#[tokio::test]
async fn login_never_redirects_off_site() {
    let server = Server::start();
    let http = harness::client();
    for start in [
        "//evil.test/x",
        "https://evil.test/",
        "/\\evil.test",
        "javascript:alert(1)",
        "/%0d%0aLocation:%20x",
    ] {
        let page = http
            .get(server.url("/login"))
            .query(&[("startURL", start)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let hidden = hidden_inputs(&page);
        let shown = &hidden.iter().find(|(k, _)| k == "startURL").unwrap().1;
        assert!(
            !shown.contains("evil") && !shown.contains("javascript"),
            "{start} → {shown}"
        );
        let browser = harness::client();
        let page = browser
            .get(server.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let res = browser
            .post(server.url("/login"))
            .form(&[
                ("csrf_token", csrf(&page).as_str()),
                ("username", ADMIN_USERNAME),
                ("password", ADMIN_PASSWORD),
                ("startURL", start),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            303,
            "303 after a credential POST, never 307 (ATK-18)"
        );
        let to = location(&res);
        assert!(
            to.starts_with('/') && !to.starts_with("//") && !to.contains("evil"),
            "{start} → {to}"
        );
    }
}

#[tokio::test]
async fn the_authorization_endpoint_offers_no_cors_and_cannot_be_framed() {
    let server = Server::start();
    let http = harness::client();
    let (_, challenge) = pkce_pair();
    let url = cli_code_url(&server, "api", &challenge, &[]);
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://evil.test")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "ATK-17"
    );
    let get = http
        .get(&url)
        .header("origin", "https://evil.test")
        .send()
        .await
        .unwrap();
    assert!(get.headers().get("access-control-allow-origin").is_none());

    let browser = admin_browser(&server).await;
    let pages = [
        browser.get(&url).send().await.unwrap(), // consent
        http.get(format!("{}?client_id=nope", server.url(AUTHORIZE)))
            .send()
            .await
            .unwrap(), // error page
        http.get(server.url("/login")).send().await.unwrap(),
    ];
    for page in pages {
        let h = page.headers();
        assert_eq!(h["x-frame-options"], "DENY", "ATK-16");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-store");
    }
}

#[tokio::test]
async fn duplicate_client_or_redirect_parameters_get_an_error_page_unknown_ones_are_ignored() {
    let server = Server::start();
    let http = harness::client();
    let (_, challenge) = pkce_pair();
    for duplicated in [("client_id", "PorticoCLI"), ("redirect_uri", CLI_CALLBACK)] {
        let url = format!(
            "{}&{}",
            cli_code_url(&server, "api", &challenge, &[]),
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair(duplicated.0, duplicated.1)
                .finish()
        );
        let res = http.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 400, "ATK-11: {}", duplicated.0);
        assert!(res.headers().get("location").is_none());
    }
    // ATK-12: unknown and ignored parameters (display, device_id, …) change nothing: the login
    // page comes next.
    let res = http
        .get(cli_code_url(
            &server,
            "api",
            &challenge,
            &[
                ("extra", "foobar"),
                ("display", "touch"),
                ("device_id", "d1"),
                ("nonce", "n1"),
                ("sso_provider", "x"),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/login?"));
    // POST works like GET at the authorization endpoint.
    let query = url::Url::parse(&cli_code_url(&server, "api", &challenge, &[])).unwrap();
    let form: Vec<(String, String)> = query.query_pairs().into_owned().collect();
    let res = http
        .post(server.url(AUTHORIZE))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    assert!(location(&res).starts_with("/login?"));
}

#[tokio::test]
async fn prompt_login_asks_a_logged_in_user_to_log_in_again() {
    let server = Server::start();
    let browser = admin_browser(&server).await;
    let (_, challenge) = pkce_pair();
    let res = browser
        .get(cli_code_url(
            &server,
            "api",
            &challenge,
            &[("prompt", "login")],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert!(location(&res).starts_with("/login?"), "{}", location(&res));
}
