//! The facts of a letter, gathered from the case file: who it goes to, what is claimed and on
//! what grounds, the court, the documents enclosed, the deadline it opens. Pure functions of
//! the case, the bank and the day: the same case gives the same letter.

use chrono::{Duration, NaiveDate};
use recouvre_domain::case::{Breakdown, ClaimNature, GuaranteeKind, PartyRole, Person, Protection};
use recouvre_domain::courts::CompetentCourt;
use recouvre_domain::debtor_file::Civility;
use recouvre_letters::{
    Amounts, Claim, ClaimLine, Court, Creditor, Estate, Guarantee, GuardianRole, Instalment, Instruction, LetterData,
    LetterKind, MissedInstalment, Party, Plan, Protection as LetterProtection, Repayment, Signatory,
};
use recouvre_store::cases::CaseDetail;
use recouvre_store::direct_debits::PlanView;
use recouvre_store::documents::OpenedDeadline;
use recouvre_store::settings::BankIdentity;

use super::LetterInput;
use crate::{Error, Result};

/// What a letter takes from outside the case.
pub struct LetterContext<'a> {
    pub bank: &'a BankIdentity,
    pub signatory: Signatory,
    /// The letter's date (the Paris business date).
    pub today: NaiveDate,
    /// The cure period a formal notice gives, from the procedure policy in force.
    pub cure_period_days: i64,
    pub plan: Option<&'a PlanView>,
    /// The estate of a deceased debtor (issue 17): their letters go to the notary, else to the
    /// heirs.
    pub estate: Option<&'a recouvre_store::debtors::Estate>,
    /// NPAI: the day a letter came back from the debtor's address; none goes there any more.
    pub address_invalid_on: Option<NaiveDate>,
    /// The debtor's civility from their file: "Monsieur", "Madame", or none (issue 20: no « (e) »).
    pub civility: Option<Civility>,
    /// The judge competent for a payment-order request, from the courts reference data.
    pub court: Option<CompetentCourt>,
    /// The day the debtor's removal from the FICP was recorded, if it was.
    pub ficp_removed_on: Option<NaiveDate>,
    /// What each claim still owes and whether it can still be claimed, in the case's order.
    pub claims_due: &'a [ClaimDue],
    /// The living co-debtor the letter goes to instead of the debtor (`estate::co_debtor`).
    pub co_debtor: Option<Party>,
}

/// Days given to answer a plan proposal or to make up a missed instalment.
const REPLY_DAYS: i64 = 15;

fn address_lines(text: &str) -> Vec<String> {
    text.split(['\n', ',']).map(str::trim).filter(|line| !line.is_empty()).map(str::to_string).collect()
}

fn person_party(person: &Person) -> Party {
    civil_party(person, None)
}

/// A person as a letter names them: with their civility when their file records it (the
/// salutation follows it), the occupation agreed with it, never « salarié(e) ».
pub(crate) fn civil_party(person: &Person, civility: Option<Civility>) -> Party {
    let name = format!("{} {}", person.first_name, person.last_name.to_uppercase());
    Party {
        name: match civility {
            Some(civility) => format!("{} {name}", civility.label()),
            None => name,
        },
        address_lines: vec![person.address_line.clone(), format!("{} {}", person.postcode, person.city)],
        occupation: person.employer.as_ref().map(|employer| match civility {
            Some(Civility::Mrs) => format!("salariée de {employer}"),
            Some(Civility::Mr) => format!("salarié de {employer}"),
            None => format!("employé par {employer}"),
        }),
    }
}

/// What the interest of a claim runs on, and at which rate: the principal only (the interest
/// and the indemnity produce none, C. civ. 1343-2 without an agreement to capitalise).
fn interest_basis(rate: Option<&str>) -> String {
    match rate {
        Some(rate) => format!(
            "Le capital restant dû produit intérêts au taux contractuel de {} % l'an jusqu'à complet paiement.",
            rate.replace('.', ",")
        ),
        None => "Le capital restant dû produit intérêts au taux de l'intérêt légal (article 1231-6 du Code civil) \
                 jusqu'à complet paiement."
            .to_string(),
    }
}

