//! The committee pack (issue 8): the figures the Risk and Litigation committees read each month,
//! built from the nightly run's snapshots and flows, and the provisioning policy.
//!
//! Pure: the storage layer gathers the rows ([`PackInput`]), [`build`] computes the pack, and the
//! shells render it (PDF, XLSX, CSV, HTML). Where each figure comes from is in docs/reports.md.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::case::{CaseStatus, ClaimNature};
use crate::ledger::{Account, TransactionKind};
use crate::snapshot::AgeBucket;
use crate::{csv_cell, Money};

const POLICY_TOML: &str = include_str!("../data/provisioning_policy.toml");

/// Errors of the committee pack: each says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitteeError {
    #[error("« {0} » n'est pas un mois (attendu AAAA-MM, par exemple 2026-10)")]
    BadMonth(String),
    #[error("aucune politique de provisionnement en vigueur le {}: un administrateur doit en saisir une version applicable à cette date (document provisioning_policy)", .0.format("%d/%m/%Y"))]
    NoPolicyInForce(NaiveDate),
    #[error("politique de provisionnement illisible : {0}")]
    PolicyParse(String),
    #[error("politique de provisionnement refusée, version « {version} » : {reason}")]
    PolicyInvalid { version: String, reason: String },
    #[error("aucun traitement de nuit terminé en {month}: lancez « recouvre batch --as-of {last_day} » (ou pour un jour du mois) puis refaites le dossier de comité")]
    NoSnapshot { month: Month, last_day: NaiveDate },
}

// ---------------------------------------------------------------------------------------------
// Months

/// A calendar month, the period of a committee pack. Machine form `2026-10`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month { year: date.year(), month: date.month() }
    }

    // Invariant: `month` is 1 to 12 (`Month::new`, `Month::of` and `plus` keep it so), and every
    // month has a first day in the years chrono represents.
    #[allow(clippy::expect_used)]
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("the first of a month exists")
    }

    // Invariant: the first day of the next month always has a day before it.
    #[allow(clippy::expect_used)]
    pub fn last_day(self) -> NaiveDate {
        self.plus(1).first_day().pred_opt().expect("a month has a last day")
    }

    /// The month `months` later (earlier when negative).
    pub fn plus(self, months: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + months;
        Month { year: index.div_euclid(12), month: index.rem_euclid(12) as u32 + 1 }
    }

    pub fn previous(self) -> Month {
        self.plus(-1)
    }

    /// Months from `self` to `other` (positive when `other` is later).
    pub fn months_until(self, other: Month) -> i32 {
        (other.year - self.year) * 12 + other.month as i32 - self.month as i32
    }

    pub fn code(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// French form: `octobre 2026`.
    pub fn label(self) -> String {
        format!("{} {}", crate::calendar::FRENCH_MONTH_NAMES[self.month as usize - 1], self.year)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl FromStr for Month {
    type Err = CommitteeError;

    fn from_str(text: &str) -> Result<Month, CommitteeError> {
        let bad = || CommitteeError::BadMonth(text.to_string());
        let (year, month) = text.trim().split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        Month::new(year.parse().map_err(|_| bad())?, month.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Month, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Recovery channels

/// How money was recovered: the channel in charge of the case when the payment was counted.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Amicable,
    Plan,
    Agency,
    Bailiff,
    Guarantor,
    Estate,
    /// The case-less suspense ledger (money not matched to a case yet).
    Suspense,
}

impl Channel {
    pub const ALL: [Channel; 7] = [
        Channel::Amicable,
        Channel::Plan,
        Channel::Agency,
        Channel::Bailiff,
        Channel::Guarantor,
        Channel::Estate,
        Channel::Suspense,
    ];
    /// The channels money is recovered through on a case.
    pub const RECOVERY: [Channel; 6] =
        [Channel::Amicable, Channel::Plan, Channel::Agency, Channel::Bailiff, Channel::Guarantor, Channel::Estate];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Amicable => "amicable",
            Channel::Plan => "plan",
            Channel::Agency => "agency",
            Channel::Bailiff => "bailiff",
            Channel::Guarantor => "guarantor",
            Channel::Estate => "estate",
            Channel::Suspense => "suspense",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Amicable => "Amiable",
            Channel::Plan => "Échéancier",
            Channel::Agency => "Agence de recouvrement",
            Channel::Bailiff => "Commissaire de justice",
            Channel::Guarantor => "Caution",
            Channel::Estate => "Succession",
            Channel::Suspense => "Compte d'instance",
        }
    }

    pub fn from_code(code: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|channel| channel.code() == code)
    }

    /// The channel of a case: its latest open procedure if any (an agency placement, a bailiff's
    /// procedure — payment order or seizure —, a guarantor's call, an estate declaration),
    /// otherwise its status. `None` for the suspense ledger (no case).
    pub fn of(case_status: Option<&str>, open_procedure: Option<&str>) -> Channel {
        let Some(status) = case_status else { return Channel::Suspense };
        match open_procedure {
            Some("agency") => return Channel::Agency,
            Some(
                "payment_order"
                | "enforcement_wage"
                | "enforcement_bank"
                | "enforcement_goods"
                | "enforcement_property",
            ) => return Channel::Bailiff,
            Some("guarantor_call") => return Channel::Guarantor,
            Some("estate") => return Channel::Estate,
            _ => {}
        }
        match status {
            "payment_plan" => Channel::Plan,
            "agency" => Channel::Agency,
            "judicial" | "enforcement" => Channel::Bailiff,
            "estate" => Channel::Estate,
            _ => Channel::Amicable,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The provisioning policy (data)

/// One version of the provisioning policy: a rate per stage and age bucket, from a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningRates {
    pub version: String,
    /// First day the version applies; it applies until the day before the next version.
    pub from: NaiveDate,
    pub source: String,
    /// Stage (case status code) → age bucket code → rate (0.35 = 35 %).
    pub rates: BTreeMap<String, BTreeMap<String, Decimal>>,
}

impl ProvisioningRates {
    /// The rate for a stage and an age bucket; a closed case or an unknown stage is not provisioned.
    pub fn rate(&self, status: &str, bucket: &str) -> Decimal {
        self.rates.get(status).and_then(|by_bucket| by_bucket.get(bucket)).copied().unwrap_or(Decimal::ZERO)
    }
}

/// The provisioning policy: its versions, by effective date (`data/provisioning_policy.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningPolicy {
    pub version: Vec<ProvisioningRates>,
}

impl ProvisioningPolicy {
    /// The defaults embedded in the binary. Panics only if the embedded file is malformed, which
    /// the tests of this module rule out.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> ProvisioningPolicy {
        ProvisioningPolicy::from_toml(POLICY_TOML).expect("embedded provisioning policy is valid")
    }

    /// The embedded document's text (for an administrator's editor).
    pub fn embedded_text() -> &'static str {
        POLICY_TOML
    }

    /// Parses and validates a policy: every stage and bucket present, rates between 0 and 1,
    /// versions in increasing date order.
    pub fn from_toml(text: &str) -> Result<ProvisioningPolicy, CommitteeError> {
        let policy: ProvisioningPolicy =
            toml::from_str(text).map_err(|error| CommitteeError::PolicyParse(error.to_string()))?;
        if policy.version.is_empty() {
            return Err(CommitteeError::PolicyParse("aucune version ([[version]])".to_string()));
        }
        let mut previous: Option<NaiveDate> = None;
        for version in &policy.version {
            let invalid = |reason: String| CommitteeError::PolicyInvalid { version: version.version.clone(), reason };
            if version.version.trim().is_empty() || version.source.trim().is_empty() {
                return Err(invalid("indiquer la version et sa source".to_string()));
            }
            if previous.is_some_and(|before| version.from <= before) {
                return Err(invalid("les versions doivent se suivre par date d'effet croissante".to_string()));
            }
            previous = Some(version.from);
            for status in provisioned_stages() {
                let Some(by_bucket) = version.rates.get(status.code()) else {
                    return Err(invalid(format!("taux manquants pour l'étape « {} »", status.code())));
                };
                for bucket in AgeBucket::ALL {
                    let Some(rate) = by_bucket.get(bucket.code()) else {
                        return Err(invalid(format!(
                            "taux manquant pour l'étape « {} », ancienneté « {} »",
                            status.code(),
                            bucket.code()
                        )));
                    };
                    if *rate < Decimal::ZERO || *rate > Decimal::ONE {
                        return Err(invalid(format!(
                            "le taux de l'étape « {} », ancienneté « {} » doit être entre 0 et 1 (reçu {rate})",
                            status.code(),
                            bucket.code()
                        )));
                    }
                }
                if let Some(extra) = by_bucket.keys().find(|code| AgeBucket::from_code(code).is_none()) {
                    return Err(invalid(format!("tranche d'ancienneté « {extra} » inconnue")));
                }
            }
            if let Some(extra) = version.rates.keys().find(|code| !provisioned_stages().any(|s| s.code() == *code)) {
                return Err(invalid(format!("étape « {extra} » inconnue")));
            }
        }
        Ok(policy)
    }

    /// The version in force on `date`; a date before every version is an error, never a guess.
    pub fn in_force(&self, date: NaiveDate) -> Result<&ProvisioningRates, CommitteeError> {
        self.version.iter().rev().find(|version| version.from <= date).ok_or(CommitteeError::NoPolicyInForce(date))
    }
}

