//! The team over the API: distribution, the team view, absences, specialties, requests to other
//! departments, the third-party directory.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_app::team::{DepartmentRequest, NewThirdParty, QueueCase, ThirdParty};
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// =============================================================================================
// Team distribution (item 7)

#[derive(Serialize, ToSchema)]
pub struct QueueCaseDto {
    pub id: i64,
    pub reference: String,
    pub debtor_name: String,
    pub status: String,
    pub total: Money,
    pub opened_on: NaiveDate,
    /// The specialty the case calls for (`estates`, `protected_adults`, `large_amounts`).
    pub specialty: Option<String>,
}

impl From<&QueueCase> for QueueCaseDto {
    fn from(case: &QueueCase) -> QueueCaseDto {
        QueueCaseDto {
            id: case.id,
            reference: case.reference.clone(),
            debtor_name: case.debtor_name(),
            status: case.status.clone(),
            total: Money::from_cents(case.total_cents),
            opened_on: case.opened_on,
            specialty: case.needed_specialty().map(|(code, _)| code.to_string()),
        }
    }
}

/// The open cases without an officer, oldest first (at most 200).
#[utoipa::path(get, path = "/api/v1/team/unassigned", responses(
    (status = 200, body = [QueueCaseDto]), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn unassigned(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<QueueCaseDto>>, AppError> {
    let cases = recouvre_app::team::unassigned(&state.app, &user.actor()).await?;
    Ok(Json(cases.iter().map(QueueCaseDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DistributeRequest {
    /// `round_robin` or `balanced` (by open workload).
    pub method: String,
    /// At most this many cases (default and maximum 500).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentDto {
    pub case_id: i64,
    pub reference: String,
    pub officer: String,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct DistributionDto {
    pub method: String,
    pub assigned: Vec<AssignmentDto>,
    /// Cases assigned by someone else during the run.
    pub skipped: usize,
    /// Open cases still without an officer.
    pub remaining: i64,
}

/// Distributes the unassigned open cases among the officers present today (round robin or
/// balanced by open workload; a deceased debtor, a protected adult or more than 50 000 € goes to
/// an officer with the matching specialty when there is one). Each assignment is journaled
/// (`case_assigned`). An unknown method is refused (400); no officer present, 409.
#[utoipa::path(post, path = "/api/v1/team/distribute", request_body = DistributeRequest, responses(
    (status = 200, body = DistributionDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn distribute(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(request): Json<DistributeRequest>,
) -> Result<Json<DistributionDto>, AppError> {
    let run = recouvre_app::team::distribute(&state.app, &user.actor(), &request.method, request.limit).await?;
    Ok(Json(DistributionDto {
        method: run.method.code().to_string(),
        assigned: run
            .assigned
            .into_iter()
            .map(|a| AssignmentDto {
                case_id: a.case_id,
                reference: a.reference,
                officer: a.officer_login,
                reason: a.reason,
            })
            .collect(),
        skipped: run.skipped,
        remaining: run.remaining,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct OfficerLoadDto {
    pub login: String,
    pub display_name: String,
    pub specialties: Vec<String>,
    pub open_cases: i64,
    pub open_amount: Money,
    /// Open agenda items due within 7 days or overdue.
    pub deadlines_at_risk: i64,
    /// Who covers them today, if absent.
    pub covered_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatusLoadDto {
    /// `None`: not assigned.
    pub officer: Option<String>,
    pub status: String,
    pub cases: i64,
    pub amount: Money,
}

#[derive(Serialize, ToSchema)]
pub struct AbsenceDto {
    pub id: i64,
    pub officer: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub cover: String,
}

#[derive(Serialize, ToSchema)]
pub struct TeamOverviewDto {
    pub unassigned: i64,
    pub officers: Vec<OfficerLoadDto>,
    pub by_status: Vec<StatusLoadDto>,
    pub absences: Vec<AbsenceDto>,
}

/// The team view: backlog per officer (open cases, amount, deadlines at risk), open cases per
/// officer and status, current and coming absences.
#[utoipa::path(get, path = "/api/v1/team/overview", responses(
    (status = 200, body = TeamOverviewDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<TeamOverviewDto>, AppError> {
    let overview = recouvre_app::team::overview(&state.app, &user.actor()).await?;
    Ok(Json(TeamOverviewDto {
        unassigned: overview.unassigned,
        officers: overview
            .officers
            .into_iter()
            .map(|officer| OfficerLoadDto {
                login: officer.login,
                display_name: officer.display_name,
                specialties: officer.specialties,
                open_cases: officer.open_cases,
                open_amount: Money::from_cents(officer.open_cents),
                deadlines_at_risk: officer.deadlines_at_risk,
                covered_by: officer.covered_by,
            })
            .collect(),
        by_status: overview
            .by_status
            .into_iter()
            .map(|line| StatusLoadDto {
                officer: line.officer_login,
                status: line.status,
                cases: line.cases,
                amount: Money::from_cents(line.total_cents),
            })
            .collect(),
        absences: overview
            .absences
            .into_iter()
            .map(|absence| AbsenceDto {
                id: absence.id,
                officer: absence.officer_login,
                starts_on: absence.starts_on,
                ends_on: absence.ends_on,
                cover: absence.cover_login,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AbsenceRequest {
    /// Login of the absent officer.
    pub officer: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Login of the colleague who handles their agenda meanwhile.
    pub cover: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: i64,
}

/// Records an absence and its cover. Refused with 400 if the cover is the officer, the dates
/// are reversed or either is not an active officer; with 409 if the cover is absent themselves
/// during the period.
#[utoipa::path(post, path = "/api/v1/team/absences", request_body = AbsenceRequest, responses(
    (status = 201, body = CreatedDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn record_absence(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(request): Json<AbsenceRequest>,
) -> Result<Response, AppError> {
    let input = recouvre_app::team::AbsenceInput {
        officer: request.officer,
        starts_on: request.starts_on,
        ends_on: request.ends_on,
        cover: request.cover,
    };
    let id = recouvre_app::team::record_absence(&state.app, &user.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })).into_response())
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct SpecialtiesRequest {
    /// Any of `estates`, `protected_adults`, `large_amounts`.
    pub specialties: Vec<String>,
}

/// Replaces an officer's specialties. An unknown specialty is refused (400).
#[utoipa::path(put, path = "/api/v1/team/officers/{login}/specialties", params(("login" = String, Path, description = "Officer's login")),
    request_body = SpecialtiesRequest, responses(
    (status = 200, body = SpecialtiesRequest), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn set_specialties(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(login): Path<String>,
    Json(request): Json<SpecialtiesRequest>,
) -> Result<Json<SpecialtiesRequest>, AppError> {
    let specialties =
        recouvre_app::team::set_specialties(&state.app, &user.actor(), &login, &request.specialties).await?;
    Ok(Json(SpecialtiesRequest { specialties }))
}

// =============================================================================================
// Requests to other departments (item 8)

#[derive(Deserialize, ToSchema)]
pub struct DepartmentRequestBody {
    /// The case version the officer saw; a stale one is refused (409).
    pub version: i64,
    /// `agences`, `epargne`, `credits`, `moyens_paiement`.
    pub department: String,
    /// `authorise_debit_from_savings`, `watch_account`, `block_product`, `other`.
    pub kind: String,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct SentRequestDto {
    pub id: i64,
    /// The case's new version.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentRequestDto {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    /// The case's version now: quote it as `version` to acknowledge or answer the request.
    pub case_version: i64,
    pub department: String,
    pub kind: String,
    pub body: String,
    /// `sent`, `acknowledged`, `answered`.
    pub status: String,
    pub answer: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub handled_by: Option<String>,
    pub handled_at: Option<DateTime<Utc>>,
}

impl From<DepartmentRequest> for DepartmentRequestDto {
    fn from(r: DepartmentRequest) -> DepartmentRequestDto {
        DepartmentRequestDto {
            id: r.id,
            case_id: r.case_id,
            case_reference: r.case_reference,
            case_version: r.case_version,
            department: r.department,
            kind: r.kind,
            body: r.body,
            status: r.status,
            answer: r.answer,
            created_by: r.created_by,
            created_at: r.created_at,
            handled_by: r.handled_by,
            handled_at: r.handled_at,
        }
    }
}

/// Sends a request about the debtor's other accounts to a department; journaled on the case
/// (`department_request_sent`). Refused with 400 for an unknown department or kind or an empty
/// body, with 409 if the case changed since `version`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/department-requests", params(("id" = i64, Path, description = "Case id")),
    request_body = DepartmentRequestBody, responses(
    (status = 201, body = SentRequestDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn send_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<DepartmentRequestBody>,
) -> Result<Response, AppError> {
    let input =
        recouvre_app::team::RequestInput { department: request.department, kind: request.kind, body: request.body };
    let sent = recouvre_app::team::send_request(&state.app, &user.actor(), case_id, request.version, &input).await?;
    Ok((StatusCode::CREATED, Json(SentRequestDto { id: sent.id, version: sent.version })).into_response())
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct RequestsQuery {
    /// Only this department's requests.
    department: Option<String>,
    /// Include the answered requests (default: open ones only).
    #[serde(default)]
    all: bool,
}

/// A department's queue: the open requests (newest first), of one department or all.
#[utoipa::path(get, path = "/api/v1/department-requests", params(RequestsQuery), responses(
    (status = 200, body = [DepartmentRequestDto]), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto)))]
pub(crate) async fn department_requests(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RequestsQuery>,
) -> Result<Json<Vec<DepartmentRequestDto>>, AppError> {
    let rows =
        recouvre_app::team::department_requests(&state.app, &user.actor(), query.department.as_deref(), query.all)
            .await?;
    Ok(Json(rows.into_iter().map(DepartmentRequestDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct HandleRequestBody {
    /// The version of the request's case the department saw (`case_version`); a stale one is
    /// refused (409).
    pub version: i64,
}

/// The department acknowledges a request (journaled on the case). Refused with 409 if already
/// acknowledged or if the case changed since `version`.
#[utoipa::path(post, path = "/api/v1/department-requests/{id}/acknowledge", params(("id" = i64, Path, description = "Request id")),
    request_body = HandleRequestBody,
    responses((status = 200, body = DepartmentRequestDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn acknowledge_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<HandleRequestBody>,
) -> Result<Json<DepartmentRequestDto>, AppError> {
    let request = recouvre_app::team::acknowledge_request(&state.app, &user.actor(), id, request.version).await?;
    Ok(Json(request.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// The version of the request's case the department saw (`case_version`); a stale one is
    /// refused (409).
    pub version: i64,
    /// What the department did, or why it refuses.
    pub answer: String,
}

/// The department answers a request; the outcome goes on the case's timeline
/// (`department_request_answered`). Refused with 400 for an empty answer, with 409 if already
/// answered or if the case changed since `version`.
#[utoipa::path(post, path = "/api/v1/department-requests/{id}/answer", params(("id" = i64, Path, description = "Request id")),
    request_body = AnswerRequest, responses((status = 200, body = DepartmentRequestDto), (status = 400, body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn answer_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<AnswerRequest>,
) -> Result<Json<DepartmentRequestDto>, AppError> {
    let request =
        recouvre_app::team::answer_request(&state.app, &user.actor(), id, request.version, &request.answer).await?;
    Ok(Json(request.into()))
}

// =============================================================================================
// Third parties (item 10)

#[derive(Serialize, ToSchema)]
pub struct ThirdPartyDto {
    pub id: i64,
    /// `commissaire_de_justice`, `lawyer`, `agency`, `notary`, `court`, `guardian`.
    pub kind: String,
    pub name: String,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub jurisdiction: Option<String>,
    pub fee_terms: Option<String>,
}

impl From<ThirdParty> for ThirdPartyDto {
    fn from(party: ThirdParty) -> ThirdPartyDto {
        ThirdPartyDto {
            id: party.id,
            kind: party.kind,
            name: party.name,
            address: party.address,
            email: party.email,
            phone: party.phone,
            jurisdiction: party.jurisdiction,
            fee_terms: party.fee_terms,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NewThirdPartyRequest {
    pub kind: String,
    pub name: String,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub jurisdiction: Option<String>,
    pub fee_terms: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct InvolvementDto {
    pub procedure_id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub kind: String,
    pub state: String,
    pub started_on: NaiveDate,
    pub recovered: Money,
    pub costs: Money,
}

#[derive(Serialize, ToSchema)]
pub struct StateResultDto {
    pub state: String,
    pub procedures: i64,
    pub recovered: Money,
    pub costs: Money,
}

#[derive(Serialize, ToSchema)]
pub struct ThirdPartyDetailDto {
    pub third_party: ThirdPartyDto,
    pub cases: i64,
    pub procedures: i64,
    pub recovered: Money,
    pub costs: Money,
    pub by_state: Vec<StateResultDto>,
    pub involvements: Vec<InvolvementDto>,
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct DirectoryQuery {
    /// Only this kind of third party.
    pub(crate) kind: Option<String>,
}

/// The third-party directory (bailiffs, lawyers, agencies, notaries, courts, guardians).
#[utoipa::path(get, path = "/api/v1/third-parties", params(DirectoryQuery), responses(
    (status = 200, body = [ThirdPartyDto]), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto)))]
pub(crate) async fn third_parties(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DirectoryQuery>,
) -> Result<Json<Vec<ThirdPartyDto>>, AppError> {
    let rows = recouvre_app::team::third_parties(&state.app, &user.actor(), query.kind.as_deref()).await?;
    Ok(Json(rows.into_iter().map(ThirdPartyDto::from).collect()))
}

/// Adds a third party to the directory. Refused with 400 for an unknown kind, a missing name or
/// address, or an e-mail address without `@`.
#[utoipa::path(post, path = "/api/v1/third-parties", request_body = NewThirdPartyRequest, responses(
    (status = 201, body = ThirdPartyDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto)))]
pub(crate) async fn create_third_party(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(request): Json<NewThirdPartyRequest>,
) -> Result<Response, AppError> {
    let input = NewThirdParty {
        kind: request.kind,
        name: request.name,
        address: request.address,
        email: request.email,
        phone: request.phone,
        jurisdiction: request.jurisdiction,
        fee_terms: request.fee_terms,
    };
    let created = recouvre_app::team::create_third_party(&state.app, &user.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(ThirdPartyDto::from(created))).into_response())
}

/// A third party, the procedures it is involved in and its results (recovered, costs, per state).
#[utoipa::path(get, path = "/api/v1/third-parties/{id}", params(("id" = i64, Path, description = "Third party id")), responses(
    (status = 200, body = ThirdPartyDetailDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn third_party(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ThirdPartyDetailDto>, AppError> {
    let file = recouvre_app::team::third_party(&state.app, &user.actor(), id).await?;
    let results = file.results;
    Ok(Json(ThirdPartyDetailDto {
        third_party: file.party.into(),
        cases: results.cases,
        procedures: results.procedures,
        recovered: Money::from_cents(results.recovered_cents),
        costs: Money::from_cents(results.costs_cents),
        by_state: results
            .by_state
            .into_iter()
            .map(|line| StateResultDto {
                state: line.state,
                procedures: line.procedures,
                recovered: Money::from_cents(line.recovered_cents),
                costs: Money::from_cents(line.costs_cents),
            })
            .collect(),
        involvements: file
            .involvements
            .into_iter()
            .map(|p| InvolvementDto {
                procedure_id: p.procedure_id,
                case_id: p.case_id,
                case_reference: p.case_reference,
                kind: p.kind,
                state: p.state,
                started_on: p.started_on,
                recovered: Money::from_cents(p.recovered_cents),
                costs: Money::from_cents(p.costs_cents),
            })
            .collect(),
    }))
}
