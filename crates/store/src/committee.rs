//! Committee packs (issue 8): the nightly run's flows, and the rows a month's pack is built from.
//!
//! - Each night's run, when it closes, stamps every ledger transaction not counted yet with its
//!   date (`ledger_transactions.reported_on`) and sums their postings into `daily_flows`, by
//!   transaction kind, account, recovery channel, vintage and agency or bailiff
//!   ([`Tx::record_flows`], called by `batch::finish` in its transaction). Each transaction is
//!   counted once, by the first night that closes after it was booked, so a month's flows never
//!   change once its nights are closed, even when a payment is booked with an earlier value date.
//! - [`pack_input`] reads a month: its last snapshot and the previous month's, the month's flows,
//!   the vintages' flows, agencies and bailiffs, closures, the largest exposures, the legal time
//!   bars coming and the approvals waiting. Every query is a range on an index (snapshot and
//!   flow dates, case dates, agenda due dates, approval status); none reads the ledger per case
//!   except the handful of cases closed in the month (docs/reports.md).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use recouvre_domain::committee::{
    CaseSummary, Channel, Closures, CommitteeError, Decision, FlowLine, Month, PackInput, ProvisioningPolicy,
    SnapshotLine, ThirdPartyInput, TimeBar, VintageFlow,
};
use recouvre_domain::Money;

use crate::db::MultiRow;
use crate::db::{query, query_as, query_scalar};
use crate::{Result, Store, StoreError, Tx};

/// Largest exposures listed in the pack.
pub const LARGEST_EXPOSURES: i64 = 10;
/// Legal deadlines listed when due within this many days after the month's end.
pub const TIME_BAR_HORIZON_DAYS: i64 = 60;
/// At most this many time bars in the pack (the earliest).
pub const TIME_BARS_MAX: i64 = 50;
/// Vintages shown: the cohorts of the last 36 months.
pub const VINTAGE_HORIZON_MONTHS: i32 = 36;

/// (kind, account, case status, open procedure kind, opened month, third party, postings, amount,
/// debits, credits).
type FlowSourceRow = (String, String, Option<String>, Option<String>, Option<String>, i64, i64, i64, i64, i64);

