//! Architecture guard (issue 15): the shape rules of ARCHITECTURE.md, checked on the repository's
//! own sources so that no reviewer has to remember them.
//!
//! Each rule is a function from a repository root to what breaks it (a list of [`Violation`]s,
//! each naming the file, module or crate at fault). One `#[test]` runs each rule on this
//! repository; the `checker_*` tests run the same functions on small broken trees written to a
//! temporary folder, so each rule is known to fail when it should.
//!
//! How Rust sources are read: comments, string literals and character literals are blanked
//! first (newlines kept, so line numbers hold), then every item under `#[cfg(test)]` (an inline
//! `mod tests { … }`, or `mod tests;` whose file is then skipped, like every file named
//! `tests.rs`). What remains is searched for paths. This is not a parser: a path a macro builds
//! from pieces is not seen, and an inline `mod` nested in a file (which shifts what `super`
//! means there) is read as if it were its file; a glob (`use super::*`) names no module; only
//! the exact attribute `#[cfg(test)]` marks test code. Good enough for a guard.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// Longest source file allowed outside tests, in lines.
const MAX_LINES: usize = 1500;

/// What the CLI may take from `recouvre_web`: what it needs to start the server, nothing else.
/// Every other use (`recouvre_web::statements`, `::letters`, `::load_reference`, `::auth`…) is
/// business the CLI must get from `recouvre_app` or the store, as the web shell does. The name
/// that follows `recouvre_web::` (or each name of a `recouvre_web::{…}` group) must be one of
/// these; `recouvre_web::*` and `use recouvre_web as …` are refused, since they would hide the
/// names used.
const CLI_MAY_USE_FROM_WEB: &[&str] = &["serve", "serve_without_signal", "Config", "AppState"];

/// Packages the application layer must not depend on, directly or through another crate of the
/// workspace: the HTTP server, templates, middleware and OpenAPI, and their companions
/// (`axum-extra`, `askama_axum`, `tower-http`, `utoipa-swagger-ui`…: any package named
/// `<family>`, `<family>-…` or `<family>_…`).
const WEB_FRAMEWORKS: &[&str] = &["axum", "askama", "tower", "utoipa"];

// --- The rules, on this repository ---

#[test]
fn no_source_file_is_over_1500_lines() {
    assert_none(&long_files(&repository()), "source files over 1,500 lines outside tests");
}

#[test]
fn no_module_cycle_within_a_crate() {
    assert_none(&module_cycles(&repository()), "cycles among the top-level modules of a crate");
}

#[test]
fn store_has_at_most_one_macro_and_no_on_engine() {
    assert_none(&store_macros(&repository()), "macros in crates/store");
}

#[test]
fn store_does_not_depend_on_iso20022() {
    assert_none(&store_on_iso20022(&repository()), "dependencies of recouvre-store");
}

#[test]
fn app_does_not_depend_on_web_frameworks() {
    match app_web_dependencies(&repository()) {
        Ok(violations) => assert_none(&violations, "web dependencies of recouvre-app"),
        Err(missing) => panic!("{missing}"),
    }
}

#[test]
fn cli_uses_web_only_to_serve() {
    assert_none(&cli_web_uses(&repository()), "uses of recouvre_web in crates/cli/src");
}

// --- What the rules report ---

/// One thing that breaks a rule: `at` names the file (relative to the root) or the crate
/// (its folder under `crates/`), `message` says what and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    at: String,
    message: String,
}

fn violation(at: impl Into<String>, message: impl Into<String>) -> Violation {
    Violation { at: at.into(), message: message.into() }
}

fn assert_none(violations: &[Violation], what: &str) {
    let lines: Vec<String> = violations.iter().map(|v| format!("- {}: {}", v.at, v.message)).collect();
    assert!(violations.is_empty(), "{} {what}:\n{}", violations.len(), lines.join("\n"));
}

// --- Rule: no long file ---

/// Files over [`MAX_LINES`] lines, tests excepted (see [`is_test_code`]).
fn long_files(root: &Path) -> Vec<Violation> {
    let mut violations = Vec::new();
    for path in rust_files(root) {
        let name = relative(root, &path);
        if is_test_code(&name) {
            continue;
        }
        let lines = read(&path).lines().count();
        if lines > MAX_LINES {
            violations.push(violation(
                name,
                format!(
                    "{lines} lines, at most {MAX_LINES} outside tests: split it by concept, or move its \
                     `mod tests` into `<module>/tests.rs`"
                ),
            ));
        }
    }
    violations
}

/// Test code: files under a `tests/` folder, files named `tests.rs` (a module's unit tests kept
/// beside it), benches and examples.
fn is_test_code(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    let (file, folders) = parts.split_last().expect("a file name");
    *file == "tests.rs" || folders.iter().any(|folder| matches!(*folder, "tests" | "benches" | "examples"))
}

// --- Rule: no module cycle ---

