//! The recovery workflow in the UI and the API (issue 4): financial assessment, the strategy
//! engine's recommendation, procedures with their deadlines, payment plans within or above the
//! officer's delegation, and the agenda. The rules live in `recouvre_domain`; the effects and
//! their journal events in `recouvre_store::workflow`.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use chrono::{NaiveDate, Utc};
use recouvre_domain::assessment::{Assessment, AssessmentResult, Assets, Charges, Household, Incomes};
use recouvre_domain::authority::Permission;
use recouvre_domain::procedure::{self, ProcedureContext, ProcedureKind, State as ProcState, Step, StepInput};
use recouvre_domain::strategy::Strategy;
use recouvre_domain::Money;
use recouvre_store::approvals::Actor;
use recouvre_store::workflow::{PlanOutcome, StepRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::shared::{render, Layout, PageResult};

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/agenda", get(agenda_page))
        .route("/agenda/{id}/fait", post(complete_action_form))
        .route("/dossiers/{id}/bilan", post(assessment_form))
        .route("/dossiers/{id}/strategie", post(strategy_form))
        .route("/dossiers/{id}/procedures", post(step_form))
        .route("/dossiers/{id}/echeancier", post(plan_form))
        .route("/dossiers/{id}/remise", post(waiver_form))
        .route("/dossiers/{id}/echanges", post(exchange_form))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/assessments", post(post_assessment))
        .route("/cases/{id}/recommendation", get(get_recommendation))
        .route("/cases/{id}/recommendation/decision", post(decide_recommendation))
        .route("/cases/{id}/procedures", get(get_procedures).post(post_step))
        .route("/cases/{id}/plans", post(post_plan))
        .route("/cases/{id}/waivers", post(post_waiver))
        .route("/cases/{id}/exchanges", post(post_exchange))
        .route("/agenda", get(get_agenda))
        .route("/rules/{kind}", get(get_rules).put(put_rules))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        post_assessment,
        get_recommendation,
        decide_recommendation,
        get_procedures,
        post_step,
        post_plan,
        get_agenda
    ),
    components(schemas(
        AssessmentRequest,
        RecommendationDto,
        DecisionDto,
        StepRequestDto,
        ProcedureDto,
        AgendaItemDto,
        PlanRequest,
        PlanLineDto
    ))
)]
pub struct WorkflowApiDoc;

fn actor(user: &CurrentUser) -> Actor<'_> {
    Actor { login: user.login(), level: user.user.delegation_level }
}

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
    /// Steps possible now: ("kind:step", "Procedure — step").
    pub steps: Vec<(String, String)>,
    /// An admissible over-indebtedness file suspends enforcement (C. consom. L722-2).
    pub enforcement_suspended: bool,
    pub deadlines: Vec<DeadlineView>,
    pub instalments: Vec<(i64, String, String, String)>,
    pub plan_status: String,
    /// The directory, for the step form: (id, "name (kind)").
    pub third_parties: Vec<(i64, String)>,
}

fn state_label(code: &str) -> String {
    ProcState::from_code(code).map(|state| state.label().to_string()).unwrap_or_else(|| code.to_string())
}

