//! What must hold before a letter of a kind is made (issue 20), checked by the server before
//! a preview and again at validation: each refusal is a 409 with its machine `code` and a
//! French reason saying what to do instead. The facts are read from the case file; the rules
//! are pure ([`check`]) so that each one is tested on its own.

use chrono::{Duration, NaiveDate};
use recouvre_domain::procedure::{ProcedureFact, ProcedureKind, State};
use recouvre_letters::LetterKind;

use crate::{Error, Result};

/// Days a missed-instalment reminder gives to pay before the plan lapses (the reminder prints
/// it: `facts::REPLY_DAYS`).
pub const REMINDER_DAYS: i64 = 15;

/// The facts the preconditions are judged on.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// "LEROY Paul", for the messages.
    pub debtor: String,
    pub deceased_on: Option<NaiveDate>,
    /// The letter goes to a living co-debtor, not to the debtor (issue 20).
    pub to_co_debtor: bool,
    /// A protection measure (tutelle, curatelle) is recorded.
    pub protected: bool,
    /// Over-indebtedness suspends enforcement (C. consom. L722-2).
    pub enforcement_suspended: bool,
    /// The status of the case's current plan: `active`, `lapsed`…
    pub plan_status: Option<String>,
    /// The time-bar engine finds the claim time-barred or foreclosed today.
    pub time_barred: bool,
    /// The days missed-instalment reminders were validated on this case.
    pub reminders_sent_on: Vec<NaiveDate>,
    pub procedures: Vec<ProcedureFact>,
    /// The bank's legal mentions (legal form, share capital, RCS) are entered.
    pub bank_legal_mentions: bool,
    pub today: NaiveDate,
}

/// Letters addressed to the debtor or pursuing the debtor in person: none after their death
/// (their heirs answer for the debts, C. civ. 724, 873; the notary receives the declaration of
/// the claim, a bailiff may serve the title on the heirs, C. civ. 877; guarantors and
/// co-debtors remain bound).
fn addressed_to_the_debtor(kind: LetterKind) -> bool {
    matches!(
        kind,
        LetterKind::FormalNotice
            | LetterKind::PlanProposal
            | LetterKind::PlanAgreement
            | LetterKind::MissedInstalmentReminder
            | LetterKind::PlanLapsed
            | LetterKind::PaymentOrderRequest
            | LetterKind::AgencyInstruction
            | LetterKind::GuardianLetter
    )
}

/// Letters that demand the whole balance or pursue it (a notice, a court or bailiff step, an
/// agency, the guarantor): none while an agreed plan runs (the plan agreement suspends the
/// procedures, its article 4), nor on a time-barred or foreclosed claim.
fn pursues_the_whole_balance(kind: LetterKind) -> bool {
    matches!(
        kind,
        LetterKind::FormalNotice
            | LetterKind::GuarantorCall
            | LetterKind::PaymentOrderRequest
            | LetterKind::BailiffInstruction
            | LetterKind::AgencyInstruction
    )
}

/// Letters that claim money of the debtor: none on a claim the time-bar engine finds barred.
fn claims_money(kind: LetterKind) -> bool {
    pursues_the_whole_balance(kind) || matches!(kind, LetterKind::PlanProposal | LetterKind::PlanAgreement)
}

