//! Administration: the bank's identity on letters and files, the access log, reference data
//! entries as stored.

use recouvre_domain::authority::Permission;
use recouvre_store::access::Access;
use recouvre_store::reference::ReferenceEntry;
use recouvre_store::settings::BankIdentity;

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// The bank's identity as letters and files print it, for its administrators.
pub async fn bank_identity(app: &App, actor: &Actor) -> Result<BankIdentity> {
    actor.require(Permission::Administer)?;
    Ok(recouvre_store::settings::bank_identity(app.store()).await?)
}

/// Replaces the bank's identity.
pub async fn set_bank_identity(app: &App, actor: &Actor, identity: &BankIdentity) -> Result<()> {
    actor.require(Permission::Administer)?;
    let checked = BankIdentity {
        name: limits::required_text("name", &identity.name, SHORT_TEXT_CHARS_MAX, false)?,
        address: limits::required_text("address", &identity.address, SHORT_TEXT_CHARS_MAX, false)?,
        sepa_creditor_id: limits::required_text("sepa_creditor_id", &identity.sepa_creditor_id, 35, false)?,
        collection_iban: limits::required_text(
            "collection_iban",
            &identity.collection_iban.replace(' ', ""),
            34,
            false,
        )?,
        collection_bic: limits::required_text("collection_bic", &identity.collection_bic, 11, false)?,
        logo: limits::text("logo", &identity.logo, 100_000, false)?,
        centre_name: limits::required_text("centre_name", &identity.centre_name, SHORT_TEXT_CHARS_MAX, false)?,
        centre_phone: limits::text("centre_phone", &identity.centre_phone, 40, false)?,
        centre_email: limits::text("centre_email", &identity.centre_email, SHORT_TEXT_CHARS_MAX, false)?,
        // C. com. R123-237: every letter prints them (issue 20).
        legal_form: limits::required_text("legal_form", &identity.legal_form, SHORT_TEXT_CHARS_MAX, false)?,
        share_capital: limits::required_text("share_capital", &identity.share_capital, 40, false)?,
        rcs: limits::required_text("rcs", &identity.rcs, SHORT_TEXT_CHARS_MAX, false)?,
        head_office: limits::text("head_office", &identity.head_office, SHORT_TEXT_CHARS_MAX, false)?,
        orias: limits::text("orias", &identity.orias, 40, false)?,
    };
    Ok(recouvre_store::settings::set_bank_identity(app.store(), &checked, &actor.login, app.now()).await?)
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
