#![no_main]
//! See `lenet5_fuzz::check_strokes`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lenet5_fuzz::check_strokes(data));
