//! Financial assessment of a debtor (bilan financier, enquête de solvabilité).
//!
//! From the household's monthly incomes and charges, its size and its assets, [`evaluate`] derives:
//! - the **monthly repayment capacity**: incomes − charges − the living allowance (reste à vivre),
//!   never below zero. The allowance is a bank policy, in [`AssessmentPolicy`]; it takes its idea
//!   from over-indebtedness, where the part of the resources left to the household is reserved first
//!   and may not be less than the household's RSA flat amount (C. consom. L731-1, L731-2);
//! - the **seizable part of the wages** a garnishment could take each month (Code du travail
//!   R3252-2, R3252-3, R3252-5, through [`crate::garnishment::seizable_wage`], the bands raised for
//!   the household's dependants);
//! - what a **bank-account seizure** could take from the savings held at the bank, above the
//!   unseizable bank balance (CPCE L162-2, R162-2, through [`crate::garnishment::seizable_bank_balance`]);
//! - a **recoverability estimate**: the share of the debt the bank can expect to recover over the
//!   policy's horizon, as a percent and a band (forte, moyenne, faible, nulle), with the French lines
//!   that explain it to the officer.
//!
//! Pure: the assessment date and the reference data are arguments, and a date the reference data
//! does not cover is an error (never a guessed value). The policy is data
//! (`crates/domain/data/assessment_policy.toml`), versioned like the AML rules; its default figures
//! are illustrative and for the bank to set. See `docs/assessment.md`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::garnishment::{self, GarnishmentError, SeizableWage};
use crate::reference::ReferenceData;
use crate::Money;

const POLICY_TOML: &str = include_str!("../data/assessment_policy.toml");

/// Upper bound of the horizon (10 years): beyond, it is surely a typing error.
pub const MAX_HORIZON_MONTHS: u32 = 120;

// --- Input ---

/// Monthly incomes of the household, net.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Incomes {
    /// Net wages per month (the base of a wage garnishment).
    pub wages_net_monthly: Money,
    /// Social benefits (family, housing, minimum income…).
    pub benefits: Money,
    /// Retirement or disability pensions.
    pub pensions: Money,
    pub other: Money,
}

impl Incomes {
    pub fn total(&self) -> Money {
        self.wages_net_monthly + self.benefits + self.pensions + self.other
    }
}

/// Monthly charges of the household.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Charges {
    pub rent: Money,
    /// Repayments of other loans (at the bank or elsewhere).
    pub loan_repayments: Money,
    pub other: Money,
}

impl Charges {
    pub fn total(&self) -> Money {
        self.rent + self.loan_repayments + self.other
    }
}

/// Who lives on the incomes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Household {
    /// Adults, the debtor included (at least 1).
    pub adults: u8,
    /// Dependants (children and other persons at charge); they also raise the garnishment bands
    /// (Code du travail R3252-3).
    #[serde(default)]
    pub dependants: u8,
}

/// What the debtor owns, as declared or found.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Assets {
    /// Market value of real estate owned (net of what is known to be owed on it, when known).
    pub property_value: Money,
    pub vehicle_value: Money,
    /// Credit balances of the debtor's accounts at the bank (current and savings accounts).
    pub savings_at_bank: Money,
    /// Savings known at other banks.
    pub savings_elsewhere: Money,
}

/// The facts of a financial assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// Date of the assessment: the reference data (garnishment bands, SBI) in force that day apply.
    pub assessed_on: NaiveDate,
    /// What the debtor owes on the case (positive).
    pub debt: Money,
    #[serde(default)]
    pub incomes: Incomes,
    #[serde(default)]
    pub charges: Charges,
    pub household: Household,
    #[serde(default)]
    pub assets: Assets,
    /// The employer (the garnishee of a wage garnishment), when known.
    #[serde(default)]
    pub employer: Option<String>,
}

// --- Policy (data) ---

/// Versioned, bank-set assessment policy (data, not code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
// A typo in an administrator's entry (`horizon_month`) must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct AssessmentPolicy {
    /// Version, recalled in every assessment (e.g. "2026-1").
    pub version: String,
    /// Where the figures come from (internal policy, article).
    pub source: String,
    /// Months over which capacity and seizable wages are counted.
    pub horizon_months: u32,
    pub living_allowance: LivingAllowance,
    pub weights: RecoverabilityWeights,
    pub bands: BandThresholds,
}

/// Monthly living allowance (reste à vivre) left to the household before any repayment.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LivingAllowance {
    pub first_adult: Money,
    pub per_extra_adult: Money,
    pub per_dependant: Money,
}

