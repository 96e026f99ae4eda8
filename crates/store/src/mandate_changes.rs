//! SEPA mandates after they are recorded (issue 21): the `mandate` records of the intake's
//! companion file (`docs/formats/parties-csv.md`), their IBAN, BIC and RUM already parsed by
//! `recouvre_domain::bank_identifiers`; amendments (a new reference, a new account), kept with
//! what they replaced until the next collection's pain.008 reports them (EPC AT-24).

use chrono::{DateTime, Utc};
use recouvre_domain::intake::IntakeError;
use recouvre_domain::intake_parties::MandateRecord;
use recouvre_domain::journal::EventKind;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::{Result, Store, StoreError};

/// What an amendment changes; `None` keeps the current value. Already checked and in the
/// electronic form (`recouvre_app::direct_debits::amend_mandate`).
#[derive(Clone, Debug)]
pub struct MandateChange<'a> {
    /// The active mandate being amended (the one the officer saw).
    pub mandate_id: i64,
    pub reference: Option<&'a str>,
    pub iban: Option<&'a str>,
    /// `Some(None)` removes the BIC.
    pub bic: Option<Option<&'a str>>,
    /// The new IBAN is at another bank than the current one (SMNDA).
    pub other_bank: bool,
}

/// An amendment, as stored: the history of a mandate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Amendment {
    pub id: i64,
    pub mandate_id: i64,
    pub original_reference: String,
    pub original_iban: String,
    pub original_bic: Option<String>,
    pub new_reference: String,
    pub new_iban: String,
    pub new_bic: Option<String>,
    pub other_bank: bool,
    /// The pain.008 message that reported it to the debtor's bank; `None` until then.
    pub reported_in: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// What the next collection of a mandate reports of its amendments since the last one: the
/// reference before the first change of reference, the IBAN before the first change of
/// account, and whether one of the changes moved the account to another bank.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PendingAmendment {
    pub original_reference: Option<String>,
    pub original_iban: Option<String>,
    pub other_bank: bool,
}

const AMENDMENT_COLUMNS: &str = "id, mandate_id, original_reference, original_iban, original_bic, new_reference, \
                                 new_iban, new_bic, other_bank, reported_in, created_by, created_at";

/// The amendments of a case's mandates, oldest first.
pub async fn amendments(store: &Store, case_id: i64) -> Result<Vec<Amendment>> {
    let sql = format!(
        "SELECT {AMENDMENT_COLUMNS} FROM sepa_mandate_amendments WHERE mandate_id IN \
         (SELECT id FROM sepa_mandates WHERE case_id = $1) ORDER BY id"
    );
    query_as(&sql).bind(case_id).fetch_all(store).await
}

