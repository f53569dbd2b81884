//! The Cloudflare Worker adapter (feature "worker").
