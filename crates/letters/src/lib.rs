//! Recouvre's document engine (issue 6): French recovery letters and court papers as PDF.
//!
//! Typst is used as a library. Templates are Typst modules (defaults embedded from
//! `templates/<code>.typ`, replaceable by an administrator); the facts of a letter are
//! formatted in Rust ([`format`]) and handed to the template as a JSON data file, never
//! spliced into markup, so a debtor's name cannot inject Typst code. Fonts are embedded
//! (Libertinus Serif, OFL) and no system font, package or clock is consulted: the same
//! inputs give the same bytes on every machine.

mod data;
mod engine;
pub mod format;
mod report;
pub mod samples;
mod view;

pub use data::{
    Amounts, Claim, ClaimLine, Court, Creditor, Estate, Guarantee, GuardianRole, Instalment, Instruction, LetterData,
    MissedInstalment, Party, Plan, Protection, Repayment, Signatory,
};
pub use engine::{Engine, Rendered};

use serde::{Deserialize, Serialize};

/// One kind of letter, one template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// Notification d'exigibilité / mise en demeure (LRAR), with the cure period.
    FormalNotice,
    /// Payment plan proposal with its instalment table.
    PlanProposal,
    /// Payment plan agreement, to sign and return.
    PlanAgreement,
    /// Reminder after a missed instalment.
    MissedInstalmentReminder,
    /// The plan lapsed: the whole balance is due again.
    PlanLapsed,
    /// Full repayment confirmed; announces the FICP removal when the debtor was registered.
    RepaymentConfirmation,
    /// Requête en injonction de payer (CPC art. 1405 to 1407).
    PaymentOrderRequest,
    /// Declaration of the claim to the notary settling a deceased debtor's estate.
    NotaryClaimDeclaration,
    /// Letter to the guardian or curator of a protected adult.
    GuardianLetter,
    /// Appel de la caution.
    GuarantorCall,
    /// Instructions to a commissaire de justice (bailiff).
    BailiffInstruction,
    /// Instructions to a collection agency.
    AgencyInstruction,
    /// Information of a personal guarantor of the first payment incident not regularised
    /// (C. civ. 2303), sent by the nightly run.
    GuarantorIncidentInformation,
    /// Yearly information of a personal guarantor, before 31 March (C. civ. 2302), sent by the
    /// nightly run.
    GuarantorYearlyInformation,
}

impl LetterKind {
    pub const ALL: [LetterKind; 14] = [
        LetterKind::FormalNotice,
        LetterKind::PlanProposal,
        LetterKind::PlanAgreement,
        LetterKind::MissedInstalmentReminder,
        LetterKind::PlanLapsed,
        LetterKind::RepaymentConfirmation,
        LetterKind::PaymentOrderRequest,
        LetterKind::NotaryClaimDeclaration,
        LetterKind::GuardianLetter,
        LetterKind::GuarantorCall,
        LetterKind::BailiffInstruction,
        LetterKind::AgencyInstruction,
        LetterKind::GuarantorIncidentInformation,
        LetterKind::GuarantorYearlyInformation,
    ];

