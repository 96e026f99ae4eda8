//! Closing a case (clôture du dossier) and what becomes of money that arrives afterwards
//! (issue 17, part 3).
//!
//! A case closes for one of six reasons ([`ClosureReason`]), each with its own condition, and
//! never while an approval is pending or a procedure is still running outside Recouvre (a
//! bailiff, a court, an agency or a notary must be told first, through the procedure's own
//! closing step). Which procedures the closing itself ends, and how late money is handled, are
//! choices of ours, documented in docs/closure.md: [`ended_by_closing`], [`late_money`].
//!
//! Pure: the caller reads the facts ([`ClosureFacts`]) and applies the verdict.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::coded_enum;
use crate::procedure::ProcedureKind;
use crate::Money;

coded_enum!(
    /// Why a case was closed (`case_closures.reason`).
    ClosureReason {
        Repaid => ("repaid", "Créance remboursée"),
        Settled => ("settled", "Transaction exécutée (somme convenue payée, solde remis)"),
        WrittenOff => ("written_off", "Créance passée en pertes"),
        TimeBarred => ("time_barred", "Créance prescrite ou forclose"),
        DebtRelief => ("debt_relief", "Dettes effacées (rétablissement personnel)"),
        Sold => ("sold", "Créance cédée"),
    }
);

/// What becomes of money received for a case closed for a given reason.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LateMoney {
    /// The case reopens as a recovery and the money is booked on it as usual: the debt was
    /// never extinguished, only given up (write-off) or no longer enforceable (time bar). A
    /// debtor who pays a time-barred debt cannot claim it back (C. civ. 2249).
    Reopen,
    /// Nothing was owed: the money waits in suspense, linked to the case, to be refunded or
    /// assigned by an officer. The code names why (`overpayment_refund`, `debt_relieved`,
    /// `claim_sold`).
    Suspense { code: &'static str },
}

impl LateMoney {
    /// The French reason the suspense queue shows for money routed there.
    pub fn suspense_reason(code: &str, case_reference: &str, reason: ClosureReason) -> String {
        let why = match code {
            "overpayment_refund" => "trop-perçu à rembourser",
            "debt_relieved" => "dette effacée, fonds à restituer ou à affecter aux coobligés",
            "claim_sold" => "créance cédée, fonds à reverser au cessionnaire",
            _ => "paiement reçu après clôture",
        };
        format!("{why} : dossier {case_reference} clos ({})", reason.label().to_lowercase())
    }
}

/// Late money on a case closed for `reason` (our choice, docs/closure.md).
pub fn late_money(reason: ClosureReason) -> LateMoney {
    match reason {
        ClosureReason::WrittenOff | ClosureReason::TimeBarred => LateMoney::Reopen,
        // Paid in full, or paid as agreed with the rest waived: the bank is owed nothing more.
        ClosureReason::Repaid | ClosureReason::Settled => LateMoney::Suspense { code: "overpayment_refund" },
        // Debts erased (C. consom. L741-2, L741-3): nothing may be claimed from the debtor; a
        // payment is refunded, or comes from a co-debtor or guarantor still bound.
        ClosureReason::DebtRelief => LateMoney::Suspense { code: "debt_relieved" },
        // The claim belongs to its buyer (C. civ. 1321): money received is theirs.
        ClosureReason::Sold => LateMoney::Suspense { code: "claim_sold" },
    }
}

/// Whether closing for `reason` ends an open procedure of `kind`, rather than waiting for the
/// officer to close it through its own step (our choice, docs/closure.md).
///
/// - An amicable procedure (formal notice and its follow-up) has nobody outside the bank to
///   inform: every closing ends it.
/// - A recorded debt relief ends every procedure against the debtor (the debts are erased,
///   C. consom. L741-2; enforcement lapses), except a call on a guarantor, who remains bound.
/// - Anything else (a court claim, a seizure, an agency's mandate, an estate declaration, a
///   guarantor's call) involves someone outside who must be told: it blocks the closing until
///   the officer records its end.
pub fn ended_by_closing(reason: ClosureReason, kind: ProcedureKind) -> bool {
    match kind {
        ProcedureKind::Amicable => true,
        ProcedureKind::GuarantorCall => false,
        _ => reason == ClosureReason::DebtRelief,
    }
}

/// An open procedure of the case, as the closing sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenProcedure {
    pub id: i64,
    pub kind: ProcedureKind,
}

