//! SEPA direct debits out: the mandates they are collected under, and the instalments due on a
//! collection date, as a pain.008 file (docs/formats/direct-debits.md). Each instalment is booked
//! when the file is produced, once: the store books the collections and hands them to
//! [`export`] as values, which writes the file with `recouvre-iso20022` inside the store's
//! transaction (the store commits only if the file is written).

use chrono::{Datelike, NaiveDate, Weekday};
use recouvre_domain::authority::Permission;
use recouvre_domain::bank_identifiers::{Bic, Iban};
use recouvre_domain::calendar;
use recouvre_domain::direct_debit;
use recouvre_iso20022::{
    sepa, Creditor, DirectDebit, DirectDebitBatch, MandateAmendment, Pain008Error, Pain008Version, SequenceType,
};
use recouvre_store::direct_debits::{
    CollectionFile, DirectDebitPolicy, ExportSummary, HeldInstalment, Mandate, MandateKind, MandateTerms, NewMandate,
    Sequence,
};
use recouvre_store::settings::BankIdentity;

use crate::{bank_fields, limits, Actor, App, Error, Result};

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
                Sequence::Final => SequenceType::Final,
            },
            debtor_name: collection.debtor_name.clone(),
            debtor_iban: collection.debtor_iban.clone(),
            debtor_bic: collection.debtor_bic.clone(),
            remittance: format!("Echeance {} dossier {}", collection.instalment_number, collection.case_reference),
            amendment: collection.amendment.as_ref().map(|amendment| MandateAmendment {
                original_mandate_id: amendment.original_reference.clone(),
                original_debtor_iban: amendment.original_iban.clone(),
                other_bank: amendment.other_bank,
            }),
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

/// The policy values of direct debits in force (the procedure policy's; docs/formats/direct-debits.md).
pub async fn policy(app: &App) -> Result<DirectDebitPolicy> {
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    Ok(DirectDebitPolicy::of(&rules.procedure))
}

/// The submission cut-off (EPC PT-04.04): the file of `collection_date` goes to the bank at the
/// latest `cut_off_business_days` TARGET2 business days before it. Produced later, it is refused
/// (its instalments stay due and go in the file of a later date).
fn check_cut_off(collection_date: NaiveDate, today: NaiveDate, policy: &DirectDebitPolicy) -> Result<()> {
    let days = policy.cut_off_business_days;
    let deadline = direct_debit::submission_deadline(collection_date, days);
    if today <= deadline {
        return Ok(());
    }
    let french = |date: NaiveDate| date.format("%d/%m/%Y").to_string();
    Err(Error::refused(
        "direct_debit_cut_off_passed",
        format!(
            "date limite de remise dépassée : le fichier des prélèvements du {} devait être remis à la banque au plus \
             tard le {} ({days} jour(s) ouvré(s) TARGET2 avant) ; ses échéances restent dues et seront prélevées à la \
             prochaine date possible, le {} au plus tôt",
            french(collection_date),
            french(deadline),
            french(direct_debit::earliest_collection_date(today, days))
        ),
    ))
}

/// What an export produced: the pain.008 and what it holds (`None` when nothing could be
/// collected), and the instalments due by the date it did not collect, each with why (not
/// pre-notified in time, mandate expired).
#[derive(Clone, Debug)]
pub struct ExportOutcome {
    pub file: Option<(String, ExportSummary)>,
    pub held: Vec<HeldInstalment>,
}

