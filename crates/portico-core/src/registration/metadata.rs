//! Client metadata as a registration (RFC 7591 §2, §3.1; OpenID Connect Dynamic Client
//! Registration 1.0 §2) or an update (RFC 7592 §2.2) sends it, read field by field. Each problem
//! is an `invalid_client_metadata` error — `invalid_redirect_uri` for redirect URIs (RFC 7591
//! §3.2.2) — whose description starts with the field's name.
//!
//! Metadata Portico does not know is ignored, as RFC 7591 §2 requires; metadata it knows but
//! cannot honour (pairwise subjects, request objects, signed or encrypted UserInfo, ID tokens not
//! signed RS256, a `sector_identifier_uri` it would have to fetch) is refused rather than
//! silently dropped, so a client never believes it got what it did not. Values the client may not
//! choose (`client_id`, `client_secret`, …) are not metadata and are ignored here (ATK-69).

use serde_json::{Map, Value, json};

use super::keys::{certificate_from_jwks, check_jwks_uri};
use crate::ErrorCode;
use crate::OAuthError;
use crate::clock::UnixMillis;
use crate::connected_app::callback::{check_callback_url, check_callback_urls, check_https_url};
use crate::scope::ScopeSet;

pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
pub const GRANT_IMPLICIT: &str = "implicit";
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";
pub const GRANT_DEVICE_CODE: &str = crate::grant::device::GRANT_TYPE;

/// Grant types a registered client may have. The client credentials flow needs a run-as user and
/// the JWT bearer flow pre-authorized users, both of which only an administrator can set.
const GRANT_TYPES: &[&str] = &[GRANT_AUTHORIZATION_CODE, GRANT_IMPLICIT, GRANT_REFRESH_TOKEN, GRANT_DEVICE_CODE];

/// Echoed strings and URLs Portico stores but does not act on.
const ECHOED_URLS: &[&str] = &["logo_uri", "client_uri", "policy_uri", "tos_uri"];
const ECHOED_STRINGS: &[&str] = &["software_id", "software_version"];
const MAX_STRING_CHARS: usize = 255;
const MAX_URL_CHARS: usize = 1024;
const MAX_CONTACTS: usize = 20;

/// Metadata Portico understands but cannot honour, with the reason.
const REFUSED: &[(&str, &str)] = &[
    (
        "sector_identifier_uri",
        "Portico issues public subject identifiers only and never fetches a URL during registration",
    ),
    ("request_uris", "request objects are not supported"),
    ("request_object_signing_alg", "request objects are not supported"),
    ("userinfo_signed_response_alg", "UserInfo responses are plain JSON, never signed"),
    ("userinfo_encrypted_response_alg", "UserInfo responses are never encrypted"),
    ("id_token_encrypted_response_alg", "ID tokens are signed (RS256), never encrypted"),
    ("tls_client_certificate_bound_access_tokens", "mutual TLS is not supported"),
];

/// `token_endpoint_auth_method` (RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    /// A public client: no secret, PKCE required.
    None,
}

impl AuthMethod {
    pub const ALL: [Self; 4] = [Self::ClientSecretBasic, Self::ClientSecretPost, Self::PrivateKeyJwt, Self::None];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether the client is told its consumer secret (a `private_key_jwt` client has one that
    /// nobody knows, so that a bare `client_id` never authenticates it).
    pub const fn shares_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }

    /// Methods that may replace each other on update: switching between a secret, a key and no
    /// credential at all would change what kind of client this is (`reference/security.md` §3.5).
    pub const fn same_kind(self, other: Self) -> bool {
        (self.shares_secret() && other.shares_secret()) || matches!((self, other), (Self::PrivateKeyJwt, Self::PrivateKeyJwt) | (Self::None, Self::None))
    }
}

/// Validated client metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientMetadata {
    pub redirect_uris: Vec<String>,
    /// As sent (`code`, `token`, `token id_token` or `id_token token`).
    pub response_types: Vec<String>,
    pub grant_types: Vec<String>,
    pub token_endpoint_auth_method: AuthMethod,
    pub native: bool,
    pub client_name: Option<String>,
    pub contacts: Vec<String>,
    pub scope: Option<ScopeSet>,
    pub jwks: Option<Value>,
    /// The certificate (base64 DER) of `jwks`: what the app verifies client assertions with.
    pub certificate: Option<String>,
    pub jwks_uri: Option<String>,
    /// Other metadata echoed back unchanged (URLs shown to nobody, software id and version).
    pub echoed: Map<String, Value>,
}

