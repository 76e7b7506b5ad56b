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

struct ScopeInfo {
    scope: Scope,
    /// The token on the wire (what `scope=` carries and responses list).
    token: &'static str,
    /// The `ConnectedAppOauthAccessScope` enum name (what metadata and the admin API use).
    enum_name: &'static str,
    /// Other wire tokens and enum names that mean the same scope.
    synonyms: &'static [&'static str],
    /// Words on the consent page and in Setup.
    label: &'static str,
}

const TABLE: &[ScopeInfo] = &[
    ScopeInfo { scope: Scope::Api, token: "api", enum_name: "Api", synonyms: &[], label: "Access and manage your data (api)" },
    ScopeInfo { scope: Scope::ChatterApi, token: "chatter_api", enum_name: "Chatter", synonyms: &[], label: "Access and manage your Chatter feed (chatter_api)" },
    ScopeInfo { scope: Scope::CustomPermissions, token: "custom_permissions", enum_name: "CustomPermissions", synonyms: &[], label: "Access custom permissions (custom_permissions)" },
    ScopeInfo { scope: Scope::Full, token: "full", enum_name: "Full", synonyms: &[], label: "Full access (full)" },
    ScopeInfo {
        scope: Scope::Id,
        token: "id",
        enum_name: "Basic",
        synonyms: &["profile", "email", "address", "phone", "Profile", "Email", "Address", "Phone"],
        label: "Access your basic information (id, profile, email, address, phone)",
    },
    ScopeInfo { scope: Scope::OpenId, token: "openid", enum_name: "OpenID", synonyms: &[], label: "Allow access to your unique identifier (openid)" },
    ScopeInfo {
        scope: Scope::RefreshToken,
        token: "refresh_token",
        enum_name: "RefreshToken",
        synonyms: &["offline_access", "OfflineAccess"],
        label: "Perform requests on your behalf at any time (refresh_token, offline_access)",
    },
    ScopeInfo { scope: Scope::Visualforce, token: "visualforce", enum_name: "CustomApplications", synonyms: &[], label: "Provide access to custom applications (visualforce)" },
    ScopeInfo { scope: Scope::Web, token: "web", enum_name: "Web", synonyms: &[], label: "Provide access to your data via the Web (web)" },
    ScopeInfo { scope: Scope::WaveApi, token: "wave_api", enum_name: "Wave", synonyms: &[], label: "Access Analytics REST API resources (wave_api)" },
    ScopeInfo { scope: Scope::EclairApi, token: "eclair_api", enum_name: "Eclair", synonyms: &[], label: "Access Analytics Charts Geodata (eclair_api)" },
    ScopeInfo { scope: Scope::PardotApi, token: "pardot_api", enum_name: "Pardot", synonyms: &[], label: "Access Pardot services (pardot_api)" },
    ScopeInfo { scope: Scope::Lightning, token: "lightning", enum_name: "Lightning", synonyms: &[], label: "Access Lightning applications (lightning)" },
    ScopeInfo { scope: Scope::Content, token: "content", enum_name: "Content", synonyms: &[], label: "Access content resources (content)" },
    ScopeInfo { scope: Scope::CdpIngestApi, token: "cdp_ingest_api", enum_name: "CDPIngest", synonyms: &[], label: "Access Data Cloud Ingestion API (cdp_ingest_api)" },
    ScopeInfo { scope: Scope::ChatbotApi, token: "chatbot_api", enum_name: "Chatbot", synonyms: &[], label: "Access chatbot services (chatbot_api)" },
    ScopeInfo { scope: Scope::ForgotPassword, token: "forgot_password", enum_name: "ForgotPassword", synonyms: &[], label: "Allow access to the forgot password API (forgot_password)" },
    ScopeInfo { scope: Scope::UserRegistrationApi, token: "user_registration_api", enum_name: "UserRegistration", synonyms: &[], label: "Allow access to the user registration API (user_registration_api)" },
    ScopeInfo { scope: Scope::PwdlessLoginApi, token: "pwdless_login_api", enum_name: "PwdlessLogin", synonyms: &[], label: "Allow access to the passwordless login API (pwdless_login_api)" },
    // The 2026 scopes below have no documented Metadata API enum names (§9 [U]); these follow the
    // `CDPIngest` pattern, and the wire tokens are accepted everywhere too.
    ScopeInfo { scope: Scope::CdpApi, token: "cdp_api", enum_name: "CDP", synonyms: &[], label: "Manage Data Cloud data (cdp_api)" },
    ScopeInfo { scope: Scope::CdpQueryApi, token: "cdp_query_api", enum_name: "CDPQuery", synonyms: &[], label: "Perform ANSI SQL queries on Data Cloud data (cdp_query_api)" },
    ScopeInfo { scope: Scope::CdpProfileApi, token: "cdp_profile_api", enum_name: "CDPProfile", synonyms: &[], label: "Manage Data Cloud profile data (cdp_profile_api)" },
    ScopeInfo { scope: Scope::CdpSegmentApi, token: "cdp_segment_api", enum_name: "CDPSegment", synonyms: &[], label: "Manage Data Cloud segments (cdp_segment_api)" },
    ScopeInfo { scope: Scope::CdpIdentityResolutionApi, token: "cdp_identityresolution_api", enum_name: "CDPIdentityResolution", synonyms: &[], label: "Manage Data Cloud identity resolution (cdp_identityresolution_api)" },
    ScopeInfo { scope: Scope::CdpCalculatedInsightApi, token: "cdp_calculated_insight_api", enum_name: "CDPCalculatedInsight", synonyms: &[], label: "Manage Data Cloud calculated insights (cdp_calculated_insight_api)" },
    ScopeInfo { scope: Scope::DataCloudUserClaims, token: "data_cloud_user_claims", enum_name: "DataCloudUserClaims", synonyms: &[], label: "Access Data Cloud user claims (data_cloud_user_claims)" },
    ScopeInfo { scope: Scope::InteractionApi, token: "interaction_api", enum_name: "Interaction", synonyms: &[], label: "Access the Interaction Service API (interaction_api)" },
    ScopeInfo { scope: Scope::EinsteinGptApi, token: "einstein_gpt_api", enum_name: "EinsteinGPT", synonyms: &[], label: "Access the Models API (einstein_gpt_api)" },
    ScopeInfo { scope: Scope::SfapApi, token: "sfap_api", enum_name: "SFAP", synonyms: &[], label: "Access the Salesforce API Platform (sfap_api)" },
    ScopeInfo { scope: Scope::McpApi, token: "mcp_api", enum_name: "MCP", synonyms: &[], label: "Access Salesforce-hosted MCP servers (mcp_api)" },
    ScopeInfo { scope: Scope::ScrtApi, token: "scrt_api", enum_name: "SCRT", synonyms: &[], label: "Access Service Cloud real-time APIs (scrt_api)" },
];

impl Scope {
    fn info(self) -> &'static ScopeInfo {
        TABLE.iter().find(|i| i.scope == self).unwrap_or_else(|| unreachable!("every scope is in the table"))
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
        requested.iter().find(|s| !self.covers(*s)).map_or(Ok(()), Err)
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
        for s in ["id", "profile", "email", "address", "phone", "Basic", "Profile"] {
            assert_eq!(Scope::parse(s), Some(Scope::Id), "{s}");
        }
        for s in ["refresh_token", "offline_access", "RefreshToken", "OfflineAccess"] {
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
