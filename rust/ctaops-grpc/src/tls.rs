//! Key material for a server: a self-signed CA and a server certificate it signs (rcgen), and
//! an RS256 key pair for signing and checking JWTs.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

/// PEM texts of a CA and a server certificate/key signed by it.
#[derive(Debug, Clone)]
pub struct ServerPki {
    pub ca_cert_pem: String,
    pub server_cert_pem: String,
    pub server_key_pem: String,
}

/// Why key material could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot create key material: {0}")]
pub struct PkiError(String);

fn e<E: std::fmt::Display>(err: E) -> PkiError {
    PkiError(err.to_string())
}

/// A CA named `<name> CA` and a server certificate for `hosts` (DNS names or IP addresses,
/// which go into the SAN: rustls checks the SAN only).
pub fn generate_pki(name: &str, hosts: &[String]) -> Result<ServerPki, PkiError> {
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca.distinguished_name.push(DnType::CommonName, format!("{name} CA"));
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).map_err(e)?;
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().map_err(e)?;
    let mut params = CertificateParams::new(hosts.to_vec()).map_err(e)?;
    params.distinguished_name.push(
        DnType::CommonName,
        hosts.first().cloned().unwrap_or_else(|| name.to_owned()),
    );
    let cert = params.signed_by(&server_key, &issuer).map_err(e)?;
    Ok(ServerPki {
        ca_cert_pem: ca_cert.pem(),
        server_cert_pem: cert.pem(),
        server_key_pem: server_key.serialize_pem(),
    })
}

/// An RS256 key pair as PEM: (PKCS#8 private key, SPKI public key).
pub fn generate_jwt_key() -> Result<(String, String), PkiError> {
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(e)?;
    let private = key.to_pkcs8_pem(LineEnding::LF).map_err(e)?.to_string();
    let public = key.to_public_key().to_public_key_pem(LineEnding::LF).map_err(e)?;
    Ok((private, public))
}
