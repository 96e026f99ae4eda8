//! The officer's agenda: the open deadlines and actions of their cases and of the colleagues they
//! cover today.

use chrono::{Duration, NaiveDate};
use recouvre_domain::authority::Permission;

use super::view::Deadline;
use crate::limits;
use crate::{Actor, App, Error, Result};

/// Days ahead an agenda shows when no last day is asked.
pub const AGENDA_DAYS_DEFAULT: i64 = 30;
/// Items an agenda lists, at most.
pub const AGENDA_LIMIT: i64 = 500;

/// An agenda: items due by `until`, overdue first.
#[derive(Clone, Debug)]
pub struct Agenda {
    pub today: NaiveDate,
    pub until: NaiveDate,
    pub items: Vec<Deadline>,
    /// The absent colleagues (user ids) whose agenda the user handles today.
    pub covering: Vec<i64>,
}

/// The actor's agenda (and that of the absent colleagues they cover today): open items due by
/// `until` (default: [`AGENDA_DAYS_DEFAULT`] days ahead), overdue first.
pub async fn agenda(app: &App, actor: &Actor, until: Option<NaiveDate>) -> Result<Agenda> {
    actor.require(Permission::WorkCases)?;
    let Some(user_id) = actor.user_id else {
        return Err(Error::forbidden("l'agenda est celui d'un utilisateur : connectez-vous"));
    };
    let today = app.today();
    let until = match until {
        Some(until) => limits::any_date("until", until, today)?,
        None => today + Duration::days(AGENDA_DAYS_DEFAULT),
    };
    let mut ids = vec![user_id];
    let mut covering = Vec::new();
    for id in recouvre_store::team::covered_officers(app.store(), &actor.login, today).await? {
        if !ids.contains(&id) {
            ids.push(id);
            covering.push(id);
        }
    }
    let items = recouvre_store::workflow::agenda(app.read_store(), &ids, until, AGENDA_LIMIT).await?;
    let items = items
        .into_iter()
        .map(|item| {
            let urgency =
                recouvre_domain::agenda::Urgency::of(item.due_on, item.warn_days, item.status == "suspended", today);
            Deadline { item, urgency }
        })
        .collect();
    Ok(Agenda { today, until, items, covering })
}

/// Marks an action of the agenda done, on the version of its case the officer saw (legal
/// deadlines are closed by the procedure's steps); returns the case's new version.
pub async fn complete_action(app: &App, actor: &Actor, item_id: i64, version: i64) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    Ok(recouvre_store::workflow::complete_action(app.store(), item_id, Some(version), &actor.login, app.now()).await?)
}
