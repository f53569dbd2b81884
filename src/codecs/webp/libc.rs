//! The C library functions libwebp calls, for wasm32-unknown-unknown where no libc exists
//! (declared by csys/include). Memory goes through Rust's allocator, so the C code shares the
//! module's heap and its limits; memcpy/memset/memmove/memcmp and the libm functions come from
//! compiler-builtins. With these the module imports nothing from its host.

use std::alloc::{alloc, dealloc, realloc as grow, Layout};

/// Every block starts with its total size: free() and realloc() need it for the Layout.
/// 16 bytes keeps the payload aligned for any C type (max_align_t on wasm32).
const HEADER: usize = 16;

fn layout(total: usize) -> Option<Layout> {
    Layout::from_size_align(total, HEADER).ok()
}

#[no_mangle]
pub unsafe extern "C" fn malloc(n: usize) -> *mut u8 {
    let Some(l) = n.checked_add(HEADER).and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: l has a non-zero size (at least HEADER).
    let p = unsafe { alloc(l) };
    if p.is_null() {
        return p;
    }
    // SAFETY: p points to at least HEADER bytes aligned to 16.
    unsafe {
        (p as *mut usize).write(l.size());
        p.add(HEADER)
    }
}

#[no_mangle]
pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut u8 {
    let Some(n) = count.checked_mul(size) else {
        return std::ptr::null_mut();
    };
    // SAFETY: malloc returns null or a block of at least n bytes.
    unsafe {
        let p = malloc(n);
        if !p.is_null() {
            p.write_bytes(0, n);
        }
        p
    }
}

#[no_mangle]
pub unsafe extern "C" fn free(p: *mut u8) {
    if p.is_null() {
        return;
    }
    // SAFETY: p came from malloc/calloc/realloc above, so its header holds the block's size.
    unsafe {
        let block = p.sub(HEADER);
        let total = (block as *const usize).read();
        dealloc(block, Layout::from_size_align_unchecked(total, HEADER));
    }
}

#[no_mangle]
pub unsafe extern "C" fn realloc(p: *mut u8, n: usize) -> *mut u8 {
    if p.is_null() {
        // SAFETY: as malloc.
        return unsafe { malloc(n) };
    }
    let Some(new) = n.checked_add(HEADER).and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: p came from this allocator; the header holds the old size.
    unsafe {
        let block = p.sub(HEADER);
        let old = (block as *const usize).read();
        let q = grow(
            block,
            Layout::from_size_align_unchecked(old, HEADER),
            new.size(),
        );
        if q.is_null() {
            return q;
        }
        (q as *mut usize).write(new.size());
        q.add(HEADER)
    }
}

/// Heapsort: in place, O(n log n), no allocation. libwebp sorts small tables with qsort.
#[no_mangle]
pub unsafe extern "C" fn qsort(
    base: *mut u8,
    n: usize,
    size: usize,
    cmp: unsafe extern "C" fn(*const u8, *const u8) -> i32,
) {
    if n < 2 || size == 0 {
        return;
    }
    // SAFETY: the caller passes n elements of `size` bytes at base, as qsort's contract says.
    unsafe {
        let at = |i: usize| base.add(i * size);
        let swap = |i: usize, j: usize| std::ptr::swap_nonoverlapping(at(i), at(j), size);
        let sift = |mut root: usize, end: usize| loop {
            let mut child = 2 * root + 1;
            if child >= end {
                break;
            }
            if child + 1 < end && cmp(at(child), at(child + 1)) < 0 {
                child += 1;
            }
            if cmp(at(root), at(child)) >= 0 {
                break;
            }
            swap(root, child);
            root = child;
        };
        for i in (0..n / 2).rev() {
            sift(i, n);
        }
        for end in (1..n).rev() {
            swap(0, end);
            sift(0, end);
        }
    }
}

/// C's abort(): only reachable through a failed assertion, which NDEBUG compiles out.
#[no_mangle]
pub extern "C" fn abort() -> ! {
    panic!("libwebp called abort()")
}