/// Builds the workflow section of a case page.
pub async fn case_view(state: &AppState, case_id: i64) -> Result<CaseWorkflowView, AppError> {
    let today = Utc::now().date_naive();
    let assessment = recouvre_store::workflow::assessments(&state.store, case_id).await?.into_iter().next();
    let assessment = match assessment {
        None => None,
        Some((_, assessed_on, result, by)) => {
            let result: AssessmentResult = serde_json::from_str(&result)
                .map_err(|error| AppError::Internal(anyhow::anyhow!("bilan illisible : {error}")))?;
            Some(AssessmentView {
                assessed_on: format::short_date(assessed_on),
                by,
                capacity: result.monthly_capacity.to_french(),
                living_allowance: result.living_allowance.to_french(),
                seizable_wage: result.seizable_wage_monthly.to_french(),
                bank_seizable: result.seizable_bank_balance.to_french(),
                recoverability: format!("{} % ({})", result.recoverability_percent, result.band_label),
                explanation: result.explanation,
            })
        }
    };
    let recommendation = recouvre_store::workflow::latest_recommendation(&state.store, case_id).await?.map(|row| {
        let body: recouvre_domain::strategy::Recommendation =
            serde_json::from_str(&row.body).unwrap_or_else(|_| panic!("recommendation n° {} is valid JSON", row.id));
        RecommendationView {
            id: row.id,
            rule_id: row.rule_id,
            strategy_label: body.strategy_label,
            explanation: row.explanation,
            warnings: body.warnings,
            actions: body.actions.into_iter().map(|action| (action.label, format::short_date(action.due_on))).collect(),
            status: match row.status.as_str() {
                "accepted" => format!("acceptée par {}", row.decided_by.unwrap_or_default()),
                "overridden" => format!(
                    "écartée par {} ({}) : {}",
                    row.decided_by.unwrap_or_default(),
                    row.chosen_strategy.as_deref().and_then(Strategy::from_code).map(Strategy::label).unwrap_or("?"),
                    row.decision_reason.unwrap_or_default()
                ),
                "superseded" => "remplacée".to_string(),
                _ => "à décider".to_string(),
            },
            open: row.status == "proposed",
        }
    });
    let rows = recouvre_store::workflow::procedures(&state.store, case_id).await?;
    let procedures = rows
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
    // The steps offered: from each running procedure's state, and the first steps of the others.
    // As the store checks them: a title lets a seizure start, an admissible over-indebtedness file
    // bars it (the store refuses it anyway, with its reason, if the page is older than the file).
    let enforcement_suspended = recouvre_store::workflow::admissible_states(&rows);
    let mut context = ProcedureContext::new(recouvre_domain::calendar::Region::General);
    context.enforceable_title = recouvre_store::workflow::has_title(&rows);
    context.over_indebtedness_admissible = enforcement_suspended;
    let mut steps = Vec::new();
    for kind in ProcedureKind::ALL {
        let current = rows.iter().rev().find(|row| row.kind == kind.code() && !row.closed);
        let state = current.and_then(|row| ProcState::from_code(&row.state));
        for step in procedure::possible_steps(*kind, state, &context) {
            steps.push((format!("{}:{}", kind.code(), step.code()), format!("{} — {}", kind.label(), step.label())));
        }
    }
    let deadlines = recouvre_store::workflow::case_agenda(&state.store, case_id)
        .await?
        .into_iter()
        .map(|item| DeadlineView {
            overdue: item.due_on < today && item.status == "open",
            warning: item.status == "open"
                && item.due_on >= today
                && (item.due_on - today).num_days() <= item.warn_days,
            label: item.label,
            due_on: format::short_date(item.due_on),
            nominal_on: item.nominal_on.map(format::short_date).unwrap_or_default(),
            extended: item.nominal_on.is_some_and(|nominal| nominal != item.due_on),
            legal_basis: item.legal_basis.unwrap_or_default(),
            suspended: item.status == "suspended",
            legal: item.kind == "deadline",
        })
        .collect();
    let lines = recouvre_store::workflow::plan_instalments(&state.store, case_id).await?;
    let plan_status = lines.first().map(|line| line.1.clone()).unwrap_or_default();
    let first_plan = lines.first().map(|line| line.0);
    let instalments = lines
        .into_iter()
        .filter(|line| Some(line.0) == first_plan)
        .map(|(_, _, number, due_on, cents, status)| {
            (number, format::short_date(due_on), Money::from_cents(cents).to_french(), status)
        })
        .collect();
    let third_parties = recouvre_store::team::third_parties(&state.store, None)
        .await?
        .into_iter()
        .map(|party| (party.id, format!("{} ({})", party.name, party.kind)))
        .collect();
    Ok(CaseWorkflowView {
        third_parties,
        assessment,
        recommendation,
        strategies: Strategy::ALL.iter().map(|strategy| (strategy.code(), strategy.label())).collect(),
        procedures,
        steps,
        enforcement_suspended,
        deadlines,
        instalments,
        plan_status,
    })
}

