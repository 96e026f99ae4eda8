//! The calculators ("calculettes") as JSON in, JSON out: one request and one answer type and one
//! pure function per calculator, and [`run`] dispatching by name. The CLI (`recouvre calc <name>`)
//! and the API (`POST /api/v1/calc/<name>`) are thin shells around this module, so both accept the
//! same fields: the snake_case of the CLI flags (`--monthly-net` → `monthly_net`).
//!
//! Amounts are strings with two decimals (`"478.61"`), dates ISO (`"2026-05-11"`), rates strings
//! (`"3.71"`). Every answer names the article it applies. A bad, missing or unknown argument, or a
//! date the reference data does not cover, is a [`CalcError`] naming the argument.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::allocation::{allocate_payment as allocate, AllocationError, AllocationOrder, AmountsDue};
use crate::calendar::{deadline as compute_deadline, non_working_reason, Region};
use crate::foreclosure::{foreclosure_status, ForeclosureError, Instalment, Payment, UnpaidInstalment};
use crate::garnishment::{self, BandShare, GarnishmentError};
use crate::payment_plan::{build_payment_plan, PlanError, PlannedInstalment, DEFAULT_MAX_INSTALMENTS};
use crate::reference::{ReferenceData, ReferenceError, Semester};
use crate::statutory_interest::{statutory_interest, CreditorCategory, InterestError, InterestPeriod};
use crate::time_bar::{
    time_bar as compute_time_bar, ScheduledInstalment, TimeBar, TimeBarEvent, TimeBarEventKind, TimeBarInput,
    TimeBarKind,
};
use crate::Money;

/// The calculators' names, as in `recouvre calc <name>` and `/api/v1/calc/<name>`.
pub const CALCULATORS: [&str; 8] = [
    "seizable-wage",
    "unseizable-balance",
    "legal-interest",
    "deadline",
    "foreclosure",
    "allocate-payment",
    "payment-plan",
    "time-bar",
];

/// What went wrong, for the caller to choose an exit code or an HTTP status.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CalcErrorKind {
    /// No calculator by that name.
    UnknownCalculator,
    /// A required argument is absent.
    MissingArgument,
    /// An argument is not of the expected form or value.
    InvalidArgument,
    /// An argument the calculator does not know (a typo, usually).
    UnknownArgument,
    /// A date the reference data does not cover: an administrator must enter the value.
    NotCovered,
    /// The inputs are valid but admit no answer (a payment plan the capacity cannot fund).
    Infeasible,
}

/// A calculator's refusal, naming the argument at fault (`argument: message`, in French).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{argument}: {message}")]
pub struct CalcError {
    pub kind: CalcErrorKind,
    /// The request field (snake_case), or `name` for an unknown calculator.
    pub argument: String,
    pub message: String,
    /// Figures helping the caller (e.g. the minimum monthly capacity of a plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl CalcError {
    fn new(kind: CalcErrorKind, argument: &str, message: impl Into<String>) -> CalcError {
        CalcError { kind, argument: argument.to_string(), message: message.into(), details: None }
    }

    fn invalid(argument: &str, message: impl Into<String>) -> CalcError {
        CalcError::new(CalcErrorKind::InvalidArgument, argument, message)
    }

    fn not_covered(argument: &str, error: ReferenceError) -> CalcError {
        CalcError::new(CalcErrorKind::NotCovered, argument, error.to_string())
    }
}

// --- Requests and answers ---

/// `seizable-wage`: seizable part of a monthly net pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeizableWageRequest {
    pub monthly_net: Money,
    #[serde(default)]
    pub dependants: u32,
    pub on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeizableWageResponse {
    pub seizable_monthly: Money,
    pub unseizable_floor: Money,
    pub seizable_monthly_by_bands: Money,
    pub limited_by_floor: bool,
    pub monthly_net: Money,
    pub annual_net: Money,
    pub dependants: u32,
    pub on: NaiveDate,
    pub bands: Vec<BandShare>,
    pub bands_source: String,
    pub floor_source: String,
    pub article: String,
}

/// `unseizable-balance`: the SBI in force on a date; with `balance`, what a seizure can take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnseizableBalanceRequest {
    pub on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnseizableBalanceResponse {
    pub amount: Money,
    pub on: NaiveDate,
    /// First and last day of validity of the amount.
    pub from: NaiveDate,
    pub until: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Money>,
    /// Seizable part of `balance`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seizable: Option<Money>,
    pub source: String,
    pub article: String,
}

/// `legal-interest`: statutory interest on a principal between two dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalInterestRequest {
    pub principal: Money,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub creditor: CreditorCategory,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judgment_served_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InterestPeriodAnswer {
    pub from: NaiveDate,
    /// Excluded.
    pub to: NaiveDate,
    /// % per year, e.g. "3.71".
    pub rate: String,
    pub days: u32,
    /// Rounded for display: the periods may not add up to the total by a cent.
    pub interest: Money,
    /// e.g. "2025-1".
    pub semester: String,
    pub increased: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalInterestResponse {
    /// Exact sum of the daily interest, rounded half-up to the cent once.
    pub interest: Money,
    pub periods: Vec<InterestPeriodAnswer>,
    pub principal: Money,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub creditor: CreditorCategory,
    pub increase_from: Option<NaiveDate>,
    pub article: String,
    pub sources: Vec<String>,
}

/// `deadline`: end of a time limit of months then days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineRequest {
    pub from: NaiveDate,
    #[serde(default)]
    pub months: u32,
    #[serde(default)]
    pub days: u32,
    #[serde(default)]
    pub alsace_moselle: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineResponse {
    pub due: NaiveDate,
    pub nominal: NaiveDate,
    pub extended: bool,
    /// Why the nominal day is not a working day, when extended.
    pub reason: Option<String>,
    pub from: NaiveDate,
    pub months: u32,
    pub days: u32,
    pub alsace_moselle: bool,
    pub article: String,
}

/// `foreclosure`: first unregularised incident and foreclosure date of a consumer credit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForeclosureRequest {
    pub instalments: Vec<Instalment>,
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Date of the analysis (the CLI and the API default it to today).
    pub as_of: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForeclosureResponse {
    pub first_unregularised_incident: Option<NaiveDate>,
    pub foreclosure_date: Option<NaiveDate>,
    pub as_of: NaiveDate,
    pub due_total: Money,
    pub paid_total: Money,
    pub unpaid_total: Money,
    pub unallocated: Money,
    pub unpaid_instalments: Vec<UnpaidInstalment>,
    pub article: String,
}

/// `allocate-payment`: allocation of a payment over costs, interest and principal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocatePaymentRequest {
    pub amount: Money,
    #[serde(default)]
    pub costs: Money,
    #[serde(default)]
    pub interest: Money,
    #[serde(default)]
    pub principal: Money,
    #[serde(default)]
    pub capital_first: bool,
}

