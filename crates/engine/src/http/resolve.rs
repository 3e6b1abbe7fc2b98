//! Host names resolved, then judged by their addresses. `reach` judges a name by the name
//! alone, so a provider's answer naming `http://metadata.internal/` (or a name whose DNS points
//! at 169.254.169.254 or the user's LAN) would pass it. Every name the HTTP layer connects to is
//! resolved here, and only its public addresses are used. A name that resolves to no public
//! address is refused before any connection, with its address and class in the reason, unless
//! it is the host of a configured provider's base URL (a self-hosted service named by name).

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::reach::Reach;

/// Resolves a host name to its addresses (blocking: run on the blocking pool).
pub type Lookup = Arc<dyn Fn(&str) -> std::io::Result<Vec<IpAddr>> + Send + Sync>;

/// The system's resolver (`getaddrinfo`).
pub fn system_lookup() -> Lookup {
    Arc::new(|name: &str| {
        use std::net::ToSocketAddrs;
        Ok((name, 0).to_socket_addrs()?.map(|a| a.ip()).collect())
    })
}

/// A name refused because of where it resolves.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The resolver the shared client uses.
pub(super) struct GuardedResolver {
    pub lookup: Lookup,
    /// Host names of the configured providers' base URLs: resolved as they are.
    pub own_hosts: Arc<RwLock<HashSet<String>>>,
}

/// The addresses of `name` that may be connected to, or why none may.
fn judge(name: &str, addrs: Vec<IpAddr>, own: bool) -> Result<Vec<IpAddr>, Refused> {
    if own {
        return Ok(addrs);
    }
    let public: Vec<IpAddr> = addrs
        .iter()
        .copied()
        .filter(|ip| Reach::of(*ip) == Reach::Public)
        .collect();
    match (public.is_empty(), addrs.first()) {
        (false, _) => Ok(public),
        (true, None) => Err(Refused(format!("{name} has no address"))),
        (true, Some(ip)) => Err(Refused(format!(
            "{name} resolves to {ip}, a {} address, and is not a provider's own host; not fetched",
            Reach::of(*ip).name()
        ))),
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let own = self
            .own_hosts
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&host);
        let lookup = Arc::clone(&self.lookup);
        Box::pin(async move {
            let looked_up = host.clone();
            let addrs = tokio::task::spawn_blocking(move || lookup(&looked_up))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??;
            let allowed = judge(&host, addrs, own)?;
            let addrs: Addrs = Box::new(allowed.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_public_addresses_are_used_unless_the_host_is_a_providers_own() {
        let err = judge("metadata.internal", vec![ip("169.254.169.254")], false).unwrap_err();
        assert!(
            err.0.contains("169.254.169.254") && err.0.contains("link-local"),
            "{err}"
        );
        assert!(judge("nas.lan", vec![ip("192.168.1.5")], false).is_err());
        // A rebinding mix keeps only the public address.
        assert_eq!(
            judge(
                "mixed.example",
                vec![ip("10.0.0.1"), ip("93.184.216.34")],
                false
            )
            .unwrap(),
            vec![ip("93.184.216.34")]
        );
        assert_eq!(
            judge("nas.lan", vec![ip("192.168.1.5")], true).unwrap(),
            vec![ip("192.168.1.5")]
        );
    }
}
