//! The messages Recouvre reads or writes: their names, namespaces and official schemas.
//!
//! Shared by the validation (the `schema` module) and by the errors that name a message
//! (`FileError`): its own module, so that neither of those depends on the other.
//!
//! Bank-to-customer messages (camt.052, camt.053, camt.054) are known in every version from
//! 001.02 to [`LATEST_CAMT_VERSION`]: banks move from one version to the next at their own pace,
//! and the elements Recouvre reads have kept their names. Each version is validated against its
//! own schema when it is shipped in `schemas/`, else against the closest shipped version(s) of
//! the same message ([`Message::schemas`], docs/formats/statements.md). CFONB 120, the French
//! banks' fixed-width statement, is not ISO 20022 but is read into the same values: it is a
//! "message" here so that a statement says where it came from (`"cfonb120"`).

use std::fmt;

use serde::{Serialize, Serializer};

/// The most recent camt version recognised (camt.053.001.13, ISO 20022 2023 maintenance).
pub const LATEST_CAMT_VERSION: u8 = 13;

/// The messages Recouvre reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    /// BankToCustomerAccountReport, version 001.NN (intraday report, shown for information only).
    Camt052(u8),
    /// BankToCustomerStatement, version 001.NN (end-of-day statement).
    Camt053(u8),
    /// BankToCustomerDebitCreditNotification, version 001.NN (intraday notification, returns).
    Camt054(u8),
    /// CustomerDirectDebitInitiation V02 (SEPA Core direct debits).
    Pain008V02,
    /// CustomerDirectDebitInitiation V08.
    Pain008V08,
    /// CustomerCreditTransferInitiation V03 (SEPA credit transfers out).
    Pain001V03,
    /// CustomerCreditTransferInitiation V09 (EPC 2023 implementation).
    Pain001V09,
    /// CFONB 120 « relevé de compte » (fixed width, not XML): brief §5.6.
    Cfonb120,
    /// CustomerPaymentStatusReport, version 001.NN (03 to [`LATEST_PAIN002_VERSION`]): the
    /// bank's answer to a pain.001 or pain.008. No schema is shipped (none in
    /// `../shared/iso20022/`): its structure is checked by its reader (`crate::pain002`).
    Pain002(u8),
}

/// The most recent pain.002 version recognised (pain.002.001.14, ISO 20022 2023 maintenance).
pub const LATEST_PAIN002_VERSION: u8 = 14;

// The names the rest of the workspace used before every version was known.
#[allow(non_upper_case_globals)]
impl Message {
    pub const Camt053V02: Message = Message::Camt053(2);
    pub const Camt053V08: Message = Message::Camt053(8);
    pub const Camt054V02: Message = Message::Camt054(2);
    pub const Camt054V08: Message = Message::Camt054(8);
    pub const Camt052V02: Message = Message::Camt052(2);
}

impl Message {
    /// Every message whose official schema is shipped in `schemas/` (and compiled on demand).
    pub const ALL: [Message; 15] = [
        Message::Camt053(2),
        Message::Camt053(3),
        Message::Camt053(4),
        Message::Camt053(8),
        Message::Camt054(2),
        Message::Camt054(4),
        Message::Camt054(8),
        Message::Camt052(2),
        Message::Camt052(4),
        Message::Camt052(6),
        Message::Camt052(8),
        Message::Pain008V02,
        Message::Pain008V08,
        Message::Pain001V03,
        Message::Pain001V09,
    ];

    /// The message identifier, e.g. `camt.053.001.02` (`cfonb120` for CFONB 120).
    pub fn name(self) -> String {
        match self {
            Message::Camt052(version) => format!("camt.052.001.{version:02}"),
            Message::Camt053(version) => format!("camt.053.001.{version:02}"),
            Message::Camt054(version) => format!("camt.054.001.{version:02}"),
            Message::Pain008V02 => "pain.008.001.02".into(),
            Message::Pain008V08 => "pain.008.001.08".into(),
            Message::Pain001V03 => "pain.001.001.03".into(),
            Message::Pain001V09 => "pain.001.001.09".into(),
            Message::Cfonb120 => "cfonb120".into(),
            Message::Pain002(version) => format!("pain.002.001.{version:02}"),
        }
    }

    /// The XML namespace of the message's `Document`.
    pub fn namespace(self) -> String {
        format!("urn:iso:std:iso:20022:tech:xsd:{}", self.name())
    }

