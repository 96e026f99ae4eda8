//! Costs as money (issue 18, item 3): the API that records a cost on a case (charged to the
//! debtor or not by its legal nature, payable to its third party, for approval above the
//! officer's delegation), lists a case's costs, and the account payable for accounting control.
//! The use cases are in `recouvre_app::costs`; the case page shows the costs in its « Montant
//! dû » section (`cases::pages`).

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_app::costs::{self, CostInput};
use recouvre_domain::Money;
use recouvre_store::costs::{CostLine, CostOutcome, Payable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/costs", get(get_costs).post(post_cost))
        .route("/accounts-payable", get(get_payables))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_cost, get_costs, get_payables),
    components(schemas(CostRequest, CostRecordedDto, CostDto, PayableDto))
)]
pub struct CostsApiDoc;

#[derive(Deserialize, ToSchema)]
pub struct CostRequest {
    /// The case's version the user saw.
    pub version: i64,
    /// The cost's legal nature: `enforcement` (CPCE L111-8, charged to the debtor), `amicable`
    /// (L111-8, the bank's), `court_costs` (dépens, CPC 695), `article_700` (CPC 700, needs
    /// `awarded` and `awarded_on`), `proportional_fee` (C. com. A444-31, the debtor's),
    /// `proportional_fee_creditor` (A444-32, the bank's).
    pub nature: String,
    /// The third party who invoiced it (the directory's id).
    pub third_party_id: i64,
    /// The procedure of the case it belongs to, if any.
    pub procedure_id: Option<i64>,
    pub invoice_reference: String,
    /// The invoice's date: today or earlier.
    pub invoice_date: NaiveDate,
    /// The amount invoiced, two decimals (`"250.00"`).
    pub amount: String,
    /// CPC 700: the sum the judgment awards (`"800.00"`).
    pub awarded: Option<String>,
    /// CPC 700: the judgment's date.
    pub awarded_on: Option<NaiveDate>,
    /// The invoice's IBAN, remembered on the third party; required when the third party has none.
    pub iban: Option<String>,
    pub bic: Option<String>,
}

/// What recording a cost did.
#[derive(Serialize, ToSchema)]
pub struct CostRecordedDto {
    pub cost_id: i64,
    /// `recorded` (charged and payable now) or `pending_approval` (above the delegation).
    pub status: String,
    /// What the debtor is charged with (zero for the bank's own costs, and while pending).
    pub charged: Money,
    /// The ledger transaction that charged it.
    pub transaction_id: Option<i64>,
    /// The approval request, when above the delegation.
    pub request_id: Option<i64>,
    /// The case's new version.
    pub version: i64,
}