// ---------------------------------------------------------------------------------------------
// Forms of the case page

fn money_field(name: &str, text: &str) -> Result<Money, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Money::ZERO);
    }
    text.parse().map_err(|error| AppError::BadRequest(format!("{name} : {error}")))
}

#[derive(Deserialize)]
struct AssessmentForm {
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

async fn assessment_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<AssessmentForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let case = recouvre_store::cases::detail(&state.store, case_id).await?;
    let input = Assessment {
        assessed_on: form.assessed_on,
        debt: case.breakdown.total(),
        incomes: Incomes {
            wages_net_monthly: money_field("salaires", &form.wages)?,
            benefits: money_field("prestations", &form.benefits)?,
            pensions: money_field("pensions", &form.pensions)?,
            other: money_field("autres revenus", &form.other_income)?,
        },
        charges: Charges {
            rent: money_field("loyer", &form.rent)?,
            loan_repayments: money_field("crédits", &form.loans)?,
            other: money_field("autres charges", &form.other_charges)?,
        },
        household: Household { adults: form.adults, dependants: form.dependants },
        assets: Assets {
            property_value: money_field("immobilier", &form.property)?,
            vehicle_value: money_field("véhicule", &form.vehicle)?,
            savings_at_bank: money_field("épargne à la banque", &form.savings_bank)?,
            savings_elsewhere: money_field("épargne ailleurs", &form.savings_elsewhere)?,
        },
        employer: Some(form.employer.trim().to_string()).filter(|employer| !employer.is_empty()),
    };
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    let reference = state.reference();
    recouvre_store::workflow::record_assessment(
        &state.store,
        case_id,
        Some(form.version),
        &input,
        &reference,
        &rules,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#strategie")).into_response())
}

#[derive(Deserialize)]
struct StrategyForm {
    csrf: String,
    recommendation_id: i64,
    action: String,
    #[serde(default)]
    strategy: String,
    #[serde(default)]
    reason: String,
}

async fn strategy_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<StrategyForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let override_with = match form.action.as_str() {
        "accept" => None,
        _ => Some(
            Strategy::from_code(&form.strategy)
                .ok_or_else(|| AppError::BadRequest("choisissez la stratégie retenue".to_string()))?,
        ),
    };
    recouvre_store::workflow::decide_recommendation(
        &state.store,
        case_id,
        form.recommendation_id,
        override_with,
        &form.reason,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#strategie")).into_response())
}

#[derive(Deserialize)]
struct StepForm {
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
}

fn parse_step(text: &str) -> Result<(ProcedureKind, Step), AppError> {
    let (kind, step) = text.split_once(':').unwrap_or(("", text));
    let kind =
        ProcedureKind::from_code(kind).ok_or_else(|| AppError::BadRequest(format!("procédure « {kind} » inconnue")))?;
    let step = Step::from_code(step).ok_or_else(|| AppError::BadRequest(format!("étape « {step} » inconnue")))?;
    Ok((kind, step))
}

async fn step_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<StepForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let (kind, step) = parse_step(&form.step)?;
    let amount = money_field("montant", &form.amount)?;
    let costs = money_field("frais", &form.costs)?;
    let scheduled_on = match form.scheduled_on.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse().map_err(|_| AppError::BadRequest(format!("date fixée « {text} » invalide")))?),
    };
    let input = StepInput {
        amount: amount.is_positive().then_some(amount),
        costs: costs.is_positive().then_some(costs),
        scheduled_on,
        ..StepInput::default()
    };
    let third_party_id = match form.third_party_id.trim() {
        "" => None,
        text => Some(text.parse().map_err(|_| AppError::BadRequest(format!("intervenant « {text} » inconnu")))?),
    };
    let request = StepRequest { kind, step, on: form.on, input, third_party_id };
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    recouvre_store::workflow::apply_step(
        &state.store,
        case_id,
        Some(form.version),
        &request,
        &rules,
        actor(&user),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#procedures")).into_response())
}