/// What the conditions of a closing read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureFacts {
    pub opened_on: NaiveDate,
    /// What the debtor still owes (receivables).
    pub balance: Money,
    /// Written off so far (passage en pertes), a positive amount.
    pub written_off: Money,
    /// Waived so far (remises), a positive amount.
    pub waived: Money,
    /// Approval requests still waiting for a decision.
    pub approvals_pending: u32,
    /// Payment plans in force.
    pub plans_active: u32,
    /// Procedures not yet ended.
    pub open_procedures: Vec<OpenProcedure>,
    /// The time-bar engine finds the claim foreclosed or time-barred on the closing date.
    pub time_barred: bool,
    /// An over-indebtedness procedure reached its debt-relief step (`debts_erased`).
    pub debts_erased: bool,
    /// A sale of the claim was recorded.
    pub sale_recorded: bool,
}

/// Why a case cannot be closed: a stable code and a French message saying what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    pub code: &'static str,
    pub message: String,
}

fn blocker(code: &'static str, message: String) -> Blocker {
    Blocker { code, message }
}

/// Checks that a case may be closed for `reason` on `on`; returns the open procedures the
/// closing ends, or the first thing that blocks (the date is checked by the caller against
/// today, and here against the case's opening).
pub fn check(reason: ClosureReason, on: NaiveDate, facts: &ClosureFacts) -> Result<Vec<OpenProcedure>, Blocker> {
    if on < facts.opened_on {
        return Err(blocker(
            "before_opening",
            format!(
                "le dossier est entré au contentieux le {} : la clôture ne peut être datée avant",
                crate::reference::french_date(facts.opened_on)
            ),
        ));
    }
    if facts.approvals_pending > 0 {
        return Err(blocker(
            "approval_pending",
            format!(
                "{} demande(s) d'approbation en attente sur le dossier : faites-les décider avant de clôturer",
                facts.approvals_pending
            ),
        ));
    }
    if facts.plans_active > 0 {
        return Err(blocker(
            "plan_active",
            "un échéancier est en cours : attendez qu'il soit soldé ou annulez-le avant de clôturer".to_string(),
        ));
    }
    if let Some(open) = facts.open_procedures.iter().find(|procedure| !ended_by_closing(reason, procedure.kind)) {
        return Err(blocker(
            "procedure_open",
            format!(
                "la procédure « {} » n'est pas terminée : enregistrez d'abord sa fin (étape de clôture) pour prévenir les intervenants",
                open.kind.label().to_lowercase()
            ),
        ));
    }
    let balance = facts.balance.max(Money::ZERO);
    match reason {
        ClosureReason::Repaid => {
            if balance.is_positive() {
                return Err(blocker(
                    "balance_not_zero",
                    format!(
                        "il reste {} dus : un dossier ne se clôture comme remboursé qu'à solde nul (encaissez le solde, ou choisissez un autre motif)",
                        balance.to_french()
                    ),
                ));
            }
        }
        ClosureReason::Settled => {
            if balance.is_positive() {
                return Err(blocker(
                    "balance_not_zero",
                    format!(
                        "il reste {} dus : encaissez la somme convenue et faites accorder la remise du reste avant de clôturer",
                        balance.to_french()
                    ),
                ));
            }
            if !facts.waived.is_positive() {
                return Err(blocker(
                    "no_waiver",
                    "aucune remise n'est enregistrée : sans remise, clôturez le dossier comme remboursé".to_string(),
                ));
            }
        }
        ClosureReason::WrittenOff => {
            if balance.is_positive() {
                return Err(blocker(
                    "balance_not_written_off",
                    format!(
                        "il reste {} dus : passez tout le solde en pertes (approbation selon la délégation) avant de clôturer",
                        balance.to_french()
                    ),
                ));
            }
            if !facts.written_off.is_positive() {
                return Err(blocker(
                    "no_write_off",
                    "aucun passage en pertes n'est enregistré : à solde nul, clôturez le dossier comme remboursé"
                        .to_string(),
                ));
            }
        }
        ClosureReason::TimeBarred => {
            if !facts.time_barred {
                return Err(blocker(
                    "not_time_barred",
                    "la créance n'est ni prescrite ni forclose à cette date d'après son historique : elle peut encore être poursuivie".to_string(),
                ));
            }
        }
        ClosureReason::DebtRelief => {
            if !facts.debts_erased {
                return Err(blocker(
                    "no_debt_relief_decision",
                    "aucun effacement des dettes n'est enregistré : enregistrez d'abord l'étape « rétablissement personnel (effacement) » de la procédure de surendettement".to_string(),
                ));
            }
        }
        ClosureReason::Sold => {
            if !facts.sale_recorded {
                return Err(blocker(
                    "no_sale_recorded",
                    "aucune cession de la créance n'est enregistrée : enregistrez d'abord la cession (cessionnaire, prix, date)".to_string(),
                ));
            }
        }
    }
    Ok(facts.open_procedures.iter().filter(|procedure| ended_by_closing(reason, procedure.kind)).cloned().collect())
}

