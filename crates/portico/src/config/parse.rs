//! Parsers from a raw setting to its type. Each returns a short reason on failure; the caller
//! adds which setting it was.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use portico_core::secret::DataKey;

/// Where the store lives: a PostgreSQL URL, or a SQLite URL or file path. `Debug` hides the
/// password a PostgreSQL URL may carry.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct DatabaseUrl(String);

impl DatabaseUrl {
    /// For the store only; never log it (use `Debug`).
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for DatabaseUrl {
    fn default() -> Self {
        Self("./portico-data/portico.db".to_owned())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// The value with any URL password replaced, fit for messages and logs. Works on text, so that
/// even a URL too broken to parse does not leak its password.
pub(crate) fn redact(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once("://") else {
        return value.to_owned();
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return value.to_owned();
    };
    match authority[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{}", &rest[at + 1..]),
        None => value.to_owned(),
    }
}

pub(crate) fn database_url(s: &str) -> Result<DatabaseUrl, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("expected postgres://…, sqlite:PATH or a file path".to_owned());
    }
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        let url = url::Url::parse(s).map_err(|e| format!("not a valid PostgreSQL URL ({e})"))?;
        let socket_in_query = url.query_pairs().any(|(k, _)| k == "host");
        if url.host_str().is_none_or(str::is_empty) && !socket_in_query {
            return Err(
                "a PostgreSQL URL needs a host, e.g. postgres://user:pass@localhost/portico"
                    .to_owned(),
            );
        }
    } else if let Some(path) = s.strip_prefix("sqlite:") {
        if path.trim_start_matches('/').is_empty() {
            return Err(
                "a SQLite URL needs a path, e.g. sqlite:./portico-data/portico.db".to_owned(),
            );
        }
    } else if let Some((scheme, _)) = s.split_once("://") {
        return Err(format!(
            "unsupported database `{scheme}`; expected postgres://…, sqlite:PATH or a file path"
        ));
    }
    Ok(DatabaseUrl(s.to_owned()))
}

pub(crate) fn log_filter(s: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(s).map_err(|e| format!("not a log filter ({e})"))?;
    Ok(s.to_owned())
}

pub(crate) fn default_listen() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))
}

/// `IP:PORT`, `[IPv6]:PORT`, or `localhost:PORT`. No other host names: the address to bind must
/// not depend on a DNS lookup.
pub(crate) fn listen(s: &str) -> Result<SocketAddr, String> {
    let s = s.trim();
    let expected =
        || "expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks a free port)".to_owned();
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    match s.rsplit_once(':') {
        Some((host, port)) if host.eq_ignore_ascii_case("localhost") => {
            let port = port.parse::<u16>().map_err(|_| expected())?;
            Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        }
        _ => Err(expected()),
    }
}

/// An absolute `http(s)` base URL without query or fragment, returned without a trailing slash
/// so that paths can be appended.
pub(crate) fn public_url(s: &str) -> Result<String, String> {
    let url =
        url::Url::parse(s.trim()).map_err(|e| format!("expected an absolute http(s) URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("expected an http:// or https:// URL".to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL needs a host".to_owned());
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err("a base URL has no credentials, query or fragment".to_owned());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

pub(crate) fn boolean(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".to_owned()),
    }
}

/// Comma-separated; empty items are skipped.
pub(crate) fn audiences(s: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = s
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    if list.iter().any(|a| a.chars().any(char::is_whitespace)) {
        return Err("audiences are separated by commas and contain no spaces".to_owned());
    }
    Ok(list)
}

pub(crate) fn data_key(s: &str) -> Result<DataKey, String> {
    DataKey::from_base64(s).map_err(|e| {
        format!("{e}; expected base64 of 32 random bytes, e.g. `openssl rand -base64 32`")
    })
}

/// Whole minutes, from one minute to a year.
pub(crate) fn minutes(s: &str) -> Result<i64, String> {
    const YEAR: i64 = 365 * 24 * 60;
    match s.trim().parse::<i64>() {
        Ok(n) if (1..=YEAR).contains(&n) => Ok(n),
        _ => Err(format!("expected whole minutes from 1 to {YEAR}")),
    }
}

pub(crate) fn threshold(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err("expected a number of attempts from 1 to 1000".to_owned()),
    }
}

/// Requests a minute allowed per IP and per client at the token endpoint and login form.
pub(crate) fn rate_limit(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if (1..=10_000_000).contains(&n) => Ok(n),
        _ => Err("expected requests per minute from 1 to 10000000".to_owned()),
    }
}

/// Salesforce usernames look like email addresses.
pub(crate) fn username(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !s.contains(char::is_whitespace) =>
        {
            Ok(s.to_owned())
        }
        _ => Err("expected an email-style username, e.g. admin@example.com".to_owned()),
    }
}

pub(crate) fn password(s: &str) -> Result<String, String> {
    if s.chars().count() < 8 {
        return Err("a password needs at least 8 characters".to_owned());
    }
    Ok(s.to_owned())
}