/// For every crate under `crates/`, the cycles among its top-level modules (`crate::x`, `$crate::x`
/// and, from a file at the crate's top, `super::x`; groups such as `crate::{x, y::Z}` count for
/// each name). `at` is the crate's folder name.
fn module_cycles(root: &Path) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (name, dir) in crate_folders(root) {
        let graph = module_graph(root, &dir);
        for component in strongly_connected(&graph) {
            let cycle = shortest_cycle(&graph, &component);
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|pair| format!("{} → {} ({})", pair[0], pair[1], graph[&pair[0]][&pair[1]]))
                .collect();
            violations.push(violation(
                name.clone(),
                format!(
                    "modules {} import each other; for example {}. Move what they share to the module it \
                     belongs to (or a new one both use)",
                    component.join(", "),
                    steps.join(", ")
                ),
            ));
        }
    }
    violations
}

/// Module → the modules it uses → the first file (relative to the root) where it does.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn module_graph(root: &Path, crate_dir: &Path) -> Graph {
    let files = crate_sources(root, crate_dir);
    let modules: BTreeSet<String> = files.iter().filter_map(|file| file.module.first().cloned()).collect();
    let mut graph: Graph = modules.iter().map(|module| (module.clone(), BTreeMap::new())).collect();
    for file in &files {
        let Some(own) = file.module.first() else { continue };
        for used in used_modules(&file.code, &file.module) {
            if used != *own && modules.contains(&used) {
                graph.get_mut(own).expect("a module").entry(used).or_insert_with(|| file.name.clone());
            }
        }
    }
    graph
}

