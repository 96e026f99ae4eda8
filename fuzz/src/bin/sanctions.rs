//! The sanctions list (the national freeze register's CSV export), then screening a payer's name
//! against what was read: the name normalisation and similarity run on list content too.
fn main() {
    afl::fuzz!(|data: &[u8]| recouvre_fuzz::on_server_stack(data, parse));
}

fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The first line is the payer's name to screen, the rest the list.
    let (payer, list) = text.split_once('\n').unwrap_or(("", text));
    if let Ok(list) = recouvre_domain::sanctions::SanctionsList::parse_csv(list, "fuzz.csv") {
        let _ = list.screen(payer, 80);
    }
}
