//! The strategy engine: which recovery strategy to recommend for a case, and which next actions to
//! plan (brief §1, task 1: "analyse the claim … and choose a recovery strategy").
//!
//! The rules are **data** an administrator reads, edits and versions ([`StrategyRules`], defaults in
//! `crates/domain/data/strategy_rules.toml`, format in `docs/strategy-rules.md`). Each rule has an
//! id, a French label, conditions over a small closed vocabulary of typed facts ([`Conditions`]), a
//! strategy from a closed set ([`Strategy`]), the next actions with their due offsets, and an
//! explanation template whose `{placeholders}` are filled from the facts.
//!
//! **First match wins**: [`recommend`] walks the rules in file order and stops at the first one
//! whose conditions all hold (conditions of a rule are ANDed; an OR is two rules). The file's order
//! is therefore its priority order, which an officer can read top to bottom. Validation requires the
//! last rule to have no condition, so there is always a recommendation.
//!
//! The legal facts the rules test are computed elsewhere and passed in: the foreclosure date of a
//! consumer credit (C. consom. R312-35, [`crate::foreclosure`]), the limitation date (C. consom.
//! L218-2, CPCE L111-4, [`crate::limitation`]), the capacity and seizable amounts
//! ([`crate::assessment`]). Whatever rule wins, warnings recall a foreclosure or a limitation date
//! that is close or past, and a special debtor situation (over-indebtedness, protected adult,
//! deceased) that the winning strategy does not handle.
//!
//! Pure: "today" is an argument; [`facts_digest`] lets the caller re-evaluate only when the facts
//! changed.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::assessment::{months_to_repay, AssessmentResult};
use crate::calendar::add_months_clamped;
use crate::case::{ClaimNature, Employment, OverIndebtedness, Protection};
use crate::reference::french_date;
use crate::Money;

const RULES_TOML: &str = include_str!("../data/strategy_rules.toml");

/// Upper bound of an action's due offset (5 years): beyond, it is surely a typing error.
pub const MAX_DUE_IN_DAYS: u32 = 1_830;

/// Upper bound of the warning thresholds, in months (10 years, the life of a court title).
pub const MAX_WARNING_MONTHS: u32 = 120;

// --- Strategies ---

/// A recovery strategy: a closed set, each with a stable code and a French label.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Formal notice and first contact (the default).
    AmicableRecovery,
    /// Amicable payment plan (échéancier), at most 24 months by default (C. civ. 1343-5).
    AmicablePlan,
    /// Amicable recovery through the guardian or curator (C. civ. 440 et s.; brief §3.8).
    ProtectedAdultAmicable,
    /// A plan is running: follow its instalments.
    PlanFollowUp,
    /// Hand the file to a collection agency.
    CollectionAgency,
    /// Request a payment order (injonction de payer, CPC 1405 et s.) to obtain a title.
    PaymentOrder,
    /// A court procedure is running: follow service and opposition (CPC 1411, 1416).
    ProcedureFollowUp,
    /// Wage garnishment through a bailiff (Code du travail R3252-2 et s.).
    WageGarnishment,
    /// Bank-account seizure (saisie-attribution, CPCE L211-1; SBI of L162-2).
    BankAccountSeizure,
    /// Other enforcement by a bailiff (search for assets, goods or property seizure).
    Enforcement,
    /// Call on the guarantor (caution).
    GuarantorCall,
    /// Declare the claim to the estate (notary) (brief §3.8).
    EstateClaim,
    /// Over-indebtedness: enforcement suspended and prohibited (C. consom. L722-2).
    OverIndebtednessFollowUp,
    /// Propose a write-off (passage en pertes) to the competent authority level.
    WriteOffProposal,
    /// Nothing is owed any more: close the case (built in, see [`recommend`]).
    Closure,
}

