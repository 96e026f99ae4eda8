//! Absence cover: while an officer is away, a colleague handles their agenda.

use chrono::NaiveDate;
use recouvre_domain::authority::{Permission, Role};

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// An absence as the team lead types it.
#[derive(Clone, Debug)]
pub struct AbsenceInput {
    /// Login of the absent officer.
    pub officer: String,
    pub starts_on: NaiveDate,
    /// The last day of the absence (inclusive).
    pub ends_on: NaiveDate,
    /// Login of the colleague who handles their agenda meanwhile.
    pub cover: String,
}

/// Records an absence and its cover; returns its id. The officer and the cover are two different
/// active officers (or team leads), the period is in order; a cover absent themselves during the
/// period is refused by the store (409).
pub async fn record_absence(app: &App, actor: &Actor, input: &AbsenceInput) -> Result<i64> {
    actor.require(Permission::AssignCases)?;
    let officer = limits::required_text("officer", &input.officer, SHORT_TEXT_CHARS_MAX, false)?;
    let cover = limits::required_text("cover", &input.cover, SHORT_TEXT_CHARS_MAX, false)?;
    if officer == cover {
        return Err(Error::invalid(
            "cover",
            "same_officer",
            format!("{officer} ne peut pas se remplacer lui-même : choisissez un autre gestionnaire"),
        ));
    }
    let today = app.today();
    let starts_on = limits::any_date("starts_on", input.starts_on, today)?;
    let ends_on = limits::any_date("ends_on", input.ends_on, today)?;
    if ends_on < starts_on {
        return Err(Error::invalid(
            "ends_on",
            "invalid_period",
            format!(
                "la fin de l'absence ({}) précède son début ({}) : corrigez les dates",
                ends_on.format("%d/%m/%Y"),
                starts_on.format("%d/%m/%Y")
            ),
        ));
    }
    for (field, login) in [("officer", &officer), ("cover", &cover)] {
        let known = recouvre_store::users::by_login(app.store(), login)
            .await?
            .is_some_and(|user| user.active && matches!(user.role, Role::Officer | Role::TeamLead));
        if !known {
            return Err(Error::invalid(
                field,
                "unknown_officer",
                format!("« {login} » n'est pas un gestionnaire actif : choisissez un gestionnaire de l'équipe"),
            ));
        }
    }
    Ok(recouvre_store::team::record_absence(app.store(), &officer, starts_on, ends_on, &cover, &actor.login, app.now())
        .await?)
}
