//! The content check of an uploaded scan (PDF, JPEG, PNG) and the file name it is stored under.
fn main() {
    afl::fuzz!(|data: &[u8]| recouvre_fuzz::on_server_stack(data, parse));
}

fn parse(data: &[u8]) {
    let format = recouvre_domain::attachment::detect(data);
    if let Ok(format) = format {
        let name = String::from_utf8_lossy(&data[..data.len().min(300)]);
        let _ = recouvre_domain::attachment::safe_file_name(&name, format, "piece");
    }
}
