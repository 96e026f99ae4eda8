//! The ISO 20022 messages Recouvre reads or writes: their names, namespaces and official schemas.
//!
//! Shared by the validation (the `schema` module) and by the errors that name a message
//! (`FileError`): its own module, so that neither of those depends on the other.

use std::fmt;

use serde::{Serialize, Serializer};

/// The ISO 20022 messages Recouvre reads or writes, each with its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    /// BankToCustomerStatement V02 (end-of-day statement).
    Camt053V02,
    /// BankToCustomerStatement V08.
    Camt053V08,
    /// BankToCustomerDebitCreditNotification V02 (intraday notification, returns).
    Camt054V02,
    /// BankToCustomerDebitCreditNotification V08.
    Camt054V08,
    /// CustomerDirectDebitInitiation V02 (SEPA Core direct debits).
    Pain008V02,
    /// CustomerDirectDebitInitiation V08.
    Pain008V08,
}

impl Message {
    pub const ALL: [Message; 6] = [
        Message::Camt053V02,
        Message::Camt053V08,
        Message::Camt054V02,
        Message::Camt054V08,
        Message::Pain008V02,
        Message::Pain008V08,
    ];

    /// The message identifier, e.g. `camt.053.001.02`.
    pub fn name(self) -> &'static str {
        match self {
            Message::Camt053V02 => "camt.053.001.02",
            Message::Camt053V08 => "camt.053.001.08",
            Message::Camt054V02 => "camt.054.001.02",
            Message::Camt054V08 => "camt.054.001.08",
            Message::Pain008V02 => "pain.008.001.02",
            Message::Pain008V08 => "pain.008.001.08",
        }
    }

    /// The XML namespace of the message's `Document`.
    pub fn namespace(self) -> String {
        format!("urn:iso:std:iso:20022:tech:xsd:{}", self.name())
    }

    /// The message whose `Document` has this namespace.
    pub fn from_namespace(namespace: &str) -> Option<Message> {
        let name = namespace.strip_prefix("urn:iso:std:iso:20022:tech:xsd:")?;
        Message::ALL.into_iter().find(|message| message.name() == name)
    }

    /// A bank-to-customer statement or notification (camt.053 or camt.054).
    pub fn is_bank_to_customer(self) -> bool {
        matches!(self, Message::Camt053V02 | Message::Camt053V08 | Message::Camt054V02 | Message::Camt054V08)
    }

    /// The version 08 messages (`Dbtr/Pty`, `Sts/Cd`, `BICFI`…).
    pub fn is_v08(self) -> bool {
        matches!(self, Message::Camt053V08 | Message::Camt054V08 | Message::Pain008V08)
    }

    /// The official schema, as shipped in `schemas/`.
    pub fn xsd(self) -> &'static [u8] {
        match self {
            Message::Camt053V02 => include_bytes!("../schemas/camt.053.001.02.xsd"),
            Message::Camt053V08 => include_bytes!("../schemas/camt.053.001.08.xsd"),
            Message::Camt054V02 => include_bytes!("../schemas/camt.054.001.02.xsd"),
            Message::Camt054V08 => include_bytes!("../schemas/camt.054.001.08.xsd"),
            Message::Pain008V02 => include_bytes!("../schemas/pain.008.001.02.xsd"),
            Message::Pain008V08 => include_bytes!("../schemas/pain.008.001.08.xsd"),
        }
    }

    /// Position in [`Message::ALL`] (the schema cache is indexed by it).
    // Invariant: `ALL` lists all six variants; one added to the enum but not to `ALL` would fail
    // the schema tests (`every_embedded_schema_compiles` and the readers' tests) at once.
    #[allow(clippy::expect_used)]
    pub(crate) fn index(self) -> usize {
        Message::ALL.iter().position(|m| *m == self).expect("every message is in ALL")
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// JSON form: the message identifier (`"camt.053.001.02"`).
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}
