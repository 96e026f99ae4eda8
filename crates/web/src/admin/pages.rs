//! The administrator's pages: the bank's settings and the reference data.

use crate::auth::CurrentUser;
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use recouvre_domain::authority::Permission;
use recouvre_store::settings::BankIdentity;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(Template)]
#[template(path = "settings.html")]
pub(crate) struct SettingsPage {
    layout: Layout,
    bank: BankIdentity,
    saved: bool,
}

#[derive(Deserialize)]
pub(crate) struct SavedQuery {
    #[serde(default)]
    saved: bool,
}

pub(crate) async fn settings_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let bank = recouvre_app::admin::bank_identity(&state.app, &user.actor()).await?;
    render(&SettingsPage { layout: Layout::of(&user), bank, saved: query.saved })
}

#[derive(Deserialize)]
pub(crate) struct SettingsForm {
    csrf: String,
    #[serde(flatten)]
    bank: BankIdentity,
}

pub(crate) async fn save_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SettingsForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::admin::set_bank_identity(&state.app, &user.actor(), &form.bank).await?;
    Ok(Redirect::to("/admin/parametres?saved=true").into_response())
}

// ---------------------------------------------------------------------------------------------
// Reference data (administrators)

#[derive(Template)]
#[template(path = "reference.html")]
pub(crate) struct ReferencePage {
    layout: Layout,
    warnings: Vec<String>,
    rates: Vec<(String, String, String, String)>,
    bands: Vec<(i32, String, String, String)>,
    balances: Vec<(String, String, String)>,
    entries: Vec<(i64, String, String, String, String)>,
    error: Option<String>,
    saved: bool,
    kind: String,
    entry: String,
}

pub(crate) const REFERENCE_EXAMPLE: &str =
    r#"{"semester": "2026-2", "individual": "6.50", "other": "2.50", "source": "Arrêté du … juin 2026"}"#;

pub(crate) async fn reference_view(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    saved: bool,
    kind: String,
    entry: String,
) -> PageResult {
    let recouvre_app::admin::ReferenceView { entries, data, warnings } =
        recouvre_app::admin::reference_data(&state.app, &user.actor()).await?;
    let percent = |rate: &rust_decimal::Decimal| format!("{}\u{a0}%", rate.to_string().replace('.', ","));
    let view = ReferencePage {
        layout: Layout::of(user),
        warnings,
        rates: data
            .statutory_rates()
            .rev()
            .map(|rate| {
                (rate.semester.to_string(), percent(&rate.individual), percent(&rate.other), rate.source.clone())
            })
            .collect(),
        bands: data
            .all_wage_bands()
            .rev()
            .map(|bands| {
                let ceilings: Vec<String> = bands.ceilings.iter().map(|ceiling| ceiling.to_french()).collect();
                (bands.year, ceilings.join(" · "), bands.per_dependant.to_french(), bands.source.clone())
            })
            .collect(),
        balances: data
            .unseizable_balances()
            .rev()
            .map(|balance| (format::long_date(balance.from), balance.amount.to_french(), balance.source.clone()))
            .collect(),
        entries: entries
            .into_iter()
            .rev()
            .map(|entry| (entry.id, entry.kind, entry.entry, entry.entered_by, format::timestamp(entry.entered_at)))
            .collect(),
        error,
        saved,
        kind,
        entry,
    };
    render(&view)
}

pub(crate) async fn reference_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    user.require(Permission::Administer)?;
    reference_view(&state, &user, None, query.saved, "statutory_rate".to_string(), REFERENCE_EXAMPLE.to_string()).await
}

#[derive(Deserialize)]
pub(crate) struct ReferenceForm {
    csrf: String,
    kind: String,
    entry: String,
    #[serde(default)]
    replace: Option<String>,
}

pub(crate) async fn add_reference(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ReferenceForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    match recouvre_app::reference::add_entry(&state.app, &user.actor(), &form.kind, &form.entry, form.replace.is_some())
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/reference?saved=true").into_response()),
        Err(error) if error.kind == recouvre_app::ErrorKind::Invalid => {
            let mut response =
                reference_view(&state, &user, Some(error.message.clone()), false, form.kind, form.entry).await?;
            *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}
