//! SEPA direct debits out: the instalments due on a collection date, as a pain.008 file
//! (docs/formats/direct-debits.md). Each instalment is booked when the file is produced, once.

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_iso20022::Pain008Version;
use recouvre_store::direct_debits::ExportSummary;

use crate::{Actor, App, Error, Result};

/// Reads a message version: `02` (pain.008.001.02) or `08`.
pub fn version(text: &str) -> Result<Pain008Version> {
    Pain008Version::parse(text)
        .ok_or_else(|| Error::invalid("version", "unknown_code", format!("version « {text} » inconnue : 02 ou 08")))
}

/// The pain.008 file of the instalments due on `collection_date`, and what it holds; `None`
/// when nothing is due.
pub async fn export(
    app: &App,
    actor: &Actor,
    collection_date: NaiveDate,
    version: Pain008Version,
) -> Result<Option<(String, ExportSummary)>> {
    actor.require(Permission::ImportFiles)?;
    let bank = recouvre_store::settings::bank_identity(app.store()).await?;
    Ok(recouvre_store::direct_debits::prepare_export(
        app.store(),
        collection_date,
        version,
        &bank,
        &actor.login,
        app.now(),
    )
    .await?)
}
