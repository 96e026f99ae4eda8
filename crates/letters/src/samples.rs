//! Realistic sample data, one per kind of letter: used by the tests, the PNG previews in
//! `docs/letters/`, the demo and the documentation. The bank, people and contracts are
//! fictitious; the courts and legal references are real.

use chrono::NaiveDate;

use crate::{
    Amounts, Claim, Court, Creditor, Estate, Guarantee, GuardianRole, Instalment, Instruction, LetterData, LetterKind,
    MissedInstalment, Party, Plan, Protection, Repayment, Signatory,
};

// Invariant: called only with the literal dates of the samples below, all real days.
#[allow(clippy::expect_used)]
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid sample date")
}

fn lines(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

/// An ISO 11649 creditor reference ("RF" + check digits + `reference`) for sample data.
/// `reference` must be 1 to 21 ASCII letters or digits. Real references are built and checked
/// by `recouvre-iso20022`; this one exists so samples (and the benchmark) carry valid ones.
pub fn creditor_reference(reference: &str) -> String {
    let upper = reference.to_ascii_uppercase();
    // Mod 97 over the digits of reference + "RF00", letters counting A=10 … Z=35.
    let remainder = upper.chars().chain("RF00".chars()).fold(0u32, |acc, c| {
        let value = c.to_digit(36).unwrap_or(0);
        if value >= 10 {
            (acc * 100 + value) % 97
        } else {
            (acc * 10 + value) % 97
        }
    });
    format!("RF{:02}{upper}", 98 - remainder)
}

/// The sample bank, as sender and creditor.
pub fn sample_creditor() -> Creditor {
    Creditor {
        bank_name: "Banque Rhodanienne de Crédit".into(),
        legal_identity: "Banque Rhodanienne de Crédit, société anonyme au capital de 152 000 000 € — \
                         siège social : 8 quai Jules Courmont, 69002 Lyon — RCS Lyon 552 108 417 — \
                         établissement de crédit agréé par l'ACPR"
            .into(),
        address_lines: lines(&["Service Contentieux et Recouvrement", "CS 70421", "69289 Lyon Cedex 02"]),
        department: "Direction des Engagements — Service Contentieux".into(),
        phone: "04 72 40 18 60".into(),
        email: "contentieux@banque-rhodanienne.example".into(),
        iban: "FR76 3000 6000 0112 3456 7890 189".into(),
        bic: "BRHDFRPPXXX".into(),
    }
}

fn debtor() -> Party {
    Party {
        name: "Madame Jeanne Martin".into(),
        address_lines: lines(&["14 rue des Tanneurs", "Appartement 32", "69002 Lyon"]),
        occupation: Some("aide-soignante".into()),
    }
}

// Invariant: the samples' dates are in this century; a few months later is a date chrono has.
#[allow(clippy::expect_used)]
fn plan(first: NaiveDate, count: u32, total_cents: i64) -> Vec<Instalment> {
    let each = total_cents / i64::from(count);
    (0..count)
        .map(|n| {
            let due_date = first.checked_add_months(chrono::Months::new(n)).expect("valid sample month");
            // The last instalment takes the rounding remainder.
            let amount_cents = if n + 1 == count { total_cents - each * i64::from(count - 1) } else { each };
            Instalment { due_date, amount_cents }
        })
        .collect()
}

fn base() -> LetterData {
    let debtor = debtor();
    LetterData {
        creditor: sample_creditor(),
        recipient: debtor.clone(),
        debtor,
        case_reference: "CTX-2026-004217".into(),
        creditor_reference: creditor_reference("CTX2026004217"),
        date: date(2026, 11, 27),
        place: "Lyon".into(),
        signatory: Signatory { name: "Camille Roussel".into(), title: "Gestionnaire contentieux".into() },
        claim: Claim {
            contract: "prêt personnel n° 40021-778812 du 12 mars 2023".into(),
            due_since: date(2026, 9, 18),
            interest_basis: Some("au taux contractuel de 5,90 % l'an à compter du 18 septembre 2026".into()),
        },
        amounts: Amounts {
            principal_cents: 874_215,
            interest_cents: 31_248,
            costs_cents: 8_500,
            penalty_cents: 69_937,
            total_cents: 983_900,
        },
        cure_period_end: None,
        plan: None,
        missed_instalment: None,
        repayment: None,
        court: None,
        legal_grounds: None,
        supporting_documents: Vec::new(),
        protection: None,
        estate: None,
        guarantee: None,
        instruction: None,
        note: None,
        claims: Vec::new(),
        copy_to: None,
        co_debtor: false,
    }
}

/// A complete, realistic `LetterData` for `kind`: validates and renders as is.
pub fn sample(kind: LetterKind) -> LetterData {
    let mut d = base();
    match kind {
        LetterKind::FormalNotice => {
            d.cure_period_end = Some(date(2026, 12, 28));
        }
        LetterKind::PlanProposal | LetterKind::PlanAgreement => {
            d.plan = Some(Plan {
                instalments: plan(date(2027, 2, 1), 12, d.amounts.total_cents),
                payment_method: "prélèvement SEPA sur votre compte, le 1er de chaque mois".into(),
                reply_by: Some(date(2026, 12, 15)),
                agreed_on: None,
            });
        }
        LetterKind::MissedInstalmentReminder | LetterKind::PlanLapsed => {
            d.plan = Some(Plan {
                instalments: plan(date(2026, 10, 5), 12, d.amounts.total_cents),
                payment_method: "virement mensuel".into(),
                reply_by: None,
                agreed_on: Some(date(2026, 9, 22)),
            });
            d.missed_instalment = Some(if kind == LetterKind::PlanLapsed {
                MissedInstalment {
                    number: 1,
                    due_date: date(2026, 10, 5),
                    amount_cents: 81_991,
                    regularise_by: date(2026, 11, 20),
                }
            } else {
                MissedInstalment {
                    number: 2,
                    due_date: date(2026, 11, 5),
                    amount_cents: 81_991,
                    regularise_by: date(2026, 12, 1),
                }
            });
        }
        LetterKind::RepaymentConfirmation => {
            d.repayment = Some(Repayment {
                paid_on: date(2026, 11, 24),
                amount_cents: 983_900,
                ficp_registered: true,
                ficp_removed_on: None,
            });
        }
        LetterKind::PaymentOrderRequest => {
            d.court = Some(Court {
                name: "Tribunal judiciaire de Lyon".into(),
                address_lines: lines(&["67 rue Servient", "69003 Lyon"]),
                addressed_to: None,
                basis: None,
                local_law: None,
            });
            d.legal_grounds = Some(
                "Contrat de crédit à la consommation n° 40021-778812 accepté le 12 mars 2023 \
                 (articles L312-1 et suivants du Code de la consommation). L'emprunteuse a cessé \
                 ses remboursements à compter de l'échéance du 5 juin 2026 ; après une mise en demeure \
                 du 17 août 2026 restée sans effet, la déchéance du terme a été prononcée le \
                 18 septembre 2026, rendant exigibles le capital restant dû, les intérêts échus et \
                 l'indemnité de 8 % prévue par les articles L312-39 et D312-16 du Code de la \
                 consommation (articles 1103 et 1231-1 du Code civil)."
                    .into(),
            );
            d.supporting_documents = lines(&[
                "Offre de contrat de crédit acceptée le 12 mars 2023, avec la fiche d'informations précontractuelles",
                "Justificatif de consultation du FICP préalable à l'octroi du crédit",
                "Tableau d'amortissement",
                "Historique des échéances et des paiements",
                "Mise en demeure du 17 août 2026 et son avis de réception",
                "Lettre de notification de la déchéance du terme du 18 septembre 2026 et son avis de réception",
                "Décompte de la créance arrêté au 27 novembre 2026",
            ]);
        }
        LetterKind::NotaryClaimDeclaration => {
            d.debtor = Party {
                name: "Monsieur Henri Dubois".into(),
                address_lines: lines(&["7 chemin des Pins", "69130 Écully"]),
                occupation: Some("retraité".into()),
            };
            d.recipient = Party {
                name: "Maître Claire Fabre".into(),
                address_lines: lines(&["Office notarial Fabre et Associés", "3 place Bellecour", "69002 Lyon"]),
                occupation: Some("notaire".into()),
            };
            d.estate = Some(Estate {
                date_of_death: date(2026, 8, 14),
                notary_reference: Some("succession Dubois, dossier 2026/1187".into()),
            });
            d.supporting_documents = lines(&[
                "Offre de contrat de crédit acceptée le 12 mars 2023",
                "Tableau d'amortissement",
                "Décompte de la créance arrêté au 27 novembre 2026",
            ]);
        }
        LetterKind::GuardianLetter => {
            d.debtor = Party {
                name: "Monsieur Lucien Garnier".into(),
                address_lines: lines(&["Résidence Les Tilleuls", "22 avenue Galline", "69100 Villeurbanne"]),
                occupation: None,
            };
            d.recipient = Party {
                name: "Madame Nadia Benali".into(),
                address_lines: lines(&[
                    "Association tutélaire du Rhône",
                    "Service des mandataires judiciaires",
                    "40 rue de la Villette",
                    "69003 Lyon",
                ]),
                occupation: Some("mandataire judiciaire à la protection des majeurs".into()),
            };
            d.protection = Some(Protection {
                role: GuardianRole::Curator,
                decision: "jugement du juge des contentieux de la protection du tribunal judiciaire de Lyon \
                           du 4 mai 2024"
                    .into(),
                guardian: Some(d.recipient.clone()),
            });
            d.cure_period_end = Some(date(2027, 1, 4));
        }
        LetterKind::GuarantorCall => {
            d.recipient = Party {
                name: "Monsieur Marc Martin".into(),
                address_lines: lines(&["5 impasse des Lilas", "38200 Vienne"]),
                occupation: None,
            };
            d.guarantee =
                Some(Guarantee { signed_on: date(2023, 3, 12), cap_cents: 1_200_000, nature: "solidaire".into() });
            d.cure_period_end = Some(date(2026, 12, 28));
        }
        LetterKind::BailiffInstruction => {
            d.recipient = Party {
                name: "Maître Antoine Leroy".into(),
                address_lines: lines(&[
                    "SELARL Leroy et Vidal, commissaires de justice",
                    "12 rue Grenette",
                    "69002 Lyon",
                ]),
                occupation: Some("commissaire de justice".into()),
            };
            d.instruction = Some(Instruction {
                enforceable_title: Some(
                    "ordonnance d'injonction de payer rendue par le président du tribunal judiciaire de Lyon \
                     le 2 octobre 2026, revêtue de la formule exécutoire le 9 novembre 2026"
                        .into(),
                ),
                actions: lines(&[
                    "signifier l'ordonnance revêtue de la formule exécutoire, si ce n'est déjà fait",
                    "pratiquer une saisie-attribution sur les comptes bancaires de la débitrice",
                    "à défaut, délivrer un commandement de payer préalable à la saisie des rémunérations",
                ]),
                fee_terms: Some(
                    "Vos frais et émoluments sont ceux du tarif réglementé ; tout acte dont le coût \
                     dépasserait 300 € nous sera soumis au préalable."
                        .into(),
                ),
            });
        }
        LetterKind::GuarantorIncidentInformation | LetterKind::GuarantorYearlyInformation => {
            d.recipient = Party {
                name: "Monsieur Marc Martin".into(),
                address_lines: lines(&["5 impasse des Lilas", "38200 Vienne"]),
                occupation: None,
            };
            d.guarantee =
                Some(Guarantee { signed_on: date(2023, 3, 12), cap_cents: 1_500_000, nature: "solidaire".into() });
        }
        LetterKind::AgencyInstruction => {
            d.recipient = Party {
                name: "Recouvra Services".into(),
                address_lines: lines(&["Service Mandats", "110 boulevard Stalingrad", "69100 Villeurbanne"]),
                occupation: Some("société de recouvrement amiable".into()),
            };
            d.instruction = Some(Instruction {
                enforceable_title: None,
                actions: lines(&[
                    "prendre contact avec la débitrice par courrier et par téléphone",
                    "rechercher un accord de règlement, dans la limite de 24 mensualités",
                    "nous restituer le dossier au terme de quatre mois sans résultat",
                ]),
                fee_terms: Some("Commission de 12 % hors taxes des sommes effectivement encaissées.".into()),
            });
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creditor_references_follow_iso_11649() {
        // Example from the ISO 11649 standard.
        assert_eq!(creditor_reference("539007547034"), "RF18539007547034");
        assert_eq!(creditor_reference("CTX2026004217"), "RF17CTX2026004217");
    }

    #[test]
    fn every_sample_validates() {
        for kind in LetterKind::ALL {
            sample(kind).validate(kind).unwrap_or_else(|e| panic!("{}: {e}", kind.code()));
        }
    }
}
