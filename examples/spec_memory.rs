//! Where the memory of the loaded specs goes: loads spec files under a counting allocator
//! and prints the live heap bytes each part of a [`Spec`] holds.
//!
//! ```text
//! cargo run --release --example spec_memory -- ../shared/clerk-openapi/openapi.json [more files…]
//! ```
//!
//! Per file: the heap after loading it, then what dropping each part frees, in this order:
//! the operations (parameter, body and response schemas, their validator handles), the
//! compiler (the schema registry and the request validators), the route table and the raw
//! document; and what compiling every response validator adds (they are compiled on first
//! use, or all at start-up with `--validate-responses`; the compiler's cache shares them, so
//! they are freed with it, and its column leaves them out). Live bytes are what the program asked for and did not free;
//! the process's RSS is more (allocator arenas, fragmentation, code).
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use clerk_mock::openapi::Spec;

/// The system allocator, counting the bytes live at any moment.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            LIVE.fetch_add(new_size, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

/// Runs `f` and returns how many live bytes it freed.
fn freed(f: impl FnOnce()) -> usize {
    let before = live();
    f();
    before.saturating_sub(live())
}

fn main() {
    let files: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        eprintln!("usage: spec_memory SPEC_FILE…");
        std::process::exit(2);
    }
    let mut total = 0;
    let mut total_responses = 0;
    println!("| file | file size | heap after load | operations | compiler | router | document | rest | response validators, once compiled |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for file in &files {
        let size = std::fs::metadata(file).map(|m| m.len() as usize).unwrap_or(0);
        let before = live();
        let version = clerk_mock::openapi::load::version_in_file_name(file);
        let spec = match Spec::load_as(file, version.as_deref()) {
            Ok(spec) => spec,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let held = live() - before;
        total += held;
        // What compiling every response validator adds (a server with --validate-responses does).
        let at = live();
        if let Err(e) = spec.compile_response_validators() {
            eprintln!("{e}");
        }
        let responses = live() - at;
        total_responses += responses;
        let Spec { operations, compiler, router, doc, .. } = spec;
        let ops = freed(|| drop(operations));
        let comp = freed(|| drop(compiler));
        let rout = freed(|| drop(router));
        let document = freed(|| drop(doc));
        let rest = (held + responses).saturating_sub(ops + comp + rout + document);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            file.display(),
            mib(size),
            mib(held),
            mib(ops),
            mib(comp.saturating_sub(responses)),
            mib(rout),
            mib(document),
            mib(rest),
            mib(responses)
        );
    }
    println!("\nall files: {} live after loading; compiling every response validator would add {}", mib(total), mib(total_responses));
}
