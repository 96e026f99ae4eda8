//! The case journal: every change to a case is an event, chained by hashes.
//!
//! Each event's hash covers its own fields and the previous event's hash, so changing,
//! removing or reordering a stored event breaks the chain from that point on. The payload is
//! hashed as the exact text stored (not re-serialised), which is why storage keeps it as text
//! on both engines: PostgreSQL's `jsonb` would reorder keys and break every hash.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

crate::case::coded_enum!(
    /// What an event of a case's journal records: its `code` is stored in `case_events.kind`
    /// (and hashed with the event, so codes never change), its `label` is shown on the case's
    /// timeline.
    EventKind {
        CaseOpened => ("case_opened", "Ouverture du dossier"),
        ClaimAdded => ("claim_added", "Créance enregistrée"),
        PartyAdded => ("party_added", "Partie ajoutée"),
        GuaranteeAdded => ("guarantee_added", "Garantie enregistrée"),
        NoteAdded => ("note_added", "Note"),
        TagsChanged => ("tags_changed", "Étiquettes modifiées"),
        OfficerAssigned => ("officer_assigned", "Affectation"),
        PaymentBooked => ("payment_booked", "Paiement reçu"),
        AssessmentRecorded => ("assessment_recorded", "Bilan financier"),
        StrategyRecommended => ("strategy_recommended", "Stratégie recommandée"),
        StrategyAccepted => ("strategy_accepted", "Recommandation suivie"),
        StrategyOverridden => ("strategy_overridden", "Recommandation écartée"),
        ProcedureStep => ("procedure_step", "Étape de procédure"),
        PlanRequested => ("plan_requested", "Échéancier soumis à approbation"),
        PlanApproved => ("plan_approved", "Échéancier approuvé"),
        PlanRefused => ("plan_refused", "Échéancier refusé"),
        ActionDone => ("action_done", "Action faite"),
        InstalmentMissed => ("instalment_missed", "Échéance impayée"),
        CaseAssigned => ("case_assigned", "Dossier attribué (répartition)"),
        DepartmentRequestSent => ("department_request_sent", "Demande à un autre service"),
        DepartmentRequestAcknowledged => ("department_request_acknowledged", "Demande prise en charge par le service"),
        DepartmentRequestAnswered => ("department_request_answered", "Réponse du service"),
        ThirdPartyExchange => ("third_party_exchange", "Échange avec un tiers"),
        WaiverRequested => ("waiver_requested", "Remise soumise à approbation"),
        WaiverBooked => ("waiver_booked", "Remise accordée"),
        WaiverApproved => ("waiver_approved", "Remise approuvée"),
        WaiverRefused => ("waiver_refused", "Remise refusée"),
        WriteOffBooked => ("write_off_booked", "Passage en pertes"),
        SuspenseAssigned => ("suspense_assigned", "Paiement affecté depuis le compte d'instance"),
        WriteOffRequested => ("write_off_requested", "Passage en pertes demandé"),
        WriteOffApproved => ("write_off_approved", "Passage en pertes approuvé"),
        WriteOffRefused => ("write_off_refused", "Passage en pertes refusé"),
        InterestAccrued => ("interest_accrued", "Intérêts courus"),
        DeadlineWarning => ("deadline_warning", "Échéance légale proche"),
        ForeclosureWarning => ("foreclosure_warning", "Forclusion proche"),
        LimitationWarning => ("limitation_warning", "Prescription proche"),
        AgencyMandateExpired => ("agency_mandate_expired", "Mandat de l'agence expiré"),
        DocumentValidated => ("document_validated", "Courrier validé"),
        DocumentPostage => ("document_postage", "Envoi recommandé"),
        PlanCreated => ("plan_created", "Échéancier mis en place"),
        PlanCancelled => ("plan_cancelled", "Échéancier annulé"),
        PlanCompleted => ("plan_completed", "Échéancier soldé"),
        PlanLapsed => ("plan_lapsed", "Échéancier caduc"),
        MandateAdded => ("mandate_added", "Mandat SEPA enregistré"),
        MandateRevoked => ("mandate_revoked", "Mandat SEPA révoqué"),
        DirectDebitCollected => ("direct_debit_collected", "Prélèvement présenté"),
        DirectDebitReturned => ("direct_debit_returned", "Prélèvement rejeté"),
    }
);