/// The stages a policy gives rates for: every status but closed.
pub fn provisioned_stages() -> impl Iterator<Item = CaseStatus> {
    CaseStatus::ALL.iter().copied().filter(|status| *status != CaseStatus::Closed)
}

/// The provision on an amount: amount × rate, rounded half away from zero to the cent.
pub fn provision(outstanding: Money, rate: Decimal) -> Money {
    Money::from_decimal_rounded(outstanding.to_decimal() * rate).unwrap_or(outstanding)
}

// ---------------------------------------------------------------------------------------------
// What the store gathers

/// One line of `daily_snapshots`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotLine {
    pub main_nature: String,
    pub status: String,
    pub age_bucket: String,
    /// 0: not assigned.
    pub officer_id: i64,
    pub cases: i64,
    pub outstanding: Money,
    pub interest: Money,
}

/// The month's ledger movements, summed from `daily_flows`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLine {
    pub kind: String,
    pub account: String,
    pub channel: String,
    pub vintage: String,
    pub third_party_id: i64,
    pub postings: i64,
    /// Signed: positive = debit (`debits - credits`).
    pub amount: Money,
    /// Gross: the sum of the debit postings.
    pub debits: Money,
    /// Gross: the sum of the credit postings, as a positive amount.
    pub credits: Money,
}

/// Money received on a vintage's cases in a month (from `daily_flows`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VintageFlow {
    pub vintage: String,
    /// The month the flow was counted.
    pub month: String,
    /// Received (bank receipts on the vintage's cases).
    pub received: Money,
    /// Transferred into litigation (opening entries).
    pub opened: Money,
}

/// A collection agency or bailiff, with its procedures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThirdPartyInput {
    pub id: i64,
    pub name: String,
    /// `agency` or `bailiff`.
    pub kind: String,
    /// Procedures started up to the end of the month.
    pub placed: i64,
    pub placed_in_month: i64,
    /// Of which finished by the end of the month, and their average duration in days.
    pub finished: i64,
    pub average_days: Option<i64>,
    /// Costs recorded on their procedures.
    pub costs: Money,
    /// What their cases still owe (open procedures).
    pub outstanding: Money,
    /// Received on their cases while they were in charge, up to the month's end (`daily_flows`).
    pub recovered_to_date: Money,
}

/// A case named in the pack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub case_id: i64,
    pub reference: String,
    pub debtor: String,
    pub main_nature: String,
    pub status: String,
    pub opened_on: NaiveDate,
    pub officer: Option<String>,
    pub outstanding: Money,
}

/// A legal time bar coming (foreclosure, limitation, lapse), from the agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeBar {
    pub case: CaseSummary,
    pub label: String,
    pub due_on: NaiveDate,
    pub legal_basis: Option<String>,
}

/// A decision waiting for the committee: a request above its author's delegation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub approval_id: i64,
    /// `write_off`, `waiver`, `plan`, …
    pub kind: String,
    pub amount: Money,
    pub reason: String,
    pub requested_by: String,
    pub requested_on: NaiveDate,
    pub case: CaseSummary,
}

