use std::collections::HashSet;

use chrono::Datelike;

use recouvre_domain::bank_account::{french_iban, rib_key};
use recouvre_domain::case::{
    CaseStatus, Claim, ClaimNature, Employment, FamilySituation, GuaranteeKind, NewCase, OverIndebtedness, PartyRole,
    Person, Protection,
};
use recouvre_domain::Money;

use super::identifiers::external_iban;
use super::rng::months_before;
use super::scenarios::{ymd, SCENARIOS};
use super::*;

fn spec(cases: usize, seed: u64) -> PortfolioSpec {
    PortfolioSpec {
        cases,
        seed,
        today: ymd(2026, 3, 16),
        officers: vec!["amartin".to_string(), "bdurand".to_string(), "cpetit".to_string()],
    }
}

/// ISO 13616 validation, written independently of `recouvre_domain::bank_account::french_iban`.
fn iban_is_valid(iban: &str) -> bool {
    if iban.len() < 5 || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
    let digits: String = rearranged.chars().map(|c| c.to_digit(36).unwrap().to_string()).collect();
    let remainder = digits.bytes().fold(0u64, |acc, b| (acc * 10 + u64::from(b - b'0')) % 97);
    remainder == 1
}

fn all_people(case: &NewCase) -> impl Iterator<Item = &Person> {
    std::iter::once(&case.debtor).chain(case.parties.iter().map(|(_, p)| p))
}

#[test]
fn integer_iban_agrees_with_the_string_helpers() {
    for (index, bank, branch) in [(0, 30_004, 1_289), (12_345, 10_278, 0), (999_999_999, 20_041, 99_999)] {
        let iban = external_iban(index, 1, bank, branch);
        let (bank, branch, account) = (&iban[4..9], &iban[9..14], &iban[14..25]);
        let key = format!("{:02}", rib_key(bank, branch, account));
        assert_eq!(iban, french_iban(bank, branch, account, &key));
    }
}

#[test]
fn same_seed_same_portfolio_different_seed_different() {
    let a: Vec<NewCase> = generate(&spec(300, 42)).collect();
    let b: Vec<NewCase> = generate(&spec(300, 42)).collect();
    let c: Vec<NewCase> = generate(&spec(300, 43)).collect();
    assert_eq!(a.len(), 300);
    assert_eq!(a, b);
    // The scenarios are fixed; the rest depends on the seed.
    assert_eq!(a[..SCENARIOS], c[..SCENARIOS]);
    let differing = a[SCENARIOS..].iter().zip(&c[SCENARIOS..]).filter(|(x, y)| x != y).count();
    assert_eq!(differing, 300 - SCENARIOS);
}

#[test]
fn generate_one_is_the_nth_case_and_ignores_the_count() {
    let small = spec(50, 7);
    let cases: Vec<NewCase> = generate(&small).collect();
    for index in [0, 3, 9, 10, 11, 27, 49] {
        assert_eq!(generate_one(&small, index), cases[index]);
        assert_eq!(generate(&small).nth(index).unwrap(), cases[index]);
    }
    // A case does not depend on the size of the portfolio.
    let large = spec(1_000_000, 7);
    assert_eq!(generate_one(&large, 27), cases[27]);
    assert_eq!(generate_one(&small, 123_456), generate(&large).nth(123_456).unwrap());
}

#[test]
fn officers_only_change_the_assignment() {
    let with = spec(200, 5);
    let without = PortfolioSpec { officers: Vec::new(), ..with.clone() };
    for index in 0..200 {
        let mut a = generate_one(&with, index);
        let b = generate_one(&without, index);
        assert_eq!(b.officer, None);
        if let Some(officer) = &a.officer {
            assert!(with.officers.contains(officer));
        }
        a.officer = None;
        assert_eq!(a, b);
    }
}

#[test]
fn identifiers_are_unique() {
    let mut customers = HashSet::new();
    let mut contracts = HashSet::new();
    let mut ibans = HashSet::new();
    for case in generate(&spec(5_000, 1)) {
        for person in all_people(&case) {
            assert!(customers.insert(person.customer_number.clone()), "{}", person.customer_number);
            assert!(person.customer_number.starts_with('C') && person.customer_number.len() == 10);
            if let Some(iban) = &person.iban {
                assert!(ibans.insert(iban.clone()), "{iban}");
            }
        }
        for claim in &case.claims {
            assert!(contracts.insert(claim.contract_ref.clone()), "{}", claim.contract_ref);
        }
        for account in &case.other_accounts {
            assert!(contracts.insert(account.account_number.clone()), "{}", account.account_number);
        }
    }
    assert!(customers.len() > 5_000);
}

