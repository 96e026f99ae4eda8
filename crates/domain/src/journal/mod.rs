//! The case journal: every change to a case is an event, chained by hashes.
//!
//! Each event's hash covers its own fields and the previous event's hash, so changing,
//! removing or reordering a stored event breaks the chain from that point on. The payload is
//! hashed as the exact text stored (not re-serialised), which is why storage keeps it as text
//! on both engines: PostgreSQL's `jsonb` would reorder keys and break every hash.
//!
//! **The erasable envelope.** Personal data (names, identifiers, free text) is kept apart from
//! the hashed payload: each kind of event names its personal fields ([`EventKind::personal_fields`]),
//! which [`seal`] moves into `personal` with a random salt; the hash covers the salted digest
//! of them, not the data. Erasing `personal` and its salt when the data's retention ends (GDPR
//! art. 5(1)(e)) leaves every chain verifiable. Events recorded before the envelope existed
//! (`envelope = 1`) are split once by a documented cut-over that seals each case's legacy chain
//! as it was ([`verify`], docs/journal.md).

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod envelope;
mod verify;

pub use envelope::{personal_digest, split_payload, SALT_BYTES};
pub use verify::{legacy_seal_digest, verify_chain, ChainBreak, LegacySeal};

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
        AttachmentAdded => ("attachment_added", "Pièce reçue jointe au dossier"),
        PlanCreated => ("plan_created", "Échéancier mis en place"),
        PlanCancelled => ("plan_cancelled", "Échéancier annulé"),
        PlanCompleted => ("plan_completed", "Échéancier soldé"),
        PlanLapsed => ("plan_lapsed", "Échéancier caduc"),
        MandateAdded => ("mandate_added", "Mandat SEPA enregistré"),
        MandateRevoked => ("mandate_revoked", "Mandat SEPA révoqué"),
        DirectDebitCollected => ("direct_debit_collected", "Prélèvement présenté"),
        DirectDebitReturned => ("direct_debit_returned", "Prélèvement rejeté"),
        CaseClosed => ("case_closed", "Dossier clos"),
        CaseReopened => ("case_reopened", "Dossier rouvert"),
        ClaimSold => ("claim_sold", "Cession de la créance"),
        PaymentAfterClosure => ("payment_after_closure", "Paiement reçu après clôture, mis en instance"),
        ContactRecorded => ("contact_recorded", "Contact avec le débiteur"),
        PromiseKept => ("promise_kept", "Promesse de paiement tenue"),
        PromiseBroken => ("promise_broken", "Promesse de paiement non tenue"),
        ActionPlanned => ("action_planned", "Action planifiée"),
        ActionMoved => ("action_moved", "Action reportée"),
        DebtorFileCorrected => ("debtor_file_corrected", "Fiche du débiteur corrigée"),
        DebtorSituationRecorded => ("debtor_situation_recorded", "Situation du débiteur enregistrée"),
        OtherAccountAdded => ("other_account_added", "Autre compte du débiteur à la banque"),
        InstalmentScheduleImported => ("instalment_schedule_imported", "Tableau d'amortissement reçu"),
        CostRecorded => ("cost_recorded", "Frais enregistrés"),
        CostRequested => ("cost_requested", "Frais soumis à approbation"),
        CostApproved => ("cost_approved", "Frais approuvés"),
        CostRefused => ("cost_refused", "Frais refusés"),
        // Issue 18: a cost entered by mistake, reversed (never deleted).
        CostReversed => ("cost_reversed", "Frais annulés (saisie erronée)"),
        // Issue 21: a mandate's reference or account changed (EPC AT-24).
        MandateAmended => ("mandate_amended", "Mandat SEPA modifié"),
        // Issue 21, item 3: the debtor told of a collection's amount and date (EPC PT-04.03).
        DirectDebitPrenotified => ("direct_debit_prenotified", "Prélèvement pré-notifié"),
        // Issue 21, item 3: a mandate unused for 36 months lapsed (EPC rulebook 4.5).
        MandateExpired => ("mandate_expired", "Mandat SEPA caduc (36 mois sans prélèvement)"),
        // Issue 23: a payment typed in by hand beyond its author's delegation waits for approval.
        PaymentRequested => ("payment_requested", "Paiement saisi soumis à approbation"),
        PaymentApproved => ("payment_approved", "Paiement saisi approuvé"),
        PaymentRefused => ("payment_refused", "Paiement saisi refusé"),
        // Issue 21, item 4: an overpayment refunded to the payer by transfer (pain.001).
        RefundRequested => ("refund_requested", "Remboursement du trop-perçu demandé"),
        RefundApproved => ("refund_approved", "Remboursement du trop-perçu approuvé"),
        RefundRefused => ("refund_refused", "Remboursement du trop-perçu refusé"),
        RefundTransferred => ("refund_transferred", "Trop-perçu remboursé (virement émis)"),
        // A transfer of the case (refund, cost paid) rejected or returned by the bank, reversed.
        TransferRejected => ("transfer_rejected", "Virement rejeté par la banque"),
        // Issue 18, part 2: what a judgment decides about interest (CMF L313-3 al. 2, C. civ.
        // 1343-2), booked months corrected when a rate's facts are recorded late, and a year of
        // statutory interest made capital.
        InterestIncreaseRuling => ("interest_increase_ruling", "Décision du juge sur les intérêts"),
        InterestCorrected => ("interest_corrected", "Intérêts déjà comptés corrigés"),
        InterestCapitalised => ("interest_capitalised", "Intérêts capitalisés"),
    }
);

