//! First-level accounting controls: the daily control report, the reconciliation of money in
//! with what was booked, and the day's accounting entries for the general ledger.

use chrono::{Duration, NaiveDate};
use recouvre_domain::authority::DelegationLevel;
use recouvre_domain::{csv_cell, Money};
use serde::Serialize;

use crate::db::{query_as, query_scalar};
use crate::ledger::LedgerFindings;
use crate::{Result, Store};

/// Suspense items still open, by age on the report's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgeBucket {
    pub label: &'static str,
    pub items: i64,
    pub amount: Money,
}

/// A write-off booked by someone whose delegation did not cover it, without an approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnapprovedWriteOff {
    pub transaction_id: i64,
    pub case_id: i64,
    pub amount: Money,
    pub booked_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlReport {
    pub as_of: NaiveDate,
    pub suspense_by_age: Vec<AgeBucket>,
    pub ledger: LedgerFindings,
    pub unapproved_write_offs: Vec<UnapprovedWriteOff>,
    /// Payments booked on a case after its closing date: (transaction, case, booked on).
    pub payments_after_closure: Vec<(i64, i64, NaiveDate)>,
    /// Money held or frozen for compliance, as one opaque amount (no case, no payer): for
    /// accounting control only, so that the bank account reconciles (CMF L561-18).
    pub compliance_pending: Money,
}

impl ControlReport {
    /// Whether anything needs an accountant's attention (old suspense items count too).
    pub fn anomalies(&self) -> usize {
        let old_suspense = self.suspense_by_age.iter().skip(2).map(|bucket| bucket.items as usize).sum::<usize>();
        self.ledger.unbalanced_transactions.len()
            + self.ledger.negative_receivables.len()
            + self.ledger.stale_projections.len()
            + self.unapproved_write_offs.len()
            + self.payments_after_closure.len()
            + old_suspense
    }
}

/// Age buckets of the suspense queue, in days since receipt: (label, from, to inclusive).
const AGE_BUCKETS: [(&str, i64, i64); 4] =
    [("0 à 7 jours", 0, 7), ("8 à 30 jours", 8, 30), ("31 à 90 jours", 31, 90), ("plus de 90 jours", 91, 100_000)];

pub async fn control_report(store: &Store, as_of: NaiveDate) -> Result<ControlReport> {
    let mut suspense_by_age = Vec::with_capacity(AGE_BUCKETS.len());
    for (label, from_days, to_days) in AGE_BUCKETS {
        let newest = as_of - Duration::days(from_days);
        let oldest = as_of - Duration::days(to_days);
        let (items, cents): (i64, i64) = query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM suspense_items \
             WHERE status = 'open' AND received_on <= $1 AND received_on >= $2",
        )
        .bind(newest)
        .bind(oldest)
        .fetch_one(store)
        .await?;
        suspense_by_age.push(AgeBucket { label, items, amount: Money::from_cents(cents) });
    }
    let ledger = crate::ledger::check(store).await?;
    // Write-offs not made through an approval: the booker's own level must cover them.
    let write_offs: Vec<(i64, i64, i64, String, Option<i64>)> = {
        query_as(
        "SELECT t.id, t.case_id, CAST(SUM(CASE WHEN p.amount_cents > 0 THEN p.amount_cents ELSE 0 END) AS BIGINT), t.actor, \
         MAX(u.delegation_level) FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id \
         LEFT JOIN users u ON u.login = t.actor \
         WHERE t.kind = 'write_off' AND t.reference NOT LIKE 'passage en pertes, demande n°%' AND t.booked_on <= $1 \
         GROUP BY t.id, t.case_id, t.actor ORDER BY t.id"
    )
    .bind(as_of)
    .fetch_all(store)
    .await?
    };
    // Judged by the authority matrix in force today (its `max_write_off` per level).
    let authority = crate::workflow::rules(store).await?.authority;
    let unapproved_write_offs = write_offs
        .into_iter()
        .filter(|(_, _, cents, _, level)| {
            let level = DelegationLevel(level.unwrap_or(0).clamp(0, i64::from(DelegationLevel::MAX)) as u8);
            let decision = recouvre_domain::delegation::Decision::WriteOff { amount: Money::from_cents(*cents) };
            !matches!(authority.check(level, &decision), recouvre_domain::delegation::Verdict::Within)
        })
        .map(|(transaction_id, case_id, cents, booked_by, _)| UnapprovedWriteOff {
            transaction_id,
            case_id,
            amount: Money::from_cents(cents),
            booked_by,
        })
        .collect();
    let payments_after_closure = query_as(
        "SELECT t.id, t.case_id, t.booked_on FROM ledger_transactions t JOIN cases c ON c.id = t.case_id \
         WHERE t.kind IN ('payment', 'suspense_clearing') AND c.closed_on IS NOT NULL AND t.booked_on > c.closed_on \
         AND t.booked_on <= $1 ORDER BY t.id LIMIT 100",
    )
    .bind(as_of)
    .fetch_all(store)
    .await?;
    let compliance_pending = crate::suspense::compliance_balance(store).await?;
    Ok(ControlReport {
        as_of,
        suspense_by_age,
        ledger,
        unapproved_write_offs,
        payments_after_closure,
        compliance_pending,
    })
}

