//! AML/CFT vigilance (LCB-FT) on the money that repays debts: every payment booked on a case is
//! recorded with its payer and screened by the rules (`recouvre_domain::aml`) in the same
//! transaction; flagged payments become alerts that only compliance sees and decides.
//!
//! Nothing here ever reaches the debtor: alerts live outside the case journal, and officers see
//! that a case is under review only when compliance allows it (CMF L561-18: no tipping-off).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::aml::{AmlRules, CaseFacts, Channel};
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{in_list, query, query_as, query_scalar, MultiRow, ROWS_PER_STATEMENT_MAX};
use crate::ledger::Booking;
use crate::suspense::Clearing;
use crate::{Result, Store, StoreError, Tx};

/// Who paid, and how: what a statement or an officer knows of a payment.
#[derive(Debug, Clone, Default)]
pub struct Payer {
    pub name: Option<String>,
    pub iban: Option<String>,
    pub cash: bool,
    pub refund_to_other_account: bool,
}

/// The rules in force: the latest confirmed version of compliance's own table
/// (`aml_rule_sets`, TOML text), else the embedded defaults. The rules are not reference data:
/// administrators and officers never read them (no tipping-off on what is watched).
pub async fn rules(store: &Store) -> Result<AmlRules> {
    let latest: Option<String> = query_scalar(
        "SELECT rules FROM aml_rule_sets WHERE confirmed_by IS NOT NULL ORDER BY confirmed_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(store)
    .await?;
    match latest {
        None => Ok(AmlRules::embedded()),
        Some(text) => {
            AmlRules::from_toml(&text).map_err(|error| StoreError::Corrupt(format!("règles LCB-FT : {error}")))
        }
    }
}

/// A version of the vigilance rules, proposed by one member of compliance and in force once
/// another confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RuleSetRow {
    pub id: i64,
    pub rules: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Every version of the rules, latest first.
pub async fn rule_sets(store: &Store) -> Result<Vec<RuleSetRow>> {
    query_as(
        "SELECT id, rules, proposed_by, proposed_at, confirmed_by, confirmed_at FROM aml_rule_sets ORDER BY id DESC",
    )
    .fetch_all(store)
    .await
}

/// Proposes a version of the rules (validated by the caller); not in force until confirmed.
pub async fn propose_rules(store: &Store, rules: &str, actor: &str, now: DateTime<Utc>) -> Result<i64> {
    query_scalar("INSERT INTO aml_rule_sets (rules, proposed_by, proposed_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(rules)
        .bind(actor)
        .bind(now)
        .fetch_one(store)
        .await
}

/// Enters a version of the rules in force at once: the operator's command line (`recouvre
/// reference add aml_rules`), which has no second person to ask.
pub async fn enter_rules(store: &Store, rules: &str, actor: &str, now: DateTime<Utc>) -> Result<i64> {
    query_scalar(
        "INSERT INTO aml_rule_sets (rules, proposed_by, proposed_at, confirmed_by, confirmed_at) \
         VALUES ($1, $2, $3, $2, $3) RETURNING id",
    )
    .bind(rules)
    .bind(actor)
    .bind(now)
    .fetch_one(store)
    .await
}

/// Confirms a proposed version: by another member of compliance than its author (four eyes).
pub async fn confirm_rules(store: &Store, id: i64, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let row: Option<(String, Option<String>)> =
        query_as("SELECT proposed_by, confirmed_by FROM aml_rule_sets WHERE id = $1")
            .bind(id)
            .fetch_optional(store)
            .await?;
    let Some((proposed_by, confirmed_by)) = row else {
        return Err(StoreError::not_found(format!("version n° {id} des règles de vigilance")));
    };
    if confirmed_by.is_some() {
        return Err(StoreError::conflict(
            "already_decided",
            format!("la version n° {id} des règles est déjà en vigueur"),
        ));
    }
    if proposed_by == actor {
        return Err(StoreError::refused(
            "second_opinion_required",
            "un autre membre de la conformité doit confirmer ces règles",
        ));
    }
    let changed =
        query("UPDATE aml_rule_sets SET confirmed_by = $2, confirmed_at = $3 WHERE id = $1 AND confirmed_by IS NULL")
            .bind(id)
            .bind(actor)
            .bind(now)
            .execute(store)
            .await?
            .rows_affected();
    if changed == 0 {
        return Err(StoreError::conflict(
            "already_decided",
            format!("la version n° {id} des règles est déjà en vigueur"),
        ));
    }
    Ok(())
}

// Kept in `actor`, below both this module and `suspense` (which books compliance's transfers).
pub use crate::actor::SYSTEM_COMPLIANCE;

/// How compliance's acts (its members' logins and [`SYSTEM_COMPLIANCE`]) are shown to every
/// other role: as the suspense process's, the path released money takes. The recorded actor
/// `system:conformité` itself names compliance, which no officer may learn of (CMF L561-18;
/// tests/tipping_off.rs).
pub const SYSTEM_SHOWN: &str = "system:instance";

/// The logins of compliance's members (any state): their acts are shown as the system's to
/// every other role.
pub async fn compliance_logins(store: &Store) -> Result<std::collections::HashSet<String>> {
    let logins: Vec<String> =
        query_scalar("SELECT login FROM users WHERE role = 'compliance'").fetch_all(store).await?;
    Ok(logins.into_iter().collect())
}

/// SQL condition: `column` is not the login of a member of compliance, nor compliance acting as
/// the system ([`SYSTEM_COMPLIANCE`]).
pub(crate) fn not_compliance(column: &str) -> String {
    format!(
        "{column} <> '{SYSTEM_COMPLIANCE}' AND {column} NOT IN (SELECT u.login FROM users u WHERE u.role = 'compliance')"
    )
}

/// What the vigilance rules and the sanctions list said of a payment about to be booked.
#[derive(Debug, Clone)]
pub struct Screening {
    /// Triggered rules, in rule order, then the sanctions match if any.
    pub alerts: Vec<recouvre_domain::aml::Alert>,
    /// Hold the money in suspense until compliance decides instead of allocating it: a
    /// sanctions match always (CMF L562-4: funds of a listed person are frozen), any alert when
    /// the rules say `hold_flagged_payments`.
    pub hold: bool,
    /// A sanctions / asset-freeze match: the money is frozen (CMF L562-4), not merely held.
    pub frozen: bool,
}

impl Screening {
    /// The status of the suspense item that keeps the money while compliance decides.
    pub fn hold_status(&self) -> &'static str {
        if self.frozen {
            crate::suspense::AML_FROZEN
        } else {
            crate::suspense::AML_HOLD
        }
    }
}

/// The rules in force and the sanctions list in force, read once per import or booking.
#[derive(Debug, Clone)]
pub struct Vigilance {
    pub rules: AmlRules,
    pub sanctions: Option<(recouvre_domain::sanctions::SanctionsList, u8)>,
}

/// Reads the vigilance in force (rules and sanctions list).
pub async fn vigilance(store: &Store) -> Result<Vigilance> {
    Ok(Vigilance { rules: rules(store).await?, sanctions: crate::sanctions::current(store).await? })
}

/// A payment about to be booked on a case, as the vigilance rules screen and record it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IncomingPayment<'a> {
    pub case_id: i64,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub payer: &'a Payer,
    pub channel: Channel,
}

