//! The team lead's distribution of the incoming cases among the officers present (round robin
//! or balanced by open workload; a deceased debtor, a protected adult or a large amount goes to
//! an officer with the matching specialty), the officers' specialties, and the team view.

use chrono::{Duration, NaiveDate};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::CaseStatus;
use recouvre_domain::Money;
use recouvre_store::team::{Absence, Distribution, Method, QueueCase, StatusLine, TeamOfficer, SPECIALTIES};

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// Cases shown in the team lead's queue.
pub const QUEUE_LIMIT: i64 = 200;
/// Cases distributed per run, at most.
pub const DISTRIBUTION_LIMIT: i64 = 500;
/// Agenda items due within this many days count as deadlines at risk in the team view.
pub const RISK_DAYS: i64 = 7;

/// The distribution method of `code` (`round_robin`, `balanced`).
pub fn method(code: &str) -> Result<Method> {
    Method::from_code(code.trim()).ok_or_else(|| {
        Error::invalid(
            "method",
            "unknown_code",
            format!("méthode de répartition inconnue « {} » : round_robin ou balanced", code.trim()),
        )
    })
}

/// The open cases without an officer, oldest first (at most [`QUEUE_LIMIT`]).
pub async fn unassigned(app: &App, actor: &Actor) -> Result<Vec<QueueCase>> {
    actor.require(Permission::AssignCases)?;
    Ok(recouvre_store::team::unassigned(app.store(), QUEUE_LIMIT).await?)
}

/// Distributes up to `limit` (default and at most [`DISTRIBUTION_LIMIT`]) unassigned open cases
/// among the officers present today, by `method_code`. Each assignment is journaled on its case
/// (`case_assigned`); a case assigned by someone else meanwhile is skipped.
pub async fn distribute(app: &App, actor: &Actor, method_code: &str, limit: Option<i64>) -> Result<Distribution> {
    actor.require(Permission::AssignCases)?;
    let method = method(method_code)?;
    let limit = limit.unwrap_or(DISTRIBUTION_LIMIT).clamp(1, DISTRIBUTION_LIMIT);
    Ok(recouvre_store::team::distribute(app.store(), method, limit, app.today(), &actor.login, app.now()).await?)
}

/// The team view: who carries what, who is away.
#[derive(Clone, Debug)]
pub struct TeamOverview {
    /// The business day the view is of (absences and deadlines at risk count from it).
    pub today: NaiveDate,
    /// Open cases without an officer.
    pub unassigned: i64,
    /// Each officer's open cases, amount and deadlines at risk (due within [`RISK_DAYS`]), and
    /// who covers them today if absent.
    pub officers: Vec<TeamOfficer>,
    /// Open cases per officer (`None`: unassigned) and status.
    pub by_status: Vec<StatusLine>,
    /// Absences not over by today, soonest first.
    pub absences: Vec<Absence>,
}

/// The team view.
pub async fn overview(app: &App, actor: &Actor) -> Result<TeamOverview> {
    actor.require(Permission::AssignCases)?;
    let today = app.today();
    let store = app.store();
    Ok(TeamOverview {
        today,
        unassigned: recouvre_store::team::unassigned_count(store).await?,
        officers: recouvre_store::team::officers(store, today, today + Duration::days(RISK_DAYS)).await?,
        by_status: recouvre_store::team::cases_by_officer_and_status(store).await?,
        absences: recouvre_store::team::absences(store, today).await?,
    })
}

/// The open cases per officer and status as a table: one column per status that has cases
/// (closed cases are not open), one row per officer in the order of `lines`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusTable {
    pub statuses: Vec<CaseStatus>,
    pub rows: Vec<StatusRow>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRow {
    /// `None`: the cases no officer has.
    pub officer: Option<String>,
    /// Cases per status, in the order of the table's `statuses`.
    pub counts: Vec<i64>,
    /// Their amount due.
    pub total: Money,
}

