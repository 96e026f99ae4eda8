//! Direct debits for payment plans (issue 5, item 4): plans and their instalments, SEPA Core
//! mandates, the pain.008 files that collect the instalments due, and the returns (R-transactions
//! read from camt.054) that undo a collection.
//!
//! The design, chosen for simplicity:
//! - **Export books the money.** [`prepare_export`] picks every instalment `due` on or before
//!   the collection date of an active plan whose case has an active mandate, books each as a
//!   payment on its case's ledger (reference: the end-to-end id), marks it `paid`, journals
//!   `direct_debit_collected`, records the file, and has the caller write the pain.008 from
//!   these collections (the store knows no file format: `recouvre_app::direct_debits` writes
//!   it with `recouvre-iso20022`) — all in one transaction: if the file cannot be written,
//!   nothing is marked or booked.
//! - **A return undoes it.** [`apply_return`] (or [`Tx::apply_return`], inside a statement's
//!   import, `crate::statements::import`) books the exact reversal of the instalment's
//!   payment, marks it `returned` (a missed instalment) and journals `direct_debit_returned`;
//!   the second missed instalment of a plan lapses it (`plan_lapsed`).
//! - **Idempotent.** An instalment leaves `due` once, so it is never collected twice and a second
//!   export for the same date finds nothing (`None`, no file); a return applied twice does nothing
//!   the second time.
//!
//! Sequence type: a mandate never collected is collected `FRST`, and `first_collected_on` is set;
//! later collections are `RCUR`. When several instalments of one mandate are due in one file
//! (catching up), the first is `FRST` and the others `RCUR`, as the EPC rulebook has allowed since
//! November 2016 (a `RCUR` no longer has to wait for the `FRST` to settle). A returned `FRST`
//! does not make the next one `FRST` again.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::direct_debit;
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger::{self, Transaction};
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::aml::{IncomingPayment, ScreeningRecord};
use crate::db::{query, query_as, query_scalar};
pub use crate::direct_debit_rules::{DirectDebitPolicy, HeldInstalment, HeldReason};
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::{Result, Store, StoreError, Tx};

/// Missed instalments (returned, or not paid) after which a plan lapses.
pub const LAPSE_AFTER_MISSED: i64 = 2;

/// Prefix of the end-to-end ids of our collections: `RCV-DD-<instalment id>`. A camt entry
/// whose end-to-end id starts with it is about one of our direct debits.
pub const END_TO_END_PREFIX: &str = "RCV-DD-";

/// How the money of a collected instalment is allocated on the case.
const ALLOCATION: AllocationOrder = AllocationOrder::CostsInterestPrincipal;

fn refused(code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::refused(code, message)
}

/// A schedule that cannot be a payment plan (empty, out of order, an amount not positive).
fn invalid_schedule(message: impl Into<String>) -> StoreError {
    refused("invalid_schedule", message)
}

fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

// ---------------------------------------------------------------------------------------------
// Payment plans
// ---------------------------------------------------------------------------------------------

/// Checks a schedule: at least one instalment, each positive, due dates strictly increasing;
/// returns the total.
pub(crate) fn check_schedule(instalments: &[(NaiveDate, Money)]) -> Result<Money> {
    if instalments.is_empty() {
        return Err(invalid_schedule("un échéancier doit compter au moins une échéance"));
    }
    let mut total = Money::ZERO;
    for (index, (due, amount)) in instalments.iter().enumerate() {
        if !amount.is_positive() {
            return Err(invalid_schedule(format!(
                "échéance n° {} du {} : montant {} non positif",
                index + 1,
                french_date(*due),
                amount.to_french()
            )));
        }
        if index > 0 && *due <= instalments[index - 1].0 {
            return Err(invalid_schedule(format!(
                "échéance n° {} : le {} ne suit pas l'échéance précédente (le {})",
                index + 1,
                french_date(*due),
                french_date(instalments[index - 1].0)
            )));
        }
        total = total.checked_add(*amount).ok_or_else(|| invalid_schedule("total de l'échéancier trop grand"))?;
    }
    if !total.is_positive() {
        return Err(invalid_schedule(format!("le total de l'échéancier doit être positif ({})", total.to_french())));
    }
    Ok(total)
}

/// A payment plan to create with [`Tx::create_plan`].
#[derive(Clone, Debug)]
pub(crate) struct NewPlan<'a> {
    pub case_id: i64,
    pub expected_version: Option<i64>,
    /// (due date, amount), checked with [`check_schedule`].
    pub instalments: &'a [(NaiveDate, Money)],
    /// What [`check_schedule`] returned.
    pub total: Money,
    /// A JSON object merged into the `plan_created` payload (who agreed, who approved…).
    pub extra: serde_json::Value,
    pub actor: &'a str,
    pub now: DateTime<Utc>,
}

