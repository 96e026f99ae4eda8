//! The keys of the journal's and the ledger's seals (issue 24, part 1), kept outside the
//! database. Apart from [`crate::audit`] because the store's connection (`db`) carries them and
//! `audit` reads the database through `db`: keys know nothing of the database.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The shortest accepted key: 32 bytes, SHA-256's block strength.
pub const MIN_KEY_BYTES: usize = 32;

/// The HMAC keys, kept outside the database (a file or `RECOUVRE_AUDIT_KEY`). One key per line,
/// `KEY_ID HEX` (at least [`MIN_KEY_BYTES`] bytes); the first line seals new rows, the others
/// are retired keys kept to verify what they sealed (rotation: docs/security.md).
#[derive(Clone)]
pub struct AuditKeys {
    keys: Vec<(String, Vec<u8>)>,
}

impl fmt::Debug for AuditKeys {
    // Never print a secret: the ids only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("AuditKeys").field("ids", &ids).finish()
    }
}

/// What checking one seal found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealCheck {
    Valid,
    Invalid,
    /// Sealed with a key id that is not among the keys given.
    UnknownKey,
}

impl AuditKeys {
    /// Reads keys from their text: lines (or `;`-separated items) `KEY_ID HEX`; `#` starts a
    /// comment. The error says, in French, what is wrong.
    pub fn parse(text: &str) -> std::result::Result<AuditKeys, String> {
        let mut keys = Vec::new();
        for item in text.split(['\n', ';']) {
            let item = item.split('#').next().unwrap_or("").trim();
            if item.is_empty() {
                continue;
            }
            let mut parts = item.split_whitespace();
            let (Some(id), Some(secret), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err("clé d'audit : une ligne par clé, « identifiant clé-en-hexadécimal »".to_string());
            };
            let secret = hex::decode(secret)
                .map_err(|_| format!("clé d'audit « {id} » : la clé doit être écrite en hexadécimal"))?;
            if secret.len() < MIN_KEY_BYTES {
                return Err(format!(
                    "clé d'audit « {id} » : {} octets, il en faut au moins {MIN_KEY_BYTES} (openssl rand -hex 32)",
                    secret.len()
                ));
            }
            if keys.iter().any(|(known, _)| known == id) {
                return Err(format!("clé d'audit « {id} » donnée deux fois"));
            }
            keys.push((id.to_string(), secret));
        }
        if keys.is_empty() {
            return Err("clé d'audit vide : « identifiant clé-en-hexadécimal » attendu".to_string());
        }
        Ok(AuditKeys { keys })
    }

    /// The id of the key that seals new rows.
    pub fn current_id(&self) -> &str {
        self.keys.first().map_or("", |(id, _)| id.as_str())
    }

    fn mac_with(secret: &[u8], domain: &str, key_id: &str, digest: &str) -> String {
        // HMAC accepts a key of any length: this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
        for field in [domain, key_id, digest] {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Seals `digest` under the current key: (key id, seal).
    pub fn seal(&self, domain: &str, digest: &str) -> (String, String) {
        let (id, secret) = match self.keys.first() {
            Some((id, secret)) => (id.as_str(), secret.as_slice()),
            None => ("", &[][..]),
        };
        (id.to_string(), AuditKeys::mac_with(secret, domain, id, digest))
    }

    /// Checks a seal made under `key_id`.
    pub fn check(&self, key_id: &str, domain: &str, digest: &str, mac: &str) -> SealCheck {
        let Some((_, secret)) = self.keys.iter().find(|(id, _)| id == key_id) else {
            return SealCheck::UnknownKey;
        };
        let Ok(mut expected) = Hmac::<Sha256>::new_from_slice(secret) else { return SealCheck::Invalid };
        for field in [domain, key_id, digest] {
            expected.update(&(field.len() as u64).to_be_bytes());
            expected.update(field.as_bytes());
        }
        match hex::decode(mac) {
            // Constant-time comparison.
            Ok(bytes) if expected.verify_slice(&bytes).is_ok() => SealCheck::Valid,
            _ => SealCheck::Invalid,
        }
    }
}
