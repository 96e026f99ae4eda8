//! Committee packs and activity steering (issue 8): a month's pack with its charts and files
//! (the same for the "Comités" page, the API and `recouvre report committee`), the team lead's
//! cockpit, and the exports for the data warehouse (docs/formats/snapshots-csv.md).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use recouvre_domain::authority::Permission;
use recouvre_domain::committee::{CommitteePack, FlowLine, Month, SnapshotLine};
use recouvre_domain::{csv_cell, Money};
use recouvre_store::StoreError;

use crate::letters::engine::typeset;
use crate::limits;
use crate::{Actor, App, Error, Result};

pub mod files;

pub use files::{Chart, Format};
pub use recouvre_store::cockpit::DeadlineAtRisk;

/// The month written `AAAA-MM`.
pub fn month(text: &str) -> Result<Month> {
    text.trim().parse().map_err(|error: recouvre_domain::committee::CommitteeError| {
        Error::invalid("month", "invalid_month", error.to_string())
    })
}

/// A month's pack as the "Comités" page shows it.
#[derive(Clone, Debug)]
pub struct Overview {
    pub month: Month,
    /// The pack and its charts; `None` when no nightly run closed that month.
    pub pack: Option<(Box<CommitteePack>, Vec<Chart>)>,
    /// Why there is no pack, and which run to launch.
    pub unavailable: Option<String>,
}

/// The pack of `month` (default: the last month closed) with its charts, or why there is none.
pub async fn overview(app: &App, actor: &Actor, month: Option<Month>) -> Result<Overview> {
    actor.require(Permission::ReadReports)?;
    let month = month.unwrap_or_else(|| Month::of(app.today()).previous());
    match recouvre_store::committee::pack(app.read_store(), month).await {
        Ok(pack) => {
            let charts = files::charts(&pack)?;
            Ok(Overview { month, pack: Some((Box::new(pack), charts)), unavailable: None })
        }
        Err(StoreError::Refused { message, .. }) => Ok(Overview { month, pack: None, unavailable: Some(message) }),
        Err(error) => Err(error.into()),
    }
}

/// The committee pack of `month`; refused when no nightly run closed that month (the message
/// says which run to launch).
pub async fn pack(app: &App, actor: &Actor, month: Month) -> Result<CommitteePack> {
    actor.require(Permission::ReadReports)?;
    Ok(recouvre_store::committee::pack(app.read_store(), month).await?)
}

/// One file of a month's pack, with the pack it was made from.
#[derive(Clone, Debug)]
pub struct PackFile {
    pub pack: CommitteePack,
    pub format: Format,
    pub bytes: Vec<u8>,
}

impl PackFile {
    /// `comite-2026-10.pdf`.
    pub fn file_name(&self) -> String {
        format!("comite-{}.{}", self.pack.month.code(), self.format.extension())
    }
}

/// The pack of `month` as a PDF, a workbook or CSV.
pub async fn pack_file(app: &App, actor: &Actor, month: Month, format: Format) -> Result<PackFile> {
    let pack = pack(app, actor, month).await?;
    let (pack, bytes) = typeset(move || files::render(&pack, format).map(|bytes| (pack, bytes))).await??;
    Ok(PackFile { pack, format, bytes })
}

/// Days one call of the exports may cover.
pub const MAX_RANGE_DAYS: i64 = 400;

