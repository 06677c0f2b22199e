//! Which network addresses outgoing webhooks may reach (server-side request forgery):
//! none of the machine's own, the private networks or a cloud's metadata service, unless
//! the operator's allow-list (`NEWSDESK_WEBHOOK_ALLOW`) names the host or its network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why `ip` is not a public address, or `None` when it is one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return non_public_v4(v4);
            }
            let first = v6.segments()[0];
            if v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
                Some("a cloud metadata address")
            } else if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unspecified() {
                Some("the unspecified address")
            } else if v6.is_multicast() {
                Some("a multicast address")
            } else if first & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if first & 0xfe00 == 0xfc00 {
                Some("a private (unique local) address")
            } else if first == 0x64 && v6.segments()[1] == 0xff9b {
                // NAT64 may reach any IPv4 address, private ones included.
                Some("a NAT64 address")
            } else {
                None
            }
        }
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) {
        Some("a cloud metadata address")
    } else if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() || a == 0 {
        Some("the unspecified address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_private() {
        Some("a private address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (CGNAT) address")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("a multicast or reserved address")
    } else {
        None
    }
}

/// Hosts and networks outgoing webhooks may reach even though they are not public.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    hosts: Vec<String>,
    networks: Vec<(IpAddr, u8)>,
}

impl AllowList {
    /// Reads a comma-separated list of host names, addresses and `address/prefix`
    /// networks; the entry that is none of these is the error.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut allow = Self::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Some((addr, prefix)) = entry.split_once('/') {
                let addr: IpAddr = addr.parse().map_err(|_| entry.to_owned())?;
                let max = if addr.is_ipv4() { 32 } else { 128 };
                match prefix.parse::<u8>() {
                    Ok(p) if p <= max => allow.networks.push((addr, p)),
                    _ => return Err(entry.to_owned()),
                }
            } else if let Ok(addr) = entry.parse::<IpAddr>() {
                let max = if addr.is_ipv4() { 32 } else { 128 };
                allow.networks.push((addr, max));
            } else if entry
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                allow.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(entry.to_owned());
            }
        }
        Ok(allow)
    }

    pub fn permits_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    pub fn permits(&self, ip: IpAddr) -> bool {
        self.networks
            .iter()
            .any(|(net, prefix)| in_network(ip, *net, *prefix))
    }

    /// Why `host`, resolved to `ip`, may not be reached; `None` when it may.
    pub fn refuses(&self, host: &str, ip: IpAddr) -> Option<&'static str> {
        if self.permits_host(host) || self.permits(ip) {
            return None;
        }
        non_public(ip)
    }
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "::ffff:127.0.0.1",
            "ff02::1",
        ] {
            assert!(non_public(ip(bad)).is_some(), "{bad}");
        }
        for good in ["93.184.216.34", "2606:2800:220:1::1", "100.128.0.1"] {
            assert!(non_public(ip(good)).is_none(), "{good}");
        }
    }

    #[test]
    fn the_allow_list_permits_hosts_and_networks() {
        let allow = AllowList::parse("127.0.0.1, 10.0.0.0/8, hooks.internal").unwrap_or_default();
        assert!(allow.refuses("x", ip("127.0.0.1")).is_none());
        assert!(allow.refuses("x", ip("10.9.9.9")).is_none());
        assert!(allow.refuses("hooks.internal", ip("192.168.0.1")).is_none());
        assert!(allow.refuses("x", ip("127.0.0.2")).is_some());
        assert!(AllowList::parse("10.0.0.0/40").is_err());
    }
}
