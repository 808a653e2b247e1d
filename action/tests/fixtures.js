'use strict';
// Migration sets for the tests. The diagnostics they must raise are the
// certain ones (CREATE INDEX without CONCURRENTLY on a table an earlier
// migration created; a syntax error); exact texts are taken from the wasm
// API rather than written here, so new rules in the core do not break them.

const DIR = 'db/migrations';

/** main before the pull request. */
const BASE = {
  'README.md': '# shop\n',
  [`${DIR}/README.md`]: 'golang-migrate migrations\n',
  [`${DIR}/000001_create_users.up.sql`]: 'CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL\n);\n',
  [`${DIR}/000001_create_users.down.sql`]: 'DROP TABLE users;\n',
  // An old problem the pull request does not touch.
  [`${DIR}/000002_index_users_email.up.sql`]: 'CREATE INDEX users_email ON users (email);\n',
  [`${DIR}/000002_index_users_email.down.sql`]: 'DROP INDEX users_email;\n',
};

/** What the pull request adds. */
const HEAD = {
  // A table and its index in one file: the table is new and empty, no error.
  [`${DIR}/000003_create_orders.up.sql`]:
    'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  user_id bigint NOT NULL REFERENCES users (id)\n);\nCREATE INDEX orders_user_id_new ON orders (user_id);\n',
  [`${DIR}/000003_create_orders.down.sql`]: 'DROP TABLE orders;\n',
  // orders was created by 000003: it holds data, so this is an error (line 2, column 1).
  [`${DIR}/000004_index_orders.up.sql`]: '-- speed up lookups by user\nCREATE INDEX orders_user_id ON orders (user_id);\n',
  [`${DIR}/000004_index_orders.down.sql`]: 'DROP INDEX orders_user_id;\n',
  // A syntax error at the end of line 1.
  [`${DIR}/000005_add_status.up.sql`]: 'ALTER TABLE orders ADD COLUMN;\n',
  [`${DIR}/000005_add_status.down.sql`]: 'ALTER TABLE orders DROP COLUMN IF EXISTS status;\n',
  'app/main.go': 'package main\n',
};

const CHANGED = Object.keys(HEAD).filter((p) => p.startsWith(`${DIR}/`) && p.endsWith('.sql'));

module.exports = { DIR, BASE, HEAD, CHANGED };
