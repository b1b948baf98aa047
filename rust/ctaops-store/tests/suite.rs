//! One suite, run on both backends: SQLite in a temp dir and a throwaway PostgreSQL cluster.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use ctaops_store::{
    Actor, Filter, Hold, MAX_REASON_LEN, Mode, NewTape, Outcome, PgSettings, PgStore, SqliteStore, SslMode, State,
    StateStore, StoreError, Tls,
};
use ctaops_testutil::PgCluster;

type Factory = Arc<dyn Fn(&str) -> Box<dyn StateStore> + Send + Sync>;

fn tape(vid: &str, priority: i16, pool: &str) -> NewTape {
    NewTape {
        tape: vid.into(),
        files: 100,
        bytes: 1_000_000,
        usage: 30,
        last_write_date: Some("2024-01-02 03:04:05".into()),
        mode: Mode::Auto,
        priority,
        mediatype: "LTO8".into(),
        tapepool: pool.into(),
        responsible: "tester".into(),
    }
}

fn op() -> Actor {
    Actor::new("tester", "test")
}

fn lifecycle(open: &Factory) {
    let mut s = open("LIFE");
    assert_eq!(s.schema_version().expect("version"), 0);
    let up = s.upgrade().expect("upgrade");
    assert_eq!((up.from, up.to), (0, 1));
    assert_eq!(s.upgrade().expect("again").from, 1);
    assert_eq!(s.schema_version().expect("version"), 1);

    assert_eq!(s.add(&tape("V00001", 10, "p1"), &op()).expect("add"), Outcome::Applied);
    assert_eq!(
        s.add(&tape("V00001", 50, "p1"), &op()).expect("re-add"),
        Outcome::Unchanged
    );
    s.add(&tape("V00002", 50, "p2"), &op()).expect("add");
    let row = s.get("V00001").expect("get").expect("present");
    assert_eq!(row.priority, 10, "the second add changed nothing");
    assert_eq!(row.state(), State::Entered);
    assert_eq!(row.last_write_date.as_deref(), Some("2024-01-02 03:04:05"));
    assert_eq!(row.entered.len(), 19);

    let all = s.list(&Filter::default()).expect("list").rows;
    assert_eq!(
        all.iter().map(|r| r.tape.as_str()).collect::<Vec<_>>(),
        ["V00002", "V00001"]
    );
    let p2 = s
        .list(&Filter {
            tapepool: Some("p2".into()),
            ..Filter::default()
        })
        .expect("list")
        .rows;
    assert_eq!(p2.len(), 1);

    assert_eq!(
        s.set_mode("V00001", Mode::Manual, &Actor::new("op", "looking"))
            .expect("mode"),
        Outcome::Applied
    );
    assert_eq!(
        s.set_mode("V00001", Mode::Manual, &op()).expect("mode"),
        Outcome::Unchanged
    );
    assert_eq!(s.set_priority("V00001", 49, &op()).expect("prio"), Outcome::Applied);
    let manual = s
        .list(&Filter {
            mode: Some(Mode::Manual),
            ..Filter::default()
        })
        .expect("list")
        .rows;
    assert_eq!(manual.len(), 1);
    assert_eq!(manual[0].priority, 49);

    // Transitions in order; a repeated one is a no-op; skipping one is refused.
    assert_eq!(
        s.advance("V00002", State::Started, &op()).expect("start"),
        Outcome::Applied
    );
    assert_eq!(
        s.advance("V00002", State::Started, &op()).expect("again"),
        Outcome::Unchanged
    );
    assert!(matches!(
        s.advance("V00002", State::Quarantined, &op()),
        Err(StoreError::InvalidTransition { .. })
    ));
    assert_eq!(
        s.advance("V00002", State::Repacked, &op()).expect("repacked"),
        Outcome::Applied
    );
    let started = s
        .list(&Filter {
            state: Some(State::Repacked),
            ..Filter::default()
        })
        .expect("list")
        .rows;
    assert_eq!(started.len(), 1);

    let h = s.history("V00002").expect("history");
    let actions: Vec<_> = h
        .iter()
        .map(|e| (e.action.as_str(), e.from_value.as_deref(), e.to_value.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            ("add", None, Some("entered")),
            ("advance", Some("entered"), Some("started")),
            ("advance", Some("started"), Some("repacked")),
        ]
    );
    let h1 = s.history("V00001").expect("history");
    assert_eq!(h1[1].actor, "op");
    assert_eq!(h1[1].reason, "looking");

    assert!(matches!(
        s.set_mode("NOPE", Mode::Auto, &op()),
        Err(StoreError::UnknownTape(_))
    ));
    assert!(matches!(
        s.advance("NOPE", State::Started, &op()),
        Err(StoreError::UnknownTape(_))
    ));
    assert!(matches!(
        s.add(&tape("bad vid", 10, "p"), &op()),
        Err(StoreError::InvalidArgument(_))
    ));

    let removed = s.remove("V00001", &op()).expect("rm");
    assert_eq!(removed.tape, "V00001");
    assert!(s.get("V00001").expect("get").is_none());
    assert!(matches!(s.remove("V00001", &op()), Err(StoreError::UnknownTape(_))));
    assert_eq!(
        s.history("V00001").expect("history").last().map(|e| e.action.clone()),
        Some("remove".into())
    );
}

