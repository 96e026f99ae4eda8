//! The recovery workflow in the UI and the API (issue 4): financial assessment, the strategy
//! engine's recommendation, procedures with their deadlines, payment plans and waivers within or
//! above the officer's delegation, exchanges with third parties, the agenda and the rule
//! documents. The use cases are in `recouvre_app::workflow`; the rules in `recouvre_domain`.

pub mod api;
pub mod pages;

pub use pages::CaseWorkflowView;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/agenda", get(pages::agenda_page))
        .route("/agenda/{id}/fait", post(pages::complete_action_form))
        .route("/dossiers/{id}/bilan", post(pages::assessment_form))
        .route("/dossiers/{id}/strategie", post(pages::strategy_form))
        .route("/dossiers/{id}/procedures", post(pages::step_form))
        .route("/dossiers/{id}/echeancier", post(pages::plan_form))
        .route("/dossiers/{id}/remise", post(pages::waiver_form))
        .route("/dossiers/{id}/echanges", post(pages::exchange_form))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/assessments", post(api::post_assessment))
        .route("/cases/{id}/recommendation", get(api::get_recommendation))
        .route("/cases/{id}/recommendation/decision", post(api::decide_recommendation))
        .route("/cases/{id}/procedures", get(api::get_procedures).post(api::post_step))
        .route("/cases/{id}/plans", post(api::post_plan))
        .route("/cases/{id}/waivers", post(api::post_waiver))
        .route("/cases/{id}/exchanges", post(api::post_exchange))
        .route("/agenda", get(api::get_agenda))
        .route("/agenda/{id}/done", post(api::complete_action))
        .route("/rules/{kind}", get(api::get_rules).put(api::put_rules))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api::post_assessment,
        api::get_recommendation,
        api::decide_recommendation,
        api::get_procedures,
        api::post_step,
        api::post_plan,
        api::post_waiver,
        api::post_exchange,
        api::get_agenda,
        api::complete_action,
        api::get_rules,
        api::put_rules
    ),
    components(schemas(
        api::AssessmentRequest,
        api::AssessmentCreatedDto,
        api::RecommendationDto,
        api::DecisionDto,
        api::StepRequestDto,
        api::StepAppliedDto,
        api::ProceduresDto,
        api::ProcedureDto,
        api::OfferedStepDto,
        api::AgendaItemDto,
        api::PlanRequest,
        api::PlanLineDto,
        api::WaiverRequest,
        api::ExchangeRequest,
        api::VersionRequest
    ))
)]
pub struct WorkflowApiDoc;
