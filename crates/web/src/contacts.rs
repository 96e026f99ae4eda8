//! Contacts with the debtor, promises to pay, and the officer's own actions (issue 17, parts 4
//! and 5): the API, the case page's forms and what the case page lists. The use cases are in
//! `recouvre_app::contacts`.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::shared::{Choice, PageResult, VersionDto};
use crate::{format, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, patch, post};
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use recouvre_app::contacts::{self, ActionInput, ContactInput, ContactRow, PromiseInput};
use recouvre_app::workflow::Deadline;
use recouvre_domain::vocabulary::{self, Family};
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{id}/contacts", post(contact_form))
        .route("/dossiers/{id}/actions", post(action_form))
        .route("/dossiers/{id}/actions/{item}/report", post(move_form))
        .route("/dossiers/{id}/actions/{item}/fait", post(done_form))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/contacts", get(get_contacts).post(post_contact))
        .route("/cases/{id}/agenda", post(post_action))
        .route("/agenda/{id}", patch(patch_action))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_contact, get_contacts, post_action, patch_action),
    components(schemas(
        ContactRequest,
        PromiseRequest,
        ContactCreatedDto,
        ContactDto,
        PromiseDto,
        ActionRequest,
        ActionCreatedDto,
        MoveActionRequest
    ))
)]
pub struct ContactsApiDoc;

// ---------------------------------------------------------------------------------------------
// API

#[derive(Deserialize, ToSchema)]
pub struct PromiseRequest {
    /// The amount promised, two decimals (`"150.00"`).
    pub amount: String,
    /// The day it is due: today or later.
    pub due_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
pub struct ContactRequest {
    /// The case version the officer saw; a stale one is refused (409 `stale_version`).
    pub version: i64,
    /// `phone`, `email`, `letter`, `visit`, `sms`.
    pub channel: String,
    /// `inbound` (the debtor reached us) or `outbound` (we reached the debtor).
    pub direction: String,
    pub summary: String,
    /// The day of the contact (default: today); never after today.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// A promise to pay made in the contact, judged by the nightly run.
    #[serde(default)]
    pub promise: Option<PromiseRequest>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactCreatedDto {
    pub id: i64,
    /// The case's new version.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PromiseDto {
    pub amount: Money,
    pub due_on: NaiveDate,
    /// `open` (not judged yet), `kept`, `broken`.
    pub status: String,
    /// The night that judged it.
    pub checked_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    pub id: i64,
    pub channel: String,
    pub direction: String,
    pub summary: String,
    pub on: NaiveDate,
    /// The login of the user who recorded it.
    pub author: String,
    pub promise: Option<PromiseDto>,
}

impl From<ContactRow> for ContactDto {
    fn from(row: ContactRow) -> ContactDto {
        let promise = match (row.promise_amount_cents, row.promise_due_on) {
            (Some(cents), Some(due_on)) => Some(PromiseDto {
                amount: Money::from_cents(cents),
                due_on,
                status: row.promise_status.clone().unwrap_or_default(),
                checked_on: row.promise_checked_on,
            }),
            _ => None,
        };
        ContactDto {
            id: row.id,
            channel: row.channel,
            direction: row.direction,
            summary: row.summary,
            on: row.contact_on,
            author: row.author,
            promise,
        }
    }
}

fn contact_input(request: ContactRequest) -> ContactInput {
    ContactInput {
        channel: request.channel,
        direction: request.direction,
        summary: request.summary,
        on: request.on,
        promise: request.promise.map(|promise| PromiseInput { amount: promise.amount, due_on: promise.due_on }),
    }
}

/// Records a contact with the debtor (call, e-mail, letter received, visit, SMS), with the promise
/// to pay made in it; journaled (`contact_recorded`) and shown on the case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/contacts", params(("id" = i64, Path, description = "Case id")), request_body = ContactRequest, responses(
    (status = 201, body = ContactCreatedDto),
    (status = 400, description = "A bad value: unknown channel or direction, empty summary, a contact dated after today, a promise due before today or not a positive amount (`field` names it)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
    (status = 409, description = "Stale version", body = ErrorDto)))]
pub(crate) async fn post_contact(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<ContactRequest>,
) -> Result<Response, AppError> {
    let version = request.version;
    let outcome =
        contacts::record_contact(&state.app, &user.actor(), case_id, version, &contact_input(request)).await?;
    Ok((StatusCode::CREATED, Json(ContactCreatedDto { id: outcome.id, version: outcome.version })).into_response())
}