#[test]
fn ibans_are_valid_and_french() {
    let mut count = 0;
    for case in generate(&spec(2_000, 3)) {
        for iban in all_people(&case).filter_map(|p| p.iban.as_deref()) {
            assert!(iban.starts_with("FR76") && iban.len() == 27, "{iban}");
            assert!(iban_is_valid(iban), "{iban}");
            count += 1;
        }
    }
    assert!(count > 1_000);
}

#[test]
fn amounts_are_positive_and_dates_in_the_past() {
    let spec = spec(5_000, 11);
    let today = spec.today;
    let five_years_ago = months_before(today, 60);
    for case in generate(&spec) {
        assert!(case.opened_on <= today && case.opened_on >= five_years_ago, "{}", case.opened_on);
        assert!(!case.claims.is_empty() && case.claims.len() <= 3);
        for claim in &case.claims {
            let a = &claim.amounts;
            assert!(a.principal.is_positive(), "{claim:?}");
            for part in [a.contractual_interest, a.statutory_interest, a.costs, a.penalties] {
                assert!(!part.is_negative(), "{claim:?}");
            }
            assert!(claim.due_on <= case.opened_on, "{claim:?}");
            let opened = claim.opened_on.unwrap();
            assert!(opened < claim.due_on, "{claim:?}");
            if let Some(incident) = claim.first_incident_on {
                assert!(incident >= opened && incident <= claim.due_on, "{claim:?}");
            }
            if let Some(paid) = claim.last_payment_on {
                assert!(paid <= today && paid >= opened, "{claim:?}");
            }
            // Indemnity caps: 8 % of capital for consumer credit, 7 % for a mortgage.
            let cap = if claim.nature == ClaimNature::Mortgage { 7 } else { 8 };
            assert!(a.penalties.cents() * 100 <= a.principal.cents() * cap, "{claim:?}");
            if let Some(rate) = &claim.contractual_rate {
                assert!(rate.parse::<rust_decimal::Decimal>().is_ok(), "{rate}");
            }
        }
        for guarantee in &case.guarantees {
            assert!(guarantee.amount.is_positive(), "{guarantee:?}");
        }
        for account in &case.other_accounts {
            assert!(account.balance.is_positive());
            assert_eq!(account.account_number.len(), 11);
        }
        for person in all_people(&case) {
            let birth = person.birth_date.unwrap();
            assert!((1945..=2003).contains(&birth.year()), "{birth}");
            assert!(!person.monthly_income.is_negative() && !person.monthly_charges.is_negative());
            if let Some(died) = person.deceased_on {
                assert!(died <= today && died > birth);
            }
            if let Some(email) = &person.email {
                assert!(email.ends_with("@example.fr") || email.ends_with("@example.com"), "{email}");
                assert!(email.is_ascii(), "{email}");
            }
            if let Some(phone) = &person.phone {
                assert!(phone.starts_with("06 ") || phone.starts_with("07 "), "{phone}");
                assert_eq!(phone.len(), 14);
            }
            assert_eq!(person.protection.requires_guardian(), person.guardian_name.is_some());
            assert_eq!(person.guardian_name.is_some(), person.guardian_address.is_some());
        }
        assert!(case.notes.len() <= 2);
    }
}

