//go:build unix && !linux

package main

import "syscall"

// procAttr returns the attributes of a child process the tool stops
// itself: a process group of its own, and, given an owner, that user's
// identity. Only Linux signals a child when the tool dies.
func procAttr(_ syscall.Signal, o *owner) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true}
	if o != nil {
		a.Credential = &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid)}
	}
	return a
}
