//! Reading the bank's payment status reports (ISO 20022 pain.002, "CustomerPaymentStatusReport",
//! issue 21 items 3 and 4): its answer to one of our pain.001 (transfers out) or pain.008 (direct
//! debits) files — accepted, rejected, partly accepted — per file, per payment information block
//! and per transaction, with the reason code (`AC04` closed account, `AM04` insufficient funds,
//! `MD01` no mandate…).
//!
//! Versions 001.03 (the CFONB's and EPC's long-standing one) to 001.14 are read; the elements read
//! here kept their names and places across them (`GrpHdr`, `OrgnlGrpInfAndSts`,
//! `OrgnlPmtInfAndSts`, `TxInfAndSts`, `StsRsnInf/Rsn/Cd`).
//!
//! **No schema.** No pain.002 XSD is shipped (none is in `../shared/iso20022/`, none in
//! `schemas/`): the structure Recouvre relies on is checked here instead, each refusal naming the
//! line and the element — the message's body, its group header's `MsgId` and `CreDtTm`, the
//! original message's `OrgnlMsgId` and `OrgnlMsgNmId`, exactly one `OrgnlGrpInfAndSts` before any
//! `OrgnlPmtInfAndSts`, every status a four-letter code, every reason code one to four
//! characters, every identifier at most 35 characters. The same safety checks as every other
//! reader run first ([`crate::schema::precheck`]: size, UTF-8, no DOCTYPE/ENTITY, nesting at
//! most [`crate::schema::XML_DEPTH_MAX`] deep).

use roxmltree::{Document, Node};
use serde::Serialize;

use crate::error::FileError;
use crate::message::Message;
use crate::schema;

/// One status reason (`StsRsnInf`): the ISO code (`Rsn/Cd`) or the bank's own (`Rsn/Prtry`),
/// and its free text (`AddtlInf`, joined by a space).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReason {
    pub code: Option<String>,
    pub proprietary: Option<String>,
    pub additional_info: Option<String>,
}

impl StatusReason {
    /// The code to record: the ISO one, else the bank's own, else `NARR` (narrative).
    pub fn effective_code(&self) -> String {
        self.code.clone().or_else(|| self.proprietary.clone()).unwrap_or_else(|| "NARR".to_string())
    }
}

/// The status of one transaction of the original message (`TxInfAndSts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionStatus {
    pub original_end_to_end_id: Option<String>,
    pub original_instruction_id: Option<String>,
    /// `TxSts` (`ACCP`, `ACSC`, `RJCT`, `PDNG`…); `None` when the bank gave none.
    pub status: Option<String>,
    pub reasons: Vec<StatusReason>,
    /// The line of the `TxInfAndSts` element.
    pub line: u32,
}

/// The status of one payment information block of the original message (`OrgnlPmtInfAndSts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentStatus {
    pub original_payment_information_id: String,
    /// `PmtInfSts`; `None` when only its transactions have one.
    pub status: Option<String>,
    pub reasons: Vec<StatusReason>,
    pub transactions: Vec<TransactionStatus>,
    pub line: u32,
}

/// A payment status report: what the bank says of one of our files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentStatusReport {
    pub message: Message,
    /// The report's own `GrpHdr/MsgId`.
    pub message_id: String,
    /// `GrpHdr/CreDtTm` as written.
    pub created_at: String,
    /// `OrgnlMsgId`: the `MsgId` of our pain.001 or pain.008.
    pub original_message_id: String,
    /// `OrgnlMsgNmId`: `pain.001.001.03`, `pain.008.001.02`… (as the bank wrote it).
    pub original_message_name: String,
    /// `GrpSts` (`ACCP`, `RJCT`, `PART`…).
    pub group_status: Option<String>,
    pub group_reasons: Vec<StatusReason>,
    pub payments: Vec<PaymentStatus>,
    /// The line of the `OrgnlGrpInfAndSts` element.
    pub line: u32,
}

/// Status codes meaning "rejected": the money does not move.
pub const REJECTED: &str = "RJCT";

