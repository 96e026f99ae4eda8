//! A random case.

use chrono::{Datelike, Days, Months, NaiveDate};
use std::fmt::Write as _;

use super::claims::{loan_guarantees, random_claim, secondary_nature, thousands, ClaimContext};
use super::identifiers::{account_number, customer_number, FIRST_OTHER_ACCOUNT_SLOT};
use super::notes::{dated_note, status_note, GENERAL_NOTES};
use super::people::{
    birth_date, birth_years, blank_person, civility, dependants, family_situation, fill_contact, fill_finances,
    first_name, full_name, Address,
};
use super::rng::{days_before, months_before, Rng};
use super::tables::{EMPLOYMENTS, LAST_NAMES, NATURES};
use super::text::text_of;
use super::PortfolioSpec;
use recouvre_domain::case::{
    AccountKind, CaseStatus, ClaimNature, Employment, FamilySituation, Guarantee, GuaranteeKind, NewCase, OtherAccount,
    OverIndebtedness, PartyRole, Person, Protection,
};
use recouvre_domain::Money;

fn status_for_age(rng: &mut Rng, age_days: i64) -> CaseStatus {
    use CaseStatus::*;
    match age_days {
        0..=14 => rng.weighted(&[(New, 85), (Amicable, 15)]),
        15..=90 => {
            rng.weighted(&[(New, 5), (Amicable, 50), (PaymentPlan, 25), (Agency, 5), (Judicial, 10), (Closed, 5)])
        }
        91..=365 => rng.weighted(&[
            (Amicable, 25),
            (PaymentPlan, 20),
            (Agency, 15),
            (Judicial, 22),
            (Enforcement, 10),
            (Closed, 8),
        ]),
        _ => rng.weighted(&[
            (Amicable, 7),
            (PaymentPlan, 16),
            (Agency, 18),
            (Judicial, 18),
            (Enforcement, 28),
            (Closed, 11),
        ]),
    }
}

