//! Applying a step: what it needs (the case's context, the officer's input), what it returns (a
//! [`Transition`]) and why it is refused ([`ProcedureError`]).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::effects::effects;
use super::policy::ProcedurePolicy;
use super::states::{DeadlineKind, DocumentKind, LimitSide, ProcedureKind, RefusalReason, State, Step};
use super::tables::{edges, is_final, push_unique, reachable};
use crate::calendar::Region;
use crate::reference::french_date;
use crate::Money;

// --- Inputs ---

/// A deadline the procedure still has open (kept by the store), with its due day.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingDeadline {
    pub kind: DeadlineKind,
    pub due: NaiveDate,
}

/// What the officer gives with a step. Every field is optional; a step that needs one says so.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StepInput {
    /// Costs incurred by the step (court, bailiff, lawyer), echoed in the transition.
    pub costs: Option<Money>,
    /// Amount recovered (required by `record_result`; optional for sales and recoveries).
    pub amount: Option<Money>,
    /// A date the step fixes: hearing, auction, orientation hearing, promised payment.
    pub scheduled_on: Option<NaiveDate>,
    /// The contract's cure period, in days, instead of the policy's (formal notices).
    pub cure_days: Option<u32>,
    /// The agency mandate, in months, instead of the policy's.
    pub mandate_months: Option<u32>,
    /// The agency's commission, in % of sums recovered.
    pub commission_percent: Option<Decimal>,
    /// Service of the payment order: `false` when it was not made to the debtor in person.
    pub served_to_person: Option<bool>,
}

/// What [`apply`] needs to know about the case, the step and the bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureContext {
    /// Public holidays for art. 642 (the debtor's court: Alsace-Moselle or the general list).
    pub region: Region,
    /// An over-indebtedness file is admissible: enforcement is suspended (C. consom. L722-2).
    pub over_indebtedness_admissible: bool,
    /// The person the procedure targets is a protected adult (tutelle, curatelle).
    pub protected_adult: bool,
    /// The bank holds an enforceable title against the person (CPCE L111-2).
    pub enforceable_title: bool,
    /// The procedure's deadlines still open, for the checks "not before" and "not after".
    /// A deadline missing from the list is not checked.
    pub open_deadlines: Vec<PendingDeadline>,
    /// What the officer gave with the step.
    pub input: StepInput,
    /// The bank's policy in force.
    pub policy: ProcedurePolicy,
}

impl Default for ProcedureContext {
    fn default() -> ProcedureContext {
        ProcedureContext::new(Region::General)
    }
}

impl ProcedureContext {
    /// A context with no restriction, the embedded policy and no input.
    pub fn new(region: Region) -> ProcedureContext {
        ProcedureContext {
            region,
            over_indebtedness_admissible: false,
            protected_adult: false,
            enforceable_title: false,
            open_deadlines: Vec::new(),
            input: StepInput::default(),
            policy: ProcedurePolicy::embedded(),
        }
    }

    pub(super) fn pending(&self, kind: DeadlineKind) -> Option<NaiveDate> {
        self.open_deadlines.iter().find(|deadline| deadline.kind == kind).map(|deadline| deadline.due)
    }
}

// --- Outputs ---

/// A deadline a step opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedDeadline {
    pub kind: DeadlineKind,
    /// French label (the kind's).
    pub label: String,
    /// Article the limit comes from.
    pub legal_basis: String,
    pub side: LimitSide,
    /// Last day by CPC 641 arithmetic alone (or the fixed date).
    pub nominal: NaiveDate,
    /// Last day after CPC 642 (next working day), or the nominal day for limits it does not extend.
    pub due: NaiveDate,
    /// The nominal day was a Saturday, Sunday or public holiday and the limit was extended.
    pub extended: bool,
    /// How many days before `due` the officer is warned.
    pub warn_days_before: u32,
    /// The day of the warning (`due - warn_days_before`).
    pub warn_on: NaiveDate,
}

/// The result of a step: the new state and everything that follows from it.
///
/// The store applies `closes` before `opens` (a hearing adjourned closes the old date and opens the
/// new one under the same code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transition {
    pub kind: ProcedureKind,
    pub from: Option<State>,
    pub step: Step,
    pub to: State,
    /// Date of the step (the act's date).
    pub on: NaiveDate,
    /// The procedure is over: no step is possible from `to`.
    pub finished: bool,
    pub opens: Vec<OpenedDeadline>,
    pub closes: Vec<DeadlineKind>,
    pub documents: Vec<DocumentKind>,
    /// The letter, act or agreement goes to (or is countersigned by) the guardian.
    pub addressed_to_guardian: bool,
    /// Costs of the step, echoed from the input.
    pub costs: Option<Money>,
    /// Amount recovered, echoed from the input.
    pub amount: Option<Money>,
    /// Agency commission, echoed from the input.
    pub commission_percent: Option<Decimal>,
    /// The step gives the bank an enforceable title (the case's flag must be set).
    pub enforceable_title_obtained: bool,
    /// The new state suspends enforcement against the debtor (C. consom. L722-2).
    pub suspends_enforcement: bool,
    /// The step ends a suspension of enforcement.
    pub lifts_suspension: bool,
    /// Procedures the step leads to (suggestions for the officer, not started here).
    pub follow_up: Vec<ProcedureKind>,
    /// What the officer must know, in French.
    pub notes: Vec<String>,
    /// Version of the policy applied.
    pub policy_version: String,
}

