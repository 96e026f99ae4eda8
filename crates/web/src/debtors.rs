//! The debtor's file (issue 17): `GET`/`PATCH /api/v1/debtors/{customer_number}`, its
//! situations (`/api/v1/debtors/{customer_number}/situations`), and the debtor's page
//! (`/debiteurs/{customer_number}`) with its forms. The use cases are `recouvre_app::debtors`.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::NaiveDate;
use recouvre_app::debtors::{self as use_cases, DebtorFile, SituationInput, SituationRecord};
use recouvre_domain::case::{CaseStatus, Person};
use recouvre_domain::debtor_file::{
    commune, Civility, EstateOption, OverIndebtednessStage, ProtectionMeasure, SituationKind,
};
use recouvre_domain::Money;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/debiteurs/{customer_number}", get(debtor_page))
        .route("/debiteurs/{customer_number}/coordonnees", axum::routing::post(correct_form))
        .route("/debiteurs/{customer_number}/situations", axum::routing::post(situation_form))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/debtors/{customer_number}", get(get_debtor).patch(patch_debtor))
        .route("/debtors/{customer_number}/situations", get(list_situations).post(post_situation))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_debtor, patch_debtor, list_situations, post_situation),
    components(schemas(DebtorDto, EstateDto, SituationRecordedDto))
)]
pub struct DebtorsApiDoc;

#[derive(Serialize, ToSchema)]
pub struct EstateDto {
    pub notary_name: Option<String>,
    pub notary_address: Option<String>,
    pub heirs: Option<String>,
    pub option: Option<EstateOption>,
}

/// A person's file: the case's `debtor` object with the contact details, the address's history,
/// the situations and the differences intake listed.
#[derive(Serialize, ToSchema)]
pub struct DebtorDto {
    /// Quote it when changing the file (`PATCH`, a situation); a stale one is refused (409).
    pub version: i64,
    #[serde(flatten)]
    pub person: Person,
    pub civility: Option<Civility>,
    /// Every phone number (`phone` is the first).
    pub phones: Vec<String>,
    /// Every e-mail address (`email` is the first).
    pub emails: Vec<String>,
    /// INSEE code of the address's commune.
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
    pub address_since: Option<NaiveDate>,
    /// NPAI: a letter came back; no letter goes to this address.
    pub address_invalid: bool,
    pub address_invalid_on: Option<NaiveDate>,
    pub estate: Option<EstateDto>,
    /// Fields an officer corrected: a later import does not overwrite them.
    pub corrected_fields: Vec<String>,
    /// Previous addresses, newest first (`replaced_on`: the day it changed).
    #[schema(value_type = Vec<Object>)]
    pub previous_addresses: Vec<recouvre_app::debtors::PastAddress>,
    #[schema(value_type = Vec<Object>)]
    pub situations: Vec<SituationRecord>,
    /// What later imports brought for corrected fields (the file kept the officer's value).
    #[schema(value_type = Vec<Object>)]
    pub intake_differences: Vec<recouvre_app::debtors::IntakeDifference>,
    #[schema(value_type = Vec<Object>)]
    pub cases: Vec<recouvre_app::debtors::PersonCase>,
}

impl From<DebtorFile> for DebtorDto {
    fn from(file: DebtorFile) -> DebtorDto {
        let commune_name = file.commune_code.as_deref().and_then(commune).map(|commune| commune.name.clone());
        let estate = file.person.deceased_on.map(|_| EstateDto {
            notary_name: file.estate.notary_name.clone(),
            notary_address: file.estate.notary_address.clone(),
            heirs: file.estate.heirs.clone(),
            option: file.estate.option,
        });
        DebtorDto {
            version: file.version,
            person: file.person,
            civility: file.civility,
            phones: file.phones,
            emails: file.emails,
            commune_code: file.commune_code,
            commune_name,
            address_since: file.address_since,
            address_invalid: file.address_invalid_on.is_some(),
            address_invalid_on: file.address_invalid_on,
            estate,
            corrected_fields: file.corrected_fields,
            previous_addresses: file.addresses,
            situations: file.situations,
            intake_differences: file.differences,
            cases: file.cases,
        }
    }
}

