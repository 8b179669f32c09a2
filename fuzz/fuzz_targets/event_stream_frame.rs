//! The event stream frame decoder: any bytes, pushed in chunks of any size, give messages or a
//! framing error, never a panic, and the messages given are exactly the frames that arrived.
//!
//! The first byte picks the chunk size, the second whether the rest gets its checksums
//! repaired (so that libFuzzer explores the header reader, not only the checksum checks).

#![no_main]

use libfuzzer_sys::fuzz_target;

use lamina_runtime::event_stream::frame::{FrameDecoder, FrameError, PRELUDE_LEN};

/// The decoder's frame limit: small, so that the limit is hit as well.
const MAX_FRAME: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let [chunk, flags, body @ ..] = data else {
        return;
    };
    let chunk = usize::from(*chunk) + 1;
    let mut body = body.to_vec();
    if flags & 1 == 1 {
        repair_checksums(&mut body);
    }

    let mut decoder = FrameDecoder::new(MAX_FRAME);
    let mut decoded = Vec::new();
    let mut error = None;
    for piece in body.chunks(chunk) {
        decoder.push(piece);
        if let Err(e) = drain(&mut decoder, &mut decoded) {
            error = Some(e);
            break;
        }
    }

    // The messages re-encode to the bytes they came from: nothing skipped, nothing invented.
    let consumed: Vec<u8> = decoded.iter().flat_map(|m| m.encode()).collect();
    assert!(
        body.starts_with(&consumed),
        "decoded messages are not the frames that arrived"
    );

    match error.map_or_else(|| decoder.finish(), Err) {
        Ok(()) => assert_eq!(
            consumed.len(),
            body.len(),
            "bytes left over without an error"
        ),
        Err(error) => {
            assert!(!error.to_string().is_empty());
            if !matches!(error, FrameError::Truncated { .. }) {
                assert_eq!(
                    decoder.next_message(),
                    Err(error.clone()),
                    "the error is not final"
                );
            }
        }
    }
});

/// Takes every whole message the decoder holds.
fn drain(
    decoder: &mut FrameDecoder,
    decoded: &mut Vec<lamina_runtime::event_stream::frame::Message>,
) -> Result<(), FrameError> {
    while let Some(message) = decoder.next_message()? {
        decoded.push(message);
    }
    Ok(())
}

/// Walks `body` as a sequence of frames and writes both checksums of each that fits, so that
/// only the lengths and headers the fuzzer chose can be wrong.
fn repair_checksums(body: &mut [u8]) {
    let mut start = 0;
    while let Some(frame) = body.get_mut(start..) {
        let Some(lengths) = frame.first_chunk::<8>().copied() else {
            return;
        };
        let Some(prelude_crc) = frame.get_mut(8..PRELUDE_LEN) else {
            return;
        };
        prelude_crc.copy_from_slice(&crc32fast::hash(&lengths).to_be_bytes());

        let [t0, t1, t2, t3, ..] = lengths;
        let total = u32::from_be_bytes([t0, t1, t2, t3]) as usize;
        if total < PRELUDE_LEN + 4 || total > frame.len() {
            return;
        }
        let crc = crc32fast::hash(&frame[..total - 4]);
        frame[total - 4..total].copy_from_slice(&crc.to_be_bytes());
        start += total;
    }
}
