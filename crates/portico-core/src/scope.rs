//! OAuth scopes as Salesforce defines them (`reference/salesforce-oauth.md` §7, §9): one table
//! maps each scope to its wire token, its Metadata API enum name and its synonyms; inclusion rules
//! (`api` ⊃ `chatter_api`, `web` ⊃ `visualforce`, `full` ⊃ everything but refresh) live in
//! [`ScopeSet::covers`].

use std::collections::BTreeSet;
use std::fmt;

/// One scope. The order of variants is the order scopes are listed in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Api,
    ChatterApi,
    CustomPermissions,
    Full,
    Id,
    OpenId,
    RefreshToken,
    Visualforce,
    Web,
    WaveApi,
    EclairApi,
    PardotApi,
    Lightning,
    Content,
    CdpIngestApi,
    ChatbotApi,
    ForgotPassword,
    UserRegistrationApi,
    PwdlessLoginApi,
    CdpApi,
    CdpQueryApi,
    CdpProfileApi,
    CdpSegmentApi,
    CdpIdentityResolutionApi,
    CdpCalculatedInsightApi,
    DataCloudUserClaims,
    InteractionApi,
    EinsteinGptApi,
    SfapApi,
    McpApi,
    ScrtApi,
}

mod table;

use table::{ScopeInfo, TABLE};

impl Scope {
    fn info(self) -> &'static ScopeInfo {
        TABLE
            .iter()
            .find(|i| i.scope == self)
            .unwrap_or_else(|| unreachable!("every scope is in the table"))
    }

    pub fn all() -> impl Iterator<Item = Self> {
        TABLE.iter().map(|i| i.scope)
    }

    pub fn token(self) -> &'static str {
        self.info().token
    }

    pub fn enum_name(self) -> &'static str {
        self.info().enum_name
    }

    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// Accepts a wire token, an enum name or a synonym of either (case-sensitive, as on the wire).
    pub fn parse(s: &str) -> Option<Self> {
        TABLE
            .iter()
            .find(|i| i.token == s || i.enum_name == s || i.synonyms.contains(&s))
            .map(|i| i.scope)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

/// A set of scopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a space-separated `scope` parameter; the error names the first unknown scope.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::parse_list(s.split_whitespace())
    }

    /// Parses a list of tokens or enum names; the error names the first unknown scope.
    pub fn parse_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        items
            .into_iter()
            .map(|s| Scope::parse(s).ok_or_else(|| s.to_owned()))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn insert(&mut self, scope: Scope) {
        self.0.insert(scope);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// True when these (granted) scopes give access that `needed` requires, following
    /// Salesforce's inclusions: `full` covers everything except `refresh_token`, `api` covers
    /// `chatter_api`, `web` covers `visualforce`.
    pub fn covers(&self, needed: Scope) -> bool {
        self.contains(needed)
            || (needed != Scope::RefreshToken && self.contains(Scope::Full))
            || (needed == Scope::ChatterApi && self.contains(Scope::Api))
            || (needed == Scope::Visualforce && self.contains(Scope::Web))
    }

    /// True when every scope of `requested` is among these (the app's selected) scopes.
    /// `full` on the app admits any requested scope but `refresh_token`, as Salesforce's `full`
    /// encompasses all other scopes.
    pub fn admits(&self, requested: &Self) -> Result<(), Scope> {
        requested
            .iter()
            .find(|s| !self.covers(*s))
            .map_or(Ok(()), Err)
    }

    /// Wire form: tokens separated by single spaces.
    pub fn to_wire(&self) -> String {
        self.iter().map(Scope::token).collect::<Vec<_>>().join(" ")
    }

    /// Metadata form: enum names.
    pub fn enum_names(&self) -> Vec<&'static str> {
        self.iter().map(Scope::enum_name).collect()
    }

    /// Intersection (used to narrow a refresh to a subset).
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        Self(self.0.intersection(&other.0).copied().collect())
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_enum_names_and_synonyms_parse_to_one_scope() {
        for s in [
            "id", "profile", "email", "address", "phone", "Basic", "Profile",
        ] {
            assert_eq!(Scope::parse(s), Some(Scope::Id), "{s}");
        }
        for s in [
            "refresh_token",
            "offline_access",
            "RefreshToken",
            "OfflineAccess",
        ] {
            assert_eq!(Scope::parse(s), Some(Scope::RefreshToken), "{s}");
        }
        assert_eq!(Scope::parse("visualforce"), Some(Scope::Visualforce));
        assert_eq!(Scope::parse("CustomApplications"), Some(Scope::Visualforce));
        assert_eq!(Scope::parse("Api"), Some(Scope::Api));
        assert_eq!(Scope::parse("API"), None);
    }

    #[test]
    fn every_scope_of_the_reference_table_is_known() {
        // `reference/salesforce-oauth.md` §7.1.
        let tokens = "api chatter_api full id profile email address phone openid refresh_token offline_access web \
                      visualforce custom_permissions wave_api eclair_api pardot_api lightning content cdp_api \
                      cdp_ingest_api cdp_query_api cdp_profile_api cdp_segment_api cdp_identityresolution_api \
                      cdp_calculated_insight_api data_cloud_user_claims chatbot_api interaction_api \
                      einstein_gpt_api sfap_api mcp_api scrt_api forgot_password user_registration_api \
                      pwdless_login_api";
        for token in tokens.split_whitespace() {
            let scope = Scope::parse(token).unwrap_or_else(|| panic!("{token}"));
            assert_eq!(Scope::parse(scope.enum_name()), Some(scope), "{token}");
        }
    }

    #[test]
    fn unknown_scope_is_named() {
        assert_eq!(ScopeSet::parse("api bogus web"), Err("bogus".to_owned()));
    }

    #[test]
    fn inclusions_follow_salesforce() {
        let granted = ScopeSet::parse("api web").unwrap();
        assert!(granted.covers(Scope::ChatterApi));
        assert!(granted.covers(Scope::Visualforce));
        assert!(!granted.covers(Scope::Id));
        let full = ScopeSet::parse("full").unwrap();
        assert!(full.covers(Scope::Api));
        assert!(!full.covers(Scope::RefreshToken));
    }

    #[test]
    fn wire_and_enum_forms() {
        let set = ScopeSet::parse("refresh_token api openid").unwrap();
        assert_eq!(set.to_wire(), "api openid refresh_token");
        assert_eq!(set.enum_names(), vec!["Api", "OpenID", "RefreshToken"]);
    }
}
