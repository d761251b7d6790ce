//! The HTTP client: reqwest over rustls (ring), one connection pool for the whole run.

use std::error::Error as StdError;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::{Error, Result};
use crate::input::io_reason;

/// What the client needs to know, already resolved by `settings`.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Replaces the bundled Mozilla roots, as `--ca-bundle` replaces certifi's in the AWS CLI.
    pub ca_bundle: Option<PathBuf>,
    pub verify_ssl: bool,
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    pub proxies: Proxies,
    pub user_agent: String,
}

/// Proxy settings from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (either case).
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub https: Option<String>,
    pub http: Option<String>,
    pub no_proxy: Option<String>,
}

pub fn build(options: &ClientOptions) -> Result<reqwest::Client> {
    let tls = tls_config(options)?;
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .http1_only()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .user_agent(options.user_agent.clone());
    if let Some(timeout) = options.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(timeout) = options.read_timeout {
        builder = builder.read_timeout(timeout);
    }
    let no_proxy = options
        .proxies
        .no_proxy
        .as_deref()
        .and_then(reqwest::NoProxy::from_string);
    for (url, https) in [
        (&options.proxies.https, true),
        (&options.proxies.http, false),
    ] {
        if let Some(url) = url {
            let proxy = if https {
                reqwest::Proxy::https(url.as_str())
            } else {
                reqwest::Proxy::http(url.as_str())
            };
            let proxy = proxy
                .map_err(|e| Error::config(format!("Invalid proxy URL \"{url}\": {e}")))?
                .no_proxy(no_proxy.clone());
            builder = builder.proxy(proxy);
        }
    }
    builder
        .build()
        .map_err(|e| Error::other(format!("Unable to set up the HTTP client: {e}")))
}

fn tls_config(options: &ClientOptions) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::other(format!("Unable to set up TLS: {e}")))?;
    let config = if !options.verify_ssl {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(root_store(options.ca_bundle.as_deref())?)
            .with_no_client_auth()
    };
    Ok(config)
}

fn root_store(ca_bundle: Option<&std::path::Path>) -> Result<rustls::RootCertStore> {
    let mut store = rustls::RootCertStore::empty();
    let Some(path) = ca_bundle else {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        return Ok(store);
    };
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| {
        Error::config(format!(
            "Unable to read the CA bundle {shown}: {}",
            io_reason(&e)
        ))
    })?;
    let mut count = 0;
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert
            .map_err(|e| Error::config(format!("The CA bundle {shown} is not valid PEM: {e:?}")))?;
        store.add(cert).map_err(|e| {
            Error::config(format!(
                "The CA bundle {shown} holds an invalid certificate: {e}"
            ))
        })?;
        count += 1;
    }
    if count == 0 {
        return Err(Error::config(format!(
            "The CA bundle {shown} holds no PEM certificates"
        )));
    }
    Ok(store)
}

/// `--no-verify-ssl`: accept any certificate, but still check the handshake signatures.
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Why a request got no HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Connect,
    ConnectTimeout,
    ReadTimeout,
    /// The connection closed before a complete response.
    Closed,
    Tls(String),
    Other(String),
}

/// Sort a reqwest error into the AWS CLI's connection-level categories.
pub fn classify(err: &reqwest::Error) -> Failure {
    let mut source: Option<&(dyn StdError + 'static)> = err.source();
    let mut tls = None;
    let mut timed_out = err.is_timeout();
    let mut closed = false;
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            tls = Some(t.to_string());
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::TimedOut => timed_out = true,
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::BrokenPipe => closed = true,
                _ => {}
            }
            if let Some(inner) = io.get_ref() {
                if let Some(t) = inner.downcast_ref::<rustls::Error>() {
                    tls = Some(t.to_string());
                }
            }
        }
        let text = e.to_string();
        // hyper-util wraps the handshake's rustls error in a boxed io error: go by its text.
        if tls.is_none()
            && (text.contains("invalid peer certificate")
                || text.contains("received fatal alert")
                || text.contains("peer is incompatible")
                || text.contains("peer sent no certificates"))
        {
            tls = Some(text.clone());
        }
        if text.contains("timed out") {
            timed_out = true;
        }
        if text.contains("connection closed before message completed")
            || text.contains("IncompleteMessage")
        {
            closed = true;
        }
        source = e.source();
    }
    if let Some(cause) = tls {
        return Failure::Tls(cause);
    }
    if err.is_connect() {
        return if timed_out {
            Failure::ConnectTimeout
        } else {
            Failure::Connect
        };
    }
    if timed_out {
        return Failure::ReadTimeout;
    }
    if closed || err.is_request() || err.is_body() {
        return Failure::Closed;
    }
    Failure::Other(err.to_string())
}
