//! Manage Connected App (`/setup/apps/{fullName}/policies`): Permitted Users, IP Relaxation,
//! Refresh Token Policy and the session timeout; the assigned profiles and permission sets,
//! which only users with the seed's "Customize Application AND Modify All Data AND Manage
//! Profiles and Permission Sets" may change; custom attributes (`app_attributes`); install and
//! uninstall. Saving is a merge patch through the admin API, so its checks apply unchanged.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::{
    Attribute, ConnectedApp, IpRelaxation, RefreshTokenPolicy, TimeUnit,
};
use portico_core::store::BundleKind;
use serde_json::{Value, json};

use super::api::{FormErrors, answer, app_for_page};
use super::app_install::install_action_label;
use super::page::{Fields, Nav, SetupUser, Shell, done, note, show, show_invalid};
use crate::admin_api::app_lifecycle::install_action;
use crate::admin_api::app_support::refuse_builtin;
use crate::admin_api::{Body, apps};
use crate::state::AppState;

pub(crate) fn ip_relaxation_label(value: IpRelaxation) -> &'static str {
    match value {
        IpRelaxation::Enforce => "Enforce IP restrictions",
        IpRelaxation::EnforceRelaxrefresh => {
            "Enforce IP restrictions, but relax for refresh tokens"
        }
        IpRelaxation::Bypass2factor => "Relax IP restrictions for activated devices",
        IpRelaxation::Bypass => "Relax IP restrictions",
    }
}

const IP_RELAXATIONS: [(&str, IpRelaxation); 4] = [
    ("ENFORCE", IpRelaxation::Enforce),
    ("ENFORCE_RELAXREFRESH", IpRelaxation::EnforceRelaxrefresh),
    ("BYPASS_2FACTOR", IpRelaxation::Bypass2factor),
    ("BYPASS", IpRelaxation::Bypass),
];

const fn unit_name(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Hours => "HOURS",
        TimeUnit::Days => "DAYS",
        TimeUnit::Months => "MONTHS",
    }
}

pub(crate) fn refresh_policy_label(policy: RefreshTokenPolicy) -> String {
    let unit = |u: TimeUnit| unit_name(u).to_lowercase();
    match policy {
        RefreshTokenPolicy::Infinite => "Refresh token is valid until revoked".to_owned(),
        RefreshTokenPolicy::Zero => "Immediately expire refresh token".to_owned(),
        RefreshTokenPolicy::SpecificLifetime(n, u) => {
            format!("Expire refresh token after {n} {}", unit(u))
        }
        RefreshTokenPolicy::SpecificInactivity(n, u) => {
            format!("Expire refresh token if not used for {n} {}", unit(u))
        }
    }
}

pub(crate) fn session_timeout_label(minutes: Option<u32>) -> String {
    match minutes {
        None => "None (the org's default)".to_owned(),
        Some(m) if m % 60 == 0 && m >= 60 => {
            format!("{} hour{}", m / 60, if m == 60 { "" } else { "s" })
        }
        Some(m) => format!("{m} minutes"),
    }
}

/// Salesforce's choices for the timeout, in minutes.
const TIMEOUTS: [u32; 8] = [15, 30, 60, 120, 240, 480, 720, 1440];

/// The policy form as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyForm {
    pub(crate) admin_approved: bool,
    pub(crate) ip_relaxation: String,
    /// `infinite`, `zero`, `lifetime` or `inactivity`.
    pub(crate) refresh: String,
    pub(crate) refresh_n: String,
    pub(crate) refresh_unit: String,
    pub(crate) session_timeout: String,
    pub(crate) profiles: Vec<String>,
    pub(crate) permission_sets: Vec<String>,
}

