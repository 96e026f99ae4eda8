//! Reports for the team lead, accounting control and the committees: first-level accounting
//! controls, the reconciliation of money in, and the day's accounting entries.

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_store::controls::{AccountingLine, ControlReport, Reconciliation};

use crate::{limits, Actor, App, Error, Result};

/// The controls at `as_of` and the reconciliation of `from..=to`.
pub struct Controls {
    pub as_of: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub report: ControlReport,
    pub reconciliation: Reconciliation,
}

/// Days the reconciliation covers when no start is given.
pub const RECONCILIATION_DAYS_DEFAULT: i64 = 30;

/// First-level accounting controls at `as_of` (default: today) and the reconciliation of money
/// in over `from..=to` (default: the 30 days up to `as_of`).
pub async fn controls(
    app: &App,
    actor: &Actor,
    as_of: Option<NaiveDate>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Controls> {
    actor.require(Permission::ReadReports)?;
    let today = app.today();
    let as_of = limits::any_date("as_of", as_of.unwrap_or(today), today)?;
    let to = limits::any_date("to", to.unwrap_or(as_of), today)?;
    let from =
        limits::any_date("from", from.unwrap_or(to - chrono::Duration::days(RECONCILIATION_DAYS_DEFAULT)), today)?;
    if from > to {
        return Err(Error::invalid("from", "invalid_period", "la date de début doit précéder la date de fin"));
    }
    let report = recouvre_store::controls::control_report(app.read_store(), as_of).await?;
    let reconciliation = recouvre_store::controls::reconciliation(app.read_store(), from, to).await?;
    Ok(Controls { as_of, from, to, report, reconciliation })
}

/// The control report alone (the command line's `report controls`).
pub async fn control_report(app: &App, actor: &Actor, as_of: Option<NaiveDate>) -> Result<ControlReport> {
    actor.require(Permission::ReadReports)?;
    let as_of = as_of.unwrap_or_else(|| app.today());
    Ok(recouvre_store::controls::control_report(app.read_store(), as_of).await?)
}

/// The reconciliation alone (the command line's `report reconciliation`).
pub async fn reconciliation(app: &App, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Reconciliation> {
    actor.require(Permission::ReadReports)?;
    if from > to {
        return Err(Error::invalid("from", "invalid_period", "la date de début doit précéder la date de fin"));
    }
    Ok(recouvre_store::controls::reconciliation(app.read_store(), from, to).await?)
}

/// The accounting entries of a day, for the general ledger, and the CSV file of them
/// (docs/formats/accounting-csv.md).
pub async fn accounting_export(app: &App, actor: &Actor, date: NaiveDate) -> Result<(Vec<AccountingLine>, String)> {
    actor.require(Permission::ReadReports)?;
    let lines = recouvre_store::controls::accounting_lines(app.read_store(), date).await?;
    let csv = recouvre_store::controls::accounting_csv(&lines);
    Ok((lines, csv))
}
