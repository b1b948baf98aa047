//! Proves the throwaway cluster is a real server: DDL, writes and reads over tokio-postgres.

use ctaops_testutil::PgCluster;

#[tokio::test(flavor = "current_thread")]
async fn create_write_read_rows() {
    let pg = PgCluster::start().expect("start PostgreSQL");
    let (client, conn) = tokio_postgres::connect(&pg.connection_string(), tokio_postgres::NoTls)
        .await
        .unwrap();
    let conn_task = tokio::spawn(conn);

    client
        .batch_execute("CREATE TABLE tape (vid TEXT PRIMARY KEY, fseq BIGINT NOT NULL, full_ BOOLEAN NOT NULL)")
        .await
        .unwrap();
    let insert = client
        .prepare("INSERT INTO tape (vid, fseq, full_) VALUES ($1, $2, $3)")
        .await
        .unwrap();
    for (i, vid) in ["V00001", "V00002", "V00003"].iter().enumerate() {
        let fseq = i64::try_from(i).unwrap() * 100;
        client.execute(&insert, &[vid, &fseq, &(i % 2 == 0)]).await.unwrap();
    }
    let rows = client
        .query("SELECT vid, fseq FROM tape WHERE full_ ORDER BY vid", &[])
        .await
        .unwrap();
    let got: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, vec![("V00001".to_owned(), 0), ("V00003".to_owned(), 200)]);

    // A duplicate key is refused by the server, proving constraints are live.
    let dup = client.execute(&insert, &[&"V00001", &1i64, &false]).await;
    assert!(dup.is_err());

    drop(client);
    conn_task.await.unwrap().unwrap();
}

#[test]
fn two_clusters_get_distinct_ports_and_dirs() {
    let a = PgCluster::start().unwrap();
    let b = PgCluster::start().unwrap();
    assert_ne!(a.port, b.port);
    assert_ne!(a.path(), b.path());
    assert!(a.url().starts_with("postgresql://ctaops@127.0.0.1:"));
}
