//! Cases: the list, the case page, notes, tags, assignment, payments by hand, write-offs.

pub mod api;
pub mod pages;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use recouvre_domain::case::{ClaimNature, PartyRole};
use recouvre_domain::journal::JournalEvent;
use recouvre_domain::Money;
use serde_json::Value;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers", get(pages::case_list))
        .route("/dossiers/{id}", get(pages::case_page))
        .route("/dossiers/{id}/notes", post(pages::add_note))
        .route("/dossiers/{id}/etiquettes", post(pages::set_tags))
        .route("/dossiers/{id}/affectation", post(pages::assign))
        .route("/dossiers/{id}/paiements", post(pages::book_payment))
        .route("/dossiers/{id}/pertes", post(pages::propose_write_off))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases", get(api::list_cases))
        .route("/cases/{id}", get(api::case_detail))
        .route("/cases/{id}/journal", get(api::case_journal))
        .route("/cases/{id}/notes", post(api::add_note))
        .route("/cases/{id}/tags", axum::routing::put(api::put_tags))
        .route("/cases/{id}/payments", post(api::post_payment))
        .route("/cases/{id}/ledger", get(api::case_ledger))
        .route("/cases/{id}/write-offs", post(api::propose_write_off))
        .route("/cases/{id}/officer", axum::routing::put(api::put_officer))
}

/// One line saying what an event did, read from its payload.
pub(crate) fn event_summary(event: &JournalEvent) -> String {
    let payload: Value = event.full_payload();
    let text = |key: &str| payload.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    match event.kind.as_str() {
        "case_opened" => format!("Dossier {} ouvert pour {}", text("reference"), text("debtor")),
        "claim_added" => {
            let nature = ClaimNature::from_code(&text("nature")).map_or("Créance", ClaimNature::label);
            let principal = payload
                .pointer("/amounts/principal")
                .and_then(Value::as_str)
                .and_then(|amount| amount.parse::<Money>().ok())
                .map_or_else(String::new, Money::to_french);
            format!("{nature} n° {} — capital {principal}", text("contract_ref"))
        }
        "party_added" => {
            let role = PartyRole::from_code(&text("role")).map_or("Partie", PartyRole::label);
            format!("{role} : {}", text("name"))
        }
        "guarantee_added" => text("description"),
        "note_added" => text("body"),
        "tags_changed" => payload
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| tags.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        "payment_booked" | "suspense_assigned" => {
            let amount = text("amount").parse::<Money>().map_or_else(|_| String::new(), Money::to_french);
            format!("{amount} — {}", text("reference"))
        }
        "officer_assigned" => {
            let officer = text("officer");
            if officer.is_empty() {
                "Dossier désaffecté".to_string()
            } else {
                format!("Affecté à {officer}")
            }
        }
        _ => event.kind.clone(),
    }
}