impl LivingAllowance {
    /// Allowance of a household: the first adult, each further adult, each dependant.
    pub fn for_household(&self, household: &Household) -> Money {
        let extra_adults = i64::from(household.adults.saturating_sub(1));
        let dependants = i64::from(household.dependants);
        self.first_adult
            + Money::from_cents(self.per_extra_adult.cents().saturating_mul(extra_adults))
            + Money::from_cents(self.per_dependant.cents().saturating_mul(dependants))
    }
}

/// Share of each source counted in the recoverable estimate, in % (0–100).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverabilityWeights {
    pub capacity_percent: u8,
    pub seizable_wage_percent: u8,
    pub bank_balance_percent: u8,
    pub savings_elsewhere_percent: u8,
    pub property_percent: u8,
    pub vehicle_percent: u8,
}

impl RecoverabilityWeights {
    fn by_field(&self) -> [(&'static str, u8); 6] {
        [
            ("weights.capacity_percent", self.capacity_percent),
            ("weights.seizable_wage_percent", self.seizable_wage_percent),
            ("weights.bank_balance_percent", self.bank_balance_percent),
            ("weights.savings_elsewhere_percent", self.savings_elsewhere_percent),
            ("weights.property_percent", self.property_percent),
            ("weights.vehicle_percent", self.vehicle_percent),
        ]
    }
}

/// Lower bounds of the bands, in % of the debt estimated recoverable.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandThresholds {
    pub strong_min_percent: u8,
    pub medium_min_percent: u8,
    pub weak_min_percent: u8,
}

/// A policy refused: unreadable, or a field out of bounds (the message names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentPolicyError {
    #[error("politique de bilan illisible : {0}")]
    Parse(String),
    #[error("politique de bilan refusée, champ « {field} » : {reason}")]
    Invalid { field: String, reason: String },
}

fn invalid_policy(field: &str, reason: impl Into<String>) -> AssessmentPolicyError {
    AssessmentPolicyError::Invalid { field: field.to_string(), reason: reason.into() }
}

impl AssessmentPolicy {
    /// The defaults embedded in the binary (`crates/domain/data/assessment_policy.toml`).
    ///
    /// Panics only if the embedded file is malformed, which the tests of this module rule out.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> AssessmentPolicy {
        AssessmentPolicy::from_toml(POLICY_TOML).expect("embedded assessment policy is valid")
    }

    /// Parses and validates a policy written in TOML (the layout of `data/assessment_policy.toml`).
    pub fn from_toml(text: &str) -> Result<AssessmentPolicy, AssessmentPolicyError> {
        let policy: AssessmentPolicy =
            toml::from_str(text).map_err(|error| AssessmentPolicyError::Parse(error.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks the bounds of every field.
    pub fn validate(&self) -> Result<(), AssessmentPolicyError> {
        if self.version.trim().is_empty() {
            return Err(invalid_policy("version", "indiquer la version de la politique"));
        }
        if self.source.trim().is_empty() {
            return Err(invalid_policy("source", "indiquer la source (politique interne, article)"));
        }
        if !(1..=MAX_HORIZON_MONTHS).contains(&self.horizon_months) {
            return Err(invalid_policy(
                "horizon_months",
                format!(
                    "l'horizon doit être compris entre 1 et {MAX_HORIZON_MONTHS} mois (reçu {})",
                    self.horizon_months
                ),
            ));
        }
        let allowance = &self.living_allowance;
        if !allowance.first_adult.is_positive() {
            return Err(invalid_policy(
                "living_allowance.first_adult",
                format!("le reste à vivre d'un adulte doit être positif (reçu {})", allowance.first_adult.to_french()),
            ));
        }
        for (field, amount) in [
            ("living_allowance.per_extra_adult", allowance.per_extra_adult),
            ("living_allowance.per_dependant", allowance.per_dependant),
        ] {
            if amount.is_negative() {
                return Err(invalid_policy(
                    field,
                    format!("le montant ne peut être négatif (reçu {})", amount.to_french()),
                ));
            }
        }
        for (field, percent) in self.weights.by_field() {
            if percent > 100 {
                return Err(invalid_policy(
                    field,
                    format!("la part doit être comprise entre 0 et 100 % (reçu {percent})"),
                ));
            }
        }
        let bands = &self.bands;
        if !(1..=100).contains(&bands.weak_min_percent) {
            return Err(invalid_policy(
                "bands.weak_min_percent",
                format!("le seuil doit être compris entre 1 et 100 % (reçu {})", bands.weak_min_percent),
            ));
        }
        if bands.medium_min_percent < bands.weak_min_percent || bands.medium_min_percent > 100 {
            return Err(invalid_policy(
                "bands.medium_min_percent",
                format!(
                    "le seuil doit être compris entre weak_min_percent ({}) et 100 % (reçu {})",
                    bands.weak_min_percent, bands.medium_min_percent
                ),
            ));
        }
        if bands.strong_min_percent < bands.medium_min_percent || bands.strong_min_percent > 100 {
            return Err(invalid_policy(
                "bands.strong_min_percent",
                format!(
                    "le seuil doit être compris entre medium_min_percent ({}) et 100 % (reçu {})",
                    bands.medium_min_percent, bands.strong_min_percent
                ),
            ));
        }
        Ok(())
    }

    /// The band of a recoverability percent.
    pub fn band(&self, percent: u8) -> RecoverabilityBand {
        if percent >= self.bands.strong_min_percent {
            RecoverabilityBand::Strong
        } else if percent >= self.bands.medium_min_percent {
            RecoverabilityBand::Medium
        } else if percent >= self.bands.weak_min_percent {
            RecoverabilityBand::Weak
        } else {
            RecoverabilityBand::Nil
        }
    }
}

// --- Output ---

/// How much of the debt the bank can expect to recover.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecoverabilityBand {
    Strong,
    Medium,
    Weak,
    Nil,
}

impl RecoverabilityBand {
    pub const ALL: &'static [RecoverabilityBand] =
        &[RecoverabilityBand::Strong, RecoverabilityBand::Medium, RecoverabilityBand::Weak, RecoverabilityBand::Nil];

    pub fn code(self) -> &'static str {
        match self {
            RecoverabilityBand::Strong => "strong",
            RecoverabilityBand::Medium => "medium",
            RecoverabilityBand::Weak => "weak",
            RecoverabilityBand::Nil => "nil",
        }
    }

    /// French label: « forte », « moyenne », « faible », « nulle ».
    pub fn label(self) -> &'static str {
        match self {
            RecoverabilityBand::Strong => "forte",
            RecoverabilityBand::Medium => "moyenne",
            RecoverabilityBand::Weak => "faible",
            RecoverabilityBand::Nil => "nulle",
        }
    }

    pub fn from_code(code: &str) -> Option<RecoverabilityBand> {
        RecoverabilityBand::ALL.iter().copied().find(|band| band.code() == code)
    }
}

