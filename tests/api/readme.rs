//! The README's "Use it from Python" blocks, run verbatim (but for the server address) by the
//! real clients they show (pandas, geopandas, owslib) against a server on the bundled data.

use crate::support::*;

#[test]
fn the_readme_python_snippets_run_against_the_bundled_data() {
    let root = env!("CARGO_MANIFEST_DIR");
    let db = TestDb::bundled();
    let server = Served::start(&db);
    let run = std::process::Command::new(format!("{root}/.venv/bin/python"))
        .arg(format!("{root}/tests/clients/readme_snippets.py"))
        .arg(format!("{root}/README.md"))
        .arg(format!("http://{}", server.bind))
        .output();
    let out = output_of(
        run,
        ".venv with pandas, geopandas and owslib (scripts/test.sh creates it)",
    );
    drop(server);
    assert!(!out.contains("FAIL"), "{out}");
    // What the blocks print comes from the real data: Stockholm's population and RegSO.
    assert!(
        out.contains("984748") && out.contains("Abrahamsberg"),
        "{out}"
    );
    assert!(
        out.contains("290 EPSG:3006"),
        "every kommun, in the storage CRS: {out}"
    );
}