/// Exactly these four fields (the interface of issue 3 shows no others).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocatePaymentResponse {
    pub costs: Money,
    pub interest: Money,
    pub principal: Money,
    pub unallocated: Money,
}

/// `payment-plan`: monthly instalments within a capacity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentPlanRequest {
    pub debt: Money,
    pub monthly_capacity: Money,
    pub first_due: NaiveDate,
    #[serde(default = "default_max_instalments")]
    pub max_instalments: u32,
    /// Annual rate in %, e.g. "0" or "3.5".
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "0"))]
    pub annual_rate: Decimal,
}

fn default_max_instalments() -> u32 {
    DEFAULT_MAX_INSTALMENTS
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentPlanResponse {
    pub instalments: Vec<PlannedInstalment>,
    pub total: Money,
    pub debt: Money,
    pub interest_total: Money,
    pub count: u32,
    pub monthly_capacity: Money,
    pub max_instalments: u32,
    pub annual_rate: String,
    pub article: String,
}

/// `time-bar`: a claim's limitation and foreclosure from its history (issue 18; conventions in
/// `recouvre_domain::time_bar`). The request is `{"kind", "start", "instalments"?, "events"?}`.
pub type TimeBarRequest = TimeBarInput;

/// `limitation_date`, `foreclosure_date`, `decided_by` and the details of the computation.
pub type TimeBarResponse = TimeBar;

// --- The calculators ---

/// Seizable part of wages (Code du travail R3252-2, R3252-3, R3252-5).
pub fn seizable_wage(
    request: &SeizableWageRequest,
    reference: &ReferenceData,
) -> Result<SeizableWageResponse, CalcError> {
    let result = garnishment::seizable_wage(request.monthly_net, request.dependants, request.on, reference).map_err(
        |error| match error {
            GarnishmentError::Reference(error) => CalcError::not_covered("on", error),
            other => CalcError::invalid("monthly_net", other.to_string()),
        },
    )?;
    Ok(SeizableWageResponse {
        seizable_monthly: result.seizable_monthly,
        unseizable_floor: result.unseizable_floor,
        seizable_monthly_by_bands: result.seizable_monthly_by_bands,
        limited_by_floor: result.limited_by_floor,
        monthly_net: request.monthly_net,
        annual_net: result.annual_net,
        dependants: request.dependants,
        on: request.on,
        bands: result.bands,
        bands_source: result.bands_source,
        floor_source: result.floor_source,
        article: "Code du travail R3252-2, R3252-3, R3252-5".to_string(),
    })
}

/// Unseizable bank balance in force, and what a bank-account seizure can take (CPCE L162-2, R162-2).
pub fn unseizable_balance(
    request: &UnseizableBalanceRequest,
    reference: &ReferenceData,
) -> Result<UnseizableBalanceResponse, CalcError> {
    let in_force = reference.unseizable_balance_on(request.on).map_err(|error| CalcError::not_covered("on", error))?;
    let seizable = match request.balance {
        None => None,
        Some(balance) => Some(
            garnishment::seizable_bank_balance(balance, request.on, reference)
                .map_err(|error| CalcError::invalid("balance", error.to_string()))?,
        ),
    };
    Ok(UnseizableBalanceResponse {
        amount: in_force.amount,
        on: request.on,
        from: in_force.from,
        until: in_force.until,
        balance: request.balance,
        seizable,
        source: in_force.source,
        article: "CPCE L162-2, R162-2".to_string(),
    })
}

/// A rate for display: at least two decimals ("3.71", "0.90", "5.00").
fn rate_text(rate: Decimal) -> String {
    let mut shown = rate.normalize();
    if shown.scale() < 2 {
        shown.rescale(2);
    }
    shown.to_string()
}

/// Statutory interest (CMF L313-2; +5 points after a served judgment, L313-3).
pub fn legal_interest(
    request: &LegalInterestRequest,
    reference: &ReferenceData,
) -> Result<LegalInterestResponse, CalcError> {
    let result = statutory_interest(
        request.principal,
        request.from,
        request.to,
        request.creditor,
        request.judgment_served_on,
        reference,
    )
    .map_err(|error| match error {
        InterestError::EndBeforeStart { .. } => CalcError::invalid("to", error.to_string()),
        InterestError::NegativePrincipal(_) | InterestError::Money(_) => {
            CalcError::invalid("principal", error.to_string())
        }
        InterestError::Reference(error) => {
            let uncovered_from = matches!(error, ReferenceError::MissingStatutoryRate { semester } if semester == Semester::of(request.from));
            CalcError::not_covered(if uncovered_from { "from" } else { "to" }, error)
        }
    })?;
    let mut sources: Vec<String> = Vec::new();
    for period in &result.periods {
        let source =
            &reference.statutory_rate(period.semester).map_err(|error| CalcError::not_covered("to", error))?.source;
        if !sources.contains(source) {
            sources.push(source.clone());
        }
    }
    let periods = result.periods.iter().map(period_answer).collect();
    Ok(LegalInterestResponse {
        interest: result.interest,
        periods,
        principal: request.principal,
        from: request.from,
        to: request.to,
        creditor: request.creditor,
        increase_from: result.increase_from,
        article: "Code monétaire et financier L313-2, L313-3".to_string(),
        sources,
    })
}

fn period_answer(period: &InterestPeriod) -> InterestPeriodAnswer {
    InterestPeriodAnswer {
        from: period.from,
        to: period.to,
        rate: rate_text(period.rate),
        days: period.days,
        interest: period.interest,
        semester: period.semester.code(),
        increased: period.increased,
    }
}

/// Longest time limit the calculator computes, in months (100 years).
pub const DEADLINE_MONTHS_MAX: u32 = 1_200;
/// Longest time limit the calculator computes, in days (about 100 years).
pub const DEADLINE_DAYS_MAX: u32 = 36_500;

/// End of a time limit (CPC art. 641 and 642).
pub fn deadline(request: &DeadlineRequest) -> Result<DeadlineResponse, CalcError> {
    // Bounded before any date arithmetic (issue 22: `months: 2147483648` overflowed the calendar
    // and panicked the request); no procedural time limit comes near a century.
    if request.months > DEADLINE_MONTHS_MAX {
        return Err(CalcError::invalid(
            "months",
            format!("au plus {DEADLINE_MONTHS_MAX} mois : vérifiez la durée du délai"),
        ));
    }
    if request.days > DEADLINE_DAYS_MAX {
        return Err(CalcError::invalid(
            "days",
            format!("au plus {DEADLINE_DAYS_MAX} jours : vérifiez la durée du délai"),
        ));
    }
    let region = if request.alsace_moselle { Region::AlsaceMoselle } else { Region::General };
    let limit = compute_deadline(request.from, request.months, request.days, region);
    Ok(DeadlineResponse {
        due: limit.due,
        nominal: limit.nominal,
        extended: limit.extended,
        reason: non_working_reason(limit.nominal, region),
        from: request.from,
        months: request.months,
        days: request.days,
        alsace_moselle: request.alsace_moselle,
        article: if request.alsace_moselle {
            "Code de procédure civile art. 641 et 642 ; Code du travail L3133-1, L3134-13".to_string()
        } else {
            "Code de procédure civile art. 641 et 642 ; Code du travail L3133-1".to_string()
        },
    })
}

/// Foreclosure of a consumer credit claim (C. consom. R312-35).
pub fn foreclosure(request: &ForeclosureRequest) -> Result<ForeclosureResponse, CalcError> {
    let status =
        foreclosure_status(&request.instalments, &request.payments, request.as_of).map_err(|error| match error {
            ForeclosureError::BadInstalment { .. } => CalcError::invalid("instalments", error.to_string()),
            ForeclosureError::BadPayment { .. } => CalcError::invalid("payments", error.to_string()),
        })?;
    Ok(ForeclosureResponse {
        first_unregularised_incident: status.first_unregularised_incident,
        foreclosure_date: status.foreclosure_date,
        as_of: status.as_of,
        due_total: status.due_total,
        paid_total: status.paid_total,
        unpaid_total: status.unpaid_total,
        unallocated: status.unallocated,
        unpaid_instalments: status.unpaid_instalments,
        article: "Code de la consommation R312-35".to_string(),
    })
}

/// Limitation (C. consom. L218-2, C. civ. 2224, CPCE L111-4; interruption and suspension C. civ.
/// 2230 to 2244) and foreclosure (C. consom. R312-35) of one claim from its history.
pub fn time_bar(request: &TimeBarRequest) -> Result<TimeBarResponse, CalcError> {
    compute_time_bar(request).map_err(|error| {
        let field = error.field();
        let text = error.to_string();
        let message = text.strip_prefix(&format!("{field}: ")).unwrap_or(&text).to_string();
        CalcError::invalid(&field, message)
    })
}

/// Allocation of a payment (Code civil 1343-1; capital first: C. consom. L733-1).
pub fn allocate_payment(request: &AllocatePaymentRequest) -> Result<AllocatePaymentResponse, CalcError> {
    let order =
        if request.capital_first { AllocationOrder::CapitalFirst } else { AllocationOrder::CostsInterestPrincipal };
    let due = AmountsDue { costs: request.costs, interest: request.interest, principal: request.principal };
    let allocation = allocate(request.amount, due, order).map_err(|error| match error {
        AllocationError::NegativePayment(_) => CalcError::invalid("amount", error.to_string()),
        AllocationError::NegativeDue { component, .. } => {
            let argument = match component {
                "frais" => "costs",
                "intérêts" => "interest",
                _ => "principal",
            };
            CalcError::invalid(argument, error.to_string())
        }
    })?;
    Ok(AllocatePaymentResponse {
        costs: allocation.costs,
        interest: allocation.interest,
        principal: allocation.principal,
        unallocated: allocation.unallocated,
    })
}

/// Payment plan within a capacity and at most `max_instalments` (Code civil 1343-5).
pub fn payment_plan(request: &PaymentPlanRequest) -> Result<PaymentPlanResponse, CalcError> {
    let plan = build_payment_plan(
        request.debt,
        request.monthly_capacity,
        request.first_due,
        request.max_instalments,
        request.annual_rate,
    )
    .map_err(|error| match &error {
        PlanError::NonPositiveDebt(_) => CalcError::invalid("debt", error.to_string()),
        PlanError::NonPositiveCapacity(_) => CalcError::invalid("monthly_capacity", error.to_string()),
        PlanError::BadMaxInstalments(_) => CalcError::invalid("max_instalments", error.to_string()),
        PlanError::BadRate(_) => CalcError::invalid("annual_rate", error.to_string()),
        PlanError::CapacityTooLow { minimum_monthly_capacity, shortfall, .. } => CalcError {
            details: Some(serde_json::json!({
                "minimum_monthly_capacity": minimum_monthly_capacity,
                "shortfall": shortfall,
                "max_instalments": request.max_instalments,
            })),
            ..CalcError::new(CalcErrorKind::Infeasible, "monthly_capacity", error.to_string())
        },
    })?;
    Ok(PaymentPlanResponse {
        count: plan.instalments.len() as u32,
        instalments: plan.instalments,
        total: plan.total,
        debt: plan.debt,
        interest_total: plan.interest_total,
        monthly_capacity: request.monthly_capacity,
        max_instalments: request.max_instalments,
        annual_rate: rate_text(request.annual_rate),
        article: "Code civil 1343-5".to_string(),
    })
}

// --- Parsing a JSON request, argument by argument, so that every error names its argument ---

struct Args {
    fields: Map<String, Value>,
}

fn json_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.trim().to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn parse_money(argument: &str, value: &Value) -> Result<Money, CalcError> {
    let text =
        json_text(value).ok_or_else(|| CalcError::invalid(argument, "attendu un montant, par exemple \"1234.56\""))?;
    text.parse().map_err(|error: crate::money::MoneyError| CalcError::invalid(argument, error.to_string()))
}

fn parse_date(argument: &str, value: &Value) -> Result<NaiveDate, CalcError> {
    let expected = |shown: &str| {
        CalcError::invalid(
            argument,
            format!("« {shown} » n'est pas une date (attendu AAAA-MM-JJ, par exemple 2026-05-11)"),
        )
    };
    let text = value.as_str().ok_or_else(|| expected(&value.to_string()))?;
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| expected(text))
}

