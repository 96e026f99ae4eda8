//! The workflow on the case page (its section and the forms posted from it) and the agenda page.

use crate::auth::CurrentUser;
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use chrono::NaiveDate;
use recouvre_app::limits;
use recouvre_app::workflow::{
    self, AssessmentInput, CaseWorkflow, DecisionInput, PlanInput, PlanSchedule, ProcedureKind, State as ProcState,
    StepCommand, StepInput, StepInvoice, WaiverAmounts, WaiverInput,
};
use recouvre_domain::assessment::{Assets, Charges, Household, Incomes};
use recouvre_domain::strategy::Strategy;
use recouvre_domain::vocabulary::{self, Family};
use recouvre_domain::Money;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// The case page's workflow section

pub struct AssessmentView {
    pub assessed_on: String,
    pub by: String,
    pub capacity: String,
    pub living_allowance: String,
    pub seizable_wage: String,
    pub bank_seizable: String,
    pub recoverability: String,
    pub explanation: Vec<String>,
}

pub struct RecommendationView {
    pub id: i64,
    pub rule_id: String,
    pub strategy_label: String,
    pub explanation: String,
    pub warnings: Vec<String>,
    pub actions: Vec<(String, String)>,
    pub status: String,
    pub open: bool,
}

pub struct ProcedureView {
    pub kind_code: &'static str,
    pub kind_label: &'static str,
    pub state_label: String,
    pub started_on: String,
    pub costs: String,
    pub recovered: String,
    pub closed: bool,
}

pub struct DeadlineView {
    pub label: String,
    pub due_on: String,
    pub nominal_on: String,
    pub extended: bool,
    pub legal_basis: String,
    pub suspended: bool,
    pub overdue: bool,
    pub warning: bool,
    pub legal: bool,
}

/// Everything the case page shows of the workflow.
pub struct CaseWorkflowView {
    pub assessment: Option<AssessmentView>,
    pub recommendation: Option<RecommendationView>,
    pub strategies: Vec<(&'static str, &'static str)>,
    pub procedures: Vec<ProcedureView>,
    /// The steps the case offers now, as the store accepts them: ("kind:step", "Procedure — step").
    pub steps: Vec<(String, String)>,
    /// An admissible over-indebtedness file suspends enforcement (C. consom. L722-2).
    pub enforcement_suspended: bool,
    pub deadlines: Vec<DeadlineView>,
    /// Number, due date, amount, status, pre-notification (issue 21).
    pub instalments: Vec<(i64, String, String, String, String)>,
    pub plan_status: String,
    /// A plan sent for approval and not decided yet.
    pub pending_plan: Option<PendingPlanView>,
    /// The directory, for the step form: (id, "name (kind)").
    pub third_parties: Vec<(i64, String)>,
}

/// A plan waiting for approval, in the words of the case page.
pub struct PendingPlanView {
    /// « 30 mensualités de 400,00 € » (and the last one's amount when it differs).
    pub summary: String,
    pub total: String,
    pub requested_by: String,
    pub requested_at: String,
}

impl PendingPlanView {
    fn of(plan: recouvre_app::workflow::PendingPlan, names: &std::collections::BTreeMap<String, String>) -> Self {
        let months = plan.instalments.len();
        let mut summary = match plan.monthly() {
            Some(monthly) => {
                format!("{months} mensualité{} de {}", if months > 1 { "s" } else { "" }, monthly.to_french())
            }
            None => "aucune mensualité".to_string(),
        };
        if let (Some((_, first)), Some((_, last))) = (plan.instalments.first(), plan.instalments.last()) {
            if first != last {
                summary.push_str(&format!(" (la dernière de {})", last.to_french()));
            }
        }
        PendingPlanView {
            summary,
            total: plan.total.to_french(),
            requested_by: format::person(&plan.requested_by, names),
            requested_at: format::timestamp(plan.requested_at),
        }
    }
}

fn state_label(code: &str) -> String {
    ProcState::from_code(code).map(|state| state.label().to_string()).unwrap_or_else(|| code.to_string())
}