fn claims(open: &Factory) {
    let mut s = open("CLAIM");
    s.upgrade().expect("upgrade");
    for i in 0..200 {
        s.add(&tape(&format!("C{i:05}"), if i % 2 == 0 { 10 } else { 50 }, "p"), &op())
            .expect("add");
    }
    s.set_mode("C00000", Mode::Manual, &op()).expect("mode");
    s.set_mode("C00001", Mode::Error, &op()).expect("mode");
    // Highest priority first.
    let first = s.claim("start", State::Entered, 3, 60, &op()).expect("claim");
    assert!(first.iter().all(|r| r.priority == 50));
    for r in &first {
        s.release(&r.tape, "start").expect("release");
    }

    // Four claimers in parallel, each with its own connection, claiming in small batches.
    let workers = 4;
    let barrier = Arc::new(Barrier::new(workers));
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let open = Arc::clone(open);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut s = open("CLAIM");
                barrier.wait();
                let mut mine = Vec::new();
                loop {
                    let got = s
                        .claim("start", State::Entered, 7, 600, &Actor::new(format!("w{w}"), "test"))
                        .expect("claim");
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got.into_iter().map(|r| r.tape));
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    let mut total = 0;
    for h in handles {
        let got = h.join().expect("worker");
        total += got.len();
        seen.extend(got);
    }
    assert_eq!(total, seen.len(), "a tape was claimed twice");
    assert_eq!(seen.len(), 198, "every auto tape claimed once, manual/error ones never");
    assert!(!seen.contains("C00000") && !seen.contains("C00001"));

    // Claimed tapes are not offered again until released or advanced.
    assert!(
        s.claim("start", State::Entered, 10, 60, &op())
            .expect("claim")
            .is_empty()
    );
    s.advance("C00002", State::Started, &op()).expect("advance");
    s.release("C00004", "start").expect("release");
    let again = s.claim("start", State::Entered, 10, 60, &op()).expect("claim");
    assert_eq!(again.iter().map(|r| r.tape.as_str()).collect::<Vec<_>>(), ["C00004"]);
    let next = s.claim("end", State::Started, 10, 60, &op()).expect("claim");
    assert_eq!(next.len(), 1);
    // A lease of 0 s expires at once: a crashed step's tapes come back.
    s.release("C00002", "end").expect("release");
    assert_eq!(s.claim("end", State::Started, 10, 0, &op()).expect("claim").len(), 1);
    assert_eq!(s.claim("end", State::Started, 10, 0, &op()).expect("claim").len(), 1);
}

