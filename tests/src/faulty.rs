//! A loopback server that misbehaves on purpose: it resets connections, stalls, drips bytes,
//! sends short bodies or enormous headers, as a test scripts it. Each request gets the
//! script for its index (0 for the first request the server reads), and its connection is
//! closed after the script, so every attempt of a client opens a new one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::server::{read_request, Recorded};

/// One thing the server does on a connection after reading a request.
#[derive(Debug, Clone)]
pub enum Act {
    /// Writes these bytes.
    Write(Vec<u8>),
    /// Writes these bytes one at a time, waiting between them.
    Drip(Vec<u8>, Duration),
    /// Does nothing for this long.
    Stall(Duration),
    /// Ends the connection with a TCP reset instead of an orderly close.
    Reset,
}

impl Act {
    /// A complete response: status line, headers, `Content-Length` and body.
    pub fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Self {
        let mut head = format!("HTTP/1.1 {status} X\r\nconnection: close\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
        Self::Write(head.into_bytes())
    }

    /// Response headers promising `length` bytes of body, without the body.
    pub fn head(status: u16, length: usize) -> Self {
        let head = format!("HTTP/1.1 {status} X\r\ncontent-length: {length}\r\n\r\n");
        Self::Write(head.into_bytes())
    }
}

/// The script of acts for the request with a given index.
type Script = dyn Fn(usize) -> Vec<Act> + Send + Sync;

/// A running misbehaving server.
pub struct FaultyServer {
    url: String,
    requests: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Recorded>>>,
    task: JoinHandle<()>,
}

impl FaultyServer {
    /// Starts a server on a free loopback port that follows `script` for each request.
    pub async fn start(script: impl Fn(usize) -> Vec<Act> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let requests = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);

        let log = Log {
            count: requests.clone(),
            received: received.clone(),
        };
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, script.clone(), log.clone()));
            }
        });
        Self {
            url,
            requests,
            received,
            task,
        }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests the server has read.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Every request the server has read, in the order of their indexes.
    pub fn received(&self) -> Vec<Recorded> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for FaultyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Where the server notes the requests it reads.
#[derive(Clone)]
struct Log {
    count: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Recorded>>>,
}

async fn serve(mut stream: TcpStream, script: Arc<Script>, log: Log) {
    let mut buffer = Vec::new();
    let Some(request) = read_request(&mut stream, &mut buffer).await else {
        return;
    };
    let index = match log.received.lock() {
        Ok(mut all) => {
            all.push(request);
            log.count.fetch_add(1, Ordering::SeqCst)
        }
        Err(_) => log.count.fetch_add(1, Ordering::SeqCst),
    };

    for act in script(index) {
        let done = match act {
            Act::Write(bytes) => stream.write_all(&bytes).await.is_err(),
            Act::Drip(bytes, gap) => drip(&mut stream, &bytes, gap).await,
            Act::Stall(time) => {
                tokio::time::sleep(time).await;
                false
            }
            Act::Reset => {
                let _ = stream.set_zero_linger();
                true
            }
        };
        if done {
            return;
        }
    }
    let _ = stream.shutdown().await;
}

/// Writes `bytes` one at a time; true when the peer went away.
async fn drip(stream: &mut TcpStream, bytes: &[u8], gap: Duration) -> bool {
    for byte in bytes {
        if stream.write_all(std::slice::from_ref(byte)).await.is_err() {
            return true;
        }
        let _ = stream.flush().await;
        tokio::time::sleep(gap).await;
    }
    false
}
