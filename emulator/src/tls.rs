//! HTTPS: a certificate for 127.0.0.1 and localhost signed by a throwaway CA, or the user's.

use std::io;
use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

pub struct TlsSetup {
    pub acceptor: TlsAcceptor,
    /// What a client must trust: the generated CA, or the certificate file given.
    pub ca_pem: String,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A new CA and a server certificate it signed, valid for 127.0.0.1, ::1 and localhost.
pub fn generate() -> io::Result<TlsSetup> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kvs-emulator test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(other)?)
        .map_err(other)?;

    let names = vec![
        "127.0.0.1".to_string(),
        "::1".to_string(),
        "localhost".to_string(),
    ];
    let mut params = CertificateParams::new(names).map_err(other)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "kvs-emulator");
    let key = KeyPair::generate().map_err(other)?;
    let cert = params.signed_by(&key, &ca).map_err(other)?;

    let chain = vec![cert.der().clone()];
    let key = PrivateKeyDer::try_from(key.serialize_der()).map_err(other)?;
    Ok(TlsSetup {
        acceptor: acceptor(chain, key)?,
        ca_pem: ca.pem(),
    })
}

/// A certificate chain and key from PEM files.
pub fn from_files(cert_pem: &Path, key_pem: &Path) -> io::Result<TlsSetup> {
    let cert_text = std::fs::read(cert_pem)?;
    let chain = CertificateDer::pem_slice_iter(&cert_text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| other(format!("{}: {e:?}", cert_pem.display())))?;
    if chain.is_empty() {
        return Err(other(format!(
            "{}: no certificate found",
            cert_pem.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key_pem)
        .map_err(|e| other(format!("{}: {e:?}", key_pem.display())))?;
    Ok(TlsSetup {
        acceptor: acceptor(chain, key)?,
        ca_pem: String::from_utf8_lossy(&cert_text).into_owned(),
    })
}

fn acceptor(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> io::Result<TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
