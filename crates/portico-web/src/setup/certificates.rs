//! Certificate and Key Management (`/setup/certificates`): the org's self-signed certificates,
//! which sign asset tokens, and a form to create one by name. The admin API's handlers, so the
//! same permissions as managing connected apps.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use serde_json::json;

use super::api::{FormErrors, answer, refusal, text};
use super::page::{Fields, Nav, SetupUser, Shell, done, format_time, note, show, show_invalid};
use crate::admin_api::Body;
use crate::admin_api::certificates::{self, CertificateInput};
use crate::error::ApiError;
use crate::state::AppState;

struct CertRow {
    id: String,
    name: String,
    subject: String,
    key_type: String,
    expires: String,
    fingerprint: String,
    pem: String,
}

#[derive(Template)]
#[template(path = "setup/certificates.html")]
struct CertificatesPage {
    shell: Shell,
    rows: Vec<CertRow>,
    name: String,
    errors: FormErrors,
}

async fn page(
    state: &AppState,
    jar: CookieJar,
    user: &SetupUser,
    name: String,
    errors: FormErrors,
) -> Response {
    let listed = match answer(certificates::list(State(state.clone()), user.caller()).await).await {
        Ok(v) => v,
        Err(e) => return refusal(&e),
    };
    let rows = listed
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| CertRow {
            id: text(c, "id"),
            name: text(c, "name"),
            subject: text(c, "subject"),
            key_type: text(c, "keyType"),
            expires: format_time(c["expiresAt"].as_i64().unwrap_or_default()),
            fingerprint: text(c, "sha256Fingerprint"),
            pem: text(c, "pem"),
        })
        .collect();
    let invalid = !errors.is_empty();
    let (jar, shell) = Shell::open(state, jar, user, Nav::Certificates);
    let page = CertificatesPage {
        shell,
        rows,
        name,
        errors,
    };
    if invalid {
        show_invalid(jar, &page)
    } else {
        show(jar, &page)
    }
}

pub(crate) async fn get(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
) -> Response {
    page(&state, jar, &user, String::new(), FormErrors::new()).await
}

pub(crate) async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    user: SetupUser,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body);
    if let Err(refused) = fields.check_csrf(&jar) {
        return refused;
    }
    let name = fields.get("name").to_owned();
    let input: Result<CertificateInput, ApiError> =
        serde_json::from_value(json!({"name": name})).map_err(|_| ApiError::internal());
    let result = match input {
        Ok(input) => {
            answer(certificates::create(State(state.clone()), user.caller(), Body(input)).await)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => done(
            &state,
            jar,
            "/setup/certificates",
            &note(format!(
                "Certificate {} was created.",
                text(&created, "name")
            )),
        ),
        Err(e) => {
            let mut errors = FormErrors::new();
            errors.absorb(e, |f| (f == "name").then(|| "name".to_owned()));
            page(&state, jar, &user, name, errors).await
        }
    }
}
