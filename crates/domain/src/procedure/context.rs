//! The one procedure context: what a step is judged in, built in one place from the case's
//! facts, and used alike by the store's check before applying a step, the case page's step form
//! and the API's `possible_steps`, so that the three can never disagree.
//!
//! The facts: the debtor's region (from their postcode: the local law of Alsace-Moselle has its
//! own public holidays, C. trav. L3134-13, which move the art. 642 CPC deadlines), a protection
//! measure, an over-indebtedness file admissible or under measures (enforcement suspended,
//! C. consom. L722-2 and L733-16), an enforceable title held (CPCE L111-2), and the procedures
//! already on the case.

use crate::calendar::Region;
use crate::case::{OverIndebtedness, Protection};

use super::{
    possible_steps, PendingDeadline, ProcedureContext, ProcedureKind, ProcedurePolicy, State, Step, StepInput,
};

/// A procedure already on the case, as the context needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcedureFact {
    pub kind: ProcedureKind,
    pub state: State,
    pub closed: bool,
}

impl ProcedureFact {
    /// This procedure gave the bank an enforceable title (CPCE L111-2): a payment order declared
    /// enforceable, or a judgment granted.
    pub fn gives_title(&self) -> bool {
        matches!(self.state, State::Enforceable | State::JudgmentGranted)
    }

    /// This procedure is an over-indebtedness file in a state that suspends enforcement
    /// (C. consom. L722-2, L733-16).
    pub fn suspends_enforcement(&self) -> bool {
        self.kind == ProcedureKind::OverIndebtedness && self.state.suspends_enforcement()
    }
}

/// What the context of any step on a case is built from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    /// The debtor's postcode (French, five digits), which gives the region.
    pub debtor_postcode: String,
    pub debtor_protection: Protection,
    /// The debtor's over-indebtedness stage as recorded on their file.
    pub debtor_over_indebtedness: OverIndebtedness,
    /// Every procedure of the case, oldest first.
    pub procedures: Vec<ProcedureFact>,
}

/// The public holidays that apply to a debtor at `postcode`: Bas-Rhin (67), Haut-Rhin (68) and
/// Moselle (57) keep the local law (C. trav. L3134-13).
pub fn region_of_postcode(postcode: &str) -> Region {
    match postcode.get(..2) {
        Some("57" | "67" | "68") => Region::AlsaceMoselle,
        _ => Region::General,
    }
}

impl CaseFacts {
    /// Enforcement is suspended: an over-indebtedness procedure is in a state that suspends it,
    /// or the debtor's file records an admissible file or measures (C. consom. L722-2, L733-16).
    pub fn enforcement_suspended(&self) -> bool {
        self.procedures.iter().any(ProcedureFact::suspends_enforcement)
            || matches!(
                self.debtor_over_indebtedness,
                OverIndebtedness::Admissible
                    | OverIndebtedness::Measures
                    | OverIndebtedness::PersonalRecovery
                    | OverIndebtedness::DebtRelief
            )
    }

    /// The bank holds an enforceable title against the debtor (CPCE L111-2): a payment order
    /// declared enforceable, or a judgment granted.
    pub fn has_enforceable_title(&self) -> bool {
        self.procedures.iter().any(ProcedureFact::gives_title)
    }

    /// The running (not closed) procedure of `kind`, the latest if several.
    pub fn running(&self, kind: ProcedureKind) -> Option<&ProcedureFact> {
        self.procedures.iter().rev().find(|procedure| procedure.kind == kind && !procedure.closed)
    }

    /// The context a step is judged in, before the step's own deadlines and input are added.
    pub fn context(&self, policy: &ProcedurePolicy) -> ProcedureContext {
        let mut context = ProcedureContext::new(region_of_postcode(&self.debtor_postcode));
        context.policy = policy.clone();
        context.over_indebtedness_admissible = self.enforcement_suspended();
        context.protected_adult = self.debtor_protection != Protection::None;
        context.enforceable_title = self.has_enforceable_title();
        context
    }

    /// The context of a step on the running procedure: its open deadlines and the officer's input.
    pub fn step_context(
        &self,
        policy: &ProcedurePolicy,
        open_deadlines: Vec<PendingDeadline>,
        input: StepInput,
    ) -> ProcedureContext {
        let mut context = self.context(policy);
        context.open_deadlines = open_deadlines;
        context.input = input;
        context
    }

    /// Every step the case offers now: for each kind of procedure, the next steps of the running
    /// one, or the first steps of a new one.
    pub fn offered_steps(&self, policy: &ProcedurePolicy) -> Vec<(ProcedureKind, Step)> {
        let context = self.context(policy);
        let mut offered = Vec::new();
        for kind in ProcedureKind::ALL {
            let state = self.running(*kind).map(|procedure| procedure.state);
            for step in possible_steps(*kind, state, &context) {
                offered.push((*kind, step));
            }
        }
        offered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(postcode: &str, procedures: Vec<ProcedureFact>) -> CaseFacts {
        CaseFacts {
            debtor_postcode: postcode.to_string(),
            debtor_protection: Protection::None,
            debtor_over_indebtedness: OverIndebtedness::None,
            procedures,
        }
    }

    #[test]
    fn the_region_follows_the_postcode() {
        assert_eq!(region_of_postcode("67000"), Region::AlsaceMoselle);
        assert_eq!(region_of_postcode("57100"), Region::AlsaceMoselle);
        assert_eq!(region_of_postcode("69003"), Region::General);
        assert_eq!(facts("68100", Vec::new()).context(&ProcedurePolicy::embedded()).region, Region::AlsaceMoselle);
    }

    #[test]
    fn a_title_lets_a_seizure_start_and_an_admissible_file_bars_it() {
        let policy = ProcedurePolicy::embedded();
        let without_title = facts("75001", Vec::new());
        let seizure_offered = |facts: &CaseFacts| {
            facts.offered_steps(&policy).iter().any(|(kind, _)| *kind == ProcedureKind::EnforcementBank)
        };
        assert!(!seizure_offered(&without_title));
        let titled = facts(
            "75001",
            vec![ProcedureFact { kind: ProcedureKind::PaymentOrder, state: State::Enforceable, closed: false }],
        );
        assert!(titled.has_enforceable_title());
        assert!(seizure_offered(&titled));
        let mut suspended = titled.clone();
        suspended.debtor_over_indebtedness = OverIndebtedness::Admissible;
        assert!(suspended.enforcement_suspended());
        assert!(!seizure_offered(&suspended));
    }
}
