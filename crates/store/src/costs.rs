//! Costs as money (issue 18, item 3). A cost the bank is invoiced for is recorded with its legal
//! nature (`recouvre_domain::costs::CostNature`), the third party who invoiced it, the invoice's
//! reference and date. In one transaction with its journal event:
//! - what the debtor is charged with (enforcement costs, dépens, a CPC 700 award, the bailiff's
//!   proportional fee at the debtor's charge) is booked to the case's `costs` account, which
//!   payments then settle first (C. civ. 1343-1 and the case's allocation order,
//!   `domain::ledger::payment`);
//! - every cost, charged or not, becomes an account payable to its third party, which the next
//!   transfer file pays (`transfers::prepare_export`).
//!
//! A cost above the officer's delegation (the authority matrix's `max_bailiff_costs` or
//! `max_lawyer_costs`) is not refused: it is recorded as pending and becomes an approval request
//! (`approvals::decide`, never by the requester); nothing is charged or payable until approved.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::costs::{self, CostNature};
use recouvre_domain::delegation::{AuthorityMatrix, Decision, Verdict};
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger::{self, Account};
use recouvre_domain::vat::InvoiceAmounts;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::db::{query, query_as, query_scalar};
use crate::four_eyes::NewApprovalRequest;
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::{Result, Store, StoreError, Tx};

/// A cost to record on a case.
#[derive(Debug, Clone)]
pub struct NewCost {
    pub case_id: i64,
    /// The procedure the cost belongs to, if any (its `costs_cents` counts it).
    pub procedure_id: Option<i64>,
    pub nature: CostNature,
    pub third_party_id: i64,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    /// What the third party invoiced: excluding VAT, the VAT rate and the VAT, and their total
    /// (charged to the debtor when chargeable, owed to the third party, checked against the
    /// delegation).
    pub amounts: InvoiceAmounts,
    /// CPC 700: the sum the judgment awards and the judgment's date.
    pub awarded: Option<Money>,
    pub awarded_on: Option<NaiveDate>,
    /// The invoice's bank details, remembered on the third party; without them, the third
    /// party's own.
    pub iban: Option<String>,
    pub bic: Option<String>,
}

/// What recording a cost did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CostOutcome {
    /// Within the officer's delegation: charged (if chargeable) and payable at once.
    Recorded { cost_id: i64, transaction_id: Option<i64>, charged: Money, version: i64 },
    /// Above it: waiting for another person's approval.
    Pending { cost_id: i64, request_id: i64, version: i64 },
}

#[derive(sqlx::FromRow)]
struct Party {
    kind: String,
    iban: Option<String>,
    bic: Option<String>,
}