impl Tx {
    /// Inserts a payment plan and its instalments inside this transaction and journals
    /// `plan_created` (with `extra` merged into the payload); returns the plan id. Refused when
    /// the case already has an active plan.
    pub(crate) async fn create_plan(&mut self, plan: NewPlan<'_>) -> Result<i64> {
        let NewPlan { case_id, expected_version, instalments, total, extra, actor, now } = plan;
        let first_due = instalments[0].0;
        let case: Option<i64> =
            query_scalar("SELECT id FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut *self).await?;
        if case.is_none() {
            return Err(StoreError::not_found(format!("dossier n° {case_id}")));
        }
        let active: Option<i64> = query_scalar("SELECT id FROM payment_plans WHERE case_id = $1 AND status = 'active'")
            .bind(case_id)
            .fetch_optional(&mut *self)
            .await?;
        let already = |plan: String| {
            StoreError::conflict(
                "plan_already_active",
                format!("le dossier n° {case_id} a déjà un échéancier en cours{plan} : annulez-le avant d'en créer un autre"),
            )
        };
        if let Some(active) = active {
            return Err(already(format!(" (n° {active})")));
        }
        let inserted = query_scalar(
            "INSERT INTO payment_plans (case_id, status, total_cents, first_due, created_by, created_at) \
             VALUES ($1, 'active', $2, $3, $4, $5) RETURNING id",
        )
        .bind(case_id)
        .bind(total.cents())
        .bind(first_due)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *self)
        .await;
        let plan_id: i64 = match inserted {
            Ok(id) => id,
            Err(error) if error.is_unique_violation() => return Err(already(String::new())),
            Err(error) => return Err(error),
        };
        let mut lines = Vec::with_capacity(instalments.len());
        for (index, (due_on, amount)) in instalments.iter().enumerate() {
            let number = index as i64 + 1;
            query(
                "INSERT INTO instalments (plan_id, case_id, number, due_on, amount_cents, status) \
                 VALUES ($1, $2, $3, $4, $5, 'due')",
            )
            .bind(plan_id)
            .bind(case_id)
            .bind(number)
            .bind(*due_on)
            .bind(amount.cents())
            .execute(&mut *self)
            .await?;
            lines.push(json!({"number": number, "due_on": due_on, "amount": amount}));
        }
        let mut payload = json!({"plan_id": plan_id, "total": total, "instalments": lines});
        if let (serde_json::Value::Object(extra), Some(payload)) = (extra, payload.as_object_mut()) {
            payload.extend(extra);
        }
        self.append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::PlanCreated,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
        // Paid by direct debit: the schedule is the pre-notification of its collections.
        self.prenotify_schedule(case_id, actor, now).await?;
        Ok(plan_id)
    }
}

/// Creates a payment plan on a case from its schedule (`(due date, amount)`, in order), journaled
/// `plan_created` with its instalments in the same transaction. Refused when the case already has
/// an active plan, or the schedule is empty, not in date order, or has a non-positive amount.
/// Returns the plan's id.
pub async fn create_plan(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    instalments: &[(NaiveDate, Money)],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let total = check_schedule(instalments)?;
    let mut tx = store.begin().await?;
    let plan = NewPlan { case_id, expected_version, instalments, total, extra: json!({}), actor, now };
    let plan_id = tx.create_plan(plan).await?;
    tx.commit().await?;
    Ok(plan_id)
}

/// Cancels the active plan of a case (a new agreement, a payment in full by other means…),
/// journaled `plan_cancelled` with the reason. Its instalments still `due` are no longer
/// collected. Returns the case's new version.
pub async fn cancel_plan(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refused("reason_required", "indiquez le motif de l'annulation de l'échéancier"));
    }
    let mut tx = store.begin().await?;
    let cancelled: Option<i64> = query_scalar(
        "UPDATE payment_plans SET status = 'cancelled' WHERE case_id = $1 AND status = 'active' RETURNING id",
    )
    .bind(case_id)
    .fetch_optional(&mut tx)
    .await?;
    let Some(plan_id) = cancelled else {
        return Err(refused("no_active_plan", format!("le dossier n° {case_id} n'a pas d'échéancier en cours")));
    };
    let payload = json!({"plan_id": plan_id, "reason": reason});
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::PlanCancelled,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

/// A payment plan, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Plan {
    pub id: i64,
    pub case_id: i64,
    /// `active`, `completed`, `lapsed` or `cancelled`.
    pub status: String,
    pub total_cents: i64,
    pub first_due: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// One instalment of a plan, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Instalment {
    pub id: i64,
    pub plan_id: i64,
    pub number: i64,
    pub due_on: NaiveDate,
    pub amount_cents: i64,
    /// `due`, `collected`, `paid`, `missed` or `returned`.
    pub status: String,
    /// The pain.008 message id of the file that collected it.
    pub collected_in: Option<String>,
    pub end_to_end_id: Option<String>,
    /// `FRST` or `RCUR`, once collected.
    pub sequence_type: Option<String>,
    /// The payment booked for it.
    pub transaction_id: Option<i64>,
    /// The R-transaction's reason code (`AM04`…), once returned.
    pub return_reason: Option<String>,
    pub returned_on: Option<NaiveDate>,
}

/// A plan with its instalments, for the case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanView {
    pub plan: Plan,
    pub instalments: Vec<Instalment>,
}

impl PlanView {
    /// What is left to collect: instalments still `due`.
    pub fn outstanding(&self) -> Money {
        Money::from_cents(self.instalments.iter().filter(|i| i.status == "due").map(|i| i.amount_cents).sum())
    }

    /// Instalments missed (returned or not paid).
    pub fn missed(&self) -> usize {
        self.instalments.iter().filter(|i| i.status == "returned" || i.status == "missed").count()
    }
}

