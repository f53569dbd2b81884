//! Options resolved against one client: the only place where the request (its `Accept` header,
//! later its client hints) changes what the engine makes.
//!
//! The Worker's cache key is the canonical form of the resolved options, and the plan only
//! accepts resolved options, so the key describes the bytes by construction: two requests
//! whose resolved options are equal get the same plan, whatever else their headers say.

use crate::format::Accepts;
use crate::options::{FormatOption, Options};

/// What a client can take, as far as it changes the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Client {
    pub accepts: Accepts,
}

impl Client {
    pub fn new(accepts: Accepts) -> Client {
        Client { accepts }
    }
}

/// Options with every request-dependent choice made: `format=auto` is WebP for a client that
/// takes it and stays `auto` otherwise, which then means the legacy choice (JPEG, or PNG for
/// transparency), a function of the source alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved(Options);

impl Resolved {
    pub fn options(&self) -> &Options {
        &self.0
    }

    /// The canonical form of the resolved options: the options part of every cache key.
    pub fn canonical(&self) -> String {
        self.0.canonical()
    }

    /// For callers without a client (the CLI, tests): the options as given, `auto` resolved
    /// for a client that takes WebP.
    pub fn for_any_modern_client(opts: &Options) -> Resolved {
        opts.resolve(&Client::new(Accepts {
            webp: true,
            avif: false,
        }))
    }
}

impl Options {
    pub fn resolve(&self, client: &Client) -> Resolved {
        let mut o = self.clone();
        if o.format == Some(FormatOption::Auto) && (client.accepts.webp || client.accepts.avif) {
            o.format = Some(FormatOption::Webp);
        }
        Resolved(o)
    }
}
