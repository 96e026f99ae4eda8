//! Recovery procedures as explicit state machines (issue 4).
//!
//! Each [`ProcedureKind`] — amicable phase, payment order, the four seizures, collection agency,
//! over-indebtedness, estate, guarantor call — is a table of transitions ([`Step`] from one
//! [`State`] to another). [`apply`] checks a step against the table, the case's context and the
//! deadlines still open, and returns a [`Transition`]: the new state, the deadlines the step opens
//! (computed with [`calendar::deadline`], CPC 641 and 642, each with its article), the deadlines it
//! closes, the documents it calls for, and what the officer must know. An impossible step is refused
//! with a French message saying why and what is possible instead ([`ProcedureError`]).
//!
//! Pure: "today" is the step's date `on` (the day the act took place: the order's date, the day of
//! service, the day of publication — not the day it is keyed in), the open deadlines come in the
//! [`ProcedureContext`], and the bank's own choices (cure period, warnings, agency mandate) are the
//! [`ProcedurePolicy`], data in `crates/domain/data/procedure_policy.toml`.
//!
//! One [`State`] and one [`Step`] enumeration serve every kind: a procedure is always stored with its
//! kind, and sharing the states that mean the same thing everywhere (`closed`, `lapsed`,
//! `command_served`, `contested`…) keeps the tables short. Which states and steps belong to a kind
//! is given by its table ([`ProcedureKind::states`], [`ProcedureKind::steps`]).

use chrono::{Duration, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::{self, Region};
use crate::reference::french_date;
use crate::Money;

const POLICY_TOML: &str = include_str!("../data/procedure_policy.toml");

/// Declares an enumeration with a stable code and a French label per variant (same pattern as
/// `case.rs`; copied so that the case model keeps its macro private).
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => ($code:literal, $label:literal)),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

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

/// A coded enumeration whose variants also carry an infinitive (for "impossible de …") and the
/// reason given when the step comes too early.
macro_rules! step_enum {
    ($(#[$meta:meta])* $name:ident {
        $($variant:ident => ($code:literal, $label:literal, $action:literal, $not_yet:literal)),+ $(,)?
    }) => {
        coded_enum!($(#[$meta])* $name { $($variant => ($code, $label)),+ });

        impl $name {
            /// What the step does, as an infinitive ("signifier l'ordonnance"), for messages.
            pub fn action(self) -> &'static str {
                match self { $($name::$variant => $action),+ }
            }

            /// Why the step cannot be taken yet, when it will be possible later in the procedure.
            fn not_yet(self) -> &'static str {
                match self { $($name::$variant => $not_yet),+ }
            }
        }
    };
}

coded_enum!(
    /// A kind of procedure a case can go through.
    ProcedureKind {
        Amicable => ("amicable", "Phase amiable (mise en demeure)"),
        PaymentOrder => ("payment_order", "Injonction de payer"),
        EnforcementWage => ("enforcement_wage", "Saisie des rémunérations"),
        EnforcementBank => ("enforcement_bank", "Saisie-attribution sur compte bancaire"),
        EnforcementGoods => ("enforcement_goods", "Saisie-vente"),
        EnforcementProperty => ("enforcement_property", "Saisie immobilière"),
        Agency => ("agency", "Placement en agence de recouvrement"),
        OverIndebtedness => ("over_indebtedness", "Surendettement"),
        Estate => ("estate", "Succession"),
        GuarantorCall => ("guarantor_call", "Appel de la caution"),
    }
);

coded_enum!(
    /// Where a procedure stands. Shared by every kind; a kind's table says which states it uses.
    State {
        // Amicable phase (and, for some, guarantor call).
        NoticeSent => ("notice_sent", "Mise en demeure envoyée"),
        Answered => ("answered", "Réponse reçue"),
        PromiseToPay => ("promise_to_pay", "Promesse de paiement"),
        PlanAgreed => ("plan_agreed", "Échéancier accepté"),
        NoAnswer => ("no_answer", "Sans réponse à l'issue du délai"),
        Defaulted => ("defaulted", "Engagement non tenu"),
        Settled => ("settled", "Soldé"),
        Escalated => ("escalated", "Orienté vers une autre procédure"),
        // Payment order.
        RequestPrepared => ("request_prepared", "Requête préparée"),
        RequestFiled => ("request_filed", "Requête déposée"),
        OrderGranted => ("order_granted", "Ordonnance rendue"),
        OrderPartlyGranted => ("order_partly_granted", "Ordonnance rendue partiellement"),
        OrderRefused => ("order_refused", "Requête rejetée"),
        OrderServed => ("order_served", "Ordonnance signifiée"),
        OppositionLodged => ("opposition_lodged", "Opposition formée"),
        HearingScheduled => ("hearing_scheduled", "Audience fixée"),
        JudgmentGranted => ("judgment_granted", "Jugement de condamnation"),
        JudgmentDismissed => ("judgment_dismissed", "Demande rejetée par jugement"),
        Enforceable => ("enforceable", "Titre exécutoire"),
        // Enforcement, shared by several seizures.
        CommandServed => ("command_served", "Commandement de payer signifié"),
        Contested => ("contested", "Contestation devant le juge de l'exécution"),
        Recovering => ("recovering", "Encaissements en cours"),
        // Wage garnishment.
        WageAgreement => ("wage_agreement", "Accord constaté (procès-verbal d'accord)"),
        WageSeizureServed => ("wage_seizure_served", "Procès-verbal de saisie signifié à l'employeur"),
        EmploymentEnded => ("employment_ended", "Fin du contrat de travail"),
        // Bank-account seizure.
        BankSeizureServed => ("bank_seizure_served", "Saisie-attribution signifiée à la banque"),
        SeizureDenounced => ("seizure_denounced", "Saisie dénoncée au débiteur"),
        AwaitingPayment => ("awaiting_payment", "Paiement attendu du tiers saisi"),
        // Goods seizure.
        GoodsSeized => ("goods_seized", "Biens saisis"),
        AuctionScheduled => ("auction_scheduled", "Vente aux enchères fixée"),
        NothingToSeize => ("nothing_to_seize", "Procès-verbal de carence"),
        // Property seizure.
        CommandPublished => ("command_published", "Commandement publié au fichier immobilier"),
        OrientationSummoned => ("orientation_summoned", "Assignation à l'audience d'orientation"),
        AmicableSaleAuthorised => ("amicable_sale_authorised", "Vente amiable autorisée"),
        ForcedSaleOrdered => ("forced_sale_ordered", "Vente forcée ordonnée"),
        Sold => ("sold", "Bien vendu"),
        // Collection agency.
        Placed => ("placed", "Confié à l'agence"),
        AgencyReporting => ("agency_reporting", "Actions de l'agence en cours"),
        Recovered => ("recovered", "Recouvré par l'agence"),
        ReturnedUnpaid => ("returned_unpaid", "Restitué sans recouvrement"),
        Recalled => ("recalled", "Rappelé par la banque"),
        // Over-indebtedness.
        FileLodged => ("file_lodged", "Dossier déposé"),
        Admissible => ("admissible", "Dossier recevable (exécution suspendue)"),
        AdmissibilityAppealed => ("admissibility_appealed", "Recours contre la recevabilité"),
        Inadmissible => ("inadmissible", "Dossier irrecevable"),
        ConventionalPlan => ("conventional_plan", "Plan conventionnel de redressement"),
        MeasuresImposed => ("measures_imposed", "Mesures imposées"),
        MeasuresContested => ("measures_contested", "Mesures contestées devant le juge"),
        MeasuresFollowed => ("measures_followed", "Plan ou mesures en cours d'exécution"),
        DebtsErased => ("debts_erased", "Dettes effacées (rétablissement personnel)"),
        // Estate.
        ClaimDeclared => ("claim_declared", "Créance déclarée au notaire"),
        HeirsAccepted => ("heirs_accepted", "Succession acceptée"),
        AcceptedNetAssets => ("accepted_net_assets", "Acceptée à concurrence de l'actif net"),
        NetAssetsClaimDeclared => ("net_assets_claim_declared", "Créance déclarée (actif net)"),
        Renounced => ("renounced", "Renonciation des héritiers"),
        // Guarantor call.
        GuarantorNotified => ("guarantor_notified", "Caution mise en demeure"),
        GuarantorPursued => ("guarantor_pursued", "Caution poursuivie en son nom"),
        // Ends shared by every kind.
        Lapsed => ("lapsed", "Caduc (délai expiré)"),
        Closed => ("closed", "Clos"),
    }
);

impl State {
    /// Whether a procedure in this state bars enforcement against the debtor's assets: an
    /// over-indebtedness file declared admissible suspends and prohibits it (C. consom. L722-2) until
    /// a plan or imposed measures, for two years at most (L722-3); creditors bound by a plan or by
    /// imposed measures may not enforce while they run (L733-16). Deadlines of suspended seizures
    /// are frozen by the store while any such state holds.
    pub fn suspends_enforcement(self) -> bool {
        matches!(
            self,
            State::Admissible
                | State::AdmissibilityAppealed
                | State::ConventionalPlan
                | State::MeasuresImposed
                | State::MeasuresContested
                | State::MeasuresFollowed
        )
    }
}

