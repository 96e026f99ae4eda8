//! The recovery workflow on a case (issue 4): financial assessments, the strategy engine's
//! recommendation and the officer's decision, procedures as state machines with the deadlines
//! they open, payment plans within or above the officer's delegation, and the agenda.
//!
//! The decisions are the domain's (`recouvre_domain::{assessment, strategy, procedure,
//! delegation}`); this module reads the facts, applies them, and writes the effect and its journal
//! event in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::assessment::{Assessment, AssessmentPolicy, AssessmentResult};
use recouvre_domain::case::{ClaimNature, Employment, OverIndebtedness, Protection};
use recouvre_domain::delegation::{AuthorityMatrix, Decision, Verdict};
use recouvre_domain::journal::EventKind;
use recouvre_domain::procedure::{self, CaseFacts, ProcedureFact, ProcedureKind, State};
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::strategy::{self, Recommendation, StrategyFacts, StrategyRules};
use recouvre_domain::Money;
use serde::Serialize;
use serde_json::json;

use crate::actor::Actor;
use crate::db::{query, query_as, query_scalar};
use crate::direct_debits::NewPlan;
use crate::four_eyes::NewApprovalRequest;
use crate::journal::CaseEvent;
use crate::ledger::{refused_by_ledger, Booking, RECEIVABLE_ACCOUNTS};
use crate::{Engine, Result, Store, StoreError, Tx};

/// The workflow's rules in force: the administrator's latest version of each (TOML in
/// `reference_entries`), else the embedded defaults (crates/domain/data).
#[derive(Debug, Clone)]
pub struct WorkflowRules {
    pub strategy: StrategyRules,
    pub assessment: AssessmentPolicy,
    pub procedure: procedure::ProcedurePolicy,
    pub authority: AuthorityMatrix,
}

async fn latest_entry(store: &Store, kind: &str) -> Result<Option<String>> {
    let latest: Option<String> =
        query_scalar("SELECT entry FROM reference_entries WHERE kind = $1 ORDER BY id DESC LIMIT 1")
            .bind(kind)
            .fetch_optional(store)
            .await?;
    Ok(latest)
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} : {error}"))
}

/// Reads the rules in force.
pub async fn rules(store: &Store) -> Result<WorkflowRules> {
    let strategy = match latest_entry(store, "strategy_rules").await? {
        Some(text) => StrategyRules::from_toml(&text).map_err(|error| corrupt("règles de stratégie", error))?,
        None => StrategyRules::embedded(),
    };
    let assessment = match latest_entry(store, "assessment_policy").await? {
        Some(text) => AssessmentPolicy::from_toml(&text).map_err(|error| corrupt("politique du bilan", error))?,
        None => AssessmentPolicy::embedded(),
    };
    let procedure = match latest_entry(store, "procedure_policy").await? {
        Some(text) => {
            procedure::ProcedurePolicy::from_toml(&text).map_err(|error| corrupt("politique des procédures", error))?
        }
        None => procedure::ProcedurePolicy::embedded(),
    };
    let authority = match latest_entry(store, "authority_matrix").await? {
        Some(text) => AuthorityMatrix::from_toml(&text).map_err(|error| corrupt("matrice de délégation", error))?,
        None => AuthorityMatrix::embedded(),
    };
    Ok(WorkflowRules { strategy, assessment, procedure, authority })
}

// ---------------------------------------------------------------------------------------------
// Facts

/// A procedure on a case, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProcedureRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub state: String,
    pub started_on: NaiveDate,
    pub updated_on: NaiveDate,
    pub third_party_id: Option<i64>,
    pub costs_cents: i64,
    pub recovered_cents: i64,
    pub closed: bool,
}

impl ProcedureRow {
    /// The row as the procedure context reads it; `None` for a kind or a state this version does
    /// not know.
    pub fn fact(&self) -> Option<ProcedureFact> {
        Some(ProcedureFact {
            kind: ProcedureKind::from_code(&self.kind)?,
            state: State::from_code(&self.state)?,
            closed: self.closed,
        })
    }
}

/// The rows as the procedure context reads them (rows of an unknown kind or state left out).
fn facts_of_rows(rows: &[ProcedureRow]) -> Vec<ProcedureFact> {
    rows.iter().filter_map(ProcedureRow::fact).collect()
}

pub(crate) const PROCEDURE_COLUMNS: &str =
    "id, case_id, kind, state, started_on, updated_on, third_party_id, costs_cents, recovered_cents, closed";

/// The procedures of a case, oldest first.
pub async fn procedures(store: &Store, case_id: i64) -> Result<Vec<ProcedureRow>> {
    let sql = format!("SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE case_id = $1 ORDER BY id");
    let rows = query_as(&sql).bind(case_id).fetch_all(store).await?;
    Ok(rows)
}

/// A case's procedures as stored, and the facts its procedure context is built from, read
/// together: the steps a screen offers ([`CaseFacts::offered_steps`]) and the procedures it lists
/// come from the same rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseProcedures {
    pub facts: CaseFacts,
    /// The procedures of the case, oldest first.
    pub rows: Vec<ProcedureRow>,
}

impl Tx {
    /// The facts every step on the case is judged in (`CaseFacts`: the debtor's postcode,
    /// protection and over-indebtedness stage, the case's procedures), read once: the store's
    /// check before a step, the case page's step form and the API's possible steps all start
    /// from them.
    pub async fn procedure_facts(&mut self, case_id: i64) -> Result<CaseFacts> {
        Ok(self.case_procedures(case_id).await?.facts)
    }