impl std::fmt::Display for RecoverabilityBand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The result of a financial assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentResult {
    pub assessed_on: NaiveDate,
    pub debt: Money,
    pub monthly_income: Money,
    pub monthly_charges: Money,
    /// Living allowance (reste à vivre) of the household under the policy.
    pub living_allowance: Money,
    /// Incomes − charges − allowance; negative when the household lacks money each month.
    pub monthly_balance: Money,
    /// Monthly repayment capacity: the balance, never below zero.
    pub monthly_capacity: Money,
    /// Months to repay the debt at the capacity (rounded up), without interest; `None` when there
    /// is no capacity.
    pub months_to_repay: Option<u32>,
    /// Seizable part of the wages each month (Code du travail R3252-2 et s.); zero without wages.
    pub seizable_wage_monthly: Money,
    /// The detail of the seizable wage (bands, floor, sources); `None` without wages.
    pub seizable_wage: Option<SeizableWage>,
    /// What a bank-account seizure could take from the savings at the bank (CPCE L162-2, R162-2).
    pub seizable_bank_balance: Money,
    /// The unseizable bank balance (SBI) in force on the date; `None` without savings at the bank.
    pub unseizable_bank_balance: Option<Money>,
    /// Declared value of the other assets (savings elsewhere, real estate, vehicle), unweighted.
    pub other_assets: Money,
    pub horizon_months: u32,
    /// Counted from the incomes: the better of the plan (capacity) and the garnishment (seizable
    /// wage) over the horizon, each weighted.
    pub recoverable_from_income: Money,
    /// Counted from the savings at the bank, weighted.
    pub recoverable_from_bank: Money,
    /// Counted from the other assets, weighted.
    pub recoverable_from_other_assets: Money,
    /// Total of the above, capped at the debt.
    pub recoverable_estimate: Money,
    /// Recoverable estimate ÷ debt, in % rounded down (0–100).
    pub recoverability_percent: u8,
    pub band: RecoverabilityBand,
    /// « forte », « moyenne », « faible » or « nulle ».
    pub band_label: String,
    /// The computation explained, one French line per step.
    pub explanation: Vec<String>,
    pub policy_version: String,
}

/// An assessment refused: a fact out of bounds, or a date the reference data does not cover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    #[error("« {field} » ne peut être négatif ({amount}) : saisir un montant positif ou nul")]
    NegativeAmount { field: String, amount: Money },
    #[error("la dette doit être positive ({0})")]
    NonPositiveDebt(Money),
    #[error("le ménage compte au moins un adulte (le débiteur) : « household.adults » vaut 0")]
    NoAdult,
    #[error(transparent)]
    Garnishment(#[from] GarnishmentError),
}

