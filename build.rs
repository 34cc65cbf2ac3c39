//! Build steps: migrations are embedded at compile time, and the explorer web page is bundled
//! with npm and embedded too, so the binary serves it with nothing read from disk.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=build.rs");
    build_explorer();
}

/// Runs `npm ci` when needed and `npm run build` into `$OUT_DIR/explorer`, then writes
/// `$OUT_DIR/explorer_assets.rs`: the page and a table of its assets as `include_bytes!`.
fn build_explorer() {
    let root = PathBuf::from(cargo_var("CARGO_MANIFEST_DIR"));
    let explorer = root.join("explorer");
    for input in ["src", "package.json", "package-lock.json", "build.mjs"] {
        println!("cargo:rerun-if-changed={}", explorer.join(input).display());
    }
    let out_dir = PathBuf::from(cargo_var("OUT_DIR"));
    let out = out_dir.join("explorer");

    if Command::new("npm").arg("--version").output().is_err() {
        fail("npm is missing: the explorer page is built with Node.js and npm. Install them (apt-get install nodejs npm) and build again");
    }
    if needs_npm_ci(&explorer) {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&explorer),
            "npm ci",
        );
    }
    run(
        Command::new("npm")
            .args(["run", "build", "--silent", "--"])
            .arg(&out)
            .current_dir(&explorer),
        "npm run build",
    );
    write_asset_table(&out, &out_dir.join("explorer_assets.rs"));
}

/// A variable cargo always sets for a build script.
fn cargo_var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|e| fail(&format!("{name}: {e} (is this run by cargo?)")))
}

/// `node_modules` is missing or older than the lock file.
fn needs_npm_ci(explorer: &Path) -> bool {
    // npm writes node_modules/.package-lock.json on every install: its age is the install's.
    let installed = modified(&explorer.join("node_modules/.package-lock.json"));
    let locked = modified(&explorer.join("package-lock.json"));
    match (installed, locked) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn run(command: &mut Command, what: &str) {
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => fail(&format!(
            "{what} in explorer/ failed ({status}); its output is above"
        )),
        Err(e) => fail(&format!("{what} could not start: {e}")),
    }
}

fn write_asset_table(out: &Path, table: &Path) {
    let index = out.join("index.html");
    if !index.is_file() {
        fail(&format!("the explorer build wrote no {}", index.display()));
    }
    let mut assets: Vec<PathBuf> = std::fs::read_dir(out.join("assets"))
        .unwrap_or_else(|e| fail(&format!("reading the explorer build's assets: {e}")))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    assets.sort();
    let mut lines = vec![
        "/// The explorer page.".to_owned(),
        format!(
            "pub static INDEX_HTML: &[u8] = include_bytes!({:?});",
            index.display().to_string()
        ),
        "/// Its assets by file name.".to_owned(),
        "pub static ASSETS: &[(&str, &[u8])] = &[".to_owned(),
    ];
    for path in &assets {
        let name = path
            .file_name()
            .unwrap_or_else(|| fail(&format!("{} has no file name", path.display())))
            .to_string_lossy();
        lines.push(format!(
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        ));
    }
    lines.push("];\n".to_owned());
    std::fs::write(table, lines.join("\n"))
        .unwrap_or_else(|e| fail(&format!("writing {}: {e}", table.display())));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
