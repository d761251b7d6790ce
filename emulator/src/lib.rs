//! kvs-emulator: a local Kinesis Video control plane and WebRTC storage endpoint that verifies
//! SigV4 for real. Tests start it with [`Emulator::start`]; users run the `kvs-emulator` binary.

mod api;
mod server;
pub mod sigv4;
mod state;
mod tls;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::watch;

pub use api::{is_channel_arn, ACCOUNT_ID};
pub use server::parse_fault;
pub use state::{Fault, FaultKind, JournalEntry, JOURNAL_CAPACITY};

use api::Plane;
use server::Shared;

/// How to serve HTTPS, if at all.
#[derive(Debug, Clone, Default)]
pub enum Tls {
    #[default]
    None,
    /// A certificate for 127.0.0.1 and localhost, signed by a CA made up on the spot
    /// ([`Emulator::ca_pem`]).
    Generate,
    /// The user's certificate chain and key, PEM.
    Files { cert_pem: PathBuf, key_pem: PathBuf },
}

#[derive(Debug, Clone)]
pub struct Options {
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// When set, every request must carry it in `X-Amz-Security-Token`.
    pub session_token: Option<String>,
    /// Seeded as ACTIVE, storage-enabled SINGLE_MASTER channels.
    pub channels: Vec<String>,
    pub tls: Tls,
    /// Serve the WebRTC storage endpoint on a second listener, as AWS serves it on another host.
    pub separate_storage_listener: bool,
    pub host: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub storage_port: u16,
    /// One line per request on stderr.
    pub verbose: bool,
    /// The journal keeps the most recent this many requests ([`JOURNAL_CAPACITY`]).
    pub journal_capacity: usize,
}

/// The documented test credentials.
pub const DEFAULT_ACCESS_KEY_ID: &str = "test";
pub const DEFAULT_SECRET_ACCESS_KEY: &str = "test";
pub const DEFAULT_REGION: &str = "us-west-2";

impl Default for Options {
    fn default() -> Self {
        Options {
            region: DEFAULT_REGION.into(),
            access_key_id: DEFAULT_ACCESS_KEY_ID.into(),
            secret_access_key: DEFAULT_SECRET_ACCESS_KEY.into(),
            session_token: None,
            channels: Vec::new(),
            tls: Tls::None,
            separate_storage_listener: true,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            storage_port: 0,
            verbose: false,
            journal_capacity: JOURNAL_CAPACITY,
        }
    }
}

/// A running emulator. It serves from its own thread; dropping the handle stops it.
pub struct Emulator {
    shared: Arc<Shared>,
    ca_pem: Option<String>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

fn url(scheme: &str, addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V6(ip) => format!("{scheme}://[{ip}]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{scheme}://{ip}:{}", addr.port()),
    }
}

impl Emulator {
    /// Bind, then serve in the background. Returns once both listeners accept connections.
    pub fn start(options: Options) -> io::Result<Emulator> {
        let tls = match &options.tls {
            Tls::None => None,
            Tls::Generate => Some(tls::generate()?),
            Tls::Files { cert_pem, key_pem } => Some(tls::from_files(cert_pem, key_pem)?),
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let control = std::net::TcpListener::bind((options.host, options.port))?;
        let storage = if options.separate_storage_listener {
            Some(std::net::TcpListener::bind((
                options.host,
                options.storage_port,
            ))?)
        } else {
            None
        };
        let control_url = url(scheme, control.local_addr()?);
        let storage_url = match &storage {
            Some(listener) => url(scheme, listener.local_addr()?),
            None => control_url.clone(),
        };
        for listener in std::iter::once(&control).chain(storage.as_ref()) {
            listener.set_nonblocking(true)?;
        }

        let shared = Arc::new(Shared {
            state: state::State::new(options.journal_capacity),
            region: options.region.clone(),
            access_key_id: options.access_key_id.clone(),
            secret_access_key: options.secret_access_key.clone(),
            session_token: options.session_token.clone(),
            control_url,
            storage_url,
            verbose: options.verbose,
        });
        for arn in &options.channels {
            shared.state.insert_channel(api::seeded_channel(arn, true));
        }

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, stop) = watch::channel(false);
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let serving = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kvs-emulator".into())
            .spawn(move || {
                runtime
                    .block_on(async move {
                        let control = tokio::net::TcpListener::from_std(control)?;
                        let control_plane = match storage {
                            Some(storage) => {
                                let storage = tokio::net::TcpListener::from_std(storage)?;
                                tokio::spawn(server::serve(
                                    storage,
                                    Plane::Storage,
                                    serving.clone(),
                                    acceptor.clone(),
                                    stop.clone(),
                                ));
                                // The control listener answers storage calls too, so that
                                // `--endpoint-url $AWS_ENDPOINT_URL` works for the AWS CLI.
                                Plane::Both
                            }
                            None => Plane::Both,
                        };
                        server::serve(control, control_plane, serving, acceptor, stop).await;
                        io::Result::Ok(())
                    })
                    .ok();
            })?;
        Ok(Emulator {
            shared,
            ca_pem: tls.map(|t| t.ca_pem),
            shutdown,
            thread: Some(thread),
        })
    }

    /// The control plane's base URL, e.g. `http://127.0.0.1:41234`.
    pub fn control_url(&self) -> String {
        self.shared.control_url.clone()
    }

    /// The WebRTC storage endpoint that discovery hands out.
    pub fn storage_url(&self) -> String {
        self.shared.storage_url.clone()
    }

    /// The PEM a client must trust when serving HTTPS.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    /// The most recent requests (up to [`Options::journal_capacity`]), in arrival order
    /// (admin routes excluded).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.state.journal()
    }

    pub fn clear_journal(&self) {
        self.shared.state.clear_journal();
    }

    pub fn inject(&self, fault: Fault) {
        self.shared.state.inject(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.state.clear_faults();
    }

    /// Add (or replace) a channel with exactly this ARN.
    pub fn add_channel(&self, arn: &str, storage_enabled: bool) {
        self.shared
            .state
            .insert_channel(api::seeded_channel(arn, storage_enabled));
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
