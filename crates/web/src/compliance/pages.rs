//! Compliance's pages: the alerts queue, decisions on an alert, the sanctions list.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use recouvre_app::compliance::{self as compliance, AlertRow, MonthlyReport};
use recouvre_app::sanctions::LoadedList;
use serde::Deserialize;

pub(crate) struct AlertView {
    id: i64,
    case_id: i64,
    case_reference: String,
    score: i64,
    status: &'static str,
    amount: String,
    received_on: String,
    payer: String,
    rules: Vec<(String, String)>,
    proposed_by: String,
    visible: bool,
    held: bool,
}

#[derive(Template)]
#[template(path = "compliance.html")]
pub(crate) struct CompliancePage {
    layout: Layout,
    alerts: Vec<AlertView>,
    /// Decided alerts whose held money waits for release or return.
    held: Vec<AlertView>,
    today: String,
    month: String,
    report: MonthlyReport,
    /// (rule title, count), for the month.
    report_rules: Vec<(String, u64)>,
    report_statuses: Vec<(String, u64)>,
    sanctions: Option<LoadedList>,
}

#[derive(Deserialize)]
pub(crate) struct ComplianceQuery {
    month: Option<String>,
}

pub(crate) fn alert_view(row: AlertRow) -> AlertView {
    let rules: Vec<serde_json::Value> = serde_json::from_str(&row.alerts).unwrap_or_default();
    AlertView {
        id: row.id,
        case_id: row.case_id,
        case_reference: row.case_reference,
        score: row.score,
        status: recouvre_domain::vocabulary::label(recouvre_domain::vocabulary::Family::AlertStatus, &row.status),
        amount: format::euros(row.amount_cents),
        received_on: format::short_date(row.received_on),
        payer: format!(
            "{} {}",
            row.payer_name.unwrap_or_else(|| "payeur inconnu".into()),
            row.payer_iban.as_deref().map(format::iban).unwrap_or_default()
        ),
        rules: rules
            .iter()
            .map(|rule| {
                (
                    rule["title"].as_str().unwrap_or("?").to_string(),
                    format!("score {} — {}", rule["score"], super::facts::sentence(rule)),
                )
            })
            .collect(),
        proposed_by: row.close_proposed_by.unwrap_or_default(),
        visible: row.visible_to_officers,
        held: row.held_item_id.is_some(),
    }
}

/// The AML/CFT alert queue, held money, the month's figures and the sanctions list: compliance only.
pub(crate) async fn compliance_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ComplianceQuery>,
) -> PageResult {
    let queue = compliance::queue(&state.app, &user.actor(), query.month.as_deref()).await?;
    let report = queue.report;
    let report_rules = report
        .by_rule
        .iter()
        .map(|(rule, count)| (recouvre_domain::aml::rule_title(rule).unwrap_or(rule).to_string(), *count))
        .collect();
    let report_statuses = report
        .by_status
        .iter()
        .map(|(status, count)| {
            let label = match status.as_str() {
                "open" => "Ouvertes",
                "close_proposed" => "Classement à confirmer",
                "closed" => "Classées",
                "reported" => "Déclarées (déclaration de soupçon)",
                other => other,
            };
            (label.to_string(), *count)
        })
        .collect();
    render(&CompliancePage {
        layout: Layout::of(&user),
        alerts: queue.alerts.into_iter().map(alert_view).collect(),
        held: queue.held.into_iter().map(alert_view).collect(),
        today: queue.today.to_string(),
        month: queue.month,
        report,
        report_rules,
        report_statuses,
        sanctions: queue.sanctions,
    })
}

#[derive(Deserialize)]
pub(crate) struct SanctionsForm {
    csrf: String,
    file_name: String,
    content: String,
    threshold_percent: Option<u8>,
}

/// Loads a sanctions list pasted in the compliance page (the CLI and the API take the file).
pub(crate) async fn compliance_sanctions(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SanctionsForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let threshold = form.threshold_percent.unwrap_or(recouvre_domain::sanctions::DEFAULT_THRESHOLD_PERCENT);
    recouvre_app::sanctions::load(&state.app, &user.actor(), &form.file_name, &form.content, threshold).await?;
    Ok(Redirect::to("/conformite#sanctions").into_response())
}

#[derive(Deserialize)]
pub(crate) struct ComplianceForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reference: String,
    filed_on: Option<chrono::NaiveDate>,
}

pub(crate) async fn compliance_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ComplianceForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let (app, actor) = (&state.app, &user.actor());
    match form.action.as_str() {
        "close" => {
            compliance::close_alert(app, actor, id, &form.reason).await?;
        }
        "report" => compliance::report_alert(app, actor, id, &form.reference, form.filed_on).await?,
        "show" | "hide" => compliance::set_visibility(app, actor, id, form.action == "show").await?,
        "assign" => compliance::take_alert(app, actor, id).await?,
        "release" | "return" => {
            let decision = compliance::funds_decision(&form.action)?;
            compliance::decide_funds(app, actor, id, decision).await?;
        }
        other => return Err(AppError::BadRequest(format!("action inconnue « {other} »")).into()),
    }
    Ok(Redirect::to("/conformite").into_response())
}
