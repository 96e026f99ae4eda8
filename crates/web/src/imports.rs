//! Files from the bank's other systems over the API: the accounts intake, its parties file and
//! bank statements.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::routing::post;
use axum::{Json, Router};
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Largest accounts file accepted over HTTP; larger intakes go through `recouvre import`.
pub(crate) const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct StatementOutcomeDto {
    pub booked: u64,
    pub booked_amount: Money,
    pub suspense: u64,
    pub suspense_amount: Money,
    pub already_booked: u64,
    /// Credits held or frozen for compliance (CMF L561-18): counted here only, in no other
    /// figure, so that the statement adds up (booked + suspense + held); what became of them is
    /// compliance's.
    pub held_compliance: u64,
    pub held_compliance_amount: Money,
    /// What became of each credit, in the file's order.
    pub credits: Vec<StatementLineDto>,
}

/// One credit of the statement and its outcome. A credit held or frozen for compliance says
/// `held_compliance`, « en attente (conformité) », and nothing else: no case, no payer, no
/// reason, no suspense item.
#[derive(Serialize, ToSchema)]
pub struct StatementLineDto {
    /// The entry's line in the file.
    pub line: u32,
    /// `booked`, `suspense`, `already_booked` or `held_compliance`.
    pub outcome: &'static str,
    /// The outcome in French.
    pub label: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence_percent: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspense_item_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_case_id: Option<i64>,
}

impl StatementLineDto {
    fn of(line: u32, outcome: &recouvre_store::statements::CreditOutcome) -> Self {
        use recouvre_store::statements::CreditOutcome;
        let mut dto = StatementLineDto {
            line,
            outcome: outcome.code(),
            label: outcome.label(),
            case_id: None,
            matched_by: None,
            confidence_percent: None,
            suspense_item_id: None,
            reason: None,
            suggested_case_id: None,
        };
        match outcome {
            CreditOutcome::Booked { case_id, matched_by, confidence_percent } => {
                dto.case_id = Some(*case_id);
                dto.matched_by = Some(*matched_by);
                dto.confidence_percent = Some(*confidence_percent);
            }
            CreditOutcome::Suspense { item_id, reason, suggested_case_id } => {
                dto.suspense_item_id = Some(*item_id);
                dto.reason = Some(reason.clone());
                dto.suggested_case_id = *suggested_case_id;
            }
            CreditOutcome::AlreadyBooked | CreditOutcome::HeldCompliance => {}
        }
        dto
    }
}

/// Imports a bank statement (camt.053 or camt.054, versions 001.02 and 001.08). The file is
/// validated against its schema first; each credit is matched to a case (creditor reference,
/// then payer IBAN) and allocated, or held in suspense, and the returns of our direct debits it
/// reports reverse their collections — all in one transaction: when one entry cannot be taken
/// (409, e.g. `unknown_collection`, the message naming the line), nothing of the file is
/// written. Importing it again books nothing twice.
#[utoipa::path(post, path = "/api/v1/imports/statement", params(ImportParams), request_body(content = String, content_type = "application/xml"), responses(
    (status = 200, body = StatementOutcomeDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 409, body = ErrorDto)))]
