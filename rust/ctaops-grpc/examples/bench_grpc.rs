//! Benchmark (run by `benchmarks/bench_grpc.py`): N `tapefile ls` records into an Arrow table
//! over gRPC from an in-memory loopback server, against `cta-admin --json` (a fake printing the
//! same records from a file) through a subprocess plus the JSON parser; and the round-trip
//! latency of one `tape ls --vid` over gRPC. Usage: `bench_grpc [N]`.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ctaops_core::admin::sample::sample;
use ctaops_core::admin::{AdminCommand, Framing, Kind, Runner, RunnerSettings, parse_records};
use ctaops_grpc::encode::DecodedCommand;
use ctaops_grpc::pb::cta::xrd::Data;
use ctaops_grpc::records::records_to_data;
use ctaops_grpc::{
    AdminBackend, AsyncClient, BackendError, Caller, ClientSettings, Record, RecordStream, ServerSettings,
};

struct Bench {
    /// Encoded once before timing, as the `cta-admin` side prints a file made once: the server
    /// only frames them, so the figure is the transport and the client.
    tapefile: Vec<Record>,
    tape: Vec<Data>,
}

#[tonic::async_trait]
impl AdminBackend for Bench {
    async fn is_admin(&self, _: &str) -> Result<bool, BackendError> {
        Ok(true)
    }
    async fn list(&self, _: &Caller, c: &DecodedCommand) -> Result<RecordStream, BackendError> {
        let d: Vec<Record> = if c.command.record_kind() == Some(Kind::Tape) {
            self.tape.iter().cloned().map(Record::from).collect()
        } else {
            self.tapefile.clone()
        };
        Ok(Box::pin(tokio_stream::iter(d.into_iter().map(Ok))))
    }
    async fn execute(&self, _: &Caller, _: &DecodedCommand) -> Result<String, BackendError> {
        Ok(String::new())
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // N distinct records in CTA's JSON form, as `cta-admin --json tapefile ls` prints them.
    let json_path = dir.path().join("tapefile.json");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&json_path).unwrap());
        f.write_all(b"[").unwrap();
        for i in 0..n {
            if i > 0 {
                f.write_all(b",").unwrap();
            }
            let mut v = sample(Kind::TapeFile, i as u64 + 1);
            v["af"]["checksum"] = serde_json::json!([{"type": "ADLER32", "value": format!("{:08x}", i)}]);
            serde_json::to_writer(&mut f, &v).unwrap();
        }
        f.write_all(b"]\n").unwrap();
    }
    let json = std::fs::read(&json_path).unwrap();
    let records = parse_records(Kind::TapeFile, Framing::Json, &json).unwrap();
    let tapefile: Vec<Record> = records_to_data(&records)
        .unwrap()
        .iter()
        .map(|d| Record::Encoded(prost::Message::encode_to_vec(d).into()))
        .collect();
    let tape_json = format!("[{}]", sample(Kind::Tape, 1));
    let mut tape_v: serde_json::Value = serde_json::from_str(&tape_json).unwrap();
    tape_v[0]["labelFormat"] = "CTA".into();
    tape_v[0]["storageClassStatistics"] = serde_json::json!([]);
    let tape =
        records_to_data(&parse_records(Kind::Tape, Framing::Json, tape_v.to_string().as_bytes()).unwrap()).unwrap();
    drop(records);

    // Fake cta-admin: prints the pre-generated file.
    let fake = dir.path().join("cta-admin");
    std::fs::write(&fake, format!("#!/bin/sh\nexec cat '{}'\n", json_path.display())).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pki = ctaops_grpc::tls::generate_pki("bench", &["localhost".into()]).unwrap();
    let (private, public) = ctaops_grpc::tls::generate_jwt_key().unwrap();
    let exp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 3600;
    let token = ctaops_grpc::auth::sign_token(&private, "k", "bench", exp).unwrap();
    std::fs::write(dir.path().join("ca.pem"), &pki.ca_cert_pem).unwrap();
    std::fs::write(dir.path().join("jwt"), &token).unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let settings = ServerSettings {
        cert_pem: pki.server_cert_pem,
        key_pem: pki.server_key_pem,
        jwt: ctaops_grpc::auth::JwtVerifier::from_public_pem(&public, "k").unwrap(),
        limits: ctaops_grpc::ServerLimits::default(),
    };
    rt.spawn(ctaops_grpc::serve(
        Arc::new(Bench { tapefile, tape }),
        settings,
        listener,
        std::future::pending(),
    ));
    let conf = format!(
        "cta.endpoint localhost:{port}\ngrpc.tls.chain_cert_path {}\ngrpc.cta_admin_auth_method jwt\ngrpc.jwt_token_path {}\n",
        dir.path().join("ca.pem").display(),
        dir.path().join("jwt").display()
    );
    let cs = ClientSettings::from_text(&conf, None, std::path::Path::new("bench.conf")).unwrap();
    let client = {
        let _g = rt.enter();
        AsyncClient::new(cs).unwrap()
    };
    let list = AdminCommand::raw(&["tapefile", "ls", "--vid", "V1"]).unwrap();
    let runner = Runner::new(RunnerSettings {
        binary: fake,
        timeout: Duration::from_secs(600),
        ..RunnerSettings::default()
    });

    let best = |f: &mut dyn FnMut() -> usize| {
        let mut t = Duration::MAX;
        for _ in 0..3 {
            let s = Instant::now();
            assert_eq!(f(), n);
            t = t.min(s.elapsed());
        }
        t
    };
    let grpc = best(&mut || {
        rt.block_on(client.arrow(&list))
            .unwrap()
            .iter()
            .map(|b| b.num_rows())
            .sum()
    });
    let cli = best(&mut || runner.arrow(&list).unwrap().iter().map(|b| b.num_rows()).sum());
    println!("tapefile ls, {n} records -> Arrow (best of 3)");
    println!(
        "  gRPC (loopback, TLS)                     {:>8.3} s",
        grpc.as_secs_f64()
    );
    println!(
        "  cta-admin --json subprocess + parser     {:>8.3} s",
        cli.as_secs_f64()
    );
    println!(
        "  ratio (cta-admin / gRPC)                 {:>8.2}x",
        cli.as_secs_f64() / grpc.as_secs_f64()
    );

    let one = AdminCommand::raw(&["tape", "ls", "--vid", "V1"]).unwrap();
    rt.block_on(client.list(&one)).unwrap();
    let mut lat: Vec<Duration> = (0..500)
        .map(|_| {
            let s = Instant::now();
            rt.block_on(client.list(&one)).unwrap();
            s.elapsed()
        })
        .collect();
    lat.sort();
    let mut sub: Vec<Duration> = (0..20)
        .map(|_| {
            let s = Instant::now();
            std::process::Command::new("/bin/true").status().unwrap();
            s.elapsed()
        })
        .collect();
    sub.sort();
    println!("tape ls --vid round trip over gRPC (500 calls, one connection)");
    println!(
        "  median {:.3} ms, p99 {:.3} ms",
        lat[250].as_secs_f64() * 1e3,
        lat[495].as_secs_f64() * 1e3
    );
    println!(
        "  (spawning /bin/true alone: median {:.3} ms)",
        sub[10].as_secs_f64() * 1e3
    );
}