#[derive(Deserialize)]
struct PlanForm {
    csrf: String,
    version: i64,
    monthly: String,
    first_due: NaiveDate,
    months: u32,
    /// A protected adult's guardian or curator countersigned the agreement.
    #[serde(default)]
    guardian_countersigned: Option<String>,
}

/// The schedule of a plan: monthly instalments of the case's debt within `monthly`, in at most
/// `months` (the payment-plan calculator, Code civil 1343-5 for the default cap).
fn schedule(
    debt: Money,
    monthly: Money,
    first_due: NaiveDate,
    months: u32,
) -> Result<Vec<(NaiveDate, Money)>, AppError> {
    let plan = recouvre_domain::payment_plan::build_payment_plan(
        debt,
        monthly,
        first_due,
        months,
        rust_decimal::Decimal::ZERO,
    )
    .map_err(|error| AppError::BadRequest(error.to_string()))?;
    Ok(plan.instalments.iter().map(|instalment| (instalment.due, instalment.amount)).collect())
}

async fn plan_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<PlanForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let case = recouvre_store::cases::detail(&state.store, case_id).await?;
    let monthly = money_field("mensualité", &form.monthly)?;
    let instalments = schedule(case.breakdown.total(), monthly, form.first_due, form.months)?;
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    let proposal = recouvre_store::workflow::PlanProposal {
        instalments: &instalments,
        guardian_countersigned: form.guardian_countersigned.is_some(),
    };
    recouvre_store::workflow::propose_plan(
        &state.store,
        case_id,
        Some(form.version),
        &proposal,
        &rules,
        actor(&user),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#echeancier")).into_response())
}

