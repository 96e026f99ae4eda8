//! Recouvre's pure domain core: money, calendar, the law, the journal and the case model.
//!
//! Nothing in this crate does I/O, spawns threads or awaits: every function takes its inputs
//! (including "today" and the reference data) as arguments and returns a value. The storage,
//! web and CLI crates are thin shells around it. See `ARCHITECTURE.md` at the repository root.

pub mod money;

// The law as code (issue 3). Each module cites the articles it applies.
pub mod accrual;
pub mod allocation;
pub mod aml;
pub mod business_date;
pub mod calc;
pub mod calendar;
pub mod claim_balance;
pub mod claim_interest;
// Costs as money: their legal nature, who bears them (issue 18).
pub mod costs;
pub mod foreclosure;
pub mod garnishment;
pub mod indemnity;
pub mod limitation;
pub mod payment_plan;
pub mod reference;
pub mod statutory_interest;
// VAT on costs: the rates in force, the invoice's amounts (issue 18).
pub mod vat;

// Vigilance (issue 9).
pub mod sanctions;

// The recovery workflow (issue 4).
pub mod agenda;
pub mod assessment;
pub mod delegation;
pub mod procedure;
pub mod strategy;
pub mod time_bar;

// The case file and its journal (issue 2).
// Incoming documents recognised by their content (issue 17).
pub mod attachment;
pub mod authority;
pub mod bank_account;
// IBAN, BIC, ICS and RF references checked in one place (issue 21).
pub mod bank_identifiers;
pub mod case;
pub mod closure;
// The competent court of a payment-order request, as reference data (issue 20).
pub mod courts;
pub mod debtor_alerts;
pub mod debtor_file;
pub mod direct_debit;
pub mod intake;
pub mod intake_parties;
pub mod journal;
pub mod ledger;
// Credits a statement would book far above the debt or out of date go to suspense (issue 22).
pub mod plausibility;
// How long each kind of data is kept, and when a closed case's personal data is erased (issue 24).
pub mod retention;
pub mod snapshot;
// The one French label of each code screens and letters show (issue 16).
pub mod vocabulary;

// Committee packs and activity steering (issue 8).
pub mod committee;
pub mod csv_cell;

pub use money::Money;
