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
    /// The request just made, if any.
    proposed: Option<i64>,
    /// The settings' change requests, newest first (issue 23: dual control).
    changes: Vec<ChangeRow>,
}

/// A change request as the settings page shows it.
pub(crate) struct ChangeRow {
    id: i64,
    subject: &'static str,
    status: &'static str,
    pending: bool,
    /// Proposed by the reader: they may withdraw it, never approve it.
    own: bool,
    proposed_by: String,
    proposed_at: String,
    decided_by: String,
    decided_at: String,
    /// For the bank's identity: each field changed (label, old, new).
    fields: Vec<(&'static str, String, String)>,
    /// For a rule document: the proposed text.
    document: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct SavedQuery {
    #[serde(default)]
    saved: bool,
    #[serde(default)]
    proposed: Option<i64>,
}

/// The French name of a setting (no code on a screen).
fn subject_label(subject: &str) -> &'static str {
    match subject {
        "bank_identity" => "Identité de la banque",
        "authority_matrix" => "Matrice de délégation",
        "strategy_rules" => "Règles de stratégie",
        "procedure_policy" => "Politique des procédures",
        "assessment_policy" => "Politique d'évaluation",
        "provisioning_policy" => "Politique de provisionnement",
        _ => "Autre paramètre",
    }
}

const BANK_FIELDS: [(&str, &str); 14] = [
    ("name", "Raison sociale"),
    ("address", "Adresse"),
    ("sepa_creditor_id", "Identifiant créancier SEPA (ICS)"),
    ("collection_iban", "IBAN d'encaissement"),
    ("collection_bic", "BIC"),
    ("logo", "Logo"),
    ("centre_name", "Centre de recouvrement"),
    ("centre_phone", "Téléphone du centre"),
    ("centre_email", "Courriel du centre"),
    ("legal_form", "Forme juridique"),
    ("share_capital", "Capital social"),
    ("rcs", "RCS"),
    ("head_office", "Siège social"),
    ("orias", "Numéro ORIAS"),
];

fn change_row(change: recouvre_store::setting_changes::SettingChange, login: &str) -> ChangeRow {
    let is_bank = change.subject == recouvre_store::setting_changes::BANK_IDENTITY;
    let fields = if is_bank {
        let as_json = |text: Option<&str>| -> serde_json::Value {
            match text {
                Some(text) => serde_json::from_str(text).unwrap_or_default(),
                None => serde_json::to_value(BankIdentity::default()).unwrap_or_default(),
            }
        };
        let (old, new) = (as_json(change.old_value.as_deref()), as_json(Some(&change.new_value)));
        let text = |value: &serde_json::Value, field: &str| value[field].as_str().unwrap_or_default().to_string();
        BANK_FIELDS
            .iter()
            .filter(|(field, _)| old[*field] != new[*field])
            .map(|(field, label)| (*label, text(&old, field), text(&new, field)))
            .collect()
    } else {
        Vec::new()
    };
    ChangeRow {
        id: change.id,
        subject: subject_label(&change.subject),
        status: match change.status.as_str() {
            "pending" => "en attente d'approbation",
            "approved" => "approuvée, en vigueur",
            _ => "rejetée",
        },
        pending: change.status == "pending",
        own: change.proposed_by == login,
        proposed_by: change.proposed_by,
        proposed_at: format::timestamp(change.proposed_at),
        decided_by: change.decided_by.unwrap_or_default(),
        decided_at: change.decided_at.map(format::timestamp).unwrap_or_default(),
        fields,
        document: (!is_bank).then_some(change.new_value),
    }
}

pub(crate) async fn settings_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    let bank = recouvre_app::admin::bank_identity(&state.app, &user.actor()).await?;
    let changes = recouvre_app::setting_changes::history(&state.app, &user.actor()).await?;
    let changes = changes.into_iter().map(|change| change_row(change, &user.user.login)).collect();
    render(&SettingsPage { layout: Layout::of(&user), bank, saved: query.saved, proposed: query.proposed, changes })
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: String,
}

pub(crate) async fn approve_change(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::setting_changes::approve(&state.app, &user.actor(), id).await?;
    Ok(Redirect::to("/admin/parametres?saved=true").into_response())
}

pub(crate) async fn reject_change(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::setting_changes::reject(&state.app, &user.actor(), id).await?;
    Ok(Redirect::to("/admin/parametres").into_response())
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
    let change = recouvre_app::admin::set_bank_identity(&state.app, &user.actor(), &form.bank).await?;
    Ok(Redirect::to(&format!("/admin/parametres?proposed={}", change.id)).into_response())
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

// ---------------------------------------------------------------------------------------------
// The access log (issue 23: each read of personal data with its purpose)

#[derive(Template)]
#[template(path = "access_log.html")]
pub(crate) struct AccessLogPage {
    layout: Layout,
    person_id: String,
    case_id: String,
    /// `None`: nothing asked yet.
    rows: Option<Vec<AccessRow>>,
}

pub(crate) struct AccessRow {
    at: String,
    user_login: String,
    case_id: String,
    person_id: String,
    purpose: String,
    path: String,
}

#[derive(Deserialize)]
pub(crate) struct AccessQuery {
    #[serde(default)]
    person_id: Option<String>,
    #[serde(default)]
    case_id: Option<String>,
}

/// Who read a person's or a case's data, when, through what and why.
pub(crate) async fn access_log_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AccessQuery>,
) -> PageResult {
    user.require(Permission::ReadAccessLog)?;
    let number = |field: &'static str, text: &Option<String>| -> Result<Option<i64>, crate::error::AppError> {
        match text.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| {
                recouvre_app::Error::invalid(field, "not_a_number", format!("{field} : un numéro")).into()
            }),
        }
    };
    let (person_id, case_id) = (number("person_id", &query.person_id)?, number("case_id", &query.case_id)?);
    let rows = if person_id.is_none() && case_id.is_none() {
        None
    } else {
        let of = recouvre_app::admin::access_of(person_id, case_id)?;
        let entries = recouvre_app::admin::access_log(&state.app, &user.actor(), of).await?;
        Some(
            entries
                .into_iter()
                .map(|entry| AccessRow {
                    at: format::timestamp(entry.at),
                    user_login: entry.user_login,
                    case_id: entry.case_id.map(|id| id.to_string()).unwrap_or_default(),
                    person_id: entry.person_id.map(|id| id.to_string()).unwrap_or_default(),
                    purpose: recouvre_app::purpose::Purpose::label_of(&entry.purpose),
                    path: entry.path,
                })
                .collect(),
        )
    };
    render(&AccessLogPage {
        layout: Layout::of(&user),
        person_id: person_id.map(|id| id.to_string()).unwrap_or_default(),
        case_id: case_id.map(|id| id.to_string()).unwrap_or_default(),
        rows,
    })
}
