//! Writing SEPA Core direct-debit initiations: pain.008.001.02 (the default, still what most
//! French banks take) or pain.008.001.08 (EPC rulebook since November 2023).
//!
//! One `PmtInf` per sequence type (`FRST`, `RCUR`, `FNAL`, `OOFF`, in that order), each with its
//! own `NbOfTxs` and `CtrlSum`; the group header carries the file's totals. Service level
//! `SEPA`, local instrument `CORE`, charges `SLEV`, the creditor identifier under
//! `CdtrSchmeId` with scheme `SEPA`, amounts in euros with two decimals.
//!
//! Everything is checked before a byte is written, and each refusal names the field:
//! - the collection date must be a TARGET2 business day (the error gives the next one) and not
//!   before the file's creation date;
//! - IBANs (mod 97, country length, RIB key, SEPA country), BICs, the creditor identifier (ICS),
//!   mandate references, end-to-end and message identifiers ([`crate::sepa`]); end-to-end ids are
//!   unique in the file; a mandate is not signed after the collection date;
//! - texts (names, remittance, initiating party) are converted to the SEPA Latin character set
//!   by [`sepa::to_sepa_text`]: accents are removed (`é` → `e`), `&` becomes `+`; a character
//!   that has no conversion (`@`, `€`…) is refused, never dropped silently. Names are limited
//!   to 70 characters (EPC), remittance to 140.
//!
//! Every text is XML-escaped, and the finished document is validated against the embedded
//! schema before it is returned: an invalid file is never produced.
//!
//! Not covered: the debtor's postal address, which the EPC rulebook requires from November
//! 2025 when the debtor's bank is outside the EEA (Switzerland, United Kingdom…).
//!
//! A mandate amended since its last collection is reported on the next one (EPC SDD Core
//! rulebook, AT-24): `AmdmntInd` `true` and `AmdmntInfDtls` with the original mandate reference
//! (`OrgnlMndtId`) when the RUM changed, the original IBAN (`OrgnlDbtrAcct`) when the debtor
//! changed account at the same bank, or `OrgnlDbtrAgt/FinInstnId/Othr/Id` `SMNDA` (same mandate,
//! new debtor agent) when the new account is at another bank.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use recouvre_domain::calendar;
use recouvre_domain::Money;

use crate::error::FileError;
use crate::message::Message;
use crate::schema;
use crate::sepa::{self, SepaError};

/// Which pain.008 version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pain008Version {
    /// pain.008.001.02 (`<BIC>`).
    #[default]
    V02,
    /// pain.008.001.08 (`<BICFI>`).
    V08,
}

impl Pain008Version {
    /// The message written.
    pub fn message(self) -> Message {
        match self {
            Pain008Version::V02 => Message::Pain008V02,
            Pain008Version::V08 => Message::Pain008V08,
        }
    }

    /// From the CLI's `--version` value: `02`, `2`, `08`, `8`, or the full `pain.008.001.08`.
    pub fn parse(text: &str) -> Option<Pain008Version> {
        match text.trim().trim_start_matches("pain.008.").trim_start_matches("001.") {
            "02" | "2" => Some(Pain008Version::V02),
            "08" | "8" => Some(Pain008Version::V08),
            _ => None,
        }
    }
}

/// SEPA sequence type of a collection under a mandate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SequenceType {
    /// `FRST`: first collection of a recurrent mandate.
    First,
    /// `RCUR`: following collections.
    Recurrent,
    /// `FNAL`: last collection.
    Final,
    /// `OOFF`: one-off mandate.
    OneOff,
}

impl SequenceType {
    pub const ALL: [SequenceType; 4] =
        [SequenceType::First, SequenceType::Recurrent, SequenceType::Final, SequenceType::OneOff];

    /// The ISO code (`FRST`, `RCUR`, `FNAL`, `OOFF`).
    pub fn code(self) -> &'static str {
        match self {
            SequenceType::First => "FRST",
            SequenceType::Recurrent => "RCUR",
            SequenceType::Final => "FNAL",
            SequenceType::OneOff => "OOFF",
        }
    }
}

/// The creditor: us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creditor {
    pub name: String,
    pub iban: String,
    pub bic: String,
    /// SEPA creditor identifier (ICS), e.g. `FR72ZZZ123456`.
    pub creditor_id: String,
}