/// The top-level modules a file's code names: `crate::x…`, `$crate::x…`, and `super::…::x` when
/// the `super`s climb to the crate's root (`own` is the file's module path).
fn used_modules(code: &[char], own: &[String]) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut i = 0;
    while i < code.len() {
        if word_at(code, i, "crate") {
            if let Some(tail) = after_path_separator(code, i + "crate".len()) {
                used.extend(path_heads(code, tail));
            }
            i += "crate".len();
        } else if word_at(code, i, "super") && !preceded_by_separator(code, i) {
            let mut depth = 0;
            let mut j = i;
            let mut tail = None;
            while word_at(code, j, "super") {
                let Some(next) = after_path_separator(code, j + "super".len()) else { break };
                depth += 1;
                tail = Some(next);
                j = skip_whitespace(code, next);
            }
            if let Some(tail) = tail {
                if depth == own.len() {
                    used.extend(path_heads(code, tail));
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    used
}

/// The strongly connected components of more than one module, each sorted, in order.
fn strongly_connected(graph: &Graph) -> Vec<Vec<String>> {
    // Reachability is enough at this size: two modules are in one component when each reaches
    // the other.
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<&String> = graph[from].keys().collect();
        while let Some(module) = queue.pop_front() {
            if seen.insert(module.clone()) {
                queue.extend(graph[module].keys());
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|module| (module, reach(module))).collect();
    let mut components: Vec<Vec<String>> = Vec::new();
    for module in graph.keys() {
        if components.iter().any(|component| component.contains(module)) || !reached[module].contains(module) {
            continue;
        }
        let component: Vec<String> =
            reached[module].iter().filter(|other| reached[other].contains(module)).cloned().collect();
        components.push(component);
    }
    components
}

/// A shortest cycle through the component's first module, as `[a, b, …, a]`.
fn shortest_cycle(graph: &Graph, component: &[String]) -> Vec<String> {
    let start = &component[0];
    let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue: VecDeque<&String> = VecDeque::from([start]);
    while let Some(module) = queue.pop_front() {
        for next in graph[module].keys().filter(|next| component.contains(*next)) {
            if next == start {
                let mut cycle = vec![start.clone(), module.clone()];
                let mut at = module;
                while at != start {
                    at = previous[at];
                    cycle.push(at.clone());
                }
                cycle.reverse();
                return cycle;
            }
            if !previous.contains_key(next) {
                previous.insert(next, module);
                queue.push_back(next);
            }
        }
    }
    unreachable!("a strongly connected component has a cycle through each of its modules")
}

// --- Rule: the store's macros ---

/// More than one `macro_rules!` in `crates/store` (comments and strings aside; `at` is the
/// crate), or any `on_engine!`, invoked or defined (`at` is the file, the message its lines).
fn store_macros(root: &Path) -> Vec<Violation> {
    let mut definitions = Vec::new();
    let mut violations = Vec::new();
    for path in rust_files(&root.join("crates/store")) {
        let name = relative(root, &path);
        let code: Vec<char> = blank_comments_and_literals(&read(&path)).chars().collect();
        let mut on_engine = Vec::new();
        for i in 0..code.len() {
            if word_at(&code, i, "macro_rules") && code.get(i + "macro_rules".len()) == Some(&'!') {
                definitions.push(format!("{name}:{}", line_of(&code, i)));
                if word_at(&code, skip_whitespace(&code, i + "macro_rules!".len()), "on_engine") {
                    on_engine.push(format!("{} (its definition)", line_of(&code, i)));
                }
            }
            if word_at(&code, i, "on_engine") && code.get(i + "on_engine".len()) == Some(&'!') {
                on_engine.push(line_of(&code, i).to_string());
            }
        }
        if !on_engine.is_empty() {
            violations.push(violation(
                name,
                format!(
                    "on_engine! at line {}: write each query once, against the store's neutral query layer",
                    on_engine.join(", ")
                ),
            ));
        }
    }
    if definitions.len() > 1 {
        violations.insert(
            0,
            violation(
                "crates/store",
                format!("{} macro_rules!, at most one allowed: {}", definitions.len(), definitions.join(", ")),
            ),
        );
    }
    violations
}

// --- Rules on dependencies ---

/// recouvre-store's `[dependencies]` (including `[target.….dependencies]`) naming
/// recouvre-iso20022, under its name or renamed.
fn store_on_iso20022(root: &Path) -> Vec<Violation> {
    let manifest_path = root.join("crates/store/Cargo.toml");
    let manifest = read_manifest(&manifest_path);
    dependencies(root, &manifest, "dependencies")
        .into_iter()
        .filter(|dependency| dependency.package == "recouvre-iso20022")
        .map(|dependency| {
            violation(
                relative(root, &manifest_path),
                format!(
                    "recouvre-store depends on recouvre-iso20022 (key `{}` of [{}]): the store keeps what the files \
                     hold, reading and writing the files is the application's job",
                    dependency.key, dependency.table
                ),
            )
        })
        .collect()
}

/// Web frameworks ([`WEB_FRAMEWORKS`]) recouvre-app depends on, directly or through other crates
/// of the workspace (their `[dependencies]`, optional ones only when a feature enabled along the
/// way turns them on, e.g. the domain's `openapi` feature, which pulls utoipa). `Err` when
/// `crates/app` does not exist.
fn app_web_dependencies(root: &Path) -> Result<Vec<Violation>, String> {
    let app = root.join("crates/app/Cargo.toml");
    if !app.is_file() {
        return Err(format!(
            "{} is missing: the application layer recouvre-app (issue 15) must exist for this rule to be checked",
            relative(root, &app)
        ));
    }
    let members: BTreeMap<String, PathBuf> = crate_folders(root)
        .into_iter()
        .filter_map(|(_, dir)| {
            let manifest = read_manifest(&dir.join("Cargo.toml"));
            let name = manifest.get("package")?.get("name")?.as_str()?.to_string();
            Some((name, dir.join("Cargo.toml")))
        })
        .collect();
    let app_name = read_manifest(&app)
        .get("package")
        .and_then(|package| package.get("name"))
        .and_then(toml::Value::as_str)
        .unwrap_or("recouvre-app")
        .to_string();
    let mut violations = Vec::new();
    // Crate → the features enabled on it so far; a crate is walked again when it gains features.
    let mut enabled: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<(String, Vec<String>, BTreeSet<String>)> =
        VecDeque::from([(app_name.clone(), vec![app_name], BTreeSet::from(["default".to_string()]))]);
    while let Some((package, chain, features)) = queue.pop_front() {
        let known = enabled.entry(package.clone()).or_default();
        let grew = !features.is_subset(known);
        if !visited.insert(package.clone()) && !grew {
            continue;
        }
        known.extend(features);
        let features = known.clone();
        let Some(manifest_path) = members.get(&package) else { continue };
        let manifest = read_manifest(manifest_path);
        let turned_on = optional_dependencies_enabled(&manifest, &features);
        for dependency in dependencies(root, &manifest, "dependencies") {
            if dependency.optional && !turned_on.contains(&dependency.key) {
                continue;
            }
            let mut path = chain.clone();
            path.push(dependency.package.clone());
            if is_web_framework(&dependency.package) {
                let found = violation(
                    relative(root, manifest_path),
                    format!(
                        "recouvre-app depends on {} ({}): the application layer must not know about HTTP, \
                         templates or OpenAPI",
                        dependency.package,
                        path.join(" → ")
                    ),
                );
                if !violations.contains(&found) {
                    violations.push(found);
                }
            } else if members.contains_key(&dependency.package) {
                let mut wanted = dependency.features.clone();
                if dependency.default_features {
                    wanted.insert("default".to_string());
                }
                queue.push_back((dependency.package.clone(), path, wanted));
            }
        }
    }
    Ok(violations)
}

fn is_web_framework(package: &str) -> bool {
    WEB_FRAMEWORKS.iter().any(|family| {
        package == *family || package.starts_with(&format!("{family}-")) || package.starts_with(&format!("{family}_"))
    })
}

/// The keys of the optional dependencies the given features turn on (`dep:x`, `x`, `x/f`,
/// `x?/f`), following features that enable other features.
fn optional_dependencies_enabled(manifest: &toml::Table, features: &BTreeSet<String>) -> BTreeSet<String> {
    let table = manifest.get("features").and_then(toml::Value::as_table);
    let mut on = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut pending: Vec<String> = features.iter().cloned().collect();
    while let Some(feature) = pending.pop() {
        if !seen.insert(feature.clone()) {
            continue;
        }
        let Some(entries) = table.and_then(|table| table.get(&feature)).and_then(toml::Value::as_array) else {
            // A feature that is not declared is an optional dependency's implicit feature.
            on.insert(feature);
            continue;
        };
        for entry in entries.iter().filter_map(toml::Value::as_str) {
            if let Some(dependency) = entry.strip_prefix("dep:") {
                on.insert(dependency.to_string());
            } else if let Some((dependency, _)) = entry.split_once('/') {
                if !dependency.ends_with('?') {
                    on.insert(dependency.to_string());
                }
            } else {
                pending.push(entry.to_string());
            }
        }
    }
    on
}

/// A dependency as a manifest declares it, `workspace = true` resolved against the root manifest.
#[derive(Debug, Clone)]
struct Dependency {
    /// The key in the manifest (the name the code uses, unless `package` renames it).
    key: String,
    /// The package depended on.
    package: String,
    /// `dependencies` or `target.'cfg(…)'.dependencies`.
    table: String,
    features: BTreeSet<String>,
    default_features: bool,
    optional: bool,
}

/// The dependencies of one kind (`dependencies`, `dev-dependencies`, `build-dependencies`),
/// including the per-target tables.
fn dependencies(root: &Path, manifest: &toml::Table, kind: &str) -> Vec<Dependency> {
    let mut tables: Vec<(String, &toml::Table)> = Vec::new();
    if let Some(table) = manifest.get(kind).and_then(toml::Value::as_table) {
        tables.push((kind.to_string(), table));
    }
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for (target, value) in targets {
            if let Some(table) = value.get(kind).and_then(toml::Value::as_table) {
                tables.push((format!("target.{target}.{kind}"), table));
            }
        }
    }
    let workspace = read_manifest(&root.join("Cargo.toml"));
    let shared = workspace.get("workspace").and_then(|w| w.get("dependencies")).and_then(toml::Value::as_table);
    let mut found = Vec::new();
    for (table_name, table) in tables {
        for (key, value) in table {
            let mut dependency = Dependency {
                key: key.clone(),
                package: key.clone(),
                table: table_name.clone(),
                features: BTreeSet::new(),
                default_features: true,
                optional: false,
            };
            let mut specs = vec![value];
            if value.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                if let Some(shared) = shared.and_then(|shared| shared.get(key)) {
                    specs.insert(0, shared);
                }
            }
            for spec in specs {
                if let Some(package) = spec.get("package").and_then(toml::Value::as_str) {
                    dependency.package = package.to_string();
                }
                if let Some(features) = spec.get("features").and_then(toml::Value::as_array) {
                    dependency.features.extend(features.iter().filter_map(toml::Value::as_str).map(str::to_string));
                }
                for key in ["default-features", "default_features"] {
                    if let Some(default) = spec.get(key).and_then(toml::Value::as_bool) {
                        dependency.default_features = default;
                    }
                }
                if let Some(optional) = spec.get("optional").and_then(toml::Value::as_bool) {
                    dependency.optional = optional;
                }
            }
            found.push(dependency);
        }
    }
    found
}

fn read_manifest(path: &Path) -> toml::Table {
    read(path).parse().unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

// --- Rule: what the CLI takes from the web shell ---

/// Every use of `recouvre_web` in the CLI's code (tests aside) that is not in
/// [`CLI_MAY_USE_FROM_WEB`]. `at` is the file and line.
fn cli_web_uses(root: &Path) -> Vec<Violation> {
    let mut violations = Vec::new();
    for file in crate_sources(root, &root.join("crates/cli")) {
        let code = &file.code;
        for i in 0..code.len() {
            if !word_at(code, i, "recouvre_web") {
                continue;
            }
            let at = format!("{}:{}", file.name, line_of(code, i));
            let end = i + "recouvre_web".len();
            if let Some(tail) = after_path_separator(code, end) {
                for name in path_heads(code, tail) {
                    if !CLI_MAY_USE_FROM_WEB.contains(&name.as_str()) {
                        violations.push(violation(
                            at.clone(),
                            format!(
                                "uses recouvre_web::{name}: the CLI uses the web shell only to serve ({}); take \
                                 the rest from recouvre_app or the store",
                                CLI_MAY_USE_FROM_WEB.join(", ")
                            ),
                        ));
                    }
                }
            } else if word_at(code, skip_whitespace(code, end), "as") {
                violations.push(violation(at, "renames recouvre_web: name what is used, recouvre_web::serve…"));
            }
        }
    }
    violations
}

// --- Reading the sources ---

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository's root")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// Every `.rs` file under `dir`, sorted, outside `target/` and hidden folders.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries {
            let entry = entry.expect("a folder entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().expect("a file type");
            if kind.is_dir() && name != "target" && !name.starts_with('.') {
                pending.push(entry.path());
            } else if kind.is_file() && name.ends_with(".rs") {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

/// The crates under `crates/` (folders with a `Cargo.toml`), by folder name.
fn crate_folders(root: &Path) -> Vec<(String, PathBuf)> {
    let mut crates: Vec<(String, PathBuf)> = fs::read_dir(root.join("crates"))
        .expect("a crates folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .map(|dir| (dir.file_name().expect("a name").to_string_lossy().into_owned(), dir))
        .collect();
    crates.sort();
    crates
}

/// A file of a crate's `src/` that is not test code, with its module path (`[]` for the crate's
/// root, `["procedure", "tables"]` for `src/procedure/tables.rs`) and its code without comments,
/// literals and `#[cfg(test)]` items.
struct SourceFile {
    name: String,
    module: Vec<String>,
    code: Vec<char>,
}

fn crate_sources(root: &Path, crate_dir: &Path) -> Vec<SourceFile> {
    let src = crate_dir.join("src");
    let mut files = Vec::new();
    let mut test_modules: Vec<Vec<String>> = Vec::new();
    for path in rust_files(&src) {
        let name = relative(root, &path);
        let Some(module) = module_path(&relative(&src, &path)) else { continue };
        if is_test_code(&relative(&src, &path)) {
            continue;
        }
        let (code, tests) = strip_test_items(&blank_comments_and_literals(&read(&path)));
        for test in tests {
            let mut path = module.clone();
            path.push(test);
            test_modules.push(path);
        }
        files.push(SourceFile { name, module, code });
    }
    files.retain(|file| !test_modules.iter().any(|test| file.module.starts_with(test)));
    files
}

/// The module path of a file of `src/` (`None` for `src/bin/`, separate crates).
fn module_path(relative_to_src: &str) -> Option<Vec<String>> {
    let mut parts: Vec<String> = relative_to_src.split('/').map(str::to_string).collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if parts.first().is_some_and(|first| first == "bin") {
        return None;
    }
    if parts.is_empty() && (stem == "lib" || stem == "main") {
        return Some(Vec::new());
    }
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    Some(parts)
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `source` with its comments, string literals (plain, byte, C and raw) and character literals
/// replaced by spaces; newlines are kept. Lifetimes and labels (`'a`) stay.
fn blank_comments_and_literals(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, from: usize, to: usize| {
        out.extend(chars[from..to].iter().map(|c| if *c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        let end = if c == '/' && next == Some('/') {
            Some(chars[i..].iter().position(|c| *c == '\n').map_or(chars.len(), |n| i + n))
        } else if c == '/' && next == Some('*') {
            Some(block_comment_end(&chars, i))
        } else if c == '"' {
            Some(string_end(&chars, i))
        } else if c == '\'' {
            char_literal_end(&chars, i)
        } else if !after_ident {
            raw_string_end(&chars, i)
        } else {
            None
        };
        match end {
            Some(end) => {
                blank(&mut out, i, end);
                i = end;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn block_comment_end(chars: &[char], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    chars.len()
}

/// From an opening `"` (any `b` or `c` prefix stays as code), past the closing one.
fn string_end(chars: &[char], start: usize) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// `r"…"`, `r#"…"#`, `br"…"`, `cr#"…"#` starting at `start`; `None` for anything else (`r#type`).
fn raw_string_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start;
    if matches!(chars.get(i), Some('b' | 'c')) {
        i += 1;
    }
    if chars.get(i) != Some(&'r') {
        return None;
    }
    i += 1;
    let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
    i += hashes;
    if chars.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    while i < chars.len() {
        if chars[i] == '"' && chars[i + 1..].iter().take(hashes).filter(|c| **c == '#').count() == hashes {
            return Some(i + 1 + hashes);
        }
        i += 1;
    }
    Some(chars.len())
}

/// `'x'`, `'\n'`, `'\''`, `'\u{e9}'` starting at `start`; `None` for a lifetime or a label.
fn char_literal_end(chars: &[char], start: usize) -> Option<usize> {
    match (chars.get(start + 1), chars.get(start + 2)) {
        (Some('\\'), _) => {
            let close = chars.get(start + 3..)?.iter().position(|c| *c == '\'')?;
            Some(start + 3 + close + 1)
        }
        (Some(c), Some('\'')) if *c != '\'' => Some(start + 3),
        _ => None,
    }
}

/// Blanks every item under `#[cfg(test)]` (and a whole file under `#![cfg(test)]`); returns the
/// code and the names of the test modules declared as `mod name;` (their files are test code).
fn strip_test_items(code: &str) -> (Vec<char>, Vec<String>) {
    let mut chars: Vec<char> = code.chars().collect();
    let mut modules = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '#' {
            i += 1;
            continue;
        }
        let inner = chars.get(i + 1) == Some(&'!');
        let open = skip_whitespace(&chars, i + 1 + usize::from(inner));
        if chars.get(open) != Some(&'[') {
            i += 1;
            continue;
        }
        let close = matching(&chars, open);
        let attribute: String = chars[open + 1..close - 1].iter().filter(|c| !c.is_whitespace()).collect();
        if attribute != "cfg(test)" {
            i = close;
            continue;
        }
        if inner {
            return (chars.iter().map(|c| if *c == '\n' { '\n' } else { ' ' }).collect(), modules);
        }
        // Further attributes, then the item.
        let mut start = skip_whitespace(&chars, close);
        while chars.get(start) == Some(&'#') {
            let open = skip_whitespace(&chars, start + 1);
            start = skip_whitespace(&chars, matching(&chars, open));
        }
        let end = item_end(&chars, start);
        let item: String = chars[start..end].iter().collect();
        let words: Vec<&str> = item.split(|c: char| !is_ident(c)).filter(|word| !word.is_empty()).collect();
        if item.trim_end().ends_with(';') {
            if let Some(position) = words.iter().position(|word| *word == "mod") {
                if let Some(name) = words.get(position + 1) {
                    modules.push(name.to_string());
                }
            }
        }
        for c in &mut chars[i..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = end;
    }
    (chars, modules)
}

/// Past the bracket matching the one at `open` (`(`, `[` or `{`).
fn matching(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (i, c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    chars.len()
}

/// Past the item starting at `start`: its `;` or the `}` closing its body (`use a::{b};`,
/// `const`, `static` and `let` go on to their `;`).
fn item_end(chars: &[char], start: usize) -> usize {
    let head: String = chars[start..].iter().take(40).collect();
    let head = head.trim_start_matches("pub").trim_start_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    let head = head.trim_start_matches("crate").trim_start_matches(|c: char| c == ')' || c.is_whitespace());
    let needs_semicolon = ["use", "const", "static", "let"]
        .iter()
        .any(|keyword| head.starts_with(keyword) && !head[keyword.len()..].starts_with(is_ident));
    let mut depth = 0;
    for (i, c) in chars.iter().enumerate().skip(start) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' => depth -= 1,
            '}' => {
                depth -= 1;
                if depth == 0 && !needs_semicolon {
                    return i + 1;
                }
            }
            ';' if depth == 0 => return i + 1,
            _ => {}
        }
    }
    chars.len()
}

fn skip_whitespace(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// Whether `word` stands at `i` as a whole word (`$crate` counts as `crate`).
fn word_at(chars: &[char], i: usize, word: &str) -> bool {
    let length = word.chars().count();
    i + length <= chars.len()
        && chars[i..i + length].iter().copied().eq(word.chars())
        && (i == 0 || !is_ident(chars[i - 1]))
        && chars.get(i + length).is_none_or(|c| !is_ident(*c))
}

/// After `::` following position `i` (whitespace allowed around it): the position of what follows.
fn after_path_separator(chars: &[char], i: usize) -> Option<usize> {
    let i = skip_whitespace(chars, i);
    (chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':')).then(|| skip_whitespace(chars, i + 2))
}

/// Whether the word at `i` is preceded by `::` (it continues a path).
fn preceded_by_separator(chars: &[char], i: usize) -> bool {
    let before: String = chars[..i].iter().rev().skip_while(|c| c.is_whitespace()).take(2).collect();
    before == "::"
}

/// The first segment of the path that starts at `i`: `x` for `x::…`, each head of a group
/// `{x, y::Z, self}` (`self` aside), `*` for a glob.
fn path_heads(chars: &[char], i: usize) -> Vec<String> {
    let i = skip_whitespace(chars, i);
    match chars.get(i) {
        Some('{') => {
            let close = matching(chars, i) - 1;
            let mut heads = Vec::new();
            let mut item = i + 1;
            while item < close {
                heads.extend(path_heads(chars, item).into_iter().filter(|head| head != "self"));
                // On to the next item of the group: past the next comma at this depth.
                let mut depth = 0;
                let mut j = item;
                while j < close && !(depth == 0 && chars[j] == ',') {
                    match chars[j] {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    j += 1;
                }
                item = j + 1;
            }
            heads
        }
        Some('*') => vec!["*".to_string()],
        Some(c) if is_ident(*c) => vec![chars[i..].iter().take_while(|c| is_ident(**c)).collect()],
        _ => Vec::new(),
    }
}

fn line_of(chars: &[char], i: usize) -> usize {
    chars[..i].iter().filter(|c| **c == '\n').count() + 1
}

// --- The checker on broken trees ---

/// Writes `files` (path, content) under a fresh temporary folder.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (path, content) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        fs::write(&path, content).expect("a file");
    }
    dir
}

const WORKSPACE: &str = "[workspace]\nmembers = []\n[workspace.dependencies]\n\
                         recouvre-iso20022 = { path = \"crates/iso20022\" }\n\
                         recouvre-domain = { path = \"crates/domain\" }\n\
                         recouvre-web = { path = \"crates/web\" }\n";

#[test]
fn checker_blanks_comments_strings_and_characters() {
    let source =
        "use crate::a; // crate::b\n/* crate::c /* nested */ crate::d */ let s = \"crate::e \\\" crate::f\";\n\
                  let r = r#\"crate::g \" crate::h\"#; let q = '\"'; let e = b'\\''; fn f<'x>(v: &'x str) {}\n\
                  let t = crate::i::T; let r#type = 1;";
    let blanked = blank_comments_and_literals(source);
    assert_eq!(blanked.lines().count(), source.lines().count(), "newlines are kept");
    let code: Vec<char> = blanked.chars().collect();
    let modules: Vec<String> = used_modules(&code, &["own".to_string()]).into_iter().collect();
    assert_eq!(modules, ["a", "i"], "{blanked}");
    assert!(blanked.contains("fn f<'x>(v: &'x str)"), "lifetimes stay: {blanked}");
    assert!(blanked.contains("let r#type = 1;"), "raw identifiers stay: {blanked}");
}

#[test]
fn checker_counts_lines_outside_tests_only() {
    let long = "// line\n".repeat(MAX_LINES + 1);
    let limit = "// line\n".repeat(MAX_LINES);
    let root = tree(&[
        ("crates/x/src/long.rs", long.as_str()),
        ("crates/x/src/limit.rs", limit.as_str()),
        ("crates/x/src/long/tests.rs", long.as_str()),
        ("crates/x/tests/long.rs", long.as_str()),
        ("crates/x/benches/long.rs", long.as_str()),
        ("crates/x/examples/long.rs", long.as_str()),
        ("crates/x/target/debug/build/long.rs", long.as_str()),
    ]);
    let violations = long_files(root.path());
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].at, "crates/x/src/long.rs");
    assert!(violations[0].message.starts_with("1501 lines"), "{}", violations[0].message);
}

#[test]
fn checker_finds_module_cycles_and_ignores_comments_strings_and_tests() {
    let root = tree(&[
        ("crates/x/Cargo.toml", "[package]\nname = \"x\"\n"),
        ("crates/x/src/lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n"),
        ("crates/x/src/a.rs", "use crate::b::B;\npub struct A;\n"),
        // b uses a through `super` from a top-level file (b/mod.rs), in a group.
        ("crates/x/src/b/mod.rs", "mod inner;\npub use super::{a::A as Other, c};\npub struct B;\n"),
        ("crates/x/src/b/inner.rs", "use super::super::d::D;\n"),
        // c names a only in comments, strings and test code: no edge.
        (
            "crates/x/src/c.rs",
            "// crate::a\nconst S: &str = \"crate::a\";\n#[cfg(test)]\nmod tests {\n    use crate::a::A;\n}\n\
             #[cfg(test)]\nmod helpers;\n#[cfg(test)]\nuse crate::a::A;\n",
        ),
        ("crates/x/src/c/helpers.rs", "use crate::a::A;\n"),
        ("crates/x/src/c/tests.rs", "use crate::a::A;\n"),
        ("crates/x/src/d.rs", "pub struct D;\n"),
    ]);
    let graph = module_graph(root.path(), &root.path().join("crates/x"));
    let edges = |module: &str| graph[module].keys().cloned().collect::<Vec<_>>();
    assert_eq!(edges("a"), ["b"]);
    assert_eq!(edges("b"), ["a", "c", "d"]);
    assert!(edges("c").is_empty(), "{:?}", graph["c"]);
    assert_eq!(graph["b"]["d"], "crates/x/src/b/inner.rs");

    let violations = module_cycles(root.path());
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].at, "x");
    let message = &violations[0].message;
    assert!(message.starts_with("modules a, b import each other"), "{message}");
    assert!(message.contains("a → b (crates/x/src/a.rs), b → a (crates/x/src/b/mod.rs)"), "{message}");
}

#[test]
fn checker_reports_a_longer_cycle_by_its_shortest_loop() {
    let root = tree(&[
        ("crates/y/Cargo.toml", "[package]\nname = \"y\"\n"),
        ("crates/y/src/lib.rs", ""),
        ("crates/y/src/p.rs", "use crate::q;\n"),
        ("crates/y/src/q.rs", "macro_rules! m { () => { $crate::r::f() } }\n"),
        ("crates/y/src/r.rs", "pub(crate) fn f() { crate::p::g() }\n"),
        ("crates/y/src/s.rs", "use crate::p;\n"),
    ]);
    let violations = module_cycles(root.path());
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].message.starts_with("modules p, q, r import each other"), "{violations:?}");
    assert!(violations[0].message.contains("p → q (crates/y/src/p.rs), q → r (crates/y/src/q.rs), r → p"));
}

#[test]
fn checker_counts_store_macros() {
    let clean = tree(&[("crates/store/src/lib.rs", "macro_rules! one { () => {} }\n// macro_rules! two\n")]);
    let found = store_macros(clean.path());
    assert!(found.is_empty(), "{found:?}");
    let root = tree(&[
        ("crates/store/src/lib.rs", "macro_rules! one { () => {} }\n"),
        ("crates/store/src/engine.rs", "macro_rules! on_engine { () => {} }\nfn f() { on_engine!(pool, {}) }\n"),
    ]);
    let violations = store_macros(root.path());
    let at: Vec<&str> = violations.iter().map(|v| v.at.as_str()).collect();
    assert_eq!(at, ["crates/store", "crates/store/src/engine.rs"], "{violations:?}");
    assert!(violations[0].message.starts_with("2 macro_rules!, at most one allowed: crates/store/src/engine.rs:1, "));
    assert!(violations[1].message.starts_with("on_engine! at line 1 (its definition), 2: "), "{violations:?}");
}

#[test]
fn checker_reads_dependencies_renamed_per_target_and_from_the_workspace() {
    let store = |dependencies: &str| {
        let manifest = format!("[package]\nname = \"recouvre-store\"\n{dependencies}");
        tree(&[("Cargo.toml", WORKSPACE), ("crates/store/Cargo.toml", manifest.as_str())])
    };
    let clean = store(
        "[dependencies]\nrecouvre-domain.workspace = true\n[dev-dependencies]\nrecouvre-iso20022.workspace = true\n",
    );
    let found = store_on_iso20022(clean.path());
    assert!(found.is_empty(), "{found:?}");
    for broken in [
        "[dependencies]\nrecouvre-iso20022.workspace = true\n",
        "[dependencies]\niso = { package = \"recouvre-iso20022\", path = \"../iso20022\" }\n",
        "[target.'cfg(unix)'.dependencies]\nrecouvre-iso20022 = { path = \"../iso20022\" }\n",
        "[dependencies.recouvre-iso20022]\npath = \"../iso20022\"\n",
    ] {
        let root = store(broken);
        let violations = store_on_iso20022(root.path());
        assert_eq!(violations.len(), 1, "{broken}: {violations:?}");
        assert_eq!(violations[0].at, "crates/store/Cargo.toml");
    }
}

#[test]
fn checker_follows_the_app_through_workspace_crates_and_features() {
    let missing =
        tree(&[("Cargo.toml", WORKSPACE), ("crates/domain/Cargo.toml", "[package]\nname = \"recouvre-domain\"\n")]);
    let error = app_web_dependencies(missing.path()).unwrap_err();
    assert!(error.starts_with("crates/app/Cargo.toml is missing"), "{error}");

    let domain =
        "[package]\nname = \"recouvre-domain\"\n[dependencies]\nutoipa = { version = \"5\", optional = true }\n\
                  [features]\nopenapi = [\"dep:utoipa\"]\n";
    let web = "[package]\nname = \"recouvre-web\"\n[dependencies]\naxum = \"0.8\"\n";
    let app = |dependencies: &str| {
        let manifest = format!("[package]\nname = \"recouvre-app\"\n[dependencies]\n{dependencies}");
        tree(&[
            ("Cargo.toml", WORKSPACE),
            ("crates/domain/Cargo.toml", domain),
            ("crates/web/Cargo.toml", web),
            ("crates/app/Cargo.toml", manifest.as_str()),
        ])
    };
    let clean = app("recouvre-domain.workspace = true\nserde = \"1\"\n");
    let found = app_web_dependencies(clean.path()).unwrap();
    assert!(found.is_empty(), "{found:?}");
    for (dependencies, expected) in [
        ("tower-http = \"0.6\"\n", "depends on tower-http (recouvre-app → tower-http)"),
        ("recouvre-web.workspace = true\n", "depends on axum (recouvre-app → recouvre-web → axum)"),
        (
            "recouvre-domain = { workspace = true, features = [\"openapi\"] }\n",
            "depends on utoipa (recouvre-app → recouvre-domain → utoipa)",
        ),
    ] {
        let root = app(dependencies);
        let violations = app_web_dependencies(root.path()).unwrap();
        assert_eq!(violations.len(), 1, "{dependencies}: {violations:?}");
        assert!(violations[0].message.contains(expected), "{dependencies}: {violations:?}");
    }
}

#[test]
fn checker_reports_what_the_cli_takes_from_web() {
    let root = tree(&[
        ("crates/cli/Cargo.toml", "[package]\nname = \"recouvre\"\n"),
        (
            "crates/cli/src/main.rs",
            "use recouvre_web::{Config, AppState};\n\
             fn main() {\n    let _ = recouvre_web::serve;\n    // recouvre_web::letters in a comment\n\
                 let _ = recouvre_web::statements::import;\n}\n\
             use recouvre_web::{serve, auth::hash};\nuse recouvre_web as web;\nuse recouvre_web::*;\n\
             #[cfg(test)]\nmod tests {\n    use recouvre_web::pages;\n}\n",
        ),
    ]);
    let violations = cli_web_uses(root.path());
    let found: Vec<String> =
        violations.iter().map(|v| format!("{} {}", v.at, v.message.split(':').next().expect("a message"))).collect();
    assert_eq!(
        found,
        [
            "crates/cli/src/main.rs:5 uses recouvre_web",
            "crates/cli/src/main.rs:7 uses recouvre_web",
            "crates/cli/src/main.rs:8 renames recouvre_web",
            "crates/cli/src/main.rs:9 uses recouvre_web",
        ],
        "{violations:?}"
    );
    assert!(violations[0].message.starts_with("uses recouvre_web::statements"), "{violations:?}");
    assert!(violations[1].message.starts_with("uses recouvre_web::auth"), "{violations:?}");
    assert!(violations[3].message.starts_with("uses recouvre_web::*"), "{violations:?}");
}
