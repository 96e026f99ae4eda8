//! What a case shows of its workflow: the case page's section and the API's procedures.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::agenda::Urgency;
use recouvre_domain::assessment::AssessmentResult;
use recouvre_domain::authority::Permission;
use recouvre_domain::procedure::{CaseFacts, ProcedureKind, Step};
use recouvre_domain::strategy::Recommendation;
use recouvre_domain::Money;
use recouvre_store::team::ThirdParty;
use recouvre_store::workflow::{AgendaItem, CaseProcedures, ProcedureRow, RecommendationRow};
use recouvre_store::Tx;

use crate::{Actor, App, Error, Result};

/// The latest financial assessment of a case.
#[derive(Clone, Debug)]
pub struct AssessmentRecord {
    pub assessed_on: NaiveDate,
    /// Who recorded it.
    pub by: String,
    pub result: AssessmentResult,
}

/// The latest recommendation of the strategy engine, with its whole body read.
#[derive(Clone, Debug)]
pub struct RecommendationView {
    pub row: RecommendationRow,
    /// Actions with their due dates, warnings, rules' version.
    pub body: Recommendation,
}

impl RecommendationView {
    /// Still waiting for the officer's decision.
    pub fn open(&self) -> bool {
        self.row.status == "proposed"
    }
}

/// An open item of a case's agenda (a legal deadline or a planned action) and where it stands
/// today.
#[derive(Clone, Debug)]
pub struct Deadline {
    pub item: AgendaItem,
    pub urgency: Urgency,
}

impl Deadline {
    fn of(item: AgendaItem, today: NaiveDate) -> Deadline {
        let urgency = Urgency::of(item.due_on, item.warn_days, item.status == "suspended", today);
        Deadline { item, urgency }
    }

    /// A legal deadline, rather than an action planned by the strategy.
    pub fn legal(&self) -> bool {
        self.item.kind == "deadline"
    }

    /// Frozen while enforcement is suspended (C. consom. L722-2).
    pub fn suspended(&self) -> bool {
        self.item.status == "suspended"
    }

    /// CPC 642 moved its last day to the next working day.
    pub fn extended(&self) -> bool {
        self.item.nominal_on.is_some_and(|nominal| nominal != self.item.due_on)
    }
}

/// A line of a payment plan's schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstalmentLine {
    pub number: i64,
    pub due_on: NaiveDate,
    pub amount: Money,
    /// `due`, `paid`, `missed`, `returned`…
    pub status: String,
    /// When the debtor was told of its direct debit, and how (`schedule`, `notice`): issue 21.
    pub prenotified: Option<(NaiveDate, String)>,
}

/// The case's latest payment plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanView {
    /// `active`, `completed`, `lapsed`, `cancelled`.
    pub status: String,
    pub instalments: Vec<InstalmentLine>,
}

/// A payment plan sent for approval (above its author's delegation) and not decided yet: the
/// case page shows it instead of « no plan », so that nobody proposes it twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPlan {
    /// The approval request that carries it.
    pub request_id: i64,
    /// (due on, amount) of each proposed instalment, in order.
    pub instalments: Vec<(NaiveDate, Money)>,
    pub total: Money,
    /// The requester's login.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
}

impl PendingPlan {
    /// The plan a pending `payment_plan` request proposes (`None` for another kind of request).
    fn of(request: &recouvre_store::approvals::ApprovalRequest) -> Option<PendingPlan> {
        if request.kind != "payment_plan" {
            return None;
        }
        let payload: serde_json::Value = serde_json::from_str(&request.payload).ok()?;
        let instalments = payload["instalments"]
            .as_array()?
            .iter()
            .filter_map(|line| {
                let due_on = line["due_on"].as_str()?.parse().ok()?;
                let amount = line["amount"].as_str()?.parse().ok()?;
                Some((due_on, amount))
            })
            .collect();
        Some(PendingPlan {
            request_id: request.id,
            instalments,
            total: Money::from_cents(request.amount_cents),
            requested_by: request.requested_by.clone(),
            requested_at: request.requested_at,
        })
    }

    /// The amount of the instalments when they are all equal (the plan form makes them so but
    /// for the last one, which takes the remainder): the first one's, else `None`.
    pub fn monthly(&self) -> Option<Money> {
        self.instalments.first().map(|(_, amount)| *amount)
    }
}

/// Everything the case page shows of the workflow.
#[derive(Clone, Debug)]
pub struct CaseWorkflow {
    /// The business day the view is of (deadlines are late or close from it; forms default to it).
    pub today: NaiveDate,
    pub assessment: Option<AssessmentRecord>,
    pub recommendation: Option<RecommendationView>,
    /// The case's procedures, oldest first.
    pub procedures: Vec<ProcedureRow>,
    /// The facts the steps are judged in.
    pub facts: CaseFacts,
    /// The steps the case offers now ([`CaseFacts::offered_steps`]): what the store accepts.
    pub offered: Vec<(ProcedureKind, Step)>,
    /// Enforcement is suspended by an over-indebtedness file (C. consom. L722-2).
    pub enforcement_suspended: bool,
    /// Open and suspended deadlines and actions, soonest first.
    pub deadlines: Vec<Deadline>,
    pub plan: Option<PlanView>,
    /// The latest plan sent for approval and not decided yet.
    pub pending_plan: Option<PendingPlan>,
    /// The directory, for the step and exchange forms.
    pub third_parties: Vec<ThirdParty>,
}

/// A procedure of a case and the steps it offers now.
#[derive(Clone, Debug)]
pub struct ProcedureLine {
    pub row: ProcedureRow,
    /// For the running procedure of its kind (the latest not closed), its next steps as
    /// [`CaseFacts::offered_steps`] gives them; none for a closed or superseded one.
    pub possible_steps: Vec<Step>,
}