/// One collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectDebit {
    pub end_to_end_id: String,
    pub amount: Money,
    /// Unique mandate reference (RUM).
    pub mandate_id: String,
    pub mandate_signed_on: NaiveDate,
    pub sequence: SequenceType,
    pub debtor_name: String,
    pub debtor_iban: String,
    /// Optional since 2016 for SEPA debtors (`NOTPROVIDED` is written without it).
    pub debtor_bic: Option<String>,
    /// Unstructured remittance information (`Ustrd`); empty writes none.
    pub remittance: String,
    /// The mandate's amendments since its last collection, reported with this one.
    pub amendment: Option<MandateAmendment>,
}

/// What changed in a mandate since its last collection (EPC AT-24, `AmdmntInfDtls`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MandateAmendment {
    /// The reference (RUM) before it changed (`OrgnlMndtId`).
    pub original_mandate_id: Option<String>,
    /// The debtor's IBAN before it changed, at the same bank (`OrgnlDbtrAcct`).
    pub original_debtor_iban: Option<String>,
    /// The debtor moved to another bank (`OrgnlDbtrAgt` `SMNDA`); the original IBAN is then not
    /// given.
    pub other_bank: bool,
}

/// A file of collections, all due on `collection_date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectDebitBatch {
    pub message_id: String,
    pub created_at: NaiveDateTime,
    pub initiating_party: String,
    pub creditor: Creditor,
    pub collection_date: NaiveDate,
    pub debits: Vec<DirectDebit>,
}

/// Why a direct-debit file was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pain008Error {
    #[error("aucun prélèvement à émettre")]
    Empty,
    #[error(
        "la date d'échéance du {} n'est pas un jour ouvré TARGET2 ({reason}) : prochaine date possible : le {}",
        french_date(*.date),
        french_date(*.next)
    )]
    NotTarget2 { date: NaiveDate, next: NaiveDate, reason: String },
    #[error("la date d'échéance du {} est antérieure à la date de création du fichier ({})", french_date(*.date), french_date(*.created))]
    CollectionInThePast { date: NaiveDate, created: NaiveDate },
    #[error("{field} : {error}")]
    Field { field: String, error: SepaError },
    #[error("{field} : {detail}")]
    Invalid { field: String, detail: String },
    #[error("l'identifiant de bout en bout « {0} » apparaît deux fois dans le fichier")]
    DuplicateEndToEndId(String),
    #[error("le fichier produit n'est pas conforme au schéma (erreur interne, à signaler) : {0}")]
    Schema(FileError),
}

fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// The largest amount of one SEPA direct debit (EPC rulebook: 999 999 999,99 €).
pub const MAX_AMOUNT: Money = Money::from_cents(99_999_999_999);

/// Checked and converted data, ready to write.
struct Checked {
    message_id: String,
    initiating_party: String,
    creditor_name: String,
    creditor_iban: String,
    creditor_bic: String,
    creditor_id: String,
    debits: Vec<CheckedDebit>,
}

struct CheckedDebit {
    end_to_end_id: String,
    amount: Money,
    mandate_id: String,
    mandate_signed_on: NaiveDate,
    sequence: SequenceType,
    debtor_name: String,
    debtor_iban: String,
    debtor_bic: Option<String>,
    remittance: Option<String>,
    amendment: Option<MandateAmendment>,
}

pub(crate) fn field<T>(name: &str, outcome: Result<T, SepaError>) -> Result<T, Pain008Error> {
    outcome.map_err(|error| Pain008Error::Field { field: name.to_string(), error })
}

/// The end-to-end identifier and the amount of a batch's entry number `index` (0-based), checked
/// alike for direct debits and credit transfers (`noun`: « prélèvement » or « virement »): a
/// valid identifier, unique in the file (`seen`), and an amount SEPA can carry. Returns the
/// identifier as checked.
pub(crate) fn check_entry(
    seen: &mut HashSet<String>,
    noun: &str,
    index: usize,
    end_to_end_id: &str,
    amount: Money,
) -> Result<String, Pain008Error> {
    let name = |what: &str| format!("{noun} n° {} ({end_to_end_id}) : {what}", index + 1);
    let checked = field(&name("identifiant de bout en bout"), crate::sepa::validate_identifier(end_to_end_id))?;
    if !seen.insert(checked.clone()) {
        return Err(Pain008Error::DuplicateEndToEndId(checked));
    }
    if !amount.is_positive() || amount > MAX_AMOUNT {
        return Err(Pain008Error::Invalid {
            field: name("montant"),
            detail: format!("{} : un {noun} SEPA va de 0,01 € à 999 999 999,99 €", amount.to_french()),
        });
    }
    Ok(checked)
}

