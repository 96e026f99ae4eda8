//! Bank statements in: camt.053/054 (001.02 to 001.13) and CFONB 120 files read by
//! `recouvre-iso20022` (camt.052 reports are shown, never booked), turned into the values
//! the store imports in one transaction — the credits it books and the returns of our direct
//! debits it applies (one use case for `recouvre import statement` and the API). The store
//! knows no ISO 20022 type: the conversions are here.

use recouvre_domain::authority::Permission;
use recouvre_domain::Money;
use recouvre_iso20022::{entry_key, sepa, Entry, Statement};
use recouvre_store::direct_debits::{DebitReturn, END_TO_END_PREFIX};
use recouvre_store::statements::{Credit, StatementFile, StatementOutcome};
use recouvre_store::transfer_returns::TransferReturn;
use recouvre_store::transfers::END_TO_END_PREFIX as TRANSFER_PREFIX;
use sha2::{Digest, Sha256};

use crate::{Actor, App, Error, Result};

/// Our case number from an ISO 11649 creditor reference: `RFkk CTX0000042` → `CTX-0000042`.
/// Our letters print `sepa::rf_reference(case reference)`, which drops the hyphen.
pub fn case_reference_from_rf(reference: &str) -> Option<String> {
    let reference = sepa::normalise_rf(reference)?;
    let body = reference.get(4..)?;
    let digits = body.strip_prefix("CTX")?;
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then(|| format!("CTX-{digits}"))
}

/// The credits to book: booked (not pending) credit entries that are not returns. Debits and
/// returns are left to the direct-debit follow-up.
pub fn credits(statements: &[Statement], today: chrono::NaiveDate) -> Vec<Credit> {
    let mut credits = Vec::new();
    for statement in statements {
        for entry in &statement.entries {
            // The money of our own direct debits was booked when the file was sent
            // (`store::direct_debits`): its credit on the statement must not be booked twice.
            // Nor is a transfer of ours coming back (`RCV-TRF-…`): it is reversed instead.
            if !entry.is_credit()
                || !entry.is_booked()
                || entry.is_return()
                || is_collection_credit(entry)
                || is_returned_transfer(entry)
            {
                continue;
            }
            let rf = entry
                .creditor_reference
                .as_deref()
                .and_then(sepa::normalise_rf)
                .or_else(|| entry.remittance.as_deref().and_then(sepa::find_rf_reference));
            credits.push(Credit {
                key: entry_key(statement, entry),
                line: entry.line,
                amount: entry.amount,
                booked_on: entry.booking_date.or(entry.value_date).unwrap_or(today),
                payer_name: entry.debtor_name.clone(),
                payer_iban: entry.debtor_iban.clone(),
                remittance: entry.remittance.clone(),
                case_reference: rf.as_deref().and_then(case_reference_from_rf),
                cash: entry.cash,
            });
        }
    }
    credits
}

/// Whether a camt entry carries the end-to-end id of one of our collections (`RCV-DD-…`).
fn is_ours(entry: &Entry) -> bool {
    entry.end_to_end_id.as_deref().is_some_and(|id| id.starts_with(END_TO_END_PREFIX))
}

/// Whether a credit of a statement is the proceeds of one of our collections (its end-to-end id
/// is `RCV-DD-…`): already booked when the direct-debit file was produced
/// (`recouvre_store::direct_debits::prepare_export`), so a statement import must not book it
/// again as a payment.
pub fn is_collection_credit(entry: &Entry) -> bool {
    entry.is_credit() && is_ours(entry)
}

/// Whether a credit of a statement is one of our transfers out coming back: the beneficiary's
/// bank returned it quoting our end-to-end id (`RCV-TRF-…`, docs/formats/transfers.md). It is
/// reversed (`recouvre_store::transfer_returns`), not booked as a new payment.
pub fn is_returned_transfer(entry: &Entry) -> bool {
    entry.is_credit() && entry.end_to_end_id.as_deref().is_some_and(|id| id.starts_with(TRANSFER_PREFIX))
}

/// Our transfers out returned on a statement: booked credits quoting a `RCV-TRF-…` end-to-end
/// id, with the return reason (`NARR` when the bank gave none) and the booking date (else
/// `today`). Each is keyed by its entry, so that importing the statement again does nothing.
pub fn transfer_returns(statements: &[Statement], today: chrono::NaiveDate) -> Vec<TransferReturn> {
    statements
        .iter()
        .flat_map(|statement| statement.entries.iter().map(move |entry| (statement, entry)))
        .filter(|(_, entry)| entry.is_booked() && is_returned_transfer(entry))
        .map(|(statement, entry)| TransferReturn {
            end_to_end_id: entry.end_to_end_id.clone().unwrap_or_default(),
            reason_code: entry.return_reason.clone().unwrap_or_else(|| "NARR".to_string()),
            returned_on: entry.booking_date.or(entry.value_date).unwrap_or(today),
            message_id: None,
            source_key: format!("statement:{}", entry_key(statement, entry)),
            line: entry.line,
        })
        .collect()
}