/// The reason a closing would most likely take, for the form to offer first: a paid-off case is
/// offered `repaid` (or `settled`, `written_off` when a waiver or a write-off brought it to zero).
pub fn suggested(facts: &ClosureFacts) -> Option<ClosureReason> {
    if facts.debts_erased {
        return Some(ClosureReason::DebtRelief);
    }
    if facts.sale_recorded {
        return Some(ClosureReason::Sold);
    }
    if facts.balance.is_positive() {
        return facts.time_barred.then_some(ClosureReason::TimeBarred);
    }
    Some(if facts.written_off.is_positive() {
        ClosureReason::WrittenOff
    } else if facts.waived.is_positive() {
        ClosureReason::Settled
    } else {
        ClosureReason::Repaid
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn paid_off() -> ClosureFacts {
        ClosureFacts {
            opened_on: day("2026-01-05"),
            balance: Money::ZERO,
            written_off: Money::ZERO,
            waived: Money::ZERO,
            approvals_pending: 0,
            plans_active: 0,
            open_procedures: Vec::new(),
            time_barred: false,
            debts_erased: false,
            sale_recorded: false,
        }
    }

    #[test]
    fn a_paid_off_case_closes_as_repaid_and_is_offered_it() {
        let facts = paid_off();
        assert_eq!(check(ClosureReason::Repaid, day("2026-12-04"), &facts), Ok(Vec::new()));
        assert_eq!(suggested(&facts), Some(ClosureReason::Repaid));
        assert_eq!(check(ClosureReason::Settled, day("2026-12-04"), &facts).unwrap_err().code, "no_waiver");
        assert_eq!(check(ClosureReason::WrittenOff, day("2026-12-04"), &facts).unwrap_err().code, "no_write_off");
    }

    #[test]
    fn a_balance_blocks_repaid_naming_it() {
        let mut facts = paid_off();
        facts.balance = Money::from_cents(123_456);
        let refused = check(ClosureReason::Repaid, day("2026-12-04"), &facts).unwrap_err();
        assert_eq!(refused.code, "balance_not_zero");
        assert!(refused.message.contains(&Money::from_cents(123_456).to_french()), "{}", refused.message);
        assert_eq!(suggested(&facts), None);
        facts.time_barred = true;
        assert_eq!(check(ClosureReason::TimeBarred, day("2026-12-04"), &facts), Ok(Vec::new()));
        assert_eq!(suggested(&facts), Some(ClosureReason::TimeBarred));
    }

    #[test]
    fn approvals_plans_and_outside_procedures_block_every_reason_but_amicable_ones_end() {
        let mut facts = paid_off();
        facts.approvals_pending = 1;
        assert_eq!(check(ClosureReason::Repaid, day("2026-12-04"), &facts).unwrap_err().code, "approval_pending");
        facts.approvals_pending = 0;
        facts.open_procedures = vec![OpenProcedure { id: 7, kind: ProcedureKind::Amicable }];
        assert_eq!(
            check(ClosureReason::Repaid, day("2026-12-04"), &facts),
            Ok(vec![OpenProcedure { id: 7, kind: ProcedureKind::Amicable }])
        );
        facts.open_procedures.push(OpenProcedure { id: 8, kind: ProcedureKind::EnforcementBank });
        assert_eq!(check(ClosureReason::Repaid, day("2026-12-04"), &facts).unwrap_err().code, "procedure_open");
        facts.debts_erased = true;
        assert_eq!(check(ClosureReason::DebtRelief, day("2026-12-04"), &facts).map(|ended| ended.len()), Ok(2));
        facts.open_procedures.push(OpenProcedure { id: 9, kind: ProcedureKind::GuarantorCall });
        assert_eq!(check(ClosureReason::DebtRelief, day("2026-12-04"), &facts).unwrap_err().code, "procedure_open");
    }

    #[test]
    fn a_closing_cannot_predate_the_case() {
        let refused = check(ClosureReason::Repaid, day("2025-12-31"), &paid_off()).unwrap_err();
        assert_eq!(refused.code, "before_opening");
    }

    #[test]
    fn late_money_follows_the_reason() {
        assert_eq!(late_money(ClosureReason::WrittenOff), LateMoney::Reopen);
        assert_eq!(late_money(ClosureReason::TimeBarred), LateMoney::Reopen);
        assert_eq!(late_money(ClosureReason::Repaid), LateMoney::Suspense { code: "overpayment_refund" });
        assert_eq!(late_money(ClosureReason::Settled), LateMoney::Suspense { code: "overpayment_refund" });
        assert_eq!(late_money(ClosureReason::DebtRelief), LateMoney::Suspense { code: "debt_relieved" });
        assert_eq!(late_money(ClosureReason::Sold), LateMoney::Suspense { code: "claim_sold" });
    }
}