impl CaseWorkflowView {
    /// The workflow section of a case page, from the use case's view.
    pub fn of(workflow: CaseWorkflow, names: &std::collections::BTreeMap<String, String>) -> CaseWorkflowView {
        let person = |login: Option<String>| format::person(&login.unwrap_or_default(), names);
        let assessment = workflow.assessment.map(|record| {
            let result = record.result;
            AssessmentView {
                assessed_on: format::short_date(record.assessed_on),
                by: person(Some(record.by)),
                capacity: result.monthly_capacity.to_french(),
                living_allowance: result.living_allowance.to_french(),
                seizable_wage: result.seizable_wage_monthly.to_french(),
                bank_seizable: result.seizable_bank_balance.to_french(),
                recoverability: format!("{} % ({})", result.recoverability_percent, result.band_label),
                explanation: result.explanation,
            }
        });
        let recommendation = workflow.recommendation.map(|recommendation| {
            let open = recommendation.open();
            let (row, body) = (recommendation.row, recommendation.body);
            RecommendationView {
                id: row.id,
                rule_id: row.rule_id,
                strategy_label: body.strategy_label,
                explanation: row.explanation,
                warnings: body.warnings,
                actions: body
                    .actions
                    .into_iter()
                    .map(|action| (action.label, format::short_date(action.due_on)))
                    .collect(),
                status: match row.status.as_str() {
                    "accepted" => format!("acceptée par {}", person(row.decided_by)),
                    "overridden" => format!(
                        "écartée par {} ({}) : {}",
                        person(row.decided_by),
                        row.chosen_strategy
                            .as_deref()
                            .and_then(Strategy::from_code)
                            .map(Strategy::label)
                            .unwrap_or("?"),
                        row.decision_reason.unwrap_or_default()
                    ),
                    other => vocabulary::label(Family::RecommendationStatus, other).to_string(),
                },
                open,
            }
        });
        let procedures = workflow
            .procedures
            .iter()
            .filter_map(|row| {
                let kind = ProcedureKind::from_code(&row.kind)?;
                Some(ProcedureView {
                    kind_code: kind.code(),
                    kind_label: kind.label(),
                    state_label: state_label(&row.state),
                    started_on: format::short_date(row.started_on),
                    costs: Money::from_cents(row.costs_cents).to_french(),
                    recovered: Money::from_cents(row.recovered_cents).to_french(),
                    closed: row.closed,
                })
            })
            .collect();
        let steps = workflow
            .offered
            .iter()
            .map(|(kind, step)| {
                (format!("{}:{}", kind.code(), step.code()), format!("{} — {}", kind.label(), step.label()))
            })
            .collect();
        let deadlines = workflow
            .deadlines
            .into_iter()
            .map(|deadline| DeadlineView {
                overdue: deadline.urgency.overdue(),
                warning: deadline.urgency.warning(),
                extended: deadline.extended(),
                suspended: deadline.suspended(),
                legal: deadline.legal(),
                label: deadline.item.label,
                due_on: format::short_date(deadline.item.due_on),
                nominal_on: deadline.item.nominal_on.map(format::short_date).unwrap_or_default(),
                legal_basis: deadline.item.legal_basis.unwrap_or_default(),
            })
            .collect();
        let (plan_status, instalments) = match workflow.plan {
            None => (String::new(), Vec::new()),
            Some(plan) => (
                vocabulary::label(Family::PlanStatus, &plan.status).to_string(),
                plan.instalments
                    .into_iter()
                    .map(|line| {
                        let status = vocabulary::label(Family::InstalmentStatus, &line.status).to_string();
                        let prenotified = match line.prenotified {
                            None => String::new(),
                            Some((on, means)) if means == "schedule" => {
                                format!("le {} (échéancier)", format::short_date(on))
                            }
                            Some((on, _)) => format!("le {} (avis)", format::short_date(on)),
                        };
                        (line.number, format::short_date(line.due_on), line.amount.to_french(), status, prenotified)
                    })
                    .collect(),
            ),
        };
        CaseWorkflowView {
            assessment,
            recommendation,
            strategies: Strategy::ALL.iter().map(|strategy| (strategy.code(), strategy.label())).collect(),
            procedures,
            steps,
            enforcement_suspended: workflow.enforcement_suspended,
            deadlines,
            instalments,
            plan_status,
            pending_plan: workflow.pending_plan.map(|plan| PendingPlanView::of(plan, names)),
            third_parties: workflow
                .third_parties
                .into_iter()
                .map(|party| {
                    (party.id, format!("{} ({})", party.name, vocabulary::label(Family::ThirdPartyKind, &party.kind)))
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Forms of the case page

/// An amount typed in a form; empty is zero.
fn amount(field: &str, text: &str) -> Result<Money, recouvre_app::Error> {
    if text.trim().is_empty() {
        return Ok(Money::ZERO);
    }
    limits::parse_amount(field, text)
}

#[derive(Deserialize)]
pub(crate) struct AssessmentForm {
    csrf: String,
    version: i64,
    assessed_on: NaiveDate,
    #[serde(default)]
    wages: String,
    #[serde(default)]
    benefits: String,
    #[serde(default)]
    pensions: String,
    #[serde(default)]
    other_income: String,
    #[serde(default)]
    rent: String,
    #[serde(default)]
    loans: String,
    #[serde(default)]
    other_charges: String,
    adults: u8,
    dependants: u8,
    #[serde(default)]
    property: String,
    #[serde(default)]
    vehicle: String,
    #[serde(default)]
    savings_bank: String,
    #[serde(default)]
    savings_elsewhere: String,
    #[serde(default)]
    employer: String,
}

pub(crate) async fn assessment_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<AssessmentForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = AssessmentInput {
        assessed_on: form.assessed_on,
        incomes: Incomes {
            wages_net_monthly: amount("wages", &form.wages)?,
            benefits: amount("benefits", &form.benefits)?,
            pensions: amount("pensions", &form.pensions)?,
            other: amount("other_income", &form.other_income)?,
        },
        charges: Charges {
            rent: amount("rent", &form.rent)?,
            loan_repayments: amount("loans", &form.loans)?,
            other: amount("other_charges", &form.other_charges)?,
        },
        household: Household { adults: form.adults, dependants: form.dependants },
        assets: Assets {
            property_value: amount("property", &form.property)?,
            vehicle_value: amount("vehicle", &form.vehicle)?,
            savings_at_bank: amount("savings_bank", &form.savings_bank)?,
            savings_elsewhere: amount("savings_elsewhere", &form.savings_elsewhere)?,
        },
        employer: Some(form.employer),
    };
    workflow::record_assessment(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#strategie")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct StrategyForm {
    csrf: String,
    version: i64,
    recommendation_id: i64,
    action: String,
    #[serde(default)]
    strategy: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn strategy_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<StrategyForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let override_with = match form.action.as_str() {
        "accept" => None,
        _ => Some(workflow::strategy("strategy", &form.strategy)?),
    };
    let input = DecisionInput { recommendation_id: form.recommendation_id, override_with, reason: form.reason };
    workflow::decide_recommendation(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#strategie")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct StepForm {
    csrf: String,
    version: i64,
    /// `kind:step`.
    step: String,
    on: NaiveDate,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    costs: String,
    scheduled_on: Option<String>,
    /// The bailiff, lawyer, agency, notary… acting (empty: none).
    #[serde(default)]
    third_party_id: String,
    /// The invoice of the step's costs (empty: the step names it, dated the act's day).
    #[serde(default)]
    invoice_reference: String,
    invoice_date: Option<String>,
    /// The VAT rate of the step's costs (`standard`, `not_subject`; absent: outside VAT).
    vat_rate: Option<String>,
}

pub(crate) async fn step_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<StepForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let (kind, step) = workflow::step_choice("step", &form.step)?;
    let amount = amount("amount", &form.amount)?;
    let costs = amount_or_none("costs", &form.costs)?;
    let scheduled_on = match form.scheduled_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse().map_err(|_| {
            recouvre_app::Error::invalid(
                "scheduled_on",
                "invalid_input",
                format!("date fixée « {text} » illisible : écrivez-la AAAA-MM-JJ"),
            )
        })?),
    };
    let input = StepInput {
        amount: amount.is_positive().then_some(amount),
        costs: costs.filter(|costs| costs.is_positive()),
        scheduled_on,
        ..StepInput::default()
    };
    let third_party_id = match form.third_party_id.trim() {
        "" => None,
        text => Some(text.parse().map_err(|_| {
            recouvre_app::Error::invalid(
                "third_party_id",
                "unknown_third_party",
                format!("intervenant « {text} » inconnu : choisissez-le dans la liste"),
            )
        })?),
    };
    let invoice_date = match form.invoice_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse().map_err(|_| {
            recouvre_app::Error::invalid(
                "invoice_date",
                "invalid_input",
                format!("date de facture « {text} » illisible : écrivez-la AAAA-MM-JJ"),
            )
        })?),
    };
    let invoice = StepInvoice {
        reference: Some(form.invoice_reference).filter(|text| !text.trim().is_empty()),
        date: invoice_date,
        ..StepInvoice::default()
    };
    let command =
        StepCommand { kind, step, on: form.on, input, third_party_id, invoice, vat_rate: form.vat_rate, vat: None };
    workflow::apply_step(&state.app, &user.actor(), case_id, form.version, &command).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#procedures")).into_response())
}

/// An optional amount typed in a form: `None` when empty.
fn amount_or_none(field: &str, text: &str) -> Result<Option<Money>, recouvre_app::Error> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    limits::parse_amount(field, text).map(Some)
}

