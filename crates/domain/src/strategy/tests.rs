use super::*;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

const TODAY: &str = "2026-03-10";

fn today() -> NaiveDate {
    date(TODAY)
}

/// A plain case that matches only the catch-all rule: a personal loan due 3 months ago,
/// foreclosure 21 months away, an employed debtor with nothing known yet.
fn base() -> StrategyFacts {
    StrategyFacts {
        nature: ClaimNature::PersonalLoan,
        debt: Money::euros(5_000),
        due_on: date("2025-12-10"),
        foreclosure_date: Some(date("2027-12-10")),
        limitation_date: Some(date("2027-12-10")),
        has_guarantor: false,
        has_enforceable_title: false,
        court_claim_pending: false,
        employment: Employment::Employed,
        monthly_capacity: Money::ZERO,
        seizable_wage: Money::ZERO,
        bank_seizable: Money::ZERO,
        seizable_assets: Money::ZERO,
        deceased: false,
        protection: Protection::None,
        over_indebtedness: OverIndebtedness::None,
        ficp: false,
        plans_broken: 0,
        agency_returned_unpaid: false,
        unanswered_notices: 0,
        has_plan_active: false,
    }
}

fn run(facts: &StrategyFacts) -> Recommendation {
    recommend(&StrategyRules::embedded(), facts, today())
}

/// Asserts the rule and strategy, and that the explanation names the rule.
fn expect(facts: &StrategyFacts, rule_id: &str, strategy: Strategy) -> Recommendation {
    let recommendation = run(facts);
    assert_eq!(recommendation.rule_id, rule_id, "{}", recommendation.explanation);
    assert_eq!(recommendation.strategy, strategy);
    assert!(recommendation.explanation.starts_with(&format!("règle {rule_id} : ")), "{}", recommendation.explanation);
    assert!(!recommendation.explanation.contains('{'), "{}", recommendation.explanation);
    recommendation
}

#[test]
fn the_same_advice_ignores_the_countdown_but_not_a_new_warning() {
    let first = run(&base());
    let mut later = first.clone();
    later.evaluated_on = date("2026-04-10");
    later.facts_digest = "other".to_string();
    later.actions.clear();
    assert!(first.same_advice(&later), "another day, other facts, same rule and warnings");
    let mut counted = first.clone();
    counted.warnings = vec!["Forclusion le 10/12/2027, dans 5 mois (C. consom. R312-35) : agir.".to_string()];
    let mut next_month = counted.clone();
    next_month.warnings = vec!["Forclusion le 10/12/2027, dans 4 mois (C. consom. R312-35) : agir.".to_string()];
    assert!(counted.same_advice(&next_month), "a month passing is not new advice");
    assert!(!first.same_advice(&counted), "a warning appearing is");
    let mut moved = counted.clone();
    moved.warnings = vec!["Forclusion le 10/01/2028, dans 5 mois (C. consom. R312-35) : agir.".to_string()];
    assert!(!counted.same_advice(&moved), "a date moving is");
    let mut other_rules = first.clone();
    other_rules.rules_version = "2027-1".to_string();
    assert!(!first.same_advice(&other_rules));
}

#[test]
fn the_defaults_parse_and_end_with_a_catch_all() {
    let rules = StrategyRules::embedded();
    assert_eq!(rules.version(), "2026-1");
    assert_eq!(rules.rules().len(), 20);
    assert!(rules.rules().last().unwrap().when.is_empty());
    assert_eq!(rules.warnings(), WarningThresholds { foreclosure_months: 6, limitation_months: 6 });
    for strategy in Strategy::ALL {
        assert_eq!(Strategy::from_code(strategy.code()), Some(*strategy));
    }
}

#[test]
fn r1_deceased_debtor_estate_claim() {
    let mut facts = base();
    facts.deceased = true;
    facts.has_enforceable_title = true;
    facts.seizable_wage = Money::euros(300);
    let recommendation = expect(&facts, "R1", Strategy::EstateClaim);
    assert_eq!(recommendation.actions[0].code, "stop_debtor_collection");
    assert_eq!(recommendation.actions[2].due_on, date("2026-04-09"));
}

