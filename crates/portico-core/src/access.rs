//! Who may use a connected app (`reference/salesforce-oauth.md` §8.1): the app must have OAuth
//! enabled and be installed (or the user may approve uninstalled apps), the user must be active,
//! and an admin-approved app admits only users whose profile or a permission set is assigned.

use crate::connected_app::{ConnectedApp, OAuthConfig};
use crate::ids::SfId;
use crate::org::{Permission, PermissionBundle, Permissions, User, effective_permissions};
use crate::store::{BundleKind, PermissionStore, UserStore};
use crate::{ErrorCode, OAuthError, StoreError};

/// A user with their profile, permission sets and effective permissions.
#[derive(Debug, Clone)]
pub struct UserContext {
    pub user: User,
    pub profile: PermissionBundle,
    pub permission_sets: Vec<PermissionBundle>,
    pub permissions: Permissions,
}

impl UserContext {
    pub async fn load(
        users: &dyn UserStore,
        bundles: &dyn PermissionStore,
        user_id: &SfId,
    ) -> Result<Option<Self>, StoreError> {
        let Some(user) = users.find_user(user_id).await? else {
            return Ok(None);
        };
        Self::for_user(bundles, user).await.map(Some)
    }

    pub async fn for_user(bundles: &dyn PermissionStore, user: User) -> Result<Self, StoreError> {
        let profile = bundles
            .find_bundle(BundleKind::Profile, &user.profile_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let permission_sets = bundles.user_permission_sets(&user.id).await?;
        let permissions = effective_permissions(&profile, &permission_sets);
        Ok(Self {
            user,
            profile,
            permission_sets,
            permissions,
        })
    }

    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// The app's OAuth settings, or the error for an app without OAuth enabled.
pub fn oauth_config(app: &ConnectedApp) -> Result<&OAuthConfig, OAuthError> {
    app.oauth().ok_or_else(|| {
        OAuthError::new(
            ErrorCode::InvalidClientId,
            "OAuth is not enabled for this connected app (Enable OAuth Settings)",
        )
    })
}

/// Checks everything about the user and the app's policies that every flow shares.
pub fn check_app_access(app: &ConnectedApp, user: &UserContext) -> Result<(), OAuthError> {
    let oauth = oauth_config(app)?;
    if !user.user.is_active {
        return Err(OAuthError::new(ErrorCode::InactiveUser, "user is inactive"));
    }
    if !app.is_installed && !user.has(Permission::ApproveUninstalledConnectedApps) {
        return Err(OAuthError::new(
            ErrorCode::OAuthApprovalErrorGeneric,
            "this connected app is not installed in the org; an administrator must install it first",
        ));
    }
    if oauth.is_admin_approved && !is_assigned(app, user) {
        return Err(OAuthError::new(
            ErrorCode::InvalidAppAccess,
            "user is not admin approved to access this app",
        ));
    }
    Ok(())
}

/// True when the user's profile or one of their permission sets is assigned to the app.
pub fn is_assigned(app: &ConnectedApp, user: &UserContext) -> bool {
    let s = &app.settings;
    s.profile_name
        .iter()
        .any(|p| *p == user.profile.name || *p == user.profile.label)
        || user
            .permission_sets
            .iter()
            .any(|ps| s.permission_set_name.contains(&ps.name))
}
