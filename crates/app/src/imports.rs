//! Files from the bank's other systems: the accounts intake (closed accounts and accelerated
//! loans from the core banking system). All or nothing, and idempotent.

use recouvre_domain::authority::Permission;
use recouvre_store::imports::{ImportFileError, ImportOutcome, PartiesOutcome};

use crate::{Actor, App, Error, Result};

/// Imports an accounts file (CSV, `;`, UTF-8; docs/formats/accounts-csv.md). A bad line is
/// refused naming the file, line, column and value, and nothing is written.
pub async fn import_accounts(app: &App, actor: &Actor, file_name: &str, content: &str) -> Result<ImportOutcome> {
    actor.require(Permission::ImportFiles)?;
    recouvre_store::imports::import_accounts_csv(app.store(), file_name, content, &actor.login, app.now())
        .await
        .map_err(|error| match error {
            ImportFileError::Invalid { .. } => Error::invalid_input("invalid_file", error.to_string()),
            ImportFileError::Store { error, .. } => Error::from(error).context(file_name),
        })
}

/// Imports a parties file (CSV, `;`, UTF-8; docs/formats/parties-csv.md): co-debtors,
/// guarantors, guarantees, other accounts and loan schedules of the claims already imported. A
/// bad line, or one naming a contract or customer not imported yet, is refused naming the file,
/// line, column and value, and nothing is written.
pub async fn import_parties(app: &App, actor: &Actor, file_name: &str, content: &str) -> Result<PartiesOutcome> {
    actor.require(Permission::ImportFiles)?;
    recouvre_store::imports::import_parties_csv(app.store(), file_name, content, &actor.login, app.now()).await.map_err(
        |error| match error {
            ImportFileError::Invalid { .. } => Error::invalid_input("invalid_file", error.to_string()),
            ImportFileError::Store { error, .. } => Error::from(error).context(file_name),
        },
    )
}