/// A screened payment to record with [`Tx::record_screening`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScreeningRecord<'a> {
    pub payment: &'a IncomingPayment<'a>,
    /// The ledger transaction that brought the money in: the allocation on the case, or the
    /// hold in suspense.
    pub transaction_id: i64,
    pub screening: &'a Screening,
    pub vigilance: &'a Vigilance,
    /// The suspense item holding the money, when it is held for compliance.
    pub held_item_id: Option<i64>,
    pub now: DateTime<Utc>,
}

impl Tx {
    /// Screens a payment about to be booked on a case, inside the booking transaction, before
    /// the money is allocated (so that a held payment never touches the case). The caller books
    /// or holds, then calls [`Tx::record_screening`].
    pub(crate) async fn assess(&mut self, payment: &IncomingPayment<'_>, vigilance: &Vigilance) -> Result<Screening> {
        let mut case = self.case_facts(payment.case_id).await?;
        case.due_before_payment = self.amount_due(payment.case_id).await?;
        let facts = payment_facts(payment.amount, payment.received_on, payment.payer, payment.channel);
        Ok(screen(vigilance, &facts, &case))
    }

    /// The facts of a case the rules read (three queries), with `due_before_payment` left at
    /// zero for the caller to set.
    pub(crate) async fn case_facts(&mut self, case_id: i64) -> Result<CaseFacts> {
        let (_, opened_on, income_cents): (i64, NaiveDate, i64) =
            query_as(format!("{CASE_SQL} = $1")).bind(case_id).fetch_one(&mut *self).await?;
        let parties: Vec<PartyRow> =
            query_as(format!("{PARTIES_SQL} = $1 {PARTIES_ORDER}")).bind(case_id).fetch_all(&mut *self).await?;
        let prior: Vec<PriorRow> =
            query_as(format!("{PRIOR_SQL} = $1 {PRIOR_ORDER}")).bind(case_id).fetch_all(&mut *self).await?;
        let mut case = case_facts_from(opened_on, income_cents);
        add_parties(&mut case, parties);
        add_prior_payments(&mut case, prior);
        Ok(case)
    }

    /// [`Tx::case_facts`] for many cases at once (the cases a statement pays): three queries per
    /// [`ROWS_PER_STATEMENT_MAX`] cases. A map from case id to its facts (due left at zero); an
    /// unknown id is absent.
    pub(crate) async fn case_facts_of_many(&mut self, case_ids: &[i64]) -> Result<HashMap<i64, CaseFacts>> {
        let mut facts: HashMap<i64, CaseFacts> = HashMap::with_capacity(case_ids.len());
        for chunk in case_ids.chunks(ROWS_PER_STATEMENT_MAX) {
            let cases: Vec<(i64, NaiveDate, i64)> = in_list(&format!("{CASE_SQL} IN ("), chunk.iter().copied(), ")")
                .build_query_as()
                .fetch_all(&mut *self)
                .await?;
            for (case_id, opened_on, income_cents) in cases {
                facts.insert(case_id, case_facts_from(opened_on, income_cents));
            }
            let parties: Vec<PartyRow> =
                in_list(&format!("{PARTIES_SQL} IN ("), chunk.iter().copied(), &format!(") {PARTIES_ORDER}"))
                    .build_query_as()
                    .fetch_all(&mut *self)
                    .await?;
            for row in parties {
                if let Some(case) = facts.get_mut(&row.0) {
                    add_parties(case, [row]);
                }
            }
            let prior: Vec<PriorRow> =
                in_list(&format!("{PRIOR_SQL} IN ("), chunk.iter().copied(), &format!(") {PRIOR_ORDER}"))
                    .build_query_as()
                    .fetch_all(&mut *self)
                    .await?;
            for row in prior {
                if let Some(case) = facts.get_mut(&row.0) {
                    add_prior_payments(case, [row]);
                }
            }
        }
        Ok(facts)
    }