/// Cases closed in the month, by how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Closures {
    pub repaid: i64,
    pub settled: i64,
    pub written_off: i64,
}

/// Everything [`build`] needs, read by the storage layer.
#[derive(Clone, Debug)]
pub struct PackInput {
    pub month: Month,
    /// The month's last nightly snapshot, and the previous month's (if any).
    pub as_of: NaiveDate,
    pub snapshot: Vec<SnapshotLine>,
    pub previous_as_of: Option<NaiveDate>,
    pub previous_snapshot: Vec<SnapshotLine>,
    /// The month's flows (nights of the month's first day to `as_of`).
    pub flows: Vec<FlowLine>,
    pub vintage_flows: Vec<VintageFlow>,
    pub officers: BTreeMap<i64, String>,
    pub third_parties: Vec<ThirdPartyInput>,
    pub new_cases: i64,
    pub closures: Closures,
    pub largest: Vec<CaseSummary>,
    pub time_bars: Vec<TimeBar>,
    pub decisions: Vec<Decision>,
    pub policy: ProvisioningPolicy,
}

// ---------------------------------------------------------------------------------------------
// The pack

/// A line of the portfolio: cases and outstanding, now and at the previous month's end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortfolioLine {
    pub code: String,
    pub label: String,
    pub cases: i64,
    pub outstanding: Money,
    pub previous_cases: i64,
    pub previous_outstanding: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Portfolio {
    pub by_nature: Vec<PortfolioLine>,
    pub by_stage: Vec<PortfolioLine>,
    pub by_age: Vec<PortfolioLine>,
    pub by_officer: Vec<PortfolioLine>,
    pub total: PortfolioLine,
}

/// The movement of one ledger account over the month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountMovement {
    pub account: String,
    pub label: String,
    pub debits: Money,
    pub credits: Money,
    pub postings: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelAmount {
    pub channel: Channel,
    pub label: String,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flows {
    pub new_cases: i64,
    /// Claims transferred into litigation (opening entries).
    pub transferred: Money,
    pub closures: Closures,
    pub recovered_by_channel: Vec<ChannelAmount>,
    /// Money received on cases (bank receipts, net of returned payments).
    pub recovered: Money,
    /// Interest charged (contractual and statutory).
    pub interest_charged: Money,
    /// Costs charged to the debtors.
    pub costs_charged: Money,
    pub written_off: Money,
    pub waived: Money,
    /// Recoveries on written-off amounts.
    pub recoveries_after_write_off: Money,
    /// Every account's debits and credits (the reconciliation with the ledger).
    pub by_account: Vec<AccountMovement>,
}

/// Cumulative recovery rate of a vintage after 3, 6, 12 and 24 months (None: not reached yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VintageCurve {
    pub vintage: String,
    pub transferred: Money,
    pub recovered_to_date: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Option<String>>))]
    pub rates: [Option<Decimal>; 4],
}

/// The points of the vintage curves.
pub const VINTAGE_MONTHS: [i32; 4] = [3, 6, 12, 24];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThirdPartyLine {
    #[serde(flatten)]
    pub input: ThirdPartyInput,
    pub recovered_in_month: Money,
    /// Recovered ÷ (recovered + still owed on open placements).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rate: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProvisionLine {
    pub stage: String,
    pub stage_label: String,
    pub age_bucket: String,
    pub age_label: String,
    pub outstanding: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rate: Decimal,
    pub provision: Money,
    pub previous_outstanding: Money,
    pub previous_provision: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provisions {
    pub policy_version: String,
    pub policy_source: String,
    pub previous_policy_version: Option<String>,
    pub lines: Vec<ProvisionLine>,
    pub total: Money,
    pub previous_total: Money,
    /// Allowance added (positive) or released (negative) over the month.
    pub movement: Money,
}

/// The committee pack of a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitteePack {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-10"))]
    pub month: Month,
    pub month_label: String,
    /// The nightly snapshot the portfolio is read from (the month's last run).
    pub as_of: NaiveDate,
    pub previous_as_of: Option<NaiveDate>,
    pub portfolio: Portfolio,
    pub flows: Flows,
    pub vintages: Vec<VintageCurve>,
    pub third_parties: Vec<ThirdPartyLine>,
    pub provisions: Provisions,
    pub largest: Vec<CaseSummary>,
    pub time_bars: Vec<TimeBar>,
    pub decisions: Vec<Decision>,
}

fn nature_label(code: &str) -> String {
    ClaimNature::from_code(code).map(|nature| nature.label().to_string()).unwrap_or_else(|| code.to_string())
}

fn stage_label(code: &str) -> String {
    CaseStatus::from_code(code).map(|status| status.label().to_string()).unwrap_or_else(|| code.to_string())
}

fn age_label(code: &str) -> String {
    AgeBucket::from_code(code).map(|bucket| bucket.label().to_string()).unwrap_or_else(|| code.to_string())
}

fn rank_of_age(code: &str) -> usize {
    AgeBucket::ALL.iter().position(|bucket| bucket.code() == code).unwrap_or(usize::MAX)
}

fn rank_of_stage(code: &str) -> usize {
    CaseStatus::ALL.iter().position(|status| status.code() == code).unwrap_or(usize::MAX)
}

/// Groups both snapshots by a key; `order` sorts the keys.
fn group(
    now: &[SnapshotLine],
    before: &[SnapshotLine],
    key: impl Fn(&SnapshotLine) -> String,
    label: impl Fn(&str) -> String,
    order: impl Fn(&str) -> usize,
) -> Vec<PortfolioLine> {
    let mut lines: BTreeMap<String, PortfolioLine> = BTreeMap::new();
    for (snapshot, is_now) in [(now, true), (before, false)] {
        for line in snapshot {
            let code = key(line);
            let target = lines.entry(code.clone()).or_insert_with(|| PortfolioLine {
                label: label(&code),
                code,
                cases: 0,
                outstanding: Money::ZERO,
                previous_cases: 0,
                previous_outstanding: Money::ZERO,
            });
            if is_now {
                target.cases += line.cases;
                target.outstanding += line.outstanding;
            } else {
                target.previous_cases += line.cases;
                target.previous_outstanding += line.outstanding;
            }
        }
    }
    let mut lines: Vec<PortfolioLine> = lines.into_values().collect();
    lines.sort_by(|a, b| order(&a.code).cmp(&order(&b.code)).then_with(|| a.code.cmp(&b.code)));
    lines
}

