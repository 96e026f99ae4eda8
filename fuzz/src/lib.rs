//! What the fuzz targets share.

/// The stack of a tokio worker and of its blocking pool (2 MiB), where the server runs every
/// parser: an input that overflows it aborts the server (issue 22, finding 1), while the 8 MiB
/// of a program's main thread would hide it. Runs `parse` on such a thread and re-raises its
/// panic, so that AFL++ sees the crash.
pub const SERVER_STACK: usize = 2 * 1024 * 1024;

pub fn on_server_stack(data: &[u8], parse: fn(&[u8])) {
    let owned = data.to_vec();
    let thread = std::thread::Builder::new().stack_size(SERVER_STACK).spawn(move || parse(&owned));
    match thread {
        Ok(handle) => {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        // No thread (out of resources): parse here rather than report a false crash.
        Err(_) => parse(data),
    }
}
