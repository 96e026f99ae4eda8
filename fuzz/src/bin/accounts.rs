//! The accounts CSV from core banking (docs/formats/accounts-csv.md).
fn main() {
    afl::fuzz!(|data: &[u8]| recouvre_fuzz::on_server_stack(data, parse));
}

fn parse(data: &[u8]) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default();
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = recouvre_domain::intake::parse_accounts(text, today);
    }
}
