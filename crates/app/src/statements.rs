//! Bank statements in: camt.053/054 files read by `recouvre-iso20022`, turned into the credits
//! the store books and the returns of our direct debits it applies (one use case for
//! `recouvre import statement` and the API).

use recouvre_domain::authority::Permission;
use recouvre_iso20022::{entry_key, sepa, Statement};
use recouvre_store::statements::Credit;

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
            if !entry.is_credit()
                || !entry.is_booked()
                || entry.is_return()
                || recouvre_store::direct_debits::is_collection_credit(entry)
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

/// Reads a statement file, books its credits (all or nothing), then applies the returns of
/// our direct debits it reports (R-transactions, usually in a camt.054), each once.
pub async fn import(
    app: &App,
    actor: &Actor,
    file_name: &str,
    xml: &[u8],
) -> Result<recouvre_store::statements::StatementOutcome> {
    actor.require(Permission::ImportFiles)?;
    let statements = recouvre_iso20022::read_statements(xml)
        .map_err(|error| Error::invalid_input("invalid_file", format!("{file_name} : {error}")))?;
    let now = app.now();
    let today = app.today();
    let credits = credits(&statements, today);
    let mut outcome =
        recouvre_store::statements::book_credits(app.store(), file_name, &credits, &actor.login, now).await?;
    for debit_return in recouvre_store::direct_debits::returns_from_statements(&statements) {
        // A bank may omit the reason or the date: "NARR" (narrative) and the import date.
        let reason = debit_return.reason_code.as_deref().unwrap_or("NARR");
        let returned_on = debit_return.returned_on.unwrap_or(today);
        let applied = recouvre_store::direct_debits::apply_return(
            app.store(),
            &debit_return.end_to_end_id,
            reason,
            returned_on,
            &actor.login,
            now,
        )
        .await?;
        if matches!(applied, recouvre_store::direct_debits::ReturnOutcome::Applied { .. }) {
            outcome.returns_applied += 1;
        }
    }
    Ok(outcome)
}

/// What a statement file holds, read without booking anything (`recouvre statement show`),
/// as JSON text.
pub fn show(file_name: &str, xml: &[u8]) -> Result<String> {
    let statements = recouvre_iso20022::read_statements(xml)
        .map_err(|error| Error::invalid_input("invalid_file", format!("{file_name} : {error}")))?;
    Ok(recouvre_iso20022::statement_json_text(&statements))
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