/// `amount × percent %`, rounded down to the cent (the estimate stays on the prudent side).
fn percent_of(amount: Money, percent: u8) -> Money {
    let cents = i128::from(amount.cents()) * i128::from(percent) / 100;
    Money::from_cents(i64::try_from(cents).unwrap_or(i64::MAX))
}

/// `amount × months`, saturating (a huge capacity over ten years still fits).
fn times(amount: Money, months: u32) -> Money {
    Money::from_cents(amount.cents().saturating_mul(i64::from(months)))
}

/// Months of `capacity` needed to repay `debt`, rounded up; `None` without capacity.
pub fn months_to_repay(debt: Money, capacity: Money) -> Option<u32> {
    if !capacity.is_positive() || !debt.is_positive() {
        return None;
    }
    let months = (debt.cents() + capacity.cents() - 1) / capacity.cents();
    Some(u32::try_from(months).unwrap_or(u32::MAX))
}

fn plural(count: u8, singular: &str, plural: &str) -> String {
    format!("{count} {}", if count > 1 { plural } else { singular })
}

fn check_inputs(input: &Assessment) -> Result<(), AssessmentError> {
    if !input.debt.is_positive() {
        return Err(AssessmentError::NonPositiveDebt(input.debt));
    }
    if input.household.adults == 0 {
        return Err(AssessmentError::NoAdult);
    }
    let fields = [
        ("incomes.wages_net_monthly", input.incomes.wages_net_monthly),
        ("incomes.benefits", input.incomes.benefits),
        ("incomes.pensions", input.incomes.pensions),
        ("incomes.other", input.incomes.other),
        ("charges.rent", input.charges.rent),
        ("charges.loan_repayments", input.charges.loan_repayments),
        ("charges.other", input.charges.other),
        ("assets.property_value", input.assets.property_value),
        ("assets.vehicle_value", input.assets.vehicle_value),
        ("assets.savings_at_bank", input.assets.savings_at_bank),
        ("assets.savings_elsewhere", input.assets.savings_elsewhere),
    ];
    match fields.iter().find(|(_, amount)| amount.is_negative()) {
        Some((field, amount)) => Err(AssessmentError::NegativeAmount { field: field.to_string(), amount: *amount }),
        None => Ok(()),
    }
}

