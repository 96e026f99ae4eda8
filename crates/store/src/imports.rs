//! Imports from the bank's other systems: all or nothing, and idempotent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use recouvre_domain::case::NewCase;
use recouvre_domain::intake::IntakeError;
use recouvre_domain::intake_parties::{Line, Record};
use recouvre_domain::journal::EventKind;
use recouvre_domain::Money;
use serde_json::json;

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::{Result, Store};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub lines: u64,
    /// Cases opened or joined by at least one new claim or party.
    pub cases_changed: u64,
    /// Cases opened by this import (a subset of `cases_changed`).
    pub cases_created: u64,
    /// Claims added, to new cases or to the debtor's open case.
    pub claims_added: u64,
    /// The same file (by SHA-256) was imported before: nothing was done.
    pub already_imported: bool,
}

/// Imports parsed accounts in one transaction: either every line takes effect or none does.
/// A file already imported (same SHA-256) is recognised and skipped; a different file with
/// lines already known adds only what is new (claims are keyed by contract reference).
pub async fn import_accounts(
    store: &Store,
    file_name: &str,
    file_sha256: &str,
    new_cases: &[NewCase],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ImportOutcome> {
    const KIND: &str = "accounts";
    let mut tx = store.begin().await?;
    // Claim the file first: a concurrent import of the same file waits here, then sees it.
    let claimed: Option<i64> = query_scalar(
        "INSERT INTO imports (kind, file_name, file_sha256, lines, cases_created, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (kind, file_sha256) DO NOTHING RETURNING id",
    )
    .bind(KIND)
    .bind(file_name)
    .bind(file_sha256)
    .bind(new_cases.len() as i64)
    .bind(actor)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    Ok(match claimed {
        None => ImportOutcome {
            lines: new_cases.len() as u64,
            cases_changed: 0,
            cases_created: 0,
            claims_added: 0,
            already_imported: true,
        },
        Some(import_id) => {
            // The seed's bulk path: the same rows as the per-case path (`Tx::open_or_join_case`,
            // compared by crates/testkit/tests/seed.rs), with multi-row statements.
            let counts = tx.open_many_in(new_cases, actor, now).await?;
            query("UPDATE imports SET cases_created = $2 WHERE id = $1")
                .bind(import_id)
                .bind(counts.cases_created as i64)
                .execute(&mut tx)
                .await?;
            tx.commit().await?;
            ImportOutcome {
                lines: new_cases.len() as u64,
                cases_changed: counts.cases_changed,
                cases_created: counts.cases_created,
                claims_added: counts.claims_added,
                already_imported: false,
            }
        }
    })
}

/// What a parties file did (`docs/formats/parties-csv.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PartiesOutcome {
    pub lines: u64,
    /// Co-debtors and guarantors added to a case.
    pub parties_added: u64,
    pub guarantees_added: u64,
    /// Other accounts at the bank added to a person.
    pub accounts_added: u64,
    /// Instalments added to a loan's schedule.
    pub instalments_added: u64,
    /// SEPA mandates recorded (issue 21).
    pub mandates_added: u64,
    /// The same file (by SHA-256) was imported before: nothing was done.
    pub already_imported: bool,
}

