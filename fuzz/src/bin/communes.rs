//! A list of communes in the documented format (docs/debtor-file.md).
fn main() {
    afl::fuzz!(|data: &[u8]| recouvre_fuzz::on_server_stack(data, parse));
}

fn parse(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = recouvre_domain::debtor_file::parse_communes(text);
    }
}
