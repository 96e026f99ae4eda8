//! The PRNG: SplitMix64, one stream per case.

use chrono::{Days, Months, NaiveDate};

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn for_case(seed: u64, index: usize) -> Rng {
        Rng(mix64(seed ^ mix64((index as u64).wrapping_add(0x632B_E59B_D9B4_E019))))
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below anything observable here).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `per_mille` / 1000.
    pub(super) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    pub(super) fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut draw = self.below(u64::from(total)) as u32;
        for &(item, weight) in items {
            if draw < weight {
                return item;
            }
            draw -= weight;
        }
        items[items.len() - 1].0
    }

    /// Right-skewed in `lo..=hi`: `lo + (hi - lo)·u₁·u₂` (median ≈ 19 % of the span, long tail),
    /// a log-normal-ish shape for amounts, computed in integers so it is the same everywhere.
    pub(super) fn skewed(&mut self, lo: i64, hi: i64) -> i64 {
        let a = self.next_u64() >> 32;
        let b = self.next_u64() >> 32;
        lo + ((u128::from((hi - lo) as u64) * u128::from(a * b)) >> 64) as i64
    }

    /// Skewed towards `lo`: `lo + (hi - lo)·u²` (P(≤ lo + x) = √(x / span)).
    pub(super) fn squared(&mut self, lo: i64, hi: i64) -> i64 {
        let a = self.next_u64() >> 32;
        lo + ((u128::from((hi - lo + 1) as u64) * u128::from(a * a)) >> 64) as i64
    }

    /// A date in `from..=to` (or `from` when `to` is earlier).
    pub(super) fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days();
        if span <= 0 {
            return from;
        }
        from + Days::new(self.range(0, span) as u64)
    }
}

pub(super) fn days_before(date: NaiveDate, days: i64) -> NaiveDate {
    date - Days::new(days.max(0) as u64)
}

pub(super) fn months_before(date: NaiveDate, months: i64) -> NaiveDate {
    date - Months::new(months.max(0) as u32)
}
