//! The acts of the workflow on a case: each one quotes the case version its author saw.

use chrono::NaiveDate;
use recouvre_domain::assessment::{Assessment, AssessmentResult, Assets, Charges, Household, Incomes};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::Breakdown;
use recouvre_domain::procedure::{ProcedureKind, Step, StepInput, Transition};
use recouvre_domain::strategy::Strategy;
use recouvre_domain::Money;
use recouvre_store::procedure_steps::{StepInvoice, StepRequest};
use recouvre_store::workflow::{PlanOutcome, PlanProposal, WaiverOutcome};
use serde::Deserialize;

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// What the debtor owes on the case now, by component; 404 for an unknown case.
async fn amounts_due(app: &App, case_id: i64) -> Result<Breakdown> {
    if recouvre_store::cases::debtor_of(app.store(), case_id).await?.is_none() {
        return Err(Error::not_found(format!("le dossier n° {case_id}")));
    }
    Ok(recouvre_store::ledger::balances(app.store(), case_id).await?.due())
}

// ---------------------------------------------------------------------------------------------
// Assessment and recommendation

/// A financial assessment as the officer enters it; the debt assessed is the case's balance.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    pub assessed_on: NaiveDate,
    #[serde(default)]
    pub incomes: Incomes,
    #[serde(default)]
    pub charges: Charges,
    pub household: Household,
    #[serde(default)]
    pub assets: Assets,
    #[serde(default)]
    pub employer: Option<String>,
}

/// What an assessment computed, and the case's version after it (and after the strategy engine
/// re-evaluated).
#[derive(Clone, Debug)]
pub struct AssessmentOutcome {
    pub result: AssessmentResult,
    pub version: i64,
}

/// Records a financial assessment (bilan) of the case's debtor, then re-evaluates the strategy.
pub async fn record_assessment(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &AssessmentInput,
) -> Result<AssessmentOutcome> {
    actor.require(Permission::WorkCases)?;
    let assessed_on = limits::past_date("assessed_on", input.assessed_on, app.today())?;
    for (field, amount) in [
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
    ] {
        limits::amount_within_limit(field, amount)?;
    }
    let employer = match &input.employer {
        None => None,
        Some(employer) => {
            Some(limits::text("employer", employer, SHORT_TEXT_CHARS_MAX, false)?).filter(|text| !text.is_empty())
        }
    };
    let assessment = Assessment {
        assessed_on,
        debt: amounts_due(app, case_id).await?.total(),
        incomes: input.incomes,
        charges: input.charges,
        household: input.household,
        assets: input.assets,
        employer,
    };
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    let (result, version) = recouvre_store::workflow::record_assessment(
        app.store(),
        case_id,
        Some(version),
        &assessment,
        &app.reference(),
        &rules,
        &actor.login,
        app.now(),
    )
    .await?;
    Ok(AssessmentOutcome { result, version })
}

/// The officer's decision on a recommendation.
#[derive(Clone, Debug)]
pub struct DecisionInput {
    pub recommendation_id: i64,
    /// Another strategy to follow instead; `None` accepts the recommendation.
    pub override_with: Option<Strategy>,
    /// Why the recommendation is set aside (required then).
    pub reason: String,
}

