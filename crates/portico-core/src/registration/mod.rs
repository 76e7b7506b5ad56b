//! Dynamic client registration (RFC 7591 §3, OpenID Connect Dynamic Client Registration 1.0 §3)
//! and client management (RFC 7592 §2), as Salesforce offers it (`reference/salesforce-oauth.md`
//! §2.3): an administrator generates an initial access token for a *registrar* app; with it,
//! `POST /services/oauth2/register` creates a connected app owned by the registrar
//! ([`ConnectedApp::registered_by`], which lets the registrar introspect its tokens, §5.1). The
//! new client then reads, updates and deletes itself at its registration client URI with its
//! registration access token.
//!
//! [`metadata`] checks the client metadata; the settings it becomes then go through the
//! connected-app validation an administrator's app does. Only hashes of initial and registration
//! access tokens are stored, and every update replaces the registration access token
//! (`reference/security.md` §3.5). Nothing here fetches a URL.

mod fields;
mod keys;
pub mod metadata;
mod settings;

use serde_json::{Value, json};

use self::metadata::{AuthMethod, ClientMetadata};
use self::settings::Bounds;
use crate::clock::UnixMillis;
use crate::connected_app::credentials::generate_consumer_secret;
use crate::connected_app::validate::Mode;
use crate::connected_app::{ConnectedApp, DEVICE_FLOW_CALLBACK_PLACEHOLDER};
use crate::error::ErrorCode;
use crate::grant::GrantContext;
use crate::ids::{KeyPrefix, SfId};
use crate::scope::ScopeSet;
use crate::secret::{TokenHash, constant_time_eq, random_token};
use crate::store::Store;
use crate::{OAuthError, StoreError};

/// The registration endpoint; a client's registration client URI is this plus `/<client_id>`.
pub const REGISTER_PATH: &str = "/services/oauth2/register";

/// A registered app's registration: the hash of its registration access token and the metadata
/// it registered (RFC 7591 §2) that its settings do not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRegistration {
    pub app_id: SfId,
    pub registration_token_hash: TokenHash,
    pub metadata: Value,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

/// Generates (or regenerates, invalidating the old) a registrar app's initial access token and
/// returns it; only its hash is kept.
pub async fn generate_initial_access_token(
    store: &dyn Store,
    app: &ConnectedApp,
    now: UnixMillis,
) -> Result<String, StoreError> {
    let raw = random_token();
    store
        .set_initial_access_token(&app.id, &TokenHash::of(&raw), now)
        .await?;
    Ok(raw)
}

/// The registrar app an initial access token belongs to; `invalid_token` (401) otherwise.
pub async fn authenticate_registrar(
    store: &dyn Store,
    bearer: Option<&str>,
) -> Result<ConnectedApp, OAuthError> {
    let Some(raw) = bearer else {
        return Err(OAuthError::invalid_token(
            "registration needs an initial access token: Authorization: Bearer <initial access token>",
        ));
    };
    let invalid =
        || OAuthError::invalid_token("the initial access token is invalid or was regenerated");
    let app_id = store
        .find_initial_access_token_app(&TokenHash::of(raw))
        .await?
        .ok_or_else(invalid)?;
    store.find_app(&app_id).await?.ok_or_else(invalid)
}

/// The registered app and its registration, for a registration access token presented at the
/// client's registration client URI. A wrong token, an unknown client and an app that was not
/// registered dynamically all look the same: `invalid_token` (RFC 7592 §2, RFC 6750 §3.1).
pub async fn authenticate_client(
    store: &dyn Store,
    client_id: &str,
    bearer: Option<&str>,
) -> Result<(ConnectedApp, ClientRegistration), OAuthError> {
    let invalid =
        || OAuthError::invalid_token("the registration access token is invalid for this client");
    let raw = bearer.ok_or_else(invalid)?;
    let app = store
        .find_app_by_consumer_key(client_id)
        .await?
        .ok_or_else(invalid)?;
    let registration = store
        .find_client_registration(&app.id)
        .await?
        .ok_or_else(invalid)?;
    if !constant_time_eq(
        TokenHash::of(raw).as_str(),
        registration.registration_token_hash.as_str(),
    ) {
        return Err(invalid());
    }
    Ok((app, registration))
}

