//! Compliance (LCB-FT): the alerts queue, the sanctions lists, the reports; compliance only.

pub mod api;
mod facts;
pub mod pages;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/conformite", get(pages::compliance_queue))
        .route("/conformite/sanctions", post(pages::compliance_sanctions))
        .route("/conformite/{id}", post(pages::compliance_action))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/aml/report", get(api::aml_monthly_report))
        .route("/aml/alerts", get(api::list_aml_alerts))
        .route("/aml/alerts/{id}", get(api::aml_alert_detail))
        .route("/aml/alerts/{id}/close", post(api::close_aml_alert))
        .route("/aml/alerts/{id}/report", post(api::report_aml_alert))
        .route("/aml/alerts/{id}/visibility", post(api::aml_visibility))
        .route("/aml/alerts/{id}/export", get(api::export_aml_alert))
        .route("/aml/alerts/{id}/funds", post(api::aml_funds))
        .route("/aml/sanctions", get(api::sanctions_in_force).post(api::load_sanctions))
        .route("/aml/alerts/{id}/authorisation", post(api::aml_authorisation))
        .route("/aml/alerts/{id}/freeze-declaration", get(api::aml_freeze_declaration))
        .route("/aml/rules", get(api::aml_rule_sets).post(api::propose_aml_rules))
        .route("/aml/rules/{id}/confirm", post(api::confirm_aml_rules))
        .route("/aml/alerts/{id}/opposition", post(api::aml_opposition))
}
