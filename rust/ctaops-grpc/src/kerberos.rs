//! The GSS-API halves of the Kerberos negotiation, on the system MIT krb5 library through
//! `libgssapi` (feature `kerberos`): the client's context from the default credentials cache
//! (`kinit`, `KRB5CCNAME`), and the server's acceptor from a keytab file.

use std::ffi::CString;
use std::path::Path;

use libgssapi::context::{ClientCtx, CtxFlags, SecurityContext as _, ServerCtx};
use libgssapi::credential::{Cred, CredUsage};
use libgssapi::error::{Error as GssError, MajorFlags};
use libgssapi::name::Name;
use libgssapi::oid::{GSS_MECH_KRB5, GSS_NT_KRB5_PRINCIPAL, OidSet};

use crate::negotiate::{Accepted, Acceptor, AcceptorContext, Initiator, NegotiateError};

/// MIT krb5's "Ticket expired" (`KRB5KRB_AP_ERR_TKT_EXPIRED`, -1765328352), the minor status
/// `gss_init_sec_context` reports with a plain `GSS_S_FAILURE` when the TGT in the cache expired.
const KRB5KRB_AP_ERR_TKT_EXPIRED: u32 = 0x96c7_3a20;

/// A missing or expired ticket gets its own error: the operator's fix is `kinit`.
fn client_error(what: &str, e: &GssError) -> NegotiateError {
    // The routine error is a number in bits 16-23, not a set of flags: compare it whole.
    let routine = e.major.bits() & 0x00ff_0000;
    if routine == MajorFlags::GSS_S_NO_CRED.bits()
        || routine == MajorFlags::GSS_S_CREDENTIALS_EXPIRED.bits()
        || e.minor == KRB5KRB_AP_ERR_TKT_EXPIRED
    {
        NegotiateError::NoTicket(e.to_string())
    } else {
        NegotiateError::Failed(format!("{what}: {e}"))
    }
}

struct GssInitiator(ClientCtx);

impl Initiator for GssInitiator {
    fn step(&mut self, input: Option<&[u8]>) -> Result<Option<Vec<u8>>, NegotiateError> {
        self.0
            .step(input, None)
            .map(|t| t.map(|b| b.to_vec()))
            .map_err(|e| client_error("gss_init_sec_context", &e))
    }

    fn is_complete(&self) -> bool {
        self.0.is_complete()
    }
}

/// A client context for `spn` (a Kerberos principal name, as CTA imports it) with the default
/// credentials, krb5, and the flags CTA's client asks for: replay, sequence and mutual.
pub fn initiator(spn: &str) -> Result<Box<dyn Initiator>, NegotiateError> {
    let mechs = OidSet::singleton(GSS_MECH_KRB5).map_err(|e| client_error("OID set", &e))?;
    let cred =
        Cred::acquire(None, None, CredUsage::Initiate, Some(&mechs)).map_err(|e| client_error("credentials", &e))?;
    // An expired ticket is still "acquired"; its remaining lifetime says it is unusable.
    if cred.lifetime().is_ok_and(|l| l.is_zero()) {
        return Err(NegotiateError::NoTicket(
            "the ticket in the credentials cache has expired".into(),
        ));
    }
    let target = Name::new(spn.as_bytes(), Some(GSS_NT_KRB5_PRINCIPAL))
        .map_err(|e| NegotiateError::Failed(format!("bad service principal '{spn}': {e}")))?;
    let flags = CtxFlags::GSS_C_MUTUAL_FLAG | CtxFlags::GSS_C_REPLAY_FLAG | CtxFlags::GSS_C_SEQUENCE_FLAG;
    Ok(Box::new(GssInitiator(ClientCtx::new(
        Some(cred),
        target,
        flags,
        Some(GSS_MECH_KRB5),
    ))))
}

/// The server's identity: its announced principal and acceptor credentials from its keytab.
pub struct GssAcceptor {
    spn: String,
    cred: Cred,
}

