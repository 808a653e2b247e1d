//! Real migration history (`../shared/corpus/realworld/`), applied to a real
//! PostgreSQL with `--no-lint` (their history holds hazards the lint gate
//! would stop). Skips with a message when the corpus is absent.

mod common;

use common::{corpus, migrate, rows};

/// User objects left in schema `public`, other than the migrations table.
fn leftovers(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "SELECT kind || ' ' || name FROM (
           SELECT 'relation' AS kind, c.relname::text AS name FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace
               AND c.relname NOT IN ('schema_migrations', 'schema_migrations_pkey')
           UNION ALL
           SELECT 'type', t.typname::text FROM pg_type t
             WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'c')
               AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
           UNION ALL
           SELECT 'function', p.proname::text FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
         ) x ORDER BY 1",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn up_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".up.sql")
        })
        .count()
}

#[test]
fn svix_ups_apply_and_down_all_stops_at_the_broken_down() {
    let s = server_or_skip!();
    let Some(dir) = corpus("svix__svix-webhooks") else {
        return;
    };
    let p = dir.to_str().unwrap();
    let db = s.fresh_db("svix");
    let url = s.url(&db);
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.ok();
    assert_eq!(
        r.out.matches("applied ").count(),
        up_count(&dir),
        "{}",
        r.out
    );
    assert_eq!(up_count(&dir), 16);
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(20250909214223, false)]);

    let r = migrate(&["--path", p, "--database", &url, "down", "--all"]);
    r.code(1)
        .has("20220428190104_message_expiration.down.sql failed at line 3")
        .has("index \"message_payload_not_null_pidx\" does not exist")
        .has("sqlstate: 42704")
        .has("3 | DROP INDEX message_payload_not_null_pidx")
        .has("database now at version 20220428190104\n");
    // The newer downs ran; this one rolled back whole: at that version, not dirty.
    assert_eq!(rows(&mut c, "schema_migrations"), [(20220428190104, false)]);
    let has_expiration: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'message' AND column_name = 'expiration')",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(
        has_expiration,
        "line 1 of the failed down (DROP COLUMN expiration) must be rolled back"
    );
}

#[test]
fn frontier_ups_apply_and_downs_bring_it_back_to_empty() {
    let s = server_or_skip!();
    let Some(dir) = corpus("raystack__frontier") else {
        return;
    };
    let p = dir.to_str().unwrap();
    let db = s.fresh_db("frontier");
    let url = s.url(&db);
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.ok();
    assert_eq!(r.out.matches("applied ").count(), 40, "{}", r.out);
    let mut c = s.client(&db);
    assert!(!leftovers(&mut c).is_empty());
    let r = migrate(&["--path", p, "--database", &url, "down", "--all"]);
    r.ok();
    assert_eq!(r.out.matches("rolled back ").count(), 40, "{}", r.out);
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    // Every down ran; what remains is what frontier's downs never drop (its
    // base-table down misses serviceusers and serviceuser_credentials, and
    // no down drops the uuid-ossp extension or two trigger functions).
    assert_eq!(
        leftovers(&mut c),
        [
            "function trigger_set_org_kyc_timestamp",
            "function update_timestamps",
            "function uuid_generate_v1",
            "function uuid_generate_v1mc",
            "function uuid_generate_v3",
            "function uuid_generate_v4",
            "function uuid_generate_v5",
            "function uuid_nil",
            "function uuid_ns_dns",
            "function uuid_ns_oid",
            "function uuid_ns_url",
            "function uuid_ns_x500",
            "relation serviceuser_credentials",
            "relation serviceuser_credentials_pkey",
            "relation serviceusers",
            "relation serviceusers_org_id_idx",
            "relation serviceusers_pkey",
        ]
    );
}

#[test]
fn harbor_ups_apply_with_extra_columns_in_schema_migrations() {
    let s = server_or_skip!();
    let Some(dir) = corpus("goharbor__harbor") else {
        return;
    };
    let p = dir.to_str().unwrap();
    let db = s.fresh_db("harbor");
    let url = s.url(&db);
    // Up to 0030, which adds `data_version` to schema_migrations ...
    let first = migrate(&["--path", p, "--database", &url, "goto", "30", "--no-lint"]);
    first.ok().has("applied 0030 0030_2.0.0_schema.up.sql");
    let mut c = s.client(&db);
    let cols = |c: &mut postgres::Client| -> Vec<String> {
        c.query(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = 'schema_migrations' ORDER BY ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    assert_eq!(cols(&mut c), ["version", "dirty", "data_version"]);
    assert_eq!(rows(&mut c, "schema_migrations"), [(30, false)]);
    // ... and the runner keeps working with it (0040 drops it again).
    let rest = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    rest.ok();
    let applied = first.out.matches("applied ").count() + rest.out.matches("applied ").count();
    assert_eq!(applied, 39, "{}{}", first.out, rest.out);
    assert_eq!(up_count(&dir), 39);
    let last = dir
        .read_dir()
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_string_lossy()
                .split('_')
                .next()?
                .parse::<i64>()
                .ok()
        })
        .max()
        .unwrap();
    assert_eq!(rows(&mut c, "schema_migrations"), [(last, false)]);
}

#[test]
fn pkgsite_157_ups_apply_and_pgvector_is_named() {
    let s = server_or_skip!();
    let Some(dir) = corpus("golang__pkgsite") else {
        return;
    };
    let p = dir.to_str().unwrap();
    let db = s.fresh_db("pkgsite");
    let url = s.url(&db);
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.code(1)
        .has("000158_add_pgvector.up.sql failed")
        .has("vector")
        .has("the extension \"vector\" is not installed")
        .has("database now at version 157\n");
    assert_eq!(r.out.matches("applied ").count(), 157, "{}", r.out);
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(157, false)]);
}
