//! Writing SEPA credit transfers out (issue 21, item 4): pain.001.001.03 (what most French banks
//! take) or pain.001.001.09 (the EPC's 2023 implementation guidelines). Money leaving the bank's
//! collection account: suspense items returned to their payer, overpayments refunded.
//!
//! One `PmtInf` (method `TRF`, service level `SEPA`, charges `SLEV`) debiting the collection
//! account on the execution date; one `CdtTrfTxInf` per transfer. Everything is checked before
//! a byte is written, each refusal naming the field ([`crate::sepa`]: IBANs, BICs, identifiers,
//! the SEPA character set), and the document is validated against its schema before it is
//! returned: an invalid file is never produced.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveDateTime};
use recouvre_domain::Money;

use crate::message::Message;
use crate::pain008::{check_entry, field, Pain008Error, Xml};
use crate::schema;
use crate::sepa;

/// Which pain.001 version to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pain001Version {
    /// pain.001.001.03 (`<BIC>`, `ReqdExctnDt` a date).
    #[default]
    V03,
    /// pain.001.001.09 (`<BICFI>`, `ReqdExctnDt/Dt`).
    V09,
}

impl Pain001Version {
    /// `03` or `09` (also `3`, `9`, or the full message name).
    pub fn parse(text: &str) -> Option<Pain001Version> {
        match text.trim() {
            "03" | "3" | "pain.001.001.03" => Some(Pain001Version::V03),
            "09" | "9" | "pain.001.001.09" => Some(Pain001Version::V09),
            _ => None,
        }
    }

    pub fn message(self) -> Message {
        match self {
            Pain001Version::V03 => Message::Pain001V03,
            Pain001Version::V09 => Message::Pain001V09,
        }
    }

    /// The message's name, `pain.001.001.03` or `pain.001.001.09`.
    pub fn name(self) -> &'static str {
        match self {
            Pain001Version::V03 => "pain.001.001.03",
            Pain001Version::V09 => "pain.001.001.09",
        }
    }
}

/// One transfer to a payee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTransfer {
    pub end_to_end_id: String,
    pub amount: Money,
    pub creditor_name: String,
    pub creditor_iban: String,
    /// Optional for SEPA payees.
    pub creditor_bic: Option<String>,
    /// Unstructured remittance (`Ustrd`), at most 140 characters; empty writes none.
    pub remittance: String,
}

/// A file of transfers, all executed on `execution_date`, from the bank's collection account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditTransferBatch {
    pub message_id: String,
    pub created_at: NaiveDateTime,
    pub initiating_party: String,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: String,
    pub execution_date: NaiveDate,
    pub transfers: Vec<CreditTransfer>,
}

