//! The org model: one org with users, profiles, permission sets and the system permissions they
//! grant. A user's effective permissions are the union of their profile's and every assigned
//! permission set's (Salesforce's additive model).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::clock::UnixMillis;
use crate::ids::SfId;

/// Salesforce editions. Connected apps can be created in some and installed in all (the seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Edition {
    Group,
    Professional,
    Enterprise,
    Performance,
    Unlimited,
    Developer,
    Essentials,
    Starter,
}

impl Edition {
    pub const ALL: [Self; 8] = [
        Self::Group,
        Self::Professional,
        Self::Enterprise,
        Self::Performance,
        Self::Unlimited,
        Self::Developer,
        Self::Essentials,
        Self::Starter,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Group => "Group",
            Self::Professional => "Professional",
            Self::Enterprise => "Enterprise",
            Self::Performance => "Performance",
            Self::Unlimited => "Unlimited",
            Self::Developer => "Developer",
            Self::Essentials => "Essentials",
            Self::Starter => "Starter",
        }
    }

    /// "Connected Apps can be created in: Group, Professional, Enterprise, Performance,
    /// Unlimited, and Developer Editions" (the seed).
    pub const fn can_create_connected_apps(self) -> bool {
        !matches!(self, Self::Essentials | Self::Starter)
    }
}

impl FromStr for Edition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|e| e.as_str()).collect();
                format!(
                    "unknown edition `{s}`; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    pub id: SfId,
    pub name: String,
    pub edition: Edition,
    pub created_at: UnixMillis,
}

/// System permissions, named as Salesforce's API names (`PermissionsCustomizeApplication` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Permission {
    CustomizeApplication,
    ModifyAllData,
    ManageConnectedApps,
    ManageProfilesPermissionsets,
    DownloadAppExchangePackages,
    ApiEnabled,
    ApiUserOnly,
    ManageUsers,
    ViewSetup,
    ApproveUninstalledConnectedApps,
}

impl Permission {
    pub const ALL: [Self; 10] = [
        Self::CustomizeApplication,
        Self::ModifyAllData,
        Self::ManageConnectedApps,
        Self::ManageProfilesPermissionsets,
        Self::DownloadAppExchangePackages,
        Self::ApiEnabled,
        Self::ApiUserOnly,
        Self::ManageUsers,
        Self::ViewSetup,
        Self::ApproveUninstalledConnectedApps,
    ];

    /// The API name used in the admin API and stored in the database.
    pub const fn api_name(self) -> &'static str {
        match self {
            Self::CustomizeApplication => "CustomizeApplication",
            Self::ModifyAllData => "ModifyAllData",
            Self::ManageConnectedApps => "ManageConnectedApps",
            Self::ManageProfilesPermissionsets => "ManageProfilesPermissionsets",
            Self::DownloadAppExchangePackages => "DownloadAppExchangePackages",
            Self::ApiEnabled => "ApiEnabled",
            Self::ApiUserOnly => "ApiUserOnly",
            Self::ManageUsers => "ManageUsers",
            Self::ViewSetup => "ViewSetup",
            Self::ApproveUninstalledConnectedApps => "ApproveUninstalledConnectedApps",
        }
    }

    /// The label Salesforce Setup shows.
    pub const fn label(self) -> &'static str {
        match self {
            Self::CustomizeApplication => "Customize Application",
            Self::ModifyAllData => "Modify All Data",
            Self::ManageConnectedApps => "Manage Connected Apps",
            Self::ManageProfilesPermissionsets => "Manage Profiles and Permission Sets",
            Self::DownloadAppExchangePackages => "Download AppExchange Packages",
            Self::ApiEnabled => "API Enabled",
            Self::ApiUserOnly => "API Only User",
            Self::ManageUsers => "Manage Users",
            Self::ViewSetup => "View Setup and Configuration",
            Self::ApproveUninstalledConnectedApps => "Approve Uninstalled Connected Apps",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

impl FromStr for Permission {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.api_name() == s)
            .ok_or_else(|| format!("unknown permission `{s}`"))
    }
}

/// A set of system permissions.
pub type Permissions = BTreeSet<Permission>;

