//! The legal calculators: a page, and one endpoint per calculator.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn pages() -> Router<AppState> {
    Router::new().route("/calculettes", get(pages::calculators))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/calc/seizable-wage", post(api::calc_seizable_wage))
        .route("/calc/unseizable-balance", post(api::calc_unseizable_balance))
        .route("/calc/legal-interest", post(api::calc_legal_interest))
        .route("/calc/deadline", post(api::calc_deadline))
        .route("/calc/foreclosure", post(api::calc_foreclosure))
        .route("/calc/allocate-payment", post(api::calc_allocate_payment))
        .route("/calc/payment-plan", post(api::calc_payment_plan))
        .route("/calc/time-bar", post(api::calc_time_bar))
        .route("/calc/{name}", post(api::calculate))
}