    /// Stable identifier: template file name, database value, URL segment.
    pub fn code(self) -> &'static str {
        match self {
            LetterKind::FormalNotice => "formal_notice",
            LetterKind::PlanProposal => "plan_proposal",
            LetterKind::PlanAgreement => "plan_agreement",
            LetterKind::MissedInstalmentReminder => "missed_instalment_reminder",
            LetterKind::PlanLapsed => "plan_lapsed",
            LetterKind::RepaymentConfirmation => "repayment_confirmation",
            LetterKind::PaymentOrderRequest => "payment_order_request",
            LetterKind::NotaryClaimDeclaration => "notary_claim_declaration",
            LetterKind::GuardianLetter => "guardian_letter",
            LetterKind::GuarantorCall => "guarantor_call",
            LetterKind::BailiffInstruction => "bailiff_instruction",
            LetterKind::AgencyInstruction => "agency_instruction",
            LetterKind::GuarantorIncidentInformation => "guarantor_incident_information",
            LetterKind::GuarantorYearlyInformation => "guarantor_yearly_information",
        }
    }

    /// French name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            LetterKind::FormalNotice => "Mise en demeure",
            LetterKind::PlanProposal => "Proposition d'échéancier",
            LetterKind::PlanAgreement => "Accord d'échéancier",
            LetterKind::MissedInstalmentReminder => "Relance d'échéance impayée",
            LetterKind::PlanLapsed => "Caducité de l'échéancier",
            LetterKind::RepaymentConfirmation => "Attestation de remboursement",
            LetterKind::PaymentOrderRequest => "Requête en injonction de payer",
            LetterKind::NotaryClaimDeclaration => "Déclaration de créance au notaire",
            LetterKind::GuardianLetter => "Courrier au tuteur ou curateur",
            LetterKind::GuarantorCall => "Appel de la caution",
            LetterKind::BailiffInstruction => "Instructions au commissaire de justice",
            LetterKind::AgencyInstruction => "Mandat à la société de recouvrement",
            LetterKind::GuarantorIncidentInformation => "Information de la caution : premier incident",
            LetterKind::GuarantorYearlyInformation => "Information annuelle de la caution",
        }
    }

    /// Looks a kind up by its [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Whether the letter goes by registered post with acknowledgement of receipt: those
    /// whose receipt starts a period or proves a notice (formal notice, lapse, guarantor call…).
    pub fn registered(self) -> bool {
        matches!(
            self,
            LetterKind::FormalNotice
                | LetterKind::PlanLapsed
                | LetterKind::GuarantorCall
                | LetterKind::NotaryClaimDeclaration
                | LetterKind::GuardianLetter
        )
    }
}

/// What can go wrong when producing a letter. Messages are in French: they reach officers
/// and administrators, and say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    #[error(
        "Impossible de produire « {} » : l'information `{field}` manque au dossier. \
         Complétez-la puis relancez l'édition.",
        kind.label()
    )]
    MissingField { kind: LetterKind, field: &'static str },
    #[error(
        "Les montants ne s'additionnent pas : le total indiqué est {total_cents} centimes, \
         la somme du capital, des intérêts, des frais et de l'indemnité donne {}. \
         Recalculez le décompte du dossier puis relancez l'édition.",
        sum_cents.map_or_else(|| "un dépassement de capacité".to_string(), |s| format!("{s} centimes"))
    )]
    AmountsDoNotAdd { total_cents: i64, sum_cents: Option<i64> },
    #[error(
        "Le modèle « {version} » ne compile pas : {details}. Corrigez le modèle, ou rétablissez \
         la version par défaut, puis relancez l'édition."
    )]
    Template { version: String, details: String },
    #[error(
        "La version de modèle ne peut pas être vide. Donnez un nom de version, par exemple \
         « {} v2 », avant d'enregistrer le modèle.",
        kind.code()
    )]
    EmptyTemplateVersion { kind: LetterKind },
    #[error("Aucun courrier à éditer pour le {date} : rien à imprimer. Vérifiez la sélection du jour.")]
    EmptyDayMail { date: String },
    #[error(
        "Le modèle « {version} » est inconnu de ce serveur : le courrier a été validé avec une version \
         qui n'a pas été chargée. Vérifiez les versions de modèles enregistrées puis relancez l'édition."
    )]
    UnknownTemplateVersion { version: String },
    #[error(
        "L'export PDF a échoué : {details}. Ce n'est pas dû aux données du dossier ; \
         signalez-le à l'équipe technique avec la référence du dossier."
    )]
    Pdf { details: String },
}

pub type Result<T> = std::result::Result<T, LetterError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_can_be_shared_between_threads() {
        // The web server renders from several request handlers with one engine.
        fn shared<T: Send + Sync>() {}
        shared::<Engine>();
    }

    #[test]
    fn codes_are_unique_and_round_trip() {
        for kind in LetterKind::ALL {
            assert_eq!(LetterKind::from_code(kind.code()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.code());
        }
    }

    #[test]
    fn errors_say_what_to_do() {
        let err = LetterError::MissingField { kind: LetterKind::GuarantorCall, field: "guarantee" };
        assert_eq!(
            err.to_string(),
            "Impossible de produire « Appel de la caution » : l'information `guarantee` manque au dossier. \
             Complétez-la puis relancez l'édition."
        );
    }
}
