//! The case file (dossier contentieux): debtors, claims, guarantees, other accounts.
//!
//! These are the domain's own types. Storage maps them to rows; the web layer renders them.
//! Enumerations carry a stable `code` (stored, exchanged in files and the API) and a French
//! `label` (screens and letters).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Money;

/// Declares an enumeration with a stable code and a French label per variant.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

pub(crate) use coded_enum;

coded_enum!(
    /// Nature of a claim (nature de la créance).
    ClaimNature {
        Overdraft => ("overdraft", "Solde débiteur de compte clôturé"),
        PersonalLoan => ("personal_loan", "Prêt personnel"),
        RevolvingCredit => ("revolving_credit", "Crédit renouvelable"),
        Mortgage => ("mortgage", "Prêt immobilier"),
        Card => ("card", "Dette de carte"),
    }
);

impl ClaimNature {
    /// Consumer credit (C. consom. L312-1 and following): foreclosure R312-35 applies.
    pub fn is_consumer_credit(self) -> bool {
        matches!(
            self,
            ClaimNature::Overdraft | ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit | ClaimNature::Card
        )
    }
}

coded_enum!(
    /// Where the case stands (statut du dossier).
    CaseStatus {
        New => ("new", "Nouveau"),
        Amicable => ("amicable", "Phase amiable"),
        PaymentPlan => ("payment_plan", "Échéancier en cours"),
        Agency => ("agency", "Confié à une agence de recouvrement"),
        Judicial => ("judicial", "Phase judiciaire"),
        Enforcement => ("enforcement", "Exécution forcée"),
        Suspended => ("suspended", "Suspendu (surendettement)"),
        Estate => ("estate", "Succession"),
        Closed => ("closed", "Clos"),
    }
);

coded_enum!(
    /// A party's role on a case.
    PartyRole {
        Debtor => ("debtor", "Débiteur principal"),
        CoDebtor => ("co_debtor", "Codébiteur"),
        Guarantor => ("guarantor", "Caution"),
    }
);

coded_enum!(
    FamilySituation {
        Single => ("single", "Célibataire"),
        Married => ("married", "Marié(e)"),
        CivilUnion => ("civil_union", "Pacsé(e)"),
        Cohabiting => ("cohabiting", "En concubinage"),
        Divorced => ("divorced", "Divorcé(e)"),
        Widowed => ("widowed", "Veuf / veuve"),
    }
);

coded_enum!(
    Employment {
        Employed => ("employed", "Salarié"),
        SelfEmployed => ("self_employed", "Indépendant"),
        Unemployed => ("unemployed", "Demandeur d'emploi"),
        Retired => ("retired", "Retraité"),
        Benefits => ("benefits", "Minima sociaux"),
        Student => ("student", "Étudiant"),
    }
);

coded_enum!(
    /// Legal protection of an adult (C. civ. 440 and following).
    Protection {
        None => ("none", "Aucune"),
        Curatorship => ("curatorship", "Curatelle"),
        EnhancedCuratorship => ("enhanced_curatorship", "Curatelle renforcée"),
        Guardianship => ("guardianship", "Tutelle"),
        Safeguard => ("safeguard", "Sauvegarde de justice"),
    }
);

coded_enum!(
    /// Over-indebtedness file at the Banque de France (C. consom. L711-1 and following).
    OverIndebtedness {
        None => ("none", "Aucun dossier"),
        Filed => ("filed", "Dossier déposé"),
        Admissible => ("admissible", "Dossier recevable"),
        Measures => ("measures", "Mesures imposées / plan"),
        PersonalRecovery => ("personal_recovery", "Rétablissement personnel"),
        DebtRelief => ("debt_relief", "Effacement des dettes"),
    }
);

coded_enum!(
    GuaranteeKind {
        PersonalSurety => ("personal_surety", "Caution personnelle"),
        Mortgage => ("mortgage", "Hypothèque"),
        Pledge => ("pledge", "Nantissement / gage"),
        GuaranteeBody => ("guarantee_body", "Organisme de caution"),
        Insurance => ("insurance", "Assurance emprunteur"),
    }
);

coded_enum!(
    /// The debtor's other accounts at the bank.
    AccountKind {
        Current => ("current", "Compte courant"),
        LivretA => ("livret_a", "Livret A"),
        Ldds => ("ldds", "LDDS"),
        Pel => ("pel", "Plan d'épargne logement"),
        LifeInsurance => ("life_insurance", "Assurance vie"),
        Securities => ("securities", "Compte titres"),
    }
);