/// Money in from statements against what was booked, over a period (import dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// What the statement files said, per their entries.
    pub statements_in: Money,
    /// Booked directly on cases from those entries.
    pub allocated_to_cases: Money,
    /// Put in suspense from those entries.
    pub held_in_suspense: Money,
    /// `statements_in − allocated_to_cases − held_in_suspense`: anything but zero is an alert.
    pub difference: Money,
    /// Suspense movements over the period (all sources).
    pub suspense_opening: Money,
    pub suspense_in: Money,
    pub suspense_cleared: Money,
    pub suspense_returned: Money,
    pub suspense_closing: Money,
    /// Overpayments refunded to payers.
    pub refunds: Money,
}

/// Money compliance holds or freezes is left out of every figure (team leads read them too),
/// and so are the transfers to and from the frozen-funds account even after a release
/// ([`crate::suspense::FREEZE_KINDS`]);
/// accounting control sees its sum as one opaque line « Sommes en attente (conformité) » beside
/// them, so the bank account still reconciles ([`crate::suspense::held_for_compliance`]).
pub async fn reconciliation(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Reconciliation> {
    let held_by_compliance = crate::suspense::held_for_compliance("t");
    // Instants are stored as text on SQLite: compare with the day boundaries in both engines.
    // The days are business days: they begin at midnight in Paris, not in UTC.
    let start = recouvre_domain::business_date::paris_day_start(from);
    let end = recouvre_domain::business_date::paris_day_start(to + Duration::days(1));
    let statements_in: i64 = query_scalar(
        "SELECT CAST(COALESCE(SUM(s.amount_cents), 0) AS BIGINT) FROM statement_entries s \
         WHERE s.imported_at >= $1 AND s.imported_at < $2 AND NOT EXISTS \
         (SELECT 1 FROM suspense_items i WHERE i.id = s.suspense_item_id AND i.status IN ('aml_hold', 'aml_frozen'))",
    )
    .bind(start)
    .bind(end)
    .fetch_one(store)
    .await?;
    let allocated: i64 = query_scalar(
        "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id \
         JOIN statement_entries s ON s.entry_key = t.reference \
         WHERE t.kind = 'payment' AND p.account = 'bank_receipts' AND s.imported_at >= $1 AND s.imported_at < $2",
    )
    .bind(start)
    .bind(end)
    .fetch_one(store)
    .await?;
    let held: i64 = query_scalar(
        "SELECT CAST(COALESCE(SUM(i.amount_cents), 0) AS BIGINT) FROM suspense_items i \
         JOIN statement_entries s ON s.suspense_item_id = i.id WHERE s.imported_at >= $1 AND s.imported_at < $2 \
         AND i.status NOT IN ('aml_hold', 'aml_frozen')",
    )
    .bind(start)
    .bind(end)
    .fetch_one(store)
    .await?;
    // Suspense ledger movements by booking date: held (kind suspense_in), cleared, returned.
    let movement = |kind: &'static str| {
        query_scalar::<i64>(format!(
            "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id \
             WHERE t.case_id IS NULL AND p.account = 'suspense' AND t.kind = $1 AND t.booked_on >= $2 AND t.booked_on <= $3 \
             AND NOT EXISTS ({held_by_compliance})",
        ))
        .bind(kind)
        .bind(from)
        .bind(to)
    };
    let suspense_in: i64 = movement("suspense_in").fetch_one(store).await?;
    let cleared: i64 = movement("suspense_clearing").fetch_one(store).await?;
    let returned: i64 = movement("refund").fetch_one(store).await?;
    let opening: i64 = query_scalar(format!(
        "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE t.case_id IS NULL AND p.account = 'suspense' AND t.booked_on < $1 AND NOT EXISTS ({held_by_compliance}) \
         AND t.kind NOT IN {freeze_kinds}",
        freeze_kinds = crate::suspense::FREEZE_KINDS,
    ))
    .bind(from)
    .fetch_one(store)
    .await?;
    let refunds: i64 = query_scalar(
        "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
         JOIN ledger_transactions t ON t.id = p.transaction_id \
         WHERE t.case_id IS NOT NULL AND t.kind = 'refund' AND p.account = 'overpayment' AND t.booked_on >= $1 AND t.booked_on <= $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(store)
    .await?;
    let sums = (statements_in, allocated, held, suspense_in, cleared, returned, opening, refunds);
    let (statements_in, allocated, held, suspense_in, cleared, returned, opening, refunds) = sums;
    // Suspense carries credit balances: show them as positive amounts.
    let suspense_opening = Money::from_cents(-opening);
    let suspense_in = Money::from_cents(-suspense_in);
    let suspense_cleared = Money::from_cents(cleared);
    let suspense_returned = Money::from_cents(returned);
    Ok(Reconciliation {
        from,
        to,
        statements_in: Money::from_cents(statements_in),
        allocated_to_cases: Money::from_cents(allocated),
        held_in_suspense: Money::from_cents(held),
        difference: Money::from_cents(statements_in - allocated - held),
        suspense_opening,
        suspense_in,
        suspense_cleared,
        suspense_returned,
        suspense_closing: suspense_opening + suspense_in - suspense_cleared - suspense_returned,
        refunds: Money::from_cents(refunds),
    })
}

/// One line of the accounting export (docs/formats/accounting-csv.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AccountingLine {
    pub transaction_id: i64,
    pub booked_on: NaiveDate,
    pub case_reference: Option<String>,
    pub kind: String,
    pub account: String,
    pub amount_cents: i64,
    pub reference: String,
}