    /// Records a screened payment (booked on its case, or held) and its alert, inside the
    /// booking transaction. Returns the new alert's id, if any.
    pub(crate) async fn record_screening(&mut self, record: ScreeningRecord<'_>) -> Result<Option<i64>> {
        let ScreeningRecord { payment, transaction_id, screening, vigilance, held_item_id, now } = record;
        let payment_id: i64 = query_scalar(
            "INSERT INTO payments_received (case_id, transaction_id, received_on, amount_cents, payer_name, \
             payer_iban, channel, cash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(payment.case_id)
        .bind(transaction_id)
        .bind(payment.received_on)
        .bind(payment.amount.cents())
        .bind(&payment.payer.name)
        .bind(&payment.payer.iban)
        .bind(channel_code(payment.channel))
        .bind(payment.payer.cash)
        .bind(now)
        .fetch_one(&mut *self)
        .await?;
        if screening.alerts.is_empty() {
            return Ok(None);
        }
        let flagged = Flagged {
            case_id: payment.case_id,
            payment_id,
            received_on: payment.received_on,
            alerts: &screening.alerts,
            held_item_id,
        };
        Ok(Some(self.raise_or_join(&flagged, vigilance, now).await?))
    }

    /// Raises an alert on a flagged payment, or adds the payment to the open alert of the same
    /// pattern: one debtor, one rule in common, within the rules' window (four split deposits
    /// make one alert listing the four payments, not four alerts). Returns the alert's id.
    pub(crate) async fn raise_or_join(
        &mut self,
        flagged: &Flagged<'_>,
        vigilance: &Vigilance,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let window_start =
            flagged.received_on - chrono::Duration::days(i64::from(vigilance.rules.window_days.max(1)) - 1);
        let candidates: Vec<(i64, String)> = query_as(
            "SELECT a.id, a.alerts FROM aml_alerts a JOIN payments_received p ON p.id = a.payment_id \
             WHERE a.case_id = $1 AND a.status IN ('open', 'close_proposed') AND p.received_on >= $2 ORDER BY a.id",
        )
        .bind(flagged.case_id)
        .bind(window_start)
        .fetch_all(&mut *self)
        .await?;
        let rules: Vec<&str> = flagged.alerts.iter().map(|alert| alert.rule.as_str()).collect();
        for (alert_id, text) in candidates {
            let mut existing: Vec<recouvre_domain::aml::Alert> =
                serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(error.to_string()))?;
            if !existing.iter().any(|alert| rules.contains(&alert.rule.as_str())) {
                continue;
            }
            for alert in flagged.alerts {
                match existing.iter_mut().find(|known| known.rule == alert.rule) {
                    // The latest facts of a rule already listed (the pattern's running totals).
                    Some(known) => *known = alert.clone(),
                    None => existing.push(alert.clone()),
                }
            }
            let score = recouvre_domain::aml::combined_score(&existing);
            query(
                "UPDATE aml_alerts SET alerts = $2, score = $3, held_item_id = COALESCE(held_item_id, $4) WHERE id = $1",
            )
            .bind(alert_id)
            .bind(crate::json_text(&existing))
            .bind(i64::from(score))
            .bind(flagged.held_item_id)
            .execute(&mut *self)
            .await?;
            self.add_alert_payment(alert_id, flagged.payment_id, flagged.held_item_id).await?;
            query(
                "INSERT INTO aml_alert_events (alert_id, kind, payload, actor, at) \
                 VALUES ($1, 'payment_added', $2, 'system:aml', $3)",
            )
            .bind(alert_id)
            .bind(json!({"payment_id": flagged.payment_id, "score": score, "rules": rules, "held_item_id": flagged.held_item_id}).to_string())
            .bind(now)
            .execute(&mut *self)
            .await?;
            return Ok(alert_id);
        }
        let score = recouvre_domain::aml::combined_score(flagged.alerts);
        let alert_id: i64 = query_scalar(
            "INSERT INTO aml_alerts (case_id, payment_id, score, alerts, rules_version, status, visible_to_officers, \
             held_item_id, created_at) VALUES ($1, $2, $3, $4, $5, 'open', FALSE, $6, $7) RETURNING id",
        )
        .bind(flagged.case_id)
        .bind(flagged.payment_id)
        .bind(i64::from(score))
        .bind(crate::json_text(&flagged.alerts))
        .bind(&vigilance.rules.version)
        .bind(flagged.held_item_id)
        .bind(now)
        .fetch_one(&mut *self)
        .await?;
        self.add_alert_payment(alert_id, flagged.payment_id, flagged.held_item_id).await?;
        query(
            "INSERT INTO aml_alert_events (alert_id, kind, payload, actor, at) \
             VALUES ($1, 'raised', $2, 'system:aml', $3)",
        )
        .bind(alert_id)
        .bind(json!({"score": score, "rules": rules, "held_item_id": flagged.held_item_id}).to_string())
        .bind(now)
        .execute(&mut *self)
        .await?;
        Ok(alert_id)
    }

    async fn add_alert_payment(&mut self, alert_id: i64, payment_id: i64, held_item_id: Option<i64>) -> Result<()> {
        query("INSERT INTO aml_alert_payments (alert_id, payment_id, held_item_id) VALUES ($1, $2, $3)")
            .bind(alert_id)
            .bind(payment_id)
            .bind(held_item_id)
            .execute(&mut *self)
            .await?;
        Ok(())
    }

    /// [`Tx::record_screening`] for many payments at once: the same rows, written by multi-row
    /// inserts. Empties `pending`.
    pub(crate) async fn record_screenings(
        &mut self,
        pending: &mut Vec<PendingRecord>,
        vigilance: &Vigilance,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // (transaction, payment): each payment has its own ledger transaction.
        let ids: Vec<(i64, i64)> = MultiRow::new(
            "INSERT INTO payments_received (case_id, transaction_id, received_on, amount_cents, payer_name, \
             payer_iban, channel, cash, created_at) ",
            9,
        )
        .tail(" RETURNING transaction_id, id")
        .fetch_all(self, pending, |values, record| {
            values
                .push(record.case_id)
                .push(record.transaction_id)
                .push(record.received_on)
                .push(record.amount.cents())
                .push(record.payer.name.as_deref())
                .push(record.payer.iban.as_deref())
                .push(channel_code(record.channel))
                .push(record.payer.cash)
                .push(now);
        })
        .await?;
        let payment_ids: HashMap<i64, i64> = ids.into_iter().collect();
        let flagged: Vec<(&PendingRecord, i64)> = pending
            .iter()
            .filter(|record| !record.screening.alerts.is_empty())
            .map(|record| (record, payment_ids[&record.transaction_id]))
            .collect();
        // One by one, in the order screened: a payment may join the alert an earlier payment
        // of the same statement raised (one alert per pattern).
        for (record, payment_id) in flagged {
            let flagged = Flagged {
                case_id: record.case_id,
                payment_id,
                received_on: record.received_on,
                alerts: &record.screening.alerts,
                held_item_id: record.held_item_id,
            };
            self.raise_or_join(&flagged, vigilance, now).await?;
        }
        pending.clear();
        Ok(())
    }
}

/// A flagged payment, recorded, to raise an alert on or add to one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flagged<'a> {
    pub case_id: i64,
    pub payment_id: i64,
    pub received_on: NaiveDate,
    pub alerts: &'a [recouvre_domain::aml::Alert],
    pub held_item_id: Option<i64>,
}

/// The facts of the payment being screened.
pub fn payment_facts(
    amount: Money,
    received_on: NaiveDate,
    payer: &Payer,
    channel: recouvre_domain::aml::Channel,
) -> recouvre_domain::aml::PaymentFacts {
    recouvre_domain::aml::PaymentFacts {
        amount,
        received_on,
        payer_name: payer.name.clone(),
        payer_iban: payer.iban.clone(),
        cash: payer.cash,
        channel,
        refund_to_other_account: payer.refund_to_other_account,
    }
}

/// What the rules read of a case: (opened on, debtor's monthly income in cents).
pub(crate) const CASE_SQL: &str =
    "SELECT c.id, c.opened_on, p.monthly_income_cents FROM cases c JOIN persons p ON p.id = c.debtor_id WHERE c.id";
/// Its parties: (case, last name, first name, IBAN).
pub(crate) const PARTIES_SQL: &str = "SELECT cp.case_id, p.last_name, p.first_name, p.iban FROM case_parties cp \
     JOIN persons p ON p.id = cp.person_id WHERE cp.case_id";
