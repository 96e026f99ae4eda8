//! Renders every template from its sample and reads the PDF back with `pdftotext -layout`
//! (Debian package poppler-utils): what an officer would see on paper is what is asserted.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::Command;
use std::sync::OnceLock;

use recouvre_letters::format::{format_amount, format_date, french_typography};
use recouvre_letters::samples::sample;
use recouvre_letters::{Engine, LetterData, LetterError, LetterKind};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::new)
}

/// Runs a poppler tool on the PDF and returns its standard output.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut file = tempfile();
    file.1.write_all(pdf).expect("write temporary PDF");
    drop(file.1);
    let mut all: Vec<&str> = args.to_vec();
    all.push(&file.0);
    if tool == "pdftotext" {
        all.push("-");
    }
    let out = Command::new(tool).args(&all).output().unwrap_or_else(|e| {
        panic!("{tool} failed to start ({e}): install poppler-utils (apt-get install -y poppler-utils)")
    });
    let _ = std::fs::remove_file(&file.0);
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

fn tempfile() -> (String, std::fs::File) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "recouvre-letters-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let file = std::fs::File::create(&path).expect("create temporary PDF");
    (path.to_string_lossy().into_owned(), file)
}

/// The PDF's text with every run of spaces (ordinary, no-break, narrow no-break) and line
/// breaks made one ordinary space, so assertions do not depend on line layout.
fn text_of(pdf: &[u8]) -> String {
    normalise(&poppler("pdftotext", &["-layout"], pdf))
}