fn amounts_of(breakdown: &Breakdown) -> Amounts {
    let interest = breakdown.contractual_interest + breakdown.statutory_interest;
    Amounts {
        principal_cents: breakdown.principal.cents(),
        interest_cents: interest.cents(),
        costs_cents: breakdown.costs.cents(),
        penalty_cents: breakdown.penalties.cents(),
        total_cents: breakdown.total().cents(),
    }
}

/// What one claim of the case still owes (`claim_balance::claim_balances`: its own amounts
/// and interest, payments imputed to the oldest first) and whether it is time-barred or
/// foreclosed today (`store::claim_positions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimDue {
    pub claim_id: i64,
    pub due: Breakdown,
    pub time_barred: bool,
}

impl ClaimDue {
    /// Whether a letter states the claim: it still owes something and can still be claimed
    /// (issue 20: a barred claim is left out, a paid one makes no zero line).
    pub fn claimed(&self) -> bool {
        !self.time_barred && self.due.total().is_positive()
    }
}

/// The facts of a letter of `kind` about `case`. Kind-specific parts come from the case (plan,
/// guarantor, protection, death) or from the input (a third-party recipient, the court).
pub fn letter_data(
    kind: LetterKind,
    case: &CaseDetail,
    context: &LetterContext<'_>,
    input: &LetterInput,
) -> Result<LetterData> {
    let bank = context.bank;
    let debtor = civil_party(&case.debtor, context.civility);
    let breakdown = &case.breakdown;
    // The claims the letter states, each with its own amounts (issue 20): a claim time-barred,
    // foreclosed or paid is left out, and the letter's total is the sum of those it states.
    let shown: Vec<(&recouvre_domain::case::Claim, Breakdown)> = case
        .claims
        .iter()
        .filter_map(|(id, claim)| {
            context.claims_due.iter().find(|due| due.claim_id == *id && due.claimed()).map(|due| (claim, due.due))
        })
        .collect();
    let amounts = if shown.is_empty() {
        amounts_of(breakdown)
    } else {
        amounts_of(&shown.iter().fold(Breakdown::default(), |sum, (_, due)| sum.add(due)))
    };
    let (_, first_case_claim) = case.claims.first().ok_or_else(|| {
        Error::refused("no_claim", format!("le dossier {} n'a pas de créance : rien à réclamer", case.reference))
    })?;
    let first_claim = shown.first().map(|(claim, _)| *claim).unwrap_or(first_case_claim);
    let claims: Vec<ClaimLine> = shown
        .iter()
        .map(|(claim, due)| ClaimLine {
            nature: claim.nature.label().to_string(),
            contract: format!(
                "n° {}{}",
                claim.contract_ref,
                claim
                    .opened_on
                    .map(|day| format!(" du {}", recouvre_letters::format::format_date(day)))
                    .unwrap_or_default()
            ),
            due_since: claim.due_on,
            amounts: amounts_of(due),
            interest_basis: interest_basis(claim.contractual_rate.as_deref()),
        })
        .collect();
    let claim = Claim {
        contract: format!(
            "{} n° {}{}",
            first_claim.nature.label().to_lowercase(),
            first_claim.contract_ref,
            first_claim
                .opened_on
                .map(|day| format!(" du {}", recouvre_letters::format::format_date(day)))
                .unwrap_or_default()
        ),
        due_since: first_claim.due_on,
        interest_basis: Some(match &first_claim.contractual_rate {
            Some(rate) => format!("au taux contractuel de {} % l'an", rate.replace('.', ",")),
            None => "au taux de l'intérêt légal (article 1231-6 du Code civil)".to_string(),
        }),
    };
    if kind == LetterKind::RepaymentConfirmation && breakdown.total().is_positive() {
        return Err(Error::refused(
            "balance_outstanding",
            format!(
                "le dossier {} doit encore {} : l'attestation de remboursement attend le solde",
                case.reference,
                breakdown.total().to_french()
            ),
        ));
    }
    let third_party = input.recipient_name.as_ref().map(|name| Party {
        name: name.clone(),
        address_lines: input.recipient_address.as_deref().map(address_lines).unwrap_or_default(),
        occupation: None,
    });
    // A protected adult's letters go to the guardian (C. civ. 467 for curatorship: the curator
    // assists; 473 for guardianship: the guardian represents).
    let protection = match case.debtor.protection {
        Protection::None | Protection::Safeguard => None,
        Protection::Guardianship => Some(GuardianRole::Tutor),
        Protection::Curatorship | Protection::EnhancedCuratorship => Some(GuardianRole::Curator),
    };
    let guardian = protection.map(|role| {
        (
            role,
            Party {
                name: case
                    .debtor
                    .guardian_name
                    .clone()
                    .unwrap_or_else(|| format!("Le {} de {}", role.label(), debtor.name)),
                address_lines: case.debtor.guardian_address.as_deref().map(address_lines).unwrap_or_default(),
                occupation: None,
            },
        )
    });
    // Who a protected adult's own letters go to (issue 20): under guardianship the tutor, who
    // represents them (C. civ. 473, 475); under enhanced curatorship the curator, who receives
    // their income and pays their debts (C. civ. 472); under curatorship the adult themself,
    // who acts with the curator's assistance, with a copy to the curator (C. civ. 467).
    let writes_to_guardian =
        matches!(case.debtor.protection, Protection::Guardianship | Protection::EnhancedCuratorship)
            || kind == LetterKind::GuardianLetter;
    // After the debtor's death the commissaire de justice serves the title on the heirs
    // (C. civ. 877): refused when they renounced or are not recorded.
    let heirs_actions = if kind == LetterKind::BailiffInstruction && case.debtor.deceased_on.is_some() {
        super::estate::heirs_actions(&debtor.name, context.estate)?
    } else {
        Vec::new()
    };
    let guarantor =
        case.parties.iter().find(|(role, _, _)| *role == PartyRole::Guarantor).map(|(_, _, p)| person_party(p));
    let recipient = match kind {
        // A co-debtor bound jointly and severally receives the claim in their own name (C. civ.
        // 1313), whatever the debtor's situation.
        _ if context.co_debtor.is_some() => context.co_debtor.clone().unwrap_or_else(|| debtor.clone()),
        LetterKind::GuarantorCall
        | LetterKind::GuarantorIncidentInformation
        | LetterKind::GuarantorYearlyInformation => guarantor.clone().ok_or_else(|| {
            Error::refused(
                "no_guarantor",
                "aucune caution n'est enregistrée sur ce dossier : ajoutez-la avant de l'appeler",
            )
        })?,
        LetterKind::BailiffInstruction if input.enforceable_title.is_none() => {
            return Err(Error::invalid(
                "enforceable_title",
                "required",
                "instructions au commissaire de justice : indiquez le titre exécutoire à mettre à exécution \
                 (par exemple l'ordonnance d'injonction de payer revêtue de la formule exécutoire, avec sa date)",
            ))
        }
        // The declaration of the claim goes to the notary recorded with the death, unless the
        // officer names another (C. civ. 792: the creditors declare to the estate's notary).
        LetterKind::NotaryClaimDeclaration
            if third_party.is_none() && context.estate.is_some_and(|estate| estate.notary_name.is_some()) =>
        {
            estate_party(case, context, &debtor)?
        }
        LetterKind::NotaryClaimDeclaration | LetterKind::BailiffInstruction | LetterKind::AgencyInstruction => {
            third_party.clone().ok_or_else(|| {
                Error::invalid(
                    "recipient_name",
                    "required",
                    format!(
                        "{} : indiquez le destinataire (nom et adresse du notaire, du commissaire de justice ou de \
                         l'agence)",
                        kind.label()
                    ),
                )
            })?
        }
        LetterKind::PaymentOrderRequest => {
            let court = court_of(case, context, input)?;
            // The stored addressee is the one the request prints (issue 20).
            Party { name: court.addressed_to, address_lines: vec![court.town], occupation: None }
        }
        // After a death, the debtor's letters go to the notary settling the estate, else to the
        // heirs at the last address (C. civ. 724, 870: the heirs take on the debts).
        _ if case.debtor.deceased_on.is_some() => estate_party(case, context, &debtor)?,
        _ => match &guardian {
            Some((_, guardian)) if writes_to_guardian => guardian.clone(),
            _ => {
                refuse_npai(case, context)?;
                debtor.clone()
            }
        },
    };
    let instalments = |plan: &PlanView| -> Vec<Instalment> {
        plan.instalments
            .iter()
            .map(|instalment| Instalment { due_date: instalment.due_on, amount_cents: instalment.amount_cents })
            .collect()
    };
    let plan = context.plan.map(|plan| Plan {
        instalments: instalments(plan),
        payment_method: "prélèvement SEPA ou virement".to_string(),
        reply_by: Some(context.today + Duration::days(REPLY_DAYS)),
        agreed_on: Some(recouvre_domain::business_date::paris_date(plan.plan.created_at)),
    });
    let missed_instalment = context.plan.and_then(|plan| {
        plan.instalments.iter().find(|i| i.status == "missed" || i.status == "returned").map(|instalment| {
            MissedInstalment {
                number: u32::try_from(instalment.number).unwrap_or(0),
                due_date: instalment.due_on,
                amount_cents: instalment.amount_cents,
                regularise_by: context.today + Duration::days(REPLY_DAYS),
            }
        })
    });
    let copy_to = match &guardian {
        Some((role, guardian)) if recipient == debtor => Some(format!(
            "{}, {} {} (article 467 du Code civil)",
            guardian.name,
            role.label(),
            recouvre_letters::format::of_name(&debtor.name)
        )),
        _ => None,
    };
    let creditor = Creditor {
        bank_name: bank.name.clone(),
        legal_identity: legal_identity(bank),
        address_lines: address_lines(&bank.address),
        department: bank.centre_name.clone(),
        phone: bank.centre_phone.clone(),
        email: bank.centre_email.clone(),
        iban: bank.collection_iban.clone(),
        bic: bank.collection_bic.clone(),
    };
    let data = LetterData {
        creditor,
        recipient,
        debtor: debtor.clone(),
        case_reference: case.reference.clone(),
        creditor_reference: recouvre_iso20022::sepa::rf_reference(&case.reference),
        date: context.today,
        place: case_place(bank),
        signatory: context.signatory.clone(),
        claim,
        amounts,
        // C. civ. 1344: the formal notice (and the call on the guarantor) gives the debtor a
        // period to pay before the next step.
        cure_period_end: matches!(kind, LetterKind::FormalNotice | LetterKind::GuarantorCall)
            .then(|| context.today + Duration::days(context.cure_period_days)),
        plan: matches!(
            kind,
            LetterKind::PlanProposal
                | LetterKind::PlanAgreement
                | LetterKind::MissedInstalmentReminder
                | LetterKind::PlanLapsed
        )
        .then_some(plan)
        .flatten(),
        missed_instalment: matches!(kind, LetterKind::MissedInstalmentReminder | LetterKind::PlanLapsed)
            .then_some(missed_instalment)
            .flatten(),
        repayment: (kind == LetterKind::RepaymentConfirmation).then_some(Repayment {
            paid_on: context.today,
            amount_cents: case.claims.iter().map(|(_, claim)| claim.amounts.total().cents()).sum(),
            ficp_registered: case.debtor.ficp_registered,
            ficp_removed_on: context.ficp_removed_on,
        }),
        court: match kind {
            LetterKind::PaymentOrderRequest => {
                let court = court_of(case, context, input)?;
                // The town is not repeated under a court that already names it ("Tribunal
                // judiciaire de Strasbourg" / "Strasbourg").
                let address_lines = if court.court.contains(&court.town) { Vec::new() } else { vec![court.town] };
                Some(Court {
                    name: court.court,
                    address_lines,
                    addressed_to: Some(court.addressed_to),
                    basis: Some(court.basis),
                    local_law: court.local_law,
                })
            }
            _ => None,
        },
        legal_grounds: (kind == LetterKind::PaymentOrderRequest).then(|| {
            let mut natures: Vec<ClaimNature> = Vec::new();
            for (claim, _) in &shown {
                if !natures.contains(&claim.nature) {
                    natures.push(claim.nature);
                }
            }
            natures.into_iter().map(legal_grounds).collect::<Vec<_>>().join(" ")
        }),
        supporting_documents: match kind {
            LetterKind::PaymentOrderRequest => supporting_documents(first_claim.nature),
            LetterKind::NotaryClaimDeclaration => estate_documents(first_claim.nature),
            _ => Vec::new(),
        },
        protection: guardian.as_ref().map(|(role, guardian)| LetterProtection {
            role: *role,
            decision: "décision du juge des contentieux de la protection".to_string(),
            guardian: Some(guardian.clone()),
        }),
        estate: case.debtor.deceased_on.map(|date_of_death| Estate { date_of_death, notary_reference: None }),
        guarantee: matches!(
            kind,
            LetterKind::GuarantorCall
                | LetterKind::GuarantorIncidentInformation
                | LetterKind::GuarantorYearlyInformation
        )
        .then(|| {
            case.guarantees.iter().find(|g| g.kind == GuaranteeKind::PersonalSurety).map(|guarantee| Guarantee {
                signed_on: first_claim.opened_on.unwrap_or(first_claim.due_on),
                cap_cents: guarantee.amount.cents(),
                nature: "solidaire".to_string(),
            })
        })
        .flatten(),
        instruction: matches!(kind, LetterKind::BailiffInstruction | LetterKind::AgencyInstruction).then(|| {
            Instruction {
                enforceable_title: (kind == LetterKind::BailiffInstruction)
                    .then(|| input.enforceable_title.clone())
                    .flatten(),
                actions: match kind {
                    LetterKind::BailiffInstruction if case.debtor.deceased_on.is_some() => heirs_actions.clone(),
                    LetterKind::BailiffInstruction => vec![
                        "signifier le titre exécutoire et délivrer un commandement de payer".to_string(),
                        "procéder à une saisie-attribution sur les comptes du débiteur".to_string(),
                    ],
                    _ => vec![
                        "rechercher le débiteur et obtenir un règlement amiable".to_string(),
                        "nous rendre compte de vos diligences chaque mois".to_string(),
                    ],
                },
                fee_terms: None,
            }
        }),
        note: input.note.clone(),
        claims,
        copy_to,
        co_debtor: context.co_debtor.is_some(),
    };
    Ok(data)
}