impl EventKind {
    /// Whether an event of this kind can move the case's time bars (the store re-derives the
    /// case's stored time-bar state in the same transaction): a procedure step (court claims and
    /// their end, titles, enforcement acts, over-indebtedness; `time_bar::procedure_step_event`),
    /// a claim added (its due date, first incident and the last payment core banking knew), a
    /// plan (the rescheduling plan of C. consom. R312-35).
    pub fn moves_time_bars(self) -> bool {
        use EventKind::*;
        matches!(self, ProcedureStep | ClaimAdded | PlanCreated | PlanApproved | PlanCancelled | PlanLapsed)
    }

    /// The payload fields of this kind that are personal data — names, identifiers, contact
    /// details, free text written about people — kept in the erasable part of the envelope.
    /// Amounts, dates, codes and references to our own records stay in the hashed payload.
    pub fn personal_fields(self) -> &'static [&'static str] {
        use EventKind::*;
        match self {
            CaseOpened => &["debtor", "customer_number"],
            PartyAdded => &["name", "customer_number"],
            GuaranteeAdded => &["description"],
            NoteAdded => &["body"],
            PaymentBooked => &["reference", "payer", "payer_iban"],
            SuspenseAssigned => &["reference"],
            MandateAdded => &["debtor_name", "debtor_iban", "debtor_bic"],
            DocumentValidated => &["recipient"],
            // The name a scan was uploaded under often names the debtor (« Jugement Martin.pdf »).
            AttachmentAdded => &["file_name"],
            DepartmentRequestSent => &["body"],
            DepartmentRequestAnswered => &["answer"],
            ThirdPartyExchange => &["summary"],
            StrategyOverridden | StrategyAccepted => &["reason"],
            CaseAssigned => &["reason"],
            WriteOffRequested | WriteOffBooked | WaiverRequested | WaiverBooked => &["reason"],
            WriteOffApproved | WriteOffRefused | WaiverApproved | WaiverRefused | PlanApproved | PlanRefused => {
                &["decision_reason", "reason"]
            }
            PlanCancelled => &["reason"],
            CaseReopened => &["reason", "reference", "payer"],
            ClaimSold => &["buyer"],
            PaymentAfterClosure => &["reference", "payer", "payer_iban"],
            ContactRecorded => &["summary"],
            // An officer's own action is free text (« Rappeler Mme Martin… »).
            ActionPlanned | ActionMoved | ActionDone => &["label"],
            // The old and new values of a person's details, the names of notary, heirs and
            // guardian: all personal; the names of the fields changed and the codes stay hashed.
            DebtorFileCorrected => &["changes", "reason", "name"],
            DebtorSituationRecorded => &["details", "reason", "name"],
            // An account number at the bank identifies the person.
            OtherAccountAdded => &["account_number", "customer_number"],
            CostApproved | CostRefused => &["decision_reason"],
            PaymentRequested => &["reference", "payer", "payer_iban"],
            PaymentApproved | PaymentRefused => &["decision_reason"],
            MandateAmended => &["original_iban", "new_iban", "original_bic", "new_bic"],
            RefundRequested => &["payee_name", "payee_iban", "payee_bic", "reason"],
            RefundApproved | RefundRefused => &["decision_reason"],
            _ => &[],
        }
    }

    /// The French label of a stored kind code; `Événement` for a code this version does not know.
    pub fn label_of(code: &str) -> &'static str {
        EventKind::from_code(code).map_or("Événement", EventKind::label)
    }
}

/// The hash a case's first event points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The envelope of events recorded before personal data was kept apart: the whole payload
/// hashed.
pub const LEGACY_ENVELOPE: i16 = 1;
/// The envelope of every event recorded now: the hashed payload without personal data, and the
/// salted digest of the personal data.
pub const ENVELOPE: i16 = 2;