/// RFC 7591 §3.1: validates the metadata, creates the app and answers with the client
/// information response (§3.2.1).
pub async fn register(
    ctx: &GrantContext<'_>,
    registrar: &ConnectedApp,
    body: &Value,
) -> Result<Value, OAuthError> {
    let now = ctx.clock.now();
    let meta = ClientMetadata::parse(body, now)?;
    let empty = ScopeSet::new();
    let bounds = Bounds {
        scopes: registrar.oauth().map_or(&empty, |o| &o.scopes),
        contact_email: &registrar.settings.contact_email,
        registrar_name: registrar.full_name(),
    };
    let full_name = settings::generated_full_name(meta.client_name.as_deref());
    let json = settings::app_json(&meta, None, &full_name, bounds)?;
    let valid =
        settings::validate(ctx.store, &registrar.org_id, json, &Mode::Create, None, now).await?;
    // Even a private_key_jwt client gets a secret (never shown): a client with a secret must
    // authenticate at the token endpoint, so its bare client_id is never enough.
    let secret =
        (meta.token_endpoint_auth_method != AuthMethod::None).then(generate_consumer_secret);
    let app = ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: registrar.org_id.clone(),
        settings: valid.settings,
        consumer_key: crate::connected_app::credentials::generate_consumer_key(),
        consumer_secret_sealed: secret.as_deref().map(|s| ctx.data_key.seal(s)),
        is_installed: true,
        is_packaged: false,
        registered_by: Some(registrar.id.clone()),
        created_at: now,
        updated_at: now,
    };
    ctx.store.insert_app(&app).await?;
    let token = random_token();
    let registration = ClientRegistration {
        app_id: app.id.clone(),
        registration_token_hash: TokenHash::of(&token),
        metadata: meta.to_json(),
        created_at: now,
        updated_at: now,
    };
    if let Err(e) = ctx.store.save_client_registration(&registration).await {
        // An app nobody can manage or see the credentials of must not stay behind.
        if let Err(undo) = ctx.store.delete_app(&app.id).await {
            tracing::error!(error = %undo, app = %app.id, "could not remove a half-registered client");
        }
        return Err(e.into());
    }
    tracing::info!(app = %app.id, registrar = %registrar.id, "client registered dynamically");
    Ok(client_information(ctx, &app, &registration, &token))
}

/// RFC 7592 §2.1: the client's current information. The registration access token stays the one
/// presented (only its hash is kept, and the client holds it).
pub fn read(
    ctx: &GrantContext<'_>,
    app: &ConnectedApp,
    registration: &ClientRegistration,
    presented: &str,
) -> Value {
    client_information(ctx, app, registration, presented)
}

