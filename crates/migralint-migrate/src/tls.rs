//! Opening the connection, with TLS as `sslmode` asks (libpq's meanings):
//!
//! - `disable`: plain TCP (or the Unix socket).
//! - `allow`, `prefer` (migralint's default): TLS when the server offers it,
//!   certificate not verified; plain otherwise.
//! - `require`: TLS or fail; certificate not verified (unless `sslrootcert`
//!   is given, then as `verify-ca`, like libpq).
//! - `verify-ca`: TLS, certificate chain verified against `sslrootcert` or
//!   the system's CA certificates; the host name is not checked.
//! - `verify-full`: as `verify-ca`, and the certificate must name the host.
//!
//! TLS is rustls with the ring provider; no OpenSSL is needed.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, DigitallySignedStruct, Error as TlsError, RootCertStore, SignatureScheme,
};

use crate::dburl::{DbUrl, SslMode, DEFAULT_CONNECT_TIMEOUT};

/// Why a connection could not be opened.
#[derive(Debug)]
pub enum ConnectError {
    Pg(postgres::Error),
    Setup(String),
}

/// Opens the connection. The whole start-up (TCP or socket connect, TLS
/// handshake, authentication) is bounded by `connect_timeout` (default
/// [`DEFAULT_CONNECT_TIMEOUT`]): a server that accepts the connection and
/// then says nothing fails after that time instead of hanging.
pub fn connect(url: &DbUrl) -> Result<postgres::Client, ConnectError> {
    let timeout = url.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let (sender, receiver) = std::sync::mpsc::channel();
    let for_thread = url.clone();
    std::thread::Builder::new()
        .name("migralint-connect".into())
        .spawn(move || {
            let _ = sender.send(connect_unbounded(&for_thread));
        })
        .map_err(|e| ConnectError::Setup(format!("cannot start the connection thread: {e}")))?;
    match receiver.recv_timeout(timeout) {
        Ok(result) => result,
        // The thread is left to end when the socket does (at exit at the
        // latest); nothing waits for it.
        Err(_) => Err(ConnectError::Setup(format!(
            "timed out after {}s (connect_timeout{}): the server did not complete the connection start-up{}",
            timeout.as_secs_f64(),
            if url.connect_timeout.is_none() {
                ", the default; set connect_timeout=SECONDS in the URL to change it"
            } else {
                ""
            },
            if url.sslmode == SslMode::Disable {
                ""
            } else {
                " (or the TLS handshake)"
            }
        ))),
    }
}

fn connect_unbounded(url: &DbUrl) -> Result<postgres::Client, ConnectError> {
    let config = url.pg_config();
    if url.sslmode == SslMode::Disable {
        return config.connect(postgres::NoTls).map_err(ConnectError::Pg);
    }
    let tls = tls_config(url).map_err(ConnectError::Setup)?;
    config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .map_err(ConnectError::Pg)
}

/// Sends PostgreSQL's cancel request for the statement the connection of
/// `token` runs (over TLS when the connection uses it). Best effort.
pub fn cancel(url: &DbUrl, token: &postgres::CancelToken) {
    if url.sslmode == SslMode::Disable {
        let _ = token.cancel_query(postgres::NoTls);
        return;
    }
    match tls_config(url) {
        Ok(tls) => {
            let _ = token.cancel_query(tokio_postgres_rustls::MakeRustlsConnect::new(tls));
        }
        Err(_) => {
            let _ = token.cancel_query(postgres::NoTls);
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots(url: &DbUrl) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match &url.sslrootcert {
        Some(path) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("cannot read sslrootcert {path}: {e}"))?
                .collect::<Result<_, _>>()
                .map_err(|e| format!("cannot read sslrootcert {path}: {e}"))?;
            if certs.is_empty() {
                return Err(format!("sslrootcert {path} holds no PEM certificate"));
            }
            for c in certs {
                store
                    .add(c)
                    .map_err(|e| format!("sslrootcert {path}: unusable certificate: {e}"))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                let _ = store.add(c);
            }
            if store.is_empty() {
                return Err(
                    "no CA certificates found on this system to verify the server; give sslrootcert=FILE".into(),
                );
            }
        }
    }
    Ok(store)
}

fn tls_config(url: &DbUrl) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    let mode = match (url.sslmode, &url.sslrootcert) {
        (SslMode::Require, Some(_)) => SslMode::VerifyCa,
        (m, _) => m,
    };
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let webpki = WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(url)?),
                provider.clone(),
            )
            .build()
            .map_err(|e| format!("TLS setup: {e}"))?;
            if mode == SslMode::VerifyFull {
                webpki
            } else {
                Arc::new(ChainOnly(webpki))
            }
        }
        _ => Arc::new(NoVerify(provider.clone())),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// `sslmode=prefer`/`require`: encrypted, server not authenticated (libpq's
/// meaning of these modes). Handshake signatures are still checked.
#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls12_signature(
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
    ) -> Result<HandshakeSignatureValid, TlsError> {
        verify_tls13_signature(
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

/// `sslmode=verify-ca`: the chain must lead to a trusted CA; the name is not
/// checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
