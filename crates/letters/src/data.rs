//! The facts a letter needs, and the check that a kind of letter has them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{LetterError, LetterKind};

/// A person or body a letter names: the debtor, the recipient, a notary, a bailiff…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// As it should be printed, with the civility: "Madame Jeanne Martin", "Maître Paul Roux".
    pub name: String,
    /// Postal address, one line per element, without the name.
    pub address_lines: Vec<String>,
    /// Profession, or legal form for a company; CPC art. 1407 wants it in a payment-order request.
    #[serde(default)]
    pub occupation: Option<String>,
}

/// The bank, as sender and creditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creditor {
    pub bank_name: String,
    /// Legal form, capital, registry number: "Société anonyme au capital de … — RCS Paris …".
    pub legal_identity: String,
    /// The litigation department's postal address.
    pub address_lines: Vec<String>,
    /// "Service Contentieux et Recouvrement".
    pub department: String,
    pub phone: String,
    pub email: String,
    /// Account the debtor pays into, printed for transfers.
    pub iban: String,
    pub bic: String,
}

/// Who signs, under the closing formula.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    /// "Gestionnaire contentieux".
    pub title: String,
}

/// Breakdown of the claim, in integer cents like everywhere in Recouvre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amounts {
    pub principal_cents: i64,
    pub interest_cents: i64,
    pub costs_cents: i64,
    /// Contractual indemnity (clause pénale), 0 when none is claimed.
    pub penalty_cents: i64,
    /// Must equal the sum of the four parts; checked before rendering.
    pub total_cents: i64,
}

/// The claim's origin: what contract, since when it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// "prêt personnel n° 40021-778812 du 12 mars 2023".
    pub contract: String,
    /// Date the claim fell due (account closure or acceleration).
    pub due_since: NaiveDate,
    /// How the interest runs: "au taux contractuel de 5,90 % l'an à compter du …".
    #[serde(default)]
    pub interest_basis: Option<String>,
}

/// One claim of the case, as a letter that claims money states it (issue 20): its nature, its
/// contract, its amounts broken down and what its interest runs on at which rate. The letter's
/// [`Amounts`] are the sum of its claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimLine {
    /// "Prêt personnel".
    pub nature: String,
    /// "n° 40021-778812 du 12 mars 2023".
    pub contract: String,
    /// Date the claim fell due (account closure or acceleration).
    pub due_since: NaiveDate,
    pub amounts: Amounts,
    /// "Le capital restant dû produit intérêts au taux contractuel de 5,90 % l'an jusqu'à
    /// complet paiement." — the rate runs on the principal only.
    pub interest_basis: String,
}

/// One instalment of a payment plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    pub due_date: NaiveDate,
    pub amount_cents: i64,
}

/// A proposed or agreed payment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub instalments: Vec<Instalment>,
    /// "prélèvement SEPA sur le compte FR76 …" or "virement".
    pub payment_method: String,
    /// For a proposal: the date by which the debtor must accept it.
    #[serde(default)]
    pub reply_by: Option<NaiveDate>,
    /// Date the plan was agreed (reminders and lapse letters quote it).
    #[serde(default)]
    pub agreed_on: Option<NaiveDate>,
}

/// The instalment that was not paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedInstalment {
    /// 1-based number of the instalment in the plan.
    pub number: u32,
    pub due_date: NaiveDate,
    pub amount_cents: i64,
    /// Date by which it must be paid before the plan lapses.
    pub regularise_by: NaiveDate,
}

/// Full repayment, for the confirmation letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repayment {
    pub paid_on: NaiveDate,
    pub amount_cents: i64,
    /// Whether the debtor is on the FICP register, so the letter announces the removal.
    pub ficp_registered: bool,
    /// The day the removal from the FICP was recorded on the debtor's file: the letter states
    /// a removal only once it is recorded (issue 20, "facts, not promises").
    #[serde(default)]
    pub ficp_removed_on: Option<NaiveDate>,
}

/// The court a payment order is requested from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Court {
    /// "Tribunal judiciaire de Lyon".
    pub name: String,
    pub address_lines: Vec<String>,
    /// The judge the request is addressed to: "Madame, Monsieur le juge des contentieux de la
    /// protection près le Tribunal de proximité de Saint-Denis" (reference data, COJ L213-4-5).
    #[serde(default)]
    pub addressed_to: Option<String>,
    /// The rule that makes the court competent.
    #[serde(default)]
    pub basis: Option<String>,
    /// For a debtor domiciled in Bas-Rhin, Haut-Rhin or Moselle: the paragraph of local law
    /// the request states (reference data, `recouvre_domain::courts`).
    #[serde(default)]
    pub local_law: Option<String>,
}

