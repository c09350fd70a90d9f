//! Loopback servers for the HTTP tests: wiremock for replayed bodies and status faults, and a
//! raw TCP server for what wiremock cannot do (bodies cut short, byte ranges).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use wiremock::MockServer;

/// A wiremock server on its own runtime, driven from synchronous tests.
pub struct Mock {
    server: Option<MockServer>,
    rt: tokio::runtime::Runtime,
}

impl Mock {
    pub fn start() -> Mock {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = rt.block_on(MockServer::start());
        Mock {
            server: Some(server),
            rt,
        }
    }

    pub fn uri(&self) -> String {
        self.server().uri()
    }

    fn server(&self) -> &MockServer {
        self.server.as_ref().expect("running")
    }

    pub fn mount(&self, m: wiremock::Mock) -> &Mock {
        self.rt.block_on(m.mount(self.server()));
        self
    }

    /// Forgets every route and every request received (the service changed what it serves).
    pub fn reset(&self) {
        self.rt.block_on(self.server().reset());
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<wiremock::Request> {
        self.rt
            .block_on(self.server().received_requests())
            .unwrap_or_default()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _guard = self.rt.enter();
        drop(self.server.take());
    }
}

/// What the raw server answers to the n-th request (0-based) given its `Range` start.
pub type Script = dyn Fn(usize, Option<u64>) -> Vec<u8> + Send + Sync;

/// A one-thread HTTP/1.1 server that writes whatever bytes the script returns and closes the
/// connection, recording each request's head.
pub struct RawServer {
    pub addr: String,
    pub heads: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    pub fn start(script: Box<Script>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", listener.local_addr().unwrap());
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                let range = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("range: bytes=")
                            .map(str::to_string)
                    })
                    .and_then(|r| r.trim_end_matches('-').parse().ok());
                seen.lock().unwrap().push(head);
                let _ = stream.write_all(&script(n, range));
                let _ = stream.flush();
                let _ = stream.shutdown(std::net::Shutdown::Both);
                let _ = reader.read(&mut [0u8; 1]);
            }
        });
        RawServer { addr, heads }
    }

    pub fn count(&self) -> usize {
        self.heads.lock().unwrap().len()
    }
}
