//! Build script of migralint-wasm.
//!
//! Native builds (cargo test, clippy): nothing to do.
//!
//! wasm32 builds (through `scripts/build-wasm.sh`, which sets the clang/wasi
//! environment for `cc` and `bindgen`): compile `csrc/` (the setjmp/longjmp
//! runtime, the WASI import stubs, an sbrk that grows memory in large steps)
//! and link wasi-libc's static libraries after it (libpg_query's C code needs
//! malloc, stdio, string functions, ...).

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-env-changed=MIGRALINT_WASI_LIBDIR");
    println!("cargo:rerun-if-env-changed=CFLAGS_wasm32_unknown_unknown");

    if env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }

    let cflags = env::var("CFLAGS_wasm32_unknown_unknown").unwrap_or_default();
    if !cflags.contains("-wasm-enable-sjlj") {
        panic!(
            "migralint-wasm: the wasm32 build needs the clang/wasi-libc environment \
             (CC/CFLAGS/BINDGEN_EXTRA_CLANG_ARGS for wasm32-unknown-unknown). \
             Build it with scripts/build-wasm.sh."
        );
    }

    let csrc = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("csrc");
    // Flags (target, include dirs, -mexception-handling -mllvm -wasm-enable-sjlj)
    // come from CFLAGS_wasm32_unknown_unknown, exactly as for libpg_query.
    cc::Build::new()
        .file(csrc.join("sjlj_rt.c"))
        .file(csrc.join("wasi_stubs.c"))
        .file(csrc.join("sbrk.c"))
        .warnings(true)
        .compile("migralint_wasm_rt");

    let libdir =
        env::var("MIGRALINT_WASI_LIBDIR").unwrap_or_else(|_| "/usr/lib/wasm32-wasi".into());
    println!("cargo:rustc-link-search=native={libdir}");
    for lib in ["c", "wasi-emulated-signal", "wasi-emulated-getpid"] {
        println!("cargo:rustc-link-lib=static={lib}");
    }
}
