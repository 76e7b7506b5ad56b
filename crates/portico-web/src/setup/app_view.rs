//! View Connected App (`/setup/apps/{fullName}`): every setting read-only, in the seed's order,
//! with the consumer key (and a copy button), Manage Consumer Details, Edit, Manage (policies)
//! and Delete, which asks first (`/delete`).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use portico_core::connected_app::certificate::inspect_certificate;
use portico_core::connected_app::{ConnectedApp, OAuthConfig};

use super::api::{answer, app_for_page, refusal};
use super::app_policies::{ip_relaxation_label, refresh_policy_label, session_timeout_label};
use super::page::{ButtonForm, Nav, SetupUser, Shell, check_csrf, done, format_time, note, show};
use crate::admin_api::apps;
use crate::state::AppState;

/// One read-only setting.
pub(crate) struct Row {
    pub(crate) label: &'static str,
    pub(crate) value: String,
    /// Long values take the whole width of the panel.
    pub(crate) wide: bool,
}

/// A titled group of settings.
pub(crate) struct Section {
    pub(crate) title: &'static str,
    pub(crate) rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "setup/app_view.html")]
struct AppViewPage {
    shell: Shell,
    label: String,
    full_name: String,
    consumer_key: Option<String>,
    sections: Vec<Section>,
    callback_urls: Vec<String>,
    scopes: Vec<&'static str>,
    is_packaged: bool,
}

fn yes_no(on: bool) -> String {
    if on { "Yes" } else { "No" }.to_owned()
}

fn or_dash(value: Option<&str>) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or("—").to_owned()
}

fn row(label: &'static str, value: String) -> Row {
    Row {
        label,
        value,
        wide: false,
    }
}

fn wide_row(label: &'static str, value: String) -> Row {
    Row {
        label,
        value,
        wide: true,
    }
}

fn basic(app: &ConnectedApp) -> Section {
    let s = &app.settings;
    let status = match (app.is_installed, app.is_packaged) {
        (true, true) => "Installed (packaged)",
        (true, false) => "Installed",
        (false, true) => "Not installed (packaged)",
        (false, false) => "Not installed",
    };
    Section {
        title: "Basic Information",
        rows: vec![
            row("Connected App Name", s.label.clone()),
            row("API Name", s.full_name.clone()),
            row("Contact Email", s.contact_email.clone()),
            row("Contact Phone", or_dash(s.contact_phone.as_deref())),
            row("Logo Image URL", or_dash(s.logo_url.as_deref())),
            row("Info URL", or_dash(s.info_url.as_deref())),
            row("Description", or_dash(s.description.as_deref())),
            row("Status", status.to_owned()),
            row("Created", format_time(app.created_at.0)),
            row("Last Modified", format_time(app.updated_at.0)),
        ],
    }
}

/// The OAuth settings after the callback URLs and scopes, which the template lists itself.
fn oauth(o: &OAuthConfig) -> Section {
    let mut rows = vec![row(
        "Enable for Device Flow",
        yes_no(o.is_device_flow_enabled),
    )];
    match o.certificate.as_deref().map(inspect_certificate) {
        None => rows.push(row("Use Digital Signatures", "No".to_owned())),
        Some(Ok(i)) => rows.extend([
            wide_row(
                "Use Digital Signatures",
                format!(
                    "{} ({}), expires {}",
                    i.subject,
                    i.key_type,
                    format_time(i.expires_at.0)
                ),
            ),
            wide_row("Certificate SHA-256", i.sha256_fingerprint),
        ]),
        Some(Err(_)) => rows.push(row(
            "Use Digital Signatures",
            "Yes (unreadable certificate)".to_owned(),
        )),
    }
    rows.extend([
        row(
            "Require Secret for Web Server Flow",
            yes_no(!o.is_consumer_secret_optional),
        ),
        row(
            "Require Secret for Refresh Token Flow",
            yes_no(o.is_secret_required_for_refresh_token),
        ),
        row("Require PKCE", yes_no(o.is_pkce_required)),
        row("Introspect All Tokens", yes_no(o.is_introspect_all_tokens)),
    ]);
    match &o.id_token_config {
        None => rows.push(row("Configure ID Token", "No".to_owned())),
        Some(c) => rows.extend([
            row(
                "ID Token Valid for",
                format!("{} minutes", c.id_token_validity),
            ),
            row("ID Token Audiences", or_dash(Some(&c.id_token_audience))),
            row(
                "Include Standard Claims",
                yes_no(c.id_token_include_standard_claims),
            ),
            row(
                "Include Custom Attributes (ID token)",
                yes_no(c.id_token_include_attributes),
            ),
            row(
                "Include Custom Permissions (ID token)",
                yes_no(c.id_token_include_custom_perms),
            ),
        ]),
    }
    match &o.asset_token_config {
        None => rows.push(row("Enable Asset Tokens", "No".to_owned())),
        Some(c) => rows.extend([
            row(
                "Asset Token Valid for",
                format!("{} minutes", c.asset_validity_period),
            ),
            row("Asset Signing Certificate", c.asset_signing_cert_id.clone()),
            row("Asset Audiences", c.asset_audiences.clone()),
            row(
                "Include Custom Attributes (asset token)",
                yes_no(c.asset_include_attributes),
            ),
            row(
                "Include Custom Permissions (asset token)",
                yes_no(c.asset_include_custom_perms),
            ),
        ]),
    }
    rows.extend([
        row("Single Logout URL", or_dash(o.single_logout_url.as_deref())),
        row(
            "Enable Client Credentials Flow",
            yes_no(o.is_client_credential_enabled),
        ),
        row("Run As", or_dash(o.oauth_client_credential_user.as_deref())),
        row(
            "Enable Refresh Token Rotation",
            yes_no(o.is_refresh_token_rotation_enabled),
        ),
        row(
            "JWT-based Access Tokens",
            yes_no(o.is_named_user_jwt_enabled),
        ),
    ]);
    Section {
        title: "API (Enable OAuth Settings)",
        rows,
    }
}