fn bad(field: &str, message: impl std::fmt::Display) -> OAuthError {
    OAuthError::new(ErrorCode::InvalidClientMetadata, format!("{field}: {message}"))
}

/// An optional string field: absent, `null` and blank are absent; other types are an error.
fn string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, OAuthError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.chars().count() > MAX_URL_CHARS => {
            Err(bad(field, format!("at most {MAX_URL_CHARS} characters")))
        }
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(bad(field, "must be a string")),
    }
}

/// An optional array of strings.
fn strings(body: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, OAuthError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| bad(field, "must be an array of strings")))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad(field, "must be an array of strings")),
    }
}

/// Response types Portico's authorization endpoint implements, in canonical (sorted) form, with
/// the grant type each implies (RFC 7591 §2.1).
fn response_type_grant(value: &str) -> Option<&'static str> {
    let mut words: Vec<&str> = value.split_whitespace().collect();
    words.sort_unstable();
    match words.as_slice() {
        ["code"] => Some(GRANT_AUTHORIZATION_CODE),
        ["token"] | ["id_token", "token"] => Some(GRANT_IMPLICIT),
        _ => None,
    }
}

impl ClientMetadata {
    /// Reads and checks metadata; `now` judges a `jwks` certificate's validity period.
    pub fn parse(body: &Value, now: UnixMillis) -> Result<Self, OAuthError> {
        let Some(body) = body.as_object() else {
            return Err(OAuthError::new(
                ErrorCode::InvalidClientMetadata,
                "the request body must be a JSON object of client metadata (RFC 7591 §3.1)",
            ));
        };
        for (field, why) in REFUSED {
            if body.get(*field).is_some_and(|v| !v.is_null()) {
                return Err(bad(field, format!("not supported: {why}")));
            }
        }
        if let Some(subject) = string(body, "subject_type")?.filter(|s| s != "public") {
            return Err(bad("subject_type", format!("`{subject}` is not supported; Portico's subjects are public")));
        }
        if let Some(alg) = string(body, "id_token_signed_response_alg")?.filter(|a| a != "RS256") {
            return Err(bad("id_token_signed_response_alg", format!("`{alg}` is not supported; ID tokens are RS256")));
        }
        let method = match string(body, "token_endpoint_auth_method")? {
            None => AuthMethod::ClientSecretBasic,
            Some(m) => AuthMethod::parse(&m).ok_or_else(|| {
                let all: Vec<&str> = AuthMethod::ALL.iter().map(|m| m.as_str()).collect();
                bad("token_endpoint_auth_method", format!("`{m}` is not supported; use one of {}", all.join(", ")))
            })?,
        };
        if let Some(alg) = string(body, "token_endpoint_auth_signing_alg")?.filter(|a| a != "RS256" && a != "ES256") {
            return Err(bad("token_endpoint_auth_signing_alg", format!("`{alg}` is not supported; use RS256 or ES256")));
        }
        let native = match string(body, "application_type")?.as_deref() {
            None | Some("web") => false,
            Some("native") => true,
            Some(other) => return Err(bad("application_type", format!("`{other}` is neither web nor native"))),
        };
        // The kind of client first, so that a public client asking for a confidential flow hears
        // why (ATK-70) rather than that the flow is unknown.
        check_public_client(method, &strings(body, "grant_types")?.unwrap_or_default())?;
        let (response_types, grant_types) = types(body)?;
        let redirect_uris = redirect_uris(body, &grant_types, native)?;
        let (jwks, certificate, jwks_uri) = keys(body, method, now)?;
        let client_name = string(body, "client_name")?;
        if client_name.as_ref().is_some_and(|n| n.chars().count() > MAX_STRING_CHARS) {
            return Err(bad("client_name", format!("at most {MAX_STRING_CHARS} characters")));
        }
        let scope = string(body, "scope")?
            .map(|s| ScopeSet::parse(&s).map_err(|unknown| bad("scope", format!("unknown scope `{unknown}`"))))
            .transpose()?;
        Ok(Self {
            redirect_uris,
            response_types,
            grant_types,
            token_endpoint_auth_method: method,
            native,
            client_name,
            contacts: contacts(body)?,
            scope,
            jwks,
            certificate,
            jwks_uri,
            echoed: echoed(body)?,
        })
    }