fn parse_count(argument: &str, value: &Value) -> Result<u32, CalcError> {
    json_text(value).and_then(|text| text.parse::<u32>().ok()).ok_or_else(|| {
        CalcError::invalid(argument, format!("« {} » n'est pas un nombre entier positif ou nul", plain(value)))
    })
}

fn parse_flag(argument: &str, value: &Value) -> Result<bool, CalcError> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::String(text) if text == "true" => Ok(true),
        Value::String(text) if text == "false" => Ok(false),
        other => Err(CalcError::invalid(argument, format!("« {} » n'est pas true ou false", plain(other)))),
    }
}

fn parse_rate(argument: &str, value: &Value) -> Result<Decimal, CalcError> {
    json_text(value).and_then(|text| text.replace(',', ".").parse::<Decimal>().ok()).ok_or_else(|| {
        CalcError::invalid(argument, format!("« {} » n'est pas un taux en %, par exemple \"3.5\"", plain(value)))
    })
}

fn parse_creditor(argument: &str, value: &Value) -> Result<CreditorCategory, CalcError> {
    match value.as_str() {
        Some("other") => Ok(CreditorCategory::Other),
        Some("individual") => Ok(CreditorCategory::Individual),
        _ => Err(CalcError::invalid(
            argument,
            format!("« {} » n'est pas une catégorie de créancier (attendu other ou individual)", plain(value)),
        )),
    }
}