#[derive(Deserialize)]
pub(crate) struct PlanForm {
    csrf: String,
    version: i64,
    monthly: String,
    first_due: NaiveDate,
    months: u32,
    /// A protected adult's guardian or curator countersigned the agreement.
    #[serde(default)]
    guardian_countersigned: Option<String>,
}

pub(crate) async fn plan_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<PlanForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = PlanInput {
        schedule: PlanSchedule::Monthly {
            monthly: limits::parse_amount("monthly", &form.monthly)?,
            first_due: form.first_due,
            months: form.months,
        },
        guardian_countersigned: form.guardian_countersigned.is_some(),
        mandate_id: None,
    };
    workflow::propose_plan(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#echeancier")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct WaiverForm {
    csrf: String,
    version: i64,
    #[serde(default)]
    interest: String,
    #[serde(default)]
    costs: String,
    #[serde(default)]
    principal: String,
    reason: String,
}

pub(crate) async fn waiver_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<WaiverForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = WaiverInput {
        amounts: WaiverAmounts::Interest {
            interest: amount("interest", &form.interest)?,
            costs: amount("costs", &form.costs)?,
            principal: amount("principal", &form.principal)?,
        },
        reason: form.reason,
    };
    workflow::propose_waiver(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct ExchangeForm {
    csrf: String,
    version: i64,
    third_party_id: i64,
    summary: String,
}

pub(crate) async fn exchange_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<ExchangeForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    workflow::record_exchange(&state.app, &user.actor(), case_id, form.version, form.third_party_id, &form.summary)
        .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Agenda

pub struct AgendaLine {
    pub case_id: i64,
    pub case_reference: String,
    /// The case's version, quoted by the « Fait » form.
    pub case_version: i64,
    pub id: i64,
    pub label: String,
    pub due_on: String,
    pub legal_basis: String,
    pub overdue: bool,
    pub warning: bool,
    pub legal: bool,
    pub officer: String,
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    layout: Layout,
    items: Vec<AgendaLine>,
    until: String,
    until_label: String,
    covering: Vec<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(crate) struct AgendaQuery {
    /// Last day shown (default: 30 days ahead).
    pub(crate) until: Option<NaiveDate>,
}

pub(crate) async fn agenda_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AgendaQuery>,
) -> PageResult {
    let agenda = workflow::agenda(&state.app, &user.actor(), query.until).await?;
    let items = agenda
        .items
        .into_iter()
        .map(|deadline| AgendaLine {
            overdue: deadline.urgency.overdue(),
            warning: deadline.urgency.warning(),
            legal: deadline.legal(),
            case_id: deadline.item.case_id,
            case_reference: deadline.item.case_reference,
            case_version: deadline.item.case_version,
            id: deadline.item.id,
            label: deadline.item.label,
            due_on: format::short_date(deadline.item.due_on),
            legal_basis: deadline.item.legal_basis.unwrap_or_default(),
            // An action planned for someone (issue 17) names them rather than the case's officer.
            officer: deadline
                .item
                .assignee_name
                .or(deadline.item.officer_name)
                .or(deadline.item.officer_login)
                .unwrap_or_default(),
        })
        .collect();
    render(&AgendaPage {
        layout: Layout::of(&user),
        items,
        until: agenda.until.to_string(),
        until_label: format::short_date(agenda.until),
        covering: agenda.covering.iter().map(|id| format!("n° {id}")).collect(),
    })
}

#[derive(Deserialize)]
pub(crate) struct CompleteForm {
    csrf: String,
    version: i64,
}

pub(crate) async fn complete_action_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(item_id): Path<i64>,
    Form(form): Form<CompleteForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    workflow::complete_action(&state.app, &user.actor(), item_id, form.version).await?;
    Ok(Redirect::to("/agenda").into_response())
}