/// A person's file by customer number. The consultation is recorded in the access log.
#[utoipa::path(get, path = "/api/v1/debtors/{customer_number}",
    params(("customer_number" = String, Path, description = "Customer number in core banking")),
    responses((status = 200, body = DebtorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
        (status = 404, body = ErrorDto)))]
pub(crate) async fn get_debtor(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer_number): Path<String>,
) -> Result<Json<DebtorDto>, AppError> {
    let path = format!("/api/v1/debtors/{customer_number}");
    Ok(Json(use_cases::debtor_file(&state.app, &user.actor(), &customer_number, &path).await?.into()))
}

/// Corrects a person's file: any field of the case's `debtor` object but the situation ones
/// (`civility`, names, `birth_date`, `address_line`, `postcode`, `city`, `commune_code`,
/// `address_invalid` (NPAI), `phones`, `emails`, `iban`, `family_situation`, `dependants`,
/// `employment`, `employer`, `monthly_income`, `monthly_charges`), with `version` and `reason`
/// (required). Absent: unchanged; `null`: cleared. An unknown field or a bad value is a 400
/// naming the `field`, and nothing changes; a stale version is a 409. Journaled on every open
/// case of the person.
#[utoipa::path(patch, path = "/api/v1/debtors/{customer_number}",
    params(("customer_number" = String, Path, description = "Customer number in core banking")),
    request_body(content = Object, description = "The fields to change, with `version` and `reason`"),
    responses((status = 200, body = DebtorDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
        (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn patch_debtor(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer_number): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> Result<Json<DebtorDto>, AppError> {
    Ok(Json(use_cases::correct_debtor(&state.app, &user.actor(), &customer_number, &body).await?.into()))
}

/// The situations recorded on a person, newest first.
#[utoipa::path(get, path = "/api/v1/debtors/{customer_number}/situations",
    params(("customer_number" = String, Path, description = "Customer number in core banking")),
    responses((status = 200, body = Vec<Object>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
        (status = 404, body = ErrorDto)))]
pub(crate) async fn list_situations(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer_number): Path<String>,
) -> Result<Json<Vec<SituationRecord>>, AppError> {
    Ok(Json(use_cases::situations(&state.app, &user.actor(), &customer_number).await?))
}

#[derive(Serialize, ToSchema)]
pub struct SituationRecordedDto {
    pub id: i64,
    /// The person's version after it.
    pub version: i64,
    /// The open cases where it was journaled.
    pub cases: Vec<i64>,
    /// Debt relief: the cases written off, with the amount.
    #[schema(value_type = Vec<Object>)]
    pub written_off: Vec<(i64, Money)>,
    /// Debt relief: the cases left open because co-debtors or guarantors remain liable.
    pub still_owed_by_others: Vec<i64>,
}

/// Records a situation: `{"kind": "deceased" | "protection" | "over_indebtedness" | "ficp",
/// "on": D (not after today), "version": …, "reason"?: …}` plus the kind's fields — deceased:
/// `notary_name`, `notary_address`, `heirs`, `estate_option` (acceptance | renunciation |
/// pending); protection: `measure` (tutelle | curatelle | curatelle_renforcee |
/// sauvegarde_de_justice | mainlevee), `judgment_on`, `guardian_name`, `guardian_address`;
/// over_indebtedness: `stage` (filed | admissible | plan | personal_recovery | debt_relief |
/// closed), `decision_on`; ficp: `registered`. Its effect is at once on letters, procedures and
/// the strategy; a debt relief writes off what the person alone owed.
#[utoipa::path(post, path = "/api/v1/debtors/{customer_number}/situations",
    params(("customer_number" = String, Path, description = "Customer number in core banking")),
    request_body(content = Object, description = "The situation"),
    responses((status = 201, body = SituationRecordedDto), (status = 400, body = ErrorDto),
        (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
        (status = 409, body = ErrorDto)))]
