//! The cases over the API: list, detail, journal, ledger, and the changes made on a case.

use crate::auth::CurrentUser;
use crate::cases::pages::ListQuery;
use crate::error::{AppError, ErrorDto};
use crate::shared::VersionDto;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::case::{CaseStatus, Claim, Guarantee, OtherAccount, PartyRole, Person};
use recouvre_domain::journal::JournalEvent;
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
/// Every parameter but `q` must have a value when given: an empty one is a 400 naming it.
pub(crate) struct ListParams {
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

/// The list's query parameters that take a value: all but the free text `q`.
const VALUED_FILTERS: [&str; 15] = [
    "status",
    "officer",
    "nature",
    "min",
    "max",
    "sort",
    "after",
    "open",
    "deadline_before",
    "approval",
    "closed_from",
    "closed_to",
    "actor",
    "active_from",
    "active_to",
];

/// A filter given without a value (`deadline_before=`) is a mistake of the client, refused
/// naming the parameter rather than silently read as "no filter" (issue 22). The case list
/// screen's form sends its blank fields empty and reads them as "no filter": only the API
/// refuses them.
fn refuse_empty_filters(pairs: &[(String, String)]) -> Result<(), AppError> {
    match pairs.iter().find(|(name, value)| VALUED_FILTERS.contains(&name.as_str()) && value.trim().is_empty()) {
        None => Ok(()),
        Some((name, _)) => Err(AppError::App(recouvre_app::Error::invalid(
            name.clone(),
            "invalid_input",
            format!("paramètre « {name} » vide : donnez-lui une valeur ou retirez-le de l'adresse"),
        ))),
    }
}

/// List cases, with the same filters as the case list screen.
#[utoipa::path(get, path = "/api/v1/cases", params(ListParams), responses(
    (status = 200, body = CasePageDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn list_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(pairs): Query<Vec<(String, String)>>,
    Query(query): Query<ListQuery>,
) -> Result<Json<CasePageDto>, AppError> {
    refuse_empty_filters(&pairs)?;
    let filter = query.to_filter(&user)?;
    let page = recouvre_app::cases::list(&state.app, &user.actor(), &filter).await?;
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
    pub debtor: CaseDebtorDto,
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
    /// Interest accrued after the last day booked, to today: not yet in `breakdown` (booked at
    /// each month's end and whenever a settled balance is needed; issue 18).
    pub accrued_interest: AccruedInterestDto,
}

/// Interest accrued and not yet booked (« intérêts courus au JJ/MM/AAAA »).
#[derive(Serialize, ToSchema)]
pub struct AccruedInterestDto {
    /// The day the interest runs to (today).
    pub as_of: NaiveDate,
    /// The last day already booked in `breakdown`.
    pub booked_to: NaiveDate,
    pub contractual: Money,
    pub statutory: Money,
    /// First day not computed because that semester's statutory rate is not entered yet.
    pub held_from: Option<NaiveDate>,
    /// What a judgment decided about the interest (CMF L313-3 al. 2, C. civ. 1343-2), if recorded
    /// (`POST /api/v1/cases/{id}/interest-rulings`).
    pub ruling: Option<crate::interest_rulings::InterestRulingDto>,
}

/// The case's debtor: the person with the contact details of their file (issue 17). Correct it
/// with `PATCH /api/v1/debtors/{customer_number}`, quoting `version` (the person's).
#[derive(Serialize, ToSchema)]
pub struct CaseDebtorDto {
    #[serde(flatten)]
    pub person: Person,
    /// The person's version (not the case's): quote it when correcting the debtor's file.
    pub version: i64,
    pub civility: Option<recouvre_domain::debtor_file::Civility>,
    /// Every phone number (`phone` is the first).
    pub phones: Vec<String>,
    /// Every e-mail address (`email` is the first).
    pub emails: Vec<String>,
    /// INSEE code of the address's commune.
    pub commune_code: Option<String>,
    /// NPAI: a letter came back from the address.
    pub address_invalid: bool,
}

/// A case file. The consultation is recorded in the access log.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = CaseDetailDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn case_detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<CaseDetailDto>, AppError> {
    let file =
        recouvre_app::cases::case_file(&state.app, &user.actor(), case_id, &format!("/api/v1/cases/{case_id}")).await?;
    let case = file.case;
    let debtor_file = file.debtor_file;
    let debtor = CaseDebtorDto {
        person: case.debtor,
        version: debtor_file.version,
        civility: debtor_file.civility,
        phones: debtor_file.phones,
        emails: debtor_file.emails,
        commune_code: debtor_file.commune_code,
        address_invalid: debtor_file.address_invalid_on.is_some(),
    };
    Ok(Json(CaseDetailDto {
        id: case.id,
        reference: case.reference,
        status: case.status,
        opened_on: case.opened_on,
        closed_on: case.closed_on,
        officer_name: case.officer_name,
        tags: case.tags,
        version: case.version,
        debtor,
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
        accrued_interest: AccruedInterestDto {
            as_of: file.accrued_interest.as_of,
            booked_to: file.accrued_interest.booked_to,
            contractual: file.accrued_interest.contractual,
            statutory: file.accrued_interest.statutory,
            held_from: file.accrued_interest.held_from,
            ruling: file.accrued_interest.ruling.as_ref().map(crate::interest_rulings::InterestRulingDto::from),
        },
    }))
}