/// The returns of our collections in camt.053/054 statements: booked debits that are
/// R-transactions ([`Entry::is_return`]) with one of our end-to-end ids (`RCV-DD-…`). A bank may
/// omit the reason or the date: the reason is then `NARR` (narrative) and the date `today`.
pub fn returns(statements: &[Statement], today: chrono::NaiveDate) -> Vec<DebitReturn> {
    statements
        .iter()
        .flat_map(|statement| &statement.entries)
        .filter(|entry| !entry.is_credit() && entry.is_booked() && entry.is_return() && is_ours(entry))
        .map(|entry| DebitReturn {
            end_to_end_id: entry.end_to_end_id.clone().unwrap_or_default(),
            reason_code: entry.return_reason.clone().unwrap_or_else(|| "NARR".to_string()),
            returned_on: entry.booking_date.or(entry.value_date).unwrap_or(today),
            amount: entry.amount,
            line: entry.line,
        })
        .collect()
}

/// Reads a statement file and imports it in one transaction: books its credits and applies the
/// returns of our direct debits it reports (R-transactions, usually in a camt.054), each once.
/// All or nothing: if one credit or one return cannot be taken, nothing of the file is written
/// and the error names the file and the entry's line.
pub async fn import(app: &App, actor: &Actor, file_name: &str, xml: &[u8]) -> Result<StatementOutcome> {
    actor.require(Permission::ImportStatements)?;
    let statements = read(file_name, xml).await?;
    check_bookable(file_name, &statements)?;
    check_balances(file_name, &statements)?;
    let today = app.today();
    let credits = credits(&statements, today);
    let returns = returns(&statements, today);
    let transfer_returns = transfer_returns(&statements, today);
    let file_sha256 = hex::encode(Sha256::digest(xml));
    let file = StatementFile {
        file_name,
        file_sha256: &file_sha256,
        credits: &credits,
        returns: &returns,
        transfer_returns: &transfer_returns,
    };
    Ok(recouvre_store::statements::import(app.store(), &file, &actor.login, app.now()).await?)
}

/// A camt.052 intraday report announces movements the end-of-day statement will confirm, or
/// not: booking it would book the day twice, or book what the bank later drops. It is shown for
/// information (`recouvre statement show`) and refused here, before anything is written.
pub fn check_bookable(file_name: &str, statements: &[Statement]) -> Result<()> {
    if let Some(report) = statements.iter().find(|statement| statement.message.is_report()) {
        return Err(Error::invalid_input(
            "report_not_bookable",
            format!(
                "{file_name} : ce fichier est un relevé intrajournalier {} (compte {}), donné pour information : il \
                 n'est jamais comptabilisé ; consultez-le avec « recouvre statement show » et importez le relevé de \
                 fin de journée (camt.053 ou CFONB 120) ou l'avis camt.054 de la banque",
                report.message,
                report.account_label()
            ),
        ));
    }
    Ok(())
}

/// A camt.053 statement whose closing balance is not its opening balance plus its booked
/// entries has lost, gained or altered an entry on the way (a truncated or tampered file):
/// it is refused for booking, naming the statement and the difference in euros, before
/// anything is written. A statement that lacks either balance (every camt.054, and a camt.053
/// from a bank that sends none) cannot be checked and is taken as before.
pub fn check_balances(file_name: &str, statements: &[Statement]) -> Result<()> {
    for statement in statements {
        let Some(gap) = statement.balance_gap().filter(|gap| *gap != Money::ZERO) else { continue };
        let (Some(opening), Some(closing)) = (statement.opening_balance, statement.closing_balance) else { continue };
        return Err(Error::invalid_input(
            "unbalanced_statement",
            format!(
                "{file_name} : le relevé {} du compte {} ne s'équilibre pas : solde d'ouverture {} + écritures \
                 comptabilisées {} ≠ solde de clôture annoncé {} (écart de {}) ; rien n'est comptabilisé : demandez \
                 à la banque le relevé complet et non modifié",
                statement.statement_id,
                statement.account_label(),
                opening.to_french(),
                statement.booked_movement().to_french(),
                closing.to_french(),
                gap.to_french(),
            ),
        ));
    }
    Ok(())
}

/// What a statement file holds, read without booking anything (`recouvre statement show`),
/// as JSON text.
pub async fn show(file_name: &str, xml: &[u8]) -> Result<String> {
    let statements = read(file_name, xml).await?;
    Ok(recouvre_iso20022::statement_json_text(&statements))
}

/// Parses and validates a statement file off the async workers: parsing and schema validation
/// are CPU-bound (a large file takes seconds), and a worker busy with them stops serving every
/// other request it holds. Bounded by [`crate::blocking`]'s limit on parsers running at once.
async fn read(file_name: &str, xml: &[u8]) -> Result<Vec<Statement>> {
    let xml = xml.to_vec();
    crate::blocking::parse(move || recouvre_iso20022::read_statements(&xml))
        .await?
        .map_err(|error| Error::invalid_input("invalid_file", format!("{file_name} : {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_rf_references_decode_to_case_numbers() {
        let printed = sepa::rf_reference("CTX-0000042");
        assert_eq!(case_reference_from_rf(&printed), Some("CTX-0000042".to_string()));
        assert_eq!(case_reference_from_rf(&sepa::rf_for_print(&printed)), Some("CTX-0000042".to_string()));
        // A valid RF that is not ours, and an invalid one.
        assert_eq!(case_reference_from_rf("RF18539007547034"), None);
        assert_eq!(case_reference_from_rf("RF19CTX0000042"), None);
    }
}