pub(crate) async fn post_situation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer_number): Path<String>,
    Json(body): Json<Map<String, Value>>,
) -> Result<Response, AppError> {
    let input = SituationInput::from_json(&body)?;
    let recorded = use_cases::record_situation(&state.app, &user.actor(), &customer_number, &input).await?;
    let dto = SituationRecordedDto {
        id: recorded.id,
        version: recorded.version,
        cases: recorded.cases,
        written_off: recorded.written_off,
        still_owed_by_others: recorded.still_owed_by_others,
    };
    Ok((StatusCode::CREATED, Json(dto)).into_response())
}

// =============================================================================================
// The debtor's page

struct CaseView {
    id: i64,
    reference: String,
    status: &'static str,
    role: &'static str,
}

struct AddressView {
    address: String,
    since: String,
    replaced_on: String,
    npai: bool,
    by: String,
    reason: String,
}

struct SituationView {
    kind: &'static str,
    on: String,
    summary: String,
    by: String,
}

struct DifferenceView {
    field: &'static str,
    kept: String,
    intake: String,
    seen: String,
}

#[derive(Template)]
#[template(path = "debtor.html")]
struct DebtorPage {
    layout: Layout,
    customer_number: String,
    name: String,
    version: i64,
    can_work: bool,
    facts: Vec<(&'static str, String)>,
    npai: Option<String>,
    alerts: Vec<String>,
    cases: Vec<CaseView>,
    addresses: Vec<AddressView>,
    situations: Vec<SituationView>,
    differences: Vec<DifferenceView>,
    // The correction form's values.
    civilities: Vec<(&'static str, &'static str, bool)>,
    last_name: String,
    first_name: String,
    address_line: String,
    postcode: String,
    city: String,
    commune_code: String,
    phones: String,
    emails: String,
    iban: String,
    employer: String,
    // The situation form's choices.
    kinds: Vec<(&'static str, &'static str)>,
    measures: Vec<(&'static str, &'static str)>,
    stages: Vec<(&'static str, &'static str)>,
    options: Vec<(&'static str, &'static str)>,
    today: String,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "last_name" => "Nom",
        "first_name" => "Prénom",
        "birth_date" => "Date de naissance",
        "address_line" => "Adresse",
        "postcode" => "Code postal",
        "city" => "Ville",
        "phones" => "Téléphones",
        "emails" => "Courriels",
        "iban" => "IBAN",
        "family_situation" => "Situation familiale",
        "dependants" => "Personnes à charge",
        "employment" => "Emploi",
        "employer" => "Employeur",
        "monthly_income" => "Revenus mensuels",
        "monthly_charges" => "Charges mensuelles",
        "civility" => "Civilité",
        "commune_code" => "Commune",
        "deceased_on" => "Date de décès",
        "protection" => "Mesure de protection",
        "guardian_name" => "Tuteur ou curateur",
        "guardian_address" => "Adresse du tuteur ou curateur",
        "over_indebtedness" => "Surendettement",
        _ => "Autre champ",
    }
}

fn situation_summary(record: &SituationRecord) -> String {
    let text = |key: &str| record.details.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    match record.kind {
        SituationKind::Deceased => {
            let option = EstateOption::from_code(&text("estate_option")).map_or("", EstateOption::label);
            match text("notary_name") {
                notary if notary.is_empty() => option.to_string(),
                notary => format!("{option} — notaire : {notary}"),
            }
        }
        SituationKind::Protection => {
            let measure = ProtectionMeasure::from_code(&text("measure")).map_or("", ProtectionMeasure::label);
            match text("guardian_name") {
                guardian if guardian.is_empty() => measure.to_string(),
                guardian => format!("{measure} — {guardian}"),
            }
        }
        SituationKind::OverIndebtedness => {
            OverIndebtednessStage::from_code(&text("stage")).map_or("", OverIndebtednessStage::label).to_string()
        }
        SituationKind::Ficp => match record.details.get("registered").and_then(Value::as_bool) {
            Some(true) => "Inscrit".to_string(),
            _ => "Radié".to_string(),
        },
    }
}