fn check(batch: &DirectDebitBatch) -> Result<Checked, Pain008Error> {
    if batch.debits.is_empty() {
        return Err(Pain008Error::Empty);
    }
    let date = batch.collection_date;
    if !calendar::is_target2_business_day(date) {
        let reason = match date.weekday() {
            Weekday::Sat => "samedi".to_string(),
            Weekday::Sun => "dimanche".to_string(),
            _ => "jour de fermeture de TARGET2".to_string(),
        };
        return Err(Pain008Error::NotTarget2 { date, next: calendar::next_target2_business_day(date), reason });
    }
    if date < batch.created_at.date() {
        return Err(Pain008Error::CollectionInThePast { date, created: batch.created_at.date() });
    }
    let creditor = &batch.creditor;
    let checked = Checked {
        message_id: field("identifiant du message (MsgId)", sepa::validate_identifier(&batch.message_id))?,
        initiating_party: field("initiateur (InitgPty)", sepa::to_sepa_text(&batch.initiating_party, 70))?,
        creditor_name: field("nom du créancier", sepa::to_sepa_text(&creditor.name, 70))?,
        creditor_iban: field("IBAN du créancier", sepa::validate_sepa_iban(&creditor.iban))?,
        creditor_bic: field("BIC du créancier", sepa::validate_bic(&creditor.bic))?,
        creditor_id: field("identifiant créancier SEPA (ICS)", sepa::validate_creditor_id(&creditor.creditor_id))?,
        debits: Vec::with_capacity(batch.debits.len()),
    };
    let mut checked = checked;
    let mut end_to_end_ids = HashSet::new();
    for (index, debit) in batch.debits.iter().enumerate() {
        let name = |what: &str| format!("prélèvement n° {} ({}) : {what}", index + 1, debit.end_to_end_id);
        let end_to_end_id = check_entry(&mut end_to_end_ids, "prélèvement", index, &debit.end_to_end_id, debit.amount)?;
        if debit.mandate_signed_on > date {
            return Err(Pain008Error::Invalid {
                field: name("date de signature du mandat"),
                detail: format!(
                    "le {} est postérieur à la date d'échéance ({})",
                    french_date(debit.mandate_signed_on),
                    french_date(date)
                ),
            });
        }
        let remittance = if debit.remittance.trim().is_empty() {
            None
        } else {
            Some(field(&name("libellé (Ustrd)"), sepa::to_sepa_text(&debit.remittance, 140))?)
        };
        checked.debits.push(CheckedDebit {
            end_to_end_id,
            amount: debit.amount,
            mandate_id: field(&name("référence de mandat"), sepa::validate_mandate_id(&debit.mandate_id))?,
            mandate_signed_on: debit.mandate_signed_on,
            sequence: debit.sequence,
            debtor_name: field(&name("nom du débiteur"), sepa::to_sepa_text(&debit.debtor_name, 70))?,
            debtor_iban: field(&name("IBAN du débiteur"), sepa::validate_sepa_iban(&debit.debtor_iban))?,
            debtor_bic: match &debit.debtor_bic {
                Some(bic) if !bic.trim().is_empty() => Some(field(&name("BIC du débiteur"), sepa::validate_bic(bic))?),
                _ => None,
            },
            remittance,
            amendment: match &debit.amendment {
                None => None,
                Some(amendment) => Some(MandateAmendment {
                    original_mandate_id: match &amendment.original_mandate_id {
                        Some(id) => Some(field(&name("référence de mandat d'origine"), sepa::validate_mandate_id(id))?),
                        None => None,
                    },
                    original_debtor_iban: match &amendment.original_debtor_iban {
                        Some(iban) if !amendment.other_bank => {
                            Some(field(&name("IBAN du débiteur d'origine"), sepa::validate_sepa_iban(iban))?)
                        }
                        _ => None,
                    },
                    other_bank: amendment.other_bank,
                }),
            },
        });
    }
    Ok(checked)
}

