//! `recouvre backup` and `recouvre restore` (issue 24, part 5; docs/operations.md « Backups and
//! restores »): a consistent copy while the server runs, and a restore that never overwrites a
//! database in use.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use recouvre_store::Store;

use crate::open_for;

/// A PostgreSQL client tool: the newest installed server version's (pg_dump must not be older
/// than the server), else the one on the PATH.
fn pg_tool(name: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("RECOUVRE_PG_BINDIR") {
        return Path::new(&dir).join(name);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let tool = entry.path().join("bin").join(name);
            tool.exists().then_some((version, tool))
        })
        .collect();
    versions.sort();
    versions.pop().map_or_else(|| PathBuf::from(name), |(_, tool)| tool)
}

fn run(mut command: Command, what: &str) -> anyhow::Result<()> {
    let output = command.output().with_context(|| format!("{what} : lancement impossible (installé ?)"))?;
    if !output.status.success() {
        anyhow::bail!("{what} a échoué : {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

/// Writes a consistent copy of the database to `out` (which must not exist).
pub async fn backup(database: &str, out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        anyhow::bail!("{} existe déjà : une sauvegarde n'en écrase pas une autre", out.display());
    }
    let started = std::time::Instant::now();
    if sqlite_path(database).is_some() {
        let store = open_for(database, recouvre_store::Workload::Interactive).await?;
        let path = out.to_str().context("chemin de sauvegarde non UTF-8")?;
        recouvre_store::backup::vacuum_into(&store, path).await?;
    } else {
        // Custom format: compressed, restored table by table by pg_restore; one snapshot
        // (pg_dump's transaction is REPEATABLE READ), so writers go on meanwhile.
        let mut command = Command::new(pg_tool("pg_dump"));
        command.arg("--format=custom").arg("--file").arg(out).arg("--dbname").arg(database);
        run(command, "pg_dump")?;
    }
    let bytes = std::fs::metadata(out).map(|meta| meta.len()).unwrap_or(0);
    println!("sauvegarde écrite : {} ({bytes} octets, {:.1} s)", out.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Restores `file` (made by [`backup`]) into `database`, which must be empty, then migrates it
/// (a backup of an older version is brought up to date).
pub async fn restore(file: &Path, database: &str) -> anyhow::Result<()> {
    if !file.exists() {
        anyhow::bail!("{} introuvable", file.display());
    }
    let started = std::time::Instant::now();
    if let Some(path) = sqlite_path(database) {
        if Path::new(path).exists() {
            let store = Store::connect(database).await?;
            let in_use = recouvre_store::backup::has_tables(&store).await?;
            store.close().await;
            if in_use {
                anyhow::bail!(
                    "{path} n'est pas vide : la restauration va dans une base neuve (choisissez un autre fichier)"
                );
            }
            std::fs::remove_file(path).with_context(|| format!("{path} : remplacement impossible"))?;
        }
        std::fs::copy(file, path).with_context(|| format!("copie vers {path} impossible"))?;
    } else {
        let store = Store::connect(database).await?;
        let in_use = recouvre_store::backup::has_tables(&store).await?;
        store.close().await;
        if in_use {
            anyhow::bail!(
                "{} n'est pas vide : la restauration va dans une base neuve (createdb, puis --database)",
                recouvre_store::redact(database)
            );
        }
        let mut command = Command::new(pg_tool("pg_restore"));
        command.arg("--exit-on-error").arg("--no-owner").arg("--dbname").arg(database).arg(file);
        run(command, "pg_restore")?;
    }
    open_for(database, recouvre_store::Workload::Interactive).await?;
    println!(
        "restauration faite dans {} ({:.1} s) : vérifiez-la (recouvre audit verify, recouvre report controls)",
        recouvre_store::redact(database),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
