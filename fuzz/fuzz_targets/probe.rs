#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| edgepix_fuzz::probe(data));
