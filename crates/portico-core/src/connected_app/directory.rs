//! What validation needs to know about the org (the run-as user, certificates, profiles and
//! permission sets an app names), fetched once from the store before validating, so that
//! [`super::validate`] itself stays free of I/O.

use crate::ids::SfId;
use crate::org::Permission;
use crate::store::{BundleKind, CertificateStore, PermissionStore, StoreResult, UserStore};

use super::input::AppInput;
use super::org_certificate::OrgCertificate;

/// A certificate of the org, as an app refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRef {
    pub id: SfId,
    pub name: String,
}

/// What the client credentials run-as rule needs to know about a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAsUser {
    pub username: String,
    pub is_active: bool,
    pub is_api_only: bool,
}

/// Facts about the org that validation consults.
#[derive(Debug, Clone, Default)]
pub struct OrgDirectory {
    pub certificates: Vec<CertificateRef>,
    /// Profiles by name and by label (`profileName` may use either, as access checks do).
    pub profiles: Vec<(String, String)>,
    pub permission_sets: Vec<String>,
    /// The user named by `oauthClientCredentialUser`, when it exists in the org.
    pub run_as: Option<RunAsUser>,
}

impl OrgDirectory {
    /// A certificate by id or name.
    pub fn certificate(&self, id_or_name: &str) -> Option<&CertificateRef> {
        self.certificates.iter().find(|c| {
            c.id.as_str() == id_or_name
                || c.name == id_or_name
                || SfId::parse(id_or_name).is_some_and(|id| id == c.id)
        })
    }

    pub fn has_profile(&self, name: &str) -> bool {
        self.profiles.iter().any(|(n, l)| n == name || l == name)
    }

    pub fn has_permission_set(&self, name: &str) -> bool {
        self.permission_sets.iter().any(|n| n == name)
    }

    pub fn run_as_user(&self, username: &str) -> Option<&RunAsUser> {
        self.run_as
            .as_ref()
            .filter(|u| u.username.eq_ignore_ascii_case(username))
    }

    /// Fetches what `input` refers to.
    pub async fn load<S>(store: &S, org_id: &SfId, input: &AppInput) -> StoreResult<Self>
    where
        S: CertificateStore + PermissionStore + UserStore + ?Sized,
    {
        let certificates = store
            .list_certificates(org_id)
            .await?
            .into_iter()
            .map(|c| CertificateRef {
                id: c.id,
                name: c.name,
            })
            .collect();
        let profiles = store
            .list_bundles(BundleKind::Profile, org_id)
            .await?
            .into_iter()
            .map(|p| (p.name, p.label))
            .collect();
        let permission_sets = store
            .list_bundles(BundleKind::PermissionSet, org_id)
            .await?
            .into_iter()
            .map(|p| p.name)
            .collect();
        let username = input
            .oauth_config
            .as_ref()
            .and_then(|o| o.oauth_client_credential_user.as_deref());
        let run_as = match username.map(str::trim).filter(|u| !u.is_empty()) {
            Some(username) => run_as_user(store, org_id, username).await?,
            None => None,
        };
        Ok(Self {
            certificates,
            profiles,
            permission_sets,
            run_as,
        })
    }
}

async fn run_as_user<S>(store: &S, org_id: &SfId, username: &str) -> StoreResult<Option<RunAsUser>>
where
    S: PermissionStore + UserStore + ?Sized,
{
    let Some(user) = store
        .find_user_by_username(username)
        .await?
        .filter(|u| u.org_id == *org_id)
    else {
        return Ok(None);
    };
    let profile = store
        .find_bundle(BundleKind::Profile, &user.profile_id)
        .await?;
    let sets = store.user_permission_sets(&user.id).await?;
    let is_api_only = profile
        .iter()
        .chain(sets.iter())
        .any(|b| b.permissions.contains(&Permission::ApiUserOnly));
    Ok(Some(RunAsUser {
        username: user.username,
        is_active: user.is_active,
        is_api_only,
    }))
}

/// Resolves an app's `assetSigningCertId` (an id or a name) to the org's certificate.
pub async fn find_certificate<S>(
    store: &S,
    org_id: &SfId,
    id_or_name: &str,
) -> StoreResult<Option<OrgCertificate>>
where
    S: CertificateStore + ?Sized,
{
    if let Some(id) = SfId::parse(id_or_name)
        && let Some(cert) = store
            .find_certificate(&id)
            .await?
            .filter(|c| c.org_id == *org_id)
    {
        return Ok(Some(cert));
    }
    store.find_certificate_by_name(org_id, id_or_name).await
}
