//! The recovery workflow on a case (issue 4): the financial assessment, the strategy engine's
//! recommendation and the officer's decision, procedures as state machines with the deadlines
//! they open, payment plans and waivers within or above the officer's delegation, exchanges with
//! third parties, the agenda, and the rule documents administrators edit.
//!
//! The steps a case offers are built in one place: the store reads the case's facts once
//! (`store::workflow::case_procedures`: the debtor's postcode, protection and over-indebtedness
//! stage, the procedures), and [`CaseFacts::offered_steps`] gives what the case page's step form
//! and the API's `possible_steps` offer — the very context the store judges a step in
//! ([`CaseFacts::step_context`]), so the three cannot disagree.
//!
//! Every write quotes the case version its author saw; the store refuses a stale one (409,
//! listing what changed since).

mod acts;
mod agenda;
mod rules;
mod view;

pub use acts::{
    apply_step, decide_recommendation, propose_plan, propose_waiver, record_assessment, record_exchange,
    AssessmentInput, AssessmentOutcome, DecisionInput, PlanInput, PlanSchedule, StepCommand, StepOutcome,
    WaiverAmounts, WaiverInput,
};
pub use agenda::{agenda, complete_action, Agenda, AGENDA_DAYS_DEFAULT, AGENDA_LIMIT};
pub use rules::{rules_document, RULE_KINDS};
pub(crate) use view::case_workflow_in;
pub use view::{
    case_procedures, recommendation, AssessmentRecord, CaseWorkflow, Deadline, InstalmentLine, PendingPlan, PlanView,
    ProcedureLine, ProcedureOverview, RecommendationView,
};

// What the shells show of the workflow: the store's read models and outcomes, the domain's context.
pub use recouvre_domain::agenda::Urgency;
pub use recouvre_domain::procedure::{CaseFacts, ProcedureKind, State, Step, StepInput, Transition};
pub use recouvre_store::procedure_steps::StepInvoice;
pub use recouvre_store::workflow::{AgendaItem, PlanOutcome, ProcedureRow, RecommendationRow, WaiverOutcome};

use recouvre_domain::strategy::Strategy;

use crate::{Error, Result};

/// The procedure kind of `code` (`payment_order`, `enforcement_bank`…), else a 400 naming `field`.
pub fn procedure_kind(field: &str, code: &str) -> Result<ProcedureKind> {
    let code = code.trim();
    ProcedureKind::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = ProcedureKind::ALL.iter().map(|kind| kind.code()).collect();
        Error::invalid(
            field,
            "unknown_code",
            format!("procédure « {code} » inconnue : choisissez parmi {}", known.join(", ")),
        )
    })
}

/// The step of `code` (`serve_order`, `serve_bank_seizure`…), else a 400 naming `field`.
pub fn step(field: &str, code: &str) -> Result<Step> {
    let code = code.trim();
    Step::from_code(code).ok_or_else(|| {
        Error::invalid(field, "unknown_code", format!("étape « {code} » inconnue : choisissez-la dans la liste"))
    })
}

/// A step chosen in the case page's form, written `kind:step` (the value of its options).
pub fn step_choice(field: &str, text: &str) -> Result<(ProcedureKind, Step)> {
    let (kind, step_code) = text.split_once(':').unwrap_or(("", text));
    Ok((procedure_kind(field, kind)?, step(field, step_code)?))
}

/// The strategy of `code` (`collection_agency`…), else a 400 naming `field`.
pub fn strategy(field: &str, code: &str) -> Result<Strategy> {
    let code = code.trim();
    Strategy::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = Strategy::ALL.iter().map(|strategy| strategy.code()).collect();
        Error::invalid(
            field,
            "unknown_code",
            format!("stratégie « {code} » inconnue : choisissez parmi {}", known.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_name_the_field() {
        assert_eq!(
            step_choice("step", "payment_order:serve_order").unwrap(),
            (ProcedureKind::PaymentOrder, Step::ServeOrder)
        );
        let error = step_choice("step", "astrology:serve_order").unwrap_err();
        assert_eq!(
            (error.http_status(), error.code.as_ref(), error.field.as_deref()),
            (400, "unknown_code", Some("step"))
        );
        assert_eq!(step("step", "dance").unwrap_err().field.as_deref(), Some("step"));
        assert_eq!(strategy("override_strategy", "collection_agency").unwrap(), Strategy::CollectionAgency);
        assert_eq!(strategy("strategy", "luck").unwrap_err().code, "unknown_code");
    }
}
