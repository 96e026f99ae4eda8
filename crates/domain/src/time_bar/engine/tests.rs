//! Hand-computed vectors, one rule each, and invariants.

use super::*;
use proptest::prelude::*;
use TimeBarEventKind as K;

fn d(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn ev(kind: TimeBarEventKind, date: &str) -> TimeBarEvent {
    TimeBarEvent::new(kind, d(date))
}

fn pay(date: &str, euros: i64) -> TimeBarEvent {
    TimeBarEvent::payment(d(date), Money::euros(euros))
}

fn instalments(first: &str, count: u32, euros: i64) -> Vec<ScheduledInstalment> {
    (0..count)
        .map(|n| ScheduledInstalment { due_on: add_months_clamped(d(first), n), amount: Money::euros(euros) })
        .collect()
}

fn run(kind: TimeBarKind, start: &str, events: Vec<TimeBarEvent>) -> TimeBar {
    time_bar(&TimeBarInput { kind, start: d(start), instalments: Vec::new(), events }).unwrap()
}

fn credit(start: &str, schedule: Vec<ScheduledInstalment>, events: Vec<TimeBarEvent>) -> TimeBar {
    time_bar(&TimeBarInput { kind: TimeBarKind::ConsumerCredit, start: d(start), instalments: schedule, events })
        .unwrap()
}

fn date_and_event(result: &TimeBar) -> (Option<NaiveDate>, &str) {
    (result.limitation_date, result.decided_by.event.as_str())
}

// --- Periods (L218-2, 2224, L111-4) and the same-numbered day ---

#[test]
fn periods_by_kind_end_on_the_same_numbered_day_or_the_months_last() {
    let consumer = run(TimeBarKind::ConsumerClaim, "2023-08-05", vec![]);
    assert_eq!(date_and_event(&consumer), (Some(d("2025-08-05")), "start"));
    assert_eq!(consumer.decided_by.article, "Code de la consommation L218-2");
    let general = run(TimeBarKind::GeneralClaim, "2020-02-29", vec![]);
    assert_eq!(general.limitation_date, Some(d("2025-02-28")));
    assert_eq!(general.decided_by.article, "Code civil 2224");
    let title = run(TimeBarKind::EnforceableTitle, "2016-02-29", vec![]);
    assert_eq!(title.limitation_date, Some(d("2026-02-28")));
    assert_eq!(title.decided_by.article, "CPCE L111-4");
    // Four years on, 29 February exists again (2024 → 2028) only for periods of four years: a
    // two-year consumer period from 29 February ends on 28 February.
    let credit = run(TimeBarKind::ConsumerCredit, "2024-02-29", vec![]);
    assert_eq!(credit.limitation_date, Some(d("2026-02-28")));
    assert_eq!(credit.foreclosure_date, Some(d("2026-02-28")), "no schedule: from start");
    assert_eq!(run(TimeBarKind::ConsumerClaim, "2023-01-31", vec![]).limitation_date, Some(d("2025-01-31")));
}

// --- Interruption (2231, 2240, 2244) ---

#[test]
fn a_payment_an_acknowledgement_and_an_enforcement_act_restart_a_period_of_the_same_length() {
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", vec![pay("2024-03-15", 50)]);
    assert_eq!(date_and_event(&result), (Some(d("2026-03-15")), "payment"));
    assert!(result.decided_by.article.contains("2240"));
    let result = run(TimeBarKind::GeneralClaim, "2020-01-10", vec![ev(K::Acknowledgement, "2024-02-29")]);
    assert_eq!(date_and_event(&result), (Some(d("2029-02-28")), "acknowledgement"));
    let result = run(TimeBarKind::EnforceableTitle, "2015-06-30", vec![ev(K::EnforcementAct, "2020-01-31")]);
    assert_eq!(date_and_event(&result), (Some(d("2030-01-31")), "enforcement_act"));
    assert!(result.decided_by.article.contains("2244"));
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", vec![ev(K::ProtectiveAct, "2024-01-10")]);
    assert_eq!(date_and_event(&result), (Some(d("2026-01-10")), "protective_act"));
}

#[test]
fn an_interruption_on_the_last_day_counts_the_day_after_comes_too_late() {
    let on_the_day = run(TimeBarKind::ConsumerClaim, "2023-01-10", vec![ev(K::Acknowledgement, "2025-01-10")]);
    assert_eq!(date_and_event(&on_the_day), (Some(d("2027-01-10")), "acknowledgement"));
    assert!(!on_the_day.time_barred);
    // 2240/2231 only interrupt a period still running: once acquired, prescription stays acquired.
    let late = run(
        TimeBarKind::ConsumerClaim,
        "2023-01-10",
        vec![pay("2025-01-11", 10), ev(K::Acknowledgement, "2025-03-01"), ev(K::CourtClaim, "2025-04-01")],
    );
    assert_eq!(date_and_event(&late), (Some(d("2025-01-10")), "start"));
    assert!(late.time_barred);
    assert!(late.decided_by.article.contains("prescription acquise"));
    assert!(!late.court_claim_pending);
    assert_eq!(late.ignored_events.len(), 3);
    assert!(late.ignored_events[0].reason.contains("déjà acquise"));
}

#[test]
fn a_formal_notice_interrupts_nothing() {
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", vec![ev(K::FormalNotice, "2024-06-01")]);
    assert_eq!(date_and_event(&result), (Some(d("2025-01-10")), "start"));
    assert!(result.ignored_events[0].reason.contains("mise en demeure"));
}

#[test]
fn an_event_before_the_running_periods_start_has_nothing_to_interrupt() {
    let result = run(TimeBarKind::ConsumerClaim, "2023-06-01", vec![pay("2023-05-01", 10)]);
    assert_eq!(date_and_event(&result), (Some(d("2025-06-01")), "start"));
    assert!(result.ignored_events[0].reason.contains("antérieur"));
}

#[test]
fn successive_interruptions_each_restart_from_their_own_date() {
    let events = vec![pay("2023-05-01", 10), pay("2025-04-30", 10), ev(K::Acknowledgement, "2027-04-30")];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", events);
    assert_eq!(date_and_event(&result), (Some(d("2029-04-30")), "acknowledgement"));
}

// --- Court claims (2241–2243) and judgments (L111-4) ---

#[test]
fn a_pending_court_claim_leaves_the_date_open_and_a_served_judgment_gives_ten_years() {
    let pending = run(TimeBarKind::ConsumerClaim, "2023-01-10", vec![ev(K::CourtClaim, "2024-11-02")]);
    assert_eq!(date_and_event(&pending), (None, "court_claim"));
    assert!(pending.court_claim_pending);
    assert_eq!(pending.decided_on, d("2024-11-02"));
    let judged = run(
        TimeBarKind::ConsumerClaim,
        "2023-01-10",
        vec![ev(K::CourtClaim, "2024-11-02"), ev(K::JudgmentServed, "2025-03-01")],
    );
    assert_eq!(date_and_event(&judged), (Some(d("2035-03-01")), "judgment_served"));
    assert_eq!(judged.decided_by.article, "CPCE L111-4 (dix ans à compter de la signification)");
    assert_eq!(judged.period_years, 10);
    // After the judgment, an enforcement act restarts ten years (2244, same length: 2231).
    let enforced = run(
        TimeBarKind::ConsumerClaim,
        "2023-01-10",
        vec![ev(K::CourtClaim, "2024-11-02"), ev(K::JudgmentServed, "2025-03-01"), ev(K::EnforcementAct, "2030-05-05")],
    );
    assert_eq!(date_and_event(&enforced), (Some(d("2040-05-05")), "enforcement_act"));
}

#[test]
fn a_court_claim_after_the_last_day_is_not_pending() {
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", vec![ev(K::CourtClaim, "2025-01-11")]);
    assert_eq!(date_and_event(&result), (Some(d("2025-01-10")), "start"));
    assert!(result.time_barred);
}

#[test]
fn a_dismissed_claims_interruption_never_happened() {
    // 2243: the date is the one before the claim: 2025-06-01 from the payment.
    let events = vec![pay("2023-06-01", 10), ev(K::CourtClaim, "2025-05-01"), ev(K::CourtClaimDismissed, "2026-01-01")];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", events.clone());
    assert_eq!(date_and_event(&result), (Some(d("2025-06-01")), "payment"));
    assert!(!result.court_claim_pending);
    assert!(result.ignored_events.iter().any(|ignored| ignored.reason.contains("2243")));
    // A payment after the restored date finds the claim time-barred.
    let mut late = events.clone();
    late.push(pay("2026-02-01", 10));
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", late);
    assert_eq!(date_and_event(&result), (Some(d("2025-06-01")), "payment"));
    assert!(result.time_barred);
    // A payment made while the claim was pending, within the period it would have run, still
    // interrupts: only the claim's own interruption is undone.
    let mut during = events;
    during.insert(2, pay("2025-05-20", 10));
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", during);
    assert_eq!(date_and_event(&result), (Some(d("2027-05-20")), "payment"));
}

#[test]
fn a_dismissal_ends_the_latest_pending_claim_only() {
    let events = vec![
        ev(K::CourtClaim, "2024-01-10"),
        ev(K::CourtClaim, "2024-03-10"),
        ev(K::CourtClaimDismissed, "2024-06-10"),
    ];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", events);
    assert_eq!(result.decided_on, d("2024-01-10"));
    assert_eq!(date_and_event(&result), (None, "court_claim"));
    // A dismissal with no claim pending does nothing.
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", vec![ev(K::CourtClaimDismissed, "2024-06-10")]);
    assert_eq!(date_and_event(&result), (Some(d("2025-01-10")), "start"));
    assert_eq!(result.ignored_events.len(), 1);
}

#[test]
fn a_served_judgment_counts_even_after_the_limitation_seemed_acquired() {
    // C. civ. 2247: the judge does not raise prescription himself; the judgment stands.
    let result =
        run(TimeBarKind::GeneralClaim, "2015-01-10", vec![pay("2021-01-01", 10), ev(K::JudgmentServed, "2021-06-15")]);
    assert_eq!(date_and_event(&result), (Some(d("2031-06-15")), "judgment_served"));
    assert!(!result.time_barred);
}

// --- Suspension (2230, 2234, 2238) ---

#[test]
fn suspended_days_push_the_date_back_and_an_open_suspension_leaves_it_open() {
    // 2024-01-01 included to 2024-04-01 excluded: 31 + 29 + 31 = 91 days.
    let events = vec![ev(K::SuspensionStart, "2024-01-01"), ev(K::SuspensionEnd, "2024-04-01")];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", events.clone());
    assert_eq!(date_and_event(&result), (Some(d("2025-04-11")), "suspension_end"));
    assert_eq!(result.suspended_days, 91);
    assert!(result.decided_by.article.contains("2234"));
    let open = run(TimeBarKind::ConsumerClaim, "2023-01-10", events[..1].to_vec());
    assert_eq!(date_and_event(&open), (None, "suspension_start"));
    assert!(open.suspension_open);
    // A second suspension of 10 days adds up.
    let mut two = events;
    two.extend([ev(K::SuspensionStart, "2024-06-01"), ev(K::SuspensionEnd, "2024-06-11")]);
    assert_eq!(run(TimeBarKind::ConsumerClaim, "2023-01-10", two).limitation_date, Some(d("2025-04-21")));
}

#[test]
fn a_suspension_from_the_last_day_moves_it_to_the_suspensions_end() {
    let events = vec![ev(K::SuspensionStart, "2025-01-10"), ev(K::SuspensionEnd, "2025-01-20")];
    assert_eq!(run(TimeBarKind::ConsumerClaim, "2023-01-10", events).limitation_date, Some(d("2025-01-20")));
    // From the day after, the limitation was acquired: nothing is suspended.
    let late = vec![ev(K::SuspensionStart, "2025-01-11"), ev(K::SuspensionEnd, "2025-03-20")];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", late);
    assert_eq!(date_and_event(&result), (Some(d("2025-01-10")), "start"));
    assert!(result.time_barred);
}

#[test]
fn an_interruption_during_a_suspension_starts_a_period_suspended_from_its_own_start() {
    // New period from 2024-02-01 (2026-02-01), suspended 2024-02-01 → 2024-04-01: 29 + 31 = 60
    // days → 2026-04-02.
    let events = vec![ev(K::SuspensionStart, "2024-01-01"), pay("2024-02-01", 10), ev(K::SuspensionEnd, "2024-04-01")];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", events);
    assert_eq!(date_and_event(&result), (Some(d("2026-04-02")), "suspension_end"));
    assert_eq!(result.suspended_days, 60);
}

#[test]
fn a_suspension_during_a_claim_later_dismissed_still_counts() {
    let events = vec![
        ev(K::CourtClaim, "2024-06-01"),
        ev(K::SuspensionStart, "2024-07-01"),
        ev(K::SuspensionEnd, "2024-08-01"),
        ev(K::CourtClaimDismissed, "2024-09-01"),
    ];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", events.clone());
    assert_eq!(date_and_event(&result), (Some(d("2025-02-10")), "suspension_end"));
    // Not dismissed: pending, so open.
    let pending = run(TimeBarKind::ConsumerClaim, "2023-01-10", events[..3].to_vec());
    assert_eq!(date_and_event(&pending), (None, "court_claim"));
}

// --- Order and applicability ---

#[test]
fn events_of_one_date_are_taken_in_the_order_given_and_the_list_is_sorted_by_date() {
    let claim_then_dismissal = vec![ev(K::CourtClaim, "2024-05-01"), ev(K::CourtClaimDismissed, "2024-05-01")];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", claim_then_dismissal);
    assert_eq!(date_and_event(&result), (Some(d("2025-01-10")), "start"));
    let dismissal_then_claim = vec![ev(K::CourtClaimDismissed, "2024-05-01"), ev(K::CourtClaim, "2024-05-01")];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", dismissal_then_claim);
    assert_eq!(date_and_event(&result), (None, "court_claim"));
    // Out of date order in the input: sorted by date.
    let unsorted = vec![pay("2024-06-01", 10), pay("2023-06-01", 10)];
    let result = run(TimeBarKind::ConsumerClaim, "2023-01-10", unsorted);
    assert_eq!(date_and_event(&result), (Some(d("2026-06-01")), "payment"));
}

#[test]
fn events_that_do_not_apply_to_the_kind_are_ignored() {
    let plan = TimeBarEvent::plan(d("2024-01-01"), instalments("2024-02-01", 3, 100));
    let result = time_bar(&TimeBarInput {
        kind: TimeBarKind::GeneralClaim,
        start: d("2023-01-10"),
        instalments: instalments("2023-01-10", 3, 100),
        events: vec![plan],
    })
    .unwrap();
    assert_eq!(date_and_event(&result), (Some(d("2028-01-10")), "start"));
    assert_eq!(result.foreclosure_date, None);
    assert_eq!(result.foreclosure_decided_by, None);
    assert_eq!(result.ignored_events.len(), 1);
}

// --- Foreclosure (R312-35, 1342-10) ---

#[test]
fn foreclosure_runs_from_the_first_instalment_not_covered_oldest_first() {
    let schedule = instalments("2023-01-05", 4, 100);
    let result = credit("2023-03-05", schedule.clone(), vec![pay("2023-01-06", 100), pay("2023-02-06", 100)]);
    assert_eq!(result.first_unregularised_incident, Some(d("2023-03-05")));
    assert_eq!(result.foreclosure_date, Some(d("2025-03-05")));
    assert_eq!(result.foreclosure_decided_by.as_ref().unwrap().event, "instalments");
    // The payments were before `start`: no interruption of the L218-2 limitation.
    assert_eq!(date_and_event(&result), (Some(d("2025-03-05")), "start"));
    // A partial payment leaves its instalment uncovered: 150 covers January and half of February.
    let partial = credit("2023-03-05", schedule.clone(), vec![pay("2023-01-06", 150)]);
    assert_eq!(partial.foreclosure_date, Some(d("2025-02-05")));
    // Payments before the first instalment count, applied to the oldest.
    let early = credit("2023-03-05", schedule.clone(), vec![pay("2022-12-20", 200)]);
    assert_eq!(early.foreclosure_date, Some(d("2025-03-05")));
    // A late catch-up regularises the older instalments.
    let catch_up = credit("2023-03-05", schedule.clone(), vec![pay("2023-01-06", 100), pay("2023-05-20", 250)]);
    assert_eq!(catch_up.foreclosure_date, Some(d("2025-04-05")));
    // Everything covered: no incident, no foreclosure date.
    let paid = credit("2023-03-05", schedule, vec![pay("2023-01-06", 400)]);
    assert_eq!((paid.first_unregularised_incident, paid.foreclosure_date), (None, None));
}

#[test]
fn foreclosure_is_not_moved_by_acknowledgements_enforcement_acts_or_suspensions() {
    let schedule = instalments("2023-01-05", 4, 100);
    let events = vec![
        ev(K::Acknowledgement, "2023-06-01"),
        ev(K::EnforcementAct, "2023-07-01"),
        ev(K::SuspensionStart, "2023-08-01"),
        ev(K::SuspensionEnd, "2024-08-01"),
        ev(K::FormalNotice, "2024-09-01"),
    ];
    let result = credit("2023-01-05", schedule, events);
    assert_eq!(result.foreclosure_date, Some(d("2025-01-05")));
    // The limitation, though, was interrupted on 2023-07-01 and suspended 366 days from 2023-08-01.
    assert_eq!(result.limitation_date, Some(d("2025-07-01") + Duration::days(366)));
}

#[test]
fn a_court_claim_on_or_before_the_foreclosure_date_saves_the_action_unless_dismissed() {
    let schedule = instalments("2023-01-05", 4, 100);
    let on_the_day = credit("2023-01-05", schedule.clone(), vec![ev(K::CourtClaim, "2025-01-05")]);
    assert_eq!(on_the_day.foreclosure_date, None);
    assert_eq!(on_the_day.foreclosure_decided_by.as_ref().unwrap().event, "court_claim");
    let late = credit("2023-01-05", schedule.clone(), vec![ev(K::CourtClaim, "2025-01-06")]);
    assert_eq!(late.foreclosure_date, Some(d("2025-01-05")));
    let dismissed = credit(
        "2023-01-05",
        schedule.clone(),
        vec![ev(K::CourtClaim, "2024-01-05"), ev(K::CourtClaimDismissed, "2024-06-05")],
    );
    assert_eq!(dismissed.foreclosure_date, Some(d("2025-01-05")));
    // Judged: the foreclosure no longer applies; the limitation is ten years from service.
    let judged =
        credit("2023-01-05", schedule, vec![ev(K::CourtClaim, "2024-01-05"), ev(K::JudgmentServed, "2024-09-16")]);
    assert_eq!(judged.foreclosure_date, None);
    assert_eq!(date_and_event(&judged), (Some(d("2034-09-16")), "judgment_served"));
}

#[test]
fn a_rescheduling_plan_restarts_from_its_own_instalments_and_later_payments() {
    let schedule = instalments("2023-01-05", 4, 100);
    let plan = TimeBarEvent::plan(d("2023-06-01"), instalments("2023-07-10", 3, 150));
    let events = vec![
        pay("2023-01-06", 100),
        pay("2023-05-15", 200), // before the plan: does not count for it
        plan,
        pay("2023-07-10", 150),
        pay("2023-08-10", 100), // August's 150 only partly paid
    ];
    let result = credit("2023-01-05", schedule, events);
    assert_eq!(result.first_unregularised_incident, Some(d("2023-08-10")));
    assert_eq!(result.foreclosure_date, Some(d("2025-08-10")));
    assert_eq!(result.foreclosure_decided_by.as_ref().unwrap().event, "rescheduling_plan");
}

#[test]
fn payments_on_the_plans_date_count_for_it_whatever_their_place_in_the_list() {
    let schedule = instalments("2023-01-05", 4, 100);
    let plan = TimeBarEvent::plan(d("2023-06-01"), instalments("2023-06-01", 3, 150));
    let result = credit("2023-01-05", schedule, vec![pay("2023-06-01", 150), plan]);
    assert_eq!(result.foreclosure_date, Some(d("2025-07-01")));
}

#[test]
fn a_foreclosure_once_acquired_is_not_undone_by_a_later_payment_or_plan() {
    let schedule = instalments("2023-01-05", 1, 100);
    let on_the_day = credit("2023-01-05", schedule.clone(), vec![pay("2025-01-05", 100)]);
    assert_eq!(on_the_day.foreclosure_date, None);
    let late = credit("2023-01-05", schedule.clone(), vec![pay("2025-01-06", 100)]);
    assert_eq!(late.foreclosure_date, Some(d("2025-01-05")));
    assert!(late.foreclosure_acquired);
    let plan = TimeBarEvent::plan(d("2025-02-01"), instalments("2025-03-01", 2, 50));
    let late_plan = credit("2023-01-05", schedule, vec![plan]);
    assert_eq!(late_plan.foreclosure_date, Some(d("2025-01-05")));
}

#[test]
fn an_incident_on_29_february_forecloses_on_28_february() {
    let schedule = vec![ScheduledInstalment { due_on: d("2024-02-29"), amount: Money::euros(10) }];
    assert_eq!(credit("2024-02-29", schedule, vec![]).foreclosure_date, Some(d("2026-02-28")));
}

#[test]
fn foreclosure_is_null_for_other_kinds() {
    for kind in [TimeBarKind::ConsumerClaim, TimeBarKind::GeneralClaim, TimeBarKind::EnforceableTitle] {
        assert_eq!(run(kind, "2023-01-05", vec![pay("2023-02-01", 10)]).foreclosure_date, None);
    }
}

// --- Refusals ---

#[test]
fn bad_inputs_name_their_place() {
    let input = |events| TimeBarInput {
        kind: TimeBarKind::ConsumerCredit,
        start: d("2023-01-05"),
        instalments: vec![],
        events,
    };
    let error = time_bar(&input(vec![ev(K::Acknowledgement, "2023-02-01"), ev(K::Payment, "2023-03-01")])).unwrap_err();
    assert_eq!(error, TimeBarError::PaymentWithoutAmount { index: 1 });
    assert_eq!(error.field(), "events[1].amount");
    let error = time_bar(&input(vec![TimeBarEvent::payment(d("2023-03-01"), Money::ZERO)])).unwrap_err();
    assert_eq!(error.field(), "events[0].amount");
    let error = time_bar(&input(vec![TimeBarEvent::plan(d("2023-03-01"), vec![])])).unwrap_err();
    assert_eq!(error.field(), "events[0].instalments");
    let bad = vec![ScheduledInstalment { due_on: d("2023-04-01"), amount: Money::euros(-1) }];
    let error = time_bar(&input(vec![TimeBarEvent::plan(d("2023-03-01"), bad)])).unwrap_err();
    assert_eq!(error.field(), "events[0].instalments[0].amount");
    assert!(error.to_string().contains("01/04/2023"));
}

// --- Invariants ---

fn arbitrary_history() -> impl Strategy<Value = (TimeBarKind, Vec<(u8, i64)>)> {
    let kind = prop::sample::select(TimeBarKind::ALL.to_vec());
    // Interruptions and claims only (no suspension): kind code, days after 2020-01-01.
    (kind, prop::collection::vec((0u8..6, 0i64..4_000), 0..8))
}

fn build(events: &[(u8, i64)]) -> Vec<TimeBarEvent> {
    let base = d("2020-01-01");
    events
        .iter()
        .map(|(code, days)| {
            let date = base + Duration::days(*days);
            match code {
                0 => TimeBarEvent::payment(date, Money::euros(100)),
                1 => TimeBarEvent::new(K::Acknowledgement, date),
                2 => TimeBarEvent::new(K::EnforcementAct, date),
                3 => TimeBarEvent::new(K::CourtClaim, date),
                4 => TimeBarEvent::new(K::CourtClaimDismissed, date),
                _ => TimeBarEvent::new(K::JudgmentServed, date),
            }
        })
        .collect()
}

fn evaluate(kind: TimeBarKind, events: Vec<TimeBarEvent>) -> TimeBar {
    time_bar(&TimeBarInput { kind, start: d("2020-01-01"), instalments: instalments("2020-01-01", 24, 100), events })
        .unwrap()
}

proptest! {
    #[test]
    fn a_formal_notice_never_changes_anything(
        (kind, history) in arbitrary_history(), at in 0usize..8, days in 0i64..4_000
    ) {
        let events = build(&history);
        let without = evaluate(kind, events.clone());
        let mut with = events;
        let notice = TimeBarEvent::new(K::FormalNotice, d("2020-01-01") + Duration::days(days));
        with.insert(at.min(with.len()), notice);
        let with = evaluate(kind, with);
        prop_assert_eq!(with.limitation_date, without.limitation_date);
        prop_assert_eq!(with.foreclosure_date, without.foreclosure_date);
        prop_assert_eq!(with.decided_by, without.decided_by);
    }

    #[test]
    fn a_suspension_never_makes_the_date_earlier(
        (kind, history) in arbitrary_history(), from in 0i64..4_000, length in 0i64..800
    ) {
        let events = build(&history);
        let without = evaluate(kind, events.clone());
        let mut with = events;
        let opened = d("2020-01-01") + Duration::days(from);
        with.push(TimeBarEvent::new(K::SuspensionStart, opened));
        with.push(TimeBarEvent::new(K::SuspensionEnd, opened + Duration::days(length)));
        let with = evaluate(kind, with);
        if let (Some(with), Some(without)) = (with.limitation_date, without.limitation_date) {
            prop_assert!(with >= without, "{with} < {without}");
        }
        prop_assert_eq!(with.foreclosure_date, without.foreclosure_date);
    }

    #[test]
    fn interruptions_never_make_the_date_earlier_than_the_start_alone(
        (kind, history) in arbitrary_history()
    ) {
        let start_alone = evaluate(kind, vec![]).limitation_date.unwrap();
        if let Some(date) = evaluate(kind, build(&history)).limitation_date {
            prop_assert!(date >= start_alone);
        }
    }
}
