//! The directory of third parties the procedures name (bailiffs, lawyers, agencies, notaries,
//! courts, guardians), and what each one did on the bank's cases.

use recouvre_domain::authority::Permission;
use recouvre_store::team::{Involvement, NewThirdParty, ThirdParty, ThirdPartyResults, THIRD_PARTY_KINDS};

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// Whether `actor` may add to the directory: officers, who meet the third parties, and team
/// leads, who choose them.
pub fn can_edit_directory(actor: &Actor) -> bool {
    actor.can(Permission::WorkCases) || actor.can(Permission::AssignCases)
}

/// The directory, by kind then name (of one kind, or all).
pub async fn third_parties(app: &App, actor: &Actor, kind: Option<&str>) -> Result<Vec<ThirdParty>> {
    actor.require(Permission::ReadCases)?;
    Ok(recouvre_store::team::third_parties(app.store(), super::filter(kind)).await?)
}

/// An optional one-line text: trimmed, `None` when empty.
fn optional(field: &str, text: &Option<String>, max_chars: usize, multiline: bool) -> Result<Option<String>> {
    match text {
        None => Ok(None),
        Some(text) => Ok(Some(limits::text(field, text, max_chars, multiline)?).filter(|text| !text.is_empty())),
    }
}

/// Adds a third party to the directory; returns it as recorded.
pub async fn create_third_party(app: &App, actor: &Actor, input: &NewThirdParty) -> Result<ThirdParty> {
    if !can_edit_directory(actor) {
        actor.require(Permission::WorkCases)?;
    }
    let email = optional("email", &input.email, SHORT_TEXT_CHARS_MAX, false)?;
    if let Some(email) = &email {
        if !email.contains('@') {
            return Err(Error::invalid(
                "email",
                "invalid_email",
                format!("« {email} » n'est pas une adresse électronique : corrigez-la ou laissez le champ vide"),
            ));
        }
    }
    let party = NewThirdParty {
        kind: super::known_code("kind", "type de tiers inconnu", &input.kind, &THIRD_PARTY_KINDS)?,
        name: limits::required_text("name", &input.name, SHORT_TEXT_CHARS_MAX, false)?,
        address: limits::required_text("address", &input.address, SHORT_TEXT_CHARS_MAX, false)?,
        email,
        phone: optional("phone", &input.phone, SHORT_TEXT_CHARS_MAX, false)?,
        jurisdiction: optional("jurisdiction", &input.jurisdiction, SHORT_TEXT_CHARS_MAX, false)?,
        fee_terms: optional("fee_terms", &input.fee_terms, LONG_TEXT_CHARS_MAX, true)?,
    };
    let id = recouvre_store::team::create_third_party(app.store(), &party, app.now()).await?;
    Ok(recouvre_store::team::third_party(app.store(), id).await?)
}

/// A third party and what it did.
#[derive(Clone, Debug)]
pub struct ThirdPartyFile {
    pub party: ThirdParty,
    /// The procedures it is involved in, newest first (at most 500).
    pub involvements: Vec<Involvement>,
    /// Its results: cases, procedures, recovered, costs, per procedure state.
    pub results: ThirdPartyResults,
}

/// A third party, the procedures it is involved in and its results.
pub async fn third_party(app: &App, actor: &Actor, id: i64) -> Result<ThirdPartyFile> {
    actor.require(Permission::ReadCases)?;
    let party = recouvre_store::team::third_party(app.store(), id).await?;
    let (involvements, results) = recouvre_store::team::involvement(app.store(), id).await?;
    Ok(ThirdPartyFile { party, involvements, results })
}