fn plain(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

fn parse_list<T>(
    argument: &str,
    value: &Value,
    date_field: &str,
    build: fn(NaiveDate, Money) -> T,
) -> Result<Vec<T>, CalcError> {
    let items = value.as_array().ok_or_else(|| {
        CalcError::invalid(argument, format!("attendu une liste d'objets {{\"{date_field}\": …, \"amount\": …}}"))
    })?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let place = format!("{argument}[{index}]");
            let object =
                item.as_object().ok_or_else(|| CalcError::invalid(argument, format!("{place}: attendu un objet")))?;
            let field = |name: &str| {
                object.get(name).ok_or_else(|| {
                    CalcError::new(CalcErrorKind::MissingArgument, argument, format!("{place}.{name} manquant"))
                })
            };
            let date = parse_date(argument, field(date_field)?)
                .map_err(|error| CalcError::invalid(argument, format!("{place}.{date_field}: {}", error.message)))?;
            let amount = parse_money(argument, field("amount")?)
                .map_err(|error| CalcError::invalid(argument, format!("{place}.amount: {}", error.message)))?;
            Ok(build(date, amount))
        })
        .collect()
}

impl Args {
    fn new(request: Value, known: &[&str]) -> Result<Args, CalcError> {
        let fields = match request {
            Value::Object(fields) => fields,
            Value::Null => Map::new(),
            other => return Err(CalcError::invalid("request", format!("attendu un objet JSON, reçu {other}"))),
        };
        if let Some(unknown) = fields.keys().find(|key| !known.contains(&key.as_str())) {
            return Err(CalcError::new(
                CalcErrorKind::UnknownArgument,
                unknown,
                format!("argument inconnu (arguments possibles: {})", known.join(", ")),
            ));
        }
        Ok(Args { fields })
    }

    /// The value of an argument, `null` counting as absent.
    fn get(&self, argument: &str) -> Option<&Value> {
        self.fields.get(argument).filter(|value| !value.is_null())
    }

    fn required<T>(
        &self,
        argument: &str,
        hint: &str,
        parse: fn(&str, &Value) -> Result<T, CalcError>,
    ) -> Result<T, CalcError> {
        let value = self.get(argument).ok_or_else(|| {
            CalcError::new(CalcErrorKind::MissingArgument, argument, format!("argument obligatoire manquant ({hint})"))
        })?;
        parse(argument, value)
    }

    fn optional<T>(
        &self,
        argument: &str,
        parse: fn(&str, &Value) -> Result<T, CalcError>,
    ) -> Result<Option<T>, CalcError> {
        self.get(argument).map(|value| parse(argument, value)).transpose()
    }
}

const DATE_HINT: &str = "date AAAA-MM-JJ";
const MONEY_HINT: &str = "montant, par exemple \"1234.56\"";