/// Guardianship or curatorship of a protected adult (the recipient is the guardian).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    pub role: GuardianRole,
    /// "jugement du juge des contentieux de la protection de Lyon du 4 mai 2024".
    pub decision: String,
    /// The guardian (tutor or curator) by name and address: a letter addressed to them names
    /// them "en sa qualité de …", a letter to the debtor under curatorship goes with a copy to
    /// them (C. civ. 467), a court paper names them (C. civ. 468, 475).
    #[serde(default)]
    pub guardian: Option<Party>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardianRole {
    Tutor,
    Curator,
}

impl GuardianRole {
    /// The French noun, as in "en sa qualité de tuteur de …".
    pub fn label(self) -> &'static str {
        match self {
            GuardianRole::Tutor => "tuteur",
            GuardianRole::Curator => "curateur",
        }
    }
}

/// The deceased debtor's estate, for the notary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estate {
    pub date_of_death: NaiveDate,
    /// The notary's file reference, when known.
    #[serde(default)]
    pub notary_reference: Option<String>,
}

/// The guarantor's commitment (the recipient of a guarantor call is the guarantor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guarantee {
    /// Date of the acte de cautionnement.
    pub signed_on: NaiveDate,
    /// Maximum amount guaranteed, in cents.
    pub cap_cents: i64,
    /// "solidaire" or "simple".
    pub nature: String,
}

/// What a bailiff or a collection agency is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    /// The enforceable title, for a bailiff: "ordonnance d'injonction de payer du … revêtue de la formule exécutoire".
    #[serde(default)]
    pub enforceable_title: Option<String>,
    /// The actions asked for, one per item.
    pub actions: Vec<String>,
    /// Agreed fee or commission, free text.
    #[serde(default)]
    pub fee_terms: Option<String>,
}

/// Everything a letter may print. Kind-specific parts are `Option`s; [`LetterData::validate`]
/// says which one a kind is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterData {
    pub creditor: Creditor,
    /// Who the letter goes to: the debtor, or the guardian, notary, guarantor, bailiff, agency.
    pub recipient: Party,
    pub debtor: Party,
    pub case_reference: String,
    /// ISO 11649 structured creditor reference ("RF…"), checked upstream; quoted for payments.
    pub creditor_reference: String,
    pub date: NaiveDate,
    /// Where the letter is written: "Lyon".
    pub place: String,
    pub signatory: Signatory,
    pub claim: Claim,
    pub amounts: Amounts,
    /// End of the period given to cure the default (formal notice, guarantor call).
    #[serde(default)]
    pub cure_period_end: Option<NaiveDate>,
    #[serde(default)]
    pub plan: Option<Plan>,
    #[serde(default)]
    pub missed_instalment: Option<MissedInstalment>,
    #[serde(default)]
    pub repayment: Option<Repayment>,
    #[serde(default)]
    pub court: Option<Court>,
    /// Legal basis of the claim (CPC art. 1407 "fondement"), one paragraph.
    #[serde(default)]
    pub legal_grounds: Option<String>,
    /// Supporting documents (bordereau de pièces), in order.
    #[serde(default)]
    pub supporting_documents: Vec<String>,
    /// Set when the debtor is a protected adult: the recipient is then the guardian.
    #[serde(default)]
    pub protection: Option<Protection>,
    #[serde(default)]
    pub estate: Option<Estate>,
    #[serde(default)]
    pub guarantee: Option<Guarantee>,
    #[serde(default)]
    pub instruction: Option<Instruction>,
    /// A free paragraph the officer adds, printed before the closing formula.
    #[serde(default)]
    pub note: Option<String>,
    /// The claims the amounts total, one paragraph each (issue 20). Empty in letters validated
    /// before it: they print the single `claim`.
    #[serde(default)]
    pub claims: Vec<ClaimLine>,
    /// Who receives a copy: the curator of a debtor under curatorship (C. civ. 467).
    #[serde(default)]
    pub copy_to: Option<String>,
    /// The recipient is a co-debtor bound jointly and severally with the debtor (issue 20;
    /// C. civ. 1313): the letter names them in that capacity and claims the debt of them.
    #[serde(default)]
    pub co_debtor: bool,
}

