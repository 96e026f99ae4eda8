//! Booking the credits of a bank statement: each finds its case or waits in suspense, once.
//!
//! Matching, most confident first:
//! 1. the structured creditor reference our letters print (ISO 11649 `RF…`, decoded by the
//!    caller into a case number): the case itself;
//! 2. the payer's IBAN, known as the debtor's (or a co-debtor's or guarantor's) on exactly one
//!    open case;
//! 3. otherwise the money goes to suspense, with a suggested case when the payer's name
//!    matches exactly one open case's debtor (an officer confirms it).
//!
//! A matched credit far above what its case owes, or booked outside the window around the
//! import's business date, is not booked either: it goes to suspense with the rule it broke
//! (`recouvre_domain::plausibility`, issue 22); the statement is never refused for it.
//!
//! Each match has a confidence score ([`confidence_percent`]); only matches at or above
//! [`BOOKING_THRESHOLD_PERCENT`] are booked without an officer.
//!
//! A statement is imported in one transaction ([`import`]): its credits booked and the returns
//! of our direct debits it reports applied (`crate::direct_debits`), all or nothing; an entry
//! already booked (same key, from this or another file) is skipped and a return already
//! applied is not applied again, so importing a statement twice books nothing twice. The store
//! receives values ([`Credit`], `DebitReturn`): reading the camt file is the application's.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::allocation::AllocationOrder;
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger;
use recouvre_domain::plausibility;
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::db::{in_list, query, query_scalar, ROWS_PER_STATEMENT_MAX};
use crate::direct_debits::{DebitReturn, ReturnOutcome};
use crate::journal::CaseEvent;
use crate::ledger::Booking;
use crate::suspense::Held;
use crate::transfer_returns::{TransferReturn, TransferReturnOutcome};
use crate::{Result, Store, StoreError, Tx};

/// Confidence of a match, in percent: a reference our letters printed is certain; an IBAN known
/// on one open case is very likely the debtor (or a co-debtor) paying; a name alone is a guess.
pub fn confidence_percent(matched_by: &str) -> u8 {
    match matched_by {
        "creditor_reference" => 100,
        "payer_iban" => 90,
        "payer_name" => 50,
        _ => 0,
    }
}

/// Matches below this confidence wait in suspense for an officer.
pub const BOOKING_THRESHOLD_PERCENT: u8 = 80;

/// A credit read from a statement, in the form the store needs.
#[derive(Debug, Clone)]
pub struct Credit {
    /// Stable identity of the entry across files.
    pub key: String,
    pub line: u32,
    pub amount: Money,
    pub booked_on: NaiveDate,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub remittance: Option<String>,
    /// The case number decoded from a valid ISO 11649 creditor reference, if any.
    pub case_reference: Option<String>,
    /// A cash deposit (bank transaction code), for the vigilance rules.
    pub cash: bool,
}

/// What happened to one credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CreditOutcome {
    Booked {
        case_id: i64,
        matched_by: &'static str,
        confidence_percent: u8,
    },
    Suspense {
        item_id: i64,
        reason: String,
        suggested_case_id: Option<i64>,
    },
    AlreadyBooked,
    /// Held or frozen for compliance: nothing more, no case, no payer, no reason, no item (CMF
    /// L561-18). Only accounting control imports statements; it knows this money as the opaque
    /// line « sommes en attente (conformité) » of its controls.
    HeldCompliance,
}