#[test]
fn distributions_are_plausible() {
    let spec = spec(5_000, 2024);
    let today = spec.today;
    let cases: Vec<NewCase> = generate(&spec).skip(SCENARIOS).collect();
    let n = cases.len() as f64;
    let share = |count: usize| count as f64 / n;

    let claims: Vec<&Claim> = cases.iter().flat_map(|c| &c.claims).collect();
    let nature_share = |nature| claims.iter().filter(|c| c.nature == nature).count() as f64 / claims.len() as f64;
    let bounds = [
        (ClaimNature::Overdraft, 0.27, 0.43),
        (ClaimNature::Card, 0.06, 0.15),
        (ClaimNature::RevolvingCredit, 0.15, 0.27),
        (ClaimNature::PersonalLoan, 0.19, 0.33),
        (ClaimNature::Mortgage, 0.06, 0.14),
    ];
    for (nature, lo, hi) in bounds {
        let s = nature_share(nature);
        assert!((lo..=hi).contains(&s), "{nature}: {s}");
    }
    for (nature, lo, hi) in [(ClaimNature::Overdraft, 150, 8_000), (ClaimNature::Mortgage, 30_000, 350_000)] {
        for claim in claims.iter().filter(|c| c.nature == nature) {
            let principal = claim.amounts.principal;
            assert!(principal >= Money::euros(lo) && principal <= Money::euros(hi), "{claim:?}");
        }
    }

    let multi = share(cases.iter().filter(|c| c.claims.len() > 1).count());
    assert!((0.08..=0.20).contains(&multi), "several claims: {multi}");
    let with_role = |role| share(cases.iter().filter(|c| c.parties.iter().any(|(r, _)| *r == role)).count());
    let co = with_role(PartyRole::CoDebtor);
    assert!((0.11..=0.19).contains(&co), "co-debtors: {co}");
    let guarantors = with_role(PartyRole::Guarantor);
    assert!((0.05..=0.11).contains(&guarantors), "guarantors: {guarantors}");
    for case in &cases {
        for (role, person) in &case.parties {
            if *role == PartyRole::CoDebtor && case.debtor.family_situation == FamilySituation::Married {
                assert_eq!(person.last_name, case.debtor.last_name);
            }
        }
        if case.parties.iter().any(|(r, _)| *r == PartyRole::Guarantor) {
            assert!(case.guarantees.iter().any(|g| g.kind == GuaranteeKind::PersonalSurety));
        }
    }

    let deceased = share(cases.iter().filter(|c| c.debtor.deceased_on.is_some()).count());
    assert!((0.005..=0.03).contains(&deceased), "deceased: {deceased}");
    let protected = share(cases.iter().filter(|c| c.debtor.protection != Protection::None).count());
    assert!((0.01..=0.035).contains(&protected), "protected: {protected}");
    let over = share(cases.iter().filter(|c| c.debtor.over_indebtedness != OverIndebtedness::None).count());
    assert!((0.025..=0.06).contains(&over), "over-indebted: {over}");
    for case in &cases {
        if case.debtor.over_indebtedness == OverIndebtedness::Admissible {
            assert_eq!(case.status, CaseStatus::Suspended);
        }
    }
    let accounts = share(cases.iter().filter(|c| !c.other_accounts.is_empty()).count());
    assert!((0.33..=0.47).contains(&accounts), "other accounts: {accounts}");

    let status_share = |status| share(cases.iter().filter(|c| c.status == status).count());
    for status in CaseStatus::ALL {
        assert!(status_share(*status) > 0.004, "{status}: {}", status_share(*status));
    }
    assert!((0.05..=0.12).contains(&status_share(CaseStatus::Closed)));
    assert!((0.11..=0.21).contains(&status_share(CaseStatus::PaymentPlan)));

    let employed = share(cases.iter().filter(|c| c.debtor.employment == Employment::Employed).count());
    assert!((0.48..=0.60).contains(&employed), "employed: {employed}");
    for case in &cases {
        let d = &case.debtor;
        match d.employment {
            Employment::Employed => {
                assert!(d.employer.is_some());
                assert!(d.monthly_income >= Money::euros(1_400) && d.monthly_income <= Money::euros(4_500));
            }
            Employment::Benefits => assert!(d.monthly_income >= Money::euros(600)),
            _ => assert!(d.employer.is_none()),
        }
    }

    // Work due this week, and files close to foreclosure (first incident 20–23 months ago).
    let this_week = cases.iter().filter(|c| (today - c.opened_on).num_days() <= 7).count();
    assert!(this_week > 100, "opened this week: {this_week}");
    let near = cases
        .iter()
        .filter(|c| {
            c.claims.iter().any(|claim| {
                claim.nature.is_consumer_credit()
                    && claim
                        .first_incident_on
                        .is_some_and(|d| d <= months_before(today, 20) && d > months_before(today, 24))
            })
        })
        .count();
    assert!(near > 100, "near foreclosure: {near}");

    let new_cases: Vec<&NewCase> = cases.iter().filter(|c| c.status == CaseStatus::New).collect();
    assert!(new_cases.iter().any(|c| c.officer.is_none()));
    assert!(cases.iter().filter(|c| c.status != CaseStatus::New).all(|c| c.officer.is_some()));
    let tagged = share(cases.iter().filter(|c| !c.tags.is_empty()).count());
    assert!((0.05..=0.25).contains(&tagged), "tagged: {tagged}");
}

