//! The process's allocator settings, applied once at start-up before any
//! other thread exists (see [`crate::config::MemoryConfig`]).

/// Caps glibc's malloc arenas at `arenas`; returns whether the allocator
/// took the setting (always false off glibc, where there is nothing to cap).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(
    unsafe_code,
    reason = "mallopt is glibc's only interface to its arena limit"
)]
pub fn cap_malloc_arenas(arenas: usize) -> bool {
    let Ok(arenas) = libc::c_int::try_from(arenas.max(1)) else {
        return false;
    };
    // SAFETY: mallopt only sets a tunable of the allocator; M_ARENA_MAX is a
    // valid parameter with any positive value. It is called before the
    // runtime starts its threads.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) == 1 }
}

/// Caps glibc's malloc arenas at `arenas` (nothing to do off glibc).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn cap_malloc_arenas(_arenas: usize) -> bool {
    false
}

#[cfg(test)]
mod tests {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_the_arena_cap() {
        assert!(super::cap_malloc_arenas(4));
        // Out-of-range values are refused, not truncated.
        assert!(!super::cap_malloc_arenas(usize::MAX));
    }
}
