//! A registering client's keys (RFC 7591 §2 `jwks`, `jwks_uri`). Portico verifies client
//! assertions and JWT bearer assertions with an app's X.509 certificate (Salesforce's "Use
//! Digital Signatures"), so a `jwks` must carry its key's certificate in `x5c` (RFC 7517 §4.7);
//! that certificate becomes the app's. `jwks_uri` is only checked and stored, never fetched —
//! during registration or later — yet it must not point at this machine or a private network, so
//! that a future fetcher inherits no SSRF target (`reference/security.md` §3.5, ATK-66).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde_json::Value;

use crate::clock::UnixMillis;
use crate::connected_app::certificate::validate_certificate;

/// More keys than this is not a client's signing key set.
const MAX_KEYS: usize = 10;

/// The certificate (PEM) of the one key in `jwks`.
pub(super) fn certificate_from_jwks(jwks: &Value, now: UnixMillis) -> Result<String, String> {
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .filter(|k| !k.is_empty())
        .ok_or("must be a JSON Web Key Set: an object with a non-empty keys array (RFC 7517 §5)")?;
    if keys.len() > MAX_KEYS {
        return Err(format!("at most {MAX_KEYS} keys"));
    }
    let mut certificates: Vec<&str> = Vec::new();
    for key in keys {
        if !key.is_object() {
            return Err("each key must be a JSON object (RFC 7517 §4)".to_owned());
        }
        // A private member in a registration means the client published its private key.
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|m| key.get(*m).is_some())
        {
            return Err(
                "must hold public keys only: a key carries private key material".to_owned(),
            );
        }
        let first = key
            .get("x5c")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(Value::as_str);
        if let Some(cert) = first
            && !certificates.contains(&cert)
        {
            certificates.push(cert);
        }
    }
    match certificates.as_slice() {
        [] => Err("each key needs its X.509 certificate in x5c: Portico verifies a client's assertions with its certificate".to_owned()),
        [cert] => validate_certificate(cert, now).map(|valid| valid.pem).map_err(|e| format!("x5c: {e}")),
        _ => Err("Portico keeps one certificate per client: send the key the client signs with, and only it".to_owned()),
    }
}

/// `jwks_uri`: an absolute https URL on a public host.
pub(super) fn check_jwks_uri(raw: &str) -> Result<(), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("`{raw}` is not an absolute URL ({e})"))?;
    if url.scheme() != "https" {
        return Err(format!("`{raw}` must use https"));
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(format!("`{raw}` must not carry credentials or a fragment"));
    }
    let public = match url.host() {
        None => false,
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d.contains('.')
                && d != "localhost"
                && !d.ends_with(".localhost")
                && !d.ends_with(".internal")
        }
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
    };
    if public {
        Ok(())
    } else {
        Err(format!(
            "`{raw}` must name a public host, not this machine, a private network or a cloud metadata address"
        ))
    }
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Carrier-grade NAT (RFC 6598) and benchmarking (RFC 2544) ranges.
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19)))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local (fc00::/7) and link-local (fe80::/10) addresses.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_uri_must_be_https_on_a_public_host() {
        assert!(check_jwks_uri("https://client.example.com/jwks.json").is_ok());
        for bad in [
            "http://client.example.com/jwks.json",
            "http://169.254.169.254/latest",
            "https://169.254.169.254/latest",
            "https://127.0.0.1:22",
            "https://[::1]/jwks",
            "https://[::ffff:10.0.0.1]/jwks",
            "https://10.1.2.3/jwks",
            "https://192.168.0.1/jwks",
            "https://localhost/jwks",
            "https://metadata.google.internal/jwks",
            "https://user:pw@client.example.com/jwks",
            "https://[fd00::1]/jwks",
            "https://0.0.0.0/jwks",
            "not a url",
        ] {
            assert!(check_jwks_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn jwks_must_carry_one_public_certificate() {
        let now = UnixMillis(1_800_000_000_000);
        for (jwks, expected) in [
            (serde_json::json!({}), "keys array"),
            (serde_json::json!({"keys": []}), "keys array"),
            (
                serde_json::json!({"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]}),
                "x5c",
            ),
            (
                serde_json::json!({"keys": [{"kty": "RSA", "d": "secret", "x5c": ["MIIB"]}]}),
                "private key",
            ),
            (
                serde_json::json!({"keys": [{"x5c": ["AAAA"]}, {"x5c": ["BBBB"]}]}),
                "one certificate",
            ),
            (
                serde_json::json!({"keys": [{"x5c": ["bm90IGEgY2VydA=="]}]}),
                "x5c:",
            ),
        ] {
            let err = certificate_from_jwks(&jwks, now).unwrap_err();
            assert!(err.contains(expected), "{jwks}: {err}");
        }
    }
}
