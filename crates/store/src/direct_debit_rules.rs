//! Direct debits as the SEPA Core rulebook wants them (issue 21, item 3; the rules and their
//! sections in `recouvre_domain::direct_debit`, the policy values in docs/formats/direct-debits.md):
//!
//! - **Pre-notifications.** One record per instalment and mandate (`direct_debit_prenotifications`),
//!   journaled `direct_debit_prenotified`. The plan's schedule is the pre-notification of all its
//!   instalments (`means = 'schedule'`) on the day the plan and the mandate both exist: when a plan
//!   is created on a case with an active mandate, or a mandate is recorded on a case with an active
//!   plan (the schedule goes with the plan's letter or the mandate's confirmation). Otherwise the
//!   nightly run sends a notice ([`send_prenotifications`], `means = 'notice'`) for each instalment
//!   due within the period plus [`NOTICE_AHEAD_DAYS`]. The export collects an instalment on date D
//!   only if its pre-notification under the mandate used is at least the period before D.
//! - **Mandate expiry.** [`expire_mandates`]: a mandate without a collection presented for the
//!   policy's months (36) expires in the nightly run (status `revoked`, `expired_on` set, shown
//!   `expired`; journaled `mandate_expired`); a case whose plan still has instalments to collect
//!   gets an agenda item for its officer.
//! - **Held instalments.** What the export did not collect on its date and why
//!   ([`HeldInstalment`]), reported with the file, never silently dropped.
//!
//! Below `direct_debits` (which calls it from the plan, mandate, export and return code); knows
//! nothing of it.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::direct_debit;
use recouvre_domain::journal::EventKind;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::{Result, Store, Tx};

/// The nightly run notifies an instalment this many days before the period in force would make it
/// late, so that the notice reaches the debtor in time.
pub const NOTICE_AHEAD_DAYS: i64 = 7;

/// The policy values of direct debits (`ProcedurePolicy`'s `direct_debit_prenotification_days`,
/// `direct_debit_cut_off_business_days`, `mandate_expiry_months`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DirectDebitPolicy {
    /// Calendar days between the pre-notification and the collection, unless the mandate says
    /// another period was agreed (14).
    pub prenotification_days: u32,
    /// TARGET2 business days between the file's submission and the collection date (1).
    pub cut_off_business_days: u32,
    /// Months without a collection after which a mandate expires (36).
    pub mandate_expiry_months: u32,
}

impl DirectDebitPolicy {
    pub fn of(policy: &recouvre_domain::procedure::ProcedurePolicy) -> DirectDebitPolicy {
        DirectDebitPolicy {
            prenotification_days: policy.direct_debit_prenotification_days,
            cut_off_business_days: policy.direct_debit_cut_off_business_days,
            mandate_expiry_months: policy.mandate_expiry_months,
        }
    }

    /// The period in force for a mandate that agreed `agreed` days (or none).
    pub fn lead_days(&self, agreed: Option<i64>) -> u32 {
        agreed.and_then(|days| u32::try_from(days).ok()).unwrap_or(self.prenotification_days)
    }
}

impl Default for DirectDebitPolicy {
    fn default() -> DirectDebitPolicy {
        DirectDebitPolicy::of(&recouvre_domain::procedure::ProcedurePolicy::embedded())
    }
}

// ---------------------------------------------------------------------------------------------
// Pre-notifications
// ---------------------------------------------------------------------------------------------

/// A pre-notification, as the case page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Prenotification {
    pub instalment_id: i64,
    pub plan_id: i64,
    pub number: i64,
    pub mandate_id: i64,
    pub mandate_reference: String,
    pub notified_on: NaiveDate,
    /// `schedule` (the plan's schedule) or `notice` (the nightly run's notice).
    pub means: String,
}

/// The pre-notifications of a case's instalments, by plan and instalment.
pub async fn prenotifications(store: &Store, case_id: i64) -> Result<Vec<Prenotification>> {
    let mut tx = store.begin_read().await?;
    let rows = tx.prenotifications(case_id).await?;
    tx.commit().await?;
    Ok(rows)
}

