//! The process's memory: freed buffers handed back to the system.
//!
//! glibc's malloc keeps what a thread frees in that thread's arena, resident, for the thread's
//! next allocations; a stage that frees many small tables while it fills one large column
//! (mapped on its own) would hold both. [`give_back`] returns the arenas' free pages.

/// Return the free pages of every malloc arena to the system (glibc `malloc_trim`). Costs a
/// walk over the arenas' free chunks: call it between slices of a stage, not per row.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it touches no live block.
    unsafe {
        libc::malloc_trim(0);
    }
}