pub(crate) const PARTIES_ORDER: &str = "ORDER BY cp.case_id, cp.person_id, cp.role";
/// Its payments so far, oldest recorded first.
pub(crate) const PRIOR_SQL: &str =
    "SELECT case_id, received_on, amount_cents, payer_name, payer_iban FROM payments_received WHERE case_id";
pub(crate) const PRIOR_ORDER: &str = "ORDER BY id";

/// (case, last name, first name, IBAN).
pub(crate) type PartyRow = (i64, String, String, Option<String>);
/// (case, received on, amount in cents, payer name, payer IBAN).
pub(crate) type PriorRow = (i64, NaiveDate, i64, Option<String>, Option<String>);

/// A case's facts without its parties, payments and due (filled by the callers).
pub(crate) fn case_facts_from(opened_on: NaiveDate, income_cents: i64) -> recouvre_domain::aml::CaseFacts {
    recouvre_domain::aml::CaseFacts {
        opened_on,
        due_before_payment: Money::ZERO,
        debtor_monthly_income: Money::from_cents(income_cents),
        parties: Vec::new(),
        prior_payments: Vec::new(),
    }
}

/// Parties as the rules want them: "LAST First" (the capitals tell the last name).
pub(crate) fn add_parties(case: &mut recouvre_domain::aml::CaseFacts, rows: impl IntoIterator<Item = PartyRow>) {
    case.parties
        .extend(rows.into_iter().map(|(_, last, first, iban)| (format!("{} {first}", last.to_uppercase()), iban)));
}

pub(crate) fn add_prior_payments(case: &mut recouvre_domain::aml::CaseFacts, rows: impl IntoIterator<Item = PriorRow>) {
    case.prior_payments.extend(rows.into_iter().map(|(_, received_on, cents, payer_name, payer_iban)| {
        recouvre_domain::aml::PriorPayment { received_on, amount: Money::from_cents(cents), payer_name, payer_iban }
    }));
}

/// The pure part of the screening: the rules, then the sanctions list.
pub fn screen(
    vigilance: &Vigilance,
    payment: &recouvre_domain::aml::PaymentFacts,
    case: &recouvre_domain::aml::CaseFacts,
) -> Screening {
    let mut alerts = recouvre_domain::aml::evaluate(&vigilance.rules, payment, case);
    let mut listed = false;
    if let (Some((list, threshold_percent)), Some(name)) = (&vigilance.sanctions, &payment.payer_name) {
        if payment.amount.is_positive() {
            if let Some(found) = list.screen(name, *threshold_percent) {
                listed = true;
                alerts.push(recouvre_domain::aml::Alert {
                    rule: SANCTIONS_RULE.to_string(),
                    title: recouvre_domain::aml::rule_title(SANCTIONS_RULE).unwrap_or(SANCTIONS_RULE).to_string(),
                    score: 100,
                    facts: json!({"payer_name": name, "match": found, "threshold_percent": threshold_percent}),
                });
            }
        }
    }
    // A direct debit is pulled by the bank from the mandate's account: it is screened and
    // alerted, but not held (the collection was the bank's own act), unless the payer is listed.
    let hold_by_rules = payment.channel != recouvre_domain::aml::Channel::DirectDebit && vigilance.rules.holds(&alerts);
    let hold = listed || hold_by_rules;
    Screening { alerts, hold, frozen: listed }
}

/// The rule code of a match on the sanctions / asset-freeze list.
pub const SANCTIONS_RULE: &str = "sanctions_list";

/// A screened payment whose record waits for [`Tx::record_screenings`]: a statement's import writes
/// them by [`crate::bulk::ROWS_PER_STATEMENT_MAX`], in the order they were screened.
pub(crate) struct PendingRecord {
    pub case_id: i64,
    /// The ledger transaction that brought the money in (one per payment).
    pub transaction_id: i64,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub payer: Payer,
    pub channel: recouvre_domain::aml::Channel,
    pub screening: Screening,
    pub held_item_id: Option<i64>,
}

pub fn channel_code(channel: recouvre_domain::aml::Channel) -> &'static str {
    match channel {
        recouvre_domain::aml::Channel::Statement => "statement",
        recouvre_domain::aml::Channel::DirectDebit => "direct_debit",
        recouvre_domain::aml::Channel::Manual => "manual",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub score: i64,
    pub alerts: String,
    pub rules_version: String,
    pub status: String,
    pub assigned_to: Option<String>,
    pub close_proposed_by: Option<String>,
    pub close_reason: Option<String>,
    pub closed_by: Option<String>,
    pub sar_reference: Option<String>,
    pub sar_filed_on: Option<NaiveDate>,
    pub visible_to_officers: bool,
    pub amount_cents: i64,
    pub received_on: NaiveDate,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub channel: String,
    /// The suspense item holding the payment, when it was held for compliance.
    pub held_item_id: Option<i64>,
    /// `released` (to the case) or `returned` (to the payer), once decided.
    pub funds_decision: Option<String>,
    /// Frozen funds: who proposed their release (a second member of compliance confirms).
    pub release_proposed_by: Option<String>,
    /// The payments of the pattern (one debtor, one rule, one window) the alert groups.
    pub payment_count: i64,
    /// TRACFIN's opposition (CMF L561-24): notified on, blocking until (included).
    pub opposition_on: Option<NaiveDate>,
    pub opposition_until: Option<NaiveDate>,
}

const ALERT_SELECT: &str = "SELECT a.id, a.case_id, c.reference AS case_reference, a.score, a.alerts, a.rules_version, a.status, \
    a.assigned_to, a.close_proposed_by, a.close_reason, a.closed_by, a.sar_reference, a.sar_filed_on, a.visible_to_officers, \
    p.amount_cents, p.received_on, p.payer_name, p.payer_iban, p.channel, a.held_item_id, a.funds_decision, \
    a.release_proposed_by, (SELECT COUNT(*) FROM aml_alert_payments ap WHERE ap.alert_id = a.id) AS payment_count, \
    a.opposition_on, a.opposition_until \
    FROM aml_alerts a JOIN cases c ON c.id = a.case_id JOIN payments_received p ON p.id = a.payment_id";

/// Alerts not yet closed or reported, highest score first.
pub async fn open_alerts(store: &Store) -> Result<Vec<AlertRow>> {
    let sql = format!("{ALERT_SELECT} WHERE a.status IN ('open', 'close_proposed') ORDER BY a.score DESC, a.id");
    let rows = query_as(&sql).fetch_all(store).await?;
    Ok(rows)
}

