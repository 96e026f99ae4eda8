//! What a judgment decides about a case's interest (issue 18, part 2): the API and the case
//! page's form that record the juge de l'exécution's ruling on the five-point increase (CMF
//! L313-3 al. 2) and the capitalisation a decision orders (C. civ. 1343-2). The use case is in
//! `recouvre_app::interest_rulings`; the case page and `GET /api/v1/cases/{id}` show the ruling.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::shared::{render, Layout, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_app::interest_rulings::{self, RulingInput};
use recouvre_app::ErrorKind;
use recouvre_domain::Money;
use recouvre_store::interest::rulings::{InterestRuling, RulingRecorded};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn api() -> Router<AppState> {
    Router::new().route("/cases/{id}/interest-rulings", post(post_ruling))
}

pub fn pages() -> Router<AppState> {
    Router::new().route("/dossiers/{id}/decision-interets", post(ruling_form))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(post_ruling), components(schemas(RulingRequest, RulingRecordedDto, InterestRulingDto)))]
pub struct InterestRulingsApiDoc;

#[derive(Deserialize, ToSchema)]
pub struct RulingRequest {
    /// The case's version the user saw.
    pub version: i64,
    /// The decision's date: today or earlier.
    pub decided_on: NaiveDate,
    /// The court (« JEX du tribunal judiciaire de Lyon »).
    pub court: String,
    /// The decision's reference (RG number).
    pub reference: String,
    /// The increase points kept (CMF L313-3 al. 2): `"0"` exempted, between 0 and 5 reduced
    /// (`"2"`, `"2.5"`), `"5"` kept.
    pub increase_points: String,
    /// The day the points kept apply from; absent: the whole increase.
    pub increase_from: Option<NaiveDate>,
    /// C. civ. 1343-2: interest due for a full year from this day becomes capital; refused with
    /// 409 `capitalisation_forbidden` when no claim of the case may capitalise.
    pub capitalisation_from: Option<NaiveDate>,
}

/// What recording a ruling did.
#[derive(Serialize, ToSchema)]
pub struct RulingRecordedDto {
    /// The case's new version.
    pub version: i64,
    /// The correction of the months already booked: positive charged, negative credited back.
    pub corrected: Money,
    /// The interest made capital for the anniversaries already booked.
    pub capitalised: Money,
}

impl From<RulingRecorded> for RulingRecordedDto {
    fn from(recorded: RulingRecorded) -> RulingRecordedDto {
        RulingRecordedDto {
            version: recorded.version,
            corrected: recorded.corrected,
            capitalised: recorded.capitalised,
        }
    }
}

/// What a judgment decided about a case's interest (the latest ruling recorded).
#[derive(Serialize, ToSchema)]
pub struct InterestRulingDto {
    pub decided_on: NaiveDate,
    pub court: String,
    pub reference: String,
    /// The increase points kept: `"0"` exempted, between 0 and 5 reduced.
    pub increase_points: String,
    pub increase_from: Option<NaiveDate>,
    pub capitalisation_from: Option<NaiveDate>,
    /// The last anniversary whose year of interest was made capital.
    pub capitalised_to: Option<NaiveDate>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<&InterestRuling> for InterestRulingDto {
    fn from(ruling: &InterestRuling) -> InterestRulingDto {
        InterestRulingDto {
            decided_on: ruling.decided_on,
            court: ruling.court.clone(),
            reference: ruling.reference.clone(),
            increase_points: ruling.increase_points.normalize().to_string(),
            increase_from: ruling.increase_from,
            capitalisation_from: ruling.capitalisation_from,
            capitalised_to: ruling.capitalised_to,
            recorded_by: ruling.recorded_by.clone(),
            recorded_at: ruling.recorded_at,
        }
    }
}

/// Records what a judgment decided about the case's interest: the juge de l'exécution's ruling
/// on the five-point increase (CMF L313-3 al. 2) and the capitalisation ordered (C. civ. 1343-2).
/// The months already booked are recomputed and the difference booked in the same transaction.
#[utoipa::path(post, path = "/api/v1/cases/{id}/interest-rulings", params(("id" = i64, Path, description = "Case id")), request_body = RulingRequest, responses(
    (status = 201, description = "Recorded, the booked months corrected", body = RulingRecordedDto),
    (status = 400, description = "A bad value: a decision dated after today, an empty court or reference, points outside 0 to 5 (`field` names it)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
    (status = 409, description = "Stale version, a closed case, `no_enforceable_decision` (no enforceable decision recorded), `capitalisation_forbidden` (no claim of the case may capitalise, C. consom. L312-38)", body = ErrorDto)))]
pub(crate) async fn post_ruling(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<RulingRequest>,
) -> Result<Response, AppError> {
    let input = RulingInput {
        decided_on: request.decided_on,
        court: request.court,
        reference: request.reference,
        increase_points: request.increase_points,
        increase_from: request.increase_from,
        capitalisation_from: request.capitalisation_from,
    };
    let recorded = interest_rulings::record_ruling(&state.app, &user.actor(), case_id, request.version, &input).await?;
    Ok((StatusCode::CREATED, Json(RulingRecordedDto::from(recorded))).into_response())
}