impl Strategy {
    pub const ALL: &'static [Strategy] = &[
        Strategy::AmicableRecovery,
        Strategy::AmicablePlan,
        Strategy::ProtectedAdultAmicable,
        Strategy::PlanFollowUp,
        Strategy::CollectionAgency,
        Strategy::PaymentOrder,
        Strategy::ProcedureFollowUp,
        Strategy::WageGarnishment,
        Strategy::BankAccountSeizure,
        Strategy::Enforcement,
        Strategy::GuarantorCall,
        Strategy::EstateClaim,
        Strategy::OverIndebtednessFollowUp,
        Strategy::WriteOffProposal,
        Strategy::Closure,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Strategy::AmicableRecovery => "amicable_recovery",
            Strategy::AmicablePlan => "amicable_plan",
            Strategy::ProtectedAdultAmicable => "protected_adult_amicable",
            Strategy::PlanFollowUp => "plan_follow_up",
            Strategy::CollectionAgency => "collection_agency",
            Strategy::PaymentOrder => "payment_order",
            Strategy::ProcedureFollowUp => "procedure_follow_up",
            Strategy::WageGarnishment => "wage_garnishment",
            Strategy::BankAccountSeizure => "bank_account_seizure",
            Strategy::Enforcement => "enforcement",
            Strategy::GuarantorCall => "guarantor_call",
            Strategy::EstateClaim => "estate_claim",
            Strategy::OverIndebtednessFollowUp => "over_indebtedness_follow_up",
            Strategy::WriteOffProposal => "write_off_proposal",
            Strategy::Closure => "closure",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Strategy::AmicableRecovery => "Relance amiable",
            Strategy::AmicablePlan => "Plan amiable (échéancier)",
            Strategy::ProtectedAdultAmicable => "Amiable par l'intermédiaire du tuteur ou du curateur",
            Strategy::PlanFollowUp => "Suivi de l'échéancier en cours",
            Strategy::CollectionAgency => "Société de recouvrement",
            Strategy::PaymentOrder => "Injonction de payer",
            Strategy::ProcedureFollowUp => "Suivi de la procédure judiciaire en cours",
            Strategy::WageGarnishment => "Saisie des rémunérations",
            Strategy::BankAccountSeizure => "Saisie-attribution sur comptes",
            Strategy::Enforcement => "Exécution forcée par commissaire de justice",
            Strategy::GuarantorCall => "Appel de la caution",
            Strategy::EstateClaim => "Déclaration de la créance à la succession",
            Strategy::OverIndebtednessFollowUp => "Suivi du surendettement (exécution suspendue)",
            Strategy::WriteOffProposal => "Proposition de passage en pertes",
            Strategy::Closure => "Clôture du dossier (plus rien n'est dû)",
        }
    }

    pub fn from_code(code: &str) -> Option<Strategy> {
        Strategy::ALL.iter().copied().find(|strategy| strategy.code() == code)
    }

    /// A measure of enforcement against the debtor's assets: prohibited once an over-indebtedness
    /// file is admissible (C. consom. L722-2).
    pub fn is_enforcement(self) -> bool {
        matches!(self, Strategy::WageGarnishment | Strategy::BankAccountSeizure | Strategy::Enforcement)
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

// --- Facts ---

fn no_protection() -> Protection {
    Protection::None
}

fn no_over_indebtedness() -> OverIndebtedness {
    OverIndebtedness::None
}

/// What the rules know about a case. The caller computes the legal dates and the assessment
/// figures with the domain's functions and passes them here; an absent flag or count is false or 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StrategyFacts {
    /// Nature of the (main) claim.
    pub nature: ClaimNature,
    /// What the debtor owes on the case.
    pub debt: Money,
    /// The claim fell due (account closure or acceleration): the start of `age_days`.
    pub due_on: NaiveDate,
    /// Last day to sue a consumer credit (C. consom. R312-35), from `foreclosure::foreclosure_status`;
    /// `None` when not applicable (not consumer credit, no incident, a court claim interrupted it).
    /// Ignored once an enforceable title exists.
    #[serde(default)]
    pub foreclosure_date: Option<NaiveDate>,
    /// Limitation date of the claim, or of the title's enforcement once there is one (C. consom.
    /// L218-2, CPCE L111-4), from `limitation::limitation`.
    #[serde(default)]
    pub limitation_date: Option<NaiveDate>,
    /// A guarantor (personal surety or guarantee body) backs the claim.
    #[serde(default)]
    pub has_guarantor: bool,
    /// An enforceable title exists (order past its opposition period, judgment, notarial deed).
    #[serde(default)]
    pub has_enforceable_title: bool,
    /// A court claim (payment order, summons) is pending and not yet an enforceable title.
    #[serde(default)]
    pub court_claim_pending: bool,
    pub employment: Employment,
    /// Monthly repayment capacity (assessment); zero when unknown.
    #[serde(default)]
    pub monthly_capacity: Money,
    /// Seizable part of the wages each month (assessment).
    #[serde(default)]
    pub seizable_wage: Money,
    /// What a bank-account seizure could take from the debtor's accounts at the bank (assessment).
    #[serde(default)]
    pub bank_seizable: Money,
    /// Value of the other seizable assets: savings elsewhere, real estate, vehicle (assessment).
    #[serde(default)]
    pub seizable_assets: Money,
    #[serde(default)]
    pub deceased: bool,
    #[serde(default = "no_protection")]
    pub protection: Protection,
    #[serde(default = "no_over_indebtedness")]
    pub over_indebtedness: OverIndebtedness,
    /// Registered in the FICP (Banque de France).
    #[serde(default)]
    pub ficp: bool,
    /// Payment plans that lapsed for missed instalments.
    #[serde(default)]
    pub plans_broken: u32,
    /// A collection agency returned the file without payment.
    #[serde(default)]
    pub agency_returned_unpaid: bool,
    /// Formal notices and reminders left unanswered.
    #[serde(default)]
    pub unanswered_notices: u32,
    #[serde(default)]
    pub has_plan_active: bool,
}

impl StrategyFacts {
    /// The claim can no longer be sued on, on `today`: foreclosed without a title (C. consom.
    /// R312-35) or time-barred (C. consom. L218-2, CPCE L111-4) — the rules' `time_barred`, and
    /// the condition of a closing as `time_barred`.
    pub fn time_barred(&self, today: NaiveDate) -> bool {
        self.foreclosure_date.filter(|_| !self.has_enforceable_title).is_some_and(|date| date < today)
            || self.limitation_date.is_some_and(|date| date < today)
    }

