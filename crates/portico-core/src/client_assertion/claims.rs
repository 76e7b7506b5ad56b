//! The claims of a verified assertion (RFC 7523 §3 items 1–7; RFC 7519 §4.1), read with
//! Salesforce's leniency on their shapes (`reference/salesforce-oauth.md` §3.5): `exp` as a number
//! or a string, in seconds or milliseconds; `prn` for `sub`; one audience.

use serde_json::{Map, Value};

use super::{AssertionError, AssertionUse, MAX_AGE_MILLIS, SKEW_MILLIS, VerifiedAssertion};
use crate::clock::UnixMillis;

/// `exp` (or `iat`, `nbf`) values above this many seconds — the year 3000 — are milliseconds:
/// @salesforce/core sends `Date.now() + 300`.
const MILLIS_ABOVE: i64 = 32_503_680_000;
/// Longest `jti` kept; anything longer is not an id but an attempt to fill the database.
const MAX_JTI_CHARS: usize = 256;

pub(super) fn check_claims(
    claims: &Map<String, Value>,
    audiences: &[String],
    use_: AssertionUse,
    now: UnixMillis,
) -> Result<VerifiedAssertion, AssertionError> {
    let text = |name: &str| match claims.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let issuer = text("iss").ok_or_else(|| AssertionError::invalid("iss is missing"))?;
    let subject = text("sub")
        .or_else(|| text("prn"))
        .ok_or_else(|| AssertionError::invalid("sub is missing"))?;
    if use_ == AssertionUse::ClientAuth && subject != issuer {
        return Err(AssertionError::invalid(
            "sub must equal iss (the client id)",
        ));
    }
    check_audience(claims.get("aud"), audiences)?;
    let expires_at = match claims.get("exp") {
        None => return Err(AssertionError::invalid("exp is missing")),
        Some(v) => numeric_date(v)
            .ok_or_else(|| AssertionError::invalid("exp is not a number of seconds"))?,
    };
    if expires_at.0.saturating_add(SKEW_MILLIS) <= now.0 {
        return Err(AssertionError::Expired);
    }
    if let Some(v) = claims.get("nbf") {
        let nbf = numeric_date(v)
            .ok_or_else(|| AssertionError::invalid("nbf is not a number of seconds"))?;
        if nbf.0 - SKEW_MILLIS > now.0 {
            return Err(AssertionError::invalid("it is not valid yet (nbf)"));
        }
    }
    if let Some(v) = claims.get("iat") {
        let iat = numeric_date(v)
            .ok_or_else(|| AssertionError::invalid("iat is not a number of seconds"))?;
        if iat.0 - SKEW_MILLIS > now.0 {
            return Err(AssertionError::invalid("it was issued in the future (iat)"));
        }
        if now.0 - iat.0 > MAX_AGE_MILLIS {
            return Err(AssertionError::invalid(
                "it was issued more than 10 minutes ago (iat)",
            ));
        }
    }
    let jti = match claims.get("jti") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= MAX_JTI_CHARS => {
            Some(s.clone())
        }
        Some(_) => {
            return Err(AssertionError::invalid(
                "jti must be a string of at most 256 characters",
            ));
        }
    };
    if use_ == AssertionUse::ClientAuth && jti.is_none() {
        return Err(AssertionError::invalid(
            "a client assertion needs a jti (OIDC Core §9)",
        ));
    }
    Ok(VerifiedAssertion {
        issuer,
        subject,
        jti,
        expires_at,
    })
}

/// One audience naming this server: a string, or an array of exactly one string. An array that
/// also names other parties is refused (rfc7523bis, the private_key_jwt audience injection).
fn check_audience(aud: Option<&Value>, audiences: &[String]) -> Result<(), AssertionError> {
    let single = match aud {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Array(items)) if items.len() == 1 => {
            items[0].as_str().ok_or(AssertionError::Audience)?
        }
        _ => return Err(AssertionError::Audience),
    };
    let single = single.trim_end_matches('/');
    if audiences.iter().any(|a| a == single) {
        Ok(())
    } else {
        Err(AssertionError::Audience)
    }
}

/// A NumericDate as Salesforce's clients send it: a JSON number or a string of digits, in
/// seconds — or in milliseconds when it could only be that (beyond the year 3000 as seconds).
pub fn numeric_date(value: &Value) -> Option<UnixMillis> {
    let n = match value {
        Value::Number(n) => match n.as_i64() {
            Some(i) => i,
            // Fractional seconds: whole seconds are precise enough for every check here.
            None => n
                .as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                .map(|f| f.trunc() as i64)?,
        },
        Value::String(s) => s.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    if n < 0 {
        return None;
    }
    Some(if n > MILLIS_ABOVE {
        UnixMillis(n)
    } else {
        UnixMillis::from_secs(n)
    })
}