/// Parses and imports a parties file (co-debtors, guarantors, guarantees, other accounts and
/// schedules, keyed by contract reference) in one transaction: a line naming a contract or a
/// customer the bank's files have not brought yet refuses the whole file, naming the line. The
/// same file again does nothing; a different file repeating known lines adds only what is new
/// (parties by case, person and role; guarantees by case, kind, description and amount;
/// accounts by number; instalments by claim and due date).
pub async fn import_parties_csv(
    store: &Store,
    file_name: &str,
    content: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<PartiesOutcome, ImportFileError> {
    use sha2::{Digest, Sha256};
    let invalid = |error| ImportFileError::Invalid { file_name: file_name.to_string(), error };
    let stored = |error| ImportFileError::Store { file_name: file_name.to_string(), error };
    let lines = recouvre_domain::intake_parties::parse_parties(content).map_err(invalid)?;
    let sha256 = hex::encode(Sha256::digest(content.as_bytes()));
    let mut tx = store.begin().await.map_err(stored)?;
    let claimed: Option<i64> = query_scalar(
        "INSERT INTO imports (kind, file_name, file_sha256, lines, cases_created, imported_by, imported_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (kind, file_sha256) DO NOTHING RETURNING id",
    )
    .bind("parties")
    .bind(file_name)
    .bind(&sha256)
    .bind(lines.len() as i64)
    .bind(actor)
    .bind(now)
    .fetch_optional(&mut tx)
    .await
    .map_err(stored)?;
    if claimed.is_none() {
        return Ok(PartiesOutcome { lines: lines.len() as u64, already_imported: true, ..PartiesOutcome::default() });
    }
    let mut outcome = PartiesOutcome { lines: lines.len() as u64, ..PartiesOutcome::default() };
    match tx.import_parties_in(&lines, &mut outcome, actor, now).await.map_err(stored)? {
        // Dropping the transaction rolls back every line before the refused one.
        Err(error) => Err(invalid(error)),
        Ok(()) => {
            tx.commit().await.map_err(stored)?;
            Ok(outcome)
        }
    }
}

impl crate::Tx {
    /// Writes the lines of a parties file; `Ok(Err(_))` names the line whose contract or
    /// customer is unknown (the caller rolls back).
    async fn import_parties_in(
        &mut self,
        lines: &[Line],
        outcome: &mut PartiesOutcome,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), IntakeError>> {
        // Instalments added, by claim: one journal event per schedule, not one per instalment.
        let mut schedules: BTreeMap<(i64, i64), (String, u64, Money)> = BTreeMap::new();
        for line in lines {
            let (column, key) = line.key();
            let unknown = |reason: &str| IntakeError::Field {
                line: line.line,
                column: column.to_string(),
                value: key.to_string(),
                reason: reason.to_string(),
            };
            let event = |case_id: i64, kind: EventKind, payload: serde_json::Value| CaseEvent {
                case_id,
                expected_version: None,
                kind,
                payload: payload.to_string(),
                actor,
                now,
            };
            match &line.record {
                Record::Party { contract_ref, role, person } => {
                    let Some((_, case_id)) = self.claim_of(contract_ref).await? else {
                        return Ok(Err(unknown(UNKNOWN_CONTRACT)));
                    };
                    let person_id = self.upsert_person(person, now).await?;
                    let is_debtor: i64 = query_scalar(
                        "SELECT COUNT(*) FROM case_parties WHERE case_id = $1 AND person_id = $2 AND role = 'debtor'",
                    )
                    .bind(case_id)
                    .bind(person_id)
                    .fetch_one(&mut *self)
                    .await?;
                    if is_debtor > 0 {
                        return Ok(Err(IntakeError::Field {
                            line: line.line,
                            column: "customer_number".to_string(),
                            value: person.customer_number.clone(),
                            reason: "c'est le débiteur principal de ce contrat : il ne peut en être ni codébiteur \
                                     ni caution"
                                .to_string(),
                        }));
                    }
                    let inserted = query(
                        "INSERT INTO case_parties (case_id, person_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(case_id)
                    .bind(person_id)
                    .bind(role.code())
                    .execute(&mut *self)
                    .await?
                    .rows_affected();
                    if inserted > 0 {
                        outcome.parties_added += 1;
                        // The payload of `Tx::open_or_join_case`'s `party_added`.
                        let payload = json!({"role": role.code(), "name": person.display_name(), "customer_number": person.customer_number});
                        self.append_event(event(case_id, EventKind::PartyAdded, payload)).await?;
                    }
                }
                Record::Guarantee { contract_ref, guarantee } => {
                    let Some((_, case_id)) = self.claim_of(contract_ref).await? else {
                        return Ok(Err(unknown(UNKNOWN_CONTRACT)));
                    };
                    let known: i64 = query_scalar(
                        "SELECT COUNT(*) FROM guarantees WHERE case_id = $1 AND kind = $2 AND description = $3 \
                         AND amount_cents = $4",
                    )
                    .bind(case_id)
                    .bind(guarantee.kind.code())
                    .bind(&guarantee.description)
                    .bind(guarantee.amount.cents())
                    .fetch_one(&mut *self)
                    .await?;
                    if known == 0 {
                        query(
                            "INSERT INTO guarantees (case_id, kind, description, amount_cents) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(case_id)
                        .bind(guarantee.kind.code())
                        .bind(&guarantee.description)
                        .bind(guarantee.amount.cents())
                        .execute(&mut *self)
                        .await?;
                        outcome.guarantees_added += 1;
                        let payload = json!({"kind": guarantee.kind.code(), "description": guarantee.description, "amount": guarantee.amount, "contract_ref": contract_ref});
                        self.append_event(event(case_id, EventKind::GuaranteeAdded, payload)).await?;
                    }
                }
                Record::Account { customer_number, account } => {
                    let person_id: Option<i64> = query_scalar("SELECT id FROM persons WHERE customer_number = $1")
                        .bind(customer_number)
                        .fetch_optional(&mut *self)
                        .await?;
                    let Some(person_id) = person_id else {
                        return Ok(Err(unknown(
                            "client inconnu : importez d'abord le fichier des comptes, ou la ligne « party » qui le \
                             nomme",
                        )));
                    };
                    let inserted = query(
                        "INSERT INTO other_accounts (person_id, kind, account_number, balance_cents) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (account_number) DO NOTHING",
                    )
                    .bind(person_id)
                    .bind(account.kind.code())
                    .bind(&account.account_number)
                    .bind(account.balance.cents())
                    .execute(&mut *self)
                    .await?
                    .rows_affected();
                    if inserted > 0 {
                        outcome.accounts_added += 1;
                        // Journaled on each case the person is party to and that is not closed: a
                        // credit balance is an asset to seize or set off.
                        let cases: Vec<i64> = query_scalar(
                            "SELECT DISTINCT c.id FROM cases c JOIN case_parties p ON p.case_id = c.id \
                             WHERE p.person_id = $1 AND c.status <> 'closed' ORDER BY c.id",
                        )
                        .bind(person_id)
                        .fetch_all(&mut *self)
                        .await?;
                        for case_id in cases {
                            let payload = json!({"kind": account.kind.code(), "account_number": account.account_number, "balance": account.balance, "customer_number": customer_number});
                            self.append_event(event(case_id, EventKind::OtherAccountAdded, payload)).await?;
                        }
                    }
                }
                Record::Mandate { contract_ref, mandate } => {
                    let Some((_, case_id)) = self.claim_of(contract_ref).await? else {
                        return Ok(Err(unknown(UNKNOWN_CONTRACT)));
                    };
                    match self.import_mandate(line.line, case_id, mandate, actor, now).await? {
                        Err(error) => return Ok(Err(error)),
                        Ok(added) => outcome.mandates_added += u64::from(added),
                    }
                }
                Record::Schedule { contract_ref, due_on, amount } => {
                    let Some((claim_id, case_id)) = self.claim_of(contract_ref).await? else {
                        return Ok(Err(unknown(UNKNOWN_CONTRACT)));
                    };
                    let inserted = query(
                        "INSERT INTO claim_instalments (claim_id, due_on, amount_cents) VALUES ($1, $2, $3) \
                         ON CONFLICT (claim_id, due_on) DO NOTHING",
                    )
                    .bind(claim_id)
                    .bind(*due_on)
                    .bind(amount.cents())
                    .execute(&mut *self)
                    .await?
                    .rows_affected();
                    if inserted > 0 {
                        outcome.instalments_added += 1;
                        let entry =
                            schedules.entry((case_id, claim_id)).or_insert((contract_ref.clone(), 0, Money::ZERO));
                        entry.1 += 1;
                        entry.2 += *amount;
                    }
                }
            }
        }
        for ((case_id, _), (contract_ref, instalments, total)) in schedules {
            let payload = json!({"contract_ref": contract_ref, "instalments": instalments, "total": total});
            self.append_event(CaseEvent {
                case_id,
                expected_version: None,
                kind: EventKind::InstalmentScheduleImported,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
        }
        Ok(Ok(()))
    }

    /// The claim with this contract reference and its case.
    async fn claim_of(&mut self, contract_ref: &str) -> Result<Option<(i64, i64)>> {
        query_as("SELECT id, case_id FROM claims WHERE contract_ref = $1")
            .bind(contract_ref)
            .fetch_optional(&mut *self)
            .await
    }
}

const UNKNOWN_CONTRACT: &str = "contrat inconnu : importez d'abord le fichier des comptes qui l'apporte";

/// Why a file could not be imported. Nothing from it was kept.
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    #[error("{file_name} : {error}")]
    Invalid { file_name: String, error: recouvre_domain::intake::IntakeError },
    #[error("{file_name} : {error}")]
    Store { file_name: String, error: crate::StoreError },
}

/// Parses and imports a core-banking accounts file (`docs/formats/accounts-csv.md`).
pub async fn import_accounts_csv(
    store: &Store,
    file_name: &str,
    content: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, ImportFileError> {
    use sha2::{Digest, Sha256};
    let today = recouvre_domain::business_date::paris_date(now);
    let new_cases = recouvre_domain::intake::parse_accounts(content, today)
        .map_err(|error| ImportFileError::Invalid { file_name: file_name.to_string(), error })?;
    let sha256 = hex::encode(Sha256::digest(content.as_bytes()));
    import_accounts(store, file_name, &sha256, &new_cases, actor, now)
        .await
        .map_err(|error| ImportFileError::Store { file_name: file_name.to_string(), error })
}