/// What the officer typed, kept to show it again beside the error.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct RulingForm {
    #[serde(default)]
    csrf: String,
    version: i64,
    #[serde(default)]
    pub(crate) decided_on: String,
    #[serde(default)]
    pub(crate) court: String,
    #[serde(default)]
    pub(crate) reference: String,
    #[serde(default)]
    pub(crate) increase_points: String,
    #[serde(default)]
    pub(crate) increase_from: String,
    #[serde(default)]
    pub(crate) capitalisation_from: String,
}

/// One field of the form, for the template: name, label, value, date, required.
pub(crate) struct RulingField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub date: bool,
    pub required: bool,
}

/// The form that records a ruling: what was typed, and the error to show.
#[derive(Default)]
pub(crate) struct RulingFormView {
    pub values: RulingForm,
    /// The field the error names, and its message.
    pub error: Option<(String, String)>,
    /// A refusal that names no field (no enforceable decision, a stale version), above the fields.
    pub refusal: Option<String>,
}

impl RulingFormView {
    pub(crate) fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|(named, _)| named == field)
    }

    pub(crate) fn message(&self) -> &str {
        self.error.as_ref().map_or("", |(_, message)| message.as_str())
    }

    pub(crate) fn fields(&self) -> Vec<RulingField> {
        let v = &self.values;
        let field = |name, label, value: &String, date, required| RulingField {
            name,
            label,
            value: value.clone(),
            date,
            required,
        };
        vec![
            field("decided_on", "Date de la décision", &v.decided_on, true, true),
            field("court", "Juridiction", &v.court, false, true),
            field("reference", "Référence (n° RG)", &v.reference, false, true),
            field("increase_points", "Points de majoration maintenus (0 à 5)", &v.increase_points, false, true),
            field("increase_from", "À compter du (vide : toute la majoration)", &v.increase_from, true, false),
            field(
                "capitalisation_from",
                "Capitalisation des intérêts à compter du",
                &v.capitalisation_from,
                true,
                false,
            ),
        ]
    }
}

/// The page shown again when the form is refused.
#[derive(Template)]
#[template(path = "case_interest_ruling.html")]
struct RulingFormPage {
    layout: Layout,
    id: i64,
    reference: String,
    version: i64,
    today: String,
    ruling_form: RulingFormView,
}

fn ruling_input(form: &RulingForm) -> Result<RulingInput, recouvre_app::Error> {
    let decided_on = crate::shared::optional_date("decided_on", &form.decided_on)?
        .ok_or_else(|| recouvre_app::Error::invalid("decided_on", "required", "indiquez la date de la décision"))?;
    Ok(RulingInput {
        decided_on,
        court: form.court.clone(),
        reference: form.reference.clone(),
        increase_points: form.increase_points.clone(),
        increase_from: crate::shared::optional_date("increase_from", &form.increase_from)?,
        capitalisation_from: crate::shared::optional_date("capitalisation_from", &form.capitalisation_from)?,
    })
}

/// Records a ruling from the case page; a refusal shows the form again with the error beside
/// its field (400) or above the fields (409).
pub(crate) async fn ruling_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<RulingForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let actor = user.actor();
    let outcome = match ruling_input(&form) {
        Ok(input) => interest_rulings::record_ruling(&state.app, &actor, case_id, form.version, &input).await,
        Err(error) => Err(error),
    };
    let error = match outcome {
        Ok(_) => return Ok(Redirect::to(&format!("/dossiers/{case_id}#interest-ruling")).into_response()),
        Err(error) if matches!(error.kind, ErrorKind::Invalid | ErrorKind::Refused | ErrorKind::Stale) => error,
        Err(error) => return Err(error.into()),
    };
    let case =
        recouvre_app::cases::case_file(&state.app, &actor, case_id, &format!("/dossiers/{case_id}/decision-interets"))
            .await?
            .case;
    let mut ruling_form = RulingFormView::default();
    match &error.field {
        Some(field) => ruling_form.error = Some((field.clone(), error.message.clone())),
        None => ruling_form.refusal = Some(error.message.clone()),
    }
    ruling_form.values = form;
    let page = RulingFormPage {
        layout: Layout::of(&user),
        id: case_id,
        reference: case.reference.clone(),
        version: case.version,
        today: state.app.today().to_string(),
        ruling_form,
    };
    let status = if error.kind == ErrorKind::Invalid { StatusCode::BAD_REQUEST } else { StatusCode::CONFLICT };
    Ok((status, render(&page)?).into_response())
}

/// The ruling in French, for the case page.
pub(crate) fn describe(ruling: &InterestRuling) -> String {
    let day = |date: NaiveDate| date.format("%d/%m/%Y").to_string();
    let points = ruling.increase_points.normalize().to_string().replace('.', ",");
    let increase = if ruling.increase_points.is_zero() {
        "débiteur exonéré de la majoration de cinq points".to_string()
    } else if ruling.increase_points >= recouvre_domain::statutory_interest::INCREASE_POINTS {
        "majoration de cinq points maintenue".to_string()
    } else {
        format!("majoration réduite à {points} point(s)")
    };
    let from = ruling.increase_from.map(|from| format!(" à compter du {}", day(from))).unwrap_or_default();
    let capitalisation = ruling
        .capitalisation_from
        .map(|from| format!(" ; capitalisation annuelle des intérêts à compter du {} (C. civ. 1343-2)", day(from)))
        .unwrap_or_default();
    format!(
        "Décision du {} ({}, {}) : {increase}{from} (CMF L313-3){capitalisation}",
        day(ruling.decided_on),
        ruling.court,
        ruling.reference
    )
}
