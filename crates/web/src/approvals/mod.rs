//! Approvals (four eyes): requests above their author's delegation, decided by someone else.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn pages() -> Router<AppState> {
    Router::new().route("/approbations", get(pages::approvals)).route("/approbations/{id}", post(pages::decide))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/approvals", get(api::list_approvals))
        .route("/approvals/{id}/approve", post(api::approve_request))
        .route("/approvals/{id}/refuse", post(api::refuse_request))
}