    /// Takes the capacity and the seizable amounts from a financial assessment.
    pub fn apply_assessment(&mut self, assessment: &AssessmentResult) {
        self.monthly_capacity = assessment.monthly_capacity;
        self.seizable_wage = assessment.seizable_wage_monthly;
        self.bank_seizable = assessment.seizable_bank_balance;
        self.seizable_assets = assessment.other_assets;
    }
}

/// A stable digest of the facts (SHA-256, hex, of their canonical JSON): store it with the
/// recommendation and re-evaluate only when it changes. The recommendation also depends on the
/// evaluation date (ages, months to foreclosure) and on the rules' version, which the caller
/// compares too.
pub fn facts_digest(facts: &StrategyFacts) -> String {
    // The JSON of a struct follows the field order of its declaration, so the text is canonical;
    // the prefix changes the digest if the meaning of the facts ever changes.
    // Invariant: the facts are a plain struct (derived `Serialize`, no map with non-string keys),
    // which serde_json always writes.
    #[allow(clippy::expect_used)]
    let json = serde_json::to_string(facts).expect("facts serialise");
    let mut hasher = Sha256::new();
    hasher.update(b"recouvre-strategy-facts-v1\n");
    hasher.update(json.as_bytes());
    hex::encode(hasher.finalize())
}

/// Whole months from `today` to `date` (CPC 641 arithmetic); `None` when the date is past.
fn months_until(today: NaiveDate, date: NaiveDate) -> Option<u32> {
    if date < today {
        return None;
    }
    let calendar_months = (date.year() - today.year()) * 12 + date.month() as i32 - today.month() as i32;
    let mut months = u32::try_from(calendar_months).unwrap_or(0);
    while months > 0 && add_months_clamped(today, months) > date {
        months -= 1;
    }
    Some(months)
}

/// What the rules test beyond the raw facts, computed once per evaluation.
struct Derived {
    age_days: i64,
    /// Whole months since the claim fell due (0 before).
    age_months: u32,
    /// Foreclosure date still relevant: known, no enforceable title.
    foreclosure_date: Option<NaiveDate>,
    months_to_foreclosure: Option<u32>,
    foreclosed: bool,
    months_to_limitation: Option<u32>,
    limitation_passed: bool,
    plan_months: Option<u32>,
}

impl Derived {
    fn new(facts: &StrategyFacts, today: NaiveDate) -> Derived {
        // Foreclosure bars the action to obtain a title (R312-35); once there is a title, only the
        // title's limitation matters (CPCE L111-4).
        let foreclosure_date = facts.foreclosure_date.filter(|_| !facts.has_enforceable_title);
        Derived {
            age_days: (today - facts.due_on).num_days(),
            age_months: if facts.due_on <= today { months_until(facts.due_on, today).unwrap_or(0) } else { 0 },
            foreclosure_date,
            months_to_foreclosure: foreclosure_date.and_then(|date| months_until(today, date)),
            foreclosed: foreclosure_date.is_some_and(|date| date < today),
            months_to_limitation: facts.limitation_date.and_then(|date| months_until(today, date)),
            limitation_passed: facts.limitation_date.is_some_and(|date| date < today),
            plan_months: months_to_repay(facts.debt, facts.monthly_capacity),
        }
    }
}

// --- Rules (data) ---

/// The conditions of a rule, all optional, all ANDed. The vocabulary is closed: a field not listed
/// here is refused when the rules are read (`deny_unknown_fields`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// The claim's nature is one of these codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nature_in: Option<Vec<ClaimNature>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debt_min: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debt_max: Option<Money>,
    /// Days since the claim fell due (`due_on`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_days_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_days_max: Option<u32>,
    /// A foreclosure date applies (no title), is not past, and is at most N whole months away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_to_foreclosure_max: Option<u32>,
    /// The limitation date is known, not past, and at most N whole months away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_to_limitation_max: Option<u32>,
    /// The foreclosure date (without title) or the limitation date is past.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_barred: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_guarantor: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_enforceable_title: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court_claim_pending: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_in: Option<Vec<Employment>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_min: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_max: Option<Money>,
    /// Months of capacity needed to repay the debt (rounded up) is at least N; always true without
    /// capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_months_min: Option<u32>,
    /// Months of capacity needed to repay the debt (rounded up) is at most N; never true without
    /// capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_months_max: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seizable_wage_min: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seizable_wage_max: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_seizable_min: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_seizable_max: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seizable_assets_min: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seizable_assets_max: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deceased: Option<bool>,
    /// Under guardianship or curatorship (any protection but "none").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over_indebtedness_in: Option<Vec<OverIndebtedness>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ficp: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plans_broken_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plans_broken_max: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_returned_unpaid: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_notices_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_plan_active: Option<bool>,
}

/// `condition` absent, or `test` holds on it.
fn holds<T>(condition: &Option<T>, test: impl FnOnce(&T) -> bool) -> bool {
    condition.as_ref().is_none_or(test)
}

