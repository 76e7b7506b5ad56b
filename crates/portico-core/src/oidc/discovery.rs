//! The discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414 §2), served at both
//! `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`. It lists
//! exactly what is implemented: an endpoint or value appears here only once it works.

use serde_json::{Value, json};

use crate::scope::Scope;

/// Claims the UserInfo endpoint and ID tokens can carry: Salesforce's list
/// (`reference/salesforce-oauth.md` §2.1) without `phone_number` and `phone_number_verified`,
/// which Portico's users have no value for, plus the ID token's own claims and the custom
/// attribute and permission objects (`crate::oidc::claims`).
pub const CLAIMS_SUPPORTED: &[&str] = &[
    "active",
    "address",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "custom_attributes",
    "custom_permissions",
    "email",
    "email_verified",
    "exp",
    "family_name",
    "given_name",
    "iat",
    "is_app_installed",
    "iss",
    "language",
    "locale",
    "name",
    "nickname",
    "nonce",
    "organization_id",
    "photos",
    "picture",
    "preferred_username",
    "profile",
    "sid",
    "sub",
    "updated_at",
    "urls",
    "user_id",
    "user_type",
    "zoneinfo",
];

/// The document for an issuer; the password grant is listed only where the org allows it.
pub fn document(issuer: &str, allow_password_flow: bool) -> Value {
    let mut grant_types = vec![
        "authorization_code",
        "refresh_token",
        "client_credentials",
        crate::grant::device::GRANT_TYPE,
        crate::grant::jwt_bearer::GRANT_TYPE,
        crate::grant::token_exchange::GRANT_TYPE,
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
        "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "private_key_jwt"],
        "introspection_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256"],
        "registration_endpoint": format!("{issuer}{}", crate::registration::REGISTER_PATH),
        "jwks_uri": format!("{issuer}/id/keys"),
        "device_authorization_endpoint": format!("{issuer}/services/oauth2/device/authorize"),
        "end_session_endpoint": format!("{issuer}/services/auth/idp/oidc/logout"),
        // Logging out loads each app's Single Logout URL with `iss` and `sid`, and POSTs logout
        // tokens carrying `sid` to registered back-channel URLs (crate::logout).
        "frontchannel_logout_supported": true,
        "frontchannel_logout_session_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
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
