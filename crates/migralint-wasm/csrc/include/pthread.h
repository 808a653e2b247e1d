/*
 * pthread.h for migralint's wasm32 build: the module is single-threaded, and
 * libpg_query only uses a thread-specific key to free its memory context when
 * a thread exits, which never happens here (no-ops), and asks where the
 * calling thread's stack ends (get_lowest_stackaddr in pg_query.c, on the
 * path prelude.h selects): the bounds of the module's one stack, which the
 * linker places between __stack_low and __stack_high (its size is set at
 * link time, scripts/wasm/env.sh). libpg_query then sizes its stack-depth
 * limit (max_stack_depth) to that stack as it does natively, instead of
 * keeping PostgreSQL's 100 kB default, which refused parse trees the native
 * build accepts.
 */
#ifndef MIGRALINT_WASM_PTHREAD_H
#define MIGRALINT_WASM_PTHREAD_H

#include <stddef.h>

#define __NEED_pthread_t
#define __NEED_pthread_attr_t
#include <bits/alltypes.h>

/* Defined by wasm-ld. */
extern char __stack_low[];
extern char __stack_high[];

static inline pthread_t pthread_self(void)
{
	return (pthread_t) 0;
}

static inline int pthread_getattr_np(pthread_t thread, pthread_attr_t *attr)
{
	(void) thread;
	(void) attr;
	return 0;
}

static inline int pthread_attr_getstack(const pthread_attr_t *attr, void **addr, size_t *size)
{
	(void) attr;
	*addr = __stack_low;
	*size = (size_t) (__stack_high - __stack_low);
	return 0;
}

static inline int pthread_attr_destroy(pthread_attr_t *attr)
{
	(void) attr;
	return 0;
}

typedef unsigned int pthread_key_t;

static inline int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	(void) destructor;
	*key = 0;
	return 0;
}

static inline int pthread_setspecific(pthread_key_t key, const void *value)
{
	(void) key;
	(void) value;
	return 0;
}

#endif