impl Tx {
    /// [`prenotifications`] inside this transaction.
    pub async fn prenotifications(&mut self, case_id: i64) -> Result<Vec<Prenotification>> {
        query_as(
            "SELECT n.instalment_id, i.plan_id, i.number, n.mandate_id, m.reference AS mandate_reference, \
             n.notified_on, n.means FROM direct_debit_prenotifications n \
             JOIN instalments i ON i.id = n.instalment_id JOIN sepa_mandates m ON m.id = n.mandate_id \
             WHERE n.case_id = $1 ORDER BY i.plan_id, i.number, n.id",
        )
        .bind(case_id)
        .fetch_all(&mut *self)
        .await
    }

    /// The plan's schedule pre-notifies its instalments still due under the case's active mandate,
    /// today (`means = 'schedule'`), journaled `direct_debit_prenotified`. Called when a plan is
    /// created and when a mandate is recorded: does nothing unless the case has both an active
    /// plan and an active mandate. Returns the number of instalments pre-notified.
    pub(crate) async fn prenotify_schedule(&mut self, case_id: i64, actor: &str, now: DateTime<Utc>) -> Result<usize> {
        let today = recouvre_domain::business_date::paris_date(now);
        let rows: Vec<Due> = query_as(format!("{DUE_SQL} AND i.case_id = $1 ORDER BY i.number"))
            .bind(case_id)
            .fetch_all(&mut *self)
            .await?;
        self.record_prenotifications(case_id, &rows, "schedule", today, actor, now).await
    }

