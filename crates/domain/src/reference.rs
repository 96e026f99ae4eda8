//! Reference data: the figures the law delegates to arrêtés and décrets.
//!
//! Statutory interest rates per semester (CMF L313-2), wage-garnishment bands per year (Code du
//! travail R3252-2, R3252-3), the unseizable bank balance (CPCE L162-2, R162-2) and the caps of the
//! indemnities owed by a defaulting borrower (C. consom. D312-16, D312-17, R313-28). The defaults
//! live in `crates/domain/data/*.toml`, embedded in the binary; each value carries its effective
//! dates and its source. An administrator adds a new semester's rate or a new year's bands at run
//! time (the storage layer persists them as JSON and merges them with [`ReferenceData::insert_statutory_rate`]
//! and friends). A date the data does not cover is an error, never a guess: the old value is not
//! silently reused.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Money;

const RATES_TOML: &str = include_str!("../data/statutory_interest_rates.toml");
const WAGE_BANDS_TOML: &str = include_str!("../data/wage_garnishment_bands.toml");
const UNSEIZABLE_TOML: &str = include_str!("../data/unseizable_balance.toml");
const INDEMNITY_TOML: &str = include_str!("../data/indemnity_caps.toml");

/// Number of bands with a fraction below "everything" in Code du travail R3252-2.
pub const WAGE_BAND_COUNT: usize = 6;

/// Formats a date the way an officer reads it in a message: `15/04/2026`.
pub(crate) fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Errors of the reference data: a period not covered, or an entry refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("taux de l'intérêt légal du {semester} absent des données de référence: un administrateur doit le saisir")]
    MissingStatutoryRate { semester: Semester },
    #[error("barème de saisie des rémunérations de l'année {year} absent des données de référence: un administrateur doit saisir les plafonds du décret de cette année")]
    MissingWageBands { year: i32 },
    #[error("solde bancaire insaisissable (SBI) en vigueur le {} absent des données de référence: un administrateur doit saisir le montant du RSA pour une personne seule à cette date", french_date(*.on))]
    MissingUnseizableBalance { on: NaiveDate },
    #[error("plafond d'indemnité « {kind} » en vigueur le {} absent des données de référence: un administrateur doit le saisir", french_date(*.on))]
    MissingIndemnityCap { kind: IndemnityKind, on: NaiveDate },
    #[error("{entry} existe déjà dans les données de référence: pour corriger la valeur, demander explicitement son remplacement")]
    Duplicate { entry: String },
    #[error("{entry} refusé: {reason}")]
    Invalid { entry: String, reason: String },
}

/// A civil semester: the period for which a statutory interest rate is fixed (CMF L313-2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Semester {
    pub year: i32,
    /// 1 (January–June) or 2 (July–December).
    pub half: u8,
}

impl Semester {
    /// Builds a semester, `half` being 1 or 2.
    pub fn new(year: i32, half: u8) -> Option<Semester> {
        matches!(half, 1 | 2).then_some(Semester { year, half })
    }

    /// The semester a day belongs to.
    pub fn of(date: NaiveDate) -> Semester {
        Semester { year: date.year(), half: if date.month() <= 6 { 1 } else { 2 } }
    }

    /// First day of the semester (1 January or 1 July).
    // Invariant: 1 January and 1 July exist in every year chrono represents.
    #[allow(clippy::expect_used)]
    pub fn first_day(self) -> NaiveDate {
        let month = if self.half == 1 { 1 } else { 7 };
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("1 January / 1 July exist")
    }

    /// The semester that follows.
    pub fn next(self) -> Semester {
        if self.half == 1 {
            Semester { year: self.year, half: 2 }
        } else {
            Semester { year: self.year + 1, half: 1 }
        }
    }

    /// Machine form `2026-1`, used in data files and JSON.
    pub fn code(self) -> String {
        format!("{}-{}", self.year, self.half)
    }
}

/// French form: `1er semestre 2026`, `2e semestre 2026`.
impl fmt::Display for Semester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ordinal = if self.half == 1 { "1er" } else { "2e" };
        write!(f, "{ordinal} semestre {}", self.year)
    }
}