pub(crate) async fn import_statement(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<StatementOutcomeDto>, AppError> {
    let file_name = params.file_name.unwrap_or_else(|| "api-upload.xml".to_string());
    let outcome = recouvre_app::statements::import(&state.app, &user.actor(), &file_name, &body).await?;
    Ok(Json(StatementOutcomeDto {
        booked: outcome.booked,
        booked_amount: outcome.booked_amount,
        suspense: outcome.suspense,
        suspense_amount: outcome.suspense_amount,
        already_booked: outcome.already_booked,
        held_compliance: outcome.held_compliance,
        held_compliance_amount: outcome.held_compliance_amount,
        credits: outcome.credits.iter().map(|(line, credit)| StatementLineDto::of(*line, credit)).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PaymentStatusOutcomeDto {
    /// The `MsgId` of our pain.001 or pain.008 the report is about.
    pub original_message_id: String,
    /// Transactions rejected and reversed (transfers) or booked back (direct debits) now.
    pub rejected: u64,
    /// Rejections an earlier import already applied.
    pub already_applied: u64,
    /// Transactions accepted or pending: nothing changed.
    pub accepted: u64,
}

/// Imports a payment status report (pain.002, versions 001.03 to 001.14) on one of our pain.001
/// (transfers out) or pain.008 (direct debits) files; accounting control only. Each rejected
/// transfer is reversed (a suspense item back in suspense, a refund back on the overpayment, a
/// cost payable owed again), each rejected collection booked back as a return, with the bank's
/// reason code — all in one transaction: a file or transaction Recouvre did not send is a 400
/// naming the line and the field (`OrgnlMsgId`, `OrgnlEndToEndId`), and nothing is written.
/// Importing it again changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/payment-status", params(ImportParams), request_body(content = String, content_type = "application/xml"), responses(
    (status = 200, body = PaymentStatusOutcomeDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 409, body = ErrorDto)))]
pub(crate) async fn import_payment_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<PaymentStatusOutcomeDto>, AppError> {
    let file_name = params.file_name.unwrap_or_else(|| "api-upload.xml".to_string());
    let outcome = recouvre_app::payment_status::import(&state.app, &user.actor(), &file_name, &body).await?;
    Ok(Json(PaymentStatusOutcomeDto {
        original_message_id: outcome.original_message_id,
        rejected: outcome.rejected,
        already_applied: outcome.already_applied,
        accepted: outcome.accepted,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ImportOutcomeDto {
    pub lines: u64,
    /// Cases opened, or joined by a new claim.
    pub cases_changed: u64,
    /// Cases opened by this file.
    pub cases_created: u64,
    /// Claims added (to new cases or to the debtor's open case).
    pub claims_added: u64,
    /// The same file was imported before; nothing changed.
    pub already_imported: bool,
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct ImportParams {
    /// Name recorded with the import (defaults to `api-upload.csv`).
    file_name: Option<String>,
}

/// Imports a core-banking accounts file (CSV, `;`, UTF-8; see docs/formats/accounts-csv.md).
/// All or nothing; importing the same file twice changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/accounts", params(ImportParams), request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportOutcomeDto), (status = 400, body = ErrorDto, description = "Names the line, column and value"), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn import_accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ImportParams>,
    body: String,
) -> Result<Json<ImportOutcomeDto>, AppError> {
    let file_name = params.file_name.unwrap_or_else(|| "api-upload.csv".to_string());
    let outcome = recouvre_app::imports::import_accounts(&state.app, &user.actor(), &file_name, &body).await?;
    Ok(Json(ImportOutcomeDto {
        lines: outcome.lines,
        cases_changed: outcome.cases_changed,
        cases_created: outcome.cases_created,
        claims_added: outcome.claims_added,
        already_imported: outcome.already_imported,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PartiesOutcomeDto {
    pub lines: u64,
    /// Co-debtors and guarantors added to a case.
    pub parties_added: u64,
    pub guarantees_added: u64,
    /// Other accounts at the bank added to a person.
    pub accounts_added: u64,
    /// Instalments added to a loan's schedule.
    pub instalments_added: u64,
    /// SEPA mandates recorded (`mandate` records, issue 21).
    pub mandates_added: u64,
    /// The same file was imported before; nothing changed.
    pub already_imported: bool,
}

/// Imports a parties file (CSV, `;`, UTF-8; see docs/formats/parties-csv.md): co-debtors,
/// guarantors, guarantees, other accounts, loan schedules and SEPA mandates (IBAN, BIC and RUM
/// checked), keyed by the contract references
/// of claims already imported. All or nothing; importing the same file twice changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/parties", params(ImportParams), request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = PartiesOutcomeDto), (status = 400, body = ErrorDto, description = "Names the line, column and value (an unknown contract reference or customer too)"), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn import_parties(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ImportParams>,
    body: String,
) -> Result<Json<PartiesOutcomeDto>, AppError> {
    let file_name = params.file_name.unwrap_or_else(|| "api-upload.csv".to_string());
    let outcome = recouvre_app::imports::import_parties(&state.app, &user.actor(), &file_name, &body).await?;
    Ok(Json(PartiesOutcomeDto {
        lines: outcome.lines,
        parties_added: outcome.parties_added,
        guarantees_added: outcome.guarantees_added,
        accounts_added: outcome.accounts_added,
        instalments_added: outcome.instalments_added,
        mandates_added: outcome.mandates_added,
        already_imported: outcome.already_imported,
    }))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/imports/accounts", post(import_accounts).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/imports/parties", post(import_parties).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/imports/statement", post(import_statement).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/imports/payment-status", post(import_payment_status).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(import_accounts, import_parties, import_statement, import_payment_status),
    components(schemas(
        StatementOutcomeDto,
        StatementLineDto,
        PaymentStatusOutcomeDto,
        ImportOutcomeDto,
        PartiesOutcomeDto
    ))
)]
pub struct ImportsApiDoc;
