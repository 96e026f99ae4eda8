//! The transition tables: which step leads from which state to which, and which deadline it must
//! wait for or meet.

use super::states::{DeadlineKind, ProcedureKind, State, Step};

// --- The tables ---

/// One transition of a kind's table. `from: None` starts the procedure. `after`: the step waits for
/// that deadline to expire; `before`: the step must happen by that deadline's due day.
#[derive(Copy, Clone, Debug)]
pub(super) struct Edge {
    pub(super) from: Option<&'static [State]>,
    pub(super) step: Step,
    pub(super) to: State,
    pub(super) after: Option<DeadlineKind>,
    pub(super) before: Option<DeadlineKind>,
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

    pub(super) fn leaves(&self, state: Option<State>) -> bool {
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

pub(super) fn edges(kind: ProcedureKind) -> &'static [Edge] {
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

pub(super) fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
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

/// The states reachable from `state` by the table (itself included), ignoring every guard.
pub(super) fn reachable(kind: ProcedureKind, state: Option<State>) -> Vec<Option<State>> {
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