/// Sums the flows matching `keep`.
fn sum_flows(flows: &[FlowLine], keep: impl Fn(&FlowLine) -> bool) -> Money {
    flows.iter().filter(|flow| keep(flow)).map(|flow| flow.amount).sum()
}

/// Money received on a case (not the suspense ledger's side).
fn is_case_receipt(flow: &FlowLine) -> bool {
    flow.account == Account::BankReceipts.code() && flow.channel != Channel::Suspense.code()
}

/// Computes the pack. Fails only when no provisioning policy covers a snapshot's date.
pub fn build(input: PackInput) -> Result<CommitteePack, CommitteeError> {
    let PackInput {
        month,
        as_of,
        snapshot,
        previous_as_of,
        previous_snapshot,
        flows,
        vintage_flows,
        officers,
        third_parties,
        new_cases,
        closures,
        largest,
        time_bars,
        decisions,
        policy,
    } = input;

    // Portfolio.
    let total = {
        let cases = snapshot.iter().map(|line| line.cases).sum();
        let previous_cases = previous_snapshot.iter().map(|line| line.cases).sum();
        PortfolioLine {
            code: "total".to_string(),
            label: "Total".to_string(),
            cases,
            outstanding: snapshot.iter().map(|line| line.outstanding).sum(),
            previous_cases,
            previous_outstanding: previous_snapshot.iter().map(|line| line.outstanding).sum(),
        }
    };
    let officer_label = |code: &str| match code.parse::<i64>() {
        Ok(0) | Err(_) => "Non attribué".to_string(),
        Ok(id) => officers.get(&id).cloned().unwrap_or_else(|| format!("Gestionnaire n° {id}")),
    };
    let mut by_officer = group(&snapshot, &previous_snapshot, |line| line.officer_id.to_string(), officer_label, |_| 0);
    by_officer.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.code.cmp(&b.code)));
    let portfolio = Portfolio {
        by_nature: group(
            &snapshot,
            &previous_snapshot,
            |line| line.main_nature.clone(),
            nature_label,
            |code| ClaimNature::ALL.iter().position(|nature| nature.code() == code).unwrap_or(usize::MAX),
        ),
        by_stage: group(&snapshot, &previous_snapshot, |line| line.status.clone(), stage_label, rank_of_stage),
        by_age: group(&snapshot, &previous_snapshot, |line| line.age_bucket.clone(), age_label, rank_of_age),
        by_officer,
        total,
    };

    // Flows.
    let mut by_account: BTreeMap<String, AccountMovement> = BTreeMap::new();
    for flow in &flows {
        let line = by_account.entry(flow.account.clone()).or_insert_with(|| AccountMovement {
            label: Account::from_code(&flow.account).map(Account::label).unwrap_or(&flow.account).to_string(),
            account: flow.account.clone(),
            debits: Money::ZERO,
            credits: Money::ZERO,
            postings: 0,
        });
        // Gross: every debit posting and every credit posting of the account (debits - credits is
        // the account's movement in the ledger).
        line.debits += flow.debits;
        line.credits += flow.credits;
        line.postings += flow.postings;
    }
    let mut by_account: Vec<AccountMovement> = by_account.into_values().collect();
    by_account.sort_by_key(|line| {
        Account::from_code(&line.account).and_then(|a| Account::ALL.iter().position(|b| *b == a)).unwrap_or(usize::MAX)
    });
    let recovered_by_channel: Vec<ChannelAmount> = Channel::RECOVERY
        .into_iter()
        .map(|channel| ChannelAmount {
            channel,
            label: channel.label().to_string(),
            amount: sum_flows(&flows, |flow| is_case_receipt(flow) && flow.channel == channel.code()),
        })
        .collect();
    let accrual = TransactionKind::Accrual.code();
    let flows_section = Flows {
        new_cases,
        transferred: -sum_flows(&flows, |flow| flow.account == Account::Transferred.code()),
        closures,
        recovered: sum_flows(&flows, is_case_receipt),
        recovered_by_channel,
        interest_charged: sum_flows(&flows, |flow| {
            flow.kind == accrual
                && (flow.account == Account::ContractualInterest.code()
                    || flow.account == Account::StatutoryInterest.code())
        }),
        costs_charged: sum_flows(&flows, |flow| flow.kind == accrual && flow.account == Account::Costs.code()),
        written_off: sum_flows(&flows, |flow| flow.account == Account::WrittenOff.code()),
        waived: sum_flows(&flows, |flow| flow.account == Account::Waived.code()),
        recoveries_after_write_off: -sum_flows(&flows, |flow| flow.account == Account::Recoveries.code()),
        by_account,
    };

    // Vintages: the cohorts of the last 36 months that transferred something.
    let mut cohorts: BTreeMap<String, (Money, BTreeMap<i32, Money>)> = BTreeMap::new();
    for flow in &vintage_flows {
        let (Ok(vintage), Ok(counted)) = (flow.vintage.parse::<Month>(), flow.month.parse::<Month>()) else { continue };
        if vintage.months_until(month) > 36 || vintage > month {
            continue;
        }
        let cohort = cohorts.entry(flow.vintage.clone()).or_default();
        cohort.0 += flow.opened;
        *cohort.1.entry(vintage.months_until(counted)).or_default() += flow.received;
    }
    let vintages = cohorts
        .into_iter()
        .filter(|(_, (opened, _))| opened.is_positive())
        .map(|(code, (opened, received))| {
            // Invariant: the keys of `cohorts` are vintages that parsed in the loop above.
            #[allow(clippy::expect_used)]
            let vintage: Month = code.parse().expect("parsed above");
            let age = vintage.months_until(month);
            let rates = VINTAGE_MONTHS.map(|after| {
                // After k months: what was received in the cohort's first k months.
                (age + 1 >= after).then(|| {
                    let got: Money = received.range(..after).map(|(_, amount)| *amount).sum();
                    rate(got, opened)
                })
            });
            VintageCurve {
                vintage: code,
                transferred: opened,
                recovered_to_date: received.values().copied().sum(),
                rates,
            }
        })
        .collect();

    // Agencies and bailiffs.
    let third_parties = third_parties
        .into_iter()
        .map(|party| {
            let recovered_in_month = sum_flows(&flows, |flow| is_case_receipt(flow) && flow.third_party_id == party.id);
            let to_date = party.recovered_to_date;
            ThirdPartyLine {
                rate: (to_date + party.outstanding).is_positive().then(|| rate(to_date, to_date + party.outstanding)),
                recovered_in_month,
                input: party,
            }
        })
        .collect();

    // Provisions, by stage and age bucket, each with the policy in force on its snapshot's date.
    let rates_now = policy.in_force(as_of)?;
    let rates_before = match previous_as_of {
        Some(date) => Some(policy.in_force(date)?),
        None => None,
    };
    let mut cells: BTreeMap<(usize, usize, String, String), (Money, Money)> = BTreeMap::new();
    for (snapshot, is_now) in [(&snapshot, true), (&previous_snapshot, false)] {
        for line in snapshot.iter() {
            let key = (
                rank_of_stage(&line.status),
                rank_of_age(&line.age_bucket),
                line.status.clone(),
                line.age_bucket.clone(),
            );
            let cell = cells.entry(key).or_default();
            if is_now {
                cell.0 += line.outstanding;
            } else {
                cell.1 += line.outstanding;
            }
        }
    }
    let lines: Vec<ProvisionLine> = cells
        .into_iter()
        .map(|((_, _, stage, bucket), (outstanding, previous_outstanding))| {
            let rate = rates_now.rate(&stage, &bucket);
            let previous_rate = rates_before.map(|rates| rates.rate(&stage, &bucket)).unwrap_or(Decimal::ZERO);
            ProvisionLine {
                stage_label: stage_label(&stage),
                age_label: age_label(&bucket),
                provision: provision(outstanding, rate),
                previous_provision: provision(previous_outstanding, previous_rate),
                stage,
                age_bucket: bucket,
                outstanding,
                rate,
                previous_outstanding,
            }
        })
        .collect();
    let total: Money = lines.iter().map(|line| line.provision).sum();
    let previous_total: Money = lines.iter().map(|line| line.previous_provision).sum();
    let provisions = Provisions {
        policy_version: rates_now.version.clone(),
        policy_source: rates_now.source.clone(),
        previous_policy_version: rates_before.map(|rates| rates.version.clone()),
        lines,
        total,
        previous_total,
        movement: total - previous_total,
    };

    Ok(CommitteePack {
        month,
        month_label: month.label(),
        as_of,
        previous_as_of,
        portfolio,
        flows: flows_section,
        vintages,
        third_parties,
        provisions,
        largest,
        time_bars,
        decisions,
    })
}