/// A letter may not go to an address a letter came back from (NPAI): the officer corrects the
/// address first.
fn refuse_npai(case: &CaseDetail, context: &LetterContext<'_>) -> Result<()> {
    match context.address_invalid_on {
        Some(day) => Err(Error::refused(
            "address_invalid",
            format!(
                "l'adresse de {} est marquée « n'habite pas à l'adresse indiquée » depuis le {} : corrigez l'adresse \
                 sur la fiche du débiteur (numéro client {}) avant de lui écrire",
                case.debtor.display_name(),
                recouvre_letters::format::format_date(day),
                case.debtor.customer_number
            ),
        )),
        None => Ok(()),
    }
}

/// Who a deceased debtor's letters go to: the notary if one is known, else the heirs at the
/// debtor's last address (refused if a letter came back from it).
fn estate_party(case: &CaseDetail, context: &LetterContext<'_>, debtor: &Party) -> Result<Party> {
    let estate = context.estate;
    if let Some(notary) = estate.and_then(|estate| estate.notary_name.clone()) {
        return Ok(Party {
            name: notary,
            address_lines: estate
                .and_then(|estate| estate.notary_address.as_deref())
                .map(address_lines)
                .unwrap_or_default(),
            occupation: Some(format!(
                "notaire chargé de la succession {}",
                recouvre_letters::format::of_name(&debtor.name)
            )),
        });
    }
    refuse_npai(case, context)?;
    Ok(Party {
        name: format!("Aux héritiers {}", recouvre_letters::format::of_name(&debtor.name)),
        address_lines: debtor.address_lines.clone(),
        occupation: None,
    })
}

