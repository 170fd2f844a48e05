package store

import "syscall"

// dontNeed tells the kernel the n bytes of the file mapping at addr are not
// needed: their pages leave the resident set (the mapping is the shared,
// read-only one bbolt made, so nothing is lost).
func dontNeed(addr uintptr, n int64) error {
	page := int64(syscall.Getpagesize())
	n = n / page * page
	if addr == 0 || n <= 0 {
		return nil
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(n), syscall.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}
