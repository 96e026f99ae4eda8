//! Recovery procedures as explicit state machines (issue 4).
//!
//! Each [`ProcedureKind`] — amicable phase, payment order, the four seizures, collection agency,
//! over-indebtedness, estate, guarantor call — is a table of transitions ([`Step`] from one
//! [`State`] to another). [`apply`] checks a step against the table, the case's context and the
//! deadlines still open, and returns a [`Transition`]: the new state, the deadlines the step opens
//! (computed with [`calendar::deadline`](crate::calendar::deadline), CPC 641 and 642, each with its article), the deadlines it
//! closes, the documents it calls for, and what the officer must know. An impossible step is refused
//! with a French message saying why and what is possible instead ([`ProcedureError`]).
//!
//! Pure: "today" is the step's date `on` (the day the act took place: the order's date, the day of
//! service, the day of publication — not the day it is keyed in), the open deadlines come in the
//! [`ProcedureContext`], and the bank's own choices (cure period, warnings, agency mandate) are the
//! [`ProcedurePolicy`], data in `crates/domain/data/procedure_policy.toml`.
//!
//! One [`State`] and one [`Step`] enumeration serve every kind: a procedure is always stored with its
//! kind, and sharing the states that mean the same thing everywhere (`closed`, `lapsed`,
//! `command_served`, `contested`…) keeps the tables short. Which states and steps belong to a kind
//! is given by its table ([`ProcedureKind::states`], [`ProcedureKind::steps`]).
//!
//! The module is split by what each file holds: the kinds, states, steps,
//! deadlines, documents and refusal reasons with their codes and labels (`states.rs`); the bank's
//! policy (`policy.rs`); the transition tables (`tables.rs`); applying a step — its inputs, its
//! result and its refusals (`apply.rs`); and what each step opens, closes and calls for
//! (`effects.rs`). Everything public is re-exported here: callers write `procedure::X`.

mod apply;
mod context;
mod effects;
mod policy;
mod states;
mod tables;

#[cfg(test)]
mod tests;

pub use apply::{
    apply, possible_steps, OpenedDeadline, PendingDeadline, ProcedureContext, ProcedureError, StepInput, Transition,
};
pub use context::{region_of_postcode, CaseFacts, ProcedureFact};
pub use policy::{default_time_bar_warning_days, PolicyError, ProcedurePolicy};
pub use states::{DeadlineKind, DocumentKind, LimitSide, ProcedureKind, RefusalReason, State, Step};
pub use tables::is_final;
