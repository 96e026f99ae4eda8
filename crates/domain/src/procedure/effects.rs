//! What each step opens (deadlines computed with CPC 641 and 642, each with its article), closes
//! and calls for (documents, follow-up procedures, notes for the officer).

use chrono::{Duration, Months, NaiveDate};

use super::apply::{OpenedDeadline, ProcedureContext};
use super::states::{DeadlineKind, DocumentKind, ProcedureKind, State, Step};
use super::tables::push_unique;
use crate::calendar;

use DeadlineKind as D;
use State as S;
use Step as T;

/// What a step opens, closes and calls for.
#[derive(Default)]
pub(super) struct Effects {
    pub(super) opens: Vec<OpenedDeadline>,
    pub(super) closes: Vec<DeadlineKind>,
    pub(super) documents: Vec<DocumentKind>,
    pub(super) follow_up: Vec<ProcedureKind>,
    pub(super) notes: Vec<String>,
    pub(super) enforceable_title_obtained: bool,
}

impl Effects {
    /// A procedural limit of `months` then `days` from `on` (CPC 641), extended to the next working
    /// day when it ends on a Saturday, Sunday or public holiday (CPC 642).
    fn limit(&mut self, kind: DeadlineKind, on: NaiveDate, months: u32, days: u32, context: &ProcedureContext) {
        let limit = calendar::deadline(on, months, days, context.region);
        let warn = context.policy.warn_days_before.min(days_between(on, limit.due));
        self.push(kind, limit, warn);
    }

    /// A limit not extended by CPC 642: a date fixed by someone (hearing, auction), a contractual
    /// term, or a substantive time bar the bank must meet by its nominal day to be safe.
    fn fixed(&mut self, kind: DeadlineKind, on: NaiveDate, date: NaiveDate, context: &ProcedureContext) {
        let limit = calendar::Deadline { nominal: date, due: date, extended: false };
        let warn = context.policy.warn_days_before.min(days_between(on, date));
        self.push(kind, limit, warn);
    }

    fn push(&mut self, kind: DeadlineKind, limit: calendar::Deadline, warn_days_before: u32) {
        self.opens.push(OpenedDeadline {
            kind,
            label: kind.label().to_string(),
            legal_basis: kind.legal_basis().to_string(),
            side: kind.side(),
            nominal: limit.nominal,
            due: limit.due,
            extended: limit.extended,
            warn_days_before,
            warn_on: limit.due - Duration::days(i64::from(warn_days_before)),
        });
    }

    fn close(&mut self, kinds: &[DeadlineKind]) {
        for kind in kinds {
            push_unique(&mut self.closes, *kind);
        }
    }

    fn note(&mut self, text: &str) {
        self.notes.push(text.to_string());
    }
}

fn days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days().max(0)).unwrap_or(u32::MAX)
}

const ENFORCEMENT_KINDS: [ProcedureKind; 4] = [
    ProcedureKind::EnforcementBank,
    ProcedureKind::EnforcementWage,
    ProcedureKind::EnforcementGoods,
    ProcedureKind::EnforcementProperty,
];

