//! A connected app's policies (`reference/salesforce-oauth.md` §8.4–§8.6, Metadata API
//! `ConnectedAppOauthPolicy`, `ConnectedAppSessionPolicy`, `ConnectedAppIpRange`, §9): IP
//! relaxation, the refresh token policy, session policy and trusted IP ranges.

use serde::{Deserialize, Serialize};

/// "IP Relaxation" (§8.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IpRelaxation {
    #[default]
    Enforce,
    EnforceRelaxrefresh,
    #[serde(rename = "BYPASS_2FACTOR")]
    Bypass2factor,
    Bypass,
}

/// How long a refresh token lives, evaluated when it is used (`reference/salesforce-oauth.md` §8.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshTokenPolicy {
    #[default]
    Infinite,
    Zero,
    SpecificLifetime(u32, TimeUnit),
    SpecificInactivity(u32, TimeUnit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Hours,
    Days,
    Months,
}

impl TimeUnit {
    /// Seconds in `n` units; a month counts as 30 days.
    pub const fn seconds(self, n: u32) -> i64 {
        let n = n as i64;
        match self {
            Self::Hours => n * 3600,
            Self::Days => n * 86_400,
            Self::Months => n * 30 * 86_400,
        }
    }
}

impl RefreshTokenPolicy {
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{s}` is not a refresh token policy; use infinite, zero, \
                 specific_lifetime:N:HOURS|DAYS|MONTHS or specific_inactivity:N:HOURS|DAYS|MONTHS"
            )
        };
        match s {
            "infinite" => return Ok(Self::Infinite),
            "zero" => return Ok(Self::Zero),
            _ => {}
        }
        let mut parts = s.split(':');
        let (Some(kind), Some(n), Some(unit), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let n: u32 = n.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        let unit = match unit {
            "HOURS" => TimeUnit::Hours,
            "DAYS" => TimeUnit::Days,
            "MONTHS" => TimeUnit::Months,
            _ => return Err(bad()),
        };
        match kind {
            "specific_lifetime" => Ok(Self::SpecificLifetime(n, unit)),
            "specific_inactivity" => Ok(Self::SpecificInactivity(n, unit)),
            _ => Err(bad()),
        }
    }

    pub fn to_wire(self) -> String {
        let unit = |u: TimeUnit| match u {
            TimeUnit::Hours => "HOURS",
            TimeUnit::Days => "DAYS",
            TimeUnit::Months => "MONTHS",
        };
        match self {
            Self::Infinite => "infinite".to_owned(),
            Self::Zero => "zero".to_owned(),
            Self::SpecificLifetime(n, u) => format!("specific_lifetime:{n}:{}", unit(u)),
            Self::SpecificInactivity(n, u) => format!("specific_inactivity:{n}:{}", unit(u)),
        }
    }
}

impl Serialize for RefreshTokenPolicy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for RefreshTokenPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OAuthPolicy {
    #[serde(default)]
    pub ip_relaxation: IpRelaxation,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "specific_lifetime:3:DAYS"))]
    pub refresh_token_policy: RefreshTokenPolicy,
}

/// Session policy: the app's access-token lifetime and the session level it requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionPolicy {
    /// Access-token lifetime in minutes for this app; `None` uses the org default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_timeout: Option<u32>,
    /// What happens when the session is below `sessionLevel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_action: Option<PolicyAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_level: Option<SessionLevel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PolicyAction {
    Block,
    RaiseSessionLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionLevel {
    Standard,
    HighAssurance,
}

/// A trusted IP range of the app (`ConnectedAppIpRange`), both ends inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct IpRange {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub start: std::net::IpAddr,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub end: std::net::IpAddr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_token_policy_round_trips() {
        for s in [
            "infinite",
            "zero",
            "specific_lifetime:3:DAYS",
            "specific_inactivity:12:HOURS",
        ] {
            assert_eq!(RefreshTokenPolicy::parse(s).unwrap().to_wire(), s);
        }
        for bad in [
            "forever",
            "specific_lifetime:0:DAYS",
            "specific_lifetime:3:WEEKS",
            "specific_lifetime:3",
        ] {
            assert!(RefreshTokenPolicy::parse(bad).is_err(), "{bad}");
        }
    }
}
