//! The erasable part of an event: its personal fields moved out of the hashed payload, and the
//! salted digest that the chain covers instead.

use sha2::{Digest, Sha256};

/// Bytes of randomness in a salt (hex-encoded: twice as many characters). A salt makes the
/// digest of a short personal field (a name) impossible to find by trying candidate values once
/// the data and its salt are erased.
pub const SALT_BYTES: usize = 16;

/// Splits a payload (JSON object text) into the text without the `personal_fields`, and the
/// text of an object holding them. A payload that is not an object, or holds none of them (or
/// only as `null`), is returned as it was, with no personal part.
pub fn split_payload(payload: &str, personal_fields: &[&str]) -> (String, Option<String>) {
    if personal_fields.is_empty() {
        return (payload.to_string(), None);
    }
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_str::<serde_json::Value>(payload) else {
        return (payload.to_string(), None);
    };
    let mut personal = serde_json::Map::new();
    for name in personal_fields {
        if fields.get(*name).is_some_and(|value| !value.is_null()) {
            if let Some(value) = fields.remove(*name) {
                personal.insert((*name).to_string(), value);
            }
        }
    }
    if personal.is_empty() {
        return (payload.to_string(), None);
    }
    (serde_json::Value::Object(fields).to_string(), Some(serde_json::Value::Object(personal).to_string()))
}

/// SHA-256 over the salt and the personal data, each length-prefixed, hex.
pub fn personal_digest(salt_hex: &str, personal: &str) -> String {
    let mut hasher = Sha256::new();
    for field in [salt_hex, personal] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}
