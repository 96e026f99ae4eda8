//! What a judgment decides about a case's interest (issue 18, part 2), and the bookings it
//! changes:
//! - the juge de l'exécution's ruling on the five-point increase of the statutory rate (CMF
//!   L313-3 al. 2: the debtor exempted, or the increase reduced, from a day), recorded on the
//!   case (table `interest_rulings`, one row, the latest) with an `interest_increase_ruling` event;
//! - the capitalisation a court decision orders (C. civ. 1343-2), only for the claims whose
//!   nature the bank's policy lets capitalise (`ProcedurePolicy::capitalisation_natures`; none by
//!   default: C. consom. L312-38, L313-51/L313-52): at each anniversary of its day, the statutory
//!   interest booked over the year before becomes capital (`interest_capitalised`);
//! - the months already booked whose rate a fact recorded late changes (the day the decision
//!   became enforceable, a ruling): recomputed from their `interest_accrued` events and corrected
//!   by the difference (`interest_corrected`, one event and one transaction per account).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use recouvre_domain::case::ClaimNature;
use recouvre_domain::claim_interest::{self, BookedPeriod, IncreaseKept};
use recouvre_domain::journal::EventKind;
use recouvre_domain::ledger::Account;
use recouvre_domain::procedure::ProcedurePolicy;
use recouvre_domain::Money;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;

use recouvre_domain::time_bar::{with_suspension_cap, TimeBarEvent, TimeBarEventKind};

use crate::db::{query, query_as, query_scalar};
use crate::journal::CaseEvent;
use crate::{Result, Store, StoreError, Tx};

/// What a judgment decided about a case's interest, as recorded (the latest ruling).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InterestRuling {
    pub decided_on: NaiveDate,
    pub court: String,
    pub reference: String,
    /// The increase points kept: 0 exempted, between 0 and 5 reduced.
    pub increase_points: Decimal,
    /// From this day (`None`: the whole increase).
    pub increase_from: Option<NaiveDate>,
    /// C. civ. 1343-2: interest due for a full year from this day becomes capital.
    pub capitalisation_from: Option<NaiveDate>,
    /// The last anniversary made capital.
    pub capitalised_to: Option<NaiveDate>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl InterestRuling {
    /// What the rate projection keeps of the increase.
    pub fn increase_kept(&self) -> IncreaseKept {
        IncreaseKept { points: self.increase_points, from: self.increase_from }
    }
}

/// A ruling as entered, checked by the use case (`recouvre_app::interest`).
#[derive(Clone, Debug)]
pub struct NewRuling {
    pub case_id: i64,
    pub decided_on: NaiveDate,
    pub court: String,
    pub reference: String,
    pub increase_points: Decimal,
    pub increase_from: Option<NaiveDate>,
    pub capitalisation_from: Option<NaiveDate>,
}

/// What recording a ruling did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulingRecorded {
    /// The case's version after the ruling and its corrections.
    pub version: i64,
    /// The correction of the months already booked (positive: charged, negative: credited back).
    pub corrected: Money,
    /// The interest made capital for the anniversaries already booked.
    pub capitalised: Money,
}

type RulingRow =
    (NaiveDate, String, String, String, Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>, String, DateTime<Utc>);

