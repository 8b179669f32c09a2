//! How fast the event stream decoder reads a streamed response, against the floor of copying
//! the same bytes: 8 MiB of frames of 32 KiB payload each (the headers Lambda sends with a
//! `PayloadChunk`), pushed in 64 KiB chunks as a socket would give them. Run with
//! `cargo bench -p lamina-runtime --bench event_stream`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lamina_runtime::event_stream::frame::{encode, FrameDecoder, HeaderValue};

/// The body: frames of `payload` bytes each, `total` bytes of payload in all.
fn body(total: usize, payload: usize) -> Vec<u8> {
    let headers = [
        (":event-type", HeaderValue::from("PayloadChunk")),
        (
            ":content-type",
            HeaderValue::from("application/octet-stream"),
        ),
        (":message-type", HeaderValue::from("event")),
    ];
    let chunk: Vec<u8> = (0..payload).map(|i| (i % 251) as u8).collect();
    let frame = encode(&headers, &chunk);
    frame.repeat(total / payload)
}

fn decode(c: &mut Criterion) {
    let body = body(8 * 1024 * 1024, 32 * 1024);
    let mut group = c.benchmark_group("event stream, 8 MiB in 32 KiB frames");
    group.throughput(Throughput::Bytes(body.len() as u64));

    group.bench_function("decode in 64 KiB chunks", |b| {
        b.iter(|| {
            let mut decoder = FrameDecoder::default();
            let mut payload = 0;
            for chunk in body.chunks(64 * 1024) {
                decoder.push(black_box(chunk));
                while let Some(message) = decoder.next_message().unwrap() {
                    payload += message.payload().len();
                }
            }
            decoder.finish().unwrap();
            black_box(payload)
        })
    });

    let mut copy = vec![0; body.len()];
    group.bench_function("copy (the floor)", |b| {
        b.iter(|| {
            copy.copy_from_slice(black_box(&body));
            black_box(&copy);
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
