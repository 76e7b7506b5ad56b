//! A scripted browser for flows: follows the authorize → login → consent → callback legs with a
//! cookie-keeping client, reading forms out of the server's HTML like a person's browser would.

use crate::harness::{ADMIN_PASSWORD, ADMIN_USERNAME, Server};

/// A page's hidden inputs and the CSRF token among them.
pub(crate) fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<input").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap_or(chunk.len())];
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        if let (Some(name), Some(value)) = (attr(tag, "name"), attr(tag, "value")) {
            out.push((name, value));
        }
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// Undoes the HTML escaping templates apply to attribute values (named and numeric entities).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn csrf(html: &str) -> String {
    hidden_inputs(html)
        .into_iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v)
        .expect("the page has a CSRF token")
}

pub(crate) fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .unwrap_or_else(|| panic!("expected a redirect, got {}", res.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// Resolves a `Location` against the server.
pub(crate) fn absolute(server: &Server, location: &str) -> String {
    if location.starts_with('/') {
        server.url(location)
    } else {
        location.to_owned()
    }
}

/// Logs in through `/login` (directly, no flow).
pub(crate) async fn login(
    server: &Server,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let page = client
        .get(server.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    client
        .post(server.url("/login"))
        .form(&[
            ("csrf_token", csrf(&page).as_str()),
            ("username", username),
            ("password", password),
            ("startURL", "/"),
        ])
        .send()
        .await
        .unwrap()
}

/// Drives a browser from an authorization URL to the redirect back to the client, logging in
/// and allowing consent when asked. Returns the final `Location` (the client's callback).
pub(crate) async fn authorize(
    server: &Server,
    client: &reqwest::Client,
    authorize_url: &str,
    username: &str,
    password: &str,
) -> String {
    let mut url = authorize_url.to_owned();
    for _ in 0..8 {
        let res = client.get(&url).send().await.unwrap();
        if res.status().is_redirection() {
            let next = location(&res);
            if next.starts_with("/login") {
                let page = client
                    .get(server.url(&next))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let mut form = hidden_inputs(&page);
                form.push(("username".into(), username.into()));
                form.push(("password".into(), password.into()));
                let res = client
                    .post(server.url("/login"))
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 303, "login should succeed");
                url = absolute(server, &location(&res));
                continue;
            }
            if next.starts_with('/') {
                url = server.url(&next);
                continue;
            }
            return next;
        }
        let status = res.status();
        let page = res.text().await.unwrap();
        assert_eq!(status, 200, "unexpected page: {page}");
        assert!(
            page.contains("Allow"),
            "expected the consent page, got: {page}"
        );
        let mut form = hidden_inputs(&page);
        form.push(("consent_decision".into(), "allow".into()));
        let res = client
            .post(server.url("/services/oauth2/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "consent should redirect");
        return location(&res);
    }
    panic!("too many redirects from {authorize_url}");
}

/// [`authorize`] as the bootstrap administrator.
pub(crate) async fn authorize_as_admin(
    server: &Server,
    client: &reqwest::Client,
    authorize_url: &str,
) -> String {
    authorize(
        server,
        client,
        authorize_url,
        ADMIN_USERNAME,
        ADMIN_PASSWORD,
    )
    .await
}

/// A query or fragment parameter of a callback URL.
pub(crate) fn callback_param(callback: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(callback).unwrap();
    let from_query = parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned());
    from_query.or_else(|| {
        let fragment = parsed.fragment()?;
        url::form_urlencoded::parse(fragment.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}
