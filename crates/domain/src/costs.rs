//! Costs as money (issue 18, item 3): who bears each cost the bank is invoiced for.
//!
//! Every cost is recorded with its legal nature, and the nature decides whether the debtor is
//! charged with it (booked to the case's `costs` account, then allocated by the payments as
//! C. civ. 1343-1 and the case's allocation order say) or whether it stays with the bank. Every
//! cost, charged or not, is owed to the third party who invoiced it (the account payable).

use serde::{Deserialize, Serialize};

use crate::delegation::CostKind;
use crate::procedure::ProcedureKind;
use crate::Money;

crate::case::coded_enum!(
    /// The legal nature of a cost (nature juridique des frais).
    CostNature {
        Enforcement => ("enforcement", "Frais d'exécution forcée (à la charge du débiteur)"),
        Amicable => ("amicable", "Frais de recouvrement amiable (à la charge de la banque)"),
        CourtCosts => ("court_costs", "Dépens"),
        Article700 => ("article_700", "Somme allouée au titre de l'article 700 du CPC"),
        ProportionalFee => ("proportional_fee", "Émolument proportionnel du commissaire de justice (débiteur)"),
        ProportionalFeeCreditor => ("proportional_fee_creditor", "Émolument proportionnel du commissaire de justice (créancier)"),
    }
);

impl CostNature {
    /// Whether the debtor is charged with a cost of this nature.
    pub fn chargeable(self) -> bool {
        match self {
            // CPCE L111-8 al. 1: enforcement costs are borne by the debtor.
            CostNature::Enforcement => true,
            // CPCE L111-8 al. 2: recovery without an enforceable title stays with the creditor;
            // a contrary clause is void.
            CostNature::Amicable => false,
            // CPC 695-696: the dépens follow the judgment (the losing party, the debtor).
            CostNature::CourtCosts => true,
            // CPC 700: the sum the judge awards, once the judgment says so.
            CostNature::Article700 => true,
            // C. com. A444-31 (R444-55): the proportional emolument on sums recovered under a
            // title, at the debtor's charge.
            CostNature::ProportionalFee => true,
            // C. com. A444-32: the emolument on sums received, at the creditor's charge.
            CostNature::ProportionalFeeCreditor => false,
        }
    }

    /// The article that says who bears it.
    pub fn article(self) -> &'static str {
        match self {
            CostNature::Enforcement | CostNature::Amicable => "CPCE L111-8",
            CostNature::CourtCosts => "CPC 695-696",
            CostNature::Article700 => "CPC 700",
            CostNature::ProportionalFee => "C. com. A444-31",
            CostNature::ProportionalFeeCreditor => "C. com. A444-32",
        }
    }

    /// Whether recording it needs the judgment that awards it (its date and the sum awarded).
    pub fn needs_judgment(self) -> bool {
        matches!(self, CostNature::Article700)
    }
}

/// The delegation ceiling a cost is checked against: a lawyer's invoice against
/// `max_lawyer_costs`, every other third party's against `max_bailiff_costs`.
pub fn delegation_kind(third_party_kind: &str) -> CostKind {
    if third_party_kind == "lawyer" {
        CostKind::Lawyer
    } else {
        CostKind::Bailiff
    }
}

/// The legal nature of the costs a procedure step carries (a bailiff's act, a court step).
///
/// Enforcement acts under a title are at the debtor's charge (CPCE L111-8 al. 1); the steps of a
/// payment order are dépens, which follow the decision against the debtor (CPC 695-696); everything
/// done without an enforceable title — the amicable phase, an agency, the guarantor's call, a
/// declaration to the estate's notary, the over-indebtedness file — stays with the bank (CPCE
/// L111-8 al. 2). *Interpretation (policy):* a step's costs are taken as the act's own fees; the
/// bailiff's proportional emolument is recorded apart, through the costs endpoint.
pub fn nature_of_step(kind: ProcedureKind) -> CostNature {
    match kind {
        ProcedureKind::EnforcementWage
        | ProcedureKind::EnforcementBank
        | ProcedureKind::EnforcementGoods
        | ProcedureKind::EnforcementProperty => CostNature::Enforcement,
        ProcedureKind::PaymentOrder => CostNature::CourtCosts,
        ProcedureKind::Amicable
        | ProcedureKind::Agency
        | ProcedureKind::OverIndebtedness
        | ProcedureKind::Estate
        | ProcedureKind::GuarantorCall => CostNature::Amicable,
    }
}

/// What the debtor is charged with for a cost: nothing for the bank's own costs; the sum the
/// judge awarded under CPC 700 (not the lawyer's invoice); the invoice otherwise.
pub fn charged_to_debtor(nature: CostNature, invoiced: Money, awarded: Option<Money>) -> Money {
    if !nature.chargeable() {
        return Money::ZERO;
    }
    match (nature.needs_judgment(), awarded) {
        (true, Some(awarded)) => awarded,
        (true, None) => Money::ZERO,
        (false, _) => invoiced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amicable_costs_stay_with_the_bank_and_enforcement_costs_go_to_the_debtor() {
        assert!(CostNature::Enforcement.chargeable());
        assert!(!CostNature::Amicable.chargeable());
        assert!(!CostNature::ProportionalFeeCreditor.chargeable());
        let invoice = Money::euros(300);
        assert_eq!(charged_to_debtor(CostNature::Enforcement, invoice, None), invoice);
        assert_eq!(charged_to_debtor(CostNature::Amicable, invoice, None), Money::ZERO);
        assert_eq!(charged_to_debtor(CostNature::Article700, invoice, Some(Money::euros(800))), Money::euros(800));
        assert_eq!(charged_to_debtor(CostNature::Article700, invoice, None), Money::ZERO);
        assert_eq!(delegation_kind("lawyer"), CostKind::Lawyer);
        assert_eq!(delegation_kind("commissaire_de_justice"), CostKind::Bailiff);
    }

    #[test]
    fn a_bailiffs_act_is_charged_and_an_amicable_step_stays_with_the_bank() {
        assert_eq!(nature_of_step(ProcedureKind::EnforcementBank), CostNature::Enforcement);
        assert_eq!(nature_of_step(ProcedureKind::PaymentOrder), CostNature::CourtCosts);
        assert_eq!(nature_of_step(ProcedureKind::Amicable), CostNature::Amicable);
        assert!(!nature_of_step(ProcedureKind::Agency).chargeable());
    }
}
