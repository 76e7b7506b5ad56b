//! The token endpoint (RFC 6749 §3.2): one file per grant type, chosen by one `match` on
//! `grant_type`. Every grant authenticates its client (or its assertion) and ends in
//! [`crate::token::issue`].

pub mod authorization_code;
pub mod client_credentials;
pub mod device;
pub mod jwt_bearer;
pub mod password;
pub mod refresh_token;
pub mod token_exchange;

use crate::OAuthError;
use crate::client_auth::ClientCredentials;
use crate::clock::Clock;
use crate::keys::KeyRing;
use crate::scope::ScopeSet;
use crate::secret::DataKey;
use crate::session::LoginPolicy;
use crate::store::Store;
use crate::token::response::TokenResponse;

/// Server-wide token settings, from configuration.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// The issuer: the public base URL (`iss`, identity URLs, discovery).
    pub issuer: String,
    /// `instance_url` in token responses.
    pub instance_url: String,
    /// Access-token lifetime when the app sets no session timeout (Salesforce: 2 hours).
    pub access_token_secs: i64,
    /// Authorization-code lifetime (≤ 15 minutes).
    pub code_secs: i64,
    /// Whether the org allows the username-password flow.
    pub allow_password_flow: bool,
    pub login: LoginPolicy,
    /// Approvals (refresh tokens) a user may hold per app; the next one revokes the oldest.
    pub max_approvals_per_app: usize,
    /// `aud` values a JWT assertion may carry besides the issuer (`--jwt-audiences`, e.g.
    /// `https://login.salesforce.com`).
    pub jwt_audiences: Vec<String>,
}

impl TokenSettings {
    pub fn new(issuer: String, instance_url: String) -> Self {
        Self {
            issuer,
            instance_url,
            access_token_secs: 2 * 3600,
            code_secs: 15 * 60,
            allow_password_flow: false,
            login: LoginPolicy::default(),
            max_approvals_per_app: 5,
            jwt_audiences: Vec::new(),
        }
    }
}

/// What a grant needs from the server, passed per request (no globals).
pub struct GrantContext<'a> {
    pub clock: &'a dyn Clock,
    pub store: &'a dyn Store,
    pub keys: &'a KeyRing,
    pub data_key: &'a DataKey,
    pub settings: &'a TokenSettings,
}

/// Request parameters (form body, query or multipart). Empty values count as absent
/// (OAuth 2.1 §3.1); a protocol parameter sent twice is refused (RFC 6749 §3.1).
#[derive(Debug, Default, Clone)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub fn required(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("missing required parameter: {name}"))
        })
    }

    /// Refuses a repeated parameter among `names`.
    pub fn check_no_duplicates(&self, names: &[&str]) -> Result<(), OAuthError> {
        for name in names {
            if self.0.iter().filter(|(k, _)| k == name).count() > 1 {
                return Err(OAuthError::invalid_request(format!(
                    "parameter {name} was sent more than once"
                )));
            }
        }
        Ok(())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// The scopes a token request asks for: the `scope` parameter when present (each one must be
/// admitted by `allowed`, the app's selected scopes), else all of `allowed`.
pub fn requested_scopes(params: &Params, allowed: &ScopeSet) -> Result<ScopeSet, OAuthError> {
    let Some(s) = params.get("scope") else {
        return Ok(allowed.clone());
    };
    let requested = ScopeSet::parse(s).map_err(|bad| {
        OAuthError::invalid_scope(format!(
            "requested scope is invalid, unknown, or malformed: {bad}"
        ))
    })?;
    allowed.admits(&requested).map_err(|s| {
        OAuthError::invalid_scope(format!(
            "{} is not a selected OAuth scope of this connected app",
            s.token()
        ))
    })?;
    Ok(requested)
}

/// Parameters whose repetition is refused at the token endpoint.
const TOKEN_PARAMS: &[&str] = &[
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "username",
    "password",
    "client_id",
    "client_secret",
    "scope",
    "assertion",
];

/// Runs the grant the request names.
pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    params.check_no_duplicates(TOKEN_PARAMS)?;
    let Some(grant_type) = params.get("grant_type") else {
        return Err(OAuthError::invalid_request("grant type is missing"));
    };
    match grant_type {
        "authorization_code" => authorization_code::exchange(ctx, params, creds).await,
        "password" => password::exchange(ctx, params, creds).await,
        "refresh_token" => refresh_token::exchange(ctx, params, creds).await,
        "client_credentials" => client_credentials::exchange(ctx, params, creds).await,
        device::SALESFORCE_GRANT_TYPE | device::GRANT_TYPE => {
            device::exchange(ctx, params, creds).await
        }
        jwt_bearer::GRANT_TYPE => jwt_bearer::exchange(ctx, params, creds).await,
        token_exchange::GRANT_TYPE => token_exchange::exchange(ctx, params, creds).await,
        _ => Err(OAuthError::unsupported_grant_type(
            "grant type not supported",
        )),
    }
}