/// The procedures of a case, the steps it offers and its open deadlines, for the API.
#[derive(Clone, Debug)]
pub struct ProcedureOverview {
    pub procedures: Vec<ProcedureLine>,
    /// Every step the case offers now: the next steps of each running procedure and the first
    /// steps of the kinds not running — the case page's step form, and what the store accepts.
    pub offered: Vec<(ProcedureKind, Step)>,
    pub enforcement_suspended: bool,
    pub agenda: Vec<Deadline>,
}

/// The procedures and the steps they offer, from one reading of the case's facts.
async fn offered(app: &App, tx: &mut Tx, case_id: i64) -> Result<(CaseProcedures, Vec<(ProcedureKind, Step)>)> {
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    let procedures = tx.case_procedures(case_id).await?;
    let offered = procedures.facts.offered_steps(&rules.procedure);
    Ok((procedures, offered))
}

/// The case's open deadlines and actions, each with its urgency on the business date.
async fn deadlines(app: &App, tx: &mut Tx, case_id: i64) -> Result<Vec<Deadline>> {
    let today = app.today();
    Ok(tx.case_agenda(case_id).await?.into_iter().map(|item| Deadline::of(item, today)).collect())
}

/// The workflow section of a case page, read inside `tx` (the case page reads the whole file in
/// one snapshot: see `cases::case_page`). The caller checked the permission.
pub(crate) async fn case_workflow_in(app: &App, tx: &mut Tx, case_id: i64) -> Result<CaseWorkflow> {
    let (CaseProcedures { facts, rows }, offered) = offered(app, tx, case_id).await?;
    let assessment = match tx.case_assessments(case_id).await?.into_iter().next() {
        None => None,
        Some((id, assessed_on, result, by)) => {
            let result: AssessmentResult = serde_json::from_str(&result)
                .map_err(|error| Error::internal(format!("bilan n° {id} illisible : {error}")))?;
            Some(AssessmentRecord { assessed_on, by, result })
        }
    };
    let recommendation = match tx.latest_recommendation(case_id).await? {
        None => None,
        Some(row) => {
            let body: Recommendation = serde_json::from_str(&row.body)
                .map_err(|error| Error::internal(format!("recommandation n° {} illisible : {error}", row.id)))?;
            Some(RecommendationView { row, body })
        }
    };
    // The latest plan's schedule (the store lists the newest plan first).
    let lines = tx.plan_instalments(case_id).await?;
    let notices = tx.prenotifications(case_id).await?;
    let plan = lines.first().map(|(latest, status, ..)| PlanView {
        status: status.clone(),
        instalments: lines
            .iter()
            .filter(|line| line.0 == *latest)
            .map(|(plan_id, _, number, due_on, cents, status)| InstalmentLine {
                number: *number,
                due_on: *due_on,
                amount: Money::from_cents(*cents),
                status: status.clone(),
                // The latest, under the mandate in use.
                prenotified: notices
                    .iter()
                    .rev()
                    .find(|notice| notice.plan_id == *plan_id && notice.number == *number)
                    .map(|notice| (notice.notified_on, notice.means.clone())),
            })
            .collect(),
    });
    let pending_plan = tx.case_pending_approvals(case_id).await?.iter().rev().find_map(PendingPlan::of);
    Ok(CaseWorkflow {
        today: app.today(),
        assessment,
        recommendation,
        procedures: rows,
        enforcement_suspended: facts.enforcement_suspended(),
        facts,
        offered,
        deadlines: deadlines(app, tx, case_id).await?,
        plan,
        pending_plan,
        // The directory is not the case's: read beside the snapshot.
        third_parties: recouvre_store::team::third_parties(app.store(), None).await?,
    })
}

/// The procedures of a case, the steps it offers and its open deadlines and actions.
pub async fn case_procedures(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<ProcedureOverview> {
    actor.require(Permission::ReadCases)?;
    // Court and enforcement steps against a named person: a consultation (issue 23).
    crate::access::record_case_read(app, actor, case_id, path, crate::purpose::Purpose::Procedure).await?;
    let mut tx = app.store().begin_read().await?;
    let (CaseProcedures { facts, rows }, offered) = offered(app, &mut tx, case_id).await?;
    let agenda = deadlines(app, &mut tx, case_id).await?;
    tx.commit().await?;
    // The running procedure of a kind is its latest not closed: the one a step applies to.
    let running: Vec<i64> = ProcedureKind::ALL
        .iter()
        .filter_map(|kind| rows.iter().rev().find(|row| row.kind == kind.code() && !row.closed).map(|row| row.id))
        .collect();
    let procedures = rows
        .into_iter()
        .map(|row| {
            let possible_steps = if running.contains(&row.id) {
                offered.iter().filter(|(kind, _)| kind.code() == row.kind).map(|(_, step)| *step).collect()
            } else {
                Vec::new()
            };
            ProcedureLine { row, possible_steps }
        })
        .collect();
    Ok(ProcedureOverview { procedures, offered, enforcement_suspended: facts.enforcement_suspended(), agenda })
}

/// The strategy engine's latest recommendation for the case, evaluated now if the facts (or the
/// rules) changed since the last one.
pub async fn recommendation(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<RecommendationRow> {
    actor.require(Permission::ReadCases)?;
    // The recommendation is drawn from the debtor's finances: a consultation (issue 23).
    crate::access::record_case_read(app, actor, case_id, path, crate::purpose::Purpose::Procedure).await?;
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    recouvre_store::workflow::reevaluate(app.store(), case_id, &rules, "system:strategy", app.now()).await?;
    recouvre_store::workflow::latest_recommendation(app.store(), case_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("la recommandation du dossier n° {case_id}")))
}