impl SeizableWageRequest {
    /// Reads the request from JSON, naming the argument of any error.
    pub fn from_json(request: Value) -> Result<Self, CalcError> {
        let args = Args::new(request, &["monthly_net", "dependants", "on"])?;
        Ok(SeizableWageRequest {
            monthly_net: args.required("monthly_net", MONEY_HINT, parse_money)?,
            dependants: args.optional("dependants", parse_count)?.unwrap_or(0),
            on: args.required("on", DATE_HINT, parse_date)?,
        })
    }
}

impl UnseizableBalanceRequest {
    /// Reads the request from JSON, naming the argument of any error.
    pub fn from_json(request: Value) -> Result<Self, CalcError> {
        let args = Args::new(request, &["on", "balance"])?;
        Ok(UnseizableBalanceRequest {
            on: args.required("on", DATE_HINT, parse_date)?,
            balance: args.optional("balance", parse_money)?,
        })
    }
}

impl LegalInterestRequest {
    /// Reads the request from JSON, naming the argument of any error.
    pub fn from_json(request: Value) -> Result<Self, CalcError> {
        let args = Args::new(request, &["principal", "from", "to", "creditor", "judgment_served_on"])?;
        Ok(LegalInterestRequest {
            principal: args.required("principal", MONEY_HINT, parse_money)?,
            from: args.required("from", DATE_HINT, parse_date)?,
            to: args.required("to", DATE_HINT, parse_date)?,
            creditor: args.optional("creditor", parse_creditor)?.unwrap_or_default(),
            judgment_served_on: args.optional("judgment_served_on", parse_date)?,
        })
    }
}

impl DeadlineRequest {
    /// Reads the request from JSON, naming the argument of any error. At least one of `months`
    /// and `days` is required: a limit of nothing is surely a mistake.
    pub fn from_json(request: Value) -> Result<Self, CalcError> {
        let args = Args::new(request, &["from", "months", "days", "alsace_moselle"])?;
        let from = args.required("from", DATE_HINT, parse_date)?;
        let months = args.optional("months", parse_count)?;
        let days = args.optional("days", parse_count)?;
        if months.is_none() && days.is_none() {
            return Err(CalcError::new(
                CalcErrorKind::MissingArgument,
                "months",
                "indiquer la durée du délai en mois (months) et/ou en jours (days)",
            ));
        }
        Ok(DeadlineRequest {
            from,
            months: months.unwrap_or(0),
            days: days.unwrap_or(0),
            alsace_moselle: args.optional("alsace_moselle", parse_flag)?.unwrap_or(false),
        })
    }
}

impl ForeclosureRequest {
    /// Reads the request from JSON, naming the argument of any error.
    pub fn from_json(request: Value) -> Result<Self, CalcError> {
        let args = Args::new(request, &["instalments", "payments", "as_of"])?;
        let instalments = args.required("instalments", "liste des échéances", |argument, value| {
            parse_list(argument, value, "due", |due, amount| Instalment { due, amount })
        })?;
        let payments = args
            .optional("payments", |argument, value| {
                parse_list(argument, value, "date", |date, amount| Payment { date, amount })
            })?
            .unwrap_or_default();
        Ok(ForeclosureRequest { instalments, payments, as_of: args.required("as_of", DATE_HINT, parse_date)? })
    }
}

impl AllocatePaymentRequest {
    /// Reads the request from JSON, naming the argument of any error.
    pub fn from_json(request: Value) -> Result<Self, CalcError> {
        let args = Args::new(request, &["amount", "costs", "interest", "principal", "capital_first"])?;
        Ok(AllocatePaymentRequest {
            amount: args.required("amount", MONEY_HINT, parse_money)?,
            costs: args.optional("costs", parse_money)?.unwrap_or_default(),
            interest: args.optional("interest", parse_money)?.unwrap_or_default(),
            principal: args.optional("principal", parse_money)?.unwrap_or_default(),
            capital_first: args.optional("capital_first", parse_flag)?.unwrap_or(false),
        })
    }
}

impl PaymentPlanRequest {
    /// Reads the request from JSON, naming the argument of any error.
    pub fn from_json(request: Value) -> Result<Self, CalcError> {
        let args = Args::new(request, &["debt", "monthly_capacity", "first_due", "max_instalments", "annual_rate"])?;
        Ok(PaymentPlanRequest {
            debt: args.required("debt", MONEY_HINT, parse_money)?,
            monthly_capacity: args.required("monthly_capacity", MONEY_HINT, parse_money)?,
            first_due: args.required("first_due", DATE_HINT, parse_date)?,
            max_instalments: args.optional("max_instalments", parse_count)?.unwrap_or(DEFAULT_MAX_INSTALMENTS),
            annual_rate: args.optional("annual_rate", parse_rate)?.unwrap_or_default(),
        })
    }
}

/// The object at `place` with only the `known` fields, or an error naming the place.
fn object_at<'a>(place: &str, value: &'a Value, known: &[&str]) -> Result<&'a Map<String, Value>, CalcError> {
    let object = value
        .as_object()
        .ok_or_else(|| CalcError::invalid(place, format!("attendu un objet avec les champs {}", known.join(", "))))?;
    if let Some(unknown) = object.keys().find(|key| !known.contains(&key.as_str())) {
        return Err(CalcError::new(
            CalcErrorKind::UnknownArgument,
            &format!("{place}.{unknown}"),
            format!("champ inconnu (champs possibles: {})", known.join(", ")),
        ));
    }
    Ok(object)
}

/// A required field of an object at `place`, `null` counting as absent.
fn field_at<'a>(place: &str, object: &'a Map<String, Value>, name: &str, hint: &str) -> Result<&'a Value, CalcError> {
    object.get(name).filter(|value| !value.is_null()).ok_or_else(|| {
        CalcError::new(
            CalcErrorKind::MissingArgument,
            &format!("{place}.{name}"),
            format!("champ obligatoire manquant ({hint})"),
        )
    })
}

