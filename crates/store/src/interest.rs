//! Interest per claim (issue 18, part 2): the facts the domain's projection needs
//! (`recouvre_domain::claim_interest`), read for a range of cases in set-based queries — the
//! claims with their rates, the case's capital day by day, the formal notice and the day the
//! decision became enforceable — shared by the nightly run (which books at month end) and the
//! case page (which shows « intérêts courus au JJ/MM/AAAA », not booked).

use std::collections::HashMap;

use chrono::NaiveDate;
use recouvre_domain::case::ClaimNature;
use recouvre_domain::claim_interest::{project, ClaimRate, ClaimTerms, IncreaseKept, Projection};
use recouvre_domain::procedure::{DeadlineKind, ProcedureKind, Step};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::time_bar::{TimeBarEvent, TimeBarEventKind};
use recouvre_domain::Money;
use rust_decimal::Decimal;

use crate::db::{query, query_as, query_scalar};

pub mod rulings;
use crate::{Result, Store, StoreError, Tx};

/// (case id, claim id, nature, principal cents, contractual rate) of each claim.
pub(crate) type ClaimRow = (i64, i64, String, i64, Option<String>);

/// What a case's interest depends on besides its claims and capital.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RateFacts {
    /// The first formal notice (C. civ. 1231-6, 1344-1).
    pub formal_notice_on: Option<NaiveDate>,
    /// The day the decision ordering payment became enforceable (CMF L313-3), as the procedure
    /// step that made it so recorded it (`cases.judgment_served_on`).
    pub enforceable_on: Option<NaiveDate>,
    /// What the judge kept of the increase (CMF L313-3 al. 2; table `interest_rulings`).
    pub increase: IncreaseKept,
}

impl RateFacts {
    /// The facts of a case from its history (time-bar events), its enforceability date and the
    /// judge's ruling on the increase.
    pub(crate) fn from_history(
        history: &[TimeBarEvent],
        enforceable_on: Option<NaiveDate>,
        increase: IncreaseKept,
    ) -> RateFacts {
        let formal_notice_on =
            history.iter().filter(|event| event.kind == TimeBarEventKind::FormalNotice).map(|event| event.date).min();
        RateFacts { formal_notice_on, enforceable_on, increase }
    }
}

/// Each claim's terms from its row and the case's facts.
pub(crate) fn claim_terms(rows: &[&ClaimRow], facts: RateFacts) -> Result<Vec<ClaimTerms>> {
    rows.iter()
        .map(|(case_id, claim_id, nature, principal_cents, rate)| {
            let corrupt = |what: String| {
                StoreError::Corrupt(format!(
                    "{what} sur la créance n° {claim_id} du dossier {case_id} : corrigez la créance puis relancez le traitement"
                ))
            };
            let nature =
                ClaimNature::from_code(nature).ok_or_else(|| corrupt(format!("nature de créance « {nature} » inconnue")))?;
            let rate = match rate.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
                Some(text) => {
                    Some(text.parse::<Decimal>().map_err(|_| corrupt(format!("taux contractuel « {text} » illisible")))?)
                }
                None => None,
            };
            Ok(ClaimTerms {
                claim_id: *claim_id,
                principal: Money::from_cents(*principal_cents),
                rate: ClaimRate::for_claim(nature, rate, facts.formal_notice_on, facts.enforceable_on, facts.increase),
            })
        })
        .collect()
}

/// The day a step made the decision ordering payment enforceable (CMF L313-3: the statutory rate
/// gains five points two months later), if it did: a payment order on the day after its
/// opposition month ran out without opposition (CPC 1416, 1422; `open` holds the procedure's open
/// deadlines as (code, due on)), a judgment on opposition when recorded granted (enforceable as
/// of right once served, CPC 514).
pub(crate) fn enforceable_on(
    kind: ProcedureKind,
    step: Step,
    open: &[(String, NaiveDate)],
    on: NaiveDate,
) -> Option<NaiveDate> {
    match (kind, step) {
        (ProcedureKind::PaymentOrder, Step::RecordEnforceable) => Some(
            open.iter()
                .find(|(code, _)| code == DeadlineKind::Opposition.code())
                .and_then(|(_, due)| due.succ_opt())
                .unwrap_or(on),
        ),
        (ProcedureKind::PaymentOrder, Step::RecordJudgmentGranted) => Some(on),
        _ => None,
    }
}