/// `part ÷ whole`, to four decimals (a rate, not money).
pub fn rate(part: Money, whole: Money) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    (Decimal::from(part.cents()) / Decimal::from(whole.cents())).round_dp(4)
}

// ---------------------------------------------------------------------------------------------
// The pack as tables, for every rendering (PDF, XLSX, CSV, HTML)

/// A cell of a pack table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Text(String),
    Count(i64),
    Money(Money),
    /// A rate (0.35 = 35 %); `None` when not available yet.
    Rate(Option<Decimal>),
    Date(NaiveDate),
}

impl Cell {
    /// Machine form (CSV): amounts `1234.56`, rates `0.3500`, dates ISO, empty when unknown.
    pub fn machine(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Count(count) => count.to_string(),
            Cell::Money(amount) => amount.to_plain_string(),
            Cell::Rate(Some(rate)) => rate.to_string(),
            Cell::Rate(None) => String::new(),
            Cell::Date(date) => date.to_string(),
        }
    }

    /// French form (PDF, screens): `1 234,56 €`, `35,0 %`, `31/10/2026`, `—` when unknown.
    pub fn french(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Count(count) => Money::from_cents(count * 100).to_french_number().trim_end_matches(",00").to_string(),
            Cell::Money(amount) => amount.to_french(),
            Cell::Rate(Some(rate)) => format!("{} %", (rate * Decimal::ONE_HUNDRED).round_dp(1)).replace('.', ","),
            Cell::Rate(None) => "—".to_string(),
            Cell::Date(date) => date.format("%d/%m/%Y").to_string(),
        }
    }
}

/// One table of the pack: a stable code, a French title, columns (code, French header), rows
/// whose first cell is the line's code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table {
    pub code: &'static str,
    pub title: String,
    /// (machine code, French header) of each column after the line code.
    pub columns: Vec<(&'static str, &'static str)>,
    /// (line code, cells matching `columns`).
    pub rows: Vec<(String, Vec<Cell>)>,
}

fn portfolio_table(code: &'static str, title: &str, lines: &[PortfolioLine], total: &PortfolioLine) -> Table {
    let row = |line: &PortfolioLine| {
        (
            line.code.clone(),
            vec![
                Cell::Text(line.label.clone()),
                Cell::Count(line.cases),
                Cell::Money(line.outstanding),
                Cell::Count(line.cases - line.previous_cases),
                Cell::Money(line.outstanding - line.previous_outstanding),
            ],
        )
    };
    let mut rows: Vec<_> = lines.iter().map(row).collect();
    rows.push(row(total));
    Table {
        code,
        title: title.to_string(),
        columns: vec![
            ("label", "Libellé"),
            ("cases", "Dossiers"),
            ("outstanding", "Encours"),
            ("cases_change", "Variation dossiers"),
            ("outstanding_change", "Variation encours"),
        ],
        rows,
    }
}

fn case_cells(case: &CaseSummary) -> Vec<Cell> {
    vec![
        Cell::Text(case.reference.clone()),
        Cell::Text(case.debtor.clone()),
        Cell::Text(nature_label(&case.main_nature)),
        Cell::Text(stage_label(&case.status)),
        Cell::Money(case.outstanding),
    ]
}

const CASE_COLUMNS: [(&str, &str); 5] = [
    ("reference", "Dossier"),
    ("debtor", "Débiteur"),
    ("nature", "Nature"),
    ("stage", "Étape"),
    ("outstanding", "Encours"),
];

