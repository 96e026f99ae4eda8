//! Claims.

use chrono::{Datelike, Days, NaiveDate};
use std::fmt::Write as _;

use super::identifiers::contract_ref;
use super::people::Address;
use super::rng::{days_before, Rng};
use super::tables::{CAR_MODELS, GUARANTEE_BODIES, NATURES};
use super::text::push_digits;
use super::text::text_of;
use recouvre_domain::case::{Breakdown, CaseStatus, Claim, ClaimNature, Guarantee, GuaranteeKind};
use recouvre_domain::Money;

/// Principal range in euros (the balance at closure or acceleration).
fn principal_range(nature: ClaimNature) -> (i64, i64) {
    match nature {
        ClaimNature::Overdraft => (150, 8_000),
        ClaimNature::Card => (300, 5_000),
        ClaimNature::RevolvingCredit => (1_000, 15_000),
        ClaimNature::PersonalLoan => (2_000, 40_000),
        ClaimNature::Mortgage => (30_000, 350_000),
    }
}

/// Contractual rate in basis points, if any.
fn rate_bp(rng: &mut Rng, nature: ClaimNature, contract_year: i32) -> Option<i64> {
    match nature {
        ClaimNature::Overdraft => rng.chance(850).then(|| rng.range(1_290, 1_690)),
        ClaimNature::Card => rng.chance(450).then(|| rng.range(1_490, 2_090)),
        ClaimNature::RevolvingCredit => Some(rng.range(1_290, 2_190)),
        ClaimNature::PersonalLoan => Some(rng.range(290, 890)),
        // Home-loan rates were low until 2022.
        ClaimNature::Mortgage if contract_year < 2022 => Some(rng.range(85, 220)),
        ClaimNature::Mortgage => Some(rng.range(180, 420)),
    }
}

fn rate_text(bp: i64) -> String {
    let mut text = String::with_capacity(6);
    push_digits(&mut text, (bp / 100) as u64, 1);
    text.push('.');
    push_digits(&mut text, (bp % 100) as u64, 2);
    text
}

fn contract_age_days(rng: &mut Rng, nature: ClaimNature) -> i64 {
    match nature {
        ClaimNature::Overdraft => rng.range(365, 7_300),
        ClaimNature::Card | ClaimNature::RevolvingCredit => rng.range(365, 3_650),
        ClaimNature::PersonalLoan => rng.range(180, 2_555),
        ClaimNature::Mortgage => rng.range(730, 7_300),
    }
}

pub(super) fn secondary_nature(rng: &mut Rng, primary: ClaimNature) -> ClaimNature {
    // The usual companions: a card debt on the closed account, an overdraft next to a loan.
    match (primary, rng.below(10)) {
        (ClaimNature::Overdraft, 0..=3) => ClaimNature::Card,
        (ClaimNature::Card, 0..=5) => ClaimNature::Overdraft,
        (ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit | ClaimNature::Mortgage, 0..=3) => {
            ClaimNature::Overdraft
        }
        _ => loop {
            let nature = rng.weighted(NATURES);
            if nature != ClaimNature::Mortgage {
                break nature;
            }
        },
    }
}

/// Everything a random claim depends on besides the PRNG.
pub(super) struct ClaimContext {
    pub(super) index: usize,
    pub(super) slot: u64,
    pub(super) nature: ClaimNature,
    pub(super) due_on: NaiveDate,
    /// Set for the near-foreclosure cases; drawn otherwise.
    pub(super) first_incident_on: Option<NaiveDate>,
    pub(super) adult_on: NaiveDate,
    pub(super) status: CaseStatus,
    pub(super) case_age_days: i64,
    pub(super) today: NaiveDate,
}