    pub fn has_grant(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }

    /// The metadata as stored and echoed (RFC 7591 §3.2.1), without credentials.
    pub fn to_json(&self) -> Value {
        let mut out = self.echoed.clone();
        let mut put = |k: &str, v: Value| {
            out.insert(k.to_owned(), v);
        };
        put("redirect_uris", json!(self.redirect_uris));
        put("response_types", json!(self.response_types));
        put("grant_types", json!(self.grant_types));
        put("token_endpoint_auth_method", json!(self.token_endpoint_auth_method.as_str()));
        put("application_type", json!(if self.native { "native" } else { "web" }));
        put("contacts", json!(self.contacts));
        if let Some(name) = &self.client_name {
            put("client_name", json!(name));
        }
        if let Some(jwks) = &self.jwks {
            put("jwks", jwks.clone());
        }
        if let Some(uri) = &self.jwks_uri {
            put("jwks_uri", json!(uri));
        }
        Value::Object(out)
    }
}

/// `response_types` and `grant_types` (defaults `code` and `authorization_code`), each known and
/// consistent with the other (RFC 7591 §2.1).
fn types(body: &Map<String, Value>) -> Result<(Vec<String>, Vec<String>), OAuthError> {
    let response_types = strings(body, "response_types")?.unwrap_or_else(|| vec!["code".to_owned()]);
    let grant_types = strings(body, "grant_types")?.unwrap_or_else(|| vec![GRANT_AUTHORIZATION_CODE.to_owned()]);
    for grant in &grant_types {
        if !GRANT_TYPES.contains(&grant.as_str()) {
            let why = match grant.as_str() {
                "client_credentials" => "the client credentials flow needs a run-as user, which only an administrator can set",
                "password" => "the username-password flow is never registered dynamically",
                _ => "not supported for registered clients",
            };
            return Err(bad("grant_types", format!("`{grant}`: {why}; use {}", GRANT_TYPES.join(", "))));
        }
    }
    for rt in &response_types {
        let grant = response_type_grant(rt).ok_or_else(|| {
            bad("response_types", format!("`{rt}` is not supported; use code, token or token id_token"))
        })?;
        if !grant_types.iter().any(|g| g == grant) {
            return Err(bad("grant_types", format!("response type `{rt}` needs the {grant} grant type (RFC 7591 §2.1)")));
        }
    }
    for grant in [GRANT_AUTHORIZATION_CODE, GRANT_IMPLICIT] {
        if grant_types.iter().any(|g| g == grant) && !response_types.iter().any(|rt| response_type_grant(rt) == Some(grant)) {
            let rt = if grant == GRANT_IMPLICIT { "token" } else { "code" };
            return Err(bad("response_types", format!("the {grant} grant type needs the {rt} response type (RFC 7591 §2.1)")));
        }
    }
    Ok((response_types, grant_types))
}

/// A public client cannot keep a secret, so it gets no flow that returns tokens without PKCE or
/// relies on a secret (`reference/security.md` §3.5, ATK-70).
fn check_public_client(method: AuthMethod, grant_types: &[String]) -> Result<(), OAuthError> {
    if method == AuthMethod::None
        && let Some(g) = grant_types.iter().find(|g| *g == GRANT_IMPLICIT || *g == "client_credentials")
    {
        return Err(bad(
            "token_endpoint_auth_method",
            format!("a public client (none) cannot use the {g} grant type; register a confidential client"),
        ));
    }
    Ok(())
}