fn concurrent_advance(open: &Factory) {
    let mut s = open("ADV");
    s.upgrade().expect("upgrade");
    s.add(&tape("A00001", 10, "p"), &op()).expect("add");
    let barrier = Arc::new(Barrier::new(4));
    let applied: usize = (0..4)
        .map(|_| {
            let open = Arc::clone(open);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut s = open("ADV");
                barrier.wait();
                s.advance("A00001", State::Started, &op()).expect("advance")
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .filter(|o| *o == Outcome::Applied)
        .count();
    assert_eq!(applied, 1, "exactly one of four concurrent transitions is applied");
    let adv = s.history("A00001").expect("history");
    assert_eq!(adv.iter().filter(|e| e.action == "advance").count(), 1);
}

/// Issue 17, item 7: the check a step makes right before each state-changing CTA call.
fn renew(open: &Factory) {
    let mut s = open("RENEW");
    s.upgrade().expect("upgrade");
    let me = Actor::new("step@host pid 1", "renew");
    for v in ["R00001", "R00002", "R00003", "R00004"] {
        s.add(&tape(v, 10, "p"), &op()).expect("add");
    }
    let got = s.claim("reclaim", State::Entered, 10, 60, &me).expect("claim");
    assert_eq!(got.len(), 4);
    assert_eq!(
        s.renew("R00001", "reclaim", State::Entered, 60, &me).expect("renew"),
        Hold::Held
    );
    let c = s.claim_of("R00001").expect("claim_of").expect("claimed");
    assert_eq!((c.step.as_str(), c.owner.as_str()), ("reclaim", "step@host pid 1"));
    // an operator takes one over, removes another
    s.set_mode("R00002", Mode::Manual, &Actor::new("alice", "looking at it"))
        .expect("mode");
    s.remove("R00003", &Actor::new("bob", "wrong tape")).expect("rm");
    let Hold::TakenOver { mode, detail } = s.renew("R00002", "reclaim", State::Entered, 60, &me).expect("renew") else {
        panic!("taken over not seen");
    };
    assert_eq!(mode, Mode::Manual);
    assert!(
        detail.contains("by alice") && detail.contains("looking at it"),
        "{detail}"
    );
    let Hold::Removed { detail } = s.renew("R00003", "reclaim", State::Entered, 60, &me).expect("renew") else {
        panic!("removal not seen");
    };
    assert!(detail.contains("by bob") && detail.contains("wrong tape"), "{detail}");
    assert!(s.claim_of("R00003").expect("claim_of").is_none());
    // another run of the same step on the same host: not this run's claim
    let other = Actor::new("step@host pid 2", "renew");
    assert!(matches!(
        s.renew("R00004", "reclaim", State::Entered, 60, &other).expect("renew"),
        Hold::Lost { .. }
    ));
    // moved on (another run advanced it after this run's lease expired)
    s.advance("R00004", State::Started, &op()).expect("advance");
    assert!(matches!(
        s.renew("R00004", "reclaim", State::Entered, 60, &me).expect("renew"),
        Hold::Lost { .. }
    ));
    // the renewal extends an expired lease: nobody else can claim the tape afterwards
    s.release("R00001", "reclaim").expect("release");
    let again = s
        .claim("reclaim", State::Entered, 10, 0, &me)
        .expect("claim, lease 0 s");
    assert_eq!(again.len(), 1);
    assert_eq!(
        s.renew("R00001", "reclaim", State::Entered, 600, &me).expect("renew"),
        Hold::Held
    );
    assert!(
        s.claim("x", State::Entered, 10, 60, &op())
            .expect("claim")
            .iter()
            .all(|r| r.tape != "R00001")
    );
}

/// Issue 17, item 10: what `add` takes, how long a reason may be.
fn input_bounds(open: &Factory) {
    let mut s = open("BOUNDS");
    s.upgrade().expect("upgrade");
    for bad in ["l80001", "L800012", "L8 001"] {
        assert!(
            matches!(s.add(&tape(bad, 10, "p"), &op()), Err(StoreError::InvalidArgument(_))),
            "{bad}"
        );
    }
    let long = Actor::new("op", "x".repeat(MAX_REASON_LEN + 1));
    assert!(matches!(
        s.add(&tape("B00001", 10, "p"), &long),
        Err(StoreError::InvalidArgument(_))
    ));
    assert!(s.get("B00001").expect("get").is_none(), "nothing half-written");
    s.add(&tape("B00001", 10, "p"), &op()).expect("add");
    for res in [
        s.set_mode("B00001", Mode::Manual, &long).map(|_| ()),
        s.set_priority("B00001", 1, &long).map(|_| ()),
        s.advance("B00001", State::Started, &long).map(|_| ()),
        s.remove("B00001", &long).map(|_| ()),
    ] {
        assert!(matches!(res, Err(StoreError::InvalidArgument(_))));
    }
    assert_eq!(s.history("B00001").expect("history").len(), 1);
}

fn run_suite(open: &Factory) {
    renew(open);
    input_bounds(open);
    lifecycle(open);
    claims(open);
    concurrent_advance(open);
}

#[test]
fn sqlite_backend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("atresys.sqlite");
    let open: Factory =
        Arc::new(move |table: &str| Box::new(SqliteStore::open(&path, table).expect("open")) as Box<dyn StateStore>);
    run_suite(&open);
}

fn pg_settings(cluster: &PgCluster) -> PgSettings {
    PgSettings {
        host: "127.0.0.1".into(),
        port: cluster.port,
        user: cluster.user.clone(),
        password: None,
        dbname: "postgres".into(),
        tls: Tls::default(),
    }
}

#[test]
fn postgres_backend() {
    let cluster = PgCluster::start().expect("postgres");
    let pg = pg_settings(&cluster);
    let open: Factory =
        Arc::new(move |table: &str| Box::new(PgStore::connect(&pg, table).expect("connect")) as Box<dyn StateStore>);
    run_suite(&open);
}

/// A site's existing upstream table (made by hand with upstream's DDL) is used as it is.
#[test]
fn postgres_existing_upstream_table() {
    let cluster = PgCluster::start().expect("postgres");
    let pg = pg_settings(&cluster);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let (c, conn) = tokio_postgres::connect(&cluster.connection_string(), tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        c.batch_execute(
            "CREATE TYPE automation_modes AS ENUM ('auto','manual','error');
             CREATE TABLE public.repack_status_prod (
               tape varchar(20) NOT NULL, entered timestamp(0) NOT NULL, started timestamp(0),
               repacked timestamp(0), quarantined timestamp(0), reclaimed timestamp(0), finished timestamp(0),
               files bigint NOT NULL, bytes bigint NOT NULL, usage smallint NOT NULL,
               last_write_date timestamp(0), mode automation_modes NOT NULL, priority smallint NOT NULL,
               mediatype varchar(20) NOT NULL, tapepool varchar(20) NOT NULL, responsible varchar(40) NOT NULL,
               CONSTRAINT repack_status_prod_pkey PRIMARY KEY (tape));
             INSERT INTO public.repack_status_prod VALUES ('L00001', '2024-03-01 10:00:00', '2024-03-02 10:00:00',
               NULL, NULL, NULL, NULL, 5, 500, 12, NULL, 'manual', 50, 'LTO8', 'r_pool', 'ops');",
        )
        .await
        .expect("upstream ddl");
    });
    let mut s = PgStore::connect(&pg, "public.repack_status_prod").expect("connect");
    assert_eq!(s.upgrade().expect("upgrade").from, 0);
    let row = s.get("L00001").expect("get").expect("kept");
    assert_eq!(row.state(), State::Started);
    assert_eq!(row.mode, Mode::Manual);
    assert_eq!(row.entered, "2024-03-01 10:00:00");
    s.set_mode("L00001", Mode::Auto, &op()).expect("mode");
    s.advance("L00001", State::Repacked, &op()).expect("advance");
    assert_eq!(s.history("L00001").expect("history").len(), 2);
    // The upstream column kept its type (varchar(20)), nothing was altered.
    let len: i32 = rt.block_on(async {
        let (c, conn) = tokio_postgres::connect(&cluster.connection_string(), tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        c.query_one(
            "SELECT character_maximum_length FROM information_schema.columns \
             WHERE table_name = 'repack_status_prod' AND column_name = 'tapepool'",
            &[],
        )
        .await
        .expect("query")
        .get(0)
    });
    assert_eq!(len, 20);
}

#[test]
fn unreachable_postgres_is_one_line_error() {
    let pg = PgSettings {
        host: "127.0.0.1".into(),
        port: 1,
        user: "x".into(),
        password: None,
        dbname: "x".into(),
        tls: Tls::default(),
    };
    let Err(e) = PgStore::connect(&pg, "REPACK_STATUS") else {
        panic!("connected to port 1");
    };
    assert_eq!(e.code(), "ATRESYS_DB_UNREACHABLE");
    assert!(!e.to_string().contains('\n'));
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `sslmode`: verify-full checks the chain and the host name (a wrong CA is refused, so the
/// session really is TLS); require encrypts without a CA; verify-* without `sslrootcert` is refused.
#[test]
fn postgres_over_tls() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let ca = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"];
    openssl(
        d,
        &[
            &ca[..],
            &["-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=ctaops test CA"],
        ]
        .concat(),
    );
    openssl(
        d,
        &[
            &ca[..],
            &["-keyout", "other.key", "-out", "other.pem", "-subj", "/CN=other CA"],
        ]
        .concat(),
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=db",
        ],
    );
    std::fs::write(d.join("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n").expect("write");
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    let read = |n: &str| std::fs::read(d.join(n)).expect("read");
    let cluster = PgCluster::start_with_tls(&read("server.pem"), &read("server.key")).expect("postgres with TLS");
    let mut pg = pg_settings(&cluster);

    pg.tls = Tls {
        mode: SslMode::VerifyFull,
        root_cert: Some(d.join("ca.pem")),
    };
    let mut store = PgStore::connect(&pg, "REPACK_TLS").expect("verify-full with the right CA");
    store.upgrade().expect("upgrade over TLS");
    assert_eq!(store.schema_version().expect("version"), 1);

    pg.tls.root_cert = Some(d.join("other.pem"));
    let Err(e) = PgStore::connect(&pg, "REPACK_TLS") else {
        panic!("a server certificate from another CA was accepted");
    };
    assert_eq!(e.code(), "ATRESYS_DB_UNREACHABLE");
    assert!(e.to_string().contains("certificate"), "{e}");

    pg.tls = Tls {
        mode: SslMode::Require,
        root_cert: None,
    };
    let mut store = PgStore::connect(&pg, "REPACK_TLS").expect("require without a CA");
    assert_eq!(store.schema_version().expect("version"), 1);

    pg.tls.mode = SslMode::VerifyCa;
    let Err(e) = PgStore::connect(&pg, "REPACK_TLS") else {
        panic!("verify-ca without sslrootcert connected");
    };
    assert!(e.to_string().contains("needs sslrootcert"), "{e}");
}