impl LetterData {
    /// Checks that the data holds what `kind` needs, naming the first missing field.
    pub fn validate(&self, kind: LetterKind) -> Result<(), LetterError> {
        let missing = |field: &'static str| Err(LetterError::MissingField { kind, field });
        let a = &self.amounts;
        let sum = [a.principal_cents, a.interest_cents, a.costs_cents, a.penalty_cents]
            .iter()
            .try_fold(0i64, |acc, v| acc.checked_add(*v));
        if sum != Some(a.total_cents) {
            return Err(LetterError::AmountsDoNotAdd { total_cents: a.total_cents, sum_cents: sum });
        }
        // The total printed is the sum of the claims printed (issue 20).
        if !self.claims.is_empty() {
            let claims = self.claims.iter().try_fold(0i64, |acc, claim| acc.checked_add(claim.amounts.total_cents));
            if claims != Some(a.total_cents) {
                return Err(LetterError::AmountsDoNotAdd { total_cents: a.total_cents, sum_cents: claims });
            }
        }
        for (field, value) in [
            ("recipient.name", &self.recipient.name),
            ("debtor.name", &self.debtor.name),
            ("case_reference", &self.case_reference),
            ("creditor_reference", &self.creditor_reference),
        ] {
            if value.trim().is_empty() {
                return missing(field);
            }
        }
        if self.recipient.address_lines.is_empty() {
            return missing("recipient.address_lines");
        }
        match kind {
            LetterKind::FormalNotice if self.cure_period_end.is_none() => missing("cure_period_end"),
            LetterKind::PlanProposal | LetterKind::PlanAgreement => match &self.plan {
                None => missing("plan"),
                Some(p) if p.instalments.is_empty() => missing("plan.instalments"),
                Some(p) if kind == LetterKind::PlanProposal && p.reply_by.is_none() => missing("plan.reply_by"),
                Some(_) => Ok(()),
            },
            LetterKind::MissedInstalmentReminder | LetterKind::PlanLapsed => {
                match (&self.plan, &self.missed_instalment) {
                    (None, _) => missing("plan"),
                    (_, None) => missing("missed_instalment"),
                    (Some(p), _) if p.agreed_on.is_none() => missing("plan.agreed_on"),
                    _ => Ok(()),
                }
            }
            LetterKind::RepaymentConfirmation if self.repayment.is_none() => missing("repayment"),
            LetterKind::PaymentOrderRequest => {
                if self.court.is_none() {
                    missing("court")
                } else if self.legal_grounds.as_deref().is_none_or(|g| g.trim().is_empty()) {
                    missing("legal_grounds")
                } else if self.supporting_documents.is_empty() {
                    missing("supporting_documents")
                } else if self.debtor.address_lines.is_empty() {
                    // Art. 1407 wants the debtor's domicile; it also decides which court is competent.
                    missing("debtor.address_lines")
                } else {
                    Ok(())
                }
            }
            LetterKind::NotaryClaimDeclaration => {
                if self.estate.is_none() {
                    missing("estate")
                } else if self.supporting_documents.is_empty() {
                    missing("supporting_documents")
                } else {
                    Ok(())
                }
            }
            LetterKind::GuardianLetter if self.protection.is_none() => missing("protection"),
            LetterKind::GuarantorCall => {
                if self.guarantee.is_none() {
                    missing("guarantee")
                } else if self.cure_period_end.is_none() {
                    missing("cure_period_end")
                } else {
                    Ok(())
                }
            }
            LetterKind::BailiffInstruction => match &self.instruction {
                None => missing("instruction"),
                Some(i) if i.enforceable_title.is_none() => missing("instruction.enforceable_title"),
                Some(i) if i.actions.is_empty() => missing("instruction.actions"),
                Some(_) => Ok(()),
            },
            LetterKind::GuarantorIncidentInformation | LetterKind::GuarantorYearlyInformation
                if self.guarantee.is_none() =>
            {
                missing("guarantee")
            }
            LetterKind::AgencyInstruction => match &self.instruction {
                None => missing("instruction"),
                Some(i) if i.actions.is_empty() => missing("instruction.actions"),
                Some(_) => Ok(()),
            },
            _ => Ok(()),
        }
    }
}