/// The judge a payment-order request goes to: the one the officer named, else the one the
/// courts reference data gives for the claims' nature and the debtor's commune (CPC 1406,
/// COJ L213-4-5), refused naming the commune when the reference does not list it.
fn court_of(case: &CaseDetail, context: &LetterContext<'_>, input: &LetterInput) -> Result<CompetentCourt> {
    if let Some(name) = &input.court {
        return Ok(CompetentCourt {
            judge: "Président du tribunal judiciaire".to_string(),
            addressed_to: format!("Madame, Monsieur le Président du {name}"),
            court: name.clone(),
            // Not the debtor's town: the officer's court may sit elsewhere, and names its town.
            town: String::new(),
            basis: "article 1406 du Code de procédure civile".to_string(),
            local_law: None,
        });
    }
    context.court.clone().ok_or_else(|| {
        Error::refused(
            "court_unknown",
            format!(
                "aucune juridiction n'est enregistrée pour la commune de {} ({}) dans la liste des juridictions : un \
                 administrateur charge la liste officielle (donnée de référence « courts »), ou indiquez le tribunal",
                case.debtor.city, case.debtor.postcode
            ),
        )
    })
}

/// The bank's identity as every letter's footer prints it (C. com. R123-237: the company's
/// name, legal form and share capital, registry and number, head office).
pub fn legal_identity(bank: &BankIdentity) -> String {
    let mut parts = vec![bank.name.clone()];
    if !bank.legal_form.is_empty() {
        let capital = if bank.share_capital.is_empty() {
            String::new()
        } else {
            format!(" au capital de {}", bank.share_capital)
        };
        parts.push(format!("{}{capital}", bank.legal_form));
    }
    if !bank.rcs.is_empty() {
        parts.push(format!("RCS {}", bank.rcs));
    }
    let head_office = if bank.head_office.is_empty() { &bank.address } else { &bank.head_office };
    parts.push(format!("siège social : {head_office}"));
    if !bank.orias.is_empty() {
        parts.push(format!("ORIAS {}", bank.orias));
    }
    parts.join(" — ")
}

