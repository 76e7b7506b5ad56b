//! Callback URL rules (the seed's "Enter the callback URL", `reference/salesforce-oauth.md` §10):
//! line-separated URLs, each `https://`, a custom URI scheme or `http://` on a loopback host with
//! any port; no fragments, no wildcards, no script-bearing schemes; at most 2,000 characters
//! cumulatively.

/// "The callback URL field has a limit of 2000 characters, cumulatively."
pub const MAX_CALLBACK_CHARS: usize = 2000;

/// Schemes that would run code or read local files in a browser, whatever their case.
const FORBIDDEN_SCHEMES: &[&str] = &["javascript", "data", "file", "vbscript", "about", "blob"];

/// Splits the field on line breaks (CR, LF or CRLF), trimming each URL and dropping blank lines
/// and repeats.
pub fn split_callback_urls(field: &str) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for line in field
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        if !urls.iter().any(|u| u == line) {
            urls.push(line.to_owned());
        }
    }
    urls
}

/// The characters the list takes, counted as stored: the URLs joined by single line breaks.
pub fn cumulative_chars(urls: &[String]) -> usize {
    urls.iter().map(|u| u.chars().count()).sum::<usize>() + urls.len().saturating_sub(1)
}

/// Checks the whole list; each message names the URL it is about.
pub fn check_callback_urls(urls: &[String]) -> Vec<String> {
    let mut problems: Vec<String> = urls
        .iter()
        .filter_map(|u| check_callback_url(u).err())
        .collect();
    let total = cumulative_chars(urls);
    if total > MAX_CALLBACK_CHARS {
        problems.push(format!(
            "the callback URLs take {total} characters; the field is limited to {MAX_CALLBACK_CHARS} \
             characters cumulatively: create another connected app to manage more callback URLs"
        ));
    }
    problems
}

