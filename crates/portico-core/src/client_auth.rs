//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! §3.2.1): `client_secret_post` (credentials in the body), `client_secret_basic` (HTTP Basic),
//! or `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9: a JWT signed with the key of the app's
//! uploaded certificate) — one method per request (OAuth 2.1 §2.4). Secrets are compared in
//! constant time.
//!
//! [`AuthenticatedClient`] can only be built here, so a grant cannot skip this step.

use crate::OAuthError;
use crate::client_assertion::{self, AssertionUse};
use crate::clock::UnixMillis;
use crate::connected_app::ConnectedApp;
use crate::grant::{Params, TokenSettings};
use crate::secret::{DataKey, constant_time_eq};
use crate::store::Store;

/// `client_assertion_type` of `private_key_jwt` (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A `client_assertion` as received: the JWT, the audiences it may name and when it arrived
/// (the core reads no clock; the web layer stamps the request).
#[derive(Clone)]
pub struct ClientAssertion {
    pub jwt: String,
    pub audiences: Vec<String>,
    pub received_at: UnixMillis,
}

/// The client credentials a request carried.
#[derive(Default, Clone)]
pub struct ClientCredentials {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// True when they came in an `Authorization: Basic` header.
    pub via_basic: bool,
    /// `private_key_jwt`: a signed client assertion instead of a secret.
    pub client_assertion: Option<ClientAssertion>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("via_basic", &self.via_basic)
            .field(
                "client_assertion",
                &self.client_assertion.as_ref().map(|_| "…"),
            )
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
                Ok(Self {
                    client_id: Some(id),
                    client_secret: Some(secret),
                    via_basic: true,
                    client_assertion: None,
                })
            }
            None => Ok(Self {
                client_id: body_id.map(str::to_owned),
                client_secret: body_secret.map(str::to_owned),
                via_basic: false,
                client_assertion: None,
            }),
        }
    }

    /// Adds a `private_key_jwt` client assertion from the request parameters, if there is one.
    /// It replaces a secret, so sending both is an `invalid_request` (OAuth 2.1 §2.4), as is an
    /// assertion type other than JWT bearer.
    pub fn with_assertion(
        mut self,
        params: &Params,
        settings: &TokenSettings,
        now: UnixMillis,
    ) -> Result<Self, OAuthError> {
        let assertion_type = params.get("client_assertion_type");
        let Some(jwt) = params.get("client_assertion") else {
            return match assertion_type {
                Some(_) => Err(OAuthError::invalid_request(
                    "client_assertion_type was sent without client_assertion",
                )),
                None => Ok(self),
            };
        };
        params.check_no_duplicates(&["client_assertion", "client_assertion_type"])?;
        if assertion_type != Some(JWT_BEARER_ASSERTION_TYPE) {
            return Err(OAuthError::invalid_request(format!(
                "client_assertion_type must be {JWT_BEARER_ASSERTION_TYPE}"
            )));
        }
        if self.client_secret.is_some() || self.via_basic {
            return Err(OAuthError::invalid_request(
                "use one client authentication method: a client secret or a client assertion",
            ));
        }
        self.client_assertion = Some(ClientAssertion {
            jwt: jwt.to_owned(),
            audiences: client_assertion::accepted_audiences(settings, AssertionUse::ClientAuth),
            received_at: now,
        });
        Ok(self)
    }
}

/// A client whose identity is established; `secret_verified` says whether it proved it knows
/// its consumer secret — or, stronger, signed a client assertion with its certificate's key.
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
/// always checked, even where the app does not require one), or verifies a client assertion.
pub async fn authenticate(
    store: &dyn Store,
    data_key: &DataKey,
    creds: &ClientCredentials,
) -> Result<AuthenticatedClient, OAuthError> {
    if let Some(assertion) = &creds.client_assertion {
        return authenticate_assertion(store, assertion, creds.client_id.as_deref()).await;
    }
    let Some(client_id) = creds.client_id.as_deref().filter(|s| !s.is_empty()) else {
        return Err(OAuthError::invalid_client_id());
    };
    let Some(app) = store.find_app_by_consumer_key(client_id).await? else {
        return Err(OAuthError::invalid_client_id());
    };
    let secret_verified = match creds.client_secret.as_deref().filter(|s| !s.is_empty()) {
        None => false,
        Some(sent) => {
            let stored = app
                .consumer_secret_sealed
                .as_deref()
                .and_then(|sealed| data_key.open(sealed));
            match stored {
                Some(stored) if constant_time_eq(sent, &stored) => true,
                _ => return Err(OAuthError::invalid_client_credentials()),
            }
        }
    };
    Ok(AuthenticatedClient {
        app,
        secret_verified,
        via_basic: creds.via_basic,
    })
}

/// `private_key_jwt`: the assertion names and proves the client; its `jti` is then used up, so a
/// captured assertion cannot authenticate again (ATK-49).
async fn authenticate_assertion(
    store: &dyn Store,
    assertion: &ClientAssertion,
    client_id: Option<&str>,
) -> Result<AuthenticatedClient, OAuthError> {
    let use_ = AssertionUse::ClientAuth;
    let now = assertion.received_at;
    let (app, verified) =
        client_assertion::verify_for_app(store, &assertion.jwt, &assertion.audiences, use_, now)
            .await
            .map_err(|e| e.into_oauth(use_))?;
    if client_id.is_some_and(|id| id != app.consumer_key) {
        return Err(OAuthError::invalid_client(
            "invalid client credentials: client_id does not match the assertion's iss",
        ));
    }
    client_assertion::consume_jti(store, &verified, now)
        .await
        .map_err(|e| e.into_oauth(use_))?;
    Ok(AuthenticatedClient {
        app,
        secret_verified: true,
        via_basic: false,
    })
}