impl PaymentStatusReport {
    /// Whether the original message is a credit transfer initiation (pain.001).
    pub fn is_for_transfers(&self) -> bool {
        self.original_message_name.trim().to_ascii_lowercase().starts_with("pain.001")
    }

    /// Whether the original message is a direct debit initiation (pain.008).
    pub fn is_for_direct_debits(&self) -> bool {
        self.original_message_name.trim().to_ascii_lowercase().starts_with("pain.008")
    }

    /// The date part of `created_at` (`YYYY-MM-DD…`), when it has one.
    pub fn created_on(&self) -> Option<chrono::NaiveDate> {
        self.created_at.get(..10).and_then(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
    }
}

/// Reads a pain.002 file: one report (ISO 20022 has one `CstmrPmtStsRpt` per document). All or
/// nothing: the first structural fault is returned with its line and element.
pub fn read_payment_status(xml: &[u8]) -> Result<PaymentStatusReport, FileError> {
    let text = schema::precheck(xml)?;
    let document = schema::parse_tree(text)?;
    let message = schema::message_of(&document)?;
    if !message.is_payment_status() {
        return Err(FileError::WrongMessage {
            expected: "pain.002 (rapport d'état des paiements)".into(),
            found: message,
        });
    }
    let reader = Reader { document: &document };
    let root = document.root_element();
    let body = reader.required(root, "CstmrPmtStsRpt")?;
    reader.check_order(body)?;
    let header = reader.required(body, "GrpHdr")?;
    let message_id = reader.identifier(header, "MsgId", true)?.unwrap_or_default();
    let created_at = reader.required_text(header, "CreDtTm")?;
    let group = reader.required(body, "OrgnlGrpInfAndSts")?;
    let original_message_id = reader.identifier(group, "OrgnlMsgId", true)?.unwrap_or_default();
    let original_message_name = reader.identifier(group, "OrgnlMsgNmId", true)?.unwrap_or_default();
    let group_status = reader.status(group, "GrpSts")?;
    let group_reasons = reader.reasons(group)?;
    let payments =
        children(body, "OrgnlPmtInfAndSts").map(|node| reader.payment(node)).collect::<Result<Vec<_>, _>>()?;
    Ok(PaymentStatusReport {
        message,
        message_id,
        created_at,
        original_message_id,
        original_message_name,
        group_status,
        group_reasons,
        payments,
        line: reader.line(group),
    })
}

struct Reader<'d, 'input> {
    document: &'d Document<'input>,
}

impl Reader<'_, '_> {
    fn line(&self, node: Node<'_, '_>) -> u32 {
        self.document.text_pos_at(node.range().start).row
    }

    fn fault(&self, node: Node<'_, '_>, detail: String) -> FileError {
        FileError::Content { line: self.line(node), detail }
    }

    fn missing(&self, node: Node<'_, '_>, name: &str) -> FileError {
        self.fault(node, format!("élément {name} manquant dans {} (structure pain.002)", node.tag_name().name()))
    }

    fn required<'a, 'input>(&self, node: Node<'a, 'input>, name: &str) -> Result<Node<'a, 'input>, FileError> {
        child(node, name).ok_or_else(|| self.missing(node, name))
    }

    fn required_text(&self, node: Node<'_, '_>, name: &str) -> Result<String, FileError> {
        let element = self.required(node, name)?;
        text_of(element).ok_or_else(|| self.fault(element, format!("élément {name} vide")))
    }

    /// An identifier (`Max35Text`): 1 to 35 characters.
    fn identifier(&self, node: Node<'_, '_>, name: &str, required: bool) -> Result<Option<String>, FileError> {
        let Some(element) = child(node, name) else {
            return if required { Err(self.missing(node, name)) } else { Ok(None) };
        };
        let value = text_of(element).ok_or_else(|| self.fault(element, format!("élément {name} vide")))?;
        if value.chars().count() > 35 {
            return Err(self.fault(
                element,
                format!(
                    "élément {name} : valeur « {value} » trop longue ({} caractères, au plus 35)",
                    value.chars().count()
                ),
            ));
        }
        Ok(Some(value))
    }

