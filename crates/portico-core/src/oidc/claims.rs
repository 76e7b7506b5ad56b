//! Claims about a user that ID tokens, UserInfo and the identity URL share: the OpenID Connect
//! standard profile claims (OIDC Core §5.1) and Salesforce's `custom_attributes` and
//! `custom_permissions` objects (`reference/salesforce-oauth.md` §6.1–§6.3).
//!
//! Custom attributes are the app's attribute formulas evaluated for the user; custom permissions
//! map each custom permission the app exposes to whether the user holds it through their profile
//! or a permission set.

use serde_json::{Map, Value, json};

use crate::access::UserContext;
use crate::connected_app::ConnectedApp;
use crate::connected_app::formula::Formula;
use crate::org::{Org, User};
use crate::scope::{Scope, ScopeSet};

/// The standard profile claims Portico has values for (OIDC Core §5.1). Portico's users have no
/// phone number or postal address, so `phone_number` and `address` are left out rather than sent
/// empty (OIDC Core §5.3.2: a claim without a value is omitted). `updated_at` is seconds since
/// the epoch, as §5.1 says.
pub fn standard_claims(user: &User, instance_url: &str) -> Map<String, Value> {
    let value = json!({
        "name": user.display_name(),
        "given_name": user.first_name,
        "family_name": user.last_name,
        "preferred_username": user.username,
        "nickname": user.username.split('@').next().unwrap_or_default(),
        "email": user.email,
        "email_verified": true,
        "locale": user.locale,
        "zoneinfo": user.time_zone,
        "updated_at": user.updated_at.secs(),
        "picture": format!("{instance_url}/img/userprofile/default_profile_200_v2.png"),
        "profile": format!("{instance_url}/{}", user.id),
    });
    value.as_object().cloned().unwrap_or_default()
}

/// `custom_attributes`: each of the app's attributes, its formula evaluated for the user.
/// Formulas are checked when the app is saved; one that no longer parses is left out (and
/// logged) rather than failing the response.
pub fn custom_attributes(app: &ConnectedApp, user: &User, org: &Org) -> Map<String, Value> {
    let mut out = Map::new();
    for attribute in &app.settings.attributes {
        match Formula::parse(&attribute.formula) {
            Ok(formula) => {
                out.insert(
                    attribute.key.clone(),
                    Value::String(formula.evaluate(user, org)),
                );
            }
            Err(e) => {
                let key = &attribute.key;
                tracing::warn!(app = %app.id, %key, error = %e, "a stored attribute formula does not parse");
            }
        }
    }
    out
}

/// True when the user's profile or one of their permission sets grants the custom permission.
/// Developer names are compared case-insensitively, as Salesforce's are unique regardless of case.
pub fn holds_custom_permission(user: &UserContext, name: &str) -> bool {
    std::iter::once(&user.profile)
        .chain(&user.permission_sets)
        .any(|bundle| {
            bundle
                .custom_permissions
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name))
        })
}

/// `custom_permissions`: `{name: held}` for every custom permission the app exposes.
pub fn custom_permissions(app: &ConnectedApp, user: &UserContext) -> Map<String, Value> {
    app.settings
        .custom_permissions
        .iter()
        .map(|name| {
            (
                name.clone(),
                Value::Bool(holds_custom_permission(user, name)),
            )
        })
        .collect()
}

/// What a UserInfo or identity URL response adds for a token of `app`: `custom_attributes` when
/// the app defines attributes and the token has the `custom_permissions` scope or the app puts
/// attributes in its ID tokens; `custom_permissions` when the app defines custom permissions and
/// the token has that scope or the app puts them in its ID tokens. An object with nothing in it
/// is left out.
pub fn custom_claims(
    app: &ConnectedApp,
    user: &UserContext,
    org: &Org,
    scopes: &ScopeSet,
) -> Map<String, Value> {
    let config = app.oauth().and_then(|o| o.id_token_config.as_ref());
    let scoped = scopes.contains(Scope::CustomPermissions);
    let mut out = Map::new();
    if scoped || config.is_some_and(|c| c.id_token_include_attributes) {
        let attributes = custom_attributes(app, &user.user, org);
        if !attributes.is_empty() {
            out.insert("custom_attributes".into(), Value::Object(attributes));
        }
    }
    if scoped || config.is_some_and(|c| c.id_token_include_custom_perms) {
        let permissions = custom_permissions(app, user);
        if !permissions.is_empty() {
            out.insert("custom_permissions".into(), Value::Object(permissions));
        }
    }
    out
}
