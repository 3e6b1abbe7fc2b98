//! Where a request may go. A provider's answer can name any URL (an artwork URL in its JSON, a
//! redirect), so a hostile or compromised provider could send Gatefold to the cloud metadata
//! address or a service on the user's network. A request may go to a public address, or to one
//! in the same class as the provider's configured base URL: a self-hosted LRCLIB on the LAN may
//! send Gatefold to the LAN, a public one may not. Only `http` and `https`.
//!
//! Host names are judged here by name (`localhost` is loopback, any other name public), and
//! again when they are resolved (`resolve.rs`): a name that resolves only to addresses that are
//! not public is refused there, unless it is a provider's own configured host.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// How far from the public internet an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Anywhere on the internet.
    Public,
    /// A private network (RFC 1918, carrier-grade NAT, IPv6 unique local, and the like).
    Private,
    /// This machine.
    Loopback,
    /// The link: 169.254.0.0/16 (the cloud metadata address among them), fe80::/10.
    LinkLocal,
}

impl Reach {
    /// The class of an address.
    pub fn of(ip: IpAddr) -> Reach {
        match ip {
            IpAddr::V4(ip) => v4(ip),
            IpAddr::V6(ip) => v6(ip),
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Reach::Public => "public",
            Reach::Private => "private-network",
            Reach::Loopback => "loopback",
            Reach::LinkLocal => "link-local",
        }
    }
}

fn v4(ip: Ipv4Addr) -> Reach {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() || ip.is_unspecified() {
        Reach::Loopback
    } else if ip.is_link_local() {
        Reach::LinkLocal
    } else if ip.is_private()
        || (a == 100 && (64..128).contains(&b))
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
    {
        Reach::Private
    } else {
        Reach::Public
    }
}

fn v6(ip: Ipv6Addr) -> Reach {
    if let Some(mapped) = ip.to_ipv4_mapped() {
        return v4(mapped);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() || ip.is_unspecified() {
        Reach::Loopback
    } else if first & 0xffc0 == 0xfe80 {
        Reach::LinkLocal
    } else if first & 0xfe00 == 0xfc00 {
        Reach::Private
    } else {
        Reach::Public
    }
}

/// The class of `url`'s host.
pub fn reach(url: &Url) -> Reach {
    match url.host() {
        Some(Host::Ipv4(ip)) => v4(ip),
        Some(Host::Ipv6(ip)) => v6(ip),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                Reach::Loopback
            } else if let Ok(ip) = name.parse::<IpAddr>() {
                Reach::of(ip)
            } else {
                Reach::Public
            }
        }
        None => Reach::Public,
    }
}

/// Whether a request for a provider whose base URL is `origin` may go to `target`; the reason
/// when not.
pub fn may_reach(target: &Url, origin: &Url) -> Result<(), String> {
    if !matches!(target.scheme(), "http" | "https") {
        return Err(format!(
            "{target} is not an http or https address; only those are fetched"
        ));
    }
    let to = reach(target);
    let from = reach(origin);
    if to == Reach::Public || to == from {
        return Ok(());
    }
    Err(format!(
        "{} is a {} address, and the provider at {} is not on that network; not fetched",
        target.host_str().unwrap_or("?"),
        to.name(),
        origin.host_str().unwrap_or("?"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn may(target: &str, origin: &str) -> bool {
        may_reach(&Url::parse(target).unwrap(), &Url::parse(origin).unwrap()).is_ok()
    }

    #[test]
    fn a_public_provider_reaches_only_public_addresses() {
        let public = "https://lrclib.net/api";
        assert!(may("https://is1-ssl.mzstatic.com/image/1.jpg", public));
        for target in [
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/",
            "http://10.0.0.5/",
            "http://192.168.1.2:8080/",
            "http://172.20.0.1/",
            "http://100.64.0.1/",
            "http://[fd00::1]/",
            "http://127.0.0.1/",
            "http://localhost:6379/",
            "http://[::1]/",
            "http://0.0.0.0/",
            "http://[::ffff:169.254.169.254]/",
            "file:///etc/passwd",
            "ftp://example.com/x",
        ] {
            assert!(!may(target, public), "{target}");
        }
    }

    #[test]
    fn a_self_hosted_provider_reaches_its_own_network() {
        assert!(may(
            "http://127.0.0.1:9000/img",
            "http://127.0.0.1:8080/lrclib"
        ));
        assert!(may("http://localhost:9000/img", "http://127.0.0.1:8080/"));
        assert!(may("http://192.168.1.9/img", "http://10.0.0.2/"));
        assert!(may(
            "https://coverartarchive.org/x",
            "http://127.0.0.1:8080/"
        ));
        // The link is never reached from elsewhere.
        assert!(!may("http://169.254.169.254/", "http://127.0.0.1:8080/"));
        assert!(!may("http://169.254.169.254/", "http://10.0.0.2/"));
    }

    #[test]
    fn reasons_name_the_host_and_the_network() {
        let err = may_reach(
            &Url::parse("http://169.254.169.254/latest").unwrap(),
            &Url::parse("https://itunes.apple.com/").unwrap(),
        )
        .unwrap_err();
        assert!(
            err.contains("169.254.169.254") && err.contains("link-local"),
            "{err}"
        );
    }
}