/// Where the letter is written: "Centre de recouvrement contentieux de Lyon" → "Lyon".
fn case_place(bank: &BankIdentity) -> String {
    bank.centre_name.rsplit(" de ").next().map(str::to_string).unwrap_or_else(|| "Paris".to_string())
}

/// CPC art. 1407: the request states the grounds of the claim.
pub fn legal_grounds(nature: ClaimNature) -> String {
    match nature {
        ClaimNature::Overdraft => "Solde débiteur du compte de dépôt clôturé, exigible à la clôture (articles 1103 et 1353 du Code civil ; article L312-1-1 du Code monétaire et financier).".to_string(),
        ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit | ClaimNature::Card => "Contrat de crédit à la consommation dont la déchéance du terme a été prononcée après mise en demeure restée infructueuse (articles 1103 et 1353 du Code civil ; articles L312-39 et D312-16 du Code de la consommation).".to_string(),
        ClaimNature::Mortgage => "Contrat de crédit immobilier dont la déchéance du terme a été prononcée après mise en demeure restée infructueuse (articles 1103 et 1353 du Code civil ; articles L313-51 et R313-28 du Code de la consommation).".to_string(),
    }
}

/// The contract a claim of `nature` rests on, as enclosed.
fn contract_document(nature: ClaimNature) -> &'static str {
    match nature {
        ClaimNature::Overdraft => "Convention de compte de dépôt",
        ClaimNature::Mortgage => "Offre de crédit immobilier acceptée",
        _ => "Offre de contrat de crédit acceptée",
    }
}

