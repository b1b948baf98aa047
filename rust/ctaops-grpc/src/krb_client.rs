//! The client's `authorization: Negotiate …` value: one negotiation per admin call, as CTA's
//! client does (a nonce is single use).

use ctaops_core::admin::AdminCommand;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::Channel;

use crate::config::ClientSettings;
use crate::error::GrpcError;
use crate::negotiate::{Initiator, NegotiateError, SpnChoice, authorization_value, negotiate};

#[cfg(feature = "kerberos")]
fn start(spn: &str) -> Result<Box<dyn Initiator>, NegotiateError> {
    crate::kerberos::initiator(spn)
}

#[cfg(not(feature = "kerberos"))]
fn start(_spn: &str) -> Result<Box<dyn Initiator>, NegotiateError> {
    Err(NegotiateError::Failed("this build has no Kerberos support".into()))
}

/// Negotiates on `channel` (the one the admin call then uses) and returns the header value.
pub(crate) async fn authorization(
    settings: &ClientSettings,
    channel: &Channel,
    command: &AdminCommand,
) -> Result<MetadataValue<Ascii>, GrpcError> {
    if !cfg!(feature = "kerberos") {
        return Err(GrpcError::KerberosUnsupported);
    }
    let spn = SpnChoice {
        configured: settings.service_principal.as_deref(),
        host: settings.host(),
    };
    let command = command.to_string();
    let nonce = negotiate(channel.clone(), spn, settings.timeout, start)
        .await
        .map_err(|e| match e {
            NegotiateError::NoTicket(_) => GrpcError::KerberosNoTicket {
                command,
                message: e.to_string(),
            },
            NegotiateError::NotOffered => GrpcError::KerberosNotOffered {
                command,
                endpoint: settings.endpoint.clone(),
            },
            NegotiateError::Failed(_) => GrpcError::KerberosFailed {
                command,
                message: e.to_string(),
            },
        })?;
    MetadataValue::try_from(authorization_value(&nonce))
        .map_err(|_| GrpcError::Config("the Kerberos nonce is not valid in a header".into()))
}
