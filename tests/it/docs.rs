//! The man page and shell completions in docs/ are generated from the command definition; this
//! test fails when they are stale. Regenerate with `KVS_UPDATE_DOCS=1 cargo test --test it docs`.

use std::path::Path;

fn check_or_update(relative: &str, generated: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(relative);
    if std::env::var_os("KVS_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/{relative} is stale: run KVS_UPDATE_DOCS=1 cargo test --test it docs"
    );
}

#[test]
fn man_page_and_completions_are_current() {
    let mut page = Vec::new();
    clap_mangen::Man::new(kvs::cli::command())
        .title("KVS")
        .section("1")
        .manual("kvs manual")
        .render(&mut page)
        .unwrap();
    check_or_update("man/kvs.1", &page);
    for (shell, file) in [
        (clap_complete::Shell::Bash, "completions/kvs.bash"),
        (clap_complete::Shell::Zsh, "completions/_kvs"),
        (clap_complete::Shell::Fish, "completions/kvs.fish"),
    ] {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut kvs::cli::command(), "kvs", &mut script);
        check_or_update(file, &script);
    }
}
