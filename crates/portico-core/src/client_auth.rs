//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! §3.2.1): `client_secret_post` (credentials in the body) or `client_secret_basic` (HTTP
//! Basic), never both at once (OAuth 2.1 §2.4). Secrets are compared in constant time.
//!
//! [`AuthenticatedClient`] can only be built here, so a grant cannot skip this step.

use crate::connected_app::ConnectedApp;
use crate::secret::{constant_time_eq, DataKey};
use crate::store::AppStore;
use crate::OAuthError;

/// The client credentials a request carried.
#[derive(Default, Clone)]
pub struct ClientCredentials {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// True when they came in an `Authorization: Basic` header.
    pub via_basic: bool,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("via_basic", &self.via_basic)
            .finish()
    }
}

impl ClientCredentials {
    /// Merges Basic-header credentials with body parameters. Sending a secret both ways is an
    /// `invalid_request`; a body `client_id` that disagrees with the header is too.
    pub fn combine(
        basic: Option<(String, String)>,
        body_id: Option<&str>,
        body_secret: Option<&str>,
    ) -> Result<Self, OAuthError> {
        match basic {
            Some((id, secret)) => {
                if body_secret.is_some() {
                    return Err(OAuthError::invalid_request(
                        "client credentials were sent both in the Authorization header and in the body",
                    ));
                }
                if body_id.is_some_and(|b| b != id) {
                    return Err(OAuthError::invalid_request(
                        "client_id in the body does not match the Authorization header",
                    ));
                }
                Ok(Self { client_id: Some(id), client_secret: Some(secret), via_basic: true })
            }
            None => Ok(Self {
                client_id: body_id.map(str::to_owned),
                client_secret: body_secret.map(str::to_owned),
                via_basic: false,
            }),
        }
    }
}

/// A client whose identity is established; `secret_verified` says whether it proved it knows
/// its consumer secret.
#[derive(Debug, Clone)]
pub struct AuthenticatedClient {
    pub app: ConnectedApp,
    pub secret_verified: bool,
    pub via_basic: bool,
}

impl AuthenticatedClient {
    /// Enforces a "Require Secret for …" setting: a confidential app must have proved its secret.
    /// Public apps (no secret) pass, since they have nothing to prove.
    pub fn check_secret_required(&self, required: bool) -> Result<(), OAuthError> {
        if required && self.app.has_secret() && !self.secret_verified {
            return Err(OAuthError::invalid_client_credentials());
        }
        Ok(())
    }
}

/// Finds the app by consumer key and checks a secret when one was sent (a secret that is sent is
/// always checked, even where the app does not require one).
pub async fn authenticate(
    apps: &dyn AppStore,
    data_key: &DataKey,
    creds: &ClientCredentials,
) -> Result<AuthenticatedClient, OAuthError> {
    let Some(client_id) = creds.client_id.as_deref().filter(|s| !s.is_empty()) else {
        return Err(OAuthError::invalid_client_id());
    };
    let Some(app) = apps.find_app_by_consumer_key(client_id).await? else {
        return Err(OAuthError::invalid_client_id());
    };
    let secret_verified = match creds.client_secret.as_deref().filter(|s| !s.is_empty()) {
        None => false,
        Some(sent) => {
            let stored = app.consumer_secret_sealed.as_deref().and_then(|sealed| data_key.open(sealed));
            match stored {
                Some(stored) if constant_time_eq(sent, &stored) => true,
                _ => return Err(OAuthError::invalid_client_credentials()),
            }
        }
    };
    Ok(AuthenticatedClient { app, secret_verified, via_basic: creds.via_basic })
}