pub(super) fn effects(
    kind: ProcedureKind,
    state: Option<State>,
    step: Step,
    on: NaiveDate,
    context: &ProcedureContext,
) -> Effects {
    use DocumentKind as Doc;
    use ProcedureKind as K;
    let input = &context.input;
    let policy = &context.policy;
    let mut fx = Effects::default();
    match (kind, step) {
        // --- Amicable phase ---
        (K::Amicable, T::SendFormalNotice) => {
            fx.documents.push(Doc::FormalNotice);
            fx.limit(D::CurePeriod, on, 0, input.cure_days.unwrap_or(policy.cure_period_days), context);
            fx.note(
                "La mise en demeure doit indiquer le délai laissé pour régulariser ; elle fait courir les intérêts \
                 au taux légal (C. civ. 1344-1, 1231-6) mais n'interrompt pas la prescription.",
            );
        }
        (K::Amicable, T::RecordAnswer) | (K::Amicable, T::RecordNoAnswer) => fx.close(&[D::CurePeriod]),
        (K::Amicable, T::RecordPromise) => {
            fx.close(&[D::CurePeriod]);
            let date =
                input.scheduled_on.unwrap_or_else(|| on + Duration::days(i64::from(policy.promise_follow_up_days)));
            fx.fixed(D::PromisedPayment, on, date, context);
        }
        (K::Amicable, T::AgreePlan) => {
            fx.close(&[D::CurePeriod, D::PromisedPayment]);
            fx.documents.push(Doc::PaymentPlanAgreement);
            fx.note(
                "L'échéancier doit rester dans la délégation de son auteur (matrice de délégation) ; au-delà, \
                 il part en validation. Deux ans au plus par analogie avec les délais de grâce (C. civ. 1343-5).",
            );
        }
        (K::Amicable, T::RecordDefault) => fx.close(&[D::PromisedPayment]),
        (K::Amicable, T::RecordSettlement) | (K::GuarantorCall, T::RecordSettlement) => {
            fx.documents.push(Doc::SettlementConfirmation);
        }
        (K::Amicable, T::Escalate) => {
            fx.follow_up = vec![K::PaymentOrder, K::Agency, K::GuarantorCall];
        }

        // --- Payment order ---
        (K::PaymentOrder, T::PrepareRequest) => {
            fx.documents.push(Doc::PaymentOrderRequest);
            fx.note(
                "La requête indique le montant, son décompte et son fondement, avec les pièces (CPC 1407) : \
                 Cerfa 12948 (tribunal judiciaire) ou 16040 (juge des contentieux de la protection, crédit à la \
                 consommation).",
            );
            if context.over_indebtedness_admissible {
                fx.note(
                    "Dossier de surendettement recevable : le titre peut être obtenu, mais aucune mesure \
                     d'exécution ne pourra être engagée tant que dure la suspension (C. consom. L722-2).",
                );
            }
        }
        (K::PaymentOrder, T::RecordOrderGranted) | (K::PaymentOrder, T::RecordOrderPartlyGranted) => {
            // Six months from the order's date to serve it (CPC 1411); the officer is warned some
            // months ahead so that the bailiff has time.
            let limit = calendar::deadline(on, 6, 0, context.region);
            let warn_from = limit
                .due
                .checked_sub_months(Months::new(policy.payment_order_service_warning_months))
                .unwrap_or(on)
                .max(on);
            fx.push(D::OrderServiceLapse, limit, days_between(warn_from, limit.due));
            fx.documents.push(Doc::PaymentOrderServiceInstruction);
            fx.note("Depuis le 1er mars 2022, l'ordonnance est revêtue de la formule exécutoire dès qu'elle est rendue (CPC 1410).");
            if step == T::RecordOrderPartlyGranted {
                fx.note(
                    "Ordonnance partielle : aucun recours ; la signifier, c'est renoncer à réclamer le surplus par \
                     cette voie ; sinon agir selon les voies de droit commun (CPC 1409).",
                );
            }
        }
        (K::PaymentOrder, T::RecordOrderRefused) => {
            fx.note("Aucun recours contre le rejet de la requête : agir selon les voies de droit commun (CPC 1409).");
        }
        (K::PaymentOrder, T::ServeOrder) => {
            fx.close(&[D::OrderServiceLapse]);
            if input.served_to_person == Some(false) {
                fx.note(
                    "Signification non faite à personne : le délai d'opposition ne court qu'à compter du premier \
                     acte signifié à personne ou de la première mesure d'exécution rendant les biens indisponibles \
                     (CPC 1416 al. 2) ; ouvrir le délai à cette date.",
                );
            } else {
                // One month from service to lodge an opposition (CPC 1416), extended by CPC 642.
                fx.limit(D::Opposition, on, 1, 0, context);
            }
        }
        (K::PaymentOrder, T::RecordLapse) => {
            fx.note("L'ordonnance non signifiée dans les six mois est non avenue (CPC 1411) : une nouvelle requête est possible.");
        }
        (K::PaymentOrder, T::RecordOpposition) => {
            if context.pending(D::Opposition).is_some_and(|due| on > due) {
                fx.note("Opposition formée après l'expiration du délai (CPC 1416) : en soulever l'irrecevabilité.");
            }
            fx.close(&[D::Opposition]);
        }
        (K::PaymentOrder, T::RecordHearingDate) => {
            if state == Some(S::HearingScheduled) {
                fx.close(&[D::OppositionHearing]);
            }
            if let Some(date) = input.scheduled_on {
                fx.fixed(D::OppositionHearing, on, date, context);
            }
        }
        (K::PaymentOrder, T::RecordJudgmentGranted) => {
            fx.enforceable_title_obtained = true;
            fx.documents.push(Doc::JudgmentServiceInstruction);
            fx.follow_up = ENFORCEMENT_KINDS.to_vec();
            fx.note(
                "Le jugement sur opposition se substitue à l'ordonnance (CPC 1420) ; il est exécutoire de droit \
                 à titre provisoire (CPC 514) une fois signifié.",
            );
        }
        (K::PaymentOrder, T::RecordJudgmentDismissed) => {
            fx.note("Demande rejetée : étudier l'appel avec l'avocat, ou proposer le passage en pertes.");
        }
        (K::PaymentOrder, T::RecordEnforceable) => {
            fx.enforceable_title_obtained = true;
            fx.documents.push(Doc::NonOppositionCertificateRequest);
            fx.follow_up = ENFORCEMENT_KINDS.to_vec();
            fx.note(
                "Sans opposition dans le délai, l'ordonnance produit tous les effets d'un jugement contradictoire \
                 (CPC 1422) : la formule exécutoire y figure déjà (CPC 1410) ; demander au greffe le certificat \
                 de non-opposition. Le titre se prescrit par dix ans (CPCE L111-4).",
            );
        }

        // --- Wage garnishment (regime of 1 July 2025) ---
        (K::EnforcementWage, T::ServeWageCommand) => {
            fx.documents.push(Doc::WageSeizureInstruction);
            // One month for the debtor to pay, agree or contest (L212-2, L212-3, R212-1-7).
            fx.limit(D::WageDebtorMonth, on, 1, 0, context);
            // The seizure report must reach the employer within three months, or the commandement lapses (L212-6).
            fx.limit(D::WageSeizureLapse, on, 3, 0, context);
            fx.note(
                "Le commissaire de justice inscrit le commandement au registre numérique des saisies des \
                 rémunérations le jour même ou le premier jour ouvrable suivant, à peine de caducité (CPCE R212-1-2).",
            );
        }
        (K::EnforcementWage, T::RecordWageAgreement) => {
            // An agreement within the three months removes the lapse (L212-6 al. 2) and suspends the seizure (L212-3).
            fx.close(&[D::WageDebtorMonth, D::WageSeizureLapse]);
            fx.documents.push(Doc::PaymentPlanAgreement);
            fx.note("Si l'accord n'est pas respecté, la saisie reprend à l'initiative de la banque (CPCE L212-3 1°).");
        }
        (K::EnforcementWage, T::ServeWageSeizure) => {
            fx.close(&[D::WageDebtorMonth, D::WageSeizureLapse, D::NewEmployer]);
            fx.documents.push(Doc::WageSeizureConfirmation);
            // The employer declares within fifteen days (L212-8; R212-1-10 and following).
            fx.limit(D::EmployerDeclaration, on, 0, 15, context);
            fx.note(
                "L'employeur verse chaque mois la fraction saisissable au commissaire de justice répartiteur \
                 (barème C. trav. R3252-2 et s.).",
            );
        }
        (K::EnforcementWage, T::RecordEmploymentEnded) => {
            fx.close(&[D::EmployerDeclaration]);
            // The seizure may be resumed with a new employer within one year (R212-1-32).
            fx.limit(D::NewEmployer, on, 12, 0, context);
        }
        (K::EnforcementWage, T::RecordLapse) => {
            fx.note("Commandement caduc faute de procès-verbal de saisie dans les trois mois (CPCE L212-6) : un nouveau commandement est nécessaire.");
        }

        // --- Bank-account seizure ---
        (K::EnforcementBank, T::ServeBankSeizure) => {
            fx.documents.push(Doc::BankSeizureInstruction);
            // Denounced to the debtor within eight days, on pain of lapse (R211-3).
            fx.limit(D::BankDenunciation, on, 0, 8, context);
            fx.note(
                "La banque tenant le compte laisse d'office au débiteur le solde bancaire insaisissable \
                 (CPCE L162-2, R162-2) ; les opérations en cours peuvent modifier le solde saisi pendant quinze \
                 jours ouvrables (CPCE L162-1).",
            );
        }
        (K::EnforcementBank, T::DenounceSeizure) => {
            fx.close(&[D::BankDenunciation]);
            // One month from the denunciation for the debtor to contest (R211-11).
            fx.limit(D::BankContest, on, 1, 0, context);
        }
        (K::EnforcementBank, T::RecordContest) => fx.close(&[D::BankContest]),
        (K::EnforcementBank, T::CertifyNoContest) | (K::EnforcementBank, T::DismissContest) => {
            fx.close(&[D::BankContest]);
            fx.documents.push(Doc::GarnisheePaymentRequest);
        }
        (K::EnforcementBank, T::RecordLapse) => {
            fx.note("Saisie caduque faute de dénonciation dans les huit jours (CPCE R211-3) : une nouvelle saisie est nécessaire.");
        }

        // --- Goods seizure ---
        (K::EnforcementGoods, T::ServeGoodsCommand) => {
            fx.documents.push(Doc::GoodsSeizureInstruction);
            // Eight days to pay (R221-1); after two years without an enforcement act, a new
            // commandement is needed (R221-5).
            fx.limit(D::GoodsCommandPeriod, on, 0, 8, context);
            fx.limit(D::GoodsCommandValidity, on, 24, 0, context);
        }
        (K::EnforcementGoods, T::SeizeGoods) => {
            fx.close(&[D::GoodsCommandPeriod, D::GoodsCommandValidity]);
            // One month for the debtor to sell the goods amicably (L221-3, R221-30).
            fx.limit(D::AmicableSaleWindow, on, 1, 0, context);
        }
        (K::EnforcementGoods, T::RecordNothingSeizable) => {
            fx.note("Aucun bien saisissable (procès-verbal de carence) : étudier les autres saisies ou le passage en pertes.");
        }
        (K::EnforcementGoods, T::RecordAmicableSale) => fx.close(&[D::AmicableSaleWindow]),
        (K::EnforcementGoods, T::ScheduleAuction) => {
            fx.close(&[D::AmicableSaleWindow]);
            if let Some(date) = input.scheduled_on {
                fx.fixed(D::Auction, on, date, context);
            }
        }
        (K::EnforcementGoods, T::RecordSale) => fx.close(&[D::Auction]),
        (K::EnforcementGoods, T::RecordLapse) => {
            fx.note("Commandement périmé : aucun acte d'exécution dans les deux ans (CPCE R221-5) ; un nouveau commandement est nécessaire.");
        }

        // --- Property seizure ---
        (K::EnforcementProperty, T::ServePropertyCommand) => {
            fx.documents.push(Doc::PropertySeizureInstruction);
            // Published at the land registry within two months of service (R321-6, R311-11).
            fx.limit(D::PropertyCommandPublication, on, 2, 0, context);
            fx.note("La saisie immobilière est conduite par un avocat ; l'indemnité de déchéance d'un prêt immobilier est plafonnée (brief §3.4).");
        }
        (K::EnforcementProperty, T::PublishCommand) => {
            fx.close(&[D::PropertyCommandPublication]);
            // Summons to the orientation hearing within two months of publication (R322-4).
            fx.limit(D::OrientationSummons, on, 2, 0, context);
            // The commandement expires five years after publication without a judgment of sale (R321-20).
            fx.limit(D::PropertyCommandExpiry, on, 60, 0, context);
        }
        (K::EnforcementProperty, T::SummonOrientation) => {
            fx.close(&[D::OrientationSummons]);
            if let Some(date) = input.scheduled_on {
                fx.fixed(D::OrientationHearing, on, date, context);
            }
        }
        (K::EnforcementProperty, T::AuthoriseAmicableSale) | (K::EnforcementProperty, T::OrderForcedSale) => {
            fx.close(&[D::OrientationHearing]);
        }
        (K::EnforcementProperty, T::RecordAmicableSale) | (K::EnforcementProperty, T::RecordSale) => {
            fx.close(&[D::PropertyCommandExpiry]);
        }
        (K::EnforcementProperty, T::RecordLapse) => {
            fx.note("Commandement caduc : publication ou assignation hors délai (CPCE R311-11) ; un nouveau commandement est nécessaire.");
        }

        // --- Collection agency ---
        (K::Agency, T::PlaceWithAgency) => {
            fx.documents.push(Doc::AgencyPlacement);
            let months = input.mandate_months.unwrap_or(policy.agency_mandate_months);
            // A contractual term: CPC 642 does not move it.
            fx.fixed(D::AgencyMandateEnd, on, calendar::add_months_clamped(on, months), context);
            fx.note(
                "L'agence agit sur mandat écrit et adresse au débiteur la lettre prévue par CPCE R124-4 ; elle ne \
                 peut réclamer au débiteur aucun frais de recouvrement (CPCE L111-8).",
            );
        }
        (K::Agency, T::ReturnUnpaid) => {
            fx.follow_up = vec![K::PaymentOrder];
            fx.note("Retour sans recouvrement : obtenir un titre, ou proposer le passage en pertes si rien n'est saisissable.");
        }
        (K::Agency, T::RecallFile) => fx.documents.push(Doc::AgencyRecall),

        // --- Over-indebtedness ---
        (K::OverIndebtedness, T::RecordFileLodged) => {
            fx.documents.push(Doc::OverIndebtednessClaimStatement);
            fx.note(
                "Le dépôt ne suspend pas à lui seul les poursuites : la suspension vient de la recevabilité \
                 (C. consom. L722-2), ou d'une décision du juge saisi par la commission (L721-4).",
            );
        }
        (K::OverIndebtedness, T::RecordAdmissible) => {
            // Appeal within fifteen days of notification (R722-1); suspension for two years at most (L722-3).
            fx.limit(D::AdmissibilityAppeal, on, 0, 15, context);
            fx.fixed(D::SuspensionEnd, on, calendar::add_months_clamped(on, 24), context);
            fx.note(
                "Recevabilité : toutes les procédures d'exécution contre les biens du débiteur sont suspendues et \
                 interdites (C. consom. L722-2) ; cesser les relances, geler les délais des saisies en cours, \
                 conserver l'inscription au FICP.",
            );
        }
        (K::OverIndebtedness, T::AppealAdmissibility) => {
            fx.close(&[D::AdmissibilityAppeal]);
            fx.documents.push(Doc::AdmissibilityAppeal);
        }
        (K::OverIndebtedness, T::UpholdAppeal) => fx.close(&[D::SuspensionEnd]),
        (K::OverIndebtedness, T::RecordConventionalPlan) => {
            fx.close(&[D::AdmissibilityAppeal, D::SuspensionEnd]);
            fx.note("Plan conventionnel : la banque ne poursuit pas tant qu'il est respecté.");
        }
        (K::OverIndebtedness, T::RecordMeasuresImposed) => {
            fx.close(&[D::AdmissibilityAppeal, D::SuspensionEnd]);
            // Thirty days to contest the imposed measures (L733-10, R733-6).
            fx.limit(D::MeasuresContest, on, 0, 30, context);
            fx.note(
                "Mesures imposées : rééchelonnement sur sept ans au plus, imputation sur le capital d'abord, taux \
                 au plus égal au taux légal (C. consom. L733-1) ; pas d'exécution pendant leur durée (L733-16).",
            );
        }
        (K::OverIndebtedness, T::ContestMeasures) => {
            fx.close(&[D::MeasuresContest]);
            fx.documents.push(Doc::MeasuresContest);
        }
        (K::OverIndebtedness, T::StartFollowUp) => fx.close(&[D::MeasuresContest]),
        (K::OverIndebtedness, T::RecordDebtsErased) => {
            fx.note("Rétablissement personnel : les dettes sont effacées (C. consom. L741-2) ; proposer le passage en pertes.");
        }

        // --- Estate ---
        (K::Estate, T::DeclareClaimToNotary) => {
            fx.documents.push(Doc::EstateClaimDeclaration);
            fx.note(
                "Cesser toute relance adressée au défunt. Les héritiers ne peuvent être sommés de prendre parti \
                 qu'après quatre mois depuis le décès (C. civ. 771).",
            );
        }
        (K::Estate, T::RecordAcceptance) => {
            fx.note("Les héritiers acceptants purement et simplement répondent des dettes (C. civ. 785) : leur réclamer le paiement.");
        }
        (K::Estate, T::RecordAcceptanceNetAssets) => {
            // Fifteen months from the national publication (C. civ. 792): a substantive time bar, met by
            // its nominal day (no CPC 642 extension relied upon).
            let date = calendar::add_months_clamped(on, 15);
            fx.fixed(D::EstateNetAssetsClaim, on, date, context);
            fx.note(
                "La date de l'étape est celle de la publication nationale de la déclaration (C. civ. 788) : \
                 déclarer la créance au domicile élu de la succession dans les quinze mois, à peine d'extinction.",
            );
        }
        (K::Estate, T::DeclareClaimNetAssets) => {
            fx.close(&[D::EstateNetAssetsClaim]);
            fx.documents.push(Doc::EstateNetAssetsClaim);
        }
        (K::Estate, T::RecordLapse) => {
            fx.note("Créance éteinte à l'égard de la succession faute de déclaration dans les quinze mois (C. civ. 792) : proposer le passage en pertes.");
        }
        (K::Estate, T::RecordRenunciation) => {
            fx.note(
                "Si tous les héritiers renoncent, la succession peut être déclarée vacante (C. civ. 809) : déclarer \
                 la créance au curateur ; sans actif, proposer le passage en pertes.",
            );
        }

        // --- Guarantor call ---
        (K::GuarantorCall, T::NotifyGuarantor) => {
            fx.documents.push(Doc::GuarantorFormalNotice);
            fx.limit(D::GuarantorAnswer, on, 0, input.cure_days.unwrap_or(policy.guarantor_answer_days), context);
            fx.note(
                "Vérifier que la caution a reçu l'information annuelle et celle de la défaillance du débiteur \
                 principal (C. civ. 2302, 2303), et que son engagement n'était pas disproportionné (C. civ. 2300).",
            );
        }
        (K::GuarantorCall, T::RecordAnswer) => fx.close(&[D::GuarantorAnswer]),
        (K::GuarantorCall, T::AgreePlan) => {
            fx.close(&[D::GuarantorAnswer]);
            fx.documents.push(Doc::PaymentPlanAgreement);
        }
        (K::GuarantorCall, T::PursueGuarantor) => {
            fx.follow_up = vec![K::PaymentOrder];
            fx.note("Poursuivre la caution en son nom propre : requête en injonction de payer contre elle.");
        }

        // Recording a result, a contest, a report or the closure opens nothing.
        _ => {}
    }
    fx
}
