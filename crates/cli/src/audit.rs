//! `recouvre audit …`, and the keys kept outside the database that seal the journal and the
//! ledger and sign the anchors (issue 24; docs/security.md « Preuve face à un administrateur de
//! base »).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use anyhow::Context;
use clap::{Args, Subcommand};
use recouvre_app::audit::AnchorKey;
use recouvre_store::audit::AuditKeys;

use crate::{app, operator_error, system};

/// The keys of the audit trail, given to every command.
#[derive(Args, Clone, Debug, Default)]
pub struct KeyArgs {
    /// Fichier des clés HMAC d'audit, gardé hors de la base : une clé par ligne « identifiant
    /// clé-hexadécimale », la première scelle, les suivantes (anciennes) vérifient. Sinon la
    /// variable RECOUVRE_AUDIT_KEY (même contenu).
    #[arg(long, global = true, env = "RECOUVRE_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,
    /// Fichier de la clé Ed25519 des ancres : « ed25519-seed HEX » pour signer, « ed25519-public
    /// HEX » pour vérifier.
    #[arg(long, global = true, env = "RECOUVRE_ANCHOR_KEY_FILE")]
    pub anchor_key_file: Option<PathBuf>,
    /// Répertoire des ancres quotidiennes : le traitement de nuit y écrit celle du jour,
    /// `recouvre audit verify` les relit toutes.
    #[arg(long, global = true, env = "RECOUVRE_ANCHOR_DIR")]
    pub anchor_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Vérifie les chaînes des journaux, les sceaux HMAC du journal et du grand livre, et les
    /// ancres signées ; code de sortie 1 s'il y a une altération (chacune est nommée).
    Verify {
        /// Répertoire des ancres à comparer (par défaut --anchor-dir).
        #[arg(long)]
        anchors: Option<PathBuf>,
    },
    /// Écrit l'ancre du jour (têtes des journaux et du grand livre, signées Ed25519) dans FILE.
    Anchor {
        #[arg(long)]
        out: PathBuf,
    },
    /// Bascule, une fois, une base qui a des lignes écrites sans clé : elles sont scellées
    /// telles quelles par un HMAC de leur empreinte (les nouvelles le sont une à une).
    CutOver,
    /// Tire une clé HMAC d'audit et une clé d'ancrage neuves dans DIR (audit.key, anchor.key,
    /// anchor.pub), à garder hors de la base.
    Keygen {
        #[arg(long)]
        dir: PathBuf,
    },
}

/// The HMAC key of `recouvre demo` when none is given: the demo's, like its password, never a
/// bank's.
const DEMO_AUDIT_KEY: &str = "demo-2026 64656d6f2d6f6e6c792d6e657665722d696e2d70726f64756374696f6e2d2d2d";

static AUDIT_KEYS: OnceLock<AuditKeys> = OnceLock::new();

/// Reads the audit keys given (file, else `RECOUVRE_AUDIT_KEY`), once per process; the demo
/// falls back on its own key.
pub fn load_keys(args: &KeyArgs, demo: bool) -> anyhow::Result<()> {
    let text = match &args.audit_key_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("clé d'audit : lecture de {} impossible", path.display()))?,
        ),
        None => std::env::var("RECOUVRE_AUDIT_KEY").ok().filter(|text| !text.trim().is_empty()),
    };
    let text = match text {
        Some(text) => text,
        None if demo => DEMO_AUDIT_KEY.to_string(),
        None => return Ok(()),
    };
    let keys = AuditKeys::parse(&text).map_err(anyhow::Error::msg)?;
    let _ = AUDIT_KEYS.set(keys);
    Ok(())
}

/// The audit keys given, if any.
pub fn keys() -> Option<AuditKeys> {
    AUDIT_KEYS.get().cloned()
}

fn anchor_key(args: &KeyArgs) -> anyhow::Result<Option<AnchorKey>> {
    let Some(path) = &args.anchor_key_file else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("clé d'ancrage : lecture de {} impossible", path.display()))?;
    Ok(Some(AnchorKey::parse(&text).map_err(anyhow::Error::msg)?))
}

