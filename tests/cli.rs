//! The `edgepix` binary as users run it: real corpus images copied into a temporary tree,
//! outputs decoded with the `image` crate, exit codes and the lines the commands print.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Corpus files with their sizes from MANIFEST.tsv (display size after EXIF orientation).
const JPEG_500X333: &str = "conformance/jpeg/reftest/rgb.jpg";
const PNG_768X512: &str = "photos/kodak/kodim01.png";
const PNG_32X32: &str = "conformance/png/primary/basn2c08.png";
const GIF_540X330: &str = "conformance/gif/image-gif/interlaced.gif";
/// Stored 1200x1800 with EXIF orientation 6: displays 1800x1200.
const JPEG_ORIENTED: &str = "orientation/Landscape_6.jpg";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn edgepix(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_edgepix"))
        .args(args)
        .output()
        .expect("run edgepix");
    Run {
        code: out.status.code().expect("edgepix ended by a signal"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn ok(args: &[&str]) -> Run {
    let r = edgepix(args);
    assert_eq!(r.code, 0, "edgepix {args:?}\n{}\n{}", r.stdout, r.stderr);
    r
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copy a corpus file to `dir/rel` (folders created).
fn put(dir: &Path, rel: &str, corpus_file: &str) {
    let dest = dir.join(rel);
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::write(&dest, common::read(corpus_file)).unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn decoded_size(path: &Path) -> (image::ImageFormat, u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let format = image::guess_format(&bytes).unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    (format, img.width(), img.height())
}

/// Every file under `dir`, relative, `/`-separated.
fn files(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap();
                out.insert(rel.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn transform_writes_the_requested_size_and_format() {
    let dir = scratch("transform");
    let cases = [
        (
            JPEG_ORIENTED,
            "width=300,format=webp",
            "a.webp",
            image::ImageFormat::WebP,
            (300, 200),
        ),
        (
            PNG_768X512,
            "width=384,format=jpeg",
            "b.jpg",
            image::ImageFormat::Jpeg,
            (384, 256),
        ),
        (
            PNG_768X512,
            "w=100,h=100,fit=cover,f=png",
            "c.png",
            image::ImageFormat::Png,
            (100, 100),
        ),
        (
            GIF_540X330,
            "",
            "d.png",
            image::ImageFormat::Png,
            (540, 330),
        ),
    ];
    for (input, opts, out, format, size) in cases {
        let out = dir.join(out);
        let input_path = common::path(input);
        let mut args = vec!["transform", s(&input_path), s(&out)];
        if !opts.is_empty() {
            args.extend(["--options", opts]);
        }
        let r = ok(&args);
        assert!(
            r.stdout.contains(&format!("{}x{}", size.0, size.1)),
            "{}",
            r.stdout
        );
        assert_eq!(
            decoded_size(&out),
            (format, size.0, size.1),
            "{input} {opts}"
        );
    }
}

/// One MANIFEST.tsv row as column -> value.
fn manifest_row(file: &str) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(common::path("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let row = lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f[0] == file)
        .unwrap_or_else(|| panic!("{file} not in MANIFEST.tsv"));
    header
        .iter()
        .map(|h| h.to_string())
        .zip(row.iter().map(|v| v.to_string()))
        .collect()
}

#[test]
fn info_prints_the_header_facts() {
    let file = "photos/dog_exif_extended_xmp_icc.jpg";
    let row = manifest_row(file);
    let r = ok(&["info", common::path(file).to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).expect("info prints JSON");
    let stored: (u64, u64) = (
        row["width"].parse().unwrap(),
        row["height"].parse().unwrap(),
    );
    assert_eq!(row["exif_orientation"], "6");
    // orientation 6 swaps the axes for display
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(stored.1), Some(stored.0))
    );
    assert_eq!(v["original"]["format"], "image/jpeg");
    assert_eq!(
        v["original"]["file_size"].as_u64(),
        Some(row["bytes"].parse().unwrap())
    );
    assert_eq!(v["edgepix"]["input"]["format"], row["format"].as_str());
    assert_eq!(v["edgepix"]["input"]["orientation"], 6);
    assert_eq!(v["edgepix"]["input"]["hasIcc"], row["icc"].starts_with('y'));
    assert_eq!(v["edgepix"]["input"]["width"].as_u64(), Some(stored.0));
}

#[test]
fn batch_never_writes_two_inputs_to_one_name() {
    let root = scratch("collide");
    let (inp, out) = (root.join("in"), root.join("out"));
    put(&inp, "a.jpg", JPEG_500X333);
    put(&inp, "a.png", PNG_768X512);
    put(&inp, "A.gif", GIF_540X330); // same stem, other case: a case-insensitive disk collides
    put(&inp, "b.png", PNG_32X32);
    put(&inp, "sub/a.png", PNG_32X32); // same name in another folder: no collision
    let r = ok(&["batch", s(&inp), s(&out), "--options", "format=webp"]);
    assert_eq!(
        files(&out),
        set(&[
            "A.gif.webp",
            "a.jpg.webp",
            "a.png.webp",
            "b.webp",
            "sub/a.webp"
        ])
    );
    // each output is its own input's picture, not another's
    let webp = image::ImageFormat::WebP;
    assert_eq!(decoded_size(&out.join("a.jpg.webp")), (webp, 500, 333));
    assert_eq!(decoded_size(&out.join("a.png.webp")), (webp, 768, 512));
    assert_eq!(decoded_size(&out.join("A.gif.webp")), (webp, 540, 330));
    assert_eq!(decoded_size(&out.join("b.webp")), (webp, 32, 32));
    assert!(
        r.stdout.contains(
            "note: A.gif, a.jpg, a.png share a name: their outputs keep the source extension"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("-> {}", s(&out.join("a.png.webp")))),
        "{}",
        r.stdout
    );

    // the rule depends on names only: without a format option the GIF and the PNG would
    // both be PNG, and the names are the same as above
    let out2 = root.join("out2");
    ok(&["batch", s(&inp), s(&out2)]);
    assert_eq!(
        files(&out2),
        set(&["A.gif.png", "a.jpg.jpg", "a.png.png", "b.png", "sub/a.png"])
    );
    assert_eq!(decoded_size(&out2.join("A.gif.png")).1, 540);
    assert_eq!(decoded_size(&out2.join("a.png.png")).1, 768);
}

#[test]
fn batch_refuses_names_the_rule_cannot_separate() {
    let root = scratch("refuse");
    let (inp, out) = (root.join("in"), root.join("out"));
    put(&inp, "a.jpg", JPEG_500X333);
    put(&inp, "a.png", PNG_32X32);
    put(&inp, "a.jpg.png", PNG_32X32); // stem "a.jpg", the kept name of a.jpg
    let r = edgepix(&["batch", s(&inp), s(&out)]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("a.jpg and a.jpg.png"), "{}", r.stderr);
    assert!(!out.exists(), "nothing may be written before the refusal");
}

#[test]
fn batch_recurses_and_reports_what_it_skipped() {
    let root = scratch("recurse");
    let (inp, out) = (root.join("in"), root.join("out"));
    put(&inp, "top.png", PNG_32X32);
    put(&inp, "x/y/z/deep.PNG", PNG_32X32);
    put(&inp, "x/mid.gif", GIF_540X330);
    std::fs::write(inp.join("x/readme.txt"), "not an image").unwrap();
    #[cfg(unix)]
    {
        // a loop back to the root and a dangling link: neither may be followed
        std::os::unix::fs::symlink("..", inp.join("x/up")).unwrap();
        std::os::unix::fs::symlink("missing.jpg", inp.join("gone.jpg")).unwrap();
        // a link loop between two files
        std::os::unix::fs::symlink("loop2.png", inp.join("loop1.png")).unwrap();
        std::os::unix::fs::symlink("loop1.png", inp.join("loop2.png")).unwrap();
        // a file symlink is an input like any file
        std::os::unix::fs::symlink("top.png", inp.join("alias.png")).unwrap();
    }
    let r = ok(&["batch", s(&inp), s(&out), "--options", "width=16"]);
    let mut expected = vec!["top.png", "x/y/z/deep.png", "x/mid.png"];
    if cfg!(unix) {
        expected.push("alias.png");
    }
    assert_eq!(files(&out), set(&expected));
    assert_eq!(decoded_size(&out.join("x/y/z/deep.png")).1, 16);
    let skip_line = |rel: &str, why: &str| {
        let line = format!("skipped {}: {why}", s(&inp.join(rel)));
        assert!(r.stdout.contains(&line), "no {line:?} in\n{}", r.stdout);
    };
    skip_line("x/readme.txt", "not an image file name");
    if cfg!(unix) {
        skip_line("x/up", "directory symlink not followed");
        skip_line("gone.jpg", "broken symlink");
        skip_line("loop1.png", "broken symlink");
        skip_line("loop2.png", "broken symlink");
        let last = r.stdout.lines().last().unwrap();
        assert!(
            last.starts_with("4 files: 4 written, 0 failed; 5 skipped (3 broken symlink, 1 directory symlink not followed, 1 not an image file name)"),
            "{last}"
        );
    }
}

#[cfg(unix)]
#[test]
fn batch_skips_fifos_instead_of_blocking() {
    let root = scratch("fifo");
    let (inp, out) = (root.join("in"), root.join("out"));
    put(&inp, "a.png", PNG_32X32);
    let fifo = inp.join("pipe.jpg");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let r = ok(&["batch", s(&inp), s(&out)]);
    assert!(
        r.stdout
            .contains(&format!("skipped {}: not a regular file", s(&fifo))),
        "{}",
        r.stdout
    );
    assert_eq!(files(&out), set(&["a.png"]));
}

#[test]
fn batch_output_inside_input_is_not_read_back() {
    let root = scratch("nested");
    put(&root, "a.png", PNG_32X32);
    let out = root.join("out");
    ok(&["batch", s(&root), s(&out), "--options", "format=webp"]);
    // second run: the first run's outputs are under IN_DIR but are not inputs
    let r = ok(&["batch", s(&root), s(&out), "--options", "format=webp"]);
    assert!(r.stdout.contains("1 images"), "{}", r.stdout);
    assert!(r.stdout.contains(": the output folder"), "{}", r.stdout);
    assert_eq!(files(&out), set(&["a.webp"]));
    let same = edgepix(&["batch", s(&root), s(&root)]);
    assert_eq!(same.code, 2, "{}", same.stderr);
}

#[test]
fn batch_failures_exit_1_and_name_file_code_and_message() {
    let root = scratch("failures");
    let (inp, out) = (root.join("in"), root.join("out"));
    put(&inp, "good.png", PNG_32X32);
    std::fs::write(inp.join("text.png"), "this is not a PNG").unwrap();
    put(&inp, "sub/cut.jpg", "malformed/sharp/corrupt-header.jpg"); // no SOF before the scan
    let r = edgepix(&["batch", s(&inp), s(&out)]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{}", r.stderr);
    // in list order, whatever thread finished first
    assert!(
        errors[0].starts_with(&format!(
            "error: {}: corrupt_image: ",
            s(&inp.join("sub/cut.jpg"))
        )),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with(&format!(
            "error: {}: unsupported_format: ",
            s(&inp.join("text.png"))
        )),
        "{}",
        errors[1]
    );
    assert!(
        r.stdout.contains("3 files: 1 written, 2 failed"),
        "{}",
        r.stdout
    );
    assert_eq!(files(&out), set(&["good.png"]));
}

#[test]
fn batch_output_is_the_same_with_any_number_of_threads() {
    let root = scratch("jobs");
    let inp = root.join("in");
    for (i, f) in [
        JPEG_500X333,
        PNG_768X512,
        GIF_540X330,
        PNG_32X32,
        JPEG_ORIENTED,
    ]
    .iter()
    .enumerate()
    {
        put(
            &inp,
            &format!("d{}/f{i}.{}", i % 2, f.rsplit('.').next().unwrap()),
            f,
        );
    }
    std::fs::write(inp.join("d0/bad.jpg"), "not a jpeg").unwrap();
    let runs: Vec<(Run, PathBuf)> = ["1", "3"]
        .iter()
        .map(|jobs| {
            let out = root.join(format!("out{jobs}"));
            let r = edgepix(&[
                "batch",
                s(&inp),
                s(&out),
                "-o",
                "width=200,format=webp",
                "--jobs",
                jobs,
            ]);
            assert_eq!(r.code, 1, "{}", r.stderr);
            (r, out)
        })
        .collect();
    // same lines in the same order, once the output folder's name and the timing are removed
    let normalise = |r: &Run, out: &Path| {
        let text = r.stdout.replace(s(out), "OUT");
        let lines: Vec<&str> = text.lines().collect();
        let (summary, body) = lines.split_last().unwrap();
        let summary = summary.split("; ").take(3).collect::<Vec<_>>().join("; ");
        (body[1..].join("\n"), summary, r.stderr.clone())
    };
    assert_eq!(
        normalise(&runs[0].0, &runs[0].1),
        normalise(&runs[1].0, &runs[1].1)
    );
    assert!(
        runs[1].0.stdout.contains(", 3 threads"),
        "{}",
        runs[1].0.stdout
    );
    let names = files(&runs[0].1);
    assert_eq!(names.len(), 5);
    assert_eq!(names, files(&runs[1].1));
    for n in &names {
        assert_eq!(
            std::fs::read(runs[0].1.join(n)).unwrap(),
            std::fs::read(runs[1].1.join(n)).unwrap(),
            "{n} differs between --jobs 1 and --jobs 3"
        );
    }
}

/// Outputs written by `batch --shard i/n` runs, as input-relative stems.
fn shard_outputs(inp: &Path, root: &Path, shard: &str) -> BTreeSet<String> {
    let out = root.join(format!("out-{}", shard.replace('/', "of")));
    let _ = std::fs::remove_dir_all(&out);
    let r = ok(&["batch", s(inp), s(&out), "--shard", shard, "--jobs", "2"]);
    assert!(
        r.stdout.contains(&format!("shard {shard}: ")),
        "{}",
        r.stdout
    );
    if out.exists() {
        files(&out)
    } else {
        BTreeSet::new()
    }
}

#[test]
fn shards_are_disjoint_cover_everything_and_stay_put() {
    let root = scratch("shard");
    let inp = root.join("in");
    let mut all = BTreeSet::new();
    for i in 0..24 {
        let rel = format!("g{}/img{i:02}.png", i % 3);
        put(&inp, &rel, PNG_32X32);
        all.insert(rel);
    }
    let n = 3;
    let shards: Vec<BTreeSet<String>> = (1..=n)
        .map(|i| shard_outputs(&inp, &root, &format!("{i}/{n}")))
        .collect();
    let mut union = BTreeSet::new();
    for (i, a) in shards.iter().enumerate() {
        for b in &shards[i + 1..] {
            assert!(a.is_disjoint(b), "{a:?} and {b:?} overlap");
        }
        assert!(
            !a.is_empty(),
            "shard {} of {n} got no file out of 24",
            i + 1
        );
        union.extend(a.iter().cloned());
    }
    assert_eq!(union, all);

    // more files: every earlier file stays in the shard it was in
    for i in 24..40 {
        put(&inp, &format!("g{}/img{i:02}.png", i % 3), PNG_32X32);
    }
    for i in 1..=n {
        let grown = shard_outputs(&inp, &root, &format!("{i}/{n}"));
        let before = &shards[i - 1];
        assert!(
            before.is_subset(&grown),
            "shard {i}/{n} lost files: {before:?} vs {grown:?}"
        );
        let others: BTreeSet<_> = all.difference(before).collect();
        assert!(
            grown.iter().all(|f| !others.contains(f)),
            "shard {i}/{n} took a file from another shard"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let root = scratch("usage");
    let png = common::path(PNG_32X32);
    let png = png.to_str().unwrap();
    let out = root.join("o.png");
    let (b, missing) = (root.join("b"), root.join("missing"));
    let (root, b) = (s(&root), s(&b));
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["frobnicate"],
        vec!["transform", png],
        vec!["transform", png, s(&out), "--options", "width=abc"],
        vec!["transform", png, s(&out), "--options", "segment=foreground"],
        vec!["transform", png, s(&out), "--jobs", "2"],
        vec!["transform", png, s(&out), "--bogus"],
        vec!["info"],
        vec!["info", png, png],
        vec!["batch", root],
        vec!["batch", root, b, "--jobs", "0"],
        vec!["batch", root, b, "--shard", "0/2"],
        vec!["batch", root, b, "--shard", "3/2"],
        vec!["batch", root, b, "--shard", "1"],
        vec!["batch", s(&missing), b],
    ];
    for args in cases {
        let r = edgepix(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("usage:"), "{args:?}: {}", r.stderr);
    }
    assert!(!out.exists());
    assert_eq!(ok(&["--help"]).stdout.lines().next(), Some("usage:"));
}

#[test]
fn missing_or_bad_files_exit_1_with_an_error_line() {
    let root = scratch("missing");
    let missing = root.join("nope.jpg");
    let r = edgepix(&["transform", s(&missing), s(&root.join("o.webp"))]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with(&format!("error: {}: read_failed: ", s(&missing))),
        "{}",
        r.stderr
    );
    let r = edgepix(&["info", s(&missing)]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("read_failed"), "{}", r.stderr);

    let bomb = common::path("bombs/bug793470-crasher.png");
    let r = edgepix(&["info", bomb.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with(&format!("error: {}: too_many_pixels: ", bomb.display())),
        "{}",
        r.stderr
    );
    // a folder that does not exist cannot take the output
    let r = edgepix(&[
        "transform",
        common::path(PNG_32X32).to_str().unwrap(),
        s(&root.join("no/such/dir/o.png")),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(": write_failed: "), "{}", r.stderr);
}

#[test]
fn batch_finishes_when_stdout_is_closed() {
    // `edgepix batch … | head -1`: the reader is gone before the first line
    let root = scratch("closed-stdout");
    let (inp, out) = (root.join("in"), root.join("out"));
    for i in 0..4 {
        put(&inp, &format!("{i}.png"), PNG_32X32);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgepix"))
        .args(["batch", s(&inp), s(&out), "--jobs", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(files(&out), set(&["0.png", "1.png", "2.png", "3.png"]));
}

#[test]
fn batch_never_replaces_an_input_when_in_dir_is_inside_out_dir() {
    // OUT = root, IN = root/src: src/src/a.png would be written to root/src/a.png, which is
    // the input src/a.png
    let root = scratch("in-inside-out");
    let inp = root.join("src");
    put(&inp, "a.png", PNG_32X32);
    put(&inp, "src/a.png", PNG_768X512);
    let before = std::fs::read(inp.join("a.png")).unwrap();
    let r = edgepix(&["batch", s(&inp), s(&root), "--options", "width=8"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error: {}: would_overwrite_input: ",
            s(&inp.join("src/a.png"))
        )),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(inp.join("a.png")).unwrap(), before);
    assert_eq!(decoded_size(&root.join("a.png")).1, 8);
}

/// `edgepix sign` against signatures made by Node's crypto (HMAC-SHA256, base64url) for the
/// message docs/CACHING.md specifies: canonical options, newline, source [, newline, exp].
#[test]
fn sign_prints_urls_whose_signatures_an_independent_hmac_agrees_with() {
    // node -e 'crypto.createHmac("sha256","k").update("width=640\nhttps://a.example/x.jpg")'
    let r = ok(&[
        "sign",
        "--key",
        "k",
        "--options",
        "w=640",
        "--source",
        "https://a.example/x.jpg",
    ]);
    assert_eq!(
        r.stdout.trim(),
        "/cdn-cgi/image/w=640,sig=zhJbvA6J-_53PI11JlC9_egXtw277sJ-_4r3DKCoHl0/https://a.example/x.jpg"
    );
    let purge = ok(&["sign", "--key", "k", "--purge", "--source", "samples/a.jpg"]);
    assert!(purge
        .stdout
        .starts_with("/cdn-cgi/edgepix/purge?source=samples/a.jpg&exp="));
    let missing = edgepix(&["sign", "--options", "w=1", "--source", "a.jpg"]);
    assert_eq!(missing.code, 2, "no key is a usage error");
}

/// Every command and the flags it takes, written out here rather than read from the parser,
/// so a command or flag that disappears (or loses its help) fails the tests below.
const COMMANDS: &[(&str, &[&str])] = &[
    ("transform", &["--options"]),
    ("info", &[]),
    ("batch", &["--options", "--jobs", "--shard"]),
    (
        "sign",
        &[
            "--source",
            "--options",
            "--variant",
            "--expires",
            "--key",
            "--purge",
        ],
    ),
    (
        "eval",
        &["--corpus", "--policy", "--shard", "--jobs", "--csv"],
    ),
    (
        "curves",
        &["--corpus", "--width", "--out", "--shard", "--jobs"],
    ),
    ("train", &["--curves", "--out"]),
    ("crop-eval", &["--annotations", "--root", "--csv"]),
    ("completions", &[]),
];

/// The description clap prints for `flag` in a help text: the rest of the flag's line after
/// its value name, or the next line when the help layout puts it there.
fn flag_description(help: &str, flag: &str) -> Option<String> {
    let lines: Vec<&str> = help.lines().collect();
    let at = lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with('-')
            && t.split_whitespace()
                .any(|w| w.trim_end_matches(',') == flag)
    })?;
    let words: Vec<&str> = lines[at]
        .split_whitespace()
        .skip_while(|w| w.starts_with('-'))
        .skip_while(|w| w.starts_with('<'))
        .collect();
    if words.is_empty() {
        lines.get(at + 1).map(|l| l.trim().to_string())
    } else {
        Some(words.join(" "))
    }
}

#[test]
fn every_command_answers_help_and_explains_each_flag() {
    let top = ok(&["--help"]);
    // the top-level help lists exactly these commands (and clap's `help`)
    let listed: BTreeSet<String> = top
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    let mut expected: BTreeSet<String> = COMMANDS.iter().map(|(c, _)| c.to_string()).collect();
    expected.insert("help".into());
    assert_eq!(listed, expected, "{}", top.stdout);

    for (cmd, flags) in COMMANDS {
        let r = ok(&[cmd, "--help"]);
        assert!(
            r.stdout.contains(&format!("usage: edgepix {cmd}")),
            "{cmd}: {}",
            r.stdout
        );
        assert!(r.stderr.is_empty(), "{cmd}: {}", r.stderr);
        for flag in flags.iter().copied().chain(["--help"]) {
            let about = flag_description(&r.stdout, flag)
                .unwrap_or_else(|| panic!("edgepix {cmd} --help has no {flag}:\n{}", r.stdout));
            assert!(
                about.split_whitespace().count() >= 2,
                "{cmd} {flag}: {about:?}"
            );
        }
        // `-h` and `edgepix help CMD` say the same thing
        assert!(ok(&[cmd, "-h"])
            .stdout
            .contains(&format!("usage: edgepix {cmd}")));
        assert!(ok(&["help", cmd])
            .stdout
            .contains(&format!("usage: edgepix {cmd}")));
    }
    let v = ok(&["--version"]);
    assert_eq!(
        v.stdout.trim(),
        format!("edgepix {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_never_shows_the_signing_key() {
    let out = Command::new(env!("CARGO_BIN_EXE_edgepix"))
        .args(["sign", "--help"])
        .env("EDGEPIX_SIGNING_KEY", "do-not-print-me")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(text.contains("EDGEPIX_SIGNING_KEY"), "{text}");
    assert!(!text.contains("do-not-print-me"), "{text}");
}

#[test]
fn usage_errors_name_the_flag_and_exit_2() {
    let root = scratch("usage-flags");
    let (a, b) = (root.join("a.png"), root.join("b"));
    let (a, b) = (s(&a), s(&b));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["batch", a, b, "--jobs", "0"], "--jobs"),
        (vec!["batch", a, b, "--jobs", "two"], "--jobs"),
        (vec!["batch", a, b, "--shard", "5/4"], "--shard"),
        (vec!["batch", a, b, "--jobs=1", "--jobs=2"], "--jobs"),
        (
            vec!["transform", a, b, "--options", "width=abc"],
            "--options",
        ),
        (vec!["transform", a, b, "--bogus"], "--bogus"),
        (vec!["transform", a, b, "--jobs", "2"], "--jobs"),
        (vec!["eval", "--corpus", root.to_str().unwrap()], "--policy"),
        (vec!["eval", "--policy", a, "--corpus"], "--corpus"),
        (
            vec!["curves", "--corpus", b, "--width", "8", "--out", a],
            "--width",
        ),
        (vec!["curves", "--corpus", b, "--width", "64"], "--out"),
        (vec!["train", "--curves"], "--curves"),
        (vec!["crop-eval", "--root"], "--root"),
        (vec!["sign", "--key", "k", "--options", "w=1"], "--source"),
        (
            vec![
                "sign",
                "--key",
                "k",
                "--source",
                "x",
                "-o",
                "w=1",
                "--variant",
                "v",
            ],
            "--variant",
        ),
        (
            vec!["sign", "--key", "k", "--source", "x", "--expires", "soon"],
            "--expires",
        ),
        (vec!["completions", "tcsh"], "tcsh"),
    ];
    for (args, flag) in cases {
        let r = edgepix(&args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.starts_with("error: ") && r.stderr.contains(flag),
            "{args:?} should name {flag}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&format!("usage: edgepix {}", args[0])),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert!(!Path::new(b).exists(), "a usage error wrote nothing");
    // found after parsing, reported the same way
    let missing = root.join("missing");
    let r = edgepix(&["batch", s(&missing), b]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: cannot read ") && r.stderr.contains("usage: edgepix batch"),
        "{}",
        r.stderr
    );
}

/// `word` appears delimited, not as part of a longer name (`eval` inside `crop-eval`).
fn mentions_word(text: &str, word: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

#[test]
fn completions_cover_every_command_and_flag() {
    let dir = scratch("completions");
    for shell in ["bash", "zsh", "fish"] {
        let r = ok(&["completions", shell]);
        assert!(r.stdout.len() > 1000, "{shell}: {}", r.stdout);
        for (cmd, flags) in COMMANDS {
            assert!(mentions_word(&r.stdout, cmd), "{shell} lacks {cmd}");
            for flag in *flags {
                // fish names long flags without the dashes (`-l shard`)
                let bare = flag.trim_start_matches('-');
                assert!(
                    mentions_word(&r.stdout, flag) || mentions_word(&r.stdout, bare),
                    "{shell} lacks {flag}"
                );
            }
        }
        if shell == "bash" {
            let script = dir.join("edgepix.bash");
            std::fs::write(&script, &r.stdout).unwrap();
            let check = Command::new("bash")
                .arg("-n")
                .arg(&script)
                .output()
                .expect("run bash -n");
            assert!(
                check.status.success(),
                "bash -n: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}

#[test]
fn readme_cli_section_names_every_command() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("\n## CLI\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README.md has a CLI section");
    for (cmd, _) in COMMANDS {
        assert!(
            section.contains(&format!("edgepix {cmd}")),
            "README's CLI section does not show `edgepix {cmd}`"
        );
    }
}