impl FromStr for Semester {
    type Err = String;

    /// Parses the machine form `2026-1`.
    fn from_str(text: &str) -> Result<Semester, String> {
        let invalid = || format!("« {text} » n'est pas un semestre (attendu par exemple 2026-1 ou 2026-2)");
        let (year, half) = text.trim().split_once('-').ok_or_else(invalid)?;
        let year: i32 = year.parse().map_err(|_| invalid())?;
        let half: u8 = half.parse().map_err(|_| invalid())?;
        Semester::new(year, half).ok_or_else(invalid)
    }
}

impl Serialize for Semester {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Semester {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Semester, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Which series of the statutory rate applies (CMF L313-2).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreditorCategory {
    /// All cases other than an individual creditor: the bank's usual case.
    #[default]
    Other,
    /// Creditor an individual not acting for professional needs.
    Individual,
}

/// The two statutory interest rates of a semester, in % per year (CMF L313-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// A typo in an administrator's entry (`untill`) must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct StatutoryRate {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-1"))]
    pub semester: Semester,
    /// Creditor an individual not acting for professional needs.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "6.67"))]
    pub individual: Decimal,
    /// All other cases (the bank's usual case).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2.62"))]
    pub other: Decimal,
    /// Arrêté fixing the rates.
    pub source: String,
}

impl StatutoryRate {
    /// The rate of a creditor category, in % per year.
    pub fn for_category(&self, category: CreditorCategory) -> Decimal {
        match category {
            CreditorCategory::Individual => self.individual,
            CreditorCategory::Other => self.other,
        }
    }
}

/// A year's wage-garnishment band ceilings (Code du travail R3252-2, R3252-3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// A typo in an administrator's entry (`untill`) must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct WageBands {
    pub year: i32,
    /// Annual ceilings of the six bands (1/20, 1/10, 1/5, 1/4, 1/3, 2/3), increasing.
    pub ceilings: [Money; WAGE_BAND_COUNT],
    /// Amount each ceiling rises by per dependant (R3252-3).
    pub per_dependant: Money,
    /// Decree fixing the ceilings.
    pub source: String,
}

/// The unseizable bank balance (SBI) from a date (CPCE L162-2, R162-2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// A typo in an administrator's entry (`untill`) must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct UnseizableBalance {
    pub from: NaiveDate,
    pub amount: Money,
    pub source: String,
}

/// The SBI in force on a date, with the validity the data gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnseizableBalanceInForce {
    pub amount: Money,
    pub from: NaiveDate,
    /// Last day of validity (included).
    pub until: NaiveDate,
    pub source: String,
}

/// Which indemnity a cap limits.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IndemnityKind {
    /// Consumer credit, repayment demanded at once: % of capital outstanding (D312-16).
    ConsumerCreditCapital,
    /// Consumer credit, repayment not demanded at once: % of unpaid instalments (D312-17).
    ConsumerCreditUnpaidInstalments,
    /// Consumer credit, instalments postponed: % of unpaid instalments (D312-17).
    ConsumerCreditUnpaidInstalmentsPostponed,
    /// Mortgage credit: % of capital outstanding plus interest due (R313-28, number UNVERIFIED).
    Mortgage,
}

impl fmt::Display for IndemnityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IndemnityKind::ConsumerCreditCapital => "crédit à la consommation, capital restant dû",
            IndemnityKind::ConsumerCreditUnpaidInstalments => "crédit à la consommation, échéances impayées",
            IndemnityKind::ConsumerCreditUnpaidInstalmentsPostponed => "crédit à la consommation, échéances reportées",
            IndemnityKind::Mortgage => "crédit immobilier",
        })
    }
}

/// A cap on an indemnity, in % of its base.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// A typo in an administrator's entry (`untill`) must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct IndemnityCap {
    pub kind: IndemnityKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "8"))]
    pub percent: Decimal,
    pub from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// What the percentage applies to, in words.
    pub base: String,
    pub source: String,
}