impl Protection {
    /// Letters and agreements must go to, or be countersigned by, the guardian (brief §3.8).
    pub fn requires_guardian(self) -> bool {
        // Under a sauvegarde de justice the person keeps the exercise of their rights (C. civ.
        // 435): letters still go to them.
        !matches!(self, Protection::None | Protection::Safeguard)
    }
}

/// The amounts a claim is made of. The balance is always shown broken down.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub principal: Money,
    pub contractual_interest: Money,
    pub statutory_interest: Money,
    pub costs: Money,
    pub penalties: Money,
}

impl Breakdown {
    pub fn total(&self) -> Money {
        self.principal + self.contractual_interest + self.statutory_interest + self.costs + self.penalties
    }

    pub fn add(&self, other: &Breakdown) -> Breakdown {
        Breakdown {
            principal: self.principal + other.principal,
            contractual_interest: self.contractual_interest + other.contractual_interest,
            statutory_interest: self.statutory_interest + other.statutory_interest,
            costs: self.costs + other.costs,
            penalties: self.penalties + other.penalties,
        }
    }
}

/// A person: debtor, co-debtor or guarantor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    /// The core-banking customer number, stable across imports.
    pub customer_number: String,
    pub last_name: String,
    pub first_name: String,
    pub birth_date: Option<NaiveDate>,
    pub address_line: String,
    pub postcode: String,
    pub city: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub iban: Option<String>,
    pub family_situation: FamilySituation,
    pub dependants: u8,
    pub employment: Employment,
    pub employer: Option<String>,
    pub monthly_income: Money,
    pub monthly_charges: Money,
    pub deceased_on: Option<NaiveDate>,
    pub protection: Protection,
    pub guardian_name: Option<String>,
    pub guardian_address: Option<String>,
    pub over_indebtedness: OverIndebtedness,
    pub ficp_registered: bool,
}

impl Person {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.last_name.to_uppercase(), self.first_name)
    }

    /// Lower-case, accent-free form used for searching by name on both engines.
    pub fn search_key(&self) -> String {
        search_key(&format!("{} {}", self.last_name, self.first_name))
    }
}

/// Folds a text for search: lower case, accents removed, spaces collapsed.
pub fn search_key(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' => 'a',
            'ç' | 'Ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ÿ' | 'Ÿ' => 'y',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A claim (créance) on a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    /// The contract or account number in core banking; unique across the bank.
    pub contract_ref: String,
    pub nature: ClaimNature,
    pub amounts: Breakdown,
    /// Contractual annual rate in percent, as text (a decimal, never a float).
    pub contractual_rate: Option<String>,
    pub opened_on: Option<NaiveDate>,
    /// Account closure or acceleration (déchéance du terme): the claim falls due.
    pub due_on: NaiveDate,
    pub first_incident_on: Option<NaiveDate>,
    pub last_payment_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guarantee {
    pub kind: GuaranteeKind,
    pub description: String,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtherAccount {
    pub kind: AccountKind,
    pub account_number: String,
    pub balance: Money,
}

/// Everything needed to open a case: what an import line or the demo generator produces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub debtor: Person,
    /// Co-debtors and guarantors.
    pub parties: Vec<(PartyRole, Person)>,
    pub claims: Vec<Claim>,
    pub guarantees: Vec<Guarantee>,
    pub other_accounts: Vec<OtherAccount>,
    pub status: CaseStatus,
    /// Date the case entered litigation.
    pub opened_on: NaiveDate,
    pub tags: Vec<String>,
    /// Login of the assigned officer, if any.
    pub officer: Option<String>,
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for nature in ClaimNature::ALL {
            assert_eq!(ClaimNature::from_code(nature.code()), Some(*nature));
        }
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::from_code(status.code()), Some(*status));
        }
        assert_eq!(ClaimNature::from_code("lottery"), None);
    }

    #[test]
    fn search_key_folds_accents_and_case() {
        assert_eq!(search_key("  Hélène   LEFÈVRE "), "helene lefevre");
        assert_eq!(search_key("Çédric Ôtis"), "cedric otis");
    }

    #[test]
    fn breakdown_totals_every_component() {
        let breakdown = Breakdown {
            principal: Money::from_cents(100_000),
            contractual_interest: Money::from_cents(1_234),
            statutory_interest: Money::from_cents(56),
            costs: Money::from_cents(7_800),
            penalties: Money::from_cents(8_000),
        };
        assert_eq!(breakdown.total(), Money::from_cents(117_090));
    }
}