    /// A status code: four capital letters (`ExternalPaymentGroupStatus1Code`, `…Transaction…`).
    fn status(&self, node: Node<'_, '_>, name: &str) -> Result<Option<String>, FileError> {
        let Some(element) = child(node, name) else { return Ok(None) };
        let value = text_of(element).unwrap_or_default();
        if value.len() != 4 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(self.fault(
                element,
                format!("élément {name} : valeur « {value} » invalide (un code de quatre lettres : ACCP, RJCT, PART…)"),
            ));
        }
        Ok(Some(value))
    }

    fn reasons(&self, node: Node<'_, '_>) -> Result<Vec<StatusReason>, FileError> {
        children(node, "StsRsnInf")
            .map(|info| {
                let reason = child(info, "Rsn");
                let code = match reason.and_then(|r| child(r, "Cd")) {
                    None => None,
                    Some(element) => {
                        let value = text_of(element).unwrap_or_default();
                        if value.is_empty() || value.chars().count() > 4 {
                            return Err(self.fault(
                                element,
                                format!("élément Cd (motif) : valeur « {value} » invalide (un code ISO de 1 à 4 caractères : AC04, AM04…)"),
                            ));
                        }
                        Some(value)
                    }
                };
                let proprietary = reason.and_then(|r| child(r, "Prtry")).and_then(text_of);
                let lines: Vec<String> = children(info, "AddtlInf").filter_map(text_of).collect();
                let additional_info = (!lines.is_empty()).then(|| lines.join(" "));
                Ok(StatusReason { code, proprietary, additional_info })
            })
            .collect()
    }

    fn payment(&self, node: Node<'_, '_>) -> Result<PaymentStatus, FileError> {
        let original_payment_information_id = self.identifier(node, "OrgnlPmtInfId", true)?.unwrap_or_default();
        let status = self.status(node, "PmtInfSts")?;
        let reasons = self.reasons(node)?;
        let transactions = children(node, "TxInfAndSts")
            .map(|tx| {
                Ok(TransactionStatus {
                    original_end_to_end_id: self.identifier(tx, "OrgnlEndToEndId", false)?,
                    original_instruction_id: self.identifier(tx, "OrgnlInstrId", false)?,
                    status: self.status(tx, "TxSts")?,
                    reasons: self.reasons(tx)?,
                    line: self.line(tx),
                })
            })
            .collect::<Result<Vec<_>, FileError>>()?;
        Ok(PaymentStatus { original_payment_information_id, status, reasons, transactions, line: self.line(node) })
    }