impl From<CostOutcome> for CostRecordedDto {
    fn from(outcome: CostOutcome) -> CostRecordedDto {
        match outcome {
            CostOutcome::Recorded { cost_id, transaction_id, charged, version } => CostRecordedDto {
                cost_id,
                status: "recorded".into(),
                charged,
                transaction_id,
                request_id: None,
                version,
            },
            CostOutcome::Pending { cost_id, request_id, version } => CostRecordedDto {
                cost_id,
                status: "pending_approval".into(),
                charged: Money::ZERO,
                transaction_id: None,
                request_id: Some(request_id),
                version,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CostDto {
    pub id: i64,
    pub procedure_id: Option<i64>,
    pub nature: String,
    pub third_party_id: i64,
    pub third_party_name: String,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    pub amount: Money,
    pub charged: Money,
    /// `recorded`, `pending` (waiting for approval) or `refused`.
    pub status: String,
    /// The account payable's status: `open`, `approved`, `paid` or `refused`.
    pub payable_status: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<CostLine> for CostDto {
    fn from(line: CostLine) -> CostDto {
        CostDto {
            id: line.id,
            procedure_id: line.procedure_id,
            nature: line.nature,
            third_party_id: line.third_party_id,
            third_party_name: line.third_party_name,
            invoice_reference: line.invoice_reference,
            invoice_date: line.invoice_date,
            amount: Money::from_cents(line.amount_cents),
            charged: Money::from_cents(line.charged_cents),
            status: line.status,
            payable_status: line.payable_status,
            recorded_at: line.recorded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PayableDto {
    pub id: i64,
    pub cost_id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub nature: String,
    pub third_party_id: i64,
    pub third_party_name: String,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    /// Owed to the third party.
    pub amount: Money,
    /// Of which charged to the debtor.
    pub charged: Money,
    pub payee_iban: Option<String>,
    /// `open` (waiting for the cost's approval), `approved` (to pay), `paid` or `refused`.
    pub status: String,
    /// The transfer file (pain.001 message id) that pays it.
    pub transferred_in: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Payable> for PayableDto {
    fn from(line: Payable) -> PayableDto {
        PayableDto {
            id: line.id,
            cost_id: line.cost_id,
            case_id: line.case_id,
            case_reference: line.case_reference,
            nature: line.nature,
            third_party_id: line.third_party_id,
            third_party_name: line.third_party_name,
            invoice_reference: line.invoice_reference,
            invoice_date: line.invoice_date,
            amount: Money::from_cents(line.amount_cents),
            charged: Money::from_cents(line.charged_cents),
            payee_iban: line.payee_iban,
            status: line.status,
            transferred_in: line.transferred_in,
            created_at: line.created_at,
        }
    }
}

/// Records a cost invoiced by a third party on a case: chargeable costs are booked to the
/// debtor's ledger (`costs`), every cost is payable to its third party; above the officer's
/// delegation the cost becomes an approval request (202) that someone else decides.
#[utoipa::path(post, path = "/api/v1/cases/{id}/costs", params(("id" = i64, Path, description = "Case id")), request_body = CostRequest, responses(
    (status = 201, description = "Recorded: charged and payable", body = CostRecordedDto),
    (status = 202, description = "Above the delegation: waiting for approval", body = CostRecordedDto),
    (status = 400, description = "A bad value: unknown nature, empty invoice reference, an invoice dated after today, an amount not positive, a CPC 700 sum without its judgment, an unknown third party or a procedure of another case, an invoice already recorded, no IBAN (`field` names it)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
    (status = 409, description = "Stale version, or a closed case", body = ErrorDto)))]
pub(crate) async fn post_cost(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<CostRequest>,
) -> Result<Response, AppError> {
    let amount = recouvre_app::limits::parse_amount("amount", &request.amount)?;
    let awarded = match request.awarded.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => Some(recouvre_app::limits::parse_amount("awarded", text)?),
        None => None,
    };
    let input = CostInput {
        procedure_id: request.procedure_id,
        nature: request.nature,
        third_party_id: request.third_party_id,
        invoice_reference: request.invoice_reference,
        invoice_date: request.invoice_date,
        amount,
        awarded,
        awarded_on: request.awarded_on,
        iban: request.iban,
        bic: request.bic,
    };
    let outcome = costs::record_cost(&state.app, &user.actor(), case_id, request.version, &input).await?;
    let status = match outcome {
        CostOutcome::Recorded { .. } => StatusCode::CREATED,
        CostOutcome::Pending { .. } => StatusCode::ACCEPTED,
    };
    Ok((status, Json(CostRecordedDto::from(outcome))).into_response())
}

/// A case's costs, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/costs", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = Vec<CostDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_costs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<CostDto>>, AppError> {
    let rows = costs::case_costs(&state.app, &user.actor(), case_id).await?;
    Ok(Json(rows.into_iter().map(CostDto::from).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct PayablesQuery {
    /// `open`, `approved`, `paid` or `refused`; all when absent.
    pub status: Option<String>,
}

/// The account payable (accounting control): the costs owed to third parties, oldest first.
#[utoipa::path(get, path = "/api/v1/accounts-payable", params(PayablesQuery), responses(
    (status = 200, body = Vec<PayableDto>),
    (status = 400, description = "An unknown status (`field` is `status`)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn get_payables(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PayablesQuery>,
) -> Result<Json<Vec<PayableDto>>, AppError> {
    let rows = costs::payables(&state.app, &user.actor(), query.status.as_deref()).await?;
    Ok(Json(rows.into_iter().map(PayableDto::from).collect()))
}