impl std::fmt::Debug for GssAcceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GssAcceptor")
            .field("spn", &self.spn)
            .finish_non_exhaustive()
    }
}

impl GssAcceptor {
    /// Acceptor credentials from `keytab` (`grpc.keytab`), announced as `spn`
    /// (`grpc.service_principal`). The keytab is named through the credential store, so no
    /// process-wide `KRB5_KTNAME` is needed; any key in it is accepted, so it should hold only
    /// the frontend's service keys.
    pub fn new(keytab: &Path, spn: &str) -> Result<Self, String> {
        if !keytab.is_file() {
            return Err(format!("keytab {} does not exist", keytab.display()));
        }
        let cred = acquire_from_keytab(keytab).map_err(|e| format!("cannot use keytab {}: {e}", keytab.display()))?;
        Ok(Self {
            spn: spn.to_owned(),
            cred,
        })
    }
}

#[expect(unsafe_code, reason = "libgssapi has no wrapper for gss_acquire_cred_from")]
fn acquire_from_keytab(keytab: &Path) -> Result<Cred, GssError> {
    use libgssapi_sys::{
        _GSS_C_INDEFINITE, GSS_C_ACCEPT, OM_uint32, gss_cred_id_t, gss_cred_usage_t, gss_key_value_element_desc,
        gss_key_value_set_desc,
    };
    let bad = || GssError {
        major: MajorFlags::GSS_S_FAILURE,
        minor: 0,
    };
    let key = CString::new("keytab").map_err(|_| bad())?;
    let value = CString::new(keytab.as_os_str().as_encoded_bytes()).map_err(|_| bad())?;
    let mut element = gss_key_value_element_desc {
        key: key.as_ptr(),
        value: value.as_ptr(),
    };
    let store = gss_key_value_set_desc {
        count: 1,
        elements: &raw mut element,
    };
    let mut minor: OM_uint32 = 0;
    let mut cred: gss_cred_id_t = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call: `store` and its element point at CStrings
    // alive until the end of this function; a null name, null mechanism set and null outputs
    // are the documented "default"/"not wanted" values; `cred` receives a new handle that the
    // returned `Cred` owns (and releases on drop).
    let major = unsafe {
        libgssapi_sys::gss_acquire_cred_from(
            &raw mut minor,
            std::ptr::null_mut(),
            _GSS_C_INDEFINITE,
            std::ptr::null_mut(),
            GSS_C_ACCEPT as gss_cred_usage_t,
            &raw const store,
            &raw mut cred,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if major != 0 || cred.is_null() {
        return Err(GssError {
            major: MajorFlags::from_bits_retain(major),
            minor,
        });
    }
    // SAFETY: `cred` is a valid credential handle just returned by GSS-API, owned by nobody else.
    Ok(unsafe { Cred::from_c(cred) })
}

struct GssAcceptorContext(ServerCtx);

impl AcceptorContext for GssAcceptorContext {
    fn step(&mut self, input: &[u8]) -> Result<Accepted, String> {
        let out = self
            .0
            .step(input, None)
            .map_err(|e| format!("gss_accept_sec_context: {e}"))?;
        let token = out.map(|b| b.to_vec()).unwrap_or_default();
        if !self.0.is_complete() {
            return Ok(Accepted::Continue(token));
        }
        let principal = self.0.source_name().map_err(|e| format!("client principal: {e}"))?;
        // krb5 auth_to_local: normally the principal without its realm, as CTA does.
        let user = principal
            .local_name(Some(GSS_MECH_KRB5))
            .map_err(|e| format!("no local user name for {principal}: {e}"))?;
        let user = String::from_utf8(user.to_vec()).map_err(|_| "local user name is not UTF-8".to_owned())?;
        Ok(Accepted::Complete { token, user })
    }
}

impl Acceptor for GssAcceptor {
    fn service_principal(&self) -> &str {
        &self.spn
    }

    fn context(&self) -> Result<Box<dyn AcceptorContext>, String> {
        Ok(Box::new(GssAcceptorContext(ServerCtx::new(Some(self.cred.clone())))))
    }
}
