//! Headers on every response: no caching of anything that may carry a token or a secret
//! (RFC 9700 §4 / OAuth 2.1 `Cache-Control: no-store`), and no framing, sniffing or referrers
//! (RFC 9700 §4.16 clickjacking, §4.2.4 referrer hygiene).
//!
//! A handler may set its own Content-Security-Policy (the logout page allows its single logout
//! frames); the middleware keeps it and adds the default only where none was set.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

const CSP: &str = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The default policy plus `frame-src` for the origins of `urls` (and nothing else), for a page
/// that frames other sites while itself remaining unframeable.
pub(crate) fn csp_with_frames(urls: &[String]) -> String {
    let mut origins: Vec<String> = urls
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .collect();
    origins.sort();
    origins.dedup();
    if origins.is_empty() {
        return CSP.to_owned();
    }
    format!("{CSP}; frame-src {}", origins.join(" "))
}

pub(crate) async fn no_store(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::csp_with_frames;

    #[test]
    fn frames_are_allowed_by_origin_only() {
        let csp = csp_with_frames(&[
            "https://a.test/slo?iss=x".into(),
            "http://127.0.0.1:9/x".into(),
            "https://a.test/2".into(),
        ]);
        assert!(
            csp.ends_with("frame-src http://127.0.0.1:9 https://a.test"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp_with_frames(&[]).contains("frame-src"));
    }
}