fn normalise(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn page_count(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints the page count")
}

#[track_caller]
fn assert_has(text: &str, needle: &str) {
    let needle = normalise(needle);
    assert!(text.contains(&needle), "expected «{needle}» in the letter's text:\n{text}");
}

#[test]
fn every_template_renders_its_sample() {
    for kind in LetterKind::ALL {
        let data = sample(kind);
        let rendered = engine().render(kind, &data).unwrap_or_else(|e| panic!("{}: {e}", kind.code()));
        assert!(rendered.pdf.starts_with(b"%PDF-"), "{}", kind.code());
        assert_eq!(rendered.template_version, format!("{} v1", kind.code()));
        let text = text_of(&rendered.pdf);
        assert_has(&text, &data.debtor.name);
        assert_has(&text, &data.recipient.name);
        assert_has(&text, &data.case_reference);
        assert_has(&text, &format_amount(data.amounts.total_cents));
        assert_has(&text, "9 839,00 €");
        assert_has(&text, &format_date(data.date));
        assert_has(&text, "27 novembre 2026");
        assert_has(&text, &format!("Page 1/{}", page_count(&rendered.pdf)));
        if kind != LetterKind::PaymentOrderRequest {
            // Letters quote the payment reference; the court request quotes it in its header too.
            assert_has(&text, &data.creditor_reference);
            assert_has(&text, "RF17CTX2026004217");
            assert_has(&text, "Objet :");
        }
        assert_eq!(
            text.contains("Lettre recommandée avec accusé de réception"),
            kind.registered(),
            "{}: registered-mail mention",
            kind.code()
        );
    }
}

#[test]
fn amounts_and_dates_are_french() {
    let data = sample(LetterKind::PlanProposal);
    let text = text_of(&engine().render(LetterKind::PlanProposal, &data).unwrap().pdf);
    // Breakdown, instalments, first-of-month dates.
    assert_has(&text, "8 742,15 €");
    assert_has(&text, "312,48 €");
    assert_has(&text, "699,37 €");
    assert_has(&text, "819,91 €");
    assert_has(&text, "1er février 2027");
    assert_has(&text, "15 décembre 2026");
    assert!(!text.contains("8742.15") && !text.contains("8,742.15"), "{text}");
    // pdftotext prints the narrow no-break space (U+202F) as a plain space, so the exact
    // characters are checked on the data file (view tests) and by the format unit tests.
}

#[test]
fn output_is_deterministic() {
    let data = sample(LetterKind::FormalNotice);
    let a = engine().render(LetterKind::FormalNotice, &data).unwrap();
    let b = engine().render(LetterKind::FormalNotice, &data).unwrap();
    // A second engine: nothing cached, fonts loaded again.
    let c = Engine::new().render(LetterKind::FormalNotice, &data).unwrap();
    assert_eq!(a.pdf, b.pdf);
    assert_eq!(a.pdf, c.pdf);
    assert_eq!(a.sha256_hex, c.sha256_hex);
    assert_eq!(a.sha256_hex.len(), 64);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let batch =
        [(LetterKind::FormalNotice, data.clone()), (LetterKind::GuarantorCall, sample(LetterKind::GuarantorCall))];
    assert_eq!(engine().render_day_mail(day, &batch).unwrap(), Engine::new().render_day_mail(day, &batch).unwrap());
    // And the data matters: another amount gives another document.
    let mut other = data;
    other.amounts.costs_cents += 1;
    other.amounts.total_cents += 1;
    assert_ne!(engine().render(LetterKind::FormalNotice, &other).unwrap().sha256_hex, a.sha256_hex);
}

#[test]
fn guardian_letter_goes_to_the_guardian() {
    let data = sample(LetterKind::GuardianLetter);
    let text = text_of(&engine().render(LetterKind::GuardianLetter, &data).unwrap().pdf);
    assert_has(&text, "Madame Nadia Benali");
    assert_has(&text, "en sa qualité de curateur de Monsieur Lucien Garnier");
    assert_has(&text, "Association tutélaire du Rhône");
    assert_has(&text, "Madame,");
    // The protected adult's own address is not where the letter goes.
    assert!(!text.contains("Résidence Les Tilleuls"), "{text}");
}

#[test]
fn payment_order_request_has_what_article_1407_requires() {
    let data = sample(LetterKind::PaymentOrderRequest);
    let text = text_of(&engine().render(LetterKind::PaymentOrderRequest, &data).unwrap().pdf);
    assert_has(&text, "REQUÊTE EN INJONCTION DE PAYER");
    assert_has(&text, "Tribunal judiciaire de Lyon");
    // Parties: creditor's form, name and registered office; debtor's name, occupation, domicile.
    assert_has(&text, "société anonyme au capital de 152 000 000 €");
    assert_has(&text, "siège social : 8 quai Jules Courmont, 69002 Lyon");
    assert_has(&text, "Madame Jeanne Martin, aide-soignante");
    assert_has(&text, "demeurant 14 rue des Tanneurs, Appartement 32, 69002 Lyon");
    // Amount with its breakdown.
    for cents in [874_215, 31_248, 8_500, 69_937, 983_900] {
        assert_has(&text, &format_amount(cents));
    }
    assert_has(&text, "Capital restant dû");
    assert_has(&text, "Intérêts échus");
    assert_has(&text, "Frais");
    assert_has(&text, "Indemnité contractuelle");
    // Legal basis.
    assert_has(&text, "FONDEMENT DE LA CRÉANCE");
    assert_has(&text, "L312-39");
    // Supporting documents, numbered.
    assert_has(&text, "BORDEREAU DES PIÈCES JUSTIFICATIVES");
    for (i, doc) in data.supporting_documents.iter().enumerate() {
        assert_has(&text, &format!("Pièce n° {} :", i + 1));
        // Long titles wrap; their first words must be there, with French typography applied.
        let start: String = french_typography(doc).split_whitespace().take(4).collect::<Vec<_>>().join(" ");
        assert_has(&text, &start);
    }
}

#[test]
fn repayment_confirmation_mentions_ficp_removal() {
    let mut data = sample(LetterKind::RepaymentConfirmation);
    let text = text_of(&engine().render(LetterKind::RepaymentConfirmation, &data).unwrap().pdf);
    assert_has(&text, "radiation");
    assert_has(&text, "FICP");
    data.repayment.as_mut().unwrap().ficp_registered = false;
    let text = text_of(&engine().render(LetterKind::RepaymentConfirmation, &data).unwrap().pdf);
    assert!(!text.contains("radiation"), "{text}");
}

#[test]
fn a_missing_field_is_a_typed_error() {
    let mut data = sample(LetterKind::FormalNotice);
    data.cure_period_end = None;
    let err = engine().render(LetterKind::FormalNotice, &data).unwrap_err();
    assert!(
        matches!(err, LetterError::MissingField { kind: LetterKind::FormalNotice, field: "cure_period_end" }),
        "{err:?}"
    );
    assert!(err.to_string().contains("cure_period_end") && err.to_string().contains("Complétez"), "{err}");

    let mut data = sample(LetterKind::PaymentOrderRequest);
    data.supporting_documents.clear();
    assert!(matches!(
        engine().render(LetterKind::PaymentOrderRequest, &data),
        Err(LetterError::MissingField { field: "supporting_documents", .. })
    ));

    // A guardian letter without the protection measure would go to the wrong person.
    let data = sample(LetterKind::FormalNotice);
    assert!(matches!(
        engine().render(LetterKind::GuardianLetter, &data),
        Err(LetterError::MissingField { field: "protection", .. })
    ));

    let mut data = sample(LetterKind::FormalNotice);
    data.amounts.total_cents += 100;
    assert!(matches!(engine().render(LetterKind::FormalNotice, &data), Err(LetterError::AmountsDoNotAdd { .. })));
}

#[test]
fn markup_characters_in_data_print_literally() {
    // Short pieces, so each fits on one line of the address block and is read back whole.
    let name = "Jean #set *gras* _x_ $y^2$";
    let street = "@ref <lbl> [a] \\ `raw` // fin";
    let mut data: LetterData = sample(LetterKind::PaymentOrderRequest);
    data.debtor.name = name.to_string();
    data.debtor.address_lines[0] = street.to_string();
    data.recipient = data.debtor.clone();
    data.cure_period_end = Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap());
    data.note = Some("Note = #panic(\"boum\") #import \"/etc/passwd\" fin".to_string());
    for kind in [LetterKind::FormalNotice, LetterKind::PaymentOrderRequest] {
        let text = text_of(&engine().render(kind, &data).unwrap().pdf);
        assert_has(&text, name);
        assert_has(&text, street);
        assert_has(&text, "Note = #panic(\"boum\") #import \"/etc/passwd\" fin");
    }
}

