package fetch

import "net/netip"

// NewWithBlocked is New with blocked deciding which addresses are refused.
func NewWithBlocked(cfg Config, blocked func(netip.Addr) string) *Fetcher {
	return newFetcher(cfg, blocked)
}