/// Evaluates a financial assessment under a policy, with the reference data in force on
/// `input.assessed_on`.
///
/// - Capacity = incomes − charges − living allowance, floored at zero (a household short of money
///   repays nothing; the shortfall is reported in `monthly_balance`).
/// - Seizable wage: `garnishment::seizable_wage` on the net wages with the household's dependants
///   (Code du travail R3252-2, R3252-3, R3252-5). Only wages are counted; benefits and pensions are
///   not treated as garnishable here.
/// - Bank-account seizure: `garnishment::seizable_bank_balance` on the savings at the bank, taken
///   as one balance since the SBI is granted once, whatever the number of accounts (CPCE R162-2).
/// - Recoverable estimate over the horizon = max(capacity × horizon × w_capacity, seizable wage ×
///   horizon × w_wage) + seizable bank balance × w_bank + savings elsewhere × w_savings + property
///   × w_property + vehicle × w_vehicle, each product rounded down to the cent, capped at the debt.
///   The two income routes are alternatives on the same pay, hence the maximum, not the sum.
/// - Percent = estimate × 100 ÷ debt, rounded down; the band follows the policy's thresholds.
///
/// A zero wage or zero savings needs no reference data (nothing to seize); otherwise a date the
/// data does not cover is an error naming the missing value.
pub fn evaluate(
    input: &Assessment,
    policy: &AssessmentPolicy,
    reference: &ReferenceData,
) -> Result<AssessmentResult, AssessmentError> {
    check_inputs(input)?;
    let on = input.assessed_on;
    let household = input.household;
    let monthly_income = input.incomes.total();
    let monthly_charges = input.charges.total();
    let living_allowance = policy.living_allowance.for_household(&household);
    let monthly_balance = monthly_income - monthly_charges - living_allowance;
    let monthly_capacity = monthly_balance.max(Money::ZERO);
    let months_to_repay = months_to_repay(input.debt, monthly_capacity);

    let wages = input.incomes.wages_net_monthly;
    let seizable_wage = if wages.is_positive() {
        Some(garnishment::seizable_wage(wages, u32::from(household.dependants), on, reference)?)
    } else {
        None
    };
    let seizable_wage_monthly = seizable_wage.as_ref().map_or(Money::ZERO, |wage| wage.seizable_monthly);

    let savings_at_bank = input.assets.savings_at_bank;
    let (seizable_bank_balance, unseizable_bank_balance) = if savings_at_bank.is_positive() {
        let sbi = garnishment::unseizable_balance(on, reference)?.amount;
        (garnishment::seizable_bank_balance(savings_at_bank, on, reference)?, Some(sbi))
    } else {
        (Money::ZERO, None)
    };

    let weights = &policy.weights;
    let horizon = policy.horizon_months;
    let by_plan = percent_of(times(monthly_capacity, horizon), weights.capacity_percent);
    let by_garnishment = percent_of(times(seizable_wage_monthly, horizon), weights.seizable_wage_percent);
    let recoverable_from_income = by_plan.max(by_garnishment);
    let recoverable_from_bank = percent_of(seizable_bank_balance, weights.bank_balance_percent);
    let assets = &input.assets;
    let recoverable_from_other_assets = percent_of(assets.savings_elsewhere, weights.savings_elsewhere_percent)
        + percent_of(assets.property_value, weights.property_percent)
        + percent_of(assets.vehicle_value, weights.vehicle_percent);
    let other_assets = assets.savings_elsewhere + assets.property_value + assets.vehicle_value;
    let recoverable_estimate =
        (recoverable_from_income + recoverable_from_bank + recoverable_from_other_assets).min(input.debt);
    let percent = i128::from(recoverable_estimate.cents()) * 100 / i128::from(input.debt.cents());
    let recoverability_percent = u8::try_from(percent.clamp(0, 100)).unwrap_or(100);
    let band = policy.band(recoverability_percent);

    // --- The explanation, one line per step ---
    let mut explanation = Vec::new();
    let incomes = &input.incomes;
    explanation.push(format!(
        "Revenus mensuels : {} (salaires nets {}, prestations {}, pensions {}, autres {}).",
        monthly_income.to_french(),
        incomes.wages_net_monthly.to_french(),
        incomes.benefits.to_french(),
        incomes.pensions.to_french(),
        incomes.other.to_french(),
    ));
    let charges = &input.charges;
    explanation.push(format!(
        "Charges mensuelles : {} (loyer {}, crédits {}, autres {}).",
        monthly_charges.to_french(),
        charges.rent.to_french(),
        charges.loan_repayments.to_french(),
        charges.other.to_french(),
    ));
    let allowance = &policy.living_allowance;
    explanation.push(format!(
        "Reste à vivre retenu : {} pour {} et {} (politique {} : {} pour le premier adulte, {} par adulte supplémentaire, {} par personne à charge).",
        living_allowance.to_french(),
        plural(household.adults, "adulte", "adultes"),
        plural(household.dependants, "personne à charge", "personnes à charge"),
        policy.version,
        allowance.first_adult.to_french(),
        allowance.per_extra_adult.to_french(),
        allowance.per_dependant.to_french(),
    ));
    explanation.push(match months_to_repay {
        Some(months) => format!(
            "Capacité de remboursement : {} par mois (revenus − charges − reste à vivre), soit la dette de {} remboursée en {months} mois hors intérêts.",
            monthly_capacity.to_french(),
            input.debt.to_french(),
        ),
        None if monthly_balance.is_negative() => format!(
            "Aucune capacité de remboursement : il manque {} par mois pour couvrir les charges et le reste à vivre.",
            (-monthly_balance).to_french(),
        ),
        None => "Aucune capacité de remboursement : les revenus couvrent tout juste les charges et le reste à vivre."
            .to_string(),
    });
    match &seizable_wage {
        Some(wage) => {
            explanation.push(format!(
                "Part saisissable du salaire (Code du travail R3252-2 et suivants, {}) : {} par mois ; le débiteur conserve au moins {} (R3252-5).",
                plural(household.dependants, "personne à charge", "personnes à charge"),
                wage.seizable_monthly.to_french(),
                wage.unseizable_floor.to_french(),
            ));
            explanation.push(match input.employer.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
                Some(employer) => format!("Employeur (tiers saisi d'une saisie des rémunérations) : {employer}."),
                None => "Employeur inconnu : à identifier avant toute saisie des rémunérations.".to_string(),
            });
        }
        None => explanation.push("Aucun salaire : rien à saisir sur les rémunérations.".to_string()),
    }
    explanation.push(match unseizable_bank_balance {
        Some(sbi) => format!(
            "Comptes à la banque : {} ; une saisie-attribution pourrait prendre {} au-delà du solde bancaire insaisissable de {} (CPCE L162-2, R162-2).",
            savings_at_bank.to_french(),
            seizable_bank_balance.to_french(),
            sbi.to_french(),
        ),
        None => "Aucun solde créditeur à la banque : rien à saisir sur les comptes.".to_string(),
    });
    if other_assets.is_positive() {
        explanation.push(format!(
            "Autres actifs déclarés : épargne ailleurs {}, immobilier {}, véhicule {} (retenus à {} %, {} % et {} %).",
            assets.savings_elsewhere.to_french(),
            assets.property_value.to_french(),
            assets.vehicle_value.to_french(),
            weights.savings_elsewhere_percent,
            weights.property_percent,
            weights.vehicle_percent,
        ));
    }
    explanation.push(format!(
        "Revenus sur {horizon} mois : {} par un plan amiable (retenu à {} %), {} par une saisie des rémunérations (retenue à {} %) ; la meilleure voie compte, soit {}.",
        by_plan.to_french(),
        weights.capacity_percent,
        by_garnishment.to_french(),
        weights.seizable_wage_percent,
        recoverable_from_income.to_french(),
    ));
    explanation.push(format!(
        "Recouvrable estimé : {} sur une dette de {}, soit {recoverability_percent} % : recouvrabilité {}.",
        recoverable_estimate.to_french(),
        input.debt.to_french(),
        band.label(),
    ));

    Ok(AssessmentResult {
        assessed_on: on,
        debt: input.debt,
        monthly_income,
        monthly_charges,
        living_allowance,
        monthly_balance,
        monthly_capacity,
        months_to_repay,
        seizable_wage_monthly,
        seizable_wage,
        seizable_bank_balance,
        unseizable_bank_balance,
        other_assets,
        horizon_months: horizon,
        recoverable_from_income,
        recoverable_from_bank,
        recoverable_from_other_assets,
        recoverable_estimate,
        recoverability_percent,
        band,
        band_label: band.label().to_string(),
        explanation,
        policy_version: policy.version.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceError;
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// The worked example of `docs/assessment.md`.
    fn worked_example() -> Assessment {
        Assessment {
            assessed_on: date("2025-06-15"),
            debt: Money::euros(30_000),
            incomes: Incomes {
                wages_net_monthly: Money::euros(2_500),
                benefits: Money::euros(100),
                pensions: Money::ZERO,
                other: Money::ZERO,
            },
            charges: Charges { rent: Money::euros(700), loan_repayments: Money::euros(150), other: Money::euros(50) },
            household: Household { adults: 2, dependants: 1 },
            assets: Assets {
                property_value: Money::ZERO,
                vehicle_value: Money::euros(5_000),
                savings_at_bank: Money::euros(1_000),
                savings_elsewhere: Money::euros(2_000),
            },
            employer: Some("Transports Girard SARL".to_string()),
        }
    }

    #[test]
    fn the_defaults_parse_and_are_valid() {
        let policy = AssessmentPolicy::embedded();
        assert_eq!(policy.horizon_months, 24);
        assert_eq!(policy.living_allowance.first_adult, Money::euros(800));
        assert!(policy.source.contains("UNVERIFIED"));
        assert_eq!(policy.validate(), Ok(()));
    }

    #[test]
    fn the_worked_example() {
        // By hand, 15 June 2025 (bands of décret 2024-1231, SBI 646.52 € since 1 April 2025):
        // incomes 2 500 + 100 = 2 600; charges 700 + 150 + 50 = 900;
        // allowance 800 + 400 (second adult) + 250 (one dependant) = 1 450;
        // capacity 2 600 − 900 − 1 450 = 250 a month → 30 000 / 250 = 120 months.
        // Seizable wage, 1 dependant (+1 720 on each ceiling), annual 30 000:
        //   6 160/20 = 308; 4 220/10 = 422; 4 230/5 = 846; 4 200/4 = 1 050; 4 210/3 = 1 403.33…;
        //   4 300 × 2/3 = 2 866.66…; above 27 320: 2 680; total 9 576 / 12 = 798.00 a month
        //   (2 500 − 646.52 = 1 853.48 ≥ 798: the floor does not bite).
        // Bank: 1 000 − 646.52 = 353.48.
        // Over 24 months: plan 250 × 24 × 100 % = 6 000; garnishment 798 × 24 = 19 152 × 80 %
        //   = 15 321.60 → income route 15 321.60; bank 353.48; savings elsewhere 2 000 × 50 % = 1 000;
        //   vehicle 5 000 × 20 % = 1 000; total 17 675.08 < 30 000.
        // Percent 17 675.08 / 30 000 = 58.9… → 58 → « moyenne » (40 ≤ 58 < 75).
        let result = evaluate(&worked_example(), &AssessmentPolicy::embedded(), &ReferenceData::embedded()).unwrap();
        assert_eq!(result.monthly_income, Money::euros(2_600));
        assert_eq!(result.monthly_charges, Money::euros(900));
        assert_eq!(result.living_allowance, Money::euros(1_450));
        assert_eq!(result.monthly_balance, Money::euros(250));
        assert_eq!(result.monthly_capacity, Money::euros(250));
        assert_eq!(result.months_to_repay, Some(120));
        assert_eq!(result.seizable_wage_monthly, Money::euros(798));
        assert_eq!(result.seizable_bank_balance, Money::from_cents(35_348));
        assert_eq!(result.unseizable_bank_balance, Some(Money::from_cents(64_652)));
        assert_eq!(result.other_assets, Money::euros(7_000));
        assert_eq!(result.recoverable_from_income, Money::from_cents(1_532_160));
        assert_eq!(result.recoverable_from_bank, Money::from_cents(35_348));
        assert_eq!(result.recoverable_from_other_assets, Money::euros(2_000));
        assert_eq!(result.recoverable_estimate, Money::from_cents(1_767_508));
        assert_eq!(result.recoverability_percent, 58);
        assert_eq!(result.band, RecoverabilityBand::Medium);
        assert_eq!(result.band_label, "moyenne");
        assert_eq!(result.policy_version, "2026-1");
        let text = result.explanation.join("\n");
        assert!(text.contains("R3252-2"), "{text}");
        assert!(text.contains("CPCE L162-2"), "{text}");
        assert!(text.contains("Transports Girard SARL"), "{text}");
        assert!(text.contains("58 %"), "{text}");
        assert!(text.contains("recouvrabilité moyenne"), "{text}");
    }

    #[test]
    fn a_household_short_of_money_has_no_capacity_and_a_small_debt_can_be_fully_recoverable() {
        // 1 adult on 900 of benefits, rent 600: 900 − 600 − 800 = −500 → capacity 0, shortfall 500.
        // Nothing else but 2 000 at the bank on 2025-06-15: 2 000 − 646.52 = 1 353.48 ≥ the 1 000
        // debt → capped at 1 000 → 100 % « forte ».
        let input = Assessment {
            assessed_on: date("2025-06-15"),
            debt: Money::euros(1_000),
            incomes: Incomes { benefits: Money::euros(900), ..Incomes::default() },
            charges: Charges { rent: Money::euros(600), ..Charges::default() },
            household: Household { adults: 1, dependants: 0 },
            assets: Assets { savings_at_bank: Money::euros(2_000), ..Assets::default() },
            employer: None,
        };
        let result = evaluate(&input, &AssessmentPolicy::embedded(), &ReferenceData::embedded()).unwrap();
        assert_eq!(result.monthly_balance, Money::euros(-500));
        assert_eq!(result.monthly_capacity, Money::ZERO);
        assert_eq!(result.months_to_repay, None);
        assert_eq!(result.seizable_wage, None);
        assert_eq!(result.recoverable_estimate, Money::euros(1_000));
        assert_eq!(result.recoverability_percent, 100);
        assert_eq!(result.band, RecoverabilityBand::Strong);
        assert!(result.explanation.iter().any(|line| line.contains("il manque 500,00")), "{:?}", result.explanation);
    }

    #[test]
    fn nothing_at_all_is_nil_and_needs_no_reference_data() {
        // No wages, no savings: no reference value is needed, even on a date the data does not cover.
        let input = Assessment {
            assessed_on: date("2027-06-15"),
            debt: Money::euros(4_800),
            incomes: Incomes { benefits: Money::euros(650), ..Incomes::default() },
            charges: Charges::default(),
            household: Household { adults: 1, dependants: 0 },
            assets: Assets::default(),
            employer: None,
        };
        let result = evaluate(&input, &AssessmentPolicy::embedded(), &ReferenceData::embedded()).unwrap();
        assert_eq!(result.monthly_capacity, Money::ZERO);
        assert_eq!(result.recoverability_percent, 0);
        assert_eq!(result.band, RecoverabilityBand::Nil);
        assert_eq!(result.band_label, "nulle");
    }

    #[test]
    fn an_uncovered_date_is_an_error_when_something_must_be_computed() {
        let mut input = worked_example();
        input.assessed_on = date("2027-01-15");
        assert!(matches!(
            evaluate(&input, &AssessmentPolicy::embedded(), &ReferenceData::embedded()),
            Err(AssessmentError::Garnishment(GarnishmentError::Reference(ReferenceError::MissingWageBands {
                year: 2027
            })))
        ));
    }

    #[test]
    fn bad_inputs_are_refused_naming_the_field() {
        let policy = AssessmentPolicy::embedded();
        let reference = ReferenceData::embedded();
        let mut input = worked_example();
        input.charges.rent = Money::euros(-1);
        let error = evaluate(&input, &policy, &reference).unwrap_err();
        assert!(error.to_string().contains("charges.rent"), "{error}");
        let mut input = worked_example();
        input.household.adults = 0;
        assert_eq!(evaluate(&input, &policy, &reference), Err(AssessmentError::NoAdult));
        let mut input = worked_example();
        input.debt = Money::ZERO;
        assert_eq!(evaluate(&input, &policy, &reference), Err(AssessmentError::NonPositiveDebt(Money::ZERO)));
    }

    #[test]
    fn the_policy_refuses_unknown_fields_and_bad_values() {
        let edit = |from: &str, to: &str| {
            assert!(POLICY_TOML.contains(from), "{from}");
            AssessmentPolicy::from_toml(&POLICY_TOML.replace(from, to)).unwrap_err()
        };
        let AssessmentPolicyError::Parse(message) = edit("per_dependant", "per_dependent") else { panic!() };
        assert!(message.contains("per_dependent"), "{message}");
        let AssessmentPolicyError::Parse(message) = edit("horizon_months = 24", "horizon_month = 24") else { panic!() };
        assert!(message.contains("horizon_month"), "{message}");
        assert!(matches!(
            edit("vehicle_percent = 20", "vehicle_percent = 120"),
            AssessmentPolicyError::Invalid { field, .. } if field == "weights.vehicle_percent"
        ));
        assert!(matches!(
            edit("medium_min_percent = 40", "medium_min_percent = 80"),
            AssessmentPolicyError::Invalid { field, .. } if field == "bands.strong_min_percent"
        ));
        assert!(matches!(
            edit("first_adult = \"800.00\"", "first_adult = \"0.00\""),
            AssessmentPolicyError::Invalid { field, .. } if field == "living_allowance.first_adult"
        ));
        assert!(matches!(edit("horizon_months = 24", "horizon_months = 0"), AssessmentPolicyError::Invalid { .. }));
    }

    #[test]
    fn inputs_deserialize_from_json_and_refuse_typos() {
        let json = r#"{"assessed_on":"2025-06-15","debt":"1000.00","household":{"adults":1},
            "incomes":{"wages_net_monthly":"1500.00"}}"#;
        let input: Assessment = serde_json::from_str(json).unwrap();
        assert_eq!(input.incomes.wages_net_monthly, Money::euros(1_500));
        assert_eq!(input.charges, Charges::default());
        let typo = json.replace("wages_net_monthly", "wage_net_monthly");
        let error = serde_json::from_str::<Assessment>(&typo).unwrap_err().to_string();
        assert!(error.contains("wage_net_monthly"), "{error}");
    }

    #[test]
    fn band_thresholds() {
        let policy = AssessmentPolicy::embedded();
        assert_eq!(policy.band(100), RecoverabilityBand::Strong);
        assert_eq!(policy.band(75), RecoverabilityBand::Strong);
        assert_eq!(policy.band(74), RecoverabilityBand::Medium);
        assert_eq!(policy.band(40), RecoverabilityBand::Medium);
        assert_eq!(policy.band(39), RecoverabilityBand::Weak);
        assert_eq!(policy.band(1), RecoverabilityBand::Weak);
        assert_eq!(policy.band(0), RecoverabilityBand::Nil);
        for band in RecoverabilityBand::ALL {
            assert_eq!(RecoverabilityBand::from_code(band.code()), Some(*band));
        }
    }

    proptest! {
        #[test]
        fn capacity_is_never_negative_and_the_estimate_never_exceeds_the_debt(
            wages in 0i64..800_000, benefits in 0i64..200_000, rent in 0i64..400_000,
            loans in 0i64..400_000, adults in 1u8..5, dependants in 0u8..6,
            savings in 0i64..5_000_000, debt in 1i64..20_000_000
        ) {
            let input = Assessment {
                assessed_on: date("2025-06-15"),
                debt: Money::from_cents(debt),
                incomes: Incomes {
                    wages_net_monthly: Money::from_cents(wages),
                    benefits: Money::from_cents(benefits),
                    ..Incomes::default()
                },
                charges: Charges {
                    rent: Money::from_cents(rent),
                    loan_repayments: Money::from_cents(loans),
                    ..Charges::default()
                },
                household: Household { adults, dependants },
                assets: Assets { savings_at_bank: Money::from_cents(savings), ..Assets::default() },
                employer: None,
            };
            let result = evaluate(&input, &AssessmentPolicy::embedded(), &ReferenceData::embedded()).unwrap();
            prop_assert!(!result.monthly_capacity.is_negative());
            prop_assert_eq!(result.monthly_capacity, result.monthly_balance.max(Money::ZERO));
            prop_assert!(!result.seizable_bank_balance.is_negative());
            prop_assert!(result.recoverable_estimate <= input.debt);
            prop_assert!(result.recoverability_percent <= 100);
        }
    }
}
