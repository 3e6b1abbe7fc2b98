//! Process-wide settings a front end applies once, first thing in `main`.

/// Caps glibc's malloc at two arenas.
///
/// glibc gives each thread that allocates while others hold the lock an arena of its own, up to
/// eight per core, and a freed block stays in its arena. tokio starts blocking threads as file
/// work needs them (the artwork store, scanning, write-back), so over a long run more arenas
/// appear, each holding freed pages: the job's live heap is flat (`make bench` counts it), but
/// its RSS grew about 10 % from a 10,000- to a 100,000-track run. Two arenas keep the RSS flat
/// too, at no measurable cost in speed on the bench. Elsewhere (musl, macOS) this does nothing.
///
/// Returns whether the limit is in force.
pub fn limit_allocator_arenas() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        #[allow(
            unsafe_code,
            reason = "mallopt is glibc's documented tuning call; it takes two integers and touches nothing of ours"
        )]
        // SAFETY: `mallopt` only sets an allocator parameter; any value is accepted or refused
        // by return code, and memory already allocated is unaffected.
        let accepted = unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) };
        if accepted != 1 {
            tracing::debug!("glibc refused the arena limit; the allocator keeps its defaults");
        }
        accepted == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_accepts_the_arena_limit() {
        assert!(super::limit_allocator_arenas());
    }
}
