//! Administration over the API: settings, users, reference data, the access log.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct AccessDto {
    pub user_login: String,
    pub case_id: Option<i64>,
    pub person_id: Option<i64>,
    pub path: String,
    pub at: DateTime<Utc>,
    /// Why it was read: `case_file`, `search`, `letter`, `procedure`, `access_request`, `control`
    /// (the use case's, or the one an API client declared with `X-Access-Purpose`).
    pub purpose: String,
    /// The purpose in French, as screens show it.
    pub purpose_label: String,
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct AccessParams {
    /// Every consultation of this person's files.
    person_id: Option<i64>,
    /// Every consultation of this case.
    case_id: Option<i64>,
}

/// Who consulted a debtor's files, for a right-of-access request (RGPD art. 15).
#[utoipa::path(get, path = "/api/v1/access-log", params(AccessParams), responses(
    (status = 200, body = Vec<AccessDto>), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn access_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<AccessParams>,
) -> Result<Json<Vec<AccessDto>>, AppError> {
    let of = recouvre_app::admin::access_of(params.person_id, params.case_id)?;
    let entries = recouvre_app::admin::access_log(&state.app, &user.actor(), of).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|entry| AccessDto {
                user_login: entry.user_login,
                case_id: entry.case_id,
                person_id: entry.person_id,
                path: entry.path,
                at: entry.at,
                purpose_label: recouvre_app::purpose::Purpose::label_of(&entry.purpose),
                purpose: entry.purpose,
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
    /// Legal form, share capital, registry (RCS), head office and ORIAS number printed in
    /// every letter's footer (C. com. R123-237); the first three are required.
    #[serde(default)]
    pub legal_form: String,
    #[serde(default)]
    pub share_capital: String,
    #[serde(default)]
    pub rcs: String,
    #[serde(default)]
    pub head_office: String,
    #[serde(default)]
    pub orias: String,
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
            legal_form: bank.legal_form,
            share_capital: bank.share_capital,
            rcs: bank.rcs,
            head_office: bank.head_office,
            orias: bank.orias,
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
            legal_form: bank.legal_form,
            share_capital: bank.share_capital,
            rcs: bank.rcs,
            head_office: bank.head_office,
            orias: bank.orias,
        }
    }
}

/// The bank's identity used on letters and files (administrators only).
#[utoipa::path(get, path = "/api/v1/admin/settings", responses((status = 200, body = BankIdentityDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn get_settings(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<BankIdentityDto>, AppError> {
    Ok(Json(recouvre_app::admin::bank_identity(&state.app, &user.actor()).await?.into()))
}

/// Proposes a new identity of the bank (administrators only). Validated at once (IBAN check
/// digits, BIC, creditor identifier, e-mail address: a 400 names the `field`), it is a change
/// request (202), in force only once ANOTHER administrator approves it
/// (`POST /api/v1/admin/setting-changes/{id}/approve`).
#[utoipa::path(put, path = "/api/v1/admin/settings", request_body = BankIdentityDto, responses((status = 202, body = SettingChangeDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(bank): Json<BankIdentityDto>,
) -> Result<Response, AppError> {
    let bank: recouvre_store::settings::BankIdentity = bank.into();
    let change = recouvre_app::admin::set_bank_identity(&state.app, &user.actor(), &bank).await?;
    Ok((StatusCode::ACCEPTED, Json(SettingChangeDto::from(change))).into_response())
}

/// A request to change a setting (issue 23: dual control) and what became of it.
#[derive(Serialize, ToSchema)]
pub struct SettingChangeDto {
    pub id: i64,
    /// `bank_identity`, `strategy_rules`, `authority_matrix`, `procedure_policy`,
    /// `assessment_policy` or `provisioning_policy`.
    pub subject: String,
    /// The value in force when it was proposed (JSON for the bank's identity, TOML for a rule
    /// document); absent: the embedded default.
    pub old_value: Option<String>,
    pub new_value: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// `pending`, `approved` (in force since `decided_at`) or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<recouvre_store::setting_changes::SettingChange> for SettingChangeDto {
    fn from(change: recouvre_store::setting_changes::SettingChange) -> SettingChangeDto {
        SettingChangeDto {
            id: change.id,
            subject: change.subject,
            old_value: change.old_value,
            new_value: change.new_value,
            proposed_by: change.proposed_by,
            proposed_at: change.proposed_at,
            status: change.status,
            decided_by: change.decided_by,
            decided_at: change.decided_at,
        }
    }
}

