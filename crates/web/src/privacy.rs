//! The debtor's access request over the API (issue 24, part 4; docs/privacy.md): everything held
//! on a customer, as JSON or as the readable PDF, for compliance only. The use case is
//! `recouvre_app::privacy::export`.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

pub fn api() -> Router<AppState> {
    Router::new().route("/privacy/customers/{customer}/export", get(get_export))
}

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `json` (the default) or `pdf`.
    pub format: Option<String>,
}

/// Everything held on a customer (RGPD art. 15): identity, addresses, cases with their amounts,
/// notes, contacts, attachments' names, letters and events, and the consultations of the file
/// (date, function, purpose; names only where the retention policy says so). Nothing covered by
/// CMF L561-45 (vigilance data, compliance's reads) and no other person's data. Compliance only.
#[utoipa::path(get, path = "/api/v1/privacy/customers/{customer}/export",
    params(("customer" = String, Path, description = "Customer number"), ExportQuery),
    responses(
        (status = 200, description = "The JSON of everything held (`format=json`), or the PDF (`format=pdf`)", content_type = "application/json"),
        (status = 400, description = "Unknown format", body = ErrorDto),
        (status = 401, body = ErrorDto),
        (status = 403, description = "Not a member of compliance", body = ErrorDto),
        (status = 404, description = "Unknown customer", body = ErrorDto)))]
pub(crate) async fn get_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let pdf = match query.format.as_deref() {
        None | Some("json") => false,
        Some("pdf") => true,
        Some(_) => {
            return Err(recouvre_app::Error::invalid("format", "unknown_format", "format : json ou pdf").into());
        }
    };
    let path = format!("/api/v1/privacy/customers/{customer}/export");
    let export = recouvre_app::privacy::export(&state.app, &user.actor(), &customer, &path).await?;
    if pdf {
        let disposition = format!("attachment; filename=\"acces-{}.pdf\"", export.customer_number);
        return Ok((
            [(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)],
            export.pdf,
        )
            .into_response());
    }
    Ok(Json(export.json).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_export))]
pub struct PrivacyApiDoc;