/// A case's contacts with the debtor and their promises, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/contacts", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = Vec<ContactDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_contacts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<ContactDto>>, AppError> {
    let path = format!("/api/v1/cases/{case_id}/contacts");
    let rows = contacts::contacts(&state.app, &user.actor(), case_id, &path).await?;
    Ok(Json(rows.into_iter().map(ContactDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// The case version the officer saw.
    pub version: i64,
    /// The day it is to be done: today or later.
    pub due_on: NaiveDate,
    pub label: String,
    /// The login of the user who will do it (an active user who works cases); default: the author.
    #[serde(default)]
    pub assignee: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionCreatedDto {
    /// The agenda item: move it with `PATCH /api/v1/agenda/{id}`, mark it done with
    /// `POST /api/v1/agenda/{id}/done`.
    pub id: i64,
    /// The case's new version.
    pub version: i64,
}

/// Puts an action on the case's agenda, for the author or a colleague, in whose agenda it appears;
/// journaled (`action_planned`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/agenda", params(("id" = i64, Path, description = "Case id")), request_body = ActionRequest, responses(
    (status = 201, body = ActionCreatedDto),
    (status = 400, description = "A bad value: a day already past, an empty label, an assignee who is not an active user working cases (`field` names it)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
    (status = 409, description = "Stale version", body = ErrorDto)))]
pub(crate) async fn post_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<ActionRequest>,
) -> Result<Response, AppError> {
    let input = ActionInput { due_on: request.due_on, label: request.label, assignee: request.assignee };
    let outcome = contacts::plan_action(&state.app, &user.actor(), case_id, request.version, &input).await?;
    Ok((StatusCode::CREATED, Json(ActionCreatedDto { id: outcome.id, version: outcome.version })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct MoveActionRequest {
    /// The version of the action's case the officer saw.
    pub version: i64,
    /// The new day: today or later.
    pub due_on: NaiveDate,
}

/// Moves an open action of the agenda to another day; journaled (`action_moved`). Legal deadlines
/// cannot be moved (409 `action_not_open`).
#[utoipa::path(patch, path = "/api/v1/agenda/{id}", params(("id" = i64, Path, description = "Agenda item id")), request_body = MoveActionRequest, responses(
    (status = 200, body = VersionDto),
    (status = 400, description = "A day already past (`due_on`)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 409, description = "Stale version, or not an open action", body = ErrorDto)))]
pub(crate) async fn patch_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(item_id): Path<i64>,
    Json(request): Json<MoveActionRequest>,
) -> Result<Json<VersionDto>, AppError> {
    let version = contacts::move_action(&state.app, &user.actor(), item_id, request.version, request.due_on).await?;
    Ok(Json(VersionDto { version }))
}

// ---------------------------------------------------------------------------------------------
// Forms of the case page

/// A date typed in a form: empty is `None`; a bad one a 400 naming the field.
fn form_date(field: &str, text: &str) -> Result<Option<NaiveDate>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<NaiveDate>().map(Some).map_err(|_| {
        AppError::App(recouvre_app::error::Error::invalid(
            field,
            "invalid_input",
            format!("{field} : « {text} » n'est pas une date ; choisissez-la dans le calendrier"),
        ))
    })
}

fn required_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    form_date(field, text)?.ok_or_else(|| {
        AppError::App(recouvre_app::error::Error::invalid(field, "required", format!("{field} : obligatoire")))
    })
}

#[derive(Deserialize)]
pub(crate) struct ContactForm {
    csrf: String,
    version: i64,
    channel: String,
    direction: String,
    summary: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    promise_amount: String,
    #[serde(default)]
    promise_due_on: String,
}

pub(crate) async fn contact_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    // A promise is given by its amount; its day is then required.
    let promise = if form.promise_amount.trim().is_empty() {
        None
    } else {
        Some(PromiseInput {
            amount: form.promise_amount.clone(),
            due_on: required_date("promise.due_on", &form.promise_due_on)?,
        })
    };
    let input = ContactInput {
        channel: form.channel,
        direction: form.direction,
        summary: form.summary,
        on: form_date("on", &form.on)?,
        promise,
    };
    contacts::record_contact(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#contacts")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct ActionForm {
    csrf: String,
    version: i64,
    due_on: String,
    label: String,
    #[serde(default)]
    assignee: String,
}

pub(crate) async fn action_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = ActionInput {
        due_on: required_date("due_on", &form.due_on)?,
        label: form.label,
        assignee: Some(form.assignee).filter(|login| !login.trim().is_empty()),
    };
    contacts::plan_action(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#contacts")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct MoveForm {
    csrf: String,
    version: i64,
    due_on: String,
}

pub(crate) async fn move_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((case_id, item_id)): Path<(i64, i64)>,
    Form(form): Form<MoveForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let due_on = required_date("due_on", &form.due_on)?;
    contacts::move_action(&state.app, &user.actor(), item_id, form.version, due_on).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#contacts")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct DoneForm {
    csrf: String,
    version: i64,
}