fn policies(app: &ConnectedApp) -> Section {
    let s = &app.settings;
    let permitted = if app.oauth().is_some_and(|o| o.is_admin_approved) {
        "Admin approved users are pre-authorized"
    } else {
        "All users may self-authorize"
    };
    let names = |v: &[String]| {
        if v.is_empty() {
            "—".to_owned()
        } else {
            v.join(", ")
        }
    };
    let attributes = s
        .attributes
        .iter()
        .map(|a| format!("{} = {}", a.key, a.formula))
        .collect::<Vec<_>>();
    Section {
        title: "OAuth Policies",
        rows: vec![
            row("Permitted Users", permitted.to_owned()),
            row(
                "IP Relaxation",
                ip_relaxation_label(s.oauth_policy.ip_relaxation).to_owned(),
            ),
            row(
                "Refresh Token Policy",
                refresh_policy_label(s.oauth_policy.refresh_token_policy),
            ),
            row(
                "Timeout Value",
                session_timeout_label(s.session_policy.session_timeout),
            ),
            row("Profiles", names(&s.profile_name)),
            row("Permission Sets", names(&s.permission_set_name)),
            row("Custom Attributes", names(&attributes)),
        ],
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
    let mut sections = vec![basic(&app)];
    let (callback_urls, scopes) = match app.oauth() {
        Some(o) => {
            sections.push(oauth(o));
            let mut scopes: Vec<_> = o.scopes.iter().map(|s| s.label()).collect();
            scopes.sort_unstable();
            (o.callback_url.clone(), scopes)
        }
        None => (Vec::new(), Vec::new()),
    };
    sections.push(policies(&app));
    let (jar, shell) = Shell::open(&state, jar, &user, Nav::Apps);
    let page = AppViewPage {
        shell,
        label: app.settings.label.clone(),
        full_name: app.full_name().to_owned(),
        consumer_key: app.oauth().map(|_| app.consumer_key.clone()),
        sections,
        callback_urls,
        scopes,
        is_packaged: app.is_packaged,
    };
    show(jar, &page)
}

#[derive(Template)]
#[template(path = "setup/confirm.html")]
pub(crate) struct ConfirmPage {
    pub(crate) shell: Shell,
    pub(crate) heading: String,
    pub(crate) message: String,
    pub(crate) action: String,
    pub(crate) button: &'static str,
    pub(crate) cancel: String,
}

/// Delete asks first, on a page of its own (no script needed).
pub(crate) async fn confirm_delete(
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
    let page = ConfirmPage {
        shell,
        heading: format!("Delete {}?", app.settings.label),
        message: "Deleting the connected app revokes every token issued to it and every user's approval. This can't be undone.".to_owned(),
        action: format!("/setup/apps/{name}/delete"),
        button: "Delete",
        cancel: format!("/setup/apps/{name}"),
    };
    show(jar, &page)
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    Path(name): Path<String>,
    axum::Form(form): axum::Form<ButtonForm>,
) -> Response {
    if let Err(refused) = check_csrf(&jar, form.csrf_token.as_deref()) {
        return refused;
    }
    let deleted = apps::delete(State(state.clone()), user.caller(), Path(name.clone()));
    match answer(deleted.await).await {
        Ok(_) => done(
            &state,
            jar,
            "/setup/apps",
            &note(format!("Connected app {name} was deleted.")),
        ),
        Err(e) => refusal(&e),
    }
}