async fn debtor_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer_number): Path<String>,
) -> PageResult {
    let path = format!("/debiteurs/{customer_number}");
    let use_cases::DebtorPageFile { file, names } =
        use_cases::debtor_page(&state.app, &user.actor(), &customer_number, &path).await?;
    let person = &file.person;
    let alerts = recouvre_domain::debtor_alerts::debtor_alerts(person).iter().map(|alert| alert.sentence()).collect();
    let commune_name = file.commune_code.as_deref().and_then(commune).map(|commune| commune.name.clone());
    let dash = || "—".to_string();
    let mut facts = vec![
        ("N° client", person.customer_number.clone()),
        ("Civilité", file.civility.map_or_else(dash, |civility| civility.label().to_string())),
        ("Date de naissance", format::optional_date(person.birth_date)),
        ("Adresse", format!("{}, {} {}", person.address_line, person.postcode, person.city)),
        ("Commune", commune_name.unwrap_or_else(dash)),
        ("Adresse depuis le", format::optional_date(file.address_since)),
        ("Téléphones", if file.phones.is_empty() { dash() } else { file.phones.join(", ") }),
        ("Courriels", if file.emails.is_empty() { dash() } else { file.emails.join(", ") }),
        ("IBAN", person.iban.as_deref().map_or_else(dash, format::iban)),
        ("Employeur", person.employer.clone().unwrap_or_else(dash)),
        ("Revenus mensuels", person.monthly_income.to_french()),
        ("Charges mensuelles", person.monthly_charges.to_french()),
    ];
    if person.deceased_on.is_some() {
        facts.push(("Notaire", file.estate.notary_name.clone().unwrap_or_else(dash)));
        facts.push(("Héritiers", file.estate.heirs.clone().unwrap_or_else(dash)));
    }
    if let Some(guardian) = &person.guardian_name {
        facts.push(("Tuteur ou curateur", guardian.clone()));
    }
    let view = DebtorPage {
        layout: Layout::of(&user),
        customer_number: person.customer_number.clone(),
        name: person.display_name(),
        version: file.version,
        can_work: user.can(recouvre_domain::authority::Permission::WorkCases),
        facts,
        npai: file.address_invalid_on.map(format::short_date),
        alerts,
        cases: file
            .cases
            .iter()
            .map(|case| CaseView {
                id: case.id,
                reference: case.reference.clone(),
                status: CaseStatus::from_code(&case.status).map_or("(valeur inconnue)", CaseStatus::label),
                role: case.role.label(),
            })
            .collect(),
        addresses: file
            .addresses
            .iter()
            .map(|address| AddressView {
                address: format!("{}, {} {}", address.address_line, address.postcode, address.city),
                since: format::optional_date(address.valid_from),
                replaced_on: format::short_date(address.replaced_on),
                npai: address.invalid_on.is_some(),
                by: format::person(&address.changed_by, &names),
                reason: address.reason.clone(),
            })
            .collect(),
        situations: file
            .situations
            .iter()
            .map(|record| SituationView {
                kind: record.kind.label(),
                on: format::short_date(record.on),
                summary: situation_summary(record),
                by: format::person(&record.recorded_by, &names),
            })
            .collect(),
        differences: file
            .differences
            .iter()
            .map(|difference| DifferenceView {
                field: field_label(&difference.field),
                kept: difference.kept_value.clone().unwrap_or_else(dash),
                intake: difference.intake_value.clone().unwrap_or_else(dash),
                seen: format::timestamp(difference.seen_at),
            })
            .collect(),
        civilities: Civility::ALL
            .iter()
            .map(|civility| (civility.code(), civility.label(), file.civility == Some(*civility)))
            .collect(),
        last_name: person.last_name.clone(),
        first_name: person.first_name.clone(),
        address_line: person.address_line.clone(),
        postcode: person.postcode.clone(),
        city: person.city.clone(),
        commune_code: file.commune_code.clone().unwrap_or_default(),
        phones: file.phones.join("\n"),
        emails: file.emails.join("\n"),
        iban: person.iban.clone().unwrap_or_default(),
        employer: person.employer.clone().unwrap_or_default(),
        kinds: SituationKind::ALL.iter().map(|kind| (kind.code(), kind.label())).collect(),
        measures: ProtectionMeasure::ALL.iter().map(|measure| (measure.code(), measure.label())).collect(),
        stages: OverIndebtednessStage::ALL.iter().map(|stage| (stage.code(), stage.label())).collect(),
        options: EstateOption::ALL.iter().map(|option| (option.code(), option.label())).collect(),
        today: state.app.today().to_string(),
    };
    render(&view)
}

