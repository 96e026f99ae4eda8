//! The SEPA mandate of a case, on its own page linked from the case page (issue 21): the active
//! mandate, the history of mandates and amendments, and the forms to record a mandate and to
//! amend it (a new RUM, IBAN or BIC). Each form makes one use case call; a refused field comes
//! back as the error page naming it.

use crate::auth::CurrentUser;
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use recouvre_app::direct_debits::{MandateAmendmentInput, MandateInput};
use serde::Deserialize;

pub(crate) struct MandateRow {
    rum: String,
    iban: String,
    bic: String,
    signed_on: String,
    sequence: &'static str,
    status: &'static str,
    first_collected_on: String,
}

pub(crate) struct AmendmentRow {
    at: String,
    rum: String,
    iban: String,
    bank: &'static str,
    reported: String,
}

#[derive(Template)]
#[template(path = "case_mandate.html")]
pub(crate) struct MandatePage {
    layout: Layout,
    id: i64,
    reference: String,
    version: i64,
    today: String,
    has_active: bool,
    mandates: Vec<MandateRow>,
    amendments: Vec<AmendmentRow>,
}

pub(crate) async fn mandate_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> PageResult {
    let page = recouvre_app::direct_debits::mandate_page(&state.app, &user.actor(), case_id).await?;
    let mandates = page
        .mandates
        .iter()
        .map(|m| MandateRow {
            rum: m.reference.clone(),
            iban: format::iban(&m.debtor_iban),
            bic: m.debtor_bic.clone().unwrap_or_else(|| "—".to_string()),
            signed_on: format::short_date(m.signed_on),
            sequence: if m.sequence_kind == "one_off" { "Ponctuel" } else { "Récurrent" },
            status: if m.status == "active" { "Actif" } else { "Révoqué" },
            first_collected_on: format::optional_date(m.first_collected_on),
        })
        .collect();
    let amendments = page
        .amendments
        .iter()
        .map(|a| AmendmentRow {
            at: format::timestamp(a.created_at),
            rum: if a.original_reference == a.new_reference {
                a.new_reference.clone()
            } else {
                format!("{} → {}", a.original_reference, a.new_reference)
            },
            iban: if a.original_iban == a.new_iban {
                format::iban(&a.new_iban)
            } else {
                format!("{} → {}", format::iban(&a.original_iban), format::iban(&a.new_iban))
            },
            bank: if a.other_bank { "Autre banque (SMNDA)" } else { "Même banque" },
            reported: a.reported_in.clone().unwrap_or_else(|| "au prochain prélèvement".to_string()),
        })
        .collect();
    render(&MandatePage {
        layout: Layout::of(&user),
        id: case_id,
        reference: page.case_reference,
        version: page.version,
        today: page.today.to_string(),
        has_active: page.mandates.iter().any(|m| m.status == "active"),
        mandates,
        amendments,
    })
}

#[derive(Deserialize)]
pub(crate) struct MandateForm {
    csrf: String,
    version: i64,
    rum: String,
    iban: String,
    #[serde(default)]
    bic: String,
    signed_on: NaiveDate,
    sequence: String,
}

pub(crate) async fn record_mandate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<MandateForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = MandateInput {
        rum: form.rum,
        iban: form.iban,
        bic: Some(form.bic),
        signed_on: form.signed_on,
        sequence: form.sequence,
        prenotification_days: None,
    };
    recouvre_app::direct_debits::record_mandate(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}/mandat")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct AmendmentForm {
    csrf: String,
    version: i64,
    #[serde(default)]
    rum: String,
    #[serde(default)]
    iban: String,
    #[serde(default)]
    bic: String,
}

pub(crate) async fn amend_mandate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<AmendmentForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    // A blank field keeps its value on the form (the BIC is removed over the API only).
    let given = |text: String| Some(text.trim().to_string()).filter(|text| !text.is_empty());
    let input = MandateAmendmentInput { rum: given(form.rum), iban: given(form.iban), bic: given(form.bic) };
    recouvre_app::direct_debits::amend_mandate(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}/mandat")).into_response())
}

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{id}/mandat", get(mandate_page).post(record_mandate))
        .route("/dossiers/{id}/mandat/modification", post(amend_mandate))
}
