/*
 * setjmp/longjmp runtime for code compiled with
 * `-mexception-handling -mllvm -wasm-enable-sjlj` (clang 19).
 *
 * clang rewrites every function that calls setjmp so that:
 *   - `setjmp(env)` becomes `__wasm_setjmp(env, label, invocation_id)`, which
 *     records which call site (label) of which activation of the function
 *     (invocation_id, unique per activation) owns the buffer, and returns 0;
 *   - `longjmp(env, val)` becomes `__wasm_longjmp(env, val)`, which throws a
 *     Wasm exception with the C longjmp tag and a pointer to {env, val};
 *   - the function catches that exception, asks
 *     `__wasm_setjmp_test(env, invocation_id)` whether the buffer belongs to
 *     this activation (non-zero label) and, if so, resumes at that setjmp
 *     returning val; otherwise it rethrows.
 *
 * This file must be compiled with the same flags (exception handling on),
 * or clang fails with "undefined tag symbol cannot be weak".
 */
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

struct mlw_longjmp_arg {
	void	   *env;
	int			val;
};

struct mlw_jmp_buf {
	void	   *invocation_id;
	uint32_t	label;
	struct mlw_longjmp_arg arg;
};

_Static_assert(sizeof(struct mlw_jmp_buf) <= sizeof(jmp_buf),
			   "jmp_buf in csrc/include/setjmp.h is too small");

/* Tag index 1 is the C longjmp tag (__c_longjmp); 0 is the C++ tag. */
#define MLW_C_LONGJMP_TAG 1

void
__wasm_setjmp(void *env, uint32_t label, void *invocation_id)
{
	struct mlw_jmp_buf *jb = env;

	if (label == 0 || invocation_id == NULL)
		__builtin_trap();
	jb->invocation_id = invocation_id;
	jb->label = label;
}

uint32_t
__wasm_setjmp_test(void *env, void *invocation_id)
{
	struct mlw_jmp_buf *jb = env;

	if (jb->label == 0 || invocation_id == NULL)
		__builtin_trap();
	return jb->invocation_id == invocation_id ? jb->label : 0;
}

void
__wasm_longjmp(void *env, int val)
{
	struct mlw_jmp_buf *jb = env;

	/* longjmp(env, 0) makes setjmp return 1, as in C. */
	jb->arg.env = env;
	jb->arg.val = val == 0 ? 1 : val;
	__builtin_wasm_throw(MLW_C_LONGJMP_TAG, &jb->arg);
}
