//! SEPA direct debits out: the mandates they are collected under, and the instalments due on a
//! collection date, as a pain.008 file (docs/formats/direct-debits.md). Each instalment is booked
//! when the file is produced, once: the store books the collections and hands them to
//! [`export`] as values, which writes the file with `recouvre-iso20022` inside the store's
//! transaction (the store commits only if the file is written).

use chrono::{Datelike, NaiveDate, Weekday};
use recouvre_domain::authority::Permission;
use recouvre_domain::calendar;
use recouvre_iso20022::{sepa, Creditor, DirectDebit, DirectDebitBatch, Pain008Error, Pain008Version, SequenceType};
use recouvre_store::direct_debits::{CollectionFile, ExportSummary, NewMandate, Sequence};
use recouvre_store::settings::BankIdentity;

use crate::{limits, Actor, App, Error, Result};

/// Reads a message version: `02` (pain.008.001.02) or `08`.
pub fn version(text: &str) -> Result<Pain008Version> {
    Pain008Version::parse(text)
        .ok_or_else(|| Error::invalid("version", "unknown_code", format!("version « {text} » inconnue : 02 ou 08")))
}

/// A direct-debit file that cannot be produced, and why.
fn file_error(error: Pain008Error) -> Error {
    Error::refused("direct_debit_file_refused", format!("fichier de prélèvements non produit : {error}"))
}

/// The collection date must be a TARGET2 business day (the days the SEPA clearing settles), not
/// before today: checked before anything is booked.
fn check_collection_date(date: NaiveDate, today: NaiveDate) -> Result<()> {
    if !calendar::is_target2_business_day(date) {
        let reason = match date.weekday() {
            Weekday::Sat => "samedi",
            Weekday::Sun => "dimanche",
            _ => "jour de fermeture de TARGET2",
        };
        return Err(file_error(Pain008Error::NotTarget2 {
            date,
            next: calendar::next_target2_business_day(date),
            reason: reason.to_string(),
        }));
    }
    if date < today {
        return Err(file_error(Pain008Error::CollectionInThePast { date, created: today }));
    }
    Ok(())
}

/// The pain.008 of `version` for the collections the store booked, from the bank's identity.
/// Valid against its schema, or an error that says which field is wrong.
pub fn pain008(file: &CollectionFile, bank: &BankIdentity, version: Pain008Version) -> Result<String> {
    let debits = file
        .collections
        .iter()
        .map(|collection| DirectDebit {
            end_to_end_id: collection.end_to_end_id.clone(),
            amount: collection.amount,
            mandate_id: collection.mandate_reference.clone(),
            mandate_signed_on: collection.mandate_signed_on,
            sequence: match collection.sequence {
                Sequence::First => SequenceType::First,
                Sequence::Recurrent => SequenceType::Recurrent,
            },
            debtor_name: collection.debtor_name.clone(),
            debtor_iban: collection.debtor_iban.clone(),
            debtor_bic: collection.debtor_bic.clone(),
            remittance: format!("Echeance {} dossier {}", collection.instalment_number, collection.case_reference),
        })
        .collect();
    let batch = DirectDebitBatch {
        message_id: file.message_id.clone(),
        created_at: file.created_at.naive_utc(),
        initiating_party: bank.name.clone(),
        creditor: Creditor {
            name: bank.name.clone(),
            iban: bank.collection_iban.clone(),
            bic: bank.collection_bic.clone(),
            creditor_id: bank.sepa_creditor_id.clone(),
        },
        collection_date: file.collection_date,
        debits,
    };
    recouvre_iso20022::write_pain008(&batch, version).map_err(file_error)
}

/// The pain.008 file of the instalments due on `collection_date`, and what it holds; `None`
/// when nothing is due. A collection date that is not a TARGET2 business day is refused with the
/// next one; if the file cannot be written (the bank identity's IBAN, BIC or creditor identifier
/// is wrong…), the error says why and nothing is marked or booked.
pub async fn export(
    app: &App,
    actor: &Actor,
    collection_date: NaiveDate,
    version: Pain008Version,
) -> Result<Option<(String, ExportSummary)>> {
    actor.require(Permission::ImportFiles)?;
    check_collection_date(collection_date, app.today())?;
    let bank = recouvre_store::settings::bank_identity(app.store()).await?;
    recouvre_store::direct_debits::prepare_export(
        app.store(),
        collection_date,
        version.message().name(),
        &actor.login,
        app.now(),
        |file| pain008(file, &bank, version),
    )
    .await
}

/// A mandate's field refused, named by its French `label` in the message.
fn field_error(field: &str, label: &str, error: sepa::SepaError) -> Error {
    Error::invalid(field, "invalid_mandate", format!("{label} : {error}"))
}

/// Registers a SEPA Core mandate on a case (journaled `mandate_added`), made on the case's
/// `version`. The reference (RUM), the IBAN (checksum, SEPA country, French RIB key) and the BIC
/// are checked, and the debtor's name must be writable in the SEPA character set, as the
/// pain.008 requires; each refusal names the field. The IBAN and BIC are stored in their
/// electronic form. The case's previous active mandate is revoked. Returns the mandate's id.
pub async fn add_mandate(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    mandate: &NewMandate<'_>,
) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let reference = sepa::validate_mandate_id(mandate.reference.trim())
        .map_err(|error| field_error("reference", "référence unique de mandat (RUM)", error))?;
    let debtor_name = mandate.debtor_name.trim();
    sepa::to_sepa_text(debtor_name, 70).map_err(|error| field_error("debtor_name", "nom du débiteur", error))?;
    let debtor_iban = sepa::validate_sepa_iban(mandate.debtor_iban)
        .map_err(|error| field_error("debtor_iban", "IBAN du débiteur", error))?;
    let debtor_bic = match mandate.debtor_bic.map(str::trim) {
        Some(bic) if !bic.is_empty() => {
            Some(sepa::validate_bic(bic).map_err(|error| field_error("debtor_bic", "BIC du débiteur", error))?)
        }
        _ => None,
    };
    // The debtor signed it: an act, never dated after today (400 naming the field).
    let signed_on = limits::past_date("signed_on", mandate.signed_on, app.today())?;
    let checked = NewMandate {
        reference: &reference,
        debtor_name,
        debtor_iban: &debtor_iban,
        debtor_bic: debtor_bic.as_deref(),
        signed_on,
    };
    let id = recouvre_store::direct_debits::add_mandate(
        app.store(),
        case_id,
        Some(version),
        &checked,
        &actor.login,
        app.now(),
    )
    .await?;
    Ok(id)
}