#[derive(Deserialize)]
struct WaiverForm {
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

async fn waiver_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<WaiverForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    // Interest waived is taken from contractual interest first, then statutory interest.
    let case = recouvre_store::cases::detail(&state.store, case_id).await?;
    let interest = money_field("intérêts", &form.interest)?;
    let contractual = interest.min(case.breakdown.contractual_interest);
    let amounts = recouvre_domain::case::Breakdown {
        principal: money_field("capital", &form.principal)?,
        contractual_interest: contractual,
        statutory_interest: interest - contractual,
        costs: money_field("frais", &form.costs)?,
        penalties: Money::ZERO,
    };
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    recouvre_store::workflow::propose_waiver(
        &state.store,
        case_id,
        Some(form.version),
        &amounts,
        &form.reason,
        &rules,
        actor(&user),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

#[derive(Deserialize)]
struct ExchangeForm {
    csrf: String,
    third_party_id: i64,
    summary: String,
}

async fn exchange_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<ExchangeForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    recouvre_store::workflow::record_exchange(
        &state.store,
        case_id,
        form.third_party_id,
        &form.summary,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Agenda

pub struct AgendaLine {
    pub case_id: i64,
    pub case_reference: String,
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
    covering: Vec<String>,
}

#[derive(Deserialize, IntoParams)]
struct AgendaQuery {
    /// Last day shown (default: 30 days ahead).
    until: Option<NaiveDate>,
}

/// The officers whose agenda the user sees: themselves, and the absent colleagues they cover today.
async fn agenda_officers(state: &AppState, user: &CurrentUser) -> Result<(Vec<i64>, Vec<String>), AppError> {
    let today = Utc::now().date_naive();
    let mut ids = vec![user.user.id];
    let covered = recouvre_store::team::covered_officers(&state.store, user.login(), today).await?;
    let mut names = Vec::new();
    for id in covered {
        if !ids.contains(&id) {
            ids.push(id);
            names.push(format!("n° {id}"));
        }
    }
    Ok((ids, names))
}

async fn agenda_items(state: &AppState, user: &CurrentUser, until: NaiveDate) -> Result<Vec<AgendaLine>, AppError> {
    let today = Utc::now().date_naive();
    let (ids, _) = agenda_officers(state, user).await?;
    let items = recouvre_store::workflow::agenda(&state.read_store, &ids, until, 500).await?;
    Ok(items
        .into_iter()
        .map(|item| AgendaLine {
            overdue: item.due_on < today,
            warning: item.due_on >= today && (item.due_on - today).num_days() <= item.warn_days,
            case_id: item.case_id,
            case_reference: item.case_reference,
            id: item.id,
            label: item.label,
            due_on: format::short_date(item.due_on),
            legal_basis: item.legal_basis.unwrap_or_default(),
            legal: item.kind == "deadline",
            officer: item.officer_login.unwrap_or_default(),
        })
        .collect())
}

async fn agenda_page(State(state): State<AppState>, user: CurrentUser, Query(query): Query<AgendaQuery>) -> PageResult {
    user.require(Permission::WorkCases)?;
    let until = query.until.unwrap_or_else(|| Utc::now().date_naive() + chrono::Duration::days(30));
    let items = agenda_items(&state, &user, until).await?;
    let (_, covering) = agenda_officers(&state, &user).await?;
    render(&AgendaPage { layout: Layout::of(&user), items, until: until.to_string(), covering })
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn complete_action_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(item_id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    recouvre_store::workflow::complete_action(&state.store, item_id, user.login(), Utc::now()).await?;
    Ok(Redirect::to("/agenda").into_response())
}

// ---------------------------------------------------------------------------------------------
// API

#[derive(Deserialize, ToSchema)]
pub struct AssessmentRequest {
    /// The case version the officer saw.
    pub version: Option<i64>,
    #[schema(value_type = Object)]
    pub assessment: serde_json::Value,
}

/// Records a financial assessment (bilan) and re-evaluates the strategy. The `assessment`'s
/// `debt` is ignored: the case's balance is used.
#[utoipa::path(post, path = "/api/v1/cases/{id}/assessments", params(("id" = i64, Path, description = "Case id")), request_body = AssessmentRequest,
    responses((status = 201, body = Object), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_assessment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<AssessmentRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let case = recouvre_store::cases::detail(&state.store, case_id).await?;
    let mut value = request.assessment;
    if let Some(object) = value.as_object_mut() {
        object.insert("debt".to_string(), serde_json::to_value(case.breakdown.total()).expect("money serialises"));
    }
    let input: Assessment =
        serde_json::from_value(value).map_err(|error| AppError::BadRequest(format!("bilan : {error}")))?;
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    let reference = state.reference();
    let (result, version) = recouvre_store::workflow::record_assessment(
        &state.store,
        case_id,
        request.version,
        &input,
        &reference,
        &rules,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"result": result, "version": version}))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct RecommendationDto {
    pub id: i64,
    pub rule_id: String,
    pub strategy: String,
    pub explanation: String,
    /// `proposed`, `accepted`, `overridden`, `superseded`.
    pub status: String,
    /// The whole recommendation: actions with due dates, warnings, rules version.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
}

/// The latest recommendation of the strategy engine for the case (evaluated now if there is none
/// yet, or if the facts changed).
#[utoipa::path(get, path = "/api/v1/cases/{id}/recommendation", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = RecommendationDto), (status = 403, body = crate::error::ErrorDto), (status = 404, body = crate::error::ErrorDto)))]
async fn get_recommendation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<RecommendationDto>, AppError> {
    user.require(Permission::ReadCases)?;
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    recouvre_store::workflow::reevaluate(&state.store, case_id, &rules, "system:strategy", Utc::now()).await?;
    let row = recouvre_store::workflow::latest_recommendation(&state.store, case_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("recommandation du dossier n° {case_id}")))?;
    Ok(Json(RecommendationDto {
        id: row.id,
        rule_id: row.rule_id,
        strategy: row.strategy,
        explanation: row.explanation,
        status: row.status,
        body: serde_json::from_str(&row.body).unwrap_or(serde_json::Value::Null),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionDto {
    pub recommendation_id: i64,
    /// A strategy code to override the recommendation with; absent to accept it.
    pub override_strategy: Option<String>,
    #[serde(default)]
    pub reason: String,
}

/// Accepts the recommendation, or overrides it with a reason (both journaled).
#[utoipa::path(post, path = "/api/v1/cases/{id}/recommendation/decision", params(("id" = i64, Path, description = "Case id")), request_body = DecisionDto,
    responses((status = 200, body = crate::shared::VersionDto), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn decide_recommendation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<DecisionDto>,
) -> Result<Json<serde_json::Value>, AppError> {
    user.require(Permission::WorkCases)?;
    let override_with = match request.override_strategy.as_deref() {
        None => None,
        Some(code) => Some(
            Strategy::from_code(code).ok_or_else(|| AppError::BadRequest(format!("stratégie « {code} » inconnue")))?,
        ),
    };
    let version = recouvre_store::workflow::decide_recommendation(
        &state.store,
        case_id,
        request.recommendation_id,
        override_with,
        &request.reason,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Json(serde_json::json!({ "version": version })))
}

#[derive(Serialize, ToSchema)]
pub struct ProcedureDto {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub started_on: NaiveDate,
    pub closed: bool,
    pub costs: Money,
    pub recovered: Money,
    /// Steps possible from the current state.
    pub possible_steps: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AgendaItemDto {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    /// `deadline` (legal) or `action` (planned).
    pub kind: String,
    pub code: String,
    pub label: String,
    pub due_on: NaiveDate,
    /// The last day before CPC 642's extension to the next working day.
    pub nominal_on: Option<NaiveDate>,
    pub legal_basis: Option<String>,
    /// `open` or `suspended` (over-indebtedness).
    pub status: String,
    pub overdue: bool,
    /// Within the warning period before its due day.
    pub warning: bool,
}

fn agenda_dto(item: recouvre_store::workflow::AgendaItem, today: NaiveDate) -> AgendaItemDto {
    AgendaItemDto {
        overdue: item.due_on < today && item.status == "open",
        warning: item.status == "open" && item.due_on >= today && (item.due_on - today).num_days() <= item.warn_days,
        id: item.id,
        case_id: item.case_id,
        case_reference: item.case_reference,
        kind: item.kind,
        code: item.code,
        label: item.label,
        due_on: item.due_on,
        nominal_on: item.nominal_on,
        legal_basis: item.legal_basis,
        status: item.status,
    }
}

/// The case's procedures and its open deadlines and actions.
#[utoipa::path(get, path = "/api/v1/cases/{id}/procedures", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = Object), (status = 403, body = crate::error::ErrorDto)))]
async fn get_procedures(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    user.require(Permission::ReadCases)?;
    let today = Utc::now().date_naive();
    let context = ProcedureContext::new(recouvre_domain::calendar::Region::General);
    let procedures: Vec<ProcedureDto> = recouvre_store::workflow::procedures(&state.store, case_id)
        .await?
        .into_iter()
        .map(|row| {
            let kind = ProcedureKind::from_code(&row.kind);
            let state = ProcState::from_code(&row.state);
            let possible_steps = match kind {
                Some(kind) if !row.closed => procedure::possible_steps(kind, state, &context)
                    .into_iter()
                    .map(|step| step.code().to_string())
                    .collect(),
                _ => Vec::new(),
            };
            ProcedureDto {
                id: row.id,
                kind: row.kind,
                state: row.state,
                started_on: row.started_on,
                closed: row.closed,
                costs: Money::from_cents(row.costs_cents),
                recovered: Money::from_cents(row.recovered_cents),
                possible_steps,
            }
        })
        .collect();
    let agenda: Vec<AgendaItemDto> = recouvre_store::workflow::case_agenda(&state.store, case_id)
        .await?
        .into_iter()
        .map(|item| agenda_dto(item, today))
        .collect();
    Ok(Json(serde_json::json!({ "procedures": procedures, "agenda": agenda })))
}

#[derive(Deserialize, ToSchema)]
pub struct StepRequestDto {
    pub version: Option<i64>,
    /// Procedure kind code (`payment_order`, `enforcement_bank`…).
    pub kind: String,
    /// Step code (`serve_order`, `serve_bank_seizure`…).
    pub step: String,
    /// Date of the act.
    pub on: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub input: StepInput,
    pub third_party_id: Option<i64>,
}

/// Applies a procedure step; an impossible step is refused (409) with why and what is possible.
#[utoipa::path(post, path = "/api/v1/cases/{id}/procedures", params(("id" = i64, Path, description = "Case id")), request_body = StepRequestDto,
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<StepRequestDto>,
) -> Result<Json<serde_json::Value>, AppError> {
    user.require(Permission::WorkCases)?;
    let (kind, step) = parse_step(&format!("{}:{}", request.kind, request.step))?;
    let step_request =
        StepRequest { kind, step, on: request.on, input: request.input, third_party_id: request.third_party_id };
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    let (transition, version) = recouvre_store::workflow::apply_step(
        &state.store,
        case_id,
        request.version,
        &step_request,
        &rules,
        actor(&user),
        Utc::now(),
    )
    .await?;
    Ok(Json(serde_json::json!({ "transition": transition, "version": version })))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanLineDto {
    pub due_on: NaiveDate,
    pub amount: Money,
}

#[derive(Deserialize, ToSchema)]
pub struct PlanRequest {
    pub version: Option<i64>,
    /// The schedule agreed with the debtor (for example from `POST /api/v1/calc/payment-plan`).
    pub instalments: Vec<PlanLineDto>,
    /// For a protected adult: the guardian or curator countersigned the agreement (required).
    #[serde(default)]
    pub guardian_countersigned: bool,
}

/// Proposes a payment plan agreed with the debtor: created at once within the proposer's
/// delegation (201), else an approval request for someone of a sufficient level (202).
#[utoipa::path(post, path = "/api/v1/cases/{id}/plans", params(("id" = i64, Path, description = "Case id")), request_body = PlanRequest,
    responses((status = 201, body = Object), (status = 202, body = Object), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<PlanRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let instalments: Vec<(NaiveDate, Money)> =
        request.instalments.iter().map(|line| (line.due_on, line.amount)).collect();
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    let proposal = recouvre_store::workflow::PlanProposal {
        instalments: &instalments,
        guardian_countersigned: request.guardian_countersigned,
    };
    let outcome = recouvre_store::workflow::propose_plan(
        &state.store,
        case_id,
        request.version,
        &proposal,
        &rules,
        actor(&user),
        Utc::now(),
    )
    .await?;
    let status = match outcome {
        PlanOutcome::Created { .. } => StatusCode::CREATED,
        PlanOutcome::Pending { .. } => StatusCode::ACCEPTED,
    };
    Ok((status, Json(outcome)).into_response())
}

/// The caller's agenda (and that of the colleagues they cover): open items due by `until`,
/// overdue first.
#[utoipa::path(get, path = "/api/v1/agenda", params(AgendaQuery),
    responses((status = 200, body = Vec<AgendaItemDto>), (status = 403, body = crate::error::ErrorDto)))]
async fn get_agenda(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AgendaQuery>,
) -> Result<Json<Vec<AgendaItemDto>>, AppError> {
    user.require(Permission::WorkCases)?;
    let today = Utc::now().date_naive();
    let until = query.until.unwrap_or(today + chrono::Duration::days(30));
    let (ids, _) = agenda_officers(&state, &user).await?;
    let items = recouvre_store::workflow::agenda(&state.read_store, &ids, until, 500).await?;
    Ok(Json(items.into_iter().map(|item| agenda_dto(item, today)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct WaiverRequest {
    pub version: Option<i64>,
    /// What is waived, by component.
    #[schema(value_type = Object)]
    pub amounts: recouvre_domain::case::Breakdown,
    pub reason: String,
}

/// Proposes a waiver (remise): booked at once within the proposer's delegation (201), else an
/// approval request (202).
#[utoipa::path(post, path = "/api/v1/cases/{id}/waivers", params(("id" = i64, Path, description = "Case id")), request_body = WaiverRequest,
    responses((status = 201, body = Object), (status = 202, body = Object), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_waiver(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<WaiverRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let rules = recouvre_store::workflow::rules(&state.store).await?;
    let outcome = recouvre_store::workflow::propose_waiver(
        &state.store,
        case_id,
        request.version,
        &request.amounts,
        &request.reason,
        &rules,
        actor(&user),
        Utc::now(),
    )
    .await?;
    let status = match outcome {
        recouvre_store::workflow::WaiverOutcome::Booked { .. } => StatusCode::CREATED,
        recouvre_store::workflow::WaiverOutcome::Pending { .. } => StatusCode::ACCEPTED,
    };
    Ok((status, Json(outcome)).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ExchangeRequest {
    /// A third party of the directory (`GET /api/v1/third-parties`).
    pub third_party_id: i64,
    /// What was exchanged: object, answer, what follows.
    pub summary: String,
}

/// Records an exchange with a third party on the case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{id}/exchanges", params(("id" = i64, Path, description = "Case id")), request_body = ExchangeRequest,
    responses((status = 201, body = Object), (status = 403, body = crate::error::ErrorDto), (status = 409, body = crate::error::ErrorDto)))]
async fn post_exchange(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<ExchangeRequest>,
) -> Result<Response, AppError> {
    user.require(Permission::WorkCases)?;
    let version = recouvre_store::workflow::record_exchange(
        &state.store,
        case_id,
        request.third_party_id,
        &request.summary,
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "version": version }))).into_response())
}

/// The embedded default of a rule document (commented TOML).
fn default_rules(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "strategy_rules" => include_str!("../../domain/data/strategy_rules.toml"),
        "authority_matrix" => include_str!("../../domain/data/authority_matrix.toml"),
        "procedure_policy" => include_str!("../../domain/data/procedure_policy.toml"),
        "assessment_policy" => include_str!("../../domain/data/assessment_policy.toml"),
        "provisioning_policy" => include_str!("../../domain/data/provisioning_policy.toml"),
        _ => return None,
    })
}

/// The rule document in force (`strategy_rules`, `authority_matrix`, `procedure_policy`,
/// `assessment_policy`), as TOML: the administrator's latest version, else the default.
#[utoipa::path(get, path = "/api/v1/rules/{kind}", params(("kind" = String, Path, description = "strategy_rules, authority_matrix, procedure_policy, assessment_policy or provisioning_policy")),
    responses((status = 200, body = String, content_type = "application/toml"), (status = 404, body = crate::error::ErrorDto)))]
async fn get_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
) -> Result<Response, AppError> {
    if !user.can(Permission::Administer) {
        user.require(Permission::ReadCases)?;
    }
    let default = default_rules(&kind).ok_or_else(|| AppError::NotFound(format!("document de règles « {kind} »")))?;
    let text = recouvre_store::workflow::rules_text(&state.store, &kind).await?.unwrap_or_else(|| default.to_string());
    Ok(([(axum::http::header::CONTENT_TYPE, "application/toml; charset=utf-8")], text).into_response())
}

/// Puts a new version of a rule document in force (administrator; TOML body, validated: an
/// error names the rule and the field). Earlier versions are kept.
#[utoipa::path(put, path = "/api/v1/rules/{kind}", params(("kind" = String, Path, description = "strategy_rules, authority_matrix, procedure_policy, assessment_policy or provisioning_policy")),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 204), (status = 400, body = crate::error::ErrorDto), (status = 403, body = crate::error::ErrorDto)))]
async fn put_rules(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    body: String,
) -> Result<StatusCode, AppError> {
    user.require(Permission::Administer)?;
    recouvre_store::workflow::replace_rules(&state.store, &kind, &body, user.login(), Utc::now()).await.map_err(
        |error| match error {
            recouvre_store::StoreError::Invalid { message, .. } => AppError::BadRequest(message),
            other => AppError::from(other),
        },
    )?;
    Ok(StatusCode::NO_CONTENT)
}
