//! What a row of the option table (`table.rs`) holds, and the two walks over the rows that
//! do not parse: finding an option by name and writing the canonical form.

use super::choices::{Choices, Listed, Style};
use super::table::ROWS;
use super::{fmt_float, Options};
use crate::error::Result;

/// An option's shape in the Workers JSON form besides a string, number or boolean (which is
/// read as the URL form's text). Only the Workers name has these shapes, and only where the
/// object really nests (`{"trim": {"border": {}}}`, not `{"trim.border": {}}`).
#[derive(Clone, Copy)]
pub(super) enum Json {
    Scalar,
    /// Also `{x, y}`, read as `XxY`.
    Point,
    /// Also an object of its dotted fields: `trim: {top: 5}` is `trim.top=5`.
    Fields,
    /// Also an object, which turns it on and holds its dotted fields:
    /// `trim: {border: {color}}` is `trim.border=true,trim.border.color=…`.
    Switch,
    /// Only a JSON value, read whole (`draw`'s array); the row's text setter refuses it.
    Whole(fn(&mut Options, &serde_json::Value) -> Result<()>),
}

/// A value being set: the options so far, which fields are set, and the option's name.
pub(super) struct Setting<'a> {
    pub opts: &'a mut Options,
    pub seen: &'a mut Vec<&'static str>,
    pub name: &'static str,
}

impl Setting<'_> {
    /// For a setter that sets fields of other names (`marks_own`).
    pub fn mark(&mut self, field: &'static str) -> Result<()> {
        super::parse::mark(self.seen, field)
    }
}

/// The canonical form being written, one row at a time.
#[derive(Default)]
pub(super) struct Canonical {
    out: String,
    /// The name of the row writing.
    name: &'static str,
}

impl Canonical {
    /// `name=v` under a name other than the row's own (`trim=border`).
    pub fn push(&mut self, name: &str, v: impl std::fmt::Display) {
        use std::fmt::Write as _;
        if !self.out.is_empty() {
            self.out.push(',');
        }
        let _ = write!(self.out, "{name}={v}");
    }

    /// The row's own `name=v`.
    pub fn put(&mut self, v: impl std::fmt::Display) {
        self.push(self.name, v)
    }

    pub fn opt(&mut self, v: Option<impl std::fmt::Display>) {
        if let Some(v) = v {
            self.put(v);
        }
    }

    /// A number as the shortest text that reads back as the same `f32`.
    pub fn float(&mut self, v: Option<f32>) {
        self.opt(v.map(fmt_float));
    }

    pub fn word<T: Copy + PartialEq + std::fmt::Debug + Sync>(
        &mut self,
        c: &Choices<T>,
        v: Option<T>,
    ) {
        self.opt(v.map(|v| c.word(v)));
    }
}

pub(super) type Set = fn(&mut Setting, &str) -> Result<()>;
pub(super) type Write = fn(&Options, &mut Canonical);

/// One option. `name` and `aliases` are public so tests and documentation can walk the table.
pub struct Row {
    /// The URL form's name, the canonical form's, and the Workers path split at the dots.
    pub name: &'static str,
    /// Other names for it (Cloudflare's `w`, `h`, `q`, `f`, `g`; `scq`), in the URL form and as
    /// JSON keys.
    pub aliases: &'static [&'static str],
    pub(super) json: Json,
    /// Reads the option's text (the URL form's value, or a JSON scalar as that text).
    pub(super) set: Set,
    pub(super) write: Write,
    pub(super) choices: Option<&'static dyn Listed>,
    /// The setter marks the fields it sets itself (one name that sets several fields);
    /// otherwise the option's name is marked before it is set, so each is given once.
    pub(super) marks_own: bool,
}

impl Row {
    /// The words the option takes, as its error message lists them, if it takes a fixed list.
    pub fn values(&self) -> Option<Vec<&'static str>> {
        self.choices.map(|c| c.words())
    }

    /// The form besides the words that the error message also names (gravity's `XxY …`).
    pub fn more(&self) -> Option<&'static str> {
        match self.choices?.style() {
            Style::OrElse(more) => Some(more),
            Style::OneOf | Style::Or => None,
        }
    }

    pub(super) const fn aliases(self, aliases: &'static [&'static str]) -> Row {
        Row { aliases, ..self }
    }

    pub(super) const fn json(self, json: Json) -> Row {
        Row { json, ..self }
    }

    pub(super) const fn choices(self, c: &'static dyn Listed) -> Row {
        Row {
            choices: Some(c),
            ..self
        }
    }

    pub(super) const fn marks_own(self) -> Row {
        Row {
            marks_own: true,
            ..self
        }
    }
}

pub(super) const fn row(name: &'static str, set: Set, write: Write) -> Row {
    Row {
        name,
        aliases: &[],
        json: Json::Scalar,
        set,
        write,
        choices: None,
        marks_own: false,
    }
}

/// The writer of an option that never appears in the canonical form under its own name.
pub(super) const NOTHING: Write = |_, _| {};

/// The row for `key`, by name or alias.
pub(super) fn find(key: &str) -> Option<&'static Row> {
    ROWS.iter()
        .find(|r| r.name == key || r.aliases.contains(&key))
}

/// The canonical form: each row's writer in table order.
pub(super) fn canonical(opts: &Options) -> String {
    let mut w = Canonical::default();
    for row in ROWS {
        w.name = row.name;
        (row.write)(opts, &mut w);
    }
    w.out
}
