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

use super::fields::{
    Keys, MAX_STRING_CHARS, bad, check_public_client, contacts, echoed, keys, redirect_uris,
    string, strings, types,
};
use crate::ErrorCode;
use crate::OAuthError;
use crate::clock::UnixMillis;
use crate::scope::ScopeSet;

pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
pub const GRANT_IMPLICIT: &str = "implicit";
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";
pub const GRANT_DEVICE_CODE: &str = crate::grant::device::GRANT_TYPE;

/// Metadata Portico understands but cannot honour, with the reason.
const REFUSED: &[(&str, &str)] = &[
    (
        "sector_identifier_uri",
        "Portico issues public subject identifiers only and never fetches a URL during registration",
    ),
    ("request_uris", "request objects are not supported"),
    (
        "request_object_signing_alg",
        "request objects are not supported",
    ),
    (
        "userinfo_signed_response_alg",
        "UserInfo responses are plain JSON, never signed",
    ),
    (
        "userinfo_encrypted_response_alg",
        "UserInfo responses are never encrypted",
    ),
    (
        "id_token_encrypted_response_alg",
        "ID tokens are signed (RS256), never encrypted",
    ),
    (
        "tls_client_certificate_bound_access_tokens",
        "mutual TLS is not supported",
    ),
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
    pub const ALL: [Self; 4] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::PrivateKeyJwt,
        Self::None,
    ];

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
        (self.shares_secret() && other.shares_secret())
            || matches!(
                (self, other),
                (Self::PrivateKeyJwt, Self::PrivateKeyJwt) | (Self::None, Self::None)
            )
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
    /// The certificate (PEM) of `jwks`: what the app verifies client assertions with.
    pub certificate: Option<String>,
    pub jwks_uri: Option<String>,
    /// Other metadata echoed back unchanged (URLs shown to nobody, software id and version).
    pub echoed: Map<String, Value>,
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
            return Err(bad(
                "subject_type",
                format!("`{subject}` is not supported; Portico's subjects are public"),
            ));
        }
        if let Some(alg) = string(body, "id_token_signed_response_alg")?.filter(|a| a != "RS256") {
            return Err(bad(
                "id_token_signed_response_alg",
                format!("`{alg}` is not supported; ID tokens are RS256"),
            ));
        }
        let method = match string(body, "token_endpoint_auth_method")? {
            None => AuthMethod::ClientSecretBasic,
            Some(m) => AuthMethod::parse(&m).ok_or_else(|| {
                let all: Vec<&str> = AuthMethod::ALL.iter().map(|m| m.as_str()).collect();
                bad(
                    "token_endpoint_auth_method",
                    format!("`{m}` is not supported; use one of {}", all.join(", ")),
                )
            })?,
        };
        if let Some(alg) = string(body, "token_endpoint_auth_signing_alg")?
            .filter(|a| a != "RS256" && a != "ES256")
        {
            return Err(bad(
                "token_endpoint_auth_signing_alg",
                format!("`{alg}` is not supported; use RS256 or ES256"),
            ));
        }
        let native = match string(body, "application_type")?.as_deref() {
            None | Some("web") => false,
            Some("native") => true,
            Some(other) => {
                return Err(bad(
                    "application_type",
                    format!("`{other}` is neither web nor native"),
                ));
            }
        };
        // The kind of client first, so that a public client asking for a confidential flow hears
        // why (ATK-70) rather than that the flow is unknown.
        check_public_client(method, &strings(body, "grant_types")?.unwrap_or_default())?;
        let (response_types, grant_types) = types(body)?;
        let redirect_uris = redirect_uris(body, &grant_types, native)?;
        let Keys {
            jwks,
            certificate,
            jwks_uri,
        } = keys(body, method, now)?;
        let client_name = string(body, "client_name")?;
        if client_name
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_STRING_CHARS)
        {
            return Err(bad(
                "client_name",
                format!("at most {MAX_STRING_CHARS} characters"),
            ));
        }
        let scope = string(body, "scope")?
            .map(|s| {
                ScopeSet::parse(&s)
                    .map_err(|unknown| bad("scope", format!("unknown scope `{unknown}`")))
            })
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
        put(
            "token_endpoint_auth_method",
            json!(self.token_endpoint_auth_method.as_str()),
        );
        put(
            "application_type",
            json!(if self.native { "native" } else { "web" }),
        );
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
