//! The deterministic demo portfolio generator.
//!
//! Produces a realistic French litigation portfolio (debtors, claims, guarantees, other accounts,
//! statuses, notes) for demos, load tests and end-to-end tests. Pure: no I/O, no clock, no threads,
//! no global random generator. Every case is drawn from its own small PRNG (SplitMix64) seeded from
//! `(seed, index)`, so case `i` depends only on `(seed, index, today, officers)`: several processes
//! can generate disjoint ranges with [`generate_one`], and [`generate`] streams any number of cases
//! lazily without holding them in memory.
//!
//! Indexes 0 to 9 are always the ten typical cases of `shared/domain/scenarios.md` (fixed data, dates
//! relative to `today`), so any portfolio of 10 cases or more contains all of them; the comment
//! on `scenario_case` says what each one holds.
//!
//! Identifiers are derived from the index through bijections, so they are unique across a
//! portfolio (and across processes generating disjoint ranges of the same portfolio):
//! customer numbers `C` + 9 digits (four per case: debtor, co-debtor, guarantor, spare; unique up
//! to 250 million cases, longer beyond), account numbers at the bank (11 digits, eight per case:
//! claims in slots 0–2, other accounts in slots 3–7) which also number the loan contracts
//! (`PP-2023-0123456789`), and the debtors' external IBANs (FR76, valid RIB key and ISO 13616
//! check digits).
//!
//! All the data are invented; e-mail addresses use `example.fr` / `example.com` only.
//!
//! The files: the PRNG (`rng.rs`), identifiers derived from the index (`identifiers.rs`, with the
//! text helpers of `text.rs`), the reference tables of invented people and real places
//! (`tables.rs`), people (`people.rs`), claims and guarantees (`claims.rs`), notes (`notes.rs`), a
//! random case (`random.rs`) and the ten typical cases (`scenarios.rs`).

use chrono::NaiveDate;
use recouvre_domain::case::NewCase;

use random::random_case;
use scenarios::{scenario_case, SCENARIOS};

mod claims;
mod identifiers;
mod notes;
mod people;
mod random;
mod rng;
mod scenarios;
mod tables;
mod text;

#[cfg(test)]
mod tests;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortfolioSpec {
    /// Number of cases [`generate`] yields.
    pub cases: usize,
    /// Seed of the generator: same spec, same portfolio.
    pub seed: u64,
    /// The day the portfolio is generated for: every date is on or before it.
    pub today: NaiveDate,
    /// Logins of the officers to assign cases to; no assignment at all when empty.
    pub officers: Vec<String>,
}

/// Streams `spec.cases` cases, lazily: case `i` is `generate_one(spec, i)`.
pub fn generate(spec: &PortfolioSpec) -> impl Iterator<Item = NewCase> {
    let spec = spec.clone();
    let cases = spec.cases;
    (0..cases).map(move |index| generate_one(&spec, index))
}

/// Case number `index` of the portfolio. Depends only on `(seed, index, today, officers)`, not on
/// `spec.cases`: an index beyond `spec.cases` is allowed and yields the same case a larger
/// portfolio would hold.
pub fn generate_one(spec: &PortfolioSpec, index: usize) -> NewCase {
    if index < SCENARIOS {
        let mut case = scenario_case(index, spec.today);
        if !spec.officers.is_empty() {
            case.officer = Some(spec.officers[index % spec.officers.len()].clone());
        }
        case
    } else {
        random_case(spec, index)
    }
}