/// The case's current plan (the active one, else the latest), with its instalments in order.
pub async fn plan(store: &Store, case_id: i64) -> Result<Option<PlanView>> {
    let plan: Option<Plan> = query_as(
        "SELECT id, case_id, status, total_cents, first_due, created_by, created_at FROM payment_plans \
         WHERE case_id = $1 ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, id DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(store)
    .await?;
    Ok(match plan {
        None => None,
        Some(plan) => {
            let instalments: Vec<Instalment> = query_as(
                "SELECT id, plan_id, number, due_on, amount_cents, status, collected_in, end_to_end_id, \
                 sequence_type, transaction_id, return_reason, returned_on FROM instalments \
                 WHERE plan_id = $1 ORDER BY number",
            )
            .bind(plan.id)
            .fetch_all(store)
            .await?;
            Some(PlanView { plan, instalments })
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Mandates
// ---------------------------------------------------------------------------------------------

/// A SEPA Core mandate signed by the debtor, its fields already checked by the caller
/// (`recouvre_app::direct_debits::add_mandate` checks them with `recouvre_iso20022::sepa`: the
/// store keeps what the files need, the SEPA rules of the files are the application's).
#[derive(Debug, Clone, Copy)]
pub struct NewMandate<'a> {
    /// Unique mandate reference (RUM), e.g. `RUM-CTX0000042-01`.
    pub reference: &'a str,
    /// Written in the SEPA character set.
    pub debtor_name: &'a str,
    /// In its electronic form (no spaces, upper case).
    pub debtor_iban: &'a str,
    /// Optional for SEPA debtors since 2016.
    pub debtor_bic: Option<&'a str>,
    pub signed_on: NaiveDate,
}

/// A mandate, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Mandate {
    pub id: i64,
    pub case_id: i64,
    pub reference: String,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: Option<String>,
    pub signed_on: NaiveDate,
    /// `active`, `revoked` or `expired` (36 months without a collection, issue 21).
    pub status: String,
    /// The first collection's date: later ones are `RCUR` (none for a one-off mandate).
    pub first_collected_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// `recurrent` or `one_off` ([`MandateKind`]).
    pub sequence_kind: String,
    /// The pre-notification period agreed with the debtor, in calendar days; `None`: the
    /// policy's (`direct_debit_rules`).
    pub prenotification_days: Option<i64>,
    /// The last collection presented under it (its expiry counts from there).
    pub last_collected_on: Option<NaiveDate>,
    /// When the nightly run found it expired.
    pub expired_on: Option<NaiveDate>,
}

/// Registers a mandate on a case, journaled `mandate_added`. Its fields are checked by the caller
/// ([`NewMandate`]); the store refuses an empty reference, name or IBAN and a signature in the
/// future. A mandate reference is unique across cases (compared without case, EPC AT-01). The
/// case's previous active mandate, if any, is revoked: a case is collected under one mandate at
/// a time. Returns the mandate's id.
pub async fn add_mandate(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    mandate: &NewMandate<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    add_mandate_of_kind(store, case_id, expected_version, mandate, MandateKind::Recurrent, actor, now).await
}

/// Whether a mandate allows a series of collections or one (EPC SDD Core rulebook, AT-21).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MandateKind {
    /// `FRST`, then `RCUR` for each later collection.
    Recurrent,
    /// `OOFF`: collected once, then spent.
    OneOff,
}

impl MandateKind {
    /// `recurrent` or `one_off`, as stored and as the API says.
    pub fn code(self) -> &'static str {
        match self {
            MandateKind::Recurrent => "recurrent",
            MandateKind::OneOff => "one_off",
        }
    }

    pub fn from_code(code: &str) -> Option<MandateKind> {
        [MandateKind::Recurrent, MandateKind::OneOff].into_iter().find(|kind| kind.code() == code)
    }
}

/// [`add_mandate`] for a mandate of `kind`.
pub async fn add_mandate_of_kind(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    mandate: &NewMandate<'_>,
    kind: MandateKind,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let terms = MandateTerms { kind, prenotification_days: None };
    add_mandate_with_terms(store, case_id, expected_version, mandate, terms, actor, now).await
}

/// What the debtor agreed with the mandate besides its account (issue 21).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MandateTerms {
    pub kind: MandateKind,
    /// A pre-notification period agreed with the debtor, in calendar days (EPC PT-04.03: 14
    /// unless agreed otherwise); `None`: the policy's.
    pub prenotification_days: Option<u32>,
}

/// [`add_mandate`] for a mandate of `terms.kind`, with its agreed pre-notification period. When
/// the case has an active plan, its schedule pre-notifies the instalments still due under the new
/// mandate (`direct_debit_rules`).
pub async fn add_mandate_with_terms(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    mandate: &NewMandate<'_>,
    terms: MandateTerms,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let kind = terms.kind;
    let reference = mandate.reference.trim();
    let debtor_name = mandate.debtor_name.trim();
    let debtor_iban = mandate.debtor_iban.trim();
    let debtor_bic = mandate.debtor_bic.map(str::trim).filter(|bic| !bic.is_empty());
    for (field, label, value) in [
        ("reference", "référence unique de mandat (RUM)", reference),
        ("debtor_name", "nom du débiteur", debtor_name),
        ("debtor_iban", "IBAN du débiteur", debtor_iban),
    ] {
        if value.is_empty() {
            return Err(StoreError::invalid_field(field, format!("{label} : obligatoire, renseignez-le")));
        }
    }
    if mandate.signed_on > recouvre_domain::business_date::paris_date(now) {
        return Err(refused(
            "mandate_signed_in_future",
            format!("date de signature du mandat : le {} est dans le futur", french_date(mandate.signed_on)),
        ));
    }
    let signed_on = mandate.signed_on;
    let mut tx = store.begin().await?;
    let case: Option<i64> =
        query_scalar("SELECT id FROM cases WHERE id = $1").bind(case_id).fetch_optional(&mut tx).await?;
    if case.is_none() {
        return Err(StoreError::not_found(format!("dossier n° {case_id}")));
    }
    let taken: Option<i64> = query_scalar("SELECT case_id FROM sepa_mandates WHERE UPPER(reference) = UPPER($1)")
        .bind(reference)
        .fetch_optional(&mut tx)
        .await?;
    let duplicate = |on: String| {
        StoreError::conflict(
            "mandate_reference_taken",
            format!("référence unique de mandat (RUM) : « {reference} » est déjà enregistrée{on}"),
        )
    };
    if let Some(other_case) = taken {
        return Err(duplicate(format!(" (dossier n° {other_case})")));
    }
    let replaced: Vec<String> = query_scalar(
        "UPDATE sepa_mandates SET status = 'revoked' WHERE case_id = $1 AND status = 'active' RETURNING reference",
    )
    .bind(case_id)
    .fetch_all(&mut tx)
    .await?;
    let inserted: Result<i64> = query_scalar(
        "INSERT INTO sepa_mandates (case_id, reference, debtor_name, debtor_iban, debtor_bic, signed_on, status, created_at, \
         sequence_kind, prenotification_days) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9) RETURNING id",
    )
    .bind(case_id)
    .bind(reference)
    .bind(debtor_name)
    .bind(debtor_iban)
    .bind(debtor_bic)
    .bind(signed_on)
    .bind(now)
    .bind(kind.code())
    .bind(terms.prenotification_days.map(i64::from))
    .fetch_one(&mut tx)
    .await;
    let mandate_id = match inserted {
        Ok(id) => id,
        Err(error) if error.is_unique_violation() => return Err(duplicate(String::new())),
        Err(error) => return Err(error),
    };
    let payload = json!({
        "mandate_id": mandate_id, "reference": reference, "debtor_name": debtor_name,
        "debtor_iban": debtor_iban, "debtor_bic": debtor_bic, "signed_on": signed_on,
        "replaces": replaced, "sequence": kind.code(), "prenotification_days": terms.prenotification_days,
    });
    tx.append_event(CaseEvent {
        case_id,
        expected_version,
        kind: EventKind::MandateAdded,
        payload: payload.to_string(),
        actor,
        now,
    })
    .await?;
    tx.prenotify_schedule(case_id, actor, now).await?;
    tx.commit().await?;
    Ok(mandate_id)
}

