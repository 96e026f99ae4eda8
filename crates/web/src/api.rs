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
    document.merge(crate::account::AccountApiDoc::openapi());
    document.merge(crate::workflow::WorkflowApiDoc::openapi());
    document.merge(crate::team::TeamApiDoc::openapi());
    document.merge(crate::letters::LettersApiDoc::openapi());
    document.merge(crate::attachments::AttachmentsApiDoc::openapi());
    document.merge(crate::letter_templates::LetterTemplatesApiDoc::openapi());
    document.merge(crate::committee::CommitteeApiDoc::openapi());
    document.merge(crate::contacts::ContactsApiDoc::openapi());
    document.merge(crate::costs::CostsApiDoc::openapi());
    document.merge(crate::interest_rulings::InterestRulingsApiDoc::openapi());
    document.merge(crate::debtors::DebtorsApiDoc::openapi());
    document.merge(crate::mandates::MandatesApiDoc::openapi());
    document.merge(crate::refunds::RefundsApiDoc::openapi());
    document.merge(crate::privacy::PrivacyApiDoc::openapi());
    utoipa::Modify::modify(&FrameworkErrors, &mut document);
    document
}

/// The errors every operation can answer whatever its handler does, added to each operation
/// where its own annotation does not say them (issue 22: the document must list every status a
/// client can receive, which the bounded schemathesis run checks): 401 from the identity
/// extractor; 400 from the path, query and JSON extractors (a value that does not parse, a body
/// that is not the JSON expected, a wrong `Content-Type`, docs/api.md); 404 for a path that names
/// nothing; 413 for a body over its limit; 503 when the database is busy or the request outran
/// its time limit ([`crate::timeout`]); 500 for a fault of ours. All with the one error body.
/// The business refusals (403, 409…) are each handler's own and stay in its annotation.
pub(crate) struct FrameworkErrors;

impl utoipa::Modify for FrameworkErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let parameters = operation.parameters.as_deref().unwrap_or_default();
                let in_path = parameters.iter().any(|parameter| parameter.parameter_in == ParameterIn::Path);
                let in_query = parameters.iter().any(|parameter| parameter.parameter_in == ParameterIn::Query);
                let has_body = operation.request_body.is_some();
                let mut statuses = vec![
                    ("401", "Sans identité : jeton absent, inconnu ou expiré."),
                    ("500", "Erreur interne : seule la référence `request_id` est donnée."),
                    (
                        "503",
                        "Base occupée ou délai de la requête dépassé : rien n'a été écrit ; réessayer après `Retry-After`.",
                    ),
                ];
                if in_path || in_query || has_body {
                    statuses.push(("400", "Entrée invalide : `field` nomme l'entrée en cause."));
                }
                if in_path {
                    statuses.push(("404", "Inconnu, ou invisible pour cet utilisateur."));
                }
                if has_body {
                    statuses.push(("413", "Corps de la requête au-delà de sa limite."));
                }
                for (status, description) in statuses {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(description).into());
                }
            }
        }
    }
}

/// A response with the one error body (docs/api.md).
fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorDto"))).build())
        .build()
}

pub(crate) async fn openapi_json(_user: CurrentUser) -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

pub fn api() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}
