/*
 * pthread.h for migralint's wasm32 build: the module is single-threaded, and
 * libpg_query only uses a thread-specific key to free its memory context when
 * a thread exits, which never happens here. No-ops.
 */
#ifndef MIGRALINT_WASM_PTHREAD_H
#define MIGRALINT_WASM_PTHREAD_H

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