pub(super) fn random_claim(rng: &mut Rng, ctx: &ClaimContext) -> Claim {
    let nature = ctx.nature;
    let due_on = ctx.due_on;
    let latest_opening = days_before(due_on, 30);
    let opened_on = days_before(due_on, contract_age_days(rng, nature)).max(ctx.adult_on).min(latest_opening);

    let (lo, hi) = principal_range(nature);
    let principal = rng.skewed(lo * 100, hi * 100);
    let rate = rate_bp(rng, nature, opened_on.year());

    // Interest left unpaid between the first incident and the closure or acceleration.
    let months = match nature {
        ClaimNature::Overdraft | ClaimNature::Card => rng.range(1, 3),
        ClaimNature::RevolvingCredit | ClaimNature::PersonalLoan => rng.range(2, 6),
        ClaimNature::Mortgage => rng.range(3, 9),
    };
    let contractual_interest = rate.map_or(0, |bp| principal * bp * months / 120_000);

    // Consumer-credit default indemnity: 8 % of the capital due (D312-16); mortgage: ≤ 7 %.
    let penalties = match nature {
        ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit if rng.chance(500) => principal * 8 / 100,
        ClaimNature::Mortgage if rng.chance(600) => principal * rng.range(300, 700) / 10_000,
        _ => 0,
    };

    // Statutory interest (about 3 % a year) on a closed account's balance since the formal
    // notice, or on the indemnity once a court has awarded it.
    let judicial = matches!(ctx.status, CaseStatus::Judicial | CaseStatus::Enforcement);
    let accrual_days = ctx.case_age_days.min(1_095);
    let statutory_interest = match nature {
        ClaimNature::Overdraft | ClaimNature::Card if ctx.case_age_days > 30 && rng.chance(600) => {
            principal * 300 * accrual_days / 3_650_000
        }
        _ if judicial && penalties > 0 && rng.chance(500) => penalties * 300 * accrual_days / 3_650_000,
        _ => 0,
    };

    let costs = match ctx.status {
        CaseStatus::Judicial => rng.range(3_500, 25_000),
        CaseStatus::Enforcement => rng.range(15_000, 120_000),
        CaseStatus::Closed if rng.chance(250) => rng.range(3_000, 40_000),
        CaseStatus::Suspended | CaseStatus::PaymentPlan | CaseStatus::Agency | CaseStatus::Estate
            if ctx.case_age_days > 365 && rng.chance(300) =>
        {
            rng.range(3_500, 30_000)
        }
        _ => 0,
    };

    let first_incident_on = match ctx.first_incident_on {
        Some(date) => Some(date),
        None if nature == ClaimNature::Mortgage && rng.chance(100) => None,
        None => Some(days_before(due_on, rng.range(60, 180)).max(opened_on + Days::new(30)).min(due_on)),
    };
    let payments_from = first_incident_on.unwrap_or(due_on);
    let last_payment_on = match ctx.status {
        CaseStatus::PaymentPlan => Some(days_before(ctx.today, rng.range(1, 40).min(ctx.case_age_days))),
        CaseStatus::Closed => Some(rng.date_between(days_before(ctx.today, ctx.case_age_days), ctx.today)),
        _ if ctx.first_incident_on.is_some() => {
            // Small irregular payments that never regularised the incident.
            Some(rng.date_between(payments_from + Days::new(30), days_before(ctx.today, 10)))
        }
        CaseStatus::Amicable | CaseStatus::Agency if ctx.case_age_days > 365 && rng.chance(700) => {
            Some(days_before(ctx.today, rng.range(5, 90)))
        }
        _ if rng.chance(350) => Some(rng.date_between(payments_from, ctx.today)),
        _ => None,
    };

    Claim {
        contract_ref: contract_ref(nature, ctx.index, ctx.slot, opened_on),
        nature,
        amounts: Breakdown {
            principal: Money::from_cents(principal),
            contractual_interest: Money::from_cents(contractual_interest),
            statutory_interest: Money::from_cents(statutory_interest),
            costs: Money::from_cents(costs),
            penalties: Money::from_cents(penalties),
        },
        contractual_rate: rate.map(rate_text),
        opened_on: Some(opened_on),
        due_on,
        first_incident_on,
        last_payment_on,
    }
}

/// Round down to whole thousands of euros (at least 1 000 €).
pub(super) fn thousands(cents: i64) -> Money {
    Money::euros((cents / 100_000).max(1) * 1_000)
}

pub(super) fn loan_guarantees(rng: &mut Rng, claim: &Claim, home: &Address, out: &mut Vec<Guarantee>) {
    let principal = claim.amounts.principal.cents();
    match claim.nature {
        ClaimNature::Mortgage => {
            if rng.chance(850) {
                if rng.chance(550) {
                    let body = rng.pick(GUARANTEE_BODIES);
                    out.push(Guarantee {
                        kind: GuaranteeKind::GuaranteeBody,
                        description: text_of(&["Cautionnement ", body, " du prêt ", &claim.contract_ref]),
                        amount: thousands(principal * rng.range(100, 120) / 100),
                    });
                } else {
                    out.push(Guarantee {
                        kind: GuaranteeKind::Mortgage,
                        description: text_of(&[
                            "Hypothèque conventionnelle de 1er rang sur le bien sis ",
                            &home.one_line(),
                        ]),
                        amount: thousands(principal * rng.range(110, 140) / 100),
                    });
                }
            }
            if rng.chance(300) {
                out.push(insurance(rng, principal));
            }
        }
        ClaimNature::PersonalLoan => {
            if rng.chance(50) {
                const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTVWXYZ";
                let letter = |rng: &mut Rng| char::from(rng.pick(LETTERS));
                let mut plate = String::with_capacity(9);
                plate.push(letter(rng));
                plate.push(letter(rng));
                let _ = write!(plate, "-{:03}-", rng.range(1, 999));
                plate.push(letter(rng));
                plate.push(letter(rng));
                out.push(Guarantee {
                    kind: GuaranteeKind::Pledge,
                    description: text_of(&["Gage sur véhicule ", rng.pick(CAR_MODELS), " immatriculé ", &plate]),
                    amount: Money::from_cents(principal * 6 / 10),
                });
            }
            if rng.chance(200) {
                out.push(insurance(rng, principal));
            }
        }
        _ => {}
    }
}

fn insurance(rng: &mut Rng, principal: i64) -> Guarantee {
    let share = if rng.chance(600) { 100 } else { 50 };
    Guarantee {
        kind: GuaranteeKind::Insurance,
        description: if share == 100 {
            "Assurance emprunteur décès-invalidité, quotité 100 %".to_string()
        } else {
            "Assurance emprunteur décès-invalidité, quotité 50 %".to_string()
        },
        amount: Money::from_cents(principal * share / 100),
    }
}
