//! Signed URLs: HMAC-SHA256 over what the URL asks for, so that a stranger cannot make the
//! Worker fetch and transform anything the operator did not link to.
//!
//! The message is the canonical options (the cache key's form, so aliases and option order do
//! not matter), a newline, the source exactly as it appears in the URL, and, when the URL
//! expires, a newline and the expiry in Unix seconds:
//!
//! ```text
//! width=640,format=auto\nhttps://img.example.com/a.jpg?v=2\n1767225600
//! ```
//!
//! The signature travels as `sig=<base64url, no padding>` in the options segment, with
//! `exp=<unix seconds>` beside it; neither is part of the cache key (the bytes do not depend on
//! them). Two keys are accepted, so a key can be rotated without breaking live URLs.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The bytes that are signed.
pub fn message(canonical_options: &str, source: &str, expires: Option<u64>) -> String {
    match expires {
        Some(exp) => format!("{canonical_options}\n{source}\n{exp}"),
        None => format!("{canonical_options}\n{source}"),
    }
}

/// `sig=` for a message under `key`.
pub fn sign(key: &[u8], message: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message.as_bytes());
    base64url(&mac.finalize().into_bytes())
}

/// True when `sig` is the signature of `message` under one of `keys`. The comparison runs in
/// constant time (`Mac::verify_slice`), so timing does not tell how much of a guess was right.
pub fn verify(keys: &[Vec<u8>], message: &str, sig: &str) -> bool {
    let Some(given) = base64url_decode(sig) else {
        return false;
    };
    keys.iter().any(|k| {
        let mut mac = HmacSha256::new_from_slice(k).expect("HMAC takes keys of any length");
        mac.update(message.as_bytes());
        mac.verify_slice(&given).is_ok()
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn base64url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..chunk.len() + 1 {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        // HMAC-SHA256("Jefe", "what do ya want for nothing?")
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signatures_verify_under_either_key_and_only_for_their_message() {
        let m = message("width=640", "https://a.example/x.jpg", Some(1_800_000_000));
        let sig = sign(b"new", &m);
        let keys = vec![b"new".to_vec(), b"old".to_vec()];
        assert!(verify(&keys, &m, &sig));
        assert!(verify(&[b"old".to_vec(), b"new".to_vec()], &m, &sig));
        assert!(!verify(&[b"old".to_vec()], &m, &sig));
        let other = message("width=641", "https://a.example/x.jpg", Some(1_800_000_000));
        assert!(!verify(&keys, &other, &sig));
        assert!(!verify(&keys, &m, "not base64!"));
        assert!(!verify(&keys, &m, &sig[..sig.len() - 2]));
    }

    #[test]
    fn base64url_round_trips() {
        for n in 0..70u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            let s = base64url(&data);
            assert!(!s.contains(['+', '/', '=']));
            assert_eq!(base64url_decode(&s).unwrap(), data);
        }
    }
}