/// Accepts the recommendation, or overrides it with another strategy and a reason (both
/// journaled); returns the case's new version.
pub async fn decide_recommendation(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &DecisionInput,
) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let reason = limits::text("reason", &input.reason, LONG_TEXT_CHARS_MAX, true)?;
    if input.override_with.is_some() && reason.is_empty() {
        return Err(Error::invalid("reason", "required", "indiquez pourquoi vous écartez la recommandation"));
    }
    Ok(recouvre_store::workflow::decide_recommendation(
        app.store(),
        case_id,
        Some(version),
        input.recommendation_id,
        input.override_with,
        &reason,
        &actor.login,
        app.now(),
    )
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Procedures

/// A step on one of the case's procedures.
#[derive(Clone, Debug)]
pub struct StepCommand {
    pub kind: ProcedureKind,
    pub step: Step,
    /// The day the act took place.
    pub on: NaiveDate,
    pub input: StepInput,
    /// The bailiff, lawyer, agency, notary… acting: the costs are paid to them.
    pub third_party_id: Option<i64>,
    /// The invoice of the step's costs (reference, date, bank details), when given.
    pub invoice: StepInvoice,
    /// The VAT rate of the step's costs (`standard`, `not_subject`): with it, `input.costs` is the
    /// amount excluding VAT and the cost's total adds the VAT (docs/costs.md); without it, the
    /// costs are outside VAT. The invoice's VAT, if typed, must match the computed one.
    pub vat_rate: Option<String>,
    pub vat: Option<Money>,
}

/// A step applied: what followed from it, and the case's version after it.
#[derive(Clone, Debug)]
pub struct StepOutcome {
    pub transition: Transition,
    pub version: i64,
}

/// Applies a procedure step. The store judges it in the case's one procedure context (the facts
/// the step form and the API offer steps from); an impossible step is refused (409) saying why —
/// the rule or article — and what is possible.
pub async fn apply_step(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    command: &StepCommand,
) -> Result<StepOutcome> {
    actor.require(Permission::WorkCases)?;
    let today = app.today();
    let on = limits::past_date("on", command.on, today)?;
    let mut input = command.input.clone();
    if let Some(costs) = input.costs {
        input.costs = Some(limits::amount_within_limit("costs", costs)?);
    }
    if let Some(amount) = input.amount {
        input.amount = Some(limits::amount_within_limit("amount", amount)?);
    }
    if let Some(scheduled_on) = input.scheduled_on {
        // A hearing or a sale may be recorded after it took place.
        input.scheduled_on = Some(limits::any_date("scheduled_on", scheduled_on, today)?);
    }
    let (iban, bic) = crate::costs::bank_details(&command.invoice.iban, &command.invoice.bic)?;
    let reference = match command.invoice.reference.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        Some(reference) => {
            Some(limits::required_text("invoice_reference", reference, limits::SHORT_TEXT_CHARS_MAX, false)?)
        }
        None => None,
    };
    let date = match command.invoice.date {
        Some(date) => Some(limits::past_date("invoice_date", date, today)?),
        None => None,
    };
    let amounts = match input.costs.filter(|costs| costs.is_positive()) {
        Some(costs) if command.vat_rate.as_deref().is_some_and(|rate| !rate.trim().is_empty()) => {
            Some(crate::costs::invoice_amounts(
                &crate::costs::VatLines {
                    amount: None,
                    excl: Some(costs),
                    rate: command.vat_rate.as_deref(),
                    vat: command.vat,
                },
                date.unwrap_or(on),
                "costs",
            )?)
        }
        _ if command.vat.is_some() => {
            return Err(crate::Error::invalid(
                "vat_rate",
                "required",
                "vat_rate : indiquez le taux de TVA des frais (standard, ou not_subject) avec leur TVA",
            ))
        }
        _ => None,
    };
    let invoice = StepInvoice { reference, date, iban, bic, amounts };
    let request = StepRequest {
        kind: command.kind,
        step: command.step,
        on,
        input,
        third_party_id: command.third_party_id,
        invoice,
    };
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    let (transition, version) = recouvre_store::procedure_steps::apply_step(
        app.store(),
        case_id,
        Some(version),
        &request,
        &rules,
        actor.store_actor(),
        app.now(),
    )
    .await?;
    Ok(StepOutcome { transition, version })
}

// ---------------------------------------------------------------------------------------------
// Payment plans

/// The schedule of a plan.
#[derive(Clone, Debug)]
pub enum PlanSchedule {
    /// The instalments agreed, in order: (due date, amount).
    Instalments(Vec<(NaiveDate, Money)>),
    /// Monthly instalments of at most `monthly` paying off the case's whole debt, the first on
    /// `first_due`, in at most `months` (the payment-plan calculator).
    Monthly { monthly: Money, first_due: NaiveDate, months: u32 },
}

/// A payment plan agreed with the debtor.
#[derive(Clone, Debug)]
pub struct PlanInput {
    pub schedule: PlanSchedule,
    /// For a protected adult: the guardian or curator countersigned the agreement.
    pub guardian_countersigned: bool,
    /// Paid by direct debit under this mandate of the case (issue 21): it must be the case's
    /// active mandate; the instalments are then collected by `recouvre export direct-debits`.
    pub mandate_id: Option<i64>,
}

