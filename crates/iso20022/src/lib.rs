//! ISO 20022 files exchanged with the bank (issue 5): what Recouvre reads and writes, checked
//! against the official schemas.
//!
//! - [`schema`]: which message a document is ([`schema::detect`], by its namespace) and whether
//!   it is valid against the embedded XSD ([`schema::validate`], libxml2). Refuses DTDs (XXE)
//!   before any parser runs. The only module with `unsafe` code.
//! - [`camt`]: bank statements (camt.053), notifications (camt.054) and intraday reports
//!   (camt.052), versions 001.02 to 001.13, read into [`camt::Statement`]s and
//!   [`camt::Entry`]s, with a stable [`camt::entry_key`] for idempotent booking and the JSON of
//!   `recouvre statement show`.
//! - [`cfonb`]: CFONB 120 statements (the French fixed-width format), read into the same values.
//! - [`pain001`]: SEPA credit transfers out (pain.001.001.03 by default, or .09).
//! - [`pain002`]: the bank's payment status reports on our pain.001 and pain.008 files (read,
//!   structure-checked: no schema shipped).
//! - [`pain008`]: SEPA Core direct-debit initiations (pain.008.001.02 by default, or .08).
//! - [`sepa`]: IBAN, BIC, creditor identifier (ICS), mandate reference, ISO 11649 "RF"
//!   creditor references, the SEPA character set.
//!
//! Pure apart from libxml2: no file, network or clock access; callers pass bytes and dates.
//! Errors ([`FileError`], [`sepa::SepaError`], [`pain008::Pain008Error`]) are in French, for
//! the officer, and name the line, element, field and value concerned.

pub mod camt;
pub mod cfonb;
mod error;
mod message;
pub mod pain001;
pub mod pain002;
pub mod pain008;
pub mod schema;
pub mod sepa;

pub use camt::{entry_key, statement_json, statement_json_text, CreditDebit, Entry, Statement};

/// Reads every statement of a bank file, recognised by its content: CFONB 120 (not XML, first
/// record `01`, `04`, `05` or `07`: [`cfonb::read_cfonb120`]), else ISO 20022 camt.052/053/054
/// ([`camt::read_statements`], schema-checked). All or nothing: an error names the line.
pub fn read_statements(bytes: &[u8]) -> Result<Vec<Statement>, FileError> {
    if cfonb::looks_like_cfonb120(bytes) {
        return cfonb::read_cfonb120(bytes);
    }
    camt::read_statements(bytes)
}
pub use error::{FileError, SchemaError, MAX_SCHEMA_ERRORS};
pub use message::{LATEST_CAMT_VERSION, LATEST_PAIN002_VERSION};
pub use pain001::{write_pain001, CreditTransfer, CreditTransferBatch, Pain001Version};
pub use pain002::{read_payment_status, PaymentStatus, PaymentStatusReport, StatusReason, TransactionStatus};
pub use pain008::{
    write_pain008, Creditor, DirectDebit, DirectDebitBatch, MandateAmendment, Pain008Error, Pain008Version,
    SequenceType,
};
pub use schema::{detect, validate, Message};