#[test]
fn scenario_cases_are_at_fixed_indexes() {
    let spec = spec(10, 99);
    let today = spec.today;
    let cases: Vec<NewCase> = generate(&spec).collect();
    let total = |case: &NewCase| case.claims.iter().map(|c| c.amounts.total()).sum::<Money>();

    let s1 = &cases[0];
    assert_eq!(s1.claims.len(), 1);
    assert_eq!(s1.claims[0].nature, ClaimNature::Overdraft);
    assert_eq!(total(s1), Money::euros(2_340));
    assert_eq!(s1.claims[0].due_on, months_before(today, 3));
    assert_eq!(s1.debtor.employment, Employment::Employed);
    assert_eq!(s1.debtor.monthly_income, Money::euros(1_900));
    assert_eq!(s1.debtor.dependants, 1);
    assert_eq!(s1.debtor.monthly_charges, Money::euros(650));
    assert!(s1.debtor.iban.as_deref().is_some_and(iban_is_valid));

    let s2 = &cases[1];
    assert_eq!(s2.claims[0].nature, ClaimNature::PersonalLoan);
    assert_eq!(total(s2), Money::euros(18_000));
    assert_eq!(s2.claims[0].first_incident_on, Some(months_before(today, 20)));
    assert!(s2.claims[0].last_payment_on.is_some());

    assert_eq!(cases[2].claims[0].nature, ClaimNature::RevolvingCredit);
    assert_eq!(total(&cases[2]), Money::euros(4_800));
    assert_eq!(cases[2].debtor.employment, Employment::Benefits);

    assert_eq!(cases[3].claims.len(), 3);
    assert_eq!(cases[3].debtor.over_indebtedness, OverIndebtedness::Admissible);
    assert_eq!(cases[3].status, CaseStatus::Suspended);
    assert_eq!(cases[3].debtor.postcode, "57000");

    let s5 = &cases[4];
    assert!(s5.debtor.deceased_on.is_some());
    assert_eq!(s5.status, CaseStatus::Estate);
    let natures: Vec<_> = s5.claims.iter().map(|c| (c.nature, c.amounts.total())).collect();
    assert_eq!(natures, [(ClaimNature::Overdraft, Money::euros(640)), (ClaimNature::Card, Money::euros(1_120))]);

    assert_eq!(cases[5].debtor.protection, Protection::EnhancedCuratorship);
    assert_eq!(cases[5].debtor.guardian_name.as_deref(), Some("UDAF du Rhône"));

    let s7 = &cases[6];
    assert_eq!(s7.claims[0].nature, ClaimNature::Mortgage);
    assert_eq!(s7.claims[0].amounts.principal, Money::euros(96_000));
    assert_eq!(s7.guarantees[0].kind, GuaranteeKind::GuaranteeBody);

    assert_eq!(total(&cases[7]), Money::euros(9_000));
    assert_eq!(cases[7].debtor.monthly_income, Money::ZERO);

    let s9 = &cases[8];
    assert_eq!(s9.debtor.display_name(), "DUPONT Jean");
    assert_eq!(s9.status, CaseStatus::PaymentPlan);
    assert!(s9.notes[0].contains("150,00"));

    assert_eq!(cases[9].status, CaseStatus::PaymentPlan);
    assert_eq!(total(&cases[9]), Money::euros(2_400));
    assert!(cases[9].debtor.iban.is_some());

    for (index, case) in cases.iter().enumerate() {
        assert_eq!(case.officer.as_deref(), Some(spec.officers[index % 3].as_str()));
        assert!(case.opened_on <= today);
        for claim in &case.claims {
            assert!(claim.due_on <= case.opened_on);
            assert!(claim.opened_on.unwrap() < claim.due_on);
        }
    }
}

/// `cargo test --release -p recouvre-demo portfolio -- --ignored --nocapture`
#[test]
#[ignore = "timing, run in release"]
fn million_cases_timing() {
    let spec = spec(1_000_000, 1);
    let start = std::time::Instant::now();
    let mut claims = 0usize;
    let mut statuses = [0usize; 9];
    let mut natures = [0usize; 5];
    let mut total = Money::ZERO;
    for case in generate(&spec) {
        claims += case.claims.len();
        statuses[CaseStatus::ALL.iter().position(|s| *s == case.status).unwrap()] += 1;
        for claim in &case.claims {
            natures[ClaimNature::ALL.iter().position(|n| *n == claim.nature).unwrap()] += 1;
            total += claim.amounts.total();
        }
    }
    let elapsed = start.elapsed();
    println!("1 000 000 cases, {claims} claims, {} in all, in {elapsed:?}", total.to_french());
    for (status, count) in CaseStatus::ALL.iter().zip(statuses) {
        println!("  {status:<13} {:5.1} %", count as f64 / 10_000.0);
    }
    for (nature, count) in ClaimNature::ALL.iter().zip(natures) {
        println!("  {nature:<16} {:5.1} %", count as f64 * 100.0 / claims as f64);
    }
}

/// Issue 17: every address of the demo is in the reference of French communes shipped with the
/// code (`crates/domain/data/communes.csv`), so that an officer can give its commune code.
#[test]
fn every_demo_address_is_in_the_communes_reference() {
    let communes = recouvre_domain::debtor_file::communes();
    let known = |postcode: &str, city: &str| {
        communes.iter().any(|commune| commune.name == city && commune.postcodes.iter().any(|p| p == postcode))
    };
    for (postcode, city, _) in super::tables::CITIES {
        assert!(known(postcode, city), "{postcode} {city} is not in data/communes.csv");
    }
    for case in generate(&spec(300, 42)) {
        let debtor = &case.debtor;
        assert!(known(&debtor.postcode, &debtor.city), "{} {}", debtor.postcode, debtor.city);
    }
}
