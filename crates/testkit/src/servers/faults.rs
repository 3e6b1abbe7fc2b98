//! A hostile proxy on loopback: it stands in front of one of the fakes and answers a share of
//! the requests with a fault instead of forwarding them (server errors, a throttle with
//! `Retry-After`, a reset connection, no answer at all, malformed, truncated and oversized
//! bodies, an HTML page served as an image, a decompression bomb, a legal but giant image). The rest are forwarded, the
//! fake's own address in its answers rewritten to the proxy's, so image downloads come through
//! the proxy too. It counts what it did, and checks the requests to the API path against the
//! provider's published limit.
//!
//! Raw HTTP/1.1 over tokio's TCP: one request per connection (`Connection: close` both ways),
//! which is all a fault needs and all the engine's client asks.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::rate::RateWatch;

/// A fault the proxy can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    Status500,
    Status502,
    Status503,
    /// 429 with `Retry-After: 1`.
    Throttle,
    /// The connection reset without an answer.
    Reset,
    /// The connection held open without an answer (the client's timeout ends it).
    Hang,
    /// A 200 whose JSON is cut in the middle of a value.
    Malformed,
    /// A body shorter than its `Content-Length`.
    Truncated,
    /// A body declared at 50 MB (the client's cap stops it).
    Oversized,
    /// An HTML page served as `image/jpeg`.
    NotAnImage,
    /// A 200-byte PNG declaring 11,000 x 11,000 pixels.
    Bomb,
    /// A real 6,000 x 6,000 PNG: 100 KB to download, 36 megapixels to decode (a legal giant).
    Giant,
}

impl Fault {
    /// Every fault, in the order of the reliability issue's matrix, and a legal giant.
    pub const ALL: [Fault; 12] = [
        Fault::Status500,
        Fault::Status502,
        Fault::Status503,
        Fault::Throttle,
        Fault::Reset,
        Fault::Hang,
        Fault::Malformed,
        Fault::Truncated,
        Fault::Oversized,
        Fault::NotAnImage,
        Fault::Bomb,
        Fault::Giant,
    ];
}

/// What the proxy saw and did.
#[derive(Debug, Default, Clone)]
pub struct ProxyStats {
    /// Requests received.
    pub requests: usize,
    /// Requests forwarded to the fake.
    pub forwarded: usize,
    /// Faults answered, by kind.
    pub faults: Vec<(Fault, usize)>,
}

struct Shared {
    upstream: SocketAddr,
    /// The share of requests answered with a fault, in parts per thousand.
    per_mille: u64,
    /// Requests whose path starts with this count against `rate`.
    api_prefix: String,
    rate: RateWatch,
    state: Mutex<(u64, ProxyStats)>,
}

/// A running fault proxy.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// A proxy in front of the fake at `upstream` (`http://127.0.0.1:port`), answering about
    /// `fault_share` (0.0 to 1.0) of the requests with a fault, chosen by a generator seeded
    /// with `seed`. Requests under `api_prefix` count against `rate`.
    ///
    /// # Panics
    /// When `upstream` is not a loopback `http://IP:port` address (test support).
    pub async fn start(
        upstream: &str,
        fault_share: f64,
        seed: u64,
        api_prefix: &str,
        rate: RateWatch,
    ) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the fake's address");
        assert!(upstream.ip().is_loopback(), "loopback only");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let shared = Arc::new(Shared {
            upstream,
            per_mille: (fault_share.clamp(0.0, 1.0) * 1000.0).round() as u64,
            api_prefix: api_prefix.to_owned(),
            rate,
            state: Mutex::new((seed | 1, ProxyStats::default())),
        });
        let task = tokio::spawn({
            let shared = Arc::clone(&shared);
            async move {
                while let Ok((socket, _)) = listener.accept().await {
                    tokio::spawn(serve(socket, Arc::clone(&shared), addr));
                }
            }
        });
        FaultProxy { addr, shared, task }
    }

    /// The proxy's base URL.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it saw and did so far.
    pub fn stats(&self) -> ProxyStats {
        self.shared.state.lock().expect("stats").1.clone()
    }

    /// The published limit it checks, and the requests over it.
    pub fn rate(&self) -> RateWatch {
        self.shared.rate.clone()
    }
}

/// xorshift64*: the same faults for the same seed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// Reads an HTTP head (up to the blank line); `None` when the peer closed first.
async fn read_head(socket: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    }
}

/// `head` with its `Connection` headers replaced by `Connection: close` (and, when `length`
/// is given, its `Content-Length` set to it).
fn closing(head: &str, length: Option<usize>) -> String {
    let mut lines: Vec<&str> = head
        .trim_end()
        .split("\r\n")
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            let dropped = lower.starts_with("connection:")
                || (length.is_some() && lower.starts_with("content-length:"));
            !dropped
        })
        .collect();
    let length_line = length.map(|n| format!("Content-Length: {n}"));
    if let Some(line) = &length_line {
        lines.push(line);
    }
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