/// RFC 7592 §2.2: replaces the client's metadata, re-validating everything, and issues a new
/// registration access token.
pub async fn update(
    ctx: &GrantContext<'_>,
    mut app: ConnectedApp,
    mut registration: ClientRegistration,
    body: &Value,
) -> Result<Value, OAuthError> {
    let now = ctx.clock.now();
    let bad = |m: String| OAuthError::new(ErrorCode::InvalidClientMetadata, m);
    if body.get("client_id").and_then(Value::as_str) != Some(app.consumer_key.as_str()) {
        return Err(bad(
            "client_id: an update must carry the client's own client_id (RFC 7592 §2.2)".to_owned(),
        ));
    }
    if let Some(sent) = body.get("client_secret").filter(|v| !v.is_null()) {
        let stored = app
            .consumer_secret_sealed
            .as_deref()
            .and_then(|s| ctx.data_key.open(s));
        if !matches!((sent.as_str(), stored), (Some(sent), Some(stored)) if constant_time_eq(sent, &stored))
        {
            return Err(bad(
                "client_secret: does not match the client's secret (RFC 7592 §2.2)".to_owned(),
            ));
        }
    }
    let meta = ClientMetadata::parse(body, now)?;
    let before = registered_method(&registration);
    if !meta.token_endpoint_auth_method.same_kind(before) {
        return Err(bad(format!(
            "token_endpoint_auth_method: a {} client cannot become a {} client; register a new client",
            before.as_str(),
            meta.token_endpoint_auth_method.as_str()
        )));
    }
    // The registrar may have lost scopes since; it may not have been deleted, but if it has, the
    // client keeps at most what it has.
    let registrar = match &app.registered_by {
        Some(id) => ctx.store.find_app(id).await?,
        None => None,
    };
    let bound = registrar
        .as_ref()
        .and_then(ConnectedApp::oauth)
        .or_else(|| app.oauth())
        .map(|o| o.scopes.clone())
        .unwrap_or_default();
    let bounds = Bounds {
        scopes: &bound,
        contact_email: &app.settings.contact_email,
        registrar_name: registrar
            .as_ref()
            .map_or(app.full_name(), ConnectedApp::full_name),
    };
    let json = settings::app_json(&meta, Some(&app.settings), app.full_name(), bounds)?;
    let mode = Mode::Update {
        consumer_key: app.consumer_key.clone(),
    };
    let valid = settings::validate(
        ctx.store,
        &app.org_id,
        json,
        &mode,
        Some(&app.settings),
        now,
    )
    .await?;
    app.settings = valid.settings;
    app.updated_at = now;
    ctx.store.update_app(&app).await?;
    let token = random_token();
    registration.registration_token_hash = TokenHash::of(&token);
    registration.metadata = meta.to_json();
    registration.updated_at = now;
    ctx.store.save_client_registration(&registration).await?;
    Ok(client_information(ctx, &app, &registration, &token))
}

/// RFC 7592 §2.3: deletes the client, with its tokens and approvals.
pub async fn delete(store: &dyn Store, app: &ConnectedApp) -> Result<(), OAuthError> {
    store.delete_app(&app.id).await?;
    tracing::info!(app = %app.id, "dynamically registered client deleted itself");
    Ok(())
}

/// The method the client registered with.
fn registered_method(registration: &ClientRegistration) -> AuthMethod {
    let stored = registration
        .metadata
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str);
    AuthMethod::ALL
        .into_iter()
        .find(|m| Some(m.as_str()) == stored)
        .unwrap_or(AuthMethod::ClientSecretBasic)
}

/// The client information response (RFC 7591 §3.2.1, RFC 7592 §3): the registered metadata, with
/// what the app's settings now say (an administrator may have edited them) taking precedence.
fn client_information(
    ctx: &GrantContext<'_>,
    app: &ConnectedApp,
    registration: &ClientRegistration,
    token: &str,
) -> Value {
    let mut out = registration
        .metadata
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut put = |k: &str, v: Value| {
        out.insert(k.to_owned(), v);
    };
    put("client_id", json!(app.consumer_key));
    put("client_id_issued_at", json!(app.created_at.secs()));
    if registered_method(registration).shares_secret()
        && let Some(secret) = app
            .consumer_secret_sealed
            .as_deref()
            .and_then(|s| ctx.data_key.open(s))
    {
        put("client_secret", json!(secret));
        // RFC 7591 §3.2.1: 0 = the secret does not expire.
        put("client_secret_expires_at", json!(0));
    }
    put("registration_access_token", json!(token));
    put(
        "registration_client_uri",
        json!(format!(
            "{}{REGISTER_PATH}/{}",
            ctx.settings.issuer, app.consumer_key
        )),
    );
    put("client_name", json!(app.settings.label));
    if let Some(oauth) = app.oauth() {
        let uris: Vec<&String> = oauth
            .callback_url
            .iter()
            .filter(|u| *u != DEVICE_FLOW_CALLBACK_PLACEHOLDER)
            .collect();
        put("redirect_uris", json!(uris));
        put("scope", json!(oauth.scopes.to_wire()));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests;