/// Proposes a payment plan agreed with the debtor: in force at once within the proposer's
/// delegation, else an approval request someone else decides (four eyes).
pub async fn propose_plan(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &PlanInput,
) -> Result<PlanOutcome> {
    actor.require(Permission::WorkCases)?;
    let today = app.today();
    let instalments = match &input.schedule {
        PlanSchedule::Instalments(lines) => {
            let mut checked = Vec::with_capacity(lines.len());
            for (due_on, amount) in lines {
                checked.push((
                    limits::planned_date("instalments", *due_on, today)?,
                    limits::positive_amount("instalments", *amount)?,
                ));
            }
            checked
        }
        PlanSchedule::Monthly { monthly, first_due, months } => {
            let monthly = limits::positive_amount("monthly", *monthly)?;
            let first_due = limits::planned_date("first_due", *first_due, today)?;
            let debt = amounts_due(app, case_id).await?.total();
            // No interest during the plan (the bank's usual agreement; C. civ. 1343-5 caps it at
            // two years when a judge grants it).
            let plan = recouvre_domain::payment_plan::build_payment_plan(
                debt,
                monthly,
                first_due,
                *months,
                rust_decimal::Decimal::ZERO,
            )
            .map_err(|error| Error::invalid("months", "invalid_schedule", error.to_string()))?;
            plan.instalments.iter().map(|instalment| (instalment.due, instalment.amount)).collect()
        }
    };
    // A plan schedules what the debtor owes, never more: a plan above the debt would book a
    // receivable the bank does not hold (issue 23: 229,567 € scheduled on a 518 € debt).
    if recouvre_store::cases::detail(app.store(), case_id).await?.status == recouvre_domain::case::CaseStatus::Closed {
        return Err(Error::invalid(
            "case",
            "case_closed",
            format!("le dossier n° {case_id} est clos : rouvrez-le avant de proposer un échéancier"),
        ));
    }
    let scheduled = instalments.iter().try_fold(Money::ZERO, |total, (_, amount)| total.checked_add(*amount));
    let debt = amounts_due(app, case_id).await?.total();
    if scheduled.is_none_or(|scheduled| scheduled > debt) {
        return Err(Error::invalid(
            "instalments",
            "above_debt",
            format!(
                "l'échéancier totalise plus que la dette ({}) : réduisez les montants des échéances",
                debt.to_french()
            ),
        ));
    }

    if let Some(mandate_id) = input.mandate_id {
        crate::direct_debits::check_plan_mandate(app, case_id, mandate_id).await?;
    }
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    let proposal = PlanProposal { instalments: &instalments, guardian_countersigned: input.guardian_countersigned };
    Ok(recouvre_store::workflow::propose_plan(
        app.store(),
        case_id,
        Some(version),
        &proposal,
        &rules,
        actor.store_actor(),
        app.now(),
    )
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Waivers

/// What is waived.
#[derive(Clone, Debug)]
pub enum WaiverAmounts {
    /// By component, as the ledger holds them.
    Breakdown(Breakdown),
    /// Interest as one amount, taken from contractual interest first, then statutory interest
    /// (the case page's form).
    Interest { interest: Money, costs: Money, principal: Money },
}

/// A waiver (remise) proposed by the officer.
#[derive(Clone, Debug)]
pub struct WaiverInput {
    pub amounts: WaiverAmounts,
    pub reason: String,
}

/// Proposes a waiver: booked at once within the proposer's delegation (euros and percent of the
/// debt), else an approval request.
pub async fn propose_waiver(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &WaiverInput,
) -> Result<WaiverOutcome> {
    actor.require(Permission::WorkCases)?;
    let amounts = match &input.amounts {
        WaiverAmounts::Breakdown(amounts) => *amounts,
        WaiverAmounts::Interest { interest, costs, principal } => {
            let due = amounts_due(app, case_id).await?;
            let contractual = (*interest).min(due.contractual_interest);
            Breakdown {
                principal: *principal,
                contractual_interest: contractual,
                statutory_interest: *interest - contractual,
                costs: *costs,
                penalties: Money::ZERO,
            }
        }
    };
    for (field, amount) in [
        ("principal", amounts.principal),
        ("contractual_interest", amounts.contractual_interest),
        ("statutory_interest", amounts.statutory_interest),
        ("costs", amounts.costs),
        ("penalties", amounts.penalties),
    ] {
        limits::amount_within_limit(field, amount)?;
    }
    let reason = limits::required_text("reason", &input.reason, LONG_TEXT_CHARS_MAX, true).map_err(|error| {
        if error.code == "required" {
            Error::invalid("reason", "required", "indiquez le motif de la remise")
        } else {
            error
        }
    })?;
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    Ok(recouvre_store::workflow::propose_waiver(
        app.store(),
        case_id,
        Some(version),
        &amounts,
        &reason,
        &rules,
        actor.store_actor(),
        app.now(),
    )
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Exchanges with third parties

/// Records an exchange with a third party of the directory on the case's timeline; returns the
/// case's new version.
pub async fn record_exchange(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    third_party_id: i64,
    summary: &str,
) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let summary = limits::required_text("summary", summary, LONG_TEXT_CHARS_MAX, true).map_err(|error| {
        if error.code == "required" {
            Error::invalid("summary", "required", "résumez l'échange (objet, réponse, suite à donner)")
        } else {
            error
        }
    })?;
    Ok(recouvre_store::workflow::record_exchange(
        app.store(),
        case_id,
        Some(version),
        third_party_id,
        &summary,
        &actor.login,
        app.now(),
    )
    .await?)
}
