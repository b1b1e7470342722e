// Package par runs independent pieces of work on every core.
package par

import (
	"runtime"
	"sync"
)

// For calls fn(i) for i in [0, n), spread over the machine's cores. fn
// must be safe to call concurrently for different i. Small n runs inline,
// where starting goroutines would cost more than it saves.
func For(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/64+1)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
