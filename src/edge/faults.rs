//! Fault injection for the failure scenarios of docs/DESIGN.md, in test builds only: with the
//! `test-trap` feature (scripts/build-worker.sh --trap) the `TEST_FAULTS` var names the faults
//! to simulate; in every other build `on` is the constant `false` and the checks compile away.
//!
//! - `kv-down`: every KV read and write fails (as in a KV outage);
//! - `kv-slow`: every KV read takes 1.5 s longer;
//! - `cache-down`: every Cache API read misses and every write fails (a location's cache lost).

#[cfg(feature = "test-trap")]
thread_local! {
    static ON: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sets the active faults from `TEST_FAULTS` (comma-separated); no-op outside test builds.
#[allow(unused_variables)]
pub fn set(list: Option<&str>) {
    #[cfg(feature = "test-trap")]
    ON.with(|on| {
        *on.borrow_mut() = list
            .unwrap_or("")
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    });
}

/// Whether the named fault is active.
#[allow(unused_variables)]
pub fn on(name: &str) -> bool {
    #[cfg(feature = "test-trap")]
    return ON.with(|on| on.borrow().iter().any(|f| f == name));
    #[cfg(not(feature = "test-trap"))]
    false
}