impl EventKind {
    /// The French label of a stored kind code; `Événement` for a code this version does not know.
    pub fn label_of(code: &str) -> &'static str {
        EventKind::from_code(code).map_or("Événement", EventKind::label)
    }
}

/// The hash a case's first event points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as stored. `sequence` starts at 1 for each case and has no gaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JournalEvent {
    pub case_id: i64,
    pub sequence: i64,
    pub kind: String,
    /// JSON text, hashed byte for byte.
    pub payload: String,
    /// Login of the user (or `system:<job>`) who caused the event.
    pub actor: String,
    pub recorded_at: DateTime<Utc>,
    pub previous_hash: String,
    pub hash: String,
}

/// The fields of an event before it is hashed.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub case_id: i64,
    pub sequence: i64,
    pub kind: &'a str,
    pub payload: &'a str,
    pub actor: &'a str,
    pub recorded_at: DateTime<Utc>,
}

/// Timestamps are hashed in one fixed textual form (microseconds, `Z`), the precision both
/// engines store, so that a value read back hashes the same as the value written.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Truncates a timestamp to the microsecond, the precision both engines keep.
pub fn to_storage_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&canonical_time(at)).expect("canonical time parses").with_timezone(&Utc)
}

/// SHA-256 over the previous hash and the event's fields, each length-prefixed so that no two
/// different events can produce the same byte string.
pub fn event_hash(previous_hash: &str, event: &NewEvent<'_>) -> String {
    let mut hasher = Sha256::new();
    let time = canonical_time(event.recorded_at);
    let case_id = event.case_id.to_string();
    let sequence = event.sequence.to_string();
    for field in
        [previous_hash, case_id.as_str(), sequence.as_str(), event.kind, event.payload, event.actor, time.as_str()]
    {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Builds the next event of a chain.
pub fn seal(previous_hash: &str, event: NewEvent<'_>) -> JournalEvent {
    assert!(event.sequence >= 1, "journal sequences start at 1");
    let hash = event_hash(previous_hash, &event);
    JournalEvent {
        case_id: event.case_id,
        sequence: event.sequence,
        kind: event.kind.to_string(),
        payload: event.payload.to_string(),
        actor: event.actor.to_string(),
        recorded_at: event.recorded_at,
        previous_hash: previous_hash.to_string(),
        hash,
    }
}

/// Why a stored chain does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("dossier {case_id}, événement n° {sequence} : numéro attendu {expected_sequence} (événement manquant ou en trop)")]
    SequenceGap { case_id: i64, sequence: i64, expected_sequence: i64 },
    #[error("dossier {case_id}, événement n° {sequence} : ne pointe pas vers l'empreinte de l'événement précédent (chaîne rompue)")]
    PreviousHashMismatch { case_id: i64, sequence: i64 },
    #[error("dossier {case_id}, événement n° {sequence} ({kind}) : contenu modifié après son enregistrement (empreinte recalculée différente)")]
    HashMismatch { case_id: i64, sequence: i64, kind: String },
    /// The last events were removed: the chain is intact but shorter than the case's version.
    #[error("dossier {case_id} : le journal s'arrête à l'événement n° {last_sequence} alors que le dossier en est à la version {version} (événements supprimés)")]
    Truncated { case_id: i64, last_sequence: i64, version: i64 },
}

impl ChainBreak {
    pub fn case_id(&self) -> i64 {
        match self {
            ChainBreak::SequenceGap { case_id, .. }
            | ChainBreak::PreviousHashMismatch { case_id, .. }
            | ChainBreak::HashMismatch { case_id, .. }
            | ChainBreak::Truncated { case_id, .. } => *case_id,
        }
    }
}

/// Walks one case's events in sequence order and returns the first broken link.
pub fn verify_chain<'a>(events: impl IntoIterator<Item = &'a JournalEvent>) -> Result<(), ChainBreak> {
    let mut previous_hash = GENESIS_HASH.to_string();
    for (expected_sequence, event) in (1_i64..).zip(events) {
        if event.sequence != expected_sequence {
            return Err(ChainBreak::SequenceGap {
                case_id: event.case_id,
                sequence: event.sequence,
                expected_sequence,
            });
        }
        if event.previous_hash != previous_hash {
            return Err(ChainBreak::PreviousHashMismatch { case_id: event.case_id, sequence: event.sequence });
        }
        let recomputed = event_hash(
            &previous_hash,
            &NewEvent {
                case_id: event.case_id,
                sequence: event.sequence,
                kind: &event.kind,
                payload: &event.payload,
                actor: &event.actor,
                recorded_at: event.recorded_at,
            },
        );
        if recomputed != event.hash {
            return Err(ChainBreak::HashMismatch {
                case_id: event.case_id,
                sequence: event.sequence,
                kind: event.kind.clone(),
            });
        }
        previous_hash = event.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn event_kinds_have_distinct_codes_that_read_back() {
        let codes: std::collections::HashSet<&str> = EventKind::ALL.iter().map(|kind| kind.code()).collect();
        assert_eq!(codes.len(), EventKind::ALL.len());
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_code(kind.code()), Some(*kind));
            assert_eq!(EventKind::label_of(kind.code()), kind.label());
        }
        assert_eq!(EventKind::label_of("payment_booked"), "Paiement reçu");
        assert_eq!(EventKind::label_of("unknown"), "Événement");
    }

    fn chain(length: i64) -> Vec<JournalEvent> {
        let mut events: Vec<JournalEvent> = Vec::new();
        for sequence in 1..=length {
            let previous = events.last().map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
            let payload = format!("{{\"n\":{sequence}}}");
            events.push(seal(
                &previous,
                NewEvent {
                    case_id: 7,
                    sequence,
                    kind: "note_added",
                    payload: &payload,
                    actor: "alice",
                    recorded_at: Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, sequence as u32).unwrap(),
                },
            ));
        }
        events
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(()));
    }

    #[test]
    fn a_changed_payload_names_its_event() {
        let mut events = chain(5);
        events[2].payload = "{\"n\":999}".to_string();
        assert_eq!(
            verify_chain(&events),
            Err(ChainBreak::HashMismatch { case_id: 7, sequence: 3, kind: "note_added".to_string() })
        );
    }

    #[test]
    fn a_removed_event_is_a_gap() {
        let mut events = chain(5);
        events.remove(1);
        assert!(matches!(
            verify_chain(&events),
            Err(ChainBreak::SequenceGap { sequence: 3, expected_sequence: 2, .. })
        ));
    }

    #[test]
    fn a_rehashed_forgery_still_breaks_the_next_link() {
        let mut events = chain(5);
        events[1].actor = "mallory".to_string();
        let forged = event_hash(
            &events[1].previous_hash,
            &NewEvent {
                case_id: 7,
                sequence: 2,
                kind: &events[1].kind,
                payload: &events[1].payload,
                actor: "mallory",
                recorded_at: events[1].recorded_at,
            },
        );
        events[1].hash = forged;
        assert_eq!(verify_chain(&events), Err(ChainBreak::PreviousHashMismatch { case_id: 7, sequence: 3 }));
    }

    #[test]
    fn storage_precision_is_stable() {
        let at = Utc.timestamp_nanos(1_790_000_000_123_456_789);
        let stored = to_storage_precision(at);
        assert_eq!(canonical_time(stored), canonical_time(at));
        assert_eq!(to_storage_precision(stored), stored);
    }
}
