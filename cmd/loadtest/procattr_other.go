//go:build !unix

package main

import "syscall"

// procAttr returns no attributes: process groups and identities are Unix's.
func procAttr(syscall.Signal, *owner) *syscall.SysProcAttr { return nil }