#[test]
fn r2_over_indebtedness_admissible_suspends_enforcement() {
    let mut facts = base();
    facts.over_indebtedness = OverIndebtedness::Admissible;
    facts.has_enforceable_title = true;
    facts.seizable_wage = Money::euros(300);
    let recommendation = expect(&facts, "R2", Strategy::OverIndebtednessFollowUp);
    assert!(recommendation.explanation.contains("dossier recevable"), "{}", recommendation.explanation);
    assert!(recommendation.explanation.contains("L722-2"));
    facts.over_indebtedness = OverIndebtedness::Measures;
    expect(&facts, "R2", Strategy::OverIndebtednessFollowUp);
}

#[test]
fn r3_court_claim_pending() {
    let mut facts = base();
    facts.court_claim_pending = true;
    facts.foreclosure_date = None; // the court claim interrupted it
    expect(&facts, "R3", Strategy::ProcedureFollowUp);
}

#[test]
fn r4_time_barred_write_off() {
    let mut facts = base();
    facts.foreclosure_date = Some(date("2026-02-10"));
    let recommendation = expect(&facts, "R4", Strategy::WriteOffProposal);
    assert!(recommendation.explanation.contains("10/02/2026"), "{}", recommendation.explanation);
    assert!(recommendation.warnings.iter().any(|w| w.contains("Forclusion acquise le 10/02/2026")));
    // With a title, foreclosure no longer matters; a past limitation of the title still does.
    facts.has_enforceable_title = true;
    facts.limitation_date = Some(date("2036-01-01"));
    assert_ne!(run(&facts).rule_id, "R4");
    facts.limitation_date = Some(date("2026-03-09"));
    expect(&facts, "R4", Strategy::WriteOffProposal);
}

#[test]
fn r5_consumer_credit_near_foreclosure_scenario_2() {
    // Scenario 2: personal loan of 18 000 €, first unregularised incident 20 months ago →
    // foreclosure in 4 months: payment order at once.
    let mut facts = base();
    facts.debt = Money::euros(18_000);
    facts.foreclosure_date = Some(date("2026-07-10"));
    facts.protection = Protection::Curatorship; // the time bar comes first; a warning recalls the curator
    let recommendation = expect(&facts, "R5", Strategy::PaymentOrder);
    assert_eq!(recommendation.months_to_foreclosure, Some(4));
    assert!(recommendation.explanation.contains("forclusion le 10/07/2026, dans 4 mois"));
    assert!(recommendation.explanation.ends_with("→ injonction de payer"), "{}", recommendation.explanation);
    assert!(recommendation.warnings.iter().any(|w| w.starts_with("Forclusion le 10/07/2026, dans 4 mois")));
    assert!(recommendation.warnings.iter().any(|w| w.starts_with("Majeur protégé")));
    // A mortgage is not consumer credit: R5 does not apply.
    facts.nature = ClaimNature::Mortgage;
    facts.limitation_date = None;
    assert_ne!(run(&facts).rule_id, "R5");
}

#[test]
fn r6_limitation_close_without_title() {
    let mut facts = base();
    facts.nature = ClaimNature::Mortgage;
    facts.foreclosure_date = None;
    facts.limitation_date = Some(date("2026-06-01"));
    let recommendation = expect(&facts, "R6", Strategy::PaymentOrder);
    assert_eq!(recommendation.months_to_limitation, Some(2));
    assert!(recommendation.warnings.iter().any(|w| w.starts_with("Prescription le 01/06/2026, dans 2 mois")));
}

#[test]
fn r7_plan_active() {
    let mut facts = base();
    facts.has_plan_active = true;
    facts.monthly_capacity = Money::euros(300);
    expect(&facts, "R7", Strategy::PlanFollowUp);
}

#[test]
fn r8_protected_adult_scenario_6() {
    let mut facts = base();
    facts.protection = Protection::EnhancedCuratorship;
    facts.monthly_capacity = Money::euros(300);
    let recommendation = expect(&facts, "R8", Strategy::ProtectedAdultAmicable);
    assert!(recommendation.explanation.contains("curatelle renforcée"), "{}", recommendation.explanation);
    assert!(recommendation.warnings.is_empty(), "{:?}", recommendation.warnings);
}

