//! The accounts CSV from core banking (docs/formats/accounts-csv.md).
fn main() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
    afl::fuzz!(|data: &[u8]| {
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = recouvre_domain::intake::parse_accounts(text, today);
        }
    });
}