step_enum!(
    /// What an officer records or does on a procedure. Shared by every kind; a kind's table says
    /// which steps it uses and from which states.
    Step {
        // Amicable phase.
        SendFormalNotice => ("send_formal_notice", "Envoyer la mise en demeure", "envoyer la mise en demeure",
            "la procédure est déjà engagée"),
        RecordAnswer => ("record_answer", "Réponse reçue", "enregistrer la réponse",
            "aucune mise en demeure n'a encore été envoyée"),
        RecordPromise => ("record_promise", "Promesse de paiement", "enregistrer une promesse de paiement",
            "aucune mise en demeure n'a encore été envoyée"),
        AgreePlan => ("agree_plan", "Échéancier accepté", "enregistrer l'échéancier accepté",
            "aucune mise en demeure n'a encore été envoyée"),
        RecordNoAnswer => ("record_no_answer", "Sans réponse à l'issue du délai", "constater l'absence de réponse",
            "aucune mise en demeure n'a encore été envoyée"),
        RecordDefault => ("record_default", "Engagement non tenu", "constater que l'engagement n'est pas tenu",
            "aucun engagement n'a encore été pris"),
        RecordSettlement => ("record_settlement", "Dette soldée", "constater le paiement intégral",
            "aucune mise en demeure n'a encore été envoyée"),
        Escalate => ("escalate", "Orienter vers une autre procédure", "orienter vers une autre procédure",
            "le débiteur n'a pas encore été mis en demeure ou le délai laissé n'a pas été constaté expiré"),
        // Payment order.
        PrepareRequest => ("prepare_request", "Préparer la requête", "préparer la requête",
            "la procédure est déjà engagée"),
        FileRequest => ("file_request", "Déposer la requête", "déposer la requête",
            "elle n'a pas encore été préparée"),
        RecordOrderGranted => ("record_order_granted", "Ordonnance rendue", "enregistrer l'ordonnance",
            "la requête n'a pas encore été déposée"),
        RecordOrderPartlyGranted => ("record_order_partly_granted", "Ordonnance rendue partiellement",
            "enregistrer l'ordonnance partielle", "la requête n'a pas encore été déposée"),
        RecordOrderRefused => ("record_order_refused", "Requête rejetée", "enregistrer le rejet de la requête",
            "la requête n'a pas encore été déposée"),
        ServeOrder => ("serve_order", "Signifier l'ordonnance", "signifier l'ordonnance",
            "elle n'a pas encore été rendue"),
        RecordOpposition => ("record_opposition", "Opposition formée", "enregistrer l'opposition",
            "l'ordonnance n'a pas encore été signifiée"),
        RecordHearingDate => ("record_hearing_date", "Audience fixée ou renvoyée", "enregistrer la date d'audience",
            "aucune opposition n'a été formée"),
        RecordJudgmentGranted => ("record_judgment_granted", "Jugement : condamnation",
            "enregistrer le jugement de condamnation", "aucune audience n'est encore fixée"),
        RecordJudgmentDismissed => ("record_judgment_dismissed", "Jugement : demande rejetée",
            "enregistrer le jugement de rejet", "aucune audience n'est encore fixée"),
        RecordEnforceable => ("record_enforceable", "Titre exécutoire acquis", "constater le titre exécutoire",
            "l'ordonnance n'a pas encore été signifiée"),
        // Shared by several kinds.
        RecordLapse => ("record_lapse", "Constater la caducité", "constater la caducité",
            "aucun délai sanctionné par la caducité n'est encore ouvert"),
        RecordContest => ("record_contest", "Contestation du débiteur", "enregistrer la contestation",
            "aucun acte contestable n'a encore été signifié"),
        DismissContest => ("dismiss_contest", "Contestation rejetée", "enregistrer le rejet de la contestation",
            "aucune contestation n'est en cours"),
        UpholdContest => ("uphold_contest", "Contestation accueillie (mainlevée)",
            "enregistrer la mainlevée ordonnée", "aucune contestation n'est en cours"),
        RecordResult => ("record_result", "Encaissement", "enregistrer un encaissement",
            "aucune mesure n'a encore pu produire de sommes"),
        Close => ("close", "Clore", "clore la procédure", "la procédure n'a pas encore atteint un état qui permet de la clore"),
        // Wage garnishment (regime of 1 July 2025).
        ServeWageCommand => ("serve_wage_command", "Commandement de payer (saisie des rémunérations)",
            "faire signifier le commandement de payer aux fins de saisie des rémunérations",
            "la procédure est déjà engagée"),
        RecordWageAgreement => ("record_wage_agreement", "Procès-verbal d'accord", "enregistrer l'accord",
            "aucun commandement n'a encore été signifié"),
        ServeWageSeizure => ("serve_wage_seizure", "Procès-verbal de saisie à l'employeur",
            "faire signifier le procès-verbal de saisie à l'employeur",
            "aucun commandement n'a encore été signifié"),
        RecordEmploymentEnded => ("record_employment_ended", "Fin du contrat de travail",
            "enregistrer la fin du contrat de travail", "la saisie n'a pas encore été signifiée à l'employeur"),
        // Bank-account seizure.
        ServeBankSeizure => ("serve_bank_seizure", "Saisie-attribution à la banque", "faire pratiquer la saisie-attribution",
            "la procédure est déjà engagée"),
        DenounceSeizure => ("denounce_seizure", "Dénonciation au débiteur", "dénoncer la saisie au débiteur",
            "la saisie n'a pas encore été pratiquée"),
        CertifyNoContest => ("certify_no_contest", "Certificat de non-contestation",
            "demander le paiement au tiers saisi", "la saisie n'a pas encore été dénoncée au débiteur"),
        // Goods seizure.
        ServeGoodsCommand => ("serve_goods_command", "Commandement de payer (saisie-vente)",
            "faire signifier le commandement de payer", "la procédure est déjà engagée"),
        SeizeGoods => ("seize_goods", "Procès-verbal de saisie-vente", "faire saisir les biens",
            "aucun commandement n'a encore été signifié"),
        RecordNothingSeizable => ("record_nothing_seizable", "Procès-verbal de carence",
            "enregistrer le procès-verbal de carence", "aucun commandement n'a encore été signifié"),
        RecordAmicableSale => ("record_amicable_sale", "Vente amiable réalisée", "enregistrer la vente amiable",
            "aucune vente amiable n'est encore possible"),
        ScheduleAuction => ("schedule_auction", "Vente aux enchères fixée", "fixer la vente aux enchères",
            "aucun bien n'a encore été saisi"),
        RecordSale => ("record_sale", "Vente forcée réalisée (adjudication)", "enregistrer la vente forcée",
            "aucune vente forcée n'est encore fixée ou ordonnée"),
        // Property seizure.
        ServePropertyCommand => ("serve_property_command", "Commandement valant saisie immobilière",
            "faire signifier le commandement valant saisie immobilière", "la procédure est déjà engagée"),
        PublishCommand => ("publish_command", "Publication au fichier immobilier", "publier le commandement",
            "le commandement n'a pas encore été signifié"),
        SummonOrientation => ("summon_orientation", "Assignation à l'audience d'orientation",
            "assigner à l'audience d'orientation", "le commandement n'a pas encore été publié"),
        AuthoriseAmicableSale => ("authorise_amicable_sale", "Jugement d'orientation : vente amiable autorisée",
            "enregistrer l'autorisation de vente amiable", "l'assignation à l'audience d'orientation n'a pas encore été délivrée"),
        OrderForcedSale => ("order_forced_sale", "Jugement : vente forcée ordonnée", "enregistrer la vente forcée ordonnée",
            "l'assignation à l'audience d'orientation n'a pas encore été délivrée"),
        // Collection agency.
        PlaceWithAgency => ("place_with_agency", "Confier à une agence", "confier le dossier à une agence",
            "la procédure est déjà engagée"),
        ReportAgencyAction => ("report_agency_action", "Compte rendu de l'agence", "enregistrer un compte rendu de l'agence",
            "le dossier n'a pas encore été confié à une agence"),
        RecordRecovered => ("record_recovered", "Recouvré en totalité", "constater le recouvrement intégral",
            "le dossier n'a pas encore été confié à une agence"),
        ReturnUnpaid => ("return_unpaid", "Retour sans recouvrement", "enregistrer le retour du dossier",
            "le dossier n'a pas encore été confié à une agence"),
        RecallFile => ("recall_file", "Rappeler le dossier", "rappeler le dossier",
            "le dossier n'a pas encore été confié à une agence"),
        // Over-indebtedness.
        RecordFileLodged => ("record_file_lodged", "Dépôt d'un dossier de surendettement", "enregistrer le dépôt du dossier",
            "la procédure est déjà engagée"),
        RecordAdmissible => ("record_admissible", "Dossier déclaré recevable", "enregistrer la recevabilité",
            "aucun dossier n'a encore été déposé"),
        RecordInadmissible => ("record_inadmissible", "Dossier déclaré irrecevable", "enregistrer l'irrecevabilité",
            "aucun dossier n'a encore été déposé"),
        AppealAdmissibility => ("appeal_admissibility", "Recours contre la recevabilité",
            "former un recours contre la recevabilité", "le dossier n'a pas encore été déclaré recevable"),
        DismissAppeal => ("dismiss_appeal", "Recours rejeté", "enregistrer le rejet du recours",
            "aucun recours n'est en cours"),
        UpholdAppeal => ("uphold_appeal", "Recours accueilli (irrecevable)", "enregistrer le succès du recours",
            "aucun recours n'est en cours"),
        RecordConventionalPlan => ("record_conventional_plan", "Plan conventionnel", "enregistrer le plan conventionnel",
            "le dossier n'a pas encore été déclaré recevable"),
        RecordMeasuresImposed => ("record_measures_imposed", "Mesures imposées", "enregistrer les mesures imposées",
            "le dossier n'a pas encore été déclaré recevable"),
        ContestMeasures => ("contest_measures", "Contester les mesures imposées", "contester les mesures imposées",
            "aucune mesure n'a encore été imposée"),
        RecordDebtsErased => ("record_debts_erased", "Rétablissement personnel (effacement)",
            "enregistrer l'effacement des dettes", "le dossier n'a pas encore été déclaré recevable"),
        StartFollowUp => ("start_follow_up", "Suivi du plan ou des mesures", "commencer le suivi du plan ou des mesures",
            "aucun plan ni aucune mesure n'est encore arrêté"),
        // Estate.
        DeclareClaimToNotary => ("declare_claim_to_notary", "Déclarer la créance au notaire",
            "déclarer la créance au notaire", "la procédure est déjà engagée"),
        RecordAcceptance => ("record_acceptance", "Succession acceptée", "enregistrer l'acceptation",
            "la créance n'a pas encore été déclarée au notaire"),
        RecordAcceptanceNetAssets => ("record_acceptance_net_assets", "Acceptation à concurrence de l'actif net (publiée)",
            "enregistrer l'acceptation à concurrence de l'actif net", "la créance n'a pas encore été déclarée au notaire"),
        DeclareClaimNetAssets => ("declare_claim_net_assets", "Déclarer la créance (actif net)",
            "déclarer la créance à la succession acceptée à concurrence de l'actif net",
            "aucune acceptation à concurrence de l'actif net n'a été publiée"),
        RecordRenunciation => ("record_renunciation", "Renonciation des héritiers", "enregistrer la renonciation",
            "la créance n'a pas encore été déclarée au notaire"),
        // Guarantor call.
        NotifyGuarantor => ("notify_guarantor", "Mettre la caution en demeure", "mettre la caution en demeure",
            "la procédure est déjà engagée"),
        PursueGuarantor => ("pursue_guarantor", "Poursuivre la caution en son nom", "poursuivre la caution",
            "la caution n'a pas encore été mise en demeure"),
    }
);

impl Step {
    /// An act of enforcement against the debtor's assets: refused while an over-indebtedness file is
    /// admissible (C. consom. L722-2). Recording what already happened (a result, a contest, a
    /// lapse, the closure) stays possible.
    pub fn is_enforcement_act(self) -> bool {
        matches!(
            self,
            Step::ServeWageCommand
                | Step::ServeWageSeizure
                | Step::ServeBankSeizure
                | Step::DenounceSeizure
                | Step::CertifyNoContest
                | Step::ServeGoodsCommand
                | Step::SeizeGoods
                | Step::ScheduleAuction
                | Step::ServePropertyCommand
                | Step::PublishCommand
                | Step::SummonOrientation
        )
    }

    /// A letter, an agreement or an act that reaches the debtor: for a protected adult it goes to
    /// (or is countersigned by) the guardian (brief §3.8). Under curatorship every service made to
    /// the person is also made to the curator, on pain of nullity (C. civ. 467 al. 3); under
    /// guardianship the guardian represents the person (C. civ. 475).
    fn reaches_debtor(self) -> bool {
        matches!(
            self,
            Step::SendFormalNotice
                | Step::RecordPromise
                | Step::AgreePlan
                | Step::RecordSettlement
                | Step::PrepareRequest
                | Step::ServeOrder
                | Step::ServeWageCommand
                | Step::RecordWageAgreement
                | Step::DenounceSeizure
                | Step::ServeGoodsCommand
                | Step::ServePropertyCommand
                | Step::SummonOrientation
                | Step::NotifyGuarantor
        )
    }
}

coded_enum!(
    /// A time limit a step opens, with its article ([`DeadlineKind::legal_basis`]).
    DeadlineKind {
        CurePeriod => ("cure_period", "Délai de régularisation de la mise en demeure"),
        PromisedPayment => ("promised_payment", "Date du paiement promis"),
        OrderServiceLapse => ("order_service_lapse", "Signification de l'ordonnance avant caducité"),
        Opposition => ("opposition", "Délai d'opposition"),
        OppositionHearing => ("opposition_hearing", "Audience sur opposition"),
        WageDebtorMonth => ("wage_debtor_month", "Mois laissé au débiteur (payer, s'accorder, contester)"),
        WageSeizureLapse => ("wage_seizure_lapse", "Procès-verbal de saisie à signifier à l'employeur avant caducité du commandement"),
        EmployerDeclaration => ("employer_declaration", "Déclaration de l'employeur (tiers saisi)"),
        NewEmployer => ("new_employer", "Reprise de la saisie chez un nouvel employeur"),
        BankDenunciation => ("bank_denunciation", "Dénonciation de la saisie au débiteur"),
        BankContest => ("bank_contest", "Délai de contestation de la saisie-attribution"),
        GoodsCommandPeriod => ("goods_command_period", "Délai de huit jours du commandement"),
        GoodsCommandValidity => ("goods_command_validity", "Saisie à pratiquer avant péremption du commandement"),
        AmicableSaleWindow => ("amicable_sale_window", "Délai de vente amiable"),
        Auction => ("auction", "Vente aux enchères"),
        PropertyCommandPublication => ("property_command_publication", "Publication du commandement au fichier immobilier"),
        OrientationSummons => ("orientation_summons", "Assignation à l'audience d'orientation"),
        OrientationHearing => ("orientation_hearing", "Audience d'orientation"),
        PropertyCommandExpiry => ("property_command_expiry", "Péremption du commandement valant saisie"),
        AgencyMandateEnd => ("agency_mandate_end", "Fin du mandat de l'agence"),
        AdmissibilityAppeal => ("admissibility_appeal", "Délai de recours contre la recevabilité"),
        SuspensionEnd => ("suspension_end", "Fin maximale de la suspension des poursuites"),
        MeasuresContest => ("measures_contest", "Délai de contestation des mesures imposées"),
        EstateNetAssetsClaim => ("estate_net_assets_claim", "Déclaration de créance à la succession (actif net), à peine d'extinction"),
        GuarantorAnswer => ("guarantor_answer", "Délai laissé à la caution"),
    }
);

coded_enum!(
    /// What the bank must do about a deadline.
    LimitSide {
        /// The act must be done by the due day (else lapse, extinction, loss of a right).
        ActBefore => ("act_before", "À accomplir au plus tard le"),
        /// Nothing may be done before the day after the due day (the debtor's or a third party's time).
        WaitUntil => ("wait_until", "Attendre l'expiration le"),
        /// A date fixed by a court, a bailiff, the debtor or the law, to follow.
        Appointment => ("appointment", "Date fixée"),
    }
);

impl DeadlineKind {
    /// The article the limit comes from.
    pub fn legal_basis(self) -> &'static str {
        match self {
            DeadlineKind::CurePeriod => "C. civ. 1344 ; délai du contrat ou de la politique de la banque",
            DeadlineKind::PromisedPayment => "Engagement du débiteur",
            DeadlineKind::OrderServiceLapse => "CPC 1411",
            DeadlineKind::Opposition => "CPC 1416, 1422",
            DeadlineKind::OppositionHearing => "CPC 1418",
            DeadlineKind::WageDebtorMonth => "CPCE L212-2, L212-3",
            DeadlineKind::WageSeizureLapse => "CPCE L212-6",
            DeadlineKind::EmployerDeclaration => "CPCE L212-8 ; R212-1-10 et s. (décret 2025-125)",
            DeadlineKind::NewEmployer => "CPCE R212-1-32",
            DeadlineKind::BankDenunciation => "CPCE R211-3",
            DeadlineKind::BankContest => "CPCE R211-11",
            DeadlineKind::GoodsCommandPeriod => "CPCE R221-1",
            DeadlineKind::GoodsCommandValidity => "CPCE R221-5",
            DeadlineKind::AmicableSaleWindow => "CPCE L221-3, R221-30",
            DeadlineKind::Auction => "CPCE L221-3",
            DeadlineKind::PropertyCommandPublication => "CPCE R321-6, R311-11",
            DeadlineKind::OrientationSummons => "CPCE R322-4, R311-11",
            DeadlineKind::OrientationHearing => "CPCE R322-15",
            DeadlineKind::PropertyCommandExpiry => "CPCE R321-20",
            DeadlineKind::AgencyMandateEnd => "Mandat de recouvrement (CPCE R124-3)",
            DeadlineKind::AdmissibilityAppeal => "C. consom. R722-1",
            DeadlineKind::SuspensionEnd => "C. consom. L722-3",
            DeadlineKind::MeasuresContest => "C. consom. L733-10, R733-6",
            DeadlineKind::EstateNetAssetsClaim => "C. civ. 792",
            DeadlineKind::GuarantorAnswer => "C. civ. 2288 et s. ; délai de la politique de la banque",
        }
    }

    /// The procedure that opens this deadline.
    pub fn procedure(self) -> ProcedureKind {
        use DeadlineKind as D;
        match self {
            D::CurePeriod | D::PromisedPayment => ProcedureKind::Amicable,
            D::OrderServiceLapse | D::Opposition | D::OppositionHearing => ProcedureKind::PaymentOrder,
            D::WageDebtorMonth | D::WageSeizureLapse | D::EmployerDeclaration | D::NewEmployer => {
                ProcedureKind::EnforcementWage
            }
            D::BankDenunciation | D::BankContest => ProcedureKind::EnforcementBank,
            D::GoodsCommandPeriod | D::GoodsCommandValidity | D::AmicableSaleWindow | D::Auction => {
                ProcedureKind::EnforcementGoods
            }
            D::PropertyCommandPublication
            | D::OrientationSummons
            | D::OrientationHearing
            | D::PropertyCommandExpiry => ProcedureKind::EnforcementProperty,
            D::AgencyMandateEnd => ProcedureKind::Agency,
            D::AdmissibilityAppeal | D::SuspensionEnd | D::MeasuresContest => ProcedureKind::OverIndebtedness,
            D::EstateNetAssetsClaim => ProcedureKind::Estate,
            D::GuarantorAnswer => ProcedureKind::GuarantorCall,
        }
    }

    /// Whether the bank must act by the due day, wait for it, or follow a fixed date.
    pub fn side(self) -> LimitSide {
        use DeadlineKind as D;
        match self {
            D::CurePeriod
            | D::Opposition
            | D::WageDebtorMonth
            | D::EmployerDeclaration
            | D::BankContest
            | D::GoodsCommandPeriod
            | D::AmicableSaleWindow
            | D::GuarantorAnswer => LimitSide::WaitUntil,
            D::OrderServiceLapse
            | D::WageSeizureLapse
            | D::NewEmployer
            | D::BankDenunciation
            | D::GoodsCommandValidity
            | D::PropertyCommandPublication
            | D::OrientationSummons
            | D::PropertyCommandExpiry
            | D::AgencyMandateEnd
            | D::AdmissibilityAppeal
            | D::MeasuresContest
            | D::EstateNetAssetsClaim => LimitSide::ActBefore,
            D::PromisedPayment | D::OppositionHearing | D::Auction | D::OrientationHearing | D::SuspensionEnd => {
                LimitSide::Appointment
            }
        }
    }
}