    /// [`Tx::procedure_facts`] with the procedures' rows they were read from.
    pub async fn case_procedures(&mut self, case_id: i64) -> Result<CaseProcedures> {
        let debtor: Option<(String, String, String)> = query_as(
            "SELECT p.postcode, p.protection, p.over_indebtedness FROM cases c JOIN persons p ON p.id = c.debtor_id \
             WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_optional(&mut *self)
        .await?;
        let (postcode, protection, over_indebtedness) =
            debtor.ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
        let sql = format!("SELECT {PROCEDURE_COLUMNS} FROM procedures WHERE case_id = $1 ORDER BY id");
        let rows: Vec<ProcedureRow> = query_as(&sql).bind(case_id).fetch_all(&mut *self).await?;
        let mut procedures = Vec::with_capacity(rows.len());
        for row in &rows {
            let fact = row.fact().ok_or_else(|| {
                corrupt("procédure", format!("n° {} : type « {} », état « {} »", row.id, row.kind, row.state))
            })?;
            procedures.push(fact);
        }
        let facts = CaseFacts {
            debtor_postcode: postcode,
            debtor_protection: Protection::from_code(&protection)
                .ok_or_else(|| corrupt("mesure de protection", &protection))?,
            debtor_over_indebtedness: OverIndebtedness::from_code(&over_indebtedness)
                .ok_or_else(|| corrupt("surendettement", &over_indebtedness))?,
            procedures,
        };
        Ok(CaseProcedures { facts, rows })
    }
}

/// The facts every step on the case is judged in (see [`Tx::procedure_facts`]).
pub async fn procedure_facts(store: &Store, case_id: i64) -> Result<CaseFacts> {
    Ok(case_procedures(store, case_id).await?.facts)
}

/// A case's procedures and their facts, read in one snapshot (see [`Tx::case_procedures`]).
pub async fn case_procedures(store: &Store, case_id: i64) -> Result<CaseProcedures> {
    let mut tx = store.begin_read().await?;
    let procedures = tx.case_procedures(case_id).await?;
    tx.commit().await?;
    Ok(procedures)
}

/// What the debtor row says, for the facts.
#[derive(Debug, Clone, sqlx::FromRow)]
struct DebtorFacts {
    employment: String,
    protection: String,
    over_indebtedness: String,
    ficp_registered: bool,
    deceased_on: Option<NaiveDate>,
    total_cents: i64,
}

/// What the store reads of one case to make the strategy's facts: the same rows whether one case
/// is read (`strategy_facts`) or a chunk of the nightly run (`store::batch`).
pub(crate) struct FactRows<'a> {
    /// Nature of the largest claim.
    pub nature: ClaimNature,
    /// Earliest due date of the claims.
    pub due_on: NaiveDate,
    pub debt_cents: i64,
    pub employment: &'a str,
    pub protection: &'a str,
    pub over_indebtedness: &'a str,
    pub ficp_registered: bool,
    pub deceased_on: Option<NaiveDate>,
    pub procedures: &'a [ProcedureRow],
    pub guarantors: i64,
    pub plans_broken: i64,
    pub plans_active: i64,
    /// The latest assessment's result (JSON).
    pub latest_assessment: Option<&'a str>,
    /// The case's time bars: its stored state (`time_bar_states`), or its history's derivation.
    pub time_bars: &'a crate::time_bars::CaseTimeBars,
}

fn court_claim_pending(rows: &[ProcedureRow]) -> bool {
    rows.iter().any(|row| {
        row.kind == ProcedureKind::PaymentOrder.code() && !row.closed && !matches!(row.state.as_str(), "enforceable")
    })
}

/// The strategy's facts from what the store read of the case.
pub(crate) fn facts_from(rows: &FactRows<'_>, today: NaiveDate) -> Result<StrategyFacts> {
    let procedures = rows.procedures;
    let facts_of_procedures = facts_of_rows(procedures);
    let title = facts_of_procedures.iter().any(ProcedureFact::gives_title);
    // From the case's history (issue 18): a debtor who pays keeps interrupting the limitation
    // (C. civ. 2240), a title gives ten years from its service (CPCE L111-4).
    let bars = rows.time_bars;
    let unanswered_notices =
        procedures.iter().filter(|row| row.kind == ProcedureKind::Amicable.code() && row.state == "no_answer").count();
    let mut over_indebtedness = OverIndebtedness::from_code(rows.over_indebtedness).unwrap_or(OverIndebtedness::None);
    if facts_of_procedures.iter().any(ProcedureFact::suspends_enforcement)
        && matches!(over_indebtedness, OverIndebtedness::None | OverIndebtedness::Filed)
    {
        over_indebtedness = OverIndebtedness::Admissible;
    }
    let mut facts = StrategyFacts {
        nature: rows.nature,
        debt: Money::from_cents(rows.debt_cents),
        due_on: rows.due_on,
        foreclosure_date: bars.foreclosure_date,
        limitation_date: bars.limitation_date,
        has_guarantor: rows.guarantors > 0,
        has_enforceable_title: title,
        court_claim_pending: court_claim_pending(procedures),
        employment: Employment::from_code(rows.employment).unwrap_or(Employment::Employed),
        monthly_capacity: Money::ZERO,
        seizable_wage: Money::ZERO,
        bank_seizable: Money::ZERO,
        seizable_assets: Money::ZERO,
        deceased: rows.deceased_on.is_some_and(|day| day <= today),
        protection: Protection::from_code(rows.protection).unwrap_or(Protection::None),
        over_indebtedness,
        ficp: rows.ficp_registered,
        plans_broken: u32::try_from(rows.plans_broken).unwrap_or(u32::MAX),
        agency_returned_unpaid: procedures
            .iter()
            .any(|row| row.kind == ProcedureKind::Agency.code() && row.state == "returned_unpaid"),
        unanswered_notices: u32::try_from(unanswered_notices).unwrap_or(u32::MAX),
        has_plan_active: rows.plans_active > 0,
    };
    if let Some(result) = rows.latest_assessment {
        let result: AssessmentResult = serde_json::from_str(result).map_err(|error| corrupt("bilan", error))?;
        facts.apply_assessment(&result);
    }
    Ok(facts)
}