/// Decided alerts whose held payment still waits for compliance to release or return it.
pub async fn held_awaiting_decision(store: &Store) -> Result<Vec<AlertRow>> {
    let sql = format!(
        "{ALERT_SELECT} WHERE a.held_item_id IS NOT NULL AND a.funds_decision IS NULL \
         AND (a.status IN ('closed', 'reported') OR a.release_proposed_by IS NOT NULL) ORDER BY a.id"
    );
    let rows = query_as(&sql).fetch_all(store).await?;
    Ok(rows)
}

pub async fn alert(store: &Store, id: i64) -> Result<AlertRow> {
    let sql = format!("{ALERT_SELECT} WHERE a.id = $1");
    let row: Option<AlertRow> = query_as(&sql).bind(id).fetch_optional(store).await?;
    row.ok_or_else(|| StoreError::not_found(format!("alerte n° {id}")))
}

/// Other payments of the same payer (by IBAN) on other cases: what compliance investigates.
pub async fn same_payer_elsewhere(store: &Store, alert_id: i64) -> Result<Vec<(i64, NaiveDate, i64)>> {
    let row = alert(store, alert_id).await?;
    let Some(iban) = row.payer_iban else { return Ok(Vec::new()) };
    let rows = {
        query_as(
        "SELECT case_id, received_on, amount_cents FROM payments_received WHERE payer_iban = $1 AND case_id <> $2 ORDER BY received_on"
    )
    .bind(iban)
    .bind(row.case_id)
    .fetch_all(store)
    .await?
    };
    Ok(rows)
}

async fn record(
    store: &Store,
    alert_id: i64,
    kind: &str,
    payload: serde_json::Value,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    query("INSERT INTO aml_alert_events (alert_id, kind, payload, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(alert_id)
        .bind(kind)
        .bind(payload.to_string())
        .bind(actor)
        .bind(now)
        .execute(store)
        .await?;
    Ok(())
}

/// The trail of an alert: (kind, payload, actor, at).
pub async fn trail(store: &Store, alert_id: i64) -> Result<Vec<(String, String, String, DateTime<Utc>)>> {
    let rows = query_as("SELECT kind, payload, actor, at FROM aml_alert_events WHERE alert_id = $1 ORDER BY id")
        .bind(alert_id)
        .fetch_all(store)
        .await?;
    Ok(rows)
}

pub async fn assign(store: &Store, alert_id: i64, to: &str, actor: &str, now: DateTime<Utc>) -> Result<()> {
    let changed =
        query("UPDATE aml_alerts SET assigned_to = $2 WHERE id = $1 AND status IN ('open', 'close_proposed')")
            .bind(alert_id)
            .bind(to)
            .execute(store)
            .await?
            .rows_affected();
    if changed == 0 {
        return Err(StoreError::conflict("already_decided", format!("l'alerte n° {alert_id} n'est plus ouverte")));
    }
    record(store, alert_id, "assigned", json!({"to": to}), actor, now).await
}

/// What a closing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    Closed,
    /// A high-score alert: closed once a second compliance officer confirms.
    AwaitingSecondOpinion,
}

/// Closes an alert with a reason. At or above the rules' high score, two different people must
/// agree: the first proposes, another confirms (four eyes).
pub async fn close(
    store: &Store,
    alert_id: i64,
    reason: &str,
    high_score: u8,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Closing> {
    if reason.trim().is_empty() {
        return Err(StoreError::refused("reason_required", "indiquez le motif du classement"));
    }
    let row = alert(store, alert_id).await?;
    let high = row.score >= i64::from(high_score);
    let outcome = match (row.status.as_str(), high) {
        ("open", true) => {
            query(
                "UPDATE aml_alerts SET status = 'close_proposed', close_proposed_by = $2, close_reason = $3 WHERE id = $1 AND status = 'open'",
            )
            .bind(alert_id)
            .bind(actor)
            .bind(reason.trim())
            .execute(store)
            .await?;
            Closing::AwaitingSecondOpinion
        }
        ("open", false) | ("close_proposed", _) => {
            if row.close_proposed_by.as_deref() == Some(actor) {
                return Err(StoreError::refused(
                    "second_opinion_required",
                    "alerte à score élevé : un autre membre de la conformité doit confirmer le classement",
                ));
            }
            query(
                "UPDATE aml_alerts SET status = 'closed', closed_by = $2, closed_at = $3, \
                 close_reason = COALESCE(close_reason || ' / ', '') || $4 WHERE id = $1 AND status IN ('open', 'close_proposed')",
            )
            .bind(alert_id)
            .bind(actor)
            .bind(now)
            .bind(reason.trim())
            .execute(store)
            .await?;
            Closing::Closed
        }
        (status, _) => {
            return Err(StoreError::conflict(
                "already_decided",
                format!("l'alerte n° {alert_id} est déjà traitée ({status})"),
            ))
        }
    };
    record(store, alert_id, "close", json!({"reason": reason.trim(), "outcome": outcome}), actor, now).await?;
    Ok(outcome)
}

/// Records that a suspicious activity report (déclaration de soupçon, CMF L561-15) was filed.
pub async fn file_report(
    store: &Store,
    alert_id: i64,
    reference: &str,
    filed_on: NaiveDate,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if reference.trim().is_empty() {
        return Err(StoreError::refused("reference_required", "indiquez la référence de la déclaration"));
    }
    let changed = {
        query(
        "UPDATE aml_alerts SET status = 'reported', sar_reference = $2, sar_filed_on = $3, closed_by = $4, closed_at = $5 \
         WHERE id = $1 AND status IN ('open', 'close_proposed')"
    )
    .bind(alert_id)
    .bind(reference.trim())
    .bind(filed_on)
    .bind(actor)
    .bind(now)
    .execute(store)
    .await?
    .rows_affected()
    };
    if changed == 0 {
        return Err(StoreError::conflict("already_decided", format!("l'alerte n° {alert_id} est déjà traitée")));
    }
    record(store, alert_id, "reported", json!({"reference": reference.trim(), "filed_on": filed_on}), actor, now).await
}

/// What compliance does with a payment held for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FundsDecision {
    /// Allocate the money to its case, as the payment it was (journaled on the case).
    Release,
    /// Send it back to the payer (a refund from the suspense ledger).
    Return,
}

/// What a decision on held money did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FundsOutcome {
    /// Released to the case or returned to the payer.
    Done,
    /// Frozen funds: the release is proposed, and done once another member of compliance confirms.
    AwaitingSecondOpinion,
}

