package supvisors

import "context"

// ProcessWatch follows the processes designated by a namespec through the
// client's shared poll (poll.go), for a caller that reports progress while a
// wait of the same client runs (an action showing where each process goes
// during a restart). It sends no request of its own: it adds
// get_process_info(namespec) to the requests the shared poll sends for the
// client's waits and commands (a call identical to a wait's is sent once),
// and hands over their answers. It never makes the poll tick nor keeps it
// running: while no wait or command runs, it reports nothing.
type ProcessWatch struct {
	c *Client
	w *pollWaiter
}

// WatchProcesses starts a ProcessWatch of namespec ("app:*" or "app:proc").
// Call Stop when done.
func (c *Client) WatchProcesses(namespec string) *ProcessWatch {
	h := c.polls
	w := &pollWaiter{h: h, calls: processWaitCalls(namespec), ch: make(chan pollAnswer, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers[w] = struct{}{}
	return &ProcessWatch{c: c, w: w}
}

// Next returns the processes as the next tick of the shared poll read them
// (only the latest reading is kept while the caller is away), or ctx's error
// when ctx ends first. A failed reading is returned as its error.
func (pw *ProcessWatch) Next(ctx context.Context) ([]ProcessInfo, error) {
	a, err := pw.w.next(ctx)
	if err == nil {
		err = a.Err
	}
	if err != nil {
		return nil, err
	}
	procs, err := pw.c.decodeProcessPoll(a.Results[0])
	if err != nil {
		return nil, err
	}
	return procs, nil
}

// Stop ends the watch: the shared poll reads nothing more for it.
func (pw *ProcessWatch) Stop() {
	h := pw.w.h
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.watchers, pw.w)
}