coded_enum!(
    /// A document a step calls for. Only named here: the documents issue generates them.
    DocumentKind {
        FormalNotice => ("formal_notice", "Mise en demeure (lettre recommandée avec accusé de réception)"),
        PaymentPlanAgreement => ("payment_plan_agreement", "Accord d'échéancier à signer"),
        SettlementConfirmation => ("settlement_confirmation", "Lettre de confirmation du solde"),
        PaymentOrderRequest => ("payment_order_request", "Requête en injonction de payer"),
        PaymentOrderServiceInstruction => ("payment_order_service_instruction", "Instruction au commissaire de justice : signification de l'ordonnance"),
        NonOppositionCertificateRequest => ("non_opposition_certificate_request", "Demande au greffe du certificat de non-opposition"),
        JudgmentServiceInstruction => ("judgment_service_instruction", "Instruction au commissaire de justice : signification du jugement"),
        WageSeizureInstruction => ("wage_seizure_instruction", "Instruction au commissaire de justice : commandement aux fins de saisie des rémunérations"),
        WageSeizureConfirmation => ("wage_seizure_confirmation", "Confirmation de la poursuite de la saisie des rémunérations"),
        BankSeizureInstruction => ("bank_seizure_instruction", "Instruction au commissaire de justice : saisie-attribution"),
        GarnisheePaymentRequest => ("garnishee_payment_request", "Demande de paiement au tiers saisi (certificat de non-contestation)"),
        GoodsSeizureInstruction => ("goods_seizure_instruction", "Instruction au commissaire de justice : commandement et saisie-vente"),
        PropertySeizureInstruction => ("property_seizure_instruction", "Instruction à l'avocat : saisie immobilière"),
        AgencyPlacement => ("agency_placement", "Bordereau de placement (mandat de recouvrement)"),
        AgencyRecall => ("agency_recall", "Lettre de rappel du dossier à l'agence"),
        OverIndebtednessClaimStatement => ("over_indebtedness_claim_statement", "Déclaration des créances à la commission de surendettement"),
        AdmissibilityAppeal => ("admissibility_appeal", "Recours contre la décision de recevabilité"),
        MeasuresContest => ("measures_contest", "Contestation des mesures imposées"),
        EstateClaimDeclaration => ("estate_claim_declaration", "Déclaration de créance au notaire"),
        EstateNetAssetsClaim => ("estate_net_assets_claim", "Déclaration de créance (succession acceptée à concurrence de l'actif net)"),
        GuarantorFormalNotice => ("guarantor_formal_notice", "Mise en demeure de la caution"),
    }
);

coded_enum!(
    /// Why a step was refused (machine-readable; the message says it in French).
    RefusalReason {
        NotInProcedure => ("not_in_procedure", "Étape ou état étranger à cette procédure"),
        NotStarted => ("not_started", "Procédure non engagée"),
        AlreadyStarted => ("already_started", "Procédure déjà engagée"),
        Finished => ("finished", "Procédure terminée"),
        NotYet => ("not_yet", "Étape prématurée"),
        NoLonger => ("no_longer", "Étape dépassée"),
        NoEnforceableTitle => ("no_enforceable_title", "Pas de titre exécutoire"),
        EnforcementSuspended => ("enforcement_suspended", "Exécution suspendue (surendettement)"),
        DeadlineRunning => ("deadline_running", "Délai en cours"),
        DeadlineExpired => ("deadline_expired", "Délai expiré"),
        MissingInput => ("missing_input", "Information manquante"),
        InvalidInput => ("invalid_input", "Information invalide"),
    }
);

// --- The bank's policy (data) ---

/// The bank's choices where the law sets no figure (`crates/domain/data/procedure_policy.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// A typo in an administrator's entry must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct ProcedurePolicy {
    /// Version, recalled in every transition.
    pub version: String,
    /// Where the values come from.
    pub source: String,
    /// Cure period of a formal notice when the contract sets none, in days (brief §3.5).
    pub cure_period_days: u32,
    /// Time left to a guarantor after their formal notice, in days.
    pub guarantor_answer_days: u32,
    /// Follow-up of a promise to pay without a date, in days.
    pub promise_follow_up_days: u32,
    /// Warning before a deadline's due day, in days (capped at the deadline's length).
    pub warn_days_before: u32,
    /// Warning before the six-month lapse of a payment order (CPC 1411), in months.
    pub payment_order_service_warning_months: u32,
    /// Collection agency mandate when the placement sets none, in months.
    pub agency_mandate_months: u32,
    /// A payment-plan instalment unpaid this many days after its due day is missed: a reminder
    /// goes to the agenda.
    pub plan_reminder_after_days: u32,
    /// After this many missed instalments the plan lapses and the case returns to the strategy
    /// engine.
    pub plan_lapse_after_missed: u32,
    /// The nightly run warns the officer this many days before a case's foreclosure
    /// (C. consom. R312-35) and limitation dates, once per threshold (largest first); a case
    /// found inside several thresholds at once is warned once, at the tightest.
    #[serde(default = "default_time_bar_warning_days")]
    pub time_bar_warning_days: Vec<u32>,
}

/// Thresholds of the nightly foreclosure and limitation warnings when a policy names none.
pub fn default_time_bar_warning_days() -> Vec<u32> {
    vec![90, 30]
}

/// A policy refused: unreadable, or a field out of bounds (the message names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("politique des procédures illisible : {0}")]
    Parse(String),
    #[error("politique des procédures refusée, champ « {field} » : {reason}")]
    Invalid { field: String, reason: String },
}

impl ProcedurePolicy {
    /// The defaults embedded in the binary (`crates/domain/data/procedure_policy.toml`).
    ///
    /// Panics only if the embedded file is malformed, which the tests of this module rule out.
    pub fn embedded() -> ProcedurePolicy {
        ProcedurePolicy::from_toml(POLICY_TOML).expect("embedded procedure policy is valid")
    }

    /// Parses and validates a policy written in TOML (the layout of `data/procedure_policy.toml`).
    pub fn from_toml(text: &str) -> Result<ProcedurePolicy, PolicyError> {
        let policy: ProcedurePolicy = toml::from_str(text).map_err(|error| PolicyError::Parse(error.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks the bounds of every field.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let invalid = |field: &str, reason: String| PolicyError::Invalid { field: field.to_string(), reason };
        if self.version.trim().is_empty() {
            return Err(invalid("version", "indiquer la version de la politique".into()));
        }
        if self.source.trim().is_empty() {
            return Err(invalid("source", "indiquer la source (procédure interne, décision)".into()));
        }
        // Shorter periods leave the debtor no reasonable time and, before an acceleration, have been
        // held too short (brief §3.5).
        for (field, value) in
            [("cure_period_days", self.cure_period_days), ("guarantor_answer_days", self.guarantor_answer_days)]
        {
            if !(8..=90).contains(&value) {
                return Err(invalid(field, format!("le délai doit être compris entre 8 et 90 jours (reçu {value})")));
            }
        }
        for (field, value, max) in [
            ("promise_follow_up_days", self.promise_follow_up_days, 90),
            ("warn_days_before", self.warn_days_before, 60),
            ("agency_mandate_months", self.agency_mandate_months, 36),
            ("plan_reminder_after_days", self.plan_reminder_after_days, 60),
            ("plan_lapse_after_missed", self.plan_lapse_after_missed, 12),
        ] {
            if !(1..=max).contains(&value) {
                return Err(invalid(field, format!("la valeur doit être comprise entre 1 et {max} (reçu {value})")));
            }
        }
        let thresholds = &self.time_bar_warning_days;
        if thresholds.is_empty() || thresholds.len() > 6 {
            return Err(invalid(
                "time_bar_warning_days",
                format!("indiquer de 1 à 6 seuils d'alerte, en jours (reçu {})", thresholds.len()),
            ));
        }
        if let Some(bad) = thresholds.iter().find(|days| !(1..=730).contains(*days)) {
            return Err(invalid(
                "time_bar_warning_days",
                format!("chaque seuil doit être compris entre 1 et 730 jours (reçu {bad})"),
            ));
        }
        if thresholds.windows(2).any(|pair| pair[0] <= pair[1]) {
            return Err(invalid(
                "time_bar_warning_days",
                "ranger les seuils du plus grand au plus petit, sans doublon (par exemple [90, 30])".into(),
            ));
        }
        // The order lapses after six months (CPC 1411): a warning must come after it is rendered.
        if !(1..=5).contains(&self.payment_order_service_warning_months) {
            return Err(invalid(
                "payment_order_service_warning_months",
                format!(
                    "l'alerte doit précéder de 1 à 5 mois la caducité des six mois (reçu {})",
                    self.payment_order_service_warning_months
                ),
            ));
        }
        Ok(())
    }
}

// --- Inputs ---

/// A deadline the procedure still has open (kept by the store), with its due day.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingDeadline {
    pub kind: DeadlineKind,
    pub due: NaiveDate,
}

/// What the officer gives with a step. Every field is optional; a step that needs one says so.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StepInput {
    /// Costs incurred by the step (court, bailiff, lawyer), echoed in the transition.
    pub costs: Option<Money>,
    /// Amount recovered (required by `record_result`; optional for sales and recoveries).
    pub amount: Option<Money>,
    /// A date the step fixes: hearing, auction, orientation hearing, promised payment.
    pub scheduled_on: Option<NaiveDate>,
    /// The contract's cure period, in days, instead of the policy's (formal notices).
    pub cure_days: Option<u32>,
    /// The agency mandate, in months, instead of the policy's.
    pub mandate_months: Option<u32>,
    /// The agency's commission, in % of sums recovered.
    pub commission_percent: Option<Decimal>,
    /// Service of the payment order: `false` when it was not made to the debtor in person.
    pub served_to_person: Option<bool>,
}

/// What [`apply`] needs to know about the case, the step and the bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureContext {
    /// Public holidays for art. 642 (the debtor's court: Alsace-Moselle or the general list).
    pub region: Region,
    /// An over-indebtedness file is admissible: enforcement is suspended (C. consom. L722-2).
    pub over_indebtedness_admissible: bool,
    /// The person the procedure targets is a protected adult (tutelle, curatelle).
    pub protected_adult: bool,
    /// The bank holds an enforceable title against the person (CPCE L111-2).
    pub enforceable_title: bool,
    /// The procedure's deadlines still open, for the checks "not before" and "not after".
    /// A deadline missing from the list is not checked.
    pub open_deadlines: Vec<PendingDeadline>,
    /// What the officer gave with the step.
    pub input: StepInput,
    /// The bank's policy in force.
    pub policy: ProcedurePolicy,
}

impl Default for ProcedureContext {
    fn default() -> ProcedureContext {
        ProcedureContext::new(Region::General)
    }
}

impl ProcedureContext {
    /// A context with no restriction, the embedded policy and no input.
    pub fn new(region: Region) -> ProcedureContext {
        ProcedureContext {
            region,
            over_indebtedness_admissible: false,
            protected_adult: false,
            enforceable_title: false,
            open_deadlines: Vec::new(),
            input: StepInput::default(),
            policy: ProcedurePolicy::embedded(),
        }
    }

    fn pending(&self, kind: DeadlineKind) -> Option<NaiveDate> {
        self.open_deadlines.iter().find(|deadline| deadline.kind == kind).map(|deadline| deadline.due)
    }
}

// --- Outputs ---

/// A deadline a step opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedDeadline {
    pub kind: DeadlineKind,
    /// French label (the kind's).
    pub label: String,
    /// Article the limit comes from.
    pub legal_basis: String,
    pub side: LimitSide,
    /// Last day by CPC 641 arithmetic alone (or the fixed date).
    pub nominal: NaiveDate,
    /// Last day after CPC 642 (next working day), or the nominal day for limits it does not extend.
    pub due: NaiveDate,
    /// The nominal day was a Saturday, Sunday or public holiday and the limit was extended.
    pub extended: bool,
    /// How many days before `due` the officer is warned.
    pub warn_days_before: u32,
    /// The day of the warning (`due - warn_days_before`).
    pub warn_on: NaiveDate,
}

/// The result of a step: the new state and everything that follows from it.
///
/// The store applies `closes` before `opens` (a hearing adjourned closes the old date and opens the
/// new one under the same code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transition {
    pub kind: ProcedureKind,
    pub from: Option<State>,
    pub step: Step,
    pub to: State,
    /// Date of the step (the act's date).
    pub on: NaiveDate,
    /// The procedure is over: no step is possible from `to`.
    pub finished: bool,
    pub opens: Vec<OpenedDeadline>,
    pub closes: Vec<DeadlineKind>,
    pub documents: Vec<DocumentKind>,
    /// The letter, act or agreement goes to (or is countersigned by) the guardian.
    pub addressed_to_guardian: bool,
    /// Costs of the step, echoed from the input.
    pub costs: Option<Money>,
    /// Amount recovered, echoed from the input.
    pub amount: Option<Money>,
    /// Agency commission, echoed from the input.
    pub commission_percent: Option<Decimal>,
    /// The step gives the bank an enforceable title (the case's flag must be set).
    pub enforceable_title_obtained: bool,
    /// The new state suspends enforcement against the debtor (C. consom. L722-2).
    pub suspends_enforcement: bool,
    /// The step ends a suspension of enforcement.
    pub lifts_suspension: bool,
    /// Procedures the step leads to (suggestions for the officer, not started here).
    pub follow_up: Vec<ProcedureKind>,
    /// What the officer must know, in French.
    pub notes: Vec<String>,
    /// Version of the policy applied.
    pub policy_version: String,
}