pub(crate) async fn done_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((case_id, item_id)): Path<(i64, i64)>,
    Form(form): Form<DoneForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::workflow::complete_action(&state.app, &user.actor(), item_id, form.version).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#contacts")).into_response())
}

// ---------------------------------------------------------------------------------------------
// What the case page shows

pub(crate) struct ContactLine {
    pub(crate) on: String,
    pub(crate) channel: &'static str,
    pub(crate) direction: &'static str,
    pub(crate) summary: String,
    pub(crate) author: String,
    /// « 150,00 € pour le 12/12/2026 », or empty.
    pub(crate) promise: String,
    /// « en attente », « tenue », « non tenue », or empty.
    pub(crate) promise_status: &'static str,
    /// The badge's class: `badge-ok`, `badge-err`, `badge-muted`.
    pub(crate) promise_badge: &'static str,
}

pub(crate) struct ActionLine {
    pub(crate) id: i64,
    pub(crate) label: String,
    pub(crate) due_on: String,
    /// For whom, by name.
    pub(crate) assignee: String,
    pub(crate) overdue: bool,
}

/// The contacts and actions part of the case page.
pub(crate) struct CaseContactsView {
    pub(crate) contacts: Vec<ContactLine>,
    pub(crate) actions: Vec<ActionLine>,
    pub(crate) channels: Vec<Choice>,
    pub(crate) directions: Vec<Choice>,
    /// (login, name) of who may be given an action; the current user first.
    pub(crate) assignees: Vec<Choice>,
}

/// The view of a case's contacts, its open actions (from the case's agenda) and the forms' choices.
pub(crate) fn case_view(
    rows: &[ContactRow],
    deadlines: &[Deadline],
    assignees: &[(String, String)],
    names: &std::collections::BTreeMap<String, String>,
    me: &str,
) -> CaseContactsView {
    let contacts = rows
        .iter()
        .map(|row| {
            let status = row.promise_status.as_deref().unwrap_or("");
            ContactLine {
                on: format::short_date(row.contact_on),
                channel: vocabulary::label(Family::ContactChannel, &row.channel),
                direction: vocabulary::label(Family::ContactDirection, &row.direction),
                summary: row.summary.clone(),
                author: format::person(&row.author, names),
                promise: match (contacts::promise_amount(row), row.promise_due_on) {
                    (Some(amount), Some(due_on)) => {
                        format!("{} pour le {}", amount.to_french(), format::short_date(due_on))
                    }
                    _ => String::new(),
                },
                promise_status: if status.is_empty() { "" } else { vocabulary::label(Family::PromiseStatus, status) },
                promise_badge: match status {
                    "kept" => "badge-ok",
                    "broken" => "badge-err",
                    _ => "badge-muted",
                },
            }
        })
        .collect();
    let actions = deadlines
        .iter()
        .filter(|deadline| deadline.item.kind == "action" && deadline.item.status == "open")
        .map(|deadline| {
            let item = &deadline.item;
            ActionLine {
                id: item.id,
                label: item.label.clone(),
                due_on: format::short_date(item.due_on),
                assignee: item
                    .assignee_name
                    .clone()
                    .or_else(|| item.officer_name.clone())
                    .unwrap_or_else(|| "le gestionnaire du dossier".to_string()),
                overdue: deadline.urgency.overdue(),
            }
        })
        .collect();
    let choice = |family, codes: &[&str]| -> Vec<Choice> {
        codes
            .iter()
            .map(|code| Choice {
                code: (*code).to_string(),
                label: vocabulary::label(family, code).to_string(),
                selected: false,
            })
            .collect()
    };
    let mut people: Vec<Choice> = assignees
        .iter()
        .map(|(login, name)| Choice { code: login.clone(), label: name.clone(), selected: login == me })
        .collect();
    people.sort_by_key(|choice| !choice.selected);
    CaseContactsView {
        contacts,
        actions,
        channels: choice(Family::ContactChannel, contacts::CHANNELS),
        directions: choice(Family::ContactDirection, contacts::DIRECTIONS),
        assignees: people,
    }
}
