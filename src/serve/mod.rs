//! `pkglens serve`: the catalog's packages over HTTP, read-only (see `routes` for the
//! endpoints).
//!
//! HTTP/1.1 on hyper and tokio: a small, well-kept stack whose connection settings bound what
//! a client can hold — request heads are limited in size (`MAX_HEADER_BYTES`, 431 beyond) and
//! in time (`HEADER_TIMEOUT`, for slow senders), a connection lives at most
//! `CONNECTION_LIFETIME`, and at most `MAX_CONNECTIONS` are served at once (the others wait
//! in the kernel's backlog). Request bodies are never read. Every answer reads the catalog
//! afresh, from a pool of read-only connections: a scan writing meanwhile is seen per input,
//! old or new results, never a mix (SQLite WAL).

#[cfg(feature = "internals")]
pub mod openapi;
#[cfg(not(feature = "internals"))]
pub(crate) mod openapi;
pub mod problems;
#[cfg(feature = "internals")]
pub mod routes;
#[cfg(not(feature = "internals"))]
pub(crate) mod routes;

use crate::catalog::{Catalog, CatalogError};
use crate::poison::IgnorePoison;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The largest request head (request line and headers) read, in bytes.
pub(crate) const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The most header fields one request may have.
const MAX_HEADERS: usize = 64;
/// How long a client may take to send a request head.
pub(crate) const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection (keep-alive included) is served.
pub(crate) const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// Connections served at once.
pub(crate) const MAX_CONNECTIONS: usize = 1024;
/// How long to wait before accepting again after the process ran out of file descriptors.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Why the server could not start or stopped.
#[derive(Debug, Error)]
pub enum ServeError {
    /// The catalog could not be opened.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The address cannot be listened on.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: String,
        /// Why it cannot be used.
        source: io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the server runtime: {0}")]
    Runtime(io::Error),
}

/// Read-only catalog connections, reused across requests (a connection is used by one
/// request at a time; a new one is opened when all are busy).
struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Catalog>>,
}

impl Readers {
    fn take(&self) -> Result<Catalog, CatalogError> {
        let reused = self.idle.lock().ignore_poison().pop();
        match reused {
            Some(catalog) => Ok(catalog),
            None => Catalog::open_reader(&self.path),
        }
    }

    fn give_back(&self, catalog: Catalog) {
        self.idle.lock().ignore_poison().push(catalog);
    }
}

/// What every request handler shares.
struct Shared {
    readers: Readers,
    openapi: String,
}

impl Shared {
    fn answer(&self, method: &str, path: &str) -> routes::Answer {
        match self.readers.take() {
            Ok(catalog) => {
                let answer = routes::answer(method, path, &catalog, &self.openapi);
                self.readers.give_back(catalog);
                answer
            }
            Err(err) => routes::Answer {
                status: 500,
                content_type: routes::PROBLEM_JSON,
                body: serde_json::to_vec(&problems::ErrorModel::new(500, err.to_string()))
                    .unwrap_or_default(),
            },
        }
    }
}

fn http_response(answer: routes::Answer) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(answer.content_type));
    // Answers change whenever a scan writes: never cached.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers.insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    }
    response
}

/// A server bound to its address, ready to run.
pub struct Server {
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
}

impl Server {
    /// Checks the catalog (migrating it if an older pkglens made it) and binds `address`.
    pub fn bind(catalog: &Path, address: &str) -> Result<Self, ServeError> {
        drop(Catalog::open(catalog)?);
        let bind_error = |source| ServeError::Bind {
            address: address.to_string(),
            source,
        };
        let listener = std::net::TcpListener::bind(address).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        Ok(Self {
            listener,
            shared: Arc::new(Shared {
                readers: Readers {
                    path: catalog.to_path_buf(),
                    idle: Mutex::new(Vec::new()),
                },
                openapi: openapi::document().to_string(),
            }),
        })
    }

    /// The address it listens on (the port chosen, when asked for port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends, on a runtime with one thread per core.
    pub fn run(self) -> Result<(), ServeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(ServeError::Runtime)?;
        runtime.block_on(self.accept_loop())
    }

    async fn accept_loop(self) -> Result<(), ServeError> {
        let listener = TcpListener::from_std(self.listener).map_err(ServeError::Runtime)?;
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        loop {
            // Closed only if the semaphore is, which never happens.
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return Ok(());
            };
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of descriptors, or a connection reset before it was accepted: go on.
                Err(_) => {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let shared = self.shared.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    let shared = shared.clone();
                    async move {
                        let answer = shared.answer(request.method().as_str(), request.uri().path());
                        Ok::<_, Infallible>(http_response(answer))
                    }
                });
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .max_header_size(MAX_HEADER_BYTES)
                    .max_buf_size(MAX_HEADER_BYTES.max(8192) * 2)
                    .max_headers(MAX_HEADERS)
                    .serve_connection(TokioIo::new(stream), service);
                // A broken or timed-out connection concerns only its client.
                let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
                drop(slot);
            });
        }
    }
}