#[derive(Deserialize)]
pub(crate) struct CorrectionForm {
    csrf: String,
    version: i64,
    reason: String,
    #[serde(default)]
    civility: String,
    last_name: String,
    first_name: String,
    address_line: String,
    postcode: String,
    city: String,
    #[serde(default)]
    commune_code: String,
    #[serde(default)]
    phones: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    iban: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    address_invalid: Option<String>,
    /// Whether the page showed the address as NPAI: the box is sent on only when changed.
    #[serde(default)]
    address_invalid_was: String,
}

fn optional(text: &str) -> Value {
    match text.trim() {
        "" => Value::Null,
        text => json!(text),
    }
}

fn lines(text: &str) -> Value {
    json!(text.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>())
}

async fn correct_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer_number): Path<String>,
    Form(form): Form<CorrectionForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let body = json!({
        "version": form.version,
        "reason": form.reason,
        "civility": optional(&form.civility),
        "last_name": form.last_name,
        "first_name": form.first_name,
        "address_line": form.address_line,
        "postcode": form.postcode,
        "city": form.city,
        "commune_code": optional(&form.commune_code),
        "phones": lines(&form.phones),
        "emails": lines(&form.emails),
        "iban": optional(&form.iban),
        "employer": optional(&form.employer),
    });
    let Value::Object(mut body) = body else {
        return Err(AppError::from(recouvre_app::Error::internal("form")).into());
    };
    let npai = form.address_invalid.is_some();
    if npai != (form.address_invalid_was == "yes") {
        body.insert("address_invalid".to_string(), json!(npai));
    }
    use_cases::correct_debtor(&state.app, &user.actor(), &customer_number, &body).await?;
    Ok(Redirect::to(&format!("/debiteurs/{customer_number}")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct SituationForm {
    csrf: String,
    version: i64,
    kind: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    notary_name: String,
    #[serde(default)]
    notary_address: String,
    #[serde(default)]
    heirs: String,
    #[serde(default)]
    estate_option: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    judgment_on: String,
    #[serde(default)]
    guardian_name: String,
    #[serde(default)]
    guardian_address: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    decision_on: String,
    #[serde(default)]
    registered: Option<String>,
}

/// A date input's value (`AAAA-MM-JJ`), empty when not filled.
fn day(text: &str) -> Option<NaiveDate> {
    text.trim().parse().ok()
}

fn given(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|text| !text.is_empty())
}

async fn situation_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(customer_number): Path<String>,
    Form(form): Form<SituationForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    // The form shows every kind's fields: only the chosen kind's are sent on.
    let kind = SituationKind::from_code(&form.kind);
    let mut input = SituationInput {
        kind: form.kind.clone(),
        on: day(&form.on),
        version: Some(form.version),
        reason: given(&form.reason),
        ..SituationInput::default()
    };
    match kind {
        Some(SituationKind::Deceased) => {
            input.notary_name = given(&form.notary_name);
            input.notary_address = given(&form.notary_address);
            input.heirs = given(&form.heirs);
            input.estate_option = given(&form.estate_option);
        }
        Some(SituationKind::Protection) => {
            input.measure = given(&form.measure);
            input.judgment_on = day(&form.judgment_on);
            input.guardian_name = given(&form.guardian_name);
            input.guardian_address = given(&form.guardian_address);
        }
        Some(SituationKind::OverIndebtedness) => {
            input.stage = given(&form.stage);
            input.decision_on = day(&form.decision_on);
        }
        Some(SituationKind::Ficp) => input.registered = Some(form.registered.is_some()),
        None => {}
    }
    use_cases::record_situation(&state.app, &user.actor(), &customer_number, &input).await?;
    Ok(Redirect::to(&format!("/debiteurs/{customer_number}#situations")).into_response())
}