/// The settings' history: every change request, newest first (administrators only).
#[utoipa::path(get, path = "/api/v1/admin/setting-changes", responses((status = 200, body = Vec<SettingChangeDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn setting_changes(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<SettingChangeDto>>, AppError> {
    let changes = recouvre_app::setting_changes::history(&state.app, &user.actor()).await?;
    Ok(Json(changes.into_iter().map(SettingChangeDto::from).collect()))
}

/// Approves a change request and puts it in force: never by the administrator who proposed it
/// (403 `own_request`); 409 `already_decided`, or `setting_changed` when the value in force
/// changed since the request.
#[utoipa::path(post, path = "/api/v1/admin/setting-changes/{id}/approve", params(("id" = i64, Path, description = "Request number")),
    responses((status = 200, body = SettingChangeDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn approve_setting_change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<SettingChangeDto>, AppError> {
    Ok(Json(recouvre_app::setting_changes::approve(&state.app, &user.actor(), id).await?.into()))
}

/// Rejects a change request (another administrator), or withdraws it (its proposer).
#[utoipa::path(post, path = "/api/v1/admin/setting-changes/{id}/reject", params(("id" = i64, Path, description = "Request number")),
    responses((status = 200, body = SettingChangeDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto), (status = 409, body = ErrorDto)))]
pub(crate) async fn reject_setting_change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<SettingChangeDto>, AppError> {
    Ok(Json(recouvre_app::setting_changes::reject(&state.app, &user.actor(), id).await?.into()))
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
pub(crate) async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<UserDto>>, AppError> {
    Ok(Json(recouvre_app::identity::users(&state.app, &user.actor()).await?.iter().map(UserDto::from).collect()))
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
pub(crate) async fn reference_data(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ReferenceDto>, AppError> {
    let recouvre_app::admin::ReferenceView { entries, data, warnings } =
        recouvre_app::admin::reference_data(&state.app, &user.actor()).await?;
    Ok(Json(ReferenceDto {
        statutory_rates: data.statutory_rates().cloned().collect(),
        wage_bands: data.all_wage_bands().cloned().collect(),
        unseizable_balances: data.unseizable_balances().cloned().collect(),
        indemnity_caps: data.indemnity_caps().cloned().collect(),
        statutory_rates_known_until: data.statutory_rates_known_until(),
        warnings,
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
pub(crate) struct ReferenceParams {
    /// Correct an existing value (same semester, year or date) instead of refusing it.
    #[serde(default)]
    replace: bool,
}

/// Adds a reference value (administrators only): `statutory_rate`, `wage_bands`,
/// `unseizable_balance` or `indemnity_cap`, in the JSON form of `/api/v1/reference`. Kept with
/// who entered it and when; a value that already exists is refused unless `replace=true`. A rule
/// document (`authority_matrix`, `strategy_rules`, …) is a change request instead (202), in
/// force once another administrator approves it.
#[utoipa::path(post, path = "/api/v1/admin/reference/{kind}", params(("kind" = String, Path, description = "Entry kind"), ReferenceParams),
    request_body(content = Object, description = "The entry"),
    responses((status = 201, body = ReferenceDto), (status = 202, body = SettingChangeDto), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn add_reference_entry(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    Query(params): Query<ReferenceParams>,
    Json(entry): Json<serde_json::Value>,
) -> Result<Response, AppError> {
    let added =
        recouvre_app::reference::add_entry(&state.app, &user.actor(), &kind, &entry.to_string(), params.replace)
            .await?;
    if let recouvre_app::reference::Added::Proposed(id) = added {
        let change = recouvre_app::setting_changes::get(&state.app, &user.actor(), id).await?;
        return Ok((StatusCode::ACCEPTED, Json(SettingChangeDto::from(change))).into_response());
    }
    let Json(answer) = reference_data(State(state), user).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = UserDto), (status = 401, body = ErrorDto)))]
pub(crate) async fn me(user: CurrentUser) -> Json<UserDto> {
    Json(UserDto::from(&user.user))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        access_log,
        get_settings,
        put_settings,
        list_users,
        me,
        reference_data,
        add_reference_entry,
        setting_changes,
        approve_setting_change,
        reject_setting_change
    ),
    components(schemas(AccessDto, BankIdentityDto, UserDto, ReferenceDto, ReferenceEntryDto, SettingChangeDto))
)]
pub struct AdminApiDoc;
