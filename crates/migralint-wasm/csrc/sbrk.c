/*
 * sbrk for wasi-libc's malloc (dlmalloc), replacing libc.a's sbrk.o.
 *
 * wasi-libc's sbrk runs one `memory.grow` for every call, and dlmalloc asks
 * for memory 64 KiB at a time: linting 10,000 files grew memory ~1,300
 * times, and each grow is slow in V8 (the JS ArrayBuffer is detached and
 * rebuilt, wasm-bindgen's memory views with it): a third of the first lint
 * went there. This sbrk grows linear memory in large steps (at least 4 MiB,
 * or 1/8 of the current size) and hands out the reserve on later calls.
 *
 * Only malloc grows memory in this module (Rust's allocator is routed to
 * malloc, see src/c_alloc.rs), so the break is private to this file.
 * Linked ahead of libc.a (build.rs), so libc's sbrk.o is never pulled in;
 * if it were, the link would fail with a duplicate symbol, not go wrong.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define MLW_PAGE 65536u
#define MLW_MIN_STEP (4u * 1024u * 1024u)

static uintptr_t mlw_brk;		/* current break (0: not initialised) */
static uintptr_t mlw_end;		/* end of the memory grown so far */

void *
sbrk(intptr_t increment)
{
	uintptr_t	old;

	if (mlw_brk == 0)
		mlw_brk = mlw_end = (uintptr_t) __builtin_wasm_memory_size(0) * MLW_PAGE;
	if (increment == 0)
		return (void *) mlw_brk;
	/* dlmalloc never shrinks here (MORECORE_CANNOT_TRIM). */
	if (increment < 0)
		abort();
	if ((uintptr_t) increment > mlw_end - mlw_brk)
	{
		uintptr_t	need = (uintptr_t) increment - (mlw_end - mlw_brk);
		uintptr_t	step = need;

		if (step < MLW_MIN_STEP)
			step = MLW_MIN_STEP;
		if (step < mlw_end / 8)
			step = mlw_end / 8;
		step = (step + MLW_PAGE - 1) / MLW_PAGE;
		need = (need + MLW_PAGE - 1) / MLW_PAGE;
		/* Take the large step if memory allows, else just what is needed. */
		if (__builtin_wasm_memory_grow(0, step) == (size_t) -1)
		{
			step = need;
			if (__builtin_wasm_memory_grow(0, step) == (size_t) -1)
			{
				errno = ENOMEM;
				return (void *) -1;
			}
		}
		mlw_end += step * MLW_PAGE;
	}
	old = mlw_brk;
	mlw_brk += (uintptr_t) increment;
	return (void *) old;
}
