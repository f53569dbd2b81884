//! An option whose value is one of a fixed list of words: the list reads the value, writes its
//! canonical spelling and says what is allowed when a value is not in it, so the three cannot
//! drift apart.

use crate::error::{Error, Result};

/// How the error message joins the listed spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// `one of a, b, c`
    OneOf,
    /// `a, b or c`
    Or,
    /// `a, b, or <a form that is not a word>` (gravity's `XxY`)
    OrElse(&'static str),
}

/// The words an option takes and the value each stands for.
pub(super) struct Choices<T: 'static> {
    /// The spellings the error message lists, in its order; the canonical form writes a value
    /// as the first of them that stands for it.
    pub listed: &'static [(&'static str, T)],
    /// Other spellings of listed values, accepted but not advertised (`jpg`, `vh`, `1`).
    pub hidden: &'static [(&'static str, T)],
    pub style: Style,
}

/// What an option's error message lists, without the values' type.
pub(super) trait Listed: Sync {
    fn words(&self) -> Vec<&'static str>;
    fn style(&self) -> Style;

    /// The `expected …` part of the option's error message.
    fn expected(&self) -> String {
        let words = self.words();
        match (self.style(), words.split_last()) {
            (_, None) => String::new(),
            (Style::OneOf, _) => format!("one of {}", words.join(", ")),
            (Style::Or, Some((last, []))) => last.to_string(),
            (Style::Or, Some((last, rest))) => format!("{} or {last}", rest.join(", ")),
            (Style::OrElse(more), _) => format!("{}, or {more}", words.join(", ")),
        }
    }
}

impl<T: Sync> Listed for Choices<T> {
    fn words(&self) -> Vec<&'static str> {
        self.listed.iter().map(|&(w, _)| w).collect()
    }

    fn style(&self) -> Style {
        self.style
    }
}

impl<T: Copy + PartialEq + std::fmt::Debug + Sync> Choices<T> {
    /// The value `text` spells, if it is one of the words.
    pub fn get(&self, text: &str) -> Option<T> {
        self.listed
            .iter()
            .chain(self.hidden)
            .find(|&&(w, _)| w == text)
            .map(|&(_, v)| v)
    }

    /// The value `text` spells, or the option's 400 listing the words.
    pub fn parse(&self, name: &str, text: &str) -> Result<T> {
        self.get(text)
            .ok_or_else(|| Error::bad_option(name, text, &self.expected()))
    }

    /// The canonical spelling of `v`. A value no word stands for (only code, never the parser,
    /// can make one) is written by its Rust name, so it still has a key of its own.
    pub fn word(&self, v: T) -> std::borrow::Cow<'static, str> {
        match self.listed.iter().find(|&&(_, x)| x == v) {
            Some(&(w, _)) => w.into(),
            None => format!("{v:?}").into(),
        }
    }
}
