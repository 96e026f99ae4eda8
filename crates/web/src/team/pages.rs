//! The team's pages: the team lead's distribution and absences (`/equipe`), the departments'
//! queue (`/services`) and the form on the case page, the directory (`/tiers`), the operating
//! procedures (`/procedures`).

use crate::auth::CurrentUser;
use crate::shared::{render, url_encode, Layout, PageResult};
use crate::team::api::DirectoryQuery;
use crate::team::markdown_to_html;
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use recouvre_app::team::{self as team, NewThirdParty, ThirdParty};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::CaseStatus;
use recouvre_domain::vocabulary::{self, Family};
use serde::Deserialize;

fn status_label(code: &str) -> String {
    CaseStatus::from_code(code).map_or_else(|| code.to_string(), |status| status.label().to_string())
}

// =============================================================================================
// Team distribution (item 7)

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
pub(crate) struct TeamQuery {
    #[serde(default)]
    message: Option<String>,
}

pub(crate) async fn team_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<TeamQuery>,
) -> PageResult {
    let board = team::board(&state.app, &user.actor()).await?;
    let truncated = board.truncated();
    let team::TeamBoard { overview, queue, table } = board;
    let view = TeamPage {
        layout: Layout::of(&user),
        message: query.message.unwrap_or_default(),
        unassigned: overview.unassigned,
        truncated,
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
                    .map(|(code, _)| team::specialty_label(code).to_string())
                    .unwrap_or_default(),
            })
            .collect(),
        officers: overview
            .officers
            .into_iter()
            .map(|officer| OfficerView {
                specialties: team::SPECIALTIES.iter().map(|(code, label)| (*code, *label, officer.has(code))).collect(),
                id: officer.id,
                login: officer.login,
                name: officer.display_name,
                open_cases: officer.open_cases,
                open_amount: format::euros(officer.open_cents),
                deadlines_at_risk: officer.deadlines_at_risk,
                covered_by: officer.covered_by.unwrap_or_default(),
            })
            .collect(),
        absences: overview
            .absences
            .into_iter()
            .map(|absence| AbsenceView {
                officer: absence.officer_login,
                starts_on: format::short_date(absence.starts_on),
                ends_on: format::short_date(absence.ends_on),
                cover: absence.cover_login,
            })
            .collect(),
        statuses: table.statuses.iter().map(|status| status.label().to_string()).collect(),
        status_rows: table
            .rows
            .into_iter()
            .map(|row| StatusRow {
                officer: row.officer.unwrap_or_else(|| "— non affectés —".to_string()),
                counts: row.counts,
                total: format::euros(row.total.cents()),
            })
            .collect(),
        today: overview.today.to_string(),
    };
    render(&view)
}

fn back_to_team(message: &str) -> Response {
    Redirect::to(&format!("/equipe?message={}", url_encode(message))).into_response()
}

#[derive(Deserialize)]
pub(crate) struct DistributeForm {
    csrf: String,
    method: String,
}

pub(crate) async fn distribute_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DistributeForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let run = team::distribute(&state.app, &user.actor(), &form.method, None).await?;
    Ok(back_to_team(&format!(
        "{} : {} dossier(s) réparti(s), {} encore en attente.",
        run.method.label(),
        run.assigned.len(),
        run.remaining
    )))
}

#[derive(Deserialize)]
pub(crate) struct AbsenceForm {
    csrf: String,
    officer: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    cover: String,
}

pub(crate) async fn absence_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<AbsenceForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = team::AbsenceInput {
        officer: form.officer,
        starts_on: form.starts_on,
        ends_on: form.ends_on,
        cover: form.cover,
    };
    team::record_absence(&state.app, &user.actor(), &input).await?;
    Ok(back_to_team(&format!(
        "Absence de {} enregistrée, remplacé(e) par {}.",
        input.officer.trim(),
        input.cover.trim()
    )))
}

#[derive(Deserialize)]
pub(crate) struct SpecialtiesForm {
    csrf: String,
    #[serde(default)]
    estates: Option<String>,
    #[serde(default)]
    protected_adults: Option<String>,
    #[serde(default)]
    large_amounts: Option<String>,
}

pub(crate) async fn specialties_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(login): Path<String>,
    Form(form): Form<SpecialtiesForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let chosen: Vec<String> = [
        ("estates", &form.estates),
        ("protected_adults", &form.protected_adults),
        ("large_amounts", &form.large_amounts),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_some())
    .map(|(code, _)| code.to_string())
    .collect();
    team::set_specialties(&state.app, &user.actor(), &login, &chosen).await?;
    Ok(back_to_team(&format!("Spécialités de {login} enregistrées.")))
}

// =============================================================================================
// Requests to other departments (item 8)

#[derive(Deserialize)]
pub(crate) struct DepartmentRequestForm {
    csrf: String,
    /// The case version the officer saw.
    version: i64,
    department: String,
    kind: String,
    body: String,
}

