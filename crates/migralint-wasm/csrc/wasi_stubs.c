/*
 * Definitions for the WASI functions that wasi-libc's libc.a still imports
 * after linking (stdio, exit). migralint's wasm build has no files, no
 * clock and no process: defining them here, under the symbol names wasi-libc
 * imports them by, keeps `wasi_snapshot_preview1` out of the module's import
 * section, so the .wasm loads in any bundler, browser or Node without a WASI
 * shim. Errno values are WASI's (wasi/api.h).
 *
 * Nothing in the linter is expected to reach them: libpg_query builds its
 * error messages in memory. Writes are discarded, reads see end of file.
 */
#include <stdint.h>

#define MLW_WASI_ESUCCESS 0
#define MLW_WASI_EBADF 8
#define MLW_WASI_ENOSYS 52
#define MLW_WASI_ESPIPE 70

struct mlw_ciovec {
	uint32_t	buf;
	uint32_t	buf_len;
};

int32_t
__imported_wasi_snapshot_preview1_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten)
{
	const struct mlw_ciovec *iov = (const struct mlw_ciovec *) (uintptr_t) iovs;
	uint32_t	total = 0;

	(void) fd;
	for (int32_t i = 0; i < iovs_len; i++)
		total += iov[i].buf_len;
	*(uint32_t *) (uintptr_t) nwritten = total;
	return MLW_WASI_ESUCCESS;
}

int32_t
__imported_wasi_snapshot_preview1_fd_read(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread)
{
	(void) fd;
	(void) iovs;
	(void) iovs_len;
	*(uint32_t *) (uintptr_t) nread = 0;
	return MLW_WASI_ESUCCESS;
}

int32_t
__imported_wasi_snapshot_preview1_fd_close(int32_t fd)
{
	(void) fd;
	return MLW_WASI_ESUCCESS;
}

int32_t
__imported_wasi_snapshot_preview1_fd_fdstat_get(int32_t fd, int32_t stat)
{
	(void) fd;
	(void) stat;
	return MLW_WASI_EBADF;
}

int32_t
__imported_wasi_snapshot_preview1_fd_seek(int32_t fd, int64_t offset, int32_t whence, int32_t newoffset)
{
	(void) fd;
	(void) offset;
	(void) whence;
	(void) newoffset;
	return MLW_WASI_ESPIPE;
}

int32_t
__imported_wasi_snapshot_preview1_environ_sizes_get(int32_t count, int32_t buf_size)
{
	*(uint32_t *) (uintptr_t) count = 0;
	*(uint32_t *) (uintptr_t) buf_size = 0;
	return MLW_WASI_ESUCCESS;
}

int32_t
__imported_wasi_snapshot_preview1_environ_get(int32_t environ, int32_t environ_buf)
{
	(void) environ;
	(void) environ_buf;
	return MLW_WASI_ESUCCESS;
}

int32_t
__imported_wasi_snapshot_preview1_clock_time_get(int32_t clock_id, int64_t precision, int32_t time)
{
	(void) clock_id;
	(void) precision;
	*(uint64_t *) (uintptr_t) time = 0;
	return MLW_WASI_ESUCCESS;
}

int32_t
__imported_wasi_snapshot_preview1_random_get(int32_t buf, int32_t buf_len)
{
	(void) buf;
	(void) buf_len;
	return MLW_WASI_ENOSYS;
}

_Noreturn void
__imported_wasi_snapshot_preview1_proc_exit(int32_t code)
{
	(void) code;
	__builtin_trap();
}
