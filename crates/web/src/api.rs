//! The JSON API under `/api/v1`, documented by the OpenAPI document at
//! `/api/v1/openapi.json` (Swagger UI at `/api/docs/`, vendored: nothing is downloaded).
//!
//! Amounts are strings with two decimals (`"478.61"`), dates ISO (`"2026-05-11"`).

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::{CaseStatus, Claim, Guarantee, OtherAccount, PartyRole, Person};
use recouvre_domain::journal::JournalEvent;
use recouvre_domain::Money;
use recouvre_store::imports::ImportFileError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{record_access, ListQuery};
use crate::AppState;

/// Largest accounts file accepted over HTTP; larger intakes go through `recouvre import`.
const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/cases", get(list_cases))
        .route("/cases/{id}", get(case_detail))
        .route("/cases/{id}/journal", get(case_journal))
        .route("/cases/{id}/notes", post(add_note))
        .route("/cases/{id}/tags", axum::routing::put(put_tags))
        .route("/cases/{id}/payments", post(post_payment))
        .route("/cases/{id}/ledger", get(case_ledger))
        .route("/cases/{id}/write-offs", post(propose_write_off))
        .route("/aml/report", get(aml_monthly_report))
        .route("/aml/alerts", get(list_aml_alerts))
        .route("/aml/alerts/{id}", get(aml_alert_detail))
        .route("/aml/alerts/{id}/close", post(close_aml_alert))
        .route("/aml/alerts/{id}/report", post(report_aml_alert))
        .route("/aml/alerts/{id}/visibility", post(aml_visibility))
        .route("/aml/alerts/{id}/export", get(export_aml_alert))
        .route("/aml/alerts/{id}/funds", post(aml_funds))
        .route("/aml/sanctions", get(sanctions_in_force).post(load_sanctions))
        .route("/approvals", get(list_approvals))
        .route("/approvals/{id}/approve", post(approve_request))
        .route("/approvals/{id}/refuse", post(refuse_request))
        .route("/cases/{id}/officer", axum::routing::put(put_officer))
        .route("/imports/accounts", post(import_accounts).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/imports/statement", post(import_statement).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .route("/suspense", get(list_suspense))
        .route("/suspense/{id}/assign", post(assign_suspense))
        .route("/suspense/{id}/return", post(return_suspense))
        .route("/calc/seizable-wage", post(calc_seizable_wage))
        .route("/calc/unseizable-balance", post(calc_unseizable_balance))
        .route("/calc/legal-interest", post(calc_legal_interest))
        .route("/calc/deadline", post(calc_deadline))
        .route("/calc/foreclosure", post(calc_foreclosure))
        .route("/calc/allocate-payment", post(calc_allocate_payment))
        .route("/calc/payment-plan", post(calc_payment_plan))
        .route("/calc/{name}", post(calculate))
        .route("/access-log", get(access_log))
        .route("/admin/settings", get(get_settings).put(put_settings))
        .route("/admin/users", get(list_users))
        .route("/me", get(me))
        .route("/reference", get(reference_data))
        .route("/admin/reference/{kind}", post(add_reference_entry))
}