#[test]
fn r9_title_and_seizable_wage() {
    let mut facts = base();
    facts.has_enforceable_title = true;
    facts.seizable_wage = Money::from_cents(47_861);
    facts.bank_seizable = Money::euros(1_000);
    let recommendation = expect(&facts, "R9", Strategy::WageGarnishment);
    assert!(recommendation.explanation.contains("478,61"), "{}", recommendation.explanation);
}

#[test]
fn r10_title_and_savings() {
    let mut facts = base();
    facts.has_enforceable_title = true;
    facts.seizable_wage = Money::euros(20);
    facts.bank_seizable = Money::from_cents(35_348);
    expect(&facts, "R10", Strategy::BankAccountSeizure);
}

#[test]
fn r11_small_old_debt_without_anything() {
    let mut facts = base();
    facts.debt = Money::euros(900);
    facts.due_on = date("2023-12-01");
    facts.foreclosure_date = None;
    facts.limitation_date = None;
    facts.has_enforceable_title = true; // even with a title, nothing to seize
    let recommendation = expect(&facts, "R11", Strategy::WriteOffProposal);
    assert!(recommendation.explanation.contains("depuis 27 mois"), "{}", recommendation.explanation);
    // A guarantor changes the answer.
    facts.has_guarantor = true;
    expect(&facts, "R12", Strategy::GuarantorCall);
}

#[test]
fn r12_guarantor_when_no_plan_within_24_months_scenario_7() {
    // Scenario 7: mortgage of 96 000 € with a guarantee body; 500 € a month would take 192 months.
    let mut facts = base();
    facts.nature = ClaimNature::Mortgage;
    facts.debt = Money::euros(96_000);
    facts.foreclosure_date = None;
    facts.has_guarantor = true;
    facts.monthly_capacity = Money::euros(500);
    expect(&facts, "R12", Strategy::GuarantorCall);
    // A capacity that repays within 24 months keeps the amicable plan first.
    facts.debt = Money::euros(9_000);
    expect(&facts, "R14", Strategy::AmicablePlan);
}

#[test]
fn r13_two_broken_plans_without_title() {
    let mut facts = base();
    facts.plans_broken = 2;
    facts.monthly_capacity = Money::euros(300);
    expect(&facts, "R13", Strategy::PaymentOrder);
    // With a title, two broken plans lead to enforcement, not to a third plan.
    facts.has_enforceable_title = true;
    expect(&facts, "R15", Strategy::Enforcement);
}

#[test]
fn r14_amicable_plan_scenario_1() {
    // Scenario 1: overdraft of 2 340 €, capacity about 150 € a month → 16 instalments.
    let mut facts = base();
    facts.nature = ClaimNature::Overdraft;
    facts.debt = Money::euros(2_340);
    facts.monthly_capacity = Money::euros(150);
    let recommendation = expect(&facts, "R14", Strategy::AmicablePlan);
    assert!(recommendation.explanation.contains("en 16 mois"), "{}", recommendation.explanation);
    assert_eq!(recommendation.actions[0].due_on, date("2026-03-12"));
    // One broken plan: a new plan is still possible (scenario 10).
    facts.plans_broken = 1;
    expect(&facts, "R14", Strategy::AmicablePlan);
    // 25 months needed: no plan.
    facts.plans_broken = 0;
    facts.monthly_capacity = Money::euros(94);
    assert_ne!(run(&facts).rule_id, "R14");
}

#[test]
fn r15_title_without_obvious_seizure() {
    let mut facts = base();
    facts.has_enforceable_title = true;
    facts.seizable_assets = Money::euros(8_000);
    expect(&facts, "R15", Strategy::Enforcement);
}

#[test]
fn r16_agency_returned_nothing_to_seize_scenario_3() {
    // Scenario 3: revolving credit, debtor on benefits only, agency returns the file.
    let mut facts = base();
    facts.nature = ClaimNature::RevolvingCredit;
    facts.debt = Money::euros(4_800);
    facts.employment = Employment::Benefits;
    facts.agency_returned_unpaid = true;
    expect(&facts, "R16", Strategy::WriteOffProposal);
}