/// A step refused, with why and what is possible instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{message}")]
pub struct ProcedureError {
    pub kind: ProcedureKind,
    pub state: Option<State>,
    pub step: Step,
    pub reason: RefusalReason,
    /// French, for the officer: why, the current state, the possible steps.
    pub message: String,
    pub possible_steps: Vec<Step>,
}

// --- The tables ---

/// One transition of a kind's table. `from: None` starts the procedure. `after`: the step waits for
/// that deadline to expire; `before`: the step must happen by that deadline's due day.
#[derive(Copy, Clone, Debug)]
struct Edge {
    from: Option<&'static [State]>,
    step: Step,
    to: State,
    after: Option<DeadlineKind>,
    before: Option<DeadlineKind>,
}

impl Edge {
    const fn start(step: Step, to: State) -> Edge {
        Edge { from: None, step, to, after: None, before: None }
    }

    const fn new(from: &'static [State], step: Step, to: State) -> Edge {
        Edge { from: Some(from), step, to, after: None, before: None }
    }

    const fn after(mut self, deadline: DeadlineKind) -> Edge {
        self.after = Some(deadline);
        self
    }

    const fn before(mut self, deadline: DeadlineKind) -> Edge {
        self.before = Some(deadline);
        self
    }

    fn leaves(&self, state: Option<State>) -> bool {
        match (self.from, state) {
            (None, None) => true,
            (Some(from), Some(state)) => from.contains(&state),
            _ => false,
        }
    }
}

use DeadlineKind as D;
use State as S;
use Step as T;

/// Amicable phase: formal notice, then the debtor's answer, promise or plan, or silence.
const AMICABLE: &[Edge] = &[
    Edge::start(T::SendFormalNotice, S::NoticeSent),
    Edge::new(&[S::NoticeSent, S::NoAnswer], T::RecordAnswer, S::Answered),
    Edge::new(&[S::NoticeSent, S::Answered, S::NoAnswer], T::RecordPromise, S::PromiseToPay),
    Edge::new(&[S::NoticeSent, S::Answered, S::PromiseToPay, S::NoAnswer, S::Defaulted], T::AgreePlan, S::PlanAgreed),
    // Silence can only be recorded once the time the notice gave has run out (brief §3.5).
    Edge::new(&[S::NoticeSent], T::RecordNoAnswer, S::NoAnswer).after(D::CurePeriod),
    Edge::new(&[S::PromiseToPay, S::PlanAgreed], T::RecordDefault, S::Defaulted),
    Edge::new(
        &[S::NoticeSent, S::Answered, S::PromiseToPay, S::PlanAgreed, S::NoAnswer, S::Defaulted],
        T::RecordSettlement,
        S::Settled,
    ),
    Edge::new(&[S::Answered, S::NoAnswer, S::Defaulted], T::Escalate, S::Escalated),
];

/// Injonction de payer (CPC 1405 and following).
const PAYMENT_ORDER: &[Edge] = &[
    Edge::start(T::PrepareRequest, S::RequestPrepared),
    Edge::new(&[S::RequestPrepared], T::FileRequest, S::RequestFiled),
    Edge::new(&[S::RequestFiled], T::RecordOrderGranted, S::OrderGranted),
    Edge::new(&[S::RequestFiled], T::RecordOrderPartlyGranted, S::OrderPartlyGranted),
    Edge::new(&[S::RequestFiled], T::RecordOrderRefused, S::OrderRefused),
    // Served within six months of its date, or the order lapses (CPC 1411).
    Edge::new(&[S::OrderGranted, S::OrderPartlyGranted], T::ServeOrder, S::OrderServed).before(D::OrderServiceLapse),
    Edge::new(&[S::OrderGranted, S::OrderPartlyGranted], T::RecordLapse, S::Lapsed).after(D::OrderServiceLapse),
    Edge::new(&[S::OrderServed], T::RecordOpposition, S::OppositionLodged),
    // Enforceable only once the opposition month has run out without opposition (CPC 1422).
    Edge::new(&[S::OrderServed], T::RecordEnforceable, S::Enforceable).after(D::Opposition),
    Edge::new(&[S::OppositionLodged, S::HearingScheduled], T::RecordHearingDate, S::HearingScheduled),
    Edge::new(&[S::HearingScheduled], T::RecordJudgmentGranted, S::JudgmentGranted),
    Edge::new(&[S::HearingScheduled], T::RecordJudgmentDismissed, S::JudgmentDismissed),
];

/// Saisie des rémunérations, regime of 1 July 2025 (CPCE L212-1 and following, R212-1-1 and
/// following, décret 2025-125): a bailiff's commandement, one month for the debtor, then the seizure
/// report to the employer within three months of the commandement.
const ENFORCEMENT_WAGE: &[Edge] = &[
    Edge::start(T::ServeWageCommand, S::CommandServed),
    Edge::new(&[S::CommandServed], T::RecordWageAgreement, S::WageAgreement),
    Edge::new(&[S::CommandServed], T::RecordContest, S::Contested),
    Edge::new(&[S::Contested], T::DismissContest, S::CommandServed),
    Edge::new(&[S::Contested], T::UpholdContest, S::Closed),
    // Not before one month after the commandement (L212-2), not after three months (L212-6).
    Edge::new(&[S::CommandServed], T::ServeWageSeizure, S::WageSeizureServed)
        .after(D::WageDebtorMonth)
        .before(D::WageSeizureLapse),
    // The agreement not kept: the creditor resumes the seizure (L212-3 1°); no three-month lapse
    // after an agreement (L212-6 al. 2).
    Edge::new(&[S::WageAgreement], T::ServeWageSeizure, S::WageSeizureServed),
    // A new employer within one year (R212-1-32).
    Edge::new(&[S::EmploymentEnded], T::ServeWageSeizure, S::WageSeizureServed).before(D::NewEmployer),
    Edge::new(&[S::CommandServed], T::RecordLapse, S::Lapsed).after(D::WageSeizureLapse),
    Edge::new(&[S::WageAgreement], T::RecordResult, S::WageAgreement),
    Edge::new(&[S::WageSeizureServed, S::Recovering], T::RecordResult, S::Recovering),
    Edge::new(&[S::WageSeizureServed, S::Recovering], T::RecordEmploymentEnded, S::EmploymentEnded),
    Edge::new(
        &[S::CommandServed, S::WageAgreement, S::WageSeizureServed, S::Recovering, S::EmploymentEnded],
        T::Close,
        S::Closed,
    ),
];

/// Saisie-attribution on a bank account (CPCE L211-1 and following, R211-1 and following).
const ENFORCEMENT_BANK: &[Edge] = &[
    Edge::start(T::ServeBankSeizure, S::BankSeizureServed),
    // Denounced to the debtor within eight days, on pain of lapse (R211-3).
    Edge::new(&[S::BankSeizureServed], T::DenounceSeizure, S::SeizureDenounced).before(D::BankDenunciation),
    Edge::new(&[S::BankSeizureServed], T::RecordLapse, S::Lapsed).after(D::BankDenunciation),
    Edge::new(&[S::SeizureDenounced], T::RecordContest, S::Contested),
    Edge::new(&[S::Contested], T::DismissContest, S::AwaitingPayment),
    Edge::new(&[S::Contested], T::UpholdContest, S::Closed),
    // Paid once the contest month has run out without contest (R211-11).
    Edge::new(&[S::SeizureDenounced], T::CertifyNoContest, S::AwaitingPayment).after(D::BankContest),
    Edge::new(&[S::AwaitingPayment, S::Recovering], T::RecordResult, S::Recovering),
    Edge::new(&[S::BankSeizureServed, S::SeizureDenounced, S::AwaitingPayment, S::Recovering], T::Close, S::Closed),
];

/// Saisie-vente (CPCE L221-1 and following, R221-1 and following).
const ENFORCEMENT_GOODS: &[Edge] = &[
    Edge::start(T::ServeGoodsCommand, S::CommandServed),
    // Not before the eight days of the commandement (R221-1), not after two years (R221-5).
    Edge::new(&[S::CommandServed], T::SeizeGoods, S::GoodsSeized)
        .after(D::GoodsCommandPeriod)
        .before(D::GoodsCommandValidity),
    Edge::new(&[S::CommandServed], T::RecordNothingSeizable, S::NothingToSeize),
    Edge::new(&[S::CommandServed], T::RecordLapse, S::Lapsed).after(D::GoodsCommandValidity),
    Edge::new(&[S::GoodsSeized], T::RecordContest, S::Contested),
    Edge::new(&[S::Contested], T::DismissContest, S::GoodsSeized),
    Edge::new(&[S::Contested], T::UpholdContest, S::Closed),
    Edge::new(&[S::GoodsSeized], T::RecordAmicableSale, S::Sold),
    // Forced sale only after the month left for an amicable sale (L221-3).
    Edge::new(&[S::GoodsSeized], T::ScheduleAuction, S::AuctionScheduled).after(D::AmicableSaleWindow),
    Edge::new(&[S::AuctionScheduled], T::RecordSale, S::Sold),
    Edge::new(&[S::Sold, S::Recovering], T::RecordResult, S::Recovering),
    Edge::new(&[S::CommandServed, S::GoodsSeized, S::AuctionScheduled, S::Sold, S::Recovering], T::Close, S::Closed),
];

/// Saisie immobilière (CPCE L311-1 and following, R311-1 and following); a lawyer conducts it.
const ENFORCEMENT_PROPERTY: &[Edge] = &[
    Edge::start(T::ServePropertyCommand, S::CommandServed),
    // Published within two months of service (R321-6), on pain of lapse (R311-11).
    Edge::new(&[S::CommandServed], T::PublishCommand, S::CommandPublished).before(D::PropertyCommandPublication),
    Edge::new(&[S::CommandServed], T::RecordLapse, S::Lapsed).after(D::PropertyCommandPublication),
    // Summons to the orientation hearing within two months of publication (R322-4, R311-11).
    Edge::new(&[S::CommandPublished], T::SummonOrientation, S::OrientationSummoned).before(D::OrientationSummons),
    Edge::new(&[S::CommandPublished], T::RecordLapse, S::Lapsed).after(D::OrientationSummons),
    Edge::new(&[S::OrientationSummoned], T::AuthoriseAmicableSale, S::AmicableSaleAuthorised),
    Edge::new(&[S::OrientationSummoned, S::AmicableSaleAuthorised], T::OrderForcedSale, S::ForcedSaleOrdered),
    Edge::new(&[S::AmicableSaleAuthorised], T::RecordAmicableSale, S::Sold),
    Edge::new(&[S::ForcedSaleOrdered], T::RecordSale, S::Sold),
    Edge::new(&[S::Sold, S::Recovering], T::RecordResult, S::Recovering),
    Edge::new(
        &[
            S::CommandServed,
            S::CommandPublished,
            S::OrientationSummoned,
            S::AmicableSaleAuthorised,
            S::ForcedSaleOrdered,
            S::Sold,
            S::Recovering,
        ],
        T::Close,
        S::Closed,
    ),
];

/// Placement with a collection agency (amicable recovery by a third party, CPCE R124-1 and following).
const AGENCY: &[Edge] = &[
    Edge::start(T::PlaceWithAgency, S::Placed),
    Edge::new(&[S::Placed, S::AgencyReporting], T::ReportAgencyAction, S::AgencyReporting),
    Edge::new(&[S::Placed, S::AgencyReporting], T::RecordResult, S::AgencyReporting),
    Edge::new(&[S::Placed, S::AgencyReporting], T::RecordRecovered, S::Recovered),
    Edge::new(&[S::Placed, S::AgencyReporting], T::ReturnUnpaid, S::ReturnedUnpaid),
    Edge::new(&[S::Placed, S::AgencyReporting], T::RecallFile, S::Recalled),
];

/// Surendettement (C. consom. L711-1 and following).
const OVER_INDEBTEDNESS: &[Edge] = &[
    Edge::start(T::RecordFileLodged, S::FileLodged),
    Edge::new(&[S::FileLodged], T::RecordAdmissible, S::Admissible),
    Edge::new(&[S::FileLodged], T::RecordInadmissible, S::Inadmissible),
    // Appeal within fifteen days of notification (R722-1).
    Edge::new(&[S::Admissible], T::AppealAdmissibility, S::AdmissibilityAppealed).before(D::AdmissibilityAppeal),
    Edge::new(&[S::AdmissibilityAppealed], T::DismissAppeal, S::Admissible),
    Edge::new(&[S::AdmissibilityAppealed], T::UpholdAppeal, S::Inadmissible),
    Edge::new(&[S::Admissible], T::RecordConventionalPlan, S::ConventionalPlan),
    Edge::new(&[S::Admissible, S::MeasuresContested], T::RecordMeasuresImposed, S::MeasuresImposed),
    // Contest within thirty days of notification (L733-10, R733-6).
    Edge::new(&[S::MeasuresImposed], T::ContestMeasures, S::MeasuresContested).before(D::MeasuresContest),
    Edge::new(&[S::Admissible, S::MeasuresContested], T::RecordDebtsErased, S::DebtsErased),
    Edge::new(&[S::ConventionalPlan], T::StartFollowUp, S::MeasuresFollowed),
    // Imposed measures bind once the contest period has run out (L733-10).
    Edge::new(&[S::MeasuresImposed], T::StartFollowUp, S::MeasuresFollowed).after(D::MeasuresContest),
    Edge::new(&[S::MeasuresFollowed], T::RecordResult, S::MeasuresFollowed),
    Edge::new(&[S::Inadmissible, S::MeasuresFollowed], T::Close, S::Closed),
];

/// Deceased debtor: the claim goes to the estate (C. civ. 768 and following).
const ESTATE: &[Edge] = &[
    Edge::start(T::DeclareClaimToNotary, S::ClaimDeclared),
    Edge::new(&[S::ClaimDeclared], T::RecordAcceptance, S::HeirsAccepted),
    Edge::new(&[S::ClaimDeclared], T::RecordAcceptanceNetAssets, S::AcceptedNetAssets),
    // Declared within fifteen months of the national publication, else extinguished (C. civ. 792).
    Edge::new(&[S::AcceptedNetAssets], T::DeclareClaimNetAssets, S::NetAssetsClaimDeclared)
        .before(D::EstateNetAssetsClaim),
    Edge::new(&[S::AcceptedNetAssets], T::RecordLapse, S::Lapsed).after(D::EstateNetAssetsClaim),
    Edge::new(&[S::ClaimDeclared], T::RecordRenunciation, S::Renounced),
    Edge::new(&[S::HeirsAccepted, S::NetAssetsClaimDeclared, S::Recovering], T::RecordResult, S::Recovering),
    Edge::new(&[S::HeirsAccepted, S::NetAssetsClaimDeclared, S::Renounced, S::Recovering], T::Close, S::Closed),
];

