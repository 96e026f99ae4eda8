//! The ten typical cases of scenarios.md, at indexes 0 to 9.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::identifiers::{contract_ref, customer_number, external_iban};
use super::notes::dated_note;
use super::people::{blank_person, Address};
use super::rng::{days_before, months_before};
use super::text::text_of;
use recouvre_domain::case::{
    Breakdown, CaseStatus, Claim, ClaimNature, Employment, FamilySituation, Guarantee, GuaranteeKind, NewCase,
    OverIndebtedness, PartyRole, Person, Protection,
};
use recouvre_domain::Money;

/// The typical cases sit at indexes 0 to 9; random cases start after them.
pub(super) const SCENARIOS: usize = 10;

fn fixed_claim(index: usize, slot: u64, nature: ClaimNature, amounts: [i64; 5], rate: Option<&str>) -> ClaimBuilder {
    ClaimBuilder {
        index,
        slot,
        nature,
        amounts: Breakdown {
            principal: Money::from_cents(amounts[0]),
            contractual_interest: Money::from_cents(amounts[1]),
            statutory_interest: Money::from_cents(amounts[2]),
            costs: Money::from_cents(amounts[3]),
            penalties: Money::from_cents(amounts[4]),
        },
        rate: rate.map(str::to_string),
    }
}

struct ClaimBuilder {
    index: usize,
    slot: u64,
    nature: ClaimNature,
    amounts: Breakdown,
    rate: Option<String>,
}

impl ClaimBuilder {
    /// Dates: contract opened, due (closure or acceleration), first incident, last payment.
    fn dated(self, opened: NaiveDate, due: NaiveDate, incident: Option<NaiveDate>, paid: Option<NaiveDate>) -> Claim {
        Claim {
            contract_ref: contract_ref(self.nature, self.index, self.slot, opened),
            nature: self.nature,
            amounts: self.amounts,
            contractual_rate: self.rate,
            opened_on: Some(opened),
            due_on: due,
            first_incident_on: incident,
            last_payment_on: paid,
        }
    }
}

// Invariant: called only with the scenarios' literal dates, all real days.
#[allow(clippy::expect_used)]
pub(super) fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid fixed date")
}

fn fixed_person(index: usize, slot: u64, who: (&str, &str), birth: NaiveDate, address: &Address) -> Person {
    blank_person(customer_number(index, slot), who.0, who.1, birth, address)
}

fn fixed_case(debtor: Person, claims: Vec<Claim>, status: CaseStatus, opened_on: NaiveDate) -> NewCase {
    NewCase {
        debtor,
        parties: Vec::new(),
        claims,
        guarantees: Vec::new(),
        other_accounts: Vec::new(),
        status,
        opened_on,
        tags: Vec::new(),
        officer: None,
        notes: Vec::new(),
    }
}