/// What to do when an entry already exists for the same period.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OnConflict {
    /// Refuse: the administrator must say explicitly that the value is a correction.
    Reject,
    /// Replace the existing value (an explicit, journaled correction).
    Replace,
}

/// All the reference data the calculators need. A plain value: built from the embedded files,
/// then extended by the administrator-entered values the storage layer holds.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ReferenceData {
    statutory_rates: BTreeMap<Semester, StatutoryRate>,
    wage_bands: BTreeMap<i32, WageBands>,
    unseizable_balances: BTreeMap<NaiveDate, UnseizableBalance>,
    indemnity_caps: Vec<IndemnityCap>,
}

#[derive(Deserialize)]
struct RatesFile {
    rate: Vec<StatutoryRate>,
}

#[derive(Deserialize)]
struct WageBandsFile {
    bands: Vec<WageBands>,
}

#[derive(Deserialize)]
struct UnseizableFile {
    balance: Vec<UnseizableBalance>,
}

#[derive(Deserialize)]
struct IndemnityFile {
    cap: Vec<IndemnityCap>,
}

fn invalid(entry: impl Into<String>, reason: impl Into<String>) -> ReferenceError {
    ReferenceError::Invalid { entry: entry.into(), reason: reason.into() }
}

fn check_source(entry: &str, source: &str) -> Result<(), ReferenceError> {
    if source.trim().is_empty() {
        return Err(invalid(entry, "indiquer la source (arrêté, décret ou article)"));
    }
    Ok(())
}

impl ReferenceData {
    /// No data at all (tests, or a storage layer that loads everything itself).
    pub fn empty() -> ReferenceData {
        ReferenceData::default()
    }