/// Writes `batch` as a pain.008 document of `version`, checked against its schema.
pub fn write_pain008(batch: &DirectDebitBatch, version: Pain008Version) -> Result<String, Pain008Error> {
    let checked = check(batch)?;
    let bic_tag = match version {
        Pain008Version::V02 => "BIC",
        Pain008Version::V08 => "BICFI",
    };
    let total: Money = checked.debits.iter().map(|d| d.amount).sum();
    let mut xml = Xml::default();
    xml.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml.out,
        "<Document xmlns=\"{}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        version.message().namespace()
    );
    xml.depth = 1;
    xml.open("CstmrDrctDbtInitn");
    xml.open("GrpHdr");
    xml.leaf("MsgId", &checked.message_id);
    xml.leaf("CreDtTm", &batch.created_at.format("%Y-%m-%dT%H:%M:%S").to_string());
    xml.leaf("NbOfTxs", &checked.debits.len().to_string());
    xml.leaf("CtrlSum", &total.to_plain_string());
    xml.open("InitgPty");
    xml.leaf("Nm", &checked.initiating_party);
    xml.close("InitgPty");
    xml.close("GrpHdr");

    for sequence in SequenceType::ALL {
        let debits: Vec<&CheckedDebit> = checked.debits.iter().filter(|d| d.sequence == sequence).collect();
        if debits.is_empty() {
            continue;
        }
        let subtotal: Money = debits.iter().map(|d| d.amount).sum();
        let prefix: String = checked.message_id.chars().take(30).collect();
        xml.open("PmtInf");
        xml.leaf("PmtInfId", &format!("{prefix}-{}", sequence.code()));
        xml.leaf("PmtMtd", "DD");
        xml.leaf("NbOfTxs", &debits.len().to_string());
        xml.leaf("CtrlSum", &subtotal.to_plain_string());
        xml.open("PmtTpInf");
        xml.open("SvcLvl");
        xml.leaf("Cd", "SEPA");
        xml.close("SvcLvl");
        xml.open("LclInstrm");
        xml.leaf("Cd", "CORE");
        xml.close("LclInstrm");
        xml.leaf("SeqTp", sequence.code());
        xml.close("PmtTpInf");
        xml.leaf("ReqdColltnDt", &batch.collection_date.format("%Y-%m-%d").to_string());
        xml.open("Cdtr");
        xml.leaf("Nm", &checked.creditor_name);
        xml.close("Cdtr");
        xml.account("CdtrAcct", &checked.creditor_iban);
        xml.agent("CdtrAgt", bic_tag, Some(&checked.creditor_bic));
        xml.leaf("ChrgBr", "SLEV");
        xml.creditor_scheme(&checked.creditor_id);
        for debit in debits {
            xml.open("DrctDbtTxInf");
            xml.open("PmtId");
            xml.leaf("EndToEndId", &debit.end_to_end_id);
            xml.close("PmtId");
            xml.amount("InstdAmt", debit.amount);
            xml.open("DrctDbtTx");
            xml.open("MndtRltdInf");
            xml.leaf("MndtId", &debit.mandate_id);
            xml.leaf("DtOfSgntr", &debit.mandate_signed_on.format("%Y-%m-%d").to_string());
            if let Some(amendment) = &debit.amendment {
                xml.amendment(amendment);
            }
            xml.close("MndtRltdInf");
            xml.close("DrctDbtTx");
            xml.agent("DbtrAgt", bic_tag, debit.debtor_bic.as_deref());
            xml.open("Dbtr");
            xml.leaf("Nm", &debit.debtor_name);
            xml.close("Dbtr");
            xml.account("DbtrAcct", &debit.debtor_iban);
            if let Some(remittance) = &debit.remittance {
                xml.open("RmtInf");
                xml.leaf("Ustrd", remittance);
                xml.close("RmtInf");
            }
            xml.close("DrctDbtTxInf");
        }
        xml.close("PmtInf");
    }
    xml.close("CstmrDrctDbtInitn");
    xml.out.push_str("</Document>\n");

    schema::validate(version.message(), xml.out.as_bytes()).map_err(Pain008Error::Schema)?;
    Ok(xml.out)
}