impl Conditions {
    /// No condition at all: the rule matches every case.
    pub fn is_empty(&self) -> bool {
        *self == Conditions::default()
    }

    fn matches(&self, facts: &StrategyFacts, derived: &Derived) -> bool {
        holds(&self.nature_in, |natures| natures.contains(&facts.nature))
            && holds(&self.debt_min, |min| facts.debt >= *min)
            && holds(&self.debt_max, |max| facts.debt <= *max)
            && holds(&self.age_days_min, |min| derived.age_days >= i64::from(*min))
            && holds(&self.age_days_max, |max| derived.age_days <= i64::from(*max))
            && holds(&self.months_to_foreclosure_max, |max| derived.months_to_foreclosure.is_some_and(|m| m <= *max))
            && holds(&self.months_to_limitation_max, |max| derived.months_to_limitation.is_some_and(|m| m <= *max))
            && holds(&self.time_barred, |barred| (derived.foreclosed || derived.limitation_passed) == *barred)
            && holds(&self.has_guarantor, |value| facts.has_guarantor == *value)
            && holds(&self.has_enforceable_title, |value| facts.has_enforceable_title == *value)
            && holds(&self.court_claim_pending, |value| facts.court_claim_pending == *value)
            && holds(&self.employment_in, |list| list.contains(&facts.employment))
            && holds(&self.capacity_min, |min| facts.monthly_capacity >= *min)
            && holds(&self.capacity_max, |max| facts.monthly_capacity <= *max)
            && holds(&self.plan_months_min, |min| derived.plan_months.is_none_or(|months| months >= *min))
            && holds(&self.plan_months_max, |max| derived.plan_months.is_some_and(|months| months <= *max))
            && holds(&self.seizable_wage_min, |min| facts.seizable_wage >= *min)
            && holds(&self.seizable_wage_max, |max| facts.seizable_wage <= *max)
            && holds(&self.bank_seizable_min, |min| facts.bank_seizable >= *min)
            && holds(&self.bank_seizable_max, |max| facts.bank_seizable <= *max)
            && holds(&self.seizable_assets_min, |min| facts.seizable_assets >= *min)
            && holds(&self.seizable_assets_max, |max| facts.seizable_assets <= *max)
            && holds(&self.deceased, |value| facts.deceased == *value)
            && holds(&self.protected, |value| facts.protection.requires_guardian() == *value)
            && holds(&self.over_indebtedness_in, |list| list.contains(&facts.over_indebtedness))
            && holds(&self.ficp, |value| facts.ficp == *value)
            && holds(&self.plans_broken_min, |min| facts.plans_broken >= *min)
            && holds(&self.plans_broken_max, |max| facts.plans_broken <= *max)
            && holds(&self.agency_returned_unpaid, |value| facts.agency_returned_unpaid == *value)
            && holds(&self.unanswered_notices_min, |min| facts.unanswered_notices >= *min)
            && holds(&self.has_plan_active, |value| facts.has_plan_active == *value)
    }

    /// Checks bounds: lists not empty, amounts not negative, each min ≤ its max.
    fn validate(&self) -> Result<(), (String, String)> {
        let fail = |field: &str, reason: String| Err((format!("when.{field}"), reason));
        let empty_list = "la liste est vide : retirer la condition ou y mettre au moins un code".to_string();
        if self.nature_in.as_ref().is_some_and(Vec::is_empty) {
            return fail("nature_in", empty_list);
        }
        if self.employment_in.as_ref().is_some_and(Vec::is_empty) {
            return fail("employment_in", empty_list);
        }
        if self.over_indebtedness_in.as_ref().is_some_and(Vec::is_empty) {
            return fail("over_indebtedness_in", empty_list);
        }
        let amounts = [
            ("debt", self.debt_min, self.debt_max),
            ("capacity", self.capacity_min, self.capacity_max),
            ("seizable_wage", self.seizable_wage_min, self.seizable_wage_max),
            ("bank_seizable", self.bank_seizable_min, self.bank_seizable_max),
            ("seizable_assets", self.seizable_assets_min, self.seizable_assets_max),
        ];
        for (name, min, max) in amounts {
            for (bound, value) in [("min", min), ("max", max)] {
                if let Some(amount) = value.filter(|amount| amount.is_negative()) {
                    return fail(
                        &format!("{name}_{bound}"),
                        format!("le montant ne peut être négatif (reçu {})", amount.to_french()),
                    );
                }
            }
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    return fail(
                        &format!("{name}_min"),
                        format!("le minimum ({}) dépasse le maximum ({})", min.to_french(), max.to_french()),
                    );
                }
            }
        }
        let counts = [
            ("age_days", self.age_days_min, self.age_days_max),
            ("plan_months", self.plan_months_min, self.plan_months_max),
            ("plans_broken", self.plans_broken_min, self.plans_broken_max),
        ];
        for (name, min, max) in counts {
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    return fail(&format!("{name}_min"), format!("le minimum ({min}) dépasse le maximum ({max})"));
                }
            }
        }
        Ok(())
    }
}

