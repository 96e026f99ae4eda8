//! SEPA direct debits out: the mandates they are collected under, and the instalments due on a
//! collection date, as a pain.008 file (docs/formats/direct-debits.md). Each instalment is booked
//! when the file is produced, once: the store books the collections and hands them to
//! [`export`] as values, which writes the file with `recouvre-iso20022` inside the store's
//! transaction (the store commits only if the file is written).

use chrono::{Datelike, NaiveDate, Weekday};
use recouvre_domain::authority::Permission;
use recouvre_domain::calendar;
use recouvre_iso20022::{sepa, Creditor, DirectDebit, DirectDebitBatch, Pain008Error, Pain008Version, SequenceType};
use recouvre_store::direct_debits::{CollectionFile, ExportSummary, Mandate, MandateKind, NewMandate, Sequence};
use recouvre_store::settings::BankIdentity;

use crate::{limits, Actor, App, Error, Result};

/// Reads a message version: `02` (pain.008.001.02) or `08`.
pub fn version(text: &str) -> Result<Pain008Version> {
    Pain008Version::parse(text)
        .ok_or_else(|| Error::invalid("version", "unknown_code", format!("version « {text} » inconnue : 02 ou 08")))
}

/// A direct-debit file that cannot be produced, and why.
fn file_error(error: Pain008Error) -> Error {
    Error::refused("direct_debit_file_refused", format!("fichier de prélèvements non produit : {error}"))
}

/// The collection date must be a TARGET2 business day (the days the SEPA clearing settles), not
/// before today: checked before anything is booked.
fn check_collection_date(date: NaiveDate, today: NaiveDate) -> Result<()> {
    if !calendar::is_target2_business_day(date) {
        let reason = match date.weekday() {
            Weekday::Sat => "samedi",
            Weekday::Sun => "dimanche",
            _ => "jour de fermeture de TARGET2",
        };
        return Err(file_error(Pain008Error::NotTarget2 {
            date,
            next: calendar::next_target2_business_day(date),
            reason: reason.to_string(),
        }));
    }
    if date < today {
        return Err(file_error(Pain008Error::CollectionInThePast { date, created: today }));
    }
    Ok(())
}

/// The pain.008 of `version` for the collections the store booked, from the bank's identity.
/// Valid against its schema, or an error that says which field is wrong.
pub fn pain008(file: &CollectionFile, bank: &BankIdentity, version: Pain008Version) -> Result<String> {
    let debits = file
        .collections
        .iter()
        .map(|collection| DirectDebit {
            end_to_end_id: collection.end_to_end_id.clone(),
            amount: collection.amount,
            mandate_id: collection.mandate_reference.clone(),
            mandate_signed_on: collection.mandate_signed_on,
            sequence: match collection.sequence {
                Sequence::First => SequenceType::First,
                Sequence::Recurrent => SequenceType::Recurrent,
                Sequence::OneOff => SequenceType::OneOff,
            },
            debtor_name: collection.debtor_name.clone(),
            debtor_iban: collection.debtor_iban.clone(),
            debtor_bic: collection.debtor_bic.clone(),
            remittance: format!("Echeance {} dossier {}", collection.instalment_number, collection.case_reference),
        })
        .collect();
    let batch = DirectDebitBatch {
        message_id: file.message_id.clone(),
        created_at: file.created_at.naive_utc(),
        initiating_party: bank.name.clone(),
        creditor: Creditor {
            name: bank.name.clone(),
            iban: bank.collection_iban.clone(),
            bic: bank.collection_bic.clone(),
            creditor_id: bank.sepa_creditor_id.clone(),
        },
        collection_date: file.collection_date,
        debits,
    };
    recouvre_iso20022::write_pain008(&batch, version).map_err(file_error)
}

/// The pain.008 file of the instalments due on `collection_date`, and what it holds; `None`
/// when nothing is due. A collection date that is not a TARGET2 business day is refused with the
/// next one; if the file cannot be written (the bank identity's IBAN, BIC or creditor identifier
/// is wrong…), the error says why and nothing is marked or booked.
pub async fn export(
    app: &App,
    actor: &Actor,
    collection_date: NaiveDate,
    version: Pain008Version,
) -> Result<Option<(String, ExportSummary)>> {
    actor.require(Permission::ImportFiles)?;
    check_collection_date(collection_date, app.today())?;
    let bank = recouvre_store::settings::bank_identity(app.store()).await?;
    let message = match version {
        Pain008Version::V02 => "pain.008.001.02",
        Pain008Version::V08 => "pain.008.001.08",
    };
    recouvre_store::direct_debits::prepare_export(
        app.store(),
        collection_date,
        message,
        &actor.login,
        app.now(),
        |file| pain008(file, &bank, version),
    )
    .await
}

