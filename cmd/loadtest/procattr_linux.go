package main

import "syscall"

// procAttr returns the attributes of a child process the tool stops
// itself: a process group of its own (an interrupt typed at the terminal
// reaches the tool, which then stops its children in order), the signal
// sig should the tool die first (0: none), and, given an owner, that
// user's identity.
func procAttr(sig syscall.Signal, o *owner) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: sig}
	if o != nil {
		a.Credential = &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid)}
	}
	return a
}
