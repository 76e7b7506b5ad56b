//! First start: on an empty database, create the org, the standard profiles, a System
//! Administrator and the built-in public connected app `PorticoCLI` (CONTRACT §1 "Bootstrap").
//!
//! Every step first looks for what it would create and treats a unique violation as "another
//! node created it first", so several nodes may start at once on one PostgreSQL, and a start that
//! died half-way is finished by the next. Once complete, a marker setting makes later starts a
//! single read that changes nothing, even if an administrator has since renamed or deleted what
//! bootstrap created.

use std::fmt;

use crate::StoreError;
use crate::clock::Clock;
use crate::connected_app::{AppSettings, ConnectedApp, OAuthConfig};
use crate::ids::{KeyPrefix, SfId};
use crate::org::{self, Edition, Org, PermissionBundle, User};
use crate::scope::ScopeSet;
use crate::secret;
use crate::store::{BundleKind, Store, StoreResult};

/// The org's name at creation.
pub const ORG_NAME: &str = "Portico";
/// The admin's username when none is configured.
pub const DEFAULT_ADMIN_USERNAME: &str = "admin@portico.local";
/// Consumer key and API name of the built-in public client used by the `portico` CLI.
pub const CLI_APP_NAME: &str = "PorticoCLI";
/// Where the CLI's web server flow lands (the port the Salesforce CLI uses too).
pub const CLI_APP_CALLBACK: &str = "http://localhost:1717/OauthRedirect";
const CLI_APP_SCOPES: &str = "api web refresh_token openid";
/// The profile the bootstrap admin gets (a name from `org::standard_profiles`).
const ADMIN_PROFILE: &str = "SystemAdministrator";
/// Set once bootstrap has finished; its presence makes bootstrap a no-op.
const DONE_SETTING: &str = "bootstrapped_at";
/// Claims the org id, so that nodes racing on an empty database create one org, not two.
const ORG_ID_SETTING: &str = "org_id";

/// What a first start creates, from configuration.
#[derive(Clone)]
pub struct BootstrapSettings {
    pub edition: Edition,
    pub admin_username: String,
    /// `None`: generate one and hand it back once.
    pub admin_password: Option<String>,
}

impl Default for BootstrapSettings {
    fn default() -> Self {
        Self {
            edition: Edition::Developer,
            admin_username: DEFAULT_ADMIN_USERNAME.to_owned(),
            admin_password: None,
        }
    }
}

impl fmt::Debug for BootstrapSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BootstrapSettings")
            .field("edition", &self.edition)
            .field("admin_username", &self.admin_username)
            .field("admin_password", &self.admin_password.as_ref().map(|_| "…"))
            .finish()
    }
}

/// A password this call generated for the admin it created. Shown to the operator exactly once,
/// so it has no `Display` and a redacted `Debug`.
pub struct GeneratedPassword(String);

impl GeneratedPassword {
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for GeneratedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GeneratedPassword(…)")
    }
}

/// What [`bootstrap`] did.
#[derive(Debug)]
pub struct Bootstrapped {
    /// False when the database had already been bootstrapped (nothing was changed).
    pub ran: bool,
    /// The admin created by this call, with the password generated for them, if any.
    pub generated_password: Option<(String, GeneratedPassword)>,
}

/// Bootstraps an empty database; does nothing on one that was bootstrapped before.
pub async fn bootstrap(
    store: &dyn Store,
    clock: &dyn Clock,
    settings: &BootstrapSettings,
) -> StoreResult<Bootstrapped> {
    if store.get_setting(DONE_SETTING).await?.is_some() {
        return Ok(Bootstrapped {
            ran: false,
            generated_password: None,
        });
    }
    let org = ensure_org(store, clock, settings.edition).await?;
    let mut admin_profile = None;
    for (name, label, permissions) in org::standard_profiles() {
        let bundle = PermissionBundle {
            id: SfId::generate(KeyPrefix::Profile),
            org_id: org.id.clone(),
            name: name.to_owned(),
            label: label.to_owned(),
            permissions,
            custom_permissions: Vec::new(),
        };
        let profile = ensure_profile(store, bundle).await?;
        if name == ADMIN_PROFILE {
            admin_profile = Some(profile);
        }
    }
    let admin_profile = admin_profile.ok_or_else(|| {
        StoreError::Other(anyhow::anyhow!(
            "the standard profiles lack {ADMIN_PROFILE}"
        ))
    })?;
    let (admin, generated_password) =
        ensure_admin(store, clock, &org, &admin_profile, settings).await?;
    ensure_cli_app(store, clock, &org, &admin.email).await?;
    store
        .init_setting(DONE_SETTING, &clock.now().0.to_string())
        .await?;
    Ok(Bootstrapped {
        ran: true,
        generated_password,
    })
}

/// `Ok(true)` when inserted, `Ok(false)` when a unique constraint says it already exists.
fn inserted(result: StoreResult<()>) -> StoreResult<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

fn vanished(what: &str) -> StoreError {
    StoreError::Other(anyhow::anyhow!(
        "bootstrap: {what} collided on insert but cannot be read back"
    ))
}

async fn ensure_org(store: &dyn Store, clock: &dyn Clock, edition: Edition) -> StoreResult<Org> {
    if let Some(org) = store.find_org().await? {
        return Ok(org);
    }
    let claimed = store
        .init_setting(ORG_ID_SETTING, SfId::generate(KeyPrefix::Org).as_str())
        .await?;
    let id = SfId::parse(&claimed).ok_or_else(|| {
        StoreError::Other(anyhow::anyhow!("setting {ORG_ID_SETTING} holds a bad id"))
    })?;
    let org = Org {
        id,
        name: ORG_NAME.to_owned(),
        edition,
        created_at: clock.now(),
    };
    if inserted(store.insert_org(&org).await)? {
        return Ok(org);
    }
    store.find_org().await?.ok_or_else(|| vanished("the org"))
}