#[test]
fn day_mail_is_one_pdf_with_a_cover_and_each_letter_on_new_pages() {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let kinds = [LetterKind::FormalNotice, LetterKind::PlanProposal, LetterKind::GuardianLetter];
    let letters: Vec<(LetterKind, LetterData)> = kinds.iter().map(|k| (*k, sample(*k))).collect();
    let pdf = engine().render_day_mail(day, &letters).unwrap();
    let alone: Vec<usize> = letters.iter().map(|(k, d)| page_count(&engine().render(*k, d).unwrap().pdf)).collect();
    assert_eq!(page_count(&pdf), 1 + alone.iter().sum::<usize>(), "cover + each letter's pages");
    let text = text_of(&pdf);
    assert_has(&text, "Courrier du 27 novembre 2026");
    assert_has(&text, "3 courriers, dont 2 en recommandé");
    // Cover lines: recipient, kind, case, pages (the first letter starts on page 2).
    let pages = |first: usize, count: usize| {
        if count == 1 {
            first.to_string()
        } else {
            format!("{first}–{}", first + count - 1)
        }
    };
    assert_has(&text, &format!("1 Madame Jeanne Martin Mise en demeure (LRAR) CTX-2026-004217 {}", pages(2, alone[0])));
    assert_has(
        &text,
        &format!("2 Madame Jeanne Martin Proposition d'échéancier CTX-2026-004217 {}", pages(2 + alone[0], alone[1])),
    );
    assert_has(&text, "Madame Nadia Benali Courrier au tuteur ou curateur (LRAR)");
    // Each letter numbers its own pages.
    assert_eq!(text.matches("Page 1/").count(), 3, "{text}");
    assert_has(&text, &format!("Page 1/{}", alone[1]));
    assert!(matches!(engine().render_day_mail(day, &[]), Err(LetterError::EmptyDayMail { .. })));
}