async fn serve(mut client: TcpStream, shared: Arc<Shared>, me: SocketAddr) {
    let Some((head, _)) = read_head(&mut client).await else {
        return;
    };
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    if path.starts_with(&shared.api_prefix) {
        shared.rate.admit();
    }
    let fault = {
        let mut state = shared.state.lock().expect("state");
        let (rng, stats) = &mut *state;
        stats.requests += 1;
        let roll = next(rng);
        if roll % 1000 < shared.per_mille {
            let fault =
                Fault::ALL[usize::try_from((roll / 1000) % Fault::ALL.len() as u64).unwrap_or(0)];
            match stats.faults.iter_mut().find(|(f, _)| *f == fault) {
                Some((_, n)) => *n += 1,
                None => stats.faults.push((fault, 1)),
            }
            Some(fault)
        } else {
            stats.forwarded += 1;
            None
        }
    };
    match fault {
        Some(fault) => answer_with(client, fault).await,
        None => forward(client, &head, &shared, me).await,
    }
}

async fn answer_with(mut client: TcpStream, fault: Fault) {
    let status = |code: u16, reason: &str, extra: &str| {
        format!("HTTP/1.1 {code} {reason}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n")
    };
    let ok = |content_type: &str, length: usize| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        )
    };
    let reply: Vec<u8> = match fault {
        Fault::Status500 => status(500, "Internal Server Error", "").into_bytes(),
        Fault::Status502 => status(502, "Bad Gateway", "").into_bytes(),
        Fault::Status503 => status(503, "Service Unavailable", "").into_bytes(),
        Fault::Throttle => status(429, "Too Many Requests", "Retry-After: 1\r\n").into_bytes(),
        Fault::Reset => {
            // A zero linger makes the close a reset; with zero there is nothing to block on.
            #[allow(
                deprecated,
                reason = "SO_LINGER 0 is how a reset is sent; it never blocks"
            )]
            let _ = client.set_linger(Some(Duration::ZERO));
            return;
        }
        Fault::Hang => {
            tokio::time::sleep(Duration::from_secs(120)).await;
            return;
        }
        Fault::Malformed => {
            let body = b"{\"id\": 1, \"trackName\": \"Cut";
            [ok("application/json", body.len()).as_bytes(), body].concat()
        }
        Fault::Truncated => [ok("application/json", 1000).as_bytes(), b"{\"id\": 1,"].concat(),
        Fault::Oversized => {
            let _ = client
                .write_all(ok("application/octet-stream", 50_000_000).as_bytes())
                .await;
            let block = vec![b' '; 64 * 1024];
            for _ in 0..400 {
                if client.write_all(&block).await.is_err() {
                    return;
                }
            }
            return;
        }
        Fault::NotAnImage => {
            let body = b"<html><body>Sorry, we are down</body></html>";
            [ok("image/jpeg", body.len()).as_bytes(), body].concat()
        }
        Fault::Bomb => {
            let body = png_bomb(11_000, 11_000);
            [ok("image/png", body.len()).as_bytes(), &body].concat()
        }
        Fault::Giant => {
            let body = giant_png();
            [ok("image/png", body.len()).as_bytes(), body].concat()
        }
    };
    let _ = client.write_all(&reply).await;
    let _ = client.shutdown().await;
}

/// Forwards the request to the fake and its answer back, the fake's address in a JSON answer
/// replaced by the proxy's.
async fn forward(mut client: TcpStream, head: &str, shared: &Shared, me: SocketAddr) {
    let Ok(mut upstream) = TcpStream::connect(shared.upstream).await else {
        return;
    };
    if upstream
        .write_all(closing(head, None).as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let Some((response_head, mut body)) = read_head(&mut upstream).await else {
        return;
    };
    if upstream.read_to_end(&mut body).await.is_err() {
        return;
    }
    let json = response_head
        .to_ascii_lowercase()
        .contains("content-type: application/json");
    if json {
        let text = String::from_utf8_lossy(&body).replace(
            &format!("http://{}", shared.upstream),
            &format!("http://{me}"),
        );
        body = text.into_bytes();
    }
    let head = closing(&response_head, Some(body.len()));
    let _ = client.write_all(head.as_bytes()).await;
    let _ = client.write_all(&body).await;
    let _ = client.shutdown().await;
}

/// A PNG that declares `width` x `height` pixels and holds almost nothing: what a
/// decompression bomb looks like before it is decoded.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of a few zero bytes: far too little for the declared size.
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A 6,000 x 6,000 grey PNG (made once).
fn giant_png() -> &'static [u8] {
    static PNG: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PNG.get_or_init(|| {
        let mut png = Vec::new();
        image::ImageBuffer::<image::Luma<u8>, _>::from_pixel(6000, 6000, image::Luma([128u8]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode a PNG");
        png
    })
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