/// Revokes the active mandate of a case (the debtor withdrew it), journaled `mandate_revoked`.
/// Instalments stay `due` but are no longer collected. Returns the case's new version.
pub async fn revoke_mandate(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let revoked: Option<(i64, String)> = query_as(
        "UPDATE sepa_mandates SET status = 'revoked' WHERE case_id = $1 AND status = 'active' RETURNING id, reference",
    )
    .bind(case_id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((mandate_id, reference)) = revoked else {
        return Err(refused(
            "no_active_mandate",
            format!("le dossier n° {case_id} n'a pas de mandat de prélèvement actif"),
        ));
    };
    let payload = json!({"mandate_id": mandate_id, "reference": reference});
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::MandateRevoked,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

/// Open cases whose debtor has an IBAN and that have neither an active plan nor an active
/// mandate, oldest first, at most `limit`: (case id, case reference, IBAN, last name, first
/// name). For the demo data (`recouvre seed`) that pays plans by direct debit.
pub async fn plan_candidates(store: &Store, limit: i64) -> Result<Vec<(i64, String, String, String, String)>> {
    const SQL: &str = "SELECT c.id, c.reference, p.iban, p.last_name, p.first_name FROM cases c \
                       JOIN persons p ON p.id = c.debtor_id \
                       WHERE p.iban IS NOT NULL AND p.iban <> '' AND c.status <> 'closed' \
                       AND NOT EXISTS (SELECT 1 FROM payment_plans pp WHERE pp.case_id = c.id AND pp.status = 'active') \
                       AND NOT EXISTS (SELECT 1 FROM sepa_mandates m WHERE m.case_id = c.id AND m.status = 'active') \
                       ORDER BY c.id LIMIT $1";
    query_as(SQL).bind(limit).fetch_all(store).await
}

/// The mandates of a case, newest first.
pub async fn mandates(store: &Store, case_id: i64) -> Result<Vec<Mandate>> {
    const SQL: &str = "SELECT id, case_id, reference, debtor_name, debtor_iban, debtor_bic, signed_on, \
                       CASE WHEN expired_on IS NOT NULL THEN 'expired' ELSE status END AS status, \
                       first_collected_on, created_at, sequence_kind, prenotification_days, last_collected_on, \
                       expired_on FROM sepa_mandates WHERE case_id = $1 ORDER BY id DESC";
    let rows = query_as(SQL).bind(case_id).fetch_all(store).await?;
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Export (pain.008)
// ---------------------------------------------------------------------------------------------

/// One collection of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedDebit {
    pub instalment_id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub plan_id: i64,
    pub number: i64,
    pub due_on: NaiveDate,
    pub end_to_end_id: String,
    pub mandate_reference: String,
    /// `FRST`, `RCUR`, `FNAL` or `OOFF`.
    pub sequence_type: &'static str,
    pub amount: Money,
    /// The payment booked on the case.
    pub transaction_id: i64,
}

/// What a direct-debit file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub export_id: i64,
    /// `GrpHdr/MsgId`: `RCV-DD-<collection date>-<n>`.
    pub message_id: String,
    pub collection_date: NaiveDate,
    /// `pain.008.001.02` or `pain.008.001.08`.
    pub version: &'static str,
    pub count: usize,
    pub total: Money,
    /// `FRST` collections.
    pub first: usize,
    /// The others: `RCUR`, `FNAL` and `OOFF`.
    pub recurrent: usize,
    /// Of which `FNAL` (a plan's last instalment).
    pub last: usize,
    pub debits: Vec<ExportedDebit>,
    /// Plans whose last instalment this file collected.
    pub plans_completed: Vec<i64>,
}

/// The SEPA sequence type of a collection under its mandate.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Sequence {
    /// The mandate's first collection (`FRST`).
    First,
    /// A later one (`RCUR`).
    Recurrent,
    /// The only collection of a one-off mandate (`OOFF`).
    OneOff,
    /// The plan's last instalment under a recurrent mandate (`FNAL`).
    Final,
}

impl Sequence {
    /// `FRST` or `RCUR`, as the files and the instalments say.
    pub fn code(self) -> &'static str {
        match self {
            Sequence::First => "FRST",
            Sequence::Recurrent => "RCUR",
            Sequence::OneOff => "OOFF",
            Sequence::Final => "FNAL",
        }
    }
}

/// One collection booked for a file, with what the file needs to say about it: the values the
/// application writes into the pain.008.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// `RCV-DD-<instalment id>` ([`END_TO_END_PREFIX`]).
    pub end_to_end_id: String,
    pub amount: Money,
    pub sequence: Sequence,
    /// The mandate's reference (RUM) and signature date.
    pub mandate_reference: String,
    pub mandate_signed_on: NaiveDate,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: Option<String>,
    /// The case's number and the instalment's, for the remittance information.
    pub case_reference: String,
    pub instalment_number: i64,
    /// The mandate's amendments not yet reported, reported by this collection (issue 21).
    pub amendment: Option<crate::mandate_changes::PendingAmendment>,
}

/// The collections of one file, booked and waiting for the file to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionFile {
    /// `GrpHdr/MsgId`: `RCV-DD-<collection date>-<n>`.
    pub message_id: String,
    pub collection_date: NaiveDate,
    /// When the file is made (`GrpHdr/CreDtTm`).
    pub created_at: DateTime<Utc>,
    /// In order: by case, then due date.
    pub collections: Vec<Collection>,
}

