//! The budget and the pipeline walk the identical list of steps (`edgepix::steps`): for every
//! golden case (tests/golden/engine.tsv) and a few that reach the optional steps, the names the
//! budget's replay records equal the names the transform records as it runs them.

mod common;
use common::*;
use edgepix::{Accepts, Client, Limits, Options};

fn walks(input: &str, opts: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let bytes = read(input);
    let limits = Limits::default();
    let o = Options::parse(opts).unwrap_or_else(|e| panic!("{opts}: {}", e.message));
    let accepts = Accepts {
        webp: true,
        avif: false,
    };
    let resolved = o.resolve(&Client::new(accepts));
    let probe = edgepix::probe(&bytes, &limits).unwrap();
    let plan = edgepix::budget::plan(&probe, &resolved, &limits).unwrap();
    let budget = edgepix::budget::walk(&probe, &plan);
    let out = edgepix::transform(&bytes, &o, accepts, &limits, &|| 0.0)
        .unwrap_or_else(|e| panic!("{input} {opts}: {}", e.message));
    (budget, out.steps)
}

#[test]
fn budget_and_pipeline_walk_the_same_steps_for_every_golden_case() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/engine.tsv"),
    )
    .unwrap();
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.split('\t');
        let input = f.next().unwrap();
        let opts = f.next().unwrap_or("").replace("%23", "#");
        let (budget, pipeline) = walks(input, &opts);
        assert!(!budget.is_empty(), "{input} {opts}: no steps");
        assert_eq!(budget, pipeline, "{input} {opts}");
        n += 1;
    }
    assert!(n >= 15, "{n} golden cases");
}

#[test]
fn the_optional_steps_are_walked_alike() {
    let cases = [
        ("photos/RainDrops.jpg", "width=300,quality=auto,format=jpeg"),
        (
            "photos/RainDrops.jpg",
            "width=200,height=200,fit=cover,gravity=auto",
        ),
        (
            "photos/kodak/kodim05.png",
            "width=300,height=300,fit=pad,border.width=4,border.color=red,rotate=90,blur=3",
        ),
        ("photos/Gulp.png", "width=200,trim=border,format=webp"),
    ];
    let reaches = ["choose-quality", "smart-crop", "pad", "find-border"];
    for ((input, opts), step) in cases.into_iter().zip(reaches) {
        let (budget, pipeline) = walks(input, opts);
        assert_eq!(budget, pipeline, "{input} {opts}");
        assert!(budget.contains(&step), "{input} {opts}: {budget:?}");
    }
    let (walked, _) = walks(cases[2].0, cases[2].1);
    assert_eq!(
        walked,
        [
            "decode",
            "resize",
            "orient",
            "colour",
            "effects",
            "pad",
            "border",
            "overlays",
            "background",
            "encode"
        ]
    );
}