pub(crate) async fn department_request_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<DepartmentRequestForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = team::RequestInput { department: form.department, kind: form.kind, body: form.body };
    team::send_request(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

struct RequestView {
    id: i64,
    case_id: i64,
    case_reference: String,
    /// The version of the case the form quotes.
    case_version: i64,
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
pub(crate) struct ServicesQuery {
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    all: Option<String>,
}

pub(crate) async fn department_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ServicesQuery>,
) -> PageResult {
    let department = query.department.as_deref().map(str::trim).filter(|text| !text.is_empty()).map(str::to_string);
    let show_all = query.all.as_deref().is_some_and(|value| !value.is_empty());
    let rows = team::department_requests(&state.app, &user.actor(), department.as_deref(), show_all).await?;
    let view = ServicesPage {
        layout: Layout::of(&user),
        can_handle: user.can(Permission::WorkCases),
        departments: team::DEPARTMENTS
            .iter()
            .map(|(code, _)| (*code, vocabulary::label(Family::Department, code), department.as_deref() == Some(*code)))
            .collect(),
        department: department.clone().unwrap_or_default(),
        show_all,
        requests: rows
            .into_iter()
            .map(|r| RequestView {
                acknowledged: r.status == "acknowledged",
                answered: r.status == "answered",
                status: vocabulary::label(Family::RequestStatus, &r.status).to_string(),
                department: vocabulary::label(Family::Department, &r.department).to_string(),
                kind: vocabulary::label(Family::RequestKind, &r.kind).to_string(),
                id: r.id,
                case_id: r.case_id,
                case_reference: r.case_reference,
                case_version: r.case_version,
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
pub(crate) struct AcknowledgeForm {
    csrf: String,
    /// The version of the request's case the department saw.
    version: i64,
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

pub(crate) async fn acknowledge_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AcknowledgeForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    team::acknowledge_request(&state.app, &user.actor(), id, form.version).await?;
    Ok(back_to_services(&form.department))
}

#[derive(Deserialize)]
pub(crate) struct AnswerForm {
    csrf: String,
    /// The version of the request's case the department saw.
    version: i64,
    answer: String,
    #[serde(default)]
    department: String,
}

pub(crate) async fn answer_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    team::answer_request(&state.app, &user.actor(), id, form.version, &form.answer).await?;
    Ok(back_to_services(&form.department))
}

// =============================================================================================
// Third parties (item 10)

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
            kind: vocabulary::label(Family::ThirdPartyKind, &party.kind).to_string(),
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

pub(crate) async fn directory_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<DirectoryQuery>,
) -> PageResult {
    let kind = query.kind.as_deref().map(str::trim).filter(|text| !text.is_empty());
    let actor = user.actor();
    let rows = team::third_parties(&state.app, &actor, kind).await?;
    let view = DirectoryPage {
        layout: Layout::of(&user),
        can_create: team::can_edit_directory(&actor),
        kinds: team::THIRD_PARTY_KINDS
            .iter()
            .map(|(code, _)| (*code, vocabulary::label(Family::ThirdPartyKind, code), kind == Some(*code)))
            .collect(),
        parties: rows.into_iter().map(PartyView::from).collect(),
    };
    render(&view)
}

#[derive(Deserialize)]
pub(crate) struct ThirdPartyForm {
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

pub(crate) async fn create_third_party_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ThirdPartyForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let party = NewThirdParty {
        kind: form.kind,
        name: form.name,
        address: form.address,
        email: Some(form.email),
        phone: Some(form.phone),
        jurisdiction: Some(form.jurisdiction),
        fee_terms: Some(form.fee_terms),
    };
    let created = team::create_third_party(&state.app, &user.actor(), &party).await?;
    Ok(Redirect::to(&format!("/tiers/{}", created.id)).into_response())
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

pub(crate) async fn third_party_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> PageResult {
    let file = team::third_party(&state.app, &user.actor(), id).await?;
    let results = file.results;
    let email = file.party.email.clone().unwrap_or_default();
    let view = ThirdPartyPage {
        layout: Layout::of(&user),
        party: file.party.into(),
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
        involvements: file
            .involvements
            .into_iter()
            .map(|p| InvolvementView {
                case_id: p.case_id,
                case_reference: p.case_reference,
                kind: team::procedure_title(&p.kind).map_or(p.kind.clone(), str::to_string),
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

#[derive(Template)]
#[template(path = "team_procedures.html")]
struct ProcedureIndex {
    layout: Layout,
    /// (code, title)
    procedures: Vec<(&'static str, &'static str)>,
}

pub(crate) async fn procedure_index(user: CurrentUser) -> PageResult {
    let view = ProcedureIndex {
        layout: Layout::of(&user),
        procedures: team::OPERATING_PROCEDURES.iter().map(|procedure| (procedure.kind, procedure.title)).collect(),
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

pub(crate) async fn procedure_page(user: CurrentUser, Path(kind): Path<String>) -> PageResult {
    let procedure = team::operating_procedure(&kind)?;
    render(&ProcedurePage {
        layout: Layout::of(&user),
        title: procedure.title,
        body: markdown_to_html(procedure.markdown),
    })
}
