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

/// French label of a journal event kind.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "case_opened" => "Ouverture du dossier",
        "claim_added" => "Créance enregistrée",
        "party_added" => "Partie ajoutée",
        "guarantee_added" => "Garantie enregistrée",
        "note_added" => "Note",
        "tags_changed" => "Étiquettes modifiées",
        "officer_assigned" => "Affectation",
        "payment_booked" => "Paiement reçu",
        "assessment_recorded" => "Bilan financier",
        "strategy_recommended" => "Stratégie recommandée",
        "strategy_accepted" => "Recommandation suivie",
        "strategy_overridden" => "Recommandation écartée",
        "procedure_step" => "Étape de procédure",
        "plan_requested" => "Échéancier soumis à approbation",
        "plan_approved" => "Échéancier approuvé",
        "plan_refused" => "Échéancier refusé",
        "action_done" => "Action faite",
        "instalment_missed" => "Échéance impayée",
        "case_assigned" => "Dossier attribué (répartition)",
        "department_request_sent" => "Demande à un autre service",
        "department_request_acknowledged" => "Demande prise en charge par le service",
        "department_request_answered" => "Réponse du service",
        "third_party_exchange" => "Échange avec un tiers",
        "waiver_requested" => "Remise soumise à approbation",
        "waiver_booked" => "Remise accordée",
        "waiver_approved" => "Remise approuvée",
        "waiver_refused" => "Remise refusée",
        "write_off_booked" => "Passage en pertes",
        "suspense_assigned" => "Paiement affecté depuis le compte d'instance",
        "write_off_requested" => "Passage en pertes demandé",
        "write_off_approved" => "Passage en pertes approuvé",
        "write_off_refused" => "Passage en pertes refusé",
        "interest_accrued" => "Intérêts courus",
        "deadline_warning" => "Échéance légale proche",
        "foreclosure_warning" => "Forclusion proche",
        "limitation_warning" => "Prescription proche",
        "agency_mandate_expired" => "Mandat de l'agence expiré",
        "document_validated" => "Courrier validé",
        "document_postage" => "Envoi recommandé",
        "plan_created" => "Échéancier mis en place",
        "plan_cancelled" => "Échéancier annulé",
        "plan_completed" => "Échéancier soldé",
        "plan_lapsed" => "Échéancier caduc",
        "mandate_added" => "Mandat SEPA enregistré",
        "mandate_revoked" => "Mandat SEPA révoqué",
        "direct_debit_collected" => "Prélèvement présenté",
        "direct_debit_returned" => "Prélèvement rejeté",
        _ => "Événement",
    }
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