pub(super) fn random_case(spec: &PortfolioSpec, index: usize) -> NewCase {
    let today = spec.today;
    let year = today.year();
    let mut rng = Rng::for_case(spec.seed, index);

    // The debtor's special situations.
    let deceased = rng.chance(15);
    let over_indebtedness = if !deceased && rng.chance(40) {
        use OverIndebtedness::*;
        rng.weighted(&[(Filed, 30), (Admissible, 35), (Measures, 35)])
    } else {
        OverIndebtedness::None
    };
    let protection = if !deceased && rng.chance(20) {
        use Protection::*;
        rng.weighted(&[(Curatorship, 40), (EnhancedCuratorship, 35), (Guardianship, 25)])
    } else {
        Protection::None
    };
    let near_foreclosure = !deceased && over_indebtedness == OverIndebtedness::None && rng.chance(30);

    // Claims and dates.
    let claim_count = if over_indebtedness != OverIndebtedness::None {
        rng.weighted(&[(1usize, 40), (2, 35), (3, 25)])
    } else {
        rng.weighted(&[(1usize, 87), (2, 10), (3, 3)])
    };
    let primary = if near_foreclosure {
        rng.weighted(&[(ClaimNature::PersonalLoan, 70), (ClaimNature::RevolvingCredit, 30)])
    } else {
        rng.weighted(NATURES)
    };
    let (opened_on, foreclosure_incident) = if near_foreclosure {
        // Like scenario 2: first unregularised incident 20 to 23 months ago.
        let incident = days_before(months_before(today, rng.range(20, 22)), rng.range(0, 27));
        let due = incident + Days::new(rng.range(60, 150) as u64);
        ((due + Days::new(rng.range(0, 30) as u64)).min(today), Some((incident, due)))
    } else {
        // Within the last five years, skewed to recent: P(≤ 7 days) ≈ 6.6 %, median ≈ 15 months.
        (days_before(today, rng.squared(0, 1_825)), None)
    };
    let case_age_days = (today - opened_on).num_days();

    let status = if deceased {
        rng.weighted(&[(CaseStatus::Estate, 75), (CaseStatus::Amicable, 15), (CaseStatus::Closed, 10)])
    } else if over_indebtedness == OverIndebtedness::Admissible {
        CaseStatus::Suspended
    } else if over_indebtedness == OverIndebtedness::Measures {
        rng.weighted(&[(CaseStatus::PaymentPlan, 70), (CaseStatus::Suspended, 30)])
    } else if near_foreclosure {
        if case_age_days <= 14 {
            CaseStatus::New
        } else {
            rng.weighted(&[(CaseStatus::Amicable, 80), (CaseStatus::Agency, 20)])
        }
    } else {
        status_for_age(&mut rng, case_age_days)
    };

    let mut natures = [primary; 3];
    let mut due_dates = [opened_on; 3];
    for slot in 0..claim_count {
        if slot > 0 {
            natures[slot] = secondary_nature(&mut rng, primary);
        }
        due_dates[slot] = match foreclosure_incident {
            Some((_, due)) if slot == 0 => due,
            _ => days_before(opened_on, rng.range(0, 45)),
        };
    }
    let earliest_due = due_dates[..claim_count].iter().copied().min().unwrap_or(opened_on);

    // The debtor.
    let employment = if deceased {
        rng.weighted(&[(Employment::Retired, 70), (Employment::Employed, 20), (Employment::Benefits, 10)])
    } else {
        rng.weighted(EMPLOYMENTS)
    };
    let (mut lo_year, mut hi_year) = birth_years(employment, year);
    if deceased {
        lo_year = year - 81;
        hi_year = hi_year.min(year - 55);
    }
    hi_year = hi_year.min(earliest_due.year() - 20);
    lo_year = lo_year.min(hi_year);
    let birth = birth_date(&mut rng, (lo_year, hi_year));
    let age = year - birth.year();
    let female = rng.chance(480);
    let last_name = rng.pick(LAST_NAMES);
    let first = first_name(&mut rng, female);
    let home = Address::random(&mut rng);
    let mut debtor = blank_person(customer_number(index, 0), last_name, first, birth, &home);
    debtor.family_situation = family_situation(&mut rng, age);
    debtor.dependants = dependants(&mut rng, employment);
    fill_finances(&mut rng, &mut debtor, employment);
    fill_contact(&mut rng, &mut debtor, index, 0, 700);
    debtor.over_indebtedness = over_indebtedness;
    debtor.protection = protection;
    if deceased {
        debtor.deceased_on = Some(days_before(today, rng.range(3, (case_age_days + 180).clamp(30, 700))));
        if debtor.family_situation == FamilySituation::Single && rng.chance(400) {
            debtor.family_situation = FamilySituation::Widowed;
        }
    }
    if protection != Protection::None {
        let (name, address) = guardian(&mut rng, last_name, &home);
        debtor.guardian_name = Some(name);
        debtor.guardian_address = Some(address);
    }

    let adult_on = birth + Months::new(18 * 12);
    let mut claims = Vec::with_capacity(claim_count);
    for slot in 0..claim_count {
        let ctx = ClaimContext {
            index,
            slot: slot as u64,
            nature: natures[slot],
            due_on: due_dates[slot],
            first_incident_on: match foreclosure_incident {
                Some((incident, _)) if slot == 0 => Some(incident),
                _ => None,
            },
            adult_on,
            status,
            case_age_days,
            today,
        };
        claims.push(random_claim(&mut rng, &ctx));
    }

    // FICP: every admissible file, most consumer-credit incidents, some mortgages.
    let ficp_per_mille = match primary {
        ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit => 800,
        ClaimNature::Card => 600,
        ClaimNature::Mortgage => 600,
        ClaimNature::Overdraft => 250,
    };
    debtor.ficp_registered = matches!(over_indebtedness, OverIndebtedness::Admissible | OverIndebtedness::Measures)
        || rng.chance(ficp_per_mille);

    // Guarantees and other parties.
    let mut guarantees = Vec::new();
    for claim in &claims {
        loan_guarantees(&mut rng, claim, &home, &mut guarantees);
    }
    let mut parties = Vec::new();
    let co_debtor_per_mille = match primary {
        ClaimNature::Mortgage => 550,
        ClaimNature::PersonalLoan => 180,
        ClaimNature::RevolvingCredit => 100,
        ClaimNature::Overdraft => 80,
        ClaimNature::Card => 30,
    };
    if rng.chance(co_debtor_per_mille) {
        let spouse = spouse(&mut rng, &mut debtor, female, &home, index, year, deceased);
        parties.push((PartyRole::CoDebtor, spouse));
    }
    let guarantor_per_mille = match primary {
        ClaimNature::PersonalLoan => 160,
        ClaimNature::Overdraft | ClaimNature::Mortgage => 60,
        ClaimNature::RevolvingCredit => 40,
        ClaimNature::Card => 20,
    };
    if rng.chance(guarantor_per_mille) {
        let (person, female) = guarantor(&mut rng, last_name, index, year, earliest_due);
        let claim = &claims[0];
        let mut description = String::with_capacity(96);
        let _ = write!(description, "Caution personnelle et solidaire de {} ", civility(female));
        description.push_str(&full_name(&person.first_name, &person.last_name));
        let _ = write!(description, ", contrat {}", claim.contract_ref);
        guarantees.push(Guarantee {
            kind: GuaranteeKind::PersonalSurety,
            description,
            amount: thousands(claim.amounts.principal.cents() * 12 / 10 + 99_999),
        });
        parties.push((PartyRole::Guarantor, person));
    }

    // Other accounts at the bank.
    let mut other_accounts = Vec::new();
    if rng.chance(400) {
        let count = rng.weighted(&[(1u64, 60), (2, 30), (3, 10)]);
        for slot in 0..count {
            let kind = loop {
                let kind = rng.weighted(&[
                    (AccountKind::LivretA, 45),
                    (AccountKind::Ldds, 20),
                    (AccountKind::Pel, 12),
                    (AccountKind::LifeInsurance, 13),
                    (AccountKind::Securities, 5),
                    (AccountKind::Current, 5),
                ]);
                if other_accounts.iter().all(|a: &OtherAccount| a.kind != kind) {
                    break kind;
                }
            };
            let balance = match kind {
                AccountKind::LivretA => rng.skewed(1_000, 2_295_000),
                AccountKind::Ldds => rng.skewed(1_000, 1_200_000),
                AccountKind::Pel => rng.skewed(22_500, 6_120_000),
                AccountKind::LifeInsurance => rng.skewed(50_000, 8_000_000),
                AccountKind::Securities => rng.skewed(10_000, 3_000_000),
                AccountKind::Current => rng.range(100, 80_000),
            };
            other_accounts.push(OtherAccount {
                kind,
                account_number: account_number(index, FIRST_OTHER_ACCOUNT_SLOT + slot),
                balance: Money::from_cents(balance),
            });
        }
    }

    // Tags and notes.
    let total: Money = claims.iter().map(|c| c.amounts.total()).sum();
    let mut tags = Vec::new();
    if rng.chance(50) || (total > Money::euros(50_000) && rng.chance(400)) {
        tags.push("prioritaire".to_string());
    }
    let disputed = rng.chance(20);
    if disputed {
        tags.push("litige client".to_string());
    }
    let address_flag = rng.below(1000);
    let mut notes = Vec::new();
    let note_from = opened_on;
    if address_flag < 30 {
        tags.push("NPAI".to_string());
        let date = rng.date_between(note_from, today);
        notes.push(dated_note("Courrier retourné NPAI le ", date, ".", today));
    } else if address_flag < 70 {
        tags.push("adresse à vérifier".to_string());
    }
    if disputed && notes.len() < 2 {
        let date = rng.date_between(note_from, today);
        let who = if female { "La débitrice" } else { "Le débiteur" };
        notes.push(dated_note(
            text_of(&[who, " conteste le décompte des intérêts (courrier du "]).as_str(),
            date,
            ").",
            today,
        ));
    }
    if notes.len() < 2 && rng.chance(700) {
        // What moved the case to its status happened within its first year, or on the death.
        let date = match (status, debtor.deceased_on) {
            (CaseStatus::Estate, Some(died)) => rng.date_between(died.max(note_from), today),
            (CaseStatus::Judicial | CaseStatus::Agency | CaseStatus::Suspended, _) => {
                rng.date_between(note_from, today.min(note_from + Days::new(365)))
            }
            _ => rng.date_between(note_from, today),
        };
        if let Some(note) = status_note(&mut rng, status, total, date, today) {
            notes.push(note);
        }
    }
    if notes.len() < 2 && rng.chance(450) {
        let (before, after) = match rng.pick(GENERAL_NOTES) {
            ("Débiteur joint le ", after) if female => ("Débitrice jointe le ", after),
            note => note,
        };
        let date = rng.date_between(note_from, today);
        notes.push(dated_note(before, date, after, today));
    }

    // Officer: round-robin by index, with some drift; about 5 % of new cases await distribution.
    let unassigned = status == CaseStatus::New && rng.chance(50);
    let drift = rng.chance(200);
    let draw = rng.next_u64();
    let officer = if spec.officers.is_empty() || unassigned {
        None
    } else {
        let count = spec.officers.len();
        let at = if drift { (draw % count as u64) as usize } else { index % count };
        Some(spec.officers[at].clone())
    };

    NewCase { debtor, parties, claims, guarantees, other_accounts, status, opened_on, tags, officer, notes }
}

