//! `NetworkMonitor`: which network the machine is on, for WiFi-only jobs.
//!
//! [`LinuxNetworkMonitor`] asks NetworkManager over D-Bus (zbus) when it runs: it tells WiFi,
//! ethernet and mobile connections apart and knows whether the connection is metered. Without
//! NetworkManager it falls back to the kernel: the interface of the default route in
//! `/proc/net/route`, WiFi when `/sys/class/net/<iface>/wireless` exists.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use serde::Serialize;
use ts_rs::TS;

/// The kind of connection the default route goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionKind {
    /// WiFi.
    Wifi,
    /// A wired connection.
    Ethernet,
    /// Mobile broadband or tethering (cellular, bluetooth, USB).
    Mobile,
    /// Any other kind of connection (a VPN, a bridge, ...).
    Other,
    /// No usable network (no default route, or NetworkManager not connected).
    Offline,
}

/// What the monitor sees now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NetworkStatus {
    /// The kind of connection the default route goes through.
    pub kind: ConnectionKind,
    /// The connection is metered (a phone hotspot, a capped plan), as far as the system knows.
    pub metered: bool,
    /// The interface (`wlan0`, `eth0`, ...); `None` when offline or when NetworkManager
    /// answered (it does not name one).
    pub interface: Option<String>,
}

impl NetworkStatus {
    /// WiFi and not metered: what a WiFi-only job wants.
    pub fn allows_wifi_only_work(&self) -> bool {
        self.kind == ConnectionKind::Wifi && !self.metered
    }

    /// For people: "ethernet (eth0)", "metered WiFi (wlan0)", "no network".
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            ConnectionKind::Wifi => "WiFi",
            ConnectionKind::Ethernet => "ethernet",
            ConnectionKind::Mobile => "a mobile connection",
            ConnectionKind::Other => "a non-WiFi connection",
            ConnectionKind::Offline => return "no network".to_owned(),
        };
        let metered = if self.metered { "metered " } else { "" };
        match &self.interface {
            Some(iface) => format!("{metered}{kind} ({iface})"),
            None => format!("{metered}{kind}"),
        }
    }
}

/// Tells which network the machine is on now.
#[async_trait]
pub trait NetworkMonitor: Send + Sync {
    /// The network now. Cannot fail: a network the monitor cannot see counts as `Offline`.
    async fn status(&self) -> NetworkStatus;
}

/// The real monitor on Linux (see the module docs).
#[derive(Debug, Clone)]
pub struct LinuxNetworkMonitor {
    proc_route: PathBuf,
    sys_class_net: PathBuf,
}

impl Default for LinuxNetworkMonitor {
    fn default() -> Self {
        LinuxNetworkMonitor {
            proc_route: PathBuf::from("/proc/net/route"),
            sys_class_net: PathBuf::from("/sys/class/net"),
        }
    }
}

impl LinuxNetworkMonitor {
    /// A monitor reading the kernel's tables from other places (for tests).
    pub fn with_paths(proc_route: impl Into<PathBuf>, sys_class_net: impl Into<PathBuf>) -> Self {
        LinuxNetworkMonitor {
            proc_route: proc_route.into(),
            sys_class_net: sys_class_net.into(),
        }
    }

    /// The fallback: the default route's interface, WiFi when it has a `wireless` folder.
    pub async fn kernel_status(&self) -> NetworkStatus {
        let table = tokio::fs::read_to_string(&self.proc_route)
            .await
            .unwrap_or_default();
        match default_route_interface(&table) {
            None => NetworkStatus {
                kind: ConnectionKind::Offline,
                metered: false,
                interface: None,
            },
            Some(iface) => {
                let kind = classify_interface(&iface, &self.sys_class_net).await;
                NetworkStatus {
                    kind,
                    metered: false,
                    interface: Some(iface),
                }
            }
        }
    }
}

#[async_trait]
impl NetworkMonitor for LinuxNetworkMonitor {
    async fn status(&self) -> NetworkStatus {
        match networkmanager::status().await {
            Ok(status) => status,
            Err(err) => {
                tracing::debug!(%err, "NetworkManager not available, reading the kernel's routes");
                self.kernel_status().await
            }
        }
    }
}

/// The interface of the default route (destination 0.0.0.0, up) with the lowest metric.
pub fn default_route_interface(route_table: &str) -> Option<String> {
    const RTF_UP: u32 = 0x1;
    route_table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (iface, dest, flags, metric) =
                (cols.first()?, cols.get(1)?, cols.get(3)?, cols.get(6)?);
            let flags = u32::from_str_radix(flags, 16).ok()?;
            (*dest == "00000000" && flags & RTF_UP != 0)
                .then(|| (metric.parse::<u32>().unwrap_or(u32::MAX), iface.to_string()))
        })
        .min()
        .map(|(_, iface)| iface)
}

