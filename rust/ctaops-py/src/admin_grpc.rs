//! `GrpcAdminRunner`: the native gRPC transport behind `CtaAdmin(transport="grpc")`, with the
//! same Python-facing methods as `AdminRunner` and the same record objects and Arrow tables.

use std::sync::Arc;
use std::time::Duration;

use ctaops_core::admin::{AdminCommand, Kind, Records};
use ctaops_grpc::{Client, ClientSettings, GrpcError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::admin::{Mode, Outcome, build, mode_of, table};
use crate::errors;

fn grpc_err(py: Python<'_>, e: &GrpcError) -> PyErr {
    errors::error_for_code(py, e.code(), &e.to_string())
}

fn normalise(mut recs: Records, mode: Mode) -> Records {
    if let (Mode::TapePools, Records::TapePool(pools)) = (mode, &mut recs) {
        pools
            .iter_mut()
            .for_each(ctaops_core::admin::tape::TapePool::normalise_supply);
    }
    recs
}

async fn execute(client: &Client, cmd: &AdminCommand, mode: Mode) -> Result<Outcome, GrpcError> {
    let inner = client.inner();
    match mode {
        Mode::Records | Mode::TapePools => Ok(Outcome::Records(normalise(inner.list(cmd).await?, mode))),
        Mode::Action => inner.execute(cmd).await.map(Outcome::Message),
        Mode::Auto => Ok(match inner.run(cmd).await? {
            ctaops_grpc::Outcome::Records(r) => Outcome::Records(r),
            ctaops_grpc::Outcome::Message(m) => Outcome::Message(m),
        }),
    }
}

/// Runs admin commands over CTA's gRPC frontend (settings from `cta-cli.conf`).
#[pyclass(module = "ctaops._core", frozen)]
struct GrpcAdminRunner {
    client: Arc<Client>,
}

impl GrpcAdminRunner {
    fn run_sync(&self, py: Python<'_>, cmd: &AdminCommand, mode: Mode) -> PyResult<Outcome> {
        let client = Arc::clone(&self.client);
        py.detach(|| client.block_on(execute(&client, cmd, mode)))
            .map_err(|e| grpc_err(py, &e))
    }

    fn run_async<'py>(&self, py: Python<'py>, cmd: AdminCommand, mode: Mode) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.client);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            // The channel lives on the client's own runtime; awaiting it from Python's loop
            // runtime only exchanges messages with it.
            execute(&client, &cmd, mode)
                .await
                .map_err(|e| Python::attach(|py| grpc_err(py, &e)))
        })
    }
}

#[pymethods]
impl GrpcAdminRunner {
    /// `cta_cli_conf`: CTA's client config (`cta.endpoint`, `grpc.tls.chain_cert_path`,
    /// `grpc.cta_admin_auth_method`, `grpc.jwt_token_path`).
    #[new]
    #[pyo3(signature = (cta_cli_conf, timeout = 300.0, cta_version = None))]
    fn new(
        py: Python<'_>,
        cta_cli_conf: std::path::PathBuf,
        timeout: f64,
        cta_version: Option<String>,
    ) -> PyResult<Self> {
        let timeout = Duration::try_from_secs_f64(timeout)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                errors::error_for_code(py, "INVALID_ARGUMENT", "timeout must be a positive number of seconds")
            })?;
        let mut settings = ClientSettings::from_cta_cli_conf(&cta_cli_conf).map_err(|e| grpc_err(py, &e))?;
        settings.timeout = timeout;
        settings.cta_version = cta_version;
        let client = Client::new(settings).map_err(|e| grpc_err(py, &e))?;
        Ok(Self {
            client: Arc::new(client),
        })
    }

    #[pyo3(signature = (command, sub, options = None, mode = "auto"))]
    fn call(
        &self,
        py: Python<'_>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'_, PyDict>>,
        mode: &str,
    ) -> PyResult<Outcome> {
        let cmd = build(py, command, sub, options)?;
        self.run_sync(py, &cmd, mode_of(mode)?)
    }

    #[pyo3(signature = (command, sub, options = None, mode = "auto"))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'py, PyDict>>,
        mode: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cmd = build(py, command, sub, options)?;
        self.run_async(py, cmd, mode_of(mode)?)
    }

    #[expect(clippy::needless_pass_by_value, reason = "PyO3 extracts arguments as owned values")]
    fn run(&self, py: Python<'_>, args: Vec<String>) -> PyResult<Outcome> {
        let cmd = AdminCommand::raw(&args).map_err(|e| crate::admin::admin_err(py, &e))?;
        self.run_sync(py, &cmd, Mode::Auto)
    }

    #[expect(clippy::needless_pass_by_value, reason = "PyO3 extracts arguments as owned values")]
    fn run_async_words<'py>(&self, py: Python<'py>, args: Vec<String>) -> PyResult<Bound<'py, PyAny>> {
        let cmd = AdminCommand::raw(&args).map_err(|e| crate::admin::admin_err(py, &e))?;
        self.run_async(py, cmd, Mode::Auto)
    }

    /// A listing straight into a `pyarrow.Table` (the same table as the cta-admin path).
    #[pyo3(signature = (command, sub, options = None))]
    fn arrow<'py>(
        &self,
        py: Python<'py>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cmd = build(py, command, sub, options)?;
        let kind: Kind = cmd
            .record_kind()
            .ok_or_else(|| errors::error_for_code(py, "INVALID_ARGUMENT", &format!("'{cmd}' does not list records")))?;
        let client = Arc::clone(&self.client);
        let batches = py.detach(|| client.arrow(&cmd)).map_err(|e| grpc_err(py, &e))?;
        table(py, kind, batches)
    }

    /// The frontend's CTA version string (`serverVersion.ctaVersion`, or the configured
    /// `cta_version`), asked once; None if absent.
    fn cta_version(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let client = Arc::clone(&self.client);
        py.detach(|| client.block_on(client.inner().cta_version()))
            .map(|v| v.map(|v| v.text))
            .map_err(|e| grpc_err(py, &e))
    }

    /// The command as `cta-admin` words (for dry runs and logs; nothing is spawned over gRPC).
    #[pyo3(signature = (command, sub, options = None))]
    fn argv(
        &self,
        py: Python<'_>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<String>> {
        let cmd = build(py, command, sub, options)?;
        let mut v = vec![format!("grpc://{}", self.client.inner().settings().endpoint)];
        v.extend(cmd.argv());
        Ok(v)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<GrpcAdminRunner>()
}