/// `[{"due_on": D, "amount": "100.00"}…]` at `place` (`instalments`, `events[3].instalments`).
fn parse_schedule(place: &str, value: &Value) -> Result<Vec<ScheduledInstalment>, CalcError> {
    let items = value.as_array().ok_or_else(|| {
        CalcError::invalid(
            place,
            "attendu une liste d'échéances [{\"due_on\": \"AAAA-MM-JJ\", \"amount\": \"100.00\"}…]",
        )
    })?;
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let here = format!("{place}[{n}]");
            let object = object_at(&here, item, &["due_on", "amount"])?;
            let due_on_place = format!("{here}.due_on");
            let amount_place = format!("{here}.amount");
            Ok(ScheduledInstalment {
                due_on: parse_date(&due_on_place, field_at(&here, object, "due_on", DATE_HINT)?)?,
                amount: parse_money(&amount_place, field_at(&here, object, "amount", MONEY_HINT)?)?,
            })
        })
        .collect()
}

fn parse_time_bar_kind(argument: &str, value: &Value) -> Result<TimeBarKind, CalcError> {
    value.as_str().and_then(TimeBarKind::from_code).ok_or_else(|| {
        let known: Vec<&str> = TimeBarKind::ALL.iter().map(|kind| kind.code()).collect();
        CalcError::invalid(
            argument,
            format!("« {} » n'est pas une nature de créance connue (possibles: {})", plain(value), known.join(", ")),
        )
    })
}

fn parse_events(argument: &str, value: &Value) -> Result<Vec<TimeBarEvent>, CalcError> {
    let items = value.as_array().ok_or_else(|| {
        CalcError::invalid(argument, "attendu une liste d'événements [{\"kind\": …, \"date\": \"AAAA-MM-JJ\"}…]")
    })?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let here = format!("{argument}[{index}]");
            let object = object_at(&here, item, &["kind", "date", "amount", "instalments"])?;
            let kind_value = field_at(&here, object, "kind", "nature de l'événement")?;
            let kind = kind_value.as_str().and_then(TimeBarEventKind::from_code).ok_or_else(|| {
                let known: Vec<&str> = TimeBarEventKind::ALL.iter().map(|kind| kind.code()).collect();
                CalcError::invalid(
                    &format!("{here}.kind"),
                    format!("« {} » n'est pas un événement connu (possibles: {})", plain(kind_value), known.join(", ")),
                )
            })?;
            let date = parse_date(&format!("{here}.date"), field_at(&here, object, "date", DATE_HINT)?)?;
            let amount = object
                .get("amount")
                .filter(|value| !value.is_null())
                .map(|value| parse_money(&format!("{here}.amount"), value))
                .transpose()?;
            let instalments = object
                .get("instalments")
                .filter(|value| !value.is_null())
                .map(|value| parse_schedule(&format!("{here}.instalments"), value))
                .transpose()?
                .unwrap_or_default();
            Ok(TimeBarEvent { kind, date, amount, instalments })
        })
        .collect()
}

/// Reads a `time-bar` request from JSON; every error names its field, with the index of the
/// event or instalment at fault (`events[3].date`).
pub fn time_bar_request(request: Value) -> Result<TimeBarRequest, CalcError> {
    let args = Args::new(request, &["kind", "start", "instalments", "events"])?;
    Ok(TimeBarInput {
        kind: args.required(
            "kind",
            "consumer_claim, general_claim, enforceable_title ou consumer_credit",
            parse_time_bar_kind,
        )?,
        start: args.required("start", DATE_HINT, parse_date)?,
        instalments: args.optional("instalments", parse_schedule)?.unwrap_or_default(),
        events: args.optional("events", parse_events)?.unwrap_or_default(),
    })
}

// Invariant: the answers are plain structs of numbers, strings and dates with derived
// `Serialize` and string map keys, which serde_json always turns into a `Value`.
#[allow(clippy::expect_used)]
fn to_json<T: Serialize>(answer: T) -> Value {
    serde_json::to_value(answer).expect("answers serialise to JSON")
}

