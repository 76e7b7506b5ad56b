//! The discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414 §2), served at both
//! `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`. It lists
//! exactly what is implemented: an endpoint or value appears here only once it works.

use serde_json::{json, Value};

use crate::scope::Scope;

/// Claims the UserInfo endpoint and ID tokens can carry.
pub const CLAIMS_SUPPORTED: &[&str] = &[
    "active", "address", "email", "email_verified", "family_name", "given_name", "is_app_installed", "language",
    "locale", "name", "nickname", "organization_id", "phone_number", "phone_number_verified", "photos", "picture",
    "preferred_username", "profile", "sub", "updated_at", "urls", "user_id", "user_type", "zoneinfo",
];

/// The document for an issuer; the password grant is listed only where the org allows it.
pub fn document(issuer: &str, allow_password_flow: bool) -> Value {
    let mut grant_types = vec![
        "authorization_code",
        "refresh_token",
        "client_credentials",
        crate::grant::device::GRANT_TYPE,
        crate::grant::jwt_bearer::GRANT_TYPE,
    ];
    if allow_password_flow {
        grant_types.push("password");
    }
    let scopes: Vec<&str> = Scope::all()
        .map(Scope::token)
        .chain(["profile", "email", "address", "phone", "offline_access"])
        .collect();
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/services/oauth2/authorize"),
        "token_endpoint": format!("{issuer}/services/oauth2/token"),
        "revocation_endpoint": format!("{issuer}/services/oauth2/revoke"),
        "userinfo_endpoint": format!("{issuer}/services/oauth2/userinfo"),
        "introspection_endpoint": format!("{issuer}/services/oauth2/introspect"),
        "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "jwks_uri": format!("{issuer}/id/keys"),
        "device_authorization_endpoint": format!("{issuer}/services/oauth2/device/authorize"),
        "scopes_supported": scopes,
        "response_types_supported": ["code", "token", "token id_token"],
        "response_modes_supported": ["query", "fragment"],
        "grant_types_supported": grant_types,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "display_values_supported": ["page", "popup", "touch"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "claims_supported": CLAIMS_SUPPORTED,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    })
}
