//! Giving freed memory back to the system during a long run. glibc's
//! allocator keeps pages freed by parse trees and file texts in its free
//! lists, so a process that has parsed thousands of files holds more
//! resident memory than it uses, a little more with every file; a
//! periodic `malloc_trim` returns the whole free pages. Elsewhere (other
//! allocators manage this themselves) it does nothing.

/// Reports handed on between two trims.
pub const TRIM_EVERY: usize = 64;

/// Returns free heap pages to the system.
pub fn release_free_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: malloc_trim only walks the allocator's own free lists; it
        // takes the allocator's locks and is safe to call from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}