/// A mandate's field refused, named by its French `label` in the message.
fn field_error(field: &str, label: &str, error: sepa::SepaError) -> Error {
    Error::invalid(field, "invalid_mandate", format!("{label} : {error}"))
}

/// Registers a SEPA Core mandate on a case (journaled `mandate_added`), made on the case's
/// `version`. The reference (RUM), the IBAN (checksum, SEPA country, French RIB key) and the BIC
/// are checked, and the debtor's name must be writable in the SEPA character set, as the
/// pain.008 requires; each refusal names the field. The IBAN and BIC are stored in their
/// electronic form. The case's previous active mandate is revoked. Returns the mandate's id.
pub async fn add_mandate(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    mandate: &NewMandate<'_>,
) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let reference = sepa::validate_mandate_id(mandate.reference.trim())
        .map_err(|error| field_error("reference", "référence unique de mandat (RUM)", error))?;
    let debtor_name = mandate.debtor_name.trim();
    sepa::to_sepa_text(debtor_name, 70).map_err(|error| field_error("debtor_name", "nom du débiteur", error))?;
    let debtor_iban = sepa::validate_sepa_iban(mandate.debtor_iban)
        .map_err(|error| field_error("debtor_iban", "IBAN du débiteur", error))?;
    let debtor_bic = match mandate.debtor_bic.map(str::trim) {
        Some(bic) if !bic.is_empty() => {
            Some(sepa::validate_bic(bic).map_err(|error| field_error("debtor_bic", "BIC du débiteur", error))?)
        }
        _ => None,
    };
    // The debtor signed it: an act, never dated after today (400 naming the field).
    let signed_on = limits::past_date("signed_on", mandate.signed_on, app.today())?;
    let checked = NewMandate {
        reference: &reference,
        debtor_name,
        debtor_iban: &debtor_iban,
        debtor_bic: debtor_bic.as_deref(),
        signed_on,
    };
    let id = recouvre_store::direct_debits::add_mandate(
        app.store(),
        case_id,
        Some(version),
        &checked,
        &actor.login,
        app.now(),
    )
    .await?;
    Ok(id)
}

/// A mandate as the API and the case page enter it (issue 21): the debtor's name is the case's
/// debtor's, written in the SEPA character set.
#[derive(Clone, Debug)]
pub struct MandateInput {
    /// Unique mandate reference (RUM, EPC AT-01).
    pub rum: String,
    pub iban: String,
    /// Optional since 2016 for SEPA debtors.
    pub bic: Option<String>,
    pub signed_on: NaiveDate,
    /// `recurrent` or `one_off`.
    pub sequence: String,
}

/// Records the SEPA Core mandate the debtor of a case signed (journaled `mandate_added`, made
/// on the case's `version`): the RUM, the IBAN (checksum, SEPA country, French RIB key) and the
/// BIC are checked by `recouvre_iso20022::sepa`, each refusal a 400 naming the API field (`rum`,
/// `iban`, `bic`, `signed_on`, `sequence`). The case's previous active mandate is revoked. From
/// then on the instalments of the case's active plan are collected by the next
/// `recouvre export direct-debits` for their date. Returns the mandate's id.
pub async fn record_mandate(app: &App, actor: &Actor, case_id: i64, version: i64, input: &MandateInput) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let rum = sepa::validate_mandate_id(input.rum.trim())
        .map_err(|error| field_error("rum", "référence unique de mandat (RUM)", error))?;
    let iban = sepa::validate_sepa_iban(&input.iban).map_err(|error| field_error("iban", "IBAN du débiteur", error))?;
    let bic = match input.bic.as_deref().map(str::trim) {
        Some(bic) if !bic.is_empty() => {
            Some(sepa::validate_bic(bic).map_err(|error| field_error("bic", "BIC du débiteur", error))?)
        }
        _ => None,
    };
    let kind = MandateKind::from_code(input.sequence.trim()).ok_or_else(|| {
        Error::invalid(
            "sequence",
            "unknown_code",
            format!("type de mandat « {} » inconnu : recurrent (récurrent) ou one_off (ponctuel)", input.sequence),
        )
    })?;
    let signed_on = limits::past_date("signed_on", input.signed_on, app.today())?;
    let case = recouvre_store::cases::detail(app.store(), case_id).await?;
    let debtor = format!("{} {}", case.debtor.last_name.to_uppercase(), case.debtor.first_name);
    let debtor_name = sepa::to_sepa_text(debtor.trim(), 70)
        .map_err(|error| field_error("debtor_name", "nom du débiteur du dossier", error))?;
    let checked = NewMandate {
        reference: &rum,
        debtor_name: &debtor_name,
        debtor_iban: &iban,
        debtor_bic: bic.as_deref(),
        signed_on,
    };
    let id = recouvre_store::direct_debits::add_mandate_of_kind(
        app.store(),
        case_id,
        Some(version),
        &checked,
        kind,
        &actor.login,
        app.now(),
    )
    .await?;
    Ok(id)
}