    async fn record_prenotifications(
        &mut self,
        case_id: i64,
        rows: &[Due],
        means: &str,
        notified_on: NaiveDate,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut lines = Vec::new();
        let mut mandate = None;
        for row in rows {
            let inserted = query(
                "INSERT INTO direct_debit_prenotifications (instalment_id, case_id, mandate_id, notified_on, means, \
                 created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(row.instalment_id)
            .bind(case_id)
            .bind(row.mandate_id)
            .bind(notified_on)
            .bind(means)
            .bind(actor)
            .bind(now)
            .execute(&mut *self)
            .await?;
            if inserted.rows_affected() == 1 {
                mandate = Some((row.mandate_id, row.mandate_reference.clone()));
                lines.push(json!({"instalment": row.number, "due_on": row.due_on,
                                  "amount": Money::from_cents(row.amount_cents)}));
            }
        }
        let Some((mandate_id, reference)) = mandate else {
            return Ok(0);
        };
        let payload = json!({"mandate_id": mandate_id, "mandate": reference, "means": means,
                             "notified_on": notified_on, "instalments": lines});
        self.append_event(CaseEvent {
            case_id,
            expected_version: None,
            kind: EventKind::DirectDebitPrenotified,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
        Ok(lines.len())
    }
}

/// Instalments still due of active plans on open cases with an active mandate, without a
/// pre-notification under it.
const DUE_SQL: &str = "SELECT i.id AS instalment_id, i.case_id, i.number, i.due_on, i.amount_cents, \
     m.id AS mandate_id, m.reference AS mandate_reference, m.prenotification_days FROM instalments i \
     JOIN payment_plans p ON p.id = i.plan_id AND p.status = 'active' \
     JOIN sepa_mandates m ON m.case_id = i.case_id AND m.status = 'active' \
     JOIN cases c ON c.id = i.case_id AND c.status <> 'closed' \
     WHERE i.status = 'due' AND NOT EXISTS (SELECT 1 FROM direct_debit_prenotifications n \
     WHERE n.instalment_id = i.id AND n.mandate_id = m.id)";

#[derive(sqlx::FromRow)]
struct Due {
    instalment_id: i64,
    case_id: i64,
    number: i64,
    due_on: NaiveDate,
    amount_cents: i64,
    mandate_id: i64,
    mandate_reference: String,
    prenotification_days: Option<i64>,
}

/// What the nightly run's pre-notifications did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrenotificationRun {
    pub cases: u64,
    pub instalments: u64,
}

/// The nightly run's notices (`means = 'notice'`, dated `as_of`): every instalment still due of an
/// active plan under an active mandate, not yet pre-notified under it, due within the period in
/// force plus [`NOTICE_AHEAD_DAYS`] (an instalment already too close is notified too: the export
/// collects it on the first date the period allows). One transaction and one
/// `direct_debit_prenotified` event per case. Idempotent.
pub async fn send_prenotifications(
    store: &Store,
    as_of: NaiveDate,
    policy: &DirectDebitPolicy,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<PrenotificationRun> {
    let rows: Vec<Due> = query_as(format!("{DUE_SQL} ORDER BY i.case_id, i.number")).fetch_all(store).await?;
    let mut by_case: Vec<(i64, Vec<Due>)> = Vec::new();
    for row in rows {
        let lead = i64::from(policy.lead_days(row.prenotification_days));
        if (row.due_on - as_of).num_days() > lead + NOTICE_AHEAD_DAYS {
            continue;
        }
        match by_case.last_mut() {
            Some((case_id, rows)) if *case_id == row.case_id => rows.push(row),
            _ => by_case.push((row.case_id, vec![row])),
        }
    }
    let mut run = PrenotificationRun::default();
    for (case_id, rows) in by_case {
        let mut tx = store.begin().await?;
        let count = tx.record_prenotifications(case_id, &rows, "notice", as_of, actor, now).await?;
        tx.commit().await?;
        if count > 0 {
            run.cases += 1;
            run.instalments += count as u64;
        }
    }
    Ok(run)
}

// ---------------------------------------------------------------------------------------------
// Mandate expiry
// ---------------------------------------------------------------------------------------------

/// A mandate the nightly run found expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiredMandate {
    pub mandate_id: i64,
    pub case_id: i64,
    pub reference: String,
    /// The last collection presented, or the signature when there was none.
    pub last_used_on: NaiveDate,
    /// The case's plan still had instalments to collect: an agenda item tells its officer.
    pub plan_flagged: bool,
}

/// Expires every active mandate without a collection presented for the policy's months (from
/// the last collection, or the signature; rulebook 4.5.1), as of `as_of`: status `revoked` with
/// `expired_on`, journaled `mandate_expired`; when the case's active plan still has instalments
/// due, an agenda item (`plan_reminder`) asks the officer for a new mandate or another means of
/// payment. One transaction per mandate; idempotent.
pub async fn expire_mandates(
    store: &Store,
    as_of: NaiveDate,
    policy: &DirectDebitPolicy,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ExpiredMandate>> {
    let active: Vec<(i64, i64, String, NaiveDate)> = query_as(
        "SELECT id, case_id, reference, COALESCE(last_collected_on, first_collected_on, signed_on) \
         FROM sepa_mandates WHERE status = 'active' ORDER BY id",
    )
    .fetch_all(store)
    .await?;
    let mut expired = Vec::new();
    for (mandate_id, case_id, reference, last_used_on) in active {
        let Some(expires_on) = direct_debit::mandate_expires_on(last_used_on, policy.mandate_expiry_months) else {
            continue;
        };
        if expires_on > as_of {
            continue;
        }
        let mut tx = store.begin().await?;
        let marked =
            query("UPDATE sepa_mandates SET status = 'revoked', expired_on = $2 WHERE id = $1 AND status = 'active'")
                .bind(mandate_id)
                .bind(as_of)
                .execute(&mut tx)
                .await?;
        if marked.rows_affected() == 0 {
            continue;
        }
        let left: i64 = query_scalar(
            "SELECT COUNT(*) FROM instalments i JOIN payment_plans p ON p.id = i.plan_id \
             WHERE i.case_id = $1 AND p.status = 'active' AND i.status = 'due'",
        )
        .bind(case_id)
        .fetch_one(&mut tx)
        .await?;
        let plan_flagged = left > 0;
        if plan_flagged {
            let label = format!(
                "Mandat SEPA {reference} caduc (aucun prélèvement depuis le {}) : faire signer un nouveau mandat \
                 ou convenir d'un autre moyen de paiement pour les {left} échéance(s) restante(s)",
                last_used_on.format("%d/%m/%Y")
            );
            tx.add_plan_follow_up(case_id, &label, as_of, now).await?;
        }
        let payload = json!({"mandate_id": mandate_id, "reference": reference, "last_used_on": last_used_on,
                             "expired_on": as_of, "months": policy.mandate_expiry_months,
                             "instalments_left": left});
        tx.append_event(CaseEvent {
            case_id,
            expected_version: None,
            kind: EventKind::MandateExpired,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
        tx.commit().await?;
        expired.push(ExpiredMandate { mandate_id, case_id, reference, last_used_on, plan_flagged });
    }
    Ok(expired)
}

impl Tx {
    /// An item of the plan's follow-up in the case's agenda, for its officer (code
    /// `plan_reminder`: it stays when the strategy engine replaces its advice).
    pub(crate) async fn add_plan_follow_up(
        &mut self,
        case_id: i64,
        label: &str,
        due_on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        query(
            "INSERT INTO agenda_items (case_id, kind, code, label, due_on, warn_days, status, created_at) \
             VALUES ($1, 'action', 'plan_reminder', $2, $3, 0, 'open', $4)",
        )
        .bind(case_id)
        .bind(label)
        .bind(due_on)
        .bind(now)
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Held instalments
// ---------------------------------------------------------------------------------------------

/// Why the export did not collect an instalment due on or before its date.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeldReason {
    /// The debtor was never told of this collection under the mandate.
    NotPrenotified,
    /// Told too late for this date: collected from `earliest` on.
    PrenotifiedLate,
    /// The case's mandate expired (36 months unused): a new mandate is needed.
    MandateExpired,
}

/// An instalment due on or before the collection date that the file does not collect, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldInstalment {
    pub instalment_id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub number: i64,
    pub due_on: NaiveDate,
    pub amount: Money,
    pub reason: HeldReason,
    /// The first collection date it may be collected on, when known.
    pub earliest: Option<NaiveDate>,
    /// What to tell the operator, in French.
    pub message: String,
}

impl Tx {
    /// Instalments due by `collection_date` of active plans whose case's latest mandate expired.
    pub(crate) async fn held_for_expired_mandates(
        &mut self,
        collection_date: NaiveDate,
    ) -> Result<Vec<HeldInstalment>> {
        let rows: Vec<ExpiredDue> = query_as(
            "SELECT i.id AS instalment_id, i.case_id, c.reference AS case_reference, i.number, i.due_on, \
             i.amount_cents, m.reference AS mandate_reference, m.expired_on \
             FROM instalments i JOIN payment_plans p ON p.id = i.plan_id AND p.status = 'active' \
             JOIN cases c ON c.id = i.case_id AND c.status <> 'closed' \
             JOIN sepa_mandates m ON m.id = (SELECT MAX(x.id) FROM sepa_mandates x WHERE x.case_id = i.case_id) \
             WHERE i.status = 'due' AND i.due_on <= $1 AND m.expired_on IS NOT NULL \
             ORDER BY i.case_id, i.number",
        )
        .bind(collection_date)
        .fetch_all(&mut *self)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let ExpiredDue {
                    instalment_id,
                    case_id,
                    case_reference,
                    number,
                    due_on,
                    amount_cents,
                    mandate_reference: mandate,
                    expired_on,
                } = row;
                let message = format!(
                    "dossier {case_reference}, échéance n° {number} : le mandat {mandate} est caduc depuis le {} \
                     (36 mois sans prélèvement) ; faites signer un nouveau mandat",
                    expired_on.format("%d/%m/%Y")
                );
                HeldInstalment {
                    instalment_id,
                    case_id,
                    case_reference,
                    number,
                    due_on,
                    amount: Money::from_cents(amount_cents),
                    reason: HeldReason::MandateExpired,
                    earliest: None,
                    message,
                }
            })
            .collect())
    }
}

/// An instalment due under an expired mandate, as read.
#[derive(sqlx::FromRow)]
struct ExpiredDue {
    instalment_id: i64,
    case_id: i64,
    case_reference: String,
    number: i64,
    due_on: NaiveDate,
    amount_cents: i64,
    mandate_reference: String,
    expired_on: NaiveDate,
}