/// Writes `batch` as a pain.001 document of `version`, checked against its schema. The errors
/// are those of the direct debits ([`Pain008Error`]): the field, the value, why.
pub fn write_pain001(batch: &CreditTransferBatch, version: Pain001Version) -> Result<String, Pain008Error> {
    if batch.transfers.is_empty() {
        return Err(Pain008Error::Invalid { field: "virements".into(), detail: "aucun virement à émettre".into() });
    }
    let message_id = field("identifiant du message (MsgId)", sepa::validate_identifier(&batch.message_id))?;
    let initiating_party = field("initiateur (InitgPty)", sepa::to_sepa_text(&batch.initiating_party, 70))?;
    let debtor_name = field("nom du donneur d'ordre", sepa::to_sepa_text(&batch.debtor_name, 70))?;
    let debtor_iban = field("IBAN du compte débité", sepa::validate_sepa_iban(&batch.debtor_iban))?;
    let debtor_bic = field("BIC du compte débité", sepa::validate_bic(&batch.debtor_bic))?;
    let mut seen = HashSet::new();
    let mut transfers = Vec::with_capacity(batch.transfers.len());
    for (index, transfer) in batch.transfers.iter().enumerate() {
        let name = |what: &str| format!("virement n° {} ({}) : {what}", index + 1, transfer.end_to_end_id);
        let end_to_end_id = check_entry(&mut seen, "virement", index, &transfer.end_to_end_id, transfer.amount)?;
        let creditor_bic = match &transfer.creditor_bic {
            Some(bic) if !bic.trim().is_empty() => Some(field(&name("BIC du bénéficiaire"), sepa::validate_bic(bic))?),
            _ => None,
        };
        let remittance = if transfer.remittance.trim().is_empty() {
            None
        } else {
            Some(field(&name("libellé (Ustrd)"), sepa::to_sepa_text(&transfer.remittance, 140))?)
        };
        transfers.push((
            end_to_end_id,
            transfer.amount,
            field(&name("nom du bénéficiaire"), sepa::to_sepa_text(&transfer.creditor_name, 70))?,
            field(&name("IBAN du bénéficiaire"), sepa::validate_sepa_iban(&transfer.creditor_iban))?,
            creditor_bic,
            remittance,
        ));
    }
    let bic_tag = match version {
        Pain001Version::V03 => "BIC",
        Pain001Version::V09 => "BICFI",
    };
    let total: Money = transfers.iter().map(|t| t.1).sum();
    let mut xml = Xml::default();
    xml.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml.out,
        "<Document xmlns=\"{}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        version.message().namespace()
    );
    xml.depth = 1;
    xml.open("CstmrCdtTrfInitn");
    xml.open("GrpHdr");
    xml.leaf("MsgId", &message_id);
    xml.leaf("CreDtTm", &batch.created_at.format("%Y-%m-%dT%H:%M:%S").to_string());
    xml.leaf("NbOfTxs", &transfers.len().to_string());
    xml.leaf("CtrlSum", &total.to_plain_string());
    xml.open("InitgPty");
    xml.leaf("Nm", &initiating_party);
    xml.close("InitgPty");
    xml.close("GrpHdr");
    xml.open("PmtInf");
    let prefix: String = message_id.chars().take(31).collect();
    xml.leaf("PmtInfId", &format!("{prefix}-TRF"));
    xml.leaf("PmtMtd", "TRF");
    xml.leaf("NbOfTxs", &transfers.len().to_string());
    xml.leaf("CtrlSum", &total.to_plain_string());
    xml.open("PmtTpInf");
    xml.open("SvcLvl");
    xml.leaf("Cd", "SEPA");
    xml.close("SvcLvl");
    xml.close("PmtTpInf");
    let date = batch.execution_date.format("%Y-%m-%d").to_string();
    match version {
        Pain001Version::V03 => xml.leaf("ReqdExctnDt", &date),
        Pain001Version::V09 => {
            xml.open("ReqdExctnDt");
            xml.leaf("Dt", &date);
            xml.close("ReqdExctnDt");
        }
    }
    xml.open("Dbtr");
    xml.leaf("Nm", &debtor_name);
    xml.close("Dbtr");
    xml.account("DbtrAcct", &debtor_iban);
    xml.agent("DbtrAgt", bic_tag, Some(&debtor_bic));
    xml.leaf("ChrgBr", "SLEV");
    for (end_to_end_id, amount, name, iban, bic, remittance) in &transfers {
        xml.open("CdtTrfTxInf");
        xml.open("PmtId");
        xml.leaf("EndToEndId", end_to_end_id);
        xml.close("PmtId");
        xml.open("Amt");
        xml.amount("InstdAmt", *amount);
        xml.close("Amt");
        if let Some(bic) = bic {
            xml.agent("CdtrAgt", bic_tag, Some(bic));
        }
        xml.open("Cdtr");
        xml.leaf("Nm", name);
        xml.close("Cdtr");
        xml.account("CdtrAcct", iban);
        if let Some(remittance) = remittance {
            xml.open("RmtInf");
            xml.leaf("Ustrd", remittance);
            xml.close("RmtInf");
        }
        xml.close("CdtTrfTxInf");
    }
    xml.close("PmtInf");
    xml.close("CstmrCdtTrfInitn");
    xml.out.push_str("</Document>\n");
    schema::validate(version.message(), xml.out.as_bytes()).map_err(Pain008Error::Schema)?;
    Ok(xml.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> CreditTransferBatch {
        CreditTransferBatch {
            message_id: "RCV-TRF-20250106-1".into(),
            created_at: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap().and_hms_opt(18, 0, 0).unwrap(),
            initiating_party: "Banque Exemple".into(),
            debtor_name: "Banque Exemple recouvrement".into(),
            debtor_iban: "FR7630004000310001234567865".into(),
            debtor_bic: "BNPAFRPP".into(),
            execution_date: NaiveDate::from_ymd_opt(2025, 1, 7).unwrap(),
            transfers: vec![
                CreditTransfer {
                    end_to_end_id: "RCV-TRF-S12".into(),
                    amount: Money::from_cents(15_000),
                    creditor_name: "Hélène Müller".into(),
                    creditor_iban: "DE89370400440532013000".into(),
                    creditor_bic: Some("COBADEFFXXX".into()),
                    remittance: "Retour de fonds instance 12".into(),
                },
                CreditTransfer {
                    end_to_end_id: "RCV-TRF-O7".into(),
                    amount: Money::from_cents(885),
                    creditor_name: "DUPONT Jean".into(),
                    creditor_iban: "FR7630006000011234567890189".into(),
                    creditor_bic: None,
                    remittance: String::new(),
                },
            ],
        }
    }

    #[test]
    fn both_versions_are_schema_valid() {
        for version in [Pain001Version::V03, Pain001Version::V09] {
            let xml = write_pain001(&batch(), version).unwrap();
            assert!(xml.contains("<CtrlSum>158.85</CtrlSum>"), "{xml}");
            assert!(xml.contains("<Nm>Helene Muller</Nm>"), "{xml}");
            assert_eq!(schema::validate(version.message(), xml.as_bytes()), Ok(()));
        }
        assert!(write_pain001(&batch(), Pain001Version::V09).unwrap().contains("<BICFI>COBADEFFXXX</BICFI>"));
    }

    #[test]
    fn a_bad_iban_names_the_transfer() {
        let mut bad = batch();
        bad.transfers[1].creditor_iban = "FR76300060000112345678901890".into();
        let error = write_pain001(&bad, Pain001Version::V03).unwrap_err().to_string();
        assert!(error.starts_with("virement n° 2 (RCV-TRF-O7) : IBAN du bénéficiaire"), "{error}");
        let mut empty = batch();
        empty.transfers.clear();
        assert!(write_pain001(&empty, Pain001Version::V03).is_err());
    }
}