#[test]
fn r17_agency_returned_with_something() {
    let mut facts = base();
    facts.agency_returned_unpaid = true;
    facts.seizable_wage = Money::euros(40);
    expect(&facts, "R17", Strategy::PaymentOrder);
}

#[test]
fn r18_employed_debtor_consumer_credit_within_18_months_of_foreclosure() {
    let mut facts = base();
    facts.foreclosure_date = Some(date("2027-05-20"));
    facts.seizable_wage = Money::from_cents(32_239);
    let recommendation = expect(&facts, "R18", Strategy::PaymentOrder);
    assert_eq!(
        recommendation.explanation,
        "règle R18 : crédit à la consommation (prêt personnel), 14 mois avant la forclusion, débiteur salarié \
         avec 322,39\u{A0}€ saisissables par mois → injonction de payer"
    );
    // Retired: the rule names employed debtors only.
    facts.employment = Employment::Retired;
    assert_ne!(run(&facts).rule_id, "R18");
}

#[test]
fn r19_unanswered_notices_collection_agency() {
    let mut facts = base();
    facts.unanswered_notices = 2;
    let recommendation = expect(&facts, "R19", Strategy::CollectionAgency);
    assert_eq!(recommendation.actions[1].due_on, date("2026-06-08"));
}

#[test]
fn r20_catch_all() {
    let recommendation = expect(&base(), "R20", Strategy::AmicableRecovery);
    assert_eq!(recommendation.rules_version, "2026-1");
    assert!(recommendation.warnings.is_empty(), "{:?}", recommendation.warnings);
    assert_eq!(recommendation.actions.len(), 2);
    assert_eq!(recommendation.months_to_foreclosure, Some(21));
}

#[test]
fn every_default_rule_is_reached_by_a_test() {
    // Keeps the per-rule tests above in step with the file: one per rule.
    let ids: Vec<String> = StrategyRules::embedded().rules().iter().map(|rule| rule.id.clone()).collect();
    let expected: Vec<String> = (1..=20).map(|n| format!("R{n}")).collect();
    assert_eq!(ids, expected);
}

#[test]
fn warnings_for_special_situations_an_edited_rule_set_ignores() {
    // An administrator puts a wage-garnishment rule first: the warnings still say what is wrong.
    let edited = RULES_TOML.replacen(
        "[[rules]]\nid = \"R1\"",
        "[[rules]]\nid = \"R0\"\nlabel = \"Test\"\nwhen = { has_enforceable_title = true }\nstrategy = \"wage_garnishment\"\nexplanation = \"test\"\n\n[[rules]]\nid = \"R1\"",
        1,
    );
    let rules = StrategyRules::from_toml(&edited).unwrap();
    let mut facts = base();
    facts.has_enforceable_title = true;
    facts.over_indebtedness = OverIndebtedness::Admissible;
    facts.deceased = true;
    let recommendation = recommend(&rules, &facts, today());
    assert_eq!(recommendation.rule_id, "R0");
    assert!(recommendation.warnings.iter().any(|w| w.contains("L722-2") && w.contains("saisie des rémunérations")));
    assert!(recommendation.warnings.iter().any(|w| w.starts_with("Débiteur décédé")));
    facts.over_indebtedness = OverIndebtedness::Filed;
    let recommendation = recommend(&rules, &facts, today());
    assert!(recommendation.warnings.iter().any(|w| w.starts_with("Dossier de surendettement déposé")));
}

fn refused(from: &str, to: &str) -> StrategyRulesError {
    assert!(RULES_TOML.contains(from), "{from}");
    StrategyRules::from_toml(&RULES_TOML.replacen(from, to, 1)).unwrap_err()
}