/// Every posting booked on `date`, for the general ledger.
pub async fn accounting_lines(store: &Store, date: NaiveDate) -> Result<Vec<AccountingLine>> {
    let rows = {
        query_as(
        "SELECT t.id AS transaction_id, t.booked_on, c.reference AS case_reference, t.kind, p.account, p.amount_cents, t.reference \
         FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id LEFT JOIN cases c ON c.id = t.case_id \
         WHERE t.booked_on = $1 ORDER BY t.id, p.id"
    )
    .bind(date)
    .fetch_all(store)
    .await?
    };
    Ok(rows)
}

/// The export as CSV text (`;`, decimal point, one line per posting, debit and credit columns).
/// Text cells (case, kind, account, reference: the reference comes from the payer's transfer)
/// go through [`csv_cell::text`] so that none is read as a formula; amounts stay numbers.
pub fn accounting_csv(lines: &[AccountingLine]) -> String {
    let mut out = String::from("date;transaction;case;kind;account;debit;credit;reference\n");
    for line in lines {
        let amount = Money::from_cents(line.amount_cents.abs()).to_plain_string();
        let (debit, credit) = if line.amount_cents >= 0 { (amount.as_str(), "") } else { ("", amount.as_str()) };
        let reference = line.reference.replace(['"', ';', '\n', '\r'], " ");
        out.push_str(&format!(
            "{};{};{};{};{};{};{};{}\n",
            line.booked_on,
            line.transaction_id,
            csv_cell::text(line.case_reference.as_deref().unwrap_or("")),
            csv_cell::text(&line.kind),
            csv_cell::text(&line.account),
            debit,
            credit,
            csv_cell::text(&reference)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 22, finding 4: a payer's transfer reference `=HYPERLINK(…)` reached the
    /// accounting CSV as a live formula; the debit and credit amounts stay numbers.
    #[test]
    fn the_accounting_csv_neutralises_formulas_in_text_cells_only() {
        let line = |amount_cents: i64, reference: &str| AccountingLine {
            transaction_id: 12,
            booked_on: "2026-10-31".parse().unwrap(),
            case_reference: Some("CTX-0000007".into()),
            kind: "payment".into(),
            account: "bank_receipts".into(),
            amount_cents,
            reference: reference.into(),
        };
        let csv = accounting_csv(&[line(1_250, r#"=HYPERLINK("http://x")"#), line(-1_250, "-12.50")]);
        let lines: Vec<&str> = csv.lines().collect();
        // `"` and `;` are blanked to keep the CSV unquoted (as before); the formula is text.
        assert_eq!(lines[1], "2026-10-31;12;CTX-0000007;payment;bank_receipts;12.50;;'=HYPERLINK( http://x )");
        // A reference that looks like a negative amount is still text; the credit is a number.
        assert_eq!(lines[2], "2026-10-31;12;CTX-0000007;payment;bank_receipts;;12.50;'-12.50");
    }
}
