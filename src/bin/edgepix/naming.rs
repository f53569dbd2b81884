//! Output names for `batch`: the input tree mirrored under OUT_DIR, each file's extension
//! replaced by its output format's (`photos/a.jpg` -> `OUT/photos/a.webp`).
//!
//! When two or more inputs in one folder share a stem, ignoring case (`a.jpg`, `a.png`,
//! `A.jpeg`), every one of them keeps its source extension in the name (`a.jpg.webp`,
//! `a.png.webp`, `A.jpeg.webp`). The rule looks only at input names, never at output formats
//! or at which shard runs, so a user can predict every name from a listing, the names do not
//! change with `--options`, and every shard of a job agrees on them. Case is ignored so that
//! the outputs stay distinct on case-insensitive disks (macOS, Windows).
//!
//! What the rule cannot separate (`a.jpg` and `a.png` beside `a.jpg.png`: both would be
//! `a.jpg.*`) is refused before any file is written.

use std::collections::HashMap;

#[derive(Debug, PartialEq, Eq)]
pub struct Names {
    /// Per input, in input order: the output path relative to OUT_DIR without its extension.
    pub bases: Vec<String>,
    /// Groups of input indices (ascending) that kept their source extension.
    pub kept_extension: Vec<Vec<usize>>,
}

/// `rels` are the `/`-separated relative paths of every input of the job (all shards), each
/// with an extension.
pub fn output_names(rels: &[String]) -> Result<Names, String> {
    let mut groups: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, rel) in rels.iter().enumerate() {
        let (dir, stem, _) = split(rel);
        groups
            .entry((dir, stem.to_lowercase()))
            .or_default()
            .push(i);
    }
    let mut keep = vec![false; rels.len()];
    let mut kept_extension: Vec<Vec<usize>> =
        groups.into_values().filter(|g| g.len() > 1).collect();
    for g in &mut kept_extension {
        g.sort_unstable();
        for &i in g.iter() {
            keep[i] = true;
        }
    }
    kept_extension.sort_unstable();

    let bases: Vec<String> = rels
        .iter()
        .zip(&keep)
        .map(|(rel, &keep)| {
            if keep {
                rel.clone()
            } else {
                let (dir, stem, _) = split(rel);
                if dir.is_empty() {
                    stem.to_string()
                } else {
                    format!("{dir}/{stem}")
                }
            }
        })
        .collect();

    let mut owner: HashMap<&str, usize> = HashMap::new();
    let mut clashes = Vec::new();
    for (i, b) in bases.iter().enumerate() {
        if let Some(&j) = owner.get(b.as_str()) {
            clashes.push(format!("{} and {} (both {b}.*)", rels[j], rels[i]));
        } else {
            owner.insert(b, i);
        }
    }
    if !clashes.is_empty() {
        return Err(format!(
            "these inputs would write the same output name; rename one of each pair: {}",
            clashes.join("; ")
        ));
    }
    Ok(Names {
        bases,
        kept_extension,
    })
}

/// `dir/stem.ext` -> (`dir`, `stem`, `ext`); `dir` is empty at the top level. Like
/// `Path::file_stem`, the stem is everything before the last dot.
fn split(rel: &str) -> (&str, &str, &str) {
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    (dir, stem, ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(rels: &[&str]) -> Result<Names, String> {
        output_names(&rels.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn unique_stems_lose_their_extension() {
        let n = names(&["a.jpg", "b.png", "sub/a.gif"]).unwrap();
        assert_eq!(n.bases, ["a", "b", "sub/a"]);
        assert!(n.kept_extension.is_empty());
    }

    #[test]
    fn shared_stems_keep_theirs_ignoring_case() {
        let n = names(&["A.JPG", "a.png", "b.jpg", "sub/x.webp", "sub/x.jpeg"]).unwrap();
        assert_eq!(n.bases, ["A.JPG", "a.png", "b", "sub/x.webp", "sub/x.jpeg"]);
        assert_eq!(n.kept_extension, [vec![0, 1], vec![3, 4]]);
    }

    #[test]
    fn unresolvable_names_are_refused() {
        let e = names(&["a.jpg", "a.png", "a.jpg.png"]).unwrap_err();
        assert!(e.contains("a.jpg and a.jpg.png"), "{e}");
    }
}
