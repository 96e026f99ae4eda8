//! Administration: the bank's identity on letters and files, the access log, reference data
//! entries as stored.

use recouvre_domain::authority::Permission;
use recouvre_store::access::Access;
use recouvre_store::reference::ReferenceEntry;
use recouvre_store::settings::BankIdentity;

use crate::{Actor, App, Error, Result};

/// The bank's identity as letters and files print it, for its administrators.
pub async fn bank_identity(app: &App, actor: &Actor) -> Result<BankIdentity> {
    actor.require(Permission::Administer)?;
    Ok(recouvre_store::settings::bank_identity(app.store()).await?)
}

/// Proposes a new identity of the bank: validated now, in force once another administrator
/// approves it (issue 23: dual control, see [`crate::setting_changes`]).
pub async fn set_bank_identity(
    app: &App,
    actor: &Actor,
    identity: &BankIdentity,
) -> Result<recouvre_store::setting_changes::SettingChange> {
    crate::setting_changes::propose_bank_identity(app, actor, identity).await
}

/// Whose consultations the access log is asked about.
#[derive(Clone, Copy, Debug)]
pub enum AccessOf {
    Person(i64),
    Case(i64),
}

/// Who consulted a debtor's files, for a right-of-access request (RGPD art. 15).
pub async fn access_log(app: &App, actor: &Actor, of: AccessOf) -> Result<Vec<Access>> {
    actor.require(Permission::ReadAccessLog)?;
    let mut entries = match of {
        AccessOf::Person(person_id) => recouvre_store::access::for_person(app.store(), person_id).await?,
        AccessOf::Case(case_id) => recouvre_store::access::for_case(app.store(), case_id).await?,
    };
    // Compliance's reads are vigilance data: a debtor reaches them only through the CNIL
    // (CMF L561-45), never through the bank's answer to an access request, and no one outside
    // compliance learns that compliance looked (L561-18; issue 19).
    if !actor.can(Permission::ReviewAml) {
        let compliance = recouvre_store::aml::compliance_logins(app.store()).await?;
        entries.retain(|entry| !compliance.contains(&entry.user_login));
    }
    Ok(entries)
}

/// Which of a person or a case, from two optional parameters: exactly one must be given.
pub fn access_of(person_id: Option<i64>, case_id: Option<i64>) -> Result<AccessOf> {
    match (person_id, case_id) {
        (Some(person_id), None) => Ok(AccessOf::Person(person_id)),
        (None, Some(case_id)) => Ok(AccessOf::Case(case_id)),
        _ => Err(Error::invalid_input("one_of", "donnez soit person_id, soit case_id")),
    }
}

/// The reference entries administrators added, oldest first, with the data in force and what
/// it does not cover today.
pub struct ReferenceView {
    pub entries: Vec<ReferenceEntry>,
    pub data: std::sync::Arc<recouvre_domain::reference::ReferenceData>,
    pub warnings: Vec<String>,
}

/// The reference data in force and its history, for those who use the calculators.
pub async fn reference_data(app: &App, actor: &Actor) -> Result<ReferenceView> {
    actor.require(Permission::UseCalculators)?;
    // Vigilance rules entered before they had their own table stay in `reference_entries`
    // (append-only), but only compliance reads them.
    let entries = recouvre_store::reference::all(app.store())
        .await?
        .into_iter()
        .filter(|entry| entry.kind != "aml_rules")
        .collect();
    let data = app.reference();
    let warnings = crate::reference::coverage_warnings(&data, app.today());
    Ok(ReferenceView { entries, data, warnings })
}
