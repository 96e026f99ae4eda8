//! Cases: the list, the case page, notes, tags, assignment, payments by hand, write-offs.

pub mod api;
pub mod bulk;
pub mod pages;
mod timeline;

use crate::format;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use recouvre_domain::case::{ClaimNature, PartyRole};
use recouvre_domain::journal::JournalEvent;
use recouvre_domain::procedure::{ProcedureKind, Step};
use recouvre_domain::strategy::Strategy;
use recouvre_domain::vocabulary::{self, Family};
use recouvre_domain::Money;
use serde_json::Value;
use std::collections::BTreeMap;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers", get(pages::case_list))
        .route("/dossiers/filtres", post(bulk::save_filter))
        .route("/dossiers/filtres/{id}/supprimer", post(bulk::delete_filter))
        .route("/dossiers/actions-groupees", post(bulk::bulk_action))
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

/// One line saying what an event did, read from its payload, in French: labels for codes, French
/// dates, people by name (`names`, login → full name). An event kind without a line of its own
/// says nothing more than its label (never its code).
pub(crate) fn event_summary(event: &JournalEvent, names: &BTreeMap<String, String>) -> String {
    let payload: Value = event.full_payload();
    let text = |key: &str| payload.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let date = |key: &str| {
        payload.get(key).and_then(Value::as_str).and_then(|day| day.parse::<NaiveDate>().ok()).map(format::short_date)
    };
    let amount = |key: &str| text(key).parse::<Money>().map_or_else(|_| String::new(), Money::to_french);
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
        "other_account_added" => {
            let kind = recouvre_domain::case::AccountKind::from_code(&text("kind"))
                .map_or("Compte", recouvre_domain::case::AccountKind::label);
            format!("{kind} n° {} — solde {}", text("account_number"), amount("balance"))
        }
        "instalment_schedule_imported" => {
            let count = payload.get("instalments").and_then(Value::as_i64).unwrap_or_default();
            format!("Prêt n° {} — {count} échéance(s), {} au total", text("contract_ref"), amount("total"))
        }
        "note_added" => text("body"),
        "tags_changed" => payload
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| tags.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        "payment_booked" | "suspense_assigned" => format!("{} — {}", amount("amount"), text("reference")),
        "officer_assigned" | "case_assigned" => {
            let officer = text("officer");
            if officer.is_empty() {
                "Dossier désaffecté".to_string()
            } else {
                format!("Affecté à {}", format::person(&officer, names))
            }
        }
        "procedure_step" => procedure_step_summary(&payload),
        "strategy_recommended" => {
            Strategy::from_code(&text("strategy")).map_or_else(String::new, |strategy| strategy.label().to_string())
        }
        "assessment_recorded" => match date("assessed_on") {
            Some(on) => format!("Bilan du {on} — capacité de remboursement {} par mois", amount("monthly_capacity")),
            None => String::new(),
        },
        "plan_requested" => {
            let months = payload.get("months").and_then(Value::as_i64).unwrap_or_default();
            format!("{months} mensualités, {} au total", amount("total"))
        }
        "instalment_missed" => {
            let number = payload.get("instalment").and_then(Value::as_i64).unwrap_or_default();
            format!("Échéance n° {number} du {} ({})", date("due_on").unwrap_or_default(), amount("amount"))
        }
        "action_done" | "deadline_warning" => text("label"),
        "attachment_added" => {
            let kind = vocabulary::label(Family::AttachmentKind, &text("kind"));
            match date("received_on") {
                Some(on) => format!("{kind} — {}, date de réception {on}", text("file_name")),
                None => format!("{kind} — {}", text("file_name")),
            }
        }
        "contact_recorded" => {
            let channel = vocabulary::label(Family::ContactChannel, &text("channel"));
            let direction = vocabulary::label(Family::ContactDirection, &text("direction"));
            let mut line = format!("{channel} {direction}");
            if let Some(on) = date("on") {
                line.push_str(&format!(" le {on}"));
            }
            line.push_str(&format!(" — {}", text("summary")));
            if let Some(promise) = payload.get("promise") {
                let amount = promise.get("amount").and_then(Value::as_str).and_then(|a| a.parse::<Money>().ok());
                let due = promise.get("due_on").and_then(Value::as_str).and_then(|d| d.parse::<NaiveDate>().ok());
                if let (Some(amount), Some(due)) = (amount, due) {
                    line.push_str(&format!(
                        " ; promesse de {} pour le {}",
                        amount.to_french(),
                        format::short_date(due)
                    ));
                }
            }
            line
        }
        "promise_kept" | "promise_broken" => {
            format!("Promesse de {} pour le {}", amount("amount"), date("due_on").unwrap_or_default())
        }
        "action_planned" => {
            let assignee = text("assignee");
            let mut line = format!("{} — pour le {}", text("label"), date("due_on").unwrap_or_default());
            if !assignee.is_empty() {
                line.push_str(&format!(", par {}", format::person(&assignee, names)));
            }
            line
        }
        "action_moved" => format!(
            "{} — reportée du {} au {}",
            text("label"),
            date("from").unwrap_or_default(),
            date("due_on").unwrap_or_default()
        ),
        "third_party_exchange" => format!("{} — {}", text("name"), text("summary")),
        "department_request_sent" => {
            format!("{} — {}", vocabulary::label(Family::Department, &text("department")), text("body"))
        }
        "department_request_answered" => text("answer"),
        "waiver_requested" | "waiver_booked" | "write_off_requested" | "write_off_booked" => {
            let total = amount("total");
            match text("reason") {
                reason if reason.is_empty() => total,
                reason => format!("{total} — {reason}"),
            }
        }
        "plan_approved" | "plan_refused" | "waiver_approved" | "waiver_refused" | "write_off_approved"
        | "write_off_refused" => {
            let by = format::person(&text("requested_by"), names);
            match text("decision_reason") {
                reason if reason.is_empty() => format!("Demande de {by}"),
                reason => format!("Demande de {by} — {reason}"),
            }
        }
        "case_closed" | "case_reopened" | "payment_after_closure" | "claim_sold" => {
            closure_summary(event.kind.as_str(), &payload, &text, &date, &amount)
        }
        "debtor_file_corrected" | "debtor_situation_recorded" => match text("reason") {
            reason if reason.is_empty() => text("summary"),
            reason => format!("{} — {reason}", text("summary")),
        },
        _ => String::new(),
    }
}