/// Labels of the approval kinds the committee decides.
pub fn decision_label(kind: &str) -> &str {
    match kind {
        "write_off" => "Passage en pertes",
        "waiver" => "Remise (abandon partiel)",
        "plan" | "payment_plan" => "Échéancier hors délégation",
        "costs" => "Frais hors délégation",
        other => other,
    }
}

impl CommitteePack {
    /// Every table of the pack, in reading order.
    pub fn tables(&self) -> Vec<Table> {
        let p = &self.portfolio;
        let mut tables = vec![
            portfolio_table("portfolio_nature", "Portefeuille par nature de créance", &p.by_nature, &p.total),
            portfolio_table("portfolio_stage", "Portefeuille par étape", &p.by_stage, &p.total),
            portfolio_table("portfolio_age", "Portefeuille par ancienneté au contentieux", &p.by_age, &p.total),
            portfolio_table("portfolio_officer", "Portefeuille par gestionnaire", &p.by_officer, &p.total),
        ];
        let f = &self.flows;
        let money = |code: &str, label: &str, amount: Money| {
            (code.to_string(), vec![Cell::Text(label.to_string()), Cell::Money(amount)])
        };
        let count =
            |code: &str, label: &str, n: i64| (code.to_string(), vec![Cell::Text(label.to_string()), Cell::Count(n)]);
        tables.push(Table {
            code: "flows",
            title: "Flux du mois".to_string(),
            columns: vec![("label", "Libellé"), ("value", "Valeur")],
            rows: vec![
                count("new_cases", "Nouveaux dossiers", f.new_cases),
                money("transferred", "Créances transférées au contentieux", f.transferred),
                count("closed_repaid", "Dossiers clos : soldés par paiement", f.closures.repaid),
                count("closed_settled", "Dossiers clos : transaction ou remise", f.closures.settled),
                count("closed_written_off", "Dossiers clos : passés en pertes", f.closures.written_off),
                money("recovered", "Encaissements sur dossiers", f.recovered),
                money("interest_charged", "Intérêts imputés", f.interest_charged),
                money("costs_charged", "Frais imputés", f.costs_charged),
                money("written_off", "Passages en pertes", f.written_off),
                money("waived", "Remises accordées", f.waived),
                money(
                    "recoveries_after_write_off",
                    "Récupérations sur créances passées en pertes",
                    f.recoveries_after_write_off,
                ),
            ],
        });
        tables.push(Table {
            code: "recovered_by_channel",
            title: "Encaissements par canal".to_string(),
            columns: vec![("label", "Canal"), ("amount", "Montant")],
            rows: f
                .recovered_by_channel
                .iter()
                .map(|line| {
                    (line.channel.code().to_string(), vec![Cell::Text(line.label.clone()), Cell::Money(line.amount)])
                })
                .chain(std::iter::once((
                    "total".to_string(),
                    vec![Cell::Text("Total".to_string()), Cell::Money(f.recovered)],
                )))
                .collect(),
        });
        tables.push(Table {
            code: "ledger_movements",
            title: "Mouvements du grand livre par compte (rapprochement)".to_string(),
            columns: vec![("label", "Compte"), ("debits", "Débits"), ("credits", "Crédits"), ("postings", "Écritures")],
            rows: f
                .by_account
                .iter()
                .map(|line| {
                    (
                        line.account.clone(),
                        vec![
                            Cell::Text(line.label.clone()),
                            Cell::Money(line.debits),
                            Cell::Money(line.credits),
                            Cell::Count(line.postings),
                        ],
                    )
                })
                .collect(),
        });
        tables.push(Table {
            code: "vintages",
            title: "Taux de recouvrement cumulé par génération (mois d'entrée au contentieux)".to_string(),
            columns: vec![
                ("vintage", "Génération"),
                ("transferred", "Transféré"),
                ("recovered", "Recouvré à ce jour"),
                ("after_3m", "À 3 mois"),
                ("after_6m", "À 6 mois"),
                ("after_12m", "À 12 mois"),
                ("after_24m", "À 24 mois"),
            ],
            rows: self
                .vintages
                .iter()
                .map(|curve| {
                    let mut cells = vec![
                        Cell::Text(curve.vintage.clone()),
                        Cell::Money(curve.transferred),
                        Cell::Money(curve.recovered_to_date),
                    ];
                    cells.extend(curve.rates.iter().map(|rate| Cell::Rate(*rate)));
                    (curve.vintage.clone(), cells)
                })
                .collect(),
        });
        tables.push(Table {
            code: "third_parties",
            title: "Agences de recouvrement et commissaires de justice".to_string(),
            columns: vec![
                ("name", "Intervenant"),
                ("kind", "Type"),
                ("placed", "Dossiers confiés"),
                ("placed_in_month", "Dont ce mois"),
                ("recovered_in_month", "Recouvré ce mois"),
                ("recovered_to_date", "Recouvré cumulé"),
                ("rate", "Taux"),
                ("average_days", "Durée moyenne (j)"),
                ("costs", "Frais"),
            ],
            rows: self
                .third_parties
                .iter()
                .map(|line| {
                    let party = &line.input;
                    (
                        party.id.to_string(),
                        vec![
                            Cell::Text(party.name.clone()),
                            Cell::Text(
                                if party.kind == "agency" { "Agence" } else { "Commissaire de justice" }.to_string(),
                            ),
                            Cell::Count(party.placed),
                            Cell::Count(party.placed_in_month),
                            Cell::Money(line.recovered_in_month),
                            Cell::Money(party.recovered_to_date),
                            Cell::Rate(line.rate),
                            party.average_days.map(Cell::Count).unwrap_or(Cell::Text("—".to_string())),
                            Cell::Money(party.costs),
                        ],
                    )
                })
                .collect(),
        });
        let pr = &self.provisions;
        let mut provision_rows: Vec<(String, Vec<Cell>)> = pr
            .lines
            .iter()
            .map(|line| {
                (
                    format!("{}/{}", line.stage, line.age_bucket),
                    vec![
                        Cell::Text(line.stage_label.clone()),
                        Cell::Text(line.age_label.clone()),
                        Cell::Money(line.outstanding),
                        Cell::Rate(Some(line.rate)),
                        Cell::Money(line.provision),
                        Cell::Money(line.previous_provision),
                        Cell::Money(line.provision - line.previous_provision),
                    ],
                )
            })
            .collect();
        provision_rows.push((
            "total".to_string(),
            vec![
                Cell::Text("Total".to_string()),
                Cell::Text(String::new()),
                Cell::Money(self.portfolio.total.outstanding),
                Cell::Rate(Some(rate(pr.total, self.portfolio.total.outstanding))),
                Cell::Money(pr.total),
                Cell::Money(pr.previous_total),
                Cell::Money(pr.movement),
            ],
        ));
        tables.push(Table {
            code: "provisions",
            title: format!("Provisions (politique {} ; {})", pr.policy_version, pr.policy_source),
            columns: vec![
                ("stage", "Étape"),
                ("age", "Ancienneté"),
                ("outstanding", "Encours"),
                ("rate", "Taux"),
                ("provision", "Provision"),
                ("previous_provision", "Provision mois précédent"),
                ("movement", "Dotation (+) / reprise (−)"),
            ],
            rows: provision_rows,
        });
        tables.push(Table {
            code: "largest_exposures",
            title: "Plus gros encours".to_string(),
            columns: CASE_COLUMNS.to_vec(),
            rows: self.largest.iter().map(|case| (case.case_id.to_string(), case_cells(case))).collect(),
        });
        let mut bar_columns = CASE_COLUMNS.to_vec();
        bar_columns.extend([("deadline", "Délai"), ("due_on", "Échéance"), ("legal_basis", "Fondement")]);
        tables.push(Table {
            code: "time_bars",
            title: "Dossiers proches d'une forclusion, prescription ou caducité".to_string(),
            columns: bar_columns,
            rows: self
                .time_bars
                .iter()
                .map(|bar| {
                    let mut cells = case_cells(&bar.case);
                    cells.push(Cell::Text(bar.label.clone()));
                    cells.push(Cell::Date(bar.due_on));
                    cells.push(Cell::Text(bar.legal_basis.clone().unwrap_or_default()));
                    (bar.case.case_id.to_string(), cells)
                })
                .collect(),
        });
        let mut decision_columns = vec![("kind", "Décision demandée"), ("amount", "Montant")];
        decision_columns.extend(CASE_COLUMNS);
        decision_columns.extend([("reason", "Motif"), ("requested_by", "Demandée par"), ("requested_on", "Le")]);
        tables.push(Table {
            code: "decisions",
            title: "Décisions soumises au comité".to_string(),
            columns: decision_columns,
            rows: self
                .decisions
                .iter()
                .map(|decision| {
                    let mut cells =
                        vec![Cell::Text(decision_label(&decision.kind).to_string()), Cell::Money(decision.amount)];
                    cells.extend(case_cells(&decision.case));
                    cells.push(Cell::Text(decision.reason.clone()));
                    cells.push(Cell::Text(decision.requested_by.clone()));
                    cells.push(Cell::Date(decision.requested_on));
                    (decision.approval_id.to_string(), cells)
                })
                .collect(),
        });
        tables
    }