/// A period of the exports: within the dates accepted, in order, at most [`MAX_RANGE_DAYS`].
fn check_range(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<()> {
    limits::any_date("from", from, today)?;
    limits::any_date("to", to, today)?;
    if from > to {
        return Err(Error::invalid(
            "from",
            "invalid_range",
            "la date de début (from) doit précéder la date de fin (to)",
        ));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(Error::invalid(
            "to",
            "range_too_long",
            format!("au plus {MAX_RANGE_DAYS} jours par appel : découpez la période (par exemple mois par mois)"),
        ));
    }
    Ok(())
}

/// The nightly snapshots of the dates from `from` to `to`.
pub async fn snapshots(
    app: &App,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, SnapshotLine)>> {
    actor.require(Permission::ReadReports)?;
    check_range(from, to, app.today())?;
    Ok(recouvre_store::committee::snapshots(app.read_store(), from, to).await?)
}

/// The ledger's movements counted by the nightly runs from `from` to `to`.
pub async fn flows(app: &App, actor: &Actor, from: NaiveDate, to: NaiveDate) -> Result<Vec<(NaiveDate, FlowLine)>> {
    actor.require(Permission::ReadReports)?;
    check_range(from, to, app.today())?;
    Ok(recouvre_store::committee::daily_flows(app.read_store(), from, to).await?)
}

/// The snapshots as CSV (docs/formats/snapshots-csv.md). Text cells go through
/// [`csv_cell::text`] (no cell read as a formula); amounts and counts stay numbers.
pub fn snapshots_csv(lines: &[(NaiveDate, SnapshotLine)]) -> String {
    let mut out = String::from("as_of;main_nature;status;age_bucket;officer_id;cases;outstanding;interest\n");
    for (as_of, line) in lines {
        out.push_str(&format!(
            "{as_of};{};{};{};{};{};{};{}\n",
            csv_cell::text(&line.main_nature),
            csv_cell::text(&line.status),
            csv_cell::text(&line.age_bucket),
            line.officer_id,
            line.cases,
            line.outstanding.to_plain_string(),
            line.interest.to_plain_string()
        ));
    }
    out
}

/// The flows as CSV (docs/formats/snapshots-csv.md). Text cells go through
/// [`csv_cell::text`]; amounts (negative ones included) stay numbers.
pub fn flows_csv(lines: &[(NaiveDate, FlowLine)]) -> String {
    let mut out = String::from("as_of;kind;account;channel;vintage;third_party_id;postings;amount;debits;credits\n");
    for (as_of, line) in lines {
        out.push_str(&format!(
            "{as_of};{};{};{};{};{};{};{};{};{}\n",
            csv_cell::text(&line.kind),
            csv_cell::text(&line.account),
            csv_cell::text(&line.channel),
            csv_cell::text(&line.vintage),
            line.third_party_id,
            line.postings,
            line.amount.to_plain_string(),
            line.debits.to_plain_string(),
            line.credits.to_plain_string()
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The cockpit

/// A week's count with its first and last day (the case list's date filters).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct WeekCount {
    pub count: i64,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// An officer's workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficerLoad {
    pub id: i64,
    pub name: String,
    pub open_cases: i64,
    pub open_amount: Money,
    /// Open cases with a legal deadline due by the end of the week at risk.
    pub cases_at_risk: i64,
    /// Who covers them today, if they are absent.
    pub covered_by: Option<String>,
}

/// Open cases of one stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageLoad {
    /// The case status code.
    pub status: String,
    pub cases: i64,
    pub amount: Money,
}

/// A request waiting for a decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingDecision {
    pub case_id: i64,
    pub reference: String,
    /// The decision's kind code (`write_off`, `waiver`…).
    pub kind: String,
    pub amount: Money,
    pub requested_by: String,
    pub age_days: i64,
}

/// Money in suspense of one age.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspenseBucket {
    pub label: &'static str,
    pub items: i64,
    pub amount: Money,
    /// The days of receipt of the bucket (included; `None`: unbounded).
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

/// A user's journal actions per week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorWeeks {
    pub actor: String,
    pub weeks: Vec<WeekCount>,
}

/// The cases closed per week while in an officer's charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficerWeeks {
    pub officer_id: i64,
    pub name: String,
    pub weeks: Vec<WeekCount>,
}

/// The team lead's cockpit: workload, deadlines at risk, backlog, approvals, suspense,
/// productivity; every number with what the case list needs to show the cases it counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cockpit {
    pub today: NaiveDate,
    /// The last day of the week at risk.
    pub week_end: NaiveDate,
    /// Open cases with a legal deadline this week; cases with an approval waiting.
    pub deadline_cases: i64,
    pub approval_cases: i64,
    pub officers: Vec<OfficerLoad>,
    pub deadlines: Vec<DeadlineAtRisk>,
    pub backlog: Vec<StageLoad>,
    pub approvals: Vec<WaitingDecision>,
    pub suspense: Vec<SuspenseBucket>,
    /// The Monday of each week shown, oldest first.
    pub weeks: Vec<NaiveDate>,
    /// Per user (by login), ordered by login.
    pub activity: Vec<ActorWeeks>,
    pub closed_per_week: Vec<WeekCount>,
    pub closed_by_officer: Vec<OfficerWeeks>,
    /// Promises to pay the nightly run judged kept, and broken, per week (issue 17).
    pub promises_kept_per_week: Vec<WeekCount>,
    pub promises_broken_per_week: Vec<WeekCount>,
}