/// A next action of a rule: a code for the caller's task list, a French label, a due offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionTemplate {
    /// snake_case code (`prepare_payment_order`).
    pub code: String,
    pub label: String,
    /// Calendar days after the evaluation date (an internal target, not a legal time limit, so
    /// CPC 642 does not move it).
    pub due_in_days: u32,
}

/// One rule of the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StrategyRule {
    /// Unique id ("R1"), recalled in the explanation.
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub when: Conditions,
    pub strategy: Strategy,
    #[serde(default)]
    pub actions: Vec<ActionTemplate>,
    /// French template; `{placeholders}` from [`PLACEHOLDERS`].
    pub explanation: String,
}

/// Thresholds of the warnings added to every recommendation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WarningThresholds {
    /// Warn when the foreclosure date (R312-35) is at most N months away.
    pub foreclosure_months: u32,
    /// Warn when the limitation date is at most N months away.
    pub limitation_months: u32,
}

/// A validated, versioned rule set. Built only by [`StrategyRules::embedded`] or
/// [`StrategyRules::from_toml`], so its last rule always matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrategyRules {
    version: String,
    source: String,
    warnings: WarningThresholds,
    rules: Vec<StrategyRule>,
}

/// The file as written, each rule kept raw so that an error can name the rule it is in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    version: String,
    source: String,
    warnings: WarningThresholds,
    rules: Vec<toml::Value>,
}

/// A rule set refused; the message names the rule and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyRulesError {
    #[error("règles de stratégie illisibles : {0}")]
    Parse(String),
    #[error("règles de stratégie refusées, règle {rule} : {message}")]
    Rule { rule: String, message: String },
    #[error("règles de stratégie refusées, règle {rule}, champ « {field} » : {reason}")]
    RuleField { rule: String, field: String, reason: String },
    #[error("règles de stratégie refusées, champ « {field} » : {reason}")]
    Invalid { field: String, reason: String },
}

/// The placeholders an explanation may use, with what they stand for (French, for the docs and
/// the administration screen).
pub const PLACEHOLDERS: [(&str, &str); 19] = [
    ("debt", "montant dû (1 234,56 €)"),
    ("nature", "nature de la créance (prêt personnel)"),
    ("employment", "situation professionnelle (salarié)"),
    ("age_days", "jours depuis l'exigibilité"),
    ("age_months", "mois entiers depuis l'exigibilité"),
    ("foreclosure_date", "date de forclusion (jj/mm/aaaa)"),
    ("months_to_foreclosure", "mois entiers avant la forclusion"),
    ("limitation_date", "date de prescription (jj/mm/aaaa)"),
    ("months_to_limitation", "mois entiers avant la prescription"),
    ("capacity", "capacité de remboursement mensuelle"),
    ("plan_months", "mois nécessaires pour rembourser à cette capacité"),
    ("seizable_wage", "part saisissable du salaire, par mois"),
    ("bank_seizable", "montant saisissable sur les comptes"),
    ("seizable_assets", "valeur des autres biens saisissables"),
    ("plans_broken", "nombre d'échéanciers rompus"),
    ("unanswered_notices", "nombre de mises en demeure sans réponse"),
    ("over_indebtedness", "situation de surendettement"),
    ("protection", "mesure de protection"),
    ("strategy", "libellé de la stratégie"),
];