/// The typical cases of `scenarios.md`; `index` 0 is scenario 1, …, 9 is scenario 10. Fixed data;
/// dates relative to `today`; no officer (set by `generate_one`).
///
/// 0. Closed current account, employed debtor: LEROY Claire, Lyon, employed (1 900 €/month net),
///    one child, rent 650 €; overdraft of 2 340 € on the account closed 3 months ago; new case.
/// 1. Consumer loan near foreclosure: GARNIER Thomas, Toulouse; personal loan, 18 000 € in all
///    (16 425 € capital, 261 € interest, 1 314 € indemnity = 8 %), first unregularised incident
///    20 months ago (foreclosure in 4 months), small irregular payments since; employed
///    (wage garnishment possible); amicable phase.
/// 2. Revolving credit, debtor on benefits only: FAURE Nadia, Lille; 4 800 € (4 420 + 380
///    interest); minimum income 646 €/month, no other account, nothing seizable.
/// 3. Over-indebtedness: ROUSSEL Karine, Metz (Alsace-Moselle); three claims (overdraft 1 250 €,
///    revolving 6 400 €, personal loan 11 500 €); file declared admissible → suspended; FICP.
/// 4. Deceased debtor: BLANCHARD Roger, Bordeaux; overdraft 640 € and card debt 1 120 €;
///    died 25 days ago; estate.
/// 5. Protected adult: PERRIN Sébastien, Lyon; enhanced curatorship, curator "UDAF du Rhône";
///    overdraft 1 870 €; amicable.
/// 6. Mortgage with a guarantee body: MOREL Julien and his wife Élodie (co-debtor), Nantes;
///    96 000 € capital outstanding after acceleration; guaranteed by Habitat Caution SA.
/// 7. Suspicious repayment: LAMBERT Kevin, Marseille; personal loan of 9 000 €; unemployed with
///    no known income.
/// 8. Unmatched payment: DUPONT Jean, Paris; overdraft of 1 800 €, payment plan of 12 × 150 €
///    by monthly transfer, the last one a month ago.
/// 9. Plan broken: ROBIN Céline, Strasbourg; revolving credit of 2 400 €, plan of 12 × 200 € by
///    SEPA direct debit (IBAN and mandate on file).
pub(super) fn scenario_case(index: usize, today: NaiveDate) -> NewCase {
    use ClaimNature::*;
    let y = today.year();
    let ago = |days: i64| days_before(today, days);
    let months_ago = |months: i64| months_before(today, months);
    let note = |before: &str, date: NaiveDate, after: &str| dated_note(before, date, after, today);
    match index {
        0 => {
            let home = Address::fixed("14 rue Paul Bert", "69003", "Lyon");
            let mut debtor = fixed_person(index, 0, ("Leroy", "Claire"), ymd(1988, 5, 14), &home);
            debtor.phone = Some("06 41 27 58 09".to_string());
            debtor.email = Some("claire.leroy@example.fr".to_string());
            debtor.iban = Some(external_iban(index, 0, 30_004, 1_289));
            debtor.family_situation = FamilySituation::Divorced;
            debtor.dependants = 1;
            debtor.employer = Some("Clinique des Lilas".to_string());
            debtor.monthly_income = Money::euros(1_900);
            debtor.monthly_charges = Money::euros(650);
            let closed = months_ago(3);
            let claim = fixed_claim(index, 0, Overdraft, [234_000, 0, 0, 0, 0], Some("14.50")).dated(
                months_ago(110),
                closed,
                Some(months_before(closed, 2)),
                None,
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::New, ago(2));
            case.notes.push(note(
                "Compte clôturé par la banque le ",
                closed,
                " ; relances de l'agence restées sans effet.",
            ));
            case
        }
        1 => {
            let home = Address::fixed("7 avenue Jean Jaurès", "31000", "Toulouse");
            let mut debtor = fixed_person(index, 0, ("Garnier", "Thomas"), ymd(1983, 9, 2), &home);
            debtor.phone = Some("07 62 18 44 30".to_string());
            debtor.email = Some("thomas.garnier@example.com".to_string());
            debtor.iban = Some(external_iban(index, 0, 30_003, 2_170));
            debtor.family_situation = FamilySituation::Cohabiting;
            debtor.employer = Some("Transports Morel SARL".to_string());
            debtor.monthly_income = Money::from_cents(235_000);
            debtor.monthly_charges = Money::from_cents(91_000);
            debtor.ficp_registered = true;
            let incident = months_ago(20);
            let accelerated = incident + Months::new(3);
            let claim = fixed_claim(index, 0, PersonalLoan, [1_642_500, 26_100, 0, 0, 131_400], Some("5.90")).dated(
                months_before(incident, 26),
                accelerated,
                Some(incident),
                Some(ago(52)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, accelerated + Days::new(12));
            case.tags.push("prioritaire".to_string());
            case.notes.push(note(
                "Versements irréguliers de 50 € environ, le dernier le ",
                ago(52),
                " : l'incident n'est pas régularisé.",
            ));
            case
        }
        2 => {
            let home = Address::fixed("3 impasse des Lilas", "59000", "Lille");
            let mut debtor = fixed_person(index, 0, ("Faure", "Nadia"), ymd(1979, 2, 21), &home);
            debtor.phone = Some("06 85 02 71 46".to_string());
            debtor.family_situation = FamilySituation::Single;
            debtor.employment = Employment::Benefits;
            debtor.monthly_income = Money::euros(646);
            debtor.monthly_charges = Money::euros(420);
            debtor.ficp_registered = true;
            let due = ago(75);
            let claim = fixed_claim(index, 0, RevolvingCredit, [442_000, 38_000, 0, 0, 0], Some("19.90")).dated(
                months_before(due, 50),
                due,
                Some(months_before(due, 5)),
                None,
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(60));
            case.notes.push(note("Débitrice jointe le ", ago(20), " : sans emploi, RSA pour seul revenu."));
            case
        }
        3 => {
            let home = Address::fixed("22 rue de la Paix", "57000", "Metz");
            let mut debtor = fixed_person(index, 0, ("Roussel", "Karine"), ymd(1976, 11, 8), &home);
            debtor.phone = Some("06 23 90 17 55".to_string());
            debtor.email = Some("karine.roussel@example.fr".to_string());
            debtor.family_situation = FamilySituation::Divorced;
            debtor.dependants = 2;
            debtor.employer = Some("Supermarché des Halles".to_string());
            debtor.monthly_income = Money::euros(1_450);
            debtor.monthly_charges = Money::euros(980);
            debtor.over_indebtedness = OverIndebtedness::Admissible;
            debtor.ficp_registered = true;
            let due = ago(150);
            let claims = vec![
                fixed_claim(index, 0, Overdraft, [125_000, 0, 0, 0, 0], Some("15.20")).dated(
                    ymd(2009, 4, 1).min(months_before(due, 60)),
                    due,
                    Some(months_before(due, 3)),
                    None,
                ),
                fixed_claim(index, 1, RevolvingCredit, [590_000, 50_000, 0, 0, 0], Some("18.40")).dated(
                    months_before(due, 40),
                    due,
                    Some(months_before(due, 4)),
                    None,
                ),
                fixed_claim(index, 2, PersonalLoan, [1_080_000, 70_000, 0, 0, 0], Some("6.20")).dated(
                    months_before(due, 30),
                    due,
                    Some(months_before(due, 4)),
                    Some(months_before(due, 2)),
                ),
            ];
            let mut case = fixed_case(debtor, claims, CaseStatus::Suspended, ago(140));
            case.notes.push(note(
                "Recevabilité du dossier de surendettement notifiée le ",
                ago(30),
                " : procédures suspendues sur les trois créances.",
            ));
            case
        }
        4 => {
            let home = Address::fixed("40 cours Victor Hugo", "33000", "Bordeaux");
            let mut debtor = fixed_person(index, 0, ("Blanchard", "Roger"), ymd(1946, 6, 30), &home);
            debtor.family_situation = FamilySituation::Widowed;
            debtor.employment = Employment::Retired;
            debtor.monthly_income = Money::euros(1_380);
            debtor.monthly_charges = Money::euros(540);
            debtor.deceased_on = Some(ago(25));
            let due = ago(20);
            let claims = vec![
                fixed_claim(index, 0, Overdraft, [64_000, 0, 0, 0, 0], Some("14.90")).dated(
                    ymd(1994, 3, 15).min(months_before(due, 120)),
                    due,
                    Some(ago(40)),
                    None,
                ),
                fixed_claim(index, 1, Card, [112_000, 0, 0, 0, 0], None).dated(
                    months_before(due, 36),
                    due,
                    Some(ago(30)),
                    None,
                ),
            ];
            let mut case = fixed_case(debtor, claims, CaseStatus::Estate, ago(18));
            case.notes.push(note("Décès notifié par la fille du débiteur le ", ago(19), " ; notaire à identifier."));
            case
        }
        5 => {
            let home = Address::fixed("9 rue Servient", "69003", "Lyon");
            let mut debtor = fixed_person(index, 0, ("Perrin", "Sébastien"), ymd(1971, 1, 17), &home);
            debtor.family_situation = FamilySituation::Single;
            debtor.employment = Employment::Benefits;
            debtor.monthly_income = Money::from_cents(101_600);
            debtor.monthly_charges = Money::euros(480);
            debtor.protection = Protection::EnhancedCuratorship;
            debtor.guardian_name = Some("UDAF du Rhône".to_string());
            debtor.guardian_address = Some("12 rue de la Part-Dieu, 69003 Lyon".to_string());
            let due = ago(100);
            let claim = fixed_claim(index, 0, Overdraft, [179_000, 8_000, 0, 0, 0], Some("14.50")).dated(
                months_before(due, 150),
                due,
                Some(months_before(due, 3)),
                Some(months_before(due, 1)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(90));
            case.notes.push(note(
                "Curatelle renforcée confirmée par l'UDAF le ",
                ago(60),
                " : tout courrier au curateur.",
            ));
            case
        }
        6 => {
            let home = Address::fixed("18 allée des Tilleuls", "44000", "Nantes");
            let mut debtor = fixed_person(index, 0, ("Morel", "Julien"), ymd(1980, 4, 3), &home);
            debtor.phone = Some("06 70 33 12 84".to_string());
            debtor.email = Some("julien.morel@example.fr".to_string());
            debtor.family_situation = FamilySituation::Married;
            debtor.dependants = 2;
            debtor.employer = Some("Logistique du Grand Ouest SAS".to_string());
            debtor.monthly_income = Money::euros(2_650);
            debtor.monthly_charges = Money::euros(900);
            debtor.ficp_registered = true;
            let mut spouse = fixed_person(index, 1, ("Morel", "Élodie"), ymd(1982, 10, 12), &home);
            spouse.family_situation = FamilySituation::Married;
            spouse.dependants = 2;
            spouse.employer = Some("EHPAD Les Glycines".to_string());
            spouse.monthly_income = Money::euros(1_720);
            spouse.monthly_charges = Money::euros(300);
            let due = ago(45);
            let claim = fixed_claim(index, 0, Mortgage, [9_600_000, 0, 0, 0, 0], Some("1.85")).dated(
                ymd(y - 9, 6, 15),
                due,
                Some(months_before(due, 6)),
                Some(months_before(due, 4)),
            );
            let guarantee = Guarantee {
                kind: GuaranteeKind::GuaranteeBody,
                description: text_of(&["Cautionnement Habitat Caution SA du prêt ", &claim.contract_ref]),
                amount: Money::euros(96_000),
            };
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(40));
            case.parties.push((PartyRole::CoDebtor, spouse));
            case.guarantees.push(guarantee);
            case.tags.push("prioritaire".to_string());
            case
        }
        7 => {
            let home = Address::fixed("5 boulevard Gambetta", "13001", "Marseille");
            let mut debtor = fixed_person(index, 0, ("Lambert", "Kevin"), ymd(1992, 8, 25), &home);
            debtor.phone = Some("07 58 64 20 91".to_string());
            debtor.family_situation = FamilySituation::Single;
            debtor.employment = Employment::Unemployed;
            debtor.monthly_income = Money::ZERO;
            debtor.monthly_charges = Money::euros(550);
            debtor.ficp_registered = true;
            let due = ago(130);
            let claim = fixed_claim(index, 0, PersonalLoan, [900_000, 0, 0, 0, 0], Some("7.40")).dated(
                months_before(due, 28),
                due,
                Some(months_before(due, 4)),
                None,
            );
            fixed_case(debtor, vec![claim], CaseStatus::Amicable, ago(120))
        }
        8 => {
            let home = Address::fixed("31 rue Oberkampf", "75011", "Paris");
            let mut debtor = fixed_person(index, 0, ("Dupont", "Jean"), ymd(1968, 12, 5), &home);
            debtor.phone = Some("06 12 48 93 27".to_string());
            debtor.email = Some("jean.dupont@example.fr".to_string());
            debtor.iban = Some(external_iban(index, 0, 20_041, 1_005));
            debtor.family_situation = FamilySituation::Married;
            debtor.dependants = 1;
            debtor.employer = Some("Imprimerie du Centre".to_string());
            debtor.monthly_income = Money::euros(2_100);
            debtor.monthly_charges = Money::euros(1_150);
            let due = ago(200);
            let claim = fixed_claim(index, 0, Overdraft, [180_000, 0, 0, 0, 0], Some("14.90")).dated(
                ymd(2001, 9, 10).min(months_before(due, 120)),
                due,
                Some(months_before(due, 3)),
                Some(months_ago(1)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::PaymentPlan, ago(190));
            case.notes.push(note(
                "Échéancier de 12 × 150,00 € accordé le ",
                ago(160),
                ", virements mensuels (référence « REMB DUPONT »).",
            ));
            case
        }
        9 => {
            let home = Address::fixed("11 rue du Marché", "67000", "Strasbourg");
            let mut debtor = fixed_person(index, 0, ("Robin", "Céline"), ymd(1990, 3, 19), &home);
            debtor.phone = Some("06 97 15 36 02".to_string());
            debtor.email = Some("celine.robin@example.com".to_string());
            debtor.iban = Some(external_iban(index, 0, 10_278, 1_000));
            debtor.family_situation = FamilySituation::CivilUnion;
            debtor.employer = Some("Horizon Intérim".to_string());
            debtor.monthly_income = Money::euros(1_750);
            debtor.monthly_charges = Money::euros(820);
            debtor.ficp_registered = true;
            let due = ago(150);
            let claim = fixed_claim(index, 0, RevolvingCredit, [225_000, 15_000, 0, 0, 0], Some("17.20")).dated(
                months_before(due, 45),
                due,
                Some(months_before(due, 4)),
                Some(months_ago(1)),
            );
            let mut case = fixed_case(debtor, vec![claim], CaseStatus::PaymentPlan, ago(140));
            case.notes.push(note(
                "Échéancier de 12 × 200,00 € accordé le ",
                ago(95),
                ", prélèvement SEPA (mandat signé).",
            ));
            case
        }
        _ => panic!("there are ten scenario cases, 0 to 9"),
    }
}