/// The cockpit today.
pub async fn cockpit(app: &App, actor: &Actor) -> Result<Cockpit> {
    actor.require(Permission::ReadReports)?;
    let today = app.today();
    let cockpit = recouvre_store::cockpit::cockpit(app.read_store(), today, app.now()).await?;
    // Each week's first and last day (the last week ends today): the case list's date filters.
    let spans: Vec<(NaiveDate, NaiveDate)> =
        cockpit.weeks.iter().map(|monday| (*monday, (*monday + Duration::days(6)).min(today))).collect();
    let per_week = |counts: &[i64]| -> Vec<WeekCount> {
        counts
            .iter()
            .zip(&spans)
            .map(|(count, (first, last))| WeekCount { count: *count, first: *first, last: *last })
            .collect()
    };
    let mut activity: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for line in &cockpit.activity {
        let i = cockpit.weeks.iter().position(|week| *week == line.week).unwrap_or(0);
        activity.entry(line.actor.clone()).or_insert_with(|| vec![0; cockpit.weeks.len()])[i] += line.actions;
    }
    let officer_name = |id: i64| {
        cockpit
            .officers
            .iter()
            .find(|officer| officer.id == id)
            .map_or_else(|| format!("utilisateur n° {id}"), |officer| officer.display_name.clone())
    };
    Ok(Cockpit {
        today,
        week_end: cockpit.week_end,
        deadline_cases: cockpit.deadline_cases,
        approval_cases: cockpit.approval_cases,
        officers: cockpit
            .officers
            .iter()
            .map(|officer| OfficerLoad {
                id: officer.id,
                name: officer.display_name.clone(),
                open_cases: officer.open_cases,
                open_amount: Money::from_cents(officer.open_cents),
                cases_at_risk: cockpit
                    .cases_at_risk
                    .iter()
                    .find(|(id, _)| *id == officer.id)
                    .map_or(0, |(_, cases)| *cases),
                covered_by: officer.covered_by.clone(),
            })
            .collect(),
        deadlines: cockpit.deadlines.clone(),
        backlog: cockpit
            .backlog
            .iter()
            .map(|stage| StageLoad {
                status: stage.status.clone(),
                cases: stage.cases,
                amount: Money::from_cents(stage.total_cents),
            })
            .collect(),
        approvals: cockpit
            .approvals
            .iter()
            .map(|waiting| WaitingDecision {
                case_id: waiting.case_id,
                reference: waiting.reference.clone(),
                kind: waiting.kind.clone(),
                amount: Money::from_cents(waiting.amount_cents),
                requested_by: waiting.requested_by.clone(),
                age_days: waiting.age_days,
            })
            .collect(),
        suspense: cockpit
            .suspense
            .iter()
            .map(|age| SuspenseBucket {
                label: age.label,
                items: age.items,
                amount: Money::from_cents(age.amount_cents),
                received_from: age.received_from,
                received_to: age.received_to,
            })
            .collect(),
        activity: activity.into_iter().map(|(actor, counts)| ActorWeeks { weeks: per_week(&counts), actor }).collect(),
        closed_per_week: per_week(&cockpit.closed_per_week),
        closed_by_officer: cockpit
            .closed_by_officer
            .iter()
            .map(|(id, counts)| OfficerWeeks { officer_id: *id, name: officer_name(*id), weeks: per_week(counts) })
            .collect(),
        promises_kept_per_week: per_week(&cockpit.promises_kept_per_week),
        promises_broken_per_week: per_week(&cockpit.promises_broken_per_week),
        weeks: cockpit.weeks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22, finding 4: no text cell of the warehouse exports is read as a formula; the
    /// (possibly negative) amounts stay numbers.
    #[test]
    fn snapshot_and_flow_csvs_neutralise_formulas_but_not_amounts() {
        let day: NaiveDate = "2026-10-31".parse().unwrap();
        let snapshot = SnapshotLine {
            main_nature: r#"=HYPERLINK("http://x")"#.into(),
            status: "+amicable".into(),
            age_bucket: "0-3m".into(),
            officer_id: 3,
            cases: 2,
            outstanding: Money::from_cents(-1_250),
            interest: Money::ZERO,
        };
        let csv = snapshots_csv(&[(day, snapshot)]);
        assert!(csv.ends_with("2026-10-31;'=HYPERLINK(\"http://x\");'+amicable;0-3m;3;2;-12.50;0.00\n"), "{csv}");
        let flow = FlowLine {
            kind: "@payment".into(),
            account: "principal".into(),
            channel: "-plan".into(),
            vintage: r#"=HYPERLINK("http://x")"#.into(),
            third_party_id: 0,
            postings: 1,
            amount: Money::from_cents(-1_250),
            debits: Money::ZERO,
            credits: Money::from_cents(1_250),
        };
        let csv = flows_csv(&[(day, flow)]);
        assert!(
            csv.ends_with("2026-10-31;'@payment;principal;'-plan;'=HYPERLINK(\"http://x\");0;1;-12.50;0.00;12.50\n"),
            "{csv}"
        );
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_export_period_is_in_order_and_at_most_400_days() {
        let today = day(2026, 12, 4);
        assert!(check_range(day(2026, 1, 1), day(2026, 12, 4), today).is_ok());
        let reversed = check_range(day(2026, 2, 1), day(2026, 1, 1), today).unwrap_err();
        assert_eq!((reversed.code.as_ref(), reversed.field.as_deref()), ("invalid_range", Some("from")));
        assert_eq!(check_range(day(2024, 1, 1), day(2026, 1, 1), today).unwrap_err().code, "range_too_long");
        assert_eq!(check_range(day(1900, 1, 1), day(1900, 1, 2), today).unwrap_err().code, "date_out_of_range");
    }

    #[test]
    fn months_and_file_types_say_what_to_write() {
        assert_eq!(month(" 2026-10 ").unwrap().code(), "2026-10");
        let error = month("2026-13").unwrap_err();
        assert_eq!((error.code.as_ref(), error.field.as_deref()), ("invalid_month", Some("month")));
        assert_eq!(Format::of_extension("XLSX").unwrap(), Format::Xlsx);
        assert!(Format::of_extension("txt").unwrap_err().message.contains(".pdf, .xlsx ou .csv"));
    }
}