    /// The pack as CSV (docs/formats/committee-pack-csv.md): one line per figure,
    /// `month;section;line;measure;value`, values in machine form, text cells through
    /// [`csv_cell::text`] (none read as a formula by a spreadsheet).
    // Invariant: the writer writes to a `Vec` in memory, which cannot fail, and the bytes it
    // writes are the UTF-8 of our strings, separators and quotes.
    #[allow(clippy::expect_used)]
    pub fn to_csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
        let month = self.month.code();
        writer.write_record(["month", "section", "line", "measure", "value"]).expect("in memory");
        writer.write_record([month.as_str(), "pack", "as_of", "date", &self.as_of.to_string()]).expect("in memory");
        for table in self.tables() {
            for (line, cells) in &table.rows {
                for ((measure, _), cell) in table.columns.iter().zip(cells) {
                    // Names and labels (a debtor's name) are text an outsider may choose:
                    // neutralised; amounts, counts, rates and dates stay numbers.
                    let value = match cell {
                        Cell::Text(text) => csv_cell::text(text).into_owned(),
                        other => other.machine(),
                    };
                    writer
                        .write_record([month.as_str(), table.code, &csv_cell::text(line), measure, &value])
                        .expect("in memory");
                }
            }
        }
        String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn line(status: &str, bucket: &str, officer_id: i64, cases: i64, euros: i64) -> SnapshotLine {
        SnapshotLine {
            main_nature: "personal_loan".to_string(),
            status: status.to_string(),
            age_bucket: bucket.to_string(),
            officer_id,
            cases,
            outstanding: Money::euros(euros),
            interest: Money::ZERO,
        }
    }

    fn flow(kind: &str, account: &str, channel: &str, vintage: &str, cents: i64) -> FlowLine {
        FlowLine {
            kind: kind.to_string(),
            account: account.to_string(),
            channel: channel.to_string(),
            vintage: vintage.to_string(),
            third_party_id: 0,
            postings: 1,
            amount: Money::from_cents(cents),
            debits: Money::from_cents(cents.max(0)),
            credits: Money::from_cents((-cents).max(0)),
        }
    }

    fn input() -> PackInput {
        PackInput {
            month: Month::new(2026, 10).unwrap(),
            as_of: date("2026-10-31"),
            snapshot: vec![line("amicable", "0-3m", 1, 2, 1_000), line("judicial", "1-2y", 0, 1, 333)],
            previous_as_of: Some(date("2026-09-30")),
            previous_snapshot: vec![line("amicable", "0-3m", 1, 1, 400)],
            flows: vec![
                flow("payment", "bank_receipts", "plan", "2026-08", 12_345),
                flow("payment", "principal", "plan", "2026-08", -12_345),
                flow("suspense_in", "bank_receipts", "suspense", "", 500),
                flow("write_off", "written_off", "bailiff", "2025-01", 7_000),
            ],
            vintage_flows: vec![
                VintageFlow {
                    vintage: "2026-08".into(),
                    month: "2026-08".into(),
                    received: Money::ZERO,
                    opened: Money::euros(1_000),
                },
                VintageFlow {
                    vintage: "2026-08".into(),
                    month: "2026-10".into(),
                    received: Money::euros(100),
                    opened: Money::ZERO,
                },
            ],
            officers: BTreeMap::from([(1, "Alice Martin".to_string())]),
            third_parties: vec![],
            new_cases: 1,
            closures: Closures::default(),
            largest: vec![],
            time_bars: vec![],
            decisions: vec![],
            policy: ProvisioningPolicy::embedded(),
        }
    }

