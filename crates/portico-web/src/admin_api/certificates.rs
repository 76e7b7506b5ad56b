//! `/api/v1/certificates` (CONTRACT §3, issue 3): the org's self-signed certificates, created by
//! name and used as asset signing certificates. Managing them needs what managing connected apps
//! needs. The private key never leaves the server.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::certificate::inspect_certificate;
use portico_core::connected_app::directory::find_certificate;
use portico_core::connected_app::org_certificate::{OrgCertificate, check_developer_name};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::app_support::audit;
use super::{Body, Caller};
use crate::error::ApiError;
use crate::state::AppState;

const TAG: &str = "Certificates";
const SECTION: &str = "Certificate and Key Management";

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CertificateView {
    /// `0P1…`.
    id: String,
    name: String,
    /// The certificate (public), PEM.
    pem: String,
    subject: String,
    issuer: String,
    /// Unix milliseconds.
    expires_at: i64,
    sha256_fingerprint: String,
    key_type: String,
    created_at: i64,
}

impl CertificateView {
    fn new(cert: OrgCertificate) -> Self {
        let info = inspect_certificate(&cert.pem).ok();
        Self {
            id: cert.id.to_string(),
            name: cert.name,
            subject: cert.subject,
            issuer: info.as_ref().map(|i| i.issuer.clone()).unwrap_or_default(),
            expires_at: cert.expires_at.0,
            sha256_fingerprint: info
                .as_ref()
                .map(|i| i.sha256_fingerprint.clone())
                .unwrap_or_default(),
            key_type: info.map(|i| i.key_type).unwrap_or_default(),
            created_at: cert.created_at.0,
            pem: cert.pem,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CertificateInput {
    /// Unique name: letters, digits and single underscores, starting with a letter.
    name: Option<String>,
}

#[utoipa::path(operation_id = "listCertificates", get, path = "/api/v1/certificates", tag = TAG,
    responses((status = 200, description = "The org's certificates by name", body = [CertificateView])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CertificateView>>, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let certs = state.store.list_certificates(&caller.org.id).await?;
    Ok(Json(certs.into_iter().map(CertificateView::new).collect()))
}

#[utoipa::path(operation_id = "createCertificate", post, path = "/api/v1/certificates", tag = TAG, request_body = CertificateInput,
    responses((status = 201, description = "A new self-signed RSA 2048 certificate, valid for one year", body = CertificateView),
        (status = 400, description = "Missing or invalid name"), (status = 409, description = "The name is taken")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(input): Body<CertificateInput>,
) -> Result<(StatusCode, Json<CertificateView>), ApiError> {
    caller.require(AdminAction::ManageApps)?;
    let name = input
        .name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::required("name"))?;
    check_developer_name(&name).map_err(|msg| ApiError::invalid_field("name", msg))?;
    if state
        .store
        .find_certificate_by_name(&caller.org.id, &name)
        .await?
        .is_some()
    {
        return Err(ApiError::duplicate("name"));
    }
    let now = state.clock.now();
    let cert = OrgCertificate::generate(caller.org.id.clone(), &name, now, &state.data_key)
        .map_err(|e| {
            tracing::error!(error = %e, "generating a certificate failed");
            ApiError::internal()
        })?;
    state.store.insert_certificate(&cert).await?;
    audit(
        &state,
        &caller,
        "certificateCreated",
        SECTION,
        &name,
        format!("Created self-signed certificate {name}"),
        Vec::new(),
    )
    .await;
    Ok((StatusCode::CREATED, Json(CertificateView::new(cert))))
}

#[utoipa::path(operation_id = "getCertificate", get, path = "/api/v1/certificates/{idOrName}", tag = TAG,
    params(("idOrName" = String, Path, description = "The certificate's id (`0P1…`) or unique name")),
    responses((status = 200, description = "The certificate", body = CertificateView), (status = 404, description = "No such certificate")))]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id_or_name): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    caller.require(AdminAction::ManageApps)?;
    find_certificate(state.store.as_ref(), &caller.org.id, &id_or_name)
        .await?
        .map(|c| Json(CertificateView::new(c)))
        .ok_or_else(|| ApiError::not_found(&format!("certificate {id_or_name}")))
}
