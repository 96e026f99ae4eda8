//! The vocabulary of the procedures: kinds, states, steps, deadlines (with their articles),
//! documents and refusal reasons, each with a stable code and a French label.

use serde::{Deserialize, Serialize};

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
            pub(super) fn not_yet(self) -> &'static str {
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
    pub(super) fn reaches_debtor(self) -> bool {
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
