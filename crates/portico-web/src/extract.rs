//! Request extractors: OAuth parameters from a form, multipart or query (Salesforce accepts all
//! three, `reference/salesforce-oauth.md` §3.0), HTTP Basic client credentials, and cookies.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portico_core::OAuthError;
use portico_core::grant::Params;

use crate::error::OAuthJson;

/// The longest value any OAuth parameter may have: room for a large signed assertion or actor
/// token, and small enough that a parameter cannot be used to bloat redirects and logs.
const MAX_PARAM_CHARS: usize = 16 * 1024;

fn check_sizes(pairs: &[(String, String)]) -> Result<(), OAuthJson> {
    match pairs.iter().find(|(_, v)| v.len() > MAX_PARAM_CHARS) {
        Some((name, _)) => Err(OAuthJson::from(OAuthError::invalid_request(format!(
            "parameter {name} is too long (at most {MAX_PARAM_CHARS} characters)"
        )))),
        None => Ok(()),
    }
}

/// Parameters of an OAuth request, whatever encoding carried them. Query parameters count only
/// when the body is empty (Salesforce reads a bodiless POST's query string).
pub(crate) struct OAuthParams(pub(crate) Params);

impl<S: Send + Sync> FromRequest<S> for OAuthParams {
    type Rejection = OAuthJson;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query: Vec<(String, String)> = req
            .uri()
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        check_sizes(&query)?;
        if req.method() == Method::GET {
            return Ok(Self(Params::new(query)));
        }
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let pairs = if content_type.starts_with("multipart/form-data") {
            read_multipart(req, state).await?
        } else {
            let bytes = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|_| {
                    OAuthError::invalid_request("the request body could not be read (too large?)")
                })?;
            if content_type.starts_with("application/x-www-form-urlencoded")
                || content_type.is_empty()
            {
                url::form_urlencoded::parse(&bytes).into_owned().collect()
            } else {
                // A JSON (or other) body is not understood, as at Salesforce: grant_type is missing.
                Vec::new()
            }
        };
        check_sizes(&pairs)?;
        Ok(Self(Params::new(if pairs.is_empty() {
            query
        } else {
            pairs
        })))
    }
}

async fn read_multipart<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<Vec<(String, String)>, OAuthJson> {
    let bad = || {
        OAuthJson::from(OAuthError::invalid_request(
            "malformed multipart/form-data body",
        ))
    };
    let mut multipart = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|_| bad())?;
    let mut pairs = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().unwrap_or_default().to_owned();
        let value = field.text().await.map_err(|_| bad())?;
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// `Authorization: Basic base64(client_id:client_secret)`, with both parts form-urlencoded as
/// RFC 6749 §2.3.1 says (most clients send plain values, which decode unchanged).
pub(crate) fn basic_credentials(
    headers: &HeaderMap,
) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Ok(None);
    };
    let bad = || OAuthError::invalid_client("malformed HTTP Basic credentials");
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Ok(Some((
        unescape(id).ok_or_else(bad)?,
        unescape(secret).ok_or_else(bad)?,
    )))
}

/// The bearer token of a request: the `Authorization: Bearer` header, else `oauth_token`.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("OAuth "))
        })
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}