/// Escapes the five XML special characters.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
    out
}

/// A minimal indenting XML writer: every text goes through [`xml_escape`].
#[derive(Default)]
pub(crate) struct Xml {
    pub(crate) out: String,
    pub(crate) depth: usize,
}

impl Xml {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    pub(crate) fn open(&mut self, tag: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>");
        self.depth += 1;
    }

    pub(crate) fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{tag}>");
    }

    pub(crate) fn leaf(&mut self, tag: &str, text: &str) {
        self.indent();
        let _ = writeln!(self.out, "<{tag}>{}</{tag}>", xml_escape(text));
    }

    pub(crate) fn amount(&mut self, tag: &str, amount: Money) {
        self.indent();
        let _ = writeln!(self.out, "<{tag} Ccy=\"EUR\">{}</{tag}>", amount.to_plain_string());
    }

    pub(crate) fn account(&mut self, tag: &str, iban: &str) {
        self.open(tag);
        self.open("Id");
        self.leaf("IBAN", iban);
        self.close("Id");
        self.close(tag);
    }

    /// A bank: its BIC, or `Othr/Id` `NOTPROVIDED` (EPC rule when the BIC is not given).
    pub(crate) fn agent(&mut self, tag: &str, bic_tag: &str, bic: Option<&str>) {
        self.open(tag);
        self.open("FinInstnId");
        match bic {
            Some(bic) => self.leaf(bic_tag, bic),
            None => {
                self.open("Othr");
                self.leaf("Id", "NOTPROVIDED");
                self.close("Othr");
            }
        }
        self.close("FinInstnId");
        self.close(tag);
    }

    /// `AmdmntInd` and `AmdmntInfDtls`, in the schema's order (the same in .02 and .08).
    fn amendment(&mut self, amendment: &MandateAmendment) {
        self.leaf("AmdmntInd", "true");
        self.open("AmdmntInfDtls");
        if let Some(id) = &amendment.original_mandate_id {
            self.leaf("OrgnlMndtId", id);
        }
        if let Some(iban) = &amendment.original_debtor_iban {
            self.account("OrgnlDbtrAcct", iban);
        }
        if amendment.other_bank {
            self.open("OrgnlDbtrAgt");
            self.open("FinInstnId");
            self.open("Othr");
            self.leaf("Id", "SMNDA");
            self.close("Othr");
            self.close("FinInstnId");
            self.close("OrgnlDbtrAgt");
        }
        self.close("AmdmntInfDtls");
    }

    fn creditor_scheme(&mut self, creditor_id: &str) {
        self.open("CdtrSchmeId");
        self.open("Id");
        self.open("PrvtId");
        self.open("Othr");
        self.leaf("Id", creditor_id);
        self.open("SchmeNm");
        self.leaf("Prtry", "SEPA");
        self.close("SchmeNm");
        self.close("Othr");
        self.close("PrvtId");
        self.close("Id");
        self.close("CdtrSchmeId");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn debit(n: u32, sequence: SequenceType, cents: i64) -> DirectDebit {
        DirectDebit {
            end_to_end_id: format!("PLAN-CTX{n:07}-ECH01"),
            amount: Money::from_cents(cents),
            mandate_id: format!("RUM-CTX{n:07}-01"),
            mandate_signed_on: date("2024-11-15"),
            sequence,
            debtor_name: "MARTIN PIERRE".into(),
            debtor_iban: "FR76 3000 3012 3400 0501 2345 665".into(),
            debtor_bic: Some("SOGEFRPP".into()),
            remittance: format!("ECHEANCE PLAN {}", sepa::rf_reference(&format!("CTX-{n:07}"))),
            amendment: None,
        }
    }

    fn batch() -> DirectDebitBatch {
        let mut accents = debit(17, SequenceType::Recurrent, 7_550);
        accents.debtor_name = "Hélène Dupré & Fils".into();
        accents.remittance = "Échéance no2 – plan d’apurement".into();
        accents.debtor_iban = "DE89370400440532013000".into();
        accents.debtor_bic = None;
        DirectDebitBatch {
            message_id: "RECOUVRE-SDD-20250106-01".into(),
            created_at: date("2025-01-02").and_hms_opt(18, 30, 0).unwrap(),
            initiating_party: "BANQUE EXEMPLE - RECOUVREMENT".into(),
            creditor: Creditor {
                name: "Banque Exemple Recouvrement amiable".into(),
                iban: "FR7630004000310001234567865".into(),
                bic: "BNPAFRPP".into(),
                creditor_id: "FR72ZZZ123456".into(),
            },
            collection_date: date("2025-01-06"),
            debits: vec![
                debit(42, SequenceType::First, 12_000),
                accents,
                debit(105, SequenceType::Recurrent, 20_000),
                debit(31, SequenceType::OneOff, 45_001),
            ],
        }
    }

    /// Runs `xmllint --schema` on `xml`. Never skipped: without xmllint the test fails.
    fn xmllint(message: Message, xml: &str) {
        let dir = std::env::temp_dir().join(format!("recouvre-iso20022-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{message}-{:?}.xml", std::thread::current().id()));
        std::fs::write(&file, xml).unwrap();
        let xsd: PathBuf = [env!("CARGO_MANIFEST_DIR"), "schemas", &format!("{message}.xsd")].iter().collect();
        let output =
            Command::new("xmllint").arg("--noout").arg("--nonet").arg("--schema").arg(&xsd).arg(&file).output();
        let output = match output {
            Ok(output) => output,
            Err(error) => panic!(
                "xmllint introuvable ({error}) : lancez les tests par scripts/test, ou installez libxml2-utils \
                 (apt-get install -y libxml2-utils)"
            ),
        };
        let _ = std::fs::remove_file(&file);
        assert!(
            output.status.success(),
            "xmllint refuse le fichier :\n{}\n{xml}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    #[test]
    fn writes_a_valid_pain008_001_02() {
        let xml = write_pain008(&batch(), Pain008Version::V02).unwrap();
        xmllint(Message::Pain008V02, &xml);
        assert_eq!(schema::validate(Message::Pain008V02, xml.as_bytes()), Ok(()));
        assert!(xml.contains("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.008.001.02\""));
        assert!(xml.contains("<NbOfTxs>4</NbOfTxs>\n      <CtrlSum>845.51</CtrlSum>"), "{xml}");
        assert_eq!(xml.matches("<PmtInf>").count(), 3);
        assert!(xml.contains("<PmtInfId>RECOUVRE-SDD-20250106-01-FRST</PmtInfId>"));
        assert!(xml.contains("<NbOfTxs>2</NbOfTxs>\n      <CtrlSum>275.50</CtrlSum>"), "RCUR subtotal: {xml}");
        assert!(xml.contains("<NbOfTxs>1</NbOfTxs>\n      <CtrlSum>450.01</CtrlSum>"), "OOFF subtotal: {xml}");
        let order: Vec<usize> =
            ["<SeqTp>FRST", "<SeqTp>RCUR", "<SeqTp>OOFF"].iter().map(|s| xml.find(s).unwrap()).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]));
        assert!(xml.contains("<BIC>BNPAFRPP</BIC>") && !xml.contains("BICFI"));
        assert!(xml.contains("<ReqdColltnDt>2025-01-06</ReqdColltnDt>"));
        assert!(xml.contains("<InstdAmt Ccy=\"EUR\">120.00</InstdAmt>"));
        assert!(xml.contains("<Cd>CORE</Cd>") && xml.contains("<ChrgBr>SLEV</ChrgBr>"));
        let compact: String = xml.lines().map(str::trim).collect();
        let scheme = "<CdtrSchmeId><Id><PrvtId><Othr><Id>FR72ZZZ123456</Id><SchmeNm><Prtry>SEPA</Prtry>";
        assert_eq!(compact.matches(scheme).count(), 3, "{xml}");
        assert!(xml.contains("<Nm>Helene Dupre + Fils</Nm>"), "{xml}");
        assert!(xml.contains("<Ustrd>Echeance no2 - plan d&apos;apurement</Ustrd>"), "{xml}");
        assert!(xml.contains("<Id>NOTPROVIDED</Id>"));
        assert!(xml.contains("<IBAN>FR7630003012340005012345665</IBAN>"), "IBAN in electronic form");
        assert!(xml.contains("<CreDtTm>2025-01-02T18:30:00</CreDtTm>"));
    }

    #[test]
    fn writes_a_valid_pain008_001_08() {
        let xml = write_pain008(&batch(), Pain008Version::V08).unwrap();
        xmllint(Message::Pain008V08, &xml);
        assert_eq!(schema::validate(Message::Pain008V08, xml.as_bytes()), Ok(()));
        assert!(xml.contains("urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"));
        assert!(xml.contains("<BICFI>BNPAFRPP</BICFI>") && xml.contains("<BICFI>SOGEFRPP</BICFI>"));
        assert!(!xml.contains("<BIC>"));
        assert!(xml.contains("<ReqdColltnDt>2025-01-06</ReqdColltnDt>"));
    }

    #[test]
    fn amended_mandates_carry_the_amendment_indicator_valid_in_both_versions() {
        let mut amended = batch();
        // A new RUM and a new IBAN at the same bank; a move to another bank (SMNDA).
        amended.debits[0].amendment = Some(MandateAmendment {
            original_mandate_id: Some("RUM-OLD-1".into()),
            original_debtor_iban: Some("FR7630006000011234567890189".into()),
            other_bank: false,
        });
        amended.debits[2].amendment = Some(MandateAmendment {
            original_mandate_id: None,
            original_debtor_iban: Some("FR7630006000011234567890189".into()),
            other_bank: true,
        });
        for (version, message) in
            [(Pain008Version::V02, Message::Pain008V02), (Pain008Version::V08, Message::Pain008V08)]
        {
            let xml = write_pain008(&amended, version).unwrap();
            xmllint(message, &xml);
            assert_eq!(xml.matches("<AmdmntInd>true</AmdmntInd>").count(), 2, "{xml}");
            assert!(xml.contains("<OrgnlMndtId>RUM-OLD-1</OrgnlMndtId>"), "{xml}");
            assert!(
                xml.contains("<OrgnlDbtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></OrgnlDbtrAcct>")
                    || xml.contains("<OrgnlDbtrAcct>"),
                "{xml}"
            );
            assert_eq!(xml.matches("<Id>SMNDA</Id>").count(), 1, "{xml}");
            // With SMNDA the original IBAN (at the other bank) is not given.
            assert_eq!(xml.matches("<OrgnlDbtrAcct>").count(), 1, "{xml}");
        }
        amended.debits[0].amendment.as_mut().unwrap().original_mandate_id = Some("RUM OLD".into());
        assert!(matches!(write_pain008(&amended, Pain008Version::V02), Err(Pain008Error::Field { .. })));
    }

    #[test]
    fn a_single_debit_file_is_valid_too() {
        let mut one = batch();
        one.debits.truncate(1);
        one.debits[0].remittance = String::new();
        one.debits[0].debtor_bic = None;
        for version in [Pain008Version::V02, Pain008Version::V08] {
            let xml = write_pain008(&one, version).unwrap();
            xmllint(version.message(), &xml);
            assert!(!xml.contains("<RmtInf>"));
        }
    }

    #[test]
    fn the_collection_date_must_be_a_target2_business_day() {
        let mut saturday = batch();
        saturday.collection_date = date("2025-01-04");
        let error = write_pain008(&saturday, Pain008Version::V02).unwrap_err();
        assert_eq!(
            error.to_string(),
            "la date d'échéance du 04/01/2025 n'est pas un jour ouvré TARGET2 (samedi) : prochaine date possible : le 06/01/2025"
        );
        let mut labour_day = batch();
        labour_day.collection_date = date("2025-05-01");
        let error = write_pain008(&labour_day, Pain008Version::V08).unwrap_err();
        assert!(matches!(&error, Pain008Error::NotTarget2 { next, .. } if *next == date("2025-05-02")), "{error}");
        assert!(error.to_string().contains("jour de fermeture de TARGET2"));
        let mut good_friday = batch();
        good_friday.collection_date = date("2025-04-18");
        assert!(matches!(
            write_pain008(&good_friday, Pain008Version::V02),
            Err(Pain008Error::NotTarget2 { next, .. }) if next == date("2025-04-22")
        ));
        let mut past = batch();
        past.collection_date = date("2024-12-31");
        assert!(matches!(write_pain008(&past, Pain008Version::V02), Err(Pain008Error::CollectionInThePast { .. })));
    }

    #[test]
    fn invalid_inputs_are_refused_naming_the_field() {
        type Change = Box<dyn Fn(&mut DirectDebitBatch)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|b| b.debits[1].debtor_iban = "FR7630003012340005012345666".into()), "prélèvement n° 2 (PLAN-CTX0000017-ECH01) : IBAN du débiteur : IBAN « FR7630003012340005012345666 » : clé de contrôle incorrecte"),
            (Box::new(|b| b.debits[0].debtor_bic = Some("SOGEFRP".into())), "prélèvement n° 1 (PLAN-CTX0000042-ECH01) : BIC du débiteur : BIC « SOGEFRP »"),
            (Box::new(|b| b.creditor.creditor_id = "FR12ZZZ123456".into()), "identifiant créancier SEPA (ICS) : identifiant créancier SEPA (ICS) « FR12ZZZ123456 » : clé de contrôle incorrecte"),
            (Box::new(|b| b.creditor.iban = "FR76".into()), "IBAN du créancier : IBAN « FR76 »"),
            (Box::new(|b| b.creditor.bic = "BNPAFRP".into()), "BIC du créancier"),
            (Box::new(|b| b.debits[2].mandate_id = "RUM CTX 105".into()), "prélèvement n° 3 (PLAN-CTX0000105-ECH01) : référence de mandat : référence unique de mandat (RUM) « RUM CTX 105 »"),
            (Box::new(|b| b.debits[2].mandate_id = "R".repeat(36)), "36 caractères, au plus 35"),
            (Box::new(|b| b.debits[0].debtor_name = "jean@example.fr".into()), "nom du débiteur : « jean@example.fr » : le caractère « @ »"),
            (Box::new(|b| b.debits[0].debtor_name = "<script>".into()), "le caractère « < »"),
            (Box::new(|b| b.debits[0].remittance = "X".repeat(141)), "libellé (Ustrd)"),
            (Box::new(|b| b.debits[0].amount = Money::ZERO), "montant : 0,00"),
            (Box::new(|b| b.debits[0].amount = Money::from_cents(100_000_000_000)), "montant"),
            (Box::new(|b| b.debits[0].mandate_signed_on = date("2025-01-07")), "date de signature du mandat : le 07/01/2025 est postérieur"),
            (Box::new(|b| b.debits[3].end_to_end_id = b.debits[0].end_to_end_id.clone()), "apparaît deux fois"),
            (Box::new(|b| b.debits[0].end_to_end_id = "E2E/".into()), "identifiant de bout en bout"),
            (Box::new(|b| b.debits[0].debtor_iban = "TR330006100519786457841326".into()), "ne fait pas partie de la zone SEPA"),
            (Box::new(|b| b.message_id = "M".repeat(36)), "identifiant du message (MsgId)"),
            (Box::new(|b| b.debits.clear()), "aucun prélèvement"),
        ];
        for (change, expected) in cases {
            let mut b = batch();
            change(&mut b);
            let error = write_pain008(&b, Pain008Version::V02).unwrap_err().to_string();
            assert!(error.contains(expected), "expected « {expected} » in: {error}");
        }
    }

    #[test]
    fn escapes_the_five_xml_characters() {
        assert_eq!(xml_escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    }

    #[test]
    fn versions() {
        assert_eq!(Pain008Version::default(), Pain008Version::V02);
        assert_eq!(Pain008Version::parse("08"), Some(Pain008Version::V08));
        assert_eq!(Pain008Version::parse("pain.008.001.02"), Some(Pain008Version::V02));
        assert_eq!(Pain008Version::parse("09"), None);
    }

    #[test]
    fn a_long_message_id_still_gives_valid_payment_ids() {
        let mut long = batch();
        long.message_id = "RECOUVRE-SDD-20250106-0123456789A".into();
        assert_eq!(long.message_id.len(), 33);
        let xml = write_pain008(&long, Pain008Version::V02).unwrap();
        assert!(xml.contains("<PmtInfId>RECOUVRE-SDD-20250106-01234567-FRST</PmtInfId>"), "{xml}");
    }
}