/// A step refused, with why and what is possible instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{message}")]
pub struct ProcedureError {
    pub kind: ProcedureKind,
    pub state: Option<State>,
    pub step: Step,
    pub reason: RefusalReason,
    /// French, for the officer: why, the current state, the possible steps.
    pub message: String,
    pub possible_steps: Vec<Step>,
}

/// The steps the table allows from `state` (`None`: not started), in table order, without those the
/// context forbids: enforcement acts while an over-indebtedness file is admissible (C. consom.
/// L722-2) and starting a seizure without an enforceable title (CPCE L111-2). Deadlines are not
/// checked here (no date): [`apply`] checks them.
pub fn possible_steps(kind: ProcedureKind, state: Option<State>, context: &ProcedureContext) -> Vec<Step> {
    let mut steps = Vec::new();
    for edge in edges(kind).iter().filter(|edge| edge.leaves(state)) {
        if kind.is_enforcement() {
            if context.over_indebtedness_admissible && edge.step.is_enforcement_act() {
                continue;
            }
            if state.is_none() && !context.enforceable_title {
                continue;
            }
        }
        push_unique(&mut steps, edge.step);
    }
    steps
}

// --- Applying a step ---

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "de" or "d'" before an infinitive (French elision).
fn de(action: &str) -> String {
    let elides = action.chars().next().is_some_and(|c| "aeiouyéèêàâîôûh".contains(c));
    if elides {
        format!("d'{action}")
    } else {
        format!("de {action}")
    }
}

fn state_text(state: Option<State>) -> String {
    match state {
        Some(state) => lower_first(state.label()),
        None => "procédure non engagée".to_string(),
    }
}

fn refuse(
    kind: ProcedureKind,
    state: Option<State>,
    step: Step,
    context: &ProcedureContext,
    reason: RefusalReason,
    why: &str,
) -> ProcedureError {
    let possible_steps = possible_steps(kind, state, context);
    let next = if possible_steps.is_empty() {
        "Aucune étape possible".to_string()
    } else {
        let labels: Vec<String> = possible_steps.iter().map(|step| lower_first(step.label())).collect();
        format!("Étapes possibles : {}", labels.join(", "))
    };
    let message = format!("impossible {} : {why} (état : {}). {next}", de(step.action()), state_text(state));
    ProcedureError { kind, state, step, reason, message, possible_steps }
}

/// Applies `step` to a procedure of `kind` in `current_state` (`None`: not started yet) on `on`,
/// the day the act took place.
///
/// Refused, with a French message saying why and what is possible: a step of another procedure; a
/// step the table does not allow from the current state; an enforcement act while an
/// over-indebtedness file is admissible (C. consom. L722-2, L722-3); a seizure started without an
/// enforceable title (CPCE L111-2); a step that must wait for an open deadline to run out (the
/// opposition month, CPC 1416 and 1422) or that comes after its deadline (the six months to serve
/// an order, CPC 1411); a step without the information it needs (a hearing date, an amount).
pub fn apply(
    kind: ProcedureKind,
    current_state: Option<State>,
    step: Step,
    on: NaiveDate,
    context: &ProcedureContext,
) -> Result<Transition, ProcedureError> {
    let state = current_state;
    let refuse_with = |reason: RefusalReason, why: &str| refuse(kind, state, step, context, reason, why);

    if !kind.steps().contains(&step) {
        let why = format!("cette étape n'appartient pas à la procédure « {} »", lower_first(kind.label()));
        return Err(refuse_with(RefusalReason::NotInProcedure, &why));
    }
    if let Some(current) = state {
        if !kind.states().contains(&current) {
            let why = format!(
                "l'état « {} » n'appartient pas à la procédure « {} »",
                lower_first(current.label()),
                lower_first(kind.label())
            );
            return Err(refuse_with(RefusalReason::NotInProcedure, &why));
        }
    }
    if kind.is_enforcement() && step.is_enforcement_act() && context.over_indebtedness_admissible {
        return Err(refuse_with(
            RefusalReason::EnforcementSuspended,
            "le dossier de surendettement du débiteur a été déclaré recevable : les procédures d'exécution \
             sont suspendues et interdites (C. consom. L722-2, L722-3)",
        ));
    }
    if kind.is_enforcement() && state.is_none() && !context.enforceable_title {
        return Err(refuse_with(
            RefusalReason::NoEnforceableTitle,
            "la banque n'a pas de titre exécutoire constatant une créance liquide et exigible (CPCE L111-2) ; \
             obtenir d'abord une ordonnance d'injonction de payer ou un jugement",
        ));
    }

    let Some(edge) = edges(kind).iter().find(|edge| edge.step == step && edge.leaves(state)) else {
        return Err(no_edge(kind, state, step, context));
    };

    if let Some(deadline) = edge.after {
        if let Some(due) = context.pending(deadline) {
            if on <= due {
                let why = format!(
                    "possible seulement après le {} ({}, {})",
                    french_date(due),
                    lower_first(deadline.label()),
                    deadline.legal_basis()
                );
                return Err(refuse_with(RefusalReason::DeadlineRunning, &why));
            }
        }
    }
    if let Some(deadline) = edge.before {
        if let Some(due) = context.pending(deadline) {
            if on > due {
                let why = format!(
                    "le délai a expiré le {} ({}, {})",
                    french_date(due),
                    lower_first(deadline.label()),
                    deadline.legal_basis()
                );
                return Err(refuse_with(RefusalReason::DeadlineExpired, &why));
            }
        }
    }

    check_input(step, on, &context.input).map_err(|(reason, why)| refuse_with(reason, &why))?;

    let effects = effects(kind, state, step, on, context);
    let to = edge.to;
    let finished = is_final(kind, to);
    let mut closes = effects.closes;
    if finished {
        // A procedure that ends leaves nothing open.
        for deadline in kind.deadline_kinds() {
            push_unique(&mut closes, deadline);
        }
    }
    let mut notes = effects.notes;
    let addressed_to_guardian = context.protected_adult && step.reaches_debtor();
    if addressed_to_guardian {
        notes.push(
            "Personne protégée : adresser l'acte ou la lettre au tuteur ou au curateur, qui signe ou contresigne \
             tout accord (C. civ. 467, 475)."
                .to_string(),
        );
    }
    let was_suspending = state.is_some_and(State::suspends_enforcement);
    Ok(Transition {
        kind,
        from: state,
        step,
        to,
        on,
        finished,
        opens: effects.opens,
        closes,
        documents: effects.documents,
        addressed_to_guardian,
        costs: context.input.costs,
        amount: context.input.amount,
        commission_percent: context.input.commission_percent,
        enforceable_title_obtained: effects.enforceable_title_obtained,
        suspends_enforcement: to.suspends_enforcement(),
        lifts_suspension: was_suspending && !to.suspends_enforcement(),
        follow_up: effects.follow_up,
        notes,
        policy_version: context.policy.version.clone(),
    })
}