/// The pain.008 file of the instalments due on `collection_date`, and what it holds; no file
/// when nothing can be collected. A collection date that is not a TARGET2 business day is refused
/// with the next one, a file produced after the submission cut-off is refused with the first date
/// still possible; an instalment not pre-notified in time is not collected and is listed in
/// `held`. If the file cannot be written (the bank identity's IBAN, BIC or creditor identifier is
/// wrong…), the error says why and nothing is marked or booked.
pub async fn export(
    app: &App,
    actor: &Actor,
    collection_date: NaiveDate,
    version: Pain008Version,
) -> Result<ExportOutcome> {
    actor.require(Permission::ImportFiles)?;
    check_collection_date(collection_date, app.today())?;
    let policy = policy(app).await?;
    check_cut_off(collection_date, app.today(), &policy)?;
    let bank = recouvre_store::settings::bank_identity(app.store()).await?;
    let message = match version {
        Pain008Version::V02 => "pain.008.001.02",
        Pain008Version::V08 => "pain.008.001.08",
    };
    let prepared = recouvre_store::direct_debits::prepare_export(
        app.store(),
        collection_date,
        message,
        &policy,
        &actor.login,
        app.now(),
        |file| pain008(file, &bank, version),
    )
    .await?;
    Ok(ExportOutcome { file: prepared.file, held: prepared.held })
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
    let debtor_iban = bank_fields::sepa_iban("debtor_iban", "IBAN du débiteur", mandate.debtor_iban)?.into_string();
    let debtor_bic =
        bank_fields::optional_bic("debtor_bic", "BIC du débiteur", mandate.debtor_bic)?.map(Bic::into_string);
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
    /// A pre-notification period agreed with the debtor, in calendar days, shorter than the
    /// policy's (EPC PT-04.03); `None`: the policy's.
    pub prenotification_days: Option<u32>,
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
    let iban = bank_fields::sepa_iban("iban", "IBAN du débiteur", &input.iban)?.into_string();
    let bic = bank_fields::optional_bic("bic", "BIC du débiteur", input.bic.as_deref())?.map(Bic::into_string);
    let kind = MandateKind::from_code(input.sequence.trim()).ok_or_else(|| {
        Error::invalid(
            "sequence",
            "unknown_code",
            format!("type de mandat « {} » inconnu : recurrent (récurrent) ou one_off (ponctuel)", input.sequence),
        )
    })?;
    let signed_on = limits::past_date("signed_on", input.signed_on, app.today())?;
    let default_days = policy(app).await?.prenotification_days;
    if let Some(days) = input.prenotification_days.filter(|days| !(1..=default_days).contains(days)) {
        return Err(Error::invalid(
            "prenotification_days",
            "out_of_range",
            format!(
                "délai de pré-notification convenu : entre 1 et {default_days} jours (reçu {days}) ; au-delà, le délai \
                 de la politique s'applique"
            ),
        ));
    }
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
    let terms = MandateTerms { kind, prenotification_days: input.prenotification_days };
    let id = recouvre_store::direct_debits::add_mandate_with_terms(
        app.store(),
        case_id,
        Some(version),
        &checked,
        terms,
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

/// An amendment of a case's active mandate as the API and the case page enter it (issue 21):
/// each field left out keeps its value.
#[derive(Clone, Debug, Default)]
pub struct MandateAmendmentInput {
    /// A new unique mandate reference (the creditor renumbered its mandates).
    pub rum: Option<String>,
    /// The debtor's new IBAN (a new account, at the same bank or another).
    pub iban: Option<String>,
    /// The new account's BIC; an empty text removes it.
    pub bic: Option<String>,
}

/// Amends the case's active mandate (journaled `mandate_amended`, made on the case's
/// `version`): a new RUM, IBAN or BIC, each checked by `recouvre_domain::bank_identifiers` (400
/// naming `rum`, `iban` or `bic`). The next collection's pain.008 reports it (EPC AT-24): the
/// original RUM, the original IBAN at the same bank, or `SMNDA` when the new IBAN is at another
/// bank (another country or bank code). 409 `no_active_mandate` when the case has none.
/// Returns the amendment's id.
pub async fn amend_mandate(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &MandateAmendmentInput,
) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let rum = match input.rum.as_deref().map(str::trim).filter(|rum| !rum.is_empty()) {
        Some(rum) => Some(
            sepa::validate_mandate_id(rum)
                .map_err(|error| field_error("rum", "référence unique de mandat (RUM)", error))?,
        ),
        None => None,
    };
    let iban = match input.iban.as_deref().map(str::trim).filter(|iban| !iban.is_empty()) {
        Some(iban) => Some(bank_fields::sepa_iban("iban", "nouvel IBAN du débiteur", iban)?),
        None => None,
    };
    let bic = match &input.bic {
        None => None,
        Some(text) => {
            Some(bank_fields::optional_bic("bic", "nouveau BIC du débiteur", Some(text))?.map(Bic::into_string))
        }
    };
    if rum.is_none() && iban.is_none() && bic.is_none() {
        return Err(Error::invalid_input(
            "nothing_to_amend",
            "indiquez la nouvelle référence (rum), le nouvel IBAN (iban) ou le nouveau BIC (bic) du mandat",
        ));
    }
    let mandates = recouvre_store::direct_debits::mandates(app.store(), case_id).await?;
    let Some(active) = mandates.iter().find(|mandate| mandate.status == "active") else {
        return Err(Error::refused(
            "no_active_mandate",
            format!("le dossier n° {case_id} n'a pas de mandat de prélèvement actif : enregistrez d'abord le mandat"),
        ));
    };
    // The stored IBAN was checked when recorded; one that no longer parses counts as another bank.
    let other_bank = match (&iban, Iban::parse(&active.debtor_iban)) {
        (Some(new), Ok(current)) => new.at_another_bank_than(&current),
        (Some(_), Err(_)) => true,
        (None, _) => false,
    };
    let change = recouvre_store::mandate_changes::MandateChange {
        mandate_id: active.id,
        reference: rum.as_deref(),
        iban: iban.as_ref().map(Iban::as_str),
        bic: bic.as_ref().map(Option::as_deref),
        other_bank,
    };
    Ok(recouvre_store::mandate_changes::amend_mandate(
        app.store(),
        case_id,
        Some(version),
        &change,
        &actor.login,
        app.now(),
    )
    .await?)
}

/// What the case's mandate page shows: the case's number and version (for the forms), today,
/// its mandates (newest first) and their amendments (oldest first).
#[derive(Clone, Debug)]
pub struct MandatePage {
    pub case_reference: String,
    pub version: i64,
    pub today: NaiveDate,
    pub mandates: Vec<Mandate>,
    pub amendments: Vec<recouvre_store::mandate_changes::Amendment>,
}

/// The case's mandate page (issue 21): its mandates and their amendments.
pub async fn mandate_page(app: &App, actor: &Actor, case_id: i64) -> Result<MandatePage> {
    actor.require(Permission::ReadCases)?;
    let case = recouvre_store::cases::detail(app.store(), case_id).await?;
    // The debtor's account numbers: a read of the case's file, logged (RGPD art. 15).
    crate::access::record_case_read(
        app,
        actor,
        case_id,
        &format!("/dossiers/{case_id}/mandat"),
        crate::purpose::Purpose::CaseFile,
    )
    .await?;
    Ok(MandatePage {
        case_reference: case.reference.clone(),
        version: case.version,
        today: app.today(),
        mandates: recouvre_store::direct_debits::mandates(app.store(), case_id).await?,
        amendments: recouvre_store::mandate_changes::amendments(app.store(), case_id).await?,
    })
}

/// The amendments of a case's mandates, oldest first.
pub async fn mandate_amendments(
    app: &App,
    actor: &Actor,
    case_id: i64,
) -> Result<Vec<recouvre_store::mandate_changes::Amendment>> {
    actor.require(Permission::ReadCases)?;
    recouvre_store::cases::detail(app.store(), case_id).await?;
    Ok(recouvre_store::mandate_changes::amendments(app.store(), case_id).await?)
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
/// IBAN get a recurrent mandate and a monthly plan of six instalments, the first ones due in
/// 15 to 19 days (once the schedule's pre-notification allows), so that a collection date from
/// then on within the next four months gives a non-empty pain.008. Cases that already have a plan, or whose IBAN is not a SEPA one, are skipped.
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
            Iban::parse_sepa(&iban).map(Iban::into_string),
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
        // First instalments spread over a week once the schedule's 14 days of pre-notification
        // have run (issue 21), then monthly.
        let first_due = calendar::next_target2_business_day(today + chrono::Duration::days(14 + (created % 5) as i64));
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