    /// `GrpHdr`, then exactly one `OrgnlGrpInfAndSts`, then `OrgnlPmtInfAndSts`*, then
    /// `SplmtryData`*: the sequence every version's schema defines.
    fn check_order(&self, body: Node<'_, '_>) -> Result<(), FileError> {
        const ORDER: [&str; 4] = ["GrpHdr", "OrgnlGrpInfAndSts", "OrgnlPmtInfAndSts", "SplmtryData"];
        let mut last = 0usize;
        let mut seen = [0usize; 2];
        for element in body.children().filter(Node::is_element) {
            let name = element.tag_name().name();
            let Some(rank) = ORDER.iter().position(|known| *known == name) else {
                return Err(self.fault(
                    element,
                    format!("élément {name} inattendu dans CstmrPmtStsRpt ; attendu : {}", ORDER.join(", ")),
                ));
            };
            if rank < last {
                return Err(self.fault(
                    element,
                    format!("élément {name} hors de sa place ; ordre attendu : {}", ORDER.join(", ")),
                ));
            }
            if let Some(count) = seen.get_mut(rank) {
                *count += 1;
                if *count > 1 {
                    return Err(self.fault(element, format!("un seul élément {name} est permis")));
                }
            }
            last = rank;
        }
        Ok(())
    }
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'input: 'a>(node: Node<'a, 'input>, name: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(node: Node<'_, '_>) -> Option<String> {
    node.text().map(str::trim).filter(|text| !text.is_empty()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V03: &[u8] = include_bytes!("../tests/data/pain002_v03_transfers.xml");
    const V10: &[u8] = include_bytes!("../tests/data/pain002_v10_direct_debits.xml");

    fn line_of(xml: &[u8], needle: &str) -> u32 {
        let text = std::str::from_utf8(xml).unwrap();
        text.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
    }

    #[test]
    fn reads_a_v03_report_on_transfers() {
        let report = read_payment_status(V03).unwrap();
        assert_eq!(report.message, Message::Pain002(3));
        assert_eq!(report.original_message_id, "RCV-TRF-20250106-1");
        assert!(report.is_for_transfers() && !report.is_for_direct_debits());
        assert_eq!(report.group_status.as_deref(), Some("PART"));
        assert_eq!(report.created_on(), chrono::NaiveDate::from_ymd_opt(2025, 1, 7));
        let transactions = &report.payments[0].transactions;
        assert_eq!(transactions.len(), 2);
        assert_eq!(transactions[0].original_end_to_end_id.as_deref(), Some("RCV-TRF-S12"));
        assert_eq!(transactions[0].status.as_deref(), Some("RJCT"));
        assert_eq!(transactions[0].reasons[0].effective_code(), "AC04");
        assert_eq!(transactions[0].line, line_of(V03, "<TxInfAndSts>"));
        assert_eq!(transactions[1].status.as_deref(), Some("ACCP"));
    }

    #[test]
    fn reads_a_v10_report_on_direct_debits() {
        let report = read_payment_status(V10).unwrap();
        assert_eq!(report.message, Message::Pain002(10));
        assert!(report.is_for_direct_debits());
        let tx = &report.payments[0].transactions[0];
        assert_eq!((tx.original_end_to_end_id.as_deref(), tx.status.as_deref()), (Some("RCV-DD-4"), Some("RJCT")));
        assert_eq!(tx.reasons[0].code.as_deref(), Some("MD01"));
        assert_eq!(tx.reasons[0].additional_info.as_deref(), Some("Pas de mandat"));
    }

    #[test]
    fn structural_faults_name_the_line_and_element() {
        let text = std::str::from_utf8(V03).unwrap();
        let bad = text.replacen("<TxSts>RJCT</TxSts>", "<TxSts>rejete</TxSts>", 1);
        let error = read_payment_status(bad.as_bytes()).unwrap_err();
        assert_eq!(
            error,
            FileError::Content {
                line: line_of(V03, "<TxSts>RJCT</TxSts>"),
                detail: "élément TxSts : valeur « rejete » invalide (un code de quatre lettres : ACCP, RJCT, PART…)"
                    .into()
            }
        );
        let missing = text.replacen("<OrgnlMsgId>RCV-TRF-20250106-1</OrgnlMsgId>", "", 1);
        let error = read_payment_status(missing.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("OrgnlMsgId manquant"), "{error}");
        let misplaced = text.replacen("<CstmrPmtStsRpt>", "<CstmrPmtStsRpt><Foo/>", 1);
        let error = read_payment_status(misplaced.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("élément Foo inattendu"), "{error}");
        let statement = include_bytes!("../tests/data/camt053_v02_cic.xml");
        assert!(matches!(read_payment_status(statement), Err(FileError::WrongMessage { .. })));
        let unknown = br#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.02"/>"#;
        assert!(matches!(read_payment_status(unknown), Err(FileError::UnknownMessage { .. })));
    }

    #[test]
    fn a_too_deep_report_is_refused_before_parsing() {
        let mut xml = String::from("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.002.001.03\">\n");
        xml.push_str(&"<AddtlInf>".repeat(100));
        xml.push_str(&"</AddtlInf>".repeat(100));
        xml.push_str("</Document>");
        assert!(matches!(read_payment_status(xml.as_bytes()), Err(FileError::TooDeep { .. })));
        let xxe = b"<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Document/>";
        assert!(matches!(read_payment_status(xxe), Err(FileError::Doctype { .. })));
    }
}