/// Call on a personal guarantor (caution, C. civ. 2288 and following).
const GUARANTOR_CALL: &[Edge] = &[
    Edge::start(T::NotifyGuarantor, S::GuarantorNotified),
    Edge::new(&[S::GuarantorNotified], T::RecordAnswer, S::Answered),
    Edge::new(&[S::GuarantorNotified, S::Answered], T::AgreePlan, S::PlanAgreed),
    Edge::new(&[S::GuarantorNotified, S::Answered, S::PlanAgreed], T::RecordSettlement, S::Settled),
    Edge::new(&[S::GuarantorNotified], T::PursueGuarantor, S::GuarantorPursued).after(D::GuarantorAnswer),
    Edge::new(&[S::Answered, S::PlanAgreed], T::PursueGuarantor, S::GuarantorPursued),
    Edge::new(&[S::GuarantorNotified, S::Answered, S::PlanAgreed], T::Close, S::Closed),
];

fn edges(kind: ProcedureKind) -> &'static [Edge] {
    match kind {
        ProcedureKind::Amicable => AMICABLE,
        ProcedureKind::PaymentOrder => PAYMENT_ORDER,
        ProcedureKind::EnforcementWage => ENFORCEMENT_WAGE,
        ProcedureKind::EnforcementBank => ENFORCEMENT_BANK,
        ProcedureKind::EnforcementGoods => ENFORCEMENT_GOODS,
        ProcedureKind::EnforcementProperty => ENFORCEMENT_PROPERTY,
        ProcedureKind::Agency => AGENCY,
        ProcedureKind::OverIndebtedness => OVER_INDEBTEDNESS,
        ProcedureKind::Estate => ESTATE,
        ProcedureKind::GuarantorCall => GUARANTOR_CALL,
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

impl ProcedureKind {
    /// The four seizures: they need an enforceable title (CPCE L111-2) and stop when an
    /// over-indebtedness file is admissible (C. consom. L722-2).
    pub fn is_enforcement(self) -> bool {
        matches!(
            self,
            ProcedureKind::EnforcementWage
                | ProcedureKind::EnforcementBank
                | ProcedureKind::EnforcementGoods
                | ProcedureKind::EnforcementProperty
        )
    }

    /// The steps that start the procedure.
    pub fn initial_steps(self) -> Vec<Step> {
        edges(self).iter().filter(|edge| edge.from.is_none()).map(|edge| edge.step).collect()
    }

    /// Every step the procedure uses, in table order.
    pub fn steps(self) -> Vec<Step> {
        let mut steps = Vec::new();
        for edge in edges(self) {
            push_unique(&mut steps, edge.step);
        }
        steps
    }

    /// Every state the procedure can be in, in table order.
    pub fn states(self) -> Vec<State> {
        let mut states = Vec::new();
        for edge in edges(self) {
            for state in edge.from.unwrap_or_default() {
                push_unique(&mut states, *state);
            }
            push_unique(&mut states, edge.to);
        }
        states
    }

    /// The deadlines the procedure can open.
    pub fn deadline_kinds(self) -> Vec<DeadlineKind> {
        DeadlineKind::ALL.iter().copied().filter(|deadline| deadline.procedure() == self).collect()
    }
}

/// Whether no step is possible from `state` in a procedure of this kind (the procedure is over).
pub fn is_final(kind: ProcedureKind, state: State) -> bool {
    !edges(kind).iter().any(|edge| edge.leaves(Some(state)))
}

/// The steps the table allows from `state` (`None`: not started), in table order, without those the
/// context forbids: enforcement acts while an over-indebtedness file is admissible (C. consom.
/// L722-2) and starting a seizure without an enforceable title (CPCE L111-2). Deadlines are not
/// checked here (no date): [`apply`] checks them.
pub fn possible_steps(kind: ProcedureKind, state: Option<State>, context: &ProcedureContext) -> Vec<Step> {
    let mut steps = Vec::new();
    for edge in edges(kind).iter().filter(|edge| edge.leaves(state)) {
        if kind.is_enforcement() {
            if context.over_indebtedness_admissible && edge.step.is_enforcement_act() {
                continue;
            }
            if state.is_none() && !context.enforceable_title {
                continue;
            }
        }
        push_unique(&mut steps, edge.step);
    }
    steps
}

/// The states reachable from `state` by the table (itself included), ignoring every guard.
fn reachable(kind: ProcedureKind, state: Option<State>) -> Vec<Option<State>> {
    let mut seen = vec![state];
    let mut index = 0;
    while index < seen.len() {
        let current = seen[index];
        for edge in edges(kind).iter().filter(|edge| edge.leaves(current)) {
            push_unique(&mut seen, Some(edge.to));
        }
        index += 1;
    }
    seen
}

// --- Applying a step ---

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "de" or "d'" before an infinitive (French elision).
fn de(action: &str) -> String {
    let elides = action.chars().next().is_some_and(|c| "aeiouyéèêàâîôûh".contains(c));
    if elides {
        format!("d'{action}")
    } else {
        format!("de {action}")
    }
}

fn state_text(state: Option<State>) -> String {
    match state {
        Some(state) => lower_first(state.label()),
        None => "procédure non engagée".to_string(),
    }
}

fn refuse(
    kind: ProcedureKind,
    state: Option<State>,
    step: Step,
    context: &ProcedureContext,
    reason: RefusalReason,
    why: &str,
) -> ProcedureError {
    let possible_steps = possible_steps(kind, state, context);
    let next = if possible_steps.is_empty() {
        "Aucune étape possible".to_string()
    } else {
        let labels: Vec<String> = possible_steps.iter().map(|step| lower_first(step.label())).collect();
        format!("Étapes possibles : {}", labels.join(", "))
    };
    let message = format!("impossible {} : {why} (état : {}). {next}", de(step.action()), state_text(state));
    ProcedureError { kind, state, step, reason, message, possible_steps }
}

/// Applies `step` to a procedure of `kind` in `current_state` (`None`: not started yet) on `on`,
/// the day the act took place.
///
/// Refused, with a French message saying why and what is possible: a step of another procedure; a
/// step the table does not allow from the current state; an enforcement act while an
/// over-indebtedness file is admissible (C. consom. L722-2, L722-3); a seizure started without an
/// enforceable title (CPCE L111-2); a step that must wait for an open deadline to run out (the
/// opposition month, CPC 1416 and 1422) or that comes after its deadline (the six months to serve
/// an order, CPC 1411); a step without the information it needs (a hearing date, an amount).
pub fn apply(
    kind: ProcedureKind,
    current_state: Option<State>,
    step: Step,
    on: NaiveDate,
    context: &ProcedureContext,
) -> Result<Transition, ProcedureError> {
    let state = current_state;
    let refuse_with = |reason: RefusalReason, why: &str| refuse(kind, state, step, context, reason, why);

    if !kind.steps().contains(&step) {
        let why = format!("cette étape n'appartient pas à la procédure « {} »", lower_first(kind.label()));
        return Err(refuse_with(RefusalReason::NotInProcedure, &why));
    }
    if let Some(current) = state {
        if !kind.states().contains(&current) {
            let why = format!(
                "l'état « {} » n'appartient pas à la procédure « {} »",
                lower_first(current.label()),
                lower_first(kind.label())
            );
            return Err(refuse_with(RefusalReason::NotInProcedure, &why));
        }
    }
    if kind.is_enforcement() && step.is_enforcement_act() && context.over_indebtedness_admissible {
        return Err(refuse_with(
            RefusalReason::EnforcementSuspended,
            "le dossier de surendettement du débiteur a été déclaré recevable : les procédures d'exécution \
             sont suspendues et interdites (C. consom. L722-2, L722-3)",
        ));
    }
    if kind.is_enforcement() && state.is_none() && !context.enforceable_title {
        return Err(refuse_with(
            RefusalReason::NoEnforceableTitle,
            "la banque n'a pas de titre exécutoire constatant une créance liquide et exigible (CPCE L111-2) ; \
             obtenir d'abord une ordonnance d'injonction de payer ou un jugement",
        ));
    }

    let Some(edge) = edges(kind).iter().find(|edge| edge.step == step && edge.leaves(state)) else {
        return Err(no_edge(kind, state, step, context));
    };

    if let Some(deadline) = edge.after {
        if let Some(due) = context.pending(deadline) {
            if on <= due {
                let why = format!(
                    "possible seulement après le {} ({}, {})",
                    french_date(due),
                    lower_first(deadline.label()),
                    deadline.legal_basis()
                );
                return Err(refuse_with(RefusalReason::DeadlineRunning, &why));
            }
        }
    }
    if let Some(deadline) = edge.before {
        if let Some(due) = context.pending(deadline) {
            if on > due {
                let why = format!(
                    "le délai a expiré le {} ({}, {})",
                    french_date(due),
                    lower_first(deadline.label()),
                    deadline.legal_basis()
                );
                return Err(refuse_with(RefusalReason::DeadlineExpired, &why));
            }
        }
    }

    check_input(step, on, &context.input).map_err(|(reason, why)| refuse_with(reason, &why))?;

    let effects = effects(kind, state, step, on, context);
    let to = edge.to;
    let finished = is_final(kind, to);
    let mut closes = effects.closes;
    if finished {
        // A procedure that ends leaves nothing open.
        for deadline in kind.deadline_kinds() {
            push_unique(&mut closes, deadline);
        }
    }
    let mut notes = effects.notes;
    let addressed_to_guardian = context.protected_adult && step.reaches_debtor();
    if addressed_to_guardian {
        notes.push(
            "Personne protégée : adresser l'acte ou la lettre au tuteur ou au curateur, qui signe ou contresigne \
             tout accord (C. civ. 467, 475)."
                .to_string(),
        );
    }
    let was_suspending = state.is_some_and(State::suspends_enforcement);
    Ok(Transition {
        kind,
        from: state,
        step,
        to,
        on,
        finished,
        opens: effects.opens,
        closes,
        documents: effects.documents,
        addressed_to_guardian,
        costs: context.input.costs,
        amount: context.input.amount,
        commission_percent: context.input.commission_percent,
        enforceable_title_obtained: effects.enforceable_title_obtained,
        suspends_enforcement: to.suspends_enforcement(),
        lifts_suspension: was_suspending && !to.suspends_enforcement(),
        follow_up: effects.follow_up,
        notes,
        policy_version: context.policy.version.clone(),
    })
}

/// The refusal when the table has no transition for `step` from `state`: says whether the procedure
/// is not started, already started, over, or whether the step comes too early or too late.
fn no_edge(kind: ProcedureKind, state: Option<State>, step: Step, context: &ProcedureContext) -> ProcedureError {
    let refuse_with = |reason: RefusalReason, why: &str| refuse(kind, state, step, context, reason, why);
    let sources: Vec<Option<State>> = edges(kind)
        .iter()
        .filter(|edge| edge.step == step)
        .flat_map(|edge| match edge.from {
            None => vec![None],
            Some(from) => from.iter().map(|state| Some(*state)).collect(),
        })
        .collect();
    match state {
        None => refuse_with(RefusalReason::NotStarted, "la procédure n'est pas encore engagée"),
        Some(current) if is_final(kind, current) => refuse_with(RefusalReason::Finished, "la procédure est terminée"),
        Some(_) if sources.contains(&None) => {
            refuse_with(RefusalReason::AlreadyStarted, "la procédure est déjà engagée")
        }
        Some(_) => {
            if reachable(kind, state).iter().any(|later| sources.contains(later)) {
                refuse_with(RefusalReason::NotYet, step.not_yet())
            } else {
                refuse_with(RefusalReason::NoLonger, "cette étape n'est plus possible à ce stade")
            }
        }
    }
}

fn check_input(step: Step, on: NaiveDate, input: &StepInput) -> Result<(), (RefusalReason, String)> {
    let invalid = |why: String| Err((RefusalReason::InvalidInput, why));
    for (what, amount) in
        [("les frais ne peuvent être négatifs", input.costs), ("le montant ne peut être négatif", input.amount)]
    {
        if let Some(amount) = amount {
            if amount.is_negative() {
                return invalid(format!("{what} (reçu {})", amount.to_french()));
            }
        }
    }
    if let Some(date) = input.scheduled_on {
        if date < on {
            return invalid(format!(
                "la date fixée ({}) précède la date de l'étape ({})",
                french_date(date),
                french_date(on)
            ));
        }
    }
    if input.cure_days == Some(0) {
        return invalid("le délai de régularisation doit compter au moins un jour".to_string());
    }
    if input.mandate_months == Some(0) {
        return invalid("le mandat de l'agence doit durer au moins un mois".to_string());
    }
    if let Some(rate) = input.commission_percent {
        if rate < Decimal::ZERO || rate > Decimal::ONE_HUNDRED {
            return invalid(format!("la commission doit être comprise entre 0 et 100 % (reçu {rate} %)"));
        }
    }
    let missing = |why: &str| Err((RefusalReason::MissingInput, why.to_string()));
    match step {
        Step::RecordResult if input.amount.is_none() => missing("indiquer le montant encaissé"),
        Step::RecordHearingDate if input.scheduled_on.is_none() => missing("indiquer la date de l'audience"),
        Step::ScheduleAuction if input.scheduled_on.is_none() => missing("indiquer la date de la vente"),
        _ => Ok(()),
    }
}

/// What a step opens, closes and calls for.
#[derive(Default)]
struct Effects {
    opens: Vec<OpenedDeadline>,
    closes: Vec<DeadlineKind>,
    documents: Vec<DocumentKind>,
    follow_up: Vec<ProcedureKind>,
    notes: Vec<String>,
    enforceable_title_obtained: bool,
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

fn effects(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn context() -> ProcedureContext {
        ProcedureContext::new(Region::General)
    }

    fn titled() -> ProcedureContext {
        ProcedureContext { enforceable_title: true, ..context() }
    }

    fn with_input(mut context: ProcedureContext, input: StepInput) -> ProcedureContext {
        context.input = input;
        context
    }

    /// Plays steps in order, each on its date, carrying the open deadlines like the store would.
    fn walk(kind: ProcedureKind, base: &ProcedureContext, steps: &[(Step, &str, StepInput)]) -> Vec<Transition> {
        let mut state = None;
        let mut open: Vec<PendingDeadline> = Vec::new();
        let mut transitions = Vec::new();
        for (step, on, input) in steps {
            let mut context = base.clone();
            context.open_deadlines = open.clone();
            context.input = input.clone();
            let transition = apply(kind, state, *step, date(on), &context)
                .unwrap_or_else(|error| panic!("{kind} {step} on {on}: {error}"));
            open.retain(|pending| !transition.closes.contains(&pending.kind));
            open.extend(transition.opens.iter().map(|opened| PendingDeadline { kind: opened.kind, due: opened.due }));
            state = Some(transition.to);
            transitions.push(transition);
        }
        transitions
    }

    fn none() -> StepInput {
        StepInput::default()
    }

    fn amount(euros: i64) -> StepInput {
        StepInput { amount: Some(Money::euros(euros)), ..StepInput::default() }
    }

    fn scheduled(on: &str) -> StepInput {
        StepInput { scheduled_on: Some(date(on)), ..StepInput::default() }
    }

    fn states(transitions: &[Transition]) -> Vec<State> {
        transitions.iter().map(|transition| transition.to).collect()
    }

    fn opened(transition: &Transition, kind: DeadlineKind) -> &OpenedDeadline {
        transition.opens.iter().find(|opened| opened.kind == kind).unwrap_or_else(|| panic!("{kind} not opened"))
    }

    // --- Tables ---

    #[test]
    fn codes_round_trip_and_match_serde() {
        fn check<T: Copy + Serialize + std::fmt::Debug + PartialEq>(
            all: &[T],
            code: fn(T) -> &'static str,
            from: fn(&str) -> Option<T>,
        ) {
            for item in all {
                assert_eq!(from(code(*item)), Some(*item));
                assert_eq!(serde_json::to_value(item).unwrap(), serde_json::json!(code(*item)));
            }
        }
        check(ProcedureKind::ALL, ProcedureKind::code, ProcedureKind::from_code);
        check(State::ALL, State::code, State::from_code);
        check(Step::ALL, Step::code, Step::from_code);
        check(DeadlineKind::ALL, DeadlineKind::code, DeadlineKind::from_code);
        check(DocumentKind::ALL, DocumentKind::code, DocumentKind::from_code);
        check(RefusalReason::ALL, RefusalReason::code, RefusalReason::from_code);
        check(LimitSide::ALL, LimitSide::code, LimitSide::from_code);
        assert_eq!(Step::from_code("teleport"), None);
    }

    #[test]
    fn every_state_step_and_deadline_belongs_to_some_procedure() {
        for state in State::ALL {
            assert!(ProcedureKind::ALL.iter().any(|kind| kind.states().contains(state)), "{state}");
        }
        for step in Step::ALL {
            assert!(ProcedureKind::ALL.iter().any(|kind| kind.steps().contains(step)), "{step}");
        }
        for kind in ProcedureKind::ALL {
            assert!(!kind.initial_steps().is_empty(), "{kind}");
        }
    }

    #[test]
    fn tables_are_deterministic_and_every_state_is_reachable() {
        for kind in ProcedureKind::ALL.iter().copied() {
            for (index, edge) in edges(kind).iter().enumerate() {
                for other in &edges(kind)[index + 1..] {
                    let overlap = match (edge.from, other.from) {
                        (None, None) => true,
                        (Some(a), Some(b)) => a.iter().any(|state| b.contains(state)),
                        _ => false,
                    };
                    assert!(!(overlap && edge.step == other.step), "{kind}: {} twice from one state", edge.step);
                }
            }
            let reached = reachable(kind, None);
            for state in kind.states() {
                assert!(reached.contains(&Some(state)), "{kind}: {state} unreachable");
            }
            // Every procedure can end.
            assert!(kind.states().iter().any(|state| is_final(kind, *state)), "{kind}");
        }
    }

    #[test]
    fn every_transition_of_every_table_applies() {
        // A permissive context: title held, nothing open, every input given.
        let on = date("2026-03-02");
        let input = StepInput {
            amount: Some(Money::euros(100)),
            scheduled_on: Some(date("2026-04-15")),
            ..StepInput::default()
        };
        let context = with_input(titled(), input);
        for kind in ProcedureKind::ALL.iter().copied() {
            for edge in edges(kind) {
                let sources: Vec<Option<State>> = match edge.from {
                    None => vec![None],
                    Some(from) => from.iter().map(|state| Some(*state)).collect(),
                };
                for source in sources {
                    let transition = apply(kind, source, edge.step, on, &context)
                        .unwrap_or_else(|error| panic!("{kind} {:?} {}: {error}", source, edge.step));
                    assert_eq!(transition.to, edge.to);
                    assert_eq!(transition.finished, is_final(kind, edge.to));
                    for opened in &transition.opens {
                        assert_eq!(opened.kind.procedure(), kind, "{kind} opens {}", opened.kind);
                        assert!(opened.due >= opened.nominal && opened.nominal >= on);
                        assert!(opened.warn_on >= on && opened.warn_on <= opened.due);
                        assert!(!opened.legal_basis.is_empty());
                    }
                }
            }
        }
    }

    // --- Happy paths ---

    #[test]
    fn amicable_paths() {
        let kind = ProcedureKind::Amicable;
        let plan = walk(
            kind,
            &context(),
            &[
                (T::SendFormalNotice, "2026-03-02", none()),
                (T::RecordAnswer, "2026-03-10", none()),
                (T::RecordPromise, "2026-03-11", scheduled("2026-03-31")),
                (T::AgreePlan, "2026-04-02", none()),
                (T::RecordSettlement, "2027-04-02", none()),
            ],
        );
        assert_eq!(states(&plan), [S::NoticeSent, S::Answered, S::PromiseToPay, S::PlanAgreed, S::Settled]);
        // 15 days from Monday 2 March 2026: Tuesday 17 March (policy default).
        let cure = opened(&plan[0], D::CurePeriod);
        assert_eq!((cure.due, cure.side), (date("2026-03-17"), LimitSide::WaitUntil));
        assert_eq!(plan[0].documents, [DocumentKind::FormalNotice]);
        assert_eq!(plan[0].policy_version, "2026-04");
        assert_eq!(opened(&plan[2], D::PromisedPayment).due, date("2026-03-31"));
        assert!(plan[3].documents.contains(&DocumentKind::PaymentPlanAgreement));
        assert!(plan[4].finished);
        assert_eq!(plan[4].documents, [DocumentKind::SettlementConfirmation]);

        let silence = walk(
            kind,
            &context(),
            &[
                (T::SendFormalNotice, "2026-03-02", StepInput { cure_days: Some(30), ..none() }),
                (T::RecordNoAnswer, "2026-04-02", none()),
                (T::Escalate, "2026-04-03", none()),
            ],
        );
        assert_eq!(states(&silence), [S::NoticeSent, S::NoAnswer, S::Escalated]);
        assert_eq!(opened(&silence[0], D::CurePeriod).due, date("2026-04-01"));
        assert_eq!(
            silence[2].follow_up,
            [ProcedureKind::PaymentOrder, ProcedureKind::Agency, ProcedureKind::GuarantorCall]
        );

        let broken = walk(
            kind,
            &context(),
            &[
                (T::SendFormalNotice, "2026-03-02", none()),
                (T::RecordPromise, "2026-03-05", none()),
                (T::RecordDefault, "2026-03-21", none()),
                (T::Escalate, "2026-03-22", none()),
            ],
        );
        assert_eq!(states(&broken), [S::NoticeSent, S::PromiseToPay, S::Defaulted, S::Escalated]);
        // A promise without a date is followed up after the policy's 15 days.
        assert_eq!(opened(&broken[1], D::PromisedPayment).due, date("2026-03-20"));
    }

    #[test]
    fn silence_cannot_be_recorded_before_the_cure_period_ends() {
        let mut context = context();
        context.open_deadlines = vec![PendingDeadline { kind: D::CurePeriod, due: date("2026-03-17") }];
        let error =
            apply(ProcedureKind::Amicable, Some(S::NoticeSent), T::RecordNoAnswer, date("2026-03-17"), &context)
                .unwrap_err();
        assert_eq!(error.reason, RefusalReason::DeadlineRunning);
        assert!(error.message.contains("17/03/2026"), "{}", error.message);
        assert!(apply(ProcedureKind::Amicable, Some(S::NoticeSent), T::RecordNoAnswer, date("2026-03-18"), &context)
            .is_ok());
    }

    #[test]
    fn payment_order_without_opposition() {
        let costs = StepInput { costs: Some(Money::from_cents(3_346)), ..none() };
        let path = walk(
            ProcedureKind::PaymentOrder,
            &context(),
            &[
                (T::PrepareRequest, "2026-01-05", none()),
                (T::FileRequest, "2026-01-07", none()),
                (T::RecordOrderGranted, "2026-01-14", none()),
                (T::ServeOrder, "2026-04-30", costs.clone()),
                (T::RecordEnforceable, "2026-06-02", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [S::RequestPrepared, S::RequestFiled, S::OrderGranted, S::OrderServed, S::Enforceable]
        );
        assert_eq!(path[0].documents, [DocumentKind::PaymentOrderRequest]);
        // Six months from 14 January 2026: 14 July 2026, a public holiday → Wednesday 15 July (CPC 642).
        let lapse = opened(&path[2], D::OrderServiceLapse);
        assert_eq!((lapse.nominal, lapse.due, lapse.extended), (date("2026-07-14"), date("2026-07-15"), true));
        assert_eq!(lapse.legal_basis, "CPC 1411");
        assert_eq!(lapse.side, LimitSide::ActBefore);
        // Warned two months ahead (policy): from 15 May 2026, 61 days before.
        assert_eq!((lapse.warn_on, lapse.warn_days_before), (date("2026-05-15"), 61));
        // Service closes the lapse and opens the opposition month; the costs are echoed.
        assert!(path[3].closes.contains(&D::OrderServiceLapse));
        assert_eq!(path[3].costs, Some(Money::from_cents(3_346)));
        assert_eq!(opened(&path[3], D::Opposition).due, date("2026-06-01"));
        assert!(path[4].enforceable_title_obtained);
        assert!(path[4].finished);
        assert_eq!(path[4].documents, [DocumentKind::NonOppositionCertificateRequest]);
        assert!(path[4].follow_up.contains(&ProcedureKind::EnforcementWage));
    }

    #[test]
    fn payment_order_with_opposition_and_judgment() {
        let path = walk(
            ProcedureKind::PaymentOrder,
            &context(),
            &[
                (T::PrepareRequest, "2026-01-05", none()),
                (T::FileRequest, "2026-01-07", none()),
                (T::RecordOrderPartlyGranted, "2026-01-20", none()),
                (T::ServeOrder, "2026-02-10", none()),
                (T::RecordOpposition, "2026-02-25", none()),
                (T::RecordHearingDate, "2026-03-15", scheduled("2026-05-12")),
                (T::RecordHearingDate, "2026-05-12", scheduled("2026-06-16")),
                (T::RecordJudgmentGranted, "2026-06-16", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [
                S::RequestPrepared,
                S::RequestFiled,
                S::OrderPartlyGranted,
                S::OrderServed,
                S::OppositionLodged,
                S::HearingScheduled,
                S::HearingScheduled,
                S::JudgmentGranted
            ]
        );
        assert!(path[2].notes.iter().any(|note| note.contains("CPC 1409")));
        assert!(path[4].closes.contains(&D::Opposition));
        // An adjourned hearing closes the old date and opens the new one.
        assert_eq!(opened(&path[5], D::OppositionHearing).due, date("2026-05-12"));
        assert!(path[6].closes.contains(&D::OppositionHearing));
        assert_eq!(opened(&path[6], D::OppositionHearing).due, date("2026-06-16"));
        assert!(path[7].enforceable_title_obtained);

        let dismissed = walk(
            ProcedureKind::PaymentOrder,
            &context(),
            &[
                (T::PrepareRequest, "2026-01-05", none()),
                (T::FileRequest, "2026-01-07", none()),
                (T::RecordOrderGranted, "2026-01-20", none()),
                (T::ServeOrder, "2026-02-10", none()),
                (T::RecordOpposition, "2026-02-25", none()),
                (T::RecordHearingDate, "2026-03-15", scheduled("2026-05-12")),
                (T::RecordJudgmentDismissed, "2026-05-12", none()),
            ],
        );
        assert_eq!(dismissed.last().unwrap().to, S::JudgmentDismissed);
        assert!(!dismissed.last().unwrap().enforceable_title_obtained);

        let refused = walk(
            ProcedureKind::PaymentOrder,
            &context(),
            &[
                (T::PrepareRequest, "2026-01-05", none()),
                (T::FileRequest, "2026-01-07", none()),
                (T::RecordOrderRefused, "2026-01-20", none()),
            ],
        );
        assert!(refused[2].finished);
    }

    #[test]
    fn serving_an_order_not_yet_rendered_is_refused_with_the_reason_and_the_possible_steps() {
        let error =
            apply(ProcedureKind::PaymentOrder, Some(S::RequestFiled), T::ServeOrder, date("2026-02-01"), &context())
                .unwrap_err();
        assert_eq!(error.reason, RefusalReason::NotYet);
        assert_eq!(
            error.message,
            "impossible de signifier l'ordonnance : elle n'a pas encore été rendue (état : requête déposée). \
             Étapes possibles : ordonnance rendue, ordonnance rendue partiellement, requête rejetée"
        );
        assert_eq!(error.to_string(), error.message);
        assert_eq!(error.possible_steps, [T::RecordOrderGranted, T::RecordOrderPartlyGranted, T::RecordOrderRefused]);
    }

    #[test]
    fn other_refusals_say_why() {
        let on = date("2026-02-01");
        let refused = |kind, state, step| apply(kind, state, step, on, &titled()).unwrap_err();

        let error = refused(ProcedureKind::PaymentOrder, None, T::ServeOrder);
        assert_eq!(error.reason, RefusalReason::NotStarted);
        assert!(error.message.contains("(état : procédure non engagée). Étapes possibles : préparer la requête"));

        let error = refused(ProcedureKind::PaymentOrder, Some(S::OppositionLodged), T::ServeOrder);
        assert_eq!(error.reason, RefusalReason::NoLonger);
        assert!(error.message.starts_with("impossible de signifier l'ordonnance : cette étape n'est plus possible"));

        let error = refused(ProcedureKind::PaymentOrder, Some(S::Enforceable), T::RecordOpposition);
        assert_eq!(error.reason, RefusalReason::Finished);
        assert!(error.message.ends_with("(état : titre exécutoire). Aucune étape possible"), "{}", error.message);

        let error = refused(ProcedureKind::Amicable, Some(S::NoticeSent), T::SendFormalNotice);
        assert_eq!(error.reason, RefusalReason::AlreadyStarted);
        assert!(error.message.starts_with("impossible d'envoyer la mise en demeure : la procédure est déjà engagée"));

        let error = refused(ProcedureKind::Amicable, None, T::ServeOrder);
        assert_eq!(error.reason, RefusalReason::NotInProcedure);
        assert!(error.message.contains("n'appartient pas à la procédure « phase amiable (mise en demeure) »"));

        let error = refused(ProcedureKind::Amicable, Some(S::RequestFiled), T::RecordAnswer);
        assert_eq!(error.reason, RefusalReason::NotInProcedure);

        let error = refused(ProcedureKind::PaymentOrder, Some(S::OppositionLodged), T::RecordHearingDate);
        assert_eq!(error.reason, RefusalReason::MissingInput);
        assert!(error.message.contains("indiquer la date de l'audience"));

        let negative = with_input(titled(), StepInput { amount: Some(Money::euros(-5)), ..none() });
        let error = apply(ProcedureKind::EnforcementBank, Some(S::AwaitingPayment), T::RecordResult, on, &negative)
            .unwrap_err();
        assert_eq!(error.reason, RefusalReason::InvalidInput);
    }

    #[test]
    fn opposition_month_ending_on_a_saturday_is_extended_to_monday() {
        // Service on Thursday 30 April 2026: one month ends Saturday 30 May 2026 (CPC 641); the next
        // working day is Monday 1 June (Whit Monday is 25 May in 2026), so the limit ends then (CPC 642).
        let transition =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-04-30"), &context())
                .unwrap();
        let opposition = opened(&transition, D::Opposition);
        assert_eq!(opposition.nominal, date("2026-05-30"));
        assert_eq!(calendar::non_working_reason(opposition.nominal, Region::General).unwrap(), "samedi");
        assert_eq!((opposition.due, opposition.extended), (date("2026-06-01"), true));
        assert_eq!(opposition.legal_basis, "CPC 1416, 1422");
        assert_eq!(opposition.side, LimitSide::WaitUntil);
        // Warned a week ahead (policy), on Monday 25 May.
        assert_eq!((opposition.warn_days_before, opposition.warn_on), (7, date("2026-05-25")));

        // Service on 8 April 2026: the month ends on Friday 8 May, a public holiday → Monday 11 May.
        let transition =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-04-08"), &context())
                .unwrap();
        let opposition = opened(&transition, D::Opposition);
        assert_eq!((opposition.nominal, opposition.due), (date("2026-05-08"), date("2026-05-11")));

        // Service on 3 March 2026: the month ends on Good Friday 3 April, a holiday only in
        // Alsace-Moselle, where the limit runs to Tuesday 7 April (Easter Monday is the 6th).
        let general =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-03-03"), &context())
                .unwrap();
        assert_eq!(opened(&general, D::Opposition).due, date("2026-04-03"));
        assert!(!opened(&general, D::Opposition).extended);
        let alsace = ProcedureContext::new(Region::AlsaceMoselle);
        let local =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-03-03"), &alsace)
                .unwrap();
        assert_eq!(opened(&local, D::Opposition).due, date("2026-04-07"));
    }

    #[test]
    fn enforceability_waits_for_the_opposition_month_and_service_for_the_six_months() {
        let mut context = context();
        context.open_deadlines = vec![PendingDeadline { kind: D::Opposition, due: date("2026-06-01") }];
        let error = apply(
            ProcedureKind::PaymentOrder,
            Some(S::OrderServed),
            T::RecordEnforceable,
            date("2026-06-01"),
            &context,
        )
        .unwrap_err();
        assert_eq!(error.reason, RefusalReason::DeadlineRunning);
        assert_eq!(
            error.message,
            "impossible de constater le titre exécutoire : possible seulement après le 01/06/2026 (délai \
             d'opposition, CPC 1416, 1422) (état : ordonnance signifiée). Étapes possibles : opposition formée, \
             titre exécutoire acquis"
        );
        assert!(apply(
            ProcedureKind::PaymentOrder,
            Some(S::OrderServed),
            T::RecordEnforceable,
            date("2026-06-02"),
            &context
        )
        .is_ok());

        context.open_deadlines = vec![PendingDeadline { kind: D::OrderServiceLapse, due: date("2026-07-15") }];
        let error =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-07-16"), &context)
                .unwrap_err();
        assert_eq!(error.reason, RefusalReason::DeadlineExpired);
        assert!(
            error.message.contains("a expiré le 15/07/2026 (signification de l'ordonnance avant caducité, CPC 1411)"),
            "{}",
            error.message
        );
        assert!(error.possible_steps.contains(&T::RecordLapse));
        assert!(apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-07-15"), &context)
            .is_ok());
        // The lapse cannot be recorded while the six months run.
        assert!(apply(
            ProcedureKind::PaymentOrder,
            Some(S::OrderGranted),
            T::RecordLapse,
            date("2026-07-15"),
            &context
        )
        .is_err());
        let lapsed =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::RecordLapse, date("2026-07-16"), &context)
                .unwrap();
        assert_eq!(lapsed.to, S::Lapsed);
        assert!(lapsed.finished && lapsed.closes.contains(&D::OrderServiceLapse));
    }

    #[test]
    fn service_not_made_in_person_opens_no_opposition_month() {
        let context = with_input(context(), StepInput { served_to_person: Some(false), ..none() });
        let transition =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-04-30"), &context)
                .unwrap();
        assert!(transition.opens.is_empty());
        assert!(transition.notes.iter().any(|note| note.contains("CPC 1416 al. 2")));
    }

    #[test]
    fn wage_garnishment_under_the_2025_regime() {
        let path = walk(
            ProcedureKind::EnforcementWage,
            &titled(),
            &[
                (T::ServeWageCommand, "2026-01-12", none()),
                (T::ServeWageSeizure, "2026-02-13", none()),
                (T::RecordResult, "2026-03-31", amount(180)),
                (T::RecordEmploymentEnded, "2026-06-30", none()),
                (T::ServeWageSeizure, "2026-09-01", none()),
                (T::RecordResult, "2026-09-30", amount(150)),
                (T::Close, "2027-06-30", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [
                S::CommandServed,
                S::WageSeizureServed,
                S::Recovering,
                S::EmploymentEnded,
                S::WageSeizureServed,
                S::Recovering,
                S::Closed
            ]
        );
        // One month for the debtor (L212-2): 12 February 2026; the report to the employer within three
        // months (L212-6): 12 April 2026 is a Sunday → Monday 13 April (Easter Monday was 6 April).
        assert_eq!(opened(&path[0], D::WageDebtorMonth).due, date("2026-02-12"));
        let lapse = opened(&path[0], D::WageSeizureLapse);
        assert_eq!((lapse.nominal, lapse.due), (date("2026-04-12"), date("2026-04-13")));
        assert_eq!(lapse.legal_basis, "CPCE L212-6");
        assert!(path[1].closes.contains(&D::WageSeizureLapse));
        // Fifteen days for the employer: Saturday 28 February → Monday 2 March.
        assert_eq!(opened(&path[1], D::EmployerDeclaration).due, date("2026-03-02"));
        assert_eq!(path[2].amount, Some(Money::euros(180)));
        assert_eq!(opened(&path[3], D::NewEmployer).due, date("2027-06-30"));
        assert!(path[6].finished);

        // The seizure report is refused during the debtor's month.
        let mut early = titled();
        early.open_deadlines = vec![
            PendingDeadline { kind: D::WageDebtorMonth, due: date("2026-02-12") },
            PendingDeadline { kind: D::WageSeizureLapse, due: date("2026-04-13") },
        ];
        let error = apply(
            ProcedureKind::EnforcementWage,
            Some(S::CommandServed),
            T::ServeWageSeizure,
            date("2026-02-12"),
            &early,
        )
        .unwrap_err();
        assert_eq!(error.reason, RefusalReason::DeadlineRunning);
        assert!(error.message.contains("CPCE L212-2"));
        // And after three months the commandement has lapsed.
        let error = apply(
            ProcedureKind::EnforcementWage,
            Some(S::CommandServed),
            T::ServeWageSeizure,
            date("2026-04-14"),
            &early,
        )
        .unwrap_err();
        assert_eq!(error.reason, RefusalReason::DeadlineExpired);

        let agreement = walk(
            ProcedureKind::EnforcementWage,
            &titled(),
            &[
                (T::ServeWageCommand, "2026-01-12", none()),
                (T::RecordWageAgreement, "2026-01-30", none()),
                (T::RecordResult, "2026-02-28", amount(200)),
                // The agreement is not kept: the seizure resumes, without the three-month lapse (L212-6 al. 2).
                (T::ServeWageSeizure, "2026-06-15", none()),
            ],
        );
        assert_eq!(states(&agreement), [S::CommandServed, S::WageAgreement, S::WageAgreement, S::WageSeizureServed]);
        assert!(agreement[1].closes.contains(&D::WageSeizureLapse));

        let contested = walk(
            ProcedureKind::EnforcementWage,
            &titled(),
            &[
                (T::ServeWageCommand, "2026-01-12", none()),
                (T::RecordContest, "2026-01-20", none()),
                (T::DismissContest, "2026-03-02", none()),
                (T::ServeWageSeizure, "2026-03-05", none()),
            ],
        );
        assert_eq!(contested.last().unwrap().to, S::WageSeizureServed);
    }

    #[test]
    fn bank_account_seizure() {
        let path = walk(
            ProcedureKind::EnforcementBank,
            &titled(),
            &[
                (T::ServeBankSeizure, "2026-03-02", none()),
                (T::DenounceSeizure, "2026-03-06", none()),
                (T::CertifyNoContest, "2026-04-08", none()),
                (T::RecordResult, "2026-04-15", amount(164)),
                (T::Close, "2026-04-16", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [S::BankSeizureServed, S::SeizureDenounced, S::AwaitingPayment, S::Recovering, S::Closed]
        );
        // Eight days to denounce (R211-3): 10 March 2026; one month to contest (R211-11): 6 April 2026
        // is Easter Monday → Tuesday 7 April; the payment is requested from Wednesday 8 April.
        assert_eq!(opened(&path[0], D::BankDenunciation).due, date("2026-03-10"));
        assert!(path[0].notes.iter().any(|note| note.contains("solde bancaire insaisissable")));
        let contest = opened(&path[1], D::BankContest);
        assert_eq!((contest.nominal, contest.due), (date("2026-04-06"), date("2026-04-07")));
        assert_eq!(path[2].documents, [DocumentKind::GarnisheePaymentRequest]);

        let mut late = titled();
        late.open_deadlines = vec![PendingDeadline { kind: D::BankContest, due: date("2026-04-07") }];
        let error = apply(
            ProcedureKind::EnforcementBank,
            Some(S::SeizureDenounced),
            T::CertifyNoContest,
            date("2026-04-07"),
            &late,
        )
        .unwrap_err();
        assert_eq!(error.reason, RefusalReason::DeadlineRunning);

        let contested = walk(
            ProcedureKind::EnforcementBank,
            &titled(),
            &[
                (T::ServeBankSeizure, "2026-03-02", none()),
                (T::DenounceSeizure, "2026-03-06", none()),
                (T::RecordContest, "2026-03-20", none()),
                (T::UpholdContest, "2026-05-20", none()),
            ],
        );
        assert_eq!(contested.last().unwrap().to, S::Closed);

        let mut lapsed = titled();
        lapsed.open_deadlines = vec![PendingDeadline { kind: D::BankDenunciation, due: date("2026-03-10") }];
        let transition = apply(
            ProcedureKind::EnforcementBank,
            Some(S::BankSeizureServed),
            T::RecordLapse,
            date("2026-03-11"),
            &lapsed,
        )
        .unwrap();
        assert_eq!(transition.to, S::Lapsed);
    }

    #[test]
    fn goods_seizure() {
        let path = walk(
            ProcedureKind::EnforcementGoods,
            &titled(),
            &[
                (T::ServeGoodsCommand, "2026-03-02", none()),
                (T::SeizeGoods, "2026-03-11", none()),
                (T::ScheduleAuction, "2026-04-14", scheduled("2026-05-20")),
                (T::RecordSale, "2026-05-20", StepInput { amount: Some(Money::euros(900)), ..none() }),
                (T::RecordResult, "2026-06-10", amount(850)),
                (T::Close, "2026-06-11", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [S::CommandServed, S::GoodsSeized, S::AuctionScheduled, S::Sold, S::Recovering, S::Closed]
        );
        assert_eq!(opened(&path[0], D::GoodsCommandPeriod).due, date("2026-03-10"));
        assert_eq!(opened(&path[0], D::GoodsCommandValidity).due, date("2028-03-02"));
        assert_eq!(opened(&path[1], D::AmicableSaleWindow).due, date("2026-04-13"));
        assert_eq!(opened(&path[2], D::Auction).due, date("2026-05-20"));

        let amicable = walk(
            ProcedureKind::EnforcementGoods,
            &titled(),
            &[
                (T::ServeGoodsCommand, "2026-03-02", none()),
                (T::SeizeGoods, "2026-03-11", none()),
                (T::RecordAmicableSale, "2026-04-01", none()),
            ],
        );
        assert_eq!(amicable.last().unwrap().to, S::Sold);
        let empty = walk(
            ProcedureKind::EnforcementGoods,
            &titled(),
            &[(T::ServeGoodsCommand, "2026-03-02", none()), (T::RecordNothingSeizable, "2026-03-12", none())],
        );
        assert!(empty[1].finished);
    }

    #[test]
    fn property_seizure() {
        let path = walk(
            ProcedureKind::EnforcementProperty,
            &titled(),
            &[
                (T::ServePropertyCommand, "2026-03-02", none()),
                (T::PublishCommand, "2026-04-15", none()),
                (T::SummonOrientation, "2026-05-20", scheduled("2026-07-07")),
                (T::AuthoriseAmicableSale, "2026-07-07", none()),
                (T::OrderForcedSale, "2026-11-10", none()),
                (T::RecordSale, "2027-02-16", none()),
                (T::RecordResult, "2027-05-03", amount(96_000)),
                (T::Close, "2027-05-04", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [
                S::CommandServed,
                S::CommandPublished,
                S::OrientationSummoned,
                S::AmicableSaleAuthorised,
                S::ForcedSaleOrdered,
                S::Sold,
                S::Recovering,
                S::Closed
            ]
        );
        assert_eq!(opened(&path[0], D::PropertyCommandPublication).due, date("2026-05-04"));
        assert_eq!(opened(&path[1], D::OrientationSummons).due, date("2026-06-15"));
        assert_eq!(opened(&path[1], D::PropertyCommandExpiry).due, date("2031-04-15"));
        assert_eq!(opened(&path[2], D::OrientationHearing).due, date("2026-07-07"));

        let amicable = walk(
            ProcedureKind::EnforcementProperty,
            &titled(),
            &[
                (T::ServePropertyCommand, "2026-03-02", none()),
                (T::PublishCommand, "2026-04-15", none()),
                (T::SummonOrientation, "2026-05-20", none()),
                (T::AuthoriseAmicableSale, "2026-07-07", none()),
                (T::RecordAmicableSale, "2026-10-01", none()),
            ],
        );
        assert_eq!(amicable.last().unwrap().to, S::Sold);
        assert!(amicable.last().unwrap().closes.contains(&D::PropertyCommandExpiry));
    }

    #[test]
    fn agency_placement() {
        let placement = StepInput {
            commission_percent: Some(Decimal::new(125, 1)),
            mandate_months: Some(4),
            ..StepInput::default()
        };
        let path = walk(
            ProcedureKind::Agency,
            &context(),
            &[
                (T::PlaceWithAgency, "2026-01-31", placement),
                (T::ReportAgencyAction, "2026-02-15", none()),
                (T::RecordResult, "2026-03-10", amount(300)),
                (T::RecordRecovered, "2026-04-20", none()),
            ],
        );
        assert_eq!(states(&path), [S::Placed, S::AgencyReporting, S::AgencyReporting, S::Recovered]);
        // Mandate end: 31 January + 4 months = 31 May 2026 (a Sunday; a contractual term is not moved).
        let end = opened(&path[0], D::AgencyMandateEnd);
        assert_eq!((end.due, end.extended), (date("2026-05-31"), false));
        assert_eq!(path[0].commission_percent, Some(Decimal::new(125, 1)));
        assert!(path[3].finished && path[3].closes.contains(&D::AgencyMandateEnd));

        let default_mandate = walk(ProcedureKind::Agency, &context(), &[(T::PlaceWithAgency, "2026-01-15", none())]);
        assert_eq!(opened(&default_mandate[0], D::AgencyMandateEnd).due, date("2026-07-15"));
        for end in [T::ReturnUnpaid, T::RecallFile] {
            let transition =
                apply(ProcedureKind::Agency, Some(S::AgencyReporting), end, date("2026-07-15"), &context()).unwrap();
            assert!(transition.finished);
        }
    }

    #[test]
    fn over_indebtedness_suspends_enforcement() {
        let path = walk(
            ProcedureKind::OverIndebtedness,
            &context(),
            &[
                (T::RecordFileLodged, "2026-02-02", none()),
                (T::RecordAdmissible, "2026-03-16", none()),
                (T::RecordMeasuresImposed, "2026-09-01", none()),
                (T::StartFollowUp, "2026-10-02", none()),
                (T::RecordResult, "2026-11-05", amount(120)),
                (T::Close, "2033-10-05", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [S::FileLodged, S::Admissible, S::MeasuresImposed, S::MeasuresFollowed, S::MeasuresFollowed, S::Closed]
        );
        assert!(!path[0].suspends_enforcement);
        assert!(path[1].suspends_enforcement && path[1].to.suspends_enforcement());
        // Fifteen days to appeal (R722-1): 31 March 2026; two years of suspension at most (L722-3).
        assert_eq!(opened(&path[1], D::AdmissibilityAppeal).due, date("2026-03-31"));
        assert_eq!(opened(&path[1], D::SuspensionEnd).due, date("2028-03-16"));
        assert_eq!(opened(&path[2], D::MeasuresContest).due, date("2026-10-01"));
        assert!(path[3].suspends_enforcement);
        assert!(path[5].lifts_suspension && !path[5].suspends_enforcement);

        let appealed = walk(
            ProcedureKind::OverIndebtedness,
            &context(),
            &[
                (T::RecordFileLodged, "2026-02-02", none()),
                (T::RecordAdmissible, "2026-03-16", none()),
                (T::AppealAdmissibility, "2026-03-25", none()),
                (T::UpholdAppeal, "2026-06-10", none()),
                (T::Close, "2026-06-11", none()),
            ],
        );
        assert_eq!(appealed[3].to, S::Inadmissible);
        assert!(appealed[3].lifts_suspension);

        let plan = walk(
            ProcedureKind::OverIndebtedness,
            &context(),
            &[
                (T::RecordFileLodged, "2026-02-02", none()),
                (T::RecordAdmissible, "2026-03-16", none()),
                (T::RecordConventionalPlan, "2026-06-01", none()),
                (T::StartFollowUp, "2026-06-02", none()),
            ],
        );
        assert_eq!(plan.last().unwrap().to, S::MeasuresFollowed);
        let erased = walk(
            ProcedureKind::OverIndebtedness,
            &context(),
            &[
                (T::RecordFileLodged, "2026-02-02", none()),
                (T::RecordAdmissible, "2026-03-16", none()),
                (T::RecordDebtsErased, "2026-06-01", none()),
            ],
        );
        assert!(erased[2].finished && erased[2].lifts_suspension);
        let inadmissible = walk(
            ProcedureKind::OverIndebtedness,
            &context(),
            &[(T::RecordFileLodged, "2026-02-02", none()), (T::RecordInadmissible, "2026-03-16", none())],
        );
        assert_eq!(inadmissible[1].to, S::Inadmissible);
    }

    #[test]
    fn an_admissible_over_indebtedness_file_refuses_every_enforcement_act() {
        let suspended = ProcedureContext { over_indebtedness_admissible: true, ..titled() };
        for kind in ProcedureKind::ALL.iter().copied().filter(|kind| kind.is_enforcement()) {
            assert!(possible_steps(kind, None, &suspended).is_empty(), "{kind}");
            for step in kind.initial_steps() {
                let error = apply(kind, None, step, date("2026-04-01"), &suspended).unwrap_err();
                assert_eq!(error.reason, RefusalReason::EnforcementSuspended);
                assert!(error.message.contains("C. consom. L722-2, L722-3"), "{}", error.message);
            }
        }
        let error = apply(ProcedureKind::EnforcementWage, None, T::ServeWageCommand, date("2026-04-01"), &suspended)
            .unwrap_err();
        assert_eq!(
            error.message,
            "impossible de faire signifier le commandement de payer aux fins de saisie des rémunérations : le dossier \
             de surendettement du débiteur a été déclaré recevable : les procédures d'exécution sont suspendues et \
             interdites (C. consom. L722-2, L722-3) (état : procédure non engagée). Aucune étape possible"
        );
        // A seizure under way: its acts are refused, recording what happened and closing stay possible.
        let error = apply(
            ProcedureKind::EnforcementBank,
            Some(S::BankSeizureServed),
            T::DenounceSeizure,
            date("2026-04-01"),
            &suspended,
        )
        .unwrap_err();
        assert_eq!(error.reason, RefusalReason::EnforcementSuspended);
        assert_eq!(error.possible_steps, [T::RecordLapse, T::Close]);
        assert_eq!(
            possible_steps(ProcedureKind::EnforcementWage, Some(S::WageSeizureServed), &suspended),
            [T::RecordResult, T::RecordEmploymentEnded, T::Close]
        );
        // A payment order is not enforcement: the title can still be obtained, with a warning.
        let order =
            apply(ProcedureKind::PaymentOrder, None, T::PrepareRequest, date("2026-04-01"), &suspended).unwrap();
        assert!(order.notes.iter().any(|note| note.contains("L722-2")));
    }

    #[test]
    fn enforcement_needs_an_enforceable_title() {
        let error = apply(ProcedureKind::EnforcementBank, None, T::ServeBankSeizure, date("2026-04-01"), &context())
            .unwrap_err();
        assert_eq!(error.reason, RefusalReason::NoEnforceableTitle);
        assert!(error.message.contains("CPCE L111-2"));
        assert!(possible_steps(ProcedureKind::EnforcementBank, None, &context()).is_empty());
        assert_eq!(possible_steps(ProcedureKind::EnforcementBank, None, &titled()), [T::ServeBankSeizure]);
    }

    #[test]
    fn estate_paths() {
        let path = walk(
            ProcedureKind::Estate,
            &context(),
            &[
                (T::DeclareClaimToNotary, "2026-02-02", none()),
                (T::RecordAcceptanceNetAssets, "2026-05-29", none()),
                (T::DeclareClaimNetAssets, "2026-06-15", none()),
                (T::RecordResult, "2027-01-10", amount(640)),
                (T::Close, "2027-01-11", none()),
            ],
        );
        assert_eq!(
            states(&path),
            [S::ClaimDeclared, S::AcceptedNetAssets, S::NetAssetsClaimDeclared, S::Recovering, S::Closed]
        );
        // Fifteen months from the publication (C. civ. 792), not extended: 29 August 2027 (a Sunday).
        let claim = opened(&path[1], D::EstateNetAssetsClaim);
        assert_eq!((claim.due, claim.extended, claim.legal_basis.as_str()), (date("2027-08-29"), false, "C. civ. 792"));
        assert!(path[2].closes.contains(&D::EstateNetAssetsClaim));

        let renounced = walk(
            ProcedureKind::Estate,
            &context(),
            &[
                (T::DeclareClaimToNotary, "2026-02-02", none()),
                (T::RecordRenunciation, "2026-07-01", none()),
                (T::Close, "2026-07-02", none()),
            ],
        );
        assert!(renounced[1].notes.iter().any(|note| note.contains("C. civ. 809")));
        let accepted = walk(
            ProcedureKind::Estate,
            &context(),
            &[(T::DeclareClaimToNotary, "2026-02-02", none()), (T::RecordAcceptance, "2026-07-01", none())],
        );
        assert_eq!(accepted[1].to, S::HeirsAccepted);
    }

    #[test]
    fn guarantor_call_paths() {
        let pursued = walk(
            ProcedureKind::GuarantorCall,
            &context(),
            &[(T::NotifyGuarantor, "2026-03-02", none()), (T::PursueGuarantor, "2026-03-18", none())],
        );
        assert_eq!(states(&pursued), [S::GuarantorNotified, S::GuarantorPursued]);
        assert_eq!(opened(&pursued[0], D::GuarantorAnswer).due, date("2026-03-17"));
        assert_eq!(pursued[0].documents, [DocumentKind::GuarantorFormalNotice]);
        assert_eq!(pursued[1].follow_up, [ProcedureKind::PaymentOrder]);

        let mut early = context();
        early.open_deadlines = vec![PendingDeadline { kind: D::GuarantorAnswer, due: date("2026-03-17") }];
        assert!(apply(
            ProcedureKind::GuarantorCall,
            Some(S::GuarantorNotified),
            T::PursueGuarantor,
            date("2026-03-10"),
            &early
        )
        .is_err());

        let settled = walk(
            ProcedureKind::GuarantorCall,
            &context(),
            &[
                (T::NotifyGuarantor, "2026-03-02", none()),
                (T::RecordAnswer, "2026-03-09", none()),
                (T::AgreePlan, "2026-03-12", none()),
                (T::RecordSettlement, "2027-03-12", none()),
            ],
        );
        assert_eq!(states(&settled), [S::GuarantorNotified, S::Answered, S::PlanAgreed, S::Settled]);
    }

    #[test]
    fn letters_to_a_protected_adult_go_to_the_guardian() {
        let protected = ProcedureContext { protected_adult: true, ..context() };
        let notice = apply(ProcedureKind::Amicable, None, T::SendFormalNotice, date("2026-03-02"), &protected).unwrap();
        assert!(notice.addressed_to_guardian);
        assert!(notice.notes.iter().any(|note| note.contains("curateur")));
        let plan =
            apply(ProcedureKind::Amicable, Some(S::Answered), T::AgreePlan, date("2026-03-10"), &protected).unwrap();
        assert!(plan.addressed_to_guardian);
        let service =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-03-10"), &protected)
                .unwrap();
        assert!(service.addressed_to_guardian);
        // Recording an answer sends nothing.
        let answer =
            apply(ProcedureKind::Amicable, Some(S::NoticeSent), T::RecordAnswer, date("2026-03-05"), &protected)
                .unwrap();
        assert!(!answer.addressed_to_guardian);
        // Without protection, nothing changes.
        let notice = apply(ProcedureKind::Amicable, None, T::SendFormalNotice, date("2026-03-02"), &context()).unwrap();
        assert!(!notice.addressed_to_guardian);
    }

    #[test]
    fn policy_is_data_and_refuses_bad_values() {
        let policy = ProcedurePolicy::embedded();
        assert_eq!(policy.cure_period_days, 15);
        assert_eq!(policy.agency_mandate_months, 6);
        assert!(!policy.source.is_empty());
        let json = serde_json::to_value(&policy).unwrap();
        assert_eq!(serde_json::from_value::<ProcedurePolicy>(json).unwrap(), policy);

        let short = POLICY_TOML.replace("cure_period_days = 15", "cure_period_days = 3");
        let error = ProcedurePolicy::from_toml(&short).unwrap_err();
        assert!(matches!(&error, PolicyError::Invalid { field, .. } if field == "cure_period_days"), "{error}");
        let late =
            POLICY_TOML.replace("payment_order_service_warning_months = 2", "payment_order_service_warning_months = 6");
        assert!(ProcedurePolicy::from_toml(&late).is_err());
        let typo = format!("{POLICY_TOML}\ncure_periode_days = 20\n");
        assert!(matches!(ProcedurePolicy::from_toml(&typo), Err(PolicyError::Parse(_))));

        // A bank that sets 30 days gets 30 days.
        let mut context = context();
        context.policy.cure_period_days = 30;
        let notice = apply(ProcedureKind::Amicable, None, T::SendFormalNotice, date("2026-03-02"), &context).unwrap();
        assert_eq!(opened(&notice, D::CurePeriod).due, date("2026-04-01"));
    }

    #[test]
    fn transitions_serialize_with_codes() {
        let transition =
            apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-04-30"), &context())
                .unwrap();
        let json = serde_json::to_value(&transition).unwrap();
        assert_eq!(json["kind"], "payment_order");
        assert_eq!(json["to"], "order_served");
        assert_eq!(json["opens"][0]["kind"], "opposition");
        assert_eq!(json["opens"][0]["due"], "2026-06-01");
        assert_eq!(json["closes"][0], "order_service_lapse");
        assert_eq!(serde_json::from_value::<Transition>(json).unwrap(), transition);
    }
}
