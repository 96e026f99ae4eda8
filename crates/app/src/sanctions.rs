//! Sanctions and asset-freeze lists (listes de gel des avoirs, CMF L562-1 and following):
//! loading the file compliance exports from the official lists, and screening a name.

use recouvre_domain::authority::Permission;
use recouvre_domain::sanctions::{SanctionsList, SanctionsMatch};
pub use recouvre_store::sanctions::LoadedList;
use recouvre_store::StoreError;

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// The similarity threshold a list may have, in percent: below half, any name would match.
pub const THRESHOLD_PERCENT_RANGE: std::ops::RangeInclusive<u8> = 50..=100;

/// The name a list pasted without one is kept under.
pub const PASTED_FILE_NAME: &str = "liste-collee.csv";

/// Loads a list file (docs/formats/sanctions-list.md); it is in force for the next payments.
/// A bad line refuses the whole file (400), naming the line and the field.
pub async fn load(app: &App, actor: &Actor, file_name: &str, text: &str, threshold_percent: u8) -> Result<LoadedList> {
    actor.require(Permission::ReviewAml)?;
    let file_name = limits::text("file_name", file_name, SHORT_TEXT_CHARS_MAX, false)?;
    let file_name = if file_name.is_empty() { PASTED_FILE_NAME.to_string() } else { file_name };
    if !THRESHOLD_PERCENT_RANGE.contains(&threshold_percent) {
        return Err(Error::invalid(
            "threshold_percent",
            "out_of_range",
            format!("seuil de similarité {threshold_percent} % refusé : choisissez entre 50 et 100 %"),
        ));
    }
    recouvre_store::sanctions::load(app.store(), &file_name, text, threshold_percent, &actor.login, app.now())
        .await
        .map_err(|error| match error {
            // The store refuses a file it cannot read: the file is at fault, not the state.
            StoreError::Invalid { message, .. } => Error::invalid_input("invalid_file", message),
            other => other.into(),
        })
}

/// The list in force, without its entries, if one was loaded.
pub async fn latest(app: &App, actor: &Actor) -> Result<Option<LoadedList>> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::sanctions::latest(app.store()).await?)
}

/// The list in force and its threshold.
pub async fn in_force(app: &App, actor: &Actor) -> Result<Option<(SanctionsList, u8)>> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::sanctions::current(app.store()).await?)
}

/// The best match of `name` in the list in force, if it reaches the list's threshold.
pub async fn check(app: &App, actor: &Actor, name: &str) -> Result<Option<SanctionsMatch>> {
    let Some((list, threshold)) = in_force(app, actor).await? else {
        return Err(Error::refused(
            "no_sanctions_list",
            "aucune liste de sanctions chargée : recouvre sanctions load FICHIER",
        ));
    };
    Ok(list.screen(name, threshold))
}