/// The first precondition of `kind` that `facts` fail, as a 409.
pub fn check(kind: LetterKind, facts: &Facts) -> Result<()> {
    let label = kind.label();
    let refuse = |code: &'static str, reason: String| Err(Error::refused(code, format!("{label} : {reason}")));
    if !facts.bank_legal_mentions {
        return refuse(
            "bank_legal_mentions_missing",
            "les mentions légales de la banque (forme, capital social, RCS) ne sont pas renseignées ; un \
             administrateur les saisit dans les paramètres (article R123-237 du Code de commerce)"
                .to_string(),
        );
    }
    if let Some(day) = facts.deceased_on {
        if addressed_to_the_debtor(kind) && !facts.to_co_debtor {
            return refuse(
                "debtor_deceased",
                format!(
                    "le décès de {} est enregistré au {} ; aucun courrier ne lui est adressé ni ne le poursuit. \
                     Déclarez la créance au notaire chargé de la succession, appelez la caution ou écrivez aux \
                     codébiteurs",
                    facts.debtor,
                    recouvre_letters::format::format_date(day)
                ),
            );
        }
    } else if kind == LetterKind::NotaryClaimDeclaration {
        return refuse(
            "debtor_not_deceased",
            format!("aucun décès n'est enregistré pour {} ; enregistrez-le sur sa fiche d'abord", facts.debtor),
        );
    }
    if kind == LetterKind::GuardianLetter && !facts.protected {
        return refuse(
            "debtor_not_protected",
            format!(
                "aucune mesure de protection n'est enregistrée pour {} ; enregistrez la mesure et son tuteur ou \
                 curateur sur sa fiche d'abord",
                facts.debtor
            ),
        );
    }
    if facts.time_barred && claims_money(kind) {
        return refuse(
            "claim_time_barred",
            "la créance est prescrite ou forclose à ce jour (voir l'échéancier des prescriptions du dossier) ; elle \
             ne peut plus être réclamée en justice ni mise en demeure"
                .to_string(),
        );
    }
    if facts.plan_status.as_deref() == Some("active") && pursues_the_whole_balance(kind) {
        return refuse(
            "plan_running",
            "un échéancier est en cours et l'accord suspend les poursuites tant qu'il est respecté ; attendez sa \
             caducité (relance d'échéance impayée restée sans effet) avant de réclamer le solde"
                .to_string(),
        );
    }
    if kind == LetterKind::PlanLapsed {
        let last = facts.reminders_sent_on.iter().max().copied();
        match last {
            None => {
                return refuse(
                    "reminder_required",
                    "aucune relance d'échéance impayée n'a été validée sur ce dossier ; envoyez-la d'abord : le plan \
                     ne devient caduc qu'à l'expiration du délai qu'elle donne"
                        .to_string(),
                )
            }
            Some(sent) if facts.today <= sent + Duration::days(REMINDER_DAYS) => {
                return refuse(
                    "reminder_deadline_running",
                    format!(
                        "la relance du {} laisse au débiteur jusqu'au {} pour régulariser ; la lettre de caducité ne \
                         peut partir qu'après cette date",
                        recouvre_letters::format::format_date(sent),
                        recouvre_letters::format::format_date(sent + Duration::days(REMINDER_DAYS))
                    ),
                )
            }
            Some(_) => {}
        }
    }
    if kind == LetterKind::PaymentOrderRequest {
        let prepared = facts.procedures.iter().any(|procedure| {
            procedure.kind == ProcedureKind::PaymentOrder
                && procedure.state == State::RequestPrepared
                && !procedure.closed
        });
        if !prepared {
            return refuse(
                "procedure_state",
                "la requête en injonction de payer se fait à l'étape « requête préparée » de la procédure \
                 d'injonction de payer ; enregistrez cette étape sur le dossier d'abord (aucune requête pour un \
                 dossier déjà déposé, ordonné ou en exécution)"
                    .to_string(),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    fn facts() -> Facts {
        Facts { debtor: "LEROY Paul".into(), bank_legal_mentions: true, today: day("2026-12-05"), ..Facts::default() }
    }

    fn code(kind: LetterKind, facts: &Facts) -> Option<String> {
        check(kind, facts).err().map(|error| error.code.to_string())
    }

    #[test]
    fn a_deceased_debtor_gets_no_letter_but_the_estate_and_the_guarantor_do() {
        let deceased = Facts { deceased_on: Some(day("2026-06-01")), ..facts() };
        assert_eq!(code(LetterKind::FormalNotice, &deceased).as_deref(), Some("debtor_deceased"));
        assert_eq!(code(LetterKind::NotaryClaimDeclaration, &deceased), None);
        assert_eq!(code(LetterKind::GuarantorCall, &deceased), None);
        assert_eq!(code(LetterKind::NotaryClaimDeclaration, &facts()).as_deref(), Some("debtor_not_deceased"));
        // A living co-debtor remains bound (C. civ. 1313): their formal notice is made.
        assert_eq!(code(LetterKind::FormalNotice, &Facts { to_co_debtor: true, ..deceased }), None);
    }

    #[test]
    fn a_lapse_letter_waits_for_the_reminders_deadline() {
        assert_eq!(code(LetterKind::PlanLapsed, &facts()).as_deref(), Some("reminder_required"));
        let sent = Facts { reminders_sent_on: vec![day("2026-11-25")], ..facts() };
        assert_eq!(code(LetterKind::PlanLapsed, &sent).as_deref(), Some("reminder_deadline_running"));
        let passed = Facts { reminders_sent_on: vec![day("2026-11-19")], ..facts() };
        assert_eq!(code(LetterKind::PlanLapsed, &passed), None);
    }
}
