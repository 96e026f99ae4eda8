//! The calculators over the API: one documented endpoint each, answered as the CLI answers.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use recouvre_domain::calc as calc_types;

/// One documented endpoint per calculator, all answered by [`calculate`]. The request's fields
/// are the CLI's flags in snake case (`--monthly-net` → `monthly_net`); the answer is the CLI's
/// JSON; a refusal (400) is the one error body (`error`, `code`, `field`) with the calculator's
/// own `kind`, `argument` and `details` (issue 22: it was documented as `CalcError`, whose
/// `message` it never sent).
macro_rules! calculator_endpoint {
    ($handler:ident, $name:literal, $request:ty, $response:ty, $summary:literal) => {
        #[doc = $summary]
        #[utoipa::path(post, path = concat!("/api/v1/calc/", $name), request_body = $request, responses(
                                                    (status = 200, body = $response), (status = 400, body = ErrorDto),
                                                    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
        pub(crate) async fn $handler(
            state: State<AppState>,
            user: CurrentUser,
            request: Json<serde_json::Value>,
        ) -> Result<Response, AppError> {
            calculate(state, user, Path($name.to_string()), request).await
        }
    };
}
calculator_endpoint!(
    calc_seizable_wage,
    "seizable-wage",
    calc_types::SeizableWageRequest,
    calc_types::SeizableWageResponse,
    "Seizable part of a monthly net pay (C. trav. R3252-2, R3252-3, R3252-5)."
);
calculator_endpoint!(
    calc_unseizable_balance,
    "unseizable-balance",
    calc_types::UnseizableBalanceRequest,
    calc_types::UnseizableBalanceResponse,
    "Unseizable bank balance in force on a date (CPCE L162-2, R162-2)."
);
calculator_endpoint!(
    calc_legal_interest,
    "legal-interest",
    calc_types::LegalInterestRequest,
    calc_types::LegalInterestResponse,
    "Statutory interest between two dates, with the +5 points after a served judgment (CMF L313-2, L313-3)."
);
calculator_endpoint!(
    calc_deadline,
    "deadline",
    calc_types::DeadlineRequest,
    calc_types::DeadlineResponse,
    "End of a procedural time limit (CPC art. 641, 642)."
);
calculator_endpoint!(calc_foreclosure, "foreclosure", calc_types::ForeclosureRequest, calc_types::ForeclosureResponse,
    "First unregularised incident and foreclosure date of a consumer credit (C. consom. R312-35); `as_of` defaults to today.");
calculator_endpoint!(
    calc_allocate_payment,
    "allocate-payment",
    calc_types::AllocatePaymentRequest,
    calc_types::AllocatePaymentResponse,
    "Allocation of a payment over costs, interest and principal (C. civ. 1343-1; capital first, C. consom. L733-1)."
);
calculator_endpoint!(
    calc_payment_plan,
    "payment-plan",
    calc_types::PaymentPlanRequest,
    calc_types::PaymentPlanResponse,
    "Monthly payment plan within a repayment capacity and at most 24 instalments by default (C. civ. 1343-5)."
);
calculator_endpoint!(
    calc_time_bar,
    "time-bar",
    calc_types::TimeBarRequest,
    calc_types::TimeBarResponse,
    "Limitation and foreclosure of one claim from its history of events: interruptions, court claims, judgments, suspensions, payments and rescheduling (C. civ. 2224, 2230-2244; C. consom. L218-2, R312-35; CPCE L111-4). A refusal names the field with the event's index (`events[2].date`)."
);

/// Any calculator by name (the same as its own endpoint); an unknown name is a 404.
#[utoipa::path(post, path = "/api/v1/calc/{name}", params(("name" = String, Path, description = "Nom de la calculette : seizable-wage, unseizable-balance, legal-interest, deadline, foreclosure, allocate-payment, payment-plan, time-bar")),
    request_body = Object, responses((status = 200, body = Object), (status = 400, body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn calculate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Json(request): Json<serde_json::Value>,
) -> Result<Response, AppError> {
    match recouvre_app::calculators::calculate(&state.app, &user.actor(), &name, request)? {
        Ok(answer) => Ok(Json(answer).into_response()),
        Err(error) => {
            let status = match error.kind {
                recouvre_domain::calc::CalcErrorKind::UnknownCalculator => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            // The contract's body (`error`, `code`, `field`), with the calculator's own details.
            let body = serde_json::json!({
                "error": error.to_string(),
                "code": error.kind,
                "field": error.argument,
                "kind": error.kind,
                "argument": error.argument,
                "details": error.details,
            });
            Ok((status, Json(body)).into_response())
        }
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    calc_seizable_wage,
    calc_unseizable_balance,
    calc_legal_interest,
    calc_deadline,
    calc_foreclosure,
    calc_allocate_payment,
    calc_payment_plan,
    calc_time_bar,
    calculate
))]
pub struct CalculatorsApiDoc;
