//! The canned Invoke server: reads each request to its end and answers 200 with a small JSON
//! payload, at almost no cost, on as many connections as clients open.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The answer to every request.
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
x-amz-executed-version: $LATEST\r\nx-amzn-requestid: 5f1c7a3e-bench\r\n\
content-length: 11\r\n\r\n{\"ok\":true}";

/// Serves on 127.0.0.1:`port` until killed.
pub(crate) fn serve(port: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("cannot listen on port {port}: {e}"))?;
        println!("listening");
        loop {
            let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream));
        }
    })
}

async fn connection(mut stream: TcpStream) {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut filled = 0;

    loop {
        let head_end = loop {
            if let Some(end) = find(&buffer[..filled], b"\r\n\r\n") {
                break end + 4;
            }
            if filled == buffer.len() {
                buffer.resize(buffer.len() * 2, 0);
            }
            match stream.read(&mut buffer[filled..]).await {
                Ok(0) | Err(_) => return,
                Ok(n) => filled += n,
            }
        };

        let mut remaining = content_length(&buffer[..head_end]);
        let in_buffer = (filled - head_end).min(remaining);
        remaining -= in_buffer;
        buffer.copy_within(head_end + in_buffer..filled, 0);
        filled -= head_end + in_buffer;
        let mut sink = vec![0u8; 256 * 1024];
        while remaining > 0 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(n) => remaining = remaining.saturating_sub(n),
            }
        }

        if stream.write_all(RESPONSE).await.is_err() {
            return;
        }
    }
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