impl CreditOutcome {
    /// The outcome's code, as the API's `outcome` says it.
    pub fn code(&self) -> &'static str {
        match self {
            CreditOutcome::Booked { .. } => "booked",
            CreditOutcome::Suspense { .. } => "suspense",
            CreditOutcome::AlreadyBooked => "already_booked",
            CreditOutcome::HeldCompliance => "held_compliance",
        }
    }

    /// The outcome in French, for the screens and the command line.
    pub fn label(&self) -> &'static str {
        match self {
            CreditOutcome::Booked { .. } => "affecté au dossier",
            CreditOutcome::Suspense { .. } => "au compte d'instance",
            CreditOutcome::AlreadyBooked => "déjà comptabilisé",
            CreditOutcome::HeldCompliance => "en attente (conformité)",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatementOutcome {
    pub booked: u64,
    pub suspense: u64,
    pub already_booked: u64,
    /// Payments the vigilance rules flagged (for compliance only; never shown to officers).
    #[serde(skip)]
    pub flagged: u64,
    /// Returned direct debits applied (a return already applied is not counted).
    pub returns_applied: u64,
    /// Our transfers out returned by the beneficiary's bank and reversed (a return already
    /// applied is not counted).
    pub transfers_reversed: u64,
    pub booked_amount: Money,
    pub suspense_amount: Money,
    /// Credits held or frozen for compliance, and their sum: outside the suspense figures, so
    /// that the statement still adds up for accounting control (booked + suspense + held).
    pub held_compliance: u64,
    pub held_compliance_amount: Money,
    pub credits: Vec<(u32, CreditOutcome)>,
}

/// A statement file to import, as values: its credits to book and the returns of our direct
/// debits it reports. The application reads the file (`recouvre_app::statements`).
#[derive(Debug, Clone, Copy)]
pub struct StatementFile<'a> {
    pub file_name: &'a str,
    /// The SHA-256 of the file's bytes, in hex: the file is recorded once in `imports`.
    pub file_sha256: &'a str,
    pub credits: &'a [Credit],
    pub returns: &'a [DebitReturn],
    /// Credits that are our own transfers out coming back (the beneficiary's bank returned
    /// them, quoting our `RCV-TRF-…` end-to-end id): reversed, not booked as payments
    /// (`crate::transfer_returns`).
    pub transfer_returns: &'a [TransferReturn],
}