/// Amends the case's active mandate `change.mandate_id` (journaled `mandate_amended` on the
/// case's `expected_version`): its reference, IBAN or BIC are replaced, what they were is kept
/// in `sepa_mandate_amendments` for the next collection to report. Refused when the mandate is
/// not the case's active one (409 `mandate_not_active`), when nothing changes
/// (`nothing_to_amend`), or when the new reference is already recorded
/// (`mandate_reference_taken`). Returns the amendment's id.
pub async fn amend_mandate(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    change: &MandateChange<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let current: Option<(String, String, Option<String>)> = query_as(
        "SELECT reference, debtor_iban, debtor_bic FROM sepa_mandates WHERE id = $1 AND case_id = $2 AND status = 'active'",
    )
    .bind(change.mandate_id)
    .bind(case_id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((reference, iban, bic)) = current else {
        return Err(StoreError::conflict(
            "mandate_not_active",
            format!("le mandat n° {} n'est pas le mandat actif du dossier : rechargez la page", change.mandate_id),
        ));
    };
    let new_reference = change.reference.map_or(reference.clone(), str::to_string);
    let new_iban = change.iban.map_or(iban.clone(), str::to_string);
    let new_bic = change.bic.map_or(bic.clone(), |bic| bic.map(str::to_string));
    let reference_changed = new_reference != reference;
    let iban_changed = new_iban != iban;
    if !reference_changed && !iban_changed && new_bic == bic {
        return Err(StoreError::refused(
            "nothing_to_amend",
            "la modification ne change ni la référence, ni l'IBAN, ni le BIC du mandat",
        ));
    }
    if reference_changed {
        let taken: Option<i64> =
            query_scalar("SELECT case_id FROM sepa_mandates WHERE UPPER(reference) = UPPER($1) AND id <> $2")
                .bind(&new_reference)
                .bind(change.mandate_id)
                .fetch_optional(&mut tx)
                .await?;
        if let Some(other_case) = taken {
            return Err(StoreError::conflict(
                "mandate_reference_taken",
                format!("référence unique de mandat (RUM) : « {new_reference} » est déjà enregistrée (dossier n° {other_case})"),
            ));
        }
    }
    let other_bank = iban_changed && change.other_bank;
    query("UPDATE sepa_mandates SET reference = $2, debtor_iban = $3, debtor_bic = $4 WHERE id = $1")
        .bind(change.mandate_id)
        .bind(&new_reference)
        .bind(&new_iban)
        .bind(&new_bic)
        .execute(&mut tx)
        .await?;
    let amendment_id: i64 = query_scalar(
        "INSERT INTO sepa_mandate_amendments (mandate_id, original_reference, original_iban, original_bic, \
         new_reference, new_iban, new_bic, other_bank, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(change.mandate_id)
    .bind(&reference)
    .bind(&iban)
    .bind(&bic)
    .bind(&new_reference)
    .bind(&new_iban)
    .bind(&new_bic)
    .bind(other_bank)
    .bind(actor)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    let payload = json!({
        "mandate_id": change.mandate_id, "amendment_id": amendment_id,
        "original_reference": reference, "new_reference": new_reference,
        "original_iban": iban, "new_iban": new_iban, "original_bic": bic, "new_bic": new_bic,
        "other_bank": other_bank,
    });
    tx.append_event(CaseEvent {
        case_id,
        expected_version,
        kind: EventKind::MandateAmended,
        payload: payload.to_string(),
        actor,
        now,
    })
    .await?;
    tx.commit().await?;
    Ok(amendment_id)
}

impl crate::Tx {
    /// The amendments of `mandate_id` no collection has reported yet, folded into what the
    /// collection of the file `message_id` reports, and marked as reported by it. `None` when
    /// there are none, or when every change was undone (same reference and account again).
    pub(crate) async fn report_amendments(
        &mut self,
        mandate_id: i64,
        message_id: &str,
    ) -> Result<Option<PendingAmendment>> {
        let pending = self.pending_amendment(mandate_id).await?;
        query("UPDATE sepa_mandate_amendments SET reported_in = $2 WHERE mandate_id = $1 AND reported_in IS NULL")
            .bind(mandate_id)
            .bind(message_id)
            .execute(&mut *self)
            .await?;
        Ok(pending)
    }

    /// Whether the mandate's amendments not yet reported moved the debtor's account to another
    /// bank (SMNDA): its next collection is then `FRST` (issue 21, docs/formats/direct-debits.md).
    pub(crate) async fn moved_to_another_bank(&mut self, mandate_id: i64) -> Result<bool> {
        Ok(self.pending_amendment(mandate_id).await?.is_some_and(|pending| pending.other_bank))
    }

    /// What the next collection of the mandate would report of its amendments, read only.
    async fn pending_amendment(&mut self, mandate_id: i64) -> Result<Option<PendingAmendment>> {
        let sql = format!(
            "SELECT {AMENDMENT_COLUMNS} FROM sepa_mandate_amendments WHERE mandate_id = $1 AND reported_in IS NULL \
             ORDER BY id"
        );
        let pending: Vec<Amendment> = query_as(&sql).bind(mandate_id).fetch_all(&mut *self).await?;
        let (Some(first), Some(last)) = (pending.first(), pending.last()) else {
            return Ok(None);
        };
        let reference_changed = !first.original_reference.eq_ignore_ascii_case(&last.new_reference);
        let iban_changed = first.original_iban != last.new_iban;
        if !reference_changed && !iban_changed {
            return Ok(None);
        }
        Ok(Some(PendingAmendment {
            original_reference: reference_changed.then(|| first.original_reference.clone()),
            original_iban: iban_changed.then(|| first.original_iban.clone()),
            other_bank: iban_changed && pending.iter().any(|amendment| amendment.other_bank),
        }))
    }

    /// Records the mandate of a parties-file line on the case `case_id`, journaled
    /// `mandate_added` as from the API; the case's previous active mandate is revoked. The same
    /// RUM on the same case again is already there (`Ok(Ok(false))`, a file imported twice);
    /// on another case, or signed in the future, `Ok(Err(_))` names the line.
    pub(crate) async fn import_mandate(
        &mut self,
        line: usize,
        case_id: i64,
        mandate: &MandateRecord,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<bool, IntakeError>> {
        let refuse = |column: &str, value: String, reason: String| {
            Ok(Err(IntakeError::Field { line, column: column.to_string(), value, reason }))
        };
        let reference = mandate.rum.as_str();
        if mandate.signed_on > recouvre_domain::business_date::paris_date(now) {
            return refuse("signed_on", mandate.signed_on.to_string(), "la date de signature est dans le futur".into());
        }
        let taken: Option<i64> = query_scalar("SELECT case_id FROM sepa_mandates WHERE UPPER(reference) = UPPER($1)")
            .bind(reference)
            .fetch_optional(&mut *self)
            .await?;
        match taken {
            Some(other) if other == case_id => return Ok(Ok(false)),
            Some(other) => {
                return refuse(
                    "rum",
                    reference.to_string(),
                    format!("référence unique de mandat déjà enregistrée sur le dossier n° {other}"),
                )
            }
            None => {}
        }
        // The debtor's name as the pain.008 writer transliterates it to the SEPA set.
        let (last_name, first_name): (String, String) = query_as(
            "SELECT p.last_name, p.first_name FROM cases c JOIN persons p ON p.id = c.debtor_id WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_one(&mut *self)
        .await?;
        let debtor_name = format!("{} {first_name}", last_name.to_uppercase());
        let replaced: Vec<String> = query_scalar(
            "UPDATE sepa_mandates SET status = 'revoked' WHERE case_id = $1 AND status = 'active' RETURNING reference",
        )
        .bind(case_id)
        .fetch_all(&mut *self)
        .await?;
        let kind = if mandate.one_off { "one_off" } else { "recurrent" };
        let bic = mandate.bic.as_ref().map(|bic| bic.as_str());
        let mandate_id: i64 = query_scalar(
            "INSERT INTO sepa_mandates (case_id, reference, debtor_name, debtor_iban, debtor_bic, signed_on, status, \
             created_at, sequence_kind) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8) RETURNING id",
        )
        .bind(case_id)
        .bind(reference)
        .bind(&debtor_name)
        .bind(mandate.iban.as_str())
        .bind(bic)
        .bind(mandate.signed_on)
        .bind(now)
        .bind(kind)
        .fetch_one(&mut *self)
        .await?;
        // The payload of `direct_debits::add_mandate_of_kind`'s `mandate_added`.
        let payload = json!({
            "mandate_id": mandate_id, "reference": reference, "debtor_name": debtor_name,
            "debtor_iban": mandate.iban.as_str(), "debtor_bic": bic, "signed_on": mandate.signed_on,
            "replaces": replaced, "sequence": kind,
        });
        self.append_event(CaseEvent {
            case_id,
            expected_version: None,
            kind: EventKind::MandateAdded,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
        Ok(Ok(true))
    }
}
