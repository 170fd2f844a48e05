package fetch

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// blockedNets are the ranges refused unless private addresses are
// allowed, beside those netip.Addr classifies itself (loopback, private,
// link-local, multicast, unspecified): what a public feed never lives at.
var blockedNets = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},      // "this host on this network"
	{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT"},         // carrier-grade NAT, also Alibaba's metadata 100.100.100.200
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF reserved"},  // protocol assignments
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},  // network interconnect tests
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},        // reserved, and 255.255.255.255 broadcast
	{netip.MustParsePrefix("fec0::/10"), "site-local"},        // deprecated, still routed privately
	{netip.MustParsePrefix("100::/64"), "discard"},            // discard-only
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"}, // never routed
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},  // TEST-NET-1
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay"},  // deprecated anycast
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"}, // a site's own translator: reaches its private IPv4
	{netip.MustParsePrefix("2001::/32"), "Teredo"},           // a tunnel to an IPv4 host
}

// Ranges that carry an IPv4 address in an IPv6 one: the embedded address
// is checked as if it had been dialled.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")    // NAT64, the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")       // 6to4, bits 16-48
	v4compat  = netip.MustParsePrefix("::/96")           // IPv4-compatible (deprecated)
	v4transl  = netip.MustParsePrefix("::ffff:0:0:0/96") // IPv4-translated (SIIT)
)

// Blocked returns what kind of address ip is when a fetch must not reach
// it without the operator's leave ("loopback", "private", "link-local",
// "CGNAT", ...), or "" when it is a public address.
func Blocked(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		// 169.254.0.0/16 holds the cloud metadata service (169.254.169.254).
		return "link-local"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	}
	for _, b := range blockedNets {
		if b.prefix.Contains(ip) {
			return b.kind
		}
	}
	if ip.Is6() {
		a := ip.As16()
		switch {
		case nat64.Contains(ip), v4compat.Contains(ip), v4transl.Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte{a[12], a[13], a[14], a[15]}))
		case sixToFour.Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte{a[2], a[3], a[4], a[5]}))
		}
	}
	return ""
}

// blockedError is a dial refused by the guard.
type blockedError struct{ kind string }

func (e *blockedError) Error() string {
	return fmt.Sprintf("refused: the host is at a %s address", e.kind)
}

// guard returns the dialer's Control refusing what blocked names: it runs
// after the name was resolved, before each connection is made (the first
// and every redirect's), with the address about to be dialled.
func guard(blocked func(netip.Addr) string) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return &blockedError{kind: "unparsable"}
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return &blockedError{kind: "unparsable"}
		}
		if kind := blocked(ip); kind != "" {
			return &blockedError{kind: kind}
		}
		return nil
	}
}
