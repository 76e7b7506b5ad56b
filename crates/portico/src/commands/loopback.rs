//! The one-shot loopback listener of `portico login` (RFC 8252 §7.3): it answers on
//! `localhost:1717` (IPv4, and IPv6 when available), the `PorticoCLI` app's registered callback,
//! waits for the browser's redirect to `/OauthRedirect`, checks `state`, and hands back the code.
//! Other requests (a favicon, a speculative connection) are answered and ignored.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

pub(crate) const PORT: u16 = 1717;
const PATH: &str = "/OauthRedirect";
/// Longest request head read, and how long a connection may take to send it.
const MAX_HEAD: usize = 16 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What the browser's redirect said: the code, or why there is none.
type Outcome = anyhow::Result<String>;

pub(crate) struct Listener {
    v4: TcpListener,
    v6: Option<TcpListener>,
}

impl Listener {
    /// Binds the callback port before the authorization URL is shown.
    pub(crate) async fn bind() -> anyhow::Result<Self> {
        let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, PORT)))
            .await
            .with_context(|| {
                format!(
                    "cannot listen on 127.0.0.1:{PORT} for the login callback (is another `portico login` running? `--device` needs no port)"
                )
            })?;
        let v6 = TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, PORT)))
            .await
            .ok();
        Ok(Self { v4, v6 })
    }

    /// Waits for the redirect carrying `state` and returns its authorization code.
    pub(crate) async fn wait_for_code(self, state: &str, timeout: Duration) -> Outcome {
        let (tx, mut rx) = mpsc::channel::<Outcome>(4);
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => anyhow::bail!(
                    "no login arrived within {} minutes; run `portico login` again",
                    timeout.as_secs() / 60
                ),
                Some(outcome) = rx.recv() => return outcome,
                accepted = accept(&self.v4, self.v6.as_ref()) => {
                    let stream = accepted.context("accepting the login callback")?;
                    let tx = tx.clone();
                    let state = state.to_owned();
                    tokio::spawn(async move {
                        if let Some(outcome) = serve(stream, &state).await {
                            let _ = tx.send(outcome).await;
                        }
                    });
                }
            }
        }
    }
}

async fn accept(v4: &TcpListener, v6: Option<&TcpListener>) -> std::io::Result<TcpStream> {
    match v6 {
        Some(v6) => tokio::select! {
            r = v4.accept() => r.map(|(s, _)| s),
            r = v6.accept() => r.map(|(s, _)| s),
        },
        None => v4.accept().await.map(|(s, _)| s),
    }
}

/// Answers one connection; `Some` when it was the redirect to the callback.
async fn serve(mut stream: TcpStream, state: &str) -> Option<Outcome> {
    let head = tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream))
        .await
        .ok()?
        .ok()?;
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default();
    let outcome = url::Url::parse(&format!("http://localhost{target}"))
        .ok()
        .filter(|u| u.path() == PATH)
        .map(|u| read_redirect(&u, state));
    let (status, page) = match &outcome {
        None => ("404 Not Found", "Not found.".to_owned()),
        Some(Ok(_)) => (
            "200 OK",
            "Logged in to Portico. You can close this window and go back to the terminal."
                .to_owned(),
        ),
        Some(Err(e)) => (
            "400 Bad Request",
            format!("The login failed: {}", escape(&e.to_string())),
        ),
    };
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Portico CLI</title></head><body><p>{page}</p></body></html>"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{html}",
        html.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    outcome
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// The code of a redirect whose `state` matches, else the error it carries.
fn read_redirect(url: &url::Url, expected_state: &str) -> Outcome {
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(expected_state) {
        anyhow::bail!(
            "the login callback's `state` does not match this login; run `portico login` again"
        );
    }
    if let Some(error) = param("error") {
        let description = param("error_description").unwrap_or_default();
        anyhow::bail!("the server refused the login: {error}: {description}");
    }
    param("code").context("the login callback carries no code")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(q: &str) -> url::Url {
        url::Url::parse(&format!("http://localhost:1717/OauthRedirect?{q}")).unwrap()
    }

    #[test]
    fn redirects_are_read_and_state_is_checked() {
        assert_eq!(
            read_redirect(&url("code=abc&state=s1"), "s1").unwrap(),
            "abc"
        );
        let wrong = read_redirect(&url("code=abc&state=evil"), "s1").unwrap_err();
        assert!(wrong.to_string().contains("state"), "{wrong}");
        let missing = read_redirect(&url("code=abc"), "s1").unwrap_err();
        assert!(missing.to_string().contains("state"), "{missing}");
        let denied = read_redirect(
            &url("error=access_denied&error_description=end-user+denied+authorization&state=s1"),
            "s1",
        )
        .unwrap_err();
        assert_eq!(
            denied.to_string(),
            "the server refused the login: access_denied: end-user denied authorization"
        );
    }
}
