/* Minimal libc surface for C codecs compiled into a wasm32-unknown-unknown Rust module.
   The functions are implemented in Rust (allocator shims) or by compiler-builtins. */
#ifndef EDGEPIX_ASSERT_H
#define EDGEPIX_ASSERT_H
void abort(void);
#ifdef NDEBUG
#define assert(x) ((void)0)
#else
#define assert(x) ((x) ? (void)0 : abort())
#endif
#endif
