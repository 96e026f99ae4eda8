//! The team around the cases (issue 4, items 7 to 10): the team lead's distribution of incoming
//! cases and absence cover, requests to the bank's other departments, the directory of third
//! parties (bailiffs, lawyers, agencies, notaries, courts, guardians) and the operating
//! procedures.
//!
//! A request to another department concerns a case: sending, acknowledging and answering it each
//! journal an event on the case, so each quotes the case version its author saw, and the store
//! refuses a stale one listing what changed since.

mod absences;
mod directory;
mod distribution;
mod procedures;
mod requests;

pub use absences::{record_absence, AbsenceInput};
pub use directory::{can_edit_directory, create_third_party, third_parties, third_party, ThirdPartyFile};
pub use distribution::{
    board, distribute, method, overview, set_specialties, specialties, status_table, unassigned, StatusRow,
    StatusTable, TeamBoard, TeamOverview, DISTRIBUTION_LIMIT, QUEUE_LIMIT, RISK_DAYS,
};
pub use procedures::{operating_procedure, procedure_title, OperatingProcedure, OPERATING_PROCEDURES};
pub use requests::{acknowledge_request, answer_request, department_requests, send_request, RequestInput, SentRequest};

// What the shells show of the team: the store's read models and the French labels of its codes.
pub use recouvre_store::team::{
    department_label, request_kind_label, request_status_label, specialty_label, third_party_kind_label, Absence,
    Assignment, DepartmentRequest, Distribution, Involvement, Method, NewThirdParty, QueueCase, StateResult,
    StatusLine, TeamOfficer, ThirdParty, ThirdPartyResults, DEPARTMENTS, REQUEST_KINDS, SPECIALTIES, THIRD_PARTY_KINDS,
};

use crate::{Error, Result};

/// `code` if it is one of `known` (code, label), else a 400 naming `field` and the codes allowed;
/// `unknown` says what was not known, in French (« service inconnu »).
fn known_code(field: &str, unknown: &str, code: &str, known: &[(&str, &str)]) -> Result<String> {
    let code = code.trim();
    if known.iter().any(|(known, _)| *known == code) {
        return Ok(code.to_string());
    }
    let allowed: Vec<&str> = known.iter().map(|(code, _)| *code).collect();
    Err(Error::invalid(
        field,
        "unknown_code",
        format!("{unknown} « {code} » : choisissez parmi {}", allowed.join(", ")),
    ))
}

/// A filter typed in a query string: trimmed, `None` when empty.
fn filter(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_are_refused_naming_the_field_and_the_choices() {
        assert_eq!(known_code("department", "service inconnu", " epargne ", &DEPARTMENTS).unwrap(), "epargne");
        let error = known_code("department", "service inconnu", "bourse", &DEPARTMENTS).unwrap_err();
        assert_eq!((error.code.as_ref(), error.field.as_deref()), ("unknown_code", Some("department")));
        assert_eq!(error.http_status(), 400);
        assert!(error.message.contains("agences, epargne, credits, moyens_paiement"), "{}", error.message);
        assert_eq!(filter(Some("  ")), None);
        assert_eq!(filter(Some(" credits ")), Some("credits"));
    }
}
