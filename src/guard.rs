//! The memory guard, a global allocator for the binary (and the test binaries): a single
//! allocation larger than the machine's physical memory can only come from a damaged
//! input (a Parquet size field read from the file, say), and would abort the process.
//! Instead the guard names the file being read (`load::READING`) in one line and exits
//! with the input-error code 4. Inputs are all read before anything is written, so
//! nothing is left half-written. It writes with `libc::write` and exits with `_exit`, so
//! it never allocates or unwinds inside the allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Register with `#[global_allocator] static A: MemoryGuard = MemoryGuard;`.
pub struct MemoryGuard;

/// Physical memory in bytes; 0 until first needed.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged, except sizes above the
// limit, for which the process ends without returning.
unsafe impl GlobalAlloc for MemoryGuard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Below this nothing is checked (the common path stays one comparison).
const CHECK_ABOVE: usize = 1 << 30;

fn check(size: usize) {
    if size > CHECK_ABOVE && size > limit() {
        refuse(size);
    }
}

/// The machine's physical memory (`sysconf`, which does not allocate).
fn limit() -> usize {
    let known = LIMIT.load(Ordering::Relaxed);
    if known != 0 {
        return known;
    }
    // SAFETY: sysconf has no preconditions.
    let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    let bytes = if pages > 0 && size > 0 {
        (pages as u128 * size as u128).min(usize::MAX as u128) as usize
    } else {
        usize::MAX
    };
    LIMIT.store(bytes, Ordering::Relaxed);
    bytes
}

/// Ends the process with a one-line input error, without allocating.
fn refuse(size: usize) -> ! {
    fn put(bytes: &[u8]) {
        // SAFETY: writes a valid buffer to the standard error descriptor.
        unsafe { libc::write(2, bytes.as_ptr().cast(), bytes.len()) };
    }
    put(b"slareport: error: ");
    if let Ok(name) = crate::load::READING.try_read()
        && !name.is_empty()
    {
        let mut end = name.len().min(300);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        put(&name.as_bytes()[..end]);
        put(b": ");
    }
    put(b"the file is damaged or not supported: reading it asked for ");
    let mut digits = [0u8; 20];
    let (mut n, mut k) = (size, digits.len());
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    put(&digits[k..]);
    put(b" bytes of memory\n");
    // SAFETY: ends the process at once; nothing has been published while inputs are read.
    unsafe { libc::_exit(4) }
}
