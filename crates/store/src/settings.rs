//! The bank's identity and other settings, edited by an administrator.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::{query, query_scalar};
use crate::{Result, Store, StoreError};

/// The bank as it appears on letters and files. Demo defaults until an administrator edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankIdentity {
    pub name: String,
    pub address: String,
    /// SEPA creditor identifier (ICS), used in direct-debit files.
    pub sepa_creditor_id: String,
    pub collection_iban: String,
    pub collection_bic: String,
    /// Path or data URL of the logo printed on letters.
    pub logo: String,
    pub centre_name: String,
    pub centre_phone: String,
    pub centre_email: String,
    /// The legal mentions every letter's footer prints (C. com. R123-237, issue 20): legal
    /// form ("société anonyme"), share capital ("152 000 000 €"), registry and number ("Lyon
    /// 552 108 417"), head office (the address when empty), ORIAS number where relevant.
    /// Absent from identities stored before: letters are refused until an administrator
    /// enters them.
    #[serde(default)]
    pub legal_form: String,
    #[serde(default)]
    pub share_capital: String,
    #[serde(default)]
    pub rcs: String,
    #[serde(default)]
    pub head_office: String,
    #[serde(default)]
    pub orias: String,
}

impl Default for BankIdentity {
    fn default() -> BankIdentity {
        BankIdentity {
            name: "Banque Démonstration SA".to_string(),
            address: "12 rue de la Paix, 75002 Paris".to_string(),
            sepa_creditor_id: "FR72ZZZ123456".to_string(),
            collection_iban: "FR7630001007941234567890185".to_string(),
            collection_bic: "BDFEFRPPXXX".to_string(),
            logo: String::new(),
            centre_name: "Centre de recouvrement contentieux de Lyon".to_string(),
            centre_phone: "04 72 00 00 00".to_string(),
            centre_email: "contentieux@banque-demo.example.fr".to_string(),
            legal_form: "société anonyme".to_string(),
            share_capital: "250 000 000 €".to_string(),
            rcs: "Paris 552 120 222".to_string(),
            head_office: "12 rue de la Paix, 75002 Paris".to_string(),
            orias: String::new(),
        }
    }
}

const BANK_IDENTITY_KEY: &str = "bank_identity";

pub async fn bank_identity(store: &Store) -> Result<BankIdentity> {
    let value: Option<String> =
        query_scalar("SELECT value FROM settings WHERE key = $1").bind(BANK_IDENTITY_KEY).fetch_optional(store).await?;
    match value {
        None => Ok(BankIdentity::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|error| StoreError::Corrupt(format!("paramètre {BANK_IDENTITY_KEY} : {error}"))),
    }
}

pub async fn set_bank_identity(store: &Store, identity: &BankIdentity, by: &str, now: DateTime<Utc>) -> Result<()> {
    let value = crate::json_text(identity);
    query(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(BANK_IDENTITY_KEY)
    .bind(value)
    .bind(by)
    .bind(now)
    .execute(store)
    .await?;
    Ok(())
}