/// The `{names}` of a template, or why it is malformed.
fn template_names(template: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("accolade « } » sans accolade ouvrante".to_string());
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| "accolade « { » non fermée".to_string())?;
        let name = &after[..close];
        if name.contains('{') {
            return Err("accolade « { » non fermée".to_string());
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

fn is_code(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && text.as_bytes()[0].is_ascii_lowercase()
}

fn invalid(field: &str, reason: impl Into<String>) -> StrategyRulesError {
    StrategyRulesError::Invalid { field: field.to_string(), reason: reason.into() }
}

fn rule_field(rule: &str, field: &str, reason: impl Into<String>) -> StrategyRulesError {
    StrategyRulesError::RuleField { rule: rule.to_string(), field: field.to_string(), reason: reason.into() }
}

impl StrategyRules {
    /// The defaults embedded in the binary (`crates/domain/data/strategy_rules.toml`).
    ///
    /// Panics only if the embedded file is malformed, which the tests of this module rule out.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> StrategyRules {
        StrategyRules::from_toml(RULES_TOML).expect("embedded strategy rules are valid")
    }

    /// Parses and validates a rule set written in TOML (the layout of `data/strategy_rules.toml`).
    /// An unknown field, strategy or code is refused with the rule's id and the field's name.
    pub fn from_toml(text: &str) -> Result<StrategyRules, StrategyRulesError> {
        let file: RulesFile = toml::from_str(text).map_err(|error| StrategyRulesError::Parse(error.to_string()))?;
        let mut rules = Vec::with_capacity(file.rules.len());
        for (index, raw) in file.rules.into_iter().enumerate() {
            let name = match raw.get("id").and_then(toml::Value::as_str) {
                Some(id) => format!("{id} (n° {})", index + 1),
                None => format!("n° {}", index + 1),
            };
            let rule: StrategyRule = raw.try_into().map_err(|error: toml::de::Error| StrategyRulesError::Rule {
                rule: name,
                message: error.to_string(),
            })?;
            rules.push(rule);
        }
        StrategyRules::new(file.version, file.source, file.warnings, rules)
    }

    /// Builds and validates a rule set (e.g. from an administrator's screen).
    pub fn new(
        version: String,
        source: String,
        warnings: WarningThresholds,
        rules: Vec<StrategyRule>,
    ) -> Result<StrategyRules, StrategyRulesError> {
        let rules = StrategyRules { version, source, warnings, rules };
        rules.validate()?;
        Ok(rules)
    }

    fn validate(&self) -> Result<(), StrategyRulesError> {
        if self.version.trim().is_empty() {
            return Err(invalid("version", "indiquer la version du jeu de règles"));
        }
        if self.source.trim().is_empty() {
            return Err(invalid("source", "indiquer la source (politique de recouvrement, article)"));
        }
        for (field, months) in [
            ("warnings.foreclosure_months", self.warnings.foreclosure_months),
            ("warnings.limitation_months", self.warnings.limitation_months),
        ] {
            if months > MAX_WARNING_MONTHS {
                return Err(invalid(
                    field,
                    format!("le seuil doit être compris entre 0 et {MAX_WARNING_MONTHS} mois (reçu {months})"),
                ));
            }
        }
        if self.rules.is_empty() {
            return Err(invalid("rules", "il faut au moins une règle (la règle par défaut, sans condition)"));
        }
        let known: BTreeSet<&str> = PLACEHOLDERS.iter().map(|(name, _)| *name).collect();
        let mut ids = BTreeSet::new();
        let last = self.rules.len() - 1;
        for (index, rule) in self.rules.iter().enumerate() {
            let id = rule.id.trim();
            if id.is_empty() || id.contains(char::is_whitespace) {
                return Err(invalid(
                    &format!("rules[{index}].id"),
                    format!("l'identifiant de la règle n° {} doit être un mot non vide (R1, R2…)", index + 1),
                ));
            }
            if !ids.insert(id) {
                return Err(rule_field(id, "id", "identifiant déjà utilisé par une autre règle"));
            }
            if rule.label.trim().is_empty() {
                return Err(rule_field(id, "label", "le libellé est vide"));
            }
            if rule.explanation.trim().is_empty() {
                return Err(rule_field(id, "explanation", "l'explication est vide"));
            }
            let names = template_names(&rule.explanation).map_err(|reason| rule_field(id, "explanation", reason))?;
            if let Some(unknown) = names.iter().find(|name| !known.contains(*name)) {
                return Err(rule_field(
                    id,
                    "explanation",
                    format!(
                        "variable « {{{unknown}}} » inconnue ; variables possibles : {}",
                        PLACEHOLDERS.iter().map(|(name, _)| format!("{{{name}}}")).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            rule.when.validate().map_err(|(field, reason)| rule_field(id, &field, reason))?;
            let mut codes = BTreeSet::new();
            for (position, action) in rule.actions.iter().enumerate() {
                let field = format!("actions[{position}]");
                if !is_code(&action.code) {
                    return Err(rule_field(
                        id,
                        &format!("{field}.code"),
                        format!("« {} » n'est pas un code (minuscules, chiffres et _)", action.code),
                    ));
                }
                if !codes.insert(action.code.as_str()) {
                    return Err(rule_field(
                        id,
                        &format!("{field}.code"),
                        format!("action « {} » en double", action.code),
                    ));
                }
                if action.label.trim().is_empty() {
                    return Err(rule_field(id, &format!("{field}.label"), "le libellé est vide"));
                }
                if action.due_in_days > MAX_DUE_IN_DAYS {
                    return Err(rule_field(
                        id,
                        &format!("{field}.due_in_days"),
                        format!(
                            "le délai doit être compris entre 0 et {MAX_DUE_IN_DAYS} jours (reçu {})",
                            action.due_in_days
                        ),
                    ));
                }
            }
            // First match wins: a rule without condition before the end would hide every rule after
            // it, and the last rule must match everything so that there is always a recommendation.
            if index < last && rule.when.is_empty() {
                return Err(rule_field(
                    id,
                    "when",
                    "règle sans condition avant la fin : les règles suivantes ne seraient jamais atteintes",
                ));
            }
            if index == last && !rule.when.is_empty() {
                return Err(rule_field(
                    id,
                    "when",
                    "la dernière règle doit être sans condition (règle par défaut), pour qu'il y ait toujours une recommandation",
                ));
            }
        }
        Ok(())
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn warnings(&self) -> WarningThresholds {
        self.warnings
    }

    /// The rules, in priority order.
    pub fn rules(&self) -> &[StrategyRule] {
        &self.rules
    }
}

// --- Recommendation ---

/// A next action, dated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedAction {
    pub code: String,
    pub label: String,
    pub due_on: NaiveDate,
}

/// What the engine recommends for a case on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    /// The rule that matched first.
    pub rule_id: String,
    pub rule_label: String,
    pub strategy: Strategy,
    pub strategy_label: String,
    /// « règle R5 : … → injonction de payer ».
    pub explanation: String,
    pub actions: Vec<PlannedAction>,
    /// Time limits close or past, special situations the strategy does not handle.
    pub warnings: Vec<String>,
    pub rules_version: String,
    pub evaluated_on: NaiveDate,
    /// [`facts_digest`] of the facts evaluated.
    pub facts_digest: String,
    /// Whole months before the foreclosure (no title, date not past).
    pub months_to_foreclosure: Option<u32>,
    /// Whole months before the limitation (date not past).
    pub months_to_limitation: Option<u32>,
}

/// First letter in lower case, to put a label inside a sentence.
impl Recommendation {
    /// Whether `other` gives the same advice: same rule, strategy and rules' version, and the
    /// same warnings once their countdown ("dans N mois") is set aside — a month passing is not a
    /// new recommendation, a warning appearing, changing date or disappearing is. The nightly run
    /// stores a new recommendation only when the advice differs.
    pub fn same_advice(&self, other: &Recommendation) -> bool {
        fn without_countdown(warning: &str) -> String {
            let mut text = String::with_capacity(warning.len());
            let mut rest = warning;
            while let Some(at) = rest.find("dans ") {
                let after = &rest[at + 5..];
                let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                if digits > 0 && after[digits..].starts_with(" mois") {
                    text.push_str(&rest[..at]);
                    text.push_str("dans … mois");
                    rest = &after[digits + 5..];
                } else {
                    text.push_str(&rest[..at + 5]);
                    rest = after;
                }
            }
            text.push_str(rest);
            text
        }
        self.rule_id == other.rule_id
            && self.strategy == other.strategy
            && self.rules_version == other.rules_version
            && self.warnings.len() == other.warnings.len()
            && self.warnings.iter().zip(&other.warnings).all(|(a, b)| without_countdown(a) == without_countdown(b))
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn months_text(months: Option<u32>, passed: bool) -> String {
    match months {
        Some(months) => months.to_string(),
        None if passed => "0 (date dépassée)".to_string(),
        None => "non déterminé".to_string(),
    }
}

/// The value of a placeholder (validated names only).
fn placeholder(name: &str, facts: &StrategyFacts, derived: &Derived, strategy: Strategy) -> String {
    let date_text = |date: Option<NaiveDate>| date.map_or_else(|| "non déterminée".to_string(), french_date);
    match name {
        "debt" => facts.debt.to_french(),
        "nature" => lower_first(facts.nature.label()),
        "employment" => lower_first(facts.employment.label()),
        "age_days" => derived.age_days.to_string(),
        "age_months" => derived.age_months.to_string(),
        "foreclosure_date" if facts.has_enforceable_title && facts.foreclosure_date.is_some() => {
            "sans objet (titre exécutoire)".to_string()
        }
        "foreclosure_date" => date_text(derived.foreclosure_date),
        "months_to_foreclosure" => months_text(derived.months_to_foreclosure, derived.foreclosed),
        "limitation_date" => date_text(facts.limitation_date),
        "months_to_limitation" => months_text(derived.months_to_limitation, derived.limitation_passed),
        "capacity" => facts.monthly_capacity.to_french(),
        "plan_months" => {
            derived.plan_months.map_or_else(|| "sans objet (aucune capacité)".to_string(), |m| m.to_string())
        }
        "seizable_wage" => facts.seizable_wage.to_french(),
        "bank_seizable" => facts.bank_seizable.to_french(),
        "seizable_assets" => facts.seizable_assets.to_french(),
        "plans_broken" => facts.plans_broken.to_string(),
        "unanswered_notices" => facts.unanswered_notices.to_string(),
        "over_indebtedness" => lower_first(facts.over_indebtedness.label()),
        "protection" => lower_first(facts.protection.label()),
        "strategy" => lower_first(strategy.label()),
        other => format!("{{{other}}}"),
    }
}

fn render(template: &str, facts: &StrategyFacts, derived: &Derived, strategy: Strategy) -> String {
    let mut text = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                text.push_str(&placeholder(&after[..close], facts, derived, strategy));
                rest = &after[close + 1..];
            }
            None => {
                text.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    text.push_str(rest);
    text
}

/// Warnings that hold whatever rule wins: close or past time limits (R312-35, L218-2, L111-4) and
/// special situations the winning strategy does not handle.
fn warnings(rules: &StrategyRules, facts: &StrategyFacts, derived: &Derived, strategy: Strategy) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(date) = derived.foreclosure_date {
        if derived.foreclosed {
            warnings.push(format!(
                "Forclusion acquise le {} (C. consom. R312-35) : l'action en paiement n'est plus recevable.",
                french_date(date)
            ));
        } else if let Some(months) = derived.months_to_foreclosure.filter(|m| *m <= rules.warnings.foreclosure_months) {
            warnings.push(format!(
                "Forclusion le {}, dans {months} mois (C. consom. R312-35) : la demande en justice doit être formée avant.",
                french_date(date)
            ));
        }
    }
    if let Some(date) = facts.limitation_date {
        if derived.limitation_passed {
            warnings.push(format!(
                "Prescription acquise le {} : la créance ne peut plus être poursuivie en justice.",
                french_date(date)
            ));
        } else if let Some(months) = derived.months_to_limitation.filter(|m| *m <= rules.warnings.limitation_months) {
            warnings.push(format!(
                "Prescription le {}, dans {months} mois : l'interrompre avant (demande en justice, acte d'exécution ou reconnaissance de dette, C. civ. 2240, 2241, 2244 ; une mise en demeure ne suffit pas).",
                french_date(date)
            ));
        }
    }
    match facts.over_indebtedness {
        OverIndebtedness::Filed => warnings.push(
            "Dossier de surendettement déposé : sa recevabilité suspendra et interdira les procédures d'exécution (C. consom. L722-2)."
                .to_string(),
        ),
        OverIndebtedness::Admissible
        | OverIndebtedness::Measures
        | OverIndebtedness::PersonalRecovery
        | OverIndebtedness::DebtRelief
            if strategy.is_enforcement() => warnings.push(format!(
            "Surendettement ({}) : les procédures d'exécution sont suspendues et interdites (C. consom. L722-2) ; ne pas engager « {} ».",
            lower_first(facts.over_indebtedness.label()),
            lower_first(strategy.label()),
        )),
        _ => {}
    }
    if facts.protection.requires_guardian() && strategy != Strategy::ProtectedAdultAmicable {
        warnings.push(format!(
            "Majeur protégé ({}) : tout courrier, acte et accord va au tuteur ou au curateur, ou est contresigné par lui.",
            lower_first(facts.protection.label())
        ));
    }
    if facts.deceased && strategy != Strategy::EstateClaim {
        warnings.push("Débiteur décédé : la créance se déclare à la succession (notaire).".to_string());
    }
    warnings
}

/// Recommends a strategy for the facts on `today`: the **first** rule, in the rule set's order,
/// whose conditions all hold. The explanation reads « règle {id} : {template filled} → {strategy} »;
/// the actions are dated `today + due_in_days`; the warnings apply whatever rule won.
// Invariant: `StrategyRules` are only built through validation, which refuses an empty rule set.
#[allow(clippy::expect_used)]
pub fn recommend(rules: &StrategyRules, facts: &StrategyFacts, today: NaiveDate) -> Recommendation {
    let derived = Derived::new(facts, today);
    if !facts.debt.is_positive() {
        return paid_off(rules, facts, today, &derived);
    }
    let rule = rules
        .rules
        .iter()
        .find(|rule| rule.when.matches(facts, &derived))
        // Validation makes the last rule unconditional, so `find` always succeeds.
        .unwrap_or_else(|| rules.rules.last().expect("a validated rule set is not empty"));
    let strategy = rule.strategy;
    let explanation = format!(
        "règle {} : {} → {}",
        rule.id,
        render(&rule.explanation, facts, &derived, strategy),
        lower_first(strategy.label())
    );
    let actions = rule
        .actions
        .iter()
        .map(|action| PlannedAction {
            code: action.code.clone(),
            label: action.label.clone(),
            due_on: today + Duration::days(i64::from(action.due_in_days)),
        })
        .collect();
    Recommendation {
        rule_id: rule.id.clone(),
        rule_label: rule.label.clone(),
        strategy,
        strategy_label: strategy.label().to_string(),
        explanation,
        actions,
        warnings: warnings(rules, facts, &derived, strategy),
        rules_version: rules.version.clone(),
        evaluated_on: today,
        facts_digest: facts_digest(facts),
        months_to_foreclosure: derived.months_to_foreclosure,
        months_to_limitation: derived.months_to_limitation,
    }
}

/// The id of the built-in advice for a case that owes nothing.
pub const PAID_OFF_RULE_ID: &str = "R0";

/// A case that owes nothing is advised to close, before any rule of the file is read: no rule
/// set, however edited, may send a formal notice or a seizure for a debt that is paid (C. civ.
/// 1342: payment extinguishes the obligation). Closing as `repaid`, `settled` or `written_off`
/// is the officer's act (`recouvre_domain::closure`), offered by the case page.
fn paid_off(rules: &StrategyRules, facts: &StrategyFacts, today: NaiveDate, derived: &Derived) -> Recommendation {
    let strategy = Strategy::Closure;
    let explanation = format!(
        "règle {PAID_OFF_RULE_ID} : plus rien n'est dû sur le dossier ({}) → {}",
        render("{debt}", facts, derived, strategy),
        lower_first(strategy.label())
    );
    Recommendation {
        rule_id: PAID_OFF_RULE_ID.to_string(),
        rule_label: "Solde nul : clôturer le dossier".to_string(),
        strategy,
        strategy_label: strategy.label().to_string(),
        explanation,
        actions: vec![PlannedAction {
            code: "close_case".to_string(),
            label: "Clôturer le dossier (remboursé, ou transaction, ou passage en pertes selon le cas)".to_string(),
            due_on: today,
        }],
        // The time limits no longer matter once nothing is owed.
        warnings: Vec::new(),
        rules_version: rules.version.clone(),
        evaluated_on: today,
        facts_digest: facts_digest(facts),
        months_to_foreclosure: derived.months_to_foreclosure,
        months_to_limitation: derived.months_to_limitation,
    }
}

#[cfg(test)]
mod tests;
