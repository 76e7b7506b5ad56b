//! The device verification page `/setup/connect` (issue 5; RFC 8628 §3.3, §5.1, §5.4;
//! `reference/security.md` ATK-54, ATK-57): login first, the Code field and Connect button, the
//! consent page, CSRF on every form, and the lock after five wrong codes.

use crate::browser::{csrf, hidden_inputs, location};
use crate::device_support::{CONNECT, answer, enter_code, error_400, poll, start, submit};
use crate::harness::{self, ADMIN_PASSWORD, ADMIN_USERNAME, Server};
use crate::support::{admin_browser, s};

const CLI: &str = "PorticoCLI";

#[tokio::test]
async fn the_page_sends_strangers_to_log_in_and_keeps_the_code() {
    let server = Server::start();
    let started = start(&server, CLI, "api").await;
    let code = s(&started, "user_code");
    let browser = harness::client();
    let res = browser
        .get(s(&started, "verification_uri_complete"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let to_login = location(&res);
    let expected = format!("/login?startURL=%2Fsetup%2Fconnect%3Fuser_code%3D{code}");
    assert_eq!(to_login, expected);

    let login_page = browser
        .get(server.url(&to_login))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form = hidden_inputs(&login_page);
    form.push(("username".into(), ADMIN_USERNAME.into()));
    form.push(("password".into(), ADMIN_PASSWORD.into()));
    let res = browser
        .post(server.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert_eq!(back, format!("{CONNECT}?user_code={code}"));

    let res = browser.get(server.url(&back)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(r#"<label for="user_code">Code</label>"#),
        "{page}"
    );
    assert!(
        page.contains(&format!(r#"name="user_code" value="{code}""#)),
        "pre-filled: {page}"
    );
    assert!(
        page.contains(r#"<button type="submit">Connect</button>"#),
        "{page}"
    );
    assert!(!csrf(&page).is_empty());
    // Pre-filling never approves: nothing happened until Connect and Allow are pressed (§5.4).
    let (status, body) = poll(&server, CLI, s(&started, "device_code")).await;
    assert_eq!(error_400(status, &body).0, "authorization_pending");
}

#[tokio::test]
async fn codes_are_case_dash_and_space_insensitive_and_consent_names_the_app() {
    let server = Server::start();
    let started = start(&server, CLI, "api refresh_token").await;
    let typed = s(&started, "user_code").to_lowercase().replace('-', " ");
    let browser = admin_browser(&server).await;
    let entered = enter_code(&server, &browser, &typed).await;
    assert_eq!(entered.status, 200, "{}", entered.page);
    let page = &entered.page;
    assert!(
        page.contains("Allow Access?") && page.contains("Portico CLI"),
        "{page}"
    );
    assert!(
        page.contains("(api)") && page.contains("refresh_token"),
        "the scopes: {page}"
    );
    assert!(
        page.contains("Only allow this if you started the connection"),
        "the phishing warning: {page}"
    );
    assert!(
        page.contains(s(&started, "user_code")),
        "the code, to compare with the device: {page}"
    );
    assert!(
        page.contains(">Allow</button>") && page.contains(">Deny</button>"),
        "{page}"
    );
    let mut form = hidden_inputs(page);
    form.push(("consent_decision".into(), "allow".into()));
    let done = submit(&server, &browser, &form).await;
    assert_eq!(done.status, 200);
    assert!(
        done.page.contains("connected") && done.page.contains("return to your device"),
        "{}",
        done.page
    );
    assert_eq!(poll(&server, CLI, s(&started, "device_code")).await.0, 200);
}

#[tokio::test]
async fn every_form_needs_its_csrf_token_and_the_page_cannot_be_framed() {
    let server = Server::start();
    let started = start(&server, CLI, "api").await;
    let code = s(&started, "user_code");
    let browser = admin_browser(&server).await;
    let res = browser.get(server.url(CONNECT)).send().await.unwrap();
    // ATK-57: no framing.
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    // Connect without the token.
    let res = browser
        .post(server.url(CONNECT))
        .form(&[("user_code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Allow without the token, and with a forged one.
    for token in ["", "forged-token-forged-token-forged-token"] {
        let form = [
            ("csrf_token", token),
            ("user_code", code),
            ("consent_decision", "allow"),
        ];
        let res = browser
            .post(server.url(CONNECT))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    let (status, body) = poll(&server, CLI, s(&started, "device_code")).await;
    assert_eq!(
        error_400(status, &body).0,
        "authorization_pending",
        "nothing was approved"
    );
    // With the token it works.
    assert_eq!(answer(&server, &browser, code, "allow").await.status, 200);
}

#[tokio::test]
async fn five_wrong_codes_lock_the_session_even_for_the_right_code() {
    let server = Server::start();
    let started = start(&server, CLI, "api").await;
    let browser = admin_browser(&server).await;
    let wrong = if s(&started, "user_code") == "BBBB-BBBB" {
        "CCCC-CCCC"
    } else {
        "BBBB-BBBB"
    };
    let mut token = String::new();
    for attempt in 1..=4 {
        let res = enter_code(
            &server,
            &browser,
            if attempt == 2 { "not a code" } else { wrong },
        )
        .await;
        assert_eq!(res.status, 400, "attempt {attempt}");
        assert!(
            res.page.contains("isn&#39;t valid") || res.page.contains("isn't valid"),
            "{}",
            res.page
        );
        token = csrf(&res.page);
    }
    // ATK-54: the fifth locks the page…
    let locked = enter_code(&server, &browser, wrong).await;
    assert_eq!(locked.status, 429);
    assert!(
        locked.page.contains("Too many wrong codes"),
        "{}",
        locked.page
    );
    assert!(
        !locked.page.contains("<form"),
        "no form while locked: {}",
        locked.page
    );
    // …for the right code too, and for a plain visit.
    let form = [
        ("csrf_token".to_owned(), token),
        ("user_code".to_owned(), s(&started, "user_code").to_owned()),
    ];
    assert_eq!(submit(&server, &browser, &form).await.status, 429);
    assert_eq!(
        browser
            .get(server.url(CONNECT))
            .send()
            .await
            .unwrap()
            .status(),
        429
    );
    let (status, body) = poll(&server, CLI, s(&started, "device_code")).await;
    assert_eq!(error_400(status, &body).0, "authorization_pending");
    // Another session may still connect the device.
    let other = admin_browser(&server).await;
    assert_eq!(
        answer(&server, &other, s(&started, "user_code"), "allow")
            .await
            .status,
        200
    );
    assert_eq!(poll(&server, CLI, s(&started, "device_code")).await.0, 200);
}