/// Records what a judgment decided about a case's interest, at the `expected_version` of the case
/// the officer saw, and corrects the months already booked in the same transaction. 409
/// `no_enforceable_decision` when the case has no enforceable decision recorded (the increase has
/// not started), `capitalisation_forbidden` when capitalisation is asked and no claim of the case
/// may capitalise.
pub async fn record_ruling(
    store: &Store,
    expected_version: i64,
    ruling: &NewRuling,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<RulingRecorded> {
    let mut tx = store.begin().await?;
    let row: Option<(Option<NaiveDate>, String, Option<NaiveDate>)> =
        query_as("SELECT judgment_served_on, status, accrued_to FROM cases WHERE id = $1")
            .bind(ruling.case_id)
            .fetch_optional(&mut tx)
            .await?;
    let Some((enforceable_on, status, accrued_to)) = row else {
        return Err(StoreError::not_found(format!("dossier n° {}", ruling.case_id)));
    };
    if status == "closed" {
        return Err(StoreError::refused(
            "case_closed",
            "le dossier est clos : rouvrez-le avant d'y enregistrer une décision",
        ));
    }
    let Some(enforceable_on) = enforceable_on else {
        return Err(StoreError::refused(
            "no_enforceable_decision",
            "aucune décision exécutoire n'est enregistrée sur ce dossier : enregistrez d'abord l'étape de procédure \
             qui la rend exécutoire (jugement signifié, ordonnance sans opposition) ; la majoration de \
             l'article L313-3 du code monétaire et financier n'a pas commencé",
        ));
    };
    if ruling.capitalisation_from.is_some() && tx.capitalising_claims(ruling.case_id).await?.is_empty() {
        return Err(StoreError::refused(
            "capitalisation_forbidden",
            "capitalisation refusée : les créances de ce dossier relèvent du crédit à la consommation ou du crédit \
             immobilier, pour lesquels l'article L312-38 du code de la consommation (et L313-52) interdit tout \
             coût autre que ceux qu'il énumère ; l'article 1343-2 du code civil ne s'y applique pas",
        ));
    }
    let payload = json!({
        "decided_on": ruling.decided_on, "court": ruling.court, "reference": ruling.reference,
        "increase_points": ruling.increase_points.normalize().to_string(), "increase_from": ruling.increase_from,
        "capitalisation_from": ruling.capitalisation_from, "enforceable_on": enforceable_on,
        "basis": "CMF L313-3 al. 2; C. civ. 1343-2",
    });
    let event = tx
        .append_event(CaseEvent {
            case_id: ruling.case_id,
            expected_version: Some(expected_version),
            kind: EventKind::InterestIncreaseRuling,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    // A new capitalisation day starts over; the same one keeps the anniversaries already made.
    let previous: Option<(Option<NaiveDate>, Option<NaiveDate>)> =
        query_as("SELECT capitalisation_from, capitalised_to FROM interest_rulings WHERE case_id = $1")
            .bind(ruling.case_id)
            .fetch_optional(&mut tx)
            .await?;
    let capitalised_to =
        previous.filter(|(from, _)| *from == ruling.capitalisation_from).and_then(|(_, capitalised_to)| capitalised_to);
    query("DELETE FROM interest_rulings WHERE case_id = $1").bind(ruling.case_id).execute(&mut tx).await?;
    query(
        "INSERT INTO interest_rulings (case_id, decided_on, court, reference, increase_points, increase_from, \
         capitalisation_from, capitalised_to, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(ruling.case_id)
    .bind(ruling.decided_on)
    .bind(&ruling.court)
    .bind(&ruling.reference)
    .bind(ruling.increase_points.normalize().to_string())
    .bind(ruling.increase_from)
    .bind(ruling.capitalisation_from)
    .bind(capitalised_to)
    .bind(actor)
    .bind(now)
    .execute(&mut tx)
    .await?;
    let mut capitalised = Money::ZERO;
    // The anniversaries the booked months already passed become capital now (a month is the
    // year's when it ends in it), then every booked month is recomputed.
    if let (Some(from), Some(booked_to)) = (ruling.capitalisation_from, accrued_to) {
        for day in claim_interest::capitalisation_days(from, capitalised_to, booked_to) {
            if day - Duration::days(1) < booked_to {
                if let Some((_, amount)) = tx.capitalise_interest(ruling.case_id, day, None, actor, now).await? {
                    capitalised += amount;
                }
            }
        }
    }
    let corrected = tx
        .correct_booked_interest(ruling.case_id, None, "ruling", actor, now)
        .await?
        .map_or(Money::ZERO, |(_, difference)| difference);
    let version: i64 =
        query_scalar("SELECT version FROM cases WHERE id = $1").bind(ruling.case_id).fetch_one(&mut tx).await?;
    tx.commit().await?;
    debug_assert!(version >= event.sequence);
    Ok(RulingRecorded { version, corrected, capitalised })
}

/// The ruling recorded on a case, if any.
pub async fn interest_ruling(store: &Store, case_id: i64) -> Result<Option<InterestRuling>> {
    let mut tx = store.begin_read().await?;
    let ruling = tx.interest_ruling(case_id).await?;
    tx.commit().await?;
    Ok(ruling)
}

impl Tx {
    /// The ruling recorded on a case, if any.
    pub(crate) async fn interest_ruling(&mut self, case_id: i64) -> Result<Option<InterestRuling>> {
        let row: Option<RulingRow> = query_as(
            "SELECT decided_on, court, reference, increase_points, increase_from, capitalisation_from, capitalised_to, \
             recorded_by, recorded_at FROM interest_rulings WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(&mut *self)
        .await?;
        let Some((
            decided_on,
            court,
            reference,
            points,
            increase_from,
            capitalisation_from,
            capitalised_to,
            recorded_by,
            recorded_at,
        )) = row
        else {
            return Ok(None);
        };
        let increase_points = points.parse::<Decimal>().map_err(|_| {
            StoreError::Corrupt(format!("points de majoration « {points} » illisibles sur le dossier {case_id}"))
        })?;
        Ok(Some(InterestRuling {
            decided_on,
            court,
            reference,
            increase_points,
            increase_from,
            capitalisation_from,
            capitalised_to,
            recorded_by,
            recorded_at,
        }))
    }

    /// The bank's procedure policy in force (the latest an administrator entered, or the
    /// embedded one), read inside this transaction.
    async fn procedure_policy(&mut self) -> Result<ProcedurePolicy> {
        let latest: Option<String> = query_scalar(
            "SELECT entry FROM reference_entries WHERE kind = 'procedure_policy' ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&mut *self)
        .await?;
        match latest {
            Some(text) => ProcedurePolicy::from_toml(&text)
                .map_err(|error| StoreError::Corrupt(format!("politique des procédures : {error}"))),
            None => Ok(ProcedurePolicy::embedded()),
        }
    }

    /// The claims of a case whose nature the policy lets capitalise (C. civ. 1343-2).
    async fn capitalising_claims(&mut self, case_id: i64) -> Result<Vec<i64>> {
        let policy = self.procedure_policy().await?;
        let claims: Vec<(i64, String)> = query_as("SELECT id, nature FROM claims WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(&mut *self)
            .await?;
        Ok(claims
            .into_iter()
            .filter(|(_, nature)| ClaimNature::from_code(nature).is_some_and(|nature| policy.may_capitalise(nature)))
            .map(|(id, _)| id)
            .collect())
    }

    /// The next day the interest of a year becomes capital, when a ruling orders it and a claim of
    /// the case may capitalise: the first anniversary not made capital whose eve is not before the
    /// last day booked (those before were made capital when the ruling was recorded).
    pub(crate) async fn next_capitalisation(&mut self, case_id: i64) -> Result<Option<NaiveDate>> {
        let Some(ruling) = self.interest_ruling(case_id).await? else { return Ok(None) };
        let Some(from) = ruling.capitalisation_from else { return Ok(None) };
        let (opened_on, accrued_to): (NaiveDate, Option<NaiveDate>) =
            query_as("SELECT opened_on, accrued_to FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_one(&mut *self)
                .await?;
        let booked_to = accrued_to.unwrap_or(opened_on);
        let next = (1..=200)
            .map_while(|years| claim_interest::anniversary(from, years))
            .find(|day| ruling.capitalised_to.is_none_or(|done| *day > done) && *day - Duration::days(1) >= booked_to);
        if next.is_none() || self.capitalising_claims(case_id).await?.is_empty() {
            return Ok(None);
        }
        Ok(next)
    }

    /// What is booked on a case, period by period and claim by claim: its `interest_accrued`
    /// events and the `interest_corrected` events since, net. Events without their claims (booked
    /// before interest was per claim) are left out.
    pub(crate) async fn booked_periods(&mut self, case_id: i64) -> Result<Vec<BookedPeriod>> {
        let events: Vec<(i64, String, String)> = query_as(
            "SELECT sequence, kind, payload FROM case_events WHERE case_id = $1 \
             AND kind IN ('interest_accrued', 'interest_corrected') ORDER BY sequence",
        )
        .bind(case_id)
        .fetch_all(&mut *self)
        .await?;
        let mut booked = Vec::new();
        for (sequence, kind, payload) in events {
            let corrupt = || StoreError::Corrupt(format!("événement n° {sequence} du dossier {case_id} illisible"));
            let value: serde_json::Value = serde_json::from_str(&payload).map_err(|_| corrupt())?;
            let Some(account) = value["account"].as_str().and_then(Account::from_code) else { continue };
            let periods: Vec<&serde_json::Value> = if kind == "interest_accrued" {
                vec![&value]
            } else {
                value["periods"].as_array().map(|periods| periods.iter().collect()).unwrap_or_default()
            };
            let amount_key = if kind == "interest_accrued" { "amount" } else { "difference" };
            for period in periods {
                let (Some(claims), Ok(from), Ok(to)) = (
                    period["claims"].as_array(),
                    serde_json::from_value::<NaiveDate>(period["from"].clone()),
                    serde_json::from_value::<NaiveDate>(period["to"].clone()),
                ) else {
                    continue;
                };
                for claim in claims {
                    let claim_id = claim["claim_id"].as_i64().ok_or_else(corrupt)?;
                    let amount: Money = serde_json::from_value(claim[amount_key].clone()).map_err(|_| corrupt())?;
                    booked.push(BookedPeriod { from, to, claim_id, account, booked: amount });
                }
            }
        }
        Ok(booked)
    }

    /// Recomputes the months already booked on a case under the facts known now (the day its
    /// decision became enforceable, the judge's ruling, a formal notice recorded late — with the
    /// days passed over with nothing to book) and books the difference: one
    /// `interest_corrected` event (periods, claims, booked, due, difference) and one transaction
    /// — a charge, or the interest credited back (`ledger::interest_credit`). Recording the same
    /// fact again books nothing. `because` says why (`enforceable`, `ruling`, `formal_notice`). Returns the case's
    /// version after the event and the difference booked, when an event was appended.
    pub(crate) async fn correct_booked_interest(
        &mut self,
        case_id: i64,
        expected_version: Option<i64>,
        because: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, Money)>> {
        let (opened_on, accrued_to, enforceable_on): (NaiveDate, Option<NaiveDate>, Option<NaiveDate>) =
            query_as("SELECT opened_on, accrued_to, judgment_served_on FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_one(&mut *self)
                .await?;
        let Some(accrued_to) = accrued_to else {
            return Ok(None);
        };
        let booked = self.booked_periods(case_id).await?;
        // The days the bookings passed over with nothing to book (a formal notice recorded late).
        // The suspensions of the case's history (an admissible over-indebtedness file, to its
        // end or its two-year cap, C. consom. L722-2, L722-3): their days bore no interest.
        let histories = self.time_bar_histories(case_id, case_id).await?;
        let history = histories.get(&case_id).cloned().unwrap_or_default();
        let suspensions = suspension_spans(&with_suspension_cap(history, accrued_to));
        let suspended = |day: NaiveDate| {
            suspensions.iter().any(|(from, until)| *from <= day && until.is_none_or(|until| day < until))
        };
        let unbooked = claim_interest::unbooked_periods(&booked, opened_on, accrued_to, suspended);
        if booked.is_empty() && unbooked.is_empty() {
            return Ok(None);
        }
        let reference = self.interest_reference().await?;
        let (terms, timeline) = self.interest_facts(case_id, enforceable_on).await?;
        // Only the statutory rate depends on these facts (CMF L313-3).
        let account = Account::StatutoryInterest;
        let corrections = claim_interest::corrections(
            |day| crate::interest::capital_on(&timeline, day),
            &terms,
            &booked,
            &unbooked,
            account,
            &reference,
        );
        if corrections.is_empty() {
            return Ok(None);
        }
        let difference: Money = corrections.iter().map(|correction| correction.difference()).sum();
        let mut periods: std::collections::BTreeMap<(NaiveDate, NaiveDate), Vec<serde_json::Value>> =
            std::collections::BTreeMap::new();
        for correction in &corrections {
            periods.entry((correction.from, correction.to)).or_default().push(json!({
                "claim_id": correction.claim_id, "booked": correction.booked, "due": correction.due,
                "difference": correction.difference(),
            }));
        }
        let (first, last) = (
            corrections[0].from,
            corrections.iter().map(|correction| correction.to).max().unwrap_or(corrections[0].to),
        );
        let payload = json!({
            "account": account.code(), "because": because, "enforceable_on": enforceable_on,
            "periods": periods.into_iter().map(|((from, to), claims)| json!({"from": from, "to": to, "claims": claims})).collect::<Vec<_>>(),
            "difference": difference,
        });
        let event = self
            .append_event(CaseEvent {
                case_id,
                expected_version,
                kind: EventKind::InterestCorrected,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
        let transaction = if difference.is_positive() {
            Some(recouvre_domain::ledger::charge(account, difference).map_err(crate::ledger::refused_by_ledger)?)
        } else if difference.is_negative() {
            let balances = self.balances(case_id).await?;
            Some(
                recouvre_domain::ledger::interest_credit(&balances, account, -difference)
                    .map_err(crate::ledger::refused_by_ledger)?,
            )
        } else {
            None
        };
        if let Some(transaction) = transaction {
            let reference = format!(
                "correction des intérêts au taux légal du {} au {}",
                first.format("%d/%m/%Y"),
                last.format("%d/%m/%Y")
            );
            self.book(crate::ledger::Booking {
                case_id: Some(case_id),
                transaction: &transaction,
                booked_on: recouvre_domain::business_date::paris_date(now),
                reference: &reference,
                reverses: None,
                actor,
                now,
            })
            .await?;
        }
        Ok(Some((event.sequence, difference)))
    }

    /// Makes capital, on `day` (an anniversary of the ruling's capitalisation day), the statutory
    /// interest booked over the year before it for the claims that may capitalise, as much of it
    /// as is still due (C. civ. 1343-2): one `interest_capitalised` event and one transaction,
    /// booked on the year's last day so that it bears interest from `day`. Marks the anniversary
    /// done. Returns the case's version after the event and the amount, when one was appended.
    pub(crate) async fn capitalise_interest(
        &mut self,
        case_id: i64,
        day: NaiveDate,
        expected_version: Option<i64>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, Money)>> {
        let allowed = self.capitalising_claims(case_id).await?;
        let booked = self.booked_periods(case_id).await?;
        let mut amounts = claim_interest::capitalised(&booked, day, |claim_id| allowed.contains(&claim_id));
        query("UPDATE interest_rulings SET capitalised_to = $2 WHERE case_id = $1")
            .bind(case_id)
            .bind(day)
            .execute(&mut *self)
            .await?;
        let balances = self.balances(case_id).await?;
        let total: Money = amounts.iter().map(|(_, amount)| *amount).sum();
        let total = total.min(balances.of(Account::StatutoryInterest));
        if !total.is_positive() {
            return Ok(None);
        }
        // Part of the year's interest paid already: only what is still due becomes capital, taken
        // from the last claims first so that the claims' amounts add up to it.
        let mut excess = amounts.iter().map(|(_, amount)| *amount).sum::<Money>() - total;
        for (_, amount) in amounts.iter_mut().rev() {
            let cut = excess.min(*amount);
            *amount -= cut;
            excess -= cut;
        }
        amounts.retain(|(_, amount)| amount.is_positive());
        let year_from = claim_interest::year_before(day).unwrap_or(day);
        let payload = json!({
            "on": day, "year_from": year_from, "year_to": day - Duration::days(1),
            "claims": amounts.iter().map(|(claim_id, amount)| json!({"claim_id": claim_id, "amount": amount})).collect::<Vec<_>>(),
            "amount": total, "basis": "C. civ. 1343-2",
        });
        let event = self
            .append_event(CaseEvent {
                case_id,
                expected_version,
                kind: EventKind::InterestCapitalised,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
        let transaction =
            recouvre_domain::ledger::capitalisation(&balances, total).map_err(crate::ledger::refused_by_ledger)?;
        let reference = format!(
            "capitalisation des intérêts du {} au {}",
            year_from.format("%d/%m/%Y"),
            (day - Duration::days(1)).format("%d/%m/%Y")
        );
        self.book(crate::ledger::Booking {
            case_id: Some(case_id),
            transaction: &transaction,
            booked_on: day - Duration::days(1),
            reference: &reference,
            reverses: None,
            actor,
            now,
        })
        .await?;
        Ok(Some((event.sequence, total)))
    }
}

/// The suspensions of a history as (first day, day it ended: excluded; `None` when still open).
fn suspension_spans(history: &[TimeBarEvent]) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let mut spans: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    for event in history {
        match event.kind {
            TimeBarEventKind::SuspensionStart if spans.last().is_none_or(|(_, until)| until.is_some()) => {
                spans.push((event.date, None));
            }
            TimeBarEventKind::SuspensionEnd => {
                if let Some((_, until @ None)) = spans.last_mut() {
                    *until = Some(event.date);
                }
            }
            _ => {}
        }
    }
    spans
}