/// A Treasury (DG Trésor) authorisation to release frozen funds (CMF L562-11), as compliance
/// records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TreasuryAuthorisation {
    pub id: i64,
    pub alert_id: i64,
    pub reference: String,
    pub granted_on: NaiveDate,
    pub scope: String,
    pub document: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// What compliance records of a Treasury authorisation.
#[derive(Debug, Clone, Copy)]
pub struct NewAuthorisation<'a> {
    pub reference: &'a str,
    pub granted_on: NaiveDate,
    pub scope: &'a str,
    pub document: &'a str,
}

/// Records the Treasury's authorisation to release the frozen funds of an alert.
pub async fn record_authorisation(
    store: &Store,
    alert_id: i64,
    authorisation: NewAuthorisation<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    alert(store, alert_id).await?;
    let id: i64 = query_scalar(
        "INSERT INTO aml_treasury_authorisations (alert_id, reference, granted_on, scope, document, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(alert_id)
    .bind(authorisation.reference)
    .bind(authorisation.granted_on)
    .bind(authorisation.scope)
    .bind(authorisation.document)
    .bind(actor)
    .bind(now)
    .fetch_one(store)
    .await?;
    record(
        store,
        alert_id,
        "treasury_authorisation",
        json!({"id": id, "reference": authorisation.reference, "granted_on": authorisation.granted_on}),
        actor,
        now,
    )
    .await?;
    Ok(id)
}

/// The Treasury authorisations recorded for an alert, oldest first.
pub async fn authorisations(store: &Store, alert_id: i64) -> Result<Vec<TreasuryAuthorisation>> {
    query_as(
        "SELECT id, alert_id, reference, granted_on, scope, document, recorded_by, recorded_at \
         FROM aml_treasury_authorisations WHERE alert_id = $1 ORDER BY id",
    )
    .bind(alert_id)
    .fetch_all(store)
    .await
}

/// The suspense items keeping the payments of an alert: (item id, status).
async fn held_items(store: &Store, alert_id: i64) -> Result<Vec<(i64, String)>> {
    query_as(
        "SELECT s.id, s.status FROM aml_alert_payments ap JOIN suspense_items s ON s.id = ap.held_item_id \
         WHERE ap.alert_id = $1 ORDER BY s.id",
    )
    .bind(alert_id)
    .fetch_all(store)
    .await
}

/// Decides what becomes of held money, once the alert itself is decided (closed, or reported
/// to TRACFIN: compliance then waits for any opposition, CMF L561-24, before acting). One
/// transaction: the alert, the suspense items and the ledger move together.
///
/// Frozen funds (a sanctions match, CMF L562-4) are never returned, and are released only on
/// a recorded Treasury authorisation, proposed by one member of compliance and confirmed by
/// another — unless two of them closed the alert as a false positive, the money then being an
/// ordinary payment.
///
/// Released money reaches its case exactly as a suspense item assigned later does, with the
/// system as actor: the case journal names no member of compliance (CMF L561-18).
pub async fn decide_funds(
    store: &Store,
    alert_id: i64,
    decision: FundsDecision,
    report_hold_working_days: u32,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<FundsOutcome> {
    let row = alert(store, alert_id).await?;
    let tracfin = tracfin_block(&row, report_hold_working_days, recouvre_domain::business_date::paris_date(now));
    let items = held_items(store, alert_id).await?;
    if items.is_empty() {
        return Err(StoreError::refused("no_funds_held", format!("l'alerte n° {alert_id} ne retient aucun paiement")));
    }
    let frozen = items.iter().any(|(_, status)| status == crate::suspense::AML_FROZEN);
    // A false positive closed by two members of compliance (a sanctions match always scores
    // the maximum, so its closing always took two): the money is an ordinary payment.
    let false_positive = row.status == "closed";
    let by_treasury = frozen && !false_positive;
    if by_treasury {
        if decision == FundsDecision::Return {
            return Err(StoreError::refused(
                "funds_frozen",
                "fonds gelés (CMF L562-4) : ils ne peuvent être restitués ; seul le Trésor autorise leur déblocage",
            ));
        }
        if authorisations(store, alert_id).await?.is_empty() {
            return Err(StoreError::refused(
                "treasury_authorisation_required",
                "fonds gelés (CMF L562-4) : enregistrez d'abord l'autorisation de déblocage du Trésor \
                 (référence, date, périmètre, document)",
            ));
        }
        tracfin?;
        if row.funds_decision.is_none() {
            match row.release_proposed_by.as_deref() {
                None => {
                    let proposed = query(
                        "UPDATE aml_alerts SET release_proposed_by = $2 WHERE id = $1 AND release_proposed_by IS NULL \
                         AND funds_decision IS NULL",
                    )
                    .bind(alert_id)
                    .bind(actor)
                    .execute(store)
                    .await?;
                    if proposed.rows_affected() == 0 {
                        return Err(StoreError::conflict(
                            "already_decided",
                            format!("le déblocage des fonds de l'alerte n° {alert_id} est déjà proposé"),
                        ));
                    }
                    record(store, alert_id, "release_proposed", json!({}), actor, now).await?;
                    return Ok(FundsOutcome::AwaitingSecondOpinion);
                }
                Some(proposer) if proposer == actor => {
                    return Err(StoreError::refused(
                        "second_opinion_required",
                        "fonds gelés : un autre membre de la conformité doit confirmer le déblocage",
                    ));
                }
                Some(_) => {}
            }
        }
    } else if !matches!(row.status.as_str(), "closed" | "reported") {
        return Err(StoreError::refused(
            "alert_undecided",
            "décidez d'abord de l'alerte (classement ou déclaration de soupçon), puis du sort des fonds",
        ));
    } else {
        tracfin?;
    }
    let code = match decision {
        FundsDecision::Release => "released",
        FundsDecision::Return => "returned",
    };
    let mut tx = store.begin().await?;
    let claimed = query("UPDATE aml_alerts SET funds_decision = $2 WHERE id = $1 AND funds_decision IS NULL")
        .bind(alert_id)
        .bind(code)
        .execute(&mut tx)
        .await?;
    if claimed.rows_affected() == 0 {
        return Err(StoreError::conflict(
            "already_decided",
            format!("le sort des fonds de l'alerte n° {alert_id} est déjà décidé"),
        ));
    }
    if by_treasury {
        // The Treasury's authorisation decides the alert too.
        query(
            "UPDATE aml_alerts SET status = 'closed', closed_by = $2, closed_at = $3, \
             close_reason = COALESCE(close_reason || ' / ', '') || 'déblocage autorisé par le Trésor' \
             WHERE id = $1 AND status IN ('open', 'close_proposed')",
        )
        .bind(alert_id)
        .bind(actor)
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    let status = match decision {
        FundsDecision::Release => "assigned",
        FundsDecision::Return => "returned",
    };
    let mut total = Money::ZERO;
    let today = recouvre_domain::business_date::paris_date(now);
    for (item_id, item_status) in &items {
        let item_id = *item_id;
        let item: Option<(i64, NaiveDate, Option<String>)> = query_as(
            "UPDATE suspense_items SET status = $2, case_id = $3, resolved_by = $4, resolved_at = $5 \
             WHERE id = $1 AND status IN ('aml_hold', 'aml_frozen') RETURNING amount_cents, received_on, reference",
        )
        .bind(item_id)
        .bind(status)
        .bind(row.case_id)
        .bind(SYSTEM_COMPLIANCE)
        .bind(now)
        .fetch_optional(&mut tx)
        .await?;
        let Some((amount_cents, received_on, reference)) = item else {
            return Err(StoreError::Corrupt(format!("l'élément n° {item_id} n'est plus retenu")));
        };
        let amount = Money::from_cents(amount_cents);
        total += amount;
        if item_status == crate::suspense::AML_FROZEN {
            // Off the frozen-funds account, back to suspense, in the release's transaction.
            tx.unfreeze_item(item_id, amount, today, now).await?;
        }
        match decision {
            FundsDecision::Release => {
                let clearing = Clearing {
                    item_id,
                    case_id: row.case_id,
                    amount,
                    received_on,
                    reference: reference.as_deref(),
                    actor: SYSTEM_COMPLIANCE,
                    now,
                };
                tx.clear_to_case(clearing).await?;
            }
            FundsDecision::Return => {
                let note = format!("retour instance n° {item_id}");
                let transaction =
                    crate::suspense::release_transaction(amount, recouvre_domain::ledger::TransactionKind::Refund)?;
                tx.book(Booking {
                    case_id: None,
                    transaction: &transaction,
                    booked_on: today,
                    reference: &note,
                    reverses: None,
                    actor: SYSTEM_COMPLIANCE,
                    now,
                })
                .await?;
            }
        }
    }
    let item_ids: Vec<i64> = items.iter().map(|(id, _)| *id).collect();
    query("INSERT INTO aml_alert_events (alert_id, kind, payload, actor, at) VALUES ($1, 'funds', $2, $3, $4)")
        .bind(alert_id)
        .bind(json!({"decision": code, "suspense_items": item_ids, "amount": total}).to_string())
        .bind(actor)
        .bind(now)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(FundsOutcome::Done)
}

/// Whether a report to TRACFIN still blocks the money on `today`: the bank's period after the
/// report (a policy value of the rules), then TRACFIN's opposition (CMF L561-24).
fn tracfin_block(row: &AlertRow, report_hold_working_days: u32, today: NaiveDate) -> Result<()> {
    let french = |day: NaiveDate| day.format("%d/%m/%Y").to_string();
    if let Some(filed_on) = row.sar_filed_on {
        let until = recouvre_domain::calendar::add_working_days(
            filed_on,
            report_hold_working_days,
            recouvre_domain::calendar::Region::General,
        );
        if today < until {
            return Err(StoreError::refused(
                "report_hold_period",
                format!(
                    "déclaration de soupçon du {} : selon la politique de la banque, les fonds restent retenus \
                     jusqu'au {} ; décidez-en à partir de cette date",
                    french(filed_on),
                    french(until)
                ),
            ));
        }
    }
    if let Some(until) = row.opposition_until.filter(|until| today <= *until) {
        return Err(StoreError::refused(
            "tracfin_opposition",
            format!("opposition de TRACFIN (CMF L561-24) : l'opération est bloquée jusqu'au {} inclus", french(until)),
        ));
    }
    Ok(())
}

/// Records TRACFIN's opposition to a reported operation (CMF L561-24), notified on
/// `notified_on`: the money is blocked for ten jours ouvrables from that day, or until the date
/// of the judge's extension. Returns the last day blocked.
pub async fn record_opposition(
    store: &Store,
    alert_id: i64,
    notified_on: NaiveDate,
    extended_until: Option<NaiveDate>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<NaiveDate> {
    let row = alert(store, alert_id).await?;
    if row.status != "reported" {
        return Err(StoreError::refused(
            "not_reported",
            "TRACFIN ne s'oppose qu'à une opération déclarée : enregistrez d'abord la déclaration de soupçon",
        ));
    }
    let until = extended_until.unwrap_or_else(|| {
        recouvre_domain::calendar::add_jours_ouvrables(
            notified_on,
            OPPOSITION_JOURS_OUVRABLES,
            recouvre_domain::calendar::Region::General,
        )
    });
    query("UPDATE aml_alerts SET opposition_on = $2, opposition_until = $3 WHERE id = $1")
        .bind(alert_id)
        .bind(notified_on)
        .bind(until)
        .execute(store)
        .await?;
    record(
        store,
        alert_id,
        "opposition",
        json!({"notified_on": notified_on, "extended_until": extended_until, "until": until}),
        actor,
        now,
    )
    .await?;
    Ok(until)
}

/// CMF L561-24: TRACFIN's opposition postpones the operation by ten jours ouvrables.
pub const OPPOSITION_JOURS_OUVRABLES: u32 = 10;

/// The declaration of frozen funds to the Treasury (CMF L562-4 and following, R562-3): the
/// amount frozen, the person, the list entry matched, the date of the freeze.
pub async fn freeze_declaration(store: &Store, alert_id: i64) -> Result<serde_json::Value> {
    let row = alert(store, alert_id).await?;
    /// (suspense item, received on, amount in cents, payer name, payer IBAN, status)
    type FrozenRow = (i64, NaiveDate, i64, Option<String>, Option<String>, String);
    let frozen: Vec<FrozenRow> = query_as(
        "SELECT s.id, s.received_on, s.amount_cents, s.payer_name, s.payer_iban, s.status \
         FROM aml_alert_payments ap JOIN suspense_items s ON s.id = ap.held_item_id \
         WHERE ap.alert_id = $1 ORDER BY s.id",
    )
    .bind(alert_id)
    .fetch_all(store)
    .await?;
    let alerts: Vec<recouvre_domain::aml::Alert> =
        serde_json::from_str(&row.alerts).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let Some(matched) = alerts.iter().find(|alert| alert.rule == SANCTIONS_RULE) else {
        return Err(StoreError::refused(
            "not_a_freeze",
            format!("l'alerte n° {alert_id} n'est pas une correspondance avec une liste de gel"),
        ));
    };
    let amount: i64 = frozen.iter().map(|item| item.2).sum();
    Ok(json!({
        "format": "recouvre-gel/1",
        "alert_id": row.id,
        "case_reference": row.case_reference,
        "person": {"name": row.payer_name, "iban": row.payer_iban},
        "list_entry": matched.facts.get("match"),
        "amount": Money::from_cents(amount),
        // The ledger account the funds are kept on while frozen (docs/formats/accounting-csv.md).
        "account": recouvre_domain::ledger::Account::AmlFrozen.code(),
        "frozen_on": frozen.iter().map(|item| item.1).min().unwrap_or(row.received_on),
        "payments": frozen.iter().map(|(id, on, cents, name, iban, status)| json!({
            "suspense_item": id, "received_on": on, "amount": Money::from_cents(*cents),
            "payer_name": name, "payer_iban": iban, "still_frozen": status == crate::suspense::AML_FROZEN,
        })).collect::<Vec<_>>(),
    }))
}

/// Lets officers see (or no longer see) that a case is under review.
pub async fn set_visibility(
    store: &Store,
    alert_id: i64,
    visible: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    query("UPDATE aml_alerts SET visible_to_officers = $2 WHERE id = $1")
        .bind(alert_id)
        .bind(visible)
        .execute(store)
        .await?;
    record(store, alert_id, "visibility", json!({"visible_to_officers": visible}), actor, now).await
}

impl Tx {
    /// Whether compliance lets officers see that the case is under review, read inside this transaction.
    pub async fn visible_review(&mut self, case_id: i64) -> Result<bool> {
        let count: i64 = {
            query_scalar(
            "SELECT COUNT(*) FROM aml_alerts WHERE case_id = $1 AND visible_to_officers AND status IN ('open', 'close_proposed')"
        )
        .bind(case_id)
        .fetch_one(&mut *self)
        .await?
        };
        Ok(count > 0)
    }
}

/// The content of a suspicious activity report, for the bank's reporting tool
/// (docs/formats/sar-json.md).
pub async fn report_export(store: &Store, alert_id: i64) -> Result<serde_json::Value> {
    let row = alert(store, alert_id).await?;
    let (last_name, first_name, birth_date, address, postcode, city): (
        String,
        String,
        Option<NaiveDate>,
        String,
        String,
        String,
    ) = query_as(
        "SELECT p.last_name, p.first_name, p.birth_date, p.address_line, p.postcode, p.city FROM cases c \
             JOIN persons p ON p.id = c.debtor_id WHERE c.id = $1",
    )
    .bind(row.case_id)
    .fetch_one(store)
    .await?;
    /// (received on, amount in cents, payer name, payer IBAN, channel)
    type PaymentRow = (NaiveDate, i64, Option<String>, Option<String>, String);
    let payments: Vec<PaymentRow> = {
        query_as(
        "SELECT received_on, amount_cents, payer_name, payer_iban, channel FROM payments_received WHERE case_id = $1 ORDER BY received_on, id"
    )
    .bind(row.case_id)
    .fetch_all(store)
    .await?
    };
    let alerts: serde_json::Value =
        serde_json::from_str(&row.alerts).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    Ok(json!({
        "format": "recouvre-sar/1",
        "alert_id": row.id,
        "case_reference": row.case_reference,
        "score": row.score,
        "rules_version": row.rules_version,
        "rules": alerts,
        "subject": {"last_name": last_name, "first_name": first_name, "birth_date": birth_date,
                     "address": address, "postcode": postcode, "city": city},
        "flagged_payment": {"received_on": row.received_on, "amount": Money::from_cents(row.amount_cents),
                            "payer_name": row.payer_name, "payer_iban": row.payer_iban, "channel": row.channel},
        "payments": payments.into_iter().map(|(on, cents, name, iban, channel)| json!({
            "received_on": on, "amount": Money::from_cents(cents), "payer_name": name, "payer_iban": iban, "channel": channel,
        })).collect::<Vec<_>>(),
        "status": row.status,
        "sar_reference": row.sar_reference,
        "sar_filed_on": row.sar_filed_on,
        "payments_in_alert": row.payment_count,
        "opposition": {"notified_on": row.opposition_on, "blocked_until": row.opposition_until},
    }))
}

/// A month of vigilance, for the compliance officer and the committees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthlyReport {
    pub month: String,
    pub alerts: u64,
    /// Alerts raised in the month, by rule (an alert may count under several rules).
    pub by_rule: std::collections::BTreeMap<String, u64>,
    /// By outcome: open, close_proposed, closed, reported.
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// Mean hours from the alert to its decision, over the alerts decided.
    pub mean_hours_to_decision: Option<i64>,
    pub reports_filed: u64,
}

/// The alerts raised in a month (`YYYY-MM`).
pub async fn monthly_report(store: &Store, month: &str) -> Result<MonthlyReport> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| StoreError::invalid_field("month", format!("mois « {month} » invalide : attendu AAAA-MM")))?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| StoreError::invalid_field("month", format!("mois « {month} » hors du calendrier")))?;
    // Business days: a month begins at midnight in Paris.
    let start = recouvre_domain::business_date::paris_day_start(first);
    let end = recouvre_domain::business_date::paris_day_start(next);
    type Row = (String, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<NaiveDate>);
    let rows: Vec<Row> = {
        query_as(
        "SELECT alerts, status, created_at, closed_at, sar_filed_on FROM aml_alerts WHERE created_at >= $1 AND created_at < $2"
    )
    .bind(start)
    .bind(end)
    .fetch_all(store)
    .await?
    };
    let mut report = MonthlyReport { month: month.to_string(), ..MonthlyReport::default() };
    let mut decided_hours = Vec::new();
    for (alerts, status, created_at, closed_at, sar_filed_on) in rows {
        report.alerts += 1;
        *report.by_status.entry(status).or_default() += 1;
        let rules: Vec<serde_json::Value> =
            serde_json::from_str(&alerts).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        for rule in rules {
            *report.by_rule.entry(rule["rule"].as_str().unwrap_or("?").to_string()).or_default() += 1;
        }
        if let Some(closed_at) = closed_at {
            decided_hours.push((closed_at - created_at).num_hours());
        }
        report.reports_filed += u64::from(sar_filed_on.is_some());
    }
    if !decided_hours.is_empty() {
        report.mean_hours_to_decision = Some(decided_hours.iter().sum::<i64>() / decided_hours.len() as i64);
    }
    Ok(report)
}
