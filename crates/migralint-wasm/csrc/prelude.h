/*
 * Force-included (-include) before every C file of libpg_query in the wasm32
 * build.
 *
 * wasi-libc defines O_DSYNC/O_SYNC/O_RSYNC as casts, which PostgreSQL's
 * `#if O_DSYNC != O_SYNC` cannot evaluate: redefine them as the same values
 * written as plain integers (__WASI_FDFLAGS_DSYNC = 1 << 1, RSYNC = 1 << 3,
 * SYNC = 1 << 4). EHOSTDOWN is missing; any value unused by wasi's errno.h
 * (all below 80) will do.
 */
#ifndef MIGRALINT_WASM_PRELUDE_H
#define MIGRALINT_WASM_PRELUDE_H

#include <fcntl.h>

#undef O_DSYNC
#define O_DSYNC 2
#undef O_RSYNC
#define O_RSYNC 8
#undef O_SYNC
#define O_SYNC 16

#ifndef EHOSTDOWN
#define EHOSTDOWN 112
#endif

#endif
