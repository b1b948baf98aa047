//! Server-side authentication of one call, with CTA's status codes and texts. Tokens are never
//! logged; only the user name and the reason of a refusal are.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tonic::Status;
use tonic::metadata::MetadataMap;

/// Claims CTA reads: `sub` is the user name, `exp` must be in the future.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
}

/// Checks `Bearer` JWTs: RS256 only, signature, `exp`, and the `kid` naming the key.
pub struct JwtVerifier {
    key: DecodingKey,
    kid: String,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// From the signer's public key (SPKI PEM) and the key id tokens must carry.
    pub fn from_public_pem(pem: &str, kid: &str) -> Result<Self, jsonwebtoken::errors::Error> {
        Ok(Self {
            key: DecodingKey::from_rsa_pem(pem.as_bytes())?,
            kid: kid.to_owned(),
        })
    }

    /// The user name (`sub`) of a valid token.
    pub fn verify(&self, token: &str) -> Result<String, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| format!("bad token header: {e}"))?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err("unknown key id".into());
        }
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_aud = false;
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &v).map_err(|e| e.to_string())?;
        Ok(data.claims.sub)
    }
}

/// Signs a token as CTA's CI does (RS256, `kid` header) for user `sub`, valid until `exp`.
pub fn sign_token(private_pem: &str, kid: &str, sub: &str, exp: u64) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes())?;
    jsonwebtoken::encode(
        &header,
        &Claims {
            sub: sub.to_owned(),
            exp,
            iss: None,
        },
        &key,
    )
}

/// Authenticates a call from its `authorization` metadata (CTA `GrpcAuthUtils.cpp` order).
pub fn authenticate(verifier: &JwtVerifier, md: &MetadataMap) -> Result<String, Status> {
    let value = md
        .get("authorization")
        .ok_or_else(|| Status::unauthenticated("Missing Authorization header"))?;
    let value = value
        .to_str()
        .map_err(|_| Status::unauthenticated("Unexpected authorization scheme"))?;
    let token = if let Some(t) = value.strip_prefix("Bearer") {
        t.trim()
    } else if value.starts_with("Negotiate") {
        return Err(Status::unauthenticated(
            "KRB5 authorization process error. Invalid principal.",
        ));
    } else {
        return Err(Status::unauthenticated("Unexpected authorization scheme"));
    };
    if token.is_empty() {
        return Err(Status::unauthenticated("Missing Authorization token"));
    }
    verifier.verify(token).map_err(|reason| {
        tracing::info!(%reason, "JWT refused");
        Status::unauthenticated("JWT authorization process error. Token validation failed.")
    })
}