/// `redirect_uris`: required for the browser flows; each URI passes the connected-app callback
/// rules (https, a custom scheme or loopback http; no fragment, no script scheme, no wildcard,
/// 2,000 characters in all), and a web client's implicit flow needs https on a real host (OIDC
/// Registration §2, `application_type`).
fn redirect_uris(body: &Map<String, Value>, grant_types: &[String], native: bool) -> Result<Vec<String>, OAuthError> {
    let invalid = |m: String| OAuthError::new(ErrorCode::InvalidRedirectUri, format!("redirect_uris: {m}"));
    let uris = strings(body, "redirect_uris").map_err(|_| invalid("must be an array of strings".to_owned()))?.unwrap_or_default();
    let browser = grant_types.iter().any(|g| g == GRANT_AUTHORIZATION_CODE || g == GRANT_IMPLICIT);
    if uris.is_empty() && browser {
        return Err(invalid("at least one redirect URI is required for the authorization_code and implicit grant types".to_owned()));
    }
    for uri in &uris {
        check_callback_url(uri).map_err(invalid)?;
        if !native && grant_types.iter().any(|g| g == GRANT_IMPLICIT) {
            let https_host = url::Url::parse(uri).is_ok_and(|u| u.scheme() == "https" && u.host_str() != Some("localhost"));
            if !https_host {
                return Err(invalid(format!("`{uri}`: a web client using the implicit grant type must use https on a host other than localhost")));
            }
        }
    }
    if let Some(problem) = check_callback_urls(&uris).into_iter().next() {
        return Err(invalid(problem));
    }
    Ok(uris)
}

/// `jwks` or `jwks_uri` (never both, RFC 7591 §2); `private_key_jwt` needs `jwks`, as Portico
/// never fetches `jwks_uri`.
fn keys(body: &Map<String, Value>, method: AuthMethod, now: UnixMillis) -> Result<(Option<Value>, Option<String>, Option<String>), OAuthError> {
    let jwks = body.get("jwks").filter(|v| !v.is_null()).cloned();
    let jwks_uri = string(body, "jwks_uri")?;
    if jwks.is_some() && jwks_uri.is_some() {
        return Err(bad("jwks", "jwks and jwks_uri must not both be present (RFC 7591 §2)"));
    }
    if let Some(uri) = &jwks_uri {
        check_jwks_uri(uri).map_err(|m| bad("jwks_uri", m))?;
    }
    let certificate = jwks.as_ref().map(|j| certificate_from_jwks(j, now).map_err(|m| bad("jwks", m))).transpose()?;
    if method == AuthMethod::PrivateKeyJwt && certificate.is_none() {
        return Err(bad(
            "jwks",
            "private_key_jwt needs the client's key in jwks, with its X.509 certificate in x5c; Portico never fetches jwks_uri",
        ));
    }
    Ok((jwks, certificate, jwks_uri))
}

fn contacts(body: &Map<String, Value>) -> Result<Vec<String>, OAuthError> {
    let contacts = strings(body, "contacts")?.unwrap_or_default();
    if contacts.len() > MAX_CONTACTS {
        return Err(bad("contacts", format!("at most {MAX_CONTACTS} contacts")));
    }
    for (i, c) in contacts.iter().enumerate() {
        let Some((local, domain)) = c.split_once('@') else {
            return Err(bad(&format!("contacts[{i}]"), format!("`{c}` is not an email address")));
        };
        if local.is_empty() || !domain.contains('.') || c.contains(char::is_whitespace) || c.chars().count() > 80 {
            return Err(bad(&format!("contacts[{i}]"), format!("`{c}` is not an email address")));
        }
    }
    Ok(contacts)
}

/// URLs that a user might see are https only (`reference/security.md` §3.5); Portico shows none
/// of them and never fetches them.
fn echoed(body: &Map<String, Value>) -> Result<Map<String, Value>, OAuthError> {
    let mut out = Map::new();
    for field in ECHOED_URLS {
        if let Some(url) = string(body, field)? {
            check_https_url(&url).map_err(|m| bad(field, m))?;
            out.insert((*field).to_owned(), Value::String(url));
        }
    }
    for field in ECHOED_STRINGS {
        if let Some(s) = string(body, field)? {
            if s.chars().count() > MAX_STRING_CHARS {
                return Err(bad(field, format!("at most {MAX_STRING_CHARS} characters")));
            }
            out.insert((*field).to_owned(), Value::String(s));
        }
    }
    Ok(out)
}