impl PolicyForm {
    pub(crate) fn from_app(app: &ConnectedApp) -> Self {
        let s = &app.settings;
        let ip = IP_RELAXATIONS
            .iter()
            .find(|(_, v)| *v == s.oauth_policy.ip_relaxation)
            .map_or("ENFORCE", |(k, _)| k);
        let (refresh, n, unit) = match s.oauth_policy.refresh_token_policy {
            RefreshTokenPolicy::Infinite => ("infinite", String::new(), "DAYS"),
            RefreshTokenPolicy::Zero => ("zero", String::new(), "DAYS"),
            RefreshTokenPolicy::SpecificLifetime(n, u) => ("lifetime", n.to_string(), unit_name(u)),
            RefreshTokenPolicy::SpecificInactivity(n, u) => {
                ("inactivity", n.to_string(), unit_name(u))
            }
        };
        Self {
            admin_approved: app.oauth().is_some_and(|o| o.is_admin_approved),
            ip_relaxation: ip.to_owned(),
            refresh: refresh.to_owned(),
            refresh_n: n,
            refresh_unit: unit.to_owned(),
            session_timeout: s
                .session_policy
                .session_timeout
                .map(|m| m.to_string())
                .unwrap_or_default(),
            profiles: s.profile_name.clone(),
            permission_sets: s.permission_set_name.clone(),
        }
    }

    fn from_fields(f: &Fields) -> Self {
        Self {
            admin_approved: f.get("permitted_users") == "admin",
            ip_relaxation: f.get("ip_relaxation").to_owned(),
            refresh: f.get("refresh_policy").to_owned(),
            refresh_n: f.get("refresh_n").trim().to_owned(),
            refresh_unit: f.get("refresh_unit").to_owned(),
            session_timeout: f.get("session_timeout").to_owned(),
            profiles: f.all("profiles"),
            permission_sets: f.all("permission_sets"),
        }
    }

    /// The merge patch; the assignments only for users who may change them, so that the API's
    /// check sees no change from anyone else.
    fn to_patch(&self, app: &ConnectedApp, may_assign: bool) -> Value {
        let refresh = match self.refresh.as_str() {
            "zero" => "zero".to_owned(),
            "lifetime" => format!("specific_lifetime:{}:{}", self.refresh_n, self.refresh_unit),
            "inactivity" => format!(
                "specific_inactivity:{}:{}",
                self.refresh_n, self.refresh_unit
            ),
            _ => "infinite".to_owned(),
        };
        let timeout = self
            .session_timeout
            .trim()
            .parse::<i64>()
            .map_or(Value::Null, Value::from);
        let mut patch = json!({
            "oauthPolicy": {"ipRelaxation": self.ip_relaxation, "refreshTokenPolicy": refresh},
            "sessionPolicy": {"sessionTimeout": timeout},
        });
        if app.oauth().is_some() {
            patch["oauthConfig"] = json!({"isAdminApproved": self.admin_approved});
        }
        if may_assign {
            patch["profileName"] = json!(self.profiles);
            patch["permissionSetName"] = json!(self.permission_sets);
        }
        patch
    }
}

fn field_for(path: &str) -> Option<String> {
    let field = match path {
        "oauthPolicy.ipRelaxation" => "ip_relaxation",
        "oauthPolicy.refreshTokenPolicy" => "refresh_policy",
        "sessionPolicy.sessionTimeout" => "session_timeout",
        "oauthConfig.isAdminApproved" => "permitted_users",
        p if p.starts_with("profileName") => "profiles",
        p if p.starts_with("permissionSetName") => "permission_sets",
        _ => return None,
    };
    Some(field.to_owned())
}

/// One checkbox of the assignment lists: (name, label, checked).
pub(crate) type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "setup/app_policies.html")]
pub(crate) struct PoliciesPage {
    pub(crate) shell: Shell,
    pub(crate) label: String,
    pub(crate) full_name: String,
    pub(crate) oauth_enabled: bool,
    pub(crate) form: PolicyForm,
    pub(crate) errors: FormErrors,
    pub(crate) ip_choices: Vec<(&'static str, &'static str)>,
    pub(crate) timeouts: Vec<(String, String)>,
    pub(crate) profiles: Vec<Choice>,
    pub(crate) permission_sets: Vec<Choice>,
    pub(crate) may_assign: bool,
    pub(crate) attributes: Vec<Attribute>,
    /// The attribute being added, as typed: (key, formula).
    pub(crate) new_attribute: (String, String),
    pub(crate) is_installed: bool,
    pub(crate) is_packaged: bool,
    pub(crate) install_needs: &'static str,
    pub(crate) may_install: bool,
    /// The built-in CLI app, which can't be uninstalled.
    pub(crate) builtin: bool,
}

