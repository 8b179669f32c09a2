//! The log tail: any text decodes or is refused as not base64, and any decoded log (the input
//! itself, base64-encoded) gives a REPORT line or none, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

use lamina::logs::LogTail;
use lamina_fuzz::response::base64;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match LogTail::decode(&text) {
        Ok(tail) => {
            let _ = tail.report();
        }
        Err(e) => assert!(e.to_string().contains("not base64"), "{e}"),
    }

    let tail = LogTail::decode(&base64(data)).expect("base64 text decodes");
    assert_eq!(tail.text(), String::from_utf8_lossy(data));
    let _ = tail.report();
});
