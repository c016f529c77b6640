//! Entry point: parse arguments, run, print one-line errors and map them to exit codes.

use clap::Parser;
use slareport::cli::{Cli, dispatch};
use slareport::render::terminal;
use std::io::Write;

/// A command-line error as one line: clap's first line, and where to read more.
fn usage_error(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let text: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect();
    let text = text.join(" ");
    let text = text.strip_prefix("error: ").unwrap_or(&text).replace(" tip: ", "; ");
    format!("{text} (see slareport --help)")
}

/// The memory guard: a single allocation larger than the machine's physical memory
/// can only come from a damaged input (a Parquet size field read from the file, say), and
/// would abort the process. Instead, the guard names the file being read in one line and
/// exits with the input-error code. Inputs are read before anything is written, so
/// nothing is left half-written. It writes with `libc::write` and exits with `_exit`, so
/// it never allocates or unwinds inside the allocator.
struct Guarded;

static LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(usize::MAX);

#[global_allocator]
static ALLOCATOR: Guarded = Guarded;

// SAFETY: every call is passed to the system allocator unchanged, except sizes above the
// limit, for which the process ends without returning.
unsafe impl std::alloc::GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        check(layout.size());
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        check(layout.size());
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

fn check(size: usize) {
    if size > LIMIT.load(std::sync::atomic::Ordering::Relaxed) {
        refuse(size);
    }
}

/// Ends the process with a one-line input error, without allocating.
fn refuse(size: usize) -> ! {
    fn put(bytes: &[u8]) {
        // SAFETY: writes a valid buffer to the standard error descriptor.
        unsafe { libc::write(2, bytes.as_ptr().cast(), bytes.len()) };
    }
    put(b"slareport: error: ");
    match slareport::load::READING.try_read() {
        Ok(name) if !name.is_empty() => {
            put(&name.as_bytes()[..name.len().min(300)]);
            put(b": ");
        }
        _ => {}
    }
    put(b"the file is damaged or not supported: reading it asked for ");
    let mut digits = [0u8; 20];
    let mut n = size;
    let mut k = digits.len();
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

/// The guard's limit: the machine's physical memory (no single allocation can be larger
/// and succeed).
fn set_memory_limit() {
    // SAFETY: sysconf has no preconditions.
    let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    if pages > 0 && size > 0 {
        let bytes = (pages as u128 * size as u128).min(usize::MAX as u128) as usize;
        LIMIT.store(bytes, std::sync::atomic::Ordering::Relaxed);
    }
}

fn main() {
    set_memory_limit();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help, --version, and no subcommand at all: clap's own text.
        Err(e) if !e.use_stderr() || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            e.exit()
        }
        Err(e) => {
            eprintln!("slareport: error: {}", terminal::one_line(&usage_error(&e)));
            std::process::exit(2);
        }
    };
    let now = chrono::Utc::now().timestamp();
    match dispatch(cli.command, now) {
        Ok(outcome) => {
            let text = terminal::clean(&outcome.text);
            match outcome.data {
                Some(data) => {
                    eprint!("{text}");
                    let mut stdout = std::io::stdout().lock();
                    if stdout.write_all(&data).and_then(|_| stdout.flush()).is_err() {
                        eprintln!("slareport: error: cannot write to standard output");
                        std::process::exit(5);
                    }
                }
                None => print!("{text}"),
            }
            let _ = std::io::stdout().flush();
            for w in &outcome.warnings {
                eprintln!("slareport: warning: {}", terminal::one_line(w));
            }
            std::process::exit(outcome.code);
        }
        Err(e) => {
            eprintln!("slareport: error: {}", terminal::one_line(&e.to_string()));
            std::process::exit(e.exit_code());
        }
    }
}
