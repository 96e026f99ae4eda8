//! The one French word for each code a screen or a letter shows.
//!
//! Codes are what the store keeps and the machine exports carry (CSV, the JSON API, pain.008):
//! they never change and stay documented as codes. People read labels: each code of each family
//! has exactly one French label here, so the same status reads the same on every screen. Enums
//! of the domain that carry their own `label()` (case status, claim nature, procedure kind,
//! state and step, journal event kind, strategy) are the rest of the vocabulary; this table
//! covers the codes kept as plain text.

/// A family of codes: the same code may mean different things in two families (`active`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// `payment_plans.status`.
    PlanStatus,
    /// `instalments.status`.
    InstalmentStatus,
    /// `mandates.status` (SEPA direct-debit mandates).
    MandateStatus,
    /// `third_parties.kind`.
    ThirdPartyKind,
    /// `department_requests.department`.
    Department,
    /// `department_requests.kind`.
    RequestKind,
    /// `department_requests.status`.
    RequestStatus,
    /// `case_attachments.kind`: the incoming documents attached to a case (issue 17).
    AttachmentKind,
    /// `recommendations.status`.
    RecommendationStatus,
    /// `agenda_items.kind`.
    AgendaKind,
    /// `agenda_items.status`.
    AgendaStatus,
    /// `approval_requests.kind`.
    ApprovalKind,
    /// `approval_requests.status`.
    ApprovalStatus,
    /// `aml_alerts.status`.
    AlertStatus,
    /// `case_contacts.channel`.
    ContactChannel,
    /// `case_contacts.direction`.
    ContactDirection,
    /// `case_contacts.promise_status`.
    PromiseStatus,
    /// `accounts_payable.status`: a cost owed to the third party who invoiced it (issue 18).
    PayableStatus,
}

/// (family, code, label). Labels are written to be read alone in a table cell or a badge.
pub const TERMS: &[(Family, &str, &str)] = &[
    (Family::PlanStatus, "pending", "en attente d'approbation"),
    (Family::PlanStatus, "active", "en cours"),
    (Family::PlanStatus, "completed", "soldé"),
    (Family::PlanStatus, "lapsed", "caduc (impayés)"),
    (Family::PlanStatus, "cancelled", "annulé"),
    (Family::InstalmentStatus, "due", "à payer"),
    (Family::InstalmentStatus, "collected", "prélevée"),
    (Family::InstalmentStatus, "paid", "payée"),
    (Family::InstalmentStatus, "missed", "impayée"),
    (Family::InstalmentStatus, "returned", "prélèvement rejeté"),
    (Family::MandateStatus, "active", "actif"),
    (Family::MandateStatus, "revoked", "révoqué"),
    (Family::ThirdPartyKind, "commissaire_de_justice", "Commissaire de justice"),
    (Family::ThirdPartyKind, "lawyer", "Avocat"),
    (Family::ThirdPartyKind, "agency", "Agence de recouvrement"),
    (Family::ThirdPartyKind, "notary", "Notaire"),
    (Family::ThirdPartyKind, "court", "Juridiction"),
    (Family::ThirdPartyKind, "guardian", "Mandataire de protection (tuteur, curateur)"),
    (Family::Department, "agences", "Réseau d'agences"),
    (Family::Department, "epargne", "Épargne"),
    (Family::Department, "credits", "Crédits"),
    (Family::Department, "moyens_paiement", "Moyens de paiement"),
    (Family::RequestKind, "authorise_debit_from_savings", "Autoriser un prélèvement sur un compte d'épargne"),
    (Family::RequestKind, "watch_account", "Surveiller un compte"),
    (Family::RequestKind, "block_product", "Bloquer un produit"),
    (Family::RequestKind, "other", "Autre demande"),
    (Family::RequestStatus, "sent", "Envoyée"),
    (Family::RequestStatus, "acknowledged", "Prise en compte"),
    (Family::RequestStatus, "answered", "Répondue"),
    (Family::AttachmentKind, "court_decision", "Décision de justice"),
    (Family::AttachmentKind, "bailiff_act", "Acte de commissaire de justice"),
    (Family::AttachmentKind, "acknowledgement_of_receipt", "Avis de réception"),
    (Family::AttachmentKind, "death_certificate", "Acte de décès"),
    (Family::AttachmentKind, "banque_de_france_decision", "Décision de la Banque de France (surendettement)"),
    (Family::AttachmentKind, "debtor_letter", "Courrier du débiteur"),
    (Family::AttachmentKind, "proof_of_income", "Justificatif de revenus"),
    (Family::AttachmentKind, "other", "Autre document"),
    (Family::RecommendationStatus, "proposed", "à décider"),
    (Family::RecommendationStatus, "accepted", "acceptée"),
    (Family::RecommendationStatus, "overridden", "écartée"),
    (Family::RecommendationStatus, "superseded", "remplacée"),
    (Family::AgendaKind, "deadline", "Délai légal"),
    (Family::AgendaKind, "action", "Action prévue"),
    (Family::AgendaStatus, "open", "à faire"),
    (Family::AgendaStatus, "done", "fait"),
    (Family::AgendaStatus, "cancelled", "annulé"),
    (Family::AgendaStatus, "suspended", "suspendu"),
    (Family::ApprovalKind, "payment_plan", "Échéancier"),
    (Family::ApprovalKind, "waiver", "Remise"),
    (Family::ApprovalKind, "write_off", "Passage en pertes"),
    (Family::ApprovalStatus, "pending", "en attente"),
    (Family::ApprovalStatus, "approved", "approuvée"),
    (Family::ApprovalStatus, "refused", "refusée"),
    (Family::AlertStatus, "open", "Ouverte"),
    (Family::AlertStatus, "close_proposed", "Classement proposé, à confirmer"),
    (Family::AlertStatus, "closed", "Classée"),
    (Family::AlertStatus, "reported", "Déclaration de soupçon faite"),
    (Family::ContactChannel, "phone", "Appel téléphonique"),
    (Family::ContactChannel, "email", "Courriel"),
    (Family::ContactChannel, "letter", "Courrier"),
    (Family::ContactChannel, "visit", "Visite"),
    (Family::ContactChannel, "sms", "SMS"),
    (Family::ContactDirection, "inbound", "du débiteur"),
    (Family::ContactDirection, "outbound", "au débiteur"),
    (Family::PromiseStatus, "open", "en attente"),
    (Family::PromiseStatus, "kept", "tenue"),
    (Family::PromiseStatus, "broken", "non tenue"),
    (Family::ApprovalKind, "cost", "Frais"),
    (Family::PayableStatus, "open", "en attente d'approbation"),
    (Family::PayableStatus, "approved", "à payer"),
    (Family::PayableStatus, "paid", "payé"),
    (Family::PayableStatus, "refused", "refusé"),
    (Family::PayableStatus, "cancelled", "annulé (frais saisis par erreur)"),
];