/// Pivots the lines of [`TeamOverview::by_status`] into a table.
pub fn status_table(lines: &[StatusLine]) -> StatusTable {
    let statuses: Vec<CaseStatus> = CaseStatus::ALL
        .iter()
        .filter(|status| **status != CaseStatus::Closed && lines.iter().any(|line| line.status == status.code()))
        .copied()
        .collect();
    let mut owners: Vec<&Option<String>> = Vec::new();
    for line in lines {
        if !owners.contains(&&line.officer_login) {
            owners.push(&line.officer_login);
        }
    }
    let rows = owners
        .into_iter()
        .map(|owner| {
            let mine: Vec<&StatusLine> = lines.iter().filter(|line| &line.officer_login == owner).collect();
            StatusRow {
                officer: owner.clone(),
                counts: statuses
                    .iter()
                    .map(|status| mine.iter().filter(|line| line.status == status.code()).map(|line| line.cases).sum())
                    .collect(),
                total: Money::from_cents(mine.iter().map(|line| line.total_cents).sum()),
            }
        })
        .collect();
    StatusTable { statuses, rows }
}

/// The team lead's page: the team view, the oldest part of the queue, the table by status.
#[derive(Clone, Debug)]
pub struct TeamBoard {
    pub overview: TeamOverview,
    /// The oldest unassigned cases (at most [`QUEUE_LIMIT`]; `overview.unassigned` counts them all).
    pub queue: Vec<QueueCase>,
    pub table: StatusTable,
}

impl TeamBoard {
    /// Only the oldest part of the queue is listed.
    pub fn truncated(&self) -> bool {
        self.overview.unassigned > self.queue.len() as i64
    }
}

/// The team lead's page.
pub async fn board(app: &App, actor: &Actor) -> Result<TeamBoard> {
    let overview = overview(app, actor).await?;
    let queue = unassigned(app, actor).await?;
    let table = status_table(&overview.by_status);
    Ok(TeamBoard { overview, queue, table })
}

/// Specialty codes as typed: each one of [`SPECIALTIES`], trimmed, duplicates removed.
pub fn specialties(codes: &[String]) -> Result<Vec<String>> {
    let mut chosen: Vec<String> = Vec::new();
    for code in codes {
        let code = super::known_code("specialties", "spécialité inconnue", code, &SPECIALTIES)?;
        if !chosen.contains(&code) {
            chosen.push(code);
        }
    }
    Ok(chosen)
}

/// Replaces the specialties of the officer `login`; returns them as recorded.
pub async fn set_specialties(app: &App, actor: &Actor, login: &str, codes: &[String]) -> Result<Vec<String>> {
    actor.require(Permission::AssignCases)?;
    let login = limits::required_text("login", login, SHORT_TEXT_CHARS_MAX, false)?;
    let codes = specialties(codes)?;
    Ok(recouvre_store::team::set_specialties(app.store(), &login, &codes).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(officer: Option<&str>, status: &str, cases: i64, total_cents: i64) -> StatusLine {
        StatusLine { officer_login: officer.map(str::to_string), status: status.to_string(), cases, total_cents }
    }

    #[test]
    fn the_status_table_has_a_column_per_open_status_with_cases_and_a_row_per_officer() {
        let lines = [
            line(None, "new", 2, 200_000),
            line(Some("alice"), "amicable", 1, 50_000),
            line(Some("alice"), "new", 3, 150_000),
            line(Some("bruno"), "closed", 4, 0),
        ];
        let table = status_table(&lines);
        assert_eq!(table.statuses, [CaseStatus::New, CaseStatus::Amicable]);
        assert_eq!(table.rows.len(), 3);
        assert_eq!(table.rows[0], StatusRow { officer: None, counts: vec![2, 0], total: Money::from_cents(200_000) });
        assert_eq!(table.rows[1].officer.as_deref(), Some("alice"));
        assert_eq!(table.rows[1].counts, [3, 1]);
        assert_eq!(table.rows[1].total, Money::from_cents(200_000));
        assert_eq!(table.rows[2].counts, [0, 0], "closed cases are no column");
    }

    #[test]
    fn methods_and_specialties_are_known_codes() {
        assert_eq!(method(" balanced ").unwrap(), Method::Balanced);
        let error = method("random").unwrap_err();
        assert_eq!((error.code.as_ref(), error.field.as_deref()), ("unknown_code", Some("method")));
        let chosen = specialties(&["estates".into(), " estates".into(), "large_amounts".into()]).unwrap();
        assert_eq!(chosen, ["estates", "large_amounts"]);
        let error = specialties(&["astrology".into()]).unwrap_err();
        assert_eq!((error.http_status(), error.field.as_deref()), (400, Some("specialties")));
    }
}