/// The page for `app` with a policy form and errors.
pub(crate) async fn policies_page(
    state: &AppState,
    user: &SetupUser,
    shell: Shell,
    app: &ConnectedApp,
    form: PolicyForm,
    new_attribute: (String, String),
    errors: FormErrors,
) -> PoliciesPage {
    let bundles = |kind| async move {
        match state.store.list_bundles(kind, &user.org.id).await {
            Ok(all) => all,
            Err(e) => {
                tracing::error!(error = %e, "listing profiles or permission sets");
                Vec::new()
            }
        }
    };
    let choices =
        |all: Vec<portico_core::org::PermissionBundle>, chosen: &[String]| -> Vec<Choice> {
            all.into_iter()
                .map(|b| {
                    let on = chosen.contains(&b.name);
                    (b.name, b.label, on)
                })
                .collect()
        };
    let profiles = choices(bundles(BundleKind::Profile).await, &form.profiles);
    let permission_sets = choices(
        bundles(BundleKind::PermissionSet).await,
        &form.permission_sets,
    );
    let mut timeouts: Vec<(String, String)> = vec![(String::new(), session_timeout_label(None))];
    let mut minutes: Vec<u32> = TIMEOUTS.to_vec();
    if let Ok(current) = form.session_timeout.parse::<u32>() {
        minutes.push(current);
    }
    minutes.sort_unstable();
    minutes.dedup();
    timeouts.extend(
        minutes
            .into_iter()
            .map(|m| (m.to_string(), session_timeout_label(Some(m)))),
    );
    let action = install_action(app);
    PoliciesPage {
        shell,
        label: app.settings.label.clone(),
        full_name: app.full_name().to_owned(),
        oauth_enabled: app.oauth().is_some(),
        errors,
        ip_choices: IP_RELAXATIONS
            .iter()
            .map(|(k, v)| (*k, ip_relaxation_label(*v)))
            .collect(),
        timeouts,
        profiles,
        permission_sets,
        may_assign: user.may(AdminAction::AssignAppProfiles),
        attributes: app.settings.attributes.clone(),
        new_attribute,
        is_installed: app.is_installed,
        is_packaged: app.is_packaged,
        install_needs: install_action_label(action),
        may_install: user.may(action),
        builtin: refuse_builtin(app, "uninstalled").is_err(),
        form,
    }
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
) -> Response {
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    let form = PolicyForm::from_app(&app);
    let page = policies_page(
        &state,
        &user,
        shell,
        &app,
        form,
        Default::default(),
        FormErrors::new(),
    )
    .await;
    show(jar, &page)
}

pub(crate) async fn post(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let app = match app_for_page(&state, &user, &name).await {
        Ok(app) => app,
        Err(refused) => return refused,
    };
    let form = PolicyForm::from_fields(&fields);
    let patch = form.to_patch(&app, user.may(AdminAction::AssignAppProfiles));
    let saved = apps::patch(
        State(state.clone()),
        user.caller(),
        Path(name.clone()),
        Body(patch),
    );
    let mut errors = FormErrors::new();
    match answer(saved.await).await {
        Ok(_) => {
            return done(
                &state,
                jar,
                &format!("/setup/apps/{name}/policies"),
                &note("The policies were saved."),
            );
        }
        Err(e) => errors.absorb(e, field_for),
    }
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    let page = policies_page(&state, &user, shell, &app, form, Default::default(), errors).await;
    show_invalid(jar, &page)
}