impl Tx {
    /// Counts the ledger transactions not counted yet into the flows of `as_of`, inside this
    /// transaction (the nightly run's closing one).
    pub(crate) async fn record_flows(&mut self, as_of: NaiveDate) -> Result<()> {
        // Stamp first, then read what carries the stamp: a transaction committed meanwhile by
        // someone else is not stamped, so it is counted the next night, never lost or doubled.
        // Only what was booked on or before the run's date (its business date, Europe/Paris): a
        // late run for the 30th of a month never counts the next month's bookings into it.
        // Money compliance holds is stamped the night after its release or return, never before:
        // the flows, and the committee pack they feed, must not count it (CMF L561-18).
        let held = crate::suspense::held_for_compliance("ledger_transactions");
        query(format!(
            "UPDATE ledger_transactions SET reported_on = $1 WHERE reported_on IS NULL AND booked_on <= $1 \
             AND NOT EXISTS ({held})"
        ))
        .bind(as_of)
        .execute(&mut *self)
        .await?;
        query("DELETE FROM daily_flows WHERE as_of = $1").bind(as_of).execute(&mut *self).await?;
        // The transfers to and from the frozen-funds account are stamped but never counted: once
        // the money is released they cancel out, and counted they would name the freeze.
        let rows: Vec<FlowSourceRow> = query_as(format!(
            "SELECT t.kind, p.account, COALESCE(t.case_status, c.status), pr.kind, SUBSTR(CAST(c.opened_on AS TEXT), 1, 7), \
             COALESCE(pr.third_party_id, 0), CAST(COUNT(*) AS BIGINT), CAST(SUM(p.amount_cents) AS BIGINT), \
             CAST(SUM(CASE WHEN p.amount_cents > 0 THEN p.amount_cents ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN p.amount_cents < 0 THEN -p.amount_cents ELSE 0 END) AS BIGINT) \
             FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id \
             LEFT JOIN cases c ON c.id = t.case_id \
             LEFT JOIN procedures pr ON pr.id = CASE WHEN t.case_status IS NOT NULL THEN t.procedure_id ELSE \
               (SELECT MAX(o.id) FROM procedures o WHERE o.case_id = t.case_id AND NOT o.closed) END \
             WHERE t.reported_on = $1 AND t.kind NOT IN {freeze_kinds} \
             GROUP BY t.kind, p.account, COALESCE(t.case_status, c.status), pr.kind, \
             SUBSTR(CAST(c.opened_on AS TEXT), 1, 7), COALESCE(pr.third_party_id, 0)",
            freeze_kinds = crate::suspense::FREEZE_KINDS,
        ))
        .bind(as_of)
        .fetch_all(&mut *self)
        .await?;
        let lines = fold_flows(rows);
        MultiRow::new(
            "INSERT INTO daily_flows (as_of, kind, account, channel, vintage, third_party_id, postings, amount_cents, \
             debit_cents, credit_cents) ",
            10,
        )
        .execute(self, &lines, |values, line| {
            let ((kind, account, channel, vintage, third_party_id), (postings, amount_cents, debits, credits)) = line;
            values
                .push(as_of)
                .push(kind.as_str())
                .push(account.as_str())
                .push(*channel)
                .push(vintage.as_str())
                .push(*third_party_id)
                .push(*postings)
                .push(*amount_cents)
                .push(*debits)
                .push(*credits);
        })
        .await?;
        Ok(())
    }
}

/// (kind, account, channel, vintage, third party) → (postings, amount, debits, credits), in cents.
type FlowKey = (String, String, &'static str, String, i64);

fn fold_flows(rows: Vec<FlowSourceRow>) -> Vec<(FlowKey, (i64, i64, i64, i64))> {
    let mut lines: BTreeMap<FlowKey, (i64, i64, i64, i64)> = BTreeMap::new();
    for (kind, account, status, procedure, vintage, third_party_id, postings, amount, debits, credits) in rows {
        let channel = Channel::of(status.as_deref(), procedure.as_deref()).code();
        let line = lines.entry((kind, account, channel, vintage.unwrap_or_default(), third_party_id)).or_default();
        line.0 += postings;
        line.1 += amount;
        line.2 += debits;
        line.3 += credits;
    }
    lines.into_iter().collect()
}

fn committee_error(error: CommitteeError) -> StoreError {
    let code = match &error {
        CommitteeError::BadMonth(_) => "invalid_month",
        CommitteeError::NoPolicyInForce(_) => "no_provisioning_policy",
        CommitteeError::PolicyParse(_) | CommitteeError::PolicyInvalid { .. } => "provisioning_policy_refused",
        CommitteeError::NoSnapshot { .. } => "no_nightly_run",
    };
    StoreError::refused(code, error.to_string())
}

/// The provisioning policy in force: an administrator's last version, else the embedded one.
pub async fn provisioning_policy(store: &Store) -> Result<ProvisioningPolicy> {
    match crate::workflow::rules_text(store, "provisioning_policy").await? {
        Some(text) => ProvisioningPolicy::from_toml(&text)
            .map_err(|error| StoreError::Corrupt(format!("politique de provisionnement : {error}"))),
        None => Ok(ProvisioningPolicy::embedded()),
    }
}

/// The last nightly snapshot of a month, if a run closed in it.
pub async fn last_snapshot_of(store: &Store, month: Month) -> Result<Option<NaiveDate>> {
    let date: Option<NaiveDate> =
        query_scalar("SELECT MAX(as_of) FROM daily_snapshots WHERE as_of >= $1 AND as_of <= $2")
            .bind(month.first_day())
            .bind(month.last_day())
            .fetch_one(store)
            .await?;
    Ok(date)
}

/// The snapshot lines of a date.
pub async fn snapshot(store: &Store, as_of: NaiveDate) -> Result<Vec<SnapshotLine>> {
    Ok(snapshots(store, as_of, as_of).await?.into_iter().map(|(_, line)| line).collect())
}

/// The snapshot lines of the dates from `from` to `to`, ordered.
pub async fn snapshots(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<(NaiveDate, SnapshotLine)>> {
    type Row = (NaiveDate, String, String, String, i64, i64, i64, i64);
    let rows: Vec<Row> = query_as(
        "SELECT as_of, main_nature, status, age_bucket, officer_id, cases, outstanding_cents, interest_cents \
         FROM daily_snapshots WHERE as_of >= $1 AND as_of <= $2 \
         ORDER BY as_of, main_nature, status, age_bucket, officer_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(as_of, main_nature, status, age_bucket, officer_id, cases, outstanding, interest)| {
            (
                as_of,
                SnapshotLine {
                    main_nature,
                    status,
                    age_bucket,
                    officer_id,
                    cases,
                    outstanding: Money::from_cents(outstanding),
                    interest: Money::from_cents(interest),
                },
            )
        })
        .collect())
}

