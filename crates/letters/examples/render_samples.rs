//! Renders every sample letter to `<dir>/<code>.pdf`, and a day's mail of all of them to
//! `<dir>/day_mail.pdf`. Used by `scripts/render-letters` to make the PNG previews.

use recouvre_letters::samples::sample;
use recouvre_letters::{Engine, LetterKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: render_samples <output directory>")?;
    std::fs::create_dir_all(&dir)?;
    let engine = Engine::new();
    for kind in LetterKind::ALL {
        let rendered = engine.render(kind, &sample(kind))?;
        let path = format!("{dir}/{}.pdf", kind.code());
        std::fs::write(&path, &rendered.pdf)?;
        println!(
            "{path} ({} octets, {}, sha256 {})",
            rendered.pdf.len(),
            rendered.template_version,
            rendered.sha256_hex
        );
    }
    let letters: Vec<_> = LetterKind::ALL.into_iter().map(|k| (k, sample(k))).collect();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).ok_or("date")?;
    let path = format!("{dir}/day_mail.pdf");
    std::fs::write(&path, engine.render_day_mail(day, &letters)?)?;
    println!("{path}");
    Ok(())
}