    #[test]
    fn account_movements_are_gross_debits_and_credits() {
        let mut input = input();
        // A payment and its reversal on the same account, in one flow line: 120 € in, 20 € back.
        input.flows.push(FlowLine {
            debits: Money::euros(120),
            credits: Money::euros(20),
            amount: Money::euros(100),
            postings: 2,
            ..flow("payment", "costs", "plan", "2026-08", 0)
        });
        input.flows.push(flow("payment", "costs", "plan", "2026-08", -3_000));
        let pack = build(input).unwrap();
        let costs = pack.flows.by_account.iter().find(|line| line.account == "costs").unwrap();
        assert_eq!((costs.debits, costs.credits, costs.postings), (Money::euros(120), Money::euros(50), 3));
        let receipts = pack.flows.by_account.iter().find(|line| line.account == "bank_receipts").unwrap();
        assert_eq!((receipts.debits, receipts.credits), (Money::from_cents(12_845), Money::ZERO));
    }

    /// Issue 22, finding 4: a debtor's name reached the committee CSV as a live formula.
    #[test]
    fn a_debtor_name_is_no_formula_in_the_csv_and_amounts_stay_numbers() {
        let mut input = input();
        input.largest = vec![CaseSummary {
            case_id: 7,
            reference: "CTX-0000007".into(),
            debtor: r#"=HYPERLINK("http://x")"#.into(),
            main_nature: "personal_loan".into(),
            status: "amicable".into(),
            opened_on: date("2026-01-05"),
            officer: None,
            outstanding: Money::from_cents(-1_250),
        }];
        let csv = build(input).unwrap().to_csv();
        // The csv writer quotes the cell (it holds `"`); inside, the `'` comes first.
        assert!(csv.contains(r#";debtor;"'=HYPERLINK(""http://x"")""#), "{csv}");
        assert!(!csv.contains(r#";"=HYPERLINK"#) && !csv.contains(";=HYPERLINK"), "{csv}");
        assert!(csv.contains(";7;outstanding;-12.50\n"), "a negative amount stays a number: {csv}");
    }

    #[test]
    fn months_parse_and_move() {
        let month: Month = "2026-10".parse().unwrap();
        assert_eq!(month.last_day(), date("2026-10-31"));
        assert_eq!(month.plus(3).code(), "2027-01");
        assert_eq!(month.plus(-10).code(), "2025-12");
        assert_eq!(month.label(), "octobre 2026");
        assert!("2026-13".parse::<Month>().is_err());
        assert!("26-10".parse::<Month>().is_err());
    }

    #[test]
    fn channels_follow_the_open_procedure_then_the_status() {
        assert_eq!(Channel::of(Some("amicable"), Some("agency")), Channel::Agency);
        assert_eq!(Channel::of(Some("judicial"), Some("guarantor_call")), Channel::Guarantor);
        assert_eq!(Channel::of(Some("payment_plan"), None), Channel::Plan);
        assert_eq!(Channel::of(Some("enforcement"), None), Channel::Bailiff);
        assert_eq!(Channel::of(None, None), Channel::Suspense);
    }

    #[test]
    fn the_embedded_policy_is_valid_and_a_date_before_it_is_refused() {
        let policy = ProvisioningPolicy::embedded();
        assert!(policy.in_force(date("2026-10-31")).is_ok());
        assert_eq!(policy.in_force(date("2019-12-31")), Err(CommitteeError::NoPolicyInForce(date("2019-12-31"))));
        let broken = ProvisioningPolicy::embedded_text().replace("\"5y+\" = \"0.75\"", "\"5y+\" = \"1.5\"");
        assert!(matches!(ProvisioningPolicy::from_toml(&broken), Err(CommitteeError::PolicyInvalid { .. })));
        let missing = ProvisioningPolicy::embedded_text().replace("estate       =", "# estate =");
        assert!(ProvisioningPolicy::from_toml(&missing).unwrap_err().to_string().contains("estate"));
    }

    #[test]
    fn provisions_round_half_away_from_zero() {
        assert_eq!(provision(Money::from_cents(333), "0.5".parse().unwrap()), Money::from_cents(167));
        assert_eq!(provision(Money::euros(1000), "0.35".parse().unwrap()), Money::euros(350));
    }

    #[test]
    fn the_pack_sums_snapshots_and_flows() {
        let pack = build(input()).unwrap();
        assert_eq!(pack.portfolio.total.cases, 3);
        assert_eq!(pack.portfolio.total.outstanding, Money::euros(1_333));
        assert_eq!(pack.portfolio.total.previous_outstanding, Money::euros(400));
        assert_eq!(pack.portfolio.by_officer[0].label, "Alice Martin");
        assert_eq!(pack.flows.recovered, Money::from_cents(12_345), "suspense is not a recovery on a case");
        let plan = pack.flows.recovered_by_channel.iter().find(|line| line.channel == Channel::Plan).unwrap();
        assert_eq!(plan.amount, Money::from_cents(12_345));
        assert_eq!(pack.flows.written_off, Money::euros(70));
        // amicable 0-3m: 20 % of 1 000 €; judicial 1-2y: 75 % of 333 €.
        assert_eq!(pack.provisions.total, Money::euros(200) + Money::from_cents(24_975));
        assert_eq!(pack.provisions.previous_total, Money::euros(80));
        assert_eq!(pack.provisions.movement, pack.provisions.total - Money::euros(80));
        // The August vintage after 3 months (Aug, Sep, Oct): 100 € of 1 000 €.
        let curve = &pack.vintages[0];
        assert_eq!(curve.vintage, "2026-08");
        assert_eq!(curve.rates[0], Some("0.1".parse().unwrap()));
        assert_eq!(curve.rates[1], None, "six months not reached yet");
        let csv = pack.to_csv();
        assert!(csv.starts_with("month;section;line;measure;value\n2026-10;pack;as_of;date;2026-10-31\n"));
        assert!(csv.contains("2026-10;flows;recovered;value;123.45\n"));
        assert!(csv.contains("2026-10;provisions;total;provision;449.75\n"));
    }
}
