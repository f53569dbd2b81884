//! The input tree of `batch`: every image file under a folder, recursively, plus what was
//! skipped and why. Directory symlinks are never followed, so a link back up the tree cannot
//! loop and a link out of the tree cannot pull in files the user did not point at; file
//! symlinks are followed (they name one file and cannot loop undetected).

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// File name extensions `batch` reads; everything else is skipped as "not an image".
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "gif", "webp", "avif"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the walked folder, `/`-separated whatever the platform: the key for sorting,
    /// sharding and output names.
    pub rel: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    NotImage,
    DirectorySymlink,
    /// The link's target is missing or is itself a loop of links.
    BrokenSymlink(String),
    /// FIFO, socket, device: reading one could block forever.
    NotRegularFile,
    /// `OUT_DIR` inside `IN_DIR`: earlier outputs are not inputs.
    OutputFolder,
    /// A folder that could not be listed or an entry whose type could not be read. Unlike the
    /// other reasons this is a failure: files may have been missed.
    Unreadable(String),
}

impl SkipReason {
    pub fn is_failure(&self) -> bool {
        matches!(self, SkipReason::Unreadable(_))
    }

    /// A short, stable label for the summary's counts.
    pub fn label(&self) -> &'static str {
        match self {
            SkipReason::NotImage => "not an image file name",
            SkipReason::DirectorySymlink => "directory symlink not followed",
            SkipReason::BrokenSymlink(_) => "broken symlink",
            SkipReason::NotRegularFile => "not a regular file",
            SkipReason::OutputFolder => "the output folder",
            SkipReason::Unreadable(_) => "unreadable",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::BrokenSymlink(e) | SkipReason::Unreadable(e) => {
                write!(f, "{} ({e})", self.label())
            }
            _ => f.write_str(self.label()),
        }
    }
}

#[derive(Debug, Default)]
pub struct Listing {
    /// Sorted by `rel`.
    pub images: Vec<Entry>,
    /// Sorted by `rel`.
    pub skipped: Vec<(Entry, SkipReason)>,
}

pub fn is_image_name(name: &Path) -> bool {
    name.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Walk `root`. `exclude` is a folder relative to `root` not to enter (the output folder).
/// Only a `root` that cannot be listed is an error; everything below it is reported instead.
pub fn walk(root: &Path, exclude: Option<&Path>) -> std::io::Result<Listing> {
    let mut listing = Listing::default();
    // iterative, so a deep tree cannot overflow the stack
    let mut pending: Vec<PathBuf> = vec![PathBuf::new()];
    let mut first = true;
    while let Some(rel_dir) = pending.pop() {
        let dir = root.join(&rel_dir);
        let entries = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if first => return Err(e),
            Err(e) => {
                listing
                    .skipped
                    .push((entry(&rel_dir, &dir), SkipReason::Unreadable(e.to_string())));
                continue;
            }
        };
        first = false;
        for item in entries {
            let item = match item {
                Ok(i) => i,
                Err(e) => {
                    listing
                        .skipped
                        .push((entry(&rel_dir, &dir), SkipReason::Unreadable(e.to_string())));
                    continue;
                }
            };
            let rel = rel_dir.join(item.file_name());
            let path = item.path();
            let found = entry(&rel, &path);
            match classify(&item, &path) {
                Kind::Directory if exclude == Some(rel.as_path()) => {
                    listing.skipped.push((found, SkipReason::OutputFolder));
                }
                Kind::Directory => pending.push(rel),
                Kind::File if is_image_name(&rel) => listing.images.push(found),
                Kind::File => listing.skipped.push((found, SkipReason::NotImage)),
                Kind::Skip(reason) => listing.skipped.push((found, reason)),
            }
        }
    }
    listing
        .images
        .sort_by(|a, b| (&a.rel, &a.path).cmp(&(&b.rel, &b.path)));
    listing
        .skipped
        .sort_by(|a, b| (&a.0.rel, &a.0.path).cmp(&(&b.0.rel, &b.0.path)));
    Ok(listing)
}

enum Kind {
    Directory,
    File,
    Skip(SkipReason),
}

fn classify(item: &fs::DirEntry, path: &Path) -> Kind {
    // DirEntry::file_type does not follow symlinks
    let ft = match item.file_type() {
        Ok(ft) => ft,
        Err(e) => return Kind::Skip(SkipReason::Unreadable(e.to_string())),
    };
    if ft.is_dir() {
        return Kind::Directory;
    }
    if ft.is_file() {
        return Kind::File;
    }
    if ft.is_symlink() {
        return match fs::metadata(path) {
            Err(e) => Kind::Skip(SkipReason::BrokenSymlink(e.to_string())),
            Ok(m) if m.is_dir() => Kind::Skip(SkipReason::DirectorySymlink),
            Ok(m) if m.is_file() => Kind::File,
            Ok(_) => Kind::Skip(SkipReason::NotRegularFile),
        };
    }
    Kind::Skip(SkipReason::NotRegularFile)
}

fn entry(rel: &Path, path: &Path) -> Entry {
    let rel = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Entry {
        rel,
        path: path.to_path_buf(),
    }
}
