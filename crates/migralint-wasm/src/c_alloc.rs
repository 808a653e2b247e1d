//! The Rust global allocator on wasm32, routed to wasi-libc's malloc.
//!
//! libpg_query (C) allocates through wasi-libc's malloc, which grows linear
//! memory with `memory.grow` and assumes it owns everything above
//! `__heap_base`. Rust's default wasm allocator does the same. With both
//! active they hand out overlapping memory (parses of ~50 statements
//! overwrote Rust statics and the module died with "Module terminated"), so
//! Rust allocates from the C heap too: one heap, one owner.

use std::alloc::{GlobalAlloc, Layout};

extern "C" {
    fn malloc(size: usize) -> *mut u8;
    fn calloc(count: usize, size: usize) -> *mut u8;
    fn realloc(ptr: *mut u8, size: usize) -> *mut u8;
    fn aligned_alloc(align: usize, size: usize) -> *mut u8;
    fn free(ptr: *mut u8);
}

/// Alignment every `malloc` result has on wasm32 (that of `max_align_t` is
/// 16; 8 is what Rust's own `System` allocator assumes there).
const MALLOC_ALIGN: usize = 8;

pub struct CAllocator;

unsafe impl GlobalAlloc for CAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            malloc(layout.size())
        } else {
            // C11: the size passed to aligned_alloc must be a multiple of
            // the alignment.
            let size = layout.size().next_multiple_of(layout.align());
            aligned_alloc(layout.align(), size)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            calloc(1, layout.size())
        } else {
            let ptr = self.alloc(layout);
            if !ptr.is_null() {
                ptr.write_bytes(0, layout.size());
            }
            ptr
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        free(ptr)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            return realloc(ptr, new_size);
        }
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let new_ptr = self.alloc(new_layout);
        if !new_ptr.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
            free(ptr);
        }
        new_ptr
    }
}

#[global_allocator]
static GLOBAL: CAllocator = CAllocator;