#[test]
fn an_administrator_can_replace_a_template() {
    let mut engine = Engine::new();
    let source = r#"#import "/lib.typ": *
#let render(d) = letter(d, object: [Dernier avis avant poursuites])[
  Nouvelle rédaction pour #d.debtor.name : #d.amounts.total avant le #d.cure_period_end.
  #signature(d)
]
"#;
    engine.set_template(LetterKind::FormalNotice, source, "formal_notice v2 (2026-11)").unwrap();
    let rendered = engine.render(LetterKind::FormalNotice, &sample(LetterKind::FormalNotice)).unwrap();
    assert_eq!(rendered.template_version, "formal_notice v2 (2026-11)");
    let text = text_of(&rendered.pdf);
    assert_has(&text, "Dernier avis avant poursuites");
    assert_has(&text, "Nouvelle rédaction pour Madame Jeanne Martin");
    assert_has(&text, "28 décembre 2026");

    // A broken template is refused at render time, naming the file and the line.
    engine.set_template(LetterKind::FormalNotice, "#let render(d) = [#d.no_such_field]\n#let x = (", "v3").unwrap();
    let err = engine.render(LetterKind::FormalNotice, &sample(LetterKind::FormalNotice)).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, LetterError::Template { .. }), "{err:?}");
    assert!(message.contains("/templates/formal_notice.typ, ligne 2"), "{message}");
    assert!(message.contains("« v3 »"), "{message}");
    assert!(matches!(
        engine.set_template(LetterKind::FormalNotice, "", "  "),
        Err(LetterError::EmptyTemplateVersion { .. })
    ));
}

#[test]
fn the_days_mail_makes_each_letter_with_the_version_it_was_validated_with() {
    let mut engine = Engine::new();
    let version = |marker: &str| {
        format!(
            "#import \"/lib.typ\": *\n#let render(d) = letter(d, object: [Mise en demeure])[\n  {marker} pour #d.debtor.name.\n  #signature(d)\n]\n"
        )
    };
    engine.set_template(LetterKind::FormalNotice, version("Rédaction deux"), "formal_notice v2").unwrap();
    engine.set_template(LetterKind::FormalNotice, version("Rédaction trois"), "formal_notice v3").unwrap();
    assert_eq!(engine.template_version(LetterKind::FormalNotice), "formal_notice v3");
    for known in ["formal_notice v1", "formal_notice v2", "formal_notice v3"] {
        assert!(engine.knows_version(known), "{known}");
    }
    let data = sample(LetterKind::FormalNotice);
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let letters = [
        (LetterKind::FormalNotice, "formal_notice v2", data.clone()),
        (LetterKind::FormalNotice, "formal_notice v3", data.clone()),
        (LetterKind::FormalNotice, "formal_notice v1", data.clone()),
        (LetterKind::FormalNotice, "formal_notice v2", data.clone()),
    ];
    let text = text_of(&engine.render_day_mail_versions(day, &letters).unwrap());
    assert_eq!(text.matches("Rédaction deux pour").count(), 2, "{text}");
    assert_eq!(text.matches("Rédaction trois pour").count(), 1, "{text}");
    assert_has(&text, "vaut mise en demeure");
    // The same letters alone give the same text as the day's mail composes.
    let alone = text_of(&engine.render(LetterKind::FormalNotice, &data).unwrap().pdf);
    assert_has(&alone, "Rédaction trois pour");
    // A version this engine never saw is an error that says so, not another template.
    let unknown = engine.render_day_mail_versions(day, &[(LetterKind::FormalNotice, "formal_notice v9", data)]);
    assert!(matches!(unknown, Err(LetterError::UnknownTemplateVersion { .. })), "{unknown:?}");
}