    /// The defaults embedded in the binary (`crates/domain/data/*.toml`).
    ///
    /// Panics only if the embedded files are malformed, which the tests of this module rule out.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> ReferenceData {
        let mut data = ReferenceData::empty();
        let rates: RatesFile = toml::from_str(RATES_TOML).expect("embedded statutory rates parse");
        for rate in rates.rate {
            data.insert_statutory_rate(rate, OnConflict::Reject).expect("embedded statutory rates are valid");
        }
        let bands: WageBandsFile = toml::from_str(WAGE_BANDS_TOML).expect("embedded wage bands parse");
        for year in bands.bands {
            data.insert_wage_bands(year, OnConflict::Reject).expect("embedded wage bands are valid");
        }
        let balances: UnseizableFile = toml::from_str(UNSEIZABLE_TOML).expect("embedded unseizable balances parse");
        for balance in balances.balance {
            data.insert_unseizable_balance(balance, OnConflict::Reject)
                .expect("embedded unseizable balances are valid");
        }
        let caps: IndemnityFile = toml::from_str(INDEMNITY_TOML).expect("embedded caps parse");
        for cap in caps.cap {
            data.insert_indemnity_cap(cap, OnConflict::Reject).expect("embedded indemnity caps are valid");
        }
        data
    }

    // --- Statutory interest rates (CMF L313-2) ---

    /// Adds a semester's statutory rates (CMF L313-2); refuses an existing semester.
    pub fn add_statutory_rate(
        &mut self,
        semester: Semester,
        individual: Decimal,
        other: Decimal,
        source: impl Into<String>,
    ) -> Result<(), ReferenceError> {
        let rate = StatutoryRate { semester, individual, other, source: source.into() };
        self.insert_statutory_rate(rate, OnConflict::Reject)
    }

    /// Adds or, with [`OnConflict::Replace`], corrects a semester's statutory rates (CMF L313-2).
    pub fn insert_statutory_rate(
        &mut self,
        rate: StatutoryRate,
        on_conflict: OnConflict,
    ) -> Result<(), ReferenceError> {
        let entry = format!("taux de l'intérêt légal du {}", rate.semester);
        if !matches!(rate.semester.half, 1 | 2) {
            return Err(invalid(entry, "le semestre doit être 1 ou 2"));
        }
        for value in [rate.individual, rate.other] {
            if value.is_sign_negative() || value >= Decimal::ONE_HUNDRED {
                return Err(invalid(entry, format!("{value} % n'est pas un taux plausible")));
            }
        }
        check_source(&entry, &rate.source)?;
        if on_conflict == OnConflict::Reject && self.statutory_rates.contains_key(&rate.semester) {
            return Err(ReferenceError::Duplicate { entry });
        }
        self.statutory_rates.insert(rate.semester, rate);
        Ok(())
    }

    /// The rates of a semester, or an error naming the missing semester.
    pub fn statutory_rate(&self, semester: Semester) -> Result<&StatutoryRate, ReferenceError> {
        self.statutory_rates.get(&semester).ok_or(ReferenceError::MissingStatutoryRate { semester })
    }

    /// All known semesters' rates, oldest first.
    pub fn statutory_rates(&self) -> impl DoubleEndedIterator<Item = &StatutoryRate> {
        self.statutory_rates.values()
    }

    /// First day after the newest known semester (CMF L313-2): interest can be computed up to
    /// this day (excluded); the days from it on wait for the administrator to enter the rate.
    pub fn statutory_rates_known_until(&self) -> Option<NaiveDate> {
        self.statutory_rates.keys().next_back().map(|semester| semester.next().first_day())
    }

    // --- Wage garnishment bands (Code du travail R3252-2, R3252-3) ---

    /// Adds a year's band ceilings (C. trav. R3252-2, R3252-3); refuses an existing year.
    pub fn add_wage_bands(
        &mut self,
        year: i32,
        ceilings: [Money; WAGE_BAND_COUNT],
        per_dependant: Money,
        source: impl Into<String>,
    ) -> Result<(), ReferenceError> {
        let bands = WageBands { year, ceilings, per_dependant, source: source.into() };
        self.insert_wage_bands(bands, OnConflict::Reject)
    }

    /// Adds or, with [`OnConflict::Replace`], corrects a year's band ceilings (R3252-2, R3252-3).
    pub fn insert_wage_bands(&mut self, bands: WageBands, on_conflict: OnConflict) -> Result<(), ReferenceError> {
        let entry = format!("barème de saisie des rémunérations {}", bands.year);
        if !bands.ceilings[0].is_positive() {
            return Err(invalid(entry, "les plafonds doivent être positifs"));
        }
        if bands.ceilings.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(invalid(entry, "les plafonds doivent être strictement croissants"));
        }
        if bands.per_dependant.is_negative() {
            return Err(invalid(entry, "la majoration par personne à charge ne peut être négative"));
        }
        check_source(&entry, &bands.source)?;
        if on_conflict == OnConflict::Reject && self.wage_bands.contains_key(&bands.year) {
            return Err(ReferenceError::Duplicate { entry });
        }
        self.wage_bands.insert(bands.year, bands);
        Ok(())
    }

    /// The band ceilings of a civil year, or an error naming the missing year.
    pub fn wage_bands(&self, year: i32) -> Result<&WageBands, ReferenceError> {
        self.wage_bands.get(&year).ok_or(ReferenceError::MissingWageBands { year })
    }

    /// All known years' bands, oldest first.
    pub fn all_wage_bands(&self) -> impl DoubleEndedIterator<Item = &WageBands> {
        self.wage_bands.values()
    }

    // --- Unseizable bank balance (CPCE L162-2, R162-2) ---

    /// Adds the SBI in force from a date (CPCE R162-2); refuses an existing date.
    ///
    /// The RSA it equals is revalued every 1 April (CASF L262-3), so a value is valid until the day
    /// before the next value and at the latest until the 31 March that follows its date.
    pub fn add_unseizable_balance(
        &mut self,
        from: NaiveDate,
        amount: Money,
        source: impl Into<String>,
    ) -> Result<(), ReferenceError> {
        let balance = UnseizableBalance { from, amount, source: source.into() };
        self.insert_unseizable_balance(balance, OnConflict::Reject)
    }

    /// Adds or, with [`OnConflict::Replace`], corrects the SBI from a date (CPCE R162-2).
    pub fn insert_unseizable_balance(
        &mut self,
        balance: UnseizableBalance,
        on_conflict: OnConflict,
    ) -> Result<(), ReferenceError> {
        let entry = format!("solde bancaire insaisissable au {}", french_date(balance.from));
        if !balance.amount.is_positive() {
            return Err(invalid(entry, "le montant doit être positif"));
        }
        check_source(&entry, &balance.source)?;
        if on_conflict == OnConflict::Reject && self.unseizable_balances.contains_key(&balance.from) {
            return Err(ReferenceError::Duplicate { entry });
        }
        self.unseizable_balances.insert(balance.from, balance);
        Ok(())
    }

    /// The SBI in force on a date (CPCE L162-2, R162-2), or an error when no value covers it.
    pub fn unseizable_balance_on(&self, on: NaiveDate) -> Result<UnseizableBalanceInForce, ReferenceError> {
        let missing = ReferenceError::MissingUnseizableBalance { on };
        let (_, balance) = self.unseizable_balances.range(..=on).next_back().ok_or(missing.clone())?;
        let until = self.unseizable_balance_until(balance.from);
        if on > until {
            return Err(missing);
        }
        Ok(UnseizableBalanceInForce {
            amount: balance.amount,
            from: balance.from,
            until,
            source: balance.source.clone(),
        })
    }

    /// Last day a value starting on `from` is valid: the day before the next value, and at the
    /// latest the day before the next 1 April (annual RSA revaluation, CASF L262-3).
    // Invariant: 1 April exists in every year chrono represents, and has a day before it.
    #[allow(clippy::expect_used)]
    fn unseizable_balance_until(&self, from: NaiveDate) -> NaiveDate {
        let april_this_year = NaiveDate::from_ymd_opt(from.year(), 4, 1).expect("1 April exists");
        let next_april = if from < april_this_year {
            april_this_year
        } else {
            NaiveDate::from_ymd_opt(from.year() + 1, 4, 1).expect("1 April exists")
        };
        let next_value =
            self.unseizable_balances.range(from.succ_opt().unwrap_or(from)..).next().map(|(date, _)| *date);
        let end = next_value.map_or(next_april, |next| next.min(next_april));
        end.pred_opt().expect("a day before 1 April exists")
    }

    /// All known SBI values, oldest first.
    pub fn unseizable_balances(&self) -> impl DoubleEndedIterator<Item = &UnseizableBalance> {
        self.unseizable_balances.values()
    }

    // --- Indemnity caps (C. consom. D312-16, D312-17, R313-28) ---

    /// Adds or, with [`OnConflict::Replace`], corrects an indemnity cap. Periods of the same kind
    /// must not overlap unless replacing (which drops the overlapping ones).
    pub fn insert_indemnity_cap(&mut self, cap: IndemnityCap, on_conflict: OnConflict) -> Result<(), ReferenceError> {
        let entry = format!("plafond d'indemnité « {} » au {}", cap.kind, french_date(cap.from));
        if cap.percent.is_sign_negative() || cap.percent > Decimal::ONE_HUNDRED {
            return Err(invalid(entry, format!("{} % n'est pas un plafond plausible", cap.percent)));
        }
        if cap.until.is_some_and(|until| until < cap.from) {
            return Err(invalid(entry, "la fin de validité précède le début"));
        }
        check_source(&entry, &cap.source)?;
        let overlaps = |other: &IndemnityCap| {
            other.kind == cap.kind
                && other.until.is_none_or(|until| until >= cap.from)
                && cap.until.is_none_or(|until| until >= other.from)
        };
        if self.indemnity_caps.iter().any(overlaps) {
            if on_conflict == OnConflict::Reject {
                return Err(ReferenceError::Duplicate { entry });
            }
            self.indemnity_caps.retain(|other| !overlaps(other));
        }
        self.indemnity_caps.push(cap);
        Ok(())
    }

    /// The cap of a kind of indemnity in force on a date.
    pub fn indemnity_cap(&self, kind: IndemnityKind, on: NaiveDate) -> Result<&IndemnityCap, ReferenceError> {
        self.indemnity_caps
            .iter()
            .find(|cap| cap.kind == kind && cap.from <= on && cap.until.is_none_or(|until| on <= until))
            .ok_or(ReferenceError::MissingIndemnityCap { kind, on })
    }

    /// All known indemnity caps.
    pub fn indemnity_caps(&self) -> impl Iterator<Item = &IndemnityCap> {
        self.indemnity_caps.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn embedded_data_parses_and_holds_the_brief_figures() {
        let data = ReferenceData::embedded();
        // brief.md §3.4 table: 23 semesters, 2015-1 to 2026-1 inclusive.
        assert_eq!(data.statutory_rates().count(), 23);
        let rate = data.statutory_rate(Semester::new(2025, 1).unwrap()).unwrap();
        assert_eq!((rate.individual, rate.other), (dec!(7.21), dec!(3.71)));
        let rate = data.statutory_rate(Semester::new(2015, 1).unwrap()).unwrap();
        assert_eq!((rate.individual, rate.other), (dec!(4.06), dec!(0.93)));
        let rate = data.statutory_rate(Semester::new(2026, 1).unwrap()).unwrap();
        assert_eq!((rate.individual, rate.other), (dec!(6.67), dec!(2.62)));
        assert!(rate.source.contains("15 décembre 2025"));
        // Contiguous series: no semester is missing between the first and the last.
        let semesters: Vec<Semester> = data.statutory_rates().map(|r| r.semester).collect();
        assert!(semesters.windows(2).all(|pair| pair[0].next() == pair[1]));

        let bands = data.wage_bands(2025).unwrap();
        assert_eq!(bands.ceilings[0], Money::euros(4_440));
        assert_eq!(bands.ceilings[5], Money::euros(25_600));
        assert_eq!(bands.per_dependant, Money::euros(1_720));
        assert!(bands.source.contains("2024-1231"));
        assert_eq!(data.all_wage_bands().count(), 4);
        assert_eq!(data.unseizable_balances().count(), 4);
        assert_eq!(data.indemnity_caps().count(), 4);
    }

    #[test]
    fn the_second_semester_2026_is_missing_and_the_message_says_who_must_act() {
        let data = ReferenceData::embedded();
        let error = data.statutory_rate(Semester::new(2026, 2).unwrap()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "taux de l'intérêt légal du 2e semestre 2026 absent des données de référence: un administrateur doit le saisir"
        );
        assert_eq!(data.statutory_rates_known_until(), Some(date("2026-07-01")));
        assert_eq!(ReferenceData::empty().statutory_rates_known_until(), None);
    }

    #[test]
    fn unseizable_balance_by_date_and_no_value_after_march_2026() {
        let data = ReferenceData::embedded();
        let on = |text| data.unseizable_balance_on(date(text)).map(|b| b.amount);
        assert_eq!(on("2022-07-01"), Ok(Money::from_cents(59_854)));
        assert_eq!(on("2023-03-31"), Ok(Money::from_cents(59_854)));
        assert_eq!(on("2023-04-01"), Ok(Money::from_cents(60_775)));
        assert_eq!(on("2024-04-01"), Ok(Money::from_cents(63_571)));
        assert_eq!(on("2025-06-01"), Ok(Money::from_cents(64_652)));
        assert_eq!(on("2026-03-31"), Ok(Money::from_cents(64_652)));
        assert_eq!(on("2026-04-01"), Err(ReferenceError::MissingUnseizableBalance { on: date("2026-04-01") }));
        assert!(on("2022-06-30").is_err());
        let in_force = data.unseizable_balance_on(date("2025-06-01")).unwrap();
        assert_eq!((in_force.from, in_force.until), (date("2025-04-01"), date("2026-03-31")));
    }

    #[test]
    fn an_administrator_adds_a_value_and_the_gap_closes() {
        let mut data = ReferenceData::embedded();
        data.add_unseizable_balance(date("2026-04-01"), Money::from_cents(65_000), "Décret test").unwrap();
        assert_eq!(data.unseizable_balance_on(date("2026-06-01")).unwrap().amount, Money::from_cents(65_000));
        assert_eq!(data.unseizable_balance_on(date("2026-06-01")).unwrap().until, date("2027-03-31"));
        data.add_statutory_rate(Semester::new(2026, 2).unwrap(), dec!(6.50), dec!(2.50), "Arrêté test").unwrap();
        assert_eq!(data.statutory_rate(Semester::new(2026, 2).unwrap()).unwrap().other, dec!(2.50));
    }

    #[test]
    fn duplicates_are_refused_unless_replacement_is_explicit() {
        let mut data = ReferenceData::embedded();
        let semester = Semester::new(2025, 1).unwrap();
        let error = data.add_statutory_rate(semester, dec!(7), dec!(3), "Arrêté rectificatif").unwrap_err();
        assert!(matches!(error, ReferenceError::Duplicate { .. }));
        assert_eq!(data.statutory_rate(semester).unwrap().other, dec!(3.71));
        let correction =
            StatutoryRate { semester, individual: dec!(7), other: dec!(3), source: "Arrêté rectificatif".into() };
        data.insert_statutory_rate(correction, OnConflict::Replace).unwrap();
        assert_eq!(data.statutory_rate(semester).unwrap().other, dec!(3));

        let ceilings = [100, 200, 300, 400, 500, 600].map(Money::euros);
        assert!(matches!(
            data.add_wage_bands(2025, ceilings, Money::euros(10), "Décret"),
            Err(ReferenceError::Duplicate { .. })
        ));
        assert!(matches!(
            data.add_unseizable_balance(date("2025-04-01"), Money::euros(600), "Décret"),
            Err(ReferenceError::Duplicate { .. })
        ));
        let cap = data.indemnity_cap(IndemnityKind::Mortgage, date("2025-01-01")).unwrap().clone();
        assert!(matches!(data.insert_indemnity_cap(cap, OnConflict::Reject), Err(ReferenceError::Duplicate { .. })));
    }

    #[test]
    fn implausible_entries_are_refused() {
        let mut data = ReferenceData::empty();
        let semester = Semester::new(2030, 1).unwrap();
        assert!(matches!(
            data.add_statutory_rate(semester, dec!(-1), dec!(2), "Arrêté"),
            Err(ReferenceError::Invalid { .. })
        ));
        assert!(matches!(
            data.add_statutory_rate(semester, dec!(1), dec!(2), "  "),
            Err(ReferenceError::Invalid { .. })
        ));
        let decreasing = [100, 300, 200, 400, 500, 600].map(Money::euros);
        assert!(matches!(
            data.add_wage_bands(2030, decreasing, Money::euros(10), "Décret"),
            Err(ReferenceError::Invalid { .. })
        ));
        assert!(matches!(
            data.add_unseizable_balance(date("2030-04-01"), Money::ZERO, "Décret"),
            Err(ReferenceError::Invalid { .. })
        ));
        assert!(data.wage_bands(2030).is_err());
    }

    #[test]
    fn entries_round_trip_through_json_for_the_storage_layer() {
        let data = ReferenceData::embedded();
        let rate = data.statutory_rate(Semester::new(2025, 2).unwrap()).unwrap();
        let json = serde_json::to_value(rate).unwrap();
        assert_eq!(json["semester"], "2025-2");
        assert_eq!(json["other"], "2.76");
        assert_eq!(serde_json::from_value::<StatutoryRate>(json).unwrap(), *rate);
        let bands = data.wage_bands(2026).unwrap();
        let json = serde_json::to_value(bands).unwrap();
        assert_eq!(json["ceilings"][0], "4480.00");
        assert_eq!(serde_json::from_value::<WageBands>(json).unwrap(), *bands);
    }

    #[test]
    fn semesters_parse_and_print() {
        assert_eq!("2026-2".parse(), Ok(Semester { year: 2026, half: 2 }));
        assert!("2026-3".parse::<Semester>().is_err());
        assert_eq!(Semester::of(date("2026-07-01")).to_string(), "2e semestre 2026");
        assert_eq!(Semester::of(date("2026-06-30")).to_string(), "1er semestre 2026");
        assert_eq!(Semester::new(2025, 2).unwrap().next().first_day(), date("2026-01-01"));
    }
}
