//! The JSON API under `/api/v1`, documented by the OpenAPI document at
//! `/api/v1/openapi.json` (drawn for people at `/api/docs/` by [`crate::api_docs`]).
//!
//! Amounts are strings with two decimals (`"478.61"`), dates ISO (`"2026-05-11"`).

use crate::auth::CurrentUser;
use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Recouvre API", version = "1", description = "Dossiers contentieux, journal, imports et calculettes. Montants en chaînes à deux décimales, dates ISO 8601."),
    components(schemas(crate::error::ErrorDto)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

pub(crate) struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Jeton créé par `recouvre token create`"))
                    .build(),
            ),
        );
    }
}

/// The whole API document: the title and security scheme, then each room's paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(crate::cases::api::CasesApiDoc::openapi());
    document.merge(crate::closure::ClosureApiDoc::openapi());
    document.merge(crate::imports::ImportsApiDoc::openapi());
    document.merge(crate::suspense::api::SuspenseApiDoc::openapi());
    document.merge(crate::approvals::api::ApprovalsApiDoc::openapi());
    document.merge(crate::compliance::api::ComplianceApiDoc::openapi());
    document.merge(crate::calculators::api::CalculatorsApiDoc::openapi());
    document.merge(crate::admin::api::AdminApiDoc::openapi());
    document.merge(crate::workflow::WorkflowApiDoc::openapi());
    document.merge(crate::team::TeamApiDoc::openapi());
    document.merge(crate::letters::LettersApiDoc::openapi());
    document.merge(crate::attachments::AttachmentsApiDoc::openapi());
    document.merge(crate::letter_templates::LetterTemplatesApiDoc::openapi());
    document.merge(crate::committee::CommitteeApiDoc::openapi());
    document.merge(crate::contacts::ContactsApiDoc::openapi());
    document.merge(crate::debtors::DebtorsApiDoc::openapi());
    document
}

pub(crate) async fn openapi_json(_user: CurrentUser) -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

pub fn api() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}