async fn ensure_profile(
    store: &dyn Store,
    bundle: PermissionBundle,
) -> StoreResult<PermissionBundle> {
    let kind = BundleKind::Profile;
    if let Some(found) = store
        .find_bundle_by_name(kind, &bundle.org_id, &bundle.name)
        .await?
    {
        return Ok(found);
    }
    if inserted(store.insert_bundle(kind, &bundle).await)? {
        return Ok(bundle);
    }
    store
        .find_bundle_by_name(kind, &bundle.org_id, &bundle.name)
        .await?
        .ok_or_else(|| vanished("a profile"))
}

async fn ensure_admin(
    store: &dyn Store,
    clock: &dyn Clock,
    org: &Org,
    profile: &PermissionBundle,
    settings: &BootstrapSettings,
) -> StoreResult<(User, Option<(String, GeneratedPassword)>)> {
    let username = settings.admin_username.trim();
    if let Some(found) = store.find_user_by_username(username).await? {
        return Ok((found, None));
    }
    let (password, generated) = match &settings.admin_password {
        Some(configured) => (configured.clone(), false),
        None => (secret::generate_password(), true),
    };
    let now = clock.now();
    let admin = User {
        id: SfId::generate(KeyPrefix::User),
        org_id: org.id.clone(),
        username: username.to_owned(),
        // Salesforce usernames are email-shaped; the admin's mail goes to the same address.
        email: username.to_owned(),
        first_name: "System".to_owned(),
        last_name: "Administrator".to_owned(),
        profile_id: profile.id.clone(),
        is_active: true,
        locale: "en_US".to_owned(),
        time_zone: "GMT".to_owned(),
        password_hash: Some(secret::hash_password(&password)),
        failed_logins: 0,
        locked_until: None,
        created_at: now,
        updated_at: now,
    };
    if inserted(store.insert_user(&admin).await)? {
        let shown = generated.then(|| (admin.username.clone(), GeneratedPassword(password)));
        return Ok((admin, shown));
    }
    // Another node created the admin (and printed its own password): ours was never stored.
    let found = store
        .find_user_by_username(username)
        .await?
        .ok_or_else(|| vanished("the admin"))?;
    Ok((found, None))
}

/// The built-in public client for the `portico` CLI (CONTRACT §1): no secret, PKCE, device flow.
pub fn cli_app(org_id: SfId, contact_email: &str, now: crate::clock::UnixMillis) -> ConnectedApp {
    let scopes = ScopeSet::parse(CLI_APP_SCOPES)
        .unwrap_or_else(|_| unreachable!("the CLI app's scopes are known"));
    let oauth = OAuthConfig {
        callback_url: vec![CLI_APP_CALLBACK.to_owned()],
        scopes,
        is_consumer_secret_optional: true,
        // A public client has no secret to present, so refreshing cannot require one.
        is_secret_required_for_refresh_token: false,
        is_pkce_required: true,
        is_device_flow_enabled: true,
        ..OAuthConfig::default()
    };
    let settings = AppSettings {
        full_name: CLI_APP_NAME.to_owned(),
        label: "Portico CLI".to_owned(),
        contact_email: contact_email.to_owned(),
        description: Some("Built-in public client of the portico command line.".to_owned()),
        oauth_config: Some(oauth),
        ..AppSettings::default()
    };
    ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id,
        settings,
        consumer_key: CLI_APP_NAME.to_owned(),
        consumer_secret_sealed: None,
        is_installed: true,
        is_packaged: false,
        registered_by: None,
        created_at: now,
        updated_at: now,
    }
}

async fn ensure_cli_app(
    store: &dyn Store,
    clock: &dyn Clock,
    org: &Org,
    contact_email: &str,
) -> StoreResult<()> {
    if store
        .find_app_by_consumer_key(CLI_APP_NAME)
        .await?
        .is_some()
    {
        return Ok(());
    }
    inserted(
        store
            .insert_app(&cli_app(org.id.clone(), contact_email, clock.now()))
            .await,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_app_is_a_public_pkce_client_with_device_flow() {
        let org = SfId::generate(KeyPrefix::Org);
        let app = cli_app(org, "admin@portico.local", crate::clock::UnixMillis(0));
        assert_eq!(app.consumer_key, "PorticoCLI");
        assert_eq!(app.full_name(), "PorticoCLI");
        assert!(!app.has_secret());
        assert!(app.is_installed && !app.is_packaged);
        let oauth = app.oauth().unwrap();
        assert!(
            oauth.is_pkce_required
                && oauth.is_device_flow_enabled
                && oauth.is_consumer_secret_optional
        );
        assert!(oauth.matches_callback("http://localhost:1717/OauthRedirect"));
        assert_eq!(
            oauth.scopes,
            ScopeSet::parse("api web refresh_token openid").unwrap()
        );
    }

    #[test]
    fn settings_debug_hides_the_password() {
        let settings = BootstrapSettings {
            admin_password: Some("hunter2".into()),
            ..BootstrapSettings::default()
        };
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert!(!format!("{:?}", GeneratedPassword("hunter2".into())).contains("hunter2"));
    }
}
