//! What the server tells about a user: the UserInfo response (OIDC Core §5.3, Salesforce's field
//! set in `reference/salesforce-oauth.md` §6.2) and the identity URL response (§6.3), built from
//! one user record so the two never disagree.

use serde_json::{Map, Value, json};

use crate::org::{Org, User};
use crate::token::issue::identity_url;

/// Salesforce REST API version used in the `urls` of identity responses.
pub const API_VERSION: &str = "62.0";

fn iso8601(millis: i64) -> String {
    // Civil-from-days (Howard Hinnant's algorithm): no date crate needed for one format.
    let secs = millis.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The `urls` object of identity responses, `{version}` replaced when a version is given.
fn urls(instance: &str, org: &Org, user: &User, version: Option<&str>) -> Value {
    let v = version.unwrap_or("{version}");
    let org15 = org.id.id15();
    json!({
        "enterprise": format!("{instance}/services/Soap/c/{v}/{org15}"),
        "metadata": format!("{instance}/services/Soap/m/{v}/{org15}"),
        "partner": format!("{instance}/services/Soap/u/{v}/{org15}"),
        "rest": format!("{instance}/services/data/v{v}/"),
        "sobjects": format!("{instance}/services/data/v{v}/sobjects/"),
        "search": format!("{instance}/services/data/v{v}/search/"),
        "query": format!("{instance}/services/data/v{v}/query/"),
        "recent": format!("{instance}/services/data/v{v}/recent/"),
        "profile": format!("{instance}/{}", user.id),
        "custom_domain": instance,
    })
}

/// The UserInfo response.
pub fn userinfo(issuer: &str, instance: &str, org: &Org, user: &User) -> Map<String, Value> {
    let sub = identity_url(issuer, &org.id, &user.id);
    let value = json!({
        "sub": sub,
        "user_id": user.id,
        "organization_id": org.id,
        "preferred_username": user.username,
        "nickname": user.username.split('@').next().unwrap_or_default(),
        "name": user.display_name(),
        "email": user.email,
        "email_verified": true,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": user.time_zone,
        "photos": {"picture": format!("{instance}/img/userprofile/default_profile_200_v2.png"), "thumbnail": format!("{instance}/img/userprofile/default_profile_45_v2.png")},
        "profile": format!("{instance}/{}", user.id),
        "picture": format!("{instance}/img/userprofile/default_profile_200_v2.png"),
        "address": {},
        "is_salesforce_integration_user": false,
        "urls": urls(instance, org, user, Some(API_VERSION)),
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": user.locale,
        "locale": user.locale,
        "utcOffset": 0,
        "updated_at": iso8601(user.updated_at.0),
        "is_app_installed": true,
    });
    value.as_object().cloned().unwrap_or_default()
}

/// The identity URL response.
pub fn identity(
    issuer: &str,
    instance: &str,
    org: &Org,
    user: &User,
    version: Option<&str>,
) -> Map<String, Value> {
    let value = json!({
        "id": identity_url(issuer, &org.id, &user.id),
        "asserted_user": true,
        "user_id": user.id,
        "organization_id": org.id,
        "username": user.username,
        "nick_name": user.username.split('@').next().unwrap_or_default(),
        "display_name": user.display_name(),
        "email": user.email,
        "email_verified": true,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": user.time_zone,
        "photos": {"picture": format!("{instance}/img/userprofile/default_profile_200_v2.png"), "thumbnail": format!("{instance}/img/userprofile/default_profile_45_v2.png")},
        "addr_street": null, "addr_city": null, "addr_state": null, "addr_country": null, "addr_zip": null,
        "mobile_phone": null,
        "mobile_phone_verified": false,
        "is_lightning_login_user": false,
        "status": {"created_date": null, "body": null},
        "urls": urls(instance, org, user, version),
        "active": user.is_active,
        "user_type": "STANDARD",
        "language": user.locale,
        "locale": user.locale,
        "utcOffset": 0,
        "last_modified_date": iso8601(user.updated_at.0),
        "is_app_installed": true,
    });
    value.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn iso8601_formats_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_566_865_612_000), "2019-08-27T00:26:52Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}