/// The capital at the start of `day` from (booked on, cents) rows in date order.
pub(crate) fn capital_on(timeline: &[(NaiveDate, i64)], day: NaiveDate) -> Money {
    Money::from_cents(timeline.iter().take_while(|(booked_on, _)| *booked_on < day).map(|(_, cents)| cents).sum())
}

/// The interest accrued and not yet booked on a case, as the case page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccruedInterest {
    /// The day the projection runs to (today).
    pub as_of: NaiveDate,
    /// The last day booked (the last month end the night booked, or a settlement).
    pub booked_to: NaiveDate,
    pub contractual: Money,
    pub statutory: Money,
    /// First day not computed for lack of a statutory rate.
    pub held_from: Option<NaiveDate>,
    /// What a judgment decided about the interest, if recorded (table `interest_rulings`).
    pub ruling: Option<rulings::InterestRuling>,
}

impl Tx {
    /// Records on the case the day its decision became enforceable, when a procedure step made it
    /// so (`enforceable`: [`enforceable_on`] of the step). The months already booked whose rate
    /// the date changes (the increase starting on or before the last day booked) are corrected in
    /// the same transaction (`rulings`: an `interest_corrected` event and its transaction).
    pub(crate) async fn record_enforceable_on(
        &mut self,
        case_id: i64,
        enforceable: Option<NaiveDate>,
        actor: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        if let Some(enforceable_on) = enforceable {
            query("UPDATE cases SET judgment_served_on = $2 WHERE id = $1")
                .bind(case_id)
                .bind(enforceable_on)
                .execute(&mut *self)
                .await?;
            self.correct_booked_interest(case_id, None, "enforceable", actor, now).await?;
        }
        Ok(())
    }

    /// The reference data in force for the interest: the embedded rates, then each statutory
    /// rate an administrator entered, in order (as `recouvre_app::reference::load` reads them).
    pub(crate) async fn interest_reference(&mut self) -> Result<ReferenceData> {
        let mut data = ReferenceData::embedded();
        let entries: Vec<(i64, String)> =
            query_as("SELECT id, entry FROM reference_entries WHERE kind = 'statutory_rate' ORDER BY id")
                .fetch_all(&mut *self)
                .await?;
        for (id, entry) in entries {
            let rate = serde_json::from_str(&entry)
                .map_err(|error| StoreError::Corrupt(format!("donnée de référence n° {id} illisible : {error}")))?;
            data.insert_statutory_rate(rate, recouvre_domain::reference::OnConflict::Replace)
                .map_err(|error| StoreError::Corrupt(format!("donnée de référence n° {id} : {error}")))?;
        }
        Ok(data)
    }

