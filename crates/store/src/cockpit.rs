//! The team lead's cockpit (issue 8): today's figures of the activity, each with the cases it
//! counts. Every query is a range on an index (agenda due dates, approval and suspense status,
//! journal instants, case closing dates).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::db::{query_as, query_scalar};
use crate::{Result, Store};

/// A legal deadline due within the week, with its case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DeadlineAtRisk {
    pub agenda_item_id: i64,
    pub case_id: i64,
    pub reference: String,
    pub officer_id: Option<i64>,
    pub officer_name: Option<String>,
    pub label: String,
    pub due_on: NaiveDate,
}

/// Open cases of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StageBacklog {
    pub status: String,
    pub cases: i64,
    pub total_cents: i64,
}

/// A request waiting for a decision, with its age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaitingApproval {
    pub id: i64,
    pub case_id: i64,
    pub reference: String,
    pub kind: String,
    pub amount_cents: i64,
    pub requested_by: String,
    pub age_days: i64,
}

/// Money in suspense, by age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuspenseAge {
    pub label: &'static str,
    pub items: i64,
    pub amount_cents: i64,
    /// The days of receipt of the bucket (included; `None`: unbounded), for the suspense queue's
    /// filter.
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
}

/// One user's week: the journal events they recorded (the case list's `actor`, `active_from`
/// and `active_to` filters list the cases behind them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekActivity {
    /// Monday of the week.
    pub week: NaiveDate,
    pub actor: String,
    pub actions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cockpit {
    pub today: NaiveDate,
    /// The last day of the week at risk (today + 7 days).
    pub week_end: NaiveDate,
    /// Per officer, the open cases with a legal deadline due by `week_end` (the case list's
    /// `deadline_until` filter with `open_only`).
    pub cases_at_risk: Vec<(i64, i64)>,
    /// Open cases with a legal deadline due by `week_end`.
    pub deadline_cases: i64,
    /// Cases with an approval request waiting.
    pub approval_cases: i64,
    pub officers: Vec<crate::team::TeamOfficer>,
    pub deadlines: Vec<DeadlineAtRisk>,
    pub backlog: Vec<StageBacklog>,
    pub approvals: Vec<WaitingApproval>,
    pub suspense: Vec<SuspenseAge>,
    pub weeks: Vec<NaiveDate>,
    pub activity: Vec<WeekActivity>,
    /// Cases closed per week (same order as `weeks`).
    pub closed_per_week: Vec<i64>,
    /// Per officer (user id) in charge when the case closed, the cases closed per week (same
    /// order as `weeks`); officers who closed none are left out.
    pub closed_by_officer: Vec<(i64, Vec<i64>)>,
    /// Promises to pay judged kept, and broken, by the nightly run per week (same order as
    /// `weeks`; issue 17).
    pub promises_kept_per_week: Vec<i64>,
    pub promises_broken_per_week: Vec<i64>,
}

/// Weeks of productivity shown.
pub const WEEKS: i64 = 6;

