package ui

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// background runs disk and network work off the UI thread and brings the
// result back with fyne.Do, the only way widgets may be touched from a
// goroutine. Every window of one Home shares it, so a test can wait until
// everything it started has shown its result.
type background struct {
	wg sync.WaitGroup
	// ui runs results one at a time. The real driver does so anyway, on
	// the main thread; the test driver runs fyne.Do at once on the
	// calling goroutine, and this keeps two workers' results from
	// touching widgets together there.
	ui sync.Mutex
}

// run calls work in a goroutine; the function work returns (if any) then
// runs on the UI thread.
func (b *background) run(work func() (show func())) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		if show := work(); show != nil {
			fyne.Do(func() {
				b.ui.Lock()
				defer b.ui.Unlock()
				show()
			})
		}
	}()
}

// wait blocks until every job started so far (and every job those started)
// has finished, or timeout passes; it reports whether they finished. The
// real driver queues fyne.Do, so only tests, whose driver runs it at
// once, learn from this that the results are on screen.
func (b *background) wait(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}
