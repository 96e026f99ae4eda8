//! Integrity checks: every case's journal chain recomputed.

use recouvre_store::journal::VerifyReport;

use crate::{Actor, App, Error, Result};

/// Recomputes every case's hash chain; the report names the first broken link, if any.
pub async fn verify(app: &App, actor: &Actor) -> Result<VerifyReport> {
    if !actor.is_system() {
        return Err(Error::forbidden(
            "la vérification des journaux se lance depuis le serveur (recouvre audit verify)",
        ));
    }
    Ok(recouvre_store::journal::verify_all(app.store()).await?)
}