/// The cockpit on `today`.
pub async fn cockpit(store: &Store, today: NaiveDate, now: DateTime<Utc>) -> Result<Cockpit> {
    let week_end = today + Duration::days(7);
    let officers = crate::team::officers(store, today, week_end).await?;
    let monday = today - Duration::days(i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
    let first_week = monday - Duration::weeks(WEEKS - 1);
    let since: DateTime<Utc> = recouvre_domain::business_date::paris_day_start(first_week);
    type ApprovalRow = (i64, i64, String, String, i64, String, DateTime<Utc>);
    let (deadlines, backlog, approvals, suspense, events, closed, cases_at_risk, approval_cases) = {
        let deadlines: Vec<DeadlineAtRisk> = query_as(
            "SELECT a.id AS agenda_item_id, c.id AS case_id, c.reference, c.officer_id, u.display_name AS officer_name, \
             a.label, a.due_on FROM agenda_items a JOIN cases c ON c.id = a.case_id \
             LEFT JOIN users u ON u.id = c.officer_id \
             WHERE a.status = 'open' AND a.kind = 'deadline' AND a.due_on <= $1 AND c.status <> 'closed' \
             ORDER BY a.due_on, a.id LIMIT 200",
        )
        .bind(week_end)
        .fetch_all(store)
        .await?;
        let backlog: Vec<StageBacklog> = query_as(
            "SELECT status, COUNT(*) AS cases, CAST(COALESCE(SUM(total_cents), 0) AS BIGINT) AS total_cents \
             FROM cases WHERE status <> 'closed' GROUP BY status ORDER BY status",
        )
        .fetch_all(store)
        .await?;
        let approvals: Vec<ApprovalRow> = query_as(
            "SELECT r.id, r.case_id, c.reference, r.kind, r.amount_cents, r.requested_by, r.requested_at \
             FROM approval_requests r JOIN cases c ON c.id = r.case_id WHERE r.status = 'pending' \
             ORDER BY r.requested_at, r.id",
        )
        .fetch_all(store)
        .await?;
        let suspense: Vec<(NaiveDate, i64)> =
            query_as("SELECT received_on, amount_cents FROM suspense_items WHERE status = 'open' ORDER BY received_on")
                .fetch_all(store)
                .await?;
        // Compliance's members are absent from the activity (CMF L561-18).
        let events: Vec<(String, DateTime<Utc>)> = query_as(format!(
            "SELECT actor, recorded_at FROM case_events WHERE recorded_at >= $1 AND actor NOT LIKE 'system:%' AND {}",
            crate::aml::not_compliance("actor")
        ))
        .bind(since)
        .fetch_all(store)
        .await?;
        let closed: Vec<(NaiveDate, Option<i64>)> =
            query_as("SELECT closed_on, officer_id FROM cases WHERE closed_on >= $1 AND closed_on <= $2")
                .bind(first_week)
                .bind(today)
                .fetch_all(store)
                .await?;
        let cases_at_risk: Vec<(Option<i64>, i64)> = query_as(
            "SELECT c.officer_id, COUNT(*) FROM cases c WHERE c.status <> 'closed' AND c.id IN \
             (SELECT a.case_id FROM agenda_items a WHERE a.status = 'open' AND a.kind = 'deadline' AND a.due_on <= $1) \
             GROUP BY c.officer_id",
        )
        .bind(week_end)
        .fetch_all(store)
        .await?;
        let approval_cases: i64 = query_scalar(
            "SELECT COUNT(*) FROM cases c WHERE c.id IN (SELECT r.case_id FROM approval_requests r WHERE r.status = 'pending')",
        )
        .fetch_one(store)
        .await?;
        (deadlines, backlog, approvals, suspense, events, closed, cases_at_risk, approval_cases)
    };
    let deadline_cases = cases_at_risk.iter().map(|(_, cases)| cases).sum();
    let cases_at_risk =
        cases_at_risk.into_iter().filter_map(|(officer, cases)| officer.map(|officer| (officer, cases))).collect();
    let approvals = approvals
        .into_iter()
        .map(|(id, case_id, reference, kind, amount_cents, requested_by, requested_at)| WaitingApproval {
            id,
            case_id,
            reference,
            kind,
            amount_cents,
            requested_by,
            age_days: (now - requested_at).num_days().max(0),
        })
        .collect();
    let days_ago = |days| Some(today - Duration::days(days));
    let age = |label, received_from, received_to| SuspenseAge {
        label,
        items: 0,
        amount_cents: 0,
        received_from,
        received_to,
    };
    let mut ages = vec![
        age("moins de 8 jours", days_ago(7), None),
        age("8 à 30 jours", days_ago(30), days_ago(8)),
        age("plus de 30 jours", None, days_ago(31)),
    ];
    for (received_on, amount) in suspense {
        let days = (today - received_on).num_days();
        let bucket = &mut ages[if days < 8 {
            0
        } else if days <= 30 {
            1
        } else {
            2
        }];
        bucket.items += 1;
        bucket.amount_cents += amount;
    }
    let weeks: Vec<NaiveDate> = (0..WEEKS).map(|i| first_week + Duration::weeks(i)).collect();
    let week_of = |day: NaiveDate| weeks.iter().rposition(|start| *start <= day);
    let mut counts: std::collections::BTreeMap<(String, NaiveDate), i64> = std::collections::BTreeMap::new();
    for (actor, at) in events {
        if let Some(i) = week_of(recouvre_domain::business_date::paris_date(at)) {
            *counts.entry((actor, weeks[i])).or_default() += 1;
        }
    }
    let mut closed_per_week = vec![0; weeks.len()];
    let mut closed_by_officer: std::collections::BTreeMap<i64, Vec<i64>> = std::collections::BTreeMap::new();
    for (day, officer) in closed {
        if let Some(i) = week_of(day) {
            closed_per_week[i] += 1;
            if let Some(officer) = officer {
                closed_by_officer.entry(officer).or_insert_with(|| vec![0; weeks.len()])[i] += 1;
            }
        }
    }
    let mut promises_kept_per_week = vec![0; weeks.len()];
    let mut promises_broken_per_week = vec![0; weeks.len()];
    for (day, status) in crate::contacts::promises_judged(store, first_week).await? {
        if let Some(i) = week_of(day) {
            match status.as_str() {
                "kept" => promises_kept_per_week[i] += 1,
                _ => promises_broken_per_week[i] += 1,
            }
        }
    }
    Ok(Cockpit {
        today,
        week_end,
        cases_at_risk,
        deadline_cases,
        approval_cases,
        officers,
        deadlines,
        backlog,
        approvals,
        suspense: ages,
        activity: counts.into_iter().map(|((actor, week), actions)| WeekActivity { week, actor, actions }).collect(),
        weeks,
        closed_per_week,
        closed_by_officer: closed_by_officer.into_iter().collect(),
        promises_kept_per_week,
        promises_broken_per_week,
    })
}
