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

/*
 * pg_query.c finds the bounds of the calling thread's stack (to size its
 * stack-depth limit) with pthread_getattr_np on Linux only: take that path,
 * answered by include/pthread.h. In the rest of libpg_query __linux__ only
 * selects _GNU_SOURCE and the name of an unused local in elog.h.
 */
#ifndef __linux__
#define __linux__ 1
#endif

#endif