    /// The message whose `Document` has this namespace.
    pub fn from_namespace(namespace: &str) -> Option<Message> {
        let name = namespace.strip_prefix("urn:iso:std:iso:20022:tech:xsd:")?;
        let camt = |prefix: &str, make: fn(u8) -> Message| {
            let version = name.strip_prefix(prefix)?;
            let number: u8 = version.parse().ok()?;
            (version.len() == 2 && (2..=LATEST_CAMT_VERSION).contains(&number)).then(|| make(number))
        };
        camt("camt.052.001.", Message::Camt052)
            .or_else(|| camt("camt.053.001.", Message::Camt053))
            .or_else(|| camt("camt.054.001.", Message::Camt054))
            .or_else(|| {
                let version = name.strip_prefix("pain.002.001.")?;
                let number: u8 = version.parse().ok()?;
                (version.len() == 2 && (3..=LATEST_PAIN002_VERSION).contains(&number))
                    .then_some(Message::Pain002(number))
            })
            .or_else(|| {
                [Message::Pain008V02, Message::Pain008V08, Message::Pain001V03, Message::Pain001V09]
                    .into_iter()
                    .find(|message| message.name() == name)
            })
    }

    /// A bank-to-customer statement or notification that can be booked (camt.053, camt.054,
    /// CFONB 120).
    pub fn is_bank_to_customer(self) -> bool {
        matches!(self, Message::Camt053(_) | Message::Camt054(_) | Message::Cfonb120)
    }

    /// A payment status report (pain.002): read by `crate::pain002`, never booked as a statement.
    pub fn is_payment_status(self) -> bool {
        matches!(self, Message::Pain002(_))
    }

    /// An intraday account report (camt.052): shown for information, never booked.
    pub fn is_report(self) -> bool {
        matches!(self, Message::Camt052(_))
    }

    /// The shipped schemas this message is validated against, best first: its own when shipped,
    /// else the closest shipped versions of the same message (the one below, then the one
    /// above; only the highest for versions newer than any shipped). A document is valid when
    /// it is valid against one of them. Empty for CFONB 120 (no schema: the layout is checked
    /// by its reader).
    pub fn schemas(self) -> Vec<Message> {
        if Message::ALL.contains(&self) {
            return vec![self];
        }
        let (make, version): (fn(u8) -> Message, u8) = match self {
            Message::Camt052(v) => (Message::Camt052, v),
            Message::Camt053(v) => (Message::Camt053, v),
            Message::Camt054(v) => (Message::Camt054, v),
            _ => return Vec::new(),
        };
        let shipped: Vec<u8> = (2..=LATEST_CAMT_VERSION).filter(|v| Message::ALL.contains(&make(*v))).collect();
        let below = shipped.iter().rev().find(|v| **v < version).copied();
        let above = shipped.iter().find(|v| **v > version).copied();
        below.into_iter().chain(above).map(make).collect()
    }

    /// The official schema, as shipped in `schemas/`; `None` for a message validated against
    /// another version's schema ([`Message::schemas`]).
    pub fn xsd(self) -> Option<&'static [u8]> {
        let bytes: &'static [u8] = match self {
            Message::Camt053(2) => include_bytes!("../schemas/camt.053.001.02.xsd"),
            Message::Camt053(3) => include_bytes!("../schemas/camt.053.001.03.xsd"),
            Message::Camt053(4) => include_bytes!("../schemas/camt.053.001.04.xsd"),
            Message::Camt053(8) => include_bytes!("../schemas/camt.053.001.08.xsd"),
            Message::Camt054(2) => include_bytes!("../schemas/camt.054.001.02.xsd"),
            Message::Camt054(4) => include_bytes!("../schemas/camt.054.001.04.xsd"),
            Message::Camt054(8) => include_bytes!("../schemas/camt.054.001.08.xsd"),
            Message::Camt052(2) => include_bytes!("../schemas/camt.052.001.02.xsd"),
            Message::Camt052(4) => include_bytes!("../schemas/camt.052.001.04.xsd"),
            Message::Camt052(6) => include_bytes!("../schemas/camt.052.001.06.xsd"),
            Message::Camt052(8) => include_bytes!("../schemas/camt.052.001.08.xsd"),
            Message::Pain008V02 => include_bytes!("../schemas/pain.008.001.02.xsd"),
            Message::Pain008V08 => include_bytes!("../schemas/pain.008.001.08.xsd"),
            Message::Pain001V03 => include_bytes!("../schemas/pain.001.001.03.xsd"),
            Message::Pain001V09 => include_bytes!("../schemas/pain.001.001.09.xsd"),
            _ => return None,
        };
        Some(bytes)
    }

    /// Position in [`Message::ALL`] (the schema cache is indexed by it), for shipped schemas.
    pub(crate) fn index(self) -> Option<usize> {
        Message::ALL.iter().position(|m| *m == self)
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// JSON form: the message identifier (`"camt.053.001.02"`, `"cfonb120"`).
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}
