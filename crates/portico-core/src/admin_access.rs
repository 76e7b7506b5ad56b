//! Who may administer connected apps: the seed's "User Permissions Needed" table as data
//! (`DESIGN.md` §3), and one function that checks it and names what is missing.

use crate::org::{Edition, Permission, Permissions};

use Permission::{
    CustomizeApplication, DownloadAppExchangePackages, ManageConnectedApps,
    ManageProfilesPermissionsets, ModifyAllData,
};

/// An administrative action on connected apps (or on users, for the admin API's other resources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAction {
    /// Read, create, update (all fields except profiles, permission sets and SAML attributes)
    /// or delete a connected app.
    ManageApps,
    /// Update an app's assigned profiles, permission sets or SAML attributes.
    AssignAppProfiles,
    /// Install or uninstall a connected app created in the org.
    InstallApp,
    /// Install or uninstall a packaged connected app.
    InstallPackagedApp,
    /// Turn "Introspect All Tokens" on or off: an org-level privilege, so it needs Modify All Data
    /// in addition to what managing apps needs.
    SetIntrospectAllTokens,
    /// Create, change or deactivate users and their assignments.
    ManageUsers,
    /// Change profiles and permission sets.
    ManageProfiles,
    /// Read the setup pages and setup records.
    ViewSetup,
}

/// One requirement: every permission of `all`, and at least one of `any` when it is not empty.
struct Requirement {
    all: &'static [Permission],
    any: &'static [Permission],
}

const fn requirement(action: AdminAction) -> Requirement {
    const APP_ADMIN: &[Permission] = &[ModifyAllData, ManageConnectedApps];
    match action {
        AdminAction::ManageApps | AdminAction::InstallApp => Requirement {
            all: &[CustomizeApplication],
            any: APP_ADMIN,
        },
        AdminAction::AssignAppProfiles => Requirement {
            all: &[
                CustomizeApplication,
                ModifyAllData,
                ManageProfilesPermissionsets,
            ],
            any: &[],
        },
        AdminAction::InstallPackagedApp => Requirement {
            all: &[CustomizeApplication, DownloadAppExchangePackages],
            any: APP_ADMIN,
        },
        AdminAction::SetIntrospectAllTokens => Requirement {
            all: &[CustomizeApplication, ModifyAllData],
            any: &[],
        },
        AdminAction::ManageUsers => Requirement {
            all: &[Permission::ManageUsers],
            any: &[],
        },
        AdminAction::ManageProfiles => Requirement {
            all: &[ManageProfilesPermissionsets],
            any: &[],
        },
        AdminAction::ViewSetup => Requirement {
            all: &[Permission::ViewSetup],
            any: &[],
        },
    }
}

/// The permissions a user lacks for an action, phrased for an error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MissingPermissions {
    /// Permissions that are each required and absent.
    pub missing_all: Vec<Permission>,
    /// When not empty, one of these is required and none is held.
    pub missing_any: Vec<Permission>,
    pub message: String,
}

/// Checks the seed's table. The error names every missing permission, e.g.
/// "requires Customize Application AND (Modify All Data OR Manage Connected Apps); missing:
/// Customize Application".
pub fn authorize_admin(action: AdminAction, held: &Permissions) -> Result<(), MissingPermissions> {
    let req = requirement(action);
    let missing_all: Vec<_> = req
        .all
        .iter()
        .copied()
        .filter(|p| !held.contains(p))
        .collect();
    let missing_any: Vec<_> = if req.any.iter().any(|p| held.contains(p)) {
        Vec::new()
    } else {
        req.any.to_vec()
    };
    if missing_all.is_empty() && missing_any.is_empty() {
        return Ok(());
    }
    let mut missing: Vec<String> = missing_all.iter().map(|p| p.label().to_owned()).collect();
    if !missing_any.is_empty() {
        missing.push(format!("one of {}", labels(&missing_any, " OR ")));
    }
    let message = format!(
        "insufficient access rights: this action requires {}; missing: {}",
        describe(&req),
        missing.join(", ")
    );
    Err(MissingPermissions {
        missing_all,
        missing_any,
        message,
    })
}

fn labels(perms: &[Permission], sep: &str) -> String {
    perms
        .iter()
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(sep)
}

fn describe(req: &Requirement) -> String {
    let mut parts: Vec<String> = req.all.iter().map(|p| p.label().to_owned()).collect();
    if !req.any.is_empty() {
        parts.push(format!("({})", labels(req.any, " OR ")));
    }
    parts.join(" AND ")
}

/// Connected apps can be created only in some editions; they can be installed in all.
pub fn check_edition_can_create_apps(edition: Edition) -> Result<(), String> {
    if edition.can_create_connected_apps() {
        Ok(())
    } else {
        Err(format!(
            "connected apps can't be created in {} Edition; they can be created in Group, Professional, \
             Enterprise, Performance, Unlimited and Developer editions",
            edition.as_str()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perms(p: &[Permission]) -> Permissions {
        p.iter().copied().collect()
    }

    #[test]
    fn the_seed_table_holds_for_every_combination_of_the_five_permissions() {
        let five = [
            CustomizeApplication,
            ModifyAllData,
            ManageConnectedApps,
            ManageProfilesPermissionsets,
            DownloadAppExchangePackages,
        ];
        for mask in 0u32..32 {
            let held: Permissions = five
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, p)| *p)
                .collect();
            let has = |p| held.contains(&p);
            let app_admin =
                has(CustomizeApplication) && (has(ModifyAllData) || has(ManageConnectedApps));
            assert_eq!(
                authorize_admin(AdminAction::ManageApps, &held).is_ok(),
                app_admin
            );
            assert_eq!(
                authorize_admin(AdminAction::InstallApp, &held).is_ok(),
                app_admin
            );
            assert_eq!(
                authorize_admin(AdminAction::AssignAppProfiles, &held).is_ok(),
                has(CustomizeApplication)
                    && has(ModifyAllData)
                    && has(ManageProfilesPermissionsets)
            );
            assert_eq!(
                authorize_admin(AdminAction::InstallPackagedApp, &held).is_ok(),
                app_admin && has(DownloadAppExchangePackages)
            );
        }
    }

    #[test]
    fn the_error_names_what_is_missing() {
        let err = authorize_admin(AdminAction::ManageApps, &perms(&[ModifyAllData])).unwrap_err();
        assert_eq!(err.missing_all, vec![CustomizeApplication]);
        assert!(err.missing_any.is_empty());
        assert!(
            err.message.contains("missing: Customize Application"),
            "{}",
            err.message
        );

        let err =
            authorize_admin(AdminAction::ManageApps, &perms(&[CustomizeApplication])).unwrap_err();
        assert!(
            err.message
                .contains("one of Modify All Data OR Manage Connected Apps"),
            "{}",
            err.message
        );
    }

    #[test]
    fn editions() {
        assert!(check_edition_can_create_apps(Edition::Developer).is_ok());
        assert!(
            check_edition_can_create_apps(Edition::Starter)
                .unwrap_err()
                .contains("Starter")
        );
    }
}