/// What a screen shows for a code this version does not know: never the code itself.
pub const UNKNOWN: &str = "(valeur inconnue)";

/// The label of `code` in `family`, if the table has it.
pub fn lookup(family: Family, code: &str) -> Option<&'static str> {
    TERMS.iter().find(|(known, known_code, _)| *known == family && *known_code == code).map(|(_, _, label)| *label)
}

/// The label of `code` in `family`; [`UNKNOWN`] for a code the table does not have.
pub fn label(family: Family, code: &str) -> &'static str {
    lookup(family, code).unwrap_or(UNKNOWN)
}

/// Every code a screen may show, from this table and from the domain's enums: what a page must
/// never show as text. Sorted, without duplicates.
pub fn all_codes() -> Vec<&'static str> {
    use crate::procedure::{ProcedureKind, State, Step};
    let mut codes: Vec<&'static str> = TERMS.iter().map(|(_, code, _)| *code).collect();
    codes.extend(crate::journal::EventKind::ALL.iter().map(|kind| kind.code()));
    codes.extend(ProcedureKind::ALL.iter().map(|kind| kind.code()));
    codes.extend(State::ALL.iter().map(|state| state.code()));
    codes.extend(Step::ALL.iter().map(|step| step.code()));
    codes.extend(crate::case::CaseStatus::ALL.iter().map(|status| status.code()));
    codes.extend(crate::case::ClaimNature::ALL.iter().map(|nature| nature.code()));
    codes.extend(crate::strategy::Strategy::ALL.iter().map(|strategy| strategy.code()));
    codes.extend(crate::closure::ClosureReason::ALL.iter().map(|reason| reason.code()));
    codes.extend(crate::costs::CostNature::ALL.iter().map(|nature| nature.code()));
    codes.sort_unstable();
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_has_one_label_in_its_family() {
        for (index, (family, code, label)) in TERMS.iter().enumerate() {
            assert!(!label.is_empty() && label != code, "{code} needs a French label");
            assert!(
                TERMS[index + 1..].iter().all(|(other, other_code, _)| !(other == family && other_code == code)),
                "{family:?} {code} is listed twice"
            );
        }
    }

    #[test]
    fn unknown_codes_never_show_as_themselves() {
        assert_eq!(label(Family::PlanStatus, "active"), "en cours");
        assert_eq!(label(Family::MandateStatus, "active"), "actif");
        assert_eq!(label(Family::InstalmentStatus, "due"), "à payer");
        assert_eq!(label(Family::ThirdPartyKind, "commissaire_de_justice"), "Commissaire de justice");
        assert_eq!(label(Family::PlanStatus, "frozen"), UNKNOWN);
    }

    #[test]
    fn every_code_to_hide_is_listed_once() {
        let codes = all_codes();
        assert!(codes.contains(&"procedure_step") && codes.contains(&"agency") && codes.contains(&"due"));
        assert!(codes.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
