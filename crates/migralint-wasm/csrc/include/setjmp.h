/*
 * setjmp.h for migralint's wasm32 build of libpg_query.
 *
 * The Debian wasi-libc has no setjmp.h. With `-mllvm -wasm-enable-sjlj`,
 * clang lowers calls to `setjmp`/`longjmp` into Wasm exception handling and
 * calls the runtime in sjlj_rt.c (__wasm_setjmp, __wasm_setjmp_test,
 * __wasm_longjmp). The buffer only has to be large enough for that runtime's
 * state (see struct mlw_jmp_buf in sjlj_rt.c).
 */
#ifndef MIGRALINT_WASM_SETJMP_H
#define MIGRALINT_WASM_SETJMP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __mlw_jmp_buf_tag {
	unsigned long long __opaque[4];
} jmp_buf[1];

typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf env) __attribute__((__returns_twice__));
_Noreturn void longjmp(jmp_buf env, int val);

/* The signal mask does not exist here: the sig* variants are the plain ones. */
#define sigsetjmp(env, savemask) setjmp(env)
#define siglongjmp(env, val) longjmp(env, val)
#define _setjmp(env) setjmp(env)
#define _longjmp(env, val) longjmp(env, val)

#ifdef __cplusplus
}
#endif

#endif