/// The flows of the nights from `from` to `to`, one line per night and key, ordered.
pub async fn daily_flows(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<(NaiveDate, FlowLine)>> {
    type Row = (NaiveDate, String, String, String, String, i64, i64, i64, i64, i64);
    let sql = format!(
        "SELECT as_of, kind, account, channel, vintage, third_party_id, postings, amount_cents, {GROSS_DEBITS}, \
         {GROSS_CREDITS} FROM daily_flows \
         WHERE as_of >= $1 AND as_of <= $2 ORDER BY as_of, kind, account, channel, vintage, third_party_id"
    );
    let rows: Vec<Row> = query_as(&sql).bind(from).bind(to).fetch_all(store).await?;
    Ok(rows
        .into_iter()
        .map(|(as_of, kind, account, channel, vintage, third_party_id, postings, amount, debits, credits)| {
            (
                as_of,
                FlowLine {
                    kind,
                    account,
                    channel,
                    vintage,
                    third_party_id,
                    postings,
                    amount: Money::from_cents(amount),
                    debits: Money::from_cents(debits),
                    credits: Money::from_cents(credits),
                },
            )
        })
        .collect())
}

/// A flow line's gross debits; a line counted before migration 0015 has only its net amount,
/// read as a debit when positive.
const GROSS_DEBITS: &str =
    "CAST(COALESCE(debit_cents, CASE WHEN amount_cents > 0 THEN amount_cents ELSE 0 END) AS BIGINT)";
/// A flow line's gross credits (a positive amount); before migration 0015, its net amount when
/// negative.
const GROSS_CREDITS: &str =
    "CAST(COALESCE(credit_cents, CASE WHEN amount_cents < 0 THEN -amount_cents ELSE 0 END) AS BIGINT)";

/// The flows of the nights from `from` to `to`, summed by key.
async fn summed_flows(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<FlowLine>> {
    type Row = (String, String, String, String, i64, i64, i64, i64, i64);
    let sql = format!(
        "SELECT kind, account, channel, vintage, third_party_id, CAST(SUM(postings) AS BIGINT), \
         CAST(SUM(amount_cents) AS BIGINT), CAST(SUM({GROSS_DEBITS}) AS BIGINT), CAST(SUM({GROSS_CREDITS}) AS BIGINT) \
         FROM daily_flows WHERE as_of >= $1 AND as_of <= $2 \
         GROUP BY kind, account, channel, vintage, third_party_id \
         ORDER BY kind, account, channel, vintage, third_party_id"
    );
    let rows: Vec<Row> = query_as(&sql).bind(from).bind(to).fetch_all(store).await?;
    Ok(rows
        .into_iter()
        .map(|(kind, account, channel, vintage, third_party_id, postings, amount, debits, credits)| FlowLine {
            kind,
            account,
            channel,
            vintage,
            third_party_id,
            postings,
            amount: Money::from_cents(amount),
            debits: Money::from_cents(debits),
            credits: Money::from_cents(credits),
        })
        .collect())
}

const CASE_SUMMARY_COLUMNS: &str =
    "c.id, c.reference, p.last_name, p.first_name, c.main_nature, c.status, c.opened_on, \
     u.display_name, c.total_cents";
const CASE_SUMMARY_JOINS: &str = "JOIN persons p ON p.id = c.debtor_id LEFT JOIN users u ON u.id = c.officer_id";

type CaseSummaryRow = (i64, String, String, String, String, String, NaiveDate, Option<String>, i64);

fn case_summary(row: CaseSummaryRow) -> CaseSummary {
    let (case_id, reference, last_name, first_name, main_nature, status, opened_on, officer, total_cents) = row;
    CaseSummary {
        case_id,
        reference,
        debtor: format!("{} {}", last_name, first_name).trim().to_string(),
        main_nature,
        status,
        opened_on,
        officer,
        outstanding: Money::from_cents(total_cents),
    }
}

/// Everything the pack of `month` is built from. Refused when no nightly run closed in the month.
pub async fn pack_input(store: &Store, month: Month) -> Result<PackInput> {
    let Some(as_of) = last_snapshot_of(store, month).await? else {
        return Err(committee_error(CommitteeError::NoSnapshot { month, last_day: month.last_day() }));
    };
    let previous_as_of = last_snapshot_of(store, month.previous()).await?;
    let snapshot_now = snapshot(store, as_of).await?;
    let previous_snapshot = match previous_as_of {
        Some(date) => snapshot(store, date).await?,
        None => Vec::new(),
    };
    let first = month.first_day();
    let last = month.last_day();
    let flows = summed_flows(store, first, last).await?;
    let oldest_vintage = month.plus(-VINTAGE_HORIZON_MONTHS).code();
    let horizon = last + chrono::Duration::days(TIME_BAR_HORIZON_DAYS);

    type VintageRow = (String, String, String, i64);
    type PartyRow = (i64, String, String);
    type ProcedureRow = (i64, i64, NaiveDate, NaiveDate, bool, i64, i64);
    type ClosureRow = (i64, i64, i64);
    type TimeBarRow = (
        i64,
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
        Option<String>,
        i64,
        String,
        NaiveDate,
        Option<String>,
    );
    type DecisionRow = (
        i64,
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
        Option<String>,
        i64,
        i64,
        String,
        i64,
        String,
        String,
        chrono::DateTime<chrono::Utc>,
    );
    let largest_sql = format!(
        "SELECT {CASE_SUMMARY_COLUMNS} FROM cases c {CASE_SUMMARY_JOINS} WHERE c.status <> 'closed' \
         ORDER BY c.total_cents DESC, c.id LIMIT {LARGEST_EXPOSURES}"
    );
    let time_bars_sql = format!(
        "SELECT {CASE_SUMMARY_COLUMNS}, a.label, a.due_on, a.legal_basis FROM agenda_items a \
         JOIN cases c ON c.id = a.case_id {CASE_SUMMARY_JOINS} \
         WHERE a.status = 'open' AND a.kind = 'deadline' AND a.due_on > $1 AND a.due_on <= $2 AND c.status <> 'closed' \
         ORDER BY a.due_on, a.id LIMIT {TIME_BARS_MAX}"
    );
    let decisions_sql = format!(
        "SELECT {CASE_SUMMARY_COLUMNS}, r.id, r.kind, r.amount_cents, r.reason, r.requested_by, r.requested_at \
         FROM approval_requests r JOIN cases c ON c.id = r.case_id {CASE_SUMMARY_JOINS} \
         WHERE r.status = 'pending' ORDER BY r.requested_at, r.id"
    );
    let (
        vintage_rows,
        officers,
        parties,
        procedures,
        recovered_by_party,
        new_cases,
        closure_rows,
        largest,
        bars,
        decisions,
    ) = {
        let vintage_rows: Vec<VintageRow> = query_as(
            "SELECT vintage, SUBSTR(CAST(as_of AS TEXT), 1, 7), account, CAST(SUM(amount_cents) AS BIGINT) \
             FROM daily_flows WHERE account IN ('bank_receipts', 'transferred') AND as_of <= $1 \
             AND vintage >= $2 AND channel <> 'suspense' \
             GROUP BY vintage, SUBSTR(CAST(as_of AS TEXT), 1, 7), account ORDER BY 1, 2, 3",
        )
        .bind(last)
        .bind(&oldest_vintage)
        .fetch_all(store)
        .await?;
        let officers: Vec<(i64, String)> =
            query_as("SELECT id, display_name FROM users ORDER BY id").fetch_all(store).await?;
        let parties: Vec<PartyRow> = query_as(
            "SELECT id, name, kind FROM third_parties WHERE kind IN ('agency', 'commissaire_de_justice') ORDER BY name, id",
        )
        .fetch_all(store)
        .await?;
        let procedures: Vec<ProcedureRow> = query_as(
            "SELECT pr.third_party_id, pr.case_id, pr.started_on, pr.updated_on, pr.closed, pr.costs_cents, c.total_cents \
             FROM procedures pr JOIN cases c ON c.id = pr.case_id \
             WHERE pr.third_party_id IS NOT NULL AND pr.started_on <= $1 ORDER BY pr.third_party_id, pr.id",
        )
        .bind(last)
        .fetch_all(store)
        .await?;
        let recovered_by_party: Vec<(i64, i64)> = query_as(
            "SELECT third_party_id, CAST(SUM(amount_cents) AS BIGINT) FROM daily_flows \
             WHERE account = 'bank_receipts' AND as_of <= $1 AND third_party_id <> 0 AND channel <> 'suspense' \
             GROUP BY third_party_id",
        )
        .bind(last)
        .fetch_all(store)
        .await?;
        let new_cases: i64 = query_scalar("SELECT COUNT(*) FROM cases WHERE opened_on >= $1 AND opened_on <= $2")
            .bind(first)
            .bind(last)
            .fetch_one(store)
            .await?;
        let closure_rows: Vec<ClosureRow> = query_as(
            "SELECT c.id, \
             CAST(COALESCE(SUM(CASE WHEN p.account = 'written_off' THEN p.amount_cents ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN p.account = 'waived' THEN p.amount_cents ELSE 0 END), 0) AS BIGINT) \
             FROM cases c LEFT JOIN ledger_postings p ON p.case_id = c.id AND p.account IN ('written_off', 'waived') \
             WHERE c.closed_on >= $1 AND c.closed_on <= $2 GROUP BY c.id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(store)
        .await?;
        let largest: Vec<CaseSummaryRow> = query_as(&largest_sql).fetch_all(store).await?;
        let bars: Vec<TimeBarRow> = query_as(&time_bars_sql).bind(last).bind(horizon).fetch_all(store).await?;
        let decisions: Vec<DecisionRow> = query_as(&decisions_sql).fetch_all(store).await?;
        (
            vintage_rows,
            officers,
            parties,
            procedures,
            recovered_by_party,
            new_cases,
            closure_rows,
            largest,
            bars,
            decisions,
        )
    };

    let mut vintage_flows: BTreeMap<(String, String), VintageFlow> = BTreeMap::new();
    for (vintage, counted, account, cents) in vintage_rows {
        let line = vintage_flows.entry((vintage.clone(), counted.clone())).or_insert(VintageFlow {
            vintage,
            month: counted,
            received: Money::ZERO,
            opened: Money::ZERO,
        });
        match account.as_str() {
            "bank_receipts" => line.received += Money::from_cents(cents),
            // The opening's counterpart is a credit: what was transferred.
            _ => line.opened += Money::from_cents(-cents),
        }
    }

    let recovered_by_party: HashMap<i64, i64> = recovered_by_party.into_iter().collect();
    let mut third_parties: Vec<ThirdPartyInput> = parties
        .into_iter()
        .map(|(id, name, kind)| ThirdPartyInput {
            id,
            name,
            kind: if kind == "agency" { "agency".to_string() } else { "bailiff".to_string() },
            placed: 0,
            placed_in_month: 0,
            finished: 0,
            average_days: None,
            costs: Money::ZERO,
            outstanding: Money::ZERO,
            recovered_to_date: Money::from_cents(recovered_by_party.get(&id).copied().unwrap_or(0)),
        })
        .collect();
    let index: HashMap<i64, usize> = third_parties.iter().enumerate().map(|(i, party)| (party.id, i)).collect();
    let mut days: HashMap<i64, i64> = HashMap::new();
    for (third_party_id, _case_id, started_on, updated_on, closed, costs, total) in procedures {
        let Some(&i) = index.get(&third_party_id) else { continue };
        let party = &mut third_parties[i];
        party.placed += 1;
        if started_on >= first {
            party.placed_in_month += 1;
        }
        party.costs += Money::from_cents(costs);
        if closed && updated_on <= last {
            party.finished += 1;
            *days.entry(third_party_id).or_default() += (updated_on - started_on).num_days();
        } else {
            party.outstanding += Money::from_cents(total);
        }
    }
    for party in &mut third_parties {
        if party.finished > 0 {
            party.average_days = Some(days.get(&party.id).copied().unwrap_or(0) / party.finished);
        }
    }
    third_parties.retain(|party| party.placed > 0 || !party.recovered_to_date.is_zero());

    let mut closures = Closures::default();
    for (_, written_off, waived) in closure_rows {
        if written_off > 0 {
            closures.written_off += 1;
        } else if waived > 0 {
            closures.settled += 1;
        } else {
            closures.repaid += 1;
        }
    }

    let split_summary = |row: &TimeBarRow| -> CaseSummaryRow {
        (row.0, row.1.clone(), row.2.clone(), row.3.clone(), row.4.clone(), row.5.clone(), row.6, row.7.clone(), row.8)
    };
    let time_bars = bars
        .iter()
        .map(|row| TimeBar {
            case: case_summary(split_summary(row)),
            label: row.9.clone(),
            due_on: row.10,
            legal_basis: row.11.clone(),
        })
        .collect();
    let decisions = decisions
        .into_iter()
        .map(|row| {
            let summary = (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8);
            Decision {
                approval_id: row.9,
                kind: row.10,
                amount: Money::from_cents(row.11),
                reason: row.12,
                requested_by: row.13,
                requested_on: recouvre_domain::business_date::paris_date(row.14),
                case: case_summary(summary),
            }
        })
        .collect();

    Ok(PackInput {
        month,
        as_of,
        snapshot: snapshot_now,
        previous_as_of,
        previous_snapshot,
        flows,
        vintage_flows: vintage_flows.into_values().collect(),
        officers: officers.into_iter().collect(),
        third_parties,
        new_cases,
        closures,
        largest: largest.into_iter().map(case_summary).collect(),
        time_bars,
        decisions,
        policy: provisioning_policy(store).await?,
    })
}

/// The committee pack of a month.
pub async fn pack(store: &Store, month: Month) -> Result<recouvre_domain::committee::CommitteePack> {
    let input = pack_input(store, month).await?;
    recouvre_domain::committee::build(input).map_err(committee_error)
}