/// The facts the strategy engine reads, from the case as it stands.
pub async fn strategy_facts(store: &Store, case_id: i64, today: NaiveDate) -> Result<StrategyFacts> {
    let debtor: Option<DebtorFacts> = query_as(
        "SELECT p.employment, p.protection, p.over_indebtedness, p.ficp_registered, p.deceased_on, c.total_cents \
         FROM cases c JOIN persons p ON p.id = c.debtor_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(store)
    .await?;
    let debtor = debtor.ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
    type ClaimRow = (String, i64, NaiveDate, Option<NaiveDate>);
    let claims: Vec<ClaimRow> = {
        query_as(
        "SELECT nature, principal_cents, due_on, first_incident_on FROM claims WHERE case_id = $1 ORDER BY principal_cents DESC, id"
    )
    .bind(case_id)
    .fetch_all(store)
    .await?
    };
    let Some((nature, _, _, _)) = claims.first() else {
        return Err(StoreError::refused("no_claim", format!("le dossier n° {case_id} n'a aucune créance")));
    };
    let nature = ClaimNature::from_code(nature).ok_or_else(|| corrupt("nature de créance", nature))?;
    // Invariant: `claims` has a first element (checked just above).
    #[allow(clippy::expect_used)]
    let due_on = claims.iter().map(|claim| claim.2).min().expect("at least one claim");
    let guarantors: i64 = query_scalar(
        "SELECT (SELECT COUNT(*) FROM case_parties WHERE case_id = $1 AND role = 'guarantor') \
         + (SELECT COUNT(*) FROM guarantees WHERE case_id = $1 AND kind IN ('personal_surety', 'guarantee_body'))",
    )
    .bind(case_id)
    .fetch_one(store)
    .await?;
    let rows = procedures(store, case_id).await?;
    // The stored time bars (issue 18), or the history's derivation on a day they do not cover.
    let time_bars = {
        let mut tx = store.begin_read().await?;
        let state = tx.case_time_bars_on(case_id, today, None).await?;
        tx.commit().await?;
        state
            .ok_or_else(|| StoreError::refused("no_claim", format!("le dossier n° {case_id} n'a aucune créance")))?
            .bars
    };
    let latest_assessment: Option<String> =
        query_scalar("SELECT result FROM assessments WHERE case_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(case_id)
            .fetch_optional(store)
            .await?;
    type PlanCounts = (i64, i64);
    let (plans_broken, plans_active): PlanCounts = {
        query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'lapsed' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM payment_plans WHERE case_id = $1"
    )
    .bind(case_id)
    .fetch_one(store)
    .await?
    };
    facts_from(
        &FactRows {
            nature,
            due_on,
            debt_cents: debtor.total_cents,
            employment: &debtor.employment,
            protection: &debtor.protection,
            over_indebtedness: &debtor.over_indebtedness,
            ficp_registered: debtor.ficp_registered,
            deceased_on: debtor.deceased_on,
            procedures: &rows,
            guarantors,
            plans_broken,
            plans_active,
            latest_assessment: latest_assessment.as_deref(),
            time_bars: &time_bars,
        },
        today,
    )
}

// ---------------------------------------------------------------------------------------------
// Assessment and recommendation

/// A recommendation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RecommendationRow {
    pub id: i64,
    pub case_id: i64,
    pub rule_id: String,
    pub strategy: String,
    pub explanation: String,
    pub body: String,
    pub facts_digest: String,
    pub rules_version: String,
    pub status: String,
    pub chosen_strategy: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

const RECOMMENDATION_COLUMNS: &str = "id, case_id, rule_id, strategy, explanation, body, facts_digest, rules_version, \
    status, chosen_strategy, decision_reason, decided_by, created_at";

/// The latest recommendation of a case, if any.
pub async fn latest_recommendation(store: &Store, case_id: i64) -> Result<Option<RecommendationRow>> {
    let mut tx = store.begin_read().await?;
    let read = tx.latest_recommendation(case_id).await?;
    tx.commit().await?;
    Ok(read)
}

impl Tx {
    /// The latest recommendation of a case, read inside this transaction.
    pub async fn latest_recommendation(&mut self, case_id: i64) -> Result<Option<RecommendationRow>> {
        let sql =
            format!("SELECT {RECOMMENDATION_COLUMNS} FROM recommendations WHERE case_id = $1 ORDER BY id DESC LIMIT 1");
        let row = query_as(&sql).bind(case_id).fetch_optional(&mut *self).await?;
        Ok(row)
    }
}

impl Tx {
    /// Stores a recommendation unless the latest one already came from the same facts and
    /// rules: the engine re-evaluates when facts change, and only then (journal
    /// `strategy_recommended`; its next actions go to the agenda, replacing the previous
    /// recommendation's open ones). Returns the new recommendation's id and the case's version,
    /// or `None` when nothing changed.
    pub(crate) async fn store_recommendation(
        &mut self,
        case_id: i64,
        recommendation: &Recommendation,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, i64)>> {
        let latest: Option<(String, String)> = query_as(
            "SELECT facts_digest, rules_version FROM recommendations WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(&mut *self)
        .await?;
        let unchanged = latest.as_ref().is_some_and(|(digest, version)| {
            *digest == recommendation.facts_digest && *version == recommendation.rules_version
        });
        if unchanged {
            return Ok(None);
        }
        query("UPDATE recommendations SET status = 'superseded' WHERE case_id = $1 AND status = 'proposed'")
            .bind(case_id)
            .execute(&mut *self)
            .await?;
        let id: i64 = query_scalar(
            "INSERT INTO recommendations (case_id, rule_id, strategy, explanation, body, facts_digest, rules_version, \
             status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', $8) RETURNING id",
        )
        .bind(case_id)
        .bind(&recommendation.rule_id)
        .bind(recommendation.strategy.code())
        .bind(&recommendation.explanation)
        .bind(crate::json_text(recommendation))
        .bind(&recommendation.facts_digest)
        .bind(&recommendation.rules_version)
        .bind(now)
        .fetch_one(&mut *self)
        .await?;
        // The previous advice's actions leave the agenda; a plan's reminders stay: they follow
        // the debtor's undertaking, not the advice (issue 18).
        query(
            "UPDATE agenda_items SET status = 'cancelled', closed_at = $2 \
             WHERE case_id = $1 AND kind = 'action' AND status = 'open' AND code <> 'plan_reminder'",
        )
        .bind(case_id)
        .bind(now)
        .execute(&mut *self)
        .await?;
        for action in &recommendation.actions {
            query(
                "INSERT INTO agenda_items (case_id, kind, code, label, due_on, warn_days, status, created_at) \
                 VALUES ($1, 'action', $2, $3, $4, 0, 'open', $5)",
            )
            .bind(case_id)
            .bind(&action.code)
            .bind(&action.label)
            .bind(action.due_on)
            .bind(now)
            .execute(&mut *self)
            .await?;
        }
        let payload = json!({
            "recommendation_id": id, "rule": recommendation.rule_id, "strategy": recommendation.strategy.code(),
            "explanation": recommendation.explanation, "warnings": recommendation.warnings,
            "rules_version": recommendation.rules_version,
        });
        let event = self
            .append_event(CaseEvent {
                case_id,
                expected_version: None,
                kind: EventKind::StrategyRecommended,
                payload: payload.to_string(),
                actor,
                now,
            })
            .await?;
        Ok(Some((id, event.sequence)))
    }
}

/// Evaluates the strategy engine on the case as it stands and stores the recommendation if the
/// facts (or the rules) changed since the last one. Returns the recommendation.
pub async fn reevaluate(
    store: &Store,
    case_id: i64,
    rules: &WorkflowRules,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Recommendation> {
    // The bank's business date, the day it is in Paris (a recommendation's actions are dated from it).
    let today = recouvre_domain::business_date::paris_date(now);
    let facts = strategy_facts(store, case_id, today).await?;
    let recommendation = strategy::recommend(&rules.strategy, &facts, today);
    let mut tx = store.begin().await?;
    tx.store_recommendation(case_id, &recommendation, actor, now).await?;
    tx.commit().await?;
    Ok(recommendation)
}

/// Records a financial assessment (kept, dated, journaled `assessment_recorded`), then
/// re-evaluates the strategy. Returns what the assessment computed and the case's version.
// The case and its version, the input, the law in force, the rules, who and when: each is needed.
#[allow(clippy::too_many_arguments)]
pub async fn record_assessment(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    input: &Assessment,
    reference: &ReferenceData,
    rules: &WorkflowRules,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(AssessmentResult, i64)> {
    let result = recouvre_domain::assessment::evaluate(input, &rules.assessment, reference)
        .map_err(|error| StoreError::refused("assessment_refused", error.to_string()))?;
    let mut tx = store.begin().await?;
    let id: i64 = query_scalar(
        "INSERT INTO assessments (case_id, assessed_on, input, result, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(input.assessed_on)
    .bind(crate::json_text(input))
    .bind(crate::json_text(&result))
    .bind(actor)
    .bind(now)
    .fetch_one(&mut tx)
    .await?;
    let payload = json!({
        "assessment_id": id, "assessed_on": input.assessed_on, "monthly_capacity": result.monthly_capacity,
        "seizable_wage_monthly": result.seizable_wage_monthly, "recoverability_percent": result.recoverability_percent,
        "band": result.band_label,
    });
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::AssessmentRecorded,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    let version = event.sequence;
    reevaluate(store, case_id, rules, actor, now).await?;
    let version: i64 = current_version(store, case_id).await.unwrap_or(version);
    Ok((result, version))
}

pub(crate) async fn current_version(store: &Store, case_id: i64) -> Result<i64> {
    let version: i64 = query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_one(store).await?;
    Ok(version)
}

impl Tx {
    /// The assessments of a case, newest first, read inside this transaction.
    pub async fn case_assessments(&mut self, case_id: i64) -> Result<Vec<(i64, NaiveDate, String, String)>> {
        let rows =
            query_as("SELECT id, assessed_on, result, created_by FROM assessments WHERE case_id = $1 ORDER BY id DESC")
                .bind(case_id)
                .fetch_all(&mut *self)
                .await?;
        Ok(rows)
    }
}

/// The officer accepts the recommendation, or overrides it with another strategy and a reason;
/// both are journaled (`strategy_accepted`, `strategy_overridden`).
// The case and its version, the recommendation, the decision and why, who and when: each is needed.
#[allow(clippy::too_many_arguments)]
pub async fn decide_recommendation(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    recommendation_id: i64,
    override_with: Option<strategy::Strategy>,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let reason = reason.trim();
    if override_with.is_some() && reason.is_empty() {
        return Err(StoreError::refused("reason_required", "indiquez pourquoi vous écartez la recommandation"));
    }
    let mut tx = store.begin().await?;
    let (status, chosen) = match override_with {
        None => ("accepted", None),
        Some(strategy) => ("overridden", Some(strategy.code())),
    };
    let claimed = query(
        "UPDATE recommendations SET status = $3, chosen_strategy = $4, decision_reason = $5, decided_by = $6, decided_at = $7 \
         WHERE id = $1 AND case_id = $2 AND status = 'proposed'",
    )
    .bind(recommendation_id)
    .bind(case_id)
    .bind(status)
    .bind(chosen)
    .bind(reason)
    .bind(actor)
    .bind(now)
    .execute(&mut tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(StoreError::conflict(
            "already_decided",
            "cette recommandation n'est plus à décider (déjà décidée ou remplacée) : rechargez le dossier",
        ));
    }
    let kind = if override_with.is_some() { EventKind::StrategyOverridden } else { EventKind::StrategyAccepted };
    let payload = json!({"recommendation_id": recommendation_id, "strategy": chosen, "reason": reason});
    let event = tx
        .append_event(CaseEvent { case_id, expected_version, kind, payload: payload.to_string(), actor, now })
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

// ---------------------------------------------------------------------------------------------
// Payment plans within the delegation, or for approval

/// A payment plan agreed with the debtor.
#[derive(Debug, Clone, Copy)]
pub struct PlanProposal<'a> {
    /// (due date, amount), in order.
    pub instalments: &'a [(NaiveDate, Money)],
    /// For a protected adult: the guardian or curator countersigned the agreement.
    pub guardian_countersigned: bool,
}

/// What a plan proposal became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PlanOutcome {
    /// Within the proposer's delegation: the plan is in force.
    Created { plan_id: i64, version: i64 },
    /// Above it: waiting for the approval of someone of `minimum_level` at least.
    Pending { request_id: i64, version: i64, minimum_level: u8, reasons: Vec<String> },
}

/// An officer proposes a payment plan with the debtor's agreement. Within their delegation
/// (authority matrix: length and amount), the plan is created at once; above it, it becomes an
/// approval request (four eyes: never approved by its requester), journaled `plan_requested`.
///
/// A protected adult's agreement is countersigned by their guardian or curator (C. civ. 467 for
/// curatorship, 473 and 505 for guardianship): without `guardian_countersigned`, it is refused.
pub async fn propose_plan(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    proposal: &PlanProposal<'_>,
    rules: &WorkflowRules,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<PlanOutcome> {
    let instalments = proposal.instalments;
    let (protection, guardian): (String, Option<String>) = query_as(
        "SELECT p.protection, p.guardian_name FROM cases c JOIN persons p ON p.id = c.debtor_id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(store)
    .await?
    .ok_or_else(|| StoreError::not_found(format!("dossier n° {case_id}")))?;
    if protection != "none" && !proposal.guardian_countersigned {
        return Err(StoreError::refused("guardian_countersignature_required", format!(
            "débiteur protégé ({}) : l'accord doit être contresigné par {} ; cochez « contresigné » une fois l'accord signé",
            Protection::from_code(&protection).map(Protection::label).unwrap_or("mesure de protection"),
            guardian.as_deref().unwrap_or("son tuteur ou curateur")
        )));
    }
    let total = crate::direct_debits::check_schedule(instalments)?;
    let months = crate::four_eyes::plan_months(instalments, now); // today → last instalment (issue 23)
    let decision = Decision::PaymentPlan { months, total };
    let verdict = rules.authority.check(actor.level, &decision);
    let mut tx = store.begin().await?;
    let outcome = match verdict {
        Verdict::Within => {
            let extra = json!({"months": months, "agreed_by_debtor": true,
                               "guardian_countersigned": proposal.guardian_countersigned});
            let plan = NewPlan { case_id, expected_version, instalments, total, extra, actor: actor.login, now };
            let plan_id = tx.create_plan(plan).await?;
            let version: i64 =
                query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut tx).await?;
            query("UPDATE cases SET status = 'payment_plan' WHERE id = $1").bind(case_id).execute(&mut tx).await?;
            PlanOutcome::Created { plan_id, version }
        }
        Verdict::Exceeds { reasons, minimum_level } => {
            let schedule: Vec<_> =
                instalments.iter().map(|(due_on, amount)| json!({"due_on": due_on, "amount": amount})).collect();
            let payload = json!({"instalments": schedule, "months": months, "total": total, "minimum_level": minimum_level,
                                 "reasons": reasons, "guardian_countersigned": proposal.guardian_countersigned});
            let (request_id, version) = tx
                .open_approval_request(NewApprovalRequest {
                    case_id,
                    expected_version,
                    event: EventKind::PlanRequested,
                    kind: "payment_plan",
                    payload: &payload.to_string(),
                    amount: total,
                    reason: &format!("échéancier de {months} mensualités, {} au total", total.to_french()),
                    actor: actor.login,
                    now,
                })
                .await?;
            PlanOutcome::Pending { request_id, version, minimum_level, reasons }
        }
    };
    tx.commit().await?;
    if matches!(outcome, PlanOutcome::Created { .. }) {
        // A plan in force is a fact the strategy engine reads.
        reevaluate(store, case_id, rules, actor.login, now).await?;
    }
    Ok(outcome)
}

/// The instalments of the case's plans: (plan id, plan status, number, due on, amount cents, status).
pub async fn plan_instalments(store: &Store, case_id: i64) -> Result<Vec<(i64, String, i64, NaiveDate, i64, String)>> {
    let mut tx = store.begin_read().await?;
    let read = tx.plan_instalments(case_id).await?;
    tx.commit().await?;
    Ok(read)
}

impl Tx {
    /// The instalments of the case's plans, read inside this transaction.
    pub async fn plan_instalments(&mut self, case_id: i64) -> Result<Vec<(i64, String, i64, NaiveDate, i64, String)>> {
        let rows = query_as(
            "SELECT p.id, p.status, i.number, i.due_on, i.amount_cents, i.status FROM instalments i \
             JOIN payment_plans p ON p.id = i.plan_id WHERE i.case_id = $1 ORDER BY p.id DESC, i.number",
        )
        .bind(case_id)
        .fetch_all(&mut *self)
        .await?;
        Ok(rows)
    }
}

// ---------------------------------------------------------------------------------------------
// Agenda

/// One line of an agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgendaItem {
    pub id: i64,
    pub case_id: i64,
    pub case_reference: String,
    /// The case's version now: quote it to mark an action done.
    pub case_version: i64,
    pub procedure_id: Option<i64>,
    pub kind: String,
    pub code: String,
    pub label: String,
    pub due_on: NaiveDate,
    pub nominal_on: Option<NaiveDate>,
    pub legal_basis: Option<String>,
    pub warn_days: i64,
    pub status: String,
    pub officer_login: Option<String>,
    /// The officer's full name, for screens.
    pub officer_name: Option<String>,
    /// An action planned for someone else than the case's officer (issue 17): it is on their agenda.
    pub assignee_login: Option<String>,
    pub assignee_name: Option<String>,
}

const AGENDA_COLUMNS: &str = "a.id, a.case_id, c.reference AS case_reference, c.version AS case_version, \
    a.procedure_id, a.kind, a.code, a.label, a.due_on, a.nominal_on, a.legal_basis, a.warn_days, a.status, \
    u.login AS officer_login, u.display_name AS officer_name, ua.login AS assignee_login, ua.display_name AS assignee_name";
const ASSIGNEE_JOIN: &str = "LEFT JOIN users ua ON ua.id = a.assignee_id";
const OPEN_BY: &str = "a.status = 'open' AND a.due_on <= $1 ORDER BY a.due_on, a.id LIMIT $2";
const AGENDA_JOINS: &str =
    "FROM agenda_items a JOIN cases c ON c.id = a.case_id LEFT JOIN users u ON u.id = c.officer_id \
    LEFT JOIN users ua ON ua.id = a.assignee_id";

/// The open items of a case, soonest first (suspended ones included, flagged by their status).
pub async fn case_agenda(store: &Store, case_id: i64) -> Result<Vec<AgendaItem>> {
    let mut tx = store.begin_read().await?;
    let read = tx.case_agenda(case_id).await?;
    tx.commit().await?;
    Ok(read)
}

impl Tx {
    /// The open agenda items of a case, read inside this transaction.
    pub async fn case_agenda(&mut self, case_id: i64) -> Result<Vec<AgendaItem>> {
        let sql =
            format!("SELECT {AGENDA_COLUMNS} {AGENDA_JOINS} WHERE a.case_id = $1 AND a.status IN ('open', 'suspended') ORDER BY a.due_on, a.id");
        let rows = query_as(&sql).bind(case_id).fetch_all(&mut *self).await?;
        Ok(rows)
    }
}

/// Below this many cases, SQLite reads an agenda starting from the officers' cases.
const AGENDA_FROM_CASES_MAX: i64 = 20_000;

/// An officer's agenda: the open items of their cases and of the cases of the officers they cover
/// (`officer_ids`), due by `until`; overdue first (they are the earliest), then by date.
pub async fn agenda(store: &Store, officer_ids: &[i64], until: NaiveDate, limit: i64) -> Result<Vec<AgendaItem>> {
    agenda_planned(store, officer_ids, until, limit, AGENDA_FROM_CASES_MAX).await
}

/// [`agenda`], with SQLite starting from the cases when the officers have fewer than
/// `from_cases_max` (tests compare both plans).
#[doc(hidden)]
pub async fn agenda_planned(
    store: &Store,
    officer_ids: &[i64],
    until: NaiveDate,
    limit: i64,
    from_cases_max: i64,
) -> Result<Vec<AgendaItem>> {
    if officer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = officer_ids.iter().map(i64::to_string).collect();
    let ids = ids.join(", ");
    // An action assigned to someone is on their agenda, not the case officer's (read below).
    let conditions = format!(
        "a.status = 'open' AND a.due_on <= $1 AND c.officer_id IN ({ids}) AND (a.assignee_id IS NULL OR a.assignee_id IN ({ids}))"
    );
    // SQLite reads the open items in date order and keeps those of the officers' cases: quick for
    // an officer with many cases, but a user with few (a team lead) read every open item of a
    // million-case portfolio to find theirs (406 ms, docs/performance.md). Under
    // AGENDA_FROM_CASES_MAX cases, it starts from the cases instead (`CROSS JOIN` fixes SQLite's
    // join order). PostgreSQL's planner makes that choice itself. Same rows either way.
    let from_cases = match store.engine() {
        Engine::Postgres => false,
        Engine::Sqlite => {
            let count_sql = format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE officer_id IN ({ids}) LIMIT {from_cases_max})"
            );
            let cases: i64 = query_scalar(&count_sql).fetch_one(store).await?;
            cases < from_cases_max
        }
    };
    let sql = if from_cases {
        format!(
            "SELECT {AGENDA_COLUMNS} FROM cases c CROSS JOIN agenda_items a ON a.case_id = c.id LEFT JOIN users u ON u.id = c.officer_id \
             {ASSIGNEE_JOIN} WHERE {conditions} ORDER BY a.due_on, a.id LIMIT $2"
        )
    } else {
        format!("SELECT {AGENDA_COLUMNS} {AGENDA_JOINS} WHERE {conditions} ORDER BY a.due_on, a.id LIMIT $2")
    };
    let mut rows: Vec<AgendaItem> = query_as(&sql).bind(until).bind(limit).fetch_all(store).await?;
    // Actions assigned to these users on other officers' cases (issue 17), through their own index.
    let assigned = format!("SELECT {AGENDA_COLUMNS} {AGENDA_JOINS} WHERE a.assignee_id IN ({ids}) AND {OPEN_BY}");
    rows.extend(query_as::<AgendaItem>(&assigned).bind(until).bind(limit).fetch_all(store).await?);
    rows.sort_by_key(|item| (item.due_on, item.id));
    rows.dedup_by_key(|item| item.id);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(rows)
}

/// Marks an action of the agenda done (legal deadlines are closed by the procedure's steps), on
/// the version of its case the officer saw (`None`: whatever the version). Returns the case's
/// new version.
pub async fn complete_action(
    store: &Store,
    item_id: i64,
    expected_version: Option<i64>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = store.begin().await?;
    let row: Option<(i64, String)> = query_as(
        "UPDATE agenda_items SET status = 'done', closed_at = $2 WHERE id = $1 AND kind = 'action' AND status = 'open' \
         RETURNING case_id, label",
    )
    .bind(item_id)
    .bind(now)
    .fetch_optional(&mut tx)
    .await?;
    let Some((case_id, label)) = row else {
        return Err(StoreError::refused(
            "action_not_open",
            "cette action n'est plus ouverte (ou c'est un délai légal, que seule l'étape de procédure clôt)",
        ));
    };
    let payload = json!({"item_id": item_id, "label": label});
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::ActionDone,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

// ---------------------------------------------------------------------------------------------
// Payment plans followed

/// What a plan follow-up run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanFollowUp {
    pub plans_seen: u64,
    pub instalments_missed: u64,
    pub plans_lapsed: u64,
}

/// Follows the active payment plans on `as_of`: an instalment still unpaid
/// `plan_reminder_after_days` after its due day is missed (journal `instalment_missed`, a reminder
/// in the agenda); after `plan_lapse_after_missed` missed instalments the plan lapses (journal
/// `plan_lapsed`) and the case returns to the strategy engine. Payments count whatever their
/// channel (transfer, cheque, direct debit): an instalment is paid when the money received on the
/// case since the plan began covers it and those before it. Idempotent: a missed instalment is
/// counted once, and rerunning the same day changes nothing.
pub async fn follow_plans(
    store: &Store,
    as_of: NaiveDate,
    rules: &WorkflowRules,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<PlanFollowUp> {
    let reminder_days = i64::from(rules.procedure.plan_reminder_after_days);
    let lapse_after = i64::from(rules.procedure.plan_lapse_after_missed);
    let plans: Vec<(i64, i64, DateTime<Utc>)> =
        query_as("SELECT id, case_id, created_at FROM payment_plans WHERE status = 'active' ORDER BY id")
            .fetch_all(store)
            .await?;
    let mut summary = PlanFollowUp::default();
    let mut lapsed_cases = Vec::new();
    for (plan_id, case_id, created_at) in plans {
        summary.plans_seen += 1;
        let since = recouvre_domain::business_date::paris_date(created_at);
        let (missed, lapsed) = {
            let mut tx = store.begin().await?;
            // A write first, so that SQLite takes its write lock now rather than upgrading a read
            // lock later, which fails when another batch process wrote in between.
            query("UPDATE payment_plans SET status = status WHERE id = $1").bind(plan_id).execute(&mut tx).await?;
            let paid_cents: i64 = query_scalar(format!(
                "SELECT CAST(COALESCE(-SUM(p.amount_cents), 0) AS BIGINT) FROM ledger_postings p \
                 JOIN ledger_transactions t ON t.id = p.transaction_id \
                 WHERE t.case_id = $1 AND t.booked_on >= $2 AND t.kind IN ('payment', 'suspense_clearing', 'reversal') \
                 AND p.account IN {RECEIVABLE_ACCOUNTS}"
            ))
            .bind(case_id)
            .bind(since)
            .fetch_one(&mut tx)
            .await?;
            let instalments: Vec<(i64, i64, NaiveDate, i64, String)> = query_as(
                "SELECT id, number, due_on, amount_cents, status FROM instalments WHERE plan_id = $1 ORDER BY number",
            )
            .bind(plan_id)
            .fetch_all(&mut tx)
            .await?;
            let mut cumulative = 0_i64;
            let mut newly_missed = 0_u64;
            let mut missed_count = 0_i64;
            for (id, number, due_on, amount_cents, status) in &instalments {
                cumulative += amount_cents;
                let late = (as_of - *due_on).num_days() > reminder_days;
                if matches!(status.as_str(), "missed" | "returned") {
                    missed_count += 1;
                    continue;
                }
                if status != "due" || !late || cumulative <= paid_cents {
                    continue;
                }
                // Two batch processes may follow the same plan: only the one whose update changed
                // the instalment writes the reminder and the event.
                let marked = query("UPDATE instalments SET status = 'missed' WHERE id = $1 AND status = 'due'")
                    .bind(id)
                    .execute(&mut tx)
                    .await?
                    .rows_affected();
                if marked == 0 {
                    missed_count += 1;
                    continue;
                }
                query(
                    "INSERT INTO agenda_items (case_id, kind, code, label, due_on, warn_days, status, created_at) \
                     VALUES ($1, 'action', 'plan_reminder', $2, $3, 0, 'open', $4)",
                )
                .bind(case_id)
                .bind(format!("Relancer le débiteur : échéance n° {number} du {} impayée", due_on.format("%d/%m/%Y")))
                .bind(as_of)
                .bind(now)
                .execute(&mut tx)
                .await?;
                let payload = json!({"plan_id": plan_id, "instalment": number, "due_on": due_on,
                                     "amount": Money::from_cents(*amount_cents), "as_of": as_of});
                tx.append_event(CaseEvent {
                    case_id,
                    expected_version: None,
                    kind: EventKind::InstalmentMissed,
                    payload: payload.to_string(),
                    actor,
                    now,
                })
                .await?;
                newly_missed += 1;
                missed_count += 1;
            }
            let lapsed = missed_count >= lapse_after
                && query("UPDATE payment_plans SET status = 'lapsed' WHERE id = $1 AND status = 'active'")
                    .bind(plan_id)
                    .execute(&mut tx)
                    .await?
                    .rows_affected()
                    == 1;
            if lapsed {
                query("UPDATE cases SET status = 'amicable' WHERE id = $1 AND status = 'payment_plan'")
                    .bind(case_id)
                    .execute(&mut tx)
                    .await?;
                let payload = json!({"plan_id": plan_id, "missed": missed_count, "as_of": as_of});
                tx.append_event(CaseEvent {
                    case_id,
                    expected_version: None,
                    kind: EventKind::PlanLapsed,
                    payload: payload.to_string(),
                    actor,
                    now,
                })
                .await?;
            }
            tx.commit().await?;
            (newly_missed, lapsed)
        };
        summary.instalments_missed += missed;
        if lapsed {
            summary.plans_lapsed += 1;
            lapsed_cases.push(case_id);
        }
    }
    // A lapsed plan is a fact the strategy engine reads (plans broken).
    for case_id in lapsed_cases {
        reevaluate(store, case_id, rules, actor, now).await?;
    }
    Ok(summary)
}

// ---------------------------------------------------------------------------------------------
// Waivers (remises)

/// What a waiver proposal became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WaiverOutcome {
    /// Within the proposer's delegation (amount and percent of the debt): booked at once.
    Booked { transaction_id: i64, version: i64 },
    /// Above it: an approval request for someone of `minimum_level` at least.
    Pending { request_id: i64, version: i64, minimum_level: u8, reasons: Vec<String> },
}

/// Proposes to waive part of what the debtor owes (remise of interest, costs or principal), with a
/// reason. Within the proposer's delegation (authority matrix: euros and percent of the debt) it is
/// booked at once (journal `waiver_booked`); above, it waits for someone else's approval
/// (`waiver_requested`).
// The case and its version, the amounts and why, the rules, who and when: each is needed.
#[allow(clippy::too_many_arguments)]
pub async fn propose_waiver(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    amounts: &recouvre_domain::case::Breakdown,
    reason: &str,
    rules: &WorkflowRules,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Result<WaiverOutcome> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::refused("reason_required", "indiquez le motif de la remise"));
    }
    let total = amounts.total();
    let mut tx = store.begin().await?;
    let balances = tx.balances(case_id).await?;
    let transaction = recouvre_domain::ledger::waiver(&balances, amounts).map_err(refused_by_ledger)?;
    let debt = balances.due().total();
    let payload = json!({"amounts": amounts, "total": total, "debt": debt, "reason": reason});
    let decision = tx.cumulative_waiver(case_id, total, debt, now).await?;
    let outcome = match rules.authority.check(actor.level, &decision) {
        Verdict::Within => {
            let event = tx
                .append_event(CaseEvent {
                    case_id,
                    expected_version,
                    kind: EventKind::WaiverBooked,
                    payload: payload.to_string(),
                    actor: actor.login,
                    now,
                })
                .await?;
            let reference = format!("remise : {reason}");
            let transaction_id = tx
                .book(Booking {
                    case_id: Some(case_id),
                    transaction: &transaction,
                    booked_on: recouvre_domain::business_date::paris_date(now),
                    reference: &reference,
                    reverses: None,
                    actor: actor.login,
                    now,
                })
                .await?;
            WaiverOutcome::Booked { transaction_id, version: event.sequence }
        }
        Verdict::Exceeds { reasons, minimum_level } => {
            let (request_id, version) = tx
                .open_approval_request(NewApprovalRequest {
                    case_id,
                    expected_version,
                    event: EventKind::WaiverRequested,
                    kind: "waiver",
                    payload: &payload.to_string(),
                    amount: total,
                    reason,
                    actor: actor.login,
                    now,
                })
                .await?;
            WaiverOutcome::Pending { request_id, version, minimum_level, reasons }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

// ---------------------------------------------------------------------------------------------
// Exchanges with third parties

/// Records an exchange with a third party of the directory (a bailiff's report, a call with the
/// notary, the guardian's letter…) on the case's timeline (`third_party_exchange`).
pub async fn record_exchange(
    store: &Store,
    case_id: i64,
    expected_version: Option<i64>,
    third_party_id: i64,
    summary: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let summary = summary.trim();
    if summary.is_empty() {
        return Err(StoreError::refused("text_required", "résumez l'échange (objet, réponse, suite à donner)"));
    }
    let mut tx = store.begin().await?;
    let party: Option<(String, String)> = query_as("SELECT name, kind FROM third_parties WHERE id = $1")
        .bind(third_party_id)
        .fetch_optional(&mut tx)
        .await?;
    let Some((name, kind)) = party else {
        return Err(StoreError::refused(
            "unknown_third_party",
            format!("intervenant n° {third_party_id} inconnu : choisissez-le dans l'annuaire des tiers"),
        ));
    };
    let payload = json!({"third_party_id": third_party_id, "name": name, "kind": kind, "summary": summary});
    let event = tx
        .append_event(CaseEvent {
            case_id,
            expected_version,
            kind: EventKind::ThirdPartyExchange,
            payload: payload.to_string(),
            actor,
            now,
        })
        .await?;
    tx.commit().await?;
    Ok(event.sequence)
}

// ---------------------------------------------------------------------------------------------
// The rule documents an administrator edits

/// The workflow's rule documents (TOML, the layout of `crates/domain/data/<kind>.toml`).
pub const RULE_KINDS: [&str; 5] =
    ["strategy_rules", "authority_matrix", "procedure_policy", "assessment_policy", "provisioning_policy"];

/// Validates a rule document of `kind`; the error names what is wrong (rule, field).
pub fn validate_rules(kind: &str, text: &str) -> std::result::Result<(), String> {
    match kind {
        "strategy_rules" => StrategyRules::from_toml(text).map(drop).map_err(|error| error.to_string()),
        "authority_matrix" => AuthorityMatrix::from_toml(text).map(drop).map_err(|error| error.to_string()),
        "procedure_policy" => procedure::ProcedurePolicy::from_toml(text).map(drop).map_err(|error| error.to_string()),
        "assessment_policy" => AssessmentPolicy::from_toml(text).map(drop).map_err(|error| error.to_string()),
        "provisioning_policy" => {
            recouvre_domain::committee::ProvisioningPolicy::from_toml(text).map(drop).map_err(|error| error.to_string())
        }
        other => Err(format!("document « {other} » inconnu : {}", RULE_KINDS.join(", "))),
    }
}

/// The text of the rule document in force, if an administrator replaced the defaults.
pub async fn rules_text(store: &Store, kind: &str) -> Result<Option<String>> {
    if !RULE_KINDS.contains(&kind) {
        return Err(StoreError::not_found(format!("document de règles « {kind} »")));
    }
    latest_entry(store, kind).await
}
