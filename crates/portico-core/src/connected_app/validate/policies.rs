//! Validation of an app's policies and assignments (`reference/salesforce-oauth.md` §8, §10):
//! profiles and permission sets (admin-approved apps only, no duplicates), custom attributes and
//! their formulas, custom permissions, trusted IP ranges, the OAuth policy (IP relaxation,
//! refresh token policy) and the session policy.

use super::super::formula::Formula;
use super::super::input::{
    AttributeInput, FieldError, IpRangeInput, OAuthPolicyInput, SessionPolicyInput,
};
use super::super::org_certificate::check_developer_name;
use super::super::{
    Attribute, IpRange, IpRelaxation, OAuthPolicy, PolicyAction, RefreshTokenPolicy, SessionLevel,
    SessionPolicy,
};
use super::optional;

/// Attribute keys longer than this are refused (Salesforce: 128).
const MAX_ATTRIBUTE_KEY_CHARS: usize = 128;
/// Session timeouts Salesforce offers go up to 24 hours.
const MAX_SESSION_TIMEOUT_MINUTES: i64 = 24 * 60;

/// `profileName` / `permissionSetName`: blank entries clear, duplicates and unknown names are
/// errors, and any name needs an admin-approved app.
pub(super) fn assignments(
    e: &mut Vec<FieldError>,
    field: &str,
    input: Option<Vec<String>>,
    admin_approved: bool,
    exists: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, name) in input.unwrap_or_default().into_iter().enumerate() {
        let name = name.trim().to_owned();
        if name.is_empty() {
            continue;
        }
        if names.contains(&name) {
            e.push(FieldError::invalid(
                format!("{field}[{i}]"),
                format!("`{name}` is listed twice in {field}"),
            ));
            continue;
        }
        if !exists(&name) {
            let what = if field == "profileName" {
                "profile"
            } else {
                "permission set"
            };
            e.push(FieldError::invalid(
                format!("{field}[{i}]"),
                format!("no {what} named `{name}` in the org"),
            ));
        }
        names.push(name);
    }
    if !names.is_empty() && !admin_approved {
        e.push(FieldError::integrity(
            field,
            format!(
                "{field} can be assigned only when Permitted Users is \"Admin approved users are pre-authorized\" \
                 (oauthConfig.isAdminApproved: true)"
            ),
        ));
    }
    names
}

pub(super) fn attributes(
    e: &mut Vec<FieldError>,
    input: Option<Vec<AttributeInput>>,
) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = Vec::new();
    for (i, a) in input.unwrap_or_default().into_iter().enumerate() {
        let key = optional(a.key);
        let formula = optional(a.formula);
        match key.as_deref() {
            None => e.push(FieldError::missing(
                format!("attributes[{i}].key"),
                format!("Required fields are missing: [attributes[{i}].key]"),
            )),
            Some(k) if k.chars().count() > MAX_ATTRIBUTE_KEY_CHARS => e.push(FieldError::invalid(
                format!("attributes[{i}].key"),
                format!("attribute keys can be at most {MAX_ATTRIBUTE_KEY_CHARS} characters"),
            )),
            Some(k) if out.iter().any(|a| a.key.eq_ignore_ascii_case(k)) => {
                e.push(FieldError::invalid(
                    format!("attributes[{i}].key"),
                    format!("the attribute key `{k}` is used twice"),
                ));
            }
            Some(_) => {}
        }
        match formula.as_deref() {
            None => e.push(FieldError::missing(
                format!("attributes[{i}].formula"),
                format!("Required fields are missing: [attributes[{i}].formula]"),
            )),
            Some(f) => {
                if let Err(err) = Formula::parse(f) {
                    e.push(FieldError::invalid(
                        format!("attributes[{i}].formula"),
                        format!(
                            "the formula `{f}` of attribute `{}` is invalid: {err}",
                            key.as_deref().unwrap_or("?")
                        ),
                    ));
                }
            }
        }
        if let (Some(key), Some(formula)) = (key, formula) {
            out.push(Attribute { key, formula });
        }
    }
    out
}

pub(super) fn custom_permissions(
    e: &mut Vec<FieldError>,
    input: Option<Vec<String>>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, name) in input.unwrap_or_default().into_iter().enumerate() {
        let name = name.trim().to_owned();
        let field = format!("customPermissions[{i}]");
        if let Err(msg) = check_developer_name(&name) {
            e.push(FieldError::invalid(field, msg));
        } else if out.contains(&name) {
            e.push(FieldError::invalid(
                field,
                format!("`{name}` is listed twice"),
            ));
        } else {
            out.push(name);
        }
    }
    out
}