#[test]
fn an_unknown_condition_is_refused_naming_the_rule_and_the_field() {
    let error = refused("debt_max = \"1500.00\"", "debt_mxa = \"1500.00\"");
    let StrategyRulesError::Rule { rule, message } = &error else { panic!("{error:?}") };
    assert_eq!(rule, "R11 (n° 11)");
    assert!(message.contains("debt_mxa"), "{message}");
    assert!(error.to_string().contains("R11"), "{error}");
    // At the rule's level too.
    let error = refused("id = \"R3\"\nlabel", "id = \"R3\"\nlabell = \"x\"\nlabel");
    assert!(
        matches!(&error, StrategyRulesError::Rule { rule, message } if rule.starts_with("R3") && message.contains("labell"))
    );
    // And at the top.
    let StrategyRulesError::Parse(message) = refused("foreclosure_months", "foreclosure_month") else { panic!() };
    assert!(message.contains("foreclosure_month"), "{message}");
}

#[test]
fn unknown_codes_are_refused() {
    let error = refused("strategy = \"estate_claim\"", "strategy = \"estate\"");
    assert!(
        matches!(&error, StrategyRulesError::Rule { rule, message } if rule.starts_with("R1") && message.contains("estate"))
    );
    let error = refused("\"revolving_credit\", \"card\"]", "\"revolving\", \"card\"]");
    assert!(matches!(&error, StrategyRulesError::Rule { rule, .. } if rule.starts_with("R5")), "{error}");
    let error = refused("employment_in = [\"employed\"]", "employment_in = [\"salarie\"]");
    assert!(matches!(&error, StrategyRulesError::Rule { rule, .. } if rule.starts_with("R18")), "{error}");
}

#[test]
fn validation_refuses_inconsistent_rule_sets() {
    let error = refused("id = \"R2\"", "id = \"R1\"");
    assert!(matches!(&error, StrategyRulesError::RuleField { rule, field, .. } if rule == "R1" && field == "id"));
    let error = refused("{months_to_foreclosure} mois", "{mois_avant_forclusion} mois");
    assert!(
        matches!(&error, StrategyRulesError::RuleField { rule, field, reason } if rule == "R5" && field == "explanation" && reason.contains("mois_avant_forclusion")),
        "{error}"
    );
    let error = refused("créance de {debt} à déclarer", "créance de {debt à déclarer");
    assert!(matches!(&error, StrategyRulesError::RuleField { rule, .. } if rule == "R1"), "{error}");
    let error = refused("label = \"Débiteur décédé : déclarer la créance à la succession\"", "label = \" \"");
    assert!(matches!(&error, StrategyRulesError::RuleField { field, .. } if field == "label"));
    let error = refused("debt_max = \"1500.00\"", "debt_max = \"1500.00\", debt_min = \"2000.00\"");
    assert!(
        matches!(&error, StrategyRulesError::RuleField { rule, field, .. } if rule == "R11" && field == "when.debt_min")
    );
    let error = refused("code = \"identify_notary\"", "code = \"Identify notary\"");
    assert!(matches!(&error, StrategyRulesError::RuleField { field, .. } if field == "actions[1].code"));
    let error = refused("code = \"identify_notary\"", "code = \"stop_debtor_collection\"");
    assert!(matches!(&error, StrategyRulesError::RuleField { field, .. } if field == "actions[1].code"));
    let error = refused(
        "over_indebtedness_in = [\"admissible\", \"measures\", \"personal_recovery\", \"debt_relief\"]",
        "over_indebtedness_in = []",
    );
    assert!(matches!(&error, StrategyRulesError::RuleField { field, .. } if field == "when.over_indebtedness_in"));
    // The catch-all must stay last, and nothing unconditional may hide the rules after it.
    let error = refused("strategy = \"amicable_recovery\"", "when = { ficp = true }\nstrategy = \"amicable_recovery\"");
    assert!(matches!(&error, StrategyRulesError::RuleField { rule, field, .. } if rule == "R20" && field == "when"));
    let error = refused("when = { deceased = true }\n", "");
    assert!(matches!(&error, StrategyRulesError::RuleField { rule, field, .. } if rule == "R1" && field == "when"));
    let error = refused("limitation_months = 6", "limitation_months = 600");
    assert!(matches!(&error, StrategyRulesError::Invalid { field, .. } if field == "warnings.limitation_months"));
}