/// CPC art. 1407: the request lists the supporting documents (bordereau de pièces).
pub fn supporting_documents(nature: ClaimNature) -> Vec<String> {
    vec![
        contract_document(nature).to_string(),
        "Historique des mouvements et des échéances impayées".to_string(),
        "Mise en demeure et avis de réception".to_string(),
        "Lettre prononçant la déchéance du terme ou la clôture du compte".to_string(),
        "Décompte de la créance".to_string(),
    ]
}

/// What a declaration of the claim to the notary encloses (C. civ. 792: the claim is declared
/// with its supporting documents).
pub fn estate_documents(nature: ClaimNature) -> Vec<String> {
    vec![
        contract_document(nature).to_string(),
        "Relevé du compte ou historique des échéances au jour du décès".to_string(),
        "Décompte de la créance".to_string(),
    ]
}

/// The deadline a validated letter opens in the agenda (C. civ. 1344: the end of the period
/// the formal notice gave).
pub fn opened_deadline(kind: LetterKind, data: &LetterData) -> Option<OpenedDeadline> {
    let due_on = data.cure_period_end?;
    let (code, label) = match kind {
        LetterKind::FormalNotice => ("cure_period", "Fin du délai de la mise en demeure"),
        LetterKind::GuarantorCall => ("guarantor_answer", "Réponse de la caution"),
        _ => return None,
    };
    Some(OpenedDeadline {
        code: code.to_string(),
        label: label.to_string(),
        due_on,
        legal_basis: Some("C. civ. 1344".to_string()),
        warn_days: 3,
    })
}

