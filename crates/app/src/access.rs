//! The log of consultations of a debtor's file (RGPD art. 15: a debtor may learn when and why
//! their file was read): every use case that reads personal data records it here.

use crate::purpose::Purpose;
use crate::{Actor, App, Error, Result};

/// Records that `actor` consulted the file of `case_id`'s debtor through `path`, for `purpose`
/// (the use case's; an API client's declared one wins).
pub(crate) async fn record_access(
    app: &App,
    actor: &Actor,
    case_id: i64,
    debtor_id: Option<i64>,
    path: &str,
    purpose: Purpose,
) -> Result<()> {
    record(app, actor, Some(case_id), debtor_id, path.to_string(), purpose).await
}

/// Records a read of personal data: a case, a person, or neither (a search: the term is in
/// `path`), with its purpose (`actor.declared_purpose` if an API client declared one).
pub(crate) async fn record(
    app: &App,
    actor: &Actor,
    case_id: Option<i64>,
    person_id: Option<i64>,
    path: String,
    purpose: Purpose,
) -> Result<()> {
    recouvre_store::access::record(
        app.store(),
        &recouvre_store::access::Access {
            user_login: actor.login.clone(),
            case_id,
            person_id,
            path,
            at: app.now(),
            purpose: actor.declared_purpose.unwrap_or(purpose).code().to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Records that `actor` read `case_id` through `path` for `purpose`, naming the case's debtor
/// (404 when the case does not exist).
pub(crate) async fn record_case_read(
    app: &App,
    actor: &Actor,
    case_id: i64,
    path: &str,
    purpose: Purpose,
) -> Result<()> {
    let debtor = debtor_of(app, case_id).await?;
    record_access(app, actor, case_id, Some(debtor), path, purpose).await
}

/// The debtor of `case_id` (404 when the case does not exist).
async fn debtor_of(app: &App, case_id: i64) -> Result<i64> {
    recouvre_store::cases::debtor_of(app.store(), case_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("dossier n° {case_id}")))
}