/// One event as stored. `sequence` starts at 1 for each case and has no gaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JournalEvent {
    pub case_id: i64,
    pub sequence: i64,
    pub kind: String,
    /// The event's facts without its personal data: JSON text, hashed byte for byte.
    pub payload: String,
    /// The event's personal data (a JSON object's text), kept apart so that it can be erased;
    /// `None` when the event has none, or once it was erased.
    pub personal: Option<String>,
    /// The random salt of [`personal_digest`](JournalEvent::personal_digest), hex; erased with
    /// the personal data.
    pub personal_salt: Option<String>,
    /// SHA-256 of the salt and the personal data, hex: what the chain covers of them. It stays
    /// after an erasure.
    pub personal_digest: Option<String>,
    /// [`ENVELOPE`] for events recorded now, [`LEGACY_ENVELOPE`] for those recorded before.
    pub envelope: i16,
    /// Login of the user (or `system:<job>`) who caused the event.
    pub actor: String,
    pub recorded_at: DateTime<Utc>,
    pub previous_hash: String,
    pub hash: String,
}

impl JournalEvent {
    /// The event's facts with its personal data put back, as its author gave them (the personal
    /// fields are absent once erased).
    pub fn full_payload(&self) -> serde_json::Value {
        let mut payload: serde_json::Value = serde_json::from_str(&self.payload).unwrap_or(serde_json::Value::Null);
        let personal = self.personal.as_deref().and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok());
        if let (Some(fields), Some(serde_json::Value::Object(personal))) = (payload.as_object_mut(), personal) {
            fields.extend(personal);
        }
        payload
    }
}

/// The fields of an event before it is hashed. `payload` is the whole payload (JSON object
/// text), personal data included: [`seal`] keeps the personal fields apart.
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
    // The same as formatting with `canonical_time` and parsing back, without a parse that can fail.
    at.trunc_subsecs(6)
}

/// The hash of a legacy event ([`LEGACY_ENVELOPE`]): SHA-256 over the previous hash and the
/// event's fields, the whole payload included, each length-prefixed so that no two different
/// events can produce the same byte string.
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

/// Prefixes what an [`ENVELOPE`] event's hash covers, so that it can never collide with a
/// legacy event's.
const ENVELOPE_TAG: &str = "recouvre-journal-envelope-2";

/// The hash of an [`ENVELOPE`] event: SHA-256 over the previous hash and the event's fields,
/// the payload without personal data and the digest of the personal data (empty when there is
/// none), each length-prefixed.
pub fn envelope_hash(previous_hash: &str, event: &NewEvent<'_>, personal_digest: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    let time = canonical_time(event.recorded_at);
    let case_id = event.case_id.to_string();
    let sequence = event.sequence.to_string();
    for field in [
        ENVELOPE_TAG,
        previous_hash,
        case_id.as_str(),
        sequence.as_str(),
        event.kind,
        event.payload,
        personal_digest.unwrap_or(""),
        event.actor,
        time.as_str(),
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Builds the next event of a chain: the personal fields of its kind are moved out of the
/// payload into `personal`, salted with a salt from `new_salt` (random, [`SALT_BYTES`] bytes in
/// hex, drawn by the caller — the domain draws no random numbers — and only when the event has
/// personal data), and the hash covers the rest and their digest.
pub fn seal(previous_hash: &str, event: NewEvent<'_>, new_salt: impl FnOnce() -> String) -> JournalEvent {
    assert!(event.sequence >= 1, "journal sequences start at 1");
    let kind = EventKind::from_code(event.kind);
    let personal_fields = kind.map_or(&[][..], EventKind::personal_fields);
    let (payload, personal) = split_payload(event.payload, personal_fields);
    let salt = personal.as_ref().map(|_| new_salt());
    let digest = personal.as_deref().zip(salt.as_deref()).map(|(personal, salt)| personal_digest(salt, personal));
    let hashed = NewEvent { payload: &payload, ..event.clone() };
    let hash = envelope_hash(previous_hash, &hashed, digest.as_deref());
    JournalEvent {
        case_id: event.case_id,
        sequence: event.sequence,
        kind: event.kind.to_string(),
        payload,
        personal_salt: salt,
        personal,
        personal_digest: digest,
        envelope: ENVELOPE,
        actor: event.actor.to_string(),
        recorded_at: event.recorded_at,
        previous_hash: previous_hash.to_string(),
        hash,
    }
}
#[cfg(test)]
mod tests;
