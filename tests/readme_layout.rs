//! The README's layout block names every top-level module of `src/`, and nothing that is not
//! there: a reader who starts from it finds each room, and a module added or removed without
//! the README fails here.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The entries of the fenced block under `## Layout`: `name/` or `name.rs` at the start of each
/// indented line below `src/`.
fn readme_entries() -> BTreeSet<String> {
    let readme = fs::read_to_string("README.md").expect("README.md");
    let section = readme
        .split("\n## Layout")
        .nth(1)
        .expect("README.md has a '## Layout' section");
    let block = section
        .split("```")
        .nth(1)
        .expect("the Layout section has a fenced block");
    block
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

/// `src/`'s top-level modules as the README names them: directories as `name/`, files as
/// `name.rs`; `lib.rs` is the crate root itself.
fn source_entries() -> BTreeSet<String> {
    fs::read_dir(Path::new("src"))
        .expect("src/")
        .map(|e| e.expect("a directory entry"))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                Some(format!("{name}/"))
            } else if name.ends_with(".rs") && name != "lib.rs" {
                Some(name)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn the_readme_layout_lists_exactly_the_top_level_modules_of_src() {
    let readme = readme_entries();
    let source = source_entries();
    let missing: Vec<_> = source.difference(&readme).collect();
    let stale: Vec<_> = readme.difference(&source).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "README.md's layout block: missing {missing:?}, naming what src/ does not have {stale:?}"
    );
    // the block is not trivially empty: the rooms every reader looks for are there
    for room in [
        "options/",
        "codecs/",
        "pipeline.rs",
        "edge/",
        "web/",
        "bin/",
    ] {
        assert!(
            readme.contains(room),
            "{room} missing from README.md's layout block"
        );
    }
}