pub(super) fn ip_ranges(e: &mut Vec<FieldError>, input: Option<Vec<IpRangeInput>>) -> Vec<IpRange> {
    let mut out = Vec::new();
    for (i, r) in input.unwrap_or_default().into_iter().enumerate() {
        let parse = |e: &mut Vec<FieldError>, name: &str, v: Option<String>| {
            let field = format!("ipRanges[{i}].{name}");
            match optional(v) {
                None => {
                    e.push(FieldError::missing(
                        field.clone(),
                        format!("Required fields are missing: [{field}]"),
                    ));
                    None
                }
                Some(v) => {
                    let ip = v.parse::<std::net::IpAddr>().ok();
                    if ip.is_none() {
                        e.push(FieldError::invalid(
                            field,
                            format!("`{v}` is not an IP address"),
                        ));
                    }
                    ip
                }
            }
        };
        let start = parse(e, "start", r.start);
        let end = parse(e, "end", r.end);
        let (Some(start), Some(end)) = (start, end) else {
            continue;
        };
        if start.is_ipv4() != end.is_ipv4() || start > end {
            e.push(FieldError::invalid(
                format!("ipRanges[{i}]"),
                format!("the range {start}–{end} is empty or mixes IPv4 and IPv6: the start must not be after the end"),
            ));
            continue;
        }
        out.push(IpRange {
            start,
            end,
            description: optional(r.description),
        });
    }
    out
}

pub(super) fn oauth_policy(
    e: &mut Vec<FieldError>,
    input: Option<OAuthPolicyInput>,
) -> OAuthPolicy {
    let input = input.unwrap_or_default();
    let mut policy = OAuthPolicy::default();
    if let Some(raw) = optional(input.ip_relaxation) {
        match serde_json::from_value::<IpRelaxation>(serde_json::Value::String(raw.clone())) {
            Ok(v) => policy.ip_relaxation = v,
            Err(_) => e.push(FieldError::invalid(
                "oauthPolicy.ipRelaxation",
                format!("`{raw}` is not an IP relaxation; use ENFORCE, ENFORCE_RELAXREFRESH, BYPASS_2FACTOR or BYPASS"),
            )),
        }
    }
    if let Some(raw) = optional(input.refresh_token_policy) {
        match RefreshTokenPolicy::parse(&raw) {
            Ok(v) => policy.refresh_token_policy = v,
            Err(msg) => e.push(FieldError::invalid("oauthPolicy.refreshTokenPolicy", msg)),
        }
    }
    policy
}

pub(super) fn session_policy(
    e: &mut Vec<FieldError>,
    input: Option<SessionPolicyInput>,
) -> SessionPolicy {
    let input = input.unwrap_or_default();
    let mut policy = SessionPolicy::default();
    match input.session_timeout {
        None => {}
        Some(m) if (1..=MAX_SESSION_TIMEOUT_MINUTES).contains(&m) => {
            policy.session_timeout = u32::try_from(m).ok();
        }
        Some(m) => e.push(FieldError::invalid(
            "sessionPolicy.sessionTimeout",
            format!("sessionTimeout is {m}; it must be 1 to {MAX_SESSION_TIMEOUT_MINUTES} minutes"),
        )),
    }
    if let Some(raw) = optional(input.policy_action) {
        match raw.as_str() {
            "Block" => policy.policy_action = Some(PolicyAction::Block),
            "RaiseSessionLevel" => policy.policy_action = Some(PolicyAction::RaiseSessionLevel),
            _ => e.push(FieldError::invalid(
                "sessionPolicy.policyAction",
                format!("`{raw}` is not a policy action; use Block or RaiseSessionLevel"),
            )),
        }
    }
    if let Some(raw) = optional(input.session_level) {
        match raw.as_str() {
            "STANDARD" => policy.session_level = Some(SessionLevel::Standard),
            "HIGH_ASSURANCE" => policy.session_level = Some(SessionLevel::HighAssurance),
            _ => e.push(FieldError::invalid(
                "sessionPolicy.sessionLevel",
                format!("`{raw}` is not a session level; use STANDARD or HIGH_ASSURANCE"),
            )),
        }
    }
    policy
}
