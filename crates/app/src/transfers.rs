//! SEPA credit transfers out (issue 21, item 4): `recouvre export transfers --date D --out FILE
//! --version 03|09` writes the pain.001 of the suspense items returned to their payer, each
//! once, and the costs owed to third parties (issue 18), from the bank's collection account
//! (docs/formats/transfers.md).

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_iso20022::{CreditTransfer, CreditTransferBatch, Pain001Version, Pain008Error};
use recouvre_store::settings::BankIdentity;
use recouvre_store::transfers::{TransferFile, TransferSummary};

use crate::{Actor, App, Error, Result};

/// Reads a message version: `03` (pain.001.001.03) or `09`.
pub fn version(text: &str) -> Result<Pain001Version> {
    Pain001Version::parse(text)
        .ok_or_else(|| Error::invalid("version", "unknown_code", format!("version « {text} » inconnue : 03 ou 09")))
}

fn file_error(error: Pain008Error) -> Error {
    Error::refused("transfer_file_refused", format!("fichier de virements non produit : {error}"))
}

/// The pain.001 of `version` for the transfers the store marked, from the bank's identity.
pub fn pain001(file: &TransferFile, bank: &BankIdentity, version: Pain001Version) -> Result<String> {
    let batch = CreditTransferBatch {
        message_id: file.message_id.clone(),
        created_at: file.created_at.naive_utc(),
        initiating_party: bank.name.clone(),
        debtor_name: bank.name.clone(),
        debtor_iban: bank.collection_iban.clone(),
        debtor_bic: bank.collection_bic.clone(),
        execution_date: file.execution_date,
        transfers: file
            .transfers
            .iter()
            .map(|transfer| CreditTransfer {
                end_to_end_id: transfer.end_to_end_id.clone(),
                amount: transfer.amount,
                creditor_name: transfer.payer_name.clone().unwrap_or_else(|| "PAYEUR".to_string()),
                creditor_iban: transfer.payer_iban.clone(),
                creditor_bic: transfer.payer_bic.clone(),
                remittance: match transfer.payable_id {
                    // An overpayment refunded to its payer.
                    None if transfer.refund_id.is_some() => format!(
                        "Remboursement trop-percu dossier {}",
                        transfer.reference.as_deref().unwrap_or("sans reference")
                    ),
                    // A cost paid to the third party who invoiced it (issue 18).
                    Some(_) => format!("Facture {}", transfer.reference.as_deref().unwrap_or("sans reference")),
                    None => {
                        format!("Retour de fonds {}", transfer.reference.as_deref().unwrap_or("recus sans reference"))
                    }
                },
            })
            .collect(),
    };
    recouvre_iso20022::write_pain001(&batch, version).map_err(file_error)
}

/// The pain.001 file of the refunds to execute on `date`, and what it holds; `None` when there
/// is nothing to send. Each refund is in one file only; if the file cannot be written (a payer's
/// IBAN, the bank identity…), the error says why and nothing is marked.
pub async fn export(
    app: &App,
    actor: &Actor,
    date: NaiveDate,
    version: Pain001Version,
) -> Result<Option<(String, TransferSummary)>> {
    actor.require(Permission::ImportFiles)?;
    let bank = recouvre_store::settings::bank_identity(app.store()).await?;
    recouvre_store::transfers::prepare_export(app.store(), date, version.name(), &actor.login, app.now(), |file| {
        pain001(file, &bank, version)
    })
    .await
}
