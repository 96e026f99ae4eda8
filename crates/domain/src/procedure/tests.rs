use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::policy::POLICY_TOML;
use super::tables::{edges, reachable};
use super::*;
use crate::calendar::{self, Region};
use crate::Money;

use DeadlineKind as D;
use State as S;
use Step as T;

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
    let input =
        StepInput { amount: Some(Money::euros(100)), scheduled_on: Some(date("2026-04-15")), ..StepInput::default() };
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
    let error = apply(ProcedureKind::Amicable, Some(S::NoticeSent), T::RecordNoAnswer, date("2026-03-17"), &context)
        .unwrap_err();
    assert_eq!(error.reason, RefusalReason::DeadlineRunning);
    assert!(error.message.contains("17/03/2026"), "{}", error.message);
    assert!(
        apply(ProcedureKind::Amicable, Some(S::NoticeSent), T::RecordNoAnswer, date("2026-03-18"), &context).is_ok()
    );
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
    assert_eq!(states(&path), [S::RequestPrepared, S::RequestFiled, S::OrderGranted, S::OrderServed, S::Enforceable]);
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
    let error =
        apply(ProcedureKind::EnforcementBank, Some(S::AwaitingPayment), T::RecordResult, on, &negative).unwrap_err();
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
        apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-03-03"), &alsace).unwrap();
    assert_eq!(opened(&local, D::Opposition).due, date("2026-04-07"));
}

#[test]
fn enforceability_waits_for_the_opposition_month_and_service_for_the_six_months() {
    let mut context = context();
    context.open_deadlines = vec![PendingDeadline { kind: D::Opposition, due: date("2026-06-01") }];
    let error =
        apply(ProcedureKind::PaymentOrder, Some(S::OrderServed), T::RecordEnforceable, date("2026-06-01"), &context)
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
    let error = apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-07-16"), &context)
        .unwrap_err();
    assert_eq!(error.reason, RefusalReason::DeadlineExpired);
    assert!(
        error.message.contains("a expiré le 15/07/2026 (signification de l'ordonnance avant caducité, CPC 1411)"),
        "{}",
        error.message
    );
    assert!(error.possible_steps.contains(&T::RecordLapse));
    assert!(
        apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-07-15"), &context).is_ok()
    );
    // The lapse cannot be recorded while the six months run.
    assert!(apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::RecordLapse, date("2026-07-15"), &context)
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
        apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-04-30"), &context).unwrap();
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
    let error =
        apply(ProcedureKind::EnforcementWage, Some(S::CommandServed), T::ServeWageSeizure, date("2026-02-12"), &early)
            .unwrap_err();
    assert_eq!(error.reason, RefusalReason::DeadlineRunning);
    assert!(error.message.contains("CPCE L212-2"));
    // And after three months the commandement has lapsed.
    let error =
        apply(ProcedureKind::EnforcementWage, Some(S::CommandServed), T::ServeWageSeizure, date("2026-04-14"), &early)
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
    let transition =
        apply(ProcedureKind::EnforcementBank, Some(S::BankSeizureServed), T::RecordLapse, date("2026-03-11"), &lapsed)
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
    let placement =
        StepInput { commission_percent: Some(Decimal::new(125, 1)), mandate_months: Some(4), ..StepInput::default() };
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
    let error =
        apply(ProcedureKind::EnforcementWage, None, T::ServeWageCommand, date("2026-04-01"), &suspended).unwrap_err();
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
    let order = apply(ProcedureKind::PaymentOrder, None, T::PrepareRequest, date("2026-04-01"), &suspended).unwrap();
    assert!(order.notes.iter().any(|note| note.contains("L722-2")));
}

#[test]
fn enforcement_needs_an_enforceable_title() {
    let error =
        apply(ProcedureKind::EnforcementBank, None, T::ServeBankSeizure, date("2026-04-01"), &context()).unwrap_err();
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
    let plan = apply(ProcedureKind::Amicable, Some(S::Answered), T::AgreePlan, date("2026-03-10"), &protected).unwrap();
    assert!(plan.addressed_to_guardian);
    let service =
        apply(ProcedureKind::PaymentOrder, Some(S::OrderGranted), T::ServeOrder, date("2026-03-10"), &protected)
            .unwrap();
    assert!(service.addressed_to_guardian);
    // Recording an answer sends nothing.
    let answer =
        apply(ProcedureKind::Amicable, Some(S::NoticeSent), T::RecordAnswer, date("2026-03-05"), &protected).unwrap();
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