/// Records a cost on a case (see the module's documentation).
pub async fn record_cost(
    store: &Store,
    expected_version: i64,
    cost: &NewCost,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<CostOutcome> {
    let rules = crate::workflow::rules(store).await?;
    let mut tx = store.begin().await?;
    let outcome = tx.record_cost(Some(expected_version), cost, &rules.authority, actor, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

impl Tx {
    /// [`record_cost`] inside a transaction: a procedure step records the costs it carries in its
    /// own (`procedure_steps::apply_step`, after its event: `expected_version` `None`).
    pub(crate) async fn record_cost(
        &mut self,
        expected_version: Option<i64>,
        cost: &NewCost,
        authority: &AuthorityMatrix,
        actor: Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<CostOutcome> {
        let tx = self;
        let status: Option<String> =
            query_scalar("SELECT status FROM cases WHERE id = $1").bind(cost.case_id).fetch_optional(&mut *tx).await?;
        match status.as_deref() {
            None => return Err(StoreError::not_found(format!("dossier n° {}", cost.case_id))),
            Some("closed") => {
                return Err(StoreError::refused(
                    "case_closed",
                    "le dossier est clos : rouvrez-le avant d'y enregistrer des frais",
                ))
            }
            Some(_) => {}
        }
        let party: Option<Party> = query_as("SELECT kind, iban, bic FROM third_parties WHERE id = $1")
            .bind(cost.third_party_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(party) = party else {
            return Err(StoreError::invalid_field(
                "third_party_id",
                format!("intervenant n° {} inconnu : choisissez-le dans l'annuaire des tiers", cost.third_party_id),
            ));
        };
        if let Some(procedure_id) = cost.procedure_id {
            let on_case: Option<i64> = query_scalar("SELECT id FROM procedures WHERE id = $1 AND case_id = $2")
                .bind(procedure_id)
                .bind(cost.case_id)
                .fetch_optional(&mut *tx)
                .await?;
            if on_case.is_none() {
                return Err(StoreError::invalid_field(
                "procedure_id",
                format!("la procédure n° {procedure_id} n'est pas une procédure de ce dossier : choisissez-en une du dossier"),
            ));
            }
        }
        let known: Option<i64> =
            query_scalar("SELECT id FROM costs WHERE third_party_id = $1 AND invoice_reference = $2")
                .bind(cost.third_party_id)
                .bind(&cost.invoice_reference)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(known) = known {
            return Err(StoreError::invalid_field(
                "invoice_reference",
                format!(
                    "la facture « {} » de ce tiers est déjà enregistrée (frais n° {known}) : vérifiez la référence",
                    cost.invoice_reference
                ),
            ));
        }
        // The invoice's bank details are the third party's from now on.
        let (iban, bic) = match &cost.iban {
            Some(iban) => {
                query("UPDATE third_parties SET iban = $2, bic = $3 WHERE id = $1")
                    .bind(cost.third_party_id)
                    .bind(iban)
                    .bind(&cost.bic)
                    .execute(&mut *tx)
                    .await?;
                (Some(iban.clone()), cost.bic.clone())
            }
            None => (party.iban, party.bic),
        };
        if iban.is_none() {
            return Err(StoreError::invalid_field(
                "iban",
                "ce tiers n'a pas de coordonnées bancaires : indiquez l'IBAN de la facture pour qu'il soit payé",
            ));
        }
        let kind = costs::delegation_kind(&party.kind);
        let total = cost.amounts.total;
        let charged = costs::charged_to_debtor(cost.nature, total, cost.awarded);
        let within = matches!(authority.check(actor.level, &Decision::Costs { amount: total, kind }), Verdict::Within);
        let cost_id: i64 = query_scalar(
            "INSERT INTO costs (case_id, procedure_id, nature, third_party_id, invoice_reference, invoice_date, \
         amount_cents, charged_cents, awarded_on, status, recorded_by, recorded_at, amount_excl_vat_cents, \
         vat_rate_code, vat_rate, vat_cents) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
        )
        .bind(cost.case_id)
        .bind(cost.procedure_id)
        .bind(cost.nature.code())
        .bind(cost.third_party_id)
        .bind(&cost.invoice_reference)
        .bind(cost.invoice_date)
        .bind(total.cents())
        .bind(charged.cents())
        .bind(cost.awarded_on)
        .bind(if within { "recorded" } else { "pending" })
        .bind(actor.login)
        .bind(now)
        .bind(cost.amounts.excluding_vat.cents())
        .bind(cost.amounts.rate_code.code())
        .bind(cost.amounts.rate_percent.normalize().to_string())
        .bind(cost.amounts.vat.cents())
        .fetch_one(&mut *tx)
        .await?;
        query(
            "INSERT INTO accounts_payable (cost_id, third_party_id, amount_cents, payee_iban, payee_bic, status, \
         approved_by, approved_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(cost_id)
        .bind(cost.third_party_id)
        .bind(total.cents())
        .bind(&iban)
        .bind(&bic)
        .bind(if within { "approved" } else { "open" })
        .bind(within.then_some(actor.login))
        .bind(within.then_some(now))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let payload = json!({
            "cost_id": cost_id, "nature": cost.nature.code(), "article": cost.nature.article(),
            "third_party_id": cost.third_party_id, "invoice_reference": cost.invoice_reference,
            "invoice_date": cost.invoice_date, "amount": total, "charged": charged,
            "amount_excl_vat": cost.amounts.excluding_vat, "vat_rate_code": cost.amounts.rate_code.code(),
            "vat_rate": cost.amounts.rate_percent.normalize().to_string(), "vat": cost.amounts.vat,
            "procedure_id": cost.procedure_id, "awarded_on": cost.awarded_on, "cost_kind": kind.code(),
        });
        let outcome = if within {
            let event = tx
                .append_event(CaseEvent {
                    case_id: cost.case_id,
                    expected_version,
                    kind: EventKind::CostRecorded,
                    payload: payload.to_string(),
                    actor: actor.login,
                    now,
                })
                .await?;
            let transaction_id = tx.take_effect(cost_id, actor.login, now).await?;
            CostOutcome::Recorded { cost_id, transaction_id, charged, version: event.sequence }
        } else {
            let reason = format!(
                "{} : facture {} du {}, au-delà de la délégation",
                cost.nature.label(),
                cost.invoice_reference,
                cost.invoice_date.format("%d/%m/%Y")
            );
            let (request_id, version) = tx
                .open_approval_request(NewApprovalRequest {
                    case_id: cost.case_id,
                    expected_version,
                    event: EventKind::CostRequested,
                    kind: "cost",
                    payload: &payload.to_string(),
                    amount: total,
                    reason: &reason,
                    actor: actor.login,
                    now,
                })
                .await?;
            query("UPDATE costs SET approval_request_id = $2 WHERE id = $1")
                .bind(cost_id)
                .bind(request_id)
                .execute(&mut *tx)
                .await?;
            CostOutcome::Pending { cost_id, request_id, version }
        };
        Ok(outcome)
    }
}

#[derive(sqlx::FromRow)]
struct Effect {
    case_id: i64,
    procedure_id: Option<i64>,
    amount_cents: i64,
    charged_cents: i64,
    invoice_reference: String,
}

impl Tx {
    /// A recorded cost takes effect: what the debtor is charged with is booked to the case's
    /// `costs` account, and its procedure counts it. Returns the ledger transaction, if any.
    async fn take_effect(&mut self, cost_id: i64, actor: &str, now: DateTime<Utc>) -> Result<Option<i64>> {
        let effect: Effect = query_as(
            "SELECT case_id, procedure_id, amount_cents, charged_cents, invoice_reference FROM costs WHERE id = $1",
        )
        .bind(cost_id)
        .fetch_one(&mut *self)
        .await?;
        if let Some(procedure_id) = effect.procedure_id {
            query("UPDATE procedures SET costs_cents = costs_cents + $2 WHERE id = $1")
                .bind(procedure_id)
                .bind(effect.amount_cents)
                .execute(&mut *self)
                .await?;
        }
        if effect.charged_cents <= 0 {
            return Ok(None);
        }
        let transaction = ledger::charge(Account::Costs, Money::from_cents(effect.charged_cents))
            .map_err(crate::ledger::refused_by_ledger)?;
        let reference = format!("frais n° {cost_id}, facture {}", effect.invoice_reference);
        let transaction_id = self
            .book(Booking {
                case_id: Some(effect.case_id),
                transaction: &transaction,
                booked_on: recouvre_domain::business_date::paris_date(now),
                reference: &reference,
                reverses: None,
                actor,
                now,
            })
            .await?;
        query("UPDATE costs SET transaction_id = $2 WHERE id = $1")
            .bind(cost_id)
            .bind(transaction_id)
            .execute(&mut *self)
            .await?;
        Ok(Some(transaction_id))
    }

    /// The decision on a cost's approval request (`approvals::decide`, inside its transaction):
    /// approved, the cost is charged and payable; refused, neither.
    pub(crate) async fn decide_cost(
        &mut self,
        request_id: i64,
        approve: bool,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let found: Option<(i64, i64)> =
            query_as("SELECT id, case_id FROM costs WHERE approval_request_id = $1 AND status = 'pending'")
                .bind(request_id)
                .fetch_optional(&mut *self)
                .await?;
        let Some((cost_id, case_id)) = found else {
            return Err(StoreError::Corrupt(format!("demande n° {request_id} : frais introuvables")));
        };
        if !approve {
            query("UPDATE costs SET status = 'refused' WHERE id = $1").bind(cost_id).execute(&mut *self).await?;
            query("UPDATE accounts_payable SET status = 'refused' WHERE cost_id = $1")
                .bind(cost_id)
                .execute(&mut *self)
                .await?;
            return Ok(());
        }
        query("UPDATE costs SET status = 'recorded' WHERE id = $1").bind(cost_id).execute(&mut *self).await?;
        query("UPDATE accounts_payable SET status = 'approved', approved_by = $2, approved_at = $3 WHERE cost_id = $1")
            .bind(cost_id)
            .bind(actor)
            .bind(now)
            .execute(&mut *self)
            .await?;
        let transaction_id = self.take_effect(cost_id, actor, now).await?;
        let payload = json!({"cost_id": cost_id, "request_id": request_id, "transaction_id": transaction_id});
        self.append_event(CaseEvent {
            case_id,
            expected_version: None,
            kind: EventKind::CostRecorded,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
        Ok(())
    }
}

/// What reversing a cost did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostReversal {
    pub cost_id: i64,
    /// The ledger transaction that reverses the charge to the debtor, if they were charged.
    pub transaction_id: Option<i64>,
    /// What the debtor is no longer charged with.
    pub uncharged: Money,
    /// The account payable's status after: `cancelled` (never paid out).
    pub payable_status: String,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct Reversible {
    case_id: i64,
    procedure_id: Option<i64>,
    status: String,
    amount_cents: i64,
    charged_cents: i64,
    transaction_id: Option<i64>,
    invoice_reference: String,
    approval_request_id: Option<i64>,
    payable_status: String,
    transferred_in: Option<String>,
}

/// Reverses a cost entered by mistake (a wrong amount, the wrong case, an invoice twice): the
/// charge to the debtor is reversed by an opposite ledger transaction (nothing is deleted), its
/// procedure no longer counts it, and the account payable is cancelled — refused (409
/// `cost_paid_out`) once a transfer file paid the third party (the bank then asks the third party
/// for a credit note), and refused (409 `cost_settled`) once the debtor's payments settled more of
/// the case's costs than would remain (the money must be re-allocated first). A cost waiting for
/// approval is decided on the approvals page instead (409 `cost_pending`). Journaled
/// `cost_reversed`, with the reason, in the same transaction.
pub async fn reverse_cost(
    store: &Store,
    case_id: i64,
    cost_id: i64,
    expected_version: i64,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<CostReversal> {
    let mut tx = store.begin().await?;
    let cost: Option<Reversible> = query_as(
        "SELECT c.case_id, c.procedure_id, c.status, c.amount_cents, c.charged_cents, c.transaction_id, \
         c.invoice_reference, c.approval_request_id, p.status AS payable_status, p.transferred_in \
         FROM costs c JOIN accounts_payable p ON p.cost_id = c.id WHERE c.id = $1",
    )
    .bind(cost_id)
    .fetch_optional(&mut tx)
    .await?;
    let Some(cost) = cost.filter(|cost| cost.case_id == case_id) else {
        return Err(StoreError::not_found(format!("frais n° {cost_id} du dossier n° {case_id}")));
    };
    match cost.status.as_str() {
        "reversed" => {
            return Err(StoreError::refused("already_reversed", format!("les frais n° {cost_id} sont déjà annulés")))
        }
        "refused" => {
            return Err(StoreError::refused(
                "cost_refused",
                format!("les frais n° {cost_id} ont été refusés : rien n'a été imputé ni payé, il n'y a rien à annuler"),
            ))
        }
        "pending" => {
            return Err(StoreError::refused(
                "cost_pending",
                format!(
                    "les frais n° {cost_id} attendent une approbation (demande n° {}) : faites-la refuser plutôt que de les annuler",
                    cost.approval_request_id.unwrap_or_default()
                ),
            ))
        }
        _ => {}
    }
    if cost.payable_status == "paid" {
        return Err(StoreError::refused(
            "cost_paid_out",
            format!(
                "la facture {} a déjà été payée au tiers (virement {}) : demandez-lui un avoir, puis enregistrez-le",
                cost.invoice_reference,
                cost.transferred_in.as_deref().unwrap_or("?")
            ),
        ));
    }
    let uncharged = Money::from_cents(cost.charged_cents);
    let mut transaction_id = None;
    if let (Some(original), true) = (cost.transaction_id, uncharged.is_positive()) {
        let still_due = tx.balances(case_id).await?.of(Account::Costs);
        if still_due < uncharged {
            return Err(StoreError::refused(
                "cost_settled",
                format!(
                    "le débiteur a déjà réglé une partie de ces frais (reste dû en frais : {still_due} €, frais imputés : {uncharged} €) : \
                     réimputez d'abord son paiement"
                ),
            ));
        }
        let charge = ledger::charge(Account::Costs, uncharged).map_err(crate::ledger::refused_by_ledger)?;
        let reversal = recouvre_domain::ledger::Transaction::reversal_of(&charge);
        let reference = format!("annulation des frais n° {cost_id}, facture {}", cost.invoice_reference);
        transaction_id = Some(
            tx.book(Booking {
                case_id: Some(case_id),
                transaction: &reversal,
                booked_on: recouvre_domain::business_date::paris_date(now),
                reference: &reference,
                reverses: Some(original),
                actor,
                now,
            })
            .await?,
        );
    }
    if let Some(procedure_id) = cost.procedure_id {
        query("UPDATE procedures SET costs_cents = costs_cents - $2 WHERE id = $1")
            .bind(procedure_id)
            .bind(cost.amount_cents)
            .execute(&mut tx)
            .await?;
    }
    // Claimed only if not paid in between: a concurrent transfer export cannot pay it too.
    let cancelled = query("UPDATE accounts_payable SET status = 'cancelled' WHERE cost_id = $1 AND status <> 'paid'")
        .bind(cost_id)
        .execute(&mut tx)
        .await?;
    if cancelled.rows_affected() == 0 {
        return Err(StoreError::refused(
            "cost_paid_out",
            format!("la facture {} vient d'être payée au tiers : demandez-lui un avoir", cost.invoice_reference),
        ));
    }
    query(
        "UPDATE costs SET status = 'reversed', reversed_by = $2, reversed_at = $3, reversal_reason = $4, \
         reversal_transaction_id = $5 WHERE id = $1",
    )
    .bind(cost_id)
    .bind(actor)
    .bind(now)
    .bind(reason)
    .bind(transaction_id)
    .execute(&mut tx)
    .await?;
    let payload = json!({
        "cost_id": cost_id, "invoice_reference": cost.invoice_reference, "amount": Money::from_cents(cost.amount_cents),
        "uncharged": uncharged, "transaction_id": transaction_id, "reverses": cost.transaction_id, "reason": reason,
    });
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version: Some(expected_version),
            kind: EventKind::CostReversed,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(CostReversal {
        cost_id,
        transaction_id,
        uncharged,
        payable_status: "cancelled".to_string(),
        version: event.sequence,
    })
}

/// A cost as the case page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CostLine {
    pub id: i64,
    pub case_id: i64,
    pub procedure_id: Option<i64>,
    pub nature: String,
    pub third_party_id: i64,
    pub third_party_name: String,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    /// The total invoiced, VAT included (owed to the third party).
    pub amount_cents: i64,
    /// Excluding VAT, the VAT rate's code (`standard`, `not_subject`; none for a cost recorded
    /// before VAT was detailed, migration 0044), the rate in % and the VAT.
    pub amount_excl_vat_cents: Option<i64>,
    pub vat_rate_code: Option<String>,
    pub vat_rate: Option<String>,
    pub vat_cents: i64,
    pub charged_cents: i64,
    /// recorded, pending (waiting for approval), refused, reversed (entered by mistake).
    pub status: String,
    /// The account payable's status: open, approved, paid, refused, cancelled.
    pub payable_status: String,
    pub recorded_at: DateTime<Utc>,
}

const COST_COLUMNS: &str = "c.id, c.case_id, c.procedure_id, c.nature, c.third_party_id, t.name AS third_party_name, \
    c.invoice_reference, c.invoice_date, c.amount_cents, c.amount_excl_vat_cents, c.vat_rate_code, c.vat_rate, c.vat_cents, \
    c.charged_cents, c.status, p.status AS payable_status, c.recorded_at";

fn case_costs_sql() -> String {
    format!(
        "SELECT {COST_COLUMNS} FROM costs c JOIN third_parties t ON t.id = c.third_party_id \
         JOIN accounts_payable p ON p.cost_id = c.id WHERE c.case_id = $1 ORDER BY c.id DESC"
    )
}

/// A case's costs, newest first.
pub async fn case_costs(store: &Store, case_id: i64) -> Result<Vec<CostLine>> {
    query_as(case_costs_sql()).bind(case_id).fetch_all(store).await
}

impl Tx {
    /// A case's costs, newest first, read inside this transaction (the case page's snapshot).
    pub async fn case_costs(&mut self, case_id: i64) -> Result<Vec<CostLine>> {
        query_as(case_costs_sql()).bind(case_id).fetch_all(&mut *self).await
    }
}

/// One line of the account payable (accounting control).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Payable {
    pub id: i64,
    pub cost_id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub nature: String,
    pub third_party_id: i64,
    pub third_party_name: String,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    pub amount_cents: i64,
    pub charged_cents: i64,
    pub payee_iban: Option<String>,
    /// open (waiting for the cost's approval), approved (to pay), paid, refused.
    pub status: String,
    /// The transfer file that pays it.
    pub transferred_in: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The account payable, oldest first (of one status, or all), at most 1,000 lines.
pub async fn payables(store: &Store, status: Option<&str>) -> Result<Vec<Payable>> {
    query_as(
        "SELECT p.id, p.cost_id, c.case_id, k.reference AS case_reference, c.nature, p.third_party_id, \
         t.name AS third_party_name, c.invoice_reference, c.invoice_date, p.amount_cents, c.charged_cents, \
         p.payee_iban, p.status, p.transferred_in, p.created_at \
         FROM accounts_payable p JOIN costs c ON c.id = p.cost_id JOIN cases k ON k.id = c.case_id \
         JOIN third_parties t ON t.id = p.third_party_id \
         WHERE (CAST($1 AS TEXT) IS NULL OR p.status = CAST($1 AS TEXT)) ORDER BY p.id LIMIT 1000",
    )
    .bind(status)
    .fetch_all(store)
    .await
}