async fn classify_interface(iface: &str, sys_class_net: &Path) -> ConnectionKind {
    if tokio::fs::metadata(sys_class_net.join(iface).join("wireless"))
        .await
        .is_ok()
    {
        ConnectionKind::Wifi
    } else if ["ww", "rmnet", "usb"].iter().any(|p| iface.starts_with(p)) {
        ConnectionKind::Mobile
    } else if ["en", "eth", "em"].iter().any(|p| iface.starts_with(p)) {
        ConnectionKind::Ethernet
    } else {
        ConnectionKind::Other
    }
}

mod networkmanager {
    //! NetworkManager's D-Bus API: `PrimaryConnectionType` ("802-11-wireless",
    //! "802-3-ethernet", "gsm", ...), `Metered` (NMMetered) and `State` (NMState).

    use super::{ConnectionKind, NetworkStatus};

    #[zbus::proxy(
        interface = "org.freedesktop.NetworkManager",
        default_service = "org.freedesktop.NetworkManager",
        default_path = "/org/freedesktop/NetworkManager"
    )]
    trait NetworkManager {
        #[zbus(property)]
        fn primary_connection_type(&self) -> zbus::Result<String>;
        #[zbus(property)]
        fn metered(&self) -> zbus::Result<u32>;
        #[zbus(property)]
        fn state(&self) -> zbus::Result<u32>;
    }

    /// NM_STATE_CONNECTED_SITE: below it there is no usable network.
    const CONNECTED_SITE: u32 = 60;

    pub(super) async fn status() -> zbus::Result<NetworkStatus> {
        let connection = zbus::Connection::system().await?;
        let nm = NetworkManagerProxy::new(&connection).await?;
        if nm.state().await? < CONNECTED_SITE {
            return Ok(NetworkStatus {
                kind: ConnectionKind::Offline,
                metered: false,
                interface: None,
            });
        }
        let kind = match nm.primary_connection_type().await?.as_str() {
            "802-11-wireless" | "wifi" => ConnectionKind::Wifi,
            "802-3-ethernet" | "ethernet" => ConnectionKind::Ethernet,
            "gsm" | "cdma" | "bluetooth" => ConnectionKind::Mobile,
            "" => ConnectionKind::Offline,
            _ => ConnectionKind::Other,
        };
        // NMMetered: 1 yes, 3 guessed yes.
        let metered = matches!(nm.metered().await?, 1 | 3);
        Ok(NetworkStatus {
            kind,
            metered,
            interface: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
        wlp2s0\t00000000\t0100A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
        enp3s0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n\
        enp3s0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";

    #[test]
    fn default_route_with_the_lowest_metric_wins() {
        assert_eq!(default_route_interface(ROUTES).as_deref(), Some("enp3s0"));
        let wifi_only: String = ROUTES
            .lines()
            .filter(|l| !l.starts_with("enp3s0\t0000"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(
            default_route_interface(&wifi_only).as_deref(),
            Some("wlp2s0")
        );
        assert_eq!(default_route_interface("Iface\tDestination\n"), None);
        let down = ROUTES.replace("\t0003\t", "\t0002\t");
        assert_eq!(
            default_route_interface(&down),
            None,
            "routes that are not up do not count"
        );
    }

    #[tokio::test]
    async fn kernel_fallback_tells_wifi_from_ethernet() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("net/wlp2s0/wireless")).unwrap();
        std::fs::create_dir_all(dir.path().join("net/enp3s0")).unwrap();
        let routes = dir.path().join("route");
        std::fs::write(&routes, ROUTES).unwrap();
        let monitor = LinuxNetworkMonitor::with_paths(&routes, dir.path().join("net"));
        let status = monitor.kernel_status().await;
        assert_eq!(status.kind, ConnectionKind::Ethernet);
        assert_eq!(status.describe(), "ethernet (enp3s0)");
        assert!(!status.allows_wifi_only_work());

        std::fs::write(
            &routes,
            ROUTES.replace("\t100\t00000000", "\t900\t00000000"),
        )
        .unwrap();
        let status = monitor.kernel_status().await;
        assert_eq!(status.kind, ConnectionKind::Wifi);
        assert!(status.allows_wifi_only_work());

        std::fs::write(&routes, "Iface\tDestination\n").unwrap();
        assert_eq!(monitor.kernel_status().await.kind, ConnectionKind::Offline);
    }

    #[test]
    fn metered_wifi_is_not_wifi_only_work() {
        let s = NetworkStatus {
            kind: ConnectionKind::Wifi,
            metered: true,
            interface: Some("wlan0".into()),
        };
        assert!(!s.allows_wifi_only_work());
        assert_eq!(s.describe(), "metered WiFi (wlan0)");
    }
}