/// Swagger UI, served from the vendored assets, behind the same authentication.
pub fn swagger_ui(state: AppState) -> Router<AppState> {
    let ui: Router<AppState> =
        SwaggerUi::new("/api/docs").config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")).into();
    ui.route_layer(axum::middleware::from_extractor_with_state::<CurrentUser, AppState>(state))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Recouvre API", version = "1", description = "Dossiers contentieux, journal, imports et calculettes. Montants en chaînes à deux décimales, dates ISO 8601."),
    paths(list_cases, case_detail, case_journal, add_note, put_tags, put_officer, post_payment, case_ledger, propose_write_off, aml_monthly_report, list_aml_alerts, aml_alert_detail, close_aml_alert, report_aml_alert, aml_visibility, export_aml_alert, aml_funds, load_sanctions, sanctions_in_force, list_approvals, approve_request, refuse_request, import_accounts, import_statement, list_suspense, assign_suspense, return_suspense, calc_seizable_wage, calc_unseizable_balance, calc_legal_interest, calc_deadline, calc_foreclosure, calc_allocate_payment, calc_payment_plan, access_log, get_settings, put_settings, list_users, me, reference_data, add_reference_entry),
    components(schemas(CasePageDto, CaseSummaryDto, CaseDetailDto, PartyDto, ClaimDto, NoteDto, JournalEvent, NoteRequest, TagsRequest, OfficerRequest, PaymentRequest, BookedDto, LedgerLineDto, WriteOffRequest, WriteOffOutcomeDto, AmlAlertDto, CloseAlertRequest, ReportRequest, FundsRequest, VisibilityRequest, StatementOutcomeDto, SuspenseItemDto, AssignRequest, ApprovalDto, DecisionRequest, VersionDto, ImportOutcomeDto, AccessDto, BankIdentityDto, UserDto, ErrorDto, ReferenceDto, ReferenceEntryDto)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

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

/// The whole API document: this module's paths, then the workflow's, the team's and the letters'.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    document.merge(crate::workflow::WorkflowApiDoc::openapi());
    document.merge(crate::team::TeamApiDoc::openapi());
    document.merge(crate::letters::LettersApiDoc::openapi());
    document.merge(crate::letter_templates::LetterTemplatesApiDoc::openapi());
    document.merge(crate::committee::CommitteeApiDoc::openapi());
    document
}

async fn openapi_json(_user: CurrentUser) -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDto {
    /// What went wrong and what to do next, in French.
    pub error: String,
}

#[derive(Serialize, ToSchema)]
pub struct CaseSummaryDto {
    pub id: i64,
    pub reference: String,
    pub debtor_name: String,
    pub status: CaseStatus,
    pub main_nature: String,
    pub total: Money,
    pub opened_on: NaiveDate,
    pub officer_name: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CasePageDto {
    pub cases: Vec<CaseSummaryDto>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the query string; the handler reads it as `ListQuery`.
struct ListParams {
    /// Name, case number (`CTX-…`) or account/contract number.
    q: Option<String>,
    /// Status code (`new`, `amicable`, `payment_plan`, …).
    status: Option<String>,
    /// `me`, `none` (unassigned) or a user id.
    officer: Option<String>,
    /// Claim nature code (`overdraft`, `personal_loan`, …).
    nature: Option<String>,
    /// Minimum amount due, e.g. `1000.00`.
    min: Option<String>,
    max: Option<String>,
    /// `opened_desc` (default), `opened_asc`, `total_desc`, `total_asc`.
    sort: Option<String>,
    /// Cursor from the previous page's `next`.
    after: Option<String>,
    /// `1`: open cases only (every status but `closed`).
    open: Option<String>,
    /// Cases with an open legal deadline due on or before this day (`AAAA-MM-JJ`).
    deadline_before: Option<NaiveDate>,
    /// `pending`: cases with an approval request waiting for a decision.
    approval: Option<String>,
    /// Cases closed on or after this day (`AAAA-MM-JJ`).
    closed_from: Option<NaiveDate>,
    /// Cases closed on or before this day (`AAAA-MM-JJ`).
    closed_to: Option<NaiveDate>,
    /// Cases where this user (login) recorded a journal event (with `active_from`/`active_to`:
    /// in those days).
    actor: Option<String>,
    /// Cases with a journal event recorded on or after this day (`AAAA-MM-JJ`, UTC).
    active_from: Option<NaiveDate>,
    /// Cases with a journal event recorded on or before this day (`AAAA-MM-JJ`, UTC).
    active_to: Option<NaiveDate>,
}

/// List cases, with the same filters as the case list screen.
#[utoipa::path(get, path = "/api/v1/cases", params(ListParams), responses(
    (status = 200, body = CasePageDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn list_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<Json<CasePageDto>, AppError> {
    user.require(Permission::ReadCases)?;
    let filter = query.to_filter(&user)?;
    let page = recouvre_store::cases::list(&state.read_store, &filter).await?;
    let cases = page
        .cases
        .into_iter()
        .map(|case| {
            Ok(CaseSummaryDto {
                id: case.id,
                status: CaseStatus::from_code(&case.status)
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("statut inconnu {}", case.status)))?,
                debtor_name: case.debtor_name(),
                reference: case.reference,
                main_nature: case.main_nature,
                total: Money::from_cents(case.total_cents),
                opened_on: case.opened_on,
                officer_name: case.officer_name,
                tags: serde_json::from_str(&case.tags).unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Json(CasePageDto { cases, next: page.next }))
}

#[derive(Serialize, ToSchema)]
pub struct PartyDto {
    pub role: PartyRole,
    pub person: Person,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimDto {
    pub id: i64,
    pub claim: Claim,
    pub total: Money,
}

#[derive(Serialize, ToSchema)]
pub struct NoteDto {
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetailDto {
    pub id: i64,
    pub reference: String,
    pub status: CaseStatus,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub officer_name: Option<String>,
    pub tags: Vec<String>,
    /// Quote it when changing the case; a stale version is refused (409).
    pub version: i64,
    pub debtor: Person,
    pub parties: Vec<PartyDto>,
    pub claims: Vec<ClaimDto>,
    pub guarantees: Vec<Guarantee>,
    pub other_accounts: Vec<OtherAccount>,
    pub notes: Vec<NoteDto>,
    /// The amount due, component by component, derived from the ledger.
    pub breakdown: recouvre_domain::case::Breakdown,
    pub total: Money,
    /// Written off so far (passage en pertes).
    pub written_off: Money,
    /// Received beyond what was due, owed back to the payer.
    pub overpayment: Money,
}

/// A case file. The consultation is recorded in the access log.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = CaseDetailDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
async fn case_detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<CaseDetailDto>, AppError> {
    user.require(Permission::ReadCases)?;
    let case = recouvre_store::cases::detail(&state.store, case_id).await?;
    record_access(&state, &user, case_id, Some(case.debtor_id), &format!("/api/v1/cases/{case_id}")).await?;
    Ok(Json(CaseDetailDto {
        id: case.id,
        reference: case.reference,
        status: case.status,
        opened_on: case.opened_on,
        closed_on: case.closed_on,
        officer_name: case.officer_name,
        tags: case.tags,
        version: case.version,
        debtor: case.debtor,
        parties: case.parties.into_iter().map(|(role, _, person)| PartyDto { role, person }).collect(),
        claims: case
            .claims
            .into_iter()
            .map(|(id, claim)| ClaimDto { id, total: claim.amounts.total(), claim })
            .collect(),
        guarantees: case.guarantees,
        other_accounts: case.other_accounts,
        notes: case
            .notes
            .into_iter()
            .map(|note| NoteDto { author: note.author, body: note.body, created_at: note.created_at })
            .collect(),
        total: case.breakdown.total(),
        breakdown: case.breakdown,
        written_off: case.written_off,
        overpayment: case.overpayment,
    }))
}

/// A case's journal, oldest first, with each event's hash chain.
#[utoipa::path(get, path = "/api/v1/cases/{id}/journal", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = Vec<JournalEvent>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn case_journal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<JournalEvent>>, AppError> {
    user.require(Permission::ReadCases)?;
    let debtor = recouvre_store::cases::debtor_of(&state.store, case_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("dossier n° {case_id} introuvable")))?;
    record_access(&state, &user, case_id, Some(debtor), &format!("/api/v1/cases/{case_id}/journal")).await?;
    Ok(Json(recouvre_store::journal::events(&state.store, case_id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NoteRequest {
    /// The case version the note was written against.
    pub version: i64,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    /// The case's new version.
    pub version: i64,
}

/// Adds a note to a case. Refused with 409 if the case changed since `version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", params(("id" = i64, Path, description = "Case id")), request_body = NoteRequest, responses(
    (status = 201, body = VersionDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<NoteRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let version = recouvre_store::cases::add_note(
        &state.store,
        case_id,
        request.version,
        user.login(),
        &request.body,
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(VersionDto { version })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct PaymentRequest {
    /// The case version the officer saw.
    pub version: i64,
    pub amount: Money,
    pub received_on: NaiveDate,
    /// Capital first (over-indebtedness measures, C. consom. L733-1) instead of costs, interest,
    /// principal (C. civ. 1343-1).
    #[serde(default)]
    pub capital_first: bool,
    /// Where the money comes from (cheque number, transfer reference…).
    pub reference: String,
    /// Who paid, if not the debtor or not known from the reference (screened by the vigilance rules).
    #[serde(default)]
    pub payer_name: Option<String>,
    #[serde(default)]
    pub payer_iban: Option<String>,
    /// A cash deposit at the counter.
    #[serde(default)]
    pub cash: bool,
}

#[derive(Serialize, ToSchema)]
pub struct BookedDto {
    pub transaction_id: i64,
    pub version: i64,
    /// Account code → amount (positive debit, negative credit).
    pub postings: Vec<(String, Money)>,
    /// Received but not yet allocated: the payment is being processed by the back office.
    pub pending: bool,
}

/// Books a payment received by hand on a case, allocated over what is due.
#[utoipa::path(post, path = "/api/v1/cases/{id}/payments", params(("id" = i64, Path, description = "Case id")), request_body = PaymentRequest, responses(
    (status = 201, body = BookedDto), (status = 202, description = "Received, being processed: not yet allocated", body = BookedDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn post_payment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<PaymentRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    if request.reference.trim().is_empty() {
        return Err(AppError::BadRequest("indiquez la référence du paiement (chèque, virement…)".to_string()));
    }
    let order = recouvre_domain::allocation::AllocationOrder::capital_first_if(request.capital_first);
    let payer = recouvre_store::aml::Payer {
        name: request.payer_name.as_deref().map(str::trim).filter(|name| !name.is_empty()).map(str::to_string),
        iban: request
            .payer_iban
            .as_deref()
            .map(|iban| iban.replace(' ', "").to_uppercase())
            .filter(|iban| !iban.is_empty()),
        cash: request.cash,
        refund_to_other_account: false,
    };
    let booked = recouvre_store::payments::book_payment_from(
        &state.store,
        case_id,
        Some(request.version),
        request.amount,
        order,
        &recouvre_store::ledger::Entry {
            booked_on: request.received_on,
            reference: request.reference.trim(),
            actor: user.login(),
            now: Utc::now(),
        },
        &payer,
    )
    .await?;
    let status = if booked.pending { StatusCode::ACCEPTED } else { StatusCode::CREATED };
    Ok((
        status,
        Json(BookedDto {
            transaction_id: booked.transaction_id,
            version: booked.version,
            postings: booked.postings,
            pending: booked.pending,
        }),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct LedgerLineDto {
    pub transaction_id: i64,
    pub kind: String,
    pub booked_on: NaiveDate,
    pub reference: String,
    pub account: String,
    /// Positive: debit. Negative: credit.
    pub amount: Money,
}

/// A case's ledger: every posting, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/ledger", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = Vec<LedgerLineDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn case_ledger(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<LedgerLineDto>>, AppError> {
    user.require(Permission::ReadCases)?;
    let debtor = recouvre_store::cases::debtor_of(&state.store, case_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("dossier n° {case_id} introuvable")))?;
    record_access(&state, &user, case_id, Some(debtor), &format!("/api/v1/cases/{case_id}/ledger")).await?;
    let lines = recouvre_store::ledger::lines(&state.store, case_id).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|line| LedgerLineDto {
                transaction_id: line.transaction_id,
                kind: line.kind,
                booked_on: line.booked_on,
                reference: line.reference,
                account: line.account,
                amount: Money::from_cents(line.amount_cents),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct StatementOutcomeDto {
    pub booked: u64,
    pub booked_amount: Money,
    pub suspense: u64,
    pub suspense_amount: Money,
    pub already_booked: u64,
}

/// Imports a bank statement (camt.053 or camt.054, versions 001.02 and 001.08). The file is
/// validated against its schema first; each credit is matched to a case (creditor reference,
/// then payer IBAN) and allocated, or held in suspense. Importing it again books nothing twice.
#[utoipa::path(post, path = "/api/v1/imports/statement", params(ImportParams), request_body(content = String, content_type = "application/xml"), responses(
    (status = 200, body = StatementOutcomeDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn import_statement(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<StatementOutcomeDto>, AppError> {
    user.require(Permission::ImportFiles)?;
    let file_name = params.file_name.unwrap_or_else(|| "api-upload.xml".to_string());
    let outcome = crate::statements::import(&state.store, &file_name, &body, user.login()).await?;
    Ok(Json(StatementOutcomeDto {
        booked: outcome.booked,
        booked_amount: outcome.booked_amount,
        suspense: outcome.suspense,
        suspense_amount: outcome.suspense_amount,
        already_booked: outcome.already_booked,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SuspenseItemDto {
    pub id: i64,
    pub received_on: NaiveDate,
    pub amount: Money,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub reference: Option<String>,
    pub suggested_case_id: Option<i64>,
    pub reason: String,
}

/// The suspense account's open items, oldest first (clearing queue).
#[utoipa::path(get, path = "/api/v1/suspense", responses((status = 200, body = Vec<SuspenseItemDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn list_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<SuspenseItemDto>>, AppError> {
    user.require(Permission::WorkCases)?;
    let items = recouvre_store::suspense::open_items(&state.store).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|item| SuspenseItemDto {
                id: item.id,
                received_on: item.received_on,
                amount: Money::from_cents(item.amount_cents),
                payer_name: item.payer_name,
                payer_iban: item.payer_iban,
                reference: item.reference,
                suggested_case_id: item.suggested_case_id,
                reason: item.reason,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignRequest {
    pub case_id: i64,
}

/// Assigns a suspense item to a case: the money is allocated on the case and journaled.
#[utoipa::path(post, path = "/api/v1/suspense/{id}/assign", params(("id" = i64, Path, description = "Suspense item id")), request_body = AssignRequest, responses(
    (status = 200, body = VersionDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn assign_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<AssignRequest>,
) -> Result<Json<VersionDto>, AppError> {
    user.require(Permission::WorkCases)?;
    let version =
        recouvre_store::payments::assign_suspense(&state.store, id, request.case_id, user.login(), Utc::now()).await?;
    Ok(Json(VersionDto { version }))
}

/// Returns a suspense item to the payer, with a reason.
#[utoipa::path(post, path = "/api/v1/suspense/{id}/return", params(("id" = i64, Path, description = "Suspense item id")), request_body = DecisionRequest, responses(
    (status = 204), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn return_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<DecisionRequest>,
) -> Result<StatusCode, AppError> {
    user.require(Permission::WorkCases)?;
    recouvre_store::suspense::give_back(&state.store, id, &request.reason, user.login(), Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AmlAlertDto {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub score: i64,
    /// The rules triggered, each with its facts.
    #[schema(value_type = Object)]
    pub alerts: serde_json::Value,
    pub rules_version: String,
    /// `open`, `close_proposed` (high score, waiting for a second person), `closed`, `reported`.
    pub status: String,
    pub assigned_to: Option<String>,
    pub close_proposed_by: Option<String>,
    pub close_reason: Option<String>,
    pub sar_reference: Option<String>,
    pub sar_filed_on: Option<NaiveDate>,
    pub visible_to_officers: bool,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub channel: String,
    /// Whether the payment is held in suspense until compliance decides.
    pub held: bool,
    /// `released` or `returned` once compliance decided what becomes of held money.
    pub funds_decision: Option<String>,
}

fn alert_dto(row: recouvre_store::aml::AlertRow) -> AmlAlertDto {
    AmlAlertDto {
        alerts: serde_json::from_str(&row.alerts).unwrap_or(serde_json::Value::Null),
        id: row.id,
        case_id: row.case_id,
        case_reference: row.case_reference,
        score: row.score,
        rules_version: row.rules_version,
        status: row.status,
        assigned_to: row.assigned_to,
        close_proposed_by: row.close_proposed_by,
        close_reason: row.close_reason,
        sar_reference: row.sar_reference,
        sar_filed_on: row.sar_filed_on,
        visible_to_officers: row.visible_to_officers,
        amount: Money::from_cents(row.amount_cents),
        received_on: row.received_on,
        payer_name: row.payer_name,
        payer_iban: row.payer_iban,
        channel: row.channel,
        held: row.held_item_id.is_some(),
        funds_decision: row.funds_decision,
    }
}

#[derive(Deserialize, IntoParams)]
struct MonthParams {
    /// `YYYY-MM`.
    month: String,
}

/// A month of vigilance: alerts by rule and outcome, time to decision, reports filed
/// (compliance and committees; no debtor data).
#[utoipa::path(get, path = "/api/v1/aml/report", params(MonthParams), responses((status = 200, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn aml_monthly_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<MonthParams>,
) -> Result<Json<recouvre_store::aml::MonthlyReport>, AppError> {
    if !user.can(Permission::ReviewAml) {
        user.require(Permission::ReadReports)?;
    }
    let report =
        recouvre_store::aml::monthly_report(&state.read_store, &params.month).await.map_err(|error| match error {
            recouvre_store::StoreError::Invalid { message, .. } => AppError::BadRequest(message),
            other => AppError::from(other),
        })?;
    Ok(Json(report))
}

/// Open AML/CFT alerts, highest score first (compliance only).
#[utoipa::path(get, path = "/api/v1/aml/alerts", responses((status = 200, body = Vec<AmlAlertDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn list_aml_alerts(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<AmlAlertDto>>, AppError> {
    user.require(Permission::ReviewAml)?;
    Ok(Json(recouvre_store::aml::open_alerts(&state.store).await?.into_iter().map(alert_dto).collect()))
}

/// One alert (compliance only).
#[utoipa::path(get, path = "/api/v1/aml/alerts/{id}", params(("id" = i64, Path, description = "Alert id")), responses((status = 200, body = AmlAlertDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
async fn aml_alert_detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<AmlAlertDto>, AppError> {
    user.require(Permission::ReviewAml)?;
    Ok(Json(alert_dto(recouvre_store::aml::alert(&state.store, id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct CloseAlertRequest {
    pub reason: String,
}

/// Closes an alert with a reason; a high-score alert needs a second compliance officer.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/close", params(("id" = i64, Path, description = "Alert id")), request_body = CloseAlertRequest, responses((status = 200, body = Object), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn close_aml_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<CloseAlertRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    user.require(Permission::ReviewAml)?;
    let rules = recouvre_store::aml::rules(&state.store).await?;
    let outcome =
        recouvre_store::aml::close(&state.store, id, &request.reason, rules.high_score, user.login(), Utc::now())
            .await?;
    Ok(Json(serde_json::json!({ "outcome": outcome })))
}

#[derive(Deserialize, ToSchema)]
pub struct ReportRequest {
    /// The reference the reporting channel gave the declaration.
    pub reference: String,
    pub filed_on: NaiveDate,
}

/// Records a suspicious activity report (déclaration de soupçon, CMF L561-15).
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/report", params(("id" = i64, Path, description = "Alert id")), request_body = ReportRequest, responses((status = 204), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn report_aml_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<ReportRequest>,
) -> Result<StatusCode, AppError> {
    user.require(Permission::ReviewAml)?;
    recouvre_store::aml::file_report(&state.store, id, &request.reference, request.filed_on, user.login(), Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct VisibilityRequest {
    pub visible_to_officers: bool,
}

/// Lets officers see that the case is under review, or hides it again.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/visibility", params(("id" = i64, Path, description = "Alert id")), request_body = VisibilityRequest, responses((status = 204), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn aml_visibility(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<VisibilityRequest>,
) -> Result<StatusCode, AppError> {
    user.require(Permission::ReviewAml)?;
    recouvre_store::aml::set_visibility(&state.store, id, request.visible_to_officers, user.login(), Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct FundsRequest {
    /// `release` (allocate to the case) or `return` (to the payer).
    pub decision: String,
}

/// Decides what becomes of a held payment, once the alert is closed or reported.
#[utoipa::path(post, path = "/api/v1/aml/alerts/{id}/funds", params(("id" = i64, Path, description = "Alert id")), request_body = FundsRequest, responses((status = 204), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn aml_funds(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<FundsRequest>,
) -> Result<StatusCode, AppError> {
    user.require(Permission::ReviewAml)?;
    let decision = match request.decision.as_str() {
        "release" => recouvre_store::aml::FundsDecision::Release,
        "return" => recouvre_store::aml::FundsDecision::Return,
        other => {
            return Err(AppError::BadRequest(format!("décision « {other} » inconnue : attendu release ou return")))
        }
    };
    recouvre_store::aml::decide_funds(&state.store, id, decision, user.login(), Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
struct SanctionsParams {
    /// Name of the file, kept with the list (for the audit).
    file_name: String,
    /// Similarity from which a payer name matches an entry, in percent (default 85).
    threshold_percent: Option<u8>,
}

/// Loads a sanctions / asset-freeze list (CSV body, docs/formats/sanctions-list.md); it is in
/// force at once. A bad line refuses the file, naming the line and the field.
#[utoipa::path(post, path = "/api/v1/aml/sanctions", params(SanctionsParams), request_body(content = String, content_type = "text/csv"), responses((status = 201, body = Object), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn load_sanctions(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<SanctionsParams>,
    body: String,
) -> Result<Response, AppError> {
    user.require(Permission::ReviewAml)?;
    let threshold = params.threshold_percent.unwrap_or(recouvre_domain::sanctions::DEFAULT_THRESHOLD_PERCENT);
    let loaded =
        recouvre_store::sanctions::load(&state.store, &params.file_name, &body, threshold, user.login(), Utc::now())
            .await
            .map_err(|error| match error {
                recouvre_store::StoreError::Invalid { message, .. } => AppError::BadRequest(message),
                other => AppError::from(other),
            })?;
    Ok((StatusCode::CREATED, Json(loaded)).into_response())
}

/// The sanctions list in force (without its entries), or null.
#[utoipa::path(get, path = "/api/v1/aml/sanctions", responses((status = 200, body = Object), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn sanctions_in_force(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Option<recouvre_store::sanctions::LoadedList>>, AppError> {
    user.require(Permission::ReviewAml)?;
    Ok(Json(recouvre_store::sanctions::latest(&state.store).await?))
}

/// The content of a suspicious activity report for the bank's reporting tool (docs/formats/sar-json.md).
#[utoipa::path(get, path = "/api/v1/aml/alerts/{id}/export", params(("id" = i64, Path, description = "Alert id")), responses((status = 200, body = Object), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn export_aml_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    user.require(Permission::ReviewAml)?;
    Ok(Json(recouvre_store::aml::report_export(&state.store, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct WriteOffRequest {
    pub version: i64,
    /// The amounts to write off, by component.
    pub amounts: recouvre_domain::case::Breakdown,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct WriteOffOutcomeDto {
    /// `booked` (within the proposer's delegation) or `pending` (waiting for approval).
    pub status: String,
    pub version: i64,
    pub transaction_id: Option<i64>,
    pub request_id: Option<i64>,
}

fn actor(user: &CurrentUser) -> recouvre_store::approvals::Actor<'_> {
    recouvre_store::approvals::Actor { login: user.login(), level: user.user.delegation_level }
}

/// Proposes a write-off (passage en pertes). Within the proposer's delegation it is booked at
/// once; above it, it waits for another person's approval.
#[utoipa::path(post, path = "/api/v1/cases/{id}/write-offs", params(("id" = i64, Path, description = "Case id")), request_body = WriteOffRequest, responses(
    (status = 201, body = WriteOffOutcomeDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn propose_write_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<WriteOffRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let outcome = recouvre_store::approvals::propose_write_off(
        &state.store,
        case_id,
        request.version,
        &request.amounts,
        &request.reason,
        actor(&user),
        Utc::now(),
    )
    .await?;
    let dto = match outcome {
        recouvre_store::approvals::WriteOffOutcome::Booked { transaction_id, version } => WriteOffOutcomeDto {
            status: "booked".into(),
            version,
            transaction_id: Some(transaction_id),
            request_id: None,
        },
        recouvre_store::approvals::WriteOffOutcome::Pending { request_id, version } => {
            WriteOffOutcomeDto { status: "pending".into(), version, transaction_id: None, request_id: Some(request_id) }
        }
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ApprovalDto {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub amount: Money,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub status: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// Whether the caller may decide it (not their own, within their level).
    pub can_decide: bool,
}

fn approval_dto(request: recouvre_store::approvals::ApprovalRequest, user: &CurrentUser) -> ApprovalDto {
    let amount = Money::from_cents(request.amount_cents);
    ApprovalDto {
        can_decide: request.status == "pending"
            && request.requested_by != user.login()
            && user.user.delegation_level.covers(amount)
            && user.can(Permission::Approve),
        id: request.id,
        case_id: request.case_id,
        kind: request.kind,
        amount,
        reason: request.reason,
        requested_by: request.requested_by,
        requested_at: request.requested_at,
        status: request.status,
        decided_by: request.decided_by,
        decision_reason: request.decision_reason,
    }
}

/// Requests waiting for a decision (approvals inbox).
#[utoipa::path(get, path = "/api/v1/approvals", responses((status = 200, body = Vec<ApprovalDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn list_approvals(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<ApprovalDto>>, AppError> {
    user.require(Permission::Approve)?;
    let pending = recouvre_store::approvals::pending(&state.store).await?;
    Ok(Json(pending.into_iter().map(|request| approval_dto(request, &user)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// Required to refuse.
    #[serde(default)]
    pub reason: String,
}

/// Approves a request: the decision is carried out (a write-off is booked). Never by the
/// requester; only within the approver's delegation.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/approve", params(("id" = i64, Path, description = "Request id")), request_body = DecisionRequest, responses(
    (status = 200, body = ApprovalDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn approve_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<DecisionRequest>,
) -> Result<Json<ApprovalDto>, AppError> {
    decide(&state, &user, id, true, &request.reason).await
}

/// Refuses a request, with a reason.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/refuse", params(("id" = i64, Path, description = "Request id")), request_body = DecisionRequest, responses(
    (status = 200, body = ApprovalDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn refuse_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<DecisionRequest>,
) -> Result<Json<ApprovalDto>, AppError> {
    decide(&state, &user, id, false, &request.reason).await
}

pub(crate) async fn decide(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    approve: bool,
    reason: &str,
) -> Result<Json<ApprovalDto>, AppError> {
    user.require(Permission::Approve)?;
    let request = recouvre_store::approvals::by_id(&state.store, id).await?;
    if request.requested_by == user.login() {
        return Err(AppError::Forbidden("vous ne pouvez pas décider de votre propre demande".to_string()));
    }
    let decided = recouvre_store::approvals::decide(&state.store, id, approve, reason, actor(user), Utc::now()).await?;
    Ok(Json(approval_dto(decided, user)))
}

#[derive(Deserialize, ToSchema)]
pub struct TagsRequest {
    pub version: i64,
    pub tags: Vec<String>,
}

/// Replaces a case's tags. Refused with 409 if the case changed since `version`.
#[utoipa::path(put, path = "/api/v1/cases/{id}/tags", params(("id" = i64, Path, description = "Case id")), request_body = TagsRequest, responses(
    (status = 200, body = VersionDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn put_tags(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<TagsRequest>,
) -> Result<Json<VersionDto>, AppError> {
    user.require(Permission::WorkCases)?;
    let tags = crate::pages::parse_tags(&request.tags.join(","))?;
    let version =
        recouvre_store::cases::set_tags(&state.store, case_id, request.version, &tags, user.login(), Utc::now())
            .await?;
    Ok(Json(VersionDto { version }))
}

#[derive(Deserialize, ToSchema)]
pub struct OfficerRequest {
    pub version: i64,
    /// The officer's user id; `null` to unassign.
    pub officer_id: Option<i64>,
}

/// Assigns a case to an officer (team leads: distribution of the work).
#[utoipa::path(put, path = "/api/v1/cases/{id}/officer", params(("id" = i64, Path, description = "Case id")), request_body = OfficerRequest, responses(
    (status = 200, body = VersionDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn put_officer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<OfficerRequest>,
) -> Result<Json<VersionDto>, AppError> {
    user.require(Permission::AssignCases)?;
    let id = request.officer_id.map(|id| id.to_string()).unwrap_or_default();
    let officer = crate::pages::resolve_officer(&state, &id).await?;
    let version = recouvre_store::cases::assign(
        &state.store,
        case_id,
        request.version,
        officer.as_ref().map(|(id, login)| (*id, login.as_str())),
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Json(VersionDto { version }))
}

#[derive(Serialize, ToSchema)]
pub struct ImportOutcomeDto {
    pub lines: u64,
    pub cases_changed: u64,
    /// The same file was imported before; nothing changed.
    pub already_imported: bool,
}

#[derive(Deserialize, IntoParams)]
struct ImportParams {
    /// Name recorded with the import (defaults to `api-upload.csv`).
    file_name: Option<String>,
}

/// Imports a core-banking accounts file (CSV, `;`, UTF-8; see docs/formats/accounts-csv.md).
/// All or nothing; importing the same file twice changes nothing.
#[utoipa::path(post, path = "/api/v1/imports/accounts", params(ImportParams), request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportOutcomeDto), (status = 400, body = ErrorDto, description = "Names the line, column and value"), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn import_accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<ImportParams>,
    body: String,
) -> Result<Json<ImportOutcomeDto>, AppError> {
    user.require(Permission::ImportFiles)?;
    let file_name = params.file_name.unwrap_or_else(|| "api-upload.csv".to_string());
    let outcome =
        recouvre_store::imports::import_accounts_csv(&state.store, &file_name, &body, user.login(), Utc::now())
            .await
            .map_err(|error| match error {
            ImportFileError::Invalid { .. } => AppError::BadRequest(error.to_string()),
            ImportFileError::Store { error, .. } => AppError::from(error),
        })?;
    Ok(Json(ImportOutcomeDto {
        lines: outcome.lines,
        cases_changed: outcome.cases_changed,
        already_imported: outcome.already_imported,
    }))
}

/// One documented endpoint per calculator, all answered by [`calculate`]. The request's fields
/// are the CLI's flags in snake case (`--monthly-net` → `monthly_net`); the answer is the CLI's
/// JSON; a refusal (400) names the argument (`kind`, `argument`, `message`, `details`).
macro_rules! calculator_endpoint {
    ($handler:ident, $name:literal, $request:ty, $response:ty, $summary:literal) => {
        #[doc = $summary]
        #[utoipa::path(post, path = concat!("/api/v1/calc/", $name), request_body = $request, responses(
                            (status = 200, body = $response), (status = 400, body = recouvre_domain::calc::CalcError),
                            (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
        async fn $handler(
            state: State<AppState>,
            user: CurrentUser,
            request: Json<serde_json::Value>,
        ) -> Result<Response, AppError> {
            calculate(state, user, Path($name.to_string()), request).await
        }
    };
}

use recouvre_domain::calc as calc_types;
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

/// Any calculator by name; an unknown name is a 404.
async fn calculate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Json(request): Json<serde_json::Value>,
) -> Result<Response, AppError> {
    user.require(Permission::UseCalculators)?;
    let reference = state.reference();
    let mut request = request;
    // The calculators are pure: "as of today" is the shell's to say.
    if name == "foreclosure" {
        if let Some(fields) = request.as_object_mut() {
            fields.entry("as_of").or_insert_with(|| serde_json::json!(Utc::now().date_naive()));
        }
    }
    match recouvre_domain::calc::run(&name, request, &reference) {
        Ok(answer) => Ok(Json(answer).into_response()),
        Err(error) => {
            let status = match error.kind {
                recouvre_domain::calc::CalcErrorKind::UnknownCalculator => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            let body = serde_json::json!({
                "error": error.to_string(),
                "kind": error.kind,
                "argument": error.argument,
                "details": error.details,
            });
            Ok((status, Json(body)).into_response())
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessDto {
    pub user_login: String,
    pub case_id: Option<i64>,
    pub person_id: Option<i64>,
    pub path: String,
    pub at: DateTime<Utc>,
}

#[derive(Deserialize, IntoParams)]
struct AccessParams {
    /// Every consultation of this person's files.
    person_id: Option<i64>,
    /// Every consultation of this case.
    case_id: Option<i64>,
}

/// Who consulted a debtor's files, for a right-of-access request (RGPD art. 15).
#[utoipa::path(get, path = "/api/v1/access-log", params(AccessParams), responses(
    (status = 200, body = Vec<AccessDto>), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn access_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<AccessParams>,
) -> Result<Json<Vec<AccessDto>>, AppError> {
    user.require(Permission::ReadAccessLog)?;
    let entries = match (params.person_id, params.case_id) {
        (Some(person_id), None) => recouvre_store::access::for_person(&state.store, person_id).await?,
        (None, Some(case_id)) => recouvre_store::access::for_case(&state.store, case_id).await?,
        _ => return Err(AppError::BadRequest("donnez soit person_id, soit case_id".to_string())),
    };
    Ok(Json(
        entries
            .into_iter()
            .map(|entry| AccessDto {
                user_login: entry.user_login,
                case_id: entry.case_id,
                person_id: entry.person_id,
                path: entry.path,
                at: entry.at,
            })
            .collect(),
    ))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BankIdentityDto {
    pub name: String,
    pub address: String,
    pub sepa_creditor_id: String,
    pub collection_iban: String,
    pub collection_bic: String,
    pub logo: String,
    pub centre_name: String,
    pub centre_phone: String,
    pub centre_email: String,
}

impl From<recouvre_store::settings::BankIdentity> for BankIdentityDto {
    fn from(bank: recouvre_store::settings::BankIdentity) -> BankIdentityDto {
        BankIdentityDto {
            name: bank.name,
            address: bank.address,
            sepa_creditor_id: bank.sepa_creditor_id,
            collection_iban: bank.collection_iban,
            collection_bic: bank.collection_bic,
            logo: bank.logo,
            centre_name: bank.centre_name,
            centre_phone: bank.centre_phone,
            centre_email: bank.centre_email,
        }
    }
}

impl From<BankIdentityDto> for recouvre_store::settings::BankIdentity {
    fn from(bank: BankIdentityDto) -> recouvre_store::settings::BankIdentity {
        recouvre_store::settings::BankIdentity {
            name: bank.name,
            address: bank.address,
            sepa_creditor_id: bank.sepa_creditor_id,
            collection_iban: bank.collection_iban,
            collection_bic: bank.collection_bic,
            logo: bank.logo,
            centre_name: bank.centre_name,
            centre_phone: bank.centre_phone,
            centre_email: bank.centre_email,
        }
    }
}

/// The bank's identity used on letters and files (administrators only).
#[utoipa::path(get, path = "/api/v1/admin/settings", responses((status = 200, body = BankIdentityDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn get_settings(State(state): State<AppState>, user: CurrentUser) -> Result<Json<BankIdentityDto>, AppError> {
    user.require(Permission::Administer)?;
    Ok(Json(recouvre_store::settings::bank_identity(&state.store).await?.into()))
}

/// Replaces the bank's identity (administrators only).
#[utoipa::path(put, path = "/api/v1/admin/settings", request_body = BankIdentityDto, responses((status = 200, body = BankIdentityDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn put_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(bank): Json<BankIdentityDto>,
) -> Result<Json<BankIdentityDto>, AppError> {
    user.require(Permission::Administer)?;
    if bank.name.trim().is_empty() {
        return Err(AppError::BadRequest("le nom de la banque est obligatoire".to_string()));
    }
    let bank: recouvre_store::settings::BankIdentity = bank.into();
    recouvre_store::settings::set_bank_identity(&state.store, &bank, user.login(), Utc::now()).await?;
    Ok(Json(bank.into()))
}

#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub login: String,
    pub display_name: String,
    /// `officer`, `team_lead`, `compliance`, `accounting_control`, `committee_viewer`, `administrator`.
    pub role: String,
    pub delegation_level: u8,
    pub active: bool,
}

impl From<&recouvre_store::users::User> for UserDto {
    fn from(user: &recouvre_store::users::User) -> UserDto {
        UserDto {
            login: user.login.clone(),
            display_name: user.display_name.clone(),
            role: user.role.code().to_string(),
            delegation_level: user.delegation_level.0,
            active: user.active,
        }
    }
}

/// Users and their roles (administrators only).
#[utoipa::path(get, path = "/api/v1/admin/users", responses((status = 200, body = Vec<UserDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn list_users(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<UserDto>>, AppError> {
    user.require(Permission::Administer)?;
    Ok(Json(recouvre_store::users::list(&state.store).await?.iter().map(UserDto::from).collect()))
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = UserDto), (status = 401, body = ErrorDto)))]
async fn me(user: CurrentUser) -> Json<UserDto> {
    Json(UserDto::from(&user.user))
}

#[derive(Serialize, ToSchema)]
pub struct ReferenceEntryDto {
    pub id: i64,
    pub kind: String,
    /// The entry as entered (JSON text).
    pub entry: String,
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferenceDto {
    pub statutory_rates: Vec<recouvre_domain::reference::StatutoryRate>,
    pub wage_bands: Vec<recouvre_domain::reference::WageBands>,
    pub unseizable_balances: Vec<recouvre_domain::reference::UnseizableBalance>,
    pub indemnity_caps: Vec<recouvre_domain::reference::IndemnityCap>,
    /// First day without a statutory rate.
    pub statutory_rates_known_until: Option<NaiveDate>,
    /// What today's date lacks, each saying what an administrator must enter.
    pub warnings: Vec<String>,
    /// The entries administrators added, oldest first.
    pub entries: Vec<ReferenceEntryDto>,
}

/// The reference data in force (embedded defaults and administrators' entries), with warnings
/// for what today's date is not covered by.
#[utoipa::path(get, path = "/api/v1/reference", responses((status = 200, body = ReferenceDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn reference_data(State(state): State<AppState>, user: CurrentUser) -> Result<Json<ReferenceDto>, AppError> {
    user.require(Permission::UseCalculators)?;
    let data = state.reference();
    let entries = recouvre_store::reference::all(&state.store).await?;
    Ok(Json(ReferenceDto {
        statutory_rates: data.statutory_rates().cloned().collect(),
        wage_bands: data.all_wage_bands().cloned().collect(),
        unseizable_balances: data.unseizable_balances().cloned().collect(),
        indemnity_caps: data.indemnity_caps().cloned().collect(),
        statutory_rates_known_until: data.statutory_rates_known_until(),
        warnings: crate::coverage_warnings(&data, Utc::now().date_naive()),
        entries: entries
            .into_iter()
            .map(|entry| ReferenceEntryDto {
                id: entry.id,
                kind: entry.kind,
                entry: entry.entry,
                entered_by: entry.entered_by,
                entered_at: entry.entered_at,
            })
            .collect(),
    }))
}

#[derive(Deserialize, IntoParams)]
struct ReferenceParams {
    /// Correct an existing value (same semester, year or date) instead of refusing it.
    #[serde(default)]
    replace: bool,
}

/// Adds a reference value (administrators only): `statutory_rate`, `wage_bands`,
/// `unseizable_balance` or `indemnity_cap`, in the JSON form of `/api/v1/reference`. Kept with
/// who entered it and when; a value that already exists is refused unless `replace=true`.
#[utoipa::path(post, path = "/api/v1/admin/reference/{kind}", params(("kind" = String, Path, description = "Entry kind"), ReferenceParams),
    request_body(content = Object, description = "The entry"),
    responses((status = 201, body = ReferenceDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn add_reference_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    Query(params): Query<ReferenceParams>,
    Json(entry): Json<serde_json::Value>,
) -> Result<Response, AppError> {
    user.require(Permission::Administer)?;
    crate::reference::add_entry(&state, &kind, &entry.to_string(), params.replace, user.login()).await?;
    let Json(answer) = reference_data(State(state), user).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