/// One line for the closing's events (issue 17): the reason's label, dates and amounts.
fn closure_summary(
    kind: &str,
    payload: &Value,
    text: &dyn Fn(&str) -> String,
    date: &dyn Fn(&str) -> Option<String>,
    amount: &dyn Fn(&str) -> String,
) -> String {
    use recouvre_domain::closure::ClosureReason;
    let reason = |key: &str| ClosureReason::from_code(&text(key)).map_or("motif inconnu", ClosureReason::label);
    match kind {
        "case_closed" => format!("{}, le {}", reason("reason"), date("on").unwrap_or_default()),
        "case_reopened" if text("trigger") == "payment" => {
            format!(
                "Paiement de {} reçu après clôture ({}) : dossier rouvert en recouvrement",
                amount("amount"),
                reason("closure_reason")
            )
        }
        "case_reopened" => format!("Clôture levée ({}) — {}", reason("closure_reason"), text("reason")),
        "payment_after_closure" => {
            let route = match text("route").as_str() {
                "overpayment_refund" => "trop-perçu à rembourser",
                "debt_relieved" => "dette effacée",
                "claim_sold" => "créance cédée",
                _ => "après clôture",
            };
            let item = payload.get("suspense_item").and_then(Value::as_i64).unwrap_or_default();
            format!("{} mis en instance n° {item} : {route}", amount("amount"))
        }
        _ => format!("Cédée à {} pour {}, le {}", text("buyer"), amount("price"), date("on").unwrap_or_default()),
    }
}

/// « Phase amiable — Envoyer la mise en demeure, le 22/11/2026 ; ouvre : Délai de régularisation
/// jusqu'au 07/12/2026 » from a `procedure_step` event's payload.
fn procedure_step_summary(payload: &Value) -> String {
    let text = |key: &str| payload.get(key).and_then(Value::as_str).unwrap_or("");
    let kind = ProcedureKind::from_code(text("kind")).map_or("Procédure", ProcedureKind::label);
    let step = Step::from_code(text("step")).map_or("étape", Step::label);
    let mut line = format!("{kind} — {step}");
    if let Some(on) = text("on").parse::<NaiveDate>().ok().map(format::short_date) {
        line.push_str(&format!(", le {on}"));
    }
    let opened: Vec<String> = payload
        .get("opens")
        .and_then(Value::as_array)
        .map(|deadlines| {
            deadlines
                .iter()
                .filter_map(|deadline| {
                    let label = deadline.get("label").and_then(Value::as_str)?;
                    let due = deadline.get("due").and_then(Value::as_str)?.parse::<NaiveDate>().ok()?;
                    Some(format!("{label} jusqu'au {}", format::short_date(due)))
                })
                .collect()
        })
        .unwrap_or_default();
    if !opened.is_empty() {
        line.push_str(&format!(" ; ouvre : {}", opened.join(", ")));
    }
    line
}
