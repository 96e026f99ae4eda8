//! camt.052/053/054 bank statements, as uploaded or read by `recouvre statement show`: schema
//! detection and validation (libxml2), then the reading of the tree (roxmltree).
fn main() {
    afl::fuzz!(|data: &[u8]| recouvre_fuzz::on_server_stack(data, parse));
}

fn parse(data: &[u8]) {
    if let Ok(statements) = recouvre_iso20022::read_statements(data) {
        // The JSON shown to the officer and the keys that deduplicate entries must hold
        // for anything the reader accepts.
        let _ = recouvre_iso20022::statement_json_text(&statements);
        for statement in &statements {
            let _ = statement.balance_gap();
            let _ = statement.booked_movement();
            for entry in &statement.entries {
                let _ = recouvre_iso20022::entry_key(statement, entry);
                let _ = entry.signed_amount();
            }
        }
    }
}