/// A case's journal, oldest first, with each event's hash chain.
#[utoipa::path(get, path = "/api/v1/cases/{id}/journal", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = Vec<JournalEvent>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn case_journal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<JournalEvent>>, AppError> {
    let path = format!("/api/v1/cases/{case_id}/journal");
    Ok(Json(recouvre_app::cases::journal(&state.app, &user.actor(), case_id, &path).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NoteRequest {
    /// The case version the note was written against.
    pub version: i64,
    pub body: String,
}

/// Adds a note to a case. Refused with 409 if the case changed since `version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", params(("id" = i64, Path, description = "Case id")), request_body = NoteRequest, responses(
    (status = 201, body = VersionDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<NoteRequest>,
) -> Result<Response, AppError> {
    let version =
        recouvre_app::cases::add_note(&state.app, &user.actor(), case_id, request.version, &request.body).await?;
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

/// A payment typed in beyond its author's delegation: an approval request (issue 23).
#[derive(Serialize, ToSchema)]
pub struct PaymentAwaitingApprovalDto {
    /// Always `awaiting_approval`.
    pub status: String,
    /// The approval request another person of a covering level decides.
    pub request_id: i64,
    pub version: i64,
}

/// What a 202 to a payment means: received but held for processing, or awaiting approval.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum PaymentAcceptedDto {
    Held(BookedDto),
    AwaitingApproval(PaymentAwaitingApprovalDto),
}

/// Books a payment received by hand on a case, allocated over what is due. Beyond the author's
/// delegation (the case's payments by hand over 365 days with this one, against the level's
/// `max_write_off`), it becomes an approval request: 202 with `status: awaiting_approval`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/payments", params(("id" = i64, Path, description = "Case id")), request_body = PaymentRequest, responses(
    (status = 201, body = BookedDto), (status = 202, description = "Received, being processed: not yet allocated; or beyond the author's delegation, awaiting another person's approval", body = PaymentAcceptedDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn post_payment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<PaymentRequest>,
) -> Result<Response, AppError> {
    let input = recouvre_app::cases::PaymentInput {
        amount: request.amount,
        received_on: request.received_on,
        capital_first: request.capital_first,
        reference: request.reference,
        payer_name: request.payer_name,
        payer_iban: request.payer_iban,
        cash: request.cash,
    };
    let booked =
        match recouvre_app::cases::book_payment(&state.app, &user.actor(), case_id, request.version, &input).await? {
            recouvre_store::payment_requests::PaymentOutcome::Booked(booked) => booked,
            recouvre_store::payment_requests::PaymentOutcome::AwaitingApproval { request_id, version } => {
                let body = PaymentAwaitingApprovalDto { status: "awaiting_approval".to_string(), request_id, version };
                return Ok((StatusCode::ACCEPTED, Json(PaymentAcceptedDto::AwaitingApproval(body))).into_response());
            }
        };
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
pub(crate) async fn case_ledger(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<LedgerLineDto>>, AppError> {
    let path = format!("/api/v1/cases/{case_id}/ledger");
    let lines = recouvre_app::cases::ledger(&state.app, &user.actor(), case_id, &path).await?;
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

/// Proposes a write-off (passage en pertes). Within the proposer's delegation it is booked at
/// once; above it, it waits for another person's approval.
#[utoipa::path(post, path = "/api/v1/cases/{id}/write-offs", params(("id" = i64, Path, description = "Case id")), request_body = WriteOffRequest, responses(
    (status = 201, body = WriteOffOutcomeDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn propose_write_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<WriteOffRequest>,
) -> Result<Response, AppError> {
    let outcome = recouvre_app::cases::propose_write_off(
        &state.app,
        &user.actor(),
        case_id,
        request.version,
        &request.amounts,
        &request.reason,
    )
    .await?;
    let dto = match outcome {
        recouvre_app::cases::WriteOffOutcome::Booked { transaction_id, version } => WriteOffOutcomeDto {
            status: "booked".into(),
            version,
            transaction_id: Some(transaction_id),
            request_id: None,
        },
        recouvre_app::cases::WriteOffOutcome::Pending { request_id, version } => {
            WriteOffOutcomeDto { status: "pending".into(), version, transaction_id: None, request_id: Some(request_id) }
        }
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct TagsRequest {
    pub version: i64,
    pub tags: Vec<String>,
}

/// Replaces a case's tags. Refused with 409 if the case changed since `version`.
#[utoipa::path(put, path = "/api/v1/cases/{id}/tags", params(("id" = i64, Path, description = "Case id")), request_body = TagsRequest, responses(
    (status = 200, body = VersionDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn put_tags(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<TagsRequest>,
) -> Result<Json<VersionDto>, AppError> {
    let version =
        recouvre_app::cases::set_tags(&state.app, &user.actor(), case_id, request.version, &request.tags.join(","))
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
pub(crate) async fn put_officer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<OfficerRequest>,
) -> Result<Json<VersionDto>, AppError> {
    let version =
        recouvre_app::cases::assign(&state.app, &user.actor(), case_id, request.version, request.officer_id).await?;
    Ok(Json(VersionDto { version }))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_cases,
        case_detail,
        case_journal,
        add_note,
        put_tags,
        put_officer,
        post_payment,
        case_ledger,
        propose_write_off
    ),
    components(schemas(
        CasePageDto,
        CaseSummaryDto,
        CaseDetailDto,
        CaseDebtorDto,
        PartyDto,
        ClaimDto,
        NoteDto,
        JournalEvent,
        NoteRequest,
        TagsRequest,
        OfficerRequest,
        PaymentRequest,
        BookedDto,
        PaymentAwaitingApprovalDto,
        PaymentAcceptedDto,
        LedgerLineDto,
        WriteOffRequest,
        WriteOffOutcomeDto,
        VersionDto
    ))
)]
pub struct CasesApiDoc;