/// The refusal when the table has no transition for `step` from `state`: says whether the procedure
/// is not started, already started, over, or whether the step comes too early or too late.
fn no_edge(kind: ProcedureKind, state: Option<State>, step: Step, context: &ProcedureContext) -> ProcedureError {
    let refuse_with = |reason: RefusalReason, why: &str| refuse(kind, state, step, context, reason, why);
    let sources: Vec<Option<State>> = edges(kind)
        .iter()
        .filter(|edge| edge.step == step)
        .flat_map(|edge| match edge.from {
            None => vec![None],
            Some(from) => from.iter().map(|state| Some(*state)).collect(),
        })
        .collect();
    match state {
        None => refuse_with(RefusalReason::NotStarted, "la procédure n'est pas encore engagée"),
        Some(current) if is_final(kind, current) => refuse_with(RefusalReason::Finished, "la procédure est terminée"),
        Some(_) if sources.contains(&None) => {
            refuse_with(RefusalReason::AlreadyStarted, "la procédure est déjà engagée")
        }
        Some(_) => {
            if reachable(kind, state).iter().any(|later| sources.contains(later)) {
                refuse_with(RefusalReason::NotYet, step.not_yet())
            } else {
                refuse_with(RefusalReason::NoLonger, "cette étape n'est plus possible à ce stade")
            }
        }
    }
}

fn check_input(step: Step, on: NaiveDate, input: &StepInput) -> Result<(), (RefusalReason, String)> {
    let invalid = |why: String| Err((RefusalReason::InvalidInput, why));
    for (what, amount) in
        [("les frais ne peuvent être négatifs", input.costs), ("le montant ne peut être négatif", input.amount)]
    {
        if let Some(amount) = amount {
            if amount.is_negative() {
                return invalid(format!("{what} (reçu {})", amount.to_french()));
            }
        }
    }
    if let Some(date) = input.scheduled_on {
        if date < on {
            return invalid(format!(
                "la date fixée ({}) précède la date de l'étape ({})",
                french_date(date),
                french_date(on)
            ));
        }
    }
    if input.cure_days == Some(0) {
        return invalid("le délai de régularisation doit compter au moins un jour".to_string());
    }
    if input.mandate_months == Some(0) {
        return invalid("le mandat de l'agence doit durer au moins un mois".to_string());
    }
    if let Some(rate) = input.commission_percent {
        if rate < Decimal::ZERO || rate > Decimal::ONE_HUNDRED {
            return invalid(format!("la commission doit être comprise entre 0 et 100 % (reçu {rate} %)"));
        }
    }
    let missing = |why: &str| Err((RefusalReason::MissingInput, why.to_string()));
    match step {
        Step::RecordResult if input.amount.is_none() => missing("indiquer le montant encaissé"),
        Step::RecordHearingDate if input.scheduled_on.is_none() => missing("indiquer la date de l'audience"),
        Step::ScheduleAuction if input.scheduled_on.is_none() => missing("indiquer la date de la vente"),
        _ => Ok(()),
    }
}