/// Pages of a PDF, counted from its page objects (one `/Type/Page` per page — Typst writes no
/// space, other writers do — and one `/Type/Pages` for the tree, which is not a page).
pub fn count_pages(pdf: &[u8]) -> usize {
    let count = |needle: &[u8]| {
        pdf.windows(needle.len() + 1)
            .filter(|window| &window[..needle.len()] == needle && window[needle.len()] != b's')
            .count()
    };
    (count(b"/Type /Page") + count(b"/Type/Page")).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_without_the_page_tree() {
        assert_eq!(count_pages(b"<< /Type /Pages >> << /Type /Page >> << /Type /Page >>"), 2);
        // Typst writes no space after the name (issue 20: every letter was stored as one page).
        assert_eq!(count_pages(b"<</Type/Pages>> <</Type/Page/Parent 1 0 R>> <</Type/Page>>"), 2);
        assert_eq!(count_pages(b"not a pdf"), 1);
    }

    #[test]
    fn a_payment_order_request_states_its_grounds_and_encloses_the_contract() {
        assert!(legal_grounds(ClaimNature::Mortgage).contains("L313-51"));
        assert!(legal_grounds(ClaimNature::Card).contains("L312-39"));
        assert_eq!(supporting_documents(ClaimNature::Overdraft)[0], "Convention de compte de dépôt");
        assert_eq!(estate_documents(ClaimNature::PersonalLoan)[0], "Offre de contrat de crédit acceptée");
    }

    #[test]
    fn third_party_addresses_split_on_lines_and_commas() {
        assert_eq!(address_lines("12 rue X,\n 69001 Lyon ,"), ["12 rue X", "69001 Lyon"]);
    }
}