/// A protected adult's guardian: an association, a relative or a professional.
fn guardian(rng: &mut Rng, last_name: &'static str, home: &Address) -> (String, String) {
    match rng.below(20) {
        0..=9 => {
            let department = if home.department.is_empty() { "du Rhône" } else { home.department };
            let name = text_of(&["UDAF ", department]);
            let address = Address::random_in(rng, home.postcode, home.city, home.department);
            (name, address.one_line())
        }
        10..=16 => {
            let female = rng.chance(600);
            let mut name = String::with_capacity(32);
            name.push_str(civility(female));
            name.push(' ');
            name.push_str(&full_name(first_name(rng, female), last_name));
            (name, Address::random(rng).one_line())
        }
        _ => {
            let female = rng.chance(600);
            let mut name = String::with_capacity(80);
            name.push_str(if female { "Me " } else { "M. " });
            name.push_str(&full_name(first_name(rng, female), rng.pick(LAST_NAMES)));
            name.push_str(", mandataire judiciaire à la protection des majeurs");
            let address = Address::random_in(rng, home.postcode, home.city, home.department);
            (name, address.one_line())
        }
    }
}

/// A spouse co-debtor at the same address; the debtor's family situation is made consistent.
pub(super) fn spouse(
    rng: &mut Rng,
    debtor: &mut Person,
    debtor_female: bool,
    home: &Address,
    index: usize,
    year: i32,
    deceased: bool,
) -> Person {
    use FamilySituation::*;
    if !matches!(debtor.family_situation, Married | CivilUnion | Cohabiting) {
        debtor.family_situation = rng.weighted(&[(Married, 70), (CivilUnion, 18), (Cohabiting, 12)]);
    }
    let female = !debtor_female;
    let same_name = debtor.family_situation == Married || rng.chance(400);
    let last = if same_name { debtor.last_name.clone() } else { rng.pick(LAST_NAMES).to_string() };
    let first = first_name(rng, female);
    let debtor_year = debtor.birth_date.map_or(year - 45, |d| d.year());
    let birth = birth_date(rng, ((debtor_year - 6).max(year - 81), (debtor_year + 6).min(year - 23)));
    let mut person = blank_person(customer_number(index, 1), &last, first, birth, home);
    person.family_situation = if deceased { Widowed } else { debtor.family_situation };
    person.dependants = debtor.dependants;
    let employment =
        if year - birth.year() >= 63 && rng.chance(800) { Employment::Retired } else { rng.weighted(EMPLOYMENTS) };
    fill_finances(rng, &mut person, employment);
    fill_contact(rng, &mut person, index, 1, 400);
    person.ficp_registered = debtor.ficp_registered && rng.chance(700);
    person
}

/// A guarantor: often a parent (same last name, older), otherwise a relative or friend elsewhere.
fn guarantor(rng: &mut Rng, debtor_last: &'static str, index: usize, year: i32, due: NaiveDate) -> (Person, bool) {
    let parent = rng.chance(450);
    let female = rng.chance(500);
    let last = if parent { debtor_last } else { rng.pick(LAST_NAMES) };
    let first = first_name(rng, female);
    let years = if parent { (year - 81, year - 50) } else { (year - 70, (year - 25).min(due.year() - 20)) };
    let birth = birth_date(rng, years);
    let address = Address::random(rng);
    let mut person = blank_person(customer_number(index, 2), last, first, birth, &address);
    person.family_situation = family_situation(rng, year - birth.year());
    let employment = if year - birth.year() >= 63 {
        Employment::Retired
    } else {
        rng.weighted(&[(Employment::Employed, 75), (Employment::SelfEmployed, 15), (Employment::Unemployed, 10)])
    };
    person.dependants = dependants(rng, employment);
    fill_finances(rng, &mut person, employment);
    fill_contact(rng, &mut person, index, 2, 500);
    (person, female)
}