#[derive(sqlx::FromRow)]
struct Candidate {
    instalment_id: i64,
    case_id: i64,
    case_reference: String,
    plan_id: i64,
    number: i64,
    due_on: NaiveDate,
    amount_cents: i64,
    mandate_id: i64,
    mandate_reference: String,
    debtor_name: String,
    debtor_iban: String,
    debtor_bic: Option<String>,
    signed_on: NaiveDate,
    first_collected_on: Option<NaiveDate>,
    sequence_kind: String,
    /// The plan's last instalment number (`FNAL`).
    last_number: i64,
    /// The pre-notification under this mandate, and the period agreed on the mandate.
    notified_on: Option<NaiveDate>,
    prenotification_days: Option<i64>,
}

/// Prepares the direct-debit file for `collection_date`, in one transaction: every instalment
/// `due` on or before that date, of an active plan, on an open case with an active mandate
/// signed by then, is collected — `FRST` when its mandate never was, else `RCUR` — with the
/// end-to-end id `RCV-DD-<instalment id>`; each is booked as a payment on its case (journaled
/// `direct_debit_collected`) and marked `paid`; a plan whose instalments are all paid becomes
/// `completed` (`plan_completed`). The file is recorded in `direct_debit_exports` under
/// `version` (the message's name, `pain.008.001.02`…), and `render` writes it from the
/// collections ([`CollectionFile`]): the transaction commits only when it succeeds, so the
/// instalments are booked when the file is produced, once. The caller checks the collection
/// date (a TARGET2 business day, not in the past: `recouvre_app::direct_debits::export`).
///
/// Returns `None` (and changes nothing, `render` is not called) when nothing is due: a second
/// run for the same date produces no second file. If `render` fails (the bank identity's IBAN,
/// BIC or creditor identifier is wrong…), its error is returned and nothing is marked or booked.
pub async fn prepare_export<T, E>(
    store: &Store,
    collection_date: NaiveDate,
    version: &'static str,
    policy: &DirectDebitPolicy,
    actor: &str,
    now: DateTime<Utc>,
    render: impl FnOnce(&CollectionFile) -> std::result::Result<T, E>,
) -> std::result::Result<PreparedExport<T>, E>
where
    E: From<StoreError>,
{
    let vigilance = crate::aml::vigilance(store).await?;
    let mut tx = store.begin().await?;
    let due = DueOn { collection_date, version, policy, vigilance: &vigilance };
    let (collected, held) = tx.collect_due(&due, actor, now).await?;
    let Some((file, summary)) = collected else {
        // Dropping the transaction rolls back the export row: no file.
        return Ok(PreparedExport { file: None, held });
    };
    // A file that cannot be written leaves nothing behind: returning drops the transaction,
    // which rolls back.
    let rendered = render(&file)?;
    tx.commit().await?;
    Ok(PreparedExport { file: Some((rendered, summary)), held })
}

/// What [`prepare_export`] produced: the file and what it holds (`None` when nothing could be
/// collected), and the instalments due by the date that it did not collect, with why (issue 21:
/// not pre-notified in time, mandate expired), never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedExport<T> {
    pub file: Option<(T, ExportSummary)>,
    pub held: Vec<HeldInstalment>,
}

/// What [`Tx::collect_due`] collects.
struct DueOn<'a> {
    collection_date: NaiveDate,
    version: &'static str,
    policy: &'a DirectDebitPolicy,
    vigilance: &'a crate::aml::Vigilance,
}