/// Imports a statement file in ONE transaction, all or nothing: records the file (`imports`,
/// kind `statement`, once per SHA-256), books its credits (each matched credit screened by the
/// vigilance rules and the sanctions list first, `crate::aml`), then applies the returns of our
/// direct debits it reports (`Tx::apply_return`). If anything fails — a credit, or a return of
/// a collection Recouvre did not make — nothing of the file is written, and the error names the
/// file and the entry's line.
///
/// Idempotent: an entry already booked (same key, from this or another file) is not booked
/// again, a return already applied is not applied again, so importing the same file twice
/// books nothing twice.
pub async fn import(
    store: &Store,
    file: &StatementFile<'_>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<StatementOutcome> {
    let vigilance = crate::aml::vigilance(store).await?;
    let mut tx = store.begin().await?;
    // Claim the file first: a concurrent import of the same file waits here, then finds its
    // entries booked. A file imported before is imported again (its entries are all known), so
    // that its outcome says what became of each.
    query(
        "INSERT INTO imports (kind, file_name, file_sha256, lines, cases_created, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (kind, file_sha256) DO NOTHING",
    )
    .bind(IMPORT_KIND)
    .bind(file.file_name)
    .bind(file.file_sha256)
    .bind((file.credits.len() + file.returns.len()) as i64)
    .bind(actor)
    .bind(now)
    .execute(&mut tx)
    .await?;
    let mut time = VigilanceTime::default();
    let mut outcome = tx.book_credits(file.file_name, file.credits, Some(&vigilance), &mut time, actor, now).await?;
    for debit_return in file.returns {
        let applied = tx
            .apply_return(&debit_return.end_to_end_id, &debit_return.reason_code, debit_return.returned_on, actor, now)
            .await
            .map_err(|error| return_error(file.file_name, debit_return, error))?;
        if matches!(applied, ReturnOutcome::Applied { .. }) {
            outcome.returns_applied += 1;
        }
    }
    for transfer in file.transfer_returns {
        let reversed = tx.reverse_transfer(transfer, file.file_name, actor, now).await.map_err(|error| {
            let detail = DebitReturn {
                end_to_end_id: transfer.end_to_end_id.clone(),
                reason_code: transfer.reason_code.clone(),
                returned_on: transfer.returned_on,
                amount: Money::ZERO,
                line: transfer.line,
            };
            match error {
                StoreError::NotFound { what } => StoreError::refused(
                    "unknown_transfer",
                    format!(
                        "{}, ligne {} : retour d'un {what} : Recouvre n'a rien émis sous cet identifiant ; rien n'a été \
                         importé de ce fichier : vérifiez le relevé avec la banque, puis importez-le à nouveau",
                        file.file_name, transfer.line
                    ),
                ),
                other => return_error(file.file_name, &detail, other),
            }
        })?;
        if matches!(reversed, TransferReturnOutcome::Reversed { .. }) {
            outcome.transfers_reversed += 1;
        }
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The `imports.kind` of a statement file.
pub const IMPORT_KIND: &str = "statement";

/// A return that cannot be applied, named by the file and the entry's line. A return of a
/// collection Recouvre never made is refused (`unknown_collection`), not "not found": the file
/// is at fault, not the address the user asked for.
fn return_error(file_name: &str, debit_return: &DebitReturn, error: StoreError) -> StoreError {
    let at = format!("{file_name}, ligne {}", debit_return.line);
    let nothing = "rien n'a été importé de ce fichier";
    match error {
        StoreError::NotFound { .. } => StoreError::refused(
            "unknown_collection",
            format!(
                "{at} : retour du prélèvement « {} » : aucune échéance n'a été collectée sous cet identifiant ; \
                 {nothing} : vérifiez le relevé avec la banque, puis importez-le à nouveau",
                debit_return.end_to_end_id
            ),
        ),
        StoreError::Refused { code, message } => StoreError::refused(code, format!("{at} : {message} ; {nothing}")),
        StoreError::Conflict { code, message } => StoreError::conflict(code, format!("{at} : {message} ; {nothing}")),
        StoreError::Invalid { field, message } => {
            StoreError::Invalid { field, message: format!("{at} : {message} ; {nothing}") }
        }
        other => other,
    }
}

/// Where the vigilance of a statement's booking spends its time (wall clock), for the benchmark
/// of its cost (`crates/testkit/tests/bench_statement.rs`, docs/performance.md).
#[derive(Debug, Clone, Copy, Default)]
pub struct VigilanceTime {
    /// Reading the rules in force and indexing the sanctions list.
    pub rules_read: std::time::Duration,
    /// Reading the paid cases' facts (parties, earlier payments).
    pub facts_read: std::time::Duration,
    /// Evaluating the rules and screening the payers' names (pure computation).
    pub evaluation: std::time::Duration,
    /// Writing every screened payment (`payments_received`) and the alerts.
    pub recording: std::time::Duration,
}

/// Books the credits of a statement, screened, in one transaction, as [`import`] does (without
/// recording the file or applying returns), also saying where its vigilance spent its time: the
/// benchmark of the screening's cost (`crates/testkit/tests/bench_statement.rs`).
#[doc(hidden)]
pub async fn book_credits_timed(
    store: &Store,
    file_name: &str,
    credits: &[Credit],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(StatementOutcome, VigilanceTime)> {
    let started = std::time::Instant::now();
    let vigilance = crate::aml::vigilance(store).await?;
    let mut time = VigilanceTime { rules_read: started.elapsed(), ..VigilanceTime::default() };
    let mut tx = store.begin().await?;
    let outcome = tx.book_credits(file_name, credits, Some(&vigilance), &mut time, actor, now).await?;
    tx.commit().await?;
    Ok((outcome, time))
}

/// [`book_credits_timed`] WITHOUT the vigilance screening: nothing assessed, nothing recorded in
/// `payments_received`, nothing held. It exists for measurement only — the baseline of the
/// benchmark of the screening's cost (`crates/testkit/tests/bench_statement.rs`,
/// docs/performance.md) — and must never import a real statement.
#[doc(hidden)]
pub async fn book_credits_unscreened(
    store: &Store,
    file_name: &str,
    credits: &[Credit],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<StatementOutcome> {
    let mut tx = store.begin().await?;
    let outcome = tx.book_credits(file_name, credits, None, &mut VigilanceTime::default(), actor, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

impl Tx {
    /// Books the credits of one statement file in this transaction (the work of [`import`],
    /// [`book_credits_timed`] and [`book_credits_unscreened`]): screened when `vigilance` is
    /// given, each entry once.
    async fn book_credits(
        &mut self,
        file_name: &str,
        credits: &[Credit],
        vigilance: Option<&crate::aml::Vigilance>,
        time: &mut VigilanceTime,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<StatementOutcome> {
        let mut outcome = StatementOutcome::default();
        let today = recouvre_domain::business_date::paris_date(now);
        // The vigilance rules read each paid case's facts: read once for the whole statement (the
        // cases its creditor references name, a few queries per 500 cases; any other case when
        // first met), then kept current in memory as the statement's payments are recorded, so
        // that the windowed rules see the earlier payments of the same statement.
        let mut screener = match vigilance {
            Some(vigilance) => {
                let started = std::time::Instant::now();
                let mut references: Vec<&str> =
                    credits.iter().filter_map(|credit| credit.case_reference.as_deref()).collect();
                references.sort_unstable();
                references.dedup();
                let mut case_ids: Vec<i64> = Vec::with_capacity(references.len());
                for chunk in references.chunks(ROWS_PER_STATEMENT_MAX) {
                    let query = in_list("SELECT id FROM cases WHERE reference IN (", chunk.iter().copied(), ")");
                    let found: Vec<i64> = query.build_query_scalar().fetch_all(&mut *self).await?;
                    case_ids.extend(found);
                }
                let facts = self.case_facts_of_many(&case_ids).await?;
                time.facts_read += started.elapsed();
                Some(Screener { vigilance, facts, pending: Vec::new() })
            }
            None => None,
        };
        for credit in credits {
            if !credit.amount.is_positive() {
                return Err(StoreError::refused(
                    "amount_not_positive",
                    format!("{file_name}, ligne {} : montant {} non positif", credit.line, credit.amount),
                ));
            }
            let known: Option<String> = query_scalar("SELECT entry_key FROM statement_entries WHERE entry_key = $1")
                .bind(&credit.key)
                .fetch_optional(&mut *self)
                .await?;
            if known.is_some() {
                outcome.already_booked += 1;
                outcome.credits.push((credit.line, CreditOutcome::AlreadyBooked));
                continue;
            }
            // 1. Creditor reference → case.
            let mut matched: Option<(i64, &'static str)> = None;
            if let Some(reference) = &credit.case_reference {
                let id: Option<i64> = query_scalar("SELECT id FROM cases WHERE reference = $1")
                    .bind(reference)
                    .fetch_optional(&mut *self)
                    .await?;
                matched = id.map(|id| (id, "creditor_reference"));
            }
            // 2. Payer IBAN → the one open case of that person.
            if matched.is_none() {
                if let Some(iban) = &credit.payer_iban {
                    let cases: Vec<i64> = query_scalar(
                        "SELECT DISTINCT c.id FROM cases c JOIN case_parties cp ON cp.case_id = c.id \
                         JOIN persons p ON p.id = cp.person_id WHERE p.iban = $1 AND c.status <> 'closed' LIMIT 2",
                    )
                    .bind(iban)
                    .fetch_all(&mut *self)
                    .await?;
                    if cases.len() == 1 {
                        matched = Some((cases[0], "payer_iban"));
                    }
                }
            }
            // Plausibility (issue 22, finding 2): a credit far above what its case owes, or booked
            // outside the window around the import's business date, is not allocated on the case
            // but waits in suspense with the rule it broke (`recouvre_domain::plausibility`); the
            // statement itself is never refused for it.
            let mut implausible: Option<(i64, String)> = None;
            let mut matched_balances = None;
            if let Some((case_id, _)) = matched {
                let balances = self.balances(case_id).await?;
                match plausibility::implausible_credit(credit.amount, balances.due().total(), credit.booked_on, today) {
                    Some(reason) => {
                        implausible = Some((case_id, reason));
                        matched = None;
                    }
                    None => matched_balances = Some(balances),
                }
            }
            let (case_id, suspense_item) = match matched {
                Some((case_id, matched_by)) => {
                    let payer = crate::aml::Payer {
                        name: credit.payer_name.clone(),
                        iban: credit.payer_iban.clone(),
                        cash: credit.cash,
                        refund_to_other_account: false,
                    };
                    let channel = recouvre_domain::aml::Channel::Statement;
                    let balances = match matched_balances.take() {
                        Some(balances) => balances,
                        None => self.balances(case_id).await?,
                    };
                    let screening = match &mut screener {
                        Some(screener) => {
                            let started = std::time::Instant::now();
                            if let std::collections::hash_map::Entry::Vacant(entry) = screener.facts.entry(case_id) {
                                entry.insert(self.case_facts(case_id).await?);
                                time.facts_read += started.elapsed();
                            }
                            let started = std::time::Instant::now();
                            let screening = screener.screen(case_id, credit, &payer, channel, &balances);
                            time.evaluation += started.elapsed();
                            Some(screening)
                        }
                        None => None,
                    };
                    let confidence_percent = confidence_percent(matched_by);
                    debug_assert!(confidence_percent >= BOOKING_THRESHOLD_PERCENT);
                    outcome.flagged +=
                        u64::from(screening.as_ref().is_some_and(|screening| !screening.alerts.is_empty()));
                    let held_by_compliance = screening.as_ref().is_some_and(|screening| screening.hold);
                    let hold_status =
                        screening.as_ref().map_or(crate::suspense::AML_HOLD, crate::aml::Screening::hold_status);
                    let late = if held_by_compliance {
                        None
                    } else {
                        // A closed case: its closing's reason says what becomes of the money
                        // (issue 17): reopened and booked, or held in suspense for an officer.
                        let arrival = crate::closure::LateArrival {
                            case_id,
                            expected_version: None,
                            amount: credit.amount,
                            received_on: credit.booked_on,
                            reference: credit.remittance.as_deref(),
                            payer_name: credit.payer_name.as_deref(),
                            payer_iban: credit.payer_iban.as_deref(),
                            source_key: &credit.key,
                            actor,
                            now,
                        };
                        match self.route_late_money(&arrival).await? {
                            crate::closure::LateRoute::Suspense { item_id, transaction_id, reason, .. } => {
                                Some((item_id, transaction_id, reason))
                            }
                            crate::closure::LateRoute::Book { .. } => None,
                        }
                    };
                    let (transaction_id, case_id_booked, suspense_item) =
                        if let Some((item_id, transaction_id, reason)) = late {
                            outcome.suspense += 1;
                            outcome.suspense_amount += credit.amount;
                            outcome.credits.push((
                                credit.line,
                                CreditOutcome::Suspense { item_id, reason, suggested_case_id: Some(case_id) },
                            ));
                            (transaction_id, None, Some(item_id))
                        } else if held_by_compliance {
                            // Held for compliance: into suspense (frozen: on to the frozen-funds
                            // account), out of the officers' queue, the case untouched. The
                            // import's reply says only « en attente (conformité) ».
                            let reason = "paiement en cours de traitement".to_string();
                            let held = Held {
                                received_on: credit.booked_on,
                                amount: credit.amount,
                                payer_name: credit.payer_name.as_deref(),
                                payer_iban: credit.payer_iban.as_deref(),
                                reference: credit.remittance.as_deref(),
                                suggested_case_id: Some(case_id),
                                reason: &reason,
                                source_key: &credit.key,
                            };
                            let (item_id, transaction_id) =
                                self.hold(&held, hold_status, actor, now).await?.ok_or_else(|| {
                                    StoreError::conflict(
                                        "already_held",
                                        format!("{file_name}, ligne {} : déjà en instance", credit.line),
                                    )
                                })?;
                            // Not in the import's suspense totals: held money appears in no total
                            // an officer or a team lead reads (CMF L561-18); the line's outcome
                            // is opaque (no case, no payer, no reason).
                            outcome.held_compliance += 1;
                            outcome.held_compliance_amount += credit.amount;
                            outcome.credits.push((credit.line, CreditOutcome::HeldCompliance));
                            (transaction_id, None, Some(item_id))
                        } else {
                            // Interest to the credit's day first: allocated over a settled balance (issue 18).
                            let balances = self
                                .settled_balances(case_id, credit.booked_on, &mut None, "statement", actor, now)
                                .await?;
                            let transaction =
                                ledger::payment(&balances, credit.amount, AllocationOrder::CostsInterestPrincipal)
                                    .map_err(|error| {
                                        StoreError::refused(
                                            crate::ledger::ledger_error_code(&error),
                                            format!("{file_name}, ligne {} : {error}", credit.line),
                                        )
                                    })?;
                            let payload = json!({
                                "amount": credit.amount, "received_on": credit.booked_on,
                                "reference": credit.remittance.clone().unwrap_or_default(),
                                "payer": credit.payer_name, "payer_iban": credit.payer_iban,
                                "matched_by": matched_by, "file": file_name, "line": credit.line,
                            });
                            self.append_event(CaseEvent {
                                case_id,
                                expected_version: None,
                                kind: EventKind::PaymentBooked,
                                payload: payload.to_string(),
                                actor,
                                now,
                            })
                            .await?;
                            let transaction_id = self
                                .book(Booking {
                                    case_id: Some(case_id),
                                    transaction: &transaction,
                                    booked_on: credit.booked_on,
                                    reference: &credit.key,
                                    reverses: None,
                                    actor,
                                    now,
                                })
                                .await?;
                            outcome.booked += 1;
                            outcome.booked_amount += credit.amount;
                            outcome
                                .credits
                                .push((credit.line, CreditOutcome::Booked { case_id, matched_by, confidence_percent }));
                            (transaction_id, Some(case_id), None)
                        };
                    if let (Some(screener), Some(screening)) = (&mut screener, screening) {
                        screener.record(crate::aml::PendingRecord {
                            case_id,
                            transaction_id,
                            amount: credit.amount,
                            received_on: credit.booked_on,
                            payer,
                            channel,
                            screening,
                            held_item_id: suspense_item.filter(|_| held_by_compliance),
                        });
                        if screener.pending.len() >= ROWS_PER_STATEMENT_MAX {
                            let started = std::time::Instant::now();
                            self.record_screenings(&mut screener.pending, screener.vigilance, now).await?;
                            time.recording += started.elapsed();
                        }
                    }
                    (case_id_booked, suspense_item)
                }
                None => match implausible.take() {
                    Some((case_id, reason)) => {
                        let item_id = self.hold_credit(file_name, credit, Some(case_id), &reason, actor, now).await?;
                        outcome.suspense += 1;
                        outcome.suspense_amount += credit.amount;
                        outcome.credits.push((
                            credit.line,
                            CreditOutcome::Suspense { item_id, reason, suggested_case_id: Some(case_id) },
                        ));
                        (None, Some(item_id))
                    }
                    None => {
                        // 3. A suggestion by name, for the officer to confirm.
                        let mut suggested = None;
                        if let Some(name) = &credit.payer_name {
                            let words: Vec<String> = recouvre_domain::case::search_key(name)
                                .split(' ')
                                .filter(|word| word.len() >= 3)
                                .map(str::to_string)
                                .collect();
                            for word in words.iter().take(3) {
                                let cases: Vec<i64> = query_scalar(
                                    "SELECT id FROM cases WHERE search_key >= $1 AND search_key < $2 \
                                     AND status <> 'closed' LIMIT 2",
                                )
                                .bind(format!("{word} "))
                                .bind(format!("{word} \u{10FFFF}"))
                                .fetch_all(&mut *self)
                                .await?;
                                if cases.len() == 1 {
                                    suggested = Some(cases[0]);
                                    break;
                                }
                            }
                        }
                        let mut reason = match (&credit.case_reference, &credit.payer_iban) {
                            (Some(reference), _) => format!("référence {reference} inconnue"),
                            (None, Some(_)) => "IBAN du payeur inconnu ou commun à plusieurs dossiers".to_string(),
                            (None, None) => "ni référence ni IBAN exploitables".to_string(),
                        };
                        if suggested.is_some() {
                            reason.push_str(&format!(
                                " ; dossier suggéré par le nom du payeur (confiance {} %, seuil {} %)",
                                confidence_percent("payer_name"),
                                BOOKING_THRESHOLD_PERCENT
                            ));
                        }
                        let item_id = self.hold_credit(file_name, credit, suggested, &reason, actor, now).await?;
                        outcome.suspense += 1;
                        outcome.suspense_amount += credit.amount;
                        outcome.credits.push((
                            credit.line,
                            CreditOutcome::Suspense { item_id, reason, suggested_case_id: suggested },
                        ));
                        (None, Some(item_id))
                    }
                },
            };
            query(
                "INSERT INTO statement_entries (entry_key, file_name, line, amount_cents, case_id, suspense_item_id, imported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&credit.key)
            .bind(file_name)
            .bind(i64::from(credit.line))
            .bind(credit.amount.cents())
            .bind(case_id)
            .bind(suspense_item)
            .bind(now)
            .execute(&mut *self)
            .await?;
        }
        if let Some(screener) = &mut screener {
            let started = std::time::Instant::now();
            self.record_screenings(&mut screener.pending, screener.vigilance, now).await?;
            time.recording += started.elapsed();
        }
        Ok(outcome)
    }

    /// Puts a credit of a statement in suspense, open for an officer, with its reason and the
    /// case it probably belongs to: the item's id.
    async fn hold_credit(
        &mut self,
        file_name: &str,
        credit: &Credit,
        suggested_case_id: Option<i64>,
        reason: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let held = Held {
            received_on: credit.booked_on,
            amount: credit.amount,
            payer_name: credit.payer_name.as_deref(),
            payer_iban: credit.payer_iban.as_deref(),
            reference: credit.remittance.as_deref(),
            suggested_case_id,
            reason,
            source_key: &credit.key,
        };
        let (item_id, _) = self.hold(&held, crate::suspense::OPEN, actor, now).await?.ok_or_else(|| {
            StoreError::conflict("already_held", format!("{file_name}, ligne {} : déjà en instance", credit.line))
        })?;
        Ok(item_id)
    }
}

/// The vigilance of one statement's import: the rules and list in force, the facts of the cases
/// paid so far, and the screened payments not yet written (`Tx::record_screenings`).
struct Screener<'a> {
    vigilance: &'a crate::aml::Vigilance,
    facts: HashMap<i64, recouvre_domain::aml::CaseFacts>,
    pending: Vec<crate::aml::PendingRecord>,
}

impl Screener<'_> {
    /// Screens a credit about to be booked on a case whose facts are loaded: what
    /// `Tx::assess` does, from memory, with what the case owes read from its balances.
    fn screen(
        &mut self,
        case_id: i64,
        credit: &Credit,
        payer: &crate::aml::Payer,
        channel: recouvre_domain::aml::Channel,
        balances: &recouvre_domain::ledger::Balances,
    ) -> crate::aml::Screening {
        // Invariant: the import loads the facts of every paid case before screening its credits
        // (all at once up front, or one by one as a case first appears).
        #[allow(clippy::expect_used)]
        let case = self.facts.get_mut(&case_id).expect("the case's facts are loaded");
        case.due_before_payment = balances.due().total();
        let payment = crate::aml::payment_facts(credit.amount, credit.booked_on, payer, channel);
        crate::aml::screen(self.vigilance, &payment, case)
    }

    /// Keeps a screened payment for writing, and adds it to its case's payments in memory.
    fn record(&mut self, record: crate::aml::PendingRecord) {
        if let Some(case) = self.facts.get_mut(&record.case_id) {
            case.prior_payments.push(recouvre_domain::aml::PriorPayment {
                received_on: record.received_on,
                amount: record.amount,
                payer_name: record.payer.name.clone(),
                payer_iban: record.payer.iban.clone(),
            });
        }
        self.pending.push(record);
    }
}
