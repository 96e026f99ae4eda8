//! The suspense account (compte d'instance): money waiting for its case.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/instance", get(pages::suspense_queue))
        .route("/instance/{id}/affecter", post(pages::assign_suspense))
        .route("/instance/{id}/retourner", post(pages::return_suspense))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/suspense", get(api::list_suspense))
        .route("/suspense/{id}/assign", post(api::assign_suspense))
        .route("/suspense/{id}/return", post(api::return_suspense))
}