impl Tx {
    /// [`prepare_export`]'s work in this transaction, up to the file: `None` when nothing is due.
    async fn collect_due(
        &mut self,
        due: &DueOn<'_>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Option<(CollectionFile, ExportSummary)>, Vec<HeldInstalment>)> {
        let DueOn { collection_date, version, policy, vigilance } = *due;
        let prefix = format!("{END_TO_END_PREFIX}{}-", collection_date.format("%Y%m%d"));
        // A write first: on SQLite it takes the write lock at once; on PostgreSQL two exports of
        // the same date get the same message id and the second fails on its uniqueness.
        let (export_id, message_id): (i64, String) = query_as(
            "INSERT INTO direct_debit_exports (message_id, collection_date, version, count, total_cents, created_by, created_at) \
             VALUES (CAST($1 AS TEXT) || CAST((SELECT COUNT(*) FROM direct_debit_exports WHERE collection_date = $2) + 1 AS TEXT), \
             $2, $3, 0, 0, $4, $5) RETURNING id, message_id",
        )
        .bind(&prefix)
        .bind(collection_date)
        .bind(version)
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *self)
        .await?;
        let candidates: Vec<Candidate> = query_as(
            "SELECT i.id AS instalment_id, i.case_id, c.reference AS case_reference, i.plan_id, i.number, i.due_on, \
             i.amount_cents, m.id AS mandate_id, m.reference AS mandate_reference, m.debtor_name, m.debtor_iban, \
             m.debtor_bic, m.signed_on, m.first_collected_on, m.sequence_kind, \
             (SELECT MAX(x.number) FROM instalments x WHERE x.plan_id = i.plan_id) AS last_number, \
             n.notified_on, m.prenotification_days \
             FROM instalments i \
             JOIN payment_plans p ON p.id = i.plan_id \
             JOIN sepa_mandates m ON m.case_id = i.case_id AND m.status = 'active' \
             JOIN cases c ON c.id = i.case_id \
             LEFT JOIN direct_debit_prenotifications n ON n.instalment_id = i.id AND n.mandate_id = m.id \
             WHERE i.status = 'due' AND i.due_on <= $1 AND p.status = 'active' AND m.signed_on <= $1 \
             AND c.status <> 'closed' \
             ORDER BY i.case_id, i.due_on, i.number, i.id",
        )
        .bind(collection_date)
        .fetch_all(&mut *self)
        .await?;
        let mut held = self.held_for_expired_mandates(collection_date).await?;
        let mut collected_mandates: HashSet<i64> = HashSet::new();
        let mut collections = Vec::with_capacity(candidates.len());
        let mut exported = Vec::with_capacity(candidates.len());
        let mut plans = BTreeSet::new();
        for candidate in candidates {
            // Pre-notified in time under this mandate, or held (EPC PT-04.03).
            if let Some(reason) = not_prenotified(&candidate, collection_date, policy) {
                held.push(reason);
                continue;
            }
            let sequence = if candidate.sequence_kind == MandateKind::OneOff.code() {
                // A one-off mandate is spent by its collection: the plan's next instalments
                // wait for a new mandate.
                if candidate.first_collected_on.is_some() || !collected_mandates.insert(candidate.mandate_id) {
                    continue;
                }
                Sequence::OneOff
            } else if !collected_mandates.contains(&candidate.mandate_id)
                && (candidate.first_collected_on.is_none() || self.moved_to_another_bank(candidate.mandate_id).await?)
            {
                // The mandate's first collection, or the first since the debtor's account moved
                // to another bank (SMNDA): FRST, which every rulebook version accepts there.
                collected_mandates.insert(candidate.mandate_id);
                Sequence::First
            } else if candidate.number == candidate.last_number {
                collected_mandates.insert(candidate.mandate_id);
                Sequence::Final
            } else {
                collected_mandates.insert(candidate.mandate_id);
                Sequence::Recurrent
            };
            let end_to_end_id = format!("{END_TO_END_PREFIX}{}", candidate.instalment_id);
            let amount = Money::from_cents(candidate.amount_cents);
            // Claimed only if still due: a concurrent export cannot collect it too.
            let claimed = query(
                "UPDATE instalments SET status = 'paid', collected_in = $2, end_to_end_id = $3, mandate_id = $4, \
                 sequence_type = $5 WHERE id = $1 AND status = 'due'",
            )
            .bind(candidate.instalment_id)
            .bind(&message_id)
            .bind(&end_to_end_id)
            .bind(candidate.mandate_id)
            .bind(sequence.code())
            .execute(&mut *self)
            .await?;
            if claimed.rows_affected() == 0 {
                continue;
            }
            // The interest accrued to the collection date is booked first: the money goes to the
            // interest due on that day before the capital (C. civ. 1343-1; issue 18).
            let balances = self
                .settled_balances(candidate.case_id, collection_date, &mut None, "direct_debit", actor, now)
                .await?;
            let transaction = ledger::payment(&balances, amount, ALLOCATION).map_err(|error| {
                refused(
                    crate::ledger::ledger_error_code(&error),
                    format!("dossier {}, échéance n° {} : {error}", candidate.case_reference, candidate.number),
                )
            })?;
            let payload = json!({
                "plan_id": candidate.plan_id, "instalment": candidate.number, "due_on": candidate.due_on,
                "amount": amount, "collection_date": collection_date, "end_to_end_id": end_to_end_id,
                "message_id": message_id, "mandate": candidate.mandate_reference, "sequence_type": sequence.code(),
            });
            self.append_event(CaseEvent {
                case_id: candidate.case_id,
                expected_version: None,
                kind: EventKind::DirectDebitCollected,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
            let transaction_id = self
                .book(Booking {
                    case_id: Some(candidate.case_id),
                    transaction: &transaction,
                    booked_on: collection_date,
                    reference: &end_to_end_id,
                    reverses: None,
                    actor,
                    now,
                })
                .await?;
            query("UPDATE instalments SET transaction_id = $2 WHERE id = $1")
                .bind(candidate.instalment_id)
                .bind(transaction_id)
                .execute(&mut *self)
                .await?;
            // Screened like every incoming payment (issue 9); never held: the bank pulled it.
            let payer = crate::aml::Payer {
                name: Some(candidate.debtor_name.clone()),
                iban: Some(candidate.debtor_iban.clone()),
                cash: false,
                refund_to_other_account: false,
            };
            let channel = recouvre_domain::aml::Channel::DirectDebit;
            let payment = IncomingPayment {
                case_id: candidate.case_id,
                amount,
                received_on: collection_date,
                payer: &payer,
                channel,
            };
            let screening = self.assess(&payment, vigilance).await?;
            let record = ScreeningRecord {
                payment: &payment,
                transaction_id,
                screening: &screening,
                vigilance,
                held_item_id: None,
                now,
            };
            self.record_screening(record).await?;
            if matches!(sequence, Sequence::First | Sequence::OneOff) {
                query("UPDATE sepa_mandates SET first_collected_on = $2 WHERE id = $1 AND first_collected_on IS NULL")
                    .bind(candidate.mandate_id)
                    .bind(collection_date)
                    .execute(&mut *self)
                    .await?;
            }
            // The mandate's 36 months start again (rulebook 4.5.1).
            query(
                "UPDATE sepa_mandates SET last_collected_on = $2 WHERE id = $1 \
                 AND (last_collected_on IS NULL OR last_collected_on < $2)",
            )
            .bind(candidate.mandate_id)
            .bind(collection_date)
            .execute(&mut *self)
            .await?;
            plans.insert((candidate.case_id, candidate.plan_id));
            let amendment = self.report_amendments(candidate.mandate_id, &message_id).await?;
            collections.push(Collection {
                end_to_end_id: end_to_end_id.clone(),
                amount,
                sequence,
                mandate_reference: candidate.mandate_reference.clone(),
                mandate_signed_on: candidate.signed_on,
                debtor_name: candidate.debtor_name,
                debtor_iban: candidate.debtor_iban,
                debtor_bic: candidate.debtor_bic,
                case_reference: candidate.case_reference.clone(),
                instalment_number: candidate.number,
                amendment,
            });
            exported.push(ExportedDebit {
                instalment_id: candidate.instalment_id,
                case_id: candidate.case_id,
                case_reference: candidate.case_reference,
                plan_id: candidate.plan_id,
                number: candidate.number,
                due_on: candidate.due_on,
                end_to_end_id,
                mandate_reference: candidate.mandate_reference,
                sequence_type: sequence.code(),
                amount,
                transaction_id,
            });
        }
        if collections.is_empty() {
            return Ok((None, held));
        }
        let mut plans_completed = Vec::new();
        for (case_id, plan_id) in plans {
            let left: i64 = query_scalar("SELECT COUNT(*) FROM instalments WHERE plan_id = $1 AND status <> 'paid'")
                .bind(plan_id)
                .fetch_one(&mut *self)
                .await?;
            if left == 0 {
                let completed =
                    query("UPDATE payment_plans SET status = 'completed' WHERE id = $1 AND status = 'active'")
                        .bind(plan_id)
                        .execute(&mut *self)
                        .await?;
                if completed.rows_affected() == 1 {
                    let payload = json!({"plan_id": plan_id, "message_id": message_id});
                    self.append_event(CaseEvent {
                        case_id,
                        expected_version: None,
                        kind: EventKind::PlanCompleted,
                        payload: payload.to_string(),
                        actor,
                        now,
                    })
                    .await?;
                    plans_completed.push(plan_id);
                }
            }
        }
        let total: Money = exported.iter().map(|debit| debit.amount).sum();
        query("UPDATE direct_debit_exports SET count = $2, total_cents = $3 WHERE id = $1")
            .bind(export_id)
            .bind(exported.len() as i64)
            .bind(total.cents())
            .execute(&mut *self)
            .await?;
        let first = exported.iter().filter(|debit| debit.sequence_type == Sequence::First.code()).count();
        let last = exported.iter().filter(|debit| debit.sequence_type == Sequence::Final.code()).count();
        let summary = ExportSummary {
            export_id,
            message_id: message_id.clone(),
            collection_date,
            version,
            count: exported.len(),
            total,
            first,
            recurrent: exported.len() - first,
            last,
            debits: exported,
            plans_completed,
        };
        let file = CollectionFile { message_id, collection_date, created_at: now, collections };
        Ok((Some((file, summary)), held))
    }
}

/// Why `candidate` may not be collected on `collection_date` for want of a pre-notification in
/// time under its mandate (EPC PT-04.03), or `None` when it may.
fn not_prenotified(
    candidate: &Candidate,
    collection_date: NaiveDate,
    policy: &DirectDebitPolicy,
) -> Option<HeldInstalment> {
    let lead = policy.lead_days(candidate.prenotification_days);
    let (reason, earliest, why) = match candidate.notified_on {
        Some(notified_on) if direct_debit::prenotified_in_time(notified_on, lead, collection_date) => return None,
        Some(notified_on) => {
            let earliest = direct_debit::earliest_collection_after_notice(notified_on, lead);
            let why = format!(
                "pré-notifiée le {} : {lead} jours avant le prélèvement sont requis, prélevable à partir du {}",
                french_date(notified_on),
                french_date(earliest)
            );
            (HeldReason::PrenotifiedLate, Some(earliest), why)
        }
        None => (
            HeldReason::NotPrenotified,
            None,
            format!("jamais pré-notifiée au débiteur sous le mandat {}", candidate.mandate_reference),
        ),
    };
    Some(HeldInstalment {
        instalment_id: candidate.instalment_id,
        case_id: candidate.case_id,
        case_reference: candidate.case_reference.clone(),
        number: candidate.number,
        due_on: candidate.due_on,
        amount: Money::from_cents(candidate.amount_cents),
        reason,
        earliest,
        message: format!(
            "dossier {}, échéance n° {} du {} non prélevée le {} : {why}",
            candidate.case_reference,
            candidate.number,
            french_date(candidate.due_on),
            french_date(collection_date)
        ),
    })
}

/// A direct-debit file already prepared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Export {
    pub id: i64,
    pub message_id: String,
    pub collection_date: NaiveDate,
    pub version: String,
    pub count: i64,
    pub total_cents: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// The files prepared, newest first (at most `limit`).
pub async fn exports(store: &Store, limit: i64) -> Result<Vec<Export>> {
    const SQL: &str = "SELECT id, message_id, collection_date, version, count, total_cents, created_by, created_at \
                       FROM direct_debit_exports ORDER BY id DESC LIMIT $1";
    let rows = query_as(SQL).bind(limit).fetch_all(store).await?;
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// Returns (R-transactions)
// ---------------------------------------------------------------------------------------------

/// What applying a return did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ReturnOutcome {
    /// The payment was reversed and the instalment counted as missed.
    Applied {
        case_id: i64,
        instalment_id: i64,
        plan_id: i64,
        reversal_transaction_id: i64,
        /// The plan lapsed with this return.
        plan_lapsed: bool,
        /// The case's version after the return.
        version: i64,
    },
    /// This return had already been applied: nothing done.
    AlreadyApplied { case_id: i64, instalment_id: i64 },
}

#[derive(sqlx::FromRow)]
struct Returned {
    id: i64,
    case_id: i64,
    plan_id: i64,
    number: i64,
    amount_cents: i64,
    transaction_id: Option<i64>,
}

/// Applies the return (or reject) of a collection, identified by its end-to-end id, in one
/// transaction: books the exact reversal of the instalment's payment (`reverses` = the payment),
/// marks the instalment `returned` with the reason code, journals `direct_debit_returned` (with
/// the reason's French label), puts a `plan_reminder` in the case's agenda naming the reason (a
/// new mandate when the reason says the account or mandate cannot be collected: AC04, MD01…); at the
/// [`LAPSE_AFTER_MISSED`]th missed instalment the plan lapses (`plan_lapsed`). A completed plan
/// whose collection comes back is active again. Applying the same return twice does nothing the
/// second time ([`ReturnOutcome::AlreadyApplied`]). An end-to-end id Recouvre did not issue is an
/// error naming it. The returns a statement reports are applied in its import's transaction
/// ([`Tx::apply_return`], `crate::statements::import`).
pub async fn apply_return(
    store: &Store,
    end_to_end_id: &str,
    reason_code: &str,
    returned_on: NaiveDate,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ReturnOutcome> {
    let mut tx = store.begin().await?;
    let outcome = tx.apply_return(end_to_end_id, reason_code, returned_on, actor, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

impl Tx {
    /// [`apply_return`] inside this transaction. Writes nothing when it returns an error or
    /// [`ReturnOutcome::AlreadyApplied`].
    pub async fn apply_return(
        &mut self,
        end_to_end_id: &str,
        reason_code: &str,
        returned_on: NaiveDate,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<ReturnOutcome> {
        let end_to_end_id = end_to_end_id.trim();
        let reason = reason_code.trim();
        if reason.is_empty() {
            return Err(refused(
                "return_reason_missing",
                format!("retour du prélèvement « {end_to_end_id} » : motif (code ISO) manquant"),
            ));
        }
        let claimed: Option<Returned> = query_as(
            "UPDATE instalments SET status = 'returned', return_reason = $2, returned_on = $3 \
             WHERE end_to_end_id = $1 AND status IN ('paid', 'collected') \
             RETURNING id, case_id, plan_id, number, amount_cents, transaction_id",
        )
        .bind(end_to_end_id)
        .bind(reason)
        .bind(returned_on)
        .fetch_optional(&mut *self)
        .await?;
        let Some(instalment) = claimed else {
            let known: Option<(i64, i64, String)> =
                query_as("SELECT id, case_id, status FROM instalments WHERE end_to_end_id = $1")
                    .bind(end_to_end_id)
                    .fetch_optional(&mut *self)
                    .await?;
            return match known {
                None => Err(StoreError::not_found(format!(
                    "prélèvement d'identifiant de bout en bout « {end_to_end_id} » (aucune échéance collectée sous cet identifiant)"
                ))),
                Some((instalment_id, case_id, status)) if status == "returned" => {
                    Ok(ReturnOutcome::AlreadyApplied { case_id, instalment_id })
                }
                Some((instalment_id, _, status)) => Err(refused("not_collected", format!(
                    "prélèvement « {end_to_end_id} » : l'échéance n° {instalment_id} est « {status} », pas collectée"
                ))),
            };
        };
        let Some(payment_id) = instalment.transaction_id else {
            return Err(StoreError::Corrupt(format!(
                "l'échéance n° {} collectée sous « {end_to_end_id} » n'a pas d'écriture de paiement",
                instalment.id
            )));
        };
        let original = self
            .transaction_to_reverse(
                payment_id,
                &format!("le paiement n° {payment_id} du prélèvement « {end_to_end_id} »"),
            )
            .await?;
        let reversal = Transaction::reversal_of(&original);
        let missed: i64 =
            query_scalar("SELECT COUNT(*) FROM instalments WHERE plan_id = $1 AND status IN ('returned', 'missed')")
                .bind(instalment.plan_id)
                .fetch_one(&mut *self)
                .await?;
        let plan_status: String = query_scalar("SELECT status FROM payment_plans WHERE id = $1")
            .bind(instalment.plan_id)
            .fetch_one(&mut *self)
            .await?;
        let lapses = missed >= LAPSE_AFTER_MISSED && (plan_status == "active" || plan_status == "completed");
        let reopens = !lapses && plan_status == "completed";
        let new_status = if lapses {
            "lapsed"
        } else if reopens {
            "active"
        } else {
            plan_status.as_str()
        };
        if new_status != plan_status {
            query("UPDATE payment_plans SET status = $2 WHERE id = $1")
                .bind(instalment.plan_id)
                .bind(new_status)
                .execute(&mut *self)
                .await?;
        }
        let reason_label = direct_debit::reason_label(reason);
        let payload = json!({
            "plan_id": instalment.plan_id, "instalment": instalment.number,
            "amount": Money::from_cents(instalment.amount_cents), "end_to_end_id": end_to_end_id,
            "reason": reason, "reason_label": reason_label, "returned_on": returned_on, "reverses": payment_id,
            "missed": missed, "plan_status": new_status,
        });
        // The plan's follow-up: the officer sees the return and its reason in the agenda.
        let todo = if direct_debit::reason_needs_new_mandate(reason) {
            "le compte ou le mandat ne permet plus de prélever : obtenir un nouveau mandat ou un autre moyen de paiement"
        } else {
            "relancer le débiteur pour qu'il régularise l'échéance"
        };
        let label = format!(
            "Prélèvement de l'échéance n° {} ({}) rejeté, motif {reason}{} : {todo}",
            instalment.number,
            Money::from_cents(instalment.amount_cents).to_french(),
            reason_label.map(|label| format!(" ({label})")).unwrap_or_default(),
        );
        self.add_plan_follow_up(instalment.case_id, &label, returned_on, now).await?;
        let mut event = self
            .append_event(CaseEvent {
                case_id: instalment.case_id,
                expected_version: None,
                kind: EventKind::DirectDebitReturned,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
        let reversal_transaction_id = self
            .book(Booking {
                case_id: Some(instalment.case_id),
                transaction: &reversal,
                booked_on: returned_on,
                reference: end_to_end_id,
                reverses: Some(payment_id),
                actor,
                now,
            })
            .await?;
        if lapses {
            let payload = json!({"plan_id": instalment.plan_id, "missed": missed, "last_return": end_to_end_id});
            event = self
                .append_event(CaseEvent {
                    case_id: instalment.case_id,
                    expected_version: None,
                    kind: EventKind::PlanLapsed,
                    payload: payload.to_string(),
                    actor,
                    now,
                })
                .await?;
        }
        Ok(ReturnOutcome::Applied {
            case_id: instalment.case_id,
            instalment_id: instalment.id,
            plan_id: instalment.plan_id,
            reversal_transaction_id,
            plan_lapsed: lapses,
            version: event.sequence,
        })
    }
}

/// A return (R-transaction) of one of our collections, as a statement or notification reports
/// it: the values the store applies (`crate::statements::import`); reading it from the file is
/// the application's (`recouvre_app::statements`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DebitReturn {
    /// `RCV-DD-<instalment id>` ([`END_TO_END_PREFIX`]).
    pub end_to_end_id: String,
    /// The ISO reason code (`AM04`, `MS03`…; `NARR` when the bank gave none).
    pub reason_code: String,
    pub returned_on: NaiveDate,
    /// The amount returned.
    pub amount: Money,
    /// Where the file reports it (its XML line), for the messages.
    pub line: u32,
}