/// Writes today's anchor into the anchor directory, if one is configured (the nightly run).
pub async fn anchor_into_dir(app: &recouvre_app::App, args: &KeyArgs) -> anyhow::Result<()> {
    let Some(dir) = &args.anchor_dir else { return Ok(()) };
    let key =
        anchor_key(args)?.context("--anchor-dir demande --anchor-key-file (la clé privée qui signe les ancres)")?;
    let anchor = recouvre_app::audit::anchor(app, &system("audit"), &key).await.map_err(operator_error)?;
    let path = dir.join(recouvre_app::audit::anchor_file_name(app.today()));
    write_new(&path, &anchor.text)?;
    println!("ancre écrite : {} ({} dossier(s))", path.display(), anchor.cases);
    Ok(())
}

/// Writes a file that must not exist yet (an anchor, a key: never overwritten).
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    // The anchors' folder is made on first use (the nightly run's `--anchor-dir`).
    if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("création du répertoire {} impossible", folder.display()))?;
    }
    let mut file = options.open(path).map_err(|error| {
        let reason = if error.kind() == std::io::ErrorKind::AlreadyExists {
            "le fichier existe déjà : il n'est jamais remplacé".to_string()
        } else {
            error.to_string()
        };
        anyhow::anyhow!("écriture de {} impossible : {reason}", path.display())
    })?;
    file.write_all(text.as_bytes()).with_context(|| format!("écriture de {} impossible", path.display()))?;
    file.sync_all().with_context(|| format!("écriture de {} impossible", path.display()))?;
    Ok(())
}

/// The anchors of a directory (`recouvre-anchor-*.txt`), oldest first.
fn read_anchors(dir: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut anchors = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("lecture de {} impossible", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with("recouvre-anchor-") && name.ends_with(".txt") {
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("lecture de {} impossible", path.display()))?;
            anchors.push((name, text));
        }
    }
    anchors.sort();
    Ok(anchors)
}

pub async fn run(database: &str, args: &KeyArgs, command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify { anchors } => {
            let app = app(database).await?;
            let dir = anchors.or_else(|| args.anchor_dir.clone());
            let anchors = match &dir {
                Some(dir) => read_anchors(dir)?,
                None => Vec::new(),
            };
            let key = anchor_key(args)?;
            let report = recouvre_app::audit::verify_all(&app, &system("audit"), &anchors, key.as_ref())
                .await
                .map_err(operator_error)?;
            if !report.keyed {
                eprintln!(
                    "attention : sans clé d'audit (--audit-key-file ou RECOUVRE_AUDIT_KEY), seules les chaînes SHA-256 \
                     et les ancres sont vérifiées ; un administrateur de base peut recalculer les premières"
                );
            }
            if report.intact() {
                println!(
                    "journaux intègres : {} dossier(s), {} événement(s) vérifiés ; grand livre : {} écriture(s) ; \
                     {} ancre(s) concordante(s)",
                    report.journal.cases_checked,
                    report.journal.events_checked,
                    report.postings_checked,
                    report.anchors_checked
                );
                Ok(ExitCode::SUCCESS)
            } else {
                for finding in &report.findings {
                    eprintln!("altération : {finding}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
        AuditCommand::Anchor { out } => {
            let key = anchor_key(args)?.context("il faut --anchor-key-file (la clé privée qui signe les ancres)")?;
            let app = app(database).await?;
            let anchor = recouvre_app::audit::anchor(&app, &system("audit"), &key).await.map_err(operator_error)?;
            write_new(&out, &anchor.text)?;
            println!("ancre écrite : {} ({} dossier(s))", out.display(), anchor.cases);
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::CutOver => {
            let app = app(database).await?;
            let outcome = recouvre_app::audit::cut_over(&app, &system("audit")).await.map_err(operator_error)?;
            for (chain, rows) in &outcome.sealed {
                println!("bascule du {chain} : {rows} ligne(s) scellée(s) telles quelles");
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Keygen { dir } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("création de {} impossible", dir.display()))?;
            let today = recouvre_domain::business_date::paris_date(chrono::Utc::now());
            let (audit_key, anchor_seed) = recouvre_app::audit::new_keys(today);
            let public = AnchorKey::parse(&anchor_seed).map_err(anyhow::Error::msg)?.public_text();
            write_new(&dir.join("audit.key"), &audit_key)?;
            write_new(&dir.join("anchor.key"), &anchor_seed)?;
            write_new(&dir.join("anchor.pub"), &public)?;
            println!(
                "clés écrites dans {} : audit.key (HMAC, --audit-key-file), anchor.key (signature des ancres, \
                 --anchor-key-file), anchor.pub (pour les vérificateurs)",
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