#[test]
fn the_digest_is_stable_and_changes_with_the_facts() {
    let facts = base();
    let digest = facts_digest(&facts);
    assert_eq!(digest.len(), 64);
    assert_eq!(digest, facts_digest(&facts.clone()));
    let mut changed = facts.clone();
    changed.unanswered_notices = 1;
    assert_ne!(facts_digest(&changed), digest);
    // Round-tripping through JSON (as stored) keeps the digest.
    let json = serde_json::to_string(&facts).unwrap();
    let back: StrategyFacts = serde_json::from_str(&json).unwrap();
    assert_eq!(facts_digest(&back), digest);
    assert_eq!(run(&facts).facts_digest, digest);
}

#[test]
fn facts_deserialize_with_defaults_and_refuse_typos() {
    let json = r#"{"nature":"card","debt":"1120.00","due_on":"2025-10-01","employment":"retired"}"#;
    let facts: StrategyFacts = serde_json::from_str(json).unwrap();
    assert_eq!(facts.protection, Protection::None);
    assert_eq!(facts.over_indebtedness, OverIndebtedness::None);
    assert!(!facts.deceased);
    let error = serde_json::from_str::<StrategyFacts>(&json.replace("due_on", "due_date")).unwrap_err();
    assert!(error.to_string().contains("due_date"), "{error}");
}

#[test]
fn facts_take_the_assessment_figures() {
    use crate::assessment::{evaluate, Assessment, AssessmentPolicy, Household, Incomes};
    use crate::reference::ReferenceData;
    let assessment = Assessment {
        assessed_on: date("2025-06-15"),
        debt: Money::euros(2_340),
        incomes: Incomes { wages_net_monthly: Money::euros(1_900), ..Incomes::default() },
        charges: crate::assessment::Charges { rent: Money::euros(650), ..Default::default() },
        household: Household { adults: 1, dependants: 1 },
        assets: Default::default(),
        employer: None,
    };
    let result = evaluate(&assessment, &AssessmentPolicy::embedded(), &ReferenceData::embedded()).unwrap();
    let mut facts = base();
    facts.debt = assessment.debt;
    facts.apply_assessment(&result);
    // 1 900 − 650 − (800 + 250) = 200 a month → 2 340 / 200 = 11.7 → 12 months: a plan.
    assert_eq!(facts.monthly_capacity, Money::euros(200));
    assert_eq!(facts.seizable_wage, result.seizable_wage_monthly);
    expect(&facts, "R14", Strategy::AmicablePlan);
}

#[test]
fn months_until_counts_whole_months() {
    assert_eq!(months_until(date("2026-03-10"), date("2026-07-10")), Some(4));
    assert_eq!(months_until(date("2026-03-10"), date("2026-07-09")), Some(3));
    assert_eq!(months_until(date("2026-01-31"), date("2026-02-28")), Some(1));
    assert_eq!(months_until(date("2026-03-10"), date("2026-03-10")), Some(0));
    assert_eq!(months_until(date("2026-03-10"), date("2026-03-09")), None);
    assert_eq!(months_until(date("2025-03-10"), date("2027-05-20")), Some(26));
}

#[test]
fn a_case_that_owes_nothing_is_advised_to_close_never_a_formal_notice() {
    let mut facts = base();
    facts.debt = Money::ZERO;
    let recommendation = expect(&facts, PAID_OFF_RULE_ID, Strategy::Closure);
    assert_eq!(recommendation.actions.len(), 1);
    assert_eq!(recommendation.actions[0].code, "close_case");
    assert!(recommendation.actions.iter().all(|action| action.code != "send_formal_notice"));
    // Even a deceased debtor's paid-off case, which rule R1 would send to the estate.
    facts.deceased = true;
    expect(&facts, PAID_OFF_RULE_ID, Strategy::Closure);
    // One cent owed, and the rules of the file decide again.
    facts.deceased = false;
    facts.debt = Money::from_cents(1);
    assert_ne!(run(&facts).strategy, Strategy::Closure);
}
