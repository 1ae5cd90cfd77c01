package testlab

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Every process of a lab carries SUPVISORS_LAB_ID=<random id> (and SUPVISORS_LAB_NODE=<nick>) in its
// environment: supervisord gets it from testlab and Supervisor passes its environment on to the programs it
// spawns. Supervisor puts each program in its own process group, so killing supervisord's group is not enough;
// scanning /proc for the marker finds everything that belongs to the lab (or to one instance of it).

const (
	envLabID   = "SUPVISORS_LAB_ID"
	envLabNode = "SUPVISORS_LAB_NODE"
)

// labProcesses returns the pids of the live processes whose environment holds SUPVISORS_LAB_ID=id (and
// SUPVISORS_LAB_NODE=node when node is not empty), excluding the calling process.
func labProcesses(id, node string) []int {
	want := []byte(envLabID + "=" + id + "\x00")
	wantNode := []byte(envLabNode + "=" + node + "\x00")
	self := os.Getpid()
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || len(env) == 0 {
			continue // gone, a zombie, or not ours
		}
		env = append([]byte{0}, env...)
		if !bytes.Contains(env, append([]byte{0}, want...)) {
			continue
		}
		if node != "" && !bytes.Contains(env, append([]byte{0}, wantNode...)) {
			continue
		}
		if isZombie(pid) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// isZombie tells whether pid is a zombie (or gone).
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return true
	}
	return b[i+2] == 'Z' || b[i+2] == 'X'
}

// alive tells whether pid exists and is not a zombie.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	return !isZombie(pid)
}

// killAll sends SIGKILL to every lab process (of one node when node is not empty) until none is left or
// the timeout expires; it returns the pids still alive.
func killAll(id, node string, timeout time.Duration) []int {
	deadline := time.Now().Add(timeout)
	for {
		pids := labProcesses(id, node)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return pids
		}
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