    /// A case's balances once the interest accrued up to `on` is booked (`settle_interest`):
    /// the one way every allocation, closing and write-off reads a settled balance (issue 18) —
    /// a payment by hand, a statement's credit, a suspense item assigned, a direct-debit
    /// collection (to its collection date, when its file is made), a closing, a write-off or
    /// waiver, a letter or court request at its validation ([`settle`]). `version` is the case's
    /// version the caller expects; it becomes the version after the interest events, if any.
    /// `settled_for` says why in the events (`payment`, `statement`, `suspense`, `direct_debit`,
    /// `closing`, `write_off`, `waiver`, `letter`).
    pub(crate) async fn settled_balances(
        &mut self,
        case_id: i64,
        on: NaiveDate,
        version: &mut Option<i64>,
        settled_for: &'static str,
        actor: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<recouvre_domain::ledger::Balances> {
        if let Some(after) = self.settle_interest(case_id, on, *version, settled_for, actor, now).await? {
            *version = Some(after);
        }
        self.balances(case_id).await
    }

    /// The nightly run's month-end booking of a case whose judgment ordered capitalisation
    /// (`batch`: booked after the chunk's writes, the year cut at each anniversary).
    pub(crate) async fn settle_month_end(
        &mut self,
        case_id: i64,
        up_to: NaiveDate,
        actor: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        self.settle_interest(case_id, up_to, None, "month_end", actor, now).await?;
        Ok(())
    }

    /// Books the interest a case accrued after its last booked day up to `up_to` (included),
    /// before something needs its settled balance — a payment's allocation (C. civ. 1343-1: a
    /// partial payment goes to the interest due first). One ledger transaction and one journal
    /// event per month and account, as the nightly run books them. Returns the case's version
    /// after the events, when any was appended. Nothing on a suspended or closed case, nor for
    /// a day already booked.
    async fn settle_interest(
        &mut self,
        case_id: i64,
        up_to: NaiveDate,
        expected_version: Option<i64>,
        settled_for: &'static str,
        actor: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<i64>> {
        let mut version = expected_version;
        let mut appended = None;
        // A judgment ordering capitalisation (C. civ. 1343-2) cuts the bookings on the day before
        // each anniversary, whose year of interest becomes capital before the next day is booked.
        loop {
            let next = self.next_capitalisation(case_id).await?;
            let segment_end = next.map_or(up_to, |day| up_to.min(day - chrono::Duration::days(1)));
            if let Some(after) = self.settle_segment(case_id, segment_end, version, settled_for, actor, now).await? {
                version = Some(after);
                appended = Some(after);
            }
            let Some(day) = next else { break };
            let booked_to: Option<NaiveDate> =
                query_scalar("SELECT accrued_to FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut *self).await?;
            if booked_to != Some(day - chrono::Duration::days(1)) {
                break;
            }
            if let Some((after, _)) = self.capitalise_interest(case_id, day, version, actor, now).await? {
                version = Some(after);
                appended = Some(after);
            }
            if up_to < day {
                break;
            }
        }
        Ok(appended)
    }

    /// [`Tx::settle_interest`] up to `up_to`, with no capitalisation day on the way.
    async fn settle_segment(
        &mut self,
        case_id: i64,
        up_to: NaiveDate,
        expected_version: Option<i64>,
        settled_for: &'static str,
        actor: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<i64>> {
        let (opened_on, accrued_to, enforceable_on, status): (NaiveDate, Option<NaiveDate>, Option<NaiveDate>, String) =
            query_as("SELECT opened_on, accrued_to, judgment_served_on, status FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(&mut *self)
                .await?
                .ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
        let after = accrued_to.unwrap_or(opened_on);
        if up_to <= after || status == "suspended" || status == "closed" {
            return Ok(None);
        }
        let reference = self.interest_reference().await?;
        let (terms, timeline) = self.interest_facts(case_id, enforceable_on).await?;
        let projection = project(|day| capital_on(&timeline, day), &terms, after, up_to, &reference);
        if projection.accrued_to <= after {
            return Ok(None);
        }
        let mut version = expected_version;
        let mut appended = None;
        let mut grouped: std::collections::BTreeMap<_, Vec<_>> = std::collections::BTreeMap::new();
        for booking in &projection.bookings {
            grouped.entry((booking.from, booking.to, booking.account)).or_default().push(booking);
        }
        for ((from, to, account), claims) in grouped {
            let amount: Money = claims.iter().map(|booking| booking.interest).sum();
            let days = claims.iter().map(|booking| booking.days).max().unwrap_or(0);
            let payload = serde_json::json!({
                "from": from, "to": to, "days": days, "account": account.code(), "amount": amount,
                "claims": claims.iter().map(|booking| serde_json::json!({
                    "claim_id": booking.claim_id, "days": booking.days, "amount": booking.interest,
                })).collect::<Vec<_>>(),
                "settled_for": settled_for,
            });
            let event = self
                .append_event(crate::journal::CaseEvent {
                    case_id,
                    expected_version: version,
                    kind: recouvre_domain::journal::EventKind::InterestAccrued,
                    payload: payload.to_string(),
                    actor,
                    now,
                })
                .await?;
            version = Some(event.sequence);
            appended = Some(event.sequence);
            let transaction =
                recouvre_domain::ledger::charge(account, amount).map_err(crate::ledger::refused_by_ledger)?;
            let what = match account {
                recouvre_domain::ledger::Account::ContractualInterest => "intérêts conventionnels",
                _ => "intérêts au taux légal",
            };
            let reference = format!("{what} du {} au {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"));
            self.book(crate::ledger::Booking {
                case_id: Some(case_id),
                transaction: &transaction,
                booked_on: up_to,
                reference: &reference,
                reverses: None,
                actor,
                now,
            })
            .await?;
        }
        query("UPDATE cases SET accrued_to = $2 WHERE id = $1")
            .bind(case_id)
            .bind(projection.accrued_to)
            .execute(&mut *self)
            .await?;
        Ok(appended)
    }

    /// A case's claim terms and capital timeline (booked on, cents), for its projection.
    pub(crate) async fn interest_facts(
        &mut self,
        case_id: i64,
        enforceable_on: Option<NaiveDate>,
    ) -> Result<(Vec<ClaimTerms>, Vec<(NaiveDate, i64)>)> {
        let claims = self.claim_rows(case_id, case_id).await?;
        let histories = self.time_bar_histories(case_id, case_id).await?;
        let history = histories.get(&case_id).map(Vec::as_slice).unwrap_or(&[]);
        let rows: Vec<&ClaimRow> = claims.get(&case_id).map(|rows| rows.iter().collect()).unwrap_or_default();
        let increase = self.interest_ruling(case_id).await?.map_or(IncreaseKept::FULL, |ruling| ruling.increase_kept());
        let terms = claim_terms(&rows, RateFacts::from_history(history, enforceable_on, increase))?;
        let timeline: Vec<(NaiveDate, i64)> = query_as(
            "SELECT t.booked_on, CAST(SUM(p.amount_cents) AS BIGINT) FROM ledger_postings p \
             JOIN ledger_transactions t ON t.id = p.transaction_id \
             WHERE p.case_id = $1 AND p.account = 'principal' GROUP BY t.booked_on ORDER BY t.booked_on",
        )
        .bind(case_id)
        .fetch_all(&mut *self)
        .await?;
        Ok((terms, timeline))
    }

    /// The claims of the cases `first..=last`, by case id, in id order.
    pub(crate) async fn claim_rows(&mut self, first: i64, last: i64) -> Result<HashMap<i64, Vec<ClaimRow>>> {
        let rows: Vec<ClaimRow> = query_as(
            "SELECT case_id, id, nature, principal_cents, contractual_rate FROM claims \
             WHERE case_id BETWEEN $1 AND $2 ORDER BY case_id, id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&mut *self)
        .await?;
        let mut by_case: HashMap<i64, Vec<ClaimRow>> = HashMap::new();
        for row in rows {
            by_case.entry(row.0).or_default().push(row);
        }
        Ok(by_case)
    }

    /// The interest a case accrued after its last booked day up to `as_of`, not booked.
    pub async fn accrued_interest(
        &mut self,
        case_id: i64,
        as_of: NaiveDate,
        reference: &ReferenceData,
    ) -> Result<AccruedInterest> {
        let (opened_on, accrued_to, enforceable_on, status): (NaiveDate, Option<NaiveDate>, Option<NaiveDate>, String) =
            query_as("SELECT opened_on, accrued_to, judgment_served_on, status FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_optional(&mut *self)
                .await?
                .ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
        let booked_to = accrued_to.unwrap_or(opened_on);
        let (terms, timeline) = self.interest_facts(case_id, enforceable_on).await?;
        // L722-2 C. consom.: no interest while an admissible over-indebtedness file suspends
        // the case; a closed case accrues nothing more.
        let projection = if status == "suspended" || status == "closed" || as_of <= booked_to {
            Projection { bookings: Vec::new(), accrued_to: booked_to, held_from: None }
        } else {
            project(|day| capital_on(&timeline, day), &terms, booked_to, as_of, reference)
        };
        Ok(AccruedInterest {
            as_of,
            booked_to,
            contractual: projection.total(recouvre_domain::ledger::Account::ContractualInterest),
            statutory: projection.total(recouvre_domain::ledger::Account::StatutoryInterest),
            held_from: projection.held_from,
            ruling: self.interest_ruling(case_id).await?,
        })
    }
}

/// [`Tx::accrued_interest`] in its own read.
pub async fn accrued_interest(
    store: &Store,
    case_id: i64,
    as_of: NaiveDate,
    reference: &ReferenceData,
) -> Result<AccruedInterest> {
    let mut tx = store.begin_read().await?;
    let accrued = tx.accrued_interest(case_id, as_of, reference).await?;
    tx.commit().await?;
    Ok(accrued)
}

/// Books the interest a case accrued up to `on` in its own transaction, before something is
/// drawn from its settled balance outside the store's transactions: a letter or a court request
/// at its validation (issue 18), rendered from the case once the interest is booked. `version`
/// is the case's version the caller saw (`None`: whatever it is); returns the version after.
pub async fn settle(
    store: &Store,
    case_id: i64,
    on: NaiveDate,
    version: Option<i64>,
    settled_for: &'static str,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<i64>> {
    let mut tx = store.begin().await?;
    let mut version = version;
    tx.settled_balances(case_id, on, &mut version, settled_for, actor, now).await?;
    tx.commit().await?;
    Ok(version)
}