/// Runs the calculator `name` (one of [`CALCULATORS`]) on a JSON request whose fields are the
/// snake_case of the CLI flags, with the given reference data. Pure: "today" is never assumed, so
/// `foreclosure` needs `as_of` (the shells fill it in).
pub fn run(name: &str, request: Value, reference: &ReferenceData) -> Result<Value, CalcError> {
    match name {
        "seizable-wage" => Ok(to_json(seizable_wage(&SeizableWageRequest::from_json(request)?, reference)?)),
        "unseizable-balance" => {
            Ok(to_json(unseizable_balance(&UnseizableBalanceRequest::from_json(request)?, reference)?))
        }
        "legal-interest" => Ok(to_json(legal_interest(&LegalInterestRequest::from_json(request)?, reference)?)),
        "deadline" => Ok(to_json(deadline(&DeadlineRequest::from_json(request)?)?)),
        "foreclosure" => Ok(to_json(foreclosure(&ForeclosureRequest::from_json(request)?)?)),
        "allocate-payment" => Ok(to_json(allocate_payment(&AllocatePaymentRequest::from_json(request)?)?)),
        "payment-plan" => Ok(to_json(payment_plan(&PaymentPlanRequest::from_json(request)?)?)),
        "time-bar" => Ok(to_json(time_bar(&time_bar_request(request)?)?)),
        other => Err(CalcError::new(
            CalcErrorKind::UnknownCalculator,
            "name",
            format!("calculette inconnue « {other} » (possibles: {})", CALCULATORS.join(", ")),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn calc(name: &str, request: Value) -> Result<Value, CalcError> {
        run(name, request, &ReferenceData::embedded())
    }

    #[test]
    fn seizable_wage_as_in_the_issue() {
        let answer =
            calc("seizable-wage", json!({"monthly_net": "2000.00", "dependants": 0, "on": "2025-06-01"})).unwrap();
        assert_eq!(answer["seizable_monthly"], "478.61");
        assert_eq!(answer["unseizable_floor"], "646.52");
        assert_eq!(answer["bands"].as_array().unwrap().len(), 7);
    }

    #[test]
    fn unseizable_balance_as_in_the_issue_and_the_brief() {
        let answer = calc("unseizable-balance", json!({"on": "2025-06-01"})).unwrap();
        assert_eq!(answer["amount"], "646.52");
        assert_eq!(answer["until"], "2026-03-31");
        assert!(answer.get("seizable").is_none());
        // Brief §3.6 (rsa-info.fr): 800 € with an SBI of 635.71 € → 164.29 € seizable.
        let answer = calc("unseizable-balance", json!({"on": "2024-06-01", "balance": "800.00"})).unwrap();
        assert_eq!((answer["amount"].as_str(), answer["seizable"].as_str()), (Some("635.71"), Some("164.29")));
        let error = calc("unseizable-balance", json!({"on": "2026-04-01"})).unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::NotCovered, "on"));
    }

    #[test]
    fn legal_interest_as_in_the_issue() {
        let answer = calc(
            "legal-interest",
            json!({"principal": "10000.00", "from": "2025-01-01", "to": "2026-01-01", "creditor": "other"}),
        )
        .unwrap();
        assert_eq!(answer["interest"], "323.11");
        assert_eq!(
            answer["periods"][0],
            json!({"from": "2025-01-01", "to": "2025-07-01", "rate": "3.71", "days": 181, "interest": "183.98", "semester": "2025-1", "increased": false})
        );
        assert_eq!(answer["periods"][1]["rate"], "2.76");
        assert_eq!(answer["increase_from"], Value::Null);
        let increased = calc(
            "legal-interest",
            json!({"principal": "10000.00", "from": "2025-01-01", "to": "2026-01-01", "creditor": "other", "judgment_served_on": "2025-03-15"}),
        )
        .unwrap();
        assert_eq!(increased["increase_from"], "2025-05-16");
        assert_eq!(increased["periods"][1]["rate"], "8.71");
    }

    #[test]
    fn legal_interest_names_the_uncovered_bound() {
        let error = calc("legal-interest", json!({"principal": "10000.00", "from": "2026-01-01", "to": "2026-09-01"}))
            .unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::NotCovered, "to"));
        assert!(error.message.contains("2e semestre 2026"));
        let error =
            calc("legal-interest", json!({"principal": "1.00", "from": "2010-01-01", "to": "2016-01-01"})).unwrap_err();
        assert_eq!(error.argument, "from");
    }

    #[test]
    fn deadline_as_in_the_issue() {
        let answer = calc("deadline", json!({"from": "2026-04-08", "months": 1})).unwrap();
        assert_eq!((answer["due"].as_str(), answer["nominal"].as_str()), (Some("2026-05-11"), Some("2026-05-08")));
        assert_eq!(answer["extended"], true);
        let error = calc("deadline", json!({"from": "2026-04-08"})).unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::MissingArgument, "months"));
    }

    #[test]
    fn foreclosure_as_in_the_issue() {
        let instalments: Vec<Value> = (1..=24)
            .map(|n: u32| {
                let due = crate::calendar::add_months_clamped("2023-01-05".parse().unwrap(), n - 1);
                json!({"due": due, "amount": "100.00"})
            })
            .collect();
        let payments: Vec<Value> =
            (1..=7).map(|n| json!({"date": format!("2023-{n:02}-06"), "amount": "100.00"})).collect();
        let answer =
            calc("foreclosure", json!({"instalments": instalments, "payments": payments, "as_of": "2024-01-15"}))
                .unwrap();
        assert_eq!(answer["first_unregularised_incident"], "2023-08-05");
        assert_eq!(answer["foreclosure_date"], "2025-08-05");
        let all_paid =
            calc("foreclosure", json!({"instalments": instalments[..2], "payments": payments, "as_of": "2024-01-15"}))
                .unwrap();
        assert_eq!(
            (all_paid["first_unregularised_incident"].clone(), all_paid["foreclosure_date"].clone()),
            (Value::Null, Value::Null)
        );
        let error =
            calc("foreclosure", json!({"instalments": [{"due": "2023-01-05", "amount": "x"}], "as_of": "2024-01-15"}))
                .unwrap_err();
        assert_eq!(error.argument, "instalments");
        assert!(error.message.starts_with("instalments[0].amount"));
    }

    #[test]
    fn allocate_payment_exactly_as_in_the_issue() {
        let answer = calc(
            "allocate-payment",
            json!({"amount": "300.00", "costs": "50.00", "interest": "120.00", "principal": "1000.00"}),
        )
        .unwrap();
        assert_eq!(
            answer,
            json!({"costs": "50.00", "interest": "120.00", "principal": "130.00", "unallocated": "0.00"})
        );
        let capital_first = calc(
            "allocate-payment",
            json!({"amount": "300.00", "costs": "50.00", "interest": "120.00", "principal": "1000.00", "capital_first": true}),
        )
        .unwrap();
        assert_eq!(capital_first["principal"], "300.00");
    }

    #[test]
    fn payment_plan_as_in_the_issue() {
        let answer = calc(
            "payment-plan",
            json!({"debt": "4800.00", "monthly_capacity": "250.00", "first_due": "2026-01-05", "max_instalments": 24, "annual_rate": "0"}),
        )
        .unwrap();
        assert_eq!(answer["total"], "4800.00");
        assert_eq!(answer["instalments"][0]["due"], "2026-01-05");
        assert_eq!(answer["instalments"][0]["amount"], "240.00");
        assert_eq!(answer["count"], 20);
        let error =
            calc("payment-plan", json!({"debt": "4800.00", "monthly_capacity": "150.00", "first_due": "2026-01-05"}))
                .unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::Infeasible, "monthly_capacity"));
        assert_eq!(error.details.unwrap()["minimum_monthly_capacity"], "200.00");
    }

    #[test]
    fn bad_missing_and_unknown_arguments_are_named() {
        let error = calc("seizable-wage", json!({"monthly_net": "abc", "on": "2025-06-01"})).unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::InvalidArgument, "monthly_net"));
        assert!(error.to_string().starts_with("monthly_net: « abc » n'est pas un montant"));
        let error = calc("seizable-wage", json!({"monthly_net": "2000.00"})).unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::MissingArgument, "on"));
        let error = calc("seizable-wage", json!({"monthly_net": "2000.00", "on": "2025-13-01"})).unwrap_err();
        assert_eq!(error.argument, "on");
        let error = calc("seizable-wage", json!({"monthly-net": "2000.00", "on": "2025-06-01"})).unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::UnknownArgument, "monthly-net"));
        let error = calc("seizable-wage", json!({"monthly_net": "2000.00", "on": "2027-06-01"})).unwrap_err();
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::NotCovered, "on"));
        let error = calc(
            "legal-interest",
            json!({"principal": "1.00", "from": "2025-01-01", "to": "2025-02-01", "creditor": "bank"}),
        )
        .unwrap_err();
        assert_eq!(error.argument, "creditor");
        let error = calc("tax", json!({})).unwrap_err();
        assert_eq!(error.kind, CalcErrorKind::UnknownCalculator);
    }

    #[test]
    fn time_bar_with_interruptions_and_its_refusals() {
        let answer = calc(
            "time-bar",
            json!({"kind": "consumer_credit", "start": "2023-03-05",
                   "instalments": [{"due_on": "2023-01-05", "amount": "100.00"}, {"due_on": "2023-02-05", "amount": "100.00"},
                                   {"due_on": "2023-03-05", "amount": "100.00"}],
                   "events": [{"kind": "payment", "date": "2023-04-01", "amount": "150.00"},
                              {"kind": "formal_notice", "date": "2023-05-01"},
                              {"kind": "court_claim", "date": "2024-01-10"},
                              {"kind": "judgment_served", "date": "2024-06-20"}]}),
        )
        .unwrap();
        assert_eq!(answer["limitation_date"], "2034-06-20");
        assert_eq!(answer["decided_by"]["event"], "judgment_served");
        assert_eq!(answer["foreclosure_date"], Value::Null);
        assert_eq!(answer["first_unregularised_incident"], "2023-02-05");
        let answer = calc("time-bar", json!({"kind": "general_claim", "start": "2020-02-29"})).unwrap();
        assert_eq!(
            (answer["limitation_date"].as_str(), answer["decided_by"]["event"].as_str()),
            (Some("2025-02-28"), Some("start"))
        );

        let refused = |request: Value| calc("time-bar", request).unwrap_err();
        let error = refused(json!({"kind": "loan", "start": "2020-01-01"}));
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::InvalidArgument, "kind"));
        let error = refused(json!({"kind": "general_claim"}));
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::MissingArgument, "start"));
        let error = refused(json!({"kind": "general_claim", "start": "2020-01-01",
                                   "events": [{"kind": "payment", "date": "2021-01-01", "amount": "1.00"}, {"kind": "bribe", "date": "2021-01-01"}]}));
        assert_eq!(error.argument, "events[1].kind");
        assert!(error.to_string().starts_with("events[1].kind: « bribe » n'est pas un événement connu"), "{error}");
        let error = refused(
            json!({"kind": "general_claim", "start": "2020-01-01", "events": [{"kind": "payment", "date": "2021-01-01"}]}),
        );
        assert_eq!(error.argument, "events[0].amount");
        let error = refused(
            json!({"kind": "general_claim", "start": "2020-01-01", "events": [{"kind": "payment", "date": "2021-13-01", "amount": "1"}]}),
        );
        assert_eq!(error.argument, "events[0].date");
        let error = refused(
            json!({"kind": "general_claim", "start": "2020-01-01", "events": [{"kind": "payment", "date": "2021-01-01", "amount": 1.5, "note": "x"}]}),
        );
        assert_eq!((error.kind, error.argument.as_str()), (CalcErrorKind::UnknownArgument, "events[0].note"));
        let error = refused(
            json!({"kind": "consumer_credit", "start": "2020-01-01", "instalments": [{"due_on": "2020-02-01", "amount": "1.005"}]}),
        );
        assert_eq!(error.argument, "instalments[0].amount");
        let error = refused(json!({"kind": "consumer_credit", "start": "2020-01-01",
                                   "events": [{"kind": "rescheduling_plan", "date": "2021-01-01", "instalments": [{"due_on": "2021-02-01", "amount": "0"}]}]}));
        assert_eq!(error.argument, "events[0].instalments[0].amount");
        assert!(!error.message.starts_with("events[0]"), "{error}");
    }

    #[cfg(feature = "openapi")]
    #[test]
    fn openapi_schemas_describe_the_fields() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(SeizableWageRequest::schema()).unwrap();
        for field in ["monthly_net", "dependants", "on"] {
            assert!(schema["properties"][field].is_object(), "{field}: {schema}");
        }
        let schema = serde_json::to_value(LegalInterestResponse::schema()).unwrap();
        assert!(schema["properties"]["periods"].is_object(), "{schema}");
    }

    #[test]
    fn requests_deserialize_with_serde_too() {
        // The web crate may deserialize the typed requests directly; both readings agree.
        let json = json!({"monthly_net": "2000.00", "dependants": 1, "on": "2025-06-01"});
        let typed: SeizableWageRequest = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(typed, SeizableWageRequest::from_json(json).unwrap());
        let plan: PaymentPlanRequest =
            serde_json::from_value(json!({"debt": "1.00", "monthly_capacity": "1.00", "first_due": "2026-01-01"}))
                .unwrap();
        assert_eq!((plan.max_instalments, plan.annual_rate), (24, Decimal::ZERO));
    }
}