/// Revokes the case's active mandate (the debtor withdrew it), journaled `mandate_revoked`, made
/// on the case's `version`: its instalments are no longer collected. Returns the case's new
/// version.
pub async fn revoke_mandate(app: &App, actor: &Actor, case_id: i64, version: i64) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    Ok(recouvre_store::direct_debits::revoke_mandate(app.store(), case_id, Some(version), &actor.login, app.now())
        .await?)
}

/// The mandates of a case, newest first: its history (active, revoked, one-off spent).
pub async fn mandates(app: &App, actor: &Actor, case_id: i64) -> Result<Vec<Mandate>> {
    actor.require(Permission::ReadCases)?;
    recouvre_store::cases::detail(app.store(), case_id).await?;
    Ok(recouvre_store::direct_debits::mandates(app.store(), case_id).await?)
}

/// The plan proposed with `mandate_id` is paid by direct debit under that mandate: it must be the
/// case's active mandate (400 naming `mandate_id` otherwise).
pub async fn check_plan_mandate(app: &App, case_id: i64, mandate_id: i64) -> Result<()> {
    let mandates = recouvre_store::direct_debits::mandates(app.store(), case_id).await?;
    match mandates.iter().find(|mandate| mandate.id == mandate_id) {
        Some(mandate) if mandate.status == "active" => Ok(()),
        Some(_) => Err(Error::invalid(
            "mandate_id",
            "mandate_not_active",
            format!("le mandat n° {mandate_id} n'est plus actif : enregistrez le nouveau mandat signé par le débiteur"),
        )),
        None => Err(Error::invalid(
            "mandate_id",
            "unknown_mandate",
            format!(
                "le mandat n° {mandate_id} n'est pas un mandat de ce dossier : enregistrez d'abord le mandat signé"
            ),
        )),
    }
}

/// Demo data (`recouvre seed`, `recouvre demo`): up to `count` open cases whose debtor has an
/// IBAN get a recurrent mandate and a monthly plan of six instalments, the first ones due over
/// the coming days, so that a collection date within the next four months gives a non-empty
/// pain.008. Cases that already have a plan, or whose IBAN is not a SEPA one, are skipped.
/// Returns the number of plans created.
pub async fn seed_direct_debits(app: &App, actor: &Actor, count: usize) -> Result<usize> {
    crate::demo::system_only(actor)?;
    let today = app.today();
    let mut created = 0;
    for (case_id, reference, iban, last_name, first_name) in
        recouvre_store::direct_debits::plan_candidates(app.store(), (count * 3) as i64).await?
    {
        if created >= count {
            break;
        }
        let (Ok(iban), Ok(name)) = (
            sepa::validate_sepa_iban(&iban),
            sepa::to_sepa_text(&format!("{} {first_name}", last_name.to_uppercase()), 70),
        ) else {
            continue;
        };
        let rum = format!("RUM-{}-01", reference.replace('-', ""));
        let mandate =
            NewMandate { reference: &rum, debtor_name: &name, debtor_iban: &iban, debtor_bic: None, signed_on: today };
        if recouvre_store::direct_debits::add_mandate(app.store(), case_id, None, &mandate, &actor.login, app.now())
            .await
            .is_err()
        {
            continue;
        }
        // First instalments spread over the coming week, then monthly.
        let first_due = calendar::next_target2_business_day(today + chrono::Duration::days((created % 5) as i64));
        let instalments: Vec<(NaiveDate, recouvre_domain::Money)> = (0..6)
            .map(|month| {
                let due = first_due.checked_add_months(chrono::Months::new(month)).unwrap_or(first_due);
                (due, recouvre_domain::Money::from_cents(5_000))
            })
            .collect();
        if recouvre_store::direct_debits::create_plan(app.store(), case_id, None, &instalments, &actor.login, app.now())
            .await
            .is_ok()
        {
            created += 1;
        }
    }
    Ok(created)
}
