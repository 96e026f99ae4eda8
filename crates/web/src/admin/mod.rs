//! Administration: the bank's settings, reference data, users and the access log.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/admin/parametres", get(pages::settings_form).post(pages::save_settings))
        .route("/admin/reference", get(pages::reference_page).post(pages::add_reference))
        .route("/admin/journal-des-acces", get(pages::access_log_page))
        .route("/admin/parametres/demandes/{id}/approuver", post(pages::approve_change))
        .route("/admin/parametres/demandes/{id}/rejeter", post(pages::reject_change))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/access-log", get(api::access_log))
        .route("/admin/settings", get(api::get_settings).put(api::put_settings))
        .route("/admin/users", get(api::list_users))
        .route("/me", get(api::me))
        .route("/reference", get(api::reference_data))
        .route("/admin/reference/{kind}", post(api::add_reference_entry))
        .route("/admin/setting-changes", get(api::setting_changes))
        .route("/admin/setting-changes/{id}/approve", post(api::approve_setting_change))
        .route("/admin/setting-changes/{id}/reject", post(api::reject_setting_change))
}