/// Stored form of a permission set: API names separated by spaces.
pub fn permissions_to_text(perms: &Permissions) -> String {
    perms
        .iter()
        .map(|p| p.api_name())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the stored form back, skipping names this version no longer knows.
pub fn permissions_from_text(text: &str) -> Permissions {
    text.split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: SfId,
    pub org_id: SfId,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub profile_id: SfId,
    pub is_active: bool,
    pub locale: String,
    pub time_zone: String,
    /// Argon2id PHC string; `None` for users who cannot log in with a password.
    pub password_hash: Option<String>,
    pub failed_logins: i32,
    pub locked_until: Option<UnixMillis>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

impl User {
    pub fn display_name(&self) -> String {
        match (self.first_name.is_empty(), self.last_name.is_empty()) {
            (true, _) => self.last_name.clone(),
            (_, true) => self.first_name.clone(),
            _ => format!("{} {}", self.first_name, self.last_name),
        }
    }
}

/// A profile or a permission set: both are a named bag of permissions; they differ in that a
/// user has exactly one profile and any number of permission sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionBundle {
    pub id: SfId,
    pub org_id: SfId,
    pub name: String,
    pub label: String,
    pub permissions: Permissions,
    /// Custom permissions granted (developer names, Salesforce's `CustomPermission`): a connected
    /// app exposes some by name ([`crate::connected_app::AppSettings::custom_permissions`]) and a
    /// user holds one through their profile or a permission set.
    pub custom_permissions: Vec<String>,
}

/// Stored form of custom permission names: separated by spaces (developer names have none).
pub fn custom_permissions_to_text(names: &[String]) -> String {
    names.join(" ")
}

/// Reads the stored form back.
pub fn custom_permissions_from_text(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// The profiles every org starts with (CONTRACT §1): (name, label, permissions).
pub fn standard_profiles() -> Vec<(&'static str, &'static str, Permissions)> {
    use Permission::{ApiEnabled, ApiUserOnly};
    vec![
        (
            "SystemAdministrator",
            "System Administrator",
            Permission::ALL.into_iter().collect(),
        ),
        (
            "StandardUser",
            "Standard User",
            [ApiEnabled].into_iter().collect(),
        ),
        (
            "ApiOnlyUser",
            "API Only User",
            [ApiEnabled, ApiUserOnly].into_iter().collect(),
        ),
    ]
}

/// A user's effective permissions: profile ∪ permission sets.
pub fn effective_permissions<'a>(
    profile: &PermissionBundle,
    permission_sets: impl IntoIterator<Item = &'a PermissionBundle>,
) -> Permissions {
    let mut all = profile.permissions.clone();
    for set in permission_sets {
        all.extend(set.permissions.iter().copied());
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_permissions_are_the_union() {
        let org = SfId::generate(crate::ids::KeyPrefix::Org);
        let bundle = |perms: &[Permission]| PermissionBundle {
            id: SfId::generate(crate::ids::KeyPrefix::PermissionSet),
            org_id: org.clone(),
            name: "x".into(),
            label: "x".into(),
            permissions: perms.iter().copied().collect(),
            custom_permissions: Vec::new(),
        };
        let profile = bundle(&[Permission::ApiEnabled]);
        let sets = [
            bundle(&[Permission::ManageUsers]),
            bundle(&[Permission::ViewSetup]),
        ];
        let all = effective_permissions(&profile, &sets);
        assert_eq!(
            all,
            [
                Permission::ApiEnabled,
                Permission::ManageUsers,
                Permission::ViewSetup
            ]
            .into_iter()
            .collect()
        );
    }

    #[test]
    fn editions_parse_and_know_where_apps_can_be_created() {
        assert_eq!("developer".parse::<Edition>(), Ok(Edition::Developer));
        assert!(Edition::Group.can_create_connected_apps());
        assert!(!Edition::Essentials.can_create_connected_apps());
        assert!("Free".parse::<Edition>().unwrap_err().contains("Developer"));
    }

    #[test]
    fn permission_text_round_trips() {
        let perms: Permissions = Permission::ALL.into_iter().collect();
        assert_eq!(permissions_from_text(&permissions_to_text(&perms)), perms);
    }
}
