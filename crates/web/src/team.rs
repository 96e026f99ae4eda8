//! The team around the cases (issue 4, items 7 to 10), in the UI and the API: the team lead's
//! distribution of incoming cases and absence cover (`/equipe`), requests to the bank's other
//! departments (`/services`), the third-party directory (`/tiers`) and the operating procedures
//! rendered from Markdown (`/procedures`).

use crate::auth::CurrentUser;
use crate::error::ErrorDto;
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use chrono::{Duration, NaiveDate, Utc};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::CaseStatus;
use recouvre_domain::Money;
use recouvre_store::team::{self as store, DepartmentRequest, Method, NewThirdParty, ThirdParty};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, PageError};
use crate::shared::{render, Layout, PageResult};

/// Cases shown in the team lead's queue, and distributed per run.
const QUEUE_LIMIT: i64 = 200;
const DISTRIBUTION_LIMIT: i64 = 500;
/// Agenda items due within this many days count as deadlines at risk in the team view.
const RISK_DAYS: i64 = 7;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/equipe", get(team_page))
        .route("/equipe/repartition", post(distribute_form))
        .route("/equipe/absences", post(absence_form))
        .route("/equipe/gestionnaires/{login}/specialites", post(specialties_form))
        .route("/services", get(department_queue))
        .route("/services/{id}/prise-en-compte", post(acknowledge_form))
        .route("/services/{id}/reponse", post(answer_form))
        .route("/dossiers/{id}/demandes-services", post(department_request_form))
        .route("/tiers", get(directory_page).post(create_third_party_form))
        .route("/tiers/{id}", get(third_party_page))
        .route("/procedures", get(procedure_index))
        .route("/procedures/{kind}", get(procedure_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/team/unassigned", get(api_unassigned))
        .route("/team/distribute", post(api_distribute))
        .route("/team/overview", get(api_overview))
        .route("/team/absences", post(api_absence))
        .route("/team/officers/{login}/specialties", put(api_specialties))
        .route("/cases/{id}/department-requests", post(api_send_request))
        .route("/department-requests", get(api_requests))
        .route("/department-requests/{id}/acknowledge", post(api_acknowledge))
        .route("/department-requests/{id}/answer", post(api_answer))
        .route("/third-parties", get(api_third_parties).post(api_create_third_party))
        .route("/third-parties/{id}", get(api_third_party))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        api_unassigned,
        api_distribute,
        api_overview,
        api_absence,
        api_specialties,
        api_send_request,
        api_requests,
        api_acknowledge,
        api_answer,
        api_third_parties,
        api_create_third_party,
        api_third_party
    ),
    components(schemas(
        QueueCaseDto,
        DistributeRequest,
        DistributionDto,
        AssignmentDto,
        TeamOverviewDto,
        OfficerLoadDto,
        StatusLoadDto,
        AbsenceDto,
        AbsenceRequest,
        CreatedDto,
        SpecialtiesRequest,
        DepartmentRequestBody,
        SentRequestDto,
        DepartmentRequestDto,
        AnswerRequest,
        ThirdPartyDto,
        NewThirdPartyRequest,
        ThirdPartyDetailDto,
        InvolvementDto,
        StateResultDto
    ))
)]
pub struct TeamApiDoc;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn status_label(code: &str) -> String {
    CaseStatus::from_code(code).map_or_else(|| code.to_string(), |status| status.label().to_string())
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

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

impl From<&store::QueueCase> for QueueCaseDto {
    fn from(case: &store::QueueCase) -> QueueCaseDto {
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
async fn api_unassigned(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Vec<QueueCaseDto>>, AppError> {
    user.require(Permission::AssignCases)?;
    let cases = store::unassigned(&state.store, QUEUE_LIMIT).await?;
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

fn parse_method(code: &str) -> Result<Method, AppError> {
    Method::from_code(code.trim()).ok_or_else(|| {
        AppError::BadRequest(format!("méthode de répartition inconnue « {code} » : round_robin ou balanced"))
    })
}

/// Distributes the unassigned open cases among the officers present today (round robin or
/// balanced by open workload; a deceased debtor, a protected adult or more than 50 000 € goes to
/// an officer with the matching specialty when there is one). Each assignment is journaled
/// (`case_assigned`).
#[utoipa::path(post, path = "/api/v1/team/distribute", request_body = DistributeRequest, responses(
    (status = 200, body = DistributionDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn api_distribute(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(request): Json<DistributeRequest>,
) -> Result<Json<DistributionDto>, AppError> {
    user.require(Permission::AssignCases)?;
    let method = parse_method(&request.method)?;
    let limit = request.limit.unwrap_or(DISTRIBUTION_LIMIT).clamp(1, DISTRIBUTION_LIMIT);
    let run = store::distribute(&state.store, method, limit, today(), user.login(), Utc::now()).await?;
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

impl From<store::Absence> for AbsenceDto {
    fn from(absence: store::Absence) -> AbsenceDto {
        AbsenceDto {
            id: absence.id,
            officer: absence.officer_login,
            starts_on: absence.starts_on,
            ends_on: absence.ends_on,
            cover: absence.cover_login,
        }
    }
}

/// The team view: backlog per officer (open cases, amount, deadlines at risk), open cases per
/// officer and status, current and coming absences.
#[utoipa::path(get, path = "/api/v1/team/overview", responses(
    (status = 200, body = TeamOverviewDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn api_overview(State(state): State<AppState>, user: CurrentUser) -> Result<Json<TeamOverviewDto>, AppError> {
    user.require(Permission::AssignCases)?;
    let today = today();
    let officers = store::officers(&state.store, today, today + Duration::days(RISK_DAYS)).await?;
    let by_status = store::cases_by_officer_and_status(&state.store).await?;
    let absences = store::absences(&state.store, today).await?;
    Ok(Json(TeamOverviewDto {
        unassigned: store::unassigned_count(&state.store).await?,
        officers: officers
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
        by_status: by_status
            .into_iter()
            .map(|line| StatusLoadDto {
                officer: line.officer_login,
                status: line.status,
                cases: line.cases,
                amount: Money::from_cents(line.total_cents),
            })
            .collect(),
        absences: absences.into_iter().map(AbsenceDto::from).collect(),
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

/// Records an absence and its cover (refused if the cover is the officer or the dates are
/// reversed).
#[utoipa::path(post, path = "/api/v1/team/absences", request_body = AbsenceRequest, responses(
    (status = 201, body = CreatedDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn api_absence(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(request): Json<AbsenceRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::AssignCases)?;
    let id = store::record_absence(
        &state.store,
        request.officer.trim(),
        request.starts_on,
        request.ends_on,
        request.cover.trim(),
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })).into_response())
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct SpecialtiesRequest {
    /// Any of `estates`, `protected_adults`, `large_amounts`.
    pub specialties: Vec<String>,
}

/// Replaces an officer's specialties.
#[utoipa::path(put, path = "/api/v1/team/officers/{login}/specialties", params(("login" = String, Path, description = "Officer's login")),
    request_body = SpecialtiesRequest, responses(
    (status = 200, body = SpecialtiesRequest), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn api_specialties(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(login): Path<String>,
    Json(request): Json<SpecialtiesRequest>,
) -> Result<Json<SpecialtiesRequest>, AppError> {
    user.require(Permission::AssignCases)?;
    let specialties = store::set_specialties(&state.store, &login, &request.specialties).await?;
    Ok(Json(SpecialtiesRequest { specialties }))
}

struct QueueView {
    id: i64,
    reference: String,
    debtor: String,
    status: String,
    total: String,
    opened_on: String,
    specialty: String,
}

struct OfficerView {
    id: i64,
    login: String,
    name: String,
    open_cases: i64,
    open_amount: String,
    deadlines_at_risk: i64,
    covered_by: String,
    /// (code, label, checked)
    specialties: Vec<(&'static str, &'static str, bool)>,
}

struct AbsenceView {
    officer: String,
    starts_on: String,
    ends_on: String,
    cover: String,
}

struct StatusRow {
    officer: String,
    /// Cases per status, in the order of `statuses`.
    counts: Vec<i64>,
    total: String,
}

#[derive(Template)]
#[template(path = "team_distribution.html")]
struct TeamPage {
    layout: Layout,
    message: String,
    queue: Vec<QueueView>,
    unassigned: i64,
    /// Only the oldest part of the queue is shown.
    truncated: bool,
    officers: Vec<OfficerView>,
    absences: Vec<AbsenceView>,
    statuses: Vec<String>,
    status_rows: Vec<StatusRow>,
    today: String,
}

#[derive(Deserialize, Default)]
struct TeamQuery {
    #[serde(default)]
    message: Option<String>,
}

async fn team_page(State(state): State<AppState>, user: CurrentUser, Query(query): Query<TeamQuery>) -> PageResult {
    user.require(Permission::AssignCases)?;
    let today = today();
    let queue = store::unassigned(&state.store, QUEUE_LIMIT).await?;
    let unassigned = store::unassigned_count(&state.store).await?;
    let officers = store::officers(&state.store, today, today + Duration::days(RISK_DAYS)).await?;
    let absences = store::absences(&state.store, today).await?;
    let lines = store::cases_by_officer_and_status(&state.store).await?;
    let statuses: Vec<&CaseStatus> = CaseStatus::ALL
        .iter()
        .filter(|status| **status != CaseStatus::Closed && lines.iter().any(|line| line.status == status.code()))
        .collect();
    let mut status_rows: Vec<StatusRow> = Vec::new();
    let mut owners: Vec<Option<String>> = Vec::new();
    for line in &lines {
        if !owners.contains(&line.officer_login) {
            owners.push(line.officer_login.clone());
        }
    }
    for owner in owners {
        let mine: Vec<_> = lines.iter().filter(|line| line.officer_login == owner).collect();
        status_rows.push(StatusRow {
            officer: owner.unwrap_or_else(|| "— non affectés —".to_string()),
            counts: statuses
                .iter()
                .map(|status| mine.iter().filter(|line| line.status == status.code()).map(|line| line.cases).sum())
                .collect(),
            total: format::euros(mine.iter().map(|line| line.total_cents).sum()),
        });
    }
    let view = TeamPage {
        layout: Layout::of(&user),
        message: query.message.unwrap_or_default(),
        unassigned,
        truncated: unassigned > queue.len() as i64,
        queue: queue
            .iter()
            .map(|case| QueueView {
                id: case.id,
                reference: case.reference.clone(),
                debtor: case.debtor_name(),
                status: status_label(&case.status),
                total: format::euros(case.total_cents),
                opened_on: format::short_date(case.opened_on),
                specialty: case
                    .needed_specialty()
                    .map(|(code, _)| store::specialty_label(code).to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        officers: officers
            .into_iter()
            .map(|officer| OfficerView {
                specialties: store::SPECIALTIES
                    .iter()
                    .map(|(code, label)| (*code, *label, officer.has(code)))
                    .collect(),
                id: officer.id,
                login: officer.login,
                name: officer.display_name,
                open_cases: officer.open_cases,
                open_amount: format::euros(officer.open_cents),
                deadlines_at_risk: officer.deadlines_at_risk,
                covered_by: officer.covered_by.unwrap_or_default(),
            })
            .collect(),
        absences: absences
            .into_iter()
            .map(|absence| AbsenceView {
                officer: absence.officer_login,
                starts_on: format::short_date(absence.starts_on),
                ends_on: format::short_date(absence.ends_on),
                cover: absence.cover_login,
            })
            .collect(),
        statuses: statuses.iter().map(|status| status.label().to_string()).collect(),
        status_rows,
        today: today.to_string(),
    };
    render(&view)
}

fn back_to_team(message: &str) -> Response {
    let encoded: String = message
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    Redirect::to(&format!("/equipe?message={encoded}")).into_response()
}

#[derive(Deserialize)]
struct DistributeForm {
    csrf: String,
    method: String,
}

async fn distribute_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DistributeForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::AssignCases)?;
    let method = parse_method(&form.method)?;
    let run = store::distribute(&state.store, method, DISTRIBUTION_LIMIT, today(), user.login(), Utc::now()).await?;
    Ok(back_to_team(&format!(
        "{} : {} dossier(s) réparti(s), {} encore en attente.",
        method.label(),
        run.assigned.len(),
        run.remaining
    )))
}

#[derive(Deserialize)]
struct AbsenceForm {
    csrf: String,
    officer: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    cover: String,
}

async fn absence_form(State(state): State<AppState>, user: CurrentUser, Form(form): Form<AbsenceForm>) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::AssignCases)?;
    store::record_absence(
        &state.store,
        &form.officer,
        form.starts_on,
        form.ends_on,
        &form.cover,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(back_to_team(&format!("Absence de {} enregistrée, remplacé(e) par {}.", form.officer, form.cover)))
}

#[derive(Deserialize)]
struct SpecialtiesForm {
    csrf: String,
    #[serde(default)]
    estates: Option<String>,
    #[serde(default)]
    protected_adults: Option<String>,
    #[serde(default)]
    large_amounts: Option<String>,
}

async fn specialties_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(login): Path<String>,
    Form(form): Form<SpecialtiesForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::AssignCases)?;
    let chosen: Vec<String> = [
        ("estates", &form.estates),
        ("protected_adults", &form.protected_adults),
        ("large_amounts", &form.large_amounts),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_some())
    .map(|(code, _)| code.to_string())
    .collect();
    store::set_specialties(&state.store, &login, &chosen).await?;
    Ok(back_to_team(&format!("Spécialités de {login} enregistrées.")))
}

// =============================================================================================
// Requests to other departments (item 8)

#[derive(Deserialize, ToSchema)]
pub struct DepartmentRequestBody {
    /// `agences`, `epargne`, `credits`, `moyens_paiement`.
    pub department: String,
    /// `authorise_debit_from_savings`, `watch_account`, `block_product`, `other`.
    pub kind: String,
    pub body: String,
    /// The case version the officer saw (optional).
    pub version: Option<i64>,
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
    pub department: String,
    pub kind: String,
    pub body: String,
    /// `sent`, `acknowledged`, `answered`.
    pub status: String,
    pub answer: Option<String>,
    pub created_by: String,
    pub created_at: chrono::DateTime<Utc>,
    pub handled_by: Option<String>,
    pub handled_at: Option<chrono::DateTime<Utc>>,
}

impl From<DepartmentRequest> for DepartmentRequestDto {
    fn from(r: DepartmentRequest) -> DepartmentRequestDto {
        DepartmentRequestDto {
            id: r.id,
            case_id: r.case_id,
            case_reference: r.case_reference,
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
/// (`department_request_sent`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/department-requests", params(("id" = i64, Path, description = "Case id")),
    request_body = DepartmentRequestBody, responses(
    (status = 201, body = SentRequestDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn api_send_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<DepartmentRequestBody>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let (id, version) = store::send_request(
        &state.store,
        case_id,
        request.version,
        request.department.trim(),
        request.kind.trim(),
        &request.body,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(SentRequestDto { id, version })).into_response())
}

#[derive(Deserialize, IntoParams)]
struct RequestsQuery {
    /// Only this department's requests.
    department: Option<String>,
    /// Include the answered requests (default: open ones only).
    #[serde(default)]
    all: bool,
}

/// A department's queue: the open requests (newest first), of one department or all.
#[utoipa::path(get, path = "/api/v1/department-requests", params(RequestsQuery), responses(
    (status = 200, body = [DepartmentRequestDto]), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn api_requests(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RequestsQuery>,
) -> Result<Json<Vec<DepartmentRequestDto>>, AppError> {
    user.require(Permission::ReadCases)?;
    let department = query.department.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let rows = store::requests(&state.store, department, query.all).await?;
    Ok(Json(rows.into_iter().map(DepartmentRequestDto::from).collect()))
}

/// The department acknowledges a request (journaled on the case).
#[utoipa::path(post, path = "/api/v1/department-requests/{id}/acknowledge", params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = DepartmentRequestDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn api_acknowledge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<DepartmentRequestDto>, AppError> {
    user.require(Permission::WorkCases)?;
    let request = store::acknowledge(&state.store, id, user.login(), Utc::now()).await?;
    Ok(Json(request.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// What the department did, or why it refuses.
    pub answer: String,
}

/// The department answers a request; the outcome goes on the case's timeline
/// (`department_request_answered`).
#[utoipa::path(post, path = "/api/v1/department-requests/{id}/answer", params(("id" = i64, Path, description = "Request id")),
    request_body = AnswerRequest, responses((status = 200, body = DepartmentRequestDto), (status = 401, body = ErrorDto),
    (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn api_answer(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(request): Json<AnswerRequest>,
) -> Result<Json<DepartmentRequestDto>, AppError> {
    user.require(Permission::WorkCases)?;
    let request = store::answer(&state.store, id, &request.answer, user.login(), Utc::now()).await?;
    Ok(Json(request.into()))
}

#[derive(Deserialize)]
struct DepartmentRequestForm {
    csrf: String,
    department: String,
    kind: String,
    body: String,
}

async fn department_request_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<DepartmentRequestForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    store::send_request(
        &state.store,
        case_id,
        None,
        &form.department,
        &form.kind,
        &form.body,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

struct RequestView {
    id: i64,
    case_id: i64,
    case_reference: String,
    department: String,
    kind: String,
    body: String,
    status: String,
    acknowledged: bool,
    answered: bool,
    answer: String,
    created_by: String,
    created_at: String,
    handled_by: String,
}

#[derive(Template)]
#[template(path = "team_services.html")]
struct ServicesPage {
    layout: Layout,
    can_handle: bool,
    /// (code, label, selected)
    departments: Vec<(&'static str, &'static str, bool)>,
    department: String,
    show_all: bool,
    requests: Vec<RequestView>,
}

#[derive(Deserialize, Default)]
struct ServicesQuery {
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    all: Option<String>,
}

async fn department_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ServicesQuery>,
) -> PageResult {
    user.require(Permission::ReadCases)?;
    let department = query.department.as_deref().map(str::trim).filter(|text| !text.is_empty()).map(str::to_string);
    let show_all = query.all.as_deref().is_some_and(|value| !value.is_empty());
    let rows = store::requests(&state.store, department.as_deref(), show_all).await?;
    let view = ServicesPage {
        layout: Layout::of(&user),
        can_handle: user.can(Permission::WorkCases),
        departments: store::DEPARTMENTS
            .iter()
            .map(|(code, label)| (*code, *label, department.as_deref() == Some(*code)))
            .collect(),
        department: department.clone().unwrap_or_default(),
        show_all,
        requests: rows
            .into_iter()
            .map(|r| RequestView {
                acknowledged: r.status == "acknowledged",
                answered: r.status == "answered",
                status: store::request_status_label(&r.status).to_string(),
                department: store::department_label(&r.department).to_string(),
                kind: store::request_kind_label(&r.kind).to_string(),
                id: r.id,
                case_id: r.case_id,
                case_reference: r.case_reference,
                body: r.body,
                answer: r.answer.unwrap_or_default(),
                created_by: r.created_by,
                created_at: format::timestamp(r.created_at),
                handled_by: r.handled_by.unwrap_or_default(),
            })
            .collect(),
    };
    render(&view)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
    #[serde(default)]
    department: String,
}

fn back_to_services(department: &str) -> Response {
    if department.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !department.is_empty() {
        Redirect::to(&format!("/services?department={department}")).into_response()
    } else {
        Redirect::to("/services").into_response()
    }
}

async fn acknowledge_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    store::acknowledge(&state.store, id, user.login(), Utc::now()).await?;
    Ok(back_to_services(&form.department))
}

#[derive(Deserialize)]
struct AnswerForm {
    csrf: String,
    answer: String,
    #[serde(default)]
    department: String,
}

async fn answer_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    store::answer(&state.store, id, &form.answer, user.login(), Utc::now()).await?;
    Ok(back_to_services(&form.department))
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
struct DirectoryQuery {
    /// Only this kind of third party.
    kind: Option<String>,
}

fn can_edit_directory(user: &CurrentUser) -> Result<(), AppError> {
    if user.can(Permission::WorkCases) || user.can(Permission::AssignCases) {
        Ok(())
    } else {
        user.require(Permission::WorkCases)
    }
}

/// The third-party directory (bailiffs, lawyers, agencies, notaries, courts, guardians).
#[utoipa::path(get, path = "/api/v1/third-parties", params(DirectoryQuery), responses(
    (status = 200, body = [ThirdPartyDto]), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn api_third_parties(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DirectoryQuery>,
) -> Result<Json<Vec<ThirdPartyDto>>, AppError> {
    user.require(Permission::ReadCases)?;
    let kind = query.kind.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let rows = store::third_parties(&state.store, kind).await?;
    Ok(Json(rows.into_iter().map(ThirdPartyDto::from).collect()))
}

/// Adds a third party to the directory.
#[utoipa::path(post, path = "/api/v1/third-parties", request_body = NewThirdPartyRequest, responses(
    (status = 201, body = ThirdPartyDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 409, body = ErrorDto)))]
async fn api_create_third_party(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(request): Json<NewThirdPartyRequest>,
) -> Result<Response, AppError> {
    can_edit_directory(&user)?;
    let party = NewThirdParty {
        kind: request.kind.trim().to_string(),
        name: request.name,
        address: request.address,
        email: request.email,
        phone: request.phone,
        jurisdiction: request.jurisdiction,
        fee_terms: request.fee_terms,
    };
    let id = store::create_third_party(&state.store, &party, Utc::now()).await?;
    let created = store::third_party(&state.store, id).await?;
    Ok((StatusCode::CREATED, Json(ThirdPartyDto::from(created))).into_response())
}

/// A third party, the procedures it is involved in and its results (recovered, costs, per state).
#[utoipa::path(get, path = "/api/v1/third-parties/{id}", params(("id" = i64, Path, description = "Third party id")), responses(
    (status = 200, body = ThirdPartyDetailDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
async fn api_third_party(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ThirdPartyDetailDto>, AppError> {
    user.require(Permission::ReadCases)?;
    let party = store::third_party(&state.store, id).await?;
    let (involvements, results) = store::involvement(&state.store, id).await?;
    Ok(Json(ThirdPartyDetailDto {
        third_party: party.into(),
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
        involvements: involvements
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

struct PartyView {
    id: i64,
    kind: String,
    name: String,
    address: String,
    contact: String,
    jurisdiction: String,
    fee_terms: String,
}

impl From<ThirdParty> for PartyView {
    fn from(party: ThirdParty) -> PartyView {
        let contact = [party.phone.unwrap_or_default(), party.email.unwrap_or_default()]
            .into_iter()
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        PartyView {
            id: party.id,
            kind: store::third_party_kind_label(&party.kind).to_string(),
            name: party.name,
            address: party.address,
            contact,
            jurisdiction: party.jurisdiction.unwrap_or_default(),
            fee_terms: party.fee_terms.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "team_directory.html")]
struct DirectoryPage {
    layout: Layout,
    can_create: bool,
    /// (code, label, selected)
    kinds: Vec<(&'static str, &'static str, bool)>,
    parties: Vec<PartyView>,
}

async fn directory_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DirectoryQuery>,
) -> PageResult {
    user.require(Permission::ReadCases)?;
    let kind = query.kind.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let rows = store::third_parties(&state.store, kind).await?;
    let view = DirectoryPage {
        layout: Layout::of(&user),
        can_create: can_edit_directory(&user).is_ok(),
        kinds: store::THIRD_PARTY_KINDS.iter().map(|(code, label)| (*code, *label, kind == Some(*code))).collect(),
        parties: rows.into_iter().map(PartyView::from).collect(),
    };
    render(&view)
}

#[derive(Deserialize)]
struct ThirdPartyForm {
    csrf: String,
    kind: String,
    name: String,
    address: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    fee_terms: String,
}

async fn create_third_party_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ThirdPartyForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    can_edit_directory(&user)?;
    let party = NewThirdParty {
        kind: form.kind,
        name: form.name,
        address: form.address,
        email: optional(&form.email),
        phone: optional(&form.phone),
        jurisdiction: optional(&form.jurisdiction),
        fee_terms: optional(&form.fee_terms),
    };
    let id = store::create_third_party(&state.store, &party, Utc::now()).await?;
    Ok(Redirect::to(&format!("/tiers/{id}")).into_response())
}

struct InvolvementView {
    case_id: i64,
    case_reference: String,
    kind: String,
    state: String,
    started_on: String,
    recovered: String,
    costs: String,
}

struct StateView {
    state: String,
    procedures: i64,
    recovered: String,
    costs: String,
}

#[derive(Template)]
#[template(path = "team_third_party.html")]
struct ThirdPartyPage {
    layout: Layout,
    party: PartyView,
    email: String,
    cases: i64,
    procedures: i64,
    recovered: String,
    costs: String,
    by_state: Vec<StateView>,
    involvements: Vec<InvolvementView>,
}

async fn third_party_page(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> PageResult {
    user.require(Permission::ReadCases)?;
    let party = store::third_party(&state.store, id).await?;
    let (involvements, results) = store::involvement(&state.store, id).await?;
    let email = party.email.clone().unwrap_or_default();
    let view = ThirdPartyPage {
        layout: Layout::of(&user),
        party: party.into(),
        email,
        cases: results.cases,
        procedures: results.procedures,
        recovered: format::euros(results.recovered_cents),
        costs: format::euros(results.costs_cents),
        by_state: results
            .by_state
            .into_iter()
            .map(|line| StateView {
                state: line.state,
                procedures: line.procedures,
                recovered: format::euros(line.recovered_cents),
                costs: format::euros(line.costs_cents),
            })
            .collect(),
        involvements: involvements
            .into_iter()
            .map(|p| InvolvementView {
                case_id: p.case_id,
                case_reference: p.case_reference,
                kind: procedure_title(&p.kind).map_or(p.kind.clone(), str::to_string),
                state: p.state,
                started_on: format::short_date(p.started_on),
                recovered: format::euros(p.recovered_cents),
                costs: format::euros(p.costs_cents),
            })
            .collect(),
    };
    render(&view)
}

// =============================================================================================
// Operating procedures (item 9)

/// The operating procedures, one Markdown page per procedure kind, embedded at build time:
/// (kind code, French title, Markdown).
pub const OPERATING_PROCEDURES: [(&str, &str, &str); 10] = [
    ("amicable", "Phase amiable", include_str!("../../../docs/operating-procedures/amicable.md")),
    ("payment_order", "Injonction de payer", include_str!("../../../docs/operating-procedures/payment_order.md")),
    (
        "enforcement_wage",
        "Saisie des rémunérations",
        include_str!("../../../docs/operating-procedures/enforcement_wage.md"),
    ),
    (
        "enforcement_bank",
        "Saisie-attribution sur compte bancaire",
        include_str!("../../../docs/operating-procedures/enforcement_bank.md"),
    ),
    (
        "enforcement_goods",
        "Saisie-vente des biens meubles",
        include_str!("../../../docs/operating-procedures/enforcement_goods.md"),
    ),
    (
        "enforcement_property",
        "Saisie immobilière",
        include_str!("../../../docs/operating-procedures/enforcement_property.md"),
    ),
    ("agency", "Agence de recouvrement", include_str!("../../../docs/operating-procedures/agency.md")),
    ("over_indebtedness", "Surendettement", include_str!("../../../docs/operating-procedures/over_indebtedness.md")),
    ("estate", "Succession (débiteur décédé)", include_str!("../../../docs/operating-procedures/estate.md")),
    ("guarantor_call", "Appel de la caution", include_str!("../../../docs/operating-procedures/guarantor_call.md")),
];

/// The French title of a procedure kind's operating procedure, if there is one.
pub fn procedure_title(kind: &str) -> Option<&'static str> {
    OPERATING_PROCEDURES.iter().find(|(code, _, _)| *code == kind).map(|(_, title, _)| *title)
}

/// Where a procedure kind's operating procedure is shown (for links from procedure steps).
pub fn procedure_link(kind: &str) -> Option<String> {
    procedure_title(kind).map(|_| format!("/procedures/{kind}"))
}

/// Renders trusted Markdown (from the repository) to HTML. Raw HTML in the source is escaped,
/// not passed through.
pub fn markdown_to_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
            other => other,
        });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[derive(Template)]
#[template(path = "team_procedures.html")]
struct ProcedureIndex {
    layout: Layout,
    /// (code, title)
    procedures: Vec<(&'static str, &'static str)>,
}

async fn procedure_index(user: CurrentUser) -> PageResult {
    let view = ProcedureIndex {
        layout: Layout::of(&user),
        procedures: OPERATING_PROCEDURES.iter().map(|(code, title, _)| (*code, *title)).collect(),
    };
    render(&view)
}

#[derive(Template)]
#[template(path = "team_procedure.html")]
struct ProcedurePage {
    layout: Layout,
    title: &'static str,
    body: String,
}

async fn procedure_page(user: CurrentUser, Path(kind): Path<String>) -> PageResult {
    let Some((_, title, markdown)) = OPERATING_PROCEDURES.iter().find(|(code, _, _)| *code == kind) else {
        return Err(PageError(AppError::NotFound(format!(
            "mode opératoire « {kind} » introuvable : voir la liste sur /procedures"
        ))));
    };
    render(&ProcedurePage { layout: Layout::of(&user), title, body: markdown_to_html(markdown) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operating_procedure_renders_a_heading() {
        for (code, _, markdown) in OPERATING_PROCEDURES {
            let html = markdown_to_html(markdown);
            assert!(html.contains("<h1>"), "{code} has no heading");
        }
    }

    /// The case page includes the department request form with its own `id` and `layout`.
    #[test]
    fn the_department_form_renders_as_an_include() {
        struct FakeLayout {
            csrf: String,
        }
        #[derive(Template)]
        #[template(source = "{% include \"team_department_form.html\" %}", ext = "html")]
        struct CasePage {
            id: i64,
            layout: FakeLayout,
        }
        let html = CasePage { id: 42, layout: FakeLayout { csrf: "t0k".into() } }.render().unwrap();
        assert!(html.contains("action=\"/dossiers/42/demandes-services\""), "{html}");
        assert!(html.contains("value=\"t0k\""), "{html}");
    }

    #[test]
    fn raw_html_is_escaped() {
        assert!(markdown_to_html("<script>alert(1)</script>").contains("&lt;script&gt;"));
    }
}
