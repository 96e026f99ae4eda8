//! Sanctions and asset-freeze lists (listes de gel des avoirs, CMF L562-1 and following):
//! loading the file compliance exports from the official lists, and screening a name.

use recouvre_domain::authority::Permission;
use recouvre_domain::sanctions::{SanctionsList, SanctionsMatch};
use recouvre_store::sanctions::LoadedList;

use crate::{Actor, App, Error, Result};

/// Loads a list file (docs/formats/sanctions-list.md); it is in force for the next payments.
/// A bad line refuses the whole file, naming the line and the field.
pub async fn load(app: &App, actor: &Actor, file_name: &str, text: &str, threshold_percent: u8) -> Result<LoadedList> {
    actor.require(Permission::ReviewAml)?;
    Ok(recouvre_store::sanctions::load(app.store(), file_name, text, threshold_percent, &actor.login, app.now())
        .await?)
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