/// Checks one callback URL.
pub fn check_callback_url(raw: &str) -> Result<(), String> {
    let scheme = raw.split(':').next().unwrap_or_default();
    // Browsers ignore control characters and spaces inside a scheme (`java\tscript:`), so compare
    // what is left.
    let squeezed: String = scheme
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    if FORBIDDEN_SCHEMES
        .iter()
        .any(|s| squeezed.eq_ignore_ascii_case(s))
    {
        return Err(format!(
            "`{raw}`: the {} scheme is not allowed in a callback URL",
            squeezed.to_ascii_lowercase()
        ));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{raw}` contains spaces or control characters"));
    }
    if raw.contains('#') {
        return Err(format!(
            "`{raw}`: a callback URL must not contain a fragment (#)"
        ));
    }
    if raw.contains('*') {
        return Err(format!(
            "`{raw}`: wildcards are not supported in callback URLs"
        ));
    }
    let url =
        url::Url::parse(raw).map_err(|e| format!("`{raw}` is not a valid absolute URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "`{raw}`: a callback URL must not carry user credentials"
        ));
    }
    match url.scheme() {
        "https" => {
            if url.host().is_none() {
                return Err(format!("`{raw}`: an https callback URL needs a host"));
            }
            Ok(())
        }
        "http" => {
            if is_loopback_host(&url) {
                Ok(())
            } else {
                Err(format!(
                    "`{raw}`: the callback URL must use https, a custom URI scheme (myapp://callback), \
                     or http only on localhost or 127.0.0.1"
                ))
            }
        }
        // A custom URI scheme (RFC 8252 §7.1), e.g. `myapp://callback` or `com.example.app:/cb`.
        _ => Ok(()),
    }
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks an absolute `https://` URL (single logout URL, logo URL).
pub fn check_https_url(raw: &str) -> Result<(), String> {
    match url::Url::parse(raw) {
        Ok(u)
            if u.scheme() == "https"
                && u.host().is_some()
                && raw.len() >= 8
                && raw[..8].eq_ignore_ascii_case("https://") =>
        {
            Ok(())
        }
        Ok(_) => Err(format!(
            "`{raw}` must be an absolute URL starting with https://"
        )),
        Err(e) => Err(format!(
            "`{raw}` is not a valid absolute URL ({e}); it must start with https://"
        )),
    }
}

/// Checks a logout URL (single logout URL, back-channel logout URL): absolute `https://`, or
/// `http://` on a loopback host only — the same loopback relaxation callbacks get (RFC 8252
/// §7.3), so that an app under local development (and the end-to-end tests) can receive
/// logouts; nothing off the machine is ever called over plain http.
pub fn check_logout_url(raw: &str) -> Result<(), String> {
    if check_https_url(raw).is_ok() {
        return Ok(());
    }
    match url::Url::parse(raw) {
        Ok(u)
            if u.scheme() == "http"
                && is_loopback_host(&u)
                && u.username().is_empty()
                && u.password().is_none() =>
        {
            Ok(())
        }
        _ => Err(format!(
            "`{raw}` must be an absolute URL starting with https:// (http only on localhost or 127.0.0.1)"
        )),
    }
}

/// Checks an absolute `http://` or `https://` URL (info URL).
pub fn check_web_url(raw: &str) -> Result<(), String> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(format!("`{raw}` must be an http:// or https:// URL")),
        Err(e) => Err(format!("`{raw}` is not a valid absolute URL ({e})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_custom_schemes_and_loopback_http_are_accepted() {
        for ok in [
            "https://app.example.com/cb",
            "https://app.example.com:8443/oauth/callback?x=1",
            "myapp://callback",
            "com.example.app:/oauth2redirect",
            "http://localhost/cb",
            "http://localhost:1717/OauthRedirect",
            "http://127.0.0.1:51004/cb",
            "http://127.0.0.1/cb",
            "http://[::1]:8080/cb",
        ] {
            assert_eq!(check_callback_url(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn plain_http_elsewhere_is_refused() {
        for bad in [
            "http://app.example.com/cb",
            "http://localhost.evil.test/cb",
            "http://10.0.0.1/cb",
        ] {
            let err = check_callback_url(bad).unwrap_err();
            assert!(err.contains("https"), "{bad}: {err}");
        }
    }

    #[test]
    fn script_schemes_are_refused_in_any_case() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript://x/%0aalert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>",
            "Data:text/html,x",
            "file:///etc/passwd",
            "FILE://host/x",
            "vbscript:msgbox",
            "VBScript:msgbox",
            "java\tscript:alert(1)",
        ] {
            assert!(check_callback_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fragments_wildcards_and_junk_are_refused() {
        assert!(
            check_callback_url("https://app.test/cb#frag")
                .unwrap_err()
                .contains("fragment")
        );
        assert!(
            check_callback_url("https://app.test/cb#")
                .unwrap_err()
                .contains("fragment")
        );
        assert!(
            check_callback_url("https://*.app.test/cb")
                .unwrap_err()
                .contains("wildcard")
        );
        assert!(check_callback_url("not a url").is_err());
        assert!(check_callback_url("/relative/path").is_err());
        assert!(check_callback_url("https://user:pw@app.test/cb").is_err());
    }

    #[test]
    fn lines_split_on_cr_lf_and_crlf() {
        let urls = split_callback_urls(
            "https://a.test/1\r\nhttps://a.test/2\rmyapp://x\n\n https://a.test/1 \n",
        );
        assert_eq!(urls, ["https://a.test/1", "https://a.test/2", "myapp://x"]);
    }

    fn url_of_len(n: usize) -> String {
        let base = "https://app.example.com/";
        format!("{base}{}", "a".repeat(n - base.len()))
    }

    #[test]
    fn two_thousand_characters_cumulatively() {
        assert!(check_callback_urls(&[url_of_len(2000)]).is_empty());
        let over = check_callback_urls(&[url_of_len(2001)]);
        assert_eq!(over.len(), 1);
        assert!(
            over[0].contains("create another connected app"),
            "{}",
            over[0]
        );
        // Two URLs: 999 + 1 line break + 1000 = 2000; one more character is too many.
        assert!(check_callback_urls(&[url_of_len(999), url_of_len(1000)]).is_empty());
        assert_eq!(
            check_callback_urls(&[url_of_len(1000), url_of_len(1000)]).len(),
            1
        );
    }

    #[test]
    fn https_only_urls() {
        assert!(check_https_url("https://rp.example.com/logout").is_ok());
        assert!(check_https_url("http://rp.example.com/logout").is_err());
        assert!(check_https_url("/logout").is_err());
        assert!(check_https_url("myapp://logout").is_err());
        // Logout URLs get the callbacks' loopback relaxation, and nothing more.
        for ok in [
            "https://rp.example.com/slo",
            "http://localhost:3000/slo",
            "http://127.0.0.1:9/bc",
        ] {
            assert_eq!(check_logout_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://rp.example.com/slo",
            "http://u:p@127.0.0.1/x",
            "myapp://logout",
            "/slo",
        ] {
            assert!(check_logout_url(bad).is_err(), "{bad}");
        }
        assert!(check_web_url("http://info.example.com").is_ok());
        assert!(check_web_url("ftp://info.example.com").is_err());
    }
}
