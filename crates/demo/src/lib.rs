//! Demo and test data: the deterministic portfolio generator behind `recouvre seed` and
//! `recouvre demo`, the load benchmarks and the end-to-end tests.
//!
//! Test and demo data, not law: it lives outside `recouvre-domain`, which it only uses (the case
//! model it fills, `Money`). Pure like the domain: no I/O, no clock, no threads.

pub mod portfolio;
