//! Dual control of the bank's settings (issue 23, finding 6): the bank's identity (collection
//! IBAN printed on letters and used for direct debits, creditor identifier, …), the authority
//! matrix and the workflow rules change only through a request that ANOTHER administrator
//! approves. A request is validated before it is even accepted (a 400 naming the field), and
//! is in force only once approved. The vigilance rules (`aml_rules`) keep their own four eyes,
//! by compliance (`crate::compliance`).

use recouvre_domain::authority::Permission;
use recouvre_store::setting_changes::{SettingChange, BANK_IDENTITY};
use recouvre_store::settings::BankIdentity;

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, ErrorKind, Result};

/// The subjects a request may change: the bank's identity and the workflow's rule documents.
pub fn subjects() -> impl Iterator<Item = &'static str> {
    std::iter::once(BANK_IDENTITY).chain(recouvre_store::workflow::RULE_KINDS)
}

/// Proposes a new identity of the bank, checked field by field (IBAN ISO 13616, BIC ISO 9362,
/// creditor identifier (EPC262-08 §2.3), e-mail address): in force once another administrator
/// approves it.
pub async fn propose_bank_identity(app: &App, actor: &Actor, identity: &BankIdentity) -> Result<SettingChange> {
    actor.require(Permission::Administer)?;
    let checked = check_bank_identity(identity)?;
    let change = recouvre_store::setting_changes::propose(
        app.store(),
        BANK_IDENTITY,
        &serde_json::to_string(&checked).map_err(Error::internal)?,
        &actor.login,
        app.now(),
    )
    .await?;
    proposed(app, actor, &change).await;
    Ok(change)
}

/// Proposes a new version of a rule document (`strategy_rules`, `authority_matrix`, …), validated
/// first (an error names the rule and the field, reported under `field`): in force once another
/// administrator approves it.
pub async fn propose_rules(app: &App, actor: &Actor, kind: &str, text: &str, field: &str) -> Result<SettingChange> {
    actor.require(Permission::Administer)?;
    if !recouvre_store::workflow::RULE_KINDS.contains(&kind) {
        return Err(Error::not_found(format!("le document de règles « {kind} »")));
    }
    let text = text.trim();
    recouvre_store::workflow::validate_rules(kind, text)
        .map_err(|error| Error::invalid(field, "invalid_rules", error))?;
    let change = recouvre_store::setting_changes::propose(app.store(), kind, text, &actor.login, app.now()).await?;
    proposed(app, actor, &change).await;
    Ok(change)
}

async fn proposed(app: &App, actor: &Actor, change: &SettingChange) {
    let detail = format!("demande n° {} : {}", change.id, change.subject);
    crate::identity::security_event(app, "setting_change_proposed", Some(&actor.login), None, &detail).await;
    tracing::info!(target: "security", id = change.id, subject = %change.subject, by = %actor.login, "setting change proposed");
}

/// Every request, newest first, with who proposed and decided it and the old and new values.
pub async fn history(app: &App, actor: &Actor) -> Result<Vec<SettingChange>> {
    actor.require(Permission::Administer)?;
    Ok(recouvre_store::setting_changes::history(app.store()).await?)
}

/// One request.
pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<SettingChange> {
    actor.require(Permission::Administer)?;
    Ok(recouvre_store::setting_changes::by_id(app.store(), id).await?)
}

/// Approves a request and puts its value in force. Never by its proposer.
pub async fn approve(app: &App, actor: &Actor, id: i64) -> Result<SettingChange> {
    actor.require(Permission::Administer)?;
    let change = recouvre_store::setting_changes::by_id(app.store(), id).await?;
    if change.proposed_by == actor.login {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "own_request",
            "vous ne pouvez pas approuver votre propre demande : un autre administrateur doit la valider",
        ));
    }
    let change = recouvre_store::setting_changes::approve(app.store(), id, &actor.login, app.now()).await?;
    let detail = format!("demande n° {} : {} (proposée par {})", change.id, change.subject, change.proposed_by);
    crate::identity::security_event(app, "setting_change_approved", Some(&actor.login), None, &detail).await;
    Ok(change)
}

/// Rejects a request (another administrator) or withdraws it (its proposer).
pub async fn reject(app: &App, actor: &Actor, id: i64) -> Result<SettingChange> {
    actor.require(Permission::Administer)?;
    let change = recouvre_store::setting_changes::reject(app.store(), id, &actor.login, app.now()).await?;
    let detail = format!("demande n° {} : {}", change.id, change.subject);
    crate::identity::security_event(app, "setting_change_rejected", Some(&actor.login), None, &detail).await;
    Ok(change)
}

/// The identity as it will be stored, or the first field at fault.
pub fn check_bank_identity(identity: &BankIdentity) -> Result<BankIdentity> {
    // Every direct-debit and transfer file carries them: parsed by the domain's one module of
    // bank identifiers (issue 21), each refusal naming its field.
    let collection_iban = crate::bank_fields::sepa_iban(
        "collection_iban",
        "IBAN du compte d'encaissement",
        &limits::required_text("collection_iban", &identity.collection_iban, 50, false)?,
    )?
    .into_string();
    let collection_bic = crate::bank_fields::bic(
        "collection_bic",
        "BIC du compte d'encaissement",
        &limits::required_text("collection_bic", &identity.collection_bic, 20, false)?,
    )?
    .into_string();
    let sepa_creditor_id = crate::bank_fields::creditor_id(
        "sepa_creditor_id",
        "identifiant créancier SEPA (ICS)",
        &limits::required_text("sepa_creditor_id", &identity.sepa_creditor_id, 35, false)?,
    )?
    .into_string();
    let centre_email = limits::text("centre_email", &identity.centre_email, SHORT_TEXT_CHARS_MAX, false)?;
    if !centre_email.is_empty() && !email_ok(&centre_email) {
        return Err(Error::invalid(
            "centre_email",
            "invalid_email",
            "adresse électronique invalide : saisissez-la sous la forme nom@domaine.fr",
        ));
    }
    Ok(BankIdentity {
        name: limits::required_text("name", &identity.name, SHORT_TEXT_CHARS_MAX, false)?,
        address: limits::required_text("address", &identity.address, SHORT_TEXT_CHARS_MAX, false)?,
        sepa_creditor_id,
        collection_iban,
        collection_bic,
        logo: limits::text("logo", &identity.logo, 100_000, false)?,
        centre_name: limits::required_text("centre_name", &identity.centre_name, SHORT_TEXT_CHARS_MAX, false)?,
        centre_phone: limits::text("centre_phone", &identity.centre_phone, 40, false)?,
        centre_email,
        // C. com. R123-237: every letter prints them (issue 20).
        legal_form: limits::required_text("legal_form", &identity.legal_form, SHORT_TEXT_CHARS_MAX, false)?,
        share_capital: limits::required_text("share_capital", &identity.share_capital, 40, false)?,
        rcs: limits::required_text("rcs", &identity.rcs, SHORT_TEXT_CHARS_MAX, false)?,
        head_office: limits::text("head_office", &identity.head_office, SHORT_TEXT_CHARS_MAX, false)?,
        orias: limits::text("orias", &identity.orias, 40, false)?,
    })
}

/// A plausible address: one `@`, a local part, a domain with a dot, no space.
fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked() {
        assert!(email_ok("contentieux@banque-demo.example.fr"));
        for bad in ["not-an-email", "a@b", "@b.fr", "a b@c.fr", "a@.fr", "a@b.fr."] {
            assert!(!email_ok(bad), "{bad}");
        }
    }
}
