//! The log of consultations of a debtor's file (RGPD art. 15: a debtor may learn when and why
//! their file was read): every use case that reads personal data records it here.

use crate::{Actor, App, Error, Result};

/// Records that `actor` consulted the file of `case_id`'s debtor through `path`.
pub(crate) async fn record_access(
    app: &App,
    actor: &Actor,
    case_id: i64,
    debtor_id: Option<i64>,
    path: &str,
) -> Result<()> {
    recouvre_store::access::record(
        app.store(),
        &recouvre_store::access::Access {
            user_login: actor.login.clone(),
            case_id: Some(case_id),
            person_id: debtor_id,
            path: path.to_string(),
            at: app.now(),
        },
    )
    .await?;
    Ok(())
}

/// Records that `actor` read `case_id` through `path`, naming the case's debtor (404 when the
/// case does not exist).
pub(crate) async fn record_case_read(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<()> {
    let debtor = debtor_of(app, case_id).await?;
    record_access(app, actor, case_id, Some(debtor), path).await
}

/// The debtor of `case_id` (404 when the case does not exist).
async fn debtor_of(app: &App, case_id: i64) -> Result<i64> {
    recouvre_store::cases::debtor_of(app.store(), case_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("dossier n° {case_id}")))
}
